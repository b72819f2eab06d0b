/* SPDX-License-Identifier: MIT */
/*
 * I/O queues: how requests reach the driver.
 *
 * Sequential queues present one request at a time and the next only after
 * the driver completed, requeued or forwarded the previous one. Parallel
 * queues present requests as they arrive (up to NumberOfPresentedRequests in
 * flight). Manual queues present nothing: the driver pulls requests with
 * WdfIoQueueRetrieve*. Requests still in a queue belong to the framework,
 * which cancels them (STATUS_CANCELLED) when the client cancels or goes away.
 */
#ifndef UMNIC_WDFIO_H
#define UMNIC_WDFIO_H

#include <wdfobject.h>
#include <wdfrequest.h>

UMNIC_EXTERN_C_BEGIN

typedef enum _WDF_IO_QUEUE_DISPATCH_TYPE {
	WdfIoQueueDispatchInvalid = 0,
	WdfIoQueueDispatchSequential,
	WdfIoQueueDispatchParallel,
	WdfIoQueueDispatchManual,
	WdfIoQueueDispatchMax,
} WDF_IO_QUEUE_DISPATCH_TYPE;

/* Queue state bits returned by WdfIoQueueGetState. */
typedef enum _WDF_IO_QUEUE_STATE {
	/* New requests are accepted (otherwise they fail). */
	WdfIoQueueAcceptRequests = 0x01,
	/* Queued requests are being presented to the driver. */
	WdfIoQueueDispatchRequests = 0x02,
	/* No request waits in the queue. */
	WdfIoQueueNoRequests = 0x04,
	/* The driver holds no request that came from this queue. */
	WdfIoQueueDriverNoRequests = 0x08,
	/* The framework is holding the queue for a PnP or power transition. */
	WdfIoQueuePnpHeld = 0x10,
} WDF_IO_QUEUE_STATE;

/* Nothing queued and nothing with the driver. */
FORCEINLINE BOOLEAN WDF_IO_QUEUE_IDLE(WDF_IO_QUEUE_STATE State)
{
	const ULONG both = WdfIoQueueNoRequests | WdfIoQueueDriverNoRequests;

	return ((ULONG)State & both) == both;
}

/* Accepting and presenting requests. */
FORCEINLINE BOOLEAN WDF_IO_QUEUE_READY(WDF_IO_QUEUE_STATE State)
{
	const ULONG both = WdfIoQueueAcceptRequests | WdfIoQueueDispatchRequests;

	return ((ULONG)State & both) == both;
}

/* Accepting but not presenting, and the driver holds none of its requests. */
FORCEINLINE BOOLEAN WDF_IO_QUEUE_STOPPED(WDF_IO_QUEUE_STATE State)
{
	const ULONG mask = WdfIoQueueAcceptRequests | WdfIoQueueDispatchRequests |
			   WdfIoQueueDriverNoRequests;

	return ((ULONG)State & mask) == (WdfIoQueueAcceptRequests | WdfIoQueueDriverNoRequests);
}

/* Not accepting, and every request is gone (completed by the driver). */
FORCEINLINE BOOLEAN WDF_IO_QUEUE_DRAINED(WDF_IO_QUEUE_STATE State)
{
	const ULONG mask = WdfIoQueueAcceptRequests | WdfIoQueueNoRequests |
			   WdfIoQueueDriverNoRequests;

	return ((ULONG)State & mask) == (WdfIoQueueNoRequests | WdfIoQueueDriverNoRequests);
}

/* Not accepting, and every request is gone (cancelled). Looks the same as drained. */
FORCEINLINE BOOLEAN WDF_IO_QUEUE_PURGED(WDF_IO_QUEUE_STATE State)
{
	return WDF_IO_QUEUE_DRAINED(State);
}

typedef VOID EVT_WDF_IO_QUEUE_IO_DEFAULT(WDFQUEUE Queue, WDFREQUEST Request);
typedef EVT_WDF_IO_QUEUE_IO_DEFAULT *PFN_WDF_IO_QUEUE_IO_DEFAULT;

typedef VOID EVT_WDF_IO_QUEUE_IO_READ(WDFQUEUE Queue, WDFREQUEST Request, size_t Length);
typedef EVT_WDF_IO_QUEUE_IO_READ *PFN_WDF_IO_QUEUE_IO_READ;

