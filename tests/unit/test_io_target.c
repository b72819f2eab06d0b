// SPDX-License-Identifier: MIT
/*
 * I/O targets and driver-sent requests with a fake OS side: synchronous
 * sends with and without time-outs, asynchronous sends with completion
 * routines and their completion parameters, send-and-forget, cancelling,
 * opening targets by name, the default target, device names, and removal.
 */
#include "io_harness.h"

/* Completes sent request number i (in send order) from another thread after ms. */
struct responder {
	unsigned index;
	unsigned delay_ms;
	bool after_cancel;	/* wait until the runtime asked to cancel it */
	NTSTATUS status;
	ULONG_PTR info;
	pthread_t thread;
};

static void *responder_main(void *arg)
{
	struct responder *r = arg;
	struct ioh_sent s;

	if (ioh_wait_sent(r->index + 1, 5000) < r->index + 1)
		return NULL;
	if (r->after_cancel) {
		for (int i = 0; i < 5000; i++) {
			if (ioh_sent_at(r->index).cancels)
				break;
			ioh_sleep_ms(1);
		}
	}
	ioh_sleep_ms(r->delay_ms);
	s = ioh_sent_at(r->index);
	umn_io_sent_complete(s.cookie, r->status, r->info);
	return NULL;
}

static void respond(struct responder *r, unsigned index, unsigned delay_ms, bool after_cancel,
		    NTSTATUS st, ULONG_PTR info)
{
	r->index = index;
	r->after_cancel = after_cancel;
	r->delay_ms = delay_ms;
	r->status = st;
	r->info = info;
	assert_int_equal(pthread_create(&r->thread, NULL, responder_main, r), 0);
}

static const GUID test_guid = { 0x12345678, 0x1234, 0x5678, { 1, 2, 3, 4, 5, 6, 7, 8 } };

static void names_hook(WDFDEVICE dev)
{
	DECLARE_CONST_UNICODE_STRING(ref, L"ref1");
	DECLARE_CONST_UNICODE_STRING(link, L"\\DosDevices\\Nic\u00e91");
	DECLARE_CONST_UNICODE_STRING(empty, L"");

	assert_int_equal(WdfDeviceCreateDeviceInterface(dev, &test_guid, &ref), STATUS_SUCCESS);
	assert_int_equal(WdfDeviceCreateSymbolicLink(dev, &link), STATUS_SUCCESS);
	assert_int_equal(WdfDeviceCreateSymbolicLink(dev, &empty), STATUS_INVALID_PARAMETER);
}

static void test_default_target_sync(void **state)
{
	char in[4] = "abc", out[32];
	WDF_MEMORY_DESCRIPTOR din, dout;
	struct responder resp;
	struct ioh_sent s;
	ULONG_PTR bytes = 0;
	WDFIOTARGET t;

	(void)state;
	ioh_start(names_hook);
	/* Names went to the OS side, converted to UTF-8. */
	assert_memory_equal(&ioh.iface, &test_guid, sizeof(GUID));
	assert_string_equal(ioh.iface_ref, "ref1");
	assert_string_equal(ioh.symlink, "\\DosDevices\\Nic\xc3\xa9" "1");

	t = WdfDeviceGetIoTarget(ioh_device);
	assert_non_null(t);
	assert_ptr_equal(WdfDeviceGetIoTarget(ioh_device), t);
	assert_ptr_equal(WdfIoTargetGetDevice(t), ioh_device);
	assert_int_equal(WdfIoTargetGetState(t), WdfIoTargetStarted);
	/* The framework's own target: the driver cannot delete it. */
	WdfObjectDelete(t);
	assert_int_equal(WdfIoTargetGetState(t), WdfIoTargetStarted);

	WDF_MEMORY_DESCRIPTOR_INIT_BUFFER(&din, in, sizeof(in));
	WDF_MEMORY_DESCRIPTOR_INIT_BUFFER(&dout, out, sizeof(out));
	respond(&resp, 0, 20, false, STATUS_SUCCESS, 5);
	assert_int_equal(WdfIoTargetSendIoctlSynchronously(t, NULL, 0x222020, &din, &dout, NULL,
							   &bytes),
			 STATUS_SUCCESS);
	pthread_join(resp.thread, NULL);
	assert_int_equal(bytes, 5);
	s = ioh_sent_at(0);
	assert_int_equal(s.file, 0);
	assert_int_equal(s.d.major, UMN_IO_DEVICE_CONTROL);
	assert_int_equal(s.d.ioctl, 0x222020);
	assert_ptr_equal(s.d.in, in);
	assert_int_equal(s.d.in_len, sizeof(in));
	assert_ptr_equal(s.d.out, out);
	assert_int_equal(s.d.out_len, sizeof(out));
	assert_int_equal(s.d.id, s.cookie);
	/* The default target is the device's own stack, which has nothing below it. */
	assert_int_equal(s.d.device, UINT32_MAX);
	assert_int_equal(s.d.origin, 0);
	assert_int_equal(s.d.requestor_mode, UserMode);
	assert_true(s.d.from_user_mode_driver);
	ioh_stop();
}

