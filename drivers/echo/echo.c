/* SPDX-License-Identifier: MIT */
/*
 * echo: a user-mode driver that serves I/O requests. A write stores data, a
 * read returns it; IOCTLs echo their input through each buffer method, say
 * who sent them, or complete later from a timer (and can be cancelled).
 * Written against the WDK interface only.
 */
#include <string.h>
#include <time.h>

#include <wdf.h>

#include "echo.h"

#define ECHO_MAX 65536

typedef struct {
	WDFSPINLOCK Lock;
	WDFQUEUE Waiting;	/* delayed IOCTLs until they are due */
	WDFTIMER Tick;
	size_t Length;
	UCHAR Data[ECHO_MAX];
} ECHO_DEVICE;
WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(ECHO_DEVICE, EchoGetDevice);

/* A delayed request's due time, in the framework's 100 ns units of the timer ticks below. */
typedef struct {
	LONGLONG Due;
} ECHO_REQUEST;
WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(ECHO_REQUEST, EchoGetRequest);

#define ECHO_TICK_MS 2

static LONGLONG Now100ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (LONGLONG)ts.tv_sec * 10000000 + ts.tv_nsec / 100;
}

/*
 * Delayed requests wait in a manual queue, where the framework cancels them
 * if the client gives up; a periodic timer completes those that are due, in
 * arrival order.
 */
static void EchoTick(WDFTIMER Timer)
{
	ECHO_DEVICE *d = EchoGetDevice((WDFDEVICE)WdfTimerGetParentObject(Timer));
	WDFREQUEST request;

	while (NT_SUCCESS(WdfIoQueueRetrieveNextRequest(d->Waiting, &request))) {
		if (EchoGetRequest(request)->Due > Now100ns()) {
			/* Not yet: back to the head of the queue, still cancelable there. */
			if (!NT_SUCCESS(WdfRequestRequeue(request)))
				WdfRequestComplete(request, STATUS_INVALID_DEVICE_STATE);
			return;
		}
		WdfRequestCompleteWithInformation(request, STATUS_SUCCESS, 0);
	}
}

static void Delayed(WDFQUEUE Queue, WDFREQUEST Request)
{
	ECHO_DEVICE *d = EchoGetDevice(WdfIoQueueGetDevice(Queue));
	WDF_OBJECT_ATTRIBUTES attributes;
	ECHO_REQUEST *context;
	ULONG *ms;
	size_t len;
	NTSTATUS status;

	status = WdfRequestRetrieveInputBuffer(Request, sizeof(ULONG), (PVOID *)&ms, &len);
	if (NT_SUCCESS(status)) {
		WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&attributes, ECHO_REQUEST);
		status = WdfObjectAllocateContext(Request, &attributes, (PVOID *)&context);
	}
	if (NT_SUCCESS(status)) {
		context->Due = Now100ns() + (LONGLONG)*ms * 10000;
		status = WdfRequestForwardToIoQueue(Request, d->Waiting);
	}
	if (!NT_SUCCESS(status))
		WdfRequestComplete(Request, status);
}

static void EvtIoRead(WDFQUEUE Queue, WDFREQUEST Request, size_t Length)
{
	ECHO_DEVICE *d = EchoGetDevice(WdfIoQueueGetDevice(Queue));
	void *out;
	size_t n;
	NTSTATUS status = WdfRequestRetrieveOutputBuffer(Request, 1, &out, &n);

	if (!NT_SUCCESS(status)) {
		WdfRequestComplete(Request, status);
		return;
	}
	WdfSpinLockAcquire(d->Lock);
	n = d->Length < Length ? d->Length : Length;
	memcpy(out, d->Data, n);
	WdfSpinLockRelease(d->Lock);
	WdfRequestCompleteWithInformation(Request, STATUS_SUCCESS, n);
}

static void EvtIoWrite(WDFQUEUE Queue, WDFREQUEST Request, size_t Length)
{
	ECHO_DEVICE *d = EchoGetDevice(WdfIoQueueGetDevice(Queue));
	void *in;
	size_t n;
	NTSTATUS status = WdfRequestRetrieveInputBuffer(Request, 1, &in, &n);

	if (!NT_SUCCESS(status)) {
		WdfRequestComplete(Request, status);
		return;
	}
	if (Length > ECHO_MAX) {
		WdfRequestComplete(Request, STATUS_BUFFER_TOO_SMALL);
		return;
	}
	WdfSpinLockAcquire(d->Lock);
	memcpy(d->Data, in, Length);
	d->Length = Length;
	WdfSpinLockRelease(d->Lock);
	WdfRequestCompleteWithInformation(Request, STATUS_SUCCESS, Length);
}

static void Echo(WDFREQUEST Request, size_t OutputBufferLength, size_t InputBufferLength)
{
	void *in = NULL, *out = NULL;
	size_t in_len = 0, out_len = 0, n;
	NTSTATUS status;

	if (InputBufferLength) {
		status = WdfRequestRetrieveInputBuffer(Request, 1, &in, &in_len);
		if (!NT_SUCCESS(status)) {
			WdfRequestComplete(Request, status);
			return;
		}
	}
	if (OutputBufferLength) {
		status = WdfRequestRetrieveOutputBuffer(Request, 1, &out, &out_len);
		if (!NT_SUCCESS(status)) {
			WdfRequestComplete(Request, status);
			return;
		}
	}
	n = in_len < out_len ? in_len : out_len;
	if (n)
		memmove(out, in, n);
	WdfRequestCompleteWithInformation(Request, STATUS_SUCCESS, n);
}

