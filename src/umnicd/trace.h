/* SPDX-License-Identifier: MIT */
/*
 * Drivers' WPP trace messages (trace.c): kept per device, read with
 * `umnic trace`.
 */
#ifndef UMNIC_UMNICD_TRACE_H
#define UMNIC_UMNICD_TRACE_H

#include <stddef.h>

struct device;
struct hostproc;

struct trace_ring;

/* Registers for driver hosts' TRACE messages and for freed devices (before any host starts). */
void trace_init(void);
/* Why the host must be stopped, or NULL. */
const char *trace_on_message(struct hostproc *h, unsigned char *buf, size_t n);
void trace_free(struct device *dev);
/*
 * How a `trace` request is answered: an exit code (0 done, 1 failed, 2 bad
 * usage) and the text for the client. The control socket passes its own
 * reply with its connection as ctx, so trace.c knows no control socket.
 */
typedef void (*trace_reply_fn)(void *ctx, int code, const char *text);
/* Answers `trace DEVICE [--level L] [--flags F] [--after SEQ]`: one reply, before it returns. */
void trace_ctl(int argc, char **argv, trace_reply_fn reply, void *ctx);

#endif
