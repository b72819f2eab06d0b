/* SPDX-License-Identifier: MIT */
/*
 * The adaptive polling window of poll.h: it grows back while waits end
 * within it and halves when they do not, so polling only runs while it
 * saves wake-ups, and stops when the machine is busy or the peer is slow.
 */
#include "common/poll.h"
#include "common/clock.h"

#include <sched.h>
#include <string.h>

void umn_poll_init(struct umn_poll *p, uint32_t max_ns)
{
	memset(p, 0, sizeof(*p));
	p->max_ns = max_ns;
	/* Start as if every wait paid: on an idle machine the first requests are as fast as later
	 * ones. */
	p->window_ns = max_ns;
	p->hold_ns = UMN_POLL_HOLD_MIN_NS;
	p->stolen_ns = max_ns > UMN_POLL_STOLEN_MIN_NS ? max_ns : UMN_POLL_STOLEN_MIN_NS;
}

uint32_t umn_poll_begin(struct umn_poll *p, uint64_t now)
{
	p->wait_ns = now ? now : 1;
	if (!p->window_ns || now < p->hold_until_ns)
		return 0;
	p->polls++;
	return p->window_ns;
}

bool umn_poll_away(struct umn_poll *p, uint64_t away_ns, uint64_t now)
{
	if (away_ns <= p->stolen_ns)
		return true;
	p->contended++;
	/*
	 * Contended again soon after the last hold ended (its yield began within
	 * that hold's length, or UMN_POLL_RECUR_NS, after it): it lasts, hold off
	 * twice as long. Otherwise it was a moment's: start over from the shortest.
	 */
	if (p->hold_until_ns && now - away_ns >= p->hold_until_ns &&
	    now - away_ns - p->hold_until_ns <
		(p->hold_ns > UMN_POLL_RECUR_NS ? p->hold_ns : UMN_POLL_RECUR_NS))
		p->hold_ns =
		    p->hold_ns >= UMN_POLL_HOLD_MAX_NS / 2 ? UMN_POLL_HOLD_MAX_NS : p->hold_ns * 2;
	else
		p->hold_ns = UMN_POLL_HOLD_MIN_NS;
	p->hold_until_ns = now + p->hold_ns;
	return false;
}

bool umn_poll_yield(struct umn_poll *p)
{
	uint64_t before = umn_mono_ns(), after;

	sched_yield();
	after = umn_mono_ns();
	return umn_poll_away(p, after - before, after);
}

void umn_poll_end(struct umn_poll *p, uint64_t now)
{
	uint64_t waited;

	if (!p->wait_ns)
		return;
	waited = now > p->wait_ns ? now - p->wait_ns : 0;
	p->wait_ns = 0;
	if (waited <= p->window_ns)
		return;
	if (waited > p->max_ns) {
		/* Polling could not have caught it. */
		p->window_ns = p->window_ns / 2 < p->max_ns / 4 ? 0 : p->window_ns / 2;
	} else {
		/* Woken soon after the window: a longer one would have caught it. */
		uint32_t start = p->max_ns / 4 ? p->max_ns / 4 : p->max_ns;

		p->window_ns = p->window_ns < start ? start : p->window_ns * 2;
		if (p->window_ns > p->max_ns)
			p->window_ns = p->max_ns;
	}
}
