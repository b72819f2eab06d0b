/* SPDX-License-Identifier: MIT */
/*
 * WMI providers and instances without a WMI service: objects with the
 * documented parents and accessors; nothing queries them (wdfwmi.h).
 */
#include "common/log.h"
#include "runtime/wdf/object.h"

#include <wdf.h>

struct umn_wmi_provider {
	struct umn_object obj;
	struct umn_object *device;
	WDF_WMI_PROVIDER_CONFIG config;
};

struct umn_wmi_instance {
	struct umn_object obj;
	struct umn_wmi_provider *provider;
	WDF_WMI_INSTANCE_CONFIG config;
	bool registered;
};

NTSTATUS WdfWmiProviderCreate(WDFDEVICE Device, PWDF_WMI_PROVIDER_CONFIG WmiProviderConfig,
			      PWDF_OBJECT_ATTRIBUTES ProviderAttributes,
			      WDFWMIPROVIDER *WmiProvider)
{
	struct umn_object *dev = umn_object_from_handle(Device, UMN_OBJ_DEVICE), *o;
	struct umn_wmi_provider *p;
	NTSTATUS st;

	if (!dev || !WmiProviderConfig || !WmiProvider ||
	    WmiProviderConfig->Size != sizeof(*WmiProviderConfig) ||
	    (WmiProviderConfig->Flags & ~(ULONG)WdfWmiProviderValidFlags)) {
		umn_log(UMN_LOG_ERR, "WdfWmiProviderCreate: invalid device, config or output");
		return STATUS_INVALID_PARAMETER;
	}
	st = umn_object_create(UMN_OBJ_WMIPROVIDER, sizeof(*p), ProviderAttributes, dev, NULL, &o);
	if (!NT_SUCCESS(st))
		return st;
	p = (struct umn_wmi_provider *)o;
	p->device = dev;
	p->config = *WmiProviderConfig;
	*WmiProvider = (WDFWMIPROVIDER)umn_object_handle(o);
	return STATUS_SUCCESS;
}

static struct umn_wmi_provider *provider_get(WDFWMIPROVIDER h, const char *fn)
{
	struct umn_object *o = umn_object_from_handle(h, UMN_OBJ_WMIPROVIDER);

	if (!o)
		umn_log(UMN_LOG_ERR, "%s: %p is not a WDFWMIPROVIDER", fn, (void *)h);
	return (struct umn_wmi_provider *)o;
}

static struct umn_wmi_instance *instance_get(WDFWMIINSTANCE h, const char *fn)
{
	struct umn_object *o = umn_object_from_handle(h, UMN_OBJ_WMIINSTANCE);

	if (!o)
		umn_log(UMN_LOG_ERR, "%s: %p is not a WDFWMIINSTANCE", fn, (void *)h);
	return (struct umn_wmi_instance *)o;
}

WDFDEVICE WdfWmiProviderGetDevice(WDFWMIPROVIDER WmiProvider)
{
	struct umn_wmi_provider *p = provider_get(WmiProvider, "WdfWmiProviderGetDevice");

	return p ? (WDFDEVICE)umn_object_handle(p->device) : NULL;
}

BOOLEAN WdfWmiProviderIsEnabled(WDFWMIPROVIDER WmiProvider,
				WDF_WMI_PROVIDER_CONTROL ProviderControl)
{
	(void)provider_get(WmiProvider, "WdfWmiProviderIsEnabled");
	(void)ProviderControl;
	return FALSE;
}

ULONGLONG WdfWmiProviderGetTracingHandle(WDFWMIPROVIDER WmiProvider)
{
	(void)provider_get(WmiProvider, "WdfWmiProviderGetTracingHandle");
	return 0;
}

NTSTATUS WdfWmiInstanceCreate(WDFDEVICE Device, PWDF_WMI_INSTANCE_CONFIG InstanceConfig,
			      PWDF_OBJECT_ATTRIBUTES InstanceAttributes, WDFWMIINSTANCE *Instance)
{
	struct umn_wmi_provider *p;
	struct umn_wmi_instance *i;
	WDFWMIPROVIDER ph;
	struct umn_object *o;
	NTSTATUS st;

	if (!InstanceConfig || InstanceConfig->Size != sizeof(*InstanceConfig) ||
	    (!InstanceConfig->Provider && !InstanceConfig->ProviderConfig)) {
		umn_log(UMN_LOG_ERR, "WdfWmiInstanceCreate: the config needs a valid Size and a "
				     "Provider or ProviderConfig");
		return STATUS_INVALID_PARAMETER;
	}
	ph = InstanceConfig->Provider;
	if (!ph) {
		st = WdfWmiProviderCreate(Device, InstanceConfig->ProviderConfig, NULL, &ph);
		if (!NT_SUCCESS(st))
			return st;
	}
	p = provider_get(ph, "WdfWmiInstanceCreate");
	if (!p)
		return STATUS_INVALID_PARAMETER;
	st = umn_object_create(UMN_OBJ_WMIINSTANCE, sizeof(*i), InstanceAttributes, &p->obj, NULL,
			       &o);
	if (!NT_SUCCESS(st))
		return st;
	i = (struct umn_wmi_instance *)o;
	i->provider = p;
	i->config = *InstanceConfig;
	i->config.Provider = ph;
	i->registered = InstanceConfig->Register;
	if (Instance)
		*Instance = (WDFWMIINSTANCE)umn_object_handle(o);
	return STATUS_SUCCESS;
}

NTSTATUS WdfWmiInstanceRegister(WDFWMIINSTANCE WmiInstance)
{
	struct umn_wmi_instance *i = instance_get(WmiInstance, "WdfWmiInstanceRegister");

	if (!i)
		return STATUS_INVALID_PARAMETER;
	i->registered = true;
	return STATUS_SUCCESS;
}

VOID WdfWmiInstanceDeregister(WDFWMIINSTANCE WmiInstance)
{
	struct umn_wmi_instance *i = instance_get(WmiInstance, "WdfWmiInstanceDeregister");

	if (i)
		i->registered = false;
}

WDFDEVICE WdfWmiInstanceGetDevice(WDFWMIINSTANCE WmiInstance)
{
	struct umn_wmi_instance *i = instance_get(WmiInstance, "WdfWmiInstanceGetDevice");

	return i ? (WDFDEVICE)umn_object_handle(i->provider->device) : NULL;
}

WDFWMIPROVIDER WdfWmiInstanceGetProvider(WDFWMIINSTANCE WmiInstance)
{
	struct umn_wmi_instance *i = instance_get(WmiInstance, "WdfWmiInstanceGetProvider");

	return i ? (WDFWMIPROVIDER)umn_object_handle(&i->provider->obj) : NULL;
}

NTSTATUS WdfWmiInstanceFireEvent(WDFWMIINSTANCE WmiInstance, ULONG EventDataSize, PVOID EventData)
{
	struct umn_wmi_instance *i = instance_get(WmiInstance, "WdfWmiInstanceFireEvent");

	(void)EventDataSize;
	(void)EventData;
	return i ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER;
}
