/* SPDX-License-Identifier: MIT */
/*
 * The clock every part of umnic measures time with: nanoseconds on
 * CLOCK_MONOTONIC for time limits, deadlines and measurements (a wall-clock
 * jump must not stretch or shorten them), and any other clock the same way
 * where a Windows API asks for one.
 */
#ifndef UMNIC_COMMON_CLOCK_H
#define UMNIC_COMMON_CLOCK_H

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

#endif
