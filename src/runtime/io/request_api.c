// SPDX-License-Identifier: MIT
/*
 * WdfRequest*: argument checks and handle resolution. Every handle goes
 * through io_req_get, which refuses stale ones; the logic is in request.c
 * (completion, cancellation, queues) and iotarget.c (sending).
 */
#include <string.h>

#include "common/log.h"
#include "runtime/io/io_int.h"
#include "runtime/wdf/irql.h"

void io_req_parameters(struct umn_request *r, WDF_REQUEST_PARAMETERS *p)
{
	enum umn_io_major major = r->major;
	size_t in_len = r->in_len, out_len = r->out_len;
	uint32_t ioctl = r->ioctl;
	uint64_t offset = r->offset;

	if (!r->incoming) {
		/* A driver-created request describes what it was formatted with. */
		umn_io_lock();
		if (!r->fmt.valid) {
			umn_io_unlock();
			WDF_REQUEST_PARAMETERS_INIT(p);
			p->Type = WdfRequestTypeNoFormat;
			return;
		}
		major = r->fmt.major;
		in_len = r->fmt.in_len;
		out_len = r->fmt.out_len;
		ioctl = r->fmt.ioctl;
		offset = r->fmt.offset;
		umn_io_unlock();
	}
	WDF_REQUEST_PARAMETERS_INIT(p);
	p->Type = (WDF_REQUEST_TYPE)major;
	switch (major) {
	case UMN_IO_READ:
		p->Parameters.Read.Length = out_len;
		p->Parameters.Read.DeviceOffset = (LONGLONG)offset;
		break;
	case UMN_IO_WRITE:
		p->Parameters.Write.Length = in_len;
		p->Parameters.Write.DeviceOffset = (LONGLONG)offset;
		break;
	case UMN_IO_DEVICE_CONTROL:
	case UMN_IO_INTERNAL_DEVICE_CONTROL:
		p->Parameters.DeviceIoControl.OutputBufferLength = out_len;
		p->Parameters.DeviceIoControl.InputBufferLength = in_len;
		p->Parameters.DeviceIoControl.IoControlCode = ioctl;
		break;
	default:
		/* Create: no security context or share access travels with umnic opens. */
		break;
	}
}

VOID WdfRequestCompleteWithInformation(WDFREQUEST Request, NTSTATUS Status, ULONG_PTR Information)
{
	struct umn_request *r = io_req_get("WdfRequestCompleteWithInformation", Request);

	if (!r)
		return;
	io_req_complete(r, Status, Information, true);
	io_req_put(r);
}

VOID WdfRequestComplete(WDFREQUEST Request, NTSTATUS Status)
{
	struct umn_request *r = io_req_get("WdfRequestComplete", Request);
	ULONG_PTR info;

	if (!r)
		return;
	umn_io_lock();
	info = r->information;
	umn_io_unlock();
	io_req_complete(r, Status, info, true);
	io_req_put(r);
}

VOID WdfRequestSetInformation(WDFREQUEST Request, ULONG_PTR Information)
{
	struct umn_request *r = io_req_get("WdfRequestSetInformation", Request);

	if (!r)
		return;
	umn_io_lock();
	r->information = Information;
	umn_io_unlock();
	io_req_put(r);
}

ULONG_PTR WdfRequestGetInformation(WDFREQUEST Request)
{
	struct umn_request *r = io_req_get("WdfRequestGetInformation", Request);
	ULONG_PTR info;

	if (!r)
		return 0;
	umn_io_lock();
	info = r->information;
	umn_io_unlock();
	io_req_put(r);
	return info;
}

NTSTATUS WdfRequestGetStatus(WDFREQUEST Request)
{
	struct umn_request *r = io_req_get("WdfRequestGetStatus", Request);
	NTSTATUS st;

	if (!r)
		return STATUS_INVALID_PARAMETER;
	umn_io_lock();
	st = r->status;
	umn_io_unlock();
	io_req_put(r);
	return st;
}

