/* SPDX-License-Identifier: MIT */
/*
 * kmclient: a driver that is itself a client of another device. Reads,
 * writes and IOCTLs sent to its device are passed on to the echo device
 * through a remote I/O target; IOCTL_KMCLIENT_SEND makes it open a target
 * and send one request the way the caller describes.
 *
 * Built twice from this file: with _KERNEL_MODE as an in-host (KMDF-style)
 * driver, which can also name a device by its WDM device object, and
 * without it as a user-mode driver, which cannot. Written against the WDK
 * interface only.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#ifdef _KERNEL_MODE
#include <wdm.h>
#endif
#include <wdf.h>

#include "kmclient.h"

#define KMCLIENT_SEND_TIMEOUT_S 10

typedef struct {
	WDFSPINLOCK Lock;	 /* held across WdfRequestSend for KMCLIENT_AT_DISPATCH */
	WDFWAITLOCK ForwardLock; /* serializes the lazy open of Forward */
	WDFIOTARGET Forward;	 /* KMCLIENT_DEFAULT_TARGET, for everything but SEND */
	BOOLEAN ForwardOpen;
} KMCLIENT_DEVICE;
WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(KMCLIENT_DEVICE, KmClientGetDevice);

/* One IOCTL_KMCLIENT_SEND, its input copied out of the request. */
typedef struct {
	struct kmclient_send In;
	void *Data; /* In.in_len bytes, a private copy (see ParseSend) */
	void *Out;  /* In.out_len bytes of the caller's buffer, after the result */
	WCHAR NameBuffer[RTL_FIELD_SIZE(struct kmclient_send, target)];
	UNICODE_STRING Name; /* the target, in NameBuffer */
} KMCLIENT_SEND;

/* Signalled by SendDone: the KEVENT a Windows driver would wait on. */
typedef struct {
	pthread_mutex_t Lock;
	pthread_cond_t Cond;
	BOOLEAN Done;
	WDF_REQUEST_COMPLETION_PARAMS Params;
} KMCLIENT_WAIT;

/* ---- Forwarding: every request but IOCTL_KMCLIENT_SEND goes to the echo device ---- */

/*
 * Opened at the first forward rather than in EvtDeviceAdd, so kmclient may
 * start before echo; a failed open is tried again at the next request.
 */
static NTSTATUS OpenForward(KMCLIENT_DEVICE *d)
{
	DECLARE_CONST_UNICODE_STRING(name, KMCLIENT_DEFAULT_TARGET);
	WDF_IO_TARGET_OPEN_PARAMS open;
	NTSTATUS status = STATUS_SUCCESS;

	WdfWaitLockAcquire(d->ForwardLock, NULL);
	if (!d->ForwardOpen) {
		WDF_IO_TARGET_OPEN_PARAMS_INIT_OPEN_BY_NAME(&open, &name,
							    GENERIC_READ | GENERIC_WRITE);
		status = WdfIoTargetOpen(d->Forward, &open);
		d->ForwardOpen = NT_SUCCESS(status);
	}
	WdfWaitLockRelease(d->ForwardLock);
	return status;
}

/*
 * The target's Information says how much of the caller's output buffer it
 * filled. A target that claims more than the buffer holds has misbehaved,
 * and nothing it returned is passed on.
 */
static void ForwardDone(WDFREQUEST Request, WDFIOTARGET Target,
			PWDF_REQUEST_COMPLETION_PARAMS Params, WDFCONTEXT Context)
{
	WDF_REQUEST_COMPLETION_PARAMS done;
	WDF_REQUEST_PARAMETERS p;
	size_t room = SIZE_MAX;

	UNREFERENCED_PARAMETER(Target);
	UNREFERENCED_PARAMETER(Params);
	UNREFERENCED_PARAMETER(Context);
	WDF_REQUEST_COMPLETION_PARAMS_INIT(&done);
	WdfRequestGetCompletionParams(Request, &done);
	/* The request as it reached kmclient: its output length is what the caller gave. */
	WDF_REQUEST_PARAMETERS_INIT(&p);
	WdfRequestGetParameters(Request, &p);
	if (p.Type == WdfRequestTypeRead)
		room = p.Parameters.Read.Length;
	else if (p.Type == WdfRequestTypeDeviceControl)
		room = p.Parameters.DeviceIoControl.OutputBufferLength;
	if (done.IoStatus.Information > room) {
		WdfRequestCompleteWithInformation(Request, STATUS_INVALID_DEVICE_STATE, 0);
		return;
	}
	WdfRequestCompleteWithInformation(Request, done.IoStatus.Status, done.IoStatus.Information);
}