static void test_sync_timeout(void **state)
{
	WDF_REQUEST_SEND_OPTIONS o;
	WDF_MEMORY_DESCRIPTOR d;
	struct responder resp;
	char out[8];
	ULONG_PTR bytes = 1;
	LONGLONG off = 512;
	uint64_t t0;
	WDFIOTARGET t;

	(void)state;
	ioh_start(NULL);
	t = WdfDeviceGetIoTarget(ioh_device);
	WDF_MEMORY_DESCRIPTOR_INIT_BUFFER(&d, out, sizeof(out));
	WDF_REQUEST_SEND_OPTIONS_INIT(&o, 0);
	WDF_REQUEST_SEND_OPTIONS_SET_TIMEOUT(&o, WDF_REL_TIMEOUT_IN_MS(50));

	/* Nobody answers; the cancel the time-out sends completes it at once. */
	pthread_mutex_lock(&ioh.lock);
	ioh.cancel_completes = true;
	pthread_mutex_unlock(&ioh.lock);
	t0 = ioh_now_ms();
	assert_int_equal(WdfIoTargetSendReadSynchronously(t, NULL, &d, &off, &o, &bytes),
			 STATUS_IO_TIMEOUT);
	assert_true(ioh_now_ms() - t0 >= 45);
	assert_int_equal(bytes, 0);
	assert_int_equal(ioh_sent_at(0).cancels, 1);
	assert_int_equal(ioh_sent_at(0).d.offset, 512);

	/* The cancel is answered later from another thread: still a time-out. */
	pthread_mutex_lock(&ioh.lock);
	ioh.cancel_completes = false;
	pthread_mutex_unlock(&ioh.lock);
	respond(&resp, 1, 10, true, STATUS_CANCELLED, 0);
	assert_int_equal(WdfIoTargetSendReadSynchronously(t, NULL, &d, NULL, &o, NULL),
			 STATUS_IO_TIMEOUT);
	pthread_join(resp.thread, NULL);

	/* The target finished after all: its success stands. */
	respond(&resp, 2, 10, false, STATUS_SUCCESS, 8);
	assert_int_equal(WdfIoTargetSendReadSynchronously(t, NULL, &d, NULL, &o, &bytes),
			 STATUS_SUCCESS);
	assert_int_equal(bytes, 8);
	pthread_join(resp.thread, NULL);
	ioh_stop();
}

/* Asynchronous send with a completion routine. */
static atomic_int cr_calls;
static WDF_REQUEST_COMPLETION_PARAMS cr_params;
static WDFIOTARGET cr_target;
static WDFCONTEXT cr_ctx;

static void completion(WDFREQUEST r, WDFIOTARGET t, PWDF_REQUEST_COMPLETION_PARAMS p,
		       WDFCONTEXT ctx)
{
	(void)r;
	cr_params = *p;
	cr_target = t;
	cr_ctx = ctx;
	atomic_fetch_add(&cr_calls, 1);
}

