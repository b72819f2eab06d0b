/* SPDX-License-Identifier: MIT */
/*
 * The connection to umnicd: the request table, sending requests (on the
 * channel's ring or the socket, corked while callbacks run), connecting
 * and the channel offer, dispatch of asynchronous callbacks, and failing
 * everything pending when the connection goes. The reader is reader.c.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "client/client-int.h"
#include "common/efd.h"
#include "common/proto.h"

/* ---- requests and the table (c->lock held) ---- */

struct umnic_req *umnic_req_new(uint32_t type)
{
	struct umnic_req *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->type = type;
	r->out_fd = -1;
	return r;
}

void umnic_req_free(struct umnic_req *r)
{
	if (!r)
		return;
	if (r->out_fd >= 0)
		close(r->out_fd);
	free(r);
}

void umnic_table_insert(struct umnic_client *c, struct umnic_req *r)
{
	umn_idtab_add(&c->table, &r->node, NULL, r->id);
}

struct umnic_req *umnic_table_find(struct umnic_client *c, uint64_t id)
{
	struct umn_idnode *n = umn_idtab_find(&c->table, NULL, id);

	return n ? UMN_IDTAB_ENTRY(n, struct umnic_req, node) : NULL;
}

void umnic_table_remove(struct umnic_client *c, struct umnic_req *r)
{
	(void)c;
	umn_idtab_del(&r->node);
}

static void signal_ready(struct umnic_client *c)
{
	/* A thread in umnic_dispatch takes the list anyway; the eventfd is for pollers. */
	if (c->dispatchers && !c->dead)
		return;
	if (!c->ev_set)
		(void)umn_efd_kick(c->evfd);
	c->ev_set = true;
}

void umnic_finish(struct umnic_client *c, struct umnic_req *r)
{
	r->state = UMNIC_REQ_DONE;
	if (r->abandoned) {
		umnic_req_free(r);
	} else if (!r->sync) {
		r->rnext = NULL;
		if (c->ready_tail) {
			/* The eventfd is readable already: umnic_dispatch empties both at once. */
			c->ready_tail->rnext = r;
		} else {
			c->ready_head = r;
			signal_ready(c);
		}
		c->ready_tail = r;
	}
	pthread_cond_broadcast(&c->cond);
}

void umnic_fail_all(struct umnic_client *c, NTSTATUS status)
{
	c->dead = true;
	for (unsigned i = 0; i < UMNIC_BUCKETS; i++) {
		struct umn_idnode *n;

		while ((n = c->table.bucket[i])) {
			struct umnic_req *r = UMN_IDTAB_ENTRY(n, struct umnic_req, node);

			umn_idtab_del(n);
			r->res.status = status;
			r->res.information = 0;
			umnic_finish(c, r);
		}
	}
	signal_ready(c);
	pthread_cond_broadcast(&c->cond);
}

static bool ring_put(struct umnic_client *c, const uint8_t *buf, size_t n, unsigned nfds);
static void cork_flush(struct umnic_client *c);

void umnic_send_cancel(struct umnic_client *c, uint64_t id)
{
	uint8_t buf[sizeof(struct umn_iomsg_cancel)];
	struct umn_iomsg m;
	ssize_t n;

	umn_iomsg_init(&m, UMN_IOMSG_CANCEL, id);
	n = umn_iomsg_encode(&m, buf, sizeof(buf), NULL, NULL);
	if (n < 0)
		return;
	pthread_mutex_lock(&c->send_lock);
	if (!ring_put(c, buf, (size_t)n, 0)) {
		cork_flush(c);
		umn_ep_sock_send(&c->ep, buf, (size_t)n, NULL, 0);
	}
	pthread_mutex_unlock(&c->send_lock);
}

/* ---- sending ---- */

