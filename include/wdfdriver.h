/* SPDX-License-Identifier: MIT */
/*
 * The driver object: created once in DriverEntry, parent (directly or not) of
 * every other object the driver creates.
 */
#ifndef UMNIC_WDFDRIVER_H
#define UMNIC_WDFDRIVER_H

#include <wdfobject.h>

UMNIC_EXTERN_C_BEGIN

typedef enum _WDF_DRIVER_INIT_FLAGS {
	WdfDriverInitNonPnpDriver = 0x00000001,
	WdfDriverInitNoDispatchOverride = 0x00000002,
	WdfVerifyOn = 0x00000004,
	WdfVerifierOn = 0x00000008,
	WdfDriverInitCompanion = 0x00000010,
} WDF_DRIVER_INIT_FLAGS;

typedef NTSTATUS EVT_WDF_DRIVER_DEVICE_ADD(WDFDRIVER Driver, PWDFDEVICE_INIT DeviceInit);
typedef EVT_WDF_DRIVER_DEVICE_ADD *PFN_WDF_DRIVER_DEVICE_ADD;

typedef VOID EVT_WDF_DRIVER_UNLOAD(WDFDRIVER Driver);
typedef EVT_WDF_DRIVER_UNLOAD *PFN_WDF_DRIVER_UNLOAD;

typedef struct _WDF_DRIVER_CONFIG {
	ULONG Size;
	PFN_WDF_DRIVER_DEVICE_ADD EvtDriverDeviceAdd;
	PFN_WDF_DRIVER_UNLOAD EvtDriverUnload;
	/* WDF_DRIVER_INIT_FLAGS bits. */
	ULONG DriverInitFlags;
	ULONG DriverPoolTag;
} WDF_DRIVER_CONFIG, *PWDF_DRIVER_CONFIG;

FORCEINLINE VOID WDF_DRIVER_CONFIG_INIT(PWDF_DRIVER_CONFIG Config,
					PFN_WDF_DRIVER_DEVICE_ADD EvtDriverDeviceAdd)
{
	memset(Config, 0, sizeof(*Config));
	Config->Size = sizeof(*Config);
	Config->EvtDriverDeviceAdd = EvtDriverDeviceAdd;
}

typedef struct _WDF_DRIVER_VERSION_AVAILABLE_PARAMS {
	ULONG Size;
	ULONG MajorVersion;
	ULONG MinorVersion;
} WDF_DRIVER_VERSION_AVAILABLE_PARAMS, *PWDF_DRIVER_VERSION_AVAILABLE_PARAMS;

FORCEINLINE VOID
WDF_DRIVER_VERSION_AVAILABLE_PARAMS_INIT(PWDF_DRIVER_VERSION_AVAILABLE_PARAMS Params,
					 ULONG MajorVersion, ULONG MinorVersion)
{
	memset(Params, 0, sizeof(*Params));
	Params->Size = sizeof(*Params);
	Params->MajorVersion = MajorVersion;
	Params->MinorVersion = MinorVersion;
}

/*
 * Creates the driver object; call once, from DriverEntry. Driver may be
 * WDF_NO_HANDLE. STATUS_INVALID_PARAMETER, STATUS_INVALID_DEVICE_STATE when
 * called twice, STATUS_INSUFFICIENT_RESOURCES.
 */
NTSTATUS WdfDriverCreate(PDRIVER_OBJECT DriverObject, PCUNICODE_STRING RegistryPath,
			 PWDF_OBJECT_ATTRIBUTES DriverAttributes, PWDF_DRIVER_CONFIG DriverConfig,
			 WDFDRIVER *Driver);

/* The driver object of this driver (NULL before WdfDriverCreate). */
WDFDRIVER WdfGetDriver(VOID);

/* The service key path passed to DriverEntry, NUL-terminated; owned by the framework. */
PWSTR WdfDriverGetRegistryPath(WDFDRIVER Driver);

/* Opens the service's Parameters key. */
NTSTATUS WdfDriverOpenParametersRegistryKey(WDFDRIVER Driver, ACCESS_MASK DesiredAccess,
					    PWDF_OBJECT_ATTRIBUTES KeyAttributes, WDFKEY *Key);

/* TRUE if the framework implements at least the requested version. */
BOOLEAN WdfDriverIsVersionAvailable(WDFDRIVER Driver,
				    PWDF_DRIVER_VERSION_AVAILABLE_PARAMS VersionAvailableParams);

/* Writes a human-readable framework version into String. */
NTSTATUS WdfDriverRetrieveVersionString(WDFDRIVER Driver, WDFSTRING String);

#ifdef _KERNEL_MODE
/* The WDM driver object behind the framework driver object (in-host drivers only). */
PDRIVER_OBJECT WdfDriverWdmGetDriverObject(WDFDRIVER Driver);
WDFDRIVER WdfWdmDriverGetWdfDriverHandle(PDRIVER_OBJECT DriverObject);
#endif

UMNIC_EXTERN_C_END

#endif
