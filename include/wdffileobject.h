/* SPDX-License-Identifier: MIT */
/*
 * File objects: one per client handle opened on a device. EvtDeviceFileCreate
 * sees the open, EvtFileCleanup runs when the last handle goes away (also when
 * the client process died), EvtFileClose once no I/O on it is outstanding.
 */
#ifndef UMNIC_WDFFILEOBJECT_H
#define UMNIC_WDFFILEOBJECT_H

#include <wdfobject.h>

UMNIC_EXTERN_C_BEGIN

/* Whether the driver needs file objects, and which WDM fields the framework may use. */
typedef enum _WDF_FILEOBJECT_CLASS {
	WdfFileObjectInvalid = 0,
	WdfFileObjectNotRequired = 1,
	WdfFileObjectWdfCanUseFsContext = 2,
	WdfFileObjectWdfCanUseFsContext2 = 3,
	WdfFileObjectWdfCannotUseFsContexts = 4,
	/*
	 * Flag, OR-ed into one of the above: requests without a file object are
	 * accepted. Bit 31, written so the constant stays within int for C11.
	 */
	WdfFileObjectCanBeOptional = -0x7fffffff - 1,
} WDF_FILEOBJECT_CLASS, *PWDF_FILEOBJECT_CLASS;

typedef VOID EVT_WDF_DEVICE_FILE_CREATE(WDFDEVICE Device, WDFREQUEST Request,
					WDFFILEOBJECT FileObject);
typedef EVT_WDF_DEVICE_FILE_CREATE *PFN_WDF_DEVICE_FILE_CREATE;

typedef VOID EVT_WDF_FILE_CLOSE(WDFFILEOBJECT FileObject);
typedef EVT_WDF_FILE_CLOSE *PFN_WDF_FILE_CLOSE;

typedef VOID EVT_WDF_FILE_CLEANUP(WDFFILEOBJECT FileObject);
typedef EVT_WDF_FILE_CLEANUP *PFN_WDF_FILE_CLEANUP;

typedef struct _WDF_FILEOBJECT_CONFIG {
	ULONG Size;
	/* Must complete the create request; NULL: the framework opens every handle itself. */
	PFN_WDF_DEVICE_FILE_CREATE EvtDeviceFileCreate;
	PFN_WDF_FILE_CLOSE EvtFileClose;
	PFN_WDF_FILE_CLEANUP EvtFileCleanup;
	WDF_TRI_STATE AutoForwardCleanupClose;
	WDF_FILEOBJECT_CLASS FileObjectClass;
} WDF_FILEOBJECT_CONFIG, *PWDF_FILEOBJECT_CONFIG;

/* Defaults as each framework documents them: UMDF drivers may not use the FsContext fields. */
FORCEINLINE VOID WDF_FILEOBJECT_CONFIG_INIT(PWDF_FILEOBJECT_CONFIG FileEventCallbacks,
					    PFN_WDF_DEVICE_FILE_CREATE EvtDeviceFileCreate,
					    PFN_WDF_FILE_CLOSE EvtFileClose,
					    PFN_WDF_FILE_CLEANUP EvtFileCleanup)
{
	memset(FileEventCallbacks, 0, sizeof(*FileEventCallbacks));
	FileEventCallbacks->Size = sizeof(*FileEventCallbacks);
	FileEventCallbacks->EvtDeviceFileCreate = EvtDeviceFileCreate;
	FileEventCallbacks->EvtFileClose = EvtFileClose;
	FileEventCallbacks->EvtFileCleanup = EvtFileCleanup;
	FileEventCallbacks->AutoForwardCleanupClose = WdfUseDefault;
#ifdef _KERNEL_MODE
	FileEventCallbacks->FileObjectClass = WdfFileObjectWdfCanUseFsContext;
#else
	FileEventCallbacks->FileObjectClass = WdfFileObjectWdfCannotUseFsContexts;
#endif
}

WDFDEVICE WdfFileObjectGetDevice(WDFFILEOBJECT FileObject);

/* The name the client opened after the device's own name (may be empty); framework-owned. */
PUNICODE_STRING WdfFileObjectGetFileName(WDFFILEOBJECT FileObject);

/* Linux process id of the process that opened the handle (for a kernel-mode client, 0). */
ULONG WdfFileObjectGetInitiatorProcessId(WDFFILEOBJECT FileObject);

#ifdef _KERNEL_MODE
/* The WDM file object behind a WDF one (in-host drivers only). */
PFILE_OBJECT WdfFileObjectWdmGetFileObject(WDFFILEOBJECT FileObject);
#endif

UMNIC_EXTERN_C_END

#endif
