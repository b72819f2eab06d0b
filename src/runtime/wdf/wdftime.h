/* SPDX-License-Identifier: MIT */
/*
 * Converting WDF time values (100 ns ticks; negative relative, positive
 * absolute since 1601-01-01 UTC) to CLOCK_MONOTONIC deadlines, so that a
 * wall-clock jump does not stretch or shorten a relative wait.
 */
#ifndef UMNIC_RUNTIME_WDFTIME_H
#define UMNIC_RUNTIME_WDFTIME_H

#include <stdint.h>
#include <time.h>

#include <ntdef.h>

#include "common/clock.h"

/* 100 ns ticks between 1601-01-01 and 1970-01-01. */
#define UMN_WINDOWS_EPOCH_OFFSET 116444736000000000LL

/* Far enough to mean "never" and still safe to add small values to. */
#define UMN_NS_FOREVER (UINT64_MAX / 4)

static inline uint64_t umn_ticks_to_ns(uint64_t ticks)
{
	return ticks > UMN_NS_FOREVER / 100 ? UMN_NS_FOREVER : ticks * 100;
}

/* The CLOCK_MONOTONIC time at which a WDF time value expires. */
static inline uint64_t umn_wdf_time_to_mono_ns(LONGLONG t)
{
	uint64_t now = umn_mono_ns();
	uint64_t rel;

	if (t < 0) {
		rel = umn_ticks_to_ns(t == INT64_MIN ? (uint64_t)INT64_MAX + 1 : (uint64_t)-t);
	} else if (t > 0) {
		uint64_t real = umn_clock_ns(CLOCK_REALTIME), abs_ns;

		if (t <= UMN_WINDOWS_EPOCH_OFFSET)
			return now;
		abs_ns = umn_ticks_to_ns((uint64_t)(t - UMN_WINDOWS_EPOCH_OFFSET));
		if (abs_ns <= real)
			return now;
		rel = abs_ns - real;
	} else {
		return now;
	}
	return rel >= UMN_NS_FOREVER ? UMN_NS_FOREVER : now + rel;
}

static inline struct timespec umn_ns_to_timespec(uint64_t ns)
{
	struct timespec ts = {.tv_sec = (time_t)(ns / 1000000000u),
			      .tv_nsec = (long)(ns % 1000000000u)};

	return ts;
}

#endif
