/* SPDX-License-Identifier: MIT */
/*
 * The message channel (common/chan.h): both sides map one memfd in this
 * process, as umnicd and a peer would. Order against the socket, the sleep
 * and kick handshake, polling before sleeping, wrap-around, and what a
 * hostile side can write into the shared cells.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/chan.h"

struct pair {
	struct umn_chan a, b; /* a: umnicd (creator), b: the peer */
};

/* A channel created and mapped twice; each side reads its ring if ready. */
static void pair_open_spin(struct pair *p, bool ready, uint32_t spin_us)
{
	int fd;

	assert_int_equal(umn_chan_create(&p->a, &fd, spin_us), 0);
	assert_int_equal(umn_chan_attach(&p->b, fd), 0);
	close(fd);
	if (ready) {
		umn_chan_ready(&p->a);
		umn_chan_ready(&p->b);
	}
}

static void pair_open(struct pair *p, bool ready)
{
	pair_open_spin(p, ready, 0);
}

static int setup(void **state)
{
	static struct pair p;

	pair_open(&p, true);
	*state = &p;
	return 0;
}

static int teardown(void **state)
{
	struct pair *p = *state;

	umn_chan_fini(&p->a);
	umn_chan_fini(&p->b);
	return 0;
}

/* A message of len bytes whose header says so, filled from seed. */
static void make_msg(unsigned char *buf, size_t len, unsigned seed)
{
	struct umn_chan_msg *h = (void *)buf;

	for (size_t i = 0; i < len; i++)
		buf[i] = (unsigned char)(seed + i * 7);
	h->type = 1000 + seed;
	h->len = (uint32_t)len;
	h->id = seed;
}

static void test_round_trip_both_ways(void **state)
{
	struct pair *p = *state;
	_Alignas(8) unsigned char m[200], got[UMN_CHAN_REC_MAX];

	make_msg(m, sizeof(m), 1);
	assert_int_equal(umn_ring_put(&p->a.tx, m, sizeof(m)), 0);
	assert_false(umn_ring_empty(&p->b.rx));
	assert_int_equal(umn_ring_get(&p->b.rx, got, sizeof(got)), sizeof(m));
	assert_memory_equal(got, m, sizeof(m));
	assert_int_equal(umn_ring_get(&p->b.rx, got, sizeof(got)), 0);

	make_msg(m, 24, 2);
	assert_int_equal(umn_ring_put(&p->b.tx, m, 24), 0);
	assert_int_equal(umn_ring_get(&p->a.rx, got, sizeof(got)), 24);
	assert_memory_equal(got, m, 24);
}

/* Many messages of odd sizes: records wrap around the end, indices keep running. */
static void test_wraps_and_fills(void **state)
{
	struct pair *p = *state;
	_Alignas(8) unsigned char m[UMN_CHAN_REC_MAX], got[UMN_CHAN_REC_MAX];
	unsigned sent = 0, recvd = 0, full = 0;

	for (unsigned round = 0; round < 2000; round++) {
		size_t len = 16 + (round * 37) % 3000;

		make_msg(m, len, sent);
		if (umn_ring_put(&p->a.tx, m, len) == 0) {
			sent++;
		} else {
			full++;
			/* Full: the reader catches up, then everything sent arrives in order. */
			while (recvd < sent) {
				ssize_t n = umn_ring_get(&p->b.rx, got, sizeof(got));

				assert_true(n > 0);
				assert_int_equal(((struct umn_chan_msg *)got)->id, recvd);
				recvd++;
			}
		}
	}
	assert_true(full > 0);
	assert_true(sent > 1000);
	/* Too big for a ring: the socket's. */
	make_msg(m, UMN_CHAN_REC_MAX, 0);
	assert_int_equal(umn_ring_put(&p->a.tx, m, UMN_CHAN_REC_MAX + 1), -EAGAIN);
}

/* A producer with socket messages not yet handled must not overtake them on the ring. */
static void test_socket_order(void **state)
{
	struct pair *p = *state;
	_Alignas(8) unsigned char m[64], got[UMN_CHAN_REC_MAX];

	make_msg(m, sizeof(m), 3);
	umn_ring_sock_sent(&p->b.tx, 2);
	assert_true(umn_ring_sock_due(&p->a.rx));
	assert_int_equal(umn_ring_put(&p->b.tx, m, sizeof(m)), -EAGAIN);
	umn_ring_sock_seen(&p->a.rx, 1);
	assert_int_equal(umn_ring_put(&p->b.tx, m, sizeof(m)), -EAGAIN);
	umn_ring_sock_seen(&p->a.rx, 1);
	assert_false(umn_ring_sock_due(&p->a.rx));
	assert_int_equal(umn_ring_put(&p->b.tx, m, sizeof(m)), 0);
	assert_int_equal(umn_ring_get(&p->a.rx, got, sizeof(got)), sizeof(m));
}

