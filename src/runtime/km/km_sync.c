// SPDX-License-Identifier: MIT
/*
 * The kernel-mode subset for in-host drivers (<wdm.h> with _KERNEL_MODE):
 * events and waits, system threads and their handles and objects, push
 * locks and critical regions, time, and pool memory, with the IRQL rules a
 * kernel enforces checked against the thread's IRQL (runtime/wdf/irql.c).
 *
 * Built with _KERNEL_MODE, like km_dma.c; it must not include rt.h.
 */
#define _KERNEL_MODE 1
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <wdm.h>

#include "common/clock.h"
#include "common/log.h"
#include "runtime/wdf/irql.h"
#include "runtime/wdf/verifier.h"
#include "runtime/win32/w32.h"

UMNIC_STATIC_ASSERT(sizeof(DISPATCHER_HEADER) == sizeof(struct umn_dispatch_header),
		    "DISPATCHER_HEADER and the runtime's header agree");
UMNIC_STATIC_ASSERT(offsetof(DISPATCHER_HEADER, SignalState) ==
			offsetof(struct umn_dispatch_header, signal_state),
		    "SignalState is where the runtime waits");
UMNIC_STATIC_ASSERT(sizeof(KEVENT) == 24, "KEVENT as on x64 Windows");
UMNIC_STATIC_ASSERT(sizeof(EX_PUSH_LOCK) == sizeof(void *), "a push lock is pointer sized");

/* Object types: only their addresses matter. */
static struct _OBJECT_TYPE *thread_type = (struct _OBJECT_TYPE *)&thread_type;
static struct _OBJECT_TYPE *event_type = (struct _OBJECT_TYPE *)&event_type;
POBJECT_TYPE *PsThreadType = &thread_type;
POBJECT_TYPE *ExEventObjectType = &event_type;

static _Thread_local int critical_regions, guarded_regions;

/* Verifier rule IrqlTooHigh: true (after reporting) when the thread is above max. */
static bool irql_above(const char *fn, KIRQL max)
{
	KIRQL now = umn_irql_current();

	if (now <= max)
		return false;
	umn_verifier_violation(NULL, UMN_RULE_IRQL, STATUS_INVALID_DEVICE_STATE,
			       "%s called at IRQL %u; it requires IRQL <= %u", fn, now, max);
	return true;
}

/* ---- events and waits ------------------------------------------------------------------------ */

static uint32_t *signal_word(void *header)
{
	return (uint32_t *)(void *)&((PDISPATCHER_HEADER)header)->SignalState;
}

VOID KeInitializeEvent(PRKEVENT Event, EVENT_TYPE Type, BOOLEAN State)
{
	memset(Event, 0, sizeof(*Event));
	Event->Header.Type = Type == SynchronizationEvent ? UMN_DISPATCH_EVENT_SYNCHRONIZATION
							  : UMN_DISPATCH_EVENT_NOTIFICATION;
	Event->Header.Size = sizeof(*Event) / sizeof(LONG);
	Event->Header.SignalState = State ? 1 : 0;
	InitializeListHead(&Event->Header.WaitListHead);
}

LONG KeSetEvent(PRKEVENT Event, KPRIORITY Increment, BOOLEAN Wait)
{
	LONG old;

	(void)Increment;
	(void)Wait;
	if (irql_above("KeSetEvent", DISPATCH_LEVEL))
		return __atomic_load_n(&Event->Header.SignalState, __ATOMIC_RELAXED);
	/*
	 * Release: pairs with the acquires in wait_header() (KeWaitForSingleObject) and
	 * KeReadStateEvent().
	 */
	old = __atomic_exchange_n(&Event->Header.SignalState, 1, __ATOMIC_RELEASE);
	/* Everyone wakes; a synchronization event's waiters race to take it. */
	if (!old)
		umn_futex_wake(signal_word(Event), INT_MAX);
	return old;
}

LONG KeResetEvent(PRKEVENT Event)
{
	if (irql_above("KeResetEvent", DISPATCH_LEVEL))
		return __atomic_load_n(&Event->Header.SignalState, __ATOMIC_RELAXED);
	return __atomic_exchange_n(&Event->Header.SignalState, 0, __ATOMIC_RELAXED);
}

