// SPDX-License-Identifier: MIT
/*
 * Requests and file objects, driven through umn_io_deliver with a fake OS
 * side: parameters, buffers and memory, completion rules, cancellation
 * (including cancel racing completion), stop acknowledgement, and the
 * create/cleanup/close order of file objects with I/O outstanding.
 */
#include "io_harness.h"

static char out_buf[64][16];

static void hold_any(WDFQUEUE q, WDFREQUEST r)
{
	(void)q;
	ioh_hold(r);
}

static void hold_read(WDFQUEUE q, WDFREQUEST r, size_t len)
{
	(void)q;
	(void)len;
	ioh_hold(r);
}

static WDFQUEUE held_q;

static void hold_hook(WDFDEVICE dev)
{
	WDF_IO_QUEUE_CONFIG c;

	WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&c, WdfIoQueueDispatchParallel);
	c.EvtIoDefault = hold_any;
	held_q = ioh_queue(dev, &c);
}

static void test_parameters_and_buffers(void **state)
{
	char in[5] = "abcd", out[16], wdata[3] = "xy";
	WDFREQUEST rd, wr, ioc, ioc0;
	WDF_REQUEST_PARAMETERS p;
	WDFMEMORY mem, mem2;
	size_t len = 0, msize = 0;
	void *b = NULL;

	(void)state;
	ioh_held_reset();
	ioh_start(hold_hook);
	ioh_deliver_ex(1, UMN_IO_READ, 0, NULL, 0, out, sizeof(out), 0, 4096, NULL);
	assert_int_equal(ioh_wait_int(&ioh_held.n, 1, 2000), 1);
	ioh_deliver_ex(2, UMN_IO_WRITE, 0, wdata, 3, NULL, 0, 0, 8, NULL);
	assert_int_equal(ioh_wait_int(&ioh_held.n, 2, 2000), 2);
	ioh_deliver_ex(3, UMN_IO_DEVICE_CONTROL, 0, in, 5, out, 12, 0x222010, 0, NULL);
	assert_int_equal(ioh_wait_int(&ioh_held.n, 3, 2000), 3);
	ioh_deliver_ex(4, UMN_IO_DEVICE_CONTROL, 0, NULL, 0, out, 12, 0x222014, 0, NULL);
	assert_int_equal(ioh_wait_int(&ioh_held.n, 4, 2000), 4);
	rd = ioh_held_at(0);
	wr = ioh_held_at(1);
	ioc = ioh_held_at(2);
	ioc0 = ioh_held_at(3);

	WDF_REQUEST_PARAMETERS_INIT(&p);
	WdfRequestGetParameters(rd, &p);
	assert_int_equal(p.Type, WdfRequestTypeRead);
	assert_int_equal(p.Parameters.Read.Length, sizeof(out));
	assert_int_equal(p.Parameters.Read.DeviceOffset, 4096);
	WDF_REQUEST_PARAMETERS_INIT(&p);
	WdfRequestGetParameters(wr, &p);
	assert_int_equal(p.Type, WdfRequestTypeWrite);
	assert_int_equal(p.Parameters.Write.Length, 3);
	assert_int_equal(p.Parameters.Write.DeviceOffset, 8);
	WDF_REQUEST_PARAMETERS_INIT(&p);
	WdfRequestGetParameters(ioc, &p);
	assert_int_equal(p.Type, WdfRequestTypeDeviceControl);
	assert_int_equal(p.Parameters.DeviceIoControl.OutputBufferLength, 12);
	assert_int_equal(p.Parameters.DeviceIoControl.InputBufferLength, 5);
	assert_int_equal(p.Parameters.DeviceIoControl.IoControlCode, 0x222010);

	/* Output buffer: minimum length, and reads have no input buffer. */
	assert_int_equal(WdfRequestRetrieveOutputBuffer(rd, 8, &b, &len), STATUS_SUCCESS);
	assert_ptr_equal(b, out);
	assert_int_equal(len, sizeof(out));
	assert_int_equal(WdfRequestRetrieveOutputBuffer(rd, 17, &b, &len), STATUS_BUFFER_TOO_SMALL);
	assert_int_equal(WdfRequestRetrieveInputBuffer(rd, 0, &b, &len),
			 STATUS_INVALID_DEVICE_REQUEST);
	assert_int_equal(WdfRequestRetrieveOutputBuffer(wr, 0, &b, &len),
			 STATUS_INVALID_DEVICE_REQUEST);
	assert_int_equal(WdfRequestRetrieveInputBuffer(wr, 3, &b, NULL), STATUS_SUCCESS);
	assert_ptr_equal(b, wdata);
	assert_int_equal(WdfRequestRetrieveInputBuffer(ioc, 5, &b, &len), STATUS_SUCCESS);
	assert_ptr_equal(b, in);
	assert_int_equal(len, 5);
	/* An empty input buffer is too small whatever the minimum. */
	assert_int_equal(WdfRequestRetrieveInputBuffer(ioc0, 0, &b, &len), STATUS_BUFFER_TOO_SMALL);

	/* Memory objects over the same buffers; the input one is read-only. */
	assert_int_equal(WdfRequestRetrieveOutputMemory(rd, &mem), STATUS_SUCCESS);
	assert_ptr_equal(WdfMemoryGetBuffer(mem, &msize), out);
	assert_int_equal(msize, sizeof(out));
	assert_int_equal(WdfRequestRetrieveOutputMemory(rd, &mem2), STATUS_SUCCESS);
	assert_ptr_equal(mem, mem2);
	assert_int_equal(WdfMemoryCopyFromBuffer(mem, 0, "hi", 2), STATUS_SUCCESS);
	assert_memory_equal(out, "hi", 2);
	WdfObjectDelete(mem);	/* refused: it belongs to the request */
	assert_ptr_equal(WdfMemoryGetBuffer(mem, NULL), out);
	assert_int_equal(WdfRequestRetrieveInputMemory(wr, &mem), STATUS_SUCCESS);
	assert_int_equal(WdfMemoryCopyFromBuffer(mem, 0, "zz", 2), STATUS_ACCESS_VIOLATION);
	assert_int_equal(WdfRequestRetrieveInputMemory(rd, &mem), STATUS_INVALID_DEVICE_REQUEST);

	/* Origin. */
	assert_int_equal(WdfRequestGetRequestorMode(rd), UserMode);
	assert_int_equal(WdfRequestGetRequestorProcessId(rd), 4242);
	assert_false(WdfRequestIsFromUserModeDriver(rd));
	assert_int_equal(WdfRequestGetEffectiveIoType(rd), WdfDeviceIoBuffered);
	assert_ptr_equal(WdfRequestGetIoQueue(rd), held_q);
	assert_null(WdfRequestGetFileObject(rd));

	WdfRequestSetInformation(rd, 6);
	assert_int_equal(WdfRequestGetInformation(rd), 6);
	WdfRequestComplete(rd, STATUS_SUCCESS);
	assert_int_equal(ioh_wait_done(1, 2000).info, 6);
	WdfRequestCompleteWithInformation(wr, STATUS_SUCCESS, 3);
	WdfRequestComplete(ioc, STATUS_NOT_SUPPORTED);
	WdfRequestComplete(ioc0, STATUS_SUCCESS);
	assert_int_equal(ioh_wait_done(3, 2000).status, STATUS_NOT_SUPPORTED);
	ioh_stop();
}

