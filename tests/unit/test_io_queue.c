// SPDX-License-Identifier: MIT
/*
 * I/O queues, driven through umn_io_deliver with a fake OS side: dispatch
 * types, routing, zero-length requests, manual retrieval, forwarding,
 * cancellation in a queue, Stop/Purge/Drain/Start and device removal, and
 * a callback that blocks where the framework cannot see it.
 */
#include "io_harness.h"

static char buf[64][16];

/* Holds every request it is given. */
static void hold_read(WDFQUEUE q, WDFREQUEST r, size_t len)
{
	(void)q;
	(void)len;
	ioh_hold(r);
}

static void complete_held(int i, ULONG_PTR info)
{
	WdfRequestCompleteWithInformation(ioh_held_at(i), STATUS_SUCCESS, info);
}

/* Sequential: one request at a time, the next only after the previous completed. */
static void seq_hook(WDFDEVICE dev)
{
	WDF_IO_QUEUE_CONFIG c;

	WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&c, WdfIoQueueDispatchSequential);
	c.EvtIoRead = hold_read;
	ioh_queue(dev, &c);
}

static void test_sequential(void **state)
{
	(void)state;
	ioh_held_reset();
	ioh_start(seq_hook);
	for (int i = 1; i <= 3; i++)
		ioh_read(i, 0, buf[i], sizeof(buf[i]));
	for (int i = 0; i < 3; i++) {
		assert_int_equal(ioh_wait_int(&ioh_held.n, i + 1, 2000), i + 1);
		ioh_sleep_ms(30);
		/* Nothing else is presented while the driver holds one. */
		assert_int_equal(atomic_load(&ioh_held.n), i + 1);
		assert_int_equal(ioh_offset_of(ioh_held_at(i)), i + 1);
		complete_held(i, 10 + i);
	}
	for (int i = 1; i <= 3; i++) {
		struct ioh_done d = ioh_wait_done(i, 2000);

		assert_int_equal(d.count, 1);
		assert_int_equal(d.status, STATUS_SUCCESS);
		assert_int_equal(d.info, 10 + i - 1);
		assert_int_equal(ioh.order[i - 1], i);
	}
	ioh_stop();
}

/* Parallel with NumberOfPresentedRequests = 2. */
static void par2_hook(WDFDEVICE dev)
{
	WDF_IO_QUEUE_CONFIG c;

	WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&c, WdfIoQueueDispatchParallel);
	c.Settings.Parallel.NumberOfPresentedRequests = 2;
	c.EvtIoRead = hold_read;
	ioh_queue(dev, &c);
}

static void test_parallel_limit(void **state)
{
	ULONG queued = 0, owned = 0;
	WDFQUEUE q;

	(void)state;
	ioh_held_reset();
	ioh_start(par2_hook);
	for (int i = 1; i <= 5; i++)
		ioh_read(i, 0, buf[i], sizeof(buf[i]));
	assert_int_equal(ioh_wait_int(&ioh_held.n, 2, 2000), 2);
	ioh_sleep_ms(30);
	assert_int_equal(atomic_load(&ioh_held.n), 2);
	q = WdfDeviceGetDefaultQueue(ioh_device);
	assert_non_null(q);
	WdfIoQueueGetState(q, &queued, &owned);
	assert_int_equal(queued, 3);
	assert_int_equal(owned, 2);
	complete_held(0, 0);
	assert_int_equal(ioh_wait_int(&ioh_held.n, 3, 2000), 3);
	ioh_sleep_ms(20);
	assert_int_equal(atomic_load(&ioh_held.n), 3);
	complete_held(1, 0);
	complete_held(2, 0);
	assert_int_equal(ioh_wait_int(&ioh_held.n, 5, 2000), 5);
	complete_held(3, 0);
	complete_held(4, 0);
	for (int i = 1; i <= 5; i++)
		assert_int_equal(ioh_wait_done(i, 2000).count, 1);
	ioh_stop();
}

/*
 * A callback that blocks outside the framework (here until the next
 * request's callback runs, 5 s at most): the worker pool must grow so the
 * next request is presented anyway.
 */
static atomic_int block_released;

static void block_read(WDFQUEUE q, WDFREQUEST r, size_t len)
{
	(void)q;
	(void)len;
	if (ioh_offset_of(r) == 1) {
		for (int i = 0; i < 5000 && !atomic_load(&block_released); i++)
			ioh_sleep_ms(1);
	} else {
		atomic_store(&block_released, 1);
	}
	WdfRequestCompleteWithInformation(r, STATUS_SUCCESS, (ULONG_PTR)atomic_load(&block_released));
}

