/* SPDX-License-Identifier: MIT */
/*
 * Timers. WdfTimerStart takes a WDF time value: negative is relative to now
 * in 100 ns units (use WDF_REL_TIMEOUT_IN_MS and friends), positive is an
 * absolute system time, 0 fires as soon as possible. A periodic timer then
 * fires every Period milliseconds until stopped.
 *
 * The callback runs at DISPATCH_LEVEL in in-host drivers unless the timer's
 * attributes ask for WdfExecutionLevelPassive, and at PASSIVE_LEVEL in a
 * driver host process. With AutomaticSerialization it holds the lock of the
 * parent device or queue when the parent's synchronization scope asks for it.
 */
#ifndef UMNIC_WDFTIMER_H
#define UMNIC_WDFTIMER_H

#include <wdfcore.h>
#include <wdfobject.h>

UMNIC_EXTERN_C_BEGIN

/* TolerableDelay value: the system may delay the timer as long as it likes. */
#define TolerableDelayUnlimited ((ULONG)-1)

typedef VOID EVT_WDF_TIMER(WDFTIMER Timer);
typedef EVT_WDF_TIMER *PFN_WDF_TIMER;

typedef struct _WDF_TIMER_CONFIG {
	ULONG Size;
	PFN_WDF_TIMER EvtTimerFunc;
	/* Milliseconds between expirations; 0 for a one-shot timer. */
	ULONG Period;
	BOOLEAN AutomaticSerialization;
	/* Milliseconds the expiration may be late (coalescing hint). */
	ULONG TolerableDelay;
	BOOLEAN UseHighResolutionTimer;
} WDF_TIMER_CONFIG, *PWDF_TIMER_CONFIG;

FORCEINLINE VOID WDF_TIMER_CONFIG_INIT(PWDF_TIMER_CONFIG Config, PFN_WDF_TIMER EvtTimerFunc)
{
	memset(Config, 0, sizeof(*Config));
	Config->Size = sizeof(*Config);
	Config->EvtTimerFunc = EvtTimerFunc;
	Config->Period = 0;
	Config->AutomaticSerialization = TRUE;
	Config->TolerableDelay = 0;
}

FORCEINLINE VOID WDF_TIMER_CONFIG_INIT_PERIODIC(PWDF_TIMER_CONFIG Config,
						PFN_WDF_TIMER EvtTimerFunc, LONG Period)
{
	memset(Config, 0, sizeof(*Config));
	Config->Size = sizeof(*Config);
	Config->EvtTimerFunc = EvtTimerFunc;
	Config->Period = (ULONG)Period;
	Config->AutomaticSerialization = TRUE;
	Config->TolerableDelay = 0;
}

/*
 * Creates a stopped timer. Attributes must name a ParentObject (typically
 * the device or a queue); deleting the parent stops and deletes the timer.
 * STATUS_INVALID_PARAMETER, STATUS_INSUFFICIENT_RESOURCES.
 */
NTSTATUS WdfTimerCreate(PWDF_TIMER_CONFIG Config, PWDF_OBJECT_ATTRIBUTES Attributes,
			WDFTIMER *Timer);

/* (Re)arms the timer. TRUE if it was already armed (the old due time is replaced). */
BOOLEAN WdfTimerStart(WDFTIMER Timer, LONGLONG DueTime);

/*
 * Disarms the timer; TRUE if it was armed. With Wait TRUE it also waits for
 * a running callback to return (not allowed from that callback, nor above
 * PASSIVE_LEVEL).
 */
BOOLEAN WdfTimerStop(WDFTIMER Timer, BOOLEAN Wait);

WDFOBJECT WdfTimerGetParentObject(WDFTIMER Timer);

UMNIC_EXTERN_C_END

#endif
