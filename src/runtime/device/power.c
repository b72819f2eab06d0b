/* SPDX-License-Identifier: MIT */
/*
 * Power policy, device state and the other device settings umnic records
 * but has no event for: a umnic device is in D0 from start to removal, never
 * idles out, and the system never sleeps under it, so the arm/disarm/wake
 * callbacks never run (docs/wdk-surface.md). Settings are validated as WDF
 * does, so a driver that passes a bad structure learns it here too.
 */
#include <string.h>

#include "common/log.h"
#include "runtime/rt.h"

static struct umn_device *device_from(WDFDEVICE h, const char *fn)
{
	struct umn_object *o = umn_object_from_handle(h, UMN_OBJ_DEVICE);

	if (!o)
		umn_log(UMN_LOG_ERR, "%s: %p is not a WDFDEVICE handle", fn, (void *)h);
	return (struct umn_device *)o;
}

VOID WdfDeviceInitSetPowerPolicyEventCallbacks(
    PWDFDEVICE_INIT DeviceInit, PWDF_POWER_POLICY_EVENT_CALLBACKS PowerPolicyEventCallbacks)
{
	if (!DeviceInit || !PowerPolicyEventCallbacks)
		return;
	if (PowerPolicyEventCallbacks->Size != sizeof(*PowerPolicyEventCallbacks)) {
		umn_log(UMN_LOG_ERR,
			"WdfDeviceInitSetPowerPolicyEventCallbacks: Size is %u, expected %zu",
			PowerPolicyEventCallbacks->Size, sizeof(*PowerPolicyEventCallbacks));
		return;
	}
	DeviceInit->power.callbacks = *PowerPolicyEventCallbacks;
	DeviceInit->power.callbacks_set = true;
}

VOID WdfDeviceInitSetPowerPolicyOwnership(PWDFDEVICE_INIT DeviceInit, BOOLEAN IsPowerPolicyOwner)
{
	(void)DeviceInit;
	(void)IsPowerPolicyOwner; /* a umnic device is the only driver of its stack */
}

VOID WdfFdoInitSetFilter(PWDFDEVICE_INIT DeviceInit)
{
	if (DeviceInit)
		DeviceInit->power.filter = true;
}

static bool tri_state_ok(WDF_TRI_STATE t)
{
	return t == WdfFalse || t == WdfTrue || t == WdfUseDefault;
}

NTSTATUS WdfDeviceAssignS0IdleSettings(WDFDEVICE Device,
				       PWDF_DEVICE_POWER_POLICY_IDLE_SETTINGS Settings)
{
	struct umn_device *dev = device_from(Device, "WdfDeviceAssignS0IdleSettings");

	if (!dev || !Settings)
		return STATUS_INVALID_PARAMETER;
	if (Settings->Size != sizeof(*Settings)) {
		umn_log(UMN_LOG_ERR, "WdfDeviceAssignS0IdleSettings: Size is %u, expected %zu",
			Settings->Size, sizeof(*Settings));
		return STATUS_INFO_LENGTH_MISMATCH;
	}
	if (Settings->IdleCaps < IdleCannotWakeFromS0 ||
	    Settings->IdleCaps > IdleUsbSelectiveSuspend || !tri_state_ok(Settings->Enabled) ||
	    Settings->IdleTimeoutType > SystemManagedIdleTimeoutWithHint ||
	    (Settings->DxState != PowerDeviceMaximum &&
	     (Settings->DxState < PowerDeviceD1 || Settings->DxState > PowerDeviceD3))) {
		umn_log(UMN_LOG_ERR,
			"WdfDeviceAssignS0IdleSettings: invalid settings (IdleCaps %d, "
			"DxState %d)",
			(int)Settings->IdleCaps, (int)Settings->DxState);
		return STATUS_INVALID_PARAMETER;
	}
	if (Settings->IdleCaps == IdleUsbSelectiveSuspend) {
		umn_log(UMN_LOG_ERR,
			"WdfDeviceAssignS0IdleSettings: IdleUsbSelectiveSuspend needs a USB "
			"device; umnic devices are not");
		return STATUS_POWER_STATE_INVALID;
	}
	dev->power.idle = *Settings;
	dev->power.idle_set = true;
	return STATUS_SUCCESS;
}

