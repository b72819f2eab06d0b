// SPDX-License-Identifier: MIT
/*
 * WdfIoQueue* and the device's queue routing (WdfDeviceGetDefaultQueue,
 * WdfDeviceConfigureRequestDispatching): argument checks and handle
 * resolution; the logic is in queue.c.
 */
#include "common/log.h"
#include "runtime/io/io_int.h"

static struct umn_device *device_get(const char *fn, WDFDEVICE h)
{
	struct umn_device *dev = (struct umn_device *)umn_object_from_handle(h, UMN_OBJ_DEVICE);

	if (!dev)
		umn_log(UMN_LOG_ERR, "%s: %p is not a WDFDEVICE", fn, (void *)h);
	else if (!dev->io)
		dev = NULL;
	return dev;
}

static NTSTATUS check_config(const char *fn, const WDF_IO_QUEUE_CONFIG *c)
{
	if (c->Size != sizeof(*c)) {
		umn_log(UMN_LOG_ERR,
			"%s: WDF_IO_QUEUE_CONFIG.Size is %u, expected %zu (use "
			"WDF_IO_QUEUE_CONFIG_INIT)",
			fn, c->Size, sizeof(*c));
		return STATUS_INFO_LENGTH_MISMATCH;
	}
	if (c->DispatchType <= WdfIoQueueDispatchInvalid ||
	    c->DispatchType >= WdfIoQueueDispatchMax) {
		umn_log(UMN_LOG_ERR, "%s: DispatchType %d is not sequential, parallel or manual",
			fn, (int)c->DispatchType);
		return STATUS_INVALID_PARAMETER;
	}
	if (c->PowerManaged != WdfFalse && c->PowerManaged != WdfTrue &&
	    c->PowerManaged != WdfUseDefault) {
		umn_log(UMN_LOG_ERR, "%s: PowerManaged %d is not a WDF_TRI_STATE", fn,
			(int)c->PowerManaged);
		return STATUS_INVALID_PARAMETER;
	}
	if (c->DispatchType == WdfIoQueueDispatchParallel &&
	    c->Settings.Parallel.NumberOfPresentedRequests == 0) {
		umn_log(UMN_LOG_ERR,
			"%s: NumberOfPresentedRequests is 0; use (ULONG)-1 for no limit", fn);
		return STATUS_INVALID_PARAMETER;
	}
	if (c->DispatchType == WdfIoQueueDispatchManual &&
	    (c->EvtIoDefault || c->EvtIoRead || c->EvtIoWrite || c->EvtIoDeviceControl ||
	     c->EvtIoInternalDeviceControl)) {
		umn_log(UMN_LOG_ERR,
			"%s: a manual queue presents nothing; its request callbacks must be NULL",
			fn);
		return STATUS_INVALID_PARAMETER;
	}
	return STATUS_SUCCESS;
}

NTSTATUS WdfIoQueueCreate(WDFDEVICE Device, PWDF_IO_QUEUE_CONFIG Config,
			  PWDF_OBJECT_ATTRIBUTES QueueAttributes, WDFQUEUE *Queue)
{
	static const char fn[] = "WdfIoQueueCreate";
	struct umn_device *dev = device_get(fn, Device);
	struct umn_queue *q;
	NTSTATUS st;

	if (!dev)
		return STATUS_INVALID_PARAMETER;
	if (!Config) {
		umn_log(UMN_LOG_ERR, "%s: Config is NULL", fn);
		return STATUS_INVALID_PARAMETER;
	}
	st = check_config(fn, Config);
	if (!NT_SUCCESS(st))
		return st;
	if (!Queue && !Config->DefaultQueue) {
		umn_log(UMN_LOG_ERR, "%s: Queue may be NULL only for a default queue", fn);
		return STATUS_INVALID_PARAMETER;
	}
	st = io_queue_create(dev, Config, QueueAttributes, &q);
	if (!NT_SUCCESS(st))
		return st;
	if (Queue)
		*Queue = (WDFQUEUE)umn_object_handle(&q->obj);
	return STATUS_SUCCESS;
}

WDF_IO_QUEUE_STATE WdfIoQueueGetState(WDFQUEUE Queue, PULONG QueueRequests, PULONG DriverRequests)
{
	struct umn_queue *q = io_queue_get("WdfIoQueueGetState", Queue);

	if (!q) {
		if (QueueRequests)
			*QueueRequests = 0;
		if (DriverRequests)
			*DriverRequests = 0;
		return (WDF_IO_QUEUE_STATE)0;
	}
	return io_queue_state(q, QueueRequests, DriverRequests);
}

VOID WdfIoQueueStart(WDFQUEUE Queue)
{
	struct umn_queue *q = io_queue_get("WdfIoQueueStart", Queue);

	if (q)
		io_queue_start(q);
}

VOID WdfIoQueueStop(WDFQUEUE Queue, PFN_WDF_IO_QUEUE_STATE StopComplete, WDFCONTEXT Context)
{
	struct umn_queue *q = io_queue_get("WdfIoQueueStop", Queue);

	if (q)
		io_queue_stop(q, IO_WAIT_STOP, StopComplete, Context, false);
}