static void test_requestor_fields(void **state)
{
	struct umn_io_desc d = {
		.id = 1, .device = IOH_DEV, .major = UMN_IO_READ, .out = out_buf[1], .out_len = 16,
		.offset = 1, .io_type = WdfDeviceIoDirect, .requestor_mode = UserMode,
		.from_user_mode_driver = TRUE, .requestor_pid = 777,
	};
	WDFREQUEST r;
	int first;

	(void)state;
	ioh_held_reset();
	ioh_start(hold_hook);
	umn_io_deliver(&d);
	d.id = 2;
	d.offset = 2;
	d.requestor_mode = KernelMode;
	d.requestor_pid = 0;
	umn_io_deliver(&d);
	assert_int_equal(ioh_wait_int(&ioh_held.n, 2, 2000), 2);
	/* A parallel queue may present them on two workers in either order. */
	first = ioh_offset_of(ioh_held_at(0)) == 1 ? 0 : 1;
	r = ioh_held_at(first);
	assert_int_equal(WdfRequestGetEffectiveIoType(r), WdfDeviceIoDirect);
	assert_true(WdfRequestIsFromUserModeDriver(r));
	assert_int_equal(WdfRequestGetRequestorProcessId(r), 777);
	r = ioh_held_at(1 - first);
	assert_int_equal(WdfRequestGetRequestorMode(r), KernelMode);
	/* Only meaningful for user-mode requestors. */
	assert_false(WdfRequestIsFromUserModeDriver(r));
	WdfRequestComplete(ioh_held_at(0), STATUS_SUCCESS);
	WdfRequestComplete(ioh_held_at(1), STATUS_SUCCESS);
	ioh_stop();
}