VOID WdfRequestGetParameters(WDFREQUEST Request, PWDF_REQUEST_PARAMETERS Parameters)
{
	struct umn_request *r;

	if (!Parameters) {
		umn_log(UMN_LOG_ERR, "WdfRequestGetParameters: Parameters is NULL");
		return;
	}
	if (Parameters->Size != sizeof(*Parameters)) {
		umn_log(UMN_LOG_ERR,
			"WdfRequestGetParameters: WDF_REQUEST_PARAMETERS.Size is %u, expected %zu "
			"(use WDF_REQUEST_PARAMETERS_INIT)",
			Parameters->Size, sizeof(*Parameters));
		return;
	}
	r = io_req_get("WdfRequestGetParameters", Request);
	if (!r)
		return;
	io_req_parameters(r, Parameters);
	io_req_put(r);
}

static NTSTATUS retrieve_buffer(const char *fn, WDFREQUEST Request, bool output, size_t min,
				PVOID *Buffer, size_t *Length)
{
	struct umn_request *r;
	NTSTATUS st;
	size_t len = 0;
	void *buf = NULL;

	if (!Buffer) {
		umn_log(UMN_LOG_ERR, "%s: Buffer is NULL", fn);
		return STATUS_INVALID_PARAMETER;
	}
	r = io_req_get(fn, Request);
	if (!r)
		return STATUS_INVALID_PARAMETER;
	st = io_req_buffer(r, output, min, &buf, &len);
	if (st == STATUS_INVALID_DEVICE_REQUEST)
		umn_log(UMN_LOG_ERR, "%s: a %s request has no %s buffer", fn,
			io_major_name(r->major), output ? "output" : "input");
	io_req_put(r);
	if (!NT_SUCCESS(st))
		return st;
	*Buffer = buf;
	if (Length)
		*Length = len;
	return STATUS_SUCCESS;
}

NTSTATUS WdfRequestRetrieveInputBuffer(WDFREQUEST Request, size_t MinimumRequiredLength,
				       PVOID *Buffer, size_t *Length)
{
	return retrieve_buffer("WdfRequestRetrieveInputBuffer", Request, false,
			       MinimumRequiredLength, Buffer, Length);
}

NTSTATUS WdfRequestRetrieveOutputBuffer(WDFREQUEST Request, size_t MinimumRequiredLength,
					PVOID *Buffer, size_t *Length)
{
	return retrieve_buffer("WdfRequestRetrieveOutputBuffer", Request, true,
			       MinimumRequiredLength, Buffer, Length);
}

static NTSTATUS retrieve_memory(const char *fn, WDFREQUEST Request, bool output, WDFMEMORY *Memory)
{
	struct umn_request *r;
	struct umn_memory *m;
	NTSTATUS st;

	if (!Memory) {
		umn_log(UMN_LOG_ERR, "%s: Memory is NULL", fn);
		return STATUS_INVALID_PARAMETER;
	}
	r = io_req_get(fn, Request);
	if (!r)
		return STATUS_INVALID_PARAMETER;
	st = io_req_memory(r, output, &m);
	if (NT_SUCCESS(st))
		*Memory = (WDFMEMORY)umn_object_handle(&m->obj);
	io_req_put(r);
	return st;
}

NTSTATUS WdfRequestRetrieveInputMemory(WDFREQUEST Request, WDFMEMORY *Memory)
{
	return retrieve_memory("WdfRequestRetrieveInputMemory", Request, false, Memory);
}

NTSTATUS WdfRequestRetrieveOutputMemory(WDFREQUEST Request, WDFMEMORY *Memory)
{
	return retrieve_memory("WdfRequestRetrieveOutputMemory", Request, true, Memory);
}

