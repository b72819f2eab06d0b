/* SPDX-License-Identifier: MIT */
/* A driver host's conversation with umnicd (hostloop.c). */
#ifndef UMNIC_DRVHOST_HOSTLOOP_H
#define UMNIC_DRVHOST_HOSTLOOP_H

#include <stdbool.h>

/* Connects the runtime to umnicd over fd. kernel_mode: an in-host driver (IRQL, KMDF rules). */
void umn_hostloop_init(int fd, bool kernel_mode);
/* Serves umnicd until it closes the socket; returns then (0), or -1 if it could not start. */
int umn_hostloop_run(void);
/* What confines this host (the sandbox it entered), for `umnic status`; "" for none told. */
extern char umn_host_sandbox[256];
/* A line for `umnic status` about the host itself. */
void umn_hostloop_report(int level, const char *text);

#endif
