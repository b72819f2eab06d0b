// SPDX-License-Identifier: MIT
/*
 * The kernel-mode subset of in-host drivers: events and waits, system
 * threads and their objects, push locks and critical regions, time, pool,
 * and the IRQL rules on each.
 */
#define _KERNEL_MODE 1
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#pragma GCC diagnostic ignored "-Wmultichar" /* pool tags are written as on Windows */

#include <cmocka.h>

#include <wdm.h>
#include <windows.h>

#include "common/log.h"
#include "runtime/wdf/irql.h"

/* Verifier lines logged, by rule. */
static atomic_int irql_violations, pushlock_violations, region_violations, pool_violations,
    tag_violations;
/* Push lock releases of a lock not held the way it is released. */
static atomic_int unheld_releases;

static void sink(int level, const char *line, void *userdata)
{
	(void)level;
	(void)userdata;
	if (strstr(line, "verifier: IrqlTooHigh"))
		atomic_fetch_add(&irql_violations, 1);
	if (strstr(line, "verifier: PushLockOutsideCriticalRegion"))
		atomic_fetch_add(&pushlock_violations, 1);
	if (strstr(line, "verifier: CriticalRegionMismatch"))
		atomic_fetch_add(&region_violations, 1);
	if (strstr(line, "verifier: PoolCallerError"))
		atomic_fetch_add(&pool_violations, 1);
	if (strstr(line, "verifier: PoolTagMismatch"))
		atomic_fetch_add(&tag_violations, 1);
	if (strstr(line, "ExReleasePushLock") && strstr(line, "is not held"))
		atomic_fetch_add(&unheld_releases, 1);
}

static LARGE_INTEGER ms_relative(LONGLONG ms)
{
	LARGE_INTEGER t;

	t.QuadPart = -ms * 10000;
	return t;
}

static void events(void **state)
{
	KEVENT n, s;
	LARGE_INTEGER zero = {.QuadPart = 0}, t = ms_relative(20), past;

	(void)state;
	KeInitializeEvent(&n, NotificationEvent, FALSE);
	KeInitializeEvent(&s, SynchronizationEvent, TRUE);
	assert_int_equal(KeReadStateEvent(&n), 0);
	assert_int_equal(KeWaitForSingleObject(&n, Executive, KernelMode, FALSE, &zero),
			 STATUS_TIMEOUT);
	assert_int_equal(KeWaitForSingleObject(&n, Executive, KernelMode, FALSE, &t),
			 STATUS_TIMEOUT);
	assert_int_equal(KeSetEvent(&n, IO_NO_INCREMENT, FALSE), 0);
	assert_int_equal(KeSetEvent(&n, IO_NO_INCREMENT, FALSE), 1);
	assert_int_equal(KeWaitForSingleObject(&n, Executive, KernelMode, FALSE, NULL),
			 STATUS_SUCCESS);
	assert_int_equal(KeWaitForSingleObject(&n, Executive, KernelMode, FALSE, &zero),
			 STATUS_SUCCESS);
	KeClearEvent(&n);
	assert_int_equal(KeReadStateEvent(&n), 0);
	/* A synchronization event lets one wait through. */
	assert_int_equal(KeWaitForSingleObject(&s, Executive, KernelMode, FALSE, &zero),
			 STATUS_SUCCESS);
	assert_int_equal(KeWaitForSingleObject(&s, Executive, KernelMode, FALSE, &zero),
			 STATUS_TIMEOUT);
	KeSetEvent(&s, IO_NO_INCREMENT, FALSE);
	assert_int_equal(KeResetEvent(&s), 1);
	/* An absolute time in the past has expired already. */
	KeQuerySystemTime(&past);
	past.QuadPart -= 10000000;
	assert_int_equal(KeWaitForSingleObject(&s, Executive, KernelMode, FALSE, &past),
			 STATUS_TIMEOUT);
	assert_int_equal(KeWaitForSingleObject(NULL, Executive, KernelMode, FALSE, &zero),
			 STATUS_INVALID_PARAMETER);
}

