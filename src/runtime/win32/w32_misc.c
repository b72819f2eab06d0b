// SPDX-License-Identifier: MIT
/*
 * The rest of the Win32 subset: thread priority and group affinity (recorded,
 * see winbase.h), processor counts, sleeping and clocks, the process heap.
 */
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "runtime/win32/w32_int.h"

/* sched_getaffinity is allowed in the sandbox (sysconf may read /sys, which is not there). */
KAFFINITY umn_active_processors(void)
{
	cpu_set_t set;
	KAFFINITY mask = 0;

	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return 1;
	for (unsigned i = 0; i < 64 && i < CPU_SETSIZE; i++)
		if (CPU_ISSET(i, &set))
			mask |= (KAFFINITY)1 << i;
	return mask ? mask : 1;
}

DWORD GetActiveProcessorCount(WORD GroupNumber)
{
	if (GroupNumber != 0 && GroupNumber != ALL_PROCESSOR_GROUPS) {
		SetLastError(ERROR_INVALID_PARAMETER);
		return 0;
	}
	return (DWORD)__builtin_popcountll(umn_active_processors());
}

WORD GetActiveProcessorGroupCount(VOID)
{
	return 1;
}

HANDLE GetCurrentThread(VOID)
{
	return W32_PSEUDO_THREAD;
}

HANDLE GetCurrentProcess(VOID)
{
	return W32_PSEUDO_PROCESS;
}

DWORD GetCurrentProcessId(VOID)
{
	return (DWORD)getpid();
}

static void set_priority(struct umn_thread_attrs *a, void *arg)
{
	a->priority = *(int *)arg;
}

BOOL SetThreadPriority(HANDLE hThread, int nPriority)
{
	switch (nPriority) {
	case THREAD_PRIORITY_IDLE:
	case THREAD_PRIORITY_LOWEST:
	case THREAD_PRIORITY_BELOW_NORMAL:
	case THREAD_PRIORITY_NORMAL:
	case THREAD_PRIORITY_ABOVE_NORMAL:
	case THREAD_PRIORITY_HIGHEST:
	case THREAD_PRIORITY_TIME_CRITICAL:
		return w32_thread_attrs_op(hThread, set_priority, &nPriority);
	default:
		return w32_fail(ERROR_INVALID_PARAMETER);
	}
}

static void get_priority(struct umn_thread_attrs *a, void *arg)
{
	*(int *)arg = a->priority;
}

int GetThreadPriority(HANDLE hThread)
{
	int p;

	if (!w32_thread_attrs_op(hThread, get_priority, &p))
		return THREAD_PRIORITY_ERROR_RETURN;
	return p;
}

struct affinity_op {
	const GROUP_AFFINITY *set;
	PGROUP_AFFINITY get;
};

static void affinity(struct umn_thread_attrs *a, void *arg)
{
	struct affinity_op *op = arg;

	if (op->get)
		*op->get = a->affinity;
	if (op->set) {
		a->affinity.Mask = op->set->Mask;
		a->affinity.Group = 0;
	}
}

BOOL SetThreadGroupAffinity(HANDLE hThread, const GROUP_AFFINITY *GroupAffinity,
			    PGROUP_AFFINITY PreviousGroupAffinity)
{
	struct affinity_op op = {GroupAffinity, PreviousGroupAffinity};
	GROUP_AFFINITY prev;

	if (!GroupAffinity || GroupAffinity->Group != 0 || !GroupAffinity->Mask ||
	    (GroupAffinity->Mask & ~umn_active_processors()) || GroupAffinity->Reserved[0] ||
	    GroupAffinity->Reserved[1] || GroupAffinity->Reserved[2])
		return w32_fail(ERROR_INVALID_PARAMETER);
	/* The previous value is written only on success. */
	op.get = &prev;
	if (!w32_thread_attrs_op(hThread, affinity, &op))
		return FALSE;
	if (PreviousGroupAffinity)
		*PreviousGroupAffinity = prev;
	return TRUE;
}

BOOL GetThreadGroupAffinity(HANDLE hThread, PGROUP_AFFINITY GroupAffinity)
{
	struct affinity_op op = {NULL, GroupAffinity};

	if (!GroupAffinity)
		return w32_fail(ERROR_INVALID_PARAMETER);
	return w32_thread_attrs_op(hThread, affinity, &op);
}

/* ---- time ----------------------------------------------------------------------------------- */

VOID Sleep(DWORD dwMilliseconds)
{
	struct timespec t;

	if (!dwMilliseconds) {
		sched_yield();
		return;
	}
	if (dwMilliseconds == INFINITE) {
		for (;;)
			pause();
	}
	t.tv_sec = dwMilliseconds / 1000;
	t.tv_nsec = (long)(dwMilliseconds % 1000) * 1000000;
	while (nanosleep(&t, &t) < 0)
		;
}

DWORD SleepEx(DWORD dwMilliseconds, BOOL bAlertable)
{
	(void)bAlertable;
	Sleep(dwMilliseconds);
	return 0;
}

