/* SPDX-License-Identifier: MIT */
/*
 * Devices: configured through WDFDEVICE_INIT inside EvtDriverDeviceAdd, then
 * created with WdfDeviceCreate. The WdfDeviceInitSet* calls are only valid
 * before WdfDeviceCreate; it consumes the init structure.
 */
#ifndef UMNIC_WDFDEVICE_H
#define UMNIC_WDFDEVICE_H

#include <wdffileobject.h>
#include <wdfobject.h>
#include <wdfrequest.h>
#include <wdfresource.h>

UMNIC_EXTERN_C_BEGIN

/* Power states as the framework reports them to D0 entry/exit callbacks. */
typedef enum _WDF_POWER_DEVICE_STATE {
	WdfPowerDeviceInvalid = 0,
	WdfPowerDeviceD0,
	WdfPowerDeviceD1,
	WdfPowerDeviceD2,
	WdfPowerDeviceD3,
	/* Leaving D0 for good: the device is being removed or stopped. */
	WdfPowerDeviceD3Final,
	WdfPowerDevicePrepareForHibernation,
	WdfPowerDeviceMaximum,
} WDF_POWER_DEVICE_STATE, *PWDF_POWER_DEVICE_STATE;

typedef enum _WDF_SPECIAL_FILE_TYPE {
	WdfSpecialFileUndefined = 0,
	WdfSpecialFilePaging = 1,
	WdfSpecialFileHibernation,
	WdfSpecialFileDump,
	WdfSpecialFileBoot,
	WdfSpecialFilePostDisplay,
	WdfSpecialFileMax,
} WDF_SPECIAL_FILE_TYPE, *PWDF_SPECIAL_FILE_TYPE;

#ifndef UMNIC_DEVICE_RELATION_TYPE_DEFINED
#define UMNIC_DEVICE_RELATION_TYPE_DEFINED
typedef enum _DEVICE_RELATION_TYPE {
	BusRelations,
	EjectionRelations,
	PowerRelations,
	RemovalRelations,
	TargetDeviceRelation,
	SingleBusRelations,
	TransportRelations,
} DEVICE_RELATION_TYPE, *PDEVICE_RELATION_TYPE;
#endif

typedef enum _WDF_DEVICE_FAILED_ACTION {
	WdfDeviceFailedUndefined = 0,
	/* Stop the device and start it again (counts against the restart limit). */
	WdfDeviceFailedAttemptRestart,
	/* Stop the device and leave it stopped. */
	WdfDeviceFailedNoRestart,
} WDF_DEVICE_FAILED_ACTION;

/* Which per-device registry key WdfDeviceOpenRegistryKey opens. */
#ifndef PLUGPLAY_REGKEY_DEVICE
#define PLUGPLAY_REGKEY_DEVICE 1
#define PLUGPLAY_REGKEY_DRIVER 2
#define PLUGPLAY_REGKEY_CURRENT_HWPROFILE 4
#endif

#ifndef FILE_DEVICE_SECURE_OPEN
#define FILE_DEVICE_SECURE_OPEN 0x00000100
#endif

/* PnP and power callbacks. */

typedef NTSTATUS EVT_WDF_DEVICE_D0_ENTRY(WDFDEVICE Device, WDF_POWER_DEVICE_STATE PreviousState);
typedef EVT_WDF_DEVICE_D0_ENTRY *PFN_WDF_DEVICE_D0_ENTRY;

typedef NTSTATUS EVT_WDF_DEVICE_D0_ENTRY_POST_INTERRUPTS_ENABLED(
	WDFDEVICE Device, WDF_POWER_DEVICE_STATE PreviousState);
typedef EVT_WDF_DEVICE_D0_ENTRY_POST_INTERRUPTS_ENABLED
	*PFN_WDF_DEVICE_D0_ENTRY_POST_INTERRUPTS_ENABLED;

typedef NTSTATUS EVT_WDF_DEVICE_D0_EXIT(WDFDEVICE Device, WDF_POWER_DEVICE_STATE TargetState);
typedef EVT_WDF_DEVICE_D0_EXIT *PFN_WDF_DEVICE_D0_EXIT;

typedef NTSTATUS EVT_WDF_DEVICE_D0_EXIT_PRE_INTERRUPTS_DISABLED(
	WDFDEVICE Device, WDF_POWER_DEVICE_STATE TargetState);
