/* SPDX-License-Identifier: MIT */
/*
 * The connection to umnicd: the request table, the one reader, completion
 * (copying output into the caller's buffer, never more than it holds),
 * dispatch of asynchronous callbacks, and failing everything pending when
 * the connection goes.
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

static void table_insert(struct umnic_client *c, struct umnic_req *r)
{
	struct umnic_req **b = &c->table[r->id % UMNIC_BUCKETS];

	r->hnext = *b;
	*b = r;
}

static struct umnic_req *table_find(struct umnic_client *c, uint64_t id)
{
	for (struct umnic_req *r = c->table[id % UMNIC_BUCKETS]; r; r = r->hnext)
		if (r->id == id)
			return r;
	return NULL;
}

static void cork_flush(struct umnic_client *c);

static void table_remove(struct umnic_client *c, struct umnic_req *r)
{
	for (struct umnic_req **p = &c->table[r->id % UMNIC_BUCKETS]; *p; p = &(*p)->hnext)
		if (*p == r) {
			*p = r->hnext;
			r->hnext = NULL;
			return;
		}
}

static void signal_ready(struct umnic_client *c)
{
	uint64_t one = 1;

	/* A thread in umnic_dispatch takes the list anyway; the eventfd is for pollers. */
	if (c->dispatchers && !c->dead)
		return;
	/* A full counter is still readable, which is all that matters. */
	if (!c->ev_set)
		(void)!write(c->evfd, &one, sizeof(one));
	c->ev_set = true;
}

/* The result is final: wake its waiter, queue its callback, or drop it. */
static void finish(struct umnic_client *c, struct umnic_req *r)
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

/* Completes every pending request with status and marks the connection dead. */
static void fail_all(struct umnic_client *c, NTSTATUS status)
{
	c->dead = true;
	for (unsigned i = 0; i < UMNIC_BUCKETS; i++) {
		struct umnic_req *r;

		while ((r = c->table[i])) {
			c->table[i] = r->hnext;
			r->hnext = NULL;
			r->res.status = status;
			r->res.information = 0;
			finish(c, r);
		}
	}
	signal_ready(c);
	pthread_cond_broadcast(&c->cond);
}

/* ---- completion ---- */