static void Forward(WDFQUEUE Queue, WDFREQUEST Request)
{
	KMCLIENT_DEVICE *d = KmClientGetDevice(WdfIoQueueGetDevice(Queue));
	NTSTATUS status = OpenForward(d);

	if (!NT_SUCCESS(status)) {
		WdfRequestComplete(Request, status);
		return;
	}
	WdfRequestFormatRequestUsingCurrentType(Request);
	WdfRequestSetCompletionRoutine(Request, ForwardDone, WDF_NO_CONTEXT);
	if (!WdfRequestSend(Request, d->Forward, WDF_NO_SEND_OPTIONS))
		WdfRequestComplete(Request, WdfRequestGetStatus(Request));
}

/* ---- IOCTL_KMCLIENT_SEND: checking the input ---- */

static BOOLEAN MajorValid(uint32_t major)
{
	return major == IRP_MJ_READ || major == IRP_MJ_WRITE || major == IRP_MJ_DEVICE_CONTROL ||
	       major == IRP_MJ_INTERNAL_DEVICE_CONTROL;
}

/*
 * The caller's UTF-8 target name as the UNICODE_STRING the WDK calls take
 * (WCHAR is wchar_t here: one code point each). FALSE for a name that is
 * not NUL-terminated within target[] or not valid UTF-8.
 */
static BOOLEAN TargetName(KMCLIENT_SEND *s)
{
	const unsigned char *p = (const unsigned char *)s->In.target;
	const unsigned char *end = memchr(p, 0, sizeof(s->In.target));
	size_t n = 0;

	if (!end)
		return FALSE;
	if (p == end) {
		C_ASSERT(sizeof(KMCLIENT_DEFAULT_TARGET) <= sizeof(s->NameBuffer));
		memcpy(s->NameBuffer, KMCLIENT_DEFAULT_TARGET, sizeof(KMCLIENT_DEFAULT_TARGET));
		n = ARRAYSIZE(KMCLIENT_DEFAULT_TARGET) - 1;
	}
	while (p < end) {
		uint32_t c = *p++, min;
		unsigned more;

		if (c < 0x80) {
			more = 0, min = 0;
		} else if ((c & 0xe0) == 0xc0) {
			more = 1, min = 0x80, c &= 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			more = 2, min = 0x800, c &= 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			more = 3, min = 0x10000, c &= 0x07;
		} else {
			return FALSE;
		}
		if ((size_t)(end - p) < more)
			return FALSE;
		for (; more; more--, p++) {
			if ((*p & 0xc0) != 0x80)
				return FALSE;
			c = c << 6 | (*p & 0x3f);
		}
		/* Overlong forms, surrogates and values past Unicode are not UTF-8. */
		if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
			return FALSE;
		s->NameBuffer[n++] = (WCHAR)c;
	}
	s->Name.Buffer = s->NameBuffer;
	s->Name.Length = (USHORT)(n * sizeof(WCHAR));
	s->Name.MaximumLength = (USHORT)sizeof(s->NameBuffer);
	return TRUE;
}

/*
 * Checks the buffers and copies the input out first: with METHOD_BUFFERED
 * the input and the output may be one buffer, which the target writes its
 * output into while the input is still needed.
 */
static NTSTATUS ParseSend(WDFREQUEST Request, KMCLIENT_SEND *s, struct kmclient_result **ret_result)
{
	size_t in_len, out_len;
	void *in, *out;

	memset(s, 0, sizeof(*s));
	if (!NT_SUCCESS(WdfRequestRetrieveInputBuffer(Request, sizeof(s->In), &in, &in_len)))
		return STATUS_INVALID_PARAMETER;
	memcpy(&s->In, in, sizeof(s->In));
	if (in_len - sizeof(s->In) < s->In.in_len || s->In.open > KMCLIENT_EXISTING_UNKNOWN ||
	    !MajorValid(s->In.major) ||
	    (s->In.flags & ~(uint32_t)(KMCLIENT_AT_DISPATCH | KMCLIENT_READ_ONLY)) ||
	    !TargetName(s))
		return STATUS_INVALID_PARAMETER;
	if (!NT_SUCCESS(WdfRequestRetrieveOutputBuffer(
		Request, sizeof(**ret_result) + s->In.out_len, &out, &out_len)))
		return STATUS_BUFFER_TOO_SMALL;
	if (s->In.in_len) {
		s->Data = malloc(s->In.in_len);
		if (!s->Data)
			return STATUS_INSUFFICIENT_RESOURCES;
		memcpy(s->Data, (const char *)in + sizeof(s->In), s->In.in_len);
	}
	s->Out = (char *)out + sizeof(**ret_result);
	*ret_result = out;
	return STATUS_SUCCESS;
}