/* The status a request gets for a negative errno from sending it. */
static NTSTATUS errno_status(int err)
{
	switch (err) {
	case -ENOMEM:
	case -ENOBUFS:
	case -ETOOMANYREFS:
		return STATUS_INSUFFICIENT_RESOURCES;
	case -EINVAL:
	case -EMSGSIZE:
		return STATUS_INVALID_PARAMETER;
	}
	return STATUS_DEVICE_REMOVED;
}

/*
 * Submissions made by callbacks that umnic_dispatch runs wait on this
 * thread's client until the callbacks are done, then go in one sendmmsg: a
 * client keeping requests in flight hands umnicd a batch per wake-up
 * instead of one request per wake-up.
 */
static _Thread_local struct umnic_client *corking;

/*
 * On the ring if it can go there (send_lock held): nothing waits in the
 * cork to go before it. True with umnicd kicked, or owed a kick when the
 * callbacks are done.
 */
static bool ring_put(struct umnic_client *c, const uint8_t *buf, size_t n, unsigned nfds)
{
	return !nfds && umn_ep_put(&c->ep, buf, n, corking == c);
}

/*
 * Sends what waits in the cork, and the kick umnicd is owed (send_lock
 * held); requests that could not go fail.
 */
static void cork_flush(struct umnic_client *c)
{
	unsigned n = c->ep.hold.n, sent;
	int err = 0;

	sent = umn_ep_flush(&c->ep, &err);
	if (sent == n)
		return;
	pthread_mutex_lock(&c->lock);
	for (unsigned i = sent; i < n; i++) {
		struct umnic_req *r = umnic_table_find(c, c->ep.hold.tag[i]);

		if (r && r->state == UMNIC_REQ_PENDING) {
			umnic_table_remove(c, r);
			r->res.status = errno_status(err);
			r->res.information = 0;
			umnic_finish(c, r);
		}
	}
	pthread_mutex_unlock(&c->lock);
}

/* Holds an encoded asynchronous request back if this thread is running c's callbacks. */
static bool cork_add(struct umnic_client *c, uint64_t id, const uint8_t *buf, size_t n,
		     unsigned nfds)
{
	void *slot;

	if (corking != c || nfds)
		return false;
	slot = umn_msg_hold_reserve(&c->ep.hold, n);
	if (!slot) {
		cork_flush(c);
		slot = umn_msg_hold_reserve(&c->ep.hold, n);
		if (!slot)
			return false; /* bigger than the whole cork */
	}
	memcpy(slot, buf, n);
	umn_msg_hold_commit(&c->ep.hold, n, id);
	return true;
}

NTSTATUS umnic_start(struct umnic_client *c, struct umnic_req *r, struct umn_iomsg *m)
{
	int fds[UMN_IOMSG_MAX_FDS];
	unsigned nfds = 0;
	size_t cap = sizeof(struct umn_iomsg_ioctl) + UMN_IOMSG_NAME_MAX;
	uint8_t *buf;
	ssize_t n;
	int err;

	if (m->type == UMN_IOMSG_WRITE && m->write.in_fd < 0)
		cap += m->write.length;
	else if (m->type == UMN_IOMSG_IOCTL && m->ioctl.in)
		cap += m->ioctl.in_len;
	buf = malloc(cap);
	if (!buf)
		return STATUS_INSUFFICIENT_RESOURCES;

	pthread_mutex_lock(&c->lock);
	if (c->dead) {
		pthread_mutex_unlock(&c->lock);
		free(buf);
		return STATUS_DEVICE_REMOVED;
	}
	r->id = ++c->next_id;
	r->state = UMNIC_REQ_PENDING;
	umnic_table_insert(c, r);
	pthread_mutex_unlock(&c->lock);

	m->req_id = r->id;
	n = umn_iomsg_encode(m, buf, cap, fds, &nfds);
	err = n < 0 ? (int)n : 0;
	if (!err) {
		pthread_mutex_lock(&c->send_lock);
		if (!ring_put(c, buf, (size_t)n, nfds) &&
		    (r->sync || !cork_add(c, r->id, buf, (size_t)n, nfds))) {
			/* In order after what waits in the cork. */
			cork_flush(c);
			err = umn_ep_sock_send(&c->ep, buf, (size_t)n, fds, nfds);
		}
		pthread_mutex_unlock(&c->send_lock);
	}
	free(buf);
	if (!err)
		return STATUS_PENDING;

	pthread_mutex_lock(&c->lock);
	if (r->state != UMNIC_REQ_PENDING) {
		/* The connection died meanwhile and completed it already. */
		pthread_mutex_unlock(&c->lock);
		return STATUS_PENDING;
	}
	umnic_table_remove(c, r);
	pthread_mutex_unlock(&c->lock);
	return errno_status(err);
}

