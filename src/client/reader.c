/* SPDX-License-Identifier: MIT */
/*
 * libumnic's reader: the one thread at a time that takes umnicd's replies
 * off the connection's endpoint (common/endpoint.h), completes the requests
 * they answer (copying output into the caller's buffer, never more than it
 * holds), and the waiting that hands the reading from caller to caller.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "client/client-int.h"
#include "common/clock.h"
#include "common/proto.h"

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
	r = umnic_table_find(c, m.req_id);
	if (!r || r->state != UMNIC_REQ_PENDING) {
		pthread_mutex_unlock(&c->lock);
		return true;
	}
	if (!type_matches(r->type, m.type) ||
	    (m.type == UMN_IOMSG_COMPLETE && m.complete.in_memfd && r->out_fd < 0))
		goto broken;
	umnic_table_remove(c, r);
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
	umnic_finish(c, r);
	pthread_mutex_unlock(&c->lock);
	return true;

broken:
	umnic_fail_all(c, STATUS_DEVICE_REMOVED);
	pthread_mutex_unlock(&c->lock);
	return false;
}

/* ---- what the reader hands over (c->ep's hooks) ---- */

static bool reader_message(void *ctx, unsigned char *buf, ssize_t len, int *fds, unsigned nfds)
{
	struct umnic_client *c = ctx;
	bool got = false;

	if (len <= 0) {
		/* A reset, or a packet too big or inconsistent. */
		for (unsigned f = 0; f < nfds; f++)
			close(fds[f]);
		pthread_mutex_lock(&c->lock);
		umnic_fail_all(c, STATUS_DEVICE_REMOVED);
		pthread_mutex_unlock(&c->lock);
		return false;
	}
	if (!process_packet(c, buf, (size_t)len, fds, nfds, c->want, &got))
		return false;
	c->got = c->got || got;
	return true;
}

static bool reader_ring_broken(void *ctx)
{
	struct umnic_client *c = ctx;

	pthread_mutex_lock(&c->lock);
	umnic_fail_all(c, STATUS_DEVICE_REMOVED);
	pthread_mutex_unlock(&c->lock);
	return false;
}

/* umnicd offers nothing after the answer umnic_connect took: an OFFER is a malformed reply. */
const struct umn_ep_ops umnic_reader_ops = {
    .message = reader_message,
    .ring_broken = reader_ring_broken,
};

/* Messages from umnicd's ring the reader takes before it looks at the socket. */
#define RING_TURN 32
/* Socket receives one reader makes at most: a flood cannot keep one caller reading forever. */
#define RECV_TURNS 8

/*
 * The reader: called with c->lock held and c->reading claimed; drops the
 * lock while it takes what the ring holds, or else waits up to timeout_ms
 * (-1: no limit) for the socket and drains it, or until want (if not NULL)
 * is complete. Between readers the ring's sleeping flag is set, so umnicd
 * kicks the socket for what it puts there: whoever polls umnic_fd() wakes.
 */
