/* SPDX-License-Identifier: MIT */
/*
 * umnic-host: the process a user-mode driver runs in. umnicd starts it with
 * one end of a SOCK_SEQPACKET socketpair; everything else it gets (queue
 * memory, eventfds) arrives over that socket.
 *
 * The main thread only reads the socket: replies go to whoever waits for
 * them, requests go to the PnP thread, which runs them one at a time (driver
 * callbacks may call back into umnicd synchronously from there).
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/devreg.h"
#include "common/log.h"
#include "common/proto.h"
#include "drvhost/io.h"
#include "drvhost/sandbox.h"
#include "runtime/rt.h"

static int sock = -1;
static _Atomic uint64_t next_seq = 1;

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
	int32_t status;
	char text[UMN_TEXT_MAX];
} call;

static void send_msg(const void *m, size_t len)
{
	int r = umn_msg_send(sock, m, len, NULL, 0);

	if (r < 0 && r != -EPIPE)
		fprintf(stderr, "umnic-host: send: %s\n", strerror(-r));
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

static NTSTATUS ops_adapter_start(struct umn_device *dev, const struct umn_msg_adapter_start *caps,
				  char *text, size_t cap)
{
	struct umn_msg_adapter_start m = *caps;
	NTSTATUS st;

	(void)dev;
	pthread_mutex_lock(&lock);
	call.seq = atomic_fetch_add(&next_seq, 1);
	call.done = false;
	m.h.seq = call.seq;
	pthread_mutex_unlock(&lock);
	send_msg(&m, sizeof(m));
	pthread_mutex_lock(&lock);
	while (!call.done && !closing)
		pthread_cond_wait(&cond, &lock);
	st = call.done ? call.status : STATUS_DEVICE_REMOVED;
	umn_strlcpy(text, call.done ? call.text : "umnicd went away", cap);
	pthread_mutex_unlock(&lock);
	return st;
}

static void ops_link_state(struct umn_device *dev, const struct umn_msg_link_state *ls)
{
	struct umn_msg_link_state m = *ls;

	(void)dev;
	m.h.seq = atomic_fetch_add(&next_seq, 1);
	send_msg(&m, sizeof(m));
}

static void ops_device_failed(struct umn_device *dev, NTSTATUS status, const char *text)
{
	struct umn_msg_device_failed m;

	umn_msg_init(&m, UMN_MSG_DEVICE_FAILED, sizeof(m), atomic_fetch_add(&next_seq, 1));
	m.dev = dev ? dev->id : UINT32_MAX;
	m.status = status;
	umn_strlcpy(m.text, text, sizeof(m.text));
	send_msg(&m, sizeof(m));
}

static void ops_report(struct umn_device *dev, int level, const char *text)
{
	struct umn_msg_log m;

	umn_msg_init(&m, UMN_MSG_LOG, sizeof(m), atomic_fetch_add(&next_seq, 1));
	m.dev = dev ? dev->id : UINT32_MAX;
	m.level = (uint32_t)level;
	umn_strlcpy(m.text, text, sizeof(m.text));
	send_msg(&m, sizeof(m));
}

static const struct umn_rt_ops host_ops = {
	.adapter_start = ops_adapter_start,
	.link_state = ops_link_state,
	.device_failed = ops_device_failed,
	.report = ops_report,
};

static void close_all(int *fds, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

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
			umn_strlcpy(err, umn_rt.sandbox[0] ? umn_rt.sandbox : "none", sizeof(err));
		break;
	}
	case UMN_MSG_ADD_DEVICE: {
		struct umn_msg_add_device *m = (void *)w->msg;
		if (w->len < sizeof(*m) || w->len - sizeof(*m) != m->registry_len ||
		    m->nresources > UMN_MAX_RESOURCES || w->nfds != m->nresources)
			break;
		umn_str_fix(m->instance_id, sizeof(m->instance_id));
		umn_str_fix(m->hwid, sizeof(m->hwid));
		st = umn_rt_add_device(m->dev, m->instance_id, m->hwid, m + 1, m->registry_len, w->fds,
				       m->resource_kind, w->nfds, err, sizeof(err));
		/* A created device took the descriptors; otherwise they are closed below. */
		if (NT_SUCCESS(st))
			w->nfds = 0;
		break;
	}
	case UMN_MSG_CREATE_QUEUE: {
		struct umn_msg_create_queue *m = (void *)w->msg;
		if (w->len != sizeof(*m) || w->nfds != 3)
			break;
		st = umn_rt_create_queue(m->dev, &m->layout, w->fds[0], w->fds[1], w->fds[2], err,
					 sizeof(err));
		w->nfds = 0; /* taken */
		break;
	}
	case UMN_MSG_START_QUEUES:
	case UMN_MSG_STOP_QUEUES:
	case UMN_MSG_REMOVE_DEVICE: {
		struct umn_msg_dev *m = (void *)w->msg;
		if (w->len != sizeof(*m))
			break;
		if (h->type == UMN_MSG_START_QUEUES)
			st = umn_rt_start_queues(m->dev, err, sizeof(err));
		else if (h->type == UMN_MSG_STOP_QUEUES)
			st = umn_rt_stop_queues(m->dev, err, sizeof(err));
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
	default:
		snprintf(err, sizeof(err), "unknown request type %u", h->type);
		break;
	}
	close_all(w->fds, w->nfds);
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

