/* SPDX-License-Identifier: MIT */
/*
 * The channel endpoint (endpoint.h): the ring-plus-socket rules every peer
 * follows, on top of the rings themselves (chan.c) and the socket helpers
 * (proto.c).
 */
#include "common/endpoint.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

void umn_ep_init(struct umn_endpoint *ep, int sock, const struct umn_ep_ops *ops, void *ctx,
		 unsigned char *rbuf)
{
	memset(ep, 0, sizeof(*ep));
	ep->sock = sock;
	ep->ops = ops;
	ep->ctx = ctx;
	ep->rbuf = rbuf;
}

void umn_ep_fini(struct umn_endpoint *ep)
{
	umn_chan_fini(&ep->ch);
	umn_msg_hold_fini(&ep->hold);
}

/* ---- setting up ---- */

int umn_ep_accept_offer(struct umn_endpoint *ep, int memfd)
{
	struct umn_chan_msg ack = {.type = UMN_CHAN_MSG_OFFER, .len = sizeof(ack)};
	int e = umn_chan_attach(&ep->ch, memfd);

	if (e < 0)
		return e;
	/* Release of ready: pairs with umnicd's acquire in umn_ring_put. */
	umn_chan_ready(&ep->ch);
	/* umnicd counted the offer it sent; the acknowledgement is not counted. */
	umn_ring_sock_seen(&ep->ch.rx, 1);
	return umn_msg_send(ep->sock, &ack, sizeof(ack), NULL, 0);
}

bool umn_ep_offer_acked(struct umn_endpoint *ep)
{
	if (!umn_chan_active(&ep->ch) || ep->ch.rx.ready)
		return false;
	/* Release of ready: pairs with the peer's acquire in umn_ring_put. */
	umn_chan_ready(&ep->ch);
	return true;
}

/* ---- sending ---- */

void umn_ep_sock_counted(struct umn_endpoint *ep, unsigned n)
{
	umn_ring_sock_sent(&ep->ch.tx, n);
}

bool umn_ep_kick_due(struct umn_endpoint *ep)
{
	ep->kick_owed = false;
	return umn_ring_kick_due(&ep->ch.tx);
}

void umn_ep_kick(struct umn_endpoint *ep)
{
	if (umn_ep_kick_due(ep))
		umn_chan_kick(ep->sock);
}

bool umn_ep_put(struct umn_endpoint *ep, const void *msg, size_t len, bool defer_kick)
{
	/* Held messages go on the socket first: this one must not overtake them. */
	if (ep->hold.n || umn_ring_put(&ep->ch.tx, msg, len) < 0)
		return false;
	if (defer_kick)
		ep->kick_owed = true;
	else
		umn_ep_kick(ep);
	return true;
}

int umn_ep_sock_send(struct umn_endpoint *ep, const void *msg, size_t len, const int *fds,
		     unsigned nfds)
{
	return umn_ring_sock_send(&ep->ch.tx, ep->sock, msg, len, fds, nfds);
}

unsigned umn_ep_send_held(struct umn_endpoint *ep, int *err)
{
	unsigned sent;

	if (!ep->hold.n)
		return 0;
	sent = umn_msg_hold_send(ep->sock, &ep->hold, err);
	umn_ring_sock_sent(&ep->ch.tx, sent);
	return sent;
}

unsigned umn_ep_flush(struct umn_endpoint *ep, int *err)
{
	unsigned sent = umn_ep_send_held(ep, err);

	if (ep->kick_owed)
		umn_ep_kick(ep);
	return sent;
}

int umn_ep_send(struct umn_endpoint *ep, const void *msg, size_t len, const int *fds, unsigned nfds,
		bool defer_kick)
{
	if (!nfds && umn_ep_put(ep, msg, len, defer_kick))
		return 0;
	/* Whatever did not go of the held ones, its sender was told when it was held. */
	umn_ep_send_held(ep, NULL);
	return umn_ep_sock_send(ep, msg, len, fds, nfds);
}

/* ---- receiving ---- */

void umn_ep_awake(struct umn_endpoint *ep)
{
	umn_ring_awake(&ep->ch.rx);
}

bool umn_ep_sleep(struct umn_endpoint *ep)
{
	return umn_ring_sleep(&ep->ch.rx);
}

bool umn_ep_ring_pending(const struct umn_endpoint *ep)
{
	return !ep->ch.rx.broken && !umn_ring_empty(&ep->ch.rx);
}