static void read_some(struct umnic_client *c, int timeout_ms, const struct umnic_req *want)
{
	struct umn_endpoint *ep = &c->ep;
	int r = 0, flags = MSG_WAITFORONE;
	unsigned taken;

	pthread_mutex_unlock(&c->lock);
	c->want = want;
	c->got = false;
	umn_ep_awake(ep);
	if (umn_ep_drain(ep, RING_TURN, &taken) < 0)
		goto out;
	if (c->got || (taken && !umn_ep_sock_due(ep)))
		goto idle;
	/* A waiting caller polls the ring first: an answer due in microseconds costs no sleep. */
	if (!taken && !umn_ep_wait_begin(ep, timeout_ms)) {
		if (umn_ep_drain(ep, RING_TURN, &taken) < 0)
			goto out;
		if (c->got || (taken && !umn_ep_sock_due(ep)))
			goto idle;
		if (!taken)
			goto idle;
	}
	if (taken) {
		/* The ring had messages and the socket has some too: take them without waiting. */
		flags = MSG_DONTWAIT;
	} else if (timeout_ms >= 0) {
		/* With no time limit, the first receive waits itself: one system call, not two. */
		struct pollfd p = {.fd = ep->sock, .events = POLLIN};

		do
			r = poll(&p, 1, timeout_ms);
		while (r < 0 && errno == EINTR);
		if (r <= 0)
			goto idle;
		flags = MSG_DONTWAIT;
	}
	/* One system call takes what is there (waiting for the first packet when flags say so). */
	for (unsigned i = 0; i < RECV_TURNS; i++) {
		r = umn_ep_recv(ep, c->rb, flags);
		flags = MSG_DONTWAIT;
		if (r == -EAGAIN)
			break;
		if (r == -ECANCELED)
			goto out;
		if (r < 0) {
			/* End of file, a reset, or a failed socket. */
			pthread_mutex_lock(&c->lock);
			umnic_fail_all(c, STATUS_DEVICE_REMOVED);
			pthread_mutex_unlock(&c->lock);
			goto out;
		}
		/* A caller with its answer returns; what else comes is the next reader's. */
		if (c->got || c->rb->count < c->rb->max)
			break;
	}
idle:
	/* Nobody reads until the next reader: what arrives from now on comes with a kick. */
	umn_ep_idle(ep);
out:
	pthread_mutex_lock(&c->lock);
}

/* ---- waiting ---- */

void umnic_deadline_after(struct timespec *ts, int ms)
{
	umn_deadline_after(ts, (uint64_t)ms / 1000, (uint32_t)(ms % 1000) * 1000000);
}

/* Milliseconds left until ts, 0 if past; -1 for no deadline. */
int umnic_ms_left(const struct timespec *ts)
{
	struct timespec left;
	int64_t ms;

	if (!ts)
		return -1;
	if (!umn_deadline_left(ts, &left))
		return 0;
	ms = (int64_t)left.tv_sec * 1000 + left.tv_nsec / 1000000;
	if (ms <= 0)
		return 0;
	/* Round up so we never spin just before the deadline. */
	return ms > INT32_MAX - 1 ? INT32_MAX : (int)ms + 1;
}

void umnic_wait_step(struct umnic_client *c, const struct timespec *deadline,
		     const struct umnic_req *want)
{
	if (!c->reading && !c->dead) {
		c->reading = true;
		read_some(c, umnic_ms_left(deadline), want);
		c->reading = false;
		pthread_cond_broadcast(&c->cond);
	} else if (deadline) {
		pthread_cond_timedwait(&c->cond, &c->lock, deadline);
	} else {
		pthread_cond_wait(&c->cond, &c->lock);
	}
}

NTSTATUS umnic_wait(struct umnic_client *c, struct umnic_req *r, int timeout_ms, umnic_result *ret,
		    umnic_handle *ret_handle)
{
	struct timespec ts, *deadline = NULL;
	umnic_result res;

	if (timeout_ms >= 0) {
		umnic_deadline_after(&ts, timeout_ms);
		deadline = &ts;
	}
	pthread_mutex_lock(&c->lock);
	while (r->state != UMNIC_REQ_DONE) {
		if (deadline && r->state == UMNIC_REQ_PENDING && umnic_ms_left(deadline) == 0) {
			uint64_t id = r->id;

			/*
			 * The reader frees it when its completion arrives and, out
			 * cleared, leaves the caller's buffer alone.
			 */
			r->abandoned = true;
			r->out = NULL;
			pthread_mutex_unlock(&c->lock);
			umnic_send_cancel(c, id);
			if (ret)
				*ret = (umnic_result){STATUS_IO_TIMEOUT, 0};
			return STATUS_IO_TIMEOUT;
		}
		/* Past the deadline but being completed: the end is near, wait for it. */
		umnic_wait_step(c, r->state == UMNIC_REQ_PENDING ? deadline : NULL, r);
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
