/* SPDX-License-Identifier: MIT */
/*
 * A message channel in shared memory beside a SOCK_SEQPACKET socket: two
 * rings of messages, one each way, that busy peers exchange without system
 * calls. umnicd creates the memory (a sealed memfd) and hands it to a peer:
 * a driver host, or a client that asked for it. The socket stays: it
 * carries what the rings cannot (descriptors, messages over
 * UMN_CHAN_REC_MAX, and anything while a ring is full) and the kick that
 * wakes a sleeping reader.
 *
 *   [A cells][B cells][info][ring A: umnicd -> peer][ring B: peer -> umnicd]
 *
 * Each ring has a producer cell and a consumer cell, each on its own cache
 * line, each written by one side only. The indices are free-running byte
 * counts. A record is [u32 length][u32 zero][message], padded to 8 bytes; a
 * message may wrap around the end. Either side may be hostile to the other:
 * every index and length read from the shared memory is checked before use,
 * the message is copied into private memory before anything looks at it,
 * and a ring found inconsistent is broken for good (its reader treats the
 * peer as having sent a malformed message). The info line carries what
 * umnicd tells the peer about using the channel; the peer reads it once.
 *
 * Order. Messages on the ring and on the socket keep one order: a consumer
 * drains the ring before it handles what it read from the socket, and a
 * producer uses the ring only when every socket message it sent has been
 * handled (the consumer counts them in its cell). Kicks are not counted.
 *
 * Sleep. A consumer about to wait on the socket sets its sleeping flag and
 * looks at the ring once more; a producer that published looks at the flag,
 * and if it was set clears it and sends a kick on the socket. Before that,
 * a consumer may poll its ring for a while (umn_ring_spin): an answer that
 * comes within microseconds then costs no wake-up on either side.
 */
#ifndef UMNIC_COMMON_CHAN_H
#define UMNIC_COMMON_CHAN_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/poll.h"
#include "common/shm.h"

/* Data bytes of each ring (power of two), and the largest message one carries. */
#define UMN_CHAN_RING_BYTES (64u * 1024u)
#define UMN_CHAN_REC_MAX    4096u
#define UMN_CHAN_HDR_BYTES  4096u
#define UMN_CHAN_BYTES	    (UMN_CHAN_HDR_BYTES + 2 * UMN_CHAN_RING_BYTES)
/* The longest a consumer polls its ring before it sleeps, whatever it is told. */
#define UMN_CHAN_SPIN_MAX_US 1000u

/*
 * Transport messages, the same on umnicd's two sockets (both headers are
 * {u32 type, u32 len, u64 id}); neither protocol uses these types.
 *   KICK: header only, "your ring has messages".
 *   OFFER: a client asks for a channel (header only); umnicd answers, or
 *   offers a host its channel unasked, with the memfd (none: refused). The
 *   peer maps it and answers with an OFFER of its own, header only (the
 *   acknowledgement).
 * Counting starts at the OFFER with the memfd on umnicd's side of the
 * socket (that OFFER is the first message counted) and after the
 * acknowledgement on the peer's side (the acknowledgement is not counted):
 * each side's producer and consumer then count the same messages. A ring
 * carries nothing until its consumer says it reads it (umn_chan_ready):
 * the peer when it maps the channel, umnicd when the acknowledgement comes.
 */
#define UMN_CHAN_MSG_KICK  0x4b01u
#define UMN_CHAN_MSG_OFFER 0x4b02u

struct umn_chan_msg {
	uint32_t type;
	uint32_t len;
	uint64_t id;
};

/* Written by the producer only. */
struct umn_chan_prod {
	_Atomic uint32_t tail;	    /* bytes published (release) */
	_Atomic uint32_t sock_sent; /* socket messages sent, kicks not counted */
} __attribute__((aligned(UMN_CACHELINE)));

/* Written by the consumer only. */
struct umn_chan_cons {
	_Atomic uint32_t head;	    /* bytes consumed (release) */
	_Atomic uint32_t sleeping;  /* waits on the socket: kick it */
	_Atomic uint32_t sock_seen; /* socket messages handled, kicks not counted */
	_Atomic uint32_t ready;	    /* reads this ring */
} __attribute__((aligned(UMN_CACHELINE)));

/*
 * Written by umnicd only, at UMN_CHAN_INFO_OFF. spin_us before it hands the
 * channel over (the peer reads it once, at attach); poll_off at any time
 * (the peer reads it before each poll).
 */
#define UMN_CHAN_INFO_OFF (4 * UMN_CACHELINE)
struct umn_chan_info {
	uint32_t spin_us; /* how long a consumer polls its ring before it sleeps */
	_Atomic uint32_t
	    poll_off; /* polling does not pay now: nobody polls (umn_chan_set_poll_off) */
} __attribute__((aligned(UMN_CACHELINE)));

