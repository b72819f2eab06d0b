/* SPDX-License-Identifier: MIT */
/*
 * Requests: I/O the framework presents to the driver's queues, and requests
 * the driver creates to send to an I/O target.
 *
 * A request delivered to the driver belongs to it until it is completed,
 * forwarded or requeued. To let a long-held request be cancelled, mark it
 * cancelable and unmark it before completing it.
 */
#ifndef UMNIC_WDFREQUEST_H
#define UMNIC_WDFREQUEST_H

#include <wdfcore.h>
#include <wdfmemory.h>
#include <wdfobject.h>

UMNIC_EXTERN_C_BEGIN

/* The kind of request; the values are the IRP major function numbers. */
typedef enum _WDF_REQUEST_TYPE {
	WdfRequestTypeCreate = 0x00,
	WdfRequestTypeCreateNamedPipe = 0x01,
	WdfRequestTypeClose = 0x02,
	WdfRequestTypeRead = 0x03,
	WdfRequestTypeWrite = 0x04,
	WdfRequestTypeQueryInformation = 0x05,
	WdfRequestTypeSetInformation = 0x06,
	WdfRequestTypeQueryEA = 0x07,
	WdfRequestTypeSetEA = 0x08,
	WdfRequestTypeFlushBuffers = 0x09,
	WdfRequestTypeQueryVolumeInformation = 0x0A,
	WdfRequestTypeSetVolumeInformation = 0x0B,
	WdfRequestTypeDirectoryControl = 0x0C,
	WdfRequestTypeFileSystemControl = 0x0D,
	WdfRequestTypeDeviceControl = 0x0E,
	WdfRequestTypeDeviceControlInternal = 0x0F,
	WdfRequestTypeShutdown = 0x10,
	WdfRequestTypeLockControl = 0x11,
	WdfRequestTypeCleanup = 0x12,
	WdfRequestTypeCreateMailSlot = 0x13,
	WdfRequestTypeQuerySecurity = 0x14,
	WdfRequestTypeSetSecurity = 0x15,
	WdfRequestTypePower = 0x16,
	WdfRequestTypeSystemControl = 0x17,
	WdfRequestTypeDeviceChange = 0x18,
	WdfRequestTypeQueryQuota = 0x19,
	WdfRequestTypeSetQuota = 0x1A,
	WdfRequestTypePnp = 0x1B,
	WdfRequestTypeOther = 0x1C,
	WdfRequestTypeUsb = 0x40,
	WdfRequestTypeNoFormat = 0xFF,
	WdfRequestTypeMax,
} WDF_REQUEST_TYPE;

/* Why EvtIoStop is called (bit flags). */
typedef enum _WDF_REQUEST_STOP_ACTION_FLAGS {
	WdfRequestStopActionInvalid = 0,
	/* The device is leaving D0; the request may be kept and resumed. */
	WdfRequestStopActionSuspend = 0x01,
	/* The device is going away; the request must be completed or cancelled. */
	WdfRequestStopActionPurge = 0x02,
	/* The driver had marked the request cancelable. */
	WdfRequestStopRequestCancelable = 0x10000000,
} WDF_REQUEST_STOP_ACTION_FLAGS;

/* Opaque: only appears as a pointer in create parameters. */
typedef struct _IO_SECURITY_CONTEXT IO_SECURITY_CONTEXT, *PIO_SECURITY_CONTEXT;

typedef struct _WDF_REQUEST_PARAMETERS {
	USHORT Size;
	UCHAR MinorFunction;
	WDF_REQUEST_TYPE Type;
	union {
		struct {
			PIO_SECURITY_CONTEXT SecurityContext;
			ULONG Options;
			USHORT FileAttributes;
			USHORT ShareAccess;
			ULONG EaLength;
		} Create;
		struct {
			size_t Length;
			ULONG Key;
			LONGLONG DeviceOffset;
		} Read;
		struct {
			size_t Length;
			ULONG Key;
			LONGLONG DeviceOffset;
		} Write;
		struct {
			size_t OutputBufferLength;
			size_t InputBufferLength;
			ULONG IoControlCode;
			/* METHOD_NEITHER: the caller's pointer, not usable here. */
			PVOID Type3InputBuffer;
		} DeviceIoControl;
		struct {
			PVOID Arg1;
			PVOID Arg2;
			ULONG IoControlCode;
			PVOID Arg4;
		} Others;
	} Parameters;
} WDF_REQUEST_PARAMETERS, *PWDF_REQUEST_PARAMETERS;

