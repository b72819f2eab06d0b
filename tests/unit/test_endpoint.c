/* SPDX-License-Identifier: MIT */
/*
 * The channel endpoint (common/endpoint.h): two endpoints on a socketpair,
 * sharing one channel, in this process, as umnicd and a peer would. The
 * order of ring and socket messages, kicks, the hold, the offer handshake
 * and its counts, the reader's sleeping flag, and a broken ring.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/endpoint.h"

#define MAXGOT 64

struct side {
	struct umn_endpoint ep;
	_Alignas(8) unsigned char rbuf[UMN_CHAN_REC_MAX];
	uint64_t got[MAXGOT]; /* ids of the messages handled, in order */
	unsigned ngot, offers, broken;
	int accept_err; /* what umn_ep_accept_offer said to the last offer with a descriptor */
	bool stop_broken;
};

struct two {
	struct side a, b; /* a: umnicd (creates the channel), b: the peer */
	struct umn_msg_batch batch;
};

static bool on_message(void *ctx, unsigned char *buf, ssize_t len, int *fds, unsigned nfds)
{
	struct side *s = ctx;

	assert_true(len >= (ssize_t)sizeof(struct umn_chan_msg));
	if (s->ngot < MAXGOT)
		s->got[s->ngot++] = ((struct umn_chan_msg *)buf)->id;
	for (unsigned i = 0; i < nfds; i++)
		close(fds[i]);
	return true;
}

static bool on_offer(void *ctx, const int *fds, unsigned nfds)
{
	struct side *s = ctx;

	s->offers++;
	/* The peer's side: umnicd's offer of a channel, mapped and acknowledged. */
	if (nfds == 1)
		s->accept_err = umn_ep_accept_offer(&s->ep, fds[0]);
	/* umnicd's side: the acknowledgement; it reads its ring from now on. */
	else if (!nfds)
		umn_ep_offer_acked(&s->ep);
	return true;
}

static bool on_broken(void *ctx)
{
	struct side *s = ctx;

	s->broken++;
	return !s->stop_broken;
}

static const struct umn_ep_ops ops = {
    .message = on_message,
    .offer = on_offer,
    .ring_broken = on_broken,
};

static void msg_id(struct umn_chan_msg *m, uint64_t id)
{
	*m = (struct umn_chan_msg){.type = 0x100, .len = sizeof(*m), .id = id};
}

/* The sockets only; with_chan: a channel both sides read, counts started as after the offer. */
static void two_open(struct two *t, bool with_chan)
{
	int sv[2], fd;

	memset(t, 0, sizeof(*t));
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	umn_ep_init(&t->a.ep, sv[0], &ops, &t->a, t->a.rbuf);
	umn_ep_init(&t->b.ep, sv[1], &ops, &t->b, t->b.rbuf);
	assert_int_equal(umn_msg_batch_init(&t->batch, 8, 4096), 0);
	if (!with_chan)
		return;
	assert_int_equal(umn_chan_create(&t->a.ep.ch, &fd, 0), 0);
	assert_int_equal(umn_chan_attach(&t->b.ep.ch, fd), 0);
	close(fd);
	umn_chan_ready(&t->a.ep.ch);
	umn_chan_ready(&t->b.ep.ch);
}

static void two_close(struct two *t)
{
	close(t->a.ep.sock);
	close(t->b.ep.sock);
	umn_ep_fini(&t->a.ep);
	umn_ep_fini(&t->b.ep);
	umn_msg_batch_fini(&t->batch);
}

/* b takes whatever there is: its ring, then the socket, without waiting. */
static void b_take_all(struct two *t)
{
	int r;

	assert_int_equal(umn_ep_drain(&t->b.ep, UINT32_MAX, NULL), 0);
	while ((r = umn_ep_recv(&t->b.ep, &t->batch, MSG_DONTWAIT)) == 0)
		;
	assert_int_equal(r, -EAGAIN);
}

/* A message with a descriptor goes on the socket; what follows waits until it is handled. */
static void test_order(void **state)
{
	struct umn_chan_msg m;
	struct two t;
	int fd = dup(0);

	(void)state;
	two_open(&t, true);
	msg_id(&m, 1);
	assert_int_equal(umn_ep_send(&t.a.ep, &m, sizeof(m), NULL, 0, false), 0);
	msg_id(&m, 2);
	assert_int_equal(umn_ep_send(&t.a.ep, &m, sizeof(m), &fd, 1, false), 0);
	for (uint64_t id = 3; id <= 5; id++) {
		msg_id(&m, id);
		/* Not on the ring: the socket message is not handled yet. */
		assert_false(umn_ep_put(&t.a.ep, &m, sizeof(m), false));
		assert_int_equal(umn_ep_send(&t.a.ep, &m, sizeof(m), NULL, 0, false), 0);
	}
	b_take_all(&t);
	assert_int_equal(t.b.ngot, 5);
	for (unsigned i = 0; i < 5; i++)
		assert_int_equal(t.b.got[i], i + 1);
	/* All handled: the ring again. */
	msg_id(&m, 6);
	assert_true(umn_ep_put(&t.a.ep, &m, sizeof(m), false));
	b_take_all(&t);
	assert_int_equal(t.b.got[5], 6);
	close(fd);
	two_close(&t);
}

