/* SPDX-License-Identifier: MIT */
/*
 * umnicd's control socket (ctl.c), which the umnic CLI talks to: accepting,
 * reading requests, and sending replies without ever waiting for a client.
 */
#ifndef UMNIC_UMNICD_CTL_H
#define UMNIC_UMNICD_CTL_H

#include <stdbool.h>
#include <stdint.h>

struct watch;

/* The control socket's listening watch (main.c registers it with this callback). */
unsigned ctl_on_accept(struct watch *w, uint32_t events);
/*
 * Closes unprivileged control connections that sent nothing for too long,
 * and drops replies their clients have not read for 30 s; true if it freed
 * either (an event of this loop turn may name it).
 */
bool ctl_tick(uint64_t now_ns);
/*
 * Answers a control request on fd, and closes fd: at once, or once the
 * client has read the whole reply (never waiting for it).
 */
void ctl_reply(int fd, int code, const char *text);
void ctl_free_all(void);

#endif
