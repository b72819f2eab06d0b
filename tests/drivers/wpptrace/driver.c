/* SPDX-License-Identifier: MIT */
/*
 * wpptrace: DriverEntry and device creation, tracing through WPP the way
 * Windows drivers do (trace.h, driver.tmh generated at build time).
 */
#include "wpptrace.h"

#include "driver.tmh"

static PDRIVER_OBJECT g_driver_object;

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