VOID WdfIoQueueStopSynchronously(WDFQUEUE Queue)
{
	struct umn_queue *q = io_queue_get("WdfIoQueueStopSynchronously", Queue);

	if (q)
		io_queue_stop(q, IO_WAIT_STOP, NULL, NULL, true);
}

VOID WdfIoQueueDrain(WDFQUEUE Queue, PFN_WDF_IO_QUEUE_STATE DrainComplete, WDFCONTEXT Context)
{
	struct umn_queue *q = io_queue_get("WdfIoQueueDrain", Queue);

	if (q)
		io_queue_stop(q, IO_WAIT_DRAIN, DrainComplete, Context, false);
}

VOID WdfIoQueueDrainSynchronously(WDFQUEUE Queue)
{
	struct umn_queue *q = io_queue_get("WdfIoQueueDrainSynchronously", Queue);

	if (q)
		io_queue_stop(q, IO_WAIT_DRAIN, NULL, NULL, true);
}

VOID WdfIoQueuePurge(WDFQUEUE Queue, PFN_WDF_IO_QUEUE_STATE PurgeComplete, WDFCONTEXT Context)
{
	struct umn_queue *q = io_queue_get("WdfIoQueuePurge", Queue);

	if (q)
		io_queue_stop(q, IO_WAIT_PURGE, PurgeComplete, Context, false);
}

VOID WdfIoQueuePurgeSynchronously(WDFQUEUE Queue)
{
	struct umn_queue *q = io_queue_get("WdfIoQueuePurgeSynchronously", Queue);

	if (q)
		io_queue_stop(q, IO_WAIT_PURGE, NULL, NULL, true);
}

WDFDEVICE WdfIoQueueGetDevice(WDFQUEUE Queue)
{
	struct umn_queue *q = io_queue_get("WdfIoQueueGetDevice", Queue);

	return q ? (WDFDEVICE)umn_object_handle(&q->dev->obj) : NULL;
}

static struct umn_fileobj *file_arg(const char *fn, WDFFILEOBJECT h, bool *bad)
{
	struct umn_object *o;

	*bad = false;
	if (!h)
		return NULL;
	o = umn_object_from_handle(h, UMN_OBJ_FILEOBJECT);
	if (!o) {
		umn_log(UMN_LOG_ERR, "%s: %p is not a WDFFILEOBJECT", fn, (void *)h);
		*bad = true;
	}
	return (struct umn_fileobj *)o;
}

static NTSTATUS retrieve(const char *fn, WDFQUEUE Queue, WDFFILEOBJECT FileObject, bool need_file,
			 WDFREQUEST Found, WDFREQUEST *OutRequest)
{
	struct umn_queue *q = io_queue_get(fn, Queue);
	struct umn_request *found = NULL, *r = NULL;
	struct umn_fileobj *f;
	NTSTATUS st;
	bool bad;

	if (!q || !OutRequest) {
		if (q)
			umn_log(UMN_LOG_ERR, "%s: OutRequest is NULL", fn);
		return STATUS_INVALID_PARAMETER;
	}
	*OutRequest = NULL;
	f = file_arg(fn, FileObject, &bad);
	if (bad || (need_file && !f)) {
		if (!bad)
			umn_log(UMN_LOG_ERR, "%s: FileObject is NULL", fn);
		return STATUS_INVALID_PARAMETER;
	}
	if (Found) {
		found = io_req_get(fn, Found);
		if (!found)
			return STATUS_INVALID_PARAMETER;
	}
	st = io_queue_retrieve(q, f, found, &r);
	io_req_put(found);
	if (NT_SUCCESS(st))
		*OutRequest = io_req_handle(r);
	return st;
}

NTSTATUS WdfIoQueueRetrieveNextRequest(WDFQUEUE Queue, WDFREQUEST *OutRequest)
{
	return retrieve("WdfIoQueueRetrieveNextRequest", Queue, NULL, false, NULL, OutRequest);
}

NTSTATUS WdfIoQueueRetrieveRequestByFileObject(WDFQUEUE Queue, WDFFILEOBJECT FileObject,
					       WDFREQUEST *OutRequest)
{
	return retrieve("WdfIoQueueRetrieveRequestByFileObject", Queue, FileObject, true, NULL,
			OutRequest);
}

NTSTATUS WdfIoQueueRetrieveFoundRequest(WDFQUEUE Queue, WDFREQUEST FoundRequest,
					WDFREQUEST *OutRequest)
{
	if (!FoundRequest) {
		umn_log(UMN_LOG_ERR, "WdfIoQueueRetrieveFoundRequest: FoundRequest is NULL");
		return STATUS_INVALID_PARAMETER;
	}
	return retrieve("WdfIoQueueRetrieveFoundRequest", Queue, NULL, false, FoundRequest,
			OutRequest);
}

