/* SPDX-License-Identifier: MIT */
/*
 * One end of a channel as a program uses it: its SOCK_SEQPACKET socket, the
 * message rings beside it (common/chan.h), and the rules that keep the two
 * in one order. libumnic, a driver host, and umnicd toward hosts and toward
 * applications all talk through one of these, so the rules are written
 * here only:
 *
 * Sending. A message goes on the ring when it can: it has no descriptors,
 * it fits, and nothing waits to go on the socket before it (held here,
 * queued by the owner, or sent and not yet handled by the peer). Otherwise
 * it goes on the socket, where every message but a kick is counted. A peer
 * asleep on its socket is owed a kick for what went on the ring: sent at
 * once, or owed until the sender's batch is done (umn_ep_flush).
 *
 * Receiving. What the ring holds was sent before whatever the socket holds
 * now, so a reader drains the ring before it handles a socket batch. Kicks
 * are skipped, an OFFER goes to the owner's hook, every other socket
 * message is counted as handled. A reader about to wait polls the ring for
 * a while, then sets its sleeping flag and looks once more
 * (umn_ep_wait_begin); every receive clears the flag again.
 *
 * Setting up. umnicd offers a channel on the socket, counted; the peer
 * maps it, reads its ring, and acknowledges the offer, uncounted
 * (umn_ep_accept_offer); umnicd reads its own ring once the
 * acknowledgement comes (umn_ep_offer_acked). Neither side puts anything
 * on a ring before its reader said it reads it.
 *
 * Locking is the owner's: the sending side under one lock, the receiving
 * side by one reader at a time. No call on the way of a message allocates
 * or makes a system call beyond the send, receive or kick it is there for.
 */
#ifndef UMNIC_COMMON_ENDPOINT_H
#define UMNIC_COMMON_ENDPOINT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/chan.h"
#include "common/proto.h"

/* What the owner does with what arrives. */
struct umn_ep_ops {
	/*
	 * One message in a private copy (the endpoint's rbuf, or the socket
	 * batch's buffer) and the descriptors that came with it, which the
	 * handler takes. len < 0: a packet damaged on the way (-EMFILE: its
	 * descriptors were dropped; -EMSGSIZE: cut short), counted all the same.
	 * False stops the reading: the endpoint may be gone then, and is not
	 * touched again.
	 */
	bool (*message)(void *ctx, unsigned char *buf, ssize_t len, int *fds, unsigned nfds);
	/*
	 * An OFFER on the socket (chan.h), counted by nobody: what came before it
	 * is settled first. Its descriptors are closed after. NULL: an OFFER is
	 * a message like any other. False stops the reading, as above.
	 */
	bool (*offer)(void *ctx, const int *fds, unsigned nfds);
	/*
	 * The peer broke its ring (an index or a length out of range): false
	 * stops the reading, as above; true goes on with the socket's messages.
	 */
	bool (*ring_broken)(void *ctx);
};

struct umn_endpoint {
	int sock;
	struct umn_chan ch;
	/* Sending: messages held to leave together on the socket (max 0: none are). */
	struct umn_msg_hold hold;
	bool kick_owed;
	/* Receiving: a wait began, so the next message teaches the poll (umn_ring_woke). */
	bool waiting;
	/* Receiving: where a ring message is copied, UMN_CHAN_REC_MAX bytes, 8-byte aligned. */
	unsigned char *rbuf;
	const struct umn_ep_ops *ops;
	void *ctx;
};

/* An endpoint on sock with no channel yet; ops and ctx receive what arrives. */
void umn_ep_init(struct umn_endpoint *ep, int sock, const struct umn_ep_ops *ops, void *ctx,
		 unsigned char *rbuf);
/* Unmaps the channel and frees the hold; the socket stays the owner's. */
void umn_ep_fini(struct umn_endpoint *ep);

/* ---- setting up: the OFFER handshake (chan.h) ---- */

/*
 * The peer's half: maps the channel umnicd offered in memfd (which stays
 * the caller's), reads its ring from now on, counts the offer as the first
 * socket message handled, and then acknowledges it on the socket,
 * uncounted; everything sent after the acknowledgement is counted. The
 * ready flag it publishes is what umnicd's umn_ring_put acquires before it
 * uses the ring; umnicd's own half is umn_ep_offer_acked. 0; -errno when
 * the channel cannot be mapped (it stays inactive: the socket carries
 * everything) or, mapped, when the acknowledgement could not be sent (the
 * socket failed).
 */
int umn_ep_accept_offer(struct umn_endpoint *ep, int memfd);
/*
 * umnicd's half: the peer acknowledged the channel it was offered, so this
 * side reads its ring and counts the peer's socket messages from now on
 * (publishing ready, which the peer's umn_ring_put acquires). False, with
 * nothing changed, when no channel was offered or it was acknowledged
 * already: the peer broke the protocol.
 */
