// SPDX-License-Identifier: MIT
/*
 * WdfIoTarget*, WdfDeviceGetIoTarget and the synchronous sends: argument
 * checks, handle resolution, memory descriptors to buffers; the logic is in
 * iotarget.c.
 */
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "runtime/io/io_int.h"
#include "runtime/wdf/irql.h"

#ifndef FILE_OPENED
#define FILE_OPENED 0x00000001
#endif

static struct umn_device *device_get(const char *fn, WDFDEVICE h)
{
	struct umn_device *dev = (struct umn_device *)umn_object_from_handle(h, UMN_OBJ_DEVICE);

	if (!dev || !dev->io) {
		umn_log(UMN_LOG_ERR, "%s: %p is not a WDFDEVICE", fn, (void *)h);
		return NULL;
	}
	return dev;
}

NTSTATUS WdfIoTargetCreate(WDFDEVICE Device, PWDF_OBJECT_ATTRIBUTES IoTargetAttributes,
			   WDFIOTARGET *IoTarget)
{
	struct umn_device *dev = device_get("WdfIoTargetCreate", Device);
	struct umn_iotarget *t;
	NTSTATUS st;

	if (!dev || !IoTarget) {
		if (dev)
			umn_log(UMN_LOG_ERR, "WdfIoTargetCreate: IoTarget is NULL");
		return STATUS_INVALID_PARAMETER;
	}
	st = io_target_create(dev, IoTargetAttributes, false, &t);
	if (NT_SUCCESS(st))
		*IoTarget = (WDFIOTARGET)umn_object_handle(&t->obj);
	return st;
}

NTSTATUS WdfIoTargetOpen(WDFIOTARGET IoTarget, PWDF_IO_TARGET_OPEN_PARAMS OpenParams)
{
	static const char fn[] = "WdfIoTargetOpen";
	struct umn_iotarget *t = io_target_get(fn, IoTarget);
	char *name = NULL;
	NTSTATUS st;

	if (!t)
		return STATUS_INVALID_PARAMETER;
	if (!OpenParams || OpenParams->Size != sizeof(*OpenParams)) {
		umn_log(UMN_LOG_ERR,
			"%s: OpenParams is NULL or its Size is wrong (use a "
			"WDF_IO_TARGET_OPEN_PARAMS_INIT_* function)",
			fn);
		return STATUS_INVALID_PARAMETER;
	}
	if (umn_irql_current() > PASSIVE_LEVEL)
		umn_log(UMN_LOG_ERR, "%s: called at IRQL %u; requires PASSIVE_LEVEL", fn,
			umn_irql_current());
	switch (OpenParams->Type) {
	case WdfIoTargetOpenByName:
		name = io_wide_to_utf8(&OpenParams->TargetDeviceName, fn, "TargetDeviceName");
		if (!name)
			return STATUS_INVALID_PARAMETER;
		if (!name[0]) {
			umn_log(UMN_LOG_ERR, "%s: TargetDeviceName is empty", fn);
			free(name);
			return STATUS_INVALID_PARAMETER;
		}
		break;
	case WdfIoTargetOpenUseExistingDevice: {
		const DEVICE_OBJECT *d = OpenParams->TargetDeviceObject;
		const FILE_OBJECT *f = OpenParams->TargetFileObject;

		/* A UMDF driver has no WDM device objects to name another device with. */
		if (!umn_runtime_kernel_mode()) {
			umn_log(UMN_LOG_ERR,
				"%s: WdfIoTargetOpenUseExistingDevice is for in-host drivers; open "
				"the device by name",
				fn);
			return STATUS_NOT_SUPPORTED;
		}
		if (!d || d->magic != UMN_WDM_DEVICE_MAGIC) {
			umn_log(UMN_LOG_ERR, "%s: TargetDeviceObject is not a device object", fn);
			return STATUS_INVALID_PARAMETER;
		}
		if (f && f->magic != UMN_WDM_FILE_MAGIC) {
			umn_log(UMN_LOG_ERR, "%s: TargetFileObject is not a file object", fn);
			return STATUS_INVALID_PARAMETER;
		}
		/* Any file object may be named; the target's framework decides whether it knows it.
		 */
		return io_target_open(t, WdfIoTargetOpenUseExistingDevice, NULL, 0, d->os_device,
				      f ? f->os_file : 0);
	}
	case WdfIoTargetOpenReopen:
		break;
	case WdfIoTargetOpenLocalTargetByFile:
		/* The local stack of a user-mode driver: what the default target reaches. */
		if (umn_runtime_kernel_mode()) {
			umn_log(UMN_LOG_ERR,
				"%s: WdfIoTargetOpenLocalTargetByFile is for user-mode drivers",
				fn);
			return STATUS_NOT_SUPPORTED;
		}
		break;
	default:
		umn_log(UMN_LOG_ERR, "%s: open type %d is not valid", fn, (int)OpenParams->Type);
		return STATUS_INVALID_PARAMETER;
	}
	st = io_target_open(t, OpenParams->Type, name, OpenParams->DesiredAccess, UINT32_MAX, 0);
	if (NT_SUCCESS(st) && OpenParams->Type == WdfIoTargetOpenByName)
		OpenParams->FileInformation = FILE_OPENED;
	return st;
}