ULONGLONG GetTickCount64(VOID)
{
	return umn_clock_ns(CLOCK_BOOTTIME) / 1000000;
}

DWORD GetTickCount(VOID)
{
	return (DWORD)GetTickCount64();
}

BOOL QueryPerformanceCounter(LARGE_INTEGER *lpPerformanceCount)
{
	lpPerformanceCount->QuadPart = (LONGLONG)(umn_mono_ns() / 100);
	return TRUE;
}

BOOL QueryPerformanceFrequency(LARGE_INTEGER *lpFrequency)
{
	lpFrequency->QuadPart = 10000000;
	return TRUE;
}

VOID GetSystemTimeAsFileTime(LPFILETIME lpSystemTimeAsFileTime)
{
	uint64_t t = (uint64_t)umn_system_time_100ns();

	lpSystemTimeAsFileTime->dwLowDateTime = (DWORD)t;
	lpSystemTimeAsFileTime->dwHighDateTime = (DWORD)(t >> 32);
}

VOID GetSystemTimePreciseAsFileTime(LPFILETIME lpSystemTimeAsFileTime)
{
	GetSystemTimeAsFileTime(lpSystemTimeAsFileTime);
}

/* ---- the process heap ----------------------------------------------------------------------- */

/* A 16-byte header before each block keeps the size asked for and the 16-byte alignment. */
struct heap_block {
	size_t size;
	size_t magic;
};
#define HEAP_MAGIC   ((size_t)0x756d6e6963686561ull)
#define PROCESS_HEAP ((HANDLE)(uintptr_t)0x5048)

HANDLE GetProcessHeap(VOID)
{
	return PROCESS_HEAP;
}

static struct heap_block *heap_block_of(LPCVOID p)
{
	struct heap_block *b = (struct heap_block *)p - 1;

	return b->magic == HEAP_MAGIC ? b : NULL;
}

LPVOID HeapAlloc(HANDLE hHeap, DWORD dwFlags, SIZE_T dwBytes)
{
	struct heap_block *b;

	if (hHeap != PROCESS_HEAP) {
		SetLastError(ERROR_INVALID_HANDLE);
		return NULL;
	}
	if (dwBytes > SIZE_MAX / 2 - sizeof(*b)) {
		SetLastError(ERROR_NOT_ENOUGH_MEMORY);
		return NULL;
	}
	b = (dwFlags & HEAP_ZERO_MEMORY) ? calloc(1, sizeof(*b) + dwBytes)
					 : malloc(sizeof(*b) + dwBytes);
	if (!b) {
		SetLastError(ERROR_NOT_ENOUGH_MEMORY);
		return NULL;
	}
	b->size = dwBytes;
	b->magic = HEAP_MAGIC;
	return b + 1;
}

LPVOID HeapReAlloc(HANDLE hHeap, DWORD dwFlags, LPVOID lpMem, SIZE_T dwBytes)
{
	struct heap_block *b, *n;
	size_t old;

	if (hHeap != PROCESS_HEAP) {
		SetLastError(ERROR_INVALID_HANDLE);
		return NULL;
	}
	if (!lpMem || !(b = heap_block_of(lpMem))) {
		SetLastError(ERROR_INVALID_PARAMETER);
		return NULL;
	}
	old = b->size;
	if (dwFlags & HEAP_REALLOC_IN_PLACE_ONLY) {
		if (dwBytes > old) {
			SetLastError(ERROR_NOT_ENOUGH_MEMORY);
			return NULL;
		}
		b->size = dwBytes;
		return lpMem;
	}
	if (dwBytes > SIZE_MAX / 2 - sizeof(*b) || !(n = realloc(b, sizeof(*n) + dwBytes))) {
		SetLastError(ERROR_NOT_ENOUGH_MEMORY);
		return NULL;
	}
	n->size = dwBytes;
	if ((dwFlags & HEAP_ZERO_MEMORY) && dwBytes > old)
		memset((char *)(n + 1) + old, 0, dwBytes - old);
	return n + 1;
}

BOOL HeapFree(HANDLE hHeap, DWORD dwFlags, LPVOID lpMem)
{
	struct heap_block *b;

	(void)dwFlags;
	if (hHeap != PROCESS_HEAP)
		return w32_fail(ERROR_INVALID_HANDLE);
	if (!lpMem)
		return TRUE;
	b = heap_block_of(lpMem);
	if (!b)
		return w32_fail(ERROR_INVALID_PARAMETER);
	b->magic = 0;
	free(b);
	return TRUE;
}

SIZE_T HeapSize(HANDLE hHeap, DWORD dwFlags, LPCVOID lpMem)
{
	struct heap_block *b;

	(void)dwFlags;
	if (hHeap != PROCESS_HEAP || !lpMem || !(b = heap_block_of(lpMem))) {
		SetLastError(hHeap != PROCESS_HEAP ? ERROR_INVALID_HANDLE
						   : ERROR_INVALID_PARAMETER);
		return (SIZE_T)-1;
	}
	return b->size;
}