typedef VOID EVT_WDF_IO_QUEUE_IO_WRITE(WDFQUEUE Queue, WDFREQUEST Request, size_t Length);
typedef EVT_WDF_IO_QUEUE_IO_WRITE *PFN_WDF_IO_QUEUE_IO_WRITE;

typedef VOID EVT_WDF_IO_QUEUE_IO_DEVICE_CONTROL(WDFQUEUE Queue, WDFREQUEST Request,
						size_t OutputBufferLength,
						size_t InputBufferLength, ULONG IoControlCode);
typedef EVT_WDF_IO_QUEUE_IO_DEVICE_CONTROL *PFN_WDF_IO_QUEUE_IO_DEVICE_CONTROL;

typedef VOID EVT_WDF_IO_QUEUE_IO_INTERNAL_DEVICE_CONTROL(WDFQUEUE Queue, WDFREQUEST Request,
							 size_t OutputBufferLength,
							 size_t InputBufferLength,
							 ULONG IoControlCode);
typedef EVT_WDF_IO_QUEUE_IO_INTERNAL_DEVICE_CONTROL *PFN_WDF_IO_QUEUE_IO_INTERNAL_DEVICE_CONTROL;

/* ActionFlags: WDF_REQUEST_STOP_ACTION_FLAGS bits. */
typedef VOID EVT_WDF_IO_QUEUE_IO_STOP(WDFQUEUE Queue, WDFREQUEST Request, ULONG ActionFlags);
typedef EVT_WDF_IO_QUEUE_IO_STOP *PFN_WDF_IO_QUEUE_IO_STOP;

typedef VOID EVT_WDF_IO_QUEUE_IO_RESUME(WDFQUEUE Queue, WDFREQUEST Request);
typedef EVT_WDF_IO_QUEUE_IO_RESUME *PFN_WDF_IO_QUEUE_IO_RESUME;

/* A request the driver had put back in a queue was cancelled; the driver completes it. */
typedef VOID EVT_WDF_IO_QUEUE_IO_CANCELED_ON_QUEUE(WDFQUEUE Queue, WDFREQUEST Request);
typedef EVT_WDF_IO_QUEUE_IO_CANCELED_ON_QUEUE *PFN_WDF_IO_QUEUE_IO_CANCELED_ON_QUEUE;

/* Completion notice for Stop, Drain, Purge and ReadyNotify. */
typedef VOID EVT_WDF_IO_QUEUE_STATE(WDFQUEUE Queue, WDFCONTEXT Context);
typedef EVT_WDF_IO_QUEUE_STATE *PFN_WDF_IO_QUEUE_STATE;

typedef struct _WDF_IO_QUEUE_CONFIG {
	ULONG Size;
	WDF_IO_QUEUE_DISPATCH_TYPE DispatchType;
	/* Whether the queue stops while the device is out of D0. */
	WDF_TRI_STATE PowerManaged;
	/* FALSE: zero-length reads and writes are completed with success by the framework. */
	BOOLEAN AllowZeroLengthRequests;
	/* Receives every request no other queue was configured for. */
	BOOLEAN DefaultQueue;
	/* Called for requests whose type-specific callback is NULL. */
	PFN_WDF_IO_QUEUE_IO_DEFAULT EvtIoDefault;
	PFN_WDF_IO_QUEUE_IO_READ EvtIoRead;
	PFN_WDF_IO_QUEUE_IO_WRITE EvtIoWrite;
	PFN_WDF_IO_QUEUE_IO_DEVICE_CONTROL EvtIoDeviceControl;
	PFN_WDF_IO_QUEUE_IO_INTERNAL_DEVICE_CONTROL EvtIoInternalDeviceControl;
	PFN_WDF_IO_QUEUE_IO_STOP EvtIoStop;
	PFN_WDF_IO_QUEUE_IO_RESUME EvtIoResume;
	PFN_WDF_IO_QUEUE_IO_CANCELED_ON_QUEUE EvtIoCanceledOnQueue;
	union {
		struct {
			/* In-flight limit for parallel queues; (ULONG)-1 is unlimited. */
			ULONG NumberOfPresentedRequests;
		} Parallel;
	} Settings;
	/* Filled by the framework; leave NULL. */
	WDFDRIVER Driver;
} WDF_IO_QUEUE_CONFIG, *PWDF_IO_QUEUE_CONFIG;

