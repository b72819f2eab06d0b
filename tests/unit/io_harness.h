/* SPDX-License-Identifier: MIT */
/*
 * Shared by the I/O framework tests: a fake OS side (struct umn_io_ops) that
 * records completions, sends, opens and registrations; a driver object and
 * one device (number 1) whose EvtDriverDeviceAdd calls a per-test hook; a
 * log sink the tests search; and polling helpers.
 */
#ifndef UMNIC_TESTS_IO_HARNESS_H
#define UMNIC_TESTS_IO_HARNESS_H

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <wdf.h>

#include "common/devreg.h"
#include "common/log.h"
#include "runtime/io/io.h"
#include "runtime/wdf/irql.h"
#include "runtime/wdf/object.h"
#include "runtime/rt.h"

#define IOH_FN static __attribute__((unused))
#define IOH_DEV 1
#define IOH_MAX_ID 16384
#define IOH_MAX_SENT 256
#define IOH_LOG_LINES 256

struct ioh_done {
	int count;
	NTSTATUS status;
	ULONG_PTR info;
};

struct ioh_sent {
	uint64_t cookie;
	uint64_t file;
	struct umn_io_desc d;
	int cancels;
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct ioh_done done[IOH_MAX_ID];
	uint64_t order[IOH_MAX_ID];
	unsigned norder;
	struct ioh_sent sent[IOH_MAX_SENT];
	unsigned nsent;
	/* cancel_sent completes the request with STATUS_CANCELLED right away. */
	bool cancel_completes;
	NTSTATUS send_status;
	NTSTATUS open_status;
	char opened[256];
	uint32_t open_access;
	int closes;
	uint64_t closed_file;
	GUID iface;
	char iface_ref[256];
	char symlink[256];
	char log[IOH_LOG_LINES][512];
	unsigned nlog;
} ioh = { .lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER };

static void ioh_complete(uint64_t id, NTSTATUS status, ULONG_PTR information)
{
	pthread_mutex_lock(&ioh.lock);
	if (id < IOH_MAX_ID) {
		ioh.done[id].count++;
		ioh.done[id].status = status;
		ioh.done[id].info = information;
		ioh.order[ioh.norder++ % IOH_MAX_ID] = id;
	}
	pthread_cond_broadcast(&ioh.cond);
	pthread_mutex_unlock(&ioh.lock);
}

static NTSTATUS ioh_send(struct umn_device *dev, uint64_t target_file, uint64_t cookie,
			 const struct umn_io_desc *desc)
{
	NTSTATUS st;

	(void)dev;
	pthread_mutex_lock(&ioh.lock);
	st = ioh.send_status;
	if (st == STATUS_PENDING && ioh.nsent < IOH_MAX_SENT) {
		struct ioh_sent *s = &ioh.sent[ioh.nsent++];

		s->cookie = cookie;
		s->file = target_file;
		s->d = *desc;
		s->cancels = 0;
	}
	pthread_cond_broadcast(&ioh.cond);
	pthread_mutex_unlock(&ioh.lock);
	return st;
}

static NTSTATUS ioh_open_target(struct umn_device *dev, const char *name, uint32_t access,
				uint64_t *ret_file, uint32_t *ret_device)
{
	NTSTATUS st;

	(void)dev;
	*ret_device = 7;
	pthread_mutex_lock(&ioh.lock);
	snprintf(ioh.opened, sizeof(ioh.opened), "%s", name);
	ioh.open_access = access;
	st = ioh.open_status;
	pthread_mutex_unlock(&ioh.lock);
	if (NT_SUCCESS(st))
		*ret_file = 77;
	return st;
}

static void ioh_close_target(struct umn_device *dev, uint64_t file)
{
	(void)dev;
	pthread_mutex_lock(&ioh.lock);
	ioh.closes++;
	ioh.closed_file = file;
	pthread_mutex_unlock(&ioh.lock);
}

static void ioh_cancel_sent(struct umn_device *dev, uint64_t cookie)
{
	bool complete;

	(void)dev;
	pthread_mutex_lock(&ioh.lock);
	for (unsigned i = 0; i < ioh.nsent; i++)
		if (ioh.sent[i].cookie == cookie)
			ioh.sent[i].cancels++;
	complete = ioh.cancel_completes;
	pthread_cond_broadcast(&ioh.cond);
	pthread_mutex_unlock(&ioh.lock);
	/* Completing from inside cancel_sent: the runtime must not hold a lock here. */
	if (complete)
		umn_io_sent_complete(cookie, STATUS_CANCELLED, 0);
}

static NTSTATUS ioh_register_interface(struct umn_device *dev, const GUID *guid, const char *ref)
{
	(void)dev;
	pthread_mutex_lock(&ioh.lock);
	ioh.iface = *guid;
	snprintf(ioh.iface_ref, sizeof(ioh.iface_ref), "%s", ref);
	pthread_mutex_unlock(&ioh.lock);
	return STATUS_SUCCESS;
}