FORCEINLINE VOID WDF_REQUEST_PARAMETERS_INIT(PWDF_REQUEST_PARAMETERS Parameters)
{
	memset(Parameters, 0, sizeof(*Parameters));
	Parameters->Size = sizeof(*Parameters);
}

/* What a sent request came back with, as seen by its completion routine. */
typedef struct _WDF_REQUEST_COMPLETION_PARAMS {
	ULONG Size;
	WDF_REQUEST_TYPE Type;
	IO_STATUS_BLOCK IoStatus;
	union {
		struct {
			WDFMEMORY Buffer;
			size_t Length;
			size_t Offset;
		} Write;
		struct {
			WDFMEMORY Buffer;
			size_t Length;
			size_t Offset;
		} Read;
		struct {
			ULONG IoControlCode;
			struct {
				WDFMEMORY Buffer;
				size_t Offset;
			} Input;
			struct {
				WDFMEMORY Buffer;
				size_t Offset;
				size_t Length;
			} Output;
		} Ioctl;
		struct {
			union {
				PVOID Ptr;
				ULONG_PTR Value;
			} Argument1;
			union {
				PVOID Ptr;
				ULONG_PTR Value;
			} Argument2;
			union {
				PVOID Ptr;
				ULONG_PTR Value;
			} Argument3;
			union {
				PVOID Ptr;
				ULONG_PTR Value;
			} Argument4;
		} Others;
	} Parameters;
} WDF_REQUEST_COMPLETION_PARAMS, *PWDF_REQUEST_COMPLETION_PARAMS;

FORCEINLINE VOID WDF_REQUEST_COMPLETION_PARAMS_INIT(PWDF_REQUEST_COMPLETION_PARAMS Params)
{
	memset(Params, 0, sizeof(*Params));
	Params->Size = sizeof(*Params);
	Params->Type = WdfRequestTypeNoFormat;
}

/* Flags of WDF_REQUEST_REUSE_PARAMS. */
typedef enum _WDF_REQUEST_REUSE_FLAGS {
	WDF_REQUEST_REUSE_NO_FLAGS = 0x00000000,
	WDF_REQUEST_REUSE_SET_NEW_IRP = 0x00000001,
} WDF_REQUEST_REUSE_FLAGS;

typedef struct _WDF_REQUEST_REUSE_PARAMS {
	ULONG Size;
	ULONG Flags;
	/* Status the request reports until it is sent again. */
	NTSTATUS Status;
	/* In-host drivers only, with WDF_REQUEST_REUSE_SET_NEW_IRP. */
	PIRP NewIrp;
} WDF_REQUEST_REUSE_PARAMS, *PWDF_REQUEST_REUSE_PARAMS;

FORCEINLINE VOID WDF_REQUEST_REUSE_PARAMS_INIT(PWDF_REQUEST_REUSE_PARAMS Params, ULONG Flags,
					       NTSTATUS Status)
{
	memset(Params, 0, sizeof(*Params));
	Params->Size = sizeof(*Params);
	Params->Flags = Flags;
	Params->Status = Status;
}

#ifdef _KERNEL_MODE
FORCEINLINE VOID WDF_REQUEST_REUSE_PARAMS_SET_NEW_IRP(PWDF_REQUEST_REUSE_PARAMS Params, PIRP NewIrp)
{
	Params->Flags |= WDF_REQUEST_REUSE_SET_NEW_IRP;
	Params->NewIrp = NewIrp;
}
#endif

