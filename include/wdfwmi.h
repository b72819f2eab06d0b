/* SPDX-License-Identifier: MIT */
/*
 * WMI providers and instances. umnic has no WMI service: the objects are
 * created and registered so drivers that publish data keep working, but no
 * consumer ever queries them and fired events go nowhere
 * (docs/wdk-surface.md).
 */
#ifndef UMNIC_WDFWMI_H
#define UMNIC_WDFWMI_H

#include <wdfobject.h>

UMNIC_EXTERN_C_BEGIN

WDF_DECLARE_HANDLE(WDFWMIPROVIDER);
WDF_DECLARE_HANDLE(WDFWMIINSTANCE);

typedef enum _WDF_WMI_PROVIDER_CONTROL {
	WdfWmiControlInvalid = 0,
	WdfWmiEventControl,
	WdfWmiInstanceControl,
} WDF_WMI_PROVIDER_CONTROL;

typedef enum _WDF_WMI_PROVIDER_FLAGS {
	WdfWmiProviderEventOnly = 0x0001,
	WdfWmiProviderExpensive = 0x0002,
	WdfWmiProviderTracing = 0x0004,
	WdfWmiProviderValidFlags = 0x0007,
} WDF_WMI_PROVIDER_FLAGS;

typedef NTSTATUS EVT_WDF_WMI_INSTANCE_QUERY_INSTANCE(WDFWMIINSTANCE WmiInstance,
						     ULONG OutBufferSize, PVOID OutBuffer,
						     PULONG BufferUsed);
typedef EVT_WDF_WMI_INSTANCE_QUERY_INSTANCE *PFN_WDF_WMI_INSTANCE_QUERY_INSTANCE;
typedef NTSTATUS EVT_WDF_WMI_INSTANCE_SET_INSTANCE(WDFWMIINSTANCE WmiInstance, ULONG InBufferSize,
						   PVOID InBuffer);
typedef EVT_WDF_WMI_INSTANCE_SET_INSTANCE *PFN_WDF_WMI_INSTANCE_SET_INSTANCE;
typedef NTSTATUS EVT_WDF_WMI_INSTANCE_SET_ITEM(WDFWMIINSTANCE WmiInstance, ULONG DataItemId,
					       ULONG InBufferSize, PVOID InBuffer);
typedef EVT_WDF_WMI_INSTANCE_SET_ITEM *PFN_WDF_WMI_INSTANCE_SET_ITEM;
typedef NTSTATUS EVT_WDF_WMI_INSTANCE_EXECUTE_METHOD(WDFWMIINSTANCE WmiInstance, ULONG MethodId,
						     ULONG InBufferSize, ULONG OutBufferSize,
						     PVOID Buffer, PULONG BufferUsed);
typedef EVT_WDF_WMI_INSTANCE_EXECUTE_METHOD *PFN_WDF_WMI_INSTANCE_EXECUTE_METHOD;
typedef NTSTATUS EVT_WDF_WMI_PROVIDER_FUNCTION_CONTROL(WDFWMIPROVIDER WmiProvider,
						       WDF_WMI_PROVIDER_CONTROL Control,
						       BOOLEAN Enable);
typedef EVT_WDF_WMI_PROVIDER_FUNCTION_CONTROL *PFN_WDF_WMI_PROVIDER_FUNCTION_CONTROL;

typedef struct _WDF_WMI_PROVIDER_CONFIG {
	ULONG Size;
	GUID Guid;
	ULONG Flags;
	ULONG MinInstanceBufferSize;
	PFN_WDF_WMI_PROVIDER_FUNCTION_CONTROL EvtWmiProviderFunctionControl;
} WDF_WMI_PROVIDER_CONFIG, *PWDF_WMI_PROVIDER_CONFIG;

FORCEINLINE VOID WDF_WMI_PROVIDER_CONFIG_INIT(PWDF_WMI_PROVIDER_CONFIG Config, const GUID *Guid)
{
	memset(Config, 0, sizeof(*Config));
	Config->Size = sizeof(*Config);
	memcpy(&Config->Guid, Guid, sizeof(GUID));
}

typedef struct _WDF_WMI_INSTANCE_CONFIG {
	ULONG Size;
	WDFWMIPROVIDER Provider;
	PWDF_WMI_PROVIDER_CONFIG ProviderConfig;
	BOOLEAN UseContextForQuery;
	BOOLEAN Register;
	PFN_WDF_WMI_INSTANCE_QUERY_INSTANCE EvtWmiInstanceQueryInstance;
	PFN_WDF_WMI_INSTANCE_SET_INSTANCE EvtWmiInstanceSetInstance;
	PFN_WDF_WMI_INSTANCE_SET_ITEM EvtWmiInstanceSetItem;
	PFN_WDF_WMI_INSTANCE_EXECUTE_METHOD EvtWmiInstanceExecuteMethod;
} WDF_WMI_INSTANCE_CONFIG, *PWDF_WMI_INSTANCE_CONFIG;

FORCEINLINE VOID WDF_WMI_INSTANCE_CONFIG_INIT_PROVIDER(PWDF_WMI_INSTANCE_CONFIG Config,
						       WDFWMIPROVIDER Provider)
{
	memset(Config, 0, sizeof(*Config));
	Config->Size = sizeof(*Config);
	Config->Provider = Provider;
}

FORCEINLINE VOID WDF_WMI_INSTANCE_CONFIG_INIT_PROVIDER_CONFIG(PWDF_WMI_INSTANCE_CONFIG Config,
							      PWDF_WMI_PROVIDER_CONFIG ProviderConfig)
{
	memset(Config, 0, sizeof(*Config));
	Config->Size = sizeof(*Config);
	Config->ProviderConfig = ProviderConfig;
}

/* Parent: Device. STATUS_INVALID_PARAMETER, STATUS_INSUFFICIENT_RESOURCES. */
NTSTATUS WdfWmiProviderCreate(WDFDEVICE Device, PWDF_WMI_PROVIDER_CONFIG WmiProviderConfig,
			      PWDF_OBJECT_ATTRIBUTES ProviderAttributes,
			      WDFWMIPROVIDER *WmiProvider);
WDFDEVICE WdfWmiProviderGetDevice(WDFWMIPROVIDER WmiProvider);
/* No consumer exists, so nothing is ever enabled: FALSE. */
BOOLEAN WdfWmiProviderIsEnabled(WDFWMIPROVIDER WmiProvider, WDF_WMI_PROVIDER_CONTROL ProviderControl);
ULONGLONG WdfWmiProviderGetTracingHandle(WDFWMIPROVIDER WmiProvider);

/* Parent: the provider (one is created from ProviderConfig when Provider is NULL). */
NTSTATUS WdfWmiInstanceCreate(WDFDEVICE Device, PWDF_WMI_INSTANCE_CONFIG InstanceConfig,
			      PWDF_OBJECT_ATTRIBUTES InstanceAttributes,
			      WDFWMIINSTANCE *Instance);
NTSTATUS WdfWmiInstanceRegister(WDFWMIINSTANCE WmiInstance);
VOID WdfWmiInstanceDeregister(WDFWMIINSTANCE WmiInstance);
WDFDEVICE WdfWmiInstanceGetDevice(WDFWMIINSTANCE WmiInstance);
WDFWMIPROVIDER WdfWmiInstanceGetProvider(WDFWMIINSTANCE WmiInstance);
/* Succeeds and delivers nothing (no consumers). */
NTSTATUS WdfWmiInstanceFireEvent(WDFWMIINSTANCE WmiInstance, ULONG EventDataSize, PVOID EventData);

UMNIC_EXTERN_C_END

#endif