static void block_hook(WDFDEVICE dev)
{
	WDF_IO_QUEUE_CONFIG c;

	WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&c, WdfIoQueueDispatchParallel);
	c.EvtIoRead = block_read;
	ioh_queue(dev, &c);
}

static void test_blocking_callback_grows_pool(void **state)
{
	struct ioh_done d;

	(void)state;
	atomic_store(&block_released, 0);
	ioh_start(block_hook);
	ioh_read(1, 1, buf[1], sizeof(buf[1]));
	ioh_read(2, 2, buf[2], sizeof(buf[2]));
	d = ioh_wait_done(2, 3000);
	assert_int_equal(d.count, 1);
	d = ioh_wait_done(1, 3000);
	assert_int_equal(d.count, 1);
	/* Released by the second request, not by its own time limit. */
	assert_int_equal(d.info, 1);
	ioh_stop();
}

/* Routing: reads to the default queue, IOCTLs to a second queue. */
static WDFQUEUE route_default, route_ioctl;
static atomic_int ioctl_calls;

static void ioctl_cb(WDFQUEUE q, WDFREQUEST r, size_t out, size_t in, ULONG code)
{
	assert_ptr_equal(q, route_ioctl);
	assert_int_equal(code, 0x222004);
	assert_int_equal(in, 3);
	atomic_fetch_add(&ioctl_calls, 1);
	WdfRequestCompleteWithInformation(r, STATUS_SUCCESS, out);
}

static void complete_read(WDFQUEUE q, WDFREQUEST r, size_t len)
{
	(void)q;
	WdfRequestCompleteWithInformation(r, STATUS_SUCCESS, len);
}

static void route_hook(WDFDEVICE dev)
{
	WDF_IO_QUEUE_CONFIG c;

	WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&c, WdfIoQueueDispatchParallel);
	c.EvtIoRead = complete_read;
	route_default = ioh_queue(dev, &c);
	WDF_IO_QUEUE_CONFIG_INIT(&c, WdfIoQueueDispatchParallel);
	c.EvtIoDeviceControl = ioctl_cb;
	route_ioctl = ioh_queue(dev, &c);
	assert_int_equal(WdfDeviceConfigureRequestDispatching(dev, route_ioctl,
							      WdfRequestTypeDeviceControl),
			 STATUS_SUCCESS);
	/* Cleanup cannot go to a queue, nor a type to a queue without a callback for it. */
	assert_int_equal(
	    WdfDeviceConfigureRequestDispatching(dev, route_ioctl, WdfRequestTypeCleanup),
	    STATUS_INVALID_PARAMETER);
	assert_int_equal(WdfDeviceConfigureRequestDispatching(dev, route_default,
							      WdfRequestTypeDeviceControl),
			 STATUS_INVALID_PARAMETER);
	/* A type already routed does not move to another queue. */
	WDF_IO_QUEUE_CONFIG_INIT(&c, WdfIoQueueDispatchManual);
	assert_int_equal(WdfDeviceConfigureRequestDispatching(dev, ioh_queue(dev, &c),
							      WdfRequestTypeDeviceControl),
			 STATUS_INVALID_DEVICE_REQUEST);
}

static void test_routing(void **state)
{
	char in[3] = "abc", out[8];

	(void)state;
	atomic_store(&ioctl_calls, 0);
	ioh_start(route_hook);
	assert_ptr_equal(WdfDeviceGetDefaultQueue(ioh_device), route_default);
	ioh_read(1, 0, buf[1], 16);
	ioh_deliver_ex(2, UMN_IO_DEVICE_CONTROL, 0, in, 3, out, sizeof(out), 0x222004, 0, NULL);
	/* The default queue has no write or internal IOCTL callback and no EvtIoDefault. */
	ioh_deliver_ex(3, UMN_IO_WRITE, 0, in, 3, NULL, 0, 0, 0, NULL);
	ioh_deliver_ex(4, UMN_IO_INTERNAL_DEVICE_CONTROL, 0, in, 3, out, 8, 0x222008, 0, NULL);
	assert_int_equal(ioh_wait_done(1, 2000).info, 16);
	assert_int_equal(ioh_wait_done(2, 2000).info, sizeof(out));
	assert_int_equal(atomic_load(&ioctl_calls), 1);
	assert_int_equal(ioh_wait_done(3, 2000).status, STATUS_INVALID_DEVICE_REQUEST);
	assert_int_equal(ioh_wait_done(4, 2000).status, STATUS_INVALID_DEVICE_REQUEST);
	ioh_stop();
}