typedef EVT_WDF_DEVICE_D0_EXIT_PRE_INTERRUPTS_DISABLED
	*PFN_WDF_DEVICE_D0_EXIT_PRE_INTERRUPTS_DISABLED;

/* The resource lists hold the file descriptors umnicd granted (see wdfresource.h). */
typedef NTSTATUS EVT_WDF_DEVICE_PREPARE_HARDWARE(WDFDEVICE Device, WDFCMRESLIST ResourcesRaw,
						 WDFCMRESLIST ResourcesTranslated);
typedef EVT_WDF_DEVICE_PREPARE_HARDWARE *PFN_WDF_DEVICE_PREPARE_HARDWARE;

typedef NTSTATUS EVT_WDF_DEVICE_RELEASE_HARDWARE(WDFDEVICE Device,
						 WDFCMRESLIST ResourcesTranslated);
typedef EVT_WDF_DEVICE_RELEASE_HARDWARE *PFN_WDF_DEVICE_RELEASE_HARDWARE;

typedef VOID EVT_WDF_DEVICE_SELF_MANAGED_IO_CLEANUP(WDFDEVICE Device);
typedef EVT_WDF_DEVICE_SELF_MANAGED_IO_CLEANUP *PFN_WDF_DEVICE_SELF_MANAGED_IO_CLEANUP;

typedef VOID EVT_WDF_DEVICE_SELF_MANAGED_IO_FLUSH(WDFDEVICE Device);
typedef EVT_WDF_DEVICE_SELF_MANAGED_IO_FLUSH *PFN_WDF_DEVICE_SELF_MANAGED_IO_FLUSH;

typedef NTSTATUS EVT_WDF_DEVICE_SELF_MANAGED_IO_INIT(WDFDEVICE Device);
typedef EVT_WDF_DEVICE_SELF_MANAGED_IO_INIT *PFN_WDF_DEVICE_SELF_MANAGED_IO_INIT;

typedef NTSTATUS EVT_WDF_DEVICE_SELF_MANAGED_IO_SUSPEND(WDFDEVICE Device);
typedef EVT_WDF_DEVICE_SELF_MANAGED_IO_SUSPEND *PFN_WDF_DEVICE_SELF_MANAGED_IO_SUSPEND;

typedef NTSTATUS EVT_WDF_DEVICE_SELF_MANAGED_IO_RESTART(WDFDEVICE Device);
typedef EVT_WDF_DEVICE_SELF_MANAGED_IO_RESTART *PFN_WDF_DEVICE_SELF_MANAGED_IO_RESTART;

typedef VOID EVT_WDF_DEVICE_SURPRISE_REMOVAL(WDFDEVICE Device);
typedef EVT_WDF_DEVICE_SURPRISE_REMOVAL *PFN_WDF_DEVICE_SURPRISE_REMOVAL;

typedef NTSTATUS EVT_WDF_DEVICE_QUERY_REMOVE(WDFDEVICE Device);
typedef EVT_WDF_DEVICE_QUERY_REMOVE *PFN_WDF_DEVICE_QUERY_REMOVE;

typedef NTSTATUS EVT_WDF_DEVICE_QUERY_STOP(WDFDEVICE Device);
typedef EVT_WDF_DEVICE_QUERY_STOP *PFN_WDF_DEVICE_QUERY_STOP;

typedef VOID EVT_WDF_DEVICE_USAGE_NOTIFICATION(WDFDEVICE Device,
					       WDF_SPECIAL_FILE_TYPE NotificationType,
					       BOOLEAN IsInNotificationPath);
typedef EVT_WDF_DEVICE_USAGE_NOTIFICATION *PFN_WDF_DEVICE_USAGE_NOTIFICATION;

typedef VOID EVT_WDF_DEVICE_RELATIONS_QUERY(WDFDEVICE Device, DEVICE_RELATION_TYPE RelationType);
typedef EVT_WDF_DEVICE_RELATIONS_QUERY *PFN_WDF_DEVICE_RELATIONS_QUERY;

typedef NTSTATUS EVT_WDF_DEVICE_USAGE_NOTIFICATION_EX(WDFDEVICE Device,
						      WDF_SPECIAL_FILE_TYPE NotificationType,
						      BOOLEAN IsInNotificationPath);
