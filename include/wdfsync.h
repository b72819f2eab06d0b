/* SPDX-License-Identifier: MIT */
/*
 * Locks. A spin lock raises the holder to DISPATCH_LEVEL and must be held
 * briefly, without waiting on anything. A wait lock is a mutex for
 * PASSIVE_LEVEL code; it may be held across blocking calls.
 */
#ifndef UMNIC_WDFSYNC_H
#define UMNIC_WDFSYNC_H

#include <wdfcore.h>
#include <wdfobject.h>

UMNIC_EXTERN_C_BEGIN

/* Parent: the driver unless SpinLockAttributes say otherwise. */
NTSTATUS WdfSpinLockCreate(PWDF_OBJECT_ATTRIBUTES SpinLockAttributes, WDFSPINLOCK *SpinLock);
VOID WdfSpinLockAcquire(WDFSPINLOCK SpinLock);
VOID WdfSpinLockRelease(WDFSPINLOCK SpinLock);

NTSTATUS WdfWaitLockCreate(PWDF_OBJECT_ATTRIBUTES LockAttributes, WDFWAITLOCK *Lock);

/*
 * Timeout: NULL waits for ever, a pointer to 0 only tries, otherwise a WDF
 * time value (negative relative, positive absolute, 100 ns units).
 * STATUS_SUCCESS once held, STATUS_TIMEOUT if the time ran out.
 */
NTSTATUS WdfWaitLockAcquire(WDFWAITLOCK Lock, PLONGLONG Timeout);
VOID WdfWaitLockRelease(WDFWAITLOCK Lock);

UMNIC_EXTERN_C_END

#endif