static void test_complete_twice(void **state)
{
	WDFREQUEST r;

	(void)state;
	ioh_held_reset();
	ioh_start(hold_hook);
	ioh_read(1, 0, out_buf[1], 16);
	assert_int_equal(ioh_wait_int(&ioh_held.n, 1, 2000), 1);
	r = ioh_held_at(0);
	WdfObjectReference(r);
	WdfRequestCompleteWithInformation(r, STATUS_SUCCESS, 4);
	/* Still referenced: the handle resolves and remembers the outcome. */
	assert_int_equal(WdfRequestGetStatus(r), STATUS_SUCCESS);
	assert_int_equal(WdfRequestGetInformation(r), 4);
	WdfRequestComplete(r, STATUS_UNSUCCESSFUL);
	assert_true(ioh_log_has("RequestCompletedTwice"));
	WdfObjectDereference(r);
	/* Now freed: refused without touching the memory. */
	WdfRequestComplete(r, STATUS_UNSUCCESSFUL);
	assert_true(ioh_log_has("is not a live WDFREQUEST"));
	ioh_sleep_ms(10);
	assert_int_equal(ioh_done_count(1), 1);
	assert_int_equal(ioh_wait_done(1, 10).status, STATUS_SUCCESS);
	ioh_stop();
}

static WDFQUEUE manual_q;

static void manual_hook(WDFDEVICE dev)
{
	WDF_IO_QUEUE_CONFIG c;

	WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&c, WdfIoQueueDispatchManual);
	manual_q = ioh_queue(dev, &c);
}

/* A request still in a queue is not the driver's to complete. */
static void test_complete_not_owned(void **state)
{
	WDFREQUEST r = NULL;

	(void)state;
	ioh_start(manual_hook);
	ioh_read(1, 0, out_buf[1], 16);
	assert_int_equal(WdfIoQueueFindRequest(manual_q, NULL, NULL, NULL, &r), STATUS_SUCCESS);
	WdfRequestComplete(r, STATUS_SUCCESS);
	assert_true(ioh_log_has("RequestNotOwnedByDriver"));
	assert_int_equal(ioh_done_count(1), 0);
	WdfObjectDereference(r);
	assert_int_equal(WdfIoQueueRetrieveNextRequest(manual_q, &r), STATUS_SUCCESS);
	WdfRequestComplete(r, STATUS_SUCCESS);
	assert_int_equal(ioh_wait_done(1, 2000).count, 1);
	ioh_stop();
}

static void test_information_too_large(void **state)
{
	struct ioh_done d;

	(void)state;
	ioh_held_reset();
	ioh_start(hold_hook);
	ioh_read(1, 0, out_buf[1], 16);
	assert_int_equal(ioh_wait_int(&ioh_held.n, 1, 2000), 1);
	WdfRequestCompleteWithInformation(ioh_held_at(0), STATUS_SUCCESS, 100);
	d = ioh_wait_done(1, 2000);
	/* Passed on unchanged: umnicd enforces the limit and must see the value. */
	assert_int_equal(d.info, 100);
	assert_true(ioh_log_has("RequestInformationTooLarge"));
	ioh_stop();
}

/* Completing under a spin lock (DISPATCH_LEVEL) is allowed and must not wait. */
static WDFSPINLOCK dispatch_lock;
static atomic_int dispatch_irql;