typedef EVT_WDF_DEVICE_USAGE_NOTIFICATION_EX *PFN_WDF_DEVICE_USAGE_NOTIFICATION_EX;

/* Every member is optional. */
typedef struct _WDF_PNPPOWER_EVENT_CALLBACKS {
	ULONG Size;
	PFN_WDF_DEVICE_D0_ENTRY EvtDeviceD0Entry;
	PFN_WDF_DEVICE_D0_ENTRY_POST_INTERRUPTS_ENABLED EvtDeviceD0EntryPostInterruptsEnabled;
	PFN_WDF_DEVICE_D0_EXIT EvtDeviceD0Exit;
	PFN_WDF_DEVICE_D0_EXIT_PRE_INTERRUPTS_DISABLED EvtDeviceD0ExitPreInterruptsDisabled;
	PFN_WDF_DEVICE_PREPARE_HARDWARE EvtDevicePrepareHardware;
	PFN_WDF_DEVICE_RELEASE_HARDWARE EvtDeviceReleaseHardware;
	PFN_WDF_DEVICE_SELF_MANAGED_IO_CLEANUP EvtDeviceSelfManagedIoCleanup;
	PFN_WDF_DEVICE_SELF_MANAGED_IO_FLUSH EvtDeviceSelfManagedIoFlush;
	PFN_WDF_DEVICE_SELF_MANAGED_IO_INIT EvtDeviceSelfManagedIoInit;
	PFN_WDF_DEVICE_SELF_MANAGED_IO_SUSPEND EvtDeviceSelfManagedIoSuspend;
	PFN_WDF_DEVICE_SELF_MANAGED_IO_RESTART EvtDeviceSelfManagedIoRestart;
	PFN_WDF_DEVICE_SURPRISE_REMOVAL EvtDeviceSurpriseRemoval;
	PFN_WDF_DEVICE_QUERY_REMOVE EvtDeviceQueryRemove;
	PFN_WDF_DEVICE_QUERY_STOP EvtDeviceQueryStop;
	PFN_WDF_DEVICE_USAGE_NOTIFICATION EvtDeviceUsageNotification;
	PFN_WDF_DEVICE_RELATIONS_QUERY EvtDeviceRelationsQuery;
	PFN_WDF_DEVICE_USAGE_NOTIFICATION_EX EvtDeviceUsageNotificationEx;
} WDF_PNPPOWER_EVENT_CALLBACKS, *PWDF_PNPPOWER_EVENT_CALLBACKS;

FORCEINLINE VOID WDF_PNPPOWER_EVENT_CALLBACKS_INIT(PWDF_PNPPOWER_EVENT_CALLBACKS Callbacks)
{
	memset(Callbacks, 0, sizeof(*Callbacks));
	Callbacks->Size = sizeof(*Callbacks);
}

/* Buffer access methods, separately for reads/writes and for IOCTLs. */
typedef struct _WDF_IO_TYPE_CONFIG {
	ULONG Size;
	WDF_DEVICE_IO_TYPE ReadWriteIoType;
	WDF_DEVICE_IO_TYPE DeviceControlIoType;
	/* User-mode drivers: transfers shorter than this are buffered even if direct was asked. */
	ULONG DirectTransferThreshold;
} WDF_IO_TYPE_CONFIG, *PWDF_IO_TYPE_CONFIG;

FORCEINLINE VOID WDF_IO_TYPE_CONFIG_INIT(PWDF_IO_TYPE_CONFIG IoTypeConfig)
{
	memset(IoTypeConfig, 0, sizeof(*IoTypeConfig));
	IoTypeConfig->Size = sizeof(*IoTypeConfig);
	IoTypeConfig->ReadWriteIoType = WdfDeviceIoBuffered;
	IoTypeConfig->DeviceControlIoType = WdfDeviceIoBuffered;
}

/* Device initialization (valid only before WdfDeviceCreate). */

VOID WdfDeviceInitSetPnpPowerEventCallbacks(PWDFDEVICE_INIT DeviceInit,
					    PWDF_PNPPOWER_EVENT_CALLBACKS PnpPowerEventCallbacks);

/* For reads and writes; IOCTLs follow the method in their control code. Default: buffered. */
VOID WdfDeviceInitSetIoType(PWDFDEVICE_INIT DeviceInit, WDF_DEVICE_IO_TYPE IoType);
VOID WdfDeviceInitSetIoTypeEx(PWDFDEVICE_INIT DeviceInit, PWDF_IO_TYPE_CONFIG IoTypeConfig);