/* No queue at all, and devices the runtime does not know. */
static void test_no_queue(void **state)
{
	struct umn_io_desc d = { .id = 2, .device = 9, .major = UMN_IO_READ };

	(void)state;
	ioh_start(NULL);
	assert_null(WdfDeviceGetDefaultQueue(ioh_device));
	ioh_read(1, 0, buf[1], 16);
	assert_int_equal(ioh_wait_done(1, 2000).status, STATUS_INVALID_DEVICE_REQUEST);
	umn_io_deliver(&d);
	assert_int_equal(ioh_wait_done(2, 2000).status, STATUS_NO_SUCH_DEVICE);
	ioh_stop();
}

/* Zero-length reads and writes. */
static bool allow_zero;
static atomic_int zero_calls;

static void count_write(WDFQUEUE q, WDFREQUEST r, size_t len)
{
	(void)q;
	assert_int_equal(len, 0);
	atomic_fetch_add(&zero_calls, 1);
	WdfRequestCompleteWithInformation(r, STATUS_SUCCESS, 99);
}

static void zero_hook(WDFDEVICE dev)
{
	WDF_IO_QUEUE_CONFIG c;

	WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&c, WdfIoQueueDispatchParallel);
	c.EvtIoWrite = count_write;
	c.AllowZeroLengthRequests = allow_zero;
	ioh_queue(dev, &c);
}

static void test_zero_length(void **state)
{
	struct ioh_done d;

	(void)state;
	atomic_store(&zero_calls, 0);
	allow_zero = false;
	ioh_start(zero_hook);
	ioh_deliver_ex(1, UMN_IO_WRITE, 0, NULL, 0, NULL, 0, 0, 0, NULL);
	d = ioh_wait_done(1, 2000);
	assert_int_equal(d.status, STATUS_SUCCESS);
	assert_int_equal(d.info, 0);
	assert_int_equal(atomic_load(&zero_calls), 0);
	ioh_stop();

	allow_zero = true;
	ioh_start(zero_hook);
	ioh_deliver_ex(2, UMN_IO_WRITE, 0, NULL, 0, NULL, 0, 0, 0, NULL);
	assert_int_equal(ioh_wait_done(2, 2000).info, 99);
	assert_int_equal(atomic_load(&zero_calls), 1);
	ioh_stop();
}

/* Manual queue: retrieval in order, by file object, and find/retrieve-found. */
static WDFQUEUE manual_q;
static atomic_int ready_calls;

static void on_ready(WDFQUEUE q, WDFCONTEXT ctx)
{
	assert_ptr_equal(q, manual_q);
	assert_ptr_equal(ctx, &ready_calls);
	atomic_fetch_add(&ready_calls, 1);
}

static void manual_hook(WDFDEVICE dev)
{
	WDF_IO_QUEUE_CONFIG c;

	WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&c, WdfIoQueueDispatchManual);
	manual_q = ioh_queue(dev, &c);
	assert_int_equal(WdfIoQueueReadyNotify(manual_q, on_ready, &ready_calls), STATUS_SUCCESS);
	assert_int_equal(WdfIoQueueReadyNotify(manual_q, on_ready, &ready_calls),
			 STATUS_INVALID_DEVICE_STATE);
}

