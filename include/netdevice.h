/* SPDX-License-Identifier: MIT */
/* The WDF device that owns network adapters. */
#ifndef UMNIC_NETDEVICE_H
#define UMNIC_NETDEVICE_H

#include <netadaptercxtypes.h>

UMNIC_EXTERN_C_BEGIN

/*
 * Makes the device a NetAdapterCx device. Call it on the WDFDEVICE_INIT in
 * EvtDriverDeviceAdd, before WdfDeviceCreate; without it NetAdapterInit-
 * Allocate on the device fails. STATUS_INSUFFICIENT_RESOURCES when out of
 * memory.
 */
NTSTATUS NetDeviceInitConfig(PWDFDEVICE_INIT DeviceInit);

/*
 * Opens the device-wide configuration (the device's key in the device
 * registry, which holds the INF's HKR values). STATUS_OBJECT_NAME_NOT_FOUND
 * if the device has no such key.
 */
NTSTATUS NetDeviceOpenConfiguration(WDFDEVICE Device,
				    PWDF_OBJECT_ATTRIBUTES ConfigurationAttributes,
				    NETCONFIGURATION *Configuration);

UMNIC_EXTERN_C_END

#endif