VOID WdfDeviceInitSetFileObjectConfig(PWDFDEVICE_INIT DeviceInit,
				      PWDF_FILEOBJECT_CONFIG FileObjectConfig,
				      PWDF_OBJECT_ATTRIBUTES FileObjectAttributes);

/* Attributes (e.g. a context type) given to every request the framework presents. */
VOID WdfDeviceInitSetRequestAttributes(PWDFDEVICE_INIT DeviceInit,
				       PWDF_OBJECT_ATTRIBUTES RequestAttributes);

VOID WdfDeviceInitSetDeviceType(PWDFDEVICE_INIT DeviceInit, DEVICE_TYPE DeviceType);

/* TRUE: only one handle to the device may be open at a time. */
VOID WdfDeviceInitSetExclusive(PWDFDEVICE_INIT DeviceInit, BOOLEAN IsExclusive);

/*
 * Creates the device. On success *DeviceInit is set to NULL: the framework
 * owns it. STATUS_INVALID_PARAMETER, STATUS_INVALID_DEVICE_STATE (outside
 * EvtDriverDeviceAdd), STATUS_INSUFFICIENT_RESOURCES.
 */
NTSTATUS WdfDeviceCreate(PWDFDEVICE_INIT *DeviceInit, PWDF_OBJECT_ATTRIBUTES DeviceAttributes,
			 WDFDEVICE *Device);

/* Device operations. */

/*
 * Registers an interface clients can open by GUID (and ReferenceString, which
 * may be NULL). Enabled when the device starts.
 */
NTSTATUS WdfDeviceCreateDeviceInterface(WDFDEVICE Device, CONST GUID *InterfaceClassGUID,
					PCUNICODE_STRING ReferenceString);

/* A name clients can open, e.g. L"\\DosDevices\\MyNic". */
NTSTATUS WdfDeviceCreateSymbolicLink(WDFDEVICE Device, PCUNICODE_STRING SymbolicLinkName);

/* NULL if the driver created no default queue. */
WDFQUEUE WdfDeviceGetDefaultQueue(WDFDEVICE Device);

/* Sends requests of RequestType to Queue instead of the default queue. */
NTSTATUS WdfDeviceConfigureRequestDispatching(WDFDEVICE Device, WDFQUEUE Queue,
					      WDF_REQUEST_TYPE RequestType);

/* Reports an unrecoverable device error; umnicd stops (and maybe restarts) the device. */
VOID WdfDeviceSetFailed(WDFDEVICE Device, WDF_DEVICE_FAILED_ACTION FailedAction);

/* The target that is next in the device's stack (umnicd for a umnic device). */
WDFIOTARGET WdfDeviceGetIoTarget(WDFDEVICE Device);

/* DeviceInstanceKeyType: one PLUGPLAY_REGKEY_* value. */
NTSTATUS WdfDeviceOpenRegistryKey(WDFDEVICE Device, ULONG DeviceInstanceKeyType,
				  ACCESS_MASK DesiredAccess, PWDF_OBJECT_ATTRIBUTES KeyAttributes,
				  WDFKEY *Key);

WDFDRIVER WdfDeviceGetDriver(WDFDEVICE Device);


/* ---- Power policy ------------------------------------------------------------------------ */

/*
 * umnic devices have no idle or wake signalling: the settings below are
 * checked and recorded, and the arm/disarm/triggered callbacks never run
 * (docs/wdk-surface.md).
 */
typedef NTSTATUS EVT_WDF_DEVICE_ARM_WAKE_FROM_S0(WDFDEVICE Device);
typedef EVT_WDF_DEVICE_ARM_WAKE_FROM_S0 *PFN_WDF_DEVICE_ARM_WAKE_FROM_S0;
typedef VOID EVT_WDF_DEVICE_DISARM_WAKE_FROM_S0(WDFDEVICE Device);
typedef EVT_WDF_DEVICE_DISARM_WAKE_FROM_S0 *PFN_WDF_DEVICE_DISARM_WAKE_FROM_S0;
typedef VOID EVT_WDF_DEVICE_WAKE_FROM_S0_TRIGGERED(WDFDEVICE Device);
typedef EVT_WDF_DEVICE_WAKE_FROM_S0_TRIGGERED *PFN_WDF_DEVICE_WAKE_FROM_S0_TRIGGERED;
typedef NTSTATUS EVT_WDF_DEVICE_ARM_WAKE_FROM_SX(WDFDEVICE Device);
typedef EVT_WDF_DEVICE_ARM_WAKE_FROM_SX *PFN_WDF_DEVICE_ARM_WAKE_FROM_SX;
typedef NTSTATUS EVT_WDF_DEVICE_ARM_WAKE_FROM_SX_WITH_REASON(WDFDEVICE Device,
							   BOOLEAN DeviceWakeEnabled,
							   BOOLEAN ChildrenArmedForWake);
