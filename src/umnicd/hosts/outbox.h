/* SPDX-License-Identifier: MIT */
/*
 * What umnicd sends to one peer (a driver host or an I/O client): messages
 * wait in a per-peer buffer and leave together, with one sendmmsg per peer,
 * when the loop has handled the events of its wake-up. A peer then wakes
 * once for a batch, not once per message; and umnicd never waits for a peer:
 * what the socket does not take waits for EPOLLOUT, up to a limit past which
 * the peer is given up on (it stopped reading).
 */
#ifndef UMNIC_UMNICD_OUTBOX_H
#define UMNIC_UMNICD_OUTBOX_H

#include <stdbool.h>
#include <stddef.h>

#include "common/endpoint.h"

struct watch;
struct outbox;

/* Called from outbox_flush_all, never from inside outbox_put; o may be freed by it. */
typedef void outbox_fail_fn(struct outbox *o, const char *why);
/*
 * Handles up to max messages from the peer's ring (umn_ring_get into a
 * private buffer, then the peer's handler) and returns how many it took.
 * May free o (the peer went), but then it must call outbox_fini first.
 */
typedef unsigned outbox_drain_fn(struct outbox *o, unsigned max);
/*
 * Told of every change of the bytes waiting in o's buffer (added, or taken
 * by sending or dropping), for the owner's accounting; outbox_queued says
 * the total. Not called for what goes on the ring.
 */
typedef void outbox_acct_fn(struct outbox *o, size_t added, size_t taken);

struct outbox {
	int fd;
	struct watch *w; /* for EPOLLOUT */
	size_t max;	 /* bytes that may wait */
	outbox_fail_fn *fail;
	outbox_acct_fn *acct; /* optional */
	/* The peer's ring is not drained meanwhile (the owner stopped reading it). */
	bool rx_paused;
	/* private */
	unsigned char *buf;
	size_t cap, head, tail;
	bool queued; /* on the flush list */
	bool broken; /* over max, or the socket refused: fail() is due */
	bool want_out;
	char why[80];
	struct outbox *next;
	/*
	 * The peer's end of the conversation (common/endpoint.h): its socket and
	 * the channel, if it has one. What fits goes on the ring while nothing
	 * waits here; the kick a sleeping peer is owed leaves with the flush.
	 * The loop drains every peer's ring; the owner reads the socket
	 * through it (umn_ep_recv), with the hooks of outbox_reader.
	 */
	struct umn_endpoint ep;
	outbox_drain_fn *drain;
	struct outbox *rnext, **rprev;
};

/* The peer an outbox is part of, for the callbacks: OUTBOX_OWNER(o, struct hostproc, out). */
#define OUTBOX_OWNER(o, type, member) ((type *)((char *)(o)-offsetof(type, member)))

void outbox_init(struct outbox *o, int fd, struct watch *w, size_t max, outbox_fail_fn *fail);
/* Who handles what the peer sends (common/endpoint.h); rbuf receives ring messages. */
void outbox_reader(struct outbox *o, const struct umn_ep_ops *ops, void *ctx, unsigned char *rbuf);
/* Drops what waits (closing its descriptors) and leaves the flush list. */
void outbox_fini(struct outbox *o);
/*
 * Queues one message; its fds are duplicated (the caller keeps its own).
 * 0, or -EPIPE once the peer is being given up on.
 */
int outbox_put(struct outbox *o, const void *msg, size_t len, const int *fds, unsigned nfds);
/* Sends what the socket takes now; on EPOLLOUT, and from outbox_flush_all. */
void outbox_flush(struct outbox *o);
/* At the end of each loop wake-up: flushes every outbox with messages, then reports failures. */
void outbox_flush_all(void);
bool outbox_empty(const struct outbox *o);
/* Bytes waiting in the buffer, each message counted as outbox_rec_size. */
size_t outbox_queued(const struct outbox *o);
/* What a message of len bytes takes in an outbox's buffer. */
size_t outbox_rec_size(size_t len);

/*
 * Gives the peer a channel: creates it, queues the OFFER that carries its
 * memfd, and enrols o in the loop's ring polling. 0, or -errno with
 * nothing queued.
 */
int outbox_chan_offer(struct outbox *o, outbox_drain_fn *drain);
/* Drains every peer's ring but the paused ones; the messages handled. */
unsigned outbox_rings_poll(void);
/*
 * Before the loop sleeps: sets every sleeping flag; false if a ring that is
 * not paused has messages after all.
 */
bool outbox_rings_sleep(void);
/* After it woke: peers need not kick while the loop runs. */
void outbox_rings_awake(void);
/* Tells every peer with a channel, and those to come, whether to poll (umn_chan_set_poll_off). */
void outbox_rings_set_poll_off(bool off);

#endif
