/* SPDX-License-Identifier: MIT */
/*
 * Tying a thread to one CPU, as `umnicd --datapath-cpus` asks: umnicd's
 * datapath threads and the driver's execution contexts each do it to
 * themselves (the driver host's sandbox allows sched_setaffinity on the
 * calling thread only). The CPU travels as its number plus one, 0 meaning
 * "wherever the scheduler puts it".
 */
#ifndef UMNIC_COMMON_CPU_H
#define UMNIC_COMMON_CPU_H

#include <errno.h>
#include <sched.h>
#include <stdint.h>

/* Ties the calling thread to CPU cpu_plus1 - 1 (0: leaves it be): 0, or -errno. */
static inline int umn_pin_self(uint32_t cpu_plus1)
{
	cpu_set_t set;

	if (!cpu_plus1)
		return 0;
	/* CPU_SET does not check its argument: a number beyond the set is no CPU. */
	if (cpu_plus1 > CPU_SETSIZE)
		return -EINVAL;
	CPU_ZERO(&set);
	CPU_SET(cpu_plus1 - 1, &set);
	return sched_setaffinity(0, sizeof(set), &set) < 0 ? -errno : 0;
}

#endif
