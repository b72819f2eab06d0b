/* SPDX-License-Identifier: MIT */
/*
 * Per-thread interrupt request level. Only in-host ("kernel mode") drivers
 * have IRQL rules, but the bookkeeping is the same in both modes and costs a
 * thread-local byte: PASSIVE_LEVEL normally, DISPATCH_LEVEL while a
 * WDFSPINLOCK is held or a dispatch-level callback runs.
 */
#ifndef UMNIC_RUNTIME_IRQL_H
#define UMNIC_RUNTIME_IRQL_H

#include <stdbool.h>
#include <wdfcore.h>

/* Raises the calling thread to new_level and returns the previous level. */
KIRQL umn_irql_raise(KIRQL new_level);

/* Returns the calling thread to old, a value umn_irql_raise returned. */
void umn_irql_lower(KIRQL old);

KIRQL umn_irql_current(void);

/*
 * Whether the runtime hosts the driver in umnicd ("kernel mode"). Decides the
 * default execution level of timers (dispatch in kernel mode, passive in a
 * driver host process). Set once, before DriverEntry.
 */
void umn_runtime_set_kernel_mode(bool kernel_mode);
bool umn_runtime_kernel_mode(void);

#endif