static void test_manual_by_file(void **state)
{
	WDFREQUEST r = NULL, found = NULL, again = NULL;
	WDF_REQUEST_PARAMETERS p;
	WDFFILEOBJECT f10, f11;

	(void)state;
	atomic_store(&ready_calls, 0);
	ioh_start(manual_hook);
	/* Without EvtDeviceFileCreate the framework opens files itself. */
	ioh_deliver_ex(100, UMN_IO_CREATE, 10, NULL, 0, NULL, 0, 0, 0, "");
	ioh_deliver_ex(101, UMN_IO_CREATE, 11, NULL, 0, NULL, 0, 0, 0, "x");
	assert_int_equal(ioh_wait_done(100, 2000).status, STATUS_SUCCESS);
	assert_int_equal(ioh_wait_done(101, 2000).status, STATUS_SUCCESS);

	ioh_read(1, 10, buf[1], 16);
	ioh_read(2, 11, buf[2], 16);
	ioh_read(3, 10, buf[3], 16);
	assert_int_equal(ioh_wait_int(&ready_calls, 1, 2000), 1);
	ioh_sleep_ms(20);
	assert_int_equal(atomic_load(&ready_calls), 1);

	/* Walk the queue to learn the file objects. */
	WDF_REQUEST_PARAMETERS_INIT(&p);
	assert_int_equal(WdfIoQueueFindRequest(manual_q, NULL, NULL, &p, &found), STATUS_SUCCESS);
	assert_int_equal(p.Parameters.Read.DeviceOffset, 1);
	f10 = WdfRequestGetFileObject(found);
	assert_int_equal(WdfIoQueueFindRequest(manual_q, found, NULL, &p, &again), STATUS_SUCCESS);
	assert_int_equal(p.Parameters.Read.DeviceOffset, 2);
	f11 = WdfRequestGetFileObject(again);
	assert_non_null(f10);
	assert_non_null(f11);
	assert_ptr_not_equal(f10, f11);
	WdfObjectDereference(found);
	WdfObjectDereference(again);

	assert_int_equal(WdfIoQueueRetrieveRequestByFileObject(manual_q, f11, &r), STATUS_SUCCESS);
	assert_int_equal(ioh_offset_of(r), 2);
	WdfRequestComplete(r, STATUS_SUCCESS);
	assert_int_equal(WdfIoQueueRetrieveRequestByFileObject(manual_q, f11, &r),
			 STATUS_NO_MORE_ENTRIES);

	assert_int_equal(WdfIoQueueRetrieveNextRequest(manual_q, &r), STATUS_SUCCESS);
	assert_int_equal(ioh_offset_of(r), 1);
	WdfRequestComplete(r, STATUS_SUCCESS);

	assert_int_equal(WdfIoQueueFindRequest(manual_q, NULL, f10, NULL, &found), STATUS_SUCCESS);
	assert_int_equal(WdfIoQueueRetrieveFoundRequest(manual_q, found, &r), STATUS_SUCCESS);
	assert_ptr_equal(r, found);
	assert_int_equal(ioh_offset_of(r), 3);
	/* Gone from the queue now. */
	assert_int_equal(WdfIoQueueRetrieveFoundRequest(manual_q, found, &again), STATUS_NOT_FOUND);
	WdfObjectDereference(found);
	WdfRequestComplete(r, STATUS_SUCCESS);
	assert_int_equal(WdfIoQueueRetrieveNextRequest(manual_q, &r), STATUS_NO_MORE_ENTRIES);

	/* Empty to non-empty again: one more ready call. */
	ioh_read(4, 10, buf[4], 16);
	assert_int_equal(ioh_wait_int(&ready_calls, 2, 2000), 2);
	assert_int_equal(WdfIoQueueRetrieveNextRequest(manual_q, &r), STATUS_SUCCESS);
	WdfRequestComplete(r, STATUS_SUCCESS);
	for (int i = 1; i <= 4; i++)
		assert_int_equal(ioh_wait_done(i, 2000).count, 1);
	ioh_stop();
}

/* Forwarding from a parallel queue to a manual one, then requeueing. */
static WDFQUEUE fwd_manual;
static atomic_int fwd_calls;
static NTSTATUS fwd_requeue_status;

static void forward_read(WDFQUEUE q, WDFREQUEST r, size_t len)
{
	(void)q;
	(void)len;
	/* Requeue is for manual queues only. */
	fwd_requeue_status = WdfRequestRequeue(r);
	assert_int_equal(WdfRequestForwardToIoQueue(r, fwd_manual), STATUS_SUCCESS);
	atomic_fetch_add(&fwd_calls, 1);
}

static void fwd_hook(WDFDEVICE dev)
{
	WDF_IO_QUEUE_CONFIG c;

	WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&c, WdfIoQueueDispatchParallel);
	c.EvtIoRead = forward_read;
	ioh_queue(dev, &c);
	WDF_IO_QUEUE_CONFIG_INIT(&c, WdfIoQueueDispatchManual);
	fwd_manual = ioh_queue(dev, &c);
}

static void test_forward_requeue(void **state)
{
	WDFREQUEST r = NULL, r2 = NULL;
	ULONG queued = 0, owned = 0;

	(void)state;
	atomic_store(&fwd_calls, 0);
	ioh_start(fwd_hook);
	ioh_read(1, 0, buf[1], 16);
	assert_int_equal(ioh_wait_int(&fwd_calls, 1, 2000), 1);
	assert_int_equal(fwd_requeue_status, STATUS_INVALID_DEVICE_REQUEST);
	WdfIoQueueGetState(fwd_manual, &queued, &owned);
	assert_int_equal(queued, 1);
	assert_int_equal(WdfIoQueueRetrieveNextRequest(fwd_manual, &r), STATUS_SUCCESS);
	assert_ptr_equal(WdfRequestGetIoQueue(r), fwd_manual);
	WdfIoQueueGetState(fwd_manual, &queued, &owned);
	assert_int_equal(queued, 0);
	assert_int_equal(owned, 1);
	/* Back to the head of the manual queue it came from. */
	assert_int_equal(WdfRequestRequeue(r), STATUS_SUCCESS);
	WdfIoQueueGetState(fwd_manual, &queued, &owned);
	assert_int_equal(queued, 1);
	assert_int_equal(owned, 0);
	assert_int_equal(WdfIoQueueRetrieveNextRequest(fwd_manual, &r2), STATUS_SUCCESS);
	assert_ptr_equal(r, r2);
	/* Forwarding to the queue it is from is refused; the driver keeps it. */
	assert_int_equal(WdfRequestForwardToIoQueue(r2, fwd_manual), STATUS_INVALID_DEVICE_REQUEST);
	WdfRequestCompleteWithInformation(r2, STATUS_SUCCESS, 5);
	assert_int_equal(ioh_wait_done(1, 2000).info, 5);
	assert_int_equal(ioh_done_count(1), 1);
	ioh_stop();
}