/* ---- IOCTL_KMCLIENT_SEND: opening the target ---- */

static ACCESS_MASK Access(const KMCLIENT_SEND *s)
{
	return s->In.flags & KMCLIENT_READ_ONLY ? GENERIC_READ : GENERIC_READ | GENERIC_WRITE;
}

#ifdef _KERNEL_MODE
/*
 * The target as a device object, with the file object the caller chose:
 * none, the one IoGetDeviceObjectPointer created on the target, or the one
 * the SEND request came with, which belongs to kmclient's own device and
 * means nothing to the target. *ret_file keeps the target referenced until
 * ReleaseFile.
 */
static NTSTATUS ExistingDeviceParams(WDFREQUEST Request, KMCLIENT_SEND *s,
				     PWDF_IO_TARGET_OPEN_PARAMS Open, PFILE_OBJECT *ret_file)
{
	WDFFILEOBJECT own = NULL;
	PDEVICE_OBJECT device;
	PFILE_OBJECT file;
	NTSTATUS status;

	if (s->In.open == KMCLIENT_EXISTING_UNKNOWN) {
		own = WdfRequestGetFileObject(Request);
		if (!own)
			return STATUS_INVALID_DEVICE_REQUEST;
	}
	status = IoGetDeviceObjectPointer(&s->Name, Access(s), &file, &device);
	if (!NT_SUCCESS(status))
		return status;
	WDF_IO_TARGET_OPEN_PARAMS_INIT_EXISTING_DEVICE(Open, device);
	if (s->In.open == KMCLIENT_EXISTING_CREATED)
		Open->TargetFileObject = file;
	else if (s->In.open == KMCLIENT_EXISTING_UNKNOWN)
		Open->TargetFileObject = WdfFileObjectWdmGetFileObject(own);
	else
		Open->TargetFileObject = NULL;
	*ret_file = file;
	return STATUS_SUCCESS;
}

static void ReleaseFile(PFILE_OBJECT File)
{
	if (File)
		ObDereferenceObject(File);
}
#else
/*
 * A user-mode driver has no WDM device objects to name another device with;
 * the framework refuses the open (STATUS_NOT_SUPPORTED), which is what the
 * caller hears.
 */
static NTSTATUS ExistingDeviceParams(WDFREQUEST Request, KMCLIENT_SEND *s,
				     PWDF_IO_TARGET_OPEN_PARAMS Open, PFILE_OBJECT *ret_file)
{
	UNREFERENCED_PARAMETER(Request);
	UNREFERENCED_PARAMETER(s);
	WDF_IO_TARGET_OPEN_PARAMS_INIT_EXISTING_DEVICE(Open, NULL);
	*ret_file = NULL;
	return STATUS_SUCCESS;
}

static void ReleaseFile(PFILE_OBJECT File)
{
	UNREFERENCED_PARAMETER(File);
}
#endif

static NTSTATUS OpenTarget(WDFDEVICE Device, WDFREQUEST Request, KMCLIENT_SEND *s,
			   WDFIOTARGET *ret_target, PFILE_OBJECT *ret_file)
{
	WDF_IO_TARGET_OPEN_PARAMS open;
	PFILE_OBJECT file = NULL;
	WDFIOTARGET target;
	NTSTATUS status;

	if (s->In.open == KMCLIENT_BY_NAME) {
		WDF_IO_TARGET_OPEN_PARAMS_INIT_OPEN_BY_NAME(&open, &s->Name, Access(s));
	} else {
		status = ExistingDeviceParams(Request, s, &open, &file);
		if (!NT_SUCCESS(status))
			return status;
	}
	status = WdfIoTargetCreate(Device, WDF_NO_OBJECT_ATTRIBUTES, &target);
	if (NT_SUCCESS(status)) {
		status = WdfIoTargetOpen(target, &open);
		if (!NT_SUCCESS(status))
			WdfObjectDelete(target);
	}
	if (!NT_SUCCESS(status)) {
		ReleaseFile(file);
		return status;
	}
	*ret_target = target;
	*ret_file = file;
	return STATUS_SUCCESS;
}