static void test_async_completion(void **state)
{
	WDF_REQUEST_COMPLETION_PARAMS p;
	WDF_REQUEST_REUSE_PARAMS reuse;
	WDF_REQUEST_PARAMETERS rp;
	WDFMEMORY mem;
	WDFREQUEST req;
	WDFIOTARGET t;
	LONGLONG off = 64;
	void *buf;
	int ctx;

	(void)state;
	atomic_store(&cr_calls, 0);
	ioh_start(NULL);
	t = WdfDeviceGetIoTarget(ioh_device);
	assert_int_equal(WdfRequestCreate(NULL, t, &req), STATUS_SUCCESS);
	assert_int_equal(WdfMemoryCreate(NULL, NonPagedPoolNx, 0, 32, &mem, &buf), STATUS_SUCCESS);
	/* Not formatted yet. */
	assert_false(WdfRequestSend(req, t, NULL));
	assert_int_equal(WdfRequestGetStatus(req), STATUS_INVALID_DEVICE_REQUEST);

	assert_int_equal(WdfIoTargetFormatRequestForRead(t, req, mem, NULL, &off), STATUS_SUCCESS);
	WDF_REQUEST_PARAMETERS_INIT(&rp);
	WdfRequestGetParameters(req, &rp);
	assert_int_equal(rp.Type, WdfRequestTypeRead);
	assert_int_equal(rp.Parameters.Read.Length, 32);
	WdfRequestSetCompletionRoutine(req, completion, &ctx);
	assert_true(WdfRequestSend(req, t, NULL));
	assert_int_equal(ioh_wait_sent(1, 2000), 1);
	assert_ptr_equal(ioh_sent_at(0).d.out, buf);
	assert_int_equal(ioh_sent_at(0).d.out_len, 32);
	assert_int_equal(ioh_sent_at(0).d.offset, 64);
	/* In flight: cannot be sent again or reused. */
	assert_false(WdfRequestSend(req, t, NULL));
	WDF_REQUEST_REUSE_PARAMS_INIT(&reuse, WDF_REQUEST_REUSE_NO_FLAGS, STATUS_SUCCESS);
	assert_int_equal(WdfRequestReuse(req, &reuse), STATUS_INVALID_DEVICE_STATE);

	umn_io_sent_complete(ioh_sent_at(0).cookie, STATUS_SUCCESS, 7);
	assert_int_equal(ioh_wait_int(&cr_calls, 1, 2000), 1);
	assert_ptr_equal(cr_ctx, &ctx);
	assert_ptr_equal(cr_target, t);
	assert_int_equal(cr_params.Type, WdfRequestTypeRead);
	assert_int_equal(cr_params.IoStatus.Status, STATUS_SUCCESS);
	assert_int_equal(cr_params.IoStatus.Information, 7);
	assert_ptr_equal(cr_params.Parameters.Read.Buffer, mem);
	assert_int_equal(cr_params.Parameters.Read.Length, 7);
	WDF_REQUEST_COMPLETION_PARAMS_INIT(&p);
	WdfRequestGetCompletionParams(req, &p);
	assert_int_equal(p.IoStatus.Status, STATUS_SUCCESS);
	assert_int_equal(p.IoStatus.Information, 7);
	assert_int_equal(WdfRequestGetStatus(req), STATUS_SUCCESS);
	assert_int_equal(WdfRequestGetInformation(req), 7);
	assert_false(WdfRequestCancelSentRequest(req));

	/* Reused, reformatted, sent, cancelled: the routine sees the cancel. */
	WDF_REQUEST_REUSE_PARAMS_INIT(&reuse, WDF_REQUEST_REUSE_NO_FLAGS, STATUS_UNSUCCESSFUL);
	assert_int_equal(WdfRequestReuse(req, &reuse), STATUS_SUCCESS);
	assert_int_equal(WdfRequestGetStatus(req), STATUS_UNSUCCESSFUL);
	assert_int_equal(WdfIoTargetFormatRequestForIoctl(t, req, 0x222030, mem, NULL, mem, NULL),
			 STATUS_SUCCESS);
	WdfRequestSetCompletionRoutine(req, completion, NULL);
	assert_true(WdfRequestSend(req, t, NULL));
	assert_int_equal(ioh_wait_sent(2, 2000), 2);
	assert_true(WdfRequestCancelSentRequest(req));
	assert_int_equal(ioh_sent_at(1).cancels, 1);
	umn_io_sent_complete(ioh_sent_at(1).cookie, STATUS_CANCELLED, 0);
	assert_int_equal(ioh_wait_int(&cr_calls, 2, 2000), 2);
	assert_int_equal(cr_params.Type, WdfRequestTypeDeviceControl);
	assert_int_equal(cr_params.IoStatus.Status, STATUS_CANCELLED);
	assert_int_equal(cr_params.Parameters.Ioctl.IoControlCode, 0x222030);
	assert_ptr_equal(cr_params.Parameters.Ioctl.Output.Buffer, mem);
	/* A completion nobody waits for is ignored. */
	umn_io_sent_complete(ioh_sent_at(1).cookie, STATUS_SUCCESS, 0);
	ioh_sleep_ms(10);
	assert_int_equal(atomic_load(&cr_calls), 2);

	WdfObjectDelete(req);
	WdfObjectDelete(mem);
	ioh_stop();
}

