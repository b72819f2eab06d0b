/* SPDX-License-Identifier: MIT */
/*
 * Adaptive busy polling, for umnicd's loop and for the ring readers of
 * driver hosts and clients (common/chan.h). A side about to wait for its
 * peer's next message may poll for it a while instead of sleeping: an
 * answer that comes within microseconds then costs no wake-up. Polling
 * pays only while the answer does come within the window and the poller
 * takes a CPU nobody else wants; otherwise it costs the peer, or whoever
 * else wants the CPU, more than a sleep would. So the window follows what
 * the waits turn out to be (as Linux's KVM halt polling does):
 *
 *  - a wait that ended within the window: the window stays;
 *  - a wait longer than the configured window (max_ns): polling would not
 *    have caught it; the window halves, and below a quarter of max_ns it
 *    is 0 (no polling);
 *  - a wait that ended after the window but within max_ns (the poller
 *    slept and was woken soon): polling would have paid; the window
 *    doubles, from a quarter of max_ns, up to max_ns.
 *
 * And the poller stops as soon as the CPU turns out to be contended:
 * between looks it yields (a peer on the same CPU runs at once), and a
 * yield that kept it off the CPU longer than its whole window and than
 * UMN_POLL_STOLEN_MIN_NS (a peer's turn on the same CPU is far shorter;
 * another process's time slice is not) means something else runs there,
 * so each further yield would hand the CPU away again, and the answer
 * would then wait for the poller's next turn instead of waking it at once
 * (a sleeping thread that is woken runs before one that yielded). It then
 * sleeps, and polls
 * nothing for a hold time: UMN_POLL_HOLD_MIN_NS, doubled (up to
 * UMN_POLL_HOLD_MAX_NS) each time the CPU is found contended again soon
 * after a hold (within UMN_POLL_RECUR_NS, or the hold's length if longer).
 * While the CPU stays contended,
 * the poller thus probes it only about every UMN_POLL_HOLD_MAX_NS, and a
 * moment of contention (another process running a while) costs a
 * millisecond.
 *
 * One struct umn_poll belongs to one waiter at a time (a thread, or the
 * role of reader passed between threads under a lock); nothing in it is
 * shared. The time is passed in, so the rules can be tested on their own.
 */
#ifndef UMNIC_COMMON_POLL_H
#define UMNIC_COMMON_POLL_H

#include <stdbool.h>
#include <stdint.h>

/* A yield that kept the poller away longer than its window, and at least this: contended. */
#define UMN_POLL_STOLEN_MIN_NS 200000u
#define UMN_POLL_HOLD_MIN_NS   1000000u
#define UMN_POLL_HOLD_MAX_NS   256000000u
/* Contended again within this after a hold (or within the hold's length): it lasts. */
#define UMN_POLL_RECUR_NS 32000000u

struct umn_poll {
	uint32_t max_ns;	/* the configured window; 0: never poll */
	uint32_t window_ns;	/* how long the next wait polls */
	uint32_t hold_ns;	/* how long the next contended poll stops polling */
	uint32_t stolen_ns;	/* a yield away longer: contended */
	uint64_t hold_until_ns; /* no polling before (the CPU was contended) */
	uint64_t wait_ns;	/* when the current wait began; 0: none */
	/* What happened so far, for the tests. */
	uint64_t polls, contended;
};

/* A poller with a window of max_ns (0: it never polls). */
void umn_poll_init(struct umn_poll *p, uint32_t max_ns);

/*
 * A wait begins at now: returns how long to poll (0: sleep at once). Every
 * wait that begins should end with umn_poll_end; a wait that is given up
 * (a time-out) is simply begun again.
 */
uint32_t umn_poll_begin(struct umn_poll *p, uint64_t now);

/*
 * Between two looks while polling: yields the CPU, and returns false when
 * the yield kept this thread away so long that the CPU is contended (the
 * poll is over: sleep).
 */
bool umn_poll_yield(struct umn_poll *p);

/* The same decision from a measured time off the CPU (umn_poll_yield's). */
bool umn_poll_away(struct umn_poll *p, uint64_t away_ns, uint64_t now);

/* The wait that began with umn_poll_begin ended at now with a message. */
void umn_poll_end(struct umn_poll *p, uint64_t now);

#endif