static void complete_at_dispatch(WDFQUEUE q, WDFREQUEST r, size_t len)
{
	(void)q;
	WdfSpinLockAcquire(dispatch_lock);
	atomic_store(&dispatch_irql, umn_irql_current());
	WdfRequestCompleteWithInformation(r, STATUS_SUCCESS, len);
	WdfSpinLockRelease(dispatch_lock);
}

/* A spin lock the device owns (dispatch_lock), and a default queue that reads with read. */
static void lock_and_queue(WDFDEVICE dev, WDF_IO_QUEUE_DISPATCH_TYPE type,
			   PFN_WDF_IO_QUEUE_IO_READ read)
{
	WDF_IO_QUEUE_CONFIG c;
	WDF_OBJECT_ATTRIBUTES a;

	WDF_OBJECT_ATTRIBUTES_INIT(&a);
	a.ParentObject = dev;
	assert_int_equal(WdfSpinLockCreate(&a, &dispatch_lock), STATUS_SUCCESS);
	WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&c, type);
	c.EvtIoRead = read;
	ioh_queue(dev, &c);
}

static void dispatch_hook(WDFDEVICE dev)
{
	lock_and_queue(dev, WdfIoQueueDispatchSequential, complete_at_dispatch);
}

static void test_complete_at_dispatch(void **state)
{
	(void)state;
	ioh_start(dispatch_hook);
	for (int i = 1; i <= 3; i++)
		ioh_read(i, 0, out_buf[i], 16);
	for (int i = 1; i <= 3; i++)
		assert_int_equal(ioh_wait_done(i, 2000).info, 16);
	assert_int_equal(atomic_load(&dispatch_irql), DISPATCH_LEVEL);
	assert_false(ioh_log_has("IRQL"));
	ioh_stop();
}

/*
 * Removing the device waits for callbacks still running on its queues: this
 * one completes its request, then keeps using a device-owned spin lock for a
 * while, which must still exist.
 */
static atomic_int late_returned;

static void complete_then_linger(WDFQUEUE q, WDFREQUEST r, size_t len)
{
	(void)q;
	(void)len;
	WdfRequestComplete(r, STATUS_SUCCESS);
	ioh_sleep_ms(100);
	WdfSpinLockAcquire(dispatch_lock);
	WdfSpinLockRelease(dispatch_lock);
	atomic_store(&late_returned, 1);
}

static void linger_hook(WDFDEVICE dev)
{
	lock_and_queue(dev, WdfIoQueueDispatchParallel, complete_then_linger);
}

static void test_remove_waits_for_callbacks(void **state)
{
	char err[256];

	(void)state;
	atomic_store(&late_returned, 0);
	ioh_start(linger_hook);
	ioh_read(1, 0, out_buf[1], 16);
	assert_int_equal(ioh_wait_done(1, 2000).status, STATUS_SUCCESS);
	assert_int_equal(atomic_load(&late_returned), 0);
	assert_int_equal(umn_rt_remove_device(IOH_DEV, err, sizeof(err)), STATUS_SUCCESS);
	assert_int_equal(atomic_load(&late_returned), 1);
	ioh_stop();
}

/* Cancellation of requests the driver holds. */
static atomic_int cancel_calls;

static void cancel_routine(WDFREQUEST r)
{
	atomic_fetch_add(&cancel_calls, 1);
	WdfRequestComplete(r, STATUS_CANCELLED);
}