/* Async-signal-safe: one sendmsg, then _exit. */
static void on_fatal_signal(int signo)
{
	struct umn_msg_dying m = { .h = { .type = UMN_MSG_DYING, .len = sizeof(m) }, .signo = signo };
	struct iovec iov = { .iov_base = &m, .iov_len = sizeof(m) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	(void)!sendmsg(sock, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
	/* The raw system call: no exit hooks (a sanitizer's among them) run in a dying process. */
	syscall(SYS_exit_group, 128 + signo);
}

static void catch_fatal_signals(void)
{
	static const int sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGSYS,
				    SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGUSR1, SIGUSR2 };
	static char altstack[64 * 1024];
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) };
	struct sigaction sa;

	/* A driver that overflows its stack still gets reported. */
	sigaltstack(&ss, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fatal_signal;
	sa.sa_flags = SA_ONSTACK | SA_RESETHAND;
	sigfillset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}

static void log_sink(int level, const char *line, void *userdata)
{
	(void)userdata;
	if (level <= UMN_LOG_WARN)
		ops_report(NULL, level, line);
}

int main(int argc, char **argv)
{
	static unsigned char buf[UMN_MSG_MAX];
	pthread_t pnp;
	int opt;

	int driver_fd = -1;
	bool sandbox = false;
	const char *driver_name = "driver.so";

	sock = 3;
	while ((opt = getopt(argc, argv, "f:d:n:s")) != -1) {
		if (opt == 'f')
			sock = atoi(optarg);
		else if (opt == 'd')
			driver_fd = atoi(optarg);
		else if (opt == 'n')
			driver_name = optarg;
		else if (opt == 's')
			sandbox = true;
		else {
			fprintf(stderr, "usage: umnic-host [-f SOCKET_FD] [-d DRIVER_FD -n NAME] [-s]\n");
			return 2;
		}
	}
	signal(SIGPIPE, SIG_IGN);
	if (sandbox)
		catch_fatal_signals();
	umn_log_set_prefix("umnic-host");
	umn_log_set_sink(log_sink, NULL);
	umn_rt.ops = &host_ops;
	umn_rt.user_mode = true;
	host_io_init(sock);

	/*
	 * The driver is mapped before the sandbox closes: afterwards nothing may
	 * become executable. DriverEntry runs later, on LOAD_DRIVER, inside it.
	 */
	if (driver_fd >= 0) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/self/fd/%d", driver_fd);
		umn_rt_preload_driver(path);
	}
	if (sandbox) {
		char err[256];
		if (sandbox_enter(driver_fd, driver_name, umn_rt.sandbox, sizeof(umn_rt.sandbox), err,
				  sizeof(err)) < 0) {
			char line[300];
			snprintf(line, sizeof(line), "cannot set up the sandbox: %s", err);
			ops_report(NULL, UMN_LOG_ERR, line);
			fprintf(stderr, "umnic-host: %s\n", line);
			return 3;
		}
	}
	if (driver_fd >= 0)
		close(driver_fd);
	if (pthread_create(&pnp, NULL, pnp_thread, NULL)) {
		fprintf(stderr, "umnic-host: cannot start the PnP thread\n");
		return 1;
	}
	for (;;) {
		int fds[UMN_MSG_MAX_FDS];
		unsigned nfds = 0;
		ssize_t n = umn_msg_recv(sock, buf, sizeof(buf), fds, &nfds);
		const struct umn_msg_hdr *h = (const void *)buf;

		if (n == 0 || n == -ECONNRESET)
			break;
		if (n < 0) {
			fprintf(stderr, "umnic-host: receive: %s\n", strerror((int)-n));
			if (n == -EMSGSIZE || n == -EBADMSG)
				continue;
			break;
		}
		/* I/O requests skip the PnP thread: the runtime dispatches them to its own queues. */
		if (h->type == UMN_MSG_IO_REQUEST || h->type == UMN_MSG_IO_CANCEL) {
			if (h->type == UMN_MSG_IO_REQUEST)
				host_io_request(buf, (size_t)n, fds, nfds);
			else
				host_io_cancel(buf, (size_t)n);
			close_all(fds, nfds);
			continue;
		}
		if (h->type == UMN_MSG_REPLY) {
			const struct umn_msg_reply *r = (const void *)buf;
			close_all(fds, nfds);
			if ((size_t)n != sizeof(*r))
				continue;
			pthread_mutex_lock(&lock);
			if (r->req_seq == call.seq) {
				call.status = r->status;
				memcpy(call.text, r->text, sizeof(call.text));
				call.text[sizeof(call.text) - 1] = '\0';
				call.done = true;
				pthread_cond_broadcast(&cond);
			}
			pthread_mutex_unlock(&lock);
			continue;
		}
		struct work *w = malloc(sizeof(*w) + (size_t)n);
		if (!w) {
			close_all(fds, nfds);
			continue;
		}
		w->next = NULL;
		w->len = (size_t)n;
		w->nfds = nfds;
		memcpy(w->fds, fds, sizeof(int) * nfds);
		memcpy(w->msg, buf, (size_t)n);
		pthread_mutex_lock(&lock);
		if (work_tail)
			work_tail->next = w;
		else
			work_head = w;
		work_tail = w;
		pthread_cond_signal(&cond);
		pthread_mutex_unlock(&lock);
	}
	/* umnicd is gone; nothing more can reach us, so leave without running driver teardown. */
	_exit(0);
}