/* One direction as one side sees it; everything but the three pointers is private. */
struct umn_ring {
	struct umn_chan_prod *p;
	struct umn_chan_cons *c;
	unsigned char *data;
	uint32_t pos;	   /* producer: tail; consumer: head */
	uint32_t peer_pos; /* producer: the head it last read */
	uint32_t sock;	   /* producer: socket messages sent; consumer: handled */
	bool ready;	   /* consumer: counts socket messages (umn_chan_ready) */
	bool broken;
	/* Consumer: how long it polls before it sleeps (umn_ring_spin), adapted to the waits. */
	struct umn_poll poll;
	/* Consumer: the producer's own sleeping flag (in the other ring's consumer cell). */
	const _Atomic uint32_t *peer_sleeping;
	/* The peer's consumer: umnicd's word on polling (the info line); NULL on umnicd's side. */
	const _Atomic uint32_t *poll_off;
};

struct umn_chan {
	void *base;
	struct umn_ring tx, rx;
};

/*
 * umnicd: creates and maps a channel; *memfd is for the peer (sealed; the
 * caller closes it). spin_us goes in the info line (at most
 * UMN_CHAN_SPIN_MAX_US); umnicd's own side does not spin.
 */
int umn_chan_create(struct umn_chan *ch, int *memfd, uint32_t spin_us);
/*
 * The peer: maps the channel in memfd (checked: a sealed memfd of the right
 * size) and takes its ring's polling window from the info line, capped at
 * UMN_CHAN_SPIN_MAX_US. Keeps no fd.
 */
int umn_chan_attach(struct umn_chan *ch, int memfd);
/* The consumer's polling window from now on (at most UMN_CHAN_SPIN_MAX_US; 0: never). */
void umn_ring_set_spin(struct umn_ring *r, uint32_t spin_us);
void umn_chan_fini(struct umn_chan *ch);
/* umnicd: tells the peer whether to poll at all (umnicd measures whether it pays, main.c). */
void umn_chan_set_poll_off(struct umn_chan *ch, bool off);
/* This side reads its ring from now on, and counts the socket messages it handles. */
void umn_chan_ready(struct umn_chan *ch);

static inline bool umn_chan_active(const struct umn_chan *ch)
{
	return ch->base != NULL;
}

/*
 * Producer. Publishes one message (len bytes, starting with its header) and
 * returns 0; -EAGAIN when it must go on the socket instead (too big, ring
 * full or not read, socket messages not yet handled, or the ring broken).
 */
int umn_ring_put(struct umn_ring *r, const void *msg, size_t len);
/* Counts n socket messages sent (kicks excluded). */
void umn_ring_sock_sent(struct umn_ring *r, unsigned n);
/*
 * Sends one message on sock (umn_msg_send) and counts it on r once it went:
 * the way every message but a kick goes on the socket. 0 or -errno.
 */
int umn_ring_sock_send(struct umn_ring *r, int sock, const void *msg, size_t len, const int *fds,
		       unsigned nfds);
/* After publishing: true if the consumer sleeps and is owed a kick (the flag is cleared). */
bool umn_ring_kick_due(struct umn_ring *r);

/*
 * Consumer. Copies the next message into buf (cap >= UMN_CHAN_REC_MAX) and
 * returns its length, 0 when the ring is empty, or -EBADMSG when the
 * producer broke the ring (a message whose header length disagrees with
 * its record counts as breaking it).
 */
ssize_t umn_ring_get(struct umn_ring *r, void *buf, size_t cap);
bool umn_ring_empty(const struct umn_ring *r);
/* Sets the sleeping flag; true when the ring is still empty, so the caller may wait. */
bool umn_ring_sleep(struct umn_ring *r);
void umn_ring_awake(struct umn_ring *r);
/* Counts n socket messages handled (kicks excluded). */
void umn_ring_sock_seen(struct umn_ring *r, unsigned n);
/* Whether the producer says it sent socket messages not yet counted as handled. */
bool umn_ring_sock_due(const struct umn_ring *r);

/*
 * The consumer is about to wait. Polls the ring for a message or a socket
 * message the producer says it sent, yielding the CPU between looks: true
 * as soon as one is there, false when the poll is over. How long it polls
 * adapts (common/poll.h): not at all while the producer itself sleeps,
 * while waits have been longer than polling could cover, or for a while
 * after the CPU was found contended. A caller that then sleeps calls
 * umn_ring_woke when a message woke it, so the next window learns how long
 * the wait was.
 */
bool umn_ring_spin(struct umn_ring *r);
void umn_ring_woke(struct umn_ring *r);

/* UMN_CHAN_MSG_KICK or _OFFER if a received packet is one of these (header only), else 0. */
static inline uint32_t umn_chan_transport(const void *buf, ssize_t len)
{
	uint32_t t;

	if (len != (ssize_t)sizeof(struct umn_chan_msg))
		return 0;
	t = ((const struct umn_chan_msg *)buf)->type;
	return t == UMN_CHAN_MSG_KICK || t == UMN_CHAN_MSG_OFFER ? t : 0;
}

/* Whether a received packet is a kick (callers skip it). */
static inline bool umn_chan_is_kick(const void *buf, ssize_t len)
{
	return umn_chan_transport(buf, len) == UMN_CHAN_MSG_KICK;
}

/* Sends a kick on sock (never waits); 0 or -errno. */
int umn_chan_kick(int sock);

#endif
