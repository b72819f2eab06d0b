/* SPDX-License-Identifier: MIT */
/*
 * Per-peer send buffers of umnicd (outbox.h). Records sit back to back in
 * one buffer that grows by doubling up to the peer's limit, so queueing a
 * message costs a copy, not an allocation:
 *
 *   [struct rec: length, descriptors][message, padded to 8 bytes] ...
 */
#include "umnicd/hosts/outbox.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/proto.h"
#include "umnicd/base/config.h"
#include "umnicd/base/loop.h"

struct rec {
	uint32_t len;
	uint32_t nfds;
	int fds[UMN_MSG_MAX_FDS];
};

#define REC_ALIGN  8u
#define OUTBOX_MIN (64u * 1024u)
/* Messages per sendmmsg call. */
#define OUTBOX_BATCH 32

static struct outbox *flush_list;
/* Outboxes with a channel; ring_gen changes whenever one leaves. */
static struct outbox *ring_list;
static unsigned ring_gen;

static size_t rec_size(size_t len)
{
	return sizeof(struct rec) + ((len + REC_ALIGN - 1) & ~(size_t)(REC_ALIGN - 1));
}

size_t outbox_rec_size(size_t len)
{
	return rec_size(len);
}

size_t outbox_queued(const struct outbox *o)
{
	return o->tail - o->head;
}

static void taken(struct outbox *o, size_t n)
{
	if (n && o->acct)
		o->acct(o, 0, n);
}

/* An empty buffer that grew past the minimum is given back: idle peers hold no memory. */
static void shrink(struct outbox *o)
{
	if (o->head != o->tail)
		return;
	o->head = o->tail = 0;
	if (o->cap > OUTBOX_MIN) {
		free(o->buf);
		o->buf = NULL;
		o->cap = 0;
	}
}

void outbox_init(struct outbox *o, int fd, struct watch *w, size_t max, outbox_fail_fn *fail)
{
	memset(o, 0, sizeof(*o));
	o->fd = fd;
	o->w = w;
	o->max = max;
	o->fail = fail;
	umn_ep_init(&o->ep, fd, NULL, NULL, NULL);
}

void outbox_reader(struct outbox *o, const struct umn_ep_ops *ops, void *ctx, unsigned char *rbuf)
{
	o->ep.ops = ops;
	o->ep.ctx = ctx;
	o->ep.rbuf = rbuf;
}

bool outbox_empty(const struct outbox *o)
{
	return o->head == o->tail;
}

static void drop_all(struct outbox *o)
{
	size_t n = o->tail - o->head;

	while (o->head < o->tail) {
		struct rec *r = (struct rec *)(o->buf + o->head);

		for (unsigned i = 0; i < r->nfds; i++)
			close(r->fds[i]);
		o->head += rec_size(r->len);
	}
	o->head = o->tail = 0;
	taken(o, n);
}

static void unqueue(struct outbox *o)
{
	for (struct outbox **pp = &flush_list; *pp; pp = &(*pp)->next)
		if (*pp == o) {
			*pp = o->next;
			break;
		}
	o->queued = false;
	o->next = NULL;
}

void outbox_fini(struct outbox *o)
{
	if (o->rprev) {
		*o->rprev = o->rnext;
		if (o->rnext)
			o->rnext->rprev = o->rprev;
		o->rprev = NULL;
		ring_gen++;
	}
	umn_ep_fini(&o->ep);
	if (o->queued)
		unqueue(o);
	drop_all(o);
	free(o->buf);
	o->buf = NULL;
	o->cap = 0;
}

static void enqueue(struct outbox *o)
{
	if (!o->queued) {
		o->queued = true;
		o->next = flush_list;
		flush_list = o;
	}
}

static void give_up(struct outbox *o, const char *why)
{
	if (!o->broken) {
		o->broken = true;
		umn_strlcpy(o->why, why, sizeof(o->why));
	}
	drop_all(o);
	enqueue(o);
}

/* Room for need more bytes at the tail: compacts, then grows up to max. */
static bool reserve(struct outbox *o, size_t need)
{
	size_t used = o->tail - o->head, cap;
	unsigned char *nb;

	if (o->cap - o->tail >= need)
		return true;
	if (o->head && o->cap - used >= need) {
		memmove(o->buf, o->buf + o->head, used);
		o->head = 0;
		o->tail = used;
		return true;
	}
	if (used + need > o->max + rec_size(UMN_MSG_MAX))
		return false;
	for (cap = o->cap ? o->cap : OUTBOX_MIN; cap < used + need; cap *= 2)
		;
	nb = malloc(cap);
	if (!nb)
		return false;
	if (used)
		memcpy(nb, o->buf + o->head, used);
	free(o->buf);
	o->buf = nb;
	o->cap = cap;
	o->head = 0;
	o->tail = used;
	return true;
}

static int queue_rec(struct outbox *o, const void *msg, size_t len, const int *fds, unsigned nfds)
{
	struct rec *r;

	if (o->tail - o->head > o->max || !reserve(o, rec_size(len))) {
		char why[80];

		snprintf(why, sizeof(why), "it stopped reading its socket (%zu MiB waiting)",
			 o->max >> 20);
		give_up(o, why);
		return -EPIPE;
	}
	r = (struct rec *)(o->buf + o->tail);
	r->len = (uint32_t)len;
	for (r->nfds = 0; r->nfds < nfds; r->nfds++)
		r->fds[r->nfds] = fcntl(fds[r->nfds], F_DUPFD_CLOEXEC, 3);
	memcpy(r + 1, msg, len);
	o->tail += rec_size(len);
	if (o->acct)
		o->acct(o, rec_size(len), 0);
	enqueue(o);
	return 0;
}

