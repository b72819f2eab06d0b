/* SPDX-License-Identifier: MIT */
/*
 * Adaptive polling (common/poll.h): the window follows how long the waits
 * turn out to be, and the CPU found contended stops polling for a hold
 * time that grows while the contention lasts. Time is passed in.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "common/poll.h"

#define US 1000u
#define MS 1000000u

/* One wait that began at *now and ended after waited ns; returns the window it polled for. */
static uint32_t wait_for(struct umn_poll *p, uint64_t *now, uint64_t waited)
{
	uint32_t w = umn_poll_begin(p, *now);

	*now += waited;
	umn_poll_end(p, *now);
	return w;
}

static void test_off(void **state)
{
	struct umn_poll p;
	uint64_t now = 1000 * MS;

	(void)state;
	umn_poll_init(&p, 0);
	assert_int_equal(wait_for(&p, &now, 10 * US), 0);
	assert_int_equal(wait_for(&p, &now, 1), 0);
	assert_int_equal(p.polls, 0);
}

/* Waits polling could not cover shrink the window to nothing; short ones bring it back. */
static void test_window_follows_waits(void **state)
{
	struct umn_poll p;
	uint64_t now = 1000 * MS;

	(void)state;
	umn_poll_init(&p, 50 * US);
	assert_int_equal(wait_for(&p, &now, 5 * US), 50 * US); /* caught: stays */
	assert_int_equal(wait_for(&p, &now, 2 * MS), 50 * US); /* longer than any window */
	assert_int_equal(p.window_ns, 25 * US);
	wait_for(&p, &now, 2 * MS);
	assert_int_equal(p.window_ns, 12500);
	wait_for(&p, &now, 2 * MS);
	assert_int_equal(p.window_ns, 0); /* below a quarter: no polling */
	assert_int_equal(wait_for(&p, &now, 2 * MS), 0);
	assert_int_equal(p.window_ns, 0);
	/* Slept, but woken within the configured window: polling would have paid. */
	assert_int_equal(wait_for(&p, &now, 30 * US), 0);
	assert_int_equal(p.window_ns, 12500);
	wait_for(&p, &now, 30 * US);
	assert_int_equal(p.window_ns, 25 * US);
	wait_for(&p, &now, 30 * US);
	assert_int_equal(p.window_ns, 50 * US);
	wait_for(&p, &now, 40 * US); /* within the window: stays, and never above max */
	assert_int_equal(p.window_ns, 50 * US);
	/* A wait begun again (a time-out) is measured from its new beginning. */
	umn_poll_begin(&p, now);
	now += 10 * MS;
	umn_poll_begin(&p, now);
	now += 10 * US;
	umn_poll_end(&p, now);
	assert_int_equal(p.window_ns, 50 * US);
	/* An end without a beginning teaches nothing. */
	umn_poll_end(&p, now + 10 * MS);
	assert_int_equal(p.window_ns, 50 * US);
}

/* A yield away longer than the window stops polling for a while; a short one does not. */
static void test_contention_holds(void **state)
{
	struct umn_poll p;
	uint64_t now = 1000 * MS;
	uint32_t w;

	(void)state;
	umn_poll_init(&p, 50 * US);
	assert_true(umn_poll_away(&p, 3 * US, now)); /* a peer on this CPU ran briefly */
	assert_true(umn_poll_away(&p, 50 * US, now));
	assert_int_equal(p.contended, 0);
	assert_int_equal(umn_poll_begin(&p, now), 50 * US);
	assert_false(umn_poll_away(&p, 2 * MS, now + 2 * MS)); /* something else ran a slice */
	now += 2 * MS;
	umn_poll_end(&p, now);
	assert_int_equal(p.contended, 1);
	/* That wait took longer than any window: the window halved, as for any long wait. */
	w = p.window_ns;
	assert_int_equal(w, 25 * US);
	/* Held for 1 ms: waits sleep at once, and the window is kept for later. */
	assert_int_equal(umn_poll_begin(&p, now), 0);
	assert_int_equal(umn_poll_begin(&p, now + MS - 1), 0);
	assert_int_equal(umn_poll_begin(&p, now + MS), w);

	/* Contended again by the first poll after each hold: 2 ms, 4 ms, ... up to the maximum. */
	for (uint64_t hold = 2 * MS; hold <= 2ull * UMN_POLL_HOLD_MAX_NS; hold *= 2) {
		uint64_t end = p.hold_until_ns;

		/* Its yield began as the hold ended. */
		assert_false(umn_poll_away(&p, MS, end + MS));
		assert_int_equal(p.hold_ns,
				 hold < UMN_POLL_HOLD_MAX_NS ? hold : UMN_POLL_HOLD_MAX_NS);
		assert_int_equal(umn_poll_begin(&p, p.hold_until_ns - 1), 0);
		assert_int_equal(umn_poll_begin(&p, p.hold_until_ns), w);
	}

	/* Contended a while after the last hold: a moment's contention, held only briefly again. */
	now = p.hold_until_ns + UMN_POLL_HOLD_MAX_NS + 10 * MS;
	assert_false(umn_poll_away(&p, MS, now));
	assert_int_equal(p.hold_ns, UMN_POLL_HOLD_MIN_NS);
	assert_int_equal(umn_poll_begin(&p, now + MS), w);
	/* Its yield began 10 ms after a 1 ms hold ended: soon, it lasts. */
	now += 12 * MS;
	assert_false(umn_poll_away(&p, MS, now));
	assert_int_equal(p.hold_ns, 2 * UMN_POLL_HOLD_MIN_NS);
	/* And 40 ms after the next: a new moment's contention. */
	now += 2 * MS + 41 * MS;
	assert_false(umn_poll_away(&p, MS, now));
	assert_int_equal(p.hold_ns, UMN_POLL_HOLD_MIN_NS);
}

/* The threshold is the window, but never below UMN_POLL_STOLEN_MIN_NS. */
static void test_threshold(void **state)
{
	struct umn_poll p;

	(void)state;
	umn_poll_init(&p, 5 * US);
	assert_true(umn_poll_away(&p, UMN_POLL_STOLEN_MIN_NS, 1000 * MS));
	assert_false(umn_poll_away(&p, UMN_POLL_STOLEN_MIN_NS + 1, 1000 * MS));
	umn_poll_init(&p, 500 * US);
	assert_true(umn_poll_away(&p, 500 * US, 1000 * MS));
	assert_false(umn_poll_away(&p, 500 * US + 1, 1000 * MS));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_off),
	    cmocka_unit_test(test_window_follows_waits),
	    cmocka_unit_test(test_contention_holds),
	    cmocka_unit_test(test_threshold),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