typedef EVT_WDF_DEVICE_ARM_WAKE_FROM_SX_WITH_REASON *PFN_WDF_DEVICE_ARM_WAKE_FROM_SX_WITH_REASON;
typedef VOID EVT_WDF_DEVICE_DISARM_WAKE_FROM_SX(WDFDEVICE Device);
typedef EVT_WDF_DEVICE_DISARM_WAKE_FROM_SX *PFN_WDF_DEVICE_DISARM_WAKE_FROM_SX;
typedef VOID EVT_WDF_DEVICE_WAKE_FROM_SX_TRIGGERED(WDFDEVICE Device);
typedef EVT_WDF_DEVICE_WAKE_FROM_SX_TRIGGERED *PFN_WDF_DEVICE_WAKE_FROM_SX_TRIGGERED;

typedef struct _WDF_POWER_POLICY_EVENT_CALLBACKS {
	ULONG Size;
	PFN_WDF_DEVICE_ARM_WAKE_FROM_S0 EvtDeviceArmWakeFromS0;
	PFN_WDF_DEVICE_DISARM_WAKE_FROM_S0 EvtDeviceDisarmWakeFromS0;
	PFN_WDF_DEVICE_WAKE_FROM_S0_TRIGGERED EvtDeviceWakeFromS0Triggered;
	PFN_WDF_DEVICE_ARM_WAKE_FROM_SX EvtDeviceArmWakeFromSx;
	PFN_WDF_DEVICE_DISARM_WAKE_FROM_SX EvtDeviceDisarmWakeFromSx;
	PFN_WDF_DEVICE_WAKE_FROM_SX_TRIGGERED EvtDeviceWakeFromSxTriggered;
	PFN_WDF_DEVICE_ARM_WAKE_FROM_SX_WITH_REASON EvtDeviceArmWakeFromSxWithReason;
} WDF_POWER_POLICY_EVENT_CALLBACKS, *PWDF_POWER_POLICY_EVENT_CALLBACKS;

FORCEINLINE VOID WDF_POWER_POLICY_EVENT_CALLBACKS_INIT(PWDF_POWER_POLICY_EVENT_CALLBACKS Callbacks)
{
	memset(Callbacks, 0, sizeof(*Callbacks));
	Callbacks->Size = sizeof(*Callbacks);
}

VOID WdfDeviceInitSetPowerPolicyEventCallbacks(
	PWDFDEVICE_INIT DeviceInit, PWDF_POWER_POLICY_EVENT_CALLBACKS PowerPolicyEventCallbacks);

/* Makes the device its stack's power policy owner (the default for a function driver). */
VOID WdfDeviceInitSetPowerPolicyOwnership(PWDFDEVICE_INIT DeviceInit, BOOLEAN IsPowerPolicyOwner);

typedef enum _WDF_POWER_POLICY_S0_IDLE_CAPABILITIES {
	IdleCapsInvalid = 0,
	IdleCannotWakeFromS0,
	IdleCanWakeFromS0,
	IdleUsbSelectiveSuspend,
} WDF_POWER_POLICY_S0_IDLE_CAPABILITIES;

typedef enum _WDF_POWER_POLICY_S0_IDLE_USER_CONTROL {
	IdleUserControlInvalid = 0,
	IdleDoNotAllowUserControl,
	IdleAllowUserControl,
} WDF_POWER_POLICY_S0_IDLE_USER_CONTROL;

typedef enum _WDF_POWER_POLICY_IDLE_TIMEOUT_TYPE {
	DriverManagedIdleTimeout = 0,
	SystemManagedIdleTimeout = 1,
	SystemManagedIdleTimeoutWithHint = 2,
} WDF_POWER_POLICY_IDLE_TIMEOUT_TYPE;

