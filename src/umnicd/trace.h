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
void trace_ctl(int fd, int argc, char **argv);

#endif
