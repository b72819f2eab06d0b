/* SPDX-License-Identifier: MIT */
/*
 * I/O targets: where a driver sends requests. Every device has a default
 * target (WdfDeviceGetIoTarget); remote targets opened by name reach other
 * devices through umnicd, with the same access checks as a client open.
 */
#ifndef UMNIC_WDFIOTARGET_H
#define UMNIC_WDFIOTARGET_H

#include <wdfmemory.h>
#include <wdfobject.h>
#include <wdfrequest.h>

UMNIC_EXTERN_C_BEGIN

typedef enum _WDF_IO_TARGET_OPEN_TYPE {
	WdfIoTargetOpenUndefined = 0,
	/* A device object the caller already has (in-host drivers). */
	WdfIoTargetOpenUseExistingDevice = 1,
	/* A device by name (symbolic link or interface path). */
	WdfIoTargetOpenByName = 2,
	/* Reopen a target closed for query-remove, with its previous parameters. */
	WdfIoTargetOpenReopen = 3,
	/* User-mode drivers: the local stack, through a file name. */
	WdfIoTargetOpenLocalTargetByFile = 4,
} WDF_IO_TARGET_OPEN_TYPE;

typedef enum _WDF_IO_TARGET_STATE {
	WdfIoTargetStateUndefined = 0,
	WdfIoTargetStarted,
	WdfIoTargetStopped,
	WdfIoTargetClosedForQueryRemove,
	WdfIoTargetClosed,
	WdfIoTargetDeleted,
} WDF_IO_TARGET_STATE, *PWDF_IO_TARGET_STATE;

/* What WdfIoTargetStop does with requests already sent. */
typedef enum _WDF_IO_TARGET_SENT_IO_ACTION {
	WdfIoTargetSentIoUndefined = 0,
	WdfIoTargetCancelSentIo,
	WdfIoTargetWaitForSentIoToComplete,
	WdfIoTargetLeaveSentIoPending,
} WDF_IO_TARGET_SENT_IO_ACTION;

typedef NTSTATUS EVT_WDF_IO_TARGET_QUERY_REMOVE(WDFIOTARGET IoTarget);
typedef EVT_WDF_IO_TARGET_QUERY_REMOVE *PFN_WDF_IO_TARGET_QUERY_REMOVE;

typedef VOID EVT_WDF_IO_TARGET_REMOVE_CANCELED(WDFIOTARGET IoTarget);
typedef EVT_WDF_IO_TARGET_REMOVE_CANCELED *PFN_WDF_IO_TARGET_REMOVE_CANCELED;

typedef VOID EVT_WDF_IO_TARGET_REMOVE_COMPLETE(WDFIOTARGET IoTarget);
typedef EVT_WDF_IO_TARGET_REMOVE_COMPLETE *PFN_WDF_IO_TARGET_REMOVE_COMPLETE;

#ifndef FILE_SHARE_READ
#define FILE_SHARE_READ 0x00000001
#define FILE_SHARE_WRITE 0x00000002
#define FILE_SHARE_DELETE 0x00000004
#endif
#ifndef FILE_OPEN
#define FILE_SUPERSEDE 0x00000000
#define FILE_OPEN 0x00000001
#define FILE_CREATE 0x00000002
#define FILE_OPEN_IF 0x00000003
#endif
#ifndef FILE_NON_DIRECTORY_FILE
#define FILE_NON_DIRECTORY_FILE 0x00000040
#endif
#ifndef FILE_ATTRIBUTE_NORMAL
#define FILE_ATTRIBUTE_NORMAL 0x00000080
#endif

