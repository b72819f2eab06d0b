// SPDX-License-Identifier: MIT
/*
 * A device's PnP and power callbacks at start and removal: every callback
 * the driver registers is recorded with what it was given, and the order is
 * WDF's. Removal: SelfManagedIoSuspend, the queues purged, D0Exit,
 * ReleaseHardware (with the translated list PrepareHardware got),
 * SelfManagedIoFlush, SelfManagedIoCleanup, then the device object's
 * EvtCleanupCallback and EvtDestroyCallback. A start that fails part way
 * undoes exactly what it reached. A PnP stop (umn_rt_stop_device) keeps the
 * device: SelfManagedIoSuspend while the queues still dispatch, D0Exit to
 * D3Final (WDF's value for a stop as for a removal), ReleaseHardware; the
 * start after it: PrepareHardware with the same resources, D0Entry from
 * D3Final, the power-managed queues dispatch again, then
 * SelfManagedIoRestart; power-managed queues hold requests in between.
 */
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include "io_harness.h"

#define MAX_EVENTS 32

static struct {
	const char *ev[MAX_EVENTS];
	unsigned n;
	WDFCMRESLIST prepared_trans;	/* what PrepareHardware got */
	WDFCMRESLIST released;		/* what ReleaseHardware got */
	ULONG prepared_count, released_count;
	int purged_at_suspend, purged_at_d0exit;	/* completions of the queued read by then */
	NTSTATUS fail_prepare, fail_d0entry, fail_smio_init;
	WDF_POWER_DEVICE_STATE entry_from[4], exit_to[4];	/* what D0Entry and D0Exit got */
	unsigned nentry, nexit;
	bool parallel;		/* a parallel default queue whose reads the driver holds */
	/* Whether the default queue dispatched when Suspend and Restart ran (-1: not run). */
	int dispatching_at_suspend, dispatching_at_restart;
	WDFDEVICE device;
} pnp;

/* EvtIoStop and EvtIoResume run on I/O workers, not on the thread that stops or starts. */
static pthread_mutex_t pnp_lock = PTHREAD_MUTEX_INITIALIZER;

static void record(const char *ev)
{
	pthread_mutex_lock(&pnp_lock);
	if (pnp.n < MAX_EVENTS)
		pnp.ev[pnp.n++] = ev;
	pthread_mutex_unlock(&pnp_lock);
}

static unsigned events(void)
{
	unsigned n;

	pthread_mutex_lock(&pnp_lock);
	n = pnp.n;
	pthread_mutex_unlock(&pnp_lock);
	return n;
}

/* 1 when the device's default queue dispatches requests, 0 when it does not. */
static int default_queue_dispatching(WDFDEVICE d)
{
	WDFQUEUE q = WdfDeviceGetDefaultQueue(d);

	return q && (WdfIoQueueGetState(q, NULL, NULL) & WdfIoQueueDispatchRequests) ? 1 : 0;
}

static NTSTATUS prepare(WDFDEVICE d, WDFCMRESLIST raw, WDFCMRESLIST trans)
{
	(void)d;
	(void)raw;
	record("PrepareHardware");
	pnp.prepared_trans = trans;
	pnp.prepared_count = WdfCmResourceListGetCount(trans);
	return pnp.fail_prepare;
}

static NTSTATUS release(WDFDEVICE d, WDFCMRESLIST trans)
{
	(void)d;
	record("ReleaseHardware");
	pnp.released = trans;
	/* Still a live list, with the resources PrepareHardware saw. */
	pnp.released_count = trans ? WdfCmResourceListGetCount(trans) : 0;
	return STATUS_SUCCESS;
}

static NTSTATUS d0_entry(WDFDEVICE d, WDF_POWER_DEVICE_STATE from)
{
	(void)d;
	if (pnp.nentry < 4)
		pnp.entry_from[pnp.nentry++] = from;
	record("D0Entry");
	return pnp.fail_d0entry;
}

static NTSTATUS d0_exit(WDFDEVICE d, WDF_POWER_DEVICE_STATE to)
{
	(void)d;
	if (pnp.nexit < 4)
		pnp.exit_to[pnp.nexit++] = to;
	record("D0Exit");
	pnp.purged_at_d0exit = ioh_done_count(1);
	return STATUS_SUCCESS;
}

