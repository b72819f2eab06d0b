/* SPDX-License-Identifier: MIT */
/*
 * The driver host's side of the conversation with umnicd, the same for a
 * umnic-host process and for an in-host driver running on umnicd's own
 * threads: what each message from umnicd means, and what the runtime tells
 * umnicd (adapter start, link state, failures, logs, traces). The bytes
 * travel over transport.c: one end of a SOCK_SEQPACKET socketpair, over
 * which everything else (queue memory, eventfds, I/O requests) arrives.
 *
 * The reading worker only routes: replies go to whoever waits for them, I/O
 * goes to the runtime (io.c), and PnP requests go to the PnP thread, which
 * runs them one at a time (driver callbacks may call back into umnicd
 * synchronously from there).
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/chan.h"
#include "common/devreg.h"
#include "common/log.h"
#include "common/proto.h"
#include "drvhost/io.h"
#include "drvhost/hostloop.h"
#include "drvhost/transport.h"
#include "runtime/io/io.h"
#include "runtime/host.h"

static _Atomic uint64_t next_seq = 1;

char umn_host_sandbox[256];

/* Requests from umnicd waiting for the PnP thread. */
struct work {
	struct work *next;
	unsigned nfds;
	int fds[UMN_MSG_MAX_FDS];
	size_t len;
	unsigned char msg[];
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static struct work *work_head, *work_tail;
static bool closing;

/* At most one synchronous call is outstanding: only the PnP thread makes them. */
static struct {
	uint64_t seq;
	bool done;
	NTSTATUS status;
	char text[UMN_TEXT_MAX];
} call;

static void send_msg(const void *m, size_t len)
{
	int r = transport_send(m, len);

	if (r < 0 && r != -EPIPE)
		umn_log(UMN_LOG_ERR, "send: %s", strerror(-r));
}

static void send_reply(uint64_t seq, NTSTATUS st, const char *text)
{
	struct umn_msg_reply r;

	umn_msg_init(&r, UMN_MSG_REPLY, sizeof(r), atomic_fetch_add(&next_seq, 1));
	r.req_seq = seq;
	r.status = st;
	umn_strlcpy(r.text, text, sizeof(r.text));
	send_msg(&r, sizeof(r));
}

/* What the runtime collected becomes umnicd's message here, in the driver host. */
static NTSTATUS ops_adapter_start(struct umn_device *dev, const struct umn_adapter_caps *caps,
				  char *text, size_t cap)
{
	struct umn_msg_adapter_start m;
	NTSTATUS st;

	(void)dev;
	umn_msg_init(&m, UMN_MSG_ADAPTER_START, sizeof(m), 0);
	m.caps = *caps;
	pthread_mutex_lock(&lock);
	call.seq = atomic_fetch_add(&next_seq, 1);
	call.done = false;
	m.h.seq = call.seq;
	pthread_mutex_unlock(&lock);
	umn_io_reader_needed();
	send_msg(&m, sizeof(m));
	pthread_mutex_lock(&lock);
	while (!call.done && !closing)
		pthread_cond_wait(&cond, &lock);
	st = call.done ? call.status : STATUS_DEVICE_REMOVED;
	umn_strlcpy(text, call.done ? call.text : "umnicd went away", cap);
	pthread_mutex_unlock(&lock);
	return st;
}

static void ops_link_state(struct umn_device *dev, const struct umn_link_state *ls)
{
	struct umn_msg_link_state m;

	(void)dev;
	umn_msg_init(&m, UMN_MSG_LINK_STATE, sizeof(m), atomic_fetch_add(&next_seq, 1));
	m.ls = *ls;
	send_msg(&m, sizeof(m));
}

static void ops_device_failed(struct umn_device *dev, NTSTATUS status, const char *text)
{
	struct umn_msg_device_failed m;

	umn_msg_init(&m, UMN_MSG_DEVICE_FAILED, sizeof(m), atomic_fetch_add(&next_seq, 1));
	m.dev = dev ? umn_rt_device_id(dev) : UINT32_MAX;
	m.status = status;
	umn_strlcpy(m.text, text, sizeof(m.text));
	send_msg(&m, sizeof(m));
}

static void ops_report(struct umn_device *dev, int level, const char *text)
{
	struct umn_msg_log m;

	umn_msg_init(&m, UMN_MSG_LOG, sizeof(m), atomic_fetch_add(&next_seq, 1));
	m.dev = dev ? umn_rt_device_id(dev) : UINT32_MAX;
	m.level = (uint32_t)level;
	umn_strlcpy(m.text, text, sizeof(m.text));
	send_msg(&m, sizeof(m));
}

static void ops_trace(const struct umn_trace_rec *rec)
{
	struct umn_msg_trace m;

	umn_msg_init(&m, UMN_MSG_TRACE, sizeof(m), atomic_fetch_add(&next_seq, 1));
	m.rec = *rec;
	send_msg(&m, sizeof(m));
}

static const struct umn_rt_ops host_ops = {
    .adapter_start = ops_adapter_start,
    .link_state = ops_link_state,
    .device_failed = ops_device_failed,
    .report = ops_report,
    .trace = ops_trace,
};

static void handle(struct work *w)
{
	const struct umn_msg_hdr *h = (const void *)w->msg;
	char err[UMN_TEXT_MAX] = "";
	NTSTATUS st = STATUS_INVALID_PARAMETER;

	switch (h->type) {
	case UMN_MSG_LOAD_DRIVER: {
		struct umn_msg_load_driver *m = (void *)w->msg;
		if (w->len != sizeof(*m))
			break;
		umn_str_fix(m->path, sizeof(m->path));
		umn_str_fix(m->service, sizeof(m->service));
		st = umn_rt_load_driver(m->path, m->service, m->flags, err, sizeof(err));
		if (NT_SUCCESS(st))
			umn_strlcpy(err, umn_host_sandbox[0] ? umn_host_sandbox : "none",
				    sizeof(err));
		break;
	}
	case UMN_MSG_ADD_DEVICE: {
		struct umn_msg_add_device *m = (void *)w->msg;
		if (w->len < sizeof(*m) || w->len - sizeof(*m) != m->registry_len ||
		    m->nresources > UMN_MAX_RESOURCES || w->nfds != m->nresources)
			break;
		umn_str_fix(m->instance_id, sizeof(m->instance_id));
		umn_str_fix(m->hwid, sizeof(m->hwid));
		st = umn_rt_add_device(m->dev, m->instance_id, m->hwid, m + 1, m->registry_len,
				       w->fds, m->resource_kind, w->nfds, err, sizeof(err));
		/* A created device took the descriptors; otherwise they are closed below. */
		if (NT_SUCCESS(st))
			w->nfds = 0;
		break;
	}
	case UMN_MSG_CREATE_QUEUE: {
		struct umn_msg_create_queue *m = (void *)w->msg;
		if (w->len != sizeof(*m) || w->nfds != 3)
			break;
		st = umn_rt_create_queue(m->dev, &m->layout, w->fds[0], w->fds[1], w->fds[2],
					 m->cpu_plus1, err, sizeof(err));
		w->nfds = 0; /* taken */
		break;
	}
	case UMN_MSG_START_QUEUES:
	case UMN_MSG_STOP_QUEUES:
	case UMN_MSG_STOP_DEVICE:
	case UMN_MSG_START_DEVICE:
	case UMN_MSG_REMOVE_DEVICE: {
		struct umn_msg_dev *m = (void *)w->msg;
		if (w->len != sizeof(*m))
			break;
		if (h->type == UMN_MSG_START_QUEUES)
			st = umn_rt_start_queues(m->dev, err, sizeof(err));
		else if (h->type == UMN_MSG_STOP_QUEUES)
			st = umn_rt_stop_queues(m->dev, err, sizeof(err));
		else if (h->type == UMN_MSG_STOP_DEVICE)
			st = umn_rt_stop_device(m->dev, err, sizeof(err));
		else if (h->type == UMN_MSG_START_DEVICE)
			st = umn_rt_start_device(m->dev, err, sizeof(err));
		else
			st = umn_rt_remove_device(m->dev, err, sizeof(err));
		break;
	}
	case UMN_MSG_SET_RX_FILTER: {
		struct umn_msg_rx_filter *m = (void *)w->msg;
		if (w->len != sizeof(*m))
			break;
		st = umn_rt_set_rx_filter(m->dev, m->flags, (const uint8_t(*)[6])m->mcast,
					  m->mcast_count);
		break;
	}
	case UMN_MSG_SET_OFFLOAD: {
		struct umn_msg_offload *m = (void *)w->msg;
		if (w->len != sizeof(*m))
			break;
		st = umn_rt_set_offload(m->dev, m->active);
		break;
	}
	case UMN_MSG_SET_RSS: {
		const struct umn_msg_rss *m = (const void *)w->msg;
		if (w->len != sizeof(*m))
			break;
		st = umn_rt_set_rss(&m->rss, err, sizeof(err));
		break;
	}
	default:
		snprintf(err, sizeof(err), "unknown request type %u", h->type);
		break;
	}
	transport_close_fds(w->fds, w->nfds);
	send_reply(h->seq, st, err);
}

static void *pnp_thread(void *arg)
{
	(void)arg;
	for (;;) {
		struct work *w;

		pthread_mutex_lock(&lock);
		while (!work_head && !closing)
			pthread_cond_wait(&cond, &lock);
		w = work_head;
		if (w) {
			work_head = w->next;
			if (!work_head)
				work_tail = NULL;
		}
		pthread_mutex_unlock(&lock);
		if (!w)
			return NULL;
		handle(w);
		free(w);
	}
}

static void log_sink(int level, const char *line, void *userdata)
{
	(void)userdata;
	if (level <= UMN_LOG_WARN)
		ops_report(NULL, level, line);
}

void umn_hostloop_init(int fd, bool kernel_mode)
{
	umn_log_set_sink(log_sink, NULL);
	umn_rt_set_host(&host_ops, !kernel_mode);
	umn_runtime_set_kernel_mode(kernel_mode);
	host_io_init(fd);
}

void umn_hostloop_report(int level, const char *text)
{
	ops_report(NULL, level, text);
}

/* A PnP request: the PnP thread runs it (handle), and takes its fds. */
static void queue_for_pnp(const unsigned char *buf, size_t n, const int *fds, unsigned nfds)
{
	struct work *w = malloc(sizeof(*w) + n);

	if (!w) {
		transport_close_fds(fds, nfds);
		return;
	}
	w->next = NULL;
	w->len = n;
	w->nfds = nfds;
	if (nfds)
		memcpy(w->fds, fds, sizeof(int) * nfds);
	memcpy(w->msg, buf, n);
	pthread_mutex_lock(&lock);
	if (work_tail)
		work_tail->next = w;
	else
		work_head = w;
	work_tail = w;
	pthread_cond_signal(&cond);
	pthread_mutex_unlock(&lock);
}

/* One message from umnicd; its fds are closed here unless the PnP thread takes them. */
static void on_message(unsigned char *buf, size_t n, int *fds, unsigned nfds)
{
	const struct umn_msg_hdr *h = (const void *)buf;

	/* I/O requests skip the PnP thread: the runtime dispatches them to its own queues. */
	switch (h->type) {
	case UMN_MSG_IO_REQUEST:
		host_io_request(buf, n, fds, nfds); /* maps the memfds it needs */
		break;
	case UMN_MSG_IO_CANCEL:
		host_io_cancel(buf, n);
		break;
	case UMN_MSG_TARGET_OPENED:
		host_io_target_opened(buf, n);
		break;
	case UMN_MSG_NAME_REGISTERED:
		host_io_name_registered(buf, n);
		break;
	case UMN_MSG_TARGET_COMPLETE:
		host_io_target_complete(buf, n);
		break;
	case UMN_MSG_REPLY: {
		const struct umn_msg_reply *r = (const void *)buf;
		if (n != sizeof(*r))
			break;
		pthread_mutex_lock(&lock);
		if (r->req_seq == call.seq) {
			call.status = r->status;
			memcpy(call.text, r->text, sizeof(call.text));
			call.text[sizeof(call.text) - 1] = '\0';
			call.done = true;
			pthread_cond_broadcast(&cond);
		}
		pthread_mutex_unlock(&lock);
		break;
	}
	default:
		queue_for_pnp(buf, n, fds, nfds);
		return;
	}
	transport_close_fds(fds, nfds);
}

/*
 * A request whose descriptors the kernel dropped because this process has no
 * room for them (RLIMIT_NOFILE): its bytes are whole, so it is answered with
 * an error instead of being lost, or umnicd would wait for the answer.
 */
static void refuse_lost_fds(const unsigned char *buf)
{
	const struct umn_msg_hdr *h = (const void *)buf;
	char text[UMN_TEXT_MAX];

	snprintf(text, sizeof(text),
		 "the driver host is out of file descriptors (request type %u lost its "
		 "descriptors; a host has room for %d)",
		 h->type, UMN_HOST_NOFILE);
	umn_log(UMN_LOG_ERR, "%s", text);
	switch (h->type) {
	case UMN_MSG_IO_REQUEST:
		host_io_refuse(buf, h->len, STATUS_INSUFFICIENT_RESOURCES);
		break;
	case UMN_MSG_IO_CANCEL:
	case UMN_MSG_TARGET_OPENED:
	case UMN_MSG_TARGET_COMPLETE:
	case UMN_MSG_REPLY:
		break; /* these carry no descriptors */
	default:
		send_reply(h->seq, STATUS_INSUFFICIENT_RESOURCES, text);
		break;
	}
}

static const struct transport_handlers handlers = {
    .message = on_message,
    .lost_fds = refuse_lost_fds,
};

int umn_hostloop_run(void)
{
	pthread_t pnp;

	if (transport_start(&handlers) < 0) {
		umn_log(UMN_LOG_ERR, "no memory for the receive buffers");
		return -1;
	}
	if (pthread_create(&pnp, NULL, pnp_thread, NULL)) {
		umn_log(UMN_LOG_ERR, "cannot start the PnP thread");
		return -1;
	}
	umn_io_serve(transport_read_batch);
	/* umnicd is gone: nothing more can reach the driver. */
	pthread_mutex_lock(&lock);
	closing = true;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
	host_io_shutdown();
	return 0;
}