bool umn_ep_sock_due(const struct umn_endpoint *ep)
{
	return umn_ring_sock_due(&ep->ch.rx);
}

int umn_ep_drain(struct umn_endpoint *ep, unsigned max, unsigned *taken)
{
	unsigned n;

	for (n = 0; n < max; n++) {
		ssize_t len = umn_ring_get(&ep->ch.rx, ep->rbuf, UMN_CHAN_REC_MAX);

		if (len == 0)
			break;
		if (len < 0) {
			if (!ep->ops->ring_broken(ep->ctx)) {
				if (taken)
					*taken = n;
				return -ECANCELED;
			}
			break;
		}
		if (!ep->ops->message(ep->ctx, ep->rbuf, len, NULL, 0)) {
			if (taken)
				*taken = n + 1;
			return -ECANCELED;
		}
	}
	if (taken)
		*taken = n;
	return 0;
}

static void close_rest(struct umn_msg_batch *b, unsigned from)
{
	for (unsigned i = from; i < b->count; i++)
		for (unsigned f = 0; f < b->msg[i].nfds; f++)
			close(b->msg[i].fds[f]);
}

int umn_ep_take(struct umn_endpoint *ep, struct umn_msg_batch *b)
{
	const struct umn_ep_ops *ops = ep->ops;
	unsigned counted = 0, i = 0;

	/* What the peer put on the ring went before these. */
	if (umn_ep_drain(ep, UINT_MAX, NULL) < 0)
		goto stopped;
	for (; i < b->count; i++) {
		struct umn_msg_in *m = &b->msg[i];
		uint32_t t;

		if (m->len == 0 || m->len == -ECONNRESET) {
			umn_ring_sock_seen(&ep->ch.rx, counted);
			close_rest(b, i);
			return -ECONNRESET;
		}
		t = umn_chan_transport(m->buf, m->len);
		if (t == UMN_CHAN_MSG_KICK) {
			for (unsigned f = 0; f < m->nfds; f++)
				close(m->fds[f]);
			continue;
		}
		if (t == UMN_CHAN_MSG_OFFER && ops->offer) {
			bool go;

			/* Counting starts after it (chan.h): settle what came before. */
			umn_ring_sock_seen(&ep->ch.rx, counted);
			counted = 0;
			go = ops->offer(ep->ctx, m->fds, m->nfds);
			for (unsigned f = 0; f < m->nfds; f++)
				close(m->fds[f]);
			if (!go) {
				i++;
				goto stopped;
			}
			continue;
		}
		counted++;
		if (!ops->message(ep->ctx, m->buf, m->len, m->fds, m->nfds)) {
			i++;
			goto stopped;
		}
	}
	umn_ring_sock_seen(&ep->ch.rx, counted);
	return 0;
stopped:
	close_rest(b, i);
	return -ECANCELED;
}

bool umn_ep_wait_begin(struct umn_endpoint *ep, int timeout_ms)
{
	struct umn_ring *rx = &ep->ch.rx;

	ep->waiting = timeout_ms != 0;
	if (ep->waiting && umn_ring_spin(rx)) {
		ep->waiting = false;
		if (!umn_ring_empty(rx))
			return false;
		/* The peer counted a socket message: receive it (it may not have left yet). */
	}
	if (umn_ep_sleep(ep))
		return true;
	/* Arrived meanwhile. */
	umn_ep_awake(ep);
	if (ep->waiting)
		umn_ring_woke(rx);
	ep->waiting = false;
	return false;
}

int umn_ep_recv(struct umn_endpoint *ep, struct umn_msg_batch *b, int flags)
{
	int k = umn_msg_recv_batch(ep->sock, b, flags);

	umn_ep_awake(ep);
	if (k == -EAGAIN || k == -EINTR) {
		ep->waiting = false;
		return -EAGAIN;
	}
	/* How long the wait was teaches the next poll (common/poll.h). */
	if (ep->waiting) {
		ep->waiting = false;
		umn_ring_woke(&ep->ch.rx);
	}
	if (k < 0)
		return k;
	return umn_ep_take(ep, b);
}

int umn_ep_idle(struct umn_endpoint *ep)
{
	while (!umn_ep_sleep(ep))
		if (umn_ep_drain(ep, UINT_MAX, NULL) < 0)
			return -ECANCELED;
	return 0;
}