VOID WdfIoTargetCloseForQueryRemove(WDFIOTARGET IoTarget)
{
	struct umn_iotarget *t = io_target_get("WdfIoTargetCloseForQueryRemove", IoTarget);

	if (t)
		io_target_close(t, true);
}

VOID WdfIoTargetClose(WDFIOTARGET IoTarget)
{
	struct umn_iotarget *t = io_target_get("WdfIoTargetClose", IoTarget);

	if (t)
		io_target_close(t, false);
}

NTSTATUS WdfIoTargetStart(WDFIOTARGET IoTarget)
{
	struct umn_iotarget *t = io_target_get("WdfIoTargetStart", IoTarget);

	return t ? io_target_start(t) : STATUS_INVALID_PARAMETER;
}

VOID WdfIoTargetStop(WDFIOTARGET IoTarget, WDF_IO_TARGET_SENT_IO_ACTION Action)
{
	struct umn_iotarget *t = io_target_get("WdfIoTargetStop", IoTarget);

	if (!t)
		return;
	if (Action != WdfIoTargetCancelSentIo && Action != WdfIoTargetWaitForSentIoToComplete &&
	    Action != WdfIoTargetLeaveSentIoPending) {
		umn_log(UMN_LOG_ERR, "WdfIoTargetStop: Action %d is not valid", (int)Action);
		return;
	}
	io_target_stop(t, Action);
}

WDF_IO_TARGET_STATE WdfIoTargetGetState(WDFIOTARGET IoTarget)
{
	struct umn_iotarget *t = io_target_get("WdfIoTargetGetState", IoTarget);

	return t ? io_target_state(t) : WdfIoTargetStateUndefined;
}

WDFDEVICE WdfIoTargetGetDevice(WDFIOTARGET IoTarget)
{
	struct umn_iotarget *t = io_target_get("WdfIoTargetGetDevice", IoTarget);

	return t ? (WDFDEVICE)umn_object_handle(&t->dev->obj) : NULL;
}

WDFIOTARGET WdfDeviceGetIoTarget(WDFDEVICE Device)
{
	struct umn_device *dev = device_get("WdfDeviceGetIoTarget", Device);
	struct umn_iotarget *t;

	if (!dev)
		return NULL;
	t = io_target_default(dev);
	return t ? (WDFIOTARGET)umn_object_handle(&t->obj) : NULL;
}

NTSTATUS io_check_send_options(const char *fn, struct umn_request *r,
			       const WDF_REQUEST_SEND_OPTIONS *opts)
{
	if (!opts)
		return STATUS_SUCCESS;
	if (opts->Size != sizeof(*opts)) {
		umn_log(UMN_LOG_ERR,
			"%s: WDF_REQUEST_SEND_OPTIONS.Size is %u, expected %zu (use "
			"WDF_REQUEST_SEND_OPTIONS_INIT)",
			fn, opts->Size, sizeof(*opts));
		return STATUS_INVALID_PARAMETER;
	}
	if (opts->Flags & WDF_REQUEST_SEND_OPTION_SEND_AND_FORGET) {
		if (opts->Flags != WDF_REQUEST_SEND_OPTION_SEND_AND_FORGET) {
			umn_log(UMN_LOG_ERR,
				"%s: WDF_REQUEST_SEND_OPTION_SEND_AND_FORGET cannot be combined "
				"with other flags",
				fn);
			return STATUS_INVALID_PARAMETER;
		}
		if (!r->incoming) {
			umn_log(UMN_LOG_ERR,
				"%s: send-and-forget is for requests the framework delivered, not "
				"for request %p the driver created",
				fn, (void *)r);
			return STATUS_INVALID_PARAMETER;
		}
	}
	if ((opts->Flags & WDF_REQUEST_SEND_OPTION_SYNCHRONOUS) &&
	    umn_irql_current() > PASSIVE_LEVEL) {
		umn_log(UMN_LOG_ERR,
			"%s: a synchronous send at IRQL %u would wait; requires PASSIVE_LEVEL", fn,
			umn_irql_current());
		return STATUS_INVALID_DEVICE_STATE;
	}
	return STATUS_SUCCESS;
}