NTSTATUS WdfIoQueueFindRequest(WDFQUEUE Queue, WDFREQUEST FoundRequest, WDFFILEOBJECT FileObject,
			       PWDF_REQUEST_PARAMETERS Parameters, WDFREQUEST *OutRequest)
{
	static const char fn[] = "WdfIoQueueFindRequest";
	struct umn_queue *q = io_queue_get(fn, Queue);
	struct umn_request *after = NULL, *r = NULL;
	struct umn_fileobj *f;
	NTSTATUS st;
	bool bad;

	if (!q || !OutRequest) {
		if (q)
			umn_log(UMN_LOG_ERR, "%s: OutRequest is NULL", fn);
		return STATUS_INVALID_PARAMETER;
	}
	*OutRequest = NULL;
	if (Parameters && Parameters->Size != sizeof(*Parameters)) {
		umn_log(UMN_LOG_ERR, "%s: WDF_REQUEST_PARAMETERS.Size is %u, expected %zu", fn,
			Parameters->Size, sizeof(*Parameters));
		return STATUS_INVALID_PARAMETER;
	}
	f = file_arg(fn, FileObject, &bad);
	if (bad)
		return STATUS_INVALID_PARAMETER;
	if (FoundRequest) {
		after = io_req_get(fn, FoundRequest);
		if (!after)
			return STATUS_INVALID_PARAMETER;
	}
	st = io_queue_find(q, after, f, &r);
	io_req_put(after);
	if (NT_SUCCESS(st)) {
		if (Parameters)
			io_req_parameters(r, Parameters);
		*OutRequest = io_req_handle(r);
	}
	return st;
}

NTSTATUS WdfIoQueueReadyNotify(WDFQUEUE Queue, PFN_WDF_IO_QUEUE_STATE QueueReady,
			       WDFCONTEXT Context)
{
	struct umn_queue *q = io_queue_get("WdfIoQueueReadyNotify", Queue);
	NTSTATUS st;

	if (!q)
		return STATUS_INVALID_PARAMETER;
	st = io_queue_ready_notify(q, QueueReady, Context);
	if (st == STATUS_INVALID_DEVICE_REQUEST)
		umn_log(UMN_LOG_ERR, "WdfIoQueueReadyNotify: queue %p is not a manual queue",
			(void *)Queue);
	else if (st == STATUS_INVALID_DEVICE_STATE)
		umn_log(UMN_LOG_ERR,
			"WdfIoQueueReadyNotify: queue %p has a callback already; pass NULL first",
			(void *)Queue);
	return st;
}

WDFQUEUE WdfDeviceGetDefaultQueue(WDFDEVICE Device)
{
	struct umn_device *dev = device_get("WdfDeviceGetDefaultQueue", Device);
	struct umn_queue *q;

	if (!dev)
		return NULL;
	umn_io_lock();
	q = dev->io->default_queue;
	umn_io_unlock();
	return q ? (WDFQUEUE)umn_object_handle(&q->obj) : NULL;
}

NTSTATUS WdfDeviceConfigureRequestDispatching(WDFDEVICE Device, WDFQUEUE Queue,
					      WDF_REQUEST_TYPE RequestType)
{
	static const char fn[] = "WdfDeviceConfigureRequestDispatching";
	struct umn_device *dev = device_get(fn, Device);
	struct umn_queue *q = io_queue_get(fn, Queue);
	enum io_type_slot slot;
	enum umn_io_major major;
	NTSTATUS st = STATUS_SUCCESS;

	if (!dev || !q)
		return STATUS_INVALID_PARAMETER;
	if (q->dev != dev) {
		umn_log(UMN_LOG_ERR, "%s: the queue belongs to another device", fn);
		return STATUS_INVALID_PARAMETER;
	}
	switch (RequestType) {
	case WdfRequestTypeCreate:
		slot = IO_SLOT_CREATE, major = UMN_IO_CREATE;
		break;
	case WdfRequestTypeRead:
		slot = IO_SLOT_READ, major = UMN_IO_READ;
		break;
	case WdfRequestTypeWrite:
		slot = IO_SLOT_WRITE, major = UMN_IO_WRITE;
		break;
	case WdfRequestTypeDeviceControl:
		slot = IO_SLOT_IOCTL, major = UMN_IO_DEVICE_CONTROL;
		break;
	case WdfRequestTypeDeviceControlInternal:
		slot = IO_SLOT_INTERNAL_IOCTL, major = UMN_IO_INTERNAL_DEVICE_CONTROL;
		break;
	default:
		umn_log(UMN_LOG_ERR, "%s: requests of type 0x%x cannot be routed to a queue", fn,
			(unsigned)RequestType);
		return STATUS_INVALID_PARAMETER;
	}
	if (!io_queue_has_handler(q, major)) {
		umn_log(UMN_LOG_ERR,
			"%s: the queue has no callback for %s requests (nor EvtIoDefault)", fn,
			io_major_name(major));
		return STATUS_INVALID_PARAMETER;
	}
	umn_io_lock();
	if (dev->io->by_type[slot] && dev->io->by_type[slot] != q)
		st = STATUS_INVALID_DEVICE_REQUEST;
	else
		dev->io->by_type[slot] = q;
	umn_io_unlock();
	if (!NT_SUCCESS(st))
		umn_log(UMN_LOG_ERR, "%s: %s requests already go to another queue", fn,
			io_major_name(major));
	return st;
}