typedef enum _WDF_POWER_POLICY_SX_WAKE_USER_CONTROL {
	WakeUserControlInvalid = 0,
	WakeDoNotAllowUserControl,
	WakeAllowUserControl,
} WDF_POWER_POLICY_SX_WAKE_USER_CONTROL;

/* IdleTimeout value meaning "the framework's default" (5 seconds). */
#define IdleTimeoutDefaultValue ((ULONG)0)

typedef struct _WDF_DEVICE_POWER_POLICY_IDLE_SETTINGS {
	ULONG Size;
	WDF_POWER_POLICY_S0_IDLE_CAPABILITIES IdleCaps;
	DEVICE_POWER_STATE DxState;
	/* Milliseconds. */
	ULONG IdleTimeout;
	WDF_POWER_POLICY_S0_IDLE_USER_CONTROL UserControlOfIdleSettings;
	WDF_TRI_STATE Enabled;
	WDF_TRI_STATE PowerUpIdleDeviceOnSystemWake;
	WDF_POWER_POLICY_IDLE_TIMEOUT_TYPE IdleTimeoutType;
	WDF_TRI_STATE ExcludeD3Cold;
} WDF_DEVICE_POWER_POLICY_IDLE_SETTINGS, *PWDF_DEVICE_POWER_POLICY_IDLE_SETTINGS;

/* D3 for devices that cannot wake themselves, otherwise the deepest wake state (PowerDeviceMaximum). */
FORCEINLINE VOID
WDF_DEVICE_POWER_POLICY_IDLE_SETTINGS_INIT(PWDF_DEVICE_POWER_POLICY_IDLE_SETTINGS Settings,
					   WDF_POWER_POLICY_S0_IDLE_CAPABILITIES IdleCaps)
{
	memset(Settings, 0, sizeof(*Settings));
	Settings->Size = sizeof(*Settings);
	Settings->IdleCaps = IdleCaps;
	Settings->IdleTimeout = IdleTimeoutDefaultValue;
	Settings->UserControlOfIdleSettings = IdleAllowUserControl;
	Settings->Enabled = WdfUseDefault;
	Settings->PowerUpIdleDeviceOnSystemWake = WdfUseDefault;
	Settings->IdleTimeoutType = DriverManagedIdleTimeout;
	Settings->ExcludeD3Cold = WdfUseDefault;
	Settings->DxState = IdleCaps == IdleCannotWakeFromS0 ? PowerDeviceD3 : PowerDeviceMaximum;
}

NTSTATUS WdfDeviceAssignS0IdleSettings(WDFDEVICE Device,
				       PWDF_DEVICE_POWER_POLICY_IDLE_SETTINGS Settings);

typedef struct _WDF_DEVICE_POWER_POLICY_WAKE_SETTINGS {
	ULONG Size;
	DEVICE_POWER_STATE DxState;
	WDF_POWER_POLICY_SX_WAKE_USER_CONTROL UserControlOfWakeSettings;
	WDF_TRI_STATE Enabled;
	BOOLEAN ArmForWakeIfChildrenAreArmedForWake;
	BOOLEAN IndicateChildWakeOnParentWake;
} WDF_DEVICE_POWER_POLICY_WAKE_SETTINGS, *PWDF_DEVICE_POWER_POLICY_WAKE_SETTINGS;

FORCEINLINE VOID
WDF_DEVICE_POWER_POLICY_WAKE_SETTINGS_INIT(PWDF_DEVICE_POWER_POLICY_WAKE_SETTINGS Settings)
{
	memset(Settings, 0, sizeof(*Settings));
	Settings->Size = sizeof(*Settings);
	Settings->Enabled = WdfUseDefault;
	Settings->DxState = PowerDeviceMaximum;
	Settings->UserControlOfWakeSettings = WakeAllowUserControl;
}

NTSTATUS WdfDeviceAssignSxWakeSettings(WDFDEVICE Device,
				       PWDF_DEVICE_POWER_POLICY_WAKE_SETTINGS Settings);

/*
 * Power references: the device stays in D0 while one is held. umnic devices
 * never idle out, so these only count; StopIdle returns STATUS_SUCCESS.
 */