NTSTATUS WdfRequestForwardToIoQueue(WDFREQUEST Request, WDFQUEUE DestinationQueue)
{
	static const char fn[] = "WdfRequestForwardToIoQueue";
	struct umn_queue *q = io_queue_get(fn, DestinationQueue);
	struct umn_request *r;
	NTSTATUS st;

	if (!q)
		return STATUS_INVALID_PARAMETER;
	r = io_req_get(fn, Request);
	if (!r)
		return STATUS_INVALID_PARAMETER;
	st = io_req_move(r, q, false, fn);
	io_req_put(r);
	return st;
}

NTSTATUS WdfRequestRequeue(WDFREQUEST Request)
{
	struct umn_request *r = io_req_get("WdfRequestRequeue", Request);
	NTSTATUS st;

	if (!r)
		return STATUS_INVALID_PARAMETER;
	st = io_req_move(r, NULL, true, "WdfRequestRequeue");
	io_req_put(r);
	return st;
}

VOID WdfRequestMarkCancelable(WDFREQUEST Request, PFN_WDF_REQUEST_CANCEL EvtRequestCancel)
{
	struct umn_request *r;

	if (!EvtRequestCancel) {
		umn_log(UMN_LOG_ERR, "WdfRequestMarkCancelable: EvtRequestCancel is NULL");
		return;
	}
	r = io_req_get("WdfRequestMarkCancelable", Request);
	if (!r)
		return;
	io_req_mark_cancelable(r, EvtRequestCancel, false);
	io_req_put(r);
}

NTSTATUS WdfRequestMarkCancelableEx(WDFREQUEST Request, PFN_WDF_REQUEST_CANCEL EvtRequestCancel)
{
	struct umn_request *r;
	NTSTATUS st;

	if (!EvtRequestCancel) {
		umn_log(UMN_LOG_ERR, "WdfRequestMarkCancelableEx: EvtRequestCancel is NULL");
		return STATUS_INVALID_PARAMETER;
	}
	r = io_req_get("WdfRequestMarkCancelableEx", Request);
	if (!r)
		return STATUS_INVALID_PARAMETER;
	st = io_req_mark_cancelable(r, EvtRequestCancel, true);
	io_req_put(r);
	return st;
}

NTSTATUS WdfRequestUnmarkCancelable(WDFREQUEST Request)
{
	struct umn_request *r = io_req_get("WdfRequestUnmarkCancelable", Request);
	NTSTATUS st;

	if (!r)
		return STATUS_INVALID_PARAMETER;
	st = io_req_unmark_cancelable(r);
	io_req_put(r);
	return st;
}

BOOLEAN WdfRequestIsCanceled(WDFREQUEST Request)
{
	struct umn_request *r = io_req_get("WdfRequestIsCanceled", Request);
	BOOLEAN c;

	if (!r)
		return FALSE;
	c = io_req_is_canceled(r);
	io_req_put(r);
	return c;
}

VOID WdfRequestStopAcknowledge(WDFREQUEST Request, BOOLEAN Requeue)
{
	struct umn_request *r = io_req_get("WdfRequestStopAcknowledge", Request);

	if (!r)
		return;
	io_req_stop_ack(r, Requeue != FALSE);
	io_req_put(r);
}

WDFFILEOBJECT WdfRequestGetFileObject(WDFREQUEST Request)
{
	struct umn_request *r = io_req_get("WdfRequestGetFileObject", Request);
	WDFFILEOBJECT h;

	if (!r)
		return NULL;
	h = r->file ? (WDFFILEOBJECT)umn_object_handle(&r->file->obj) : NULL;
	io_req_put(r);
	return h;
}

WDFQUEUE WdfRequestGetIoQueue(WDFREQUEST Request)
{
	struct umn_request *r = io_req_get("WdfRequestGetIoQueue", Request);
	WDFQUEUE h = NULL;

	if (!r)
		return NULL;
	umn_io_lock();
	if (r->queue)
		h = (WDFQUEUE)umn_object_handle(&r->queue->obj);
	umn_io_unlock();
	io_req_put(r);
	return h;
}