static size_t pread_all(int fd, void *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t k = pread(fd, (uint8_t *)buf + got, n - got, (off_t)got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	return got;
}

/*
 * Stores a COMPLETE into r (state COMPLETING, out of the table, so nobody
 * else touches it). Output never exceeds r->out_len: whatever umnicd says,
 * at most the buffer is filled; more is reported as STATUS_BUFFER_OVERFLOW.
 */
static void take_complete(struct umnic_req *r, const struct umn_iomsg *m)
{
	NTSTATUS status = m->complete.status;
	uint64_t info = m->complete.information;
	size_t n = 0;

	if (r->type == UMN_IOMSG_WRITE || r->abandoned) {
		r->res.status = status;
		r->res.information = info;
		return;
	}
	if (r->out && r->out_len) {
		n = m->complete.data_len < r->out_len ? m->complete.data_len : r->out_len;
		if (m->complete.in_memfd)
			n = pread_all(r->out_fd, r->out, n);
		else if (n)
			memcpy(r->out, m->complete.data, n);
	}
	if (m->complete.data_len > r->out_len || (NT_SUCCESS(status) && info > r->out_len)) {
		status = STATUS_BUFFER_OVERFLOW;
		info = n;
	}
	r->res.status = status;
	r->res.information = info;
}

static bool type_matches(uint32_t req_type, uint32_t reply_type)
{
	switch (reply_type) {
	case UMN_IOMSG_OPEN_DONE:
		return req_type == UMN_IOMSG_OPEN;
	case UMN_IOMSG_CLOSE_DONE:
		return req_type == UMN_IOMSG_CLOSE;
	case UMN_IOMSG_COMPLETE:
		return req_type == UMN_IOMSG_READ || req_type == UMN_IOMSG_WRITE ||
		       req_type == UMN_IOMSG_IOCTL;
	}
	return false;
}

/*
 * One packet from umnicd, lock not held. A malformed one ends the
 * connection: we cannot know which request it was meant to complete.
 * Replies for requests we do not have pending (completed already) are
 * dropped. Returns false when the connection is now dead; *ret_got tells
 * whether the packet completed want.
 */
static bool process_packet(struct umnic_client *c, const uint8_t *buf, size_t len, int *fds,
			   unsigned nfds, const struct umnic_req *want, bool *ret_got)
{
	char reason[UMN_IOMSG_REASON_MAX];
	struct umn_iomsg m;
	struct umnic_req *r;
	int err;

	err = umn_iomsg_decode_reply((void *)buf, len, fds, nfds, &m, reason);
	for (unsigned i = 0; i < nfds; i++)
		close(fds[i]);
	pthread_mutex_lock(&c->lock);
	if (err < 0)
		goto broken;
	r = table_find(c, m.req_id);
	if (!r || r->state != UMNIC_REQ_PENDING) {
		pthread_mutex_unlock(&c->lock);
		return true;
	}
	if (!type_matches(r->type, m.type) ||
	    (m.type == UMN_IOMSG_COMPLETE && m.complete.in_memfd && r->out_fd < 0))
		goto broken;
	table_remove(c, r);
	r->state = UMNIC_REQ_COMPLETING;
	pthread_mutex_unlock(&c->lock);
	/* Compared now: finish() frees an abandoned request. */
	*ret_got = r == want;

	switch (m.type) {
	case UMN_IOMSG_OPEN_DONE:
		r->res.status = m.open_done.status;
		r->handle = m.open_done.handle;
		break;
	case UMN_IOMSG_CLOSE_DONE:
		r->res.status = m.close_done.status;
		break;
	default:
		take_complete(r, &m);
		break;
	}

	pthread_mutex_lock(&c->lock);
	finish(c, r);
	pthread_mutex_unlock(&c->lock);
	return true;

broken:
	fail_all(c, STATUS_DEVICE_REMOVED);
	pthread_mutex_unlock(&c->lock);
	return false;
}

/* Messages from umnicd's ring the reader takes before it looks at the socket. */
#define RING_TURN 32

/*
 * Up to max of umnicd's messages from the ring, handled like packets from
 * the socket; *taken says how many. False when the connection is dead.
 */
static bool ring_take(struct umnic_client *c, unsigned max, const struct umnic_req *want, bool *got,
		      unsigned *taken)
{
	for (*taken = 0; *taken < max; ++*taken) {
		ssize_t len = umn_ring_get(&c->ch.rx, c->ring_buf, UMN_CHAN_REC_MAX);
		bool g = false;

		if (len == 0)
			break;
		if (len < 0) {
			pthread_mutex_lock(&c->lock);
			fail_all(c, STATUS_DEVICE_REMOVED);
			pthread_mutex_unlock(&c->lock);
			return false;
		}
		if (!process_packet(c, c->ring_buf, (size_t)len, NULL, 0, want, &g))
			return false;
		*got = *got || g;
	}
	return true;
}

/*
 * The reader: called with c->lock held and c->reading claimed; drops the
 * lock while it takes what the ring holds, or else waits up to timeout_ms
 * (-1: no limit) for the socket and drains it, or until want (if not NULL)
 * is complete. Between readers the ring's sleeping flag is set, so umnicd
 * kicks the socket for what it puts there: whoever polls umnic_fd() wakes.
 */
static void read_some(struct umnic_client *c, int timeout_ms, const struct umnic_req *want)
{
	struct umn_ring *rx = &c->ch.rx;
	int r = 1, flags = MSG_DONTWAIT;
	bool got = false, alive, waiting = false;
	unsigned taken;

	pthread_mutex_unlock(&c->lock);
	umn_ring_awake(rx);
	alive = ring_take(c, RING_TURN, want, &got, &taken);
	if (!alive || got || (taken && !umn_ring_sock_due(rx)))
		goto out;
	/* A caller that waits polls the ring first: an answer due within microseconds costs no sleep. */
	if (!taken && timeout_ms != 0) {
		waiting = true;
		if (umn_ring_spin(rx)) {
			waiting = false;
			if (!umn_ring_empty(rx)) {
				alive = ring_take(c, RING_TURN, want, &got, &taken);
				if (!alive || got || (taken && !umn_ring_sock_due(rx)))
					goto out;
			}
		}
	}
	if (!taken && !umn_ring_sleep(rx)) {
		if (waiting)
			umn_ring_woke(rx);
		goto out; /* arrived meanwhile */
	}
	if (taken) {
		/* The ring had messages, and the socket has some too: take them, without waiting. */
	} else if (timeout_ms < 0) {
		/* With no time limit, the first receive waits itself: one system call, not two. */
		flags = 0;
	} else {
		struct pollfd p = {.fd = c->sock, .events = POLLIN};

		do
			r = poll(&p, 1, timeout_ms);
		while (r < 0 && errno == EINTR);
	}
	/*
	 * One system call takes what is there (waiting for the first packet when
	 * flags say so). Bounded so a flood cannot keep one caller reading forever.
	 */
	for (unsigned i = 0; r > 0 && i < 8; i++) {
		int k = umn_msg_recv_batch(c->sock, c->rb, flags | (flags ? 0 : MSG_WAITFORONE));
		unsigned counted = 0;

		flags = MSG_DONTWAIT;
		umn_ring_awake(rx);
		if (k == -EAGAIN || k == -EINTR)
			break;
		/* How long the wait was teaches the next poll (common/poll.h). */
		if (waiting) {
			umn_ring_woke(rx);
			waiting = false;
		}
		if (k < 0) {
			pthread_mutex_lock(&c->lock);
			fail_all(c, STATUS_DEVICE_REMOVED);
			pthread_mutex_unlock(&c->lock);
			alive = false;
			break;
		}
		/* What umnicd put on the ring went before these. */
		if (alive)
			alive = ring_take(c, UINT_MAX, want, &got, &taken);
		for (unsigned j = 0; j < c->rb->count; j++) {
			struct umn_msg_in *m = &c->rb->msg[j];

			if (!alive) {
				for (unsigned f = 0; f < m->nfds; f++)
					close(m->fds[f]);
			} else if (m->len <= 0) {
				/* End of file, a reset, or a packet too big or inconsistent. */
				pthread_mutex_lock(&c->lock);
				fail_all(c, STATUS_DEVICE_REMOVED);
				pthread_mutex_unlock(&c->lock);
				alive = false;
			} else if (umn_chan_is_kick(m->buf, m->len)) {
				for (unsigned f = 0; f < m->nfds; f++)
					close(m->fds[f]);
			} else {
				counted++;
				alive = process_packet(c, m->buf, (size_t)m->len, m->fds, m->nfds, want,
						       &got) && alive;
			}
		}
		umn_ring_sock_seen(rx, counted);
		/* A caller with its answer returns; what else comes is the next reader's. */
		if (!alive || got || c->rb->count < c->rb->max)
			break;
	}
out:
	/* Nobody reads until the next reader: what arrives from now on comes with a kick. */
	while (alive && !umn_ring_sleep(rx))
		alive = ring_take(c, UINT_MAX, want, &got, &taken);
	pthread_mutex_lock(&c->lock);
}

/* ---- waiting ---- */

static void deadline_after(struct timespec *ts, int ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/* Milliseconds left until ts, 0 if past; -1 for no deadline. */
static int ms_left(const struct timespec *ts)
{
	struct timespec now;
	int64_t ms;

	if (!ts)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (int64_t)(ts->tv_sec - now.tv_sec) * 1000 + (ts->tv_nsec - now.tv_nsec) / 1000000;
	if (ms <= 0)
		return 0;
	/* Round up so we never spin just before the deadline. */
	return ms > INT32_MAX - 1 ? INT32_MAX : (int)ms + 1;
}

/*
 * One step of waiting (lock held) for want, or (NULL) for any completion:
 * read the socket if nobody else does, otherwise sleep until something
 * completes or the reader steps down.
 */
static void wait_step(struct umnic_client *c, const struct timespec *deadline,
		      const struct umnic_req *want)
{
	if (!c->reading && !c->dead) {
		c->reading = true;
		read_some(c, ms_left(deadline), want);
		c->reading = false;
		pthread_cond_broadcast(&c->cond);
	} else if (deadline) {
		pthread_cond_timedwait(&c->cond, &c->lock, deadline);
	} else {
		pthread_cond_wait(&c->cond, &c->lock);
	}
}

static bool ring_put(struct umnic_client *c, const uint8_t *buf, size_t n, unsigned nfds);

static void send_cancel(struct umnic_client *c, uint64_t id)
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
		umn_ring_sock_send(&c->ch.tx, c->sock, buf, (size_t)n, NULL, 0);
	}
	pthread_mutex_unlock(&c->send_lock);
}