VOID KeClearEvent(PRKEVENT Event)
{
	if (!irql_above("KeClearEvent", DISPATCH_LEVEL))
		__atomic_store_n(&Event->Header.SignalState, 0, __ATOMIC_RELAXED);
}

LONG KeReadStateEvent(PRKEVENT Event)
{
	/* Acquire: pairs with the release in KeSetEvent(). */
	return __atomic_load_n(&Event->Header.SignalState, __ATOMIC_ACQUIRE);
}

/*
 * A Windows time-out into a deadline: negative is relative, positive an
 * absolute system time, both in 100 ns units. Returns false for "now".
 */
static bool deadline_of(const LARGE_INTEGER *t, struct timespec *ret)
{
	int64_t rel = t->QuadPart;

	if (rel > 0)
		rel = rel - umn_system_time_100ns();
	else
		rel = -rel;
	if (rel <= 0)
		return false;
	umn_deadline_100ns(ret, (uint64_t)rel);
	return true;
}

static NTSTATUS wait_header(PDISPATCHER_HEADER h, PLARGE_INTEGER Timeout)
{
	struct timespec deadline;
	bool has_deadline = false;
	int32_t s;

	if (Timeout && Timeout->QuadPart)
		has_deadline = deadline_of(Timeout, &deadline);
	for (;;) {
		/*
		 * Acquire: pairs with the release in KeSetEvent(), or for a thread object in
		 * w32_thread_ended() (win32/w32_thread.c).
		 */
		s = __atomic_load_n(&h->SignalState, __ATOMIC_ACQUIRE);
		if (s) {
			if (h->Type != UMN_DISPATCH_EVENT_SYNCHRONIZATION)
				return STATUS_SUCCESS;
			/* Acquire: pairs with the release in KeSetEvent(); one waiter takes it. */
			if (__atomic_compare_exchange_n(&h->SignalState, &s, 0, false,
							__ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
				return STATUS_SUCCESS;
			continue;
		}
		if (Timeout && (!Timeout->QuadPart || !has_deadline))
			return STATUS_TIMEOUT;
		if (!umn_futex_wait(signal_word(h), 0, Timeout ? &deadline : NULL))
			return STATUS_TIMEOUT;
	}
}

NTSTATUS KeWaitForSingleObject(PVOID Object, KWAIT_REASON WaitReason, KPROCESSOR_MODE WaitMode,
			       BOOLEAN Alertable, PLARGE_INTEGER Timeout)
{
	PDISPATCHER_HEADER h = Object;
	NTSTATUS st;
	bool thread;

	(void)WaitReason;
	(void)WaitMode;
	(void)Alertable;
	/* Waiting at DISPATCH_LEVEL is allowed only with a zero time-out (a poll). */
	if (irql_above("KeWaitForSingleObject",
		       (Timeout && !Timeout->QuadPart) ? DISPATCH_LEVEL : APC_LEVEL))
		return STATUS_INVALID_DEVICE_STATE;
	if (!h) {
		umn_log(UMN_LOG_ERR, "KeWaitForSingleObject: Object is NULL");
		return STATUS_INVALID_PARAMETER;
	}
	/* Thread objects are checked by address first: only then is it safe to read one. */
	thread = umn_thread_ref_header(h);
	if (!thread && h->Type != UMN_DISPATCH_EVENT_NOTIFICATION &&
	    h->Type != UMN_DISPATCH_EVENT_SYNCHRONIZATION) {
		umn_log(UMN_LOG_ERR, "KeWaitForSingleObject: %p is not a KEVENT or a thread object",
			Object);
		return STATUS_INVALID_PARAMETER;
	}
	st = wait_header(h, Timeout);
	if (thread)
		umn_thread_deref_header(h);
	return st;
}

NTSTATUS KeDelayExecutionThread(KPROCESSOR_MODE WaitMode, BOOLEAN Alertable,
				PLARGE_INTEGER Interval)
{
	struct timespec deadline;

	(void)WaitMode;
	(void)Alertable;
	if (irql_above("KeDelayExecutionThread", APC_LEVEL))
		return STATUS_INVALID_DEVICE_STATE;
	if (!Interval)
		return STATUS_INVALID_PARAMETER;
	if (!deadline_of(Interval, &deadline))
		return STATUS_SUCCESS;
	while (!umn_deadline_passed(&deadline)) {
		uint32_t never = 1;

		umn_futex_wait(&never, 1, &deadline);
	}
	return STATUS_SUCCESS;
}

/* ---- system threads and their objects -------------------------------------------------------- */

NTSTATUS PsCreateSystemThread(PHANDLE ThreadHandle, ULONG DesiredAccess,
			      POBJECT_ATTRIBUTES ObjectAttributes, HANDLE ProcessHandle,
			      PCLIENT_ID ClientId, PKSTART_ROUTINE StartRoutine, PVOID StartContext)
{
	DWORD tid = 0;
	HANDLE h;
	int err;

	(void)DesiredAccess;
	(void)ObjectAttributes;
	if (irql_above("PsCreateSystemThread", PASSIVE_LEVEL))
		return STATUS_INVALID_DEVICE_STATE;
	if (!ThreadHandle || !StartRoutine) {
		umn_log(UMN_LOG_ERR,
			"PsCreateSystemThread: ThreadHandle and StartRoutine are required");
		return STATUS_INVALID_PARAMETER;
	}
	if (ProcessHandle) {
		umn_log(UMN_LOG_ERR,
			"PsCreateSystemThread: ProcessHandle must be NULL (no other process)");
		return STATUS_INVALID_PARAMETER;
	}
	h = umn_thread_start_kernel(StartRoutine, StartContext, &tid, &err);
	if (!h) {
		umn_log(UMN_LOG_ERR, "PsCreateSystemThread: cannot start a thread: %s",
			strerror(-err));
		return STATUS_INSUFFICIENT_RESOURCES;
	}
	*ThreadHandle = h;
	if (ClientId) {
		ClientId->UniqueProcess = (HANDLE)(uintptr_t)getpid();
		ClientId->UniqueThread = (HANDLE)(uintptr_t)tid;
	}
	return STATUS_SUCCESS;
}

NTSTATUS PsTerminateSystemThread(NTSTATUS ExitStatus)
{
	if (umn_irql_current() != PASSIVE_LEVEL)
		umn_verifier_violation(NULL, UMN_RULE_IRQL, STATUS_INVALID_DEVICE_STATE,
				       "PsTerminateSystemThread called at IRQL %u",
				       umn_irql_current());
	umn_thread_exit((uint32_t)ExitStatus);
}

PKTHREAD KeGetCurrentThread(VOID)
{
	return (PKTHREAD)umn_thread_self_header();
}

PETHREAD PsGetCurrentThread(VOID)
{
	return (PETHREAD)umn_thread_self_header();
}

HANDLE PsGetCurrentThreadId(VOID)
{
	return (HANDLE)(uintptr_t)gettid();
}

HANDLE PsGetCurrentProcessId(VOID)
{
	return (HANDLE)(uintptr_t)getpid();
}

NTSTATUS ObReferenceObjectByHandle(HANDLE Handle, ACCESS_MASK DesiredAccess,
				   POBJECT_TYPE ObjectType, KPROCESSOR_MODE AccessMode,
				   PVOID *Object, POBJECT_HANDLE_INFORMATION HandleInformation)
{
	struct umn_dispatch_header *h;
	bool is_handle;

	(void)AccessMode;
	if (irql_above("ObReferenceObjectByHandle", PASSIVE_LEVEL))
		return STATUS_INVALID_DEVICE_STATE;
	if (!Object)
		return STATUS_INVALID_PARAMETER;
	*Object = NULL;
	h = umn_thread_ref_handle(Handle, &is_handle);
	if (!h)
		return is_handle ? STATUS_OBJECT_TYPE_MISMATCH : STATUS_INVALID_HANDLE;
	if (ObjectType && ObjectType != *PsThreadType) {
		umn_thread_deref_header(h);
		return STATUS_OBJECT_TYPE_MISMATCH;
	}
	if (HandleInformation) {
		HandleInformation->HandleAttributes = OBJ_KERNEL_HANDLE;
		HandleInformation->GrantedAccess =
		    DesiredAccess ? DesiredAccess : THREAD_ALL_ACCESS;
	}
	*Object = h;
	return STATUS_SUCCESS;
}

LONG_PTR ObfReferenceObject(PVOID Object)
{
	if (!umn_thread_ref_header(Object))
		umn_log(UMN_LOG_ERR, "ObReferenceObject: %p is not an object umnic counts", Object);
	return 0;
}

/* Called by ObfDereferenceObject (fileobject.c) before it tries file objects. */
bool umn_km_deref_object(PVOID Object);
bool umn_km_deref_object(PVOID Object)
{
	if (irql_above("ObDereferenceObject", DISPATCH_LEVEL))
		return true;
	return umn_thread_deref_header(Object);
}

NTSTATUS ZwClose(HANDLE Handle)
{
	if (irql_above("ZwClose", PASSIVE_LEVEL))
		return STATUS_INVALID_DEVICE_STATE;
	return umn_handle_close(Handle) ? STATUS_SUCCESS : STATUS_INVALID_HANDLE;
}

static struct umn_thread_attrs *thread_attrs(const char *fn, PKTHREAD Thread)
{
	if (!Thread || !umn_thread_ref_header(Thread)) {
		umn_log(UMN_LOG_ERR, "%s: %p is not a thread object", fn, (void *)Thread);
		return NULL;
	}
	/* The caller holds a reference to its thread object, as on Windows. */
	umn_thread_deref_header(Thread);
	return umn_thread_attrs_of((struct umn_dispatch_header *)Thread);
}

LONG KeSetBasePriorityThread(PKTHREAD Thread, LONG Increment)
{
	struct umn_thread_attrs *a;
	LONG old;

	if (irql_above("KeSetBasePriorityThread", PASSIVE_LEVEL) ||
	    !(a = thread_attrs("KeSetBasePriorityThread", Thread)))
		return 0;
	old = __atomic_exchange_n(&a->base_increment, Increment, __ATOMIC_RELAXED);
	return old;
}

KPRIORITY KeSetPriorityThread(PKTHREAD Thread, KPRIORITY Priority)
{
	struct umn_thread_attrs *a;

	if (irql_above("KeSetPriorityThread", DISPATCH_LEVEL) ||
	    !(a = thread_attrs("KeSetPriorityThread", Thread)))
		return 0;
	if (Priority < LOW_PRIORITY + 1 || Priority > HIGH_PRIORITY) {
		umn_log(UMN_LOG_ERR, "KeSetPriorityThread: priority %d is outside 1..31", Priority);
		return __atomic_load_n(&a->km_priority, __ATOMIC_RELAXED);
	}
	return __atomic_exchange_n(&a->km_priority, Priority, __ATOMIC_RELAXED);
}

KPRIORITY KeQueryPriorityThread(PKTHREAD Thread)
{
	struct umn_thread_attrs *a = thread_attrs("KeQueryPriorityThread", Thread);

	return a ? __atomic_load_n(&a->km_priority, __ATOMIC_RELAXED) : 0;
}

VOID KeSetSystemGroupAffinityThread(PGROUP_AFFINITY Affinity, PGROUP_AFFINITY PreviousAffinity)
{
	struct umn_thread_attrs *a;

	if (irql_above("KeSetSystemGroupAffinityThread", DISPATCH_LEVEL))
		return;
	if (!Affinity || Affinity->Group != 0 || !Affinity->Mask ||
	    (Affinity->Mask & ~umn_active_processors())) {
		umn_verifier_violation(NULL, UMN_RULE_IRQL, STATUS_INVALID_PARAMETER,
				       "KeSetSystemGroupAffinityThread: the affinity must be a "
				       "non-empty set of active processors of group 0");
		return;
	}
	a = umn_thread_self_attrs();
	if (!a)
		return;
	if (PreviousAffinity)
		*PreviousAffinity = a->affinity;
	a->affinity.Mask = Affinity->Mask;
	a->affinity.Group = 0;
}

VOID KeRevertToUserGroupAffinityThread(PGROUP_AFFINITY PreviousAffinity)
{
	struct umn_thread_attrs *a;

	if (irql_above("KeRevertToUserGroupAffinityThread", DISPATCH_LEVEL) || !PreviousAffinity)
		return;
	a = umn_thread_self_attrs();
	if (a && PreviousAffinity->Mask)
		a->affinity.Mask = PreviousAffinity->Mask;
}

ULONG KeQueryActiveProcessorCountEx(USHORT GroupNumber)
{
	if (GroupNumber != 0 && GroupNumber != 0xffff)
		return 0;
	return (ULONG)__builtin_popcountll(umn_active_processors());
}

/* ---- critical regions and push locks --------------------------------------------------------- */

VOID KeEnterCriticalRegion(VOID)
{
	if (!irql_above("KeEnterCriticalRegion", APC_LEVEL))
		critical_regions++;
}

VOID KeLeaveCriticalRegion(VOID)
{
	if (irql_above("KeLeaveCriticalRegion", APC_LEVEL))
		return;
	if (critical_regions <= 0) {
		umn_verifier_violation(NULL, UMN_RULE_CRITICAL_REGION, STATUS_INVALID_DEVICE_STATE,
				       "KeLeaveCriticalRegion without KeEnterCriticalRegion");
		return;
	}
	critical_regions--;
}

VOID KeEnterGuardedRegion(VOID)
{
	if (!irql_above("KeEnterGuardedRegion", APC_LEVEL))
		guarded_regions++;
}

VOID KeLeaveGuardedRegion(VOID)
{
	if (irql_above("KeLeaveGuardedRegion", APC_LEVEL))
		return;
	if (guarded_regions <= 0) {
		umn_verifier_violation(NULL, UMN_RULE_CRITICAL_REGION, STATUS_INVALID_DEVICE_STATE,
				       "KeLeaveGuardedRegion without KeEnterGuardedRegion");
		return;
	}
	guarded_regions--;
}

BOOLEAN KeAreApcsDisabled(VOID)
{
	return critical_regions > 0 || guarded_regions > 0 || umn_irql_current() >= APC_LEVEL;
}

static uint32_t *push_word(PEX_PUSH_LOCK l)
{
	return (uint32_t *)(void *)l;
}

/* The rules of a push lock acquire: at most APC_LEVEL, and APCs disabled. */
static bool push_lock_refused(const char *fn)
{
	if (irql_above(fn, APC_LEVEL))
		return true;
	if (!KeAreApcsDisabled()) {
		umn_verifier_violation(NULL, UMN_RULE_PUSH_LOCK, STATUS_INVALID_DEVICE_STATE,
				       "%s outside a critical region (call KeEnterCriticalRegion "
				       "first)",
				       fn);
		/* Taken anyway: refusing a lock would corrupt what it protects. */
	}
	return false;
}

VOID ExInitializePushLock(PEX_PUSH_LOCK PushLock)
{
	*PushLock = 0;
}

VOID ExAcquirePushLockExclusiveEx(PEX_PUSH_LOCK PushLock, ULONG Flags)
{
	(void)Flags;
	if (!push_lock_refused("ExAcquirePushLockExclusive"))
		umn_rw_lock_excl(push_word(PushLock));
}

VOID ExAcquirePushLockSharedEx(PEX_PUSH_LOCK PushLock, ULONG Flags)
{
	(void)Flags;
	if (!push_lock_refused("ExAcquirePushLockShared"))
		umn_rw_lock_shared(push_word(PushLock));
}

VOID ExReleasePushLockExclusiveEx(PEX_PUSH_LOCK PushLock, ULONG Flags)
{
	(void)Flags;
	if (!umn_rw_unlock_excl(push_word(PushLock)))
		umn_log(UMN_LOG_ERR,
			"ExReleasePushLockExclusive: push lock %p is not held "
			"exclusively",
			(void *)PushLock);
}

VOID ExReleasePushLockSharedEx(PEX_PUSH_LOCK PushLock, ULONG Flags)
{
	(void)Flags;
	if (!umn_rw_unlock_shared(push_word(PushLock)))
		umn_log(UMN_LOG_ERR, "ExReleasePushLockShared: push lock %p is not held shared",
			(void *)PushLock);
}

VOID ExAcquirePushLockExclusive(PEX_PUSH_LOCK PushLock)
{
	ExAcquirePushLockExclusiveEx(PushLock, 0);
}

VOID ExAcquirePushLockShared(PEX_PUSH_LOCK PushLock)
{
	ExAcquirePushLockSharedEx(PushLock, 0);
}

VOID ExReleasePushLockExclusive(PEX_PUSH_LOCK PushLock)
{
	ExReleasePushLockExclusiveEx(PushLock, 0);
}

VOID ExReleasePushLockShared(PEX_PUSH_LOCK PushLock)
{
	ExReleasePushLockSharedEx(PushLock, 0);
}

/* Releases whichever way it is held. */
VOID ExReleasePushLock(PEX_PUSH_LOCK PushLock)
{
	if (!umn_rw_unlock_excl(push_word(PushLock)) && !umn_rw_unlock_shared(push_word(PushLock)))
		umn_log(UMN_LOG_ERR, "ExReleasePushLock: push lock %p is not held",
			(void *)PushLock);
}

/* ---- time ------------------------------------------------------------------------------------ */

VOID KeQuerySystemTime(PLARGE_INTEGER CurrentTime)
{
	CurrentTime->QuadPart = umn_system_time_100ns();
}

VOID KeQuerySystemTimePrecise(PLARGE_INTEGER CurrentTime)
{
	CurrentTime->QuadPart = umn_system_time_100ns();
}

static ULONGLONG boot_100ns(void)
{
	return umn_clock_ns(CLOCK_BOOTTIME) / 100;
}

ULONGLONG KeQueryInterruptTime(VOID)
{
	return boot_100ns();
}

ULONGLONG KeQueryInterruptTimePrecise(PULONGLONG QpcTimeStamp)
{
	LARGE_INTEGER c = KeQueryPerformanceCounter(NULL);

	if (QpcTimeStamp)
		*QpcTimeStamp = (ULONGLONG)c.QuadPart;
	return boot_100ns();
}

LARGE_INTEGER KeQueryPerformanceCounter(PLARGE_INTEGER PerformanceFrequency)
{
	LARGE_INTEGER c;

	c.QuadPart = (LONGLONG)(umn_mono_ns() / 100);
	if (PerformanceFrequency)
		PerformanceFrequency->QuadPart = 10000000;
	return c;
}

#define TIME_INCREMENT 156250 /* 15.625 ms, the usual clock tick */

ULONG KeQueryTimeIncrement(VOID)
{
	return TIME_INCREMENT;
}

VOID KeQueryTickCount(PLARGE_INTEGER CurrentCount)
{
	CurrentCount->QuadPart = (LONGLONG)(boot_100ns() / TIME_INCREMENT);
}

/* ---- pool ------------------------------------------------------------------------------------ */

/* Just before every pool block: what it takes to check and free it. */
struct pool_header {
	uint32_t magic;
	uint32_t tag;
	uint32_t offset; /* from the start of the allocation to the block */
	uint32_t pad;
};
#define POOL_MAGIC 0x6c6f6f50u /* "Pool" */

static PVOID pool_alloc(const char *fn, SIZE_T n, ULONG tag, bool paged, bool zero, bool cache)
{
	size_t align = cache ? 64 : 16;
	struct pool_header *h;
	char *base;

	if (irql_above(fn, paged ? APC_LEVEL : DISPATCH_LEVEL))
		return NULL;
	if (!tag) {
		umn_verifier_violation(NULL, UMN_RULE_POOL, STATUS_INVALID_PARAMETER,
				       "%s with tag 0; a pool tag must not be zero", fn);
		return NULL;
	}
	if (n > SIZE_MAX / 2)
		return NULL;
	if (posix_memalign((void **)&base, align, align + (n ? n : 1)))
		return NULL;
	if (zero)
		memset(base + align, 0, n);
	h = (struct pool_header *)(base + align) - 1;
	h->magic = POOL_MAGIC;
	h->tag = tag;
	h->offset = (uint32_t)align;
	return base + align;
}

PVOID ExAllocatePool2(POOL_FLAGS Flags, SIZE_T NumberOfBytes, ULONG Tag)
{
	const POOL_FLAGS known = POOL_FLAG_USE_QUOTA | POOL_FLAG_UNINITIALIZED |
				 POOL_FLAG_CACHE_ALIGNED | POOL_FLAG_RAISE_ON_FAILURE |
				 POOL_FLAG_NON_PAGED | POOL_FLAG_PAGED;
	POOL_FLAGS required = Flags & 0xffffffffULL;
	bool paged = Flags & POOL_FLAG_PAGED;

	/* Optional flags (above bit 31) may be ignored; required ones must be understood. */
	if ((required & ~known) || !(Flags & POOL_FLAG_NON_PAGED) == !paged) {
		umn_verifier_violation(NULL, UMN_RULE_POOL, STATUS_INVALID_PARAMETER,
				       "ExAllocatePool2: flags 0x%llx; exactly one of "
				       "POOL_FLAG_NON_PAGED and POOL_FLAG_PAGED, and no executable "
				       "or session pool",
				       (unsigned long long)Flags);
		return NULL;
	}
	return pool_alloc("ExAllocatePool2", NumberOfBytes, Tag, paged,
			  !(Flags & POOL_FLAG_UNINITIALIZED), Flags & POOL_FLAG_CACHE_ALIGNED);
}

static bool pool_type_paged(POOL_TYPE t)
{
	return t == PagedPool || t == PagedPoolCacheAligned;
}

static bool pool_type_cache(POOL_TYPE t)
{
	return t == NonPagedPoolCacheAligned || t == PagedPoolCacheAligned ||
	       t == NonPagedPoolNxCacheAligned;
}

PVOID ExAllocatePoolWithTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
	/* Not zeroed on Windows; zeroed here all the same, which no correct driver notices. */
	return pool_alloc("ExAllocatePoolWithTag", NumberOfBytes, Tag, pool_type_paged(PoolType),
			  true, pool_type_cache(PoolType));
}

PVOID ExAllocatePoolZero(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
	return pool_alloc("ExAllocatePoolZero", NumberOfBytes, Tag, pool_type_paged(PoolType), true,
			  pool_type_cache(PoolType));
}

static void pool_free(const char *fn, PVOID P, bool check_tag, ULONG Tag)
{
	struct pool_header *h;

	if (irql_above(fn, DISPATCH_LEVEL))
		return;
	if (!P) {
		umn_verifier_violation(NULL, UMN_RULE_POOL, STATUS_INVALID_PARAMETER, "%s(NULL)",
				       fn);
		return;
	}
	h = (struct pool_header *)P - 1;
	if (h->magic != POOL_MAGIC) {
		umn_verifier_violation(NULL, UMN_RULE_POOL, STATUS_INVALID_PARAMETER,
				       "%s(%p): not pool memory, or freed twice", fn, P);
		return;
	}
	if (check_tag && h->tag != Tag)
		umn_verifier_violation(NULL, UMN_RULE_POOL_TAG, STATUS_INVALID_PARAMETER,
				       "%s(%p, tag 0x%08x): allocated with tag 0x%08x", fn, P, Tag,
				       h->tag);
	h->magic = 0;
	free((char *)P - h->offset);
}

VOID ExFreePoolWithTag(PVOID P, ULONG Tag)
{
	pool_free("ExFreePoolWithTag", P, true, Tag);
}

VOID ExFreePool(PVOID P)
{
	pool_free("ExFreePool", P, false, 0);
}