static NTSTATUS smio_init(WDFDEVICE d)
{
	(void)d;
	record("SelfManagedIoInit");
	return pnp.fail_smio_init;
}

static NTSTATUS smio_suspend(WDFDEVICE d)
{
	record("SelfManagedIoSuspend");
	pnp.purged_at_suspend = ioh_done_count(1);
	pnp.dispatching_at_suspend = default_queue_dispatching(d);
	return STATUS_SUCCESS;
}

/* After a PnP stop, when the device returns to D0. */
static NTSTATUS smio_restart(WDFDEVICE d)
{
	record("SelfManagedIoRestart");
	pnp.dispatching_at_restart = default_queue_dispatching(d);
	return STATUS_SUCCESS;
}

static VOID smio_flush(WDFDEVICE d)
{
	(void)d;
	record("SelfManagedIoFlush");
}

static VOID smio_cleanup(WDFDEVICE d)
{
	(void)d;
	record("SelfManagedIoCleanup");
}

static VOID obj_cleanup(WDFOBJECT o)
{
	(void)o;
	record("EvtCleanupCallback");
}

static VOID obj_destroy(WDFOBJECT o)
{
	(void)o;
	record("EvtDestroyCallback");
}

static VOID io_read(WDFQUEUE q, WDFREQUEST r, size_t len)
{
	(void)q;
	(void)len;
	ioh_hold(r);
}

static VOID io_stop(WDFQUEUE q, WDFREQUEST r, ULONG flags)
{
	(void)q;
	if (flags & WdfRequestStopActionSuspend) {
		/* Recorded once acknowledged, a while later: D0Exit waits for the return. */
		WdfRequestStopAcknowledge(r, FALSE);
		ioh_sleep_ms(20);
		record("IoStop(Suspend)");
	} else {
		record("IoStop(Purge)");
		WdfRequestComplete(r, STATUS_CANCELLED);
	}
}

static VOID io_resume(WDFQUEUE q, WDFREQUEST r)
{
	(void)q;
	(void)r;
	/* Late on purpose: the start waits for the return before SelfManagedIoRestart. */
	ioh_sleep_ms(20);
	record("IoResume");
}

static NTSTATUS device_add(WDFDRIVER driver, PWDFDEVICE_INIT init)
{
	WDF_PNPPOWER_EVENT_CALLBACKS cb;
	WDF_OBJECT_ATTRIBUTES attrs;
	WDF_IO_QUEUE_CONFIG qc;
	WDFDEVICE dev;
	NTSTATUS st;

	(void)driver;
	WDF_PNPPOWER_EVENT_CALLBACKS_INIT(&cb);
	cb.EvtDevicePrepareHardware = prepare;
	cb.EvtDeviceReleaseHardware = release;
	cb.EvtDeviceD0Entry = d0_entry;
	cb.EvtDeviceD0Exit = d0_exit;
	cb.EvtDeviceSelfManagedIoInit = smio_init;
	cb.EvtDeviceSelfManagedIoSuspend = smio_suspend;
	cb.EvtDeviceSelfManagedIoFlush = smio_flush;
	cb.EvtDeviceSelfManagedIoRestart = smio_restart;
	cb.EvtDeviceSelfManagedIoCleanup = smio_cleanup;
	WdfDeviceInitSetPnpPowerEventCallbacks(init, &cb);
	WDF_OBJECT_ATTRIBUTES_INIT(&attrs);
	attrs.EvtCleanupCallback = obj_cleanup;
	attrs.EvtDestroyCallback = obj_destroy;
	st = WdfDeviceCreate(&init, &attrs, &dev);
	if (!NT_SUCCESS(st))
		return st;
	pnp.device = dev;
	if (pnp.parallel) {
		/* Power-managed (the default): the driver holds each read it is given. */
		WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&qc, WdfIoQueueDispatchParallel);
		qc.EvtIoRead = io_read;
		qc.EvtIoStop = io_stop;
		qc.EvtIoResume = io_resume;
	} else {
		/* A manual queue keeps the read it is given until the device goes. */
		WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&qc, WdfIoQueueDispatchManual);
	}
	ioh_queue(dev, &qc);
	return STATUS_SUCCESS;
}

