// SPDX-License-Identifier: MIT
// wpptrace's I/O queue, in C++: each IOCTL_WPPT_TRACE writes the same trace messages,
// at every level, under both flags, through TraceEvents, DoTraceMessage and the
// project's own trace function (TraceWarn, declared with -func: at build time).
#include "wpptrace.h"

#include "queue.tmh"

namespace {

unsigned g_calls;

void Reply(WDFREQUEST Request, const char *Text)
{
	size_t n = strlen(Text), room;
	PVOID out;

	if (!NT_SUCCESS(WdfRequestRetrieveOutputBuffer(Request, 1, &out, &room))) {
		WdfRequestComplete(Request, STATUS_BUFFER_TOO_SMALL);
		return;
	}
	n = n < room ? n : room;
	memcpy(out, Text, n);
	WdfRequestCompleteWithInformation(Request, STATUS_SUCCESS, n);
}

NTSTATUS Lookup(unsigned n)
{
	return n ? STATUS_NOT_FOUND : STATUS_SUCCESS;
}

VOID EvtIoDeviceControl(WDFQUEUE Queue, WDFREQUEST Request, size_t OutputBufferLength,
			size_t InputBufferLength, ULONG IoControlCode)
{
	UNREFERENCED_PARAMETER(Queue);
	UNREFERENCED_PARAMETER(OutputBufferLength);
	UNREFERENCED_PARAMETER(InputBufferLength);
	if (IoControlCode == IOCTL_WPPT_FLOOD) {
		for (unsigned i = 0; i < 5000; i++)
			TraceEvents(TRACE_LEVEL_VERBOSE, TRACE_QUEUE, "flood %u", i);
		Reply(Request, "OK");
		return;
	}
	if (IoControlCode == IOCTL_WPPT_RAW_ODD || IoControlCode == IOCTL_WPPT_RAW_FLOOD) {
		NTSTATUS status = WpptRawTrace(IoControlCode);
		if (NT_SUCCESS(status))
			Reply(Request, "OK");
		else
			WdfRequestComplete(Request, status);
		return;
	}
	if (IoControlCode != IOCTL_WPPT_TRACE) {
		TraceEvents(TRACE_LEVEL_ERROR, TRACE_QUEUE, "%!FUNC!: unknown control code 0x%x, %!STATUS!",
			    IoControlCode, STATUS_INVALID_DEVICE_REQUEST);
		WdfRequestComplete(Request, STATUS_INVALID_DEVICE_REQUEST);
		return;
	}
	g_calls++;
	TraceEvents(TRACE_LEVEL_CRITICAL, TRACE_QUEUE, "call %u: critical %!STATUS!", g_calls,
		    STATUS_INSUFFICIENT_RESOURCES);
	TraceEvents(TRACE_LEVEL_ERROR, TRACE_QUEUE, "call %u: error %!HRESULT! and %!HRESULT!", g_calls,
		    E_INVALIDARG, (HRESULT)0x80071234L);
	TraceEvents(TRACE_LEVEL_WARNING, TRACE_DRIVER, "call %u: warning %!STATUS! from %!FUNC!",
		    g_calls, (NTSTATUS)0xC0DE0001L);
	TraceEvents(TRACE_LEVEL_INFORMATION, TRACE_QUEUE,
		    "call %u: values %d %u %I64d 0x%x %ws %S %s %c%%", g_calls, -7, 4000000000u,
		    (LONG64)-5000000000LL, 0xbeefu, L"wide", L"Wide2", "narrow", 'z');
	TraceEvents(TRACE_LEVEL_VERBOSE, TRACE_DRIVER, "call %u: verbose", g_calls);
	DoTraceMessage(TRACE_QUEUE, "call %u: plain message", g_calls);
	TraceEvents(TRACE_LEVEL_INFORMATION, TRACE_QUEUE, L"call %u: wide format, %s argument",
		    g_calls, "narrow");
	TraceWarn(TRACE_DRIVER, "call %u: custom function in %!FUNC!", g_calls);
	TraceIfFailed(Lookup(g_calls), "call %u: lookup of %s", g_calls, "key");
	TraceIfFailed(STATUS_SUCCESS, "call %u: a success is not traced", g_calls);
	Checked(g_calls > 0);
	Checked(g_calls == 0);
	Reply(Request, "OK");
}

} // namespace

EXTERN_C NTSTATUS WpptQueueCreate(WDFDEVICE Device)
{
	WDF_IO_QUEUE_CONFIG queue;
	NTSTATUS status;

	WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&queue, WdfIoQueueDispatchSequential);
	queue.EvtIoDeviceControl = EvtIoDeviceControl;
	status = WdfIoQueueCreate(Device, &queue, WDF_NO_OBJECT_ATTRIBUTES, WDF_NO_HANDLE);
	if (!NT_SUCCESS(status))
		TraceEvents(TRACE_LEVEL_ERROR, TRACE_QUEUE, "WdfIoQueueCreate failed %!STATUS!", status);
	return status;
}