static void test_cancelable(void **state)
{
	WDFREQUEST r;

	(void)state;
	atomic_store(&cancel_calls, 0);
	ioh_held_reset();
	ioh_start(hold_hook);

	/* Marked cancelable, then cancelled: the routine runs once and completes it. */
	ioh_read(1, 0, out_buf[1], 16);
	assert_int_equal(ioh_wait_int(&ioh_held.n, 1, 2000), 1);
	r = ioh_held_at(0);
	WdfObjectReference(r);
	WdfRequestMarkCancelable(r, cancel_routine);
	assert_false(WdfRequestIsCanceled(r));
	umn_io_cancel(1);
	umn_io_cancel(1);
	assert_int_equal(ioh_wait_done(1, 2000).status, STATUS_CANCELLED);
	assert_int_equal(atomic_load(&cancel_calls), 1);
	assert_true(WdfRequestIsCanceled(r));
	assert_int_equal(WdfRequestUnmarkCancelable(r), STATUS_CANCELLED);
	WdfObjectDereference(r);

	/* Cancelled before being marked: the Ex form refuses, the driver completes it. */
	ioh_read(2, 0, out_buf[2], 16);
	assert_int_equal(ioh_wait_int(&ioh_held.n, 2, 2000), 2);
	r = ioh_held_at(1);
	umn_io_cancel(2);
	assert_true(WdfRequestIsCanceled(r));
	assert_int_equal(WdfRequestMarkCancelableEx(r, cancel_routine), STATUS_CANCELLED);
	assert_int_equal(WdfRequestUnmarkCancelable(r), STATUS_INVALID_DEVICE_REQUEST);
	WdfRequestComplete(r, STATUS_CANCELLED);
	assert_int_equal(ioh_wait_done(2, 2000).status, STATUS_CANCELLED);
	assert_int_equal(atomic_load(&cancel_calls), 1);

	/* Cancelled before being marked: the plain form runs the routine. */
	ioh_read(3, 0, out_buf[3], 16);
	assert_int_equal(ioh_wait_int(&ioh_held.n, 3, 2000), 3);
	r = ioh_held_at(2);
	umn_io_cancel(3);
	WdfRequestMarkCancelable(r, cancel_routine);
	assert_int_equal(ioh_wait_done(3, 2000).status, STATUS_CANCELLED);
	assert_int_equal(atomic_load(&cancel_calls), 2);

	/* Unmarked in time: the cancel only sets the flag. */
	ioh_read(4, 0, out_buf[4], 16);
	assert_int_equal(ioh_wait_int(&ioh_held.n, 4, 2000), 4);
	r = ioh_held_at(3);
	assert_int_equal(WdfRequestMarkCancelableEx(r, cancel_routine), STATUS_SUCCESS);
	assert_int_equal(WdfRequestUnmarkCancelable(r), STATUS_SUCCESS);
	umn_io_cancel(4);
	ioh_sleep_ms(10);
	assert_int_equal(atomic_load(&cancel_calls), 2);
	assert_true(WdfRequestIsCanceled(r));
	WdfRequestComplete(r, STATUS_SUCCESS);
	assert_int_equal(ioh_wait_done(4, 2000).status, STATUS_SUCCESS);
	ioh_stop();
}

/*
 * Cancel racing completion: the driver's completion path (unmark, complete
 * if that succeeded) against the OS side's cancel, on two threads, 10,000
 * times. Each request must complete exactly once.
 */
#define RACE_BATCH 100
#define RACE_ROUNDS 100

static WDFREQUEST race_slot[RACE_BATCH];
static atomic_int race_ready, race_go, race_won, race_cancelled;
static int race_base;

static void race_cancel(WDFREQUEST r)
{
	atomic_fetch_add(&race_cancelled, 1);
	WdfRequestComplete(r, STATUS_CANCELLED);
}

static void race_read(WDFQUEUE q, WDFREQUEST r, size_t len)
{
	uint64_t id = ioh_offset_of(r);

	(void)q;
	(void)len;
	/* The completion path's own reference: the handle stays valid whoever wins. */
	WdfObjectReference(r);
	WdfRequestMarkCancelable(r, race_cancel);
	race_slot[(id - 1) % RACE_BATCH] = r;
	atomic_fetch_add(&race_ready, 1);
}

static void race_hook(WDFDEVICE dev)
{
	WDF_IO_QUEUE_CONFIG c;

	WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&c, WdfIoQueueDispatchParallel);
	c.EvtIoRead = race_read;
	ioh_queue(dev, &c);
}

static void *race_completer(void *arg)
{
	(void)arg;
	while (!atomic_load(&race_go))
		;
	for (int i = 0; i < RACE_BATCH; i++) {
		WDFREQUEST r = race_slot[i];

		if (WdfRequestUnmarkCancelable(r) != STATUS_CANCELLED) {
			atomic_fetch_add(&race_won, 1);
			WdfRequestComplete(r, STATUS_SUCCESS);
		}
		WdfObjectDereference(r);
	}
	return NULL;
}

static void *race_canceller(void *arg)
{
	(void)arg;
	while (!atomic_load(&race_go))
		;
	for (int i = 0; i < RACE_BATCH; i++)
		umn_io_cancel((uint64_t)(race_base + i + 1));
	return NULL;
}