/* Cancellation of requests still in a queue. */
static WDFQUEUE cq_plain, cq_cb;
static atomic_int canceled_on_queue;

static void on_canceled(WDFQUEUE q, WDFREQUEST r)
{
	assert_ptr_equal(q, cq_cb);
	atomic_fetch_add(&canceled_on_queue, 1);
	WdfRequestCompleteWithInformation(r, STATUS_CANCELLED, 7);
}

static void forward_to_cb(WDFQUEUE q, WDFREQUEST r, size_t len)
{
	(void)q;
	(void)len;
	assert_int_equal(WdfRequestForwardToIoQueue(r, cq_cb), STATUS_SUCCESS);
}

static void cancel_hook(WDFDEVICE dev)
{
	WDF_IO_QUEUE_CONFIG c;

	WDF_IO_QUEUE_CONFIG_INIT(&c, WdfIoQueueDispatchManual);
	cq_plain = ioh_queue(dev, &c);
	WDF_IO_QUEUE_CONFIG_INIT(&c, WdfIoQueueDispatchManual);
	c.EvtIoCanceledOnQueue = on_canceled;
	cq_cb = ioh_queue(dev, &c);
	WDF_IO_QUEUE_CONFIG_INIT(&c, WdfIoQueueDispatchParallel);
	c.EvtIoRead = forward_to_cb;
	assert_int_equal(WdfDeviceConfigureRequestDispatching(
				 dev, ioh_queue(dev, &c), WdfRequestTypeRead),
			 STATUS_SUCCESS);
	assert_int_equal(WdfDeviceConfigureRequestDispatching(dev, cq_plain, WdfRequestTypeWrite),
			 STATUS_SUCCESS);
}

static void test_cancel_on_queue(void **state)
{
	struct ioh_done d;
	ULONG queued = 1;
	char data[4] = "abc";

	(void)state;
	atomic_store(&canceled_on_queue, 0);
	ioh_start(cancel_hook);
	/* Straight from the OS side into a queue: the framework cancels it. */
	ioh_deliver_ex(1, UMN_IO_WRITE, 0, data, 4, NULL, 0, 0, 0, NULL);
	/* Delivery queues it before returning. */
	WdfIoQueueGetState(cq_plain, &queued, NULL);
	assert_int_equal(queued, 1);
	umn_io_cancel(1);
	d = ioh_wait_done(1, 2000);
	assert_int_equal(d.status, STATUS_CANCELLED);
	assert_int_equal(d.info, 0);
	WdfIoQueueGetState(cq_plain, &queued, NULL);
	assert_int_equal(queued, 0);

	/* Forwarded by the driver: EvtIoCanceledOnQueue gets it back. */
	ioh_read(2, 0, buf[2], 16);
	queued = 0;
	for (int i = 0; i < 2000 && queued == 0; i++) {
		WdfIoQueueGetState(cq_cb, &queued, NULL);
		ioh_sleep_ms(1);
	}
	assert_int_equal(queued, 1);
	umn_io_cancel(2);
	d = ioh_wait_done(2, 2000);
	assert_int_equal(d.status, STATUS_CANCELLED);
	assert_int_equal(d.info, 7);
	assert_int_equal(atomic_load(&canceled_on_queue), 1);
	/* A second cancel of a completed request is ignored. */
	umn_io_cancel(2);
	ioh_sleep_ms(10);
	assert_int_equal(ioh_done_count(2), 1);
	assert_int_equal(atomic_load(&canceled_on_queue), 1);
	ioh_stop();
}

/* Stop, Start, Purge and Drain with EvtIoStop and EvtIoResume. */
static WDFQUEUE sq;
static atomic_int stop_calls, stop_slot, resume_calls, state_calls;
static ULONG stop_flags[8];
static WDFCONTEXT state_ctx;

static void stop_cancel(WDFREQUEST r)
{
	WdfRequestComplete(r, STATUS_CANCELLED);
}