/* Adds device 1 with two granted descriptors; returns what umn_rt_add_device did. */
static NTSTATUS add_device(void);

static NTSTATUS add(void)
{
	struct umn_object *o;

	umn_io_set_ops(&ioh_ops);
	assert_int_equal(umn_object_create(UMN_OBJ_DRIVER, sizeof(struct umn_driver), NULL, NULL,
					   NULL, &o),
			 STATUS_SUCCESS);
	umn_rt.driver = (struct umn_driver *)o;
	WDF_DRIVER_CONFIG_INIT(&umn_rt.driver->config, device_add);
	return add_device();
}

/* Adds device 1 to the loaded driver, as a start or a restart does. */
static NTSTATUS add_device(void)
{
	struct devreg *reg;
	char err[256] = "";
	int fds[2] = { open("/dev/null", O_RDONLY | O_CLOEXEC),
		       open("/dev/null", O_RDONLY | O_CLOEXEC) };
	uint32_t kinds[2] = { UMNIC_RESOURCE_FD_GENERIC, UMNIC_RESOURCE_FD_GENERIC };
	void *blob;
	size_t len;
	NTSTATUS st;

	assert_true(fds[0] >= 0 && fds[1] >= 0);
	assert_int_equal(devreg_new(&reg), 0);
	assert_int_equal(devreg_serialize(reg, &blob, &len), 0);
	devreg_free(reg);
	st = umn_rt_add_device(IOH_DEV, "ROOT\\UMNIC\\0000", "umnic\\pnptest", blob, len, fds,
			       kinds, 2, err, sizeof(err));
	free(blob);
	return st;
}

static void finish(void)
{
	umn_object_delete(&umn_rt.driver->obj);
	umn_rt.driver = NULL;
	for (int i = 0; i < 2000 && umn_object_live_count(); i++)
		ioh_sleep_ms(1);
	assert_int_equal(umn_object_live_count(), 0);
}

static void reset(void)
{
	memset(&pnp, 0, sizeof(pnp));
	memset(ioh.done, 0, sizeof(ioh.done));
	ioh_held_reset();
	pnp.purged_at_suspend = pnp.purged_at_d0exit = -1;
	pnp.dispatching_at_suspend = pnp.dispatching_at_restart = -1;
}

static void expect(const char *const *want, unsigned n)
{
	for (unsigned i = 0; i < n && i < pnp.n; i++)
		if (strcmp(pnp.ev[i], want[i]))
			fail_msg("callback %u: expected %s, got %s", i, want[i], pnp.ev[i]);
	if (pnp.n != n)
		fail_msg("%u callbacks, expected %u (last: %s)", pnp.n, n,
			 pnp.n ? pnp.ev[pnp.n - 1] : "-");
}

static void test_removal_order(void **state)
{
	static const char *const want[] = {
		"PrepareHardware", "D0Entry", "SelfManagedIoInit",
		"SelfManagedIoSuspend", "D0Exit", "ReleaseHardware", "SelfManagedIoFlush",
		"SelfManagedIoCleanup", "EvtCleanupCallback", "EvtDestroyCallback",
	};
	char err[256];
	char out[8];

	(void)state;
	reset();
	assert_int_equal(add(), STATUS_SUCCESS);
	ioh_read(1, 0, out, sizeof(out));
	ioh_sleep_ms(20);
	assert_int_equal(ioh_done_count(1), 0);
	assert_int_equal(umn_rt_remove_device(IOH_DEV, err, sizeof(err)), STATUS_SUCCESS);
	for (int i = 0; i < 2000 && events() < 10; i++)
		ioh_sleep_ms(1);
	expect(want, 10);
	/* The read waiting in the queue was purged after the suspend and before D0Exit. */
	assert_int_equal(pnp.purged_at_suspend, 0);
	assert_int_equal(pnp.purged_at_d0exit, 1);
	assert_int_equal(ioh_wait_done(1, 2000).status, STATUS_CANCELLED);
	assert_non_null(pnp.prepared_trans);
	assert_ptr_equal(pnp.released, pnp.prepared_trans);
	assert_int_equal(pnp.prepared_count, 2);
	assert_int_equal(pnp.released_count, 2);
	finish();
}