/* ---- public: connection, dispatch, cancel ---- */

/* How long umnic_connect waits for umnicd's answer to its ring offer. */
#define CHAN_ANSWER_MS 5000

/*
 * How long a waiting caller polls the ring before it sleeps: the option,
 * else UMNIC_SPIN_US, else what umnicd says (its own --busy-poll-us).
 */
static void spin_setup(struct umn_ring *rx, int32_t spin_us)
{
	const char *env = getenv("UMNIC_SPIN_US");
	unsigned long us;
	char *end;

	if (spin_us >= 0) {
		umn_ring_set_spin(rx, (uint32_t)spin_us);
		return;
	}
	if (!env || !*env)
		return;
	errno = 0;
	us = strtoul(env, &end, 10);
	if (errno || *end || env[0] == '-')
		return; /* not a number: umnicd's value stays */
	umn_ring_set_spin(rx, us < UMN_CHAN_SPIN_MAX_US ? (uint32_t)us : UMN_CHAN_SPIN_MAX_US);
}

/*
 * Asks umnicd for a message channel (common/chan.h): its answer is the
 * first packet on the connection. Without one (refused, UMNIC_NO_RINGS set,
 * or no memory) everything travels on the socket.
 */
static bool chan_setup(struct umnic_client *c, const umnic_connect_options *o)
{
	struct umn_chan_msg m = {.type = UMN_CHAN_MSG_OFFER, .len = sizeof(m)};
	struct pollfd p = {.fd = c->ep.sock, .events = POLLIN};
	const char *env = getenv("UMNIC_NO_RINGS");
	unsigned char buf[sizeof(m)];
	int fds[UMN_MSG_MAX_FDS], r;
	unsigned nfds = 0;
	ssize_t n;

	if ((o->flags & UMNIC_CONNECT_NO_RINGS) || (env && *env && strcmp(env, "0")))
		return true;
	if (umn_msg_send(c->ep.sock, &m, sizeof(m), NULL, 0) < 0)
		return false;
	do
		r = poll(&p, 1, CHAN_ANSWER_MS);
	while (r < 0 && errno == EINTR);
	n = r > 0 ? umn_msg_recv_flags(c->ep.sock, buf, sizeof(buf), fds, &nfds, MSG_DONTWAIT) : -1;
	/* Anything but the answer leaves the connection unusable. */
	if (n != (ssize_t)sizeof(m) || ((struct umn_chan_msg *)buf)->type != UMN_CHAN_MSG_OFFER) {
		for (unsigned i = 0; i < nfds; i++)
			close(fds[i]);
		errno = n < 0 && r > 0 ? (int)-n : EPROTO;
		return false;
	}
	c->ep.rbuf = nfds == 1 ? malloc(UMN_CHAN_REC_MAX) : NULL;
	if (c->ep.rbuf) {
		int e = umn_ep_accept_offer(&c->ep, fds[0]);

		/* Unmapped, the socket carries everything; mapped, e says how the ack went. */
		if (umn_chan_active(&c->ep.ch)) {
			r = e;
			spin_setup(&c->ep.ch.rx, o->spin_us);
			/* Nobody reads yet: a reply on the ring comes with a kick. */
			umn_ep_sleep(&c->ep);
		}
	}
	for (unsigned i = 0; i < nfds; i++)
		close(fds[i]);
	if (r < 0)
		errno = -r;
	return r >= 0;
}

