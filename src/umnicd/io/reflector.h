/* SPDX-License-Identifier: MIT */
/*
 * The reflector: umnicd's I/O manager. Clients (applications through
 * libumnic) open devices by name, get handles backed by the driver's file
 * objects, and send read/write/IOCTL/cancel/close; every request goes through
 * here to the driver's host, and every completion comes back through here,
 * where the rules are applied once (docs/io-requests.md).
 */
#ifndef UMNIC_UMNICD_REFLECTOR_H
#define UMNIC_UMNICD_REFLECTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ntstatus.h>

struct device;
struct hostproc;
struct watch;

/* Registers the reflector's handlers for driver host and device events (before any host starts). */
void reflector_init(void);
int reflector_listen(void);
/* A host's IO_COMPLETE / REGISTER_NAME (size-checked private copy). */
/*
 * The time hosts took to complete requests (from umnicd's send to the
 * completion it took), summed, and how many: those served within 10 ms.
 */
void reflector_latency(uint64_t *ret_sum_ns, uint64_t *ret_count);
void reflector_on_complete(struct hostproc *h, const void *msg, size_t len);
void reflector_on_register(struct hostproc *h, const void *msg, size_t len);
/* A host's TARGET_OPEN/SEND/CANCEL/CLOSE: its driver as a client of other devices. */
void reflector_on_host_io(struct hostproc *h, const void *msg, size_t len);
/* The host is gone: its driver's own requests are cancelled and its handles closed. */
void reflector_host_gone(struct hostproc *h);
/* h is about to be freed: requests still counted on it forget it. */
void reflector_host_freed(struct hostproc *h);
/* Once every 100 ms: clients paused for their users' or everyone's replies may read again. */
void reflector_tick(void);
/*
 * The device's driver went away: its pending requests complete with status,
 * its names are gone until a driver registers them again, and its open
 * handles fail later requests. removed: the device itself is going too.
 */
void reflector_device_gone(struct device *dev, NTSTATUS status, bool removed);
void reflector_shutdown(void);

#endif