/* SelfManagedIoInit fails: no suspend (it never ran), the rest undone. */
static void test_failed_smio_init(void **state)
{
	static const char *const want[] = {
		"PrepareHardware", "D0Entry", "SelfManagedIoInit",
		"D0Exit", "ReleaseHardware", "SelfManagedIoFlush",
		"SelfManagedIoCleanup", "EvtCleanupCallback", "EvtDestroyCallback",
	};

	(void)state;
	reset();
	pnp.fail_smio_init = STATUS_INSUFFICIENT_RESOURCES;
	assert_int_equal(add(), STATUS_INSUFFICIENT_RESOURCES);
	for (int i = 0; i < 2000 && events() < 9; i++)
		ioh_sleep_ms(1);
	expect(want, 9);
	assert_ptr_equal(pnp.released, pnp.prepared_trans);
	finish();
}

/* D0Entry fails: the hardware is released, D0Exit and self-managed I/O are not involved. */
static void test_failed_d0_entry(void **state)
{
	static const char *const want[] = {
		"PrepareHardware", "D0Entry", "ReleaseHardware",
		"EvtCleanupCallback", "EvtDestroyCallback",
	};

	(void)state;
	reset();
	pnp.fail_d0entry = STATUS_DEVICE_NOT_READY;
	assert_int_equal(add(), STATUS_DEVICE_NOT_READY);
	for (int i = 0; i < 2000 && events() < 5; i++)
		ioh_sleep_ms(1);
	expect(want, 5);
	assert_ptr_equal(pnp.released, pnp.prepared_trans);
	finish();
}

/* PrepareHardware fails: WDF still calls ReleaseHardware, with the same list. */
static void test_failed_prepare(void **state)
{
	static const char *const want[] = {
		"PrepareHardware", "ReleaseHardware", "EvtCleanupCallback", "EvtDestroyCallback",
	};

	(void)state;
	reset();
	pnp.fail_prepare = STATUS_DEVICE_CONFIGURATION_ERROR;
	assert_int_equal(add(), STATUS_DEVICE_CONFIGURATION_ERROR);
	for (int i = 0; i < 2000 && events() < 4; i++)
		ioh_sleep_ms(1);
	expect(want, 4);
	assert_ptr_equal(pnp.released, pnp.prepared_trans);
	assert_int_equal(pnp.released_count, 2);
	finish();
}

/*
 * A device restarted after a failure (umnicd removes it and adds it again,
 * in the same process for an in-host driver) is a new device stack, as in
 * WDF: the teardown in removal order, then a fresh start with
 * SelfManagedIoInit, never SelfManagedIoRestart (that is for a return to
 * D0 of a device that stayed, which umnic devices never leave).
 */
static void test_restart_after_failure(void **state)
{
	static const char *const want[] = {
		"PrepareHardware", "D0Entry", "SelfManagedIoInit",
		"SelfManagedIoSuspend", "D0Exit", "ReleaseHardware", "SelfManagedIoFlush",
		"SelfManagedIoCleanup", "EvtCleanupCallback", "EvtDestroyCallback",
		"PrepareHardware", "D0Entry", "SelfManagedIoInit",
		"SelfManagedIoSuspend", "D0Exit", "ReleaseHardware", "SelfManagedIoFlush",
		"SelfManagedIoCleanup", "EvtCleanupCallback", "EvtDestroyCallback",
	};
	char err[256];

	(void)state;
	reset();
	assert_int_equal(add(), STATUS_SUCCESS);
	assert_int_equal(umn_rt_remove_device(IOH_DEV, err, sizeof(err)), STATUS_SUCCESS);
	for (int i = 0; i < 2000 && events() < 10; i++)
		ioh_sleep_ms(1);
	assert_int_equal(add_device(), STATUS_SUCCESS);
	assert_int_equal(umn_rt_remove_device(IOH_DEV, err, sizeof(err)), STATUS_SUCCESS);
	for (int i = 0; i < 2000 && events() < 20; i++)
		ioh_sleep_ms(1);
	expect(want, 20);
	finish();
}

static void wait_events(unsigned n)
{
	for (int i = 0; i < 4000 && events() < n; i++)
		ioh_sleep_ms(1);
}