/* A received read passed down unchanged and forgotten. */
static atomic_int forget_sent;
static NTSTATUS forget_bad_status;

static void forget_read(WDFQUEUE q, WDFREQUEST r, size_t len)
{
	WDFIOTARGET t = WdfDeviceGetIoTarget(WdfIoQueueGetDevice(q));
	WDF_REQUEST_SEND_OPTIONS o;

	(void)len;
	WdfRequestFormatRequestUsingCurrentType(r);
	/* Forget cannot be combined with other options. */
	WDF_REQUEST_SEND_OPTIONS_INIT(&o, WDF_REQUEST_SEND_OPTION_SEND_AND_FORGET |
					  WDF_REQUEST_SEND_OPTION_TIMEOUT);
	if (WdfRequestSend(r, t, &o))
		return;
	forget_bad_status = WdfRequestGetStatus(r);
	WDF_REQUEST_SEND_OPTIONS_INIT(&o, WDF_REQUEST_SEND_OPTION_SEND_AND_FORGET);
	if (WdfRequestSend(r, t, &o))
		atomic_fetch_add(&forget_sent, 1);
	else
		WdfRequestComplete(r, WdfRequestGetStatus(r));
}

static WDFQUEUE forget_q;

static void forget_hook(WDFDEVICE dev)
{
	WDF_IO_QUEUE_CONFIG c;

	WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&c, WdfIoQueueDispatchSequential);
	c.EvtIoRead = forget_read;
	forget_q = ioh_queue(dev, &c);
}

/* Memory that is the request's own child and in its format: deleting the request frees both. */
static void test_child_memory_in_format_freed(void **state)
{
	WDF_OBJECT_ATTRIBUTES attrs;
	WDFMEMORY mem;
	WDFREQUEST req;
	WDFIOTARGET t;
	unsigned long before;
	void *buf;

	(void)state;
	ioh_start(NULL);
	t = WdfDeviceGetIoTarget(ioh_device);
	before = umn_object_live_count();
	assert_int_equal(WdfRequestCreate(NULL, t, &req), STATUS_SUCCESS);
	WDF_OBJECT_ATTRIBUTES_INIT(&attrs);
	attrs.ParentObject = req;
	assert_int_equal(WdfMemoryCreate(&attrs, NonPagedPoolNx, 0, 16, &mem, &buf), STATUS_SUCCESS);
	assert_int_equal(WdfIoTargetFormatRequestForIoctl(t, req, 0x222030, mem, NULL, mem, NULL),
			 STATUS_SUCCESS);
	assert_int_equal(umn_object_live_count(), before + 2);
	WdfObjectDelete(req);
	assert_int_equal(umn_object_live_count(), before);
	ioh_stop();
}