NTSTATUS WdfDeviceStopIdleNoTrack(WDFDEVICE Device, BOOLEAN WaitForD0);
VOID WdfDeviceResumeIdleNoTrack(WDFDEVICE Device);
NTSTATUS WdfDeviceStopIdleActual(WDFDEVICE Device, BOOLEAN WaitForD0, PVOID Tag, LONG Line,
				 PCSTR File);
VOID WdfDeviceResumeIdleActual(WDFDEVICE Device, PVOID Tag, LONG Line, PCSTR File);
#define WdfDeviceStopIdle(Device, WaitForD0) \
	WdfDeviceStopIdleActual((Device), (WaitForD0), NULL, __LINE__, __FILE__)
#define WdfDeviceStopIdleWithTag(Device, WaitForD0, Tag) \
	WdfDeviceStopIdleActual((Device), (WaitForD0), (Tag), __LINE__, __FILE__)
#define WdfDeviceResumeIdle(Device) WdfDeviceResumeIdleActual((Device), NULL, __LINE__, __FILE__)
#define WdfDeviceResumeIdleWithTag(Device, Tag) \
	WdfDeviceResumeIdleActual((Device), (Tag), __LINE__, __FILE__)

/* ---- Device state ------------------------------------------------------------------------ */

typedef struct _WDF_DEVICE_STATE {
	ULONG Size;
	WDF_TRI_STATE Disabled;
	WDF_TRI_STATE DontDisplayInUI;
	WDF_TRI_STATE Failed;
	WDF_TRI_STATE NotDisableable;
	WDF_TRI_STATE Removed;
	WDF_TRI_STATE ResourcesChanged;
} WDF_DEVICE_STATE, *PWDF_DEVICE_STATE;

FORCEINLINE VOID WDF_DEVICE_STATE_INIT(PWDF_DEVICE_STATE PnpDeviceState)
{
	memset(PnpDeviceState, 0, sizeof(*PnpDeviceState));
	PnpDeviceState->Size = sizeof(*PnpDeviceState);
	PnpDeviceState->Disabled = WdfUseDefault;
	PnpDeviceState->DontDisplayInUI = WdfUseDefault;
	PnpDeviceState->Failed = WdfUseDefault;
	PnpDeviceState->NotDisableable = WdfUseDefault;
	PnpDeviceState->Removed = WdfUseDefault;
	PnpDeviceState->ResourcesChanged = WdfUseDefault;
}

/*
 * Failed = WdfTrue stops the device (as WdfDeviceSetFailed with
 * WdfDeviceFailedNoRestart); the other fields are recorded.
 */
VOID WdfDeviceSetDeviceState(WDFDEVICE Device, PWDF_DEVICE_STATE DeviceState);
VOID WdfDeviceGetDeviceState(WDFDEVICE Device, PWDF_DEVICE_STATE DeviceState);

/* Marks the device a filter: requests it does not handle go to the next driver (umnicd). */
VOID WdfFdoInitSetFilter(PWDFDEVICE_INIT DeviceInit);

/* Crash-dump triage data: a table describing the framework's structures. */
typedef struct _WDF_TRIAGE_INFO {
	ULONG WdfMajorVersion;
	ULONG WdfMinorVersion;
	ULONG TriageInfoMajorVersion;
	ULONG TriageInfoMinorVersion;
	PVOID Reserved0;
	PVOID WdfObjectTriageInfo;
	PVOID WdfContextTriageInfo;
	PVOID WdfContextTypeTriageInfo;
	PVOID WdfQueueTriageInfo;
	PVOID WdfFwdProgressTriageInfo;
	PVOID WdfIrpQueueTriageInfo;
	PVOID WdfRequestTriageInfo;
	PVOID WdfDeviceTriageInfo;
	PVOID WdfIrpTriageInfo;
} WDF_TRIAGE_INFO, *PWDF_TRIAGE_INFO;

/* umnic's table names the framework version; the per-structure entries are NULL. */
PVOID WdfGetTriageInfo(VOID);

#ifdef _KERNEL_MODE
/* WDM objects behind a device (in-host drivers only). */
PDEVICE_OBJECT WdfDeviceWdmGetDeviceObject(WDFDEVICE Device);
PDEVICE_OBJECT WdfDeviceWdmGetAttachedDevice(WDFDEVICE Device);
PDEVICE_OBJECT WdfDeviceWdmGetPhysicalDevice(WDFDEVICE Device);
#endif

UMNIC_EXTERN_C_END

#endif