static void irql_rules(void **state)
{
	KEVENT e;
	LARGE_INTEGER zero = {.QuadPart = 0}, t = ms_relative(1);
	KIRQL old;
	HANDLE h;
	void *p;

	(void)state;
	KeInitializeEvent(&e, NotificationEvent, FALSE);
	old = umn_irql_raise(DISPATCH_LEVEL);
	atomic_store(&irql_violations, 0);
	/* At DISPATCH_LEVEL a wait may only poll. */
	assert_int_equal(KeWaitForSingleObject(&e, Executive, KernelMode, FALSE, &zero),
			 STATUS_TIMEOUT);
	assert_int_equal(atomic_load(&irql_violations), 0);
	assert_int_equal(KeWaitForSingleObject(&e, Executive, KernelMode, FALSE, &t),
			 STATUS_INVALID_DEVICE_STATE);
	assert_int_equal(KeWaitForSingleObject(&e, Executive, KernelMode, FALSE, NULL),
			 STATUS_INVALID_DEVICE_STATE);
	assert_int_equal(atomic_load(&irql_violations), 2);
	assert_int_equal(KeSetEvent(&e, IO_NO_INCREMENT, FALSE), 0);
	assert_int_equal(PsCreateSystemThread(&h, THREAD_ALL_ACCESS, NULL, NULL, NULL,
					      (PKSTART_ROUTINE)(void (*)(void *))free, NULL),
			 STATUS_INVALID_DEVICE_STATE);
	assert_null(ExAllocatePool2(POOL_FLAG_PAGED, 16, 'tseT'));
	p = ExAllocatePool2(POOL_FLAG_NON_PAGED, 16, 'tseT');
	assert_non_null(p);
	ExFreePoolWithTag(p, 'tseT');
	assert_int_equal(atomic_load(&irql_violations), 4);
	umn_irql_lower(old);
	/* At APC_LEVEL a wait with a time-out is fine. */
	old = umn_irql_raise(APC_LEVEL);
	assert_int_equal(KeWaitForSingleObject(&e, Executive, KernelMode, FALSE, &t),
			 STATUS_SUCCESS);
	umn_irql_lower(old);
	assert_int_equal(atomic_load(&irql_violations), 4);
}

static KEVENT go;
static atomic_int thread_irql = -1;
static atomic_int ran;

static VOID worker(PVOID ctx)
{
	atomic_store(&thread_irql, KeGetCurrentIrql());
	KeWaitForSingleObject(&go, Executive, KernelMode, FALSE, NULL);
	atomic_store(&ran, (int)(intptr_t)ctx);
	PsTerminateSystemThread(STATUS_SUCCESS);
}

static void system_threads(void **state)
{
	LARGE_INTEGER t = ms_relative(30);
	CLIENT_ID id;
	HANDLE h;
	PVOID obj, obj2;
	OBJECT_ATTRIBUTES oa;

	(void)state;
	KeInitializeEvent(&go, NotificationEvent, FALSE);
	InitializeObjectAttributes(&oa, NULL, OBJ_KERNEL_HANDLE, NULL, NULL);
	assert_int_equal(
	    PsCreateSystemThread(&h, THREAD_ALL_ACCESS, &oa, NULL, &id, worker, (PVOID)7),
	    STATUS_SUCCESS);
	assert_int_not_equal((uintptr_t)id.UniqueThread, 0);
	assert_int_equal(ObReferenceObjectByHandle(h, THREAD_ALL_ACCESS, *ExEventObjectType,
						   KernelMode, &obj, NULL),
			 STATUS_OBJECT_TYPE_MISMATCH);
	assert_int_equal(
	    ObReferenceObjectByHandle(h, THREAD_ALL_ACCESS, *PsThreadType, KernelMode, &obj, NULL),
	    STATUS_SUCCESS);
	assert_non_null(obj);
	assert_int_equal(ZwClose(h), STATUS_SUCCESS);
	assert_int_equal(ZwClose(h), STATUS_INVALID_HANDLE);
	assert_int_equal(ObReferenceObjectByHandle(h, 0, *PsThreadType, KernelMode, &obj2, NULL),
			 STATUS_INVALID_HANDLE);
	/* The object outlives the handle; it is signalled when the thread ends. */
	assert_int_equal(KeWaitForSingleObject(obj, Executive, KernelMode, FALSE, &t),
			 STATUS_TIMEOUT);
	KeSetEvent(&go, IO_NO_INCREMENT, FALSE);
	assert_int_equal(KeWaitForSingleObject(obj, Executive, KernelMode, FALSE, NULL),
			 STATUS_SUCCESS);
	assert_int_equal(atomic_load(&ran), 7);
	assert_int_equal(atomic_load(&thread_irql), PASSIVE_LEVEL);
	ObDereferenceObject(obj);
	assert_int_equal(PsCreateSystemThread(&h, 0, NULL, (HANDLE)1, NULL, worker, NULL),
			 STATUS_INVALID_PARAMETER);
}