NTSTATUS WdfDeviceAssignSxWakeSettings(WDFDEVICE Device,
				       PWDF_DEVICE_POWER_POLICY_WAKE_SETTINGS Settings)
{
	struct umn_device *dev = device_from(Device, "WdfDeviceAssignSxWakeSettings");

	if (!dev || !Settings)
		return STATUS_INVALID_PARAMETER;
	if (Settings->Size != sizeof(*Settings)) {
		umn_log(UMN_LOG_ERR, "WdfDeviceAssignSxWakeSettings: Size is %u, expected %zu",
			Settings->Size, sizeof(*Settings));
		return STATUS_INFO_LENGTH_MISMATCH;
	}
	if (!tri_state_ok(Settings->Enabled) ||
	    (Settings->DxState != PowerDeviceMaximum &&
	     (Settings->DxState < PowerDeviceD1 || Settings->DxState > PowerDeviceD3))) {
		umn_log(UMN_LOG_ERR, "WdfDeviceAssignSxWakeSettings: invalid settings (DxState %d)",
			(int)Settings->DxState);
		return STATUS_INVALID_PARAMETER;
	}
	dev->power.wake = *Settings;
	dev->power.wake_set = true;
	return STATUS_SUCCESS;
}

NTSTATUS WdfDeviceStopIdleActual(WDFDEVICE Device, BOOLEAN WaitForD0, PVOID Tag, LONG Line,
				 PCSTR File)
{
	struct umn_device *dev = device_from(Device, "WdfDeviceStopIdle");

	(void)WaitForD0;
	(void)Tag;
	(void)Line;
	(void)File;
	if (!dev)
		return STATUS_INVALID_PARAMETER;
	/* Already in D0, and stays there: the reference only counts. */
	__atomic_add_fetch(&dev->power.idle_refs, 1, __ATOMIC_RELAXED);
	return STATUS_SUCCESS;
}

VOID WdfDeviceResumeIdleActual(WDFDEVICE Device, PVOID Tag, LONG Line, PCSTR File)
{
	struct umn_device *dev = device_from(Device, "WdfDeviceResumeIdle");

	(void)Tag;
	if (!dev)
		return;
	if (__atomic_sub_fetch(&dev->power.idle_refs, 1, __ATOMIC_RELAXED) < 0) {
		__atomic_add_fetch(&dev->power.idle_refs, 1, __ATOMIC_RELAXED);
		umn_log(UMN_LOG_ERR,
			"WdfDeviceResumeIdle at %s:%d without a matching WdfDeviceStopIdle",
			File ? File : "?", (int)Line);
	}
}

NTSTATUS WdfDeviceStopIdleNoTrack(WDFDEVICE Device, BOOLEAN WaitForD0)
{
	return WdfDeviceStopIdleActual(Device, WaitForD0, NULL, 0, NULL);
}

VOID WdfDeviceResumeIdleNoTrack(WDFDEVICE Device)
{
	WdfDeviceResumeIdleActual(Device, NULL, 0, NULL);
}

VOID WdfDeviceSetDeviceState(WDFDEVICE Device, PWDF_DEVICE_STATE DeviceState)
{
	struct umn_device *dev = device_from(Device, "WdfDeviceSetDeviceState");

	if (!dev || !DeviceState || DeviceState->Size != sizeof(*DeviceState)) {
		umn_log(UMN_LOG_ERR, "WdfDeviceSetDeviceState: %s",
			!dev ? "bad device" : "DeviceState is NULL or has a bad Size");
		return;
	}
	dev->power.state = *DeviceState;
	if (DeviceState->Failed == WdfTrue) {
		umn_log(UMN_LOG_ERR,
			"WdfDeviceSetDeviceState: the driver reports the device failed");
		WdfDeviceSetFailed(Device, WdfDeviceFailedNoRestart);
	}
}

VOID WdfDeviceGetDeviceState(WDFDEVICE Device, PWDF_DEVICE_STATE DeviceState)
{
	struct umn_device *dev = device_from(Device, "WdfDeviceGetDeviceState");

	if (!dev || !DeviceState)
		return;
	if (dev->power.state.Size == sizeof(*DeviceState))
		*DeviceState = dev->power.state;
	else
		WDF_DEVICE_STATE_INIT(DeviceState);
}

PVOID WdfGetTriageInfo(VOID)
{
	/* Read-only; a debugger extension reads the version, the rest is not described. */
	static const WDF_TRIAGE_INFO info = {
	    .WdfMajorVersion = 2,
	    .WdfMinorVersion = 33,
	    .TriageInfoMajorVersion = 1,
	    .TriageInfoMinorVersion = 0,
	};

	return (PVOID)&info;
}