static NTSTATUS ioh_register_symlink(struct umn_device *dev, const char *name)
{
	(void)dev;
	pthread_mutex_lock(&ioh.lock);
	snprintf(ioh.symlink, sizeof(ioh.symlink), "%s", name);
	pthread_mutex_unlock(&ioh.lock);
	return STATUS_SUCCESS;
}

static const struct umn_io_ops ioh_ops = {
	.complete = ioh_complete,
	.send = ioh_send,
	.open_target = ioh_open_target,
	.close_target = ioh_close_target,
	.cancel_sent = ioh_cancel_sent,
	.register_interface = ioh_register_interface,
	.register_symlink = ioh_register_symlink,
};

static void ioh_log_sink(int level, const char *line, void *data)
{
	(void)level;
	(void)data;
	pthread_mutex_lock(&ioh.lock);
	snprintf(ioh.log[ioh.nlog++ % IOH_LOG_LINES], sizeof(ioh.log[0]), "%s", line);
	pthread_mutex_unlock(&ioh.lock);
}

IOH_FN bool ioh_log_has(const char *needle)
{
	bool found = false;

	pthread_mutex_lock(&ioh.lock);
	for (unsigned i = 0; i < IOH_LOG_LINES && !found; i++)
		found = strstr(ioh.log[i], needle) != NULL;
	pthread_mutex_unlock(&ioh.lock);
	return found;
}

IOH_FN uint64_t ioh_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

IOH_FN void ioh_sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* Waits until request id has completed at least once; returns its record. */
IOH_FN struct ioh_done ioh_wait_done(uint64_t id, unsigned ms)
{
	uint64_t end = ioh_now_ms() + ms;
	struct ioh_done d;

	pthread_mutex_lock(&ioh.lock);
	while (ioh.done[id].count == 0 && ioh_now_ms() < end) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 5 * 1000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&ioh.cond, &ioh.lock, &ts);
	}
	d = ioh.done[id];
	pthread_mutex_unlock(&ioh.lock);
	return d;
}

IOH_FN int ioh_done_count(uint64_t id)
{
	int n;

	pthread_mutex_lock(&ioh.lock);
	n = ioh.done[id].count;
	pthread_mutex_unlock(&ioh.lock);
	return n;
}

/* Polls *v until it reaches want or ms pass; returns the last value. */
IOH_FN int ioh_wait_int(atomic_int *v, int want, unsigned ms)
{
	uint64_t end = ioh_now_ms() + ms;

	while (atomic_load(v) < want && ioh_now_ms() < end)
		ioh_sleep_ms(1);
	return atomic_load(v);
}

IOH_FN unsigned ioh_wait_sent(unsigned want, unsigned ms)
{
	uint64_t end = ioh_now_ms() + ms;
	unsigned n;

	for (;;) {
		pthread_mutex_lock(&ioh.lock);
		n = ioh.nsent;
		pthread_mutex_unlock(&ioh.lock);
		if (n >= want || ioh_now_ms() >= end)
			return n;
		ioh_sleep_ms(1);
	}
}

IOH_FN struct ioh_sent ioh_sent_at(unsigned i)
{
	struct ioh_sent s;

	pthread_mutex_lock(&ioh.lock);
	s = ioh.sent[i];
	pthread_mutex_unlock(&ioh.lock);
	return s;
}

/* The device under test. */
static void (*ioh_add_hook)(WDFDEVICE dev);
static WDF_FILEOBJECT_CONFIG ioh_file_config;
static bool ioh_file_config_set;
static WDFDEVICE ioh_device;

static NTSTATUS ioh_device_add(WDFDRIVER driver, PWDFDEVICE_INIT init)
{
	NTSTATUS st;

	(void)driver;
	if (ioh_file_config_set)
		WdfDeviceInitSetFileObjectConfig(init, &ioh_file_config, NULL);
	st = WdfDeviceCreate(&init, NULL, &ioh_device);
	if (NT_SUCCESS(st) && ioh_add_hook)
		ioh_add_hook(ioh_device);
	return st;
}

/* Once per test program: the log sink (set before any runtime thread exists). */
IOH_FN int ioh_group_setup(void **state)
{
	(void)state;
	umn_log_set_sink(ioh_log_sink, NULL);
	umn_log_set_max_level(UMN_LOG_ERR);
	umn_runtime_set_kernel_mode(false);
	return 0;
}