static void test_cancel_race(void **state)
{
	static char bufs[RACE_BATCH][8];

	(void)state;
	atomic_store(&race_won, 0);
	atomic_store(&race_cancelled, 0);
	ioh_start(race_hook);
	for (int round = 0; round < RACE_ROUNDS; round++) {
		pthread_t a, b;

		race_base = round * RACE_BATCH;
		atomic_store(&race_ready, 0);
		atomic_store(&race_go, 0);
		for (int i = 1; i <= RACE_BATCH; i++)
			ioh_read((uint64_t)(race_base + i), 0, bufs[i - 1], 8);
		assert_int_equal(ioh_wait_int(&race_ready, RACE_BATCH, 10000), RACE_BATCH);
		assert_int_equal(pthread_create(&a, NULL, race_completer, NULL), 0);
		assert_int_equal(pthread_create(&b, NULL, race_canceller, NULL), 0);
		atomic_store(&race_go, 1);
		pthread_join(a, NULL);
		pthread_join(b, NULL);
		for (int i = 1; i <= RACE_BATCH; i++)
			assert_int_equal(ioh_wait_done((uint64_t)(race_base + i), 5000).count, 1);
	}
	/* Give a stray second completion the chance to show up. */
	ioh_sleep_ms(20);
	for (int id = 1; id <= RACE_BATCH * RACE_ROUNDS; id++) {
		struct ioh_done d = ioh.done[id];

		assert_int_equal(d.count, 1);
		assert_true(d.status == STATUS_SUCCESS || d.status == STATUS_CANCELLED);
	}
	assert_int_equal(atomic_load(&race_won) + atomic_load(&race_cancelled),
			 RACE_BATCH * RACE_ROUNDS);
	assert_false(ioh_log_has("RequestCompletedTwice"));
	ioh_stop();
}

/* EvtIoStop answered with a requeue: the request is presented again after Start. */
static WDFQUEUE ack_q;
static atomic_int ack_stops;

static void ack_stop(WDFQUEUE q, WDFREQUEST r, ULONG flags)
{
	(void)q;
	assert_int_equal(flags, WdfRequestStopActionSuspend);
	atomic_fetch_add(&ack_stops, 1);
	WdfRequestStopAcknowledge(r, TRUE);
}

static void ack_hook(WDFDEVICE dev)
{
	WDF_IO_QUEUE_CONFIG c;

	WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&c, WdfIoQueueDispatchSequential);
	c.EvtIoRead = hold_read;
	c.EvtIoStop = ack_stop;
	ack_q = ioh_queue(dev, &c);
}

static void test_stop_ack_requeue(void **state)
{
	ULONG queued = 0, owned = 0;

	(void)state;
	atomic_store(&ack_stops, 0);
	ioh_held_reset();
	ioh_start(ack_hook);
	ioh_read(1, 0, out_buf[1], 16);
	assert_int_equal(ioh_wait_int(&ioh_held.n, 1, 2000), 1);
	WdfIoQueueStopSynchronously(ack_q);
	assert_int_equal(atomic_load(&ack_stops), 1);
	WdfIoQueueGetState(ack_q, &queued, &owned);
	assert_int_equal(queued, 1);
	assert_int_equal(owned, 0);
	WdfIoQueueStart(ack_q);
	assert_int_equal(ioh_wait_int(&ioh_held.n, 2, 2000), 2);
	assert_ptr_equal(ioh_held_at(0), ioh_held_at(1));
	WdfRequestComplete(ioh_held_at(1), STATUS_SUCCESS);
	assert_int_equal(ioh_wait_done(1, 2000).count, 1);
	ioh_stop();
}

/* File objects: create, cleanup and close, in order, with I/O outstanding. */
static char events[64];
static atomic_int nevents;
static pthread_mutex_t events_lock = PTHREAD_MUTEX_INITIALIZER;
static WDFFILEOBJECT created_file;
static WDFQUEUE file_manual;

static void event(char c)
{
	pthread_mutex_lock(&events_lock);
	events[atomic_load(&nevents)] = c;
	atomic_fetch_add(&nevents, 1);
	pthread_mutex_unlock(&events_lock);
}

