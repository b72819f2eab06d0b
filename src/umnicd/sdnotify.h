/* SPDX-License-Identifier: MIT */
/*
 * The service manager's side channel (the sd_notify protocol): umnicd says
 * READY=1 once its sockets listen and the installed devices are loaded,
 * STOPPING=1 when it shuts down, and WATCHDOG=1 from its loop at half the
 * interval the unit's WatchdogSec gives, so a loop stuck for good (in an
 * in-host driver, say) gets umnicd restarted. Without $NOTIFY_SOCKET every
 * call does nothing. No library: the protocol is one datagram.
 */
#ifndef UMNICD_SDNOTIFY_H
#define UMNICD_SDNOTIFY_H

#include <stdint.h>

/* Reads and clears $NOTIFY_SOCKET, $WATCHDOG_USEC and $WATCHDOG_PID; opens the socket. */
void sdnotify_init(void);
/* Sends one message ("READY=1", ...); returns 0 or negative errno (-ENOTCONN: no manager). */
int sdnotify_send(const char *msg);
/* Sends WATCHDOG=1 when half the watchdog interval has passed since the last one. */
void sdnotify_watchdog_tick(uint64_t now_ns);
/* The watchdog interval in ns, 0 when the manager set none. */
uint64_t sdnotify_watchdog_ns(void);
void sdnotify_close(void);

#endif
