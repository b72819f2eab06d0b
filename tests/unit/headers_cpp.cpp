// SPDX-License-Identifier: MIT
/*
 * The WDF headers compiled as C++17 and exercised. Linked with the C unit
 * headers_ctx_tu2.c, this also checks that a C weak descriptor and a C++
 * inline-variable descriptor of the same context type are one object.
 */
#include <cstdio>
#include <cstring>

#include "headers_checks.h"

// Callback typedefs must declare functions with C++ linkage-independent types.
static EVT_WDF_DRIVER_DEVICE_ADD device_add;
static NTSTATUS device_add(WDFDRIVER Driver, PWDFDEVICE_INIT DeviceInit)
{
	UNREFERENCED_PARAMETER(Driver);
	UNREFERENCED_PARAMETER(DeviceInit);
	return STATUS_SUCCESS;
}

static EVT_WDF_IO_QUEUE_IO_DEVICE_CONTROL io_control;
static void io_control(WDFQUEUE Queue, WDFREQUEST Request, size_t OutputBufferLength,
		       size_t InputBufferLength, ULONG IoControlCode)
{
	UNREFERENCED_PARAMETER(Queue);
	UNREFERENCED_PARAMETER(Request);
	UNREFERENCED_PARAMETER(OutputBufferLength);
	UNREFERENCED_PARAMETER(InputBufferLength);
	UNREFERENCED_PARAMETER(IoControlCode);
}

int main()
{
	int failures = run_wdf_header_checks();
	WDF_DRIVER_CONFIG config;
	WDF_IO_QUEUE_CONFIG queue;

	WDF_DRIVER_CONFIG_INIT(&config, device_add);
	WDF_IO_QUEUE_CONFIG_INIT(&queue, WdfIoQueueDispatchSequential);
	queue.EvtIoDeviceControl = io_control;
	HCHECK(config.EvtDriverDeviceAdd == device_add);
	HCHECK(queue.EvtIoDeviceControl == io_control);
	if (failures)
		std::fprintf(stderr, "headers_cpp: %d check(s) failed\n", failures);
	return failures ? 1 : 0;
}