/* Nothing goes on a ring its consumer has not said it reads. */
static void test_not_ready(void **state)
{
	struct pair p;
	_Alignas(8) unsigned char m[64];

	(void)state;
	make_msg(m, sizeof(m), 4);
	pair_open(&p, false);
	assert_int_equal(umn_ring_put(&p.a.tx, m, sizeof(m)), -EAGAIN);
	assert_int_equal(umn_ring_put(&p.b.tx, m, sizeof(m)), -EAGAIN);
	umn_chan_ready(&p.b);
	assert_int_equal(umn_ring_put(&p.a.tx, m, sizeof(m)), 0);
	assert_int_equal(umn_ring_put(&p.b.tx, m, sizeof(m)), -EAGAIN);
	/* Unready consumers count no socket messages either. */
	umn_ring_sock_seen(&p.a.rx, 5);
	assert_int_equal(atomic_load(&p.a.rx.c->sock_seen), 0);
	umn_chan_fini(&p.a);
	umn_chan_fini(&p.b);
}

static void test_sleep_and_kick(void **state)
{
	struct pair *p = *state;
	_Alignas(8) unsigned char m[32], got[UMN_CHAN_REC_MAX];

	make_msg(m, sizeof(m), 5);
	/* Awake consumer: no kick. */
	assert_int_equal(umn_ring_put(&p->a.tx, m, sizeof(m)), 0);
	assert_false(umn_ring_kick_due(&p->a.tx));
	/* A consumer that finds messages when it sets the flag does not sleep. */
	assert_false(umn_ring_sleep(&p->b.rx));
	umn_ring_awake(&p->b.rx);
	assert_int_equal(umn_ring_get(&p->b.rx, got, sizeof(got)), sizeof(m));
	/* Empty: it sleeps, and the next message owes exactly one kick. */
	assert_true(umn_ring_sleep(&p->b.rx));
	assert_int_equal(umn_ring_put(&p->a.tx, m, sizeof(m)), 0);
	assert_true(umn_ring_kick_due(&p->a.tx));
	assert_false(umn_ring_kick_due(&p->a.tx));
}