static void test_send_and_forget(void **state)
{
	static char out[2][16];
	WDF_REQUEST_SEND_OPTIONS o;
	struct ioh_done d;
	ULONG owned = 9;
	WDFREQUEST req;

	(void)state;
	atomic_store(&forget_sent, 0);
	ioh_start(forget_hook);
	ioh_read(1, 0, out[0], 16);
	ioh_read(2, 0, out[1], 16);
	/* Sequential queue: forgetting hands the request on, so the next one comes. */
	assert_int_equal(ioh_wait_int(&forget_sent, 2, 2000), 2);
	assert_int_equal(forget_bad_status, STATUS_INVALID_PARAMETER);
	assert_int_equal(ioh_wait_sent(2, 2000), 2);
	assert_ptr_equal(ioh_sent_at(0).d.out, out[0]);
	assert_int_equal(ioh_sent_at(0).d.major, UMN_IO_READ);
	assert_int_equal(ioh_sent_at(0).d.offset, 1);
	WdfIoQueueGetState(forget_q, NULL, &owned);
	assert_int_equal(owned, 0);
	assert_int_equal(ioh_done_count(1), 0);
	/* The target's completion completes the original request. */
	umn_io_sent_complete(ioh_sent_at(0).cookie, STATUS_SUCCESS, 3);
	d = ioh_wait_done(1, 2000);
	assert_int_equal(d.status, STATUS_SUCCESS);
	assert_int_equal(d.info, 3);
	/* The requestor's cancel reaches the target. */
	umn_io_cancel(2);
	assert_int_equal(ioh_sent_at(1).cancels, 1);
	umn_io_sent_complete(ioh_sent_at(1).cookie, STATUS_CANCELLED, 0);
	assert_int_equal(ioh_wait_done(2, 2000).status, STATUS_CANCELLED);

	/* Not for requests the driver created. */
	assert_int_equal(WdfRequestCreate(NULL, NULL, &req), STATUS_SUCCESS);
	WDF_REQUEST_SEND_OPTIONS_INIT(&o, WDF_REQUEST_SEND_OPTION_SEND_AND_FORGET);
	assert_false(WdfRequestSend(req, WdfDeviceGetIoTarget(ioh_device), &o));
	assert_int_equal(WdfRequestGetStatus(req), STATUS_INVALID_PARAMETER);
	WdfObjectDelete(req);
	ioh_stop();
}

static void test_open_by_name(void **state)
{
	DECLARE_CONST_UNICODE_STRING(name, L"\\??\\OtherNic");
	WDF_IO_TARGET_OPEN_PARAMS op;
	WDF_MEMORY_DESCRIPTOR d;
	struct responder resp;
	ULONG_PTR bytes = 0;
	WDFIOTARGET t;
	char data[4] = "abc";

	(void)state;
	ioh_start(NULL);
	assert_int_equal(WdfIoTargetCreate(ioh_device, NULL, &t), STATUS_SUCCESS);
	assert_int_equal(WdfIoTargetGetState(t), WdfIoTargetClosed);
	WDF_MEMORY_DESCRIPTOR_INIT_BUFFER(&d, data, sizeof(data));
	assert_int_equal(WdfIoTargetSendWriteSynchronously(t, NULL, &d, NULL, NULL, &bytes),
			 STATUS_INVALID_DEVICE_STATE);

	pthread_mutex_lock(&ioh.lock);
	ioh.open_status = STATUS_OBJECT_NAME_NOT_FOUND;
	pthread_mutex_unlock(&ioh.lock);
	WDF_IO_TARGET_OPEN_PARAMS_INIT_OPEN_BY_NAME(&op, &name, GENERIC_READ);
	assert_int_equal(WdfIoTargetOpen(t, &op), STATUS_OBJECT_NAME_NOT_FOUND);
	assert_int_equal(WdfIoTargetGetState(t), WdfIoTargetClosed);
	pthread_mutex_lock(&ioh.lock);
	ioh.open_status = STATUS_SUCCESS;
	pthread_mutex_unlock(&ioh.lock);
	assert_int_equal(WdfIoTargetOpen(t, &op), STATUS_SUCCESS);
	assert_string_equal(ioh.opened, "\\??\\OtherNic");
	assert_int_equal(ioh.open_access, GENERIC_READ);
	assert_int_equal(WdfIoTargetGetState(t), WdfIoTargetStarted);
	assert_int_equal(WdfIoTargetOpen(t, &op), STATUS_INVALID_DEVICE_STATE);

	respond(&resp, 0, 5, false, STATUS_SUCCESS, 4);
	assert_int_equal(WdfIoTargetSendWriteSynchronously(t, NULL, &d, NULL, NULL, &bytes),
			 STATUS_SUCCESS);
	pthread_join(resp.thread, NULL);
	assert_int_equal(bytes, 4);
	assert_int_equal(ioh_sent_at(0).file, 77);
	assert_int_equal(ioh_sent_at(0).d.major, UMN_IO_WRITE);
	/* Sent to the device the open found, not the sender's. */
	assert_int_equal(ioh_sent_at(0).d.device, 7);

	/* Stopped: sends fail until started again. */
	WdfIoTargetStop(t, WdfIoTargetLeaveSentIoPending);
	assert_int_equal(WdfIoTargetGetState(t), WdfIoTargetStopped);
	assert_int_equal(WdfIoTargetSendWriteSynchronously(t, NULL, &d, NULL, NULL, NULL),
			 STATUS_INVALID_DEVICE_STATE);
	assert_int_equal(WdfIoTargetStart(t), STATUS_SUCCESS);
	assert_int_equal(WdfIoTargetGetState(t), WdfIoTargetStarted);

	/* Close cancels what is in flight and waits for it. */
	pthread_mutex_lock(&ioh.lock);
	ioh.cancel_completes = true;
	pthread_mutex_unlock(&ioh.lock);
	{
		WDFREQUEST req;

		assert_int_equal(WdfRequestCreate(NULL, t, &req), STATUS_SUCCESS);
		assert_int_equal(WdfIoTargetFormatRequestForWrite(t, req, NULL, NULL, NULL),
				 STATUS_SUCCESS);
		assert_true(WdfRequestSend(req, t, NULL));
		WdfIoTargetClose(t);
		assert_int_equal(WdfRequestGetStatus(req), STATUS_CANCELLED);
		WdfObjectDelete(req);
	}
	assert_int_equal(WdfIoTargetGetState(t), WdfIoTargetClosed);
	assert_int_equal(ioh.closes, 1);
	assert_int_equal(ioh.closed_file, 77);
	WdfObjectDelete(t);
	ioh_stop();
}