static void sq_read(WDFQUEUE q, WDFREQUEST r, size_t len)
{
	(void)q;
	(void)len;
	if (ioh_offset_of(r) == 1)
		WdfRequestMarkCancelable(r, stop_cancel);
	ioh_hold(r);
}

static void sq_stop(WDFQUEUE q, WDFREQUEST r, ULONG flags)
{
	/* EvtIoStop runs on several workers at once for a parallel queue. */
	int n = atomic_fetch_add(&stop_slot, 1);

	assert_ptr_equal(q, sq);
	if (n < 8)
		stop_flags[n] = flags;
	if (flags & WdfRequestStopActionPurge) {
		if ((flags & WdfRequestStopRequestCancelable) &&
		    WdfRequestUnmarkCancelable(r) == STATUS_CANCELLED) {
			atomic_fetch_add(&stop_calls, 1);
			return;
		}
		WdfRequestComplete(r, STATUS_CANCELLED);
	} else {
		WdfRequestStopAcknowledge(r, FALSE);
	}
	atomic_fetch_add(&stop_calls, 1);
}

static void sq_resume(WDFQUEUE q, WDFREQUEST r)
{
	(void)q;
	assert_int_equal(ioh_offset_of(r), 1);
	atomic_fetch_add(&resume_calls, 1);
}

static void sq_state(WDFQUEUE q, WDFCONTEXT ctx)
{
	assert_ptr_equal(q, sq);
	state_ctx = ctx;
	atomic_fetch_add(&state_calls, 1);
}

static void stop_hook(WDFDEVICE dev)
{
	WDF_IO_QUEUE_CONFIG c;

	WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&c, WdfIoQueueDispatchParallel);
	c.EvtIoRead = sq_read;
	c.EvtIoStop = sq_stop;
	c.EvtIoResume = sq_resume;
	sq = ioh_queue(dev, &c);
}

static void test_stop_start(void **state)
{
	ULONG queued = 0, owned = 0;
	WDF_IO_QUEUE_STATE s;

	(void)state;
	atomic_store(&stop_calls, 0);
	atomic_store(&stop_slot, 0);
	atomic_store(&resume_calls, 0);
	atomic_store(&state_calls, 0);
	ioh_held_reset();
	ioh_start(stop_hook);
	ioh_read(1, 0, buf[1], 16);
	assert_int_equal(ioh_wait_int(&ioh_held.n, 1, 2000), 1);

	WdfIoQueueStop(sq, sq_state, (WDFCONTEXT)&stop_calls);
	assert_int_equal(ioh_wait_int(&stop_calls, 1, 2000), 1);
	assert_int_equal(stop_flags[0],
			 WdfRequestStopActionSuspend | WdfRequestStopRequestCancelable);
	assert_int_equal(ioh_wait_int(&state_calls, 1, 2000), 1);
	assert_ptr_equal(state_ctx, &stop_calls);
	s = WdfIoQueueGetState(sq, &queued, &owned);
	assert_true(s & WdfIoQueueAcceptRequests);
	assert_false(s & WdfIoQueueDispatchRequests);
	assert_int_equal(owned, 1);

	/* Accepted but not presented while stopped. */
	ioh_read(2, 0, buf[2], 16);
	ioh_sleep_ms(30);
	assert_int_equal(atomic_load(&ioh_held.n), 1);
	WdfIoQueueGetState(sq, &queued, NULL);
	assert_int_equal(queued, 1);

	WdfIoQueueStart(sq);
	assert_int_equal(ioh_wait_int(&resume_calls, 1, 2000), 1);
	assert_int_equal(ioh_wait_int(&ioh_held.n, 2, 2000), 2);

	/* Purge: EvtIoStop with Purge for both; the driver completes them; the queue closes. */
	WdfIoQueuePurgeSynchronously(sq);
	assert_int_equal(ioh_done_count(1) + ioh_done_count(2), 2);
	assert_int_equal(ioh_wait_int(&stop_calls, 3, 2000), 3);
	assert_int_equal(stop_flags[1] & ~WdfRequestStopRequestCancelable,
			 WdfRequestStopActionPurge);
	assert_int_equal(stop_flags[2] & ~WdfRequestStopRequestCancelable,
			 WdfRequestStopActionPurge);
	assert_int_equal((stop_flags[1] | stop_flags[2]) & WdfRequestStopRequestCancelable,
			 WdfRequestStopRequestCancelable);
	assert_int_equal(ioh_wait_done(1, 2000).status, STATUS_CANCELLED);
	assert_int_equal(ioh_wait_done(2, 2000).status, STATUS_CANCELLED);
	assert_true(WDF_IO_QUEUE_PURGED(WdfIoQueueGetState(sq, NULL, NULL)));
	ioh_read(3, 0, buf[3], 16);
	assert_int_equal(ioh_wait_done(3, 2000).status, STATUS_INVALID_DEVICE_STATE);

	/* Queued requests are cancelled by a purge. */
	WdfIoQueueStart(sq);
	WdfIoQueueStopSynchronously(sq);
	ioh_read(4, 0, buf[4], 16);
	ioh_sleep_ms(20);
	assert_int_equal(ioh_done_count(4), 0);
	atomic_store(&state_calls, 0);
	WdfIoQueuePurge(sq, sq_state, NULL);
	assert_int_equal(ioh_wait_done(4, 2000).status, STATUS_CANCELLED);
	assert_int_equal(ioh_wait_int(&state_calls, 1, 2000), 1);
	ioh_stop();
}