/* A fresh driver and device 1, with hook creating its queues. */
IOH_FN void ioh_start(void (*hook)(WDFDEVICE dev))
{
	struct umn_object *o;
	struct devreg *reg;
	char err[256] = "";
	void *blob;
	size_t len;

	/* A failed test left its device behind: clear it so the next one runs on its own. */
	if (umn_rt.driver) {
		umn_rt_remove_device(IOH_DEV, err, sizeof(err));
		umn_object_delete(&umn_rt.driver->obj);
		umn_rt.driver = NULL;
		ioh_sleep_ms(50);
	}

	pthread_mutex_lock(&ioh.lock);
	memset(ioh.done, 0, sizeof(ioh.done));
	ioh.norder = 0;
	ioh.nsent = 0;
	ioh.cancel_completes = false;
	ioh.send_status = STATUS_PENDING;
	ioh.open_status = STATUS_SUCCESS;
	ioh.opened[0] = 0;
	ioh.closes = 0;
	ioh.iface_ref[0] = 0;
	ioh.symlink[0] = 0;
	memset(ioh.log, 0, sizeof(ioh.log));
	ioh.nlog = 0;
	pthread_mutex_unlock(&ioh.lock);

	umn_io_set_ops(&ioh_ops);
	assert_int_equal(umn_object_create(UMN_OBJ_DRIVER, sizeof(struct umn_driver), NULL, NULL,
					   NULL, &o),
			 STATUS_SUCCESS);
	umn_rt.driver = (struct umn_driver *)o;
	WDF_DRIVER_CONFIG_INIT(&umn_rt.driver->config, ioh_device_add);
	ioh_add_hook = hook;
	assert_int_equal(devreg_new(&reg), 0);
	assert_int_equal(devreg_serialize(reg, &blob, &len), 0);
	devreg_free(reg);
	assert_int_equal(umn_rt_add_device(IOH_DEV, "ROOT\\UMNIC\\0000", "umnic\\iotest", blob, len,
					   NULL, NULL, 0, err, sizeof(err)),
			 STATUS_SUCCESS);
	free(blob);
}

/* Removes the device and the driver; every object must be gone afterwards. */
IOH_FN void ioh_stop(void)
{
	char err[256];

	umn_rt_remove_device(IOH_DEV, err, sizeof(err));
	umn_object_delete(&umn_rt.driver->obj);
	umn_rt.driver = NULL;
	ioh_file_config_set = false;
	/* Worker tasks drop their references an instant after the callbacks return. */
	for (int i = 0; i < 2000 && umn_object_live_count(); i++)
		ioh_sleep_ms(1);
	assert_int_equal(umn_object_live_count(), 0);
}

IOH_FN void ioh_deliver_ex(uint64_t id, enum umn_io_major major, uint64_t file, void *in,
			   size_t in_len, void *out, size_t out_len, uint32_t ioctl,
			   uint64_t offset, const char *name)
{
	struct umn_io_desc d = {
		.id = id,
		.device = IOH_DEV,
		.file = file,
		.major = major,
		.ioctl = ioctl,
		.offset = offset,
		.in = in,
		.in_len = in_len,
		.out = out,
		.out_len = out_len,
		.io_type = WdfDeviceIoBuffered,
		.requestor_mode = UserMode,
		.requestor_pid = 4242,
		.desired_access = FILE_READ_DATA,
		.file_name = name,
	};

	umn_io_deliver(&d);
}

/* A read whose DeviceOffset carries its id, so callbacks can tell requests apart. */
IOH_FN void ioh_read(uint64_t id, uint64_t file, void *out, size_t out_len)
{
	ioh_deliver_ex(id, UMN_IO_READ, file, NULL, 0, out, out_len, 0, id, NULL);
}

IOH_FN uint64_t ioh_offset_of(WDFREQUEST r)
{
	WDF_REQUEST_PARAMETERS p;

	WDF_REQUEST_PARAMETERS_INIT(&p);
	WdfRequestGetParameters(r, &p);
	return p.Type == WdfRequestTypeRead ? (uint64_t)p.Parameters.Read.DeviceOffset
					    : (uint64_t)p.Parameters.Write.DeviceOffset;
}

/* Requests the driver was handed, in order. */
static struct {
	pthread_mutex_t lock;
	WDFREQUEST h[IOH_MAX_ID];
	atomic_int n;
} ioh_held = { .lock = PTHREAD_MUTEX_INITIALIZER };

IOH_FN void ioh_hold(WDFREQUEST r)
{
	pthread_mutex_lock(&ioh_held.lock);
	ioh_held.h[atomic_load(&ioh_held.n)] = r;
	atomic_fetch_add(&ioh_held.n, 1);
	pthread_mutex_unlock(&ioh_held.lock);
}

IOH_FN WDFREQUEST ioh_held_at(int i)
{
	WDFREQUEST r;

	pthread_mutex_lock(&ioh_held.lock);
	r = ioh_held.h[i];
	pthread_mutex_unlock(&ioh_held.lock);
	return r;
}

IOH_FN void ioh_held_reset(void)
{
	pthread_mutex_lock(&ioh_held.lock);
	atomic_store(&ioh_held.n, 0);
	pthread_mutex_unlock(&ioh_held.lock);
}

IOH_FN WDFQUEUE ioh_queue(WDFDEVICE dev, WDF_IO_QUEUE_CONFIG *cfg)
{
	WDFQUEUE q = NULL;

	assert_int_equal(WdfIoQueueCreate(dev, cfg, WDF_NO_OBJECT_ATTRIBUTES, &q), STATUS_SUCCESS);
	return q;
}

#endif
