/* SPDX-License-Identifier: MIT */
/*
 * Eventfds as wake-ups: one side adds to the counter (a kick), the other
 * finds the fd readable and empties it. Every eventfd umnic uses for this
 * is non-blocking.
 */
#ifndef UMNIC_COMMON_EFD_H
#define UMNIC_COMMON_EFD_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"

/* Wakes whoever waits on fd: 0, or -errno. A full counter is still readable, so it counts as done.
 */
static inline int umn_efd_kick(int fd)
{
	uint64_t one = 1;

	if (write(fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		return -errno;
	return 0;
}

/*
 * A kick whose failure the caller cannot act on (the other side then wakes
 * only at its next timeout or event): it is logged as a warning, "what: why".
 */
static inline void umn_efd_kick_or_warn(int fd, const char *what)
{
	int e = umn_efd_kick(fd);

	if (e < 0)
		umn_log(UMN_LOG_WARN, "%s: %s", what, strerror(-e));
}

/* Takes every kick at once (one read resets the counter); true if there was one. */
static inline bool umn_efd_drain(int fd)
{
	uint64_t v;

	return read(fd, &v, sizeof(v)) > 0;
}

#endif