int outbox_put(struct outbox *o, const void *msg, size_t len, const int *fds, unsigned nfds)
{
	int e;

	if (o->broken)
		return -EPIPE;
	if (nfds > UMN_MSG_MAX_FDS || len > UMN_MSG_MAX)
		return -EINVAL;
	/* The ring only while nothing waits here: the peer reads the ring first. */
	if (!nfds && o->head == o->tail && umn_ep_put(&o->ep, msg, len, true)) {
		enqueue(o);
		return 0;
	}
	/* Counted now: whatever follows it waits here behind it. */
	e = queue_rec(o, msg, len, fds, nfds);
	if (!e)
		umn_ep_sock_counted(&o->ep, 1);
	return e;
}

void outbox_flush(struct outbox *o)
{
	struct mmsghdr mm[OUTBOX_BATCH];
	struct iovec iov[OUTBOX_BATCH];
	union umn_msg_ctl ctl[OUTBOX_BATCH];

	/* The kick leaves with the batch: one sendmmsg for both. */
	if (o->ep.kick_owed && !o->broken && umn_ep_kick_due(&o->ep)) {
		struct umn_chan_msg k = {.type = UMN_CHAN_MSG_KICK, .len = sizeof(k)};

		(void)queue_rec(o, &k, sizeof(k), NULL, 0);
	}
	while (!o->broken && o->head < o->tail) {
		size_t off = o->head;
		unsigned n = 0;
		int k;

		for (; n < OUTBOX_BATCH && off < o->tail; n++) {
			struct rec *r = (struct rec *)(o->buf + off);

			iov[n] = (struct iovec){.iov_base = r + 1, .iov_len = r->len};
			mm[n] = (struct mmsghdr){.msg_hdr = {.msg_iov = &iov[n], .msg_iovlen = 1}};
			umn_msg_set_fds(&mm[n].msg_hdr, &ctl[n], r->fds, r->nfds);
			off += rec_size(r->len);
		}
		k = sendmmsg(o->fd, mm, n, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (!o->want_out) {
				o->want_out = true;
				watch_want_out(o->w, true);
			}
			return;
		}
		if (k <= 0) {
			char why[80];

			snprintf(why, sizeof(why), "cannot send to it: %s",
				 strerror(k < 0 ? errno : EIO));
			give_up(o, why);
			return;
		}
		off = o->head;
		for (int i = 0; i < k; i++) {
			struct rec *r = (struct rec *)(o->buf + o->head);

			for (unsigned f = 0; f < r->nfds; f++)
				close(r->fds[f]);
			o->head += rec_size(r->len);
		}
		taken(o, o->head - off);
	}
	shrink(o);
	if (o->want_out && o->head == o->tail) {
		o->want_out = false;
		watch_want_out(o->w, false);
	}
}

void outbox_flush_all(void)
{
	while (flush_list) {
		struct outbox *o = flush_list;

		flush_list = o->next;
		o->next = NULL;
		o->queued = false;
		outbox_flush(o);
		/* May free o. */
		if (o->broken && o->fail)
			o->fail(o, o->why);
	}
}

static bool rings_poll_off;

void outbox_rings_set_poll_off(bool off)
{
	rings_poll_off = off;
	for (struct outbox *o = ring_list; o; o = o->rnext)
		umn_chan_set_poll_off(&o->ep.ch, off);
}

int outbox_chan_offer(struct outbox *o, outbox_drain_fn *drain)
{
	struct umn_chan_msg offer = {.type = UMN_CHAN_MSG_OFFER, .len = sizeof(offer)};
	int fd, e;

	if (o->ep.ch.base)
		return -EEXIST;
	e = umn_chan_create(&o->ep.ch, &fd, (uint32_t)(cfg->busy_poll_ns / 1000));
	if (e)
		return e;
	umn_chan_set_poll_off(&o->ep.ch, rings_poll_off);
	/* The first message counted on the channel (chan.h). */
	e = outbox_put(o, &offer, sizeof(offer), &fd, 1);
	close(fd);
	if (e) {
		umn_chan_fini(&o->ep.ch);
		return e;
	}
	o->drain = drain;
	o->rnext = ring_list;
	o->rprev = &ring_list;
	if (ring_list)
		ring_list->rprev = &o->rnext;
	ring_list = o;
	return 0;
}

/* Messages taken from one peer's ring before the next peer's turn. */
#define RING_TURN 32

unsigned outbox_rings_poll(void)
{
	unsigned total = 0;

again:
	for (struct outbox *o = ring_list; o; o = o->rnext) {
		unsigned gen = ring_gen;

		if (o->rx_paused || !umn_ep_ring_pending(&o->ep))
			continue;
		total += o->drain(o, RING_TURN);
		/* o, or others, may be gone. */
		if (gen != ring_gen)
			goto again;
	}
	return total;
}

bool outbox_rings_sleep(void)
{
	bool empty = true;

	for (struct outbox *o = ring_list; o; o = o->rnext)
		if (!umn_ep_sleep(&o->ep) && !o->rx_paused)
			empty = false;
	return empty;
}

void outbox_rings_awake(void)
{
	for (struct outbox *o = ring_list; o; o = o->rnext)
		umn_ep_awake(&o->ep);
}
