/* SPDX-License-Identifier: MIT */
/*
 * The driver host's transport to umnicd: the one socket and, once umnicd
 * offers it, the message ring beside it (common/chan.h). Everything this
 * host sends passes here, in one order (send_locked); everything umnicd
 * sends is read here by the runtime's reading worker, the ring's messages
 * before the socket's, and handed up to hostloop.c one message at a time.
 * Kicks, the ring offer and the counts that keep ring and socket in order
 * are handled here and never reach the handlers.
 */
#include "drvhost/transport.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/chan.h"
#include "common/log.h"
#include "common/proto.h"
#include "runtime/io/io.h"

static int sock = -1;
static const struct transport_handlers *handlers;

void transport_close_fds(const int *fds, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/*
 * Completions a worker made while running a batch it read wait here and
 * leave together (one sendmmsg) when it has run the batch: umnicd then
 * wakes once for them (umn_io_may_hold, ops->flush).
 */
#define HOLD_MAX   16
#define HOLD_BYTES (16 * 1024)

/*
 * Everything this host sends umnicd passes held_lock, in one order: on the
 * channel's ring (common/chan.h) when it fits and nothing waits to go on
 * the socket before it, else on the socket after what is held. A kick
 * umnicd is owed for ring messages of a batch leaves with the batch.
 */
static pthread_mutex_t held_lock = PTHREAD_MUTEX_INITIALIZER;
static struct umn_msg_hold held;
static struct umn_chan chan;	/* tx: held_lock; rx: the reading worker's */
static bool kick_owed;

/* Sends what is held (held_lock held); if umnicd is gone, its requests are gone with it. */
static void held_send(void)
{
	if (held.n)
		umn_ring_sock_sent(&chan.tx, umn_msg_hold_send(sock, &held, NULL));
}

static void kick(void)
{
	kick_owed = false;
	if (umn_ring_kick_due(&chan.tx))
		umn_chan_kick(sock);
}

/* On the ring if it can go there (held_lock held): true, with the kick sent or owed. */
static bool ring_put(const void *m, size_t len)
{
	if (held.n || umn_ring_put(&chan.tx, m, len) < 0)
		return false;
	if (umn_io_may_hold())
		kick_owed = true;
	else
		kick();
	return true;
}

/* In order (held_lock held): on the ring if it can go there, else on the socket after what is held. */
static int send_locked(const void *m, size_t len)
{
	if (ring_put(m, len))
		return 0;
	held_send();
	return umn_ring_sock_send(&chan.tx, sock, m, len, NULL, 0);
}

int transport_send(const void *m, size_t len)
{
	int r;

	pthread_mutex_lock(&held_lock);
	r = send_locked(m, len);
	pthread_mutex_unlock(&held_lock);
	return r;
}

void transport_flush(void)
{
	pthread_mutex_lock(&held_lock);
	held_send();
	if (kick_owed)
		kick();
	pthread_mutex_unlock(&held_lock);
}

static void fill_complete(struct umn_msg_io_complete *m, size_t total, uint64_t id, NTSTATUS status,
			  uint64_t information, const void *data, uint32_t len)
{
	umn_msg_init(m, UMN_MSG_IO_COMPLETE, (uint32_t)total, 0);
	m->id = id;
	m->status = status;
	m->information = information;
	m->data_len = len;
	if (len)
		memcpy(m + 1, data, len);
}

void transport_send_complete(uint64_t id, NTSTATUS status, uint64_t information,
			     const void *data, uint32_t len)
{
	size_t total = sizeof(struct umn_msg_io_complete) + len;
	struct umn_msg_io_complete *m = NULL;

	pthread_mutex_lock(&held_lock);
	if (total <= UMN_CHAN_REC_MAX && chan.tx.data && !held.n) {
		_Alignas(8) unsigned char b[UMN_CHAN_REC_MAX];

		fill_complete((void *)b, total, id, status, information, data, len);
		if (ring_put(b, total))
			goto out;
	}
	/* Held to leave with the batch's others (on_flush), built in place. */
	if (umn_io_may_hold()) {
		m = umn_msg_hold_reserve(&held, total);
		if (!m) {
			held_send();
			m = umn_msg_hold_reserve(&held, total);
		}
		if (m) {
			fill_complete(m, total, id, status, information, data, len);
			umn_msg_hold_commit(&held, total, id);
			goto out;
		}
	}
	m = malloc(total);
	if (m) {
		fill_complete(m, total, id, status, information, data, len);
		send_locked(m, total);
		free(m);
	}
out:
	pthread_mutex_unlock(&held_lock);
}

static void chan_offer(const int *fds, unsigned nfds)
{
	struct umn_chan_msg ack = { .type = UMN_CHAN_MSG_OFFER, .len = sizeof(ack) };
	int e;

	pthread_mutex_lock(&held_lock);
	if (nfds != 1 || chan.base) {
		umn_log(UMN_LOG_WARN, "a message ring offer with %u descriptors%s; ignored", nfds,
			chan.base ? " after the first" : "");
	} else if ((e = umn_chan_attach(&chan, fds[0])) < 0) {
		umn_log(UMN_LOG_WARN, "cannot map the message ring (%s); using the socket only",
			strerror(-e));
	} else {
		umn_chan_ready(&chan);
		umn_ring_sock_seen(&chan.rx, 1); /* the offer is the first message counted */
		/* Not counted, and under held_lock: every message after it is. */
		umn_msg_send(sock, &ack, sizeof(ack), NULL, 0);
	}
	pthread_mutex_unlock(&held_lock);
}

/* Messages taken from the socket in one system call. */
#define HOST_BATCH 16
static struct umn_msg_batch batch;

/* Up to max messages from umnicd's ring; -1 if the ring is broken. */
static int ring_drain(struct umn_ring *rx, unsigned max)
{
	static _Alignas(8) unsigned char buf[UMN_CHAN_REC_MAX];
	unsigned n;

	for (n = 0; n < max; n++) {
		ssize_t len = umn_ring_get(rx, buf, sizeof(buf));

		if (len == 0)
			break;
		if (len < 0) {
			umn_log(UMN_LOG_ERR, "umnicd's message ring is inconsistent");
			return -1;
		}
		handlers->message(buf, (size_t)len, NULL, 0);
	}
	return n > INT_MAX ? INT_MAX : (int)n;
}

/* Messages from umnicd's ring handled per turn of the reading worker. */
#define RING_BATCH 32

/*
 * The runtime's reading worker: takes what umnicd put on the ring, and
 * waits on the socket only when the ring is empty (a kick wakes it); then
 * handles all of it, the ring's messages before the socket's.
 */
bool transport_read_batch(void)
{
	struct umn_ring *rx = &chan.rx;
	int flags = MSG_WAITFORONE, got, r;
	unsigned counted = 0;

	got = ring_drain(rx, RING_BATCH);
	if (got < 0)
		return false;
	if (got) {
		/* The socket only if umnicd says something waits there. */
		if (!umn_ring_sock_due(rx))
			return true;
		flags = MSG_DONTWAIT;
	} else if (umn_ring_spin(rx)) {
		/*
		 * Something came while it polled: on the ring, or else umnicd
		 * counted a socket message, which the receive below waits for
		 * (it may not have left umnicd yet).
		 */
		if (!umn_ring_empty(rx))
			return true;
	} else if (!umn_ring_sleep(rx)) {
		umn_ring_awake(rx);
		umn_ring_woke(rx);
		return true;
	}
	r = umn_msg_recv_batch(sock, &batch, flags);
	umn_ring_awake(rx);
	if (r == -EINTR || r == -EAGAIN)
		return true;
	/* How long the wait was teaches the next poll (common/poll.h); a no-op after a batch. */
	if (!got)
		umn_ring_woke(rx);
	if (r < 0) {
		if (r != -ECONNRESET)
			umn_log(UMN_LOG_ERR, "receive: %s", strerror(-r));
		return false;
	}
	/* What umnicd put on the ring went before these. */
	if (ring_drain(rx, UINT_MAX) < 0)
		return false;
	for (unsigned i = 0; i < batch.count; i++) {
		struct umn_msg_in *m = &batch.msg[i];

		if (m->len == 0 || m->len == -ECONNRESET)
			return false;
		if (m->len == -EMFILE) {
			counted++;
			handlers->lost_fds(m->buf);
			continue;
		}
		if (m->len < 0) {
			counted++; /* umnicd counted it */
			umn_log(UMN_LOG_ERR, "receive: %s", strerror((int)-m->len));
			continue;
		}
		if (umn_chan_is_kick(m->buf, m->len)) {
			transport_close_fds(m->fds, m->nfds);
			continue;
		}
		if (umn_chan_transport(m->buf, m->len) == UMN_CHAN_MSG_OFFER) {
			/* Counts itself; only what follows it is counted here. */
			chan_offer(m->fds, m->nfds);
			transport_close_fds(m->fds, m->nfds);
			counted = 0;
			continue;
		}
		counted++;
		handlers->message(m->buf, (size_t)m->len, m->fds, m->nfds);
	}
	umn_ring_sock_seen(rx, counted);
	return true;
}

void transport_init(int fd)
{
	sock = fd;
	/* Without room to hold completions, each simply goes at once. */
	if (!held.max)
		(void)umn_msg_hold_init(&held, HOLD_MAX, HOLD_BYTES);
}

int transport_start(const struct transport_handlers *h)
{
	handlers = h;
	return umn_msg_batch_init(&batch, HOST_BATCH, UMN_MSG_MAX) ? -ENOMEM : 0;
}