NTSTATUS umnic_wait(struct umnic_client *c, struct umnic_req *r, int timeout_ms, umnic_result *ret,
		    umnic_handle *ret_handle)
{
	struct timespec ts, *deadline = NULL;
	umnic_result res;

	if (timeout_ms >= 0) {
		deadline_after(&ts, timeout_ms);
		deadline = &ts;
	}
	pthread_mutex_lock(&c->lock);
	while (r->state != UMNIC_REQ_DONE) {
		if (deadline && r->state == UMNIC_REQ_PENDING && ms_left(deadline) == 0) {
			uint64_t id = r->id;

			/*
			 * The reader frees it when its completion arrives and, out
			 * cleared, leaves the caller's buffer alone.
			 */
			r->abandoned = true;
			r->out = NULL;
			pthread_mutex_unlock(&c->lock);
			send_cancel(c, id);
			if (ret)
				*ret = (umnic_result){STATUS_IO_TIMEOUT, 0};
			return STATUS_IO_TIMEOUT;
		}
		/* Past the deadline but being completed: the end is near, wait for it. */
		wait_step(c, r->state == UMNIC_REQ_PENDING ? deadline : NULL, r);
	}
	pthread_mutex_unlock(&c->lock);

	res = r->res;
	if (ret_handle)
		*ret_handle = r->handle;
	umnic_req_free(r);
	if (ret)
		*ret = res;
	return res.status;
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

static NTSTATUS errno_status(int err);

static void kick(struct umnic_client *c)
{
	c->kick_owed = false;
	if (umn_ring_kick_due(&c->ch.tx))
		umn_chan_kick(c->sock);
}

/*
 * On the ring if it can go there (send_lock held): nothing waits in the
 * cork to go before it. True with umnicd kicked, or owed a kick when the
 * callbacks are done.
 */
static bool ring_put(struct umnic_client *c, const uint8_t *buf, size_t n, unsigned nfds)
{
	if (nfds || c->cork.n || umn_ring_put(&c->ch.tx, buf, n) < 0)
		return false;
	if (corking == c)
		c->kick_owed = true;
	else
		kick(c);
	return true;
}

/*
 * Sends what waits in the cork, and the kick umnicd is owed (send_lock
 * held); requests that could not go fail.
 */
static void cork_flush(struct umnic_client *c)
{
	unsigned n = c->cork.n, sent;
	int err = 0;

	if (c->kick_owed)
		kick(c);
	if (!n)
		return;
	sent = umn_msg_hold_send(c->sock, &c->cork, &err);
	umn_ring_sock_sent(&c->ch.tx, sent);
	if (sent == n)
		return;
	pthread_mutex_lock(&c->lock);
	for (unsigned i = sent; i < n; i++) {
		struct umnic_req *r = table_find(c, c->cork.tag[i]);

		if (r && r->state == UMNIC_REQ_PENDING) {
			table_remove(c, r);
			r->res.status = errno_status(err);
			r->res.information = 0;
			finish(c, r);
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
	slot = umn_msg_hold_reserve(&c->cork, n);
	if (!slot) {
		cork_flush(c);
		slot = umn_msg_hold_reserve(&c->cork, n);
		if (!slot)
			return false; /* bigger than the whole cork */
	}
	memcpy(slot, buf, n);
	umn_msg_hold_commit(&c->cork, n, id);
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
	table_insert(c, r);
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
			err = umn_ring_sock_send(&c->ch.tx, c->sock, buf, (size_t)n, fds, nfds);
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
	table_remove(c, r);
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
	struct pollfd p = {.fd = c->sock, .events = POLLIN};
	const char *env = getenv("UMNIC_NO_RINGS");
	unsigned char buf[sizeof(m)];
	int fds[UMN_MSG_MAX_FDS], r;
	unsigned nfds = 0;
	ssize_t n;

	if ((o->flags & UMNIC_CONNECT_NO_RINGS) || (env && *env && strcmp(env, "0")))
		return true;
	if (umn_msg_send(c->sock, &m, sizeof(m), NULL, 0) < 0)
		return false;
	do
		r = poll(&p, 1, CHAN_ANSWER_MS);
	while (r < 0 && errno == EINTR);
	n = r > 0 ? umn_msg_recv_flags(c->sock, buf, sizeof(buf), fds, &nfds, MSG_DONTWAIT) : -1;
	/* Anything but the answer leaves the connection unusable. */
	if (n != (ssize_t)sizeof(m) || ((struct umn_chan_msg *)buf)->type != UMN_CHAN_MSG_OFFER) {
		for (unsigned i = 0; i < nfds; i++)
			close(fds[i]);
		errno = n < 0 && r > 0 ? (int)-n : EPROTO;
		return false;
	}
	c->ring_buf = nfds == 1 ? malloc(UMN_CHAN_REC_MAX) : NULL;
	if (c->ring_buf && umn_chan_attach(&c->ch, fds[0]) == 0) {
		umn_chan_ready(&c->ch);
		spin_setup(&c->ch.rx, o->spin_us);
		umn_ring_sock_seen(&c->ch.rx, 1); /* the answer is the first message counted */
		/* The acknowledgement is not counted; everything after it is. */
		r = umn_msg_send(c->sock, &m, sizeof(m), NULL, 0);
		/* Nobody reads yet: a reply on the ring comes with a kick. */
		umn_ring_sleep(&c->ch.rx);
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
	c->sock = c->evfd = c->epfd = -1;
	pthread_mutex_init(&c->lock, NULL);
	pthread_mutex_init(&c->send_lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&c->cond, &ca);
	pthread_condattr_destroy(&ca);

	/* Without a cork, submissions simply go one at a time. */
	(void)umn_msg_hold_init(&c->cork, UMNIC_CORK_MAX, UMNIC_CORK_BYTES);
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
	c->sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (c->sock < 0 || connect(c->sock, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		goto fail;
	c->evfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	c->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (c->evfd < 0 || c->epfd < 0)
		goto fail;
	ev.data.fd = c->sock;
	if (epoll_ctl(c->epfd, EPOLL_CTL_ADD, c->sock, &ev) < 0)
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
	fail_all(c, STATUS_CANCELLED);
	list = c->ready_head;
	c->ready_head = c->ready_tail = NULL;
	pthread_mutex_unlock(&c->lock);
	run_callbacks(c, list);

	/* Callbacks may have started requests; the connection is dead, so none went out. */
	if (c->sock >= 0)
		close(c->sock);
	if (c->evfd >= 0)
		close(c->evfd);
	if (c->epfd >= 0)
		close(c->epfd);
	pthread_cond_destroy(&c->cond);
	pthread_mutex_destroy(&c->lock);
	pthread_mutex_destroy(&c->send_lock);
	if (c->rb)
		umn_msg_batch_fini(c->rb);
	umn_msg_hold_fini(&c->cork);
	umn_chan_fini(&c->ch);
	free(c->ring_buf);
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
		deadline_after(&ts, timeout_ms);
		deadline = &ts;
	}
	pthread_mutex_lock(&c->lock);
	c->dispatchers++;
	while (!c->ready_head && !c->dead) {
		/* With time-out 0, still take one look at the socket. */
		if (tried && deadline && ms_left(deadline) == 0)
			break;
		tried = true;
		wait_step(c, deadline, NULL);
	}
	c->dispatchers--;
	list = c->ready_head;
	c->ready_head = c->ready_tail = NULL;
	if (!c->dead && c->ev_set) {
		uint64_t v;
		(void)!read(c->evfd, &v, sizeof(v));
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
	r = table_find(c, req_id);
	found = r && r->state == UMNIC_REQ_PENDING && !r->abandoned;
	pthread_mutex_unlock(&c->lock);
	if (!found)
		return STATUS_NOT_FOUND;
	/* It may complete before umnicd sees this; umnicd ignores ids it does not know. */
	send_cancel(c, req_id);
	return STATUS_SUCCESS;
}