/* A reader that sleeps gets one kick for a ring message, and the kick is not counted. */
static void test_kick(void **state)
{
	struct umn_chan_msg m;
	struct two t;

	(void)state;
	two_open(&t, true);
	assert_true(umn_ep_wait_begin(&t.b.ep, 0));
	msg_id(&m, 7);
	/* Deferred: owed until the flush. */
	assert_true(umn_ep_put(&t.a.ep, &m, sizeof(m), true));
	assert_true(t.a.ep.kick_owed);
	umn_ep_flush(&t.a.ep, NULL);
	assert_false(t.a.ep.kick_owed);
	assert_int_equal(umn_ep_recv(&t.b.ep, &t.batch, MSG_DONTWAIT), 0);
	assert_int_equal(t.batch.count, 1); /* the kick */
	assert_int_equal(t.b.ngot, 1);
	assert_int_equal(t.b.got[0], 7);
	/* Awake now: no kick for the next one, and nothing was counted. */
	msg_id(&m, 8);
	assert_true(umn_ep_put(&t.a.ep, &m, sizeof(m), false));
	assert_int_equal(umn_ep_recv(&t.b.ep, &t.batch, MSG_DONTWAIT), -EAGAIN);
	assert_int_equal(umn_ep_drain(&t.b.ep, 8, NULL), 0);
	assert_int_equal(t.b.ngot, 2);
	assert_false(umn_ring_sock_due(&t.b.ep.ch.rx));
	two_close(&t);
}

/* Held messages leave first; nothing overtakes them on the ring. */
static void test_hold(void **state)
{
	struct umn_chan_msg m, *slot;
	struct two t;

	(void)state;
	two_open(&t, true);
	assert_int_equal(umn_msg_hold_init(&t.a.ep.hold, 4, 4096), 0);
	msg_id(&m, 1);
	slot = umn_msg_hold_reserve(&t.a.ep.hold, sizeof(m));
	assert_non_null(slot);
	*slot = m;
	umn_msg_hold_commit(&t.a.ep.hold, sizeof(m), 1);
	msg_id(&m, 2);
	assert_false(umn_ep_put(&t.a.ep, &m, sizeof(m), false));
	assert_int_equal(umn_ep_send(&t.a.ep, &m, sizeof(m), NULL, 0, false), 0);
	assert_int_equal(t.a.ep.hold.n, 0);
	b_take_all(&t);
	assert_int_equal(t.b.ngot, 2);
	assert_int_equal(t.b.got[0], 1);
	assert_int_equal(t.b.got[1], 2);
	two_close(&t);
}

/*
 * The peer's messages sent before its acknowledgement are counted by
 * nobody: umnicd must not count them either, even when they come in the
 * same batch as the acknowledgement, or a later ring message of the peer
 * could overtake one of its socket messages.
 */
static void test_offer_counts(void **state)
{
	struct umn_chan_msg m, ack = {.type = UMN_CHAN_MSG_OFFER, .len = sizeof(ack)};
	struct two t;
	int fd;

	(void)state;
	two_open(&t, false);
	assert_int_equal(umn_chan_create(&t.a.ep.ch, &fd, 0), 0);
	/* The peer, before it saw the offer: two messages on the socket, uncounted. */
	msg_id(&m, 1);
	assert_int_equal(umn_ep_send(&t.b.ep, &m, sizeof(m), NULL, 0, false), 0);
	msg_id(&m, 2);
	assert_int_equal(umn_ep_send(&t.b.ep, &m, sizeof(m), NULL, 0, false), 0);
	/* It maps the channel and acknowledges it, then sends one more on the socket. */
	assert_int_equal(umn_chan_attach(&t.b.ep.ch, fd), 0);
	close(fd);
	umn_chan_ready(&t.b.ep.ch);
	assert_int_equal(umn_msg_send(t.b.ep.sock, &ack, sizeof(ack), NULL, 0), 0);
	msg_id(&m, 3);
	assert_int_equal(umn_ep_sock_send(&t.b.ep, &m, sizeof(m), NULL, 0), 0);
	/* umnicd takes all four in one batch. */
	assert_int_equal(umn_ep_recv(&t.a.ep, &t.batch, MSG_DONTWAIT), 0);
	assert_int_equal(t.batch.count, 4);
	assert_int_equal(t.a.offers, 1);
	assert_int_equal(t.a.ngot, 3);
	/* Exactly the one message sent after the acknowledgement is counted. */
	assert_false(umn_ring_sock_due(&t.a.ep.ch.rx));
	msg_id(&m, 4);
	assert_int_equal(umn_ep_sock_send(&t.b.ep, &m, sizeof(m), NULL, 0), 0);
	/* Not handled yet: the next one must not take the ring. */
	msg_id(&m, 5);
	assert_false(umn_ep_put(&t.b.ep, &m, sizeof(m), false));
	two_close(&t);
}