/* The options as this library knows them, from the caller's copy of whatever size. */
static int options_read(const umnic_connect_options *in, umnic_connect_options *o)
{
	const umnic_connect_options defaults = UMNIC_CONNECT_OPTIONS_INIT;
	size_t size;

	*o = defaults;
	if (!in)
		return 0;
	size = in->size;
	/* The first version ends after spin_us. */
	if (size < offsetof(umnic_connect_options, reserved) + sizeof(in->reserved))
		return -EINVAL;
	/* A newer caller's options this library does not know must be unset. */
	for (size_t i = sizeof(*o); i < size; i++)
		if (((const unsigned char *)in)[i])
			return -EINVAL;
	memcpy(o, in, sizeof(*o));
	o->size = sizeof(*o);
	if ((o->flags & ~UMNIC_CONNECT_FLAGS) || o->reserved || o->spin_us < -1 ||
	    o->spin_us > (int32_t)UMN_CHAN_SPIN_MAX_US)
		return -EINVAL;
	return 0;
}

UMNIC_EXPORT umnic_client *umnic_connect(const char *run_dir)
{
	umnic_connect_options o = UMNIC_CONNECT_OPTIONS_INIT;

	o.run_dir = run_dir;
	return umnic_connect_ex(&o);
}

UMNIC_EXPORT umnic_client *umnic_connect_ex(const umnic_connect_options *opts)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct epoll_event ev = {.events = EPOLLIN};
	umnic_connect_options o;
	const char *run_dir;
	struct umnic_client *c;
	pthread_condattr_t ca;
	int err;

	err = options_read(opts, &o);
	if (err) {
		errno = -err;
		return NULL;
	}
	run_dir = o.run_dir;
	if (!run_dir)
		run_dir = getenv("UMNIC_RUN_DIR");
	if (!run_dir || !*run_dir)
		run_dir = "/run/umnic";
	if ((size_t)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", run_dir,
			     UMN_IOMSG_SOCK_NAME) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	umn_ep_init(&c->ep, -1, &umnic_reader_ops, c, NULL);
	/* Ids are this connection's own, counted from 1: no seed needed. */
	umn_idtab_init(&c->table, c->bucket, UMNIC_BUCKETS, false);
	c->evfd = c->epfd = -1;
	pthread_mutex_init(&c->lock, NULL);
	pthread_mutex_init(&c->send_lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&c->cond, &ca);
	pthread_condattr_destroy(&ca);

	/* Without a cork, submissions simply go one at a time. */
	(void)umn_msg_hold_init(&c->ep.hold, UMNIC_CORK_MAX, UMNIC_CORK_BYTES);
	c->rb = malloc(sizeof(*c->rb));
	if (!c->rb || umn_msg_batch_init(c->rb, UMNIC_READ_BATCH, UMN_IOMSG_MAX)) {
		free(c->rb);
		c->rb = NULL;
		goto fail;
	}
	/*
	 * The socket blocks: a reader with no time limit waits in recvmsg itself,
	 * and drains with MSG_DONTWAIT; senders wait in sendmsg while it is full.
	 */
	c->ep.sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (c->ep.sock < 0 || connect(c->ep.sock, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		goto fail;
	c->evfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	c->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (c->evfd < 0 || c->epfd < 0)
		goto fail;
	ev.data.fd = c->ep.sock;
	if (epoll_ctl(c->epfd, EPOLL_CTL_ADD, c->ep.sock, &ev) < 0)
		goto fail;
	ev.data.fd = c->evfd;
	if (epoll_ctl(c->epfd, EPOLL_CTL_ADD, c->evfd, &ev) < 0)
		goto fail;
	if (!chan_setup(c, &o))
		goto fail;
	return c;

fail:
	err = errno;
	umnic_disconnect(c);
	errno = err;
	return NULL;
}

/* Runs the callbacks of the completed requests in list, lock not held. */
static int run_callbacks(struct umnic_client *c, struct umnic_req *list)
{
	struct umnic_client *outer = corking;
	int n = 0;

	corking = c;
	while (list) {
		struct umnic_req *r = list;

		list = r->rnext;
		if (r->cb)
			r->cb(c, r->id, &r->res, r->ctx);
		umnic_req_free(r);
		n++;
	}
	corking = outer;
	pthread_mutex_lock(&c->send_lock);
	cork_flush(c);
	pthread_mutex_unlock(&c->send_lock);
	return n;
}

UMNIC_EXPORT void umnic_disconnect(umnic_client *c)
{
	struct umnic_req *list;

	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	umnic_fail_all(c, STATUS_CANCELLED);
	list = c->ready_head;
	c->ready_head = c->ready_tail = NULL;
	pthread_mutex_unlock(&c->lock);
	run_callbacks(c, list);

	/* Callbacks may have started requests; the connection is dead, so none went out. */
	if (c->ep.sock >= 0)
		close(c->ep.sock);
	if (c->evfd >= 0)
		close(c->evfd);
	if (c->epfd >= 0)
		close(c->epfd);
	pthread_cond_destroy(&c->cond);
	pthread_mutex_destroy(&c->lock);
	pthread_mutex_destroy(&c->send_lock);
	if (c->rb)
		umn_msg_batch_fini(c->rb);
	free(c->ep.rbuf);
	umn_ep_fini(&c->ep);
	free(c->rb);
	free(c);
}

UMNIC_EXPORT int umnic_fd(umnic_client *c)
{
	return c ? c->epfd : -EINVAL;
}

UMNIC_EXPORT int umnic_dispatch(umnic_client *c, int timeout_ms)
{
	struct timespec ts, *deadline = NULL;
	struct umnic_req *list;
	bool tried = false;

	if (!c)
		return -EINVAL;
	if (timeout_ms >= 0) {
		umnic_deadline_after(&ts, timeout_ms);
		deadline = &ts;
	}
	pthread_mutex_lock(&c->lock);
	c->dispatchers++;
	while (!c->ready_head && !c->dead) {
		/* With time-out 0, still take one look at the socket. */
		if (tried && deadline && umnic_ms_left(deadline) == 0)
			break;
		tried = true;
		umnic_wait_step(c, deadline, NULL);
	}
	c->dispatchers--;
	list = c->ready_head;
	c->ready_head = c->ready_tail = NULL;
	if (!c->dead && c->ev_set) {
		umn_efd_drain(c->evfd);
		c->ev_set = false;
	}
	if (!list && c->dead) {
		pthread_mutex_unlock(&c->lock);
		return -ENOTCONN;
	}
	pthread_mutex_unlock(&c->lock);
	return run_callbacks(c, list);
}

UMNIC_EXPORT NTSTATUS umnic_cancel(umnic_client *c, uint64_t req_id)
{
	struct umnic_req *r;
	bool found;

	if (!c || !req_id)
		return STATUS_INVALID_PARAMETER;
	pthread_mutex_lock(&c->lock);
	if (c->dead) {
		pthread_mutex_unlock(&c->lock);
		return STATUS_DEVICE_REMOVED;
	}
	r = umnic_table_find(c, req_id);
	found = r && r->state == UMNIC_REQ_PENDING && !r->abandoned;
	pthread_mutex_unlock(&c->lock);
	if (!found)
		return STATUS_NOT_FOUND;
	/* It may complete before umnicd sees this; umnicd ignores ids it does not know. */
	umnic_send_cancel(c, req_id);
	return STATUS_SUCCESS;
}