bool umn_ep_offer_acked(struct umn_endpoint *ep);

/* ---- sending (the owner's send lock held) ---- */

/*
 * On the ring if it can go there (nothing held, and see umn_ring_put): true,
 * with the kick the peer is owed sent now, or owed until umn_ep_flush when
 * defer_kick. False: it must go on the socket (umn_ep_sock_send).
 */
bool umn_ep_put(struct umn_endpoint *ep, const void *msg, size_t len, bool defer_kick);
/*
 * On the socket, counted; the caller sent what is held first
 * (umn_ep_send_held). 0 or -errno.
 */
int umn_ep_sock_send(struct umn_endpoint *ep, const void *msg, size_t len, const int *fds,
		     unsigned nfds);
/* The ring if it can, else the socket after what is held: 0 or -errno. */
int umn_ep_send(struct umn_endpoint *ep, const void *msg, size_t len, const int *fds, unsigned nfds,
		bool defer_kick);
/*
 * Sends what is held, counted, and returns how many went; on a shortfall
 * *err (if not NULL) is the -errno and hold.tag[ret..n) name what did not go.
 */
unsigned umn_ep_send_held(struct umn_endpoint *ep, int *err);
/* umn_ep_send_held, then the kick the peer is owed. */
unsigned umn_ep_flush(struct umn_endpoint *ep, int *err);
/* Counts n messages the owner sent, or queued to send, on the socket itself. */
void umn_ep_sock_counted(struct umn_endpoint *ep, unsigned n);
/*
 * For an owner that queues its own kick: whether one is due now (a kick
 * was owed and the peer sleeps); clears what was owed.
 */
bool umn_ep_kick_due(struct umn_endpoint *ep);
/* Sends the kick if the peer sleeps (never waits). */
void umn_ep_kick(struct umn_endpoint *ep);

/* ---- receiving (the one reader) ---- */

/*
 * A reader takes over: clears the ring's sleeping flag, so the peer stops
 * kicking for what it puts there. Its partner is umn_ep_sleep, which sets
 * the flag when the reader steps down; a peer that still saw it set sends
 * one kick too many, which is harmless.
 */
void umn_ep_awake(struct umn_endpoint *ep);
/*
 * The reader steps down: sets the ring's sleeping flag and looks at the ring
 * once more. The fence after the flag pairs with the one in the peer's
 * umn_ring_kick_due (chan.c): either the peer sees the flag and kicks, or
 * this look sees its message. True when the ring is still empty (or broken)
 * and the caller may wait on the socket; false: drain it first.
 */
bool umn_ep_sleep(struct umn_endpoint *ep);
/*
 * Whether the ring holds a message to drain (and is not broken); the load
 * of the peer's tail is an acquire that pairs with the release in its
 * umn_ring_put.
 */
bool umn_ep_ring_pending(const struct umn_endpoint *ep);
/*
 * Whether the peer says it sent socket messages this side has not handled
 * yet; the acquire pairs with the peer's release in umn_ring_sock_sent. A
 * reader that took ring messages only looks at the socket when this is true.
 */
bool umn_ep_sock_due(const struct umn_endpoint *ep);

/*
 * Up to max messages from the ring to ops->message; *taken (if not NULL)
 * says how many. 0, or -ECANCELED when a hook stopped the reading.
 */
int umn_ep_drain(struct umn_endpoint *ep, unsigned max, unsigned *taken);
/*
 * Handles a batch just received on the socket: the ring first (it went
 * before), then each packet in order. 0; -ECONNRESET at the end of the
 * stream (the packets after it are dropped); -ECANCELED when a hook
 * stopped the reading. Descriptors of packets no hook took are closed.
 */
int umn_ep_take(struct umn_endpoint *ep, struct umn_msg_batch *b);
/*
 * The reader found the ring empty and is about to wait on the socket
 * (timeout_ms 0: it will only look). Polls the ring first (umn_ring_spin),
 * then sets the sleeping flag and looks once more. True: wait on the socket
 * now (a message put on the ring comes with a kick); false: one arrived on
 * the ring meanwhile, drain it.
 */
bool umn_ep_wait_begin(struct umn_endpoint *ep, int timeout_ms);
/*
 * Receives what the socket holds (flags as umn_msg_recv_batch: MSG_DONTWAIT,
 * or MSG_WAITFORONE to wait for the first) and takes it (umn_ep_take).
 * 0; -EAGAIN when nothing came (or a signal came first); -ECANCELED or
 * -ECONNRESET as umn_ep_take; another -errno when the socket failed.
 */
int umn_ep_recv(struct umn_endpoint *ep, struct umn_msg_batch *b, int flags);
/*
 * The reader steps down: sets the sleeping flag, draining until the ring
 * stays empty with it set, so what the peer puts there from now on comes
 * with a kick. 0, or -ECANCELED.
 */
int umn_ep_idle(struct umn_endpoint *ep);

#endif
