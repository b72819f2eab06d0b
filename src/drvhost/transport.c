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

#include "common/endpoint.h"
#include "common/log.h"
#include "common/proto.h"
#include "runtime/io/io.h"

static const struct transport_handlers *handlers;

void transport_close_fds(const int *fds, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/*
 * Completions a worker made while running a batch it read wait in the
 * endpoint's hold and leave together (one sendmmsg) when it has run the
 * batch: umnicd then wakes once for them (umn_io_may_hold, ops->flush).
 */
#define HOLD_MAX   16
#define HOLD_BYTES (16 * 1024)

/*
 * Everything this host sends umnicd passes held_lock, in one order
 * (common/endpoint.h): on the channel's ring when it fits and nothing waits
 * to go on the socket before it, else on the socket after what is held. A
 * kick umnicd is owed for ring messages of a batch leaves with the batch.
 * The receiving side is the reading worker's.
 */
static pthread_mutex_t held_lock = PTHREAD_MUTEX_INITIALIZER;
static struct umn_endpoint ep = {.sock = -1};

/* In order (held_lock held). */
static int send_locked(const void *m, size_t len)
{
	return umn_ep_send(&ep, m, len, NULL, 0, umn_io_may_hold());
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
	/* If umnicd is gone, its requests are gone with it. */
	umn_ep_flush(&ep, NULL);
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

void transport_send_complete(uint64_t id, NTSTATUS status, uint64_t information, const void *data,
			     uint32_t len)
{
	size_t total = sizeof(struct umn_msg_io_complete) + len;
	struct umn_msg_io_complete *m = NULL;

	pthread_mutex_lock(&held_lock);
	if (total <= UMN_CHAN_REC_MAX && umn_chan_active(&ep.ch) && !ep.hold.n) {
		_Alignas(8) unsigned char b[UMN_CHAN_REC_MAX];

		fill_complete((void *)b, total, id, status, information, data, len);
		if (umn_ep_put(&ep, b, total, umn_io_may_hold()))
			goto out;
	}
	/* Held to leave with the batch's others (on_flush), built in place. */
	if (umn_io_may_hold()) {
		m = umn_msg_hold_reserve(&ep.hold, total);
		if (!m) {
			umn_ep_send_held(&ep, NULL);
			m = umn_msg_hold_reserve(&ep.hold, total);
		}
		if (m) {
			fill_complete(m, total, id, status, information, data, len);
			umn_msg_hold_commit(&ep.hold, total, id);
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

/*
 * umnicd's offer of a channel (common/chan.h): maps it, and acknowledges it
 * under held_lock, so every message sent after the acknowledgement is
 * counted.
 */
static bool chan_offer(void *ctx, const int *fds, unsigned nfds)
{
	int e;

	(void)ctx;
	pthread_mutex_lock(&held_lock);
	if (nfds != 1 || ep.ch.base) {
		umn_log(UMN_LOG_WARN, "a message ring offer with %u descriptors%s; ignored", nfds,
			ep.ch.base ? " after the first" : "");
	} else if ((e = umn_ep_accept_offer(&ep, fds[0])) < 0 && !umn_chan_active(&ep.ch)) {
		umn_log(UMN_LOG_WARN, "cannot map the message ring (%s); using the socket only",
			strerror(-e));
	}
	/* An acknowledgement that could not go: the socket failed, and the reader finds out. */
	pthread_mutex_unlock(&held_lock);
	return true;
}

static bool on_message(void *ctx, unsigned char *buf, ssize_t len, int *fds, unsigned nfds)
{
	(void)ctx;
	if (len == -EMFILE) {
		handlers->lost_fds(buf);
	} else if (len < 0) {
		umn_log(UMN_LOG_ERR, "receive: %s", strerror((int)-len));
	} else {
		handlers->message(buf, (size_t)len, fds, nfds);
	}
	return true;
}

static bool ring_broken(void *ctx)
{
	(void)ctx;
	umn_log(UMN_LOG_ERR, "umnicd's message ring is inconsistent");
	return false;
}

static const struct umn_ep_ops ep_ops = {
    .message = on_message,
    .offer = chan_offer,
    .ring_broken = ring_broken,
};

/* Messages taken from the socket in one system call. */
#define HOST_BATCH 16
static struct umn_msg_batch batch;
static _Alignas(8) unsigned char ring_buf[UMN_CHAN_REC_MAX];

/* Messages from umnicd's ring handled per turn of the reading worker. */
#define RING_BATCH 32

/*
 * The runtime's reading worker: takes what umnicd put on the ring, and
 * waits on the socket only when the ring is empty (a kick wakes it); then
 * handles all of it, the ring's messages before the socket's.
 */
bool transport_read_batch(void)
{
	int flags = MSG_WAITFORONE, r;
	unsigned got;

	if (umn_ep_drain(&ep, RING_BATCH, &got) < 0)
		return false;
	if (got) {
		/* The socket only if umnicd says something waits there. */
		if (!umn_ep_sock_due(&ep))
			return true;
		flags = MSG_DONTWAIT;
	} else if (!umn_ep_wait_begin(&ep, -1)) {
		return true;
	}
	r = umn_ep_recv(&ep, &batch, flags);
	if (r == -EAGAIN)
		return true;
	if (r < 0 && r != -ECONNRESET && r != -ECANCELED)
		umn_log(UMN_LOG_ERR, "receive: %s", strerror(-r));
	return r == 0;
}

void transport_init(int fd)
{
	pthread_mutex_lock(&held_lock);
	if (!ep.ops) {
		umn_ep_init(&ep, fd, &ep_ops, NULL, ring_buf);
		/* Without room to hold completions, each simply goes at once. */
		(void)umn_msg_hold_init(&ep.hold, HOLD_MAX, HOLD_BYTES);
	} else {
		ep.sock = fd;
	}
	pthread_mutex_unlock(&held_lock);
}

int transport_start(const struct transport_handlers *h)
{
	handlers = h;
	return umn_msg_batch_init(&batch, HOST_BATCH, UMN_MSG_MAX) ? -ENOMEM : 0;
}