static void priorities_and_affinity(void **state)
{
	PKTHREAD me = KeGetCurrentThread();
	GROUP_AFFINITY one = {0}, prev = {0}, now = {0};

	(void)state;
	assert_non_null(me);
	assert_ptr_equal((void *)me, (void *)PsGetCurrentThread());
	assert_int_equal(KeSetBasePriorityThread(me, 2), 0);
	assert_int_equal(KeSetBasePriorityThread(me, -1), 2);
	assert_int_equal(KeSetPriorityThread(me, 12), 8);
	assert_int_equal(KeQueryPriorityThread(me), 12);
	assert_true(GetThreadGroupAffinity(GetCurrentThread(), &now));
	one.Mask = now.Mask & (~now.Mask + 1);
	KeSetSystemGroupAffinityThread(&one, &prev);
	assert_int_equal(prev.Mask, now.Mask);
	assert_true(GetThreadGroupAffinity(GetCurrentThread(), &now));
	assert_int_equal(now.Mask, one.Mask);
	KeRevertToUserGroupAffinityThread(&prev);
	assert_true(GetThreadGroupAffinity(GetCurrentThread(), &now));
	assert_int_equal(now.Mask, prev.Mask);
	assert_int_equal(KeQueryActiveProcessorCountEx(0), __builtin_popcountll(prev.Mask));
}

static EX_PUSH_LOCK lock;
static long counter;

static VOID hammer(PVOID ctx)
{
	(void)ctx;
	for (int i = 0; i < 20000; i++) {
		KeEnterCriticalRegion();
		ExAcquirePushLockExclusive(&lock);
		counter++;
		ExReleasePushLockExclusive(&lock);
		ExAcquirePushLockSharedEx(&lock, EX_DEFAULT_PUSH_LOCK_FLAGS);
		ExReleasePushLockSharedEx(&lock, EX_DEFAULT_PUSH_LOCK_FLAGS);
		KeLeaveCriticalRegion();
	}
}

static void push_locks(void **state)
{
	HANDLE h[3];
	PVOID obj[3];

	(void)state;
	ExInitializePushLock(&lock);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(PsCreateSystemThread(&h[i], 0, NULL, NULL, NULL, hammer, NULL),
				 STATUS_SUCCESS);
		assert_int_equal(
		    ObReferenceObjectByHandle(h[i], 0, NULL, KernelMode, &obj[i], NULL),
		    STATUS_SUCCESS);
		ZwClose(h[i]);
	}
	for (int i = 0; i < 3; i++) {
		KeWaitForSingleObject(obj[i], Executive, KernelMode, FALSE, NULL);
		ObDereferenceObject(obj[i]);
	}
	assert_int_equal(counter, 60000);
	atomic_store(&pushlock_violations, 0);
	atomic_store(&region_violations, 0);
	/* Outside a critical region: a violation, and the lock still works. */
	assert_false(KeAreApcsDisabled());
	ExAcquirePushLockShared(&lock);
	ExReleasePushLock(&lock);
	assert_int_equal(atomic_load(&pushlock_violations), 1);
	KeEnterCriticalRegion();
	KeEnterCriticalRegion();
	assert_true(KeAreApcsDisabled());
	ExAcquirePushLockExclusiveEx(&lock, 0);
	ExReleasePushLock(&lock);
	KeLeaveCriticalRegion();
	KeLeaveCriticalRegion();
	assert_int_equal(atomic_load(&pushlock_violations), 1);
	KeLeaveCriticalRegion();
	assert_int_equal(atomic_load(&region_violations), 1);
	KeEnterGuardedRegion();
	assert_true(KeAreApcsDisabled());
	KeLeaveGuardedRegion();
	assert_int_equal(lock, 0);
}

static atomic_int shared_holders;
static KEVENT both_hold;

/* Holds the push lock shared until the other reader holds it too (at most 5 s). */
static VOID reader(PVOID ctx)
{
	LARGE_INTEGER t = ms_relative(5000);

	(void)ctx;
	KeEnterCriticalRegion();
	ExAcquirePushLockShared(&lock);
	if (atomic_fetch_add(&shared_holders, 1) + 1 == 2)
		KeSetEvent(&both_hold, IO_NO_INCREMENT, FALSE);
	KeWaitForSingleObject(&both_hold, Executive, KernelMode, FALSE, &t);
	atomic_fetch_sub(&shared_holders, 1);
	ExReleasePushLockShared(&lock);
	KeLeaveCriticalRegion();
}