/* Flags of WDF_REQUEST_SEND_OPTIONS. */
typedef enum _WDF_REQUEST_SEND_OPTIONS_FLAGS {
	/* Timeout is valid. */
	WDF_REQUEST_SEND_OPTION_TIMEOUT = 0x00000001,
	/* Wait for completion (implied by the ...Synchronously sends). */
	WDF_REQUEST_SEND_OPTION_SYNCHRONOUS = 0x00000002,
	/* Send even if the target is stopped. */
	WDF_REQUEST_SEND_OPTION_IGNORE_TARGET_STATE = 0x00000004,
	/* Do not track the request; no completion routine runs. */
	WDF_REQUEST_SEND_OPTION_SEND_AND_FORGET = 0x00000008,
	/* User-mode drivers: impersonate the client while the target handles it. */
	WDF_REQUEST_SEND_OPTION_IMPERSONATE_CLIENT = 0x00010000,
	WDF_REQUEST_SEND_OPTION_IMPERSONATION_IGNORE_FAILURE = 0x00020000,
} WDF_REQUEST_SEND_OPTIONS_FLAGS;

typedef struct _WDF_REQUEST_SEND_OPTIONS {
	ULONG Size;
	ULONG Flags;
	/* WDF time value (see wdfcore.h); used with WDF_REQUEST_SEND_OPTION_TIMEOUT. */
	LONGLONG Timeout;
} WDF_REQUEST_SEND_OPTIONS, *PWDF_REQUEST_SEND_OPTIONS;

FORCEINLINE VOID WDF_REQUEST_SEND_OPTIONS_INIT(PWDF_REQUEST_SEND_OPTIONS Options, ULONG Flags)
{
	memset(Options, 0, sizeof(*Options));
	Options->Size = sizeof(*Options);
	Options->Flags = Flags;
}

FORCEINLINE VOID WDF_REQUEST_SEND_OPTIONS_SET_TIMEOUT(PWDF_REQUEST_SEND_OPTIONS Options,
						      LONGLONG Timeout)
{
	Options->Flags |= WDF_REQUEST_SEND_OPTION_TIMEOUT;
	Options->Timeout = Timeout;
}

typedef VOID EVT_WDF_REQUEST_CANCEL(WDFREQUEST Request);
typedef EVT_WDF_REQUEST_CANCEL *PFN_WDF_REQUEST_CANCEL;

typedef VOID EVT_WDF_REQUEST_COMPLETION_ROUTINE(WDFREQUEST Request, WDFIOTARGET Target,
						PWDF_REQUEST_COMPLETION_PARAMS Params,
						WDFCONTEXT Context);
typedef EVT_WDF_REQUEST_COMPLETION_ROUTINE *PFN_WDF_REQUEST_COMPLETION_ROUTINE;

/* Driver-created requests. */

/* A request the driver sends to IoTarget (NULL: the device's default target). */
NTSTATUS WdfRequestCreate(PWDF_OBJECT_ATTRIBUTES RequestAttributes, WDFIOTARGET IoTarget,
			  WDFREQUEST *Request);
NTSTATUS WdfRequestReuse(WDFREQUEST Request, PWDF_REQUEST_REUSE_PARAMS ReuseParams);

/*
 * Sends a formatted request. FALSE if it could not be sent; WdfRequestGetStatus
 * then says why. With the synchronous option it returns after completion.
 */
BOOLEAN WdfRequestSend(WDFREQUEST Request, WDFIOTARGET Target, PWDF_REQUEST_SEND_OPTIONS Options);
VOID WdfRequestSetCompletionRoutine(WDFREQUEST Request,
				    PFN_WDF_REQUEST_COMPLETION_ROUTINE CompletionRoutine,
				    WDFCONTEXT CompletionContext);

/* Prepares a received request to be passed on unchanged to the next target. */
VOID WdfRequestFormatRequestUsingCurrentType(WDFREQUEST Request);

/* Asks the target to cancel a sent request; TRUE if the cancel was delivered. */
BOOLEAN WdfRequestCancelSentRequest(WDFREQUEST Request);
VOID WdfRequestGetCompletionParams(WDFREQUEST Request, PWDF_REQUEST_COMPLETION_PARAMS Params);

