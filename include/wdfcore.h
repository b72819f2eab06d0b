/* SPDX-License-Identifier: MIT */
/*
 * Pieces shared by several WDF headers: time-out helpers and the current
 * interrupt request level.
 *
 * WDF time values count 100-nanosecond ticks. A negative value is relative
 * to now; a positive one is an absolute system time (ticks since 1601-01-01
 * UTC); zero means "now" (or, for a lock, "do not wait").
 */
#ifndef UMNIC_WDFCORE_H
#define UMNIC_WDFCORE_H

#include <wdftypes.h>

UMNIC_EXTERN_C_BEGIN

#define WDF_TIMEOUT_TO_SEC ((LONGLONG)10 * 1000 * 1000)
#define WDF_TIMEOUT_TO_MS ((LONGLONG)10 * 1000)
#define WDF_TIMEOUT_TO_US ((LONGLONG)10)

FORCEINLINE LONGLONG WDF_REL_TIMEOUT_IN_SEC(ULONGLONG Time)
{
	return -(LONGLONG)Time * WDF_TIMEOUT_TO_SEC;
}

FORCEINLINE LONGLONG WDF_REL_TIMEOUT_IN_MS(ULONGLONG Time)
{
	return -(LONGLONG)Time * WDF_TIMEOUT_TO_MS;
}

FORCEINLINE LONGLONG WDF_REL_TIMEOUT_IN_US(ULONGLONG Time)
{
	return -(LONGLONG)Time * WDF_TIMEOUT_TO_US;
}

FORCEINLINE LONGLONG WDF_ABS_TIMEOUT_IN_SEC(ULONGLONG Time)
{
	return (LONGLONG)Time * WDF_TIMEOUT_TO_SEC;
}

FORCEINLINE LONGLONG WDF_ABS_TIMEOUT_IN_MS(ULONGLONG Time)
{
	return (LONGLONG)Time * WDF_TIMEOUT_TO_MS;
}

FORCEINLINE LONGLONG WDF_ABS_TIMEOUT_IN_US(ULONGLONG Time)
{
	return (LONGLONG)Time * WDF_TIMEOUT_TO_US;
}

/* Layout facts drivers and the wire protocol rely on. */
UMNIC_STATIC_ASSERT(CTL_CODE(FILE_DEVICE_NETWORK, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS) ==
			    0x00122000u,
		    "CTL_CODE packs type, access, function and method");
UMNIC_STATIC_ASSERT(CTL_CODE(0x8000, 0xFFF, METHOD_NEITHER, FILE_READ_ACCESS | FILE_WRITE_ACCESS) ==
			    0x8000FFFFu,
		    "CTL_CODE fills all 32 bits for vendor codes");
UMNIC_STATIC_ASSERT(sizeof(LARGE_INTEGER) == 8, "LARGE_INTEGER is 8 bytes");
#ifdef __LP64__
UMNIC_STATIC_ASSERT(sizeof(IO_STATUS_BLOCK) == 16, "IO_STATUS_BLOCK is 16 bytes on LP64");
UMNIC_STATIC_ASSERT(sizeof(UNICODE_STRING) == 16, "UNICODE_STRING is 16 bytes on LP64");
UMNIC_STATIC_ASSERT(sizeof(ULONG) == 4 && sizeof(ULONG_PTR) == 8, "LLP64 integer widths");
#endif

/*
 * The calling thread's interrupt request level. In-host ("kernel mode")
 * drivers run at PASSIVE_LEVEL, at DISPATCH_LEVEL while they hold a
 * WDFSPINLOCK or run a dispatch-level callback. In a driver host process the
 * same bookkeeping is kept, but nothing outside the process depends on it.
 */
KIRQL KeGetCurrentIrql(void);

UMNIC_EXTERN_C_END

#endif