FORCEINLINE VOID WDF_IO_QUEUE_CONFIG_INIT(PWDF_IO_QUEUE_CONFIG Config,
					  WDF_IO_QUEUE_DISPATCH_TYPE DispatchType)
{
	memset(Config, 0, sizeof(*Config));
	Config->Size = sizeof(*Config);
	Config->PowerManaged = WdfUseDefault;
	Config->DispatchType = DispatchType;
	if (DispatchType == WdfIoQueueDispatchParallel)
		Config->Settings.Parallel.NumberOfPresentedRequests = (ULONG)-1;
}

FORCEINLINE VOID WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(PWDF_IO_QUEUE_CONFIG Config,
							WDF_IO_QUEUE_DISPATCH_TYPE DispatchType)
{
	WDF_IO_QUEUE_CONFIG_INIT(Config, DispatchType);
	Config->DefaultQueue = TRUE;
}

/*
 * Creates a queue of Device (its parent unless QueueAttributes say
 * otherwise). Queue may be NULL for a default queue. STATUS_INVALID_PARAMETER,
 * STATUS_INSUFFICIENT_RESOURCES, STATUS_INVALID_DEVICE_STATE for a second
 * default queue.
 */
NTSTATUS WdfIoQueueCreate(WDFDEVICE Device, PWDF_IO_QUEUE_CONFIG Config,
			  PWDF_OBJECT_ATTRIBUTES QueueAttributes, WDFQUEUE *Queue);

/* Current state bits; the counts are optional. */
WDF_IO_QUEUE_STATE WdfIoQueueGetState(WDFQUEUE Queue, PULONG QueueRequests,
				      PULONG DriverRequests);

VOID WdfIoQueueStart(WDFQUEUE Queue);

/* Stops presenting requests; StopComplete runs once the driver holds none. */
VOID WdfIoQueueStop(WDFQUEUE Queue, PFN_WDF_IO_QUEUE_STATE StopComplete, WDFCONTEXT Context);
VOID WdfIoQueueStopSynchronously(WDFQUEUE Queue);

/* Stops accepting; queued requests are still presented; DrainComplete once all are done. */
VOID WdfIoQueueDrain(WDFQUEUE Queue, PFN_WDF_IO_QUEUE_STATE DrainComplete, WDFCONTEXT Context);
VOID WdfIoQueueDrainSynchronously(WDFQUEUE Queue);

/* Stops accepting and cancels queued requests; PurgeComplete once the driver holds none. */
VOID WdfIoQueuePurge(WDFQUEUE Queue, PFN_WDF_IO_QUEUE_STATE PurgeComplete, WDFCONTEXT Context);
VOID WdfIoQueuePurgeSynchronously(WDFQUEUE Queue);

WDFDEVICE WdfIoQueueGetDevice(WDFQUEUE Queue);

/* Manual queues. STATUS_NO_MORE_ENTRIES when nothing (matching) is queued. */
NTSTATUS WdfIoQueueRetrieveNextRequest(WDFQUEUE Queue, WDFREQUEST *OutRequest);
NTSTATUS WdfIoQueueRetrieveRequestByFileObject(WDFQUEUE Queue, WDFFILEOBJECT FileObject,
					       WDFREQUEST *OutRequest);

/*
 * Walks the queue without removing anything: returns the request after
 * FoundRequest (NULL: from the start) matching FileObject (NULL: any), with a
 * reference the caller drops with WdfObjectDereference. Parameters optional.
 * STATUS_NOT_FOUND if FoundRequest left the queue, STATUS_NO_MORE_ENTRIES at the end.
 */
NTSTATUS WdfIoQueueFindRequest(WDFQUEUE Queue, WDFREQUEST FoundRequest, WDFFILEOBJECT FileObject,
			       PWDF_REQUEST_PARAMETERS Parameters, WDFREQUEST *OutRequest);

/* Removes a request found by WdfIoQueueFindRequest. STATUS_NOT_FOUND if it is gone. */
NTSTATUS WdfIoQueueRetrieveFoundRequest(WDFQUEUE Queue, WDFREQUEST FoundRequest,
					WDFREQUEST *OutRequest);

/*
 * Manual queues: QueueReady runs each time the queue goes from empty to not
 * empty. NULL unregisters. STATUS_INVALID_DEVICE_STATE if one is registered.
 */
NTSTATUS WdfIoQueueReadyNotify(WDFQUEUE Queue, PFN_WDF_IO_QUEUE_STATE QueueReady,
			       WDFCONTEXT Context);

UMNIC_EXTERN_C_END

#endif