/*
 * start -> stop -> start -> remove: the stop leaves D0 for D3Final and
 * releases the hardware without Flush or Cleanup; the start prepares the
 * same resources, enters D0 from D3Final and runs SelfManagedIoRestart, not
 * Init, once the power-managed queues dispatch again; the
 * removal is the full one. A read waiting in a power-managed queue stays
 * through the stop and the start, a read sent while stopped is accepted
 * and waits too; the removal cancels both.
 */
static void test_stop_start_remove(void **state)
{
	static const char *const want[] = {
		"PrepareHardware", "D0Entry", "SelfManagedIoInit",
		"SelfManagedIoSuspend", "D0Exit", "ReleaseHardware",
		"PrepareHardware", "D0Entry", "SelfManagedIoRestart",
		"SelfManagedIoSuspend", "D0Exit", "ReleaseHardware", "SelfManagedIoFlush",
		"SelfManagedIoCleanup", "EvtCleanupCallback", "EvtDestroyCallback",
	};
	WDFCMRESLIST first;
	char err[256] = "";
	char out[8];

	(void)state;
	reset();
	assert_int_equal(add(), STATUS_SUCCESS);
	first = pnp.prepared_trans;
	ioh_read(1, 0, out, sizeof(out));
	assert_int_equal(umn_rt_stop_device(IOH_DEV, err, sizeof(err)), STATUS_SUCCESS);
	assert_int_equal(pnp.n, 6);
	assert_ptr_equal(pnp.released, first);
	/* WDF suspends self-managed I/O before it stops the power-managed queues. */
	assert_int_equal(pnp.dispatching_at_suspend, 1);
	assert_int_equal(default_queue_dispatching(pnp.device), 0);
	/* Stopping a stopped device is refused and says so; nothing runs. */
	assert_int_equal(umn_rt_stop_device(IOH_DEV, err, sizeof(err)), STATUS_INVALID_DEVICE_STATE);
	assert_non_null(strstr(err, "stopped already"));
	ioh_read(2, 0, out, sizeof(out));
	ioh_sleep_ms(20);
	assert_int_equal(ioh_done_count(1), 0);
	assert_int_equal(ioh_done_count(2), 0);
	assert_int_equal(umn_rt_start_device(IOH_DEV, err, sizeof(err)), STATUS_SUCCESS);
	assert_int_equal(pnp.n, 9);
	/* ... and restarts them before it restarts self-managed I/O. */
	assert_int_equal(pnp.dispatching_at_restart, 1);
	/* The same resource list, with the same descriptors. */
	assert_ptr_equal(pnp.prepared_trans, first);
	assert_int_equal(pnp.prepared_count, 2);
	assert_int_equal(umn_rt_start_device(IOH_DEV, err, sizeof(err)), STATUS_INVALID_DEVICE_STATE);
	assert_non_null(strstr(err, "is started"));
	ioh_sleep_ms(20);
	assert_int_equal(ioh_done_count(1), 0);
	assert_int_equal(ioh_done_count(2), 0);
	assert_int_equal(umn_rt_remove_device(IOH_DEV, err, sizeof(err)), STATUS_SUCCESS);
	wait_events(16);
	expect(want, 16);
	assert_int_equal(pnp.nentry, 2);
	assert_int_equal(pnp.entry_from[0], WdfPowerDeviceD3Final);
	assert_int_equal(pnp.entry_from[1], WdfPowerDeviceD3Final);
	assert_int_equal(pnp.nexit, 2);
	assert_int_equal(pnp.exit_to[0], WdfPowerDeviceD3Final);
	assert_int_equal(pnp.exit_to[1], WdfPowerDeviceD3Final);
	assert_int_equal(ioh_wait_done(1, 2000).status, STATUS_CANCELLED);
	assert_int_equal(ioh_wait_done(2, 2000).status, STATUS_CANCELLED);
	finish();
}

