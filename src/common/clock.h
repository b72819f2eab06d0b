/* SPDX-License-Identifier: MIT */
/*
 * The clock every part of umnic measures time with: nanoseconds on
 * CLOCK_MONOTONIC for time limits, deadlines and measurements (a wall-clock
 * jump must not stretch or shorten them), and any other clock the same way
 * where a Windows API asks for one. Absolute deadlines are struct timespec on
 * CLOCK_MONOTONIC, the form futexes and pthread_cond_timedwait (with a
 * monotonic condattr) take; the helpers below set one and measure what is
 * left of it, so nobody writes the carry between seconds and nanoseconds
 * again.
 */
#ifndef UMNIC_COMMON_CLOCK_H
#define UMNIC_COMMON_CLOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

static inline uint64_t umn_clock_ns(clockid_t clk)
{
	struct timespec t;

	clock_gettime(clk, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static inline uint64_t umn_mono_ns(void)
{
	return umn_clock_ns(CLOCK_MONOTONIC);
}

/*
 * An absolute CLOCK_MONOTONIC deadline sec seconds plus nsec (below one
 * second) nanoseconds from now. More than about 6,800 years is cut to that:
 * forever enough, and time_t never overflows.
 */
static inline void umn_deadline_after(struct timespec *ret, uint64_t sec, uint32_t nsec)
{
	clock_gettime(CLOCK_MONOTONIC, ret);
	if (sec > (uint64_t)INT32_MAX * 100)
		sec = (uint64_t)INT32_MAX * 100;
	ret->tv_sec += (time_t)sec;
	ret->tv_nsec += (long)nsec;
	if (ret->tv_nsec >= 1000000000) {
		ret->tv_nsec -= 1000000000;
		ret->tv_sec++;
	}
}

/*
 * What is left until the CLOCK_MONOTONIC deadline, into ret_left
 * (normalized: tv_nsec below one second); false once the deadline is
 * reached, with ret_left untouched.
 */
static inline bool umn_deadline_left(const struct timespec *deadline, struct timespec *ret_left)
{
	struct timespec now;
	time_t sec;
	long nsec;

	clock_gettime(CLOCK_MONOTONIC, &now);
	sec = deadline->tv_sec - now.tv_sec;
	nsec = deadline->tv_nsec - now.tv_nsec;
	if (nsec < 0) {
		nsec += 1000000000;
		sec--;
	}
	if (sec < 0 || (sec == 0 && nsec == 0))
		return false;
	ret_left->tv_sec = sec;
	ret_left->tv_nsec = nsec;
	return true;
}

#endif
