/* SPDX-License-Identifier: MIT */
/*
 * Thread pool object types. umnic has no Win32 thread pool yet: nothing
 * creates these objects (CreateThreadpoolWork and the rest are not
 * declared), so a driver cannot hold one. The closing and waiting calls
 * are declared so that code wrapping them (WIL's unique_threadpool_*)
 * compiles; called with anything, they log that no such object exists
 * and do nothing.
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