/* The file object goes last: the target sends on it until it is closed. */
static void CloseTarget(WDFIOTARGET Target, PFILE_OBJECT File)
{
	WdfIoTargetClose(Target);
	WdfObjectDelete(Target);
	ReleaseFile(File);
}

/* ---- IOCTL_KMCLIENT_SEND: sending ---- */

/* Bounds every wait below: when it expires the framework cancels the request. */
static void SendOptions(PWDF_REQUEST_SEND_OPTIONS Options)
{
	WDF_REQUEST_SEND_OPTIONS_INIT(Options, 0);
	WDF_REQUEST_SEND_OPTIONS_SET_TIMEOUT(Options,
					     WDF_REL_TIMEOUT_IN_SEC(KMCLIENT_SEND_TIMEOUT_S));
}

/*
 * Sends at PASSIVE_LEVEL and waits. The request is created here rather than
 * passed as NULL so its completion parameters can be read afterwards.
 */
static NTSTATUS SendSynchronously(WDFIOTARGET Target, const KMCLIENT_SEND *s,
				  ULONG_PTR *ret_information)
{
	WDF_MEMORY_DESCRIPTOR in, out;
	PWDF_MEMORY_DESCRIPTOR pin = NULL, pout = NULL;
	WDF_REQUEST_SEND_OPTIONS options;
	WDF_REQUEST_COMPLETION_PARAMS done;
	WDFREQUEST request;
	NTSTATUS status;

	*ret_information = 0;
	/* An empty buffer is no buffer: the WDK rejects zero-length descriptors. */
	if (s->In.in_len) {
		WDF_MEMORY_DESCRIPTOR_INIT_BUFFER(&in, s->Data, s->In.in_len);
		pin = &in;
	}
	if (s->In.out_len) {
		WDF_MEMORY_DESCRIPTOR_INIT_BUFFER(&out, s->Out, s->In.out_len);
		pout = &out;
	}
	SendOptions(&options);
	status = WdfRequestCreate(WDF_NO_OBJECT_ATTRIBUTES, Target, &request);
	if (!NT_SUCCESS(status))
		return status;
	switch (s->In.major) {
	case IRP_MJ_READ:
		status =
		    WdfIoTargetSendReadSynchronously(Target, request, pout, NULL, &options, NULL);
		break;
	case IRP_MJ_WRITE:
		status =
		    WdfIoTargetSendWriteSynchronously(Target, request, pin, NULL, &options, NULL);
		break;
	case IRP_MJ_DEVICE_CONTROL:
		status = WdfIoTargetSendIoctlSynchronously(Target, request, s->In.ioctl, pin, pout,
							   &options, NULL);
		break;
#ifdef _KERNEL_MODE
	case IRP_MJ_INTERNAL_DEVICE_CONTROL:
		status = WdfIoTargetSendInternalIoctlSynchronously(Target, request, s->In.ioctl,
								   pin, pout, &options, NULL);
		break;
#endif
	default:
		/* Internal IOCTLs exist only between in-host drivers. */
		status = STATUS_NOT_SUPPORTED;
		break;
	}
	WDF_REQUEST_COMPLETION_PARAMS_INIT(&done);
	WdfRequestGetCompletionParams(request, &done);
	*ret_information = done.IoStatus.Information;
	WdfObjectDelete(request);
	return status;
}

static NTSTATUS FormatRequest(WDFIOTARGET Target, WDFREQUEST Request, const KMCLIENT_SEND *s,
			      WDFMEMORY In, WDFMEMORY Out)
{
	switch (s->In.major) {
	case IRP_MJ_READ:
		return WdfIoTargetFormatRequestForRead(Target, Request, Out, NULL, NULL);
	case IRP_MJ_WRITE:
		return WdfIoTargetFormatRequestForWrite(Target, Request, In, NULL, NULL);
	case IRP_MJ_DEVICE_CONTROL:
		return WdfIoTargetFormatRequestForIoctl(Target, Request, s->In.ioctl, In, NULL, Out,
							NULL);
#ifdef _KERNEL_MODE
	case IRP_MJ_INTERNAL_DEVICE_CONTROL:
		return WdfIoTargetFormatRequestForInternalIoctl(Target, Request, s->In.ioctl, In,
								NULL, Out, NULL);
#endif
	default:
		return STATUS_NOT_SUPPORTED;
	}
}