/* Completion and status. */

VOID WdfRequestComplete(WDFREQUEST Request, NTSTATUS Status);
VOID WdfRequestCompleteWithInformation(WDFREQUEST Request, NTSTATUS Status,
				       ULONG_PTR Information);
VOID WdfRequestSetInformation(WDFREQUEST Request, ULONG_PTR Information);
ULONG_PTR WdfRequestGetInformation(WDFREQUEST Request);
NTSTATUS WdfRequestGetStatus(WDFREQUEST Request);
VOID WdfRequestGetParameters(WDFREQUEST Request, PWDF_REQUEST_PARAMETERS Parameters);

/* Buffers. */

/*
 * The request's input (output) buffer and its length. STATUS_BUFFER_TOO_SMALL
 * if it is shorter than MinimumRequiredLength, STATUS_INVALID_DEVICE_REQUEST if
 * the request has no such buffer. Length may be NULL.
 */
NTSTATUS WdfRequestRetrieveInputBuffer(WDFREQUEST Request, size_t MinimumRequiredLength,
				       PVOID *Buffer, size_t *Length);
NTSTATUS WdfRequestRetrieveOutputBuffer(WDFREQUEST Request, size_t MinimumRequiredLength,
					PVOID *Buffer, size_t *Length);

/* The same buffers as memory objects owned by the request (input is read-only). */
NTSTATUS WdfRequestRetrieveInputMemory(WDFREQUEST Request, WDFMEMORY *Memory);
NTSTATUS WdfRequestRetrieveOutputMemory(WDFREQUEST Request, WDFMEMORY *Memory);

/* Queues and cancellation. */

NTSTATUS WdfRequestForwardToIoQueue(WDFREQUEST Request, WDFQUEUE DestinationQueue);

/* Puts the request back at the head of the queue it came from (manual queues). */
NTSTATUS WdfRequestRequeue(WDFREQUEST Request);

VOID WdfRequestMarkCancelable(WDFREQUEST Request, PFN_WDF_REQUEST_CANCEL EvtRequestCancel);

/*
 * Like WdfRequestMarkCancelable, but STATUS_CANCELLED (callback not called) if
 * the request was already cancelled; the driver must then complete it.
 */
NTSTATUS WdfRequestMarkCancelableEx(WDFREQUEST Request, PFN_WDF_REQUEST_CANCEL EvtRequestCancel);

/* STATUS_CANCELLED if the cancel callback has run or is about to: do not complete then. */
NTSTATUS WdfRequestUnmarkCancelable(WDFREQUEST Request);
BOOLEAN WdfRequestIsCanceled(WDFREQUEST Request);

/* Answers EvtIoStop: Requeue TRUE gives the request back to the queue. */
VOID WdfRequestStopAcknowledge(WDFREQUEST Request, BOOLEAN Requeue);

/* Origin. */

WDFFILEOBJECT WdfRequestGetFileObject(WDFREQUEST Request);
WDFQUEUE WdfRequestGetIoQueue(WDFREQUEST Request);

/* KernelMode for requests from in-host drivers and umnicd, UserMode otherwise. */
KPROCESSOR_MODE WdfRequestGetRequestorMode(WDFREQUEST Request);

/* Linux process id of the requestor (0 if it is not a process, e.g. umnicd itself). */
ULONG WdfRequestGetRequestorProcessId(WDFREQUEST Request);

/* TRUE when the requestor is another user-mode driver (meaningful for UserMode requests). */
BOOLEAN WdfRequestIsFromUserModeDriver(WDFREQUEST Request);

/* How this request's buffers were actually delivered (buffered or direct). */
WDF_DEVICE_IO_TYPE WdfRequestGetEffectiveIoType(WDFREQUEST Request);

#ifdef _KERNEL_MODE
/* The WDM IRP behind a request (in-host drivers only). */
PIRP WdfRequestWdmGetIrp(WDFREQUEST Request);
#endif

UMNIC_EXTERN_C_END

#endif