static void on_file_create(WDFDEVICE dev, WDFREQUEST r, WDFFILEOBJECT f)
{
	PUNICODE_STRING name = WdfFileObjectGetFileName(f);
	WDF_REQUEST_PARAMETERS p;

	assert_ptr_equal(WdfFileObjectGetDevice(f), dev);
	assert_ptr_equal(WdfRequestGetFileObject(r), f);
	assert_null(WdfRequestGetIoQueue(r));
	WDF_REQUEST_PARAMETERS_INIT(&p);
	WdfRequestGetParameters(r, &p);
	assert_int_equal(p.Type, WdfRequestTypeCreate);
	assert_non_null(name);
	if (name->Length == 4 * sizeof(WCHAR) && !memcmp(name->Buffer, L"fail", 4 * sizeof(WCHAR))) {
		WdfRequestComplete(r, STATUS_ACCESS_DENIED);
		return;
	}
	assert_int_equal(WdfFileObjectGetInitiatorProcessId(f), 4242);
	if (name->Length == 3 * sizeof(WCHAR)) {
		assert_memory_equal(name->Buffer, L"abc", 3 * sizeof(WCHAR));
		created_file = f;
	}
	event('C');
	WdfRequestComplete(r, STATUS_SUCCESS);
}

static void on_file_cleanup(WDFFILEOBJECT f)
{
	(void)f;
	event('U');
}

static void on_file_close(WDFFILEOBJECT f)
{
	(void)f;
	event('X');
}

static void file_hook(WDFDEVICE dev)
{
	WDF_IO_QUEUE_CONFIG c;

	hold_hook(dev);
	WDF_IO_QUEUE_CONFIG_INIT(&c, WdfIoQueueDispatchManual);
	file_manual = ioh_queue(dev, &c);
	assert_int_equal(
	    WdfDeviceConfigureRequestDispatching(dev, file_manual, WdfRequestTypeWrite),
	    STATUS_SUCCESS);
}

static void test_file_lifecycle(void **state)
{
	char data[4] = "abc";
	WDFREQUEST r;

	(void)state;
	atomic_store(&nevents, 0);
	created_file = NULL;
	ioh_held_reset();
	WDF_FILEOBJECT_CONFIG_INIT(&ioh_file_config, on_file_create, on_file_close,
				   on_file_cleanup);
	ioh_file_config_set = true;
	ioh_start(file_hook);

	ioh_deliver_ex(1, UMN_IO_CREATE, 10, NULL, 0, NULL, 0, 0, 0, "abc");
	assert_int_equal(ioh_wait_done(1, 2000).status, STATUS_SUCCESS);
	assert_non_null(created_file);

	/* A read on the file that the driver keeps. */
	ioh_read(2, 10, out_buf[2], 16);
	assert_int_equal(ioh_wait_int(&ioh_held.n, 1, 2000), 1);
	r = ioh_held_at(0);
	assert_ptr_equal(WdfRequestGetFileObject(r), created_file);
	/* A write waiting in a queue: cleanup cancels it. */
	ioh_deliver_ex(3, UMN_IO_WRITE, 10, data, 4, NULL, 0, 0, 0, NULL);

	ioh_deliver_ex(4, UMN_IO_CLEANUP, 10, NULL, 0, NULL, 0, 0, 0, NULL);
	assert_int_equal(ioh_wait_done(4, 2000).status, STATUS_SUCCESS);
	assert_int_equal(ioh_wait_done(3, 2000).status, STATUS_CANCELLED);
	ioh_deliver_ex(5, UMN_IO_CLOSE, 10, NULL, 0, NULL, 0, 0, 0, NULL);
	ioh_sleep_ms(30);
	/* The read is still outstanding: no close yet. */
	assert_int_equal(ioh_done_count(5), 0);
	assert_int_equal(atomic_load(&nevents), 2);
	WdfRequestComplete(r, STATUS_SUCCESS);
	assert_int_equal(ioh_wait_done(5, 2000).status, STATUS_SUCCESS);
	assert_int_equal(atomic_load(&nevents), 3);
	assert_memory_equal(events, "CUX", 3);

	/* A failed create leaves no file object behind. */
	ioh_deliver_ex(6, UMN_IO_CREATE, 11, NULL, 0, NULL, 0, 0, 0, "fail");
	assert_int_equal(ioh_wait_done(6, 2000).status, STATUS_ACCESS_DENIED);
	ioh_read(7, 11, out_buf[7], 16);
	assert_int_equal(ioh_wait_int(&ioh_held.n, 2, 2000), 2);
	assert_null(WdfRequestGetFileObject(ioh_held_at(1)));
	WdfRequestComplete(ioh_held_at(1), STATUS_SUCCESS);

	/* A create with no file id, a close of an unknown file. */
	ioh_deliver_ex(8, UMN_IO_CREATE, 0, NULL, 0, NULL, 0, 0, 0, "");
	assert_int_equal(ioh_wait_done(8, 2000).status, STATUS_INVALID_PARAMETER);
	ioh_deliver_ex(9, UMN_IO_CLOSE, 99, NULL, 0, NULL, 0, 0, 0, NULL);
	assert_int_equal(ioh_wait_done(9, 2000).status, STATUS_SUCCESS);

	/* Close without cleanup still runs EvtFileCleanup first. */
	ioh_deliver_ex(10, UMN_IO_CREATE, 12, NULL, 0, NULL, 0, 0, 0, "");
	assert_int_equal(ioh_wait_done(10, 2000).status, STATUS_SUCCESS);
	ioh_deliver_ex(11, UMN_IO_CLOSE, 12, NULL, 0, NULL, 0, 0, 0, NULL);
	assert_int_equal(ioh_wait_done(11, 2000).status, STATUS_SUCCESS);
	assert_int_equal(atomic_load(&nevents), 6);
	assert_memory_equal(events, "CUXCUX", 6);
	ioh_stop();
}

