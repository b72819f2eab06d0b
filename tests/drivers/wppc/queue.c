/* SPDX-License-Identifier: MIT */
/*
 * wppc's I/O queue: each IOCTL_WPPC_TRACE writes one message at each level,
 * spread over the three flags, through TraceEvents, DoTraceMessage and
 * TraceIo (the project's -func: function, whose flag is fixed to WPPC_IO).
 */
#include <string.h>

#include "wppc.h"

#include "queue.tmh"

static ULONG g_calls;

static VOID Reply(WDFREQUEST Request)
{
	PVOID out;
	size_t room;

	if (!NT_SUCCESS(WdfRequestRetrieveOutputBuffer(Request, 2, &out, &room))) {
		WdfRequestComplete(Request, STATUS_BUFFER_TOO_SMALL);
		return;
	}
	memcpy(out, "OK", 2);
	WdfRequestCompleteWithInformation(Request, STATUS_SUCCESS, 2);
}

static VOID EvtIoDeviceControl(WDFQUEUE Queue, WDFREQUEST Request, size_t OutputBufferLength,
			       size_t InputBufferLength, ULONG IoControlCode)
{
	UNREFERENCED_PARAMETER(Queue);
	UNREFERENCED_PARAMETER(InputBufferLength);
	if (IoControlCode != IOCTL_WPPC_TRACE) {
		TraceEvents(TRACE_LEVEL_ERROR, WPPC_IO, "%!FUNC!: control code 0x%x: %!STATUS!",
			    IoControlCode, STATUS_INVALID_DEVICE_REQUEST);
		WdfRequestComplete(Request, STATUS_INVALID_DEVICE_REQUEST);
		return;
	}
	g_calls++;
	TraceEvents(TRACE_LEVEL_CRITICAL, WPPC_EXTRA, "c%lu critical %!STATUS! in %!FUNC!", g_calls,
		    STATUS_DEVICE_NOT_READY);
	TraceEvents(TRACE_LEVEL_ERROR, WPPC_IO, "c%lu error %!HRESULT! then %!HRESULT!", g_calls,
		    E_OUTOFMEMORY, (HRESULT)0x8007ABCDL);
	TraceIo(TRACE_LEVEL_WARNING, "c%lu warning from TraceIo, %Iu bytes out, %!STATUS!", g_calls,
		OutputBufferLength, (NTSTATUS)0xC0DE0002L);
	TraceEvents(TRACE_LEVEL_INFORMATION, WPPC_INIT, "c%lu information %I64d %s %ws", g_calls,
		    (LONG64)-1234567890123LL, "narrow", L"wide");
	TraceIo(TRACE_LEVEL_VERBOSE, "c%lu verbose from %!FUNC!", g_calls);
	DoTraceMessage(WPPC_EXTRA, "c%lu plain %!HRESULT!", g_calls, S_OK);
	TraceEvents(TRACE_LEVEL_VERBOSE, WPPC_EXTRA, "c%lu odd %!XYZ! %d", g_calls, 5);
	Reply(Request);
}

NTSTATUS WppcQueueCreate(WDFDEVICE Device)
{
	WDF_IO_QUEUE_CONFIG config;

	WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&config, WdfIoQueueDispatchSequential);
	config.EvtIoDeviceControl = EvtIoDeviceControl;
	return WdfIoQueueCreate(Device, &config, WDF_NO_OBJECT_ATTRIBUTES, WDF_NO_HANDLE);
}
