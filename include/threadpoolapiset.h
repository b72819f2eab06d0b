/* SPDX-License-Identifier: MIT */
/*
 * Thread pool objects. umnic has no Win32 thread pool yet: the creating
 * calls fail with ERROR_NOT_SUPPORTED, so a driver cannot hold one (WDF
 * work items and timers do that work). The closing and waiting calls are
 * there so that code wrapping them (WIL's unique_threadpool_*) compiles;
 * called with anything but NULL, they log that no such object exists and
 * do nothing.
 */
#ifndef UMNIC_THREADPOOLAPISET_H
#define UMNIC_THREADPOOLAPISET_H
#include <ntdef.h>
#include <winbase.h>

UMNIC_EXTERN_C_BEGIN

typedef struct _TP_WORK TP_WORK, *PTP_WORK;
typedef struct _TP_TIMER TP_TIMER, *PTP_TIMER;
typedef struct _TP_WAIT TP_WAIT, *PTP_WAIT;
typedef struct _TP_IO TP_IO, *PTP_IO;
typedef struct _TP_CALLBACK_INSTANCE TP_CALLBACK_INSTANCE, *PTP_CALLBACK_INSTANCE;
typedef struct _TP_CALLBACK_ENVIRON_V3 TP_CALLBACK_ENVIRON, *PTP_CALLBACK_ENVIRON;
typedef DWORD TP_WAIT_RESULT;
typedef VOID(CALLBACK *PTP_WAIT_CALLBACK)(PTP_CALLBACK_INSTANCE Instance, PVOID Context,
					   PTP_WAIT Wait, TP_WAIT_RESULT WaitResult);
typedef VOID(CALLBACK *PTP_WORK_CALLBACK)(PTP_CALLBACK_INSTANCE Instance, PVOID Context,
					   PTP_WORK Work);
typedef VOID(CALLBACK *PTP_TIMER_CALLBACK)(PTP_CALLBACK_INSTANCE Instance, PVOID Context,
					    PTP_TIMER Timer);

/* Fail with ERROR_NOT_SUPPORTED: there is no thread pool yet (WDF work items and timers are). */
PTP_WAIT CreateThreadpoolWait(PTP_WAIT_CALLBACK pfnwa, PVOID pv, PTP_CALLBACK_ENVIRON pcbe);
PTP_WORK CreateThreadpoolWork(PTP_WORK_CALLBACK pfnwk, PVOID pv, PTP_CALLBACK_ENVIRON pcbe);
PTP_TIMER CreateThreadpoolTimer(PTP_TIMER_CALLBACK pfnti, PVOID pv, PTP_CALLBACK_ENVIRON pcbe);

VOID CloseThreadpoolWork(PTP_WORK pwk);
VOID WaitForThreadpoolWorkCallbacks(PTP_WORK pwk, BOOL fCancelPendingCallbacks);
VOID SetThreadpoolTimer(PTP_TIMER pti, PFILETIME pftDueTime, DWORD msPeriod,
			DWORD msWindowLength);
VOID CloseThreadpoolTimer(PTP_TIMER pti);
VOID WaitForThreadpoolTimerCallbacks(PTP_TIMER pti, BOOL fCancelPendingCallbacks);
VOID SetThreadpoolWait(PTP_WAIT pwa, HANDLE h, PFILETIME pftTimeout);
VOID CloseThreadpoolWait(PTP_WAIT pwa);
VOID WaitForThreadpoolWaitCallbacks(PTP_WAIT pwa, BOOL fCancelPendingCallbacks);
VOID CloseThreadpoolIo(PTP_IO pio);
VOID WaitForThreadpoolIoCallbacks(PTP_IO pio, BOOL fCancelPendingCallbacks);

UMNIC_EXTERN_C_END

#endif
