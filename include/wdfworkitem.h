/* SPDX-License-Identifier: MIT */
/*
 * Work items: a callback run later at PASSIVE_LEVEL on a framework worker
 * thread. Enqueuing an item that is already queued does nothing; enqueuing
 * one whose callback is running queues it once more.
 */
#ifndef UMNIC_WDFWORKITEM_H
#define UMNIC_WDFWORKITEM_H

#include <wdfobject.h>

UMNIC_EXTERN_C_BEGIN

typedef VOID EVT_WDF_WORKITEM(WDFWORKITEM WorkItem);
typedef EVT_WDF_WORKITEM *PFN_WDF_WORKITEM;

typedef struct _WDF_WORKITEM_CONFIG {
	ULONG Size;
	PFN_WDF_WORKITEM EvtWorkItemFunc;
	/* Hold the parent's callback lock while the work item runs. */
	BOOLEAN AutomaticSerialization;
} WDF_WORKITEM_CONFIG, *PWDF_WORKITEM_CONFIG;

FORCEINLINE VOID WDF_WORKITEM_CONFIG_INIT(PWDF_WORKITEM_CONFIG Config,
					  PFN_WDF_WORKITEM EvtWorkItemFunc)
{
	memset(Config, 0, sizeof(*Config));
	Config->Size = sizeof(*Config);
	Config->EvtWorkItemFunc = EvtWorkItemFunc;
	Config->AutomaticSerialization = TRUE;
}

/*
 * Attributes must name a ParentObject (device, queue or another framework
 * object). STATUS_INVALID_PARAMETER, STATUS_INSUFFICIENT_RESOURCES.
 */
NTSTATUS WdfWorkItemCreate(PWDF_WORKITEM_CONFIG Config, PWDF_OBJECT_ATTRIBUTES Attributes,
			   WDFWORKITEM *WorkItem);
VOID WdfWorkItemEnqueue(WDFWORKITEM WorkItem);
WDFOBJECT WdfWorkItemGetParentObject(WDFWORKITEM WorkItem);

/* Waits until the item is neither queued nor running. Not from its own callback. */
VOID WdfWorkItemFlush(WDFWORKITEM WorkItem);

UMNIC_EXTERN_C_END

#endif