static void EvtIoDeviceControl(WDFQUEUE Queue, WDFREQUEST Request, size_t OutputBufferLength,
			       size_t InputBufferLength, ULONG IoControlCode)
{
	struct echo_whoami *who;
	size_t n;

	switch (IoControlCode) {
	case IOCTL_ECHO_BUFFERED:
	case IOCTL_ECHO_IN_DIRECT:
	case IOCTL_ECHO_OUT_DIRECT:
	case IOCTL_ECHO_NEITHER:
	case IOCTL_ECHO_NEEDS_WRITE:
		Echo(Request, OutputBufferLength, InputBufferLength);
		return;
	case IOCTL_ECHO_WHOAMI:
		if (!NT_SUCCESS(WdfRequestRetrieveOutputBuffer(Request, sizeof(*who), (PVOID *)&who, &n))) {
			WdfRequestComplete(Request, STATUS_BUFFER_TOO_SMALL);
			return;
		}
		who->requestor_mode = (unsigned)WdfRequestGetRequestorMode(Request);
		who->from_user_mode_driver = WdfRequestIsFromUserModeDriver(Request);
		who->requestor_pid = (unsigned)WdfRequestGetRequestorProcessId(Request);
		who->io_type = (unsigned)WdfRequestGetEffectiveIoType(Request);
		who->has_file_object = WdfRequestGetFileObject(Request) != NULL;
		WdfRequestCompleteWithInformation(Request, STATUS_SUCCESS, sizeof(*who));
		return;
	case IOCTL_ECHO_DELAYED:
		Delayed(Queue, Request);
		return;
	case IOCTL_ECHO_LIE:
		WdfRequestCompleteWithInformation(Request, STATUS_SUCCESS, OutputBufferLength + 100);
		return;
	default:
		WdfRequestComplete(Request, STATUS_INVALID_DEVICE_REQUEST);
	}
}

static void EvtFileCreate(WDFDEVICE Device, WDFREQUEST Request, WDFFILEOBJECT FileObject)
{
	UNREFERENCED_PARAMETER(Device);
	UNREFERENCED_PARAMETER(FileObject);
	WdfRequestComplete(Request, STATUS_SUCCESS);
}

static NTSTATUS EvtDeviceAdd(WDFDRIVER Driver, PWDFDEVICE_INIT DeviceInit)
{
	DECLARE_CONST_UNICODE_STRING(link, ECHO_LINK_NAME);
	WDF_FILEOBJECT_CONFIG files;
	WDF_OBJECT_ATTRIBUTES attributes;
	WDF_IO_QUEUE_CONFIG queue;
	WDF_TIMER_CONFIG timer;
	WDFDEVICE device;
	NTSTATUS status;

	UNREFERENCED_PARAMETER(Driver);
	WDF_FILEOBJECT_CONFIG_INIT(&files, EvtFileCreate, WDF_NO_EVENT_CALLBACK, WDF_NO_EVENT_CALLBACK);
	WdfDeviceInitSetFileObjectConfig(DeviceInit, &files, WDF_NO_OBJECT_ATTRIBUTES);
	WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&attributes, ECHO_DEVICE);
	status = WdfDeviceCreate(&DeviceInit, &attributes, &device);
	if (!NT_SUCCESS(status))
		return status;
	status = WdfSpinLockCreate(WDF_NO_OBJECT_ATTRIBUTES, &EchoGetDevice(device)->Lock);
	if (!NT_SUCCESS(status))
		return status;
	WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&queue, WdfIoQueueDispatchParallel);
	queue.EvtIoRead = EvtIoRead;
	queue.EvtIoWrite = EvtIoWrite;
	queue.EvtIoDeviceControl = EvtIoDeviceControl;
	status = WdfIoQueueCreate(device, &queue, WDF_NO_OBJECT_ATTRIBUTES, WDF_NO_HANDLE);
	if (!NT_SUCCESS(status))
		return status;
	WDF_IO_QUEUE_CONFIG_INIT(&queue, WdfIoQueueDispatchManual);
	status = WdfIoQueueCreate(device, &queue, WDF_NO_OBJECT_ATTRIBUTES, &EchoGetDevice(device)->Waiting);
	if (!NT_SUCCESS(status))
		return status;
	WDF_TIMER_CONFIG_INIT_PERIODIC(&timer, EchoTick, ECHO_TICK_MS);
	WDF_OBJECT_ATTRIBUTES_INIT(&attributes);
	attributes.ParentObject = device;
	status = WdfTimerCreate(&timer, &attributes, &EchoGetDevice(device)->Tick);
	if (!NT_SUCCESS(status))
		return status;
	WdfTimerStart(EchoGetDevice(device)->Tick, WDF_REL_TIMEOUT_IN_MS(ECHO_TICK_MS));
	return WdfDeviceCreateSymbolicLink(device, &link);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
	WDF_DRIVER_CONFIG config;

	WDF_DRIVER_CONFIG_INIT(&config, EvtDeviceAdd);
	return WdfDriverCreate(DriverObject, RegistryPath, WDF_NO_OBJECT_ATTRIBUTES, &config, WDF_NO_HANDLE);
}