typedef struct _WDF_IO_TARGET_OPEN_PARAMS {
	ULONG Size;
	WDF_IO_TARGET_OPEN_TYPE Type;
	PFN_WDF_IO_TARGET_QUERY_REMOVE EvtIoTargetQueryRemove;
	PFN_WDF_IO_TARGET_REMOVE_CANCELED EvtIoTargetRemoveCanceled;
	PFN_WDF_IO_TARGET_REMOVE_COMPLETE EvtIoTargetRemoveComplete;

	/* WdfIoTargetOpenUseExistingDevice */
	PDEVICE_OBJECT TargetDeviceObject;
	PFILE_OBJECT TargetFileObject;

	/* WdfIoTargetOpenByName */
	UNICODE_STRING TargetDeviceName;
	/* Access bits checked like a client's open (FILE_READ_DATA, GENERIC_WRITE, ...). */
	ACCESS_MASK DesiredAccess;
	ULONG ShareAccess;
	ULONG FileAttributes;
	ULONG CreateDisposition;
	ULONG CreateOptions;
	PVOID EaBuffer;
	ULONG EaBufferLength;
	PLONGLONG AllocationSize;
	/* Output: how the open was satisfied. */
	ULONG FileInformation;

	/* WdfIoTargetOpenLocalTargetByFile */
	UNICODE_STRING FileName;
} WDF_IO_TARGET_OPEN_PARAMS, *PWDF_IO_TARGET_OPEN_PARAMS;

FORCEINLINE VOID WDF_IO_TARGET_OPEN_PARAMS_INIT_EXISTING_DEVICE(PWDF_IO_TARGET_OPEN_PARAMS Params,
								PDEVICE_OBJECT DeviceObject)
{
	memset(Params, 0, sizeof(*Params));
	Params->Size = sizeof(*Params);
	Params->Type = WdfIoTargetOpenUseExistingDevice;
	Params->TargetDeviceObject = DeviceObject;
}

/* Opens an existing device by name; TargetDeviceName's buffer must outlive the open call. */
FORCEINLINE VOID WDF_IO_TARGET_OPEN_PARAMS_INIT_OPEN_BY_NAME(PWDF_IO_TARGET_OPEN_PARAMS Params,
							     PCUNICODE_STRING TargetDeviceName,
							     ACCESS_MASK DesiredAccess)
{
	memset(Params, 0, sizeof(*Params));
	Params->Size = sizeof(*Params);
	Params->Type = WdfIoTargetOpenByName;
	Params->TargetDeviceName = *TargetDeviceName;
	Params->DesiredAccess = DesiredAccess;
	Params->CreateDisposition = FILE_OPEN;
	Params->CreateOptions = FILE_NON_DIRECTORY_FILE;
}

/* As OPEN_BY_NAME, but creating the file if it does not exist. */
FORCEINLINE VOID WDF_IO_TARGET_OPEN_PARAMS_INIT_CREATE_BY_NAME(PWDF_IO_TARGET_OPEN_PARAMS Params,
							       PCUNICODE_STRING TargetDeviceName,
							       ACCESS_MASK DesiredAccess)
{
	WDF_IO_TARGET_OPEN_PARAMS_INIT_OPEN_BY_NAME(Params, TargetDeviceName, DesiredAccess);
	Params->CreateDisposition = FILE_OPEN_IF;
}

FORCEINLINE VOID WDF_IO_TARGET_OPEN_PARAMS_INIT_REOPEN(PWDF_IO_TARGET_OPEN_PARAMS Params)
{
	memset(Params, 0, sizeof(*Params));
	Params->Size = sizeof(*Params);
	Params->Type = WdfIoTargetOpenReopen;
}

FORCEINLINE VOID
WDF_IO_TARGET_OPEN_PARAMS_INIT_OPEN_LOCAL_TARGET_BY_FILE(PWDF_IO_TARGET_OPEN_PARAMS Params,
							 PCUNICODE_STRING FileName)
{
	memset(Params, 0, sizeof(*Params));
	Params->Size = sizeof(*Params);
	Params->Type = WdfIoTargetOpenLocalTargetByFile;
	if (FileName)
		Params->FileName = *FileName;
}

/* A closed target of Device; open it with WdfIoTargetOpen. */
NTSTATUS WdfIoTargetCreate(WDFDEVICE Device, PWDF_OBJECT_ATTRIBUTES IoTargetAttributes,
			   WDFIOTARGET *IoTarget);

/*
 * Opens the target and starts it. STATUS_INVALID_PARAMETER,
 * STATUS_OBJECT_NAME_NOT_FOUND (no such device), STATUS_ACCESS_DENIED,
 * STATUS_INVALID_DEVICE_STATE (already open), STATUS_NOT_SUPPORTED (an open
 * type this mode does not have).
 */
NTSTATUS WdfIoTargetOpen(WDFIOTARGET IoTarget, PWDF_IO_TARGET_OPEN_PARAMS OpenParams);

VOID WdfIoTargetCloseForQueryRemove(WDFIOTARGET IoTarget);

