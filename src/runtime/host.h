/* SPDX-License-Identifier: MIT */
/*
 * What a driver host may call in libumnic-driver: src/drvhost (umnic-host,
 * and the in-host kernel-mode host inside umnicd) includes this header and
 * runtime/io/io.h, never the framework's own. It connects the runtime to its
 * OS side (umn_rt_set_host, and struct umn_io_ops in io.h), and has the PnP
 * entry points umnicd's requests map to. Every function here is in the
 * driver host's list of libumnic-driver.map; the framework's structures stay
 * in rt.h and the folders' internal headers.
 */
#ifndef UMNIC_RUNTIME_HOST_H
#define UMNIC_RUNTIME_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <wdf.h>

#include "common/proto.h"
#include "common/shm.h"
#include "runtime/io/io.h"

struct umn_device;

typedef NTSTATUS umn_rt_adapter_start_fn(struct umn_device *dev,
					 const struct umn_adapter_caps *caps, char *text,
					 size_t text_cap);

/* How the runtime reaches the OS side. Set once by the process that hosts the driver. */
struct umn_rt_ops {
	/* Synchronous: umnicd creates the interface. Returns an NTSTATUS; text explains a failure.
	 */
	umn_rt_adapter_start_fn *adapter_start;
	void (*link_state)(struct umn_device *dev, const struct umn_link_state *ls);
	void (*device_failed)(struct umn_device *dev, NTSTATUS status, const char *text);
	/* A line worth showing in `umnic status` (errors and verifier violations). */
	void (*report)(struct umn_device *dev, int level, const char *text);
	/* A WPP trace message (wpp.c); NULL: traces go to the log. */
	void (*trace)(const struct umn_trace_rec *rec);
};

/*
 * Set once, before the driver is loaded, by the process that hosts it:
 * how the runtime reaches umnicd, and whether UMDF's rules apply (false:
 * an in-host kernel-mode driver).
 */
void umn_rt_set_host(const struct umn_rt_ops *ops, bool user_mode);
/* The device number umnicd gave dev (the id of ADD_DEVICE), for messages about it. */
uint32_t umn_rt_device_id(const struct umn_device *dev);
/*
 * Kernel mode (an in-host driver): IRQL rules, KMDF-only calls, and the
 * default execution level of timers. Set once, before DriverEntry.
 */
void umn_runtime_set_kernel_mode(bool kernel_mode);

/* Maps the driver binary now (before the sandbox forbids executable mappings). */
void umn_rt_preload_driver(const char *path);

/* Entry points the host process calls (one request at a time, on its PnP thread). */
NTSTATUS umn_rt_load_driver(const char *path, const char *service, uint32_t flags, char *err,
			    size_t cap);
NTSTATUS umn_rt_add_device(uint32_t id, const char *instance, const char *hwid, const void *reg,
			   size_t reg_len, const int *fds, const uint32_t *kinds, unsigned nfds,
			   char *err, size_t cap);
/* cpu_plus1: the CPU the queue's execution context runs on, plus one (0: any). */
NTSTATUS umn_rt_create_queue(uint32_t id, const struct umn_queue_layout *l, int memfd, int ec_efd,
			     int os_efd, uint32_t cpu_plus1, char *err, size_t cap);
NTSTATUS umn_rt_start_queues(uint32_t id, char *err, size_t cap);
NTSTATUS umn_rt_stop_queues(uint32_t id, char *err, size_t cap);
NTSTATUS umn_rt_set_rx_filter(uint32_t id, uint32_t flags, const uint8_t (*mcast)[6],
			      uint32_t count);
/* umnicd set the offloads in force: the callbacks of the groups that changed run. */
NTSTATUS umn_rt_set_offload(uint32_t id, uint32_t active);
/* umnicd set receive side scaling: EvtAdapterReceiveScaling* run (rss.c). */
NTSTATUS umn_rt_set_rss(const struct umn_rss_setting *m, char *err, size_t cap);
NTSTATUS umn_rt_remove_device(uint32_t id, char *err, size_t cap);
/* A PnP stop and the start after it: the device keeps its WDFDEVICE (device.c). */
NTSTATUS umn_rt_stop_device(uint32_t id, char *err, size_t cap);
NTSTATUS umn_rt_start_device(uint32_t id, char *err, size_t cap);

#endif