/* The part of m an offset structure selects (NULL: all of it). */
static NTSTATUS window(const char *fn, struct umn_memory *m, const WDFMEMORY_OFFSET *o, void **buf,
		       size_t *len, size_t *off)
{
	size_t start = o ? o->BufferOffset : 0;
	size_t n;

	if (start > m->size) {
		umn_log(UMN_LOG_ERR, "%s: BufferOffset %zu is past the end of the %zu-byte buffer",
			fn, start, m->size);
		return STATUS_INVALID_PARAMETER;
	}
	n = o && o->BufferLength ? o->BufferLength : m->size - start;
	if (n > m->size - start) {
		umn_log(UMN_LOG_ERR, "%s: %zu bytes at offset %zu exceed the %zu-byte buffer", fn,
			n, start, m->size);
		return STATUS_INVALID_PARAMETER;
	}
	*buf = (char *)m->buf + start;
	*len = n;
	*off = start;
	return STATUS_SUCCESS;
}

static NTSTATUS memory_arg(const char *fn, WDFMEMORY h, const WDFMEMORY_OFFSET *o, void **buf,
			   size_t *len, size_t *off, struct umn_memory **ret)
{
	struct umn_memory *m = umn_memory_get(fn, h);

	if (!m)
		return STATUS_INVALID_PARAMETER;
	*ret = m;
	return window(fn, m, o, buf, len, off);
}

static NTSTATUS descriptor_arg(const char *fn, const WDF_MEMORY_DESCRIPTOR *d, void **buf,
			       size_t *len, size_t *off, struct umn_memory **mem)
{
	*buf = NULL;
	*len = 0;
	*off = 0;
	*mem = NULL;
	if (!d)
		return STATUS_SUCCESS;
	switch (d->Type) {
	case WdfMemoryDescriptorTypeBuffer:
		if (d->u.BufferType.Length && !d->u.BufferType.Buffer) {
			umn_log(UMN_LOG_ERR, "%s: a buffer descriptor with a length but no buffer",
				fn);
			return STATUS_INVALID_PARAMETER;
		}
		*buf = d->u.BufferType.Buffer;
		*len = d->u.BufferType.Length;
		return STATUS_SUCCESS;
	case WdfMemoryDescriptorTypeHandle:
		return memory_arg(fn, d->u.HandleType.Memory, d->u.HandleType.Offsets, buf, len,
				  off, mem);
	case WdfMemoryDescriptorTypeMdl:
		umn_log(UMN_LOG_ERR,
			"%s: MDL descriptors are not supported; use a buffer or a WDFMEMORY", fn);
		return STATUS_NOT_SUPPORTED;
	default:
		umn_log(UMN_LOG_ERR, "%s: memory descriptor type %d is not valid", fn,
			(int)d->Type);
		return STATUS_INVALID_PARAMETER;
	}
}

static NTSTATUS send_sync(const char *fn, WDFIOTARGET IoTarget, WDFREQUEST Request,
			  struct io_format *f, PWDF_REQUEST_SEND_OPTIONS opts, PULONG_PTR bytes)
{
	struct umn_iotarget *t = io_target_get(fn, IoTarget);
	WDF_REQUEST_SEND_OPTIONS o;
	struct umn_request *r;
	bool own = false, sent = false;
	NTSTATUS st;

	if (bytes)
		*bytes = 0;
	if (!t)
		return STATUS_INVALID_PARAMETER;
	if (umn_irql_current() > PASSIVE_LEVEL) {
		umn_log(UMN_LOG_ERR, "%s: called at IRQL %u; it waits and requires PASSIVE_LEVEL",
			fn, umn_irql_current());
		return STATUS_INVALID_DEVICE_STATE;
	}
	if (opts && (opts->Size != sizeof(*opts) ||
		     (opts->Flags & WDF_REQUEST_SEND_OPTION_SEND_AND_FORGET))) {
		umn_log(UMN_LOG_ERR,
			"%s: RequestOptions has a wrong Size or asks for send-and-forget", fn);
		return STATUS_INVALID_PARAMETER;
	}
	if (Request) {
		r = io_req_get(fn, Request);
		if (!r)
			return STATUS_INVALID_PARAMETER;
	} else {
		st = io_req_create_driver(&t->dev->obj, NULL, t->dev, &r);
		if (!NT_SUCCESS(st))
			return st;
		own = true;
	}
	st = io_format(r, f);
	if (NT_SUCCESS(st)) {
		if (opts)
			o = *opts;
		else
			WDF_REQUEST_SEND_OPTIONS_INIT(&o, 0);
		o.Flags |= WDF_REQUEST_SEND_OPTION_SYNCHRONOUS;
		st = io_send(r, t, &o, &sent);
		if (sent && bytes) {
			umn_io_lock();
			*bytes = r->information;
			umn_io_unlock();
		}
	}
	if (own)
		umn_object_delete(&r->obj);
	else
		io_req_put(r);
	return st;
}