/* umnicd (a) offers b a channel: its memfd on the socket, counted, as umnicd's outbox sends it. */
static void a_offers(struct two *t)
{
	struct umn_chan_msg offer = {.type = UMN_CHAN_MSG_OFFER, .len = sizeof(offer)};
	int fd;

	assert_int_equal(umn_chan_create(&t->a.ep.ch, &fd, 0), 0);
	assert_int_equal(umn_ep_sock_send(&t->a.ep, &offer, sizeof(offer), &fd, 1), 0);
	close(fd);
}

/*
 * The handshake as umnicd and a peer run it: the offer carries the memfd
 * and is counted, the acknowledgement is not; each side uses its ring
 * only once the other reads it.
 */
static void test_handshake(void **state)
{
	struct umn_chan_msg m;
	struct two t;

	(void)state;
	two_open(&t, false);
	/* No channel offered: an acknowledgement is a protocol error. */
	assert_false(umn_ep_offer_acked(&t.a.ep));
	a_offers(&t);
	/* The peer does not read its ring yet: umnicd's messages wait for the socket. */
	msg_id(&m, 1);
	assert_false(umn_ep_put(&t.a.ep, &m, sizeof(m), false));
	assert_int_equal(umn_ep_recv(&t.b.ep, &t.batch, MSG_DONTWAIT), 0);
	assert_int_equal(t.b.offers, 1);
	assert_int_equal(t.b.accept_err, 0);
	assert_true(umn_chan_active(&t.b.ep.ch));
	/* It counted the offer: umnicd may use the ring now. */
	assert_true(umn_ep_put(&t.a.ep, &m, sizeof(m), false));
	/* umnicd has not seen the acknowledgement: the peer's messages still take the socket. */
	msg_id(&m, 2);
	assert_false(umn_ep_put(&t.b.ep, &m, sizeof(m), false));
	assert_int_equal(umn_ep_recv(&t.a.ep, &t.batch, MSG_DONTWAIT), 0);
	assert_int_equal(t.a.offers, 1);
	assert_int_equal(t.a.ngot, 0);
	/* The acknowledgement itself was not counted. */
	assert_false(umn_ep_sock_due(&t.a.ep));
	assert_true(umn_ep_put(&t.b.ep, &m, sizeof(m), false));
	assert_int_equal(umn_ep_drain(&t.a.ep, 8, NULL), 0);
	assert_int_equal(t.a.ngot, 1);
	assert_int_equal(t.a.got[0], 2);
	assert_int_equal(umn_ep_drain(&t.b.ep, 8, NULL), 0);
	assert_int_equal(t.b.ngot, 1);
	assert_int_equal(t.b.got[0], 1);
	/* A second acknowledgement is refused, and changes nothing. */
	assert_false(umn_ep_offer_acked(&t.a.ep));
	assert_true(t.a.ep.ch.rx.ready);
	two_close(&t);
}

/* A memfd that is not a channel is refused before anything is sent. */
static void test_handshake_bad_memfd(void **state)
{
	struct two t;
	int fd = memfd_create("not-a-channel", MFD_CLOEXEC), r;
	char buf[64];

	(void)state;
	assert_true(fd >= 0);
	two_open(&t, false);
	assert_int_equal(umn_ep_accept_offer(&t.b.ep, fd), -EINVAL);
	assert_false(umn_chan_active(&t.b.ep.ch));
	r = (int)recv(t.a.ep.sock, buf, sizeof(buf), MSG_DONTWAIT);
	assert_int_equal(r, -1);
	assert_int_equal(errno, EAGAIN);
	close(fd);
	two_close(&t);
}

/*
 * The reader's sleeping flag: set, it gets one kick for a ring message and
 * sees the message on its second look; cleared, no kick comes.
 */