/* Creates routed to a queue instead of EvtDeviceFileCreate. */
static void create_queue_hook(WDFDEVICE dev)
{
	WDF_IO_QUEUE_CONFIG c;

	WDF_IO_QUEUE_CONFIG_INIT(&c, WdfIoQueueDispatchParallel);
	c.EvtIoDefault = hold_any;
	assert_int_equal(WdfDeviceConfigureRequestDispatching(dev, ioh_queue(dev, &c),
							      WdfRequestTypeCreate),
			 STATUS_SUCCESS);
}

static void test_create_to_queue(void **state)
{
	WDF_REQUEST_PARAMETERS p;
	WDFREQUEST r;

	(void)state;
	ioh_held_reset();
	ioh_start(create_queue_hook);
	ioh_deliver_ex(1, UMN_IO_CREATE, 20, NULL, 0, NULL, 0, 0, 0, "q");
	assert_int_equal(ioh_wait_int(&ioh_held.n, 1, 2000), 1);
	r = ioh_held_at(0);
	WDF_REQUEST_PARAMETERS_INIT(&p);
	WdfRequestGetParameters(r, &p);
	assert_int_equal(p.Type, WdfRequestTypeCreate);
	assert_non_null(WdfRequestGetFileObject(r));
	WdfRequestComplete(r, STATUS_SUCCESS);
	assert_int_equal(ioh_wait_done(1, 2000).status, STATUS_SUCCESS);
	ioh_deliver_ex(2, UMN_IO_CLOSE, 20, NULL, 0, NULL, 0, 0, 0, NULL);
	assert_int_equal(ioh_wait_done(2, 2000).status, STATUS_SUCCESS);
	ioh_stop();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parameters_and_buffers),
		cmocka_unit_test(test_requestor_fields),
		cmocka_unit_test(test_complete_twice),
		cmocka_unit_test(test_complete_not_owned),
		cmocka_unit_test(test_information_too_large),
		cmocka_unit_test(test_complete_at_dispatch),
		cmocka_unit_test(test_remove_waits_for_callbacks),
		cmocka_unit_test(test_cancelable),
		cmocka_unit_test(test_cancel_race),
		cmocka_unit_test(test_stop_ack_requeue),
		cmocka_unit_test(test_file_lifecycle),
		cmocka_unit_test(test_create_to_queue),
	};

	return cmocka_run_group_tests(tests, ioh_group_setup, NULL);
}