KPROCESSOR_MODE WdfRequestGetRequestorMode(WDFREQUEST Request)
{
	struct umn_request *r = io_req_get("WdfRequestGetRequestorMode", Request);
	KPROCESSOR_MODE m;

	if (!r)
		return UserMode;
	m = r->requestor_mode;
	io_req_put(r);
	return m;
}

ULONG WdfRequestGetRequestorProcessId(WDFREQUEST Request)
{
	struct umn_request *r = io_req_get("WdfRequestGetRequestorProcessId", Request);
	ULONG pid;

	if (!r)
		return 0;
	pid = r->pid;
	io_req_put(r);
	return pid;
}

BOOLEAN WdfRequestIsFromUserModeDriver(WDFREQUEST Request)
{
	struct umn_request *r = io_req_get("WdfRequestIsFromUserModeDriver", Request);
	BOOLEAN b;

	if (!r)
		return FALSE;
	b = r->requestor_mode == UserMode && r->from_umd;
	io_req_put(r);
	return b;
}

WDF_DEVICE_IO_TYPE WdfRequestGetEffectiveIoType(WDFREQUEST Request)
{
	struct umn_request *r = io_req_get("WdfRequestGetEffectiveIoType", Request);
	WDF_DEVICE_IO_TYPE t;

	if (!r)
		return WdfDeviceIoUndefined;
	t = r->io_type;
	io_req_put(r);
	return t;
}

/* Declared for kernel-mode builds only; the runtime is the same library for both. */
PIRP WdfRequestWdmGetIrp(WDFREQUEST Request);

PIRP WdfRequestWdmGetIrp(WDFREQUEST Request)
{
	(void)Request;
	umn_log(UMN_LOG_ERR, "WdfRequestWdmGetIrp: umnic requests have no IRP");
	return NULL;
}

/* Driver-created requests and sending. */

NTSTATUS WdfRequestCreate(PWDF_OBJECT_ATTRIBUTES RequestAttributes, WDFIOTARGET IoTarget,
			  WDFREQUEST *Request)
{
	static const char fn[] = "WdfRequestCreate";
	struct umn_iotarget *t = NULL;
	struct umn_request *r;
	NTSTATUS st;

	if (!Request) {
		umn_log(UMN_LOG_ERR, "%s: Request is NULL", fn);
		return STATUS_INVALID_PARAMETER;
	}
	if (IoTarget) {
		t = io_target_get(fn, IoTarget);
		if (!t)
			return STATUS_INVALID_PARAMETER;
	}
	/* Parented to the target's device, or to the driver without a target. */
	st = io_req_create_driver(t ? &t->dev->obj : umn_object_driver(), RequestAttributes,
				  t ? t->dev : NULL, &r);
	if (!NT_SUCCESS(st))
		return st;
	*Request = io_req_handle(r);
	return STATUS_SUCCESS;
}

NTSTATUS WdfRequestReuse(WDFREQUEST Request, PWDF_REQUEST_REUSE_PARAMS ReuseParams)
{
	static const char fn[] = "WdfRequestReuse";
	struct umn_request *r;
	struct io_format old;

	if (!ReuseParams || ReuseParams->Size != sizeof(*ReuseParams)) {
		umn_log(UMN_LOG_ERR,
			"%s: ReuseParams is NULL or its Size is wrong (use "
			"WDF_REQUEST_REUSE_PARAMS_INIT)",
			fn);
		return STATUS_INVALID_PARAMETER;
	}
	if (ReuseParams->Flags & WDF_REQUEST_REUSE_SET_NEW_IRP) {
		umn_log(UMN_LOG_ERR, "%s: umnic requests have no IRP to replace", fn);
		return STATUS_INVALID_PARAMETER;
	}
	r = io_req_get(fn, Request);
	if (!r)
		return STATUS_INVALID_PARAMETER;
	umn_io_lock();
	if (r->sent || (r->incoming && r->state != IO_REQ_DRIVER)) {
		umn_io_unlock();
		umn_log(UMN_LOG_ERR, "%s: request %p is %s", fn, (void *)r,
			r->sent ? "pending at an I/O target" : "not owned by the driver");
		io_req_put(r);
		return STATUS_INVALID_DEVICE_STATE;
	}
	old = r->fmt;
	memset(&r->fmt, 0, sizeof(r->fmt));
	r->status = ReuseParams->Status;
	r->information = 0;
	r->cr = NULL;
	r->cr_ctx = NULL;
	r->timed_out = false;
	/* As documented: reusing a received request forgets that it was cancelled. */
	r->cancelled = false;
	WDF_REQUEST_COMPLETION_PARAMS_INIT(&r->cparams);
	umn_io_unlock();
	io_format_release(&old);
	io_req_put(r);
	return STATUS_SUCCESS;
}