/*
 * The device's power-down and power-up wait for EvtIoStop and EvtIoResume to
 * return, not only for the acknowledgement and the posting: both callbacks
 * here go on a while after the call the framework waits for, and the
 * resume completes its request (a call back into the framework).
 */
static atomic_int pw_stop_returned, pw_resume_returned;

static void pw_read(WDFQUEUE q, WDFREQUEST r, size_t len)
{
	(void)q;
	(void)len;
	ioh_hold(r);
}

static void pw_stop(WDFQUEUE q, WDFREQUEST r, ULONG flags)
{
	(void)q;
	assert_true(flags & WdfRequestStopActionSuspend);
	WdfRequestStopAcknowledge(r, FALSE);
	ioh_sleep_ms(30);
	atomic_store(&pw_stop_returned, 1);
}

static void pw_resume(WDFQUEUE q, WDFREQUEST r)
{
	(void)q;
	ioh_sleep_ms(30);
	WdfRequestComplete(r, STATUS_SUCCESS);
	atomic_store(&pw_resume_returned, 1);
}

static void power_hook(WDFDEVICE dev)
{
	WDF_IO_QUEUE_CONFIG c;

	WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&c, WdfIoQueueDispatchParallel);
	c.EvtIoRead = pw_read;
	c.EvtIoStop = pw_stop;
	c.EvtIoResume = pw_resume;
	ioh_queue(dev, &c);
}

static void test_power_waits_for_callbacks(void **state)
{
	(void)state;
	atomic_store(&pw_stop_returned, 0);
	atomic_store(&pw_resume_returned, 0);
	ioh_held_reset();
	ioh_start(power_hook);
	ioh_read(1, 0, buf[1], 16);
	assert_int_equal(ioh_wait_int(&ioh_held.n, 1, 2000), 1);

	assert_int_equal(umn_io_device_power_down(IOH_DEV), 0);
	assert_int_equal(atomic_load(&pw_stop_returned), 1);
	assert_int_equal(atomic_load(&pw_resume_returned), 0);

	umn_io_device_power_up(IOH_DEV);
	assert_int_equal(atomic_load(&pw_resume_returned), 1);
	assert_int_equal(ioh_wait_done(1, 2000).status, STATUS_SUCCESS);
	ioh_stop();
}

static void test_drain(void **state)
{
	(void)state;
	atomic_store(&stop_calls, 0);
	atomic_store(&stop_slot, 0);
	atomic_store(&state_calls, 0);
	ioh_held_reset();
	ioh_start(stop_hook);
	ioh_read(5, 0, buf[5], 16);
	assert_int_equal(ioh_wait_int(&ioh_held.n, 1, 2000), 1);
	WdfIoQueueDrain(sq, sq_state, NULL);
	/* Draining refuses new requests but presents what it has. */
	ioh_read(6, 0, buf[6], 16);
	assert_int_equal(ioh_wait_done(6, 2000).status, STATUS_INVALID_DEVICE_STATE);
	ioh_sleep_ms(20);
	assert_int_equal(atomic_load(&state_calls), 0);
	assert_int_equal(atomic_load(&stop_calls), 0);
	WdfRequestComplete(ioh_held_at(0), STATUS_SUCCESS);
	assert_int_equal(ioh_wait_int(&state_calls, 1, 2000), 1);
	assert_true(WDF_IO_QUEUE_DRAINED(WdfIoQueueGetState(sq, NULL, NULL)));
	WdfIoQueueStart(sq);
	assert_true(WDF_IO_QUEUE_READY(WdfIoQueueGetState(sq, NULL, NULL)));
	ioh_stop();
}

/* Device removal: queued requests cancelled, held ones get EvtIoStop(Purge). */
static WDFQUEUE rm_manual;