static void SendDone(WDFREQUEST Request, WDFIOTARGET Target, PWDF_REQUEST_COMPLETION_PARAMS Params,
		     WDFCONTEXT Context)
{
	KMCLIENT_WAIT *w = Context;

	UNREFERENCED_PARAMETER(Target);
	UNREFERENCED_PARAMETER(Params);
	pthread_mutex_lock(&w->Lock);
	WDF_REQUEST_COMPLETION_PARAMS_INIT(&w->Params);
	WdfRequestGetCompletionParams(Request, &w->Params);
	w->Done = TRUE;
	pthread_cond_signal(&w->Cond);
	pthread_mutex_unlock(&w->Lock);
}

/*
 * Sends the way a driver does from DISPATCH_LEVEL code: asynchronously,
 * holding a spin lock across WdfRequestSend. Only the wait for the
 * completion happens back at PASSIVE_LEVEL, after the lock is released.
 */
static NTSTATUS SendAtDispatch(KMCLIENT_DEVICE *d, WDFIOTARGET Target, const KMCLIENT_SEND *s,
			       ULONG_PTR *ret_information)
{
	WDF_REQUEST_SEND_OPTIONS options;
	WDF_OBJECT_ATTRIBUTES attributes;
	WDFMEMORY in = NULL, out = NULL;
	WDFREQUEST request;
	KMCLIENT_WAIT w;
	NTSTATUS status;
	BOOLEAN sent;

	*ret_information = 0;
	status = WdfRequestCreate(WDF_NO_OBJECT_ATTRIBUTES, Target, &request);
	if (!NT_SUCCESS(status))
		return status;
	/* Children of the request: they go when it is deleted. */
	WDF_OBJECT_ATTRIBUTES_INIT(&attributes);
	attributes.ParentObject = request;
	if (s->In.in_len)
		status = WdfMemoryCreatePreallocated(&attributes, s->Data, s->In.in_len, &in);
	if (NT_SUCCESS(status) && s->In.out_len)
		status = WdfMemoryCreatePreallocated(&attributes, s->Out, s->In.out_len, &out);
	if (NT_SUCCESS(status))
		status = FormatRequest(Target, request, s, in, out);
	if (!NT_SUCCESS(status)) {
		WdfObjectDelete(request);
		return status;
	}

	pthread_mutex_init(&w.Lock, NULL);
	pthread_cond_init(&w.Cond, NULL);
	w.Done = FALSE;
	WdfRequestSetCompletionRoutine(request, SendDone, &w);
	SendOptions(&options);
	WdfSpinLockAcquire(d->Lock);
	sent = WdfRequestSend(request, Target, &options);
	WdfSpinLockRelease(d->Lock);
	if (sent) {
		/* The send time-out bounds this: the framework then cancels and completes. */
		pthread_mutex_lock(&w.Lock);
		while (!w.Done)
			pthread_cond_wait(&w.Cond, &w.Lock);
		pthread_mutex_unlock(&w.Lock);
		status = w.Params.IoStatus.Status;
		*ret_information = w.Params.IoStatus.Information;
	} else {
		/* Not sent: no completion routine runs. */
		status = WdfRequestGetStatus(request);
	}
	pthread_cond_destroy(&w.Cond);
	pthread_mutex_destroy(&w.Lock);
	WdfObjectDelete(request);
	return status;
}

/*
 * Opens the target, sends one request, closes the target, and reports all
 * of it in struct kmclient_result. The IOCTL itself succeeds whenever its
 * buffers were right; what happened at the target is in the result.
 */
static void Send(WDFDEVICE Device, WDFREQUEST Request)
{
	struct kmclient_result result, *out = NULL;
	KMCLIENT_SEND s;
	WDFIOTARGET target = NULL;
	PFILE_OBJECT file = NULL;
	ULONG_PTR information = 0;
	NTSTATUS status = ParseSend(Request, &s, &out);

	if (!NT_SUCCESS(status)) {
		free(s.Data);
		WdfRequestComplete(Request, status);
		return;
	}
	memset(&result, 0, sizeof(result));
	result.open_status = OpenTarget(Device, Request, &s, &target, &file);
	if (!NT_SUCCESS(result.open_status)) {
		/* Nothing was sent. */
		result.status = result.open_status;
	} else {
		if (s.In.flags & KMCLIENT_AT_DISPATCH)
			status =
			    SendAtDispatch(KmClientGetDevice(Device), target, &s, &information);
		else
			status = SendSynchronously(target, &s, &information);
		CloseTarget(target, file);
		result.status = status;
		result.information = information;
		/*
		 * The data is the target's only if it says it succeeded and fits the
		 * output it was given; a write has no output to return.
		 */
		if ((NT_SUCCESS(status) || status == STATUS_BUFFER_OVERFLOW) &&
		    information <= s.In.out_len && s.In.major != IRP_MJ_WRITE)
			result.data_len = (uint32_t)information;
	}
	free(s.Data);
	memcpy(out, &result, sizeof(result));
	WdfRequestCompleteWithInformation(Request, STATUS_SUCCESS,
					  sizeof(result) + result.data_len);
}