/* What a hostile producer can write: umnicd's reader gives up on the ring, never reads out of it. */
static void test_hostile_producer(void **state)
{
	_Alignas(8) unsigned char m[64], got[UMN_CHAN_REC_MAX];
	uint32_t base;
	struct {
		const char *what;
		uint32_t tail_add, len, pad, hdr_len;
	} cases[] = {
		{ "tail beyond the ring", UMN_CHAN_RING_BYTES + 8, 64, 0, 64 },
		{ "tail inside a record header", 4, 64, 0, 64 },
		{ "record longer than a message may be", 8 + 8192, UMN_CHAN_REC_MAX + 8, 0, 64 },
		{ "record shorter than a header", 64, 8, 0, 8 },
		{ "record beyond the tail", 40, 64, 0, 64 },
		{ "padding word not zero", 72, 64, 1, 64 },
		{ "header length disagrees", 72, 64, 0, 60 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pair q;
		uint32_t rec[2] = { cases[i].len, cases[i].pad };

		pair_open(&q, true);
		/* The peer writes its ring by hand, as it likes. */
		make_msg(m, sizeof(m), 6);
		((struct umn_chan_msg *)m)->len = cases[i].hdr_len;
		base = q.b.tx.pos;
		memcpy(q.b.tx.data, rec, sizeof(rec));
		memcpy(q.b.tx.data + 8, m, sizeof(m));
		atomic_store(&q.b.tx.p->tail, base + cases[i].tail_add);
		print_message("case: %s\n", cases[i].what);
		assert_int_equal(umn_ring_get(&q.a.rx, got, sizeof(got)), -EBADMSG);
		/* Broken for good, and nothing moved. */
		assert_int_equal(umn_ring_get(&q.a.rx, got, sizeof(got)), -EBADMSG);
		assert_int_equal(q.a.rx.pos, 0);
		assert_true(umn_ring_sleep(&q.a.rx));
		umn_chan_fini(&q.a);
		umn_chan_fini(&q.b);
	}
}

/* A hostile consumer claiming to have read what was never written: umnicd stops using the ring. */
static void test_hostile_consumer(void **state)
{
	struct pair *p = *state;
	_Alignas(8) unsigned char m[UMN_CHAN_REC_MAX];
	unsigned n = 0;

	make_msg(m, 2048, 7);
	while (umn_ring_put(&p->a.tx, m, 2048) == 0)
		n++;
	assert_true(n > 0);
	atomic_store(&p->b.rx.c->head, p->a.tx.pos + 4096);
	assert_int_equal(umn_ring_put(&p->a.tx, m, 2048), -EAGAIN);
	assert_true(p->a.tx.broken);
	/* Even with the head set right again: the socket carries the rest. */
	atomic_store(&p->b.rx.c->head, p->a.tx.pos);
	assert_int_equal(umn_ring_put(&p->a.tx, m, 64), -EAGAIN);
}

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void *put_later(void *arg)
{
	struct pair *p = arg;
	unsigned char m[64];
	struct timespec d = { 0, 200000 }; /* 0.2 ms: the reader is polling by then, usually */

	nanosleep(&d, NULL);
	make_msg(m, sizeof(m), 9);
	assert_int_equal(umn_ring_put(&p->a.tx, m, sizeof(m)), 0);
	return NULL;
}

/*
 * Polling before sleeping: the peer takes the time umnicd wrote (capped),
 * umnicd's side never polls, and the poll ends at once for a message or a
 * counted socket message, at the time limit otherwise.
 */
static void test_spin(void **state)
{
	struct pair p;
	unsigned char m[64], got[UMN_CHAN_REC_MAX];
	uint64_t t0, spent;
	pthread_t th;
	unsigned polls;
	int fd;

	(void)state;
	pair_open_spin(&p, false, 300);
	/* The time limits below hold only if no yield finds the CPU contended (test_poll does that). */
	p.b.rx.poll.stolen_ns = UINT32_MAX;
	assert_int_equal(p.b.rx.poll.max_ns, 300000);
	assert_int_equal(p.a.rx.poll.max_ns, 0);
	assert_false(umn_ring_spin(&p.b.rx)); /* not ready: nothing to poll */
	umn_chan_ready(&p.a);
	umn_chan_ready(&p.b);
	assert_false(umn_ring_spin(&p.a.rx));

	/* Nothing comes: it polls its whole time, and not much longer. */
	t0 = now_ns();
	assert_false(umn_ring_spin(&p.b.rx));
	spent = now_ns() - t0;
	assert_true(spent >= 300000);
	assert_true(spent < 1000000000u);

	/* Already there: true at once. */
	make_msg(m, sizeof(m), 3);
	assert_int_equal(umn_ring_put(&p.a.tx, m, sizeof(m)), 0);
	assert_true(umn_ring_spin(&p.b.rx));
	assert_int_equal(umn_ring_get(&p.b.rx, got, sizeof(got)), sizeof(m));

	/* A socket message umnicd counted ends the poll too: the socket has it. */
	umn_ring_sock_sent(&p.a.tx, 1);
	assert_true(umn_ring_spin(&p.b.rx));
	umn_ring_sock_seen(&p.b.rx, 1);
	assert_false(umn_ring_sock_due(&p.b.rx));

	/* Put while it polls: seen without a kick (the sleeping flag was never set). */
	assert_int_equal(pthread_create(&th, NULL, put_later, &p), 0);
	for (polls = 1; !umn_ring_spin(&p.b.rx); polls++)
		assert_true(polls < 10000); /* 3 s: the thread did not run */
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(umn_ring_get(&p.b.rx, got, sizeof(got)), sizeof(m));
	assert_false(umn_ring_kick_due(&p.a.tx));
	umn_chan_fini(&p.a);
	umn_chan_fini(&p.b);

	/* umnicd caps what it writes; a peer caps what it reads, whoever wrote it. */
	pair_open_spin(&p, true, 10 * UMN_CHAN_SPIN_MAX_US);
	assert_int_equal(p.b.rx.poll.max_ns, UMN_CHAN_SPIN_MAX_US * 1000u);
	umn_chan_fini(&p.a);
	umn_chan_fini(&p.b);
	assert_int_equal(umn_chan_create(&p.a, &fd, 50), 0);
	((struct umn_chan_info *)((unsigned char *)p.a.base + UMN_CHAN_INFO_OFF))->spin_us = UINT32_MAX;
	assert_int_equal(umn_chan_attach(&p.b, fd), 0);
	close(fd);
	assert_int_equal(p.b.rx.poll.max_ns, UMN_CHAN_SPIN_MAX_US * 1000u);
	umn_chan_fini(&p.a);
	umn_chan_fini(&p.b);
}

/*
 * Polling stops when it cannot pay: while the producer (umnicd) sleeps
 * itself, nothing comes before something else wakes it, so the consumer
 * does not poll at all; and a yield that kept the poller off the CPU
 * longer than its window ends the poll and holds polling off.
 */
static void test_spin_adapts(void **state)
{
	struct pair p;
	uint64_t t0, spent;

	(void)state;
	pair_open_spin(&p, true, 300000); /* capped at UMN_CHAN_SPIN_MAX_US */

	/* umnicd about to sleep sets its flag on its own ring (pairs with umn_ring_spin's load). */
	assert_true(umn_ring_sleep(&p.a.rx));
	t0 = now_ns();
	assert_false(umn_ring_spin(&p.b.rx));
	spent = now_ns() - t0;
	assert_true(spent < UMN_CHAN_SPIN_MAX_US * 1000u / 2);
	umn_ring_awake(&p.a.rx);

	/* Every yield counts as contended: the first ends the poll, and the next wait sleeps at once. */
	p.b.rx.poll.stolen_ns = 0;
	assert_false(umn_ring_spin(&p.b.rx));
	assert_int_equal(p.b.rx.poll.contended, 1);
	t0 = now_ns();
	assert_false(umn_ring_spin(&p.b.rx));
	/* Unless this thread itself was kept away past the hold: then it may probe again. */
	if (t0 < p.b.rx.poll.hold_until_ns)
		assert_int_equal(p.b.rx.poll.contended, 1); /* it did not poll, so it did not yield */
	umn_chan_fini(&p.a);
	umn_chan_fini(&p.b);
}

/* umnicd's word that polling does not pay reaches the peer: it sleeps at once, and polls again after. */
static void test_poll_off(void **state)
{
	_Alignas(8) unsigned char m[64];
	struct pair p;
	uint64_t t0;

	(void)state;
	pair_open_spin(&p, true, 300000);
	umn_chan_set_poll_off(&p.a, true);
	t0 = now_ns();
	assert_false(umn_ring_spin(&p.b.rx));
	assert_true(now_ns() - t0 < UMN_CHAN_SPIN_MAX_US * 1000u / 2);
	assert_int_equal(p.b.rx.poll.contended, 0); /* it did not yield, so it found nothing */
	/* Polling again: a message already there ends the poll at its first look. */
	umn_chan_set_poll_off(&p.a, false);
	make_msg(m, sizeof(m), 1);
	assert_int_equal(umn_ring_put(&p.a.tx, m, sizeof(m)), 0);
	assert_true(umn_ring_spin(&p.b.rx));
	umn_chan_fini(&p.a);
	umn_chan_fini(&p.b);
}

/* A peer maps only a sealed memfd of the channel's size: it could not shrink it under umnicd. */
static void test_attach_checks_memfd(void **state)
{
	struct umn_chan ch;
	int fd;

	(void)state;
	fd = memfd_create("t", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, UMN_CHAN_BYTES), 0);
	assert_int_equal(umn_chan_attach(&ch, fd), -EINVAL); /* not sealed */
	assert_int_equal(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW), 0);
	assert_int_equal(umn_chan_attach(&ch, fd), 0);
	umn_chan_fini(&ch);
	close(fd);
	fd = memfd_create("t", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	assert_int_equal(ftruncate(fd, UMN_CHAN_BYTES / 2), 0);
	assert_int_equal(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW), 0);
	assert_int_equal(umn_chan_attach(&ch, fd), -EINVAL); /* too small */
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip_both_ways, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wraps_and_fills, setup, teardown),
		cmocka_unit_test_setup_teardown(test_socket_order, setup, teardown),
		cmocka_unit_test(test_not_ready),
		cmocka_unit_test_setup_teardown(test_sleep_and_kick, setup, teardown),
		cmocka_unit_test(test_spin),
		cmocka_unit_test(test_spin_adapts),
		cmocka_unit_test(test_poll_off),
		cmocka_unit_test(test_hostile_producer),
		cmocka_unit_test_setup_teardown(test_hostile_consumer, setup, teardown),
		cmocka_unit_test(test_attach_checks_memfd),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