static void test_sleep_awake(void **state)
{
	struct umn_chan_msg m, k;
	struct two t;

	(void)state;
	two_open(&t, true);
	assert_true(umn_ep_sleep(&t.b.ep));
	assert_false(umn_ep_ring_pending(&t.b.ep));
	msg_id(&m, 1);
	assert_true(umn_ep_put(&t.a.ep, &m, sizeof(m), false));
	assert_true(umn_ep_ring_pending(&t.b.ep));
	/* A reader about to wait looks once more, and must not wait. */
	assert_false(umn_ep_sleep(&t.b.ep));
	umn_ep_awake(&t.b.ep);
	msg_id(&m, 2);
	assert_true(umn_ep_put(&t.a.ep, &m, sizeof(m), false));
	/* One kick, for the first message only. */
	assert_int_equal(recv(t.b.ep.sock, &k, sizeof(k), MSG_DONTWAIT), (ssize_t)sizeof(k));
	assert_int_equal(k.type, UMN_CHAN_MSG_KICK);
	assert_int_equal(recv(t.b.ep.sock, &k, sizeof(k), MSG_DONTWAIT), -1);
	assert_int_equal(errno, EAGAIN);
	assert_int_equal(umn_ep_drain(&t.b.ep, 8, NULL), 0);
	assert_int_equal(t.b.ngot, 2);
	assert_false(umn_ep_ring_pending(&t.b.ep));
	/* A counted socket message is due until the reader handles it. */
	assert_false(umn_ep_sock_due(&t.b.ep));
	msg_id(&m, 3);
	assert_int_equal(umn_ep_sock_send(&t.a.ep, &m, sizeof(m), NULL, 0), 0);
	assert_true(umn_ep_sock_due(&t.b.ep));
	assert_int_equal(umn_ep_recv(&t.b.ep, &t.batch, MSG_DONTWAIT), 0);
	assert_false(umn_ep_sock_due(&t.b.ep));
	assert_int_equal(t.b.ngot, 3);
	two_close(&t);
}

/* A broken ring has nothing to drain, whatever its indices say. */
static void test_pending_broken(void **state)
{
	struct two t;

	(void)state;
	two_open(&t, true);
	atomic_store(&t.a.ep.ch.tx.p->tail, 3 * UMN_CHAN_RING_BYTES);
	assert_true(umn_ep_ring_pending(&t.b.ep));
	assert_int_equal(umn_ep_drain(&t.b.ep, 8, NULL), 0);
	assert_int_equal(t.b.broken, 1);
	assert_false(umn_ep_ring_pending(&t.b.ep));
	two_close(&t);
}

/* A peer that breaks its ring: the hook decides whether the socket's messages still count. */
static void test_broken_ring(void **state)
{
	struct umn_chan_msg m;
	struct two t;
	struct umn_chan_prod *p;

	(void)state;
	two_open(&t, true);
	msg_id(&m, 1);
	assert_int_equal(umn_ep_sock_send(&t.a.ep, &m, sizeof(m), NULL, 0), 0);
	/* The producer claims more than the ring holds. */
	p = t.a.ep.ch.tx.p;
	atomic_store(&p->tail, 3 * UMN_CHAN_RING_BYTES);
	t.b.stop_broken = true;
	assert_int_equal(umn_ep_recv(&t.b.ep, &t.batch, MSG_DONTWAIT), -ECANCELED);
	assert_int_equal(t.b.broken, 1);
	assert_int_equal(t.b.ngot, 0);
	/* Going on: the socket's message is handled after all. */
	assert_int_equal(umn_ep_sock_send(&t.a.ep, &m, sizeof(m), NULL, 0), 0);
	t.b.stop_broken = false;
	assert_int_equal(umn_ep_recv(&t.b.ep, &t.batch, MSG_DONTWAIT), 0);
	assert_int_equal(t.b.broken, 2);
	assert_int_equal(t.b.ngot, 1);
	two_close(&t);
}

/* The end of the stream ends the reading; the rest of the batch is dropped. */
static void test_end(void **state)
{
	struct umn_chan_msg m;
	struct two t;

	(void)state;
	two_open(&t, false);
	msg_id(&m, 1);
	assert_int_equal(umn_ep_send(&t.a.ep, &m, sizeof(m), NULL, 0, false), 0);
	shutdown(t.a.ep.sock, SHUT_WR);
	assert_int_equal(umn_ep_recv(&t.b.ep, &t.batch, MSG_DONTWAIT), -ECONNRESET);
	assert_int_equal(t.b.ngot, 1);
	two_close(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_order),	cmocka_unit_test(test_kick),
	    cmocka_unit_test(test_hold),	cmocka_unit_test(test_offer_counts),
	    cmocka_unit_test(test_broken_ring), cmocka_unit_test(test_end),
	    cmocka_unit_test(test_handshake),	cmocka_unit_test(test_handshake_bad_memfd),
	    cmocka_unit_test(test_sleep_awake), cmocka_unit_test(test_pending_broken),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