/* Two threads hold a push lock shared at once; ExReleasePushLockShared frees it for a writer. */
static void push_lock_shared(void **state)
{
	HANDLE h[2];
	PVOID obj[2];

	(void)state;
	ExInitializePushLock(&lock);
	KeInitializeEvent(&both_hold, NotificationEvent, FALSE);
	atomic_store(&unheld_releases, 0);
	atomic_store(&pushlock_violations, 0);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(PsCreateSystemThread(&h[i], 0, NULL, NULL, NULL, reader, NULL),
				 STATUS_SUCCESS);
		assert_int_equal(
		    ObReferenceObjectByHandle(h[i], 0, NULL, KernelMode, &obj[i], NULL),
		    STATUS_SUCCESS);
		ZwClose(h[i]);
	}
	for (int i = 0; i < 2; i++) {
		assert_int_equal(KeWaitForSingleObject(obj[i], Executive, KernelMode, FALSE, NULL),
				 STATUS_SUCCESS);
		ObDereferenceObject(obj[i]);
	}
	/* Both held it at the same time, and both released it. */
	assert_int_equal(KeReadStateEvent(&both_hold), 1);
	assert_int_equal(atomic_load(&shared_holders), 0);
	assert_int_equal(lock, 0);
	KeEnterCriticalRegion();
	ExAcquirePushLockExclusive(&lock);
	assert_int_not_equal(lock, 0);
	ExReleasePushLockExclusive(&lock);
	/* A shared release of a lock nobody holds is named. */
	ExReleasePushLockShared(&lock);
	KeLeaveCriticalRegion();
	assert_int_equal(lock, 0);
	assert_int_equal(atomic_load(&unheld_releases), 1);
	assert_int_equal(atomic_load(&pushlock_violations), 0);
}

static void time_sources(void **state)
{
	LARGE_INTEGER a, b, f, ticks;
	FILETIME ft;
	ULONGLONG i0 = KeQueryInterruptTime();
	LARGE_INTEGER d = ms_relative(30);

	(void)state;
	KeQuerySystemTime(&a);
	GetSystemTimeAsFileTime(&ft);
	KeQuerySystemTimePrecise(&b);
	assert_true(b.QuadPart >= a.QuadPart);
	assert_true(llabs((long long)((((ULONGLONG)ft.dwHighDateTime << 32) | ft.dwLowDateTime) -
				      (ULONGLONG)a.QuadPart)) < 10000000);
	a = KeQueryPerformanceCounter(&f);
	assert_int_equal(f.QuadPart, 10000000);
	assert_int_equal(KeDelayExecutionThread(KernelMode, FALSE, &d), STATUS_SUCCESS);
	b = KeQueryPerformanceCounter(NULL);
	assert_true(b.QuadPart - a.QuadPart >= 25 * 10000);
	assert_true(KeQueryInterruptTime() - i0 >= 25 * 10000);
	KeQueryTickCount(&ticks);
	assert_true(ticks.QuadPart > 0);
	assert_int_equal(KeQueryTimeIncrement(), 156250);
}

static void pool(void **state)
{
	unsigned char *p = ExAllocatePool2(POOL_FLAG_NON_PAGED, 100, 'looP');
	unsigned char *c = ExAllocatePool2(POOL_FLAG_PAGED | POOL_FLAG_CACHE_ALIGNED, 10, 'looP');

	(void)state;
	assert_non_null(p);
	assert_non_null(c);
	assert_int_equal((uintptr_t)p % 16, 0);
	assert_int_equal((uintptr_t)c % 64, 0);
	for (int i = 0; i < 100; i++)
		assert_int_equal(p[i], 0);
	atomic_store(&pool_violations, 0);
	atomic_store(&tag_violations, 0);
	ExFreePoolWithTag(p, 'looP');
	ExFreePoolWithTag(c, 'gaT2');
	assert_int_equal(atomic_load(&tag_violations), 1);
	assert_null(ExAllocatePool2(POOL_FLAG_NON_PAGED | POOL_FLAG_PAGED, 8, 'looP'));
	assert_null(ExAllocatePool2(0, 8, 'looP'));
	assert_null(ExAllocatePool2(POOL_FLAG_NON_PAGED_EXECUTE, 8, 'looP'));
	assert_null(ExAllocatePool2(POOL_FLAG_NON_PAGED, 8, 0));
	assert_int_equal(atomic_load(&pool_violations), 4);
	/* Optional flags may be ignored. */
	p = ExAllocatePool2(POOL_FLAG_NON_PAGED | POOL_FLAG_SPECIAL_POOL | POOL_FLAG_UNINITIALIZED,
			    8, 'looP');
	assert_non_null(p);
	ExFreePool(p);
	p = ExAllocatePoolWithTag(NonPagedPoolNx, 32, 'looP');
	assert_non_null(p);
	ExFreePoolWithTag(p, 'looP');
	p = ExAllocatePoolZero(PagedPool, 32, 'looP');
	assert_int_equal(p[31], 0);
	ExFreePool(p);
	assert_int_equal(atomic_load(&pool_violations), 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(events),	      cmocka_unit_test(irql_rules),
	    cmocka_unit_test(system_threads), cmocka_unit_test(priorities_and_affinity),
	    cmocka_unit_test(push_locks),     cmocka_unit_test(push_lock_shared),
	    cmocka_unit_test(time_sources),
	    cmocka_unit_test(pool),
	};

	umn_log_set_sink(sink, NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
