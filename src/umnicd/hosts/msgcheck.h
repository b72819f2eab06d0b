/* SPDX-License-Identifier: MIT */
/*
 * The first look umnicd takes at a message a driver host sent, on its
 * socket or its message ring: which handler gets it, and whether a control
 * message has its type's size. Pure, over umnicd's private copy, so the
 * fuzzer drives it without a host (tests/fuzz/fuzz_hostmsg.c).
 */
#ifndef UMNIC_UMNICD_HOSTS_MSGCHECK_H
#define UMNIC_UMNICD_HOSTS_MSGCHECK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum host_msg_route {
	HOST_MSG_MALFORMED,   /* not a message: the host is stopped */
	HOST_MSG_IO_COMPLETE, /* a completion: the reflector checks the rest */
	HOST_MSG_TARGET,      /* a driver's own I/O: the reflector checks the rest */
	HOST_MSG_TRACE,	      /* a WPP message: trace.c checks the rest */
	HOST_MSG_CONTROL,     /* PnP pace: rate-limited, then host_msg_check */
};

/* Where a message of n bytes goes (n as umn_msg_recv or umn_ring_get returned it). */
enum host_msg_route host_msg_route(const void *buf, ssize_t n);

/* The size a control message of this type has; 0 for a type that is not one. */
size_t host_msg_size(uint32_t type);

/* A control message: 0 if n is its type's size, else -EPROTO with a sentence in why. */
int host_msg_check(const void *buf, size_t n, char *why, size_t cap);

#endif