NTSTATUS WdfIoTargetSendReadSynchronously(WDFIOTARGET IoTarget, WDFREQUEST Request,
					  PWDF_MEMORY_DESCRIPTOR OutputBuffer,
					  PLONGLONG DeviceOffset,
					  PWDF_REQUEST_SEND_OPTIONS RequestOptions,
					  PULONG_PTR BytesRead)
{
	static const char fn[] = "WdfIoTargetSendReadSynchronously";
	struct io_format f = {.major = UMN_IO_READ};
	NTSTATUS st;

	st = descriptor_arg(fn, OutputBuffer, &f.out, &f.out_len, &f.out_off, &f.out_mem);
	if (!NT_SUCCESS(st))
		return st;
	f.offset = DeviceOffset ? (uint64_t)*DeviceOffset : 0;
	return send_sync(fn, IoTarget, Request, &f, RequestOptions, BytesRead);
}

NTSTATUS WdfIoTargetSendWriteSynchronously(WDFIOTARGET IoTarget, WDFREQUEST Request,
					   PWDF_MEMORY_DESCRIPTOR InputBuffer,
					   PLONGLONG DeviceOffset,
					   PWDF_REQUEST_SEND_OPTIONS RequestOptions,
					   PULONG_PTR BytesWritten)
{
	static const char fn[] = "WdfIoTargetSendWriteSynchronously";
	struct io_format f = {.major = UMN_IO_WRITE};
	NTSTATUS st;

	st = descriptor_arg(fn, InputBuffer, &f.in, &f.in_len, &f.in_off, &f.in_mem);
	if (!NT_SUCCESS(st))
		return st;
	f.offset = DeviceOffset ? (uint64_t)*DeviceOffset : 0;
	return send_sync(fn, IoTarget, Request, &f, RequestOptions, BytesWritten);
}

static NTSTATUS ioctl_sync(const char *fn, enum umn_io_major major, WDFIOTARGET IoTarget,
			   WDFREQUEST Request, ULONG IoctlCode, PWDF_MEMORY_DESCRIPTOR InputBuffer,
			   PWDF_MEMORY_DESCRIPTOR OutputBuffer,
			   PWDF_REQUEST_SEND_OPTIONS RequestOptions, PULONG_PTR BytesReturned)
{
	struct io_format f = {.major = major, .ioctl = IoctlCode};
	NTSTATUS st;

	st = descriptor_arg(fn, InputBuffer, &f.in, &f.in_len, &f.in_off, &f.in_mem);
	if (NT_SUCCESS(st))
		st = descriptor_arg(fn, OutputBuffer, &f.out, &f.out_len, &f.out_off, &f.out_mem);
	if (!NT_SUCCESS(st))
		return st;
	return send_sync(fn, IoTarget, Request, &f, RequestOptions, BytesReturned);
}

NTSTATUS WdfIoTargetSendIoctlSynchronously(WDFIOTARGET IoTarget, WDFREQUEST Request,
					   ULONG IoctlCode, PWDF_MEMORY_DESCRIPTOR InputBuffer,
					   PWDF_MEMORY_DESCRIPTOR OutputBuffer,
					   PWDF_REQUEST_SEND_OPTIONS RequestOptions,
					   PULONG_PTR BytesReturned)
{
	return ioctl_sync("WdfIoTargetSendIoctlSynchronously", UMN_IO_DEVICE_CONTROL, IoTarget,
			  Request, IoctlCode, InputBuffer, OutputBuffer, RequestOptions,
			  BytesReturned);
}

