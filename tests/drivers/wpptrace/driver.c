/* SPDX-License-Identifier: MIT */
/*
 * wpptrace: DriverEntry and device creation, tracing through WPP the way
 * Windows drivers do (trace.h, driver.tmh generated at build time).
 */
#include <string.h>
#include <unistd.h>

#include "wpptrace.h"

#include "driver.tmh"

static PDRIVER_OBJECT g_driver_object;

/* umnic's trace message (its type 113), as a hostile host would write it. */
struct RawTrace {
	UINT32 type, len;
	UINT64 seq;
	UINT32 dev, level, flagbit, line, dropped, reserved;
	char flag[48];
	char func[64];
	char text[400];
};

EXTERN_C NTSTATUS WpptRawTrace(ULONG IoControlCode)
{
	struct RawTrace m;

	memset(&m, 'x', sizeof(m));	/* no string is terminated */
	m.type = 113;
	m.len = sizeof(m);
	m.seq = 0;
	m.dev = 0xFFFFFFFFu;
	m.level = TRACE_LEVEL_CRITICAL;
	m.flagbit = 1;
	m.line = 1;
	m.dropped = 0;
	memcpy(m.text, "odd\n\x01line", 10);
	if (IoControlCode == IOCTL_WPPT_RAW_ODD)
		return write(3, &m, sizeof(m)) == (ssize_t)sizeof(m) ? STATUS_SUCCESS : STATUS_UNSUCCESSFUL;
	for (int i = 0; i < 100000; i++)
		if (write(3, &m, sizeof(m)) < 0)
			break;
	return STATUS_SUCCESS;
}

static NTSTATUS EvtDeviceAdd(WDFDRIVER Driver, PWDFDEVICE_INIT DeviceInit)
{
	DECLARE_CONST_UNICODE_STRING(link, L"\\DosDevices\\UmnicWppTrace");
	WDFDEVICE device;
	NTSTATUS status;

	UNREFERENCED_PARAMETER(Driver);
	TraceEvents(TRACE_LEVEL_VERBOSE, TRACE_DRIVER, "%!FUNC!: adding a device");
	status = WdfDeviceCreate(&DeviceInit, WDF_NO_OBJECT_ATTRIBUTES, &device);
	if (!NT_SUCCESS(status)) {
		TraceEvents(TRACE_LEVEL_ERROR, TRACE_DRIVER, "WdfDeviceCreate failed %!STATUS!", status);
		return status;
	}
	status = WpptQueueCreate(device);
	if (NT_SUCCESS(status))
		status = WdfDeviceCreateSymbolicLink(device, &link);
	TraceEvents(TRACE_LEVEL_INFORMATION, TRACE_DRIVER, "device ready: %!STATUS!", status);
	return status;
}

static VOID EvtDriverUnload(WDFDRIVER Driver)
{
	TraceEvents(TRACE_LEVEL_INFORMATION, TRACE_DRIVER, "%!FUNC!");
	UNREFERENCED_PARAMETER(Driver);
	WPP_CLEANUP(g_driver_object);
}

EXTERN_C NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
	WDF_DRIVER_CONFIG config;
	NTSTATUS status;

	g_driver_object = DriverObject;
	WPP_INIT_TRACING(DriverObject, RegistryPath);
	TraceEvents(TRACE_LEVEL_INFORMATION, TRACE_DRIVER, "%!FUNC! entry");
#ifdef WPPT_BUILT_BY_PROJECT
	TraceEvents(TRACE_LEVEL_INFORMATION, TRACE_DRIVER, "built from its project file");
#endif
	TraceEvents(TRACE_LEVEL_INFORMATION, TRACE_DRIVER, L"%!FUNC!: a wide format in C");
	WDF_DRIVER_CONFIG_INIT(&config, EvtDeviceAdd);
	config.EvtDriverUnload = EvtDriverUnload;
	status = WdfDriverCreate(DriverObject, RegistryPath, WDF_NO_OBJECT_ATTRIBUTES, &config,
				 WDF_NO_HANDLE);
	if (!NT_SUCCESS(status)) {
		TraceEvents(TRACE_LEVEL_ERROR, TRACE_DRIVER, "WdfDriverCreate failed %!STATUS!", status);
		WPP_CLEANUP(DriverObject);
	}
	return status;
}