/* Cancels what was sent, waits for it, then closes the handle. */
VOID WdfIoTargetClose(WDFIOTARGET IoTarget);

NTSTATUS WdfIoTargetStart(WDFIOTARGET IoTarget);
VOID WdfIoTargetStop(WDFIOTARGET IoTarget, WDF_IO_TARGET_SENT_IO_ACTION Action);
WDF_IO_TARGET_STATE WdfIoTargetGetState(WDFIOTARGET IoTarget);
WDFDEVICE WdfIoTargetGetDevice(WDFIOTARGET IoTarget);

/*
 * Synchronous sends. Request may be NULL (the framework uses a private one).
 * They return the request's completion status (STATUS_IO_TIMEOUT when the
 * send options' time-out expired) and, when the pointer is not NULL, the
 * number of bytes the target reported. Call at PASSIVE_LEVEL.
 */
NTSTATUS WdfIoTargetSendReadSynchronously(WDFIOTARGET IoTarget, WDFREQUEST Request,
					  PWDF_MEMORY_DESCRIPTOR OutputBuffer,
					  PLONGLONG DeviceOffset,
					  PWDF_REQUEST_SEND_OPTIONS RequestOptions,
					  PULONG_PTR BytesRead);

NTSTATUS WdfIoTargetSendWriteSynchronously(WDFIOTARGET IoTarget, WDFREQUEST Request,
					   PWDF_MEMORY_DESCRIPTOR InputBuffer,
					   PLONGLONG DeviceOffset,
					   PWDF_REQUEST_SEND_OPTIONS RequestOptions,
					   PULONG_PTR BytesWritten);

NTSTATUS WdfIoTargetSendIoctlSynchronously(WDFIOTARGET IoTarget, WDFREQUEST Request,
					   ULONG IoctlCode, PWDF_MEMORY_DESCRIPTOR InputBuffer,
					   PWDF_MEMORY_DESCRIPTOR OutputBuffer,
					   PWDF_REQUEST_SEND_OPTIONS RequestOptions,
					   PULONG_PTR BytesReturned);

/*
 * Prepare Request for WdfRequestSend. The memory objects (NULL: none) and
 * their offsets (NULL: whole buffer) must stay valid until completion.
 */
NTSTATUS WdfIoTargetFormatRequestForRead(WDFIOTARGET IoTarget, WDFREQUEST Request,
					 WDFMEMORY OutputBuffer,
					 PWDFMEMORY_OFFSET OutputBufferOffset,
					 PLONGLONG DeviceOffset);

NTSTATUS WdfIoTargetFormatRequestForWrite(WDFIOTARGET IoTarget, WDFREQUEST Request,
					  WDFMEMORY InputBuffer,
					  PWDFMEMORY_OFFSET InputBufferOffset,
					  PLONGLONG DeviceOffset);

NTSTATUS WdfIoTargetFormatRequestForIoctl(WDFIOTARGET IoTarget, WDFREQUEST Request,
					  ULONG IoctlCode, WDFMEMORY InputBuffer,
					  PWDFMEMORY_OFFSET InputBufferOffset,
					  WDFMEMORY OutputBuffer,
					  PWDFMEMORY_OFFSET OutputBufferOffset);

#ifdef _KERNEL_MODE
/* IRP_MJ_INTERNAL_DEVICE_CONTROL exists only between in-host drivers. */
NTSTATUS WdfIoTargetSendInternalIoctlSynchronously(WDFIOTARGET IoTarget, WDFREQUEST Request,
						   ULONG IoctlCode,
						   PWDF_MEMORY_DESCRIPTOR InputBuffer,
						   PWDF_MEMORY_DESCRIPTOR OutputBuffer,
						   PWDF_REQUEST_SEND_OPTIONS RequestOptions,
						   PULONG_PTR BytesReturned);

NTSTATUS WdfIoTargetFormatRequestForInternalIoctl(WDFIOTARGET IoTarget, WDFREQUEST Request,
						  ULONG IoctlCode, WDFMEMORY InputBuffer,
						  PWDFMEMORY_OFFSET InputBufferOffset,
						  WDFMEMORY OutputBuffer,
						  PWDFMEMORY_OFFSET OutputBufferOffset);
#endif

UMNIC_EXTERN_C_END

#endif
