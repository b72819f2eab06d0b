/* SPDX-License-Identifier: MIT */
/*
 * The driver host's request bridge (io.c): I/O requests umnicd reflects to
 * a user-mode driver enter the runtime's queues here, and their completions
 * leave through the transport (transport.c).
 */
#ifndef UMNIC_DRVHOST_IO_H
#define UMNIC_DRVHOST_IO_H

#include <stddef.h>
#include <stdint.h>

#include <ntstatus.h>

/* Connects the runtime's I/O entry points to umnicd over sock (transport.c). */
void host_io_init(int sock);
/* An IO_REQUEST or IO_CANCEL message (private copy) and the fds that came with it (taken). */
void host_io_request(const void *msg, size_t len, const int *fds, unsigned nfds);
void host_io_cancel(const void *msg, size_t len);
/* Completes an I/O request that cannot be served (its buffers were lost) with status. */
void host_io_refuse(const void *msg, size_t len, NTSTATUS status);
/* TARGET_OPENED and TARGET_COMPLETE: umnicd's answers to the driver's own opens and sends. */
void host_io_target_opened(const void *msg, size_t len);
/* umnicd's answer to a symbolic link or interface the driver created. */
void host_io_name_registered(const void *msg, size_t len);
void host_io_target_complete(const void *msg, size_t len);
/* umnicd went away: opens waiting for it fail. */
void host_io_shutdown(void);

#endif
