// A C++ driver translation unit: the public headers and the usual driver idioms compile as C++17.
#include <wdf.h>
#include <netadaptercx.h>
#include <net/virtualaddress.h>
#include <net/checksum.h>

struct DEVICE_CONTEXT {
	NETADAPTER Adapter;
};
WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(DEVICE_CONTEXT, GetDeviceContext);

static EVT_WDF_DRIVER_DEVICE_ADD EvtDeviceAdd;

static NTSTATUS EvtDeviceAdd(WDFDRIVER, PWDFDEVICE_INIT DeviceInit)
{
	WDF_OBJECT_ATTRIBUTES attributes;
	WDFDEVICE device;
	NTSTATUS status = NetDeviceInitConfig(DeviceInit);
	if (!NT_SUCCESS(status))
		return status;
	WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&attributes, DEVICE_CONTEXT);
	status = WdfDeviceCreate(&DeviceInit, &attributes, &device);
	if (NT_SUCCESS(status))
		GetDeviceContext(device)->Adapter = nullptr;
	NET_ADAPTER_TX_CAPABILITIES tx;
	NET_ADAPTER_TX_CAPABILITIES_INIT(&tx, 1);
	NET_ADAPTER_RX_CAPABILITIES rx;
	NET_ADAPTER_RX_CAPABILITIES_INIT_SYSTEM_MANAGED(&rx, 1514, 1);
	return status;
}

extern "C" NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
	WDF_DRIVER_CONFIG config;
	WDF_DRIVER_CONFIG_INIT(&config, EvtDeviceAdd);
	return WdfDriverCreate(DriverObject, RegistryPath, WDF_NO_OBJECT_ATTRIBUTES, &config, WDF_NO_HANDLE);
}