VOID WdfRequestSetCompletionRoutine(WDFREQUEST Request,
				    PFN_WDF_REQUEST_COMPLETION_ROUTINE CompletionRoutine,
				    WDFCONTEXT CompletionContext)
{
	struct umn_request *r = io_req_get("WdfRequestSetCompletionRoutine", Request);

	if (!r)
		return;
	umn_io_lock();
	r->cr = CompletionRoutine;
	r->cr_ctx = CompletionRoutine ? CompletionContext : NULL;
	umn_io_unlock();
	io_req_put(r);
}

VOID WdfRequestFormatRequestUsingCurrentType(WDFREQUEST Request)
{
	static const char fn[] = "WdfRequestFormatRequestUsingCurrentType";
	struct umn_request *r = io_req_get(fn, Request);
	struct io_format f = {0};

	if (!r)
		return;
	if (!r->incoming || r->major == UMN_IO_CREATE || r->major == UMN_IO_CLEANUP ||
	    r->major == UMN_IO_CLOSE) {
		umn_log(UMN_LOG_ERR,
			"%s: request %p is not a read, write or IOCTL the framework delivered", fn,
			(void *)r);
		io_req_put(r);
		return;
	}
	f.major = r->major;
	f.ioctl = r->ioctl;
	f.offset = r->offset;
	f.in = r->in;
	f.in_len = r->in_len;
	f.out = r->out;
	f.out_len = r->out_len;
	io_format(r, &f);
	io_req_put(r);
}

BOOLEAN WdfRequestSend(WDFREQUEST Request, WDFIOTARGET Target, PWDF_REQUEST_SEND_OPTIONS Options)
{
	static const char fn[] = "WdfRequestSend";
	struct umn_iotarget *t = io_target_get(fn, Target);
	struct umn_request *r;
	bool sent = false;
	NTSTATUS st;

	r = io_req_get(fn, Request);
	if (!r)
		return FALSE;
	if (!t) {
		st = STATUS_INVALID_PARAMETER;
		goto fail;
	}
	st = io_check_send_options(fn, r, Options);
	if (!NT_SUCCESS(st))
		goto fail;
	io_send(r, t, Options, &sent);
	io_req_put(r);
	return sent ? TRUE : FALSE;
fail:
	umn_io_lock();
	if (!r->sent)
		r->status = st;
	umn_io_unlock();
	io_req_put(r);
	return FALSE;
}

BOOLEAN WdfRequestCancelSentRequest(WDFREQUEST Request)
{
	struct umn_request *r = io_req_get("WdfRequestCancelSentRequest", Request);
	bool done;

	if (!r)
		return FALSE;
	done = io_cancel_sent(r);
	io_req_put(r);
	return done ? TRUE : FALSE;
}

VOID WdfRequestGetCompletionParams(WDFREQUEST Request, PWDF_REQUEST_COMPLETION_PARAMS Params)
{
	struct umn_request *r;

	if (!Params) {
		umn_log(UMN_LOG_ERR, "WdfRequestGetCompletionParams: Params is NULL");
		return;
	}
	r = io_req_get("WdfRequestGetCompletionParams", Request);
	if (!r)
		return;
	umn_io_lock();
	*Params = r->cparams;
	umn_io_unlock();
	io_req_put(r);
}