NTSTATUS WdfIoTargetSendInternalIoctlSynchronously(WDFIOTARGET IoTarget, WDFREQUEST Request,
						   ULONG IoctlCode,
						   PWDF_MEMORY_DESCRIPTOR InputBuffer,
						   PWDF_MEMORY_DESCRIPTOR OutputBuffer,
						   PWDF_REQUEST_SEND_OPTIONS RequestOptions,
						   PULONG_PTR BytesReturned)
{
	return ioctl_sync("WdfIoTargetSendInternalIoctlSynchronously",
			  UMN_IO_INTERNAL_DEVICE_CONTROL, IoTarget, Request, IoctlCode, InputBuffer,
			  OutputBuffer, RequestOptions, BytesReturned);
}

/*
 * Formats Request for major. A NULL memory handle means the request's own
 * buffer for a request the framework delivered (passing it on with a new
 * type), and no buffer for one the driver created.
 */
static NTSTATUS format_for(const char *fn, WDFIOTARGET IoTarget, WDFREQUEST Request,
			   enum umn_io_major major, ULONG ioctl, WDFMEMORY in,
			   PWDFMEMORY_OFFSET in_off, WDFMEMORY out, PWDFMEMORY_OFFSET out_off,
			   PLONGLONG DeviceOffset)
{
	struct io_format f = {.major = major, .ioctl = ioctl};
	struct umn_request *r;
	NTSTATUS st = STATUS_SUCCESS;
	bool has_in = major != UMN_IO_READ, has_out = major != UMN_IO_WRITE;

	if (!io_target_get(fn, IoTarget))
		return STATUS_INVALID_PARAMETER;
	r = io_req_get(fn, Request);
	if (!r)
		return STATUS_INVALID_PARAMETER;
	f.offset = DeviceOffset ? (uint64_t)*DeviceOffset : 0;
	if (has_in && in)
		st = memory_arg(fn, in, in_off, &f.in, &f.in_len, &f.in_off, &f.in_mem);
	else if (has_in && r->incoming)
		f.in = r->in, f.in_len = r->in_len;
	if (NT_SUCCESS(st) && has_out && out)
		st = memory_arg(fn, out, out_off, &f.out, &f.out_len, &f.out_off, &f.out_mem);
	else if (NT_SUCCESS(st) && has_out && r->incoming)
		f.out = r->out, f.out_len = r->out_len;
	if (NT_SUCCESS(st))
		st = io_format(r, &f);
	io_req_put(r);
	return st;
}

NTSTATUS WdfIoTargetFormatRequestForRead(WDFIOTARGET IoTarget, WDFREQUEST Request,
					 WDFMEMORY OutputBuffer,
					 PWDFMEMORY_OFFSET OutputBufferOffset,
					 PLONGLONG DeviceOffset)
{
	return format_for("WdfIoTargetFormatRequestForRead", IoTarget, Request, UMN_IO_READ, 0,
			  NULL, NULL, OutputBuffer, OutputBufferOffset, DeviceOffset);
}

NTSTATUS WdfIoTargetFormatRequestForWrite(WDFIOTARGET IoTarget, WDFREQUEST Request,
					  WDFMEMORY InputBuffer,
					  PWDFMEMORY_OFFSET InputBufferOffset,
					  PLONGLONG DeviceOffset)
{
	return format_for("WdfIoTargetFormatRequestForWrite", IoTarget, Request, UMN_IO_WRITE, 0,
			  InputBuffer, InputBufferOffset, NULL, NULL, DeviceOffset);
}

NTSTATUS WdfIoTargetFormatRequestForIoctl(WDFIOTARGET IoTarget, WDFREQUEST Request, ULONG IoctlCode,
					  WDFMEMORY InputBuffer,
					  PWDFMEMORY_OFFSET InputBufferOffset,
					  WDFMEMORY OutputBuffer,
					  PWDFMEMORY_OFFSET OutputBufferOffset)
{
	return format_for("WdfIoTargetFormatRequestForIoctl", IoTarget, Request,
			  UMN_IO_DEVICE_CONTROL, IoctlCode, InputBuffer, InputBufferOffset,
			  OutputBuffer, OutputBufferOffset, NULL);
}

NTSTATUS WdfIoTargetFormatRequestForInternalIoctl(WDFIOTARGET IoTarget, WDFREQUEST Request,
						  ULONG IoctlCode, WDFMEMORY InputBuffer,
						  PWDFMEMORY_OFFSET InputBufferOffset,
						  WDFMEMORY OutputBuffer,
						  PWDFMEMORY_OFFSET OutputBufferOffset)
{
	return format_for("WdfIoTargetFormatRequestForInternalIoctl", IoTarget, Request,
			  UMN_IO_INTERNAL_DEVICE_CONTROL, IoctlCode, InputBuffer, InputBufferOffset,
			  OutputBuffer, OutputBufferOffset, NULL);
}
