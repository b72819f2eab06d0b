/* SPDX-License-Identifier: MIT */
/* The monotonic clock in nanoseconds, for time limits and measurements. */
#ifndef UMNIC_COMMON_CLOCK_H
#define UMNIC_COMMON_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t umn_mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

#endif
