/* SPDX-License-Identifier: MIT */
/*
 * DPCs: deferred callbacks at DISPATCH_LEVEL, in-host ("kernel mode") drivers
 * only; not declared in a user-mode build.
 */
#ifndef UMNIC_WDFDPC_H
#define UMNIC_WDFDPC_H

#include <wdfobject.h>

UMNIC_EXTERN_C_BEGIN

#ifdef _KERNEL_MODE

typedef VOID EVT_WDF_DPC(WDFDPC Dpc);
typedef EVT_WDF_DPC *PFN_WDF_DPC;

typedef struct _WDF_DPC_CONFIG {
	ULONG Size;
	PFN_WDF_DPC EvtDpcFunc;
	BOOLEAN AutomaticSerialization;
} WDF_DPC_CONFIG, *PWDF_DPC_CONFIG;

FORCEINLINE VOID WDF_DPC_CONFIG_INIT(PWDF_DPC_CONFIG Config, PFN_WDF_DPC EvtDpcFunc)
{
	memset(Config, 0, sizeof(*Config));
	Config->Size = sizeof(*Config);
	Config->EvtDpcFunc = EvtDpcFunc;
	Config->AutomaticSerialization = TRUE;
}

/* Attributes must name a ParentObject (device or queue). */
NTSTATUS WdfDpcCreate(PWDF_DPC_CONFIG Config, PWDF_OBJECT_ATTRIBUTES Attributes, WDFDPC *Dpc);

/* TRUE if it was queued now, FALSE if it already was. */
BOOLEAN WdfDpcEnqueue(WDFDPC Dpc);

/* TRUE if it was queued and is now removed; Wait also waits for a running callback. */
BOOLEAN WdfDpcCancel(WDFDPC Dpc, BOOLEAN Wait);
WDFOBJECT WdfDpcGetParentObject(WDFDPC Dpc);

#endif /* _KERNEL_MODE */

UMNIC_EXTERN_C_END

#endif
