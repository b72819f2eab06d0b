/* SPDX-License-Identifier: MIT */
/*
 * WDF handle types and the small enums every wdf*.h and NetAdapterCx header
 * needs. Handles are pointers to distinct incomplete structs so the compiler
 * catches a WDFQUEUE passed where a WDFDEVICE is expected.
 */
#ifndef UMNIC_WDFTYPES_H
#define UMNIC_WDFTYPES_H

#include <ntdef.h>
#include <ntstatus.h>

UMNIC_EXTERN_C_BEGIN

#define WDF_DECLARE_HANDLE(name) typedef struct name##__ *name

/*
 * The generic handle is untyped on purpose: WdfObjectDelete(device) and a
 * context accessor called with a WDFQUEUE must compile in C without a cast,
 * as they do with the WDK.
 */
typedef HANDLE WDFOBJECT;
typedef WDFOBJECT *PWDFOBJECT;

/* Driver-supplied pointer handed back unchanged to a callback. */
typedef PVOID WDFCONTEXT;
WDF_DECLARE_HANDLE(WDFDRIVER);
WDF_DECLARE_HANDLE(WDFDEVICE);
WDF_DECLARE_HANDLE(WDFQUEUE);
WDF_DECLARE_HANDLE(WDFREQUEST);
WDF_DECLARE_HANDLE(WDFFILEOBJECT);
WDF_DECLARE_HANDLE(WDFMEMORY);
WDF_DECLARE_HANDLE(WDFKEY);
WDF_DECLARE_HANDLE(WDFSTRING);
WDF_DECLARE_HANDLE(WDFSPINLOCK);
WDF_DECLARE_HANDLE(WDFWAITLOCK);
WDF_DECLARE_HANDLE(WDFTIMER);
WDF_DECLARE_HANDLE(WDFWORKITEM);
WDF_DECLARE_HANDLE(WDFCOLLECTION);
WDF_DECLARE_HANDLE(WDFIOTARGET);
WDF_DECLARE_HANDLE(WDFCMRESLIST);
WDF_DECLARE_HANDLE(WDFINTERRUPT);
WDF_DECLARE_HANDLE(WDFDMAENABLER);
WDF_DECLARE_HANDLE(WDFCOMMONBUFFER);
WDF_DECLARE_HANDLE(WDFDMATRANSACTION);
WDF_DECLARE_HANDLE(WDFDPC);
WDF_DECLARE_HANDLE(WDFLOOKASIDE);

typedef struct WDFDEVICE_INIT WDFDEVICE_INIT, *PWDFDEVICE_INIT;

/*
 * Object attributes are passed to nearly every create function, including the
 * NetAdapterCx ones, so the name is available here; wdfobject.h has the body.
 */
typedef struct _WDF_OBJECT_ATTRIBUTES WDF_OBJECT_ATTRIBUTES, *PWDF_OBJECT_ATTRIBUTES;
typedef struct _WDF_OBJECT_CONTEXT_TYPE_INFO WDF_OBJECT_CONTEXT_TYPE_INFO,
	*PWDF_OBJECT_CONTEXT_TYPE_INFO;
typedef const WDF_OBJECT_CONTEXT_TYPE_INFO *PCWDF_OBJECT_CONTEXT_TYPE_INFO;

/* The DRIVER_OBJECT passed to DriverEntry; opaque to drivers. */
typedef struct _DRIVER_OBJECT DRIVER_OBJECT, *PDRIVER_OBJECT;
typedef struct _DEVICE_OBJECT DEVICE_OBJECT, *PDEVICE_OBJECT;
/* WDM objects that only appear as opaque pointers in a few structs and KMDF accessors. */
typedef struct _FILE_OBJECT FILE_OBJECT, *PFILE_OBJECT;
typedef struct _IRP IRP, *PIRP;
typedef struct _MDL MDL, *PMDL;

/*
 * How the framework describes a request's buffers to the driver. Lives here
 * rather than in wdfdevice.h so wdfrequest.h does not need the device header.
 */
typedef enum _WDF_DEVICE_IO_TYPE {
	WdfDeviceIoUndefined = 0,
	WdfDeviceIoNeither = 1,
	WdfDeviceIoBuffered = 2,
	WdfDeviceIoDirect = 3,
	WdfDeviceIoBufferedOrDirect = 4,
	WdfDeviceIoMaximum,
} WDF_DEVICE_IO_TYPE, *PWDF_DEVICE_IO_TYPE;

typedef enum _WDF_TRI_STATE {
	WdfFalse = FALSE,
	WdfTrue = TRUE,
	WdfUseDefault = 2,
} WDF_TRI_STATE, *PWDF_TRI_STATE;

typedef NTSTATUS DRIVER_INITIALIZE(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath);
typedef DRIVER_INITIALIZE *PDRIVER_INITIALIZE;

/* Every driver package exports this symbol (the loader looks it up by name). */
DRIVER_INITIALIZE DriverEntry;

#define WDF_NO_OBJECT_ATTRIBUTES NULL
#define WDF_NO_EVENT_CALLBACK NULL
#define WDF_NO_HANDLE NULL
#define WDF_NO_CONTEXT NULL
#define WDF_NO_SEND_OPTIONS NULL

#define WDFAPI
#define EVT_DISPATCH

/*
 * Where kernel memory would come from (WdfMemoryCreate, ExAllocatePool*,
 * NetConfigurationQueryBinary). umnic allocates all of them from the
 * process heap, never executable; the values are kept for source compatibility.
 */
typedef enum _POOL_TYPE {
	NonPagedPool = 0,
	NonPagedPoolExecute = NonPagedPool,
	PagedPool = 1,
	NonPagedPoolMustSucceed = 2,
	NonPagedPoolCacheAligned = 4,
	PagedPoolCacheAligned = 5,
	NonPagedPoolNx = 512,
	NonPagedPoolNxCacheAligned = NonPagedPoolNx + 4,
} POOL_TYPE;

UMNIC_EXTERN_C_END

#endif