static void test_send_refused_and_removal(void **state)
{
	WDFREQUEST req;
	WDFIOTARGET t;

	(void)state;
	ioh_start(NULL);
	t = WdfDeviceGetIoTarget(ioh_device);
	assert_int_equal(WdfRequestCreate(NULL, t, &req), STATUS_SUCCESS);
	assert_int_equal(WdfIoTargetFormatRequestForRead(t, req, NULL, NULL, NULL), STATUS_SUCCESS);

	/* The OS side refuses: not sent, the request says why. */
	pthread_mutex_lock(&ioh.lock);
	ioh.send_status = STATUS_ACCESS_DENIED;
	pthread_mutex_unlock(&ioh.lock);
	assert_false(WdfRequestSend(req, t, NULL));
	assert_int_equal(WdfRequestGetStatus(req), STATUS_ACCESS_DENIED);
	assert_int_equal(WdfIoTargetSendReadSynchronously(t, NULL, NULL, NULL, NULL, NULL),
			 STATUS_ACCESS_DENIED);

	/* Removal asks the OS side to cancel what is in flight. */
	pthread_mutex_lock(&ioh.lock);
	ioh.send_status = STATUS_PENDING;
	pthread_mutex_unlock(&ioh.lock);
	assert_true(WdfRequestSend(req, t, NULL));
	assert_int_equal(ioh_wait_sent(1, 2000), 1);
	umn_io_device_removed(IOH_DEV);
	assert_int_equal(ioh_sent_at(0).cancels, 1);
	umn_io_sent_complete(ioh_sent_at(0).cookie, STATUS_CANCELLED, 0);
	assert_int_equal(WdfRequestGetStatus(req), STATUS_CANCELLED);
	WdfObjectDelete(req);
	ioh_stop();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_target_sync),
		cmocka_unit_test(test_sync_timeout),
		cmocka_unit_test(test_async_completion),
		cmocka_unit_test(test_child_memory_in_format_freed),
		cmocka_unit_test(test_send_and_forget),
		cmocka_unit_test(test_open_by_name),
		cmocka_unit_test(test_send_refused_and_removal),
	};

	return cmocka_run_group_tests(tests, ioh_group_setup, NULL);
}