static void removal_hook(WDFDEVICE dev)
{
	WDF_IO_QUEUE_CONFIG c;

	stop_hook(dev);
	WDF_IO_QUEUE_CONFIG_INIT(&c, WdfIoQueueDispatchManual);
	rm_manual = ioh_queue(dev, &c);
	assert_int_equal(WdfDeviceConfigureRequestDispatching(dev, rm_manual, WdfRequestTypeWrite),
			 STATUS_SUCCESS);
}

static void test_device_removed(void **state)
{
	char data[2] = "x";
	ULONG queued = 0;

	(void)state;
	atomic_store(&stop_calls, 0);
	atomic_store(&stop_slot, 0);
	ioh_held_reset();
	ioh_start(removal_hook);
	ioh_read(2, 0, buf[2], 16);
	ioh_deliver_ex(3, UMN_IO_WRITE, 0, data, 2, NULL, 0, 0, 0, NULL);
	assert_int_equal(ioh_wait_int(&ioh_held.n, 1, 2000), 1);
	for (int i = 0; i < 2000 && queued == 0; i++) {
		WdfIoQueueGetState(rm_manual, &queued, NULL);
		ioh_sleep_ms(1);
	}
	umn_io_device_removed(IOH_DEV);
	assert_int_equal(ioh_wait_done(3, 2000).status, STATUS_CANCELLED);
	assert_int_equal(ioh_wait_int(&stop_calls, 1, 2000), 1);
	assert_int_equal(stop_flags[0], WdfRequestStopActionPurge);
	assert_int_equal(ioh_wait_done(2, 2000).status, STATUS_CANCELLED);
	ioh_read(4, 0, buf[4], 16);
	assert_int_equal(ioh_wait_done(4, 2000).status, STATUS_DEVICE_REMOVED);
	umn_io_device_removed(IOH_DEV);
	ioh_stop();
}

/* Queue creation rules. */
static void default_cb(WDFQUEUE q, WDFREQUEST r)
{
	(void)q;
	WdfRequestComplete(r, STATUS_SUCCESS);
}

static void create_rules_hook(WDFDEVICE dev)
{
	WDF_IO_QUEUE_CONFIG c;
	WDFQUEUE q;

	WDF_IO_QUEUE_CONFIG_INIT(&c, WdfIoQueueDispatchManual);
	c.EvtIoRead = hold_read;
	assert_int_equal(WdfIoQueueCreate(dev, &c, NULL, &q), STATUS_INVALID_PARAMETER);
	WDF_IO_QUEUE_CONFIG_INIT(&c, WdfIoQueueDispatchParallel);
	c.Settings.Parallel.NumberOfPresentedRequests = 0;
	assert_int_equal(WdfIoQueueCreate(dev, &c, NULL, &q), STATUS_INVALID_PARAMETER);
	c.Size = 4;
	assert_int_equal(WdfIoQueueCreate(dev, &c, NULL, &q), STATUS_INFO_LENGTH_MISMATCH);
	WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&c, WdfIoQueueDispatchSequential);
	c.EvtIoDefault = default_cb;
	assert_int_equal(WdfIoQueueCreate(dev, &c, NULL, NULL), STATUS_SUCCESS);
	assert_int_equal(WdfIoQueueCreate(dev, &c, NULL, &q), STATUS_INVALID_DEVICE_STATE);
	WDF_IO_QUEUE_CONFIG_INIT(&c, WdfIoQueueDispatchSequential);
	assert_int_equal(WdfIoQueueCreate(dev, &c, NULL, NULL), STATUS_INVALID_PARAMETER);
	q = WdfDeviceGetDefaultQueue(dev);
	assert_non_null(q);
	assert_ptr_equal(WdfIoQueueGetDevice(q), dev);
	/* A manual-only API on a sequential queue. */
	assert_int_equal(WdfIoQueueReadyNotify(q, on_ready, NULL), STATUS_INVALID_DEVICE_REQUEST);
}

static void test_create_rules(void **state)
{
	(void)state;
	ioh_start(create_rules_hook);
	ioh_stop();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sequential),
		cmocka_unit_test(test_parallel_limit),
		cmocka_unit_test(test_blocking_callback_grows_pool),
		cmocka_unit_test(test_routing),
		cmocka_unit_test(test_no_queue),
		cmocka_unit_test(test_zero_length),
		cmocka_unit_test(test_manual_by_file),
		cmocka_unit_test(test_forward_requeue),
		cmocka_unit_test(test_cancel_on_queue),
		cmocka_unit_test(test_stop_start),
		cmocka_unit_test(test_power_waits_for_callbacks),
		cmocka_unit_test(test_drain),
		cmocka_unit_test(test_device_removed),
		cmocka_unit_test(test_create_rules),
	};

	return cmocka_run_group_tests(tests, ioh_group_setup, NULL);
}