/* ---- Queue and device ---- */

static void EvtIoRead(WDFQUEUE Queue, WDFREQUEST Request, size_t Length)
{
	UNREFERENCED_PARAMETER(Length);
	Forward(Queue, Request);
}

static void EvtIoWrite(WDFQUEUE Queue, WDFREQUEST Request, size_t Length)
{
	UNREFERENCED_PARAMETER(Length);
	Forward(Queue, Request);
}

static void EvtIoDeviceControl(WDFQUEUE Queue, WDFREQUEST Request, size_t OutputBufferLength,
			       size_t InputBufferLength, ULONG IoControlCode)
{
	UNREFERENCED_PARAMETER(OutputBufferLength);
	UNREFERENCED_PARAMETER(InputBufferLength);
	if (IoControlCode == IOCTL_KMCLIENT_SEND)
		Send(WdfIoQueueGetDevice(Queue), Request);
	else
		Forward(Queue, Request);
}

static void EvtFileCreate(WDFDEVICE Device, WDFREQUEST Request, WDFFILEOBJECT FileObject)
{
	UNREFERENCED_PARAMETER(Device);
	UNREFERENCED_PARAMETER(FileObject);
	WdfRequestComplete(Request, STATUS_SUCCESS);
}

static NTSTATUS EvtDeviceAdd(WDFDRIVER Driver, PWDFDEVICE_INIT DeviceInit)
{
#ifdef _KERNEL_MODE
	DECLARE_CONST_UNICODE_STRING(link, KMCLIENT_LINK_NAME_KM);
#else
	DECLARE_CONST_UNICODE_STRING(link, KMCLIENT_LINK_NAME_UM);
#endif
	WDF_FILEOBJECT_CONFIG files;
	WDF_OBJECT_ATTRIBUTES attributes;
	WDF_IO_QUEUE_CONFIG queue;
	KMCLIENT_DEVICE *d;
	WDFDEVICE device;
	NTSTATUS status;

	UNREFERENCED_PARAMETER(Driver);
	WDF_FILEOBJECT_CONFIG_INIT(&files, EvtFileCreate, WDF_NO_EVENT_CALLBACK,
				   WDF_NO_EVENT_CALLBACK);
	WdfDeviceInitSetFileObjectConfig(DeviceInit, &files, WDF_NO_OBJECT_ATTRIBUTES);
	WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&attributes, KMCLIENT_DEVICE);
	/* The I/O callbacks wait (wait lock, synchronous sends): never at DISPATCH_LEVEL. */
	attributes.ExecutionLevel = WdfExecutionLevelPassive;
	status = WdfDeviceCreate(&DeviceInit, &attributes, &device);
	if (!NT_SUCCESS(status))
		return status;
	d = KmClientGetDevice(device);
	WDF_OBJECT_ATTRIBUTES_INIT(&attributes);
	attributes.ParentObject = device;
	status = WdfSpinLockCreate(&attributes, &d->Lock);
	if (NT_SUCCESS(status))
		status = WdfWaitLockCreate(&attributes, &d->ForwardLock);
	if (NT_SUCCESS(status))
		status = WdfIoTargetCreate(device, WDF_NO_OBJECT_ATTRIBUTES, &d->Forward);
	if (!NT_SUCCESS(status))
		return status;
	WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&queue, WdfIoQueueDispatchParallel);
	queue.EvtIoRead = EvtIoRead;
	queue.EvtIoWrite = EvtIoWrite;
	queue.EvtIoDeviceControl = EvtIoDeviceControl;
	status = WdfIoQueueCreate(device, &queue, WDF_NO_OBJECT_ATTRIBUTES, WDF_NO_HANDLE);
	if (!NT_SUCCESS(status))
		return status;
	return WdfDeviceCreateSymbolicLink(device, &link);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
	WDF_DRIVER_CONFIG config;

	WDF_DRIVER_CONFIG_INIT(&config, EvtDeviceAdd);
	return WdfDriverCreate(DriverObject, RegistryPath, WDF_NO_OBJECT_ATTRIBUTES, &config,
			       WDF_NO_HANDLE);
}