/* start -> stop -> remove: the removal of a stopped device runs Flush and Cleanup only. */
static void test_stop_remove(void **state)
{
	static const char *const want[] = {
		"PrepareHardware", "D0Entry", "SelfManagedIoInit",
		"SelfManagedIoSuspend", "D0Exit", "ReleaseHardware",
		"SelfManagedIoFlush", "SelfManagedIoCleanup", "EvtCleanupCallback",
		"EvtDestroyCallback",
	};
	char err[256] = "";
	char out[8];

	(void)state;
	reset();
	assert_int_equal(add(), STATUS_SUCCESS);
	ioh_read(1, 0, out, sizeof(out));
	assert_int_equal(umn_rt_stop_device(IOH_DEV, err, sizeof(err)), STATUS_SUCCESS);
	assert_int_equal(umn_rt_remove_device(IOH_DEV, err, sizeof(err)), STATUS_SUCCESS);
	wait_events(10);
	expect(want, 10);
	assert_int_equal(pnp.nexit, 1);
	assert_int_equal(pnp.exit_to[0], WdfPowerDeviceD3Final);
	assert_int_equal(ioh_wait_done(1, 2000).status, STATUS_CANCELLED);
	finish();
}

/*
 * What a stop does to I/O the driver holds, as WDF does for a power-managed
 * queue: EvtIoStop with WdfRequestStopActionSuspend before D0Exit, and the
 * stop waits for the acknowledgement; new requests are not presented until
 * the start, which restarts the queue (EvtIoResume for the held request)
 * before SelfManagedIoRestart. EvtIoStop and EvtIoResume run on I/O
 * workers; the stop and the start wait until they have returned, so both
 * record late on purpose and still come before D0Exit and
 * SelfManagedIoRestart, with everything recorded when the calls return.
 */
static void test_stop_suspends_held_requests(void **state)
{
	static const char *const want[] = {
		"PrepareHardware", "D0Entry", "SelfManagedIoInit",
		"SelfManagedIoSuspend", "IoStop(Suspend)", "D0Exit", "ReleaseHardware",
		"PrepareHardware", "D0Entry", "IoResume", "SelfManagedIoRestart",
	};
	char err[256] = "";
	char out[8];

	(void)state;
	reset();
	pnp.parallel = true;
	assert_int_equal(add(), STATUS_SUCCESS);
	ioh_read(1, 0, out, sizeof(out));
	for (int i = 0; i < 2000 && atomic_load(&ioh_held.n) < 1; i++)
		ioh_sleep_ms(1);
	assert_int_equal(atomic_load(&ioh_held.n), 1);
	assert_int_equal(umn_rt_stop_device(IOH_DEV, err, sizeof(err)), STATUS_SUCCESS);
	assert_int_equal(pnp.n, 7);
	ioh_read(2, 0, out, sizeof(out));
	ioh_sleep_ms(50);
	assert_int_equal(atomic_load(&ioh_held.n), 1);
	assert_int_equal(ioh_done_count(2), 0);
	assert_int_equal(umn_rt_start_device(IOH_DEV, err, sizeof(err)), STATUS_SUCCESS);
	assert_int_equal(events(), 11);
	for (unsigned i = 0; i < 11; i++)
		assert_string_equal(pnp.ev[i], want[i]);
	assert_int_equal(pnp.dispatching_at_restart, 1);
	for (int i = 0; i < 2000 && atomic_load(&ioh_held.n) < 2; i++)
		ioh_sleep_ms(1);
	assert_int_equal(atomic_load(&ioh_held.n), 2);
	WdfRequestComplete(ioh_held_at(0), STATUS_SUCCESS);
	WdfRequestComplete(ioh_held_at(1), STATUS_SUCCESS);
	assert_int_equal(ioh_wait_done(1, 2000).status, STATUS_SUCCESS);
	assert_int_equal(ioh_wait_done(2, 2000).status, STATUS_SUCCESS);
	assert_int_equal(umn_rt_remove_device(IOH_DEV, err, sizeof(err)), STATUS_SUCCESS);
	finish();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_removal_order),
		cmocka_unit_test(test_failed_smio_init),
		cmocka_unit_test(test_failed_d0_entry),
		cmocka_unit_test(test_failed_prepare),
		cmocka_unit_test(test_restart_after_failure),
		cmocka_unit_test(test_stop_start_remove),
		cmocka_unit_test(test_stop_remove),
		cmocka_unit_test(test_stop_suspends_held_requests),
	};

	return cmocka_run_group_tests(tests, ioh_group_setup, NULL);
}
