/* SPDX-License-Identifier: MIT */
/*
 * Kernel-mode driver sources include <wdm.h>. It brings the basic types and
 * status codes and, in an in-host (_KERNEL_MODE) build, the few WDM object
 * calls an in-host driver needs to reach another device without a WDF
 * target name: a device object and a file object to hand to
 * WDF_IO_TARGET_OPEN_PARAMS_INIT_EXISTING_DEVICE.
 */
#ifndef UMNIC_WDM_H
#define UMNIC_WDM_H
#include <ntdef.h>
#include <ntstatus.h>
#include <wdftypes.h>

UMNIC_EXTERN_C_BEGIN

#ifdef _KERNEL_MODE
/*
 * Opens the device named ObjectName (a symbolic link such as
 * L"\\DosDevices\\UmnicEcho") for DesiredAccess: *FileObject is a file
 * object created on that device (its EvtDeviceFileCreate ran), *DeviceObject
 * the device. Release with ObDereferenceObject(*FileObject), which also ends
 * the device object's use.
 */
NTSTATUS IoGetDeviceObjectPointer(PUNICODE_STRING ObjectName, ACCESS_MASK DesiredAccess,
				  PFILE_OBJECT *FileObject, PDEVICE_OBJECT *DeviceObject);
LONG_PTR ObfDereferenceObject(PVOID Object);
#define ObDereferenceObject(o) ObfDereferenceObject(o)

/* ---- Kernel events, waits, threads, push locks, time, pool (in-host drivers) ------------- */

/*
 * The header waitable kernel objects start with. KEVENT is driver memory
 * (initialize it with KeInitializeEvent); SignalState is what waiters
 * sleep on.
 */
typedef struct _DISPATCHER_HEADER {
	UCHAR Type;
	UCHAR Signalling;
	UCHAR Size;
	UCHAR Reserved1;
	volatile LONG SignalState;
	LIST_ENTRY WaitListHead;
} DISPATCHER_HEADER, *PDISPATCHER_HEADER;

typedef struct _KEVENT {
	DISPATCHER_HEADER Header;
} KEVENT, *PKEVENT, *PRKEVENT;

typedef struct _KTHREAD *PKTHREAD, *PRKTHREAD;
typedef struct _ETHREAD *PETHREAD;
typedef struct _OBJECT_TYPE *POBJECT_TYPE;

typedef enum _KWAIT_REASON {
	Executive,
	FreePage,
	PageIn,
	PoolAllocation,
	DelayExecution,
	Suspended,
	UserRequest,
	WrExecutive,
	WrFreePage,
	WrPageIn,
	WrPoolAllocation,
	WrDelayExecution,
	WrSuspended,
	WrUserRequest,
	MaximumWaitReason = 40
} KWAIT_REASON;

#define IO_NO_INCREMENT 0
#define EVENT_INCREMENT 1
#define LOW_PRIORITY 0
#define LOW_REALTIME_PRIORITY 16
#define HIGH_PRIORITY 31
#define MAXIMUM_PRIORITY 32

/*
 * KeSetEvent returns the previous state; Wait is accepted and ignored.
 * KeWaitForSingleObject takes a KEVENT or a thread object
 * (ObReferenceObjectByHandle of a PsCreateSystemThread handle). Timeout:
 * NULL waits for ever, negative is relative and positive absolute (system
 * time), in 100 ns units; STATUS_SUCCESS or STATUS_TIMEOUT. Verifier rule
 * IrqlTooHigh: above DISPATCH_LEVEL, or above APC_LEVEL unless the time-out
 * is zero, the call fails with STATUS_INVALID_DEVICE_STATE.
 */
VOID KeInitializeEvent(PRKEVENT Event, EVENT_TYPE Type, BOOLEAN State);
LONG KeSetEvent(PRKEVENT Event, KPRIORITY Increment, BOOLEAN Wait);
VOID KeClearEvent(PRKEVENT Event);
LONG KeResetEvent(PRKEVENT Event);
LONG KeReadStateEvent(PRKEVENT Event);
NTSTATUS KeWaitForSingleObject(PVOID Object, KWAIT_REASON WaitReason, KPROCESSOR_MODE WaitMode,
			       BOOLEAN Alertable, PLARGE_INTEGER Timeout);
NTSTATUS KeDelayExecutionThread(KPROCESSOR_MODE WaitMode, BOOLEAN Alertable,
				PLARGE_INTEGER Interval);

typedef struct _OBJECT_ATTRIBUTES {
	ULONG Length;
	HANDLE RootDirectory;
	PUNICODE_STRING ObjectName;
	ULONG Attributes;
	PVOID SecurityDescriptor;
	PVOID SecurityQualityOfService;
} OBJECT_ATTRIBUTES, *POBJECT_ATTRIBUTES;
#define OBJ_INHERIT 0x00000002L
#define OBJ_CASE_INSENSITIVE 0x00000040L
#define OBJ_KERNEL_HANDLE 0x00000200L
#define InitializeObjectAttributes(p, n, a, r, s)   \
	do {                                        \
		(p)->Length = sizeof(OBJECT_ATTRIBUTES); \
		(p)->RootDirectory = (r);           \
		(p)->Attributes = (a);              \
		(p)->ObjectName = (n);              \
		(p)->SecurityDescriptor = (s);      \
		(p)->SecurityQualityOfService = NULL; \
	} while (0)

typedef struct _CLIENT_ID {
	HANDLE UniqueProcess;
	HANDLE UniqueThread;
} CLIENT_ID, *PCLIENT_ID;

typedef struct _OBJECT_HANDLE_INFORMATION {
	ULONG HandleAttributes;
	ACCESS_MASK GrantedAccess;
} OBJECT_HANDLE_INFORMATION, *POBJECT_HANDLE_INFORMATION;

typedef VOID KSTART_ROUTINE(PVOID StartContext);
typedef KSTART_ROUTINE *PKSTART_ROUTINE;

#ifndef THREAD_ALL_ACCESS
#define THREAD_ALL_ACCESS 0x1FFFFF
#endif

/* Object types ObReferenceObjectByHandle checks against. */
extern POBJECT_TYPE *PsThreadType;
extern POBJECT_TYPE *ExEventObjectType;

/*
 * A thread of umnicd running StartRoutine(StartContext) at PASSIVE_LEVEL with
 * every signal blocked; ProcessHandle must be NULL (umnicd is the only
 * process). The handle is closed with ZwClose; waiting for the thread's end
 * needs its object (ObReferenceObjectByHandle, then KeWaitForSingleObject).
 */
NTSTATUS PsCreateSystemThread(PHANDLE ThreadHandle, ULONG DesiredAccess,
			      POBJECT_ATTRIBUTES ObjectAttributes, HANDLE ProcessHandle,
			      PCLIENT_ID ClientId, PKSTART_ROUTINE StartRoutine,
			      PVOID StartContext);
NTSTATUS PsTerminateSystemThread(NTSTATUS ExitStatus);
PKTHREAD KeGetCurrentThread(VOID);
PETHREAD PsGetCurrentThread(VOID);
HANDLE PsGetCurrentThreadId(VOID);
HANDLE PsGetCurrentProcessId(VOID);
/* Thread handles only: STATUS_OBJECT_TYPE_MISMATCH for another type, else STATUS_INVALID_HANDLE. */
NTSTATUS ObReferenceObjectByHandle(HANDLE Handle, ACCESS_MASK DesiredAccess,
				   POBJECT_TYPE ObjectType, KPROCESSOR_MODE AccessMode, PVOID *Object,
				   POBJECT_HANDLE_INFORMATION HandleInformation);
LONG_PTR ObfReferenceObject(PVOID Object);
#define ObReferenceObject(o) ObfReferenceObject(o)
NTSTATUS ZwClose(HANDLE Handle);

/*
 * Priorities and affinities are recorded per thread and reported back; the
 * scheduling of umnicd's threads does not change.
 */
LONG KeSetBasePriorityThread(PKTHREAD Thread, LONG Increment);
KPRIORITY KeSetPriorityThread(PKTHREAD Thread, KPRIORITY Priority);
KPRIORITY KeQueryPriorityThread(PKTHREAD Thread);
VOID KeSetSystemGroupAffinityThread(PGROUP_AFFINITY Affinity, PGROUP_AFFINITY PreviousAffinity);
VOID KeRevertToUserGroupAffinityThread(PGROUP_AFFINITY PreviousAffinity);
ULONG KeQueryActiveProcessorCountEx(USHORT GroupNumber);

/*
 * Push locks: pointer sized, zero is unlocked, not recursive. Callers are at
 * or below APC_LEVEL and inside a critical region (KeEnterCriticalRegion)
 * or at APC_LEVEL; otherwise verifier rule PushLockOutsideCriticalRegion.
 */
typedef ULONG_PTR EX_PUSH_LOCK, *PEX_PUSH_LOCK;
#define EX_DEFAULT_PUSH_LOCK_FLAGS 0
VOID ExInitializePushLock(PEX_PUSH_LOCK PushLock);
VOID ExAcquirePushLockExclusiveEx(PEX_PUSH_LOCK PushLock, ULONG Flags);
VOID ExAcquirePushLockSharedEx(PEX_PUSH_LOCK PushLock, ULONG Flags);
VOID ExReleasePushLockExclusiveEx(PEX_PUSH_LOCK PushLock, ULONG Flags);
VOID ExReleasePushLockSharedEx(PEX_PUSH_LOCK PushLock, ULONG Flags);
VOID ExAcquirePushLockExclusive(PEX_PUSH_LOCK PushLock);
VOID ExAcquirePushLockShared(PEX_PUSH_LOCK PushLock);
VOID ExReleasePushLockExclusive(PEX_PUSH_LOCK PushLock);
VOID ExReleasePushLockShared(PEX_PUSH_LOCK PushLock);
VOID ExReleasePushLock(PEX_PUSH_LOCK PushLock);

/* Critical and guarded regions nest per thread; leaving one not entered: CriticalRegionMismatch. */
VOID KeEnterCriticalRegion(VOID);
VOID KeLeaveCriticalRegion(VOID);
VOID KeEnterGuardedRegion(VOID);
VOID KeLeaveGuardedRegion(VOID);
BOOLEAN KeAreApcsDisabled(VOID);

/* System time: 100 ns units since 1601-01-01 UTC. Interrupt time: 100 ns units since boot. */
VOID KeQuerySystemTime(PLARGE_INTEGER CurrentTime);
VOID KeQuerySystemTimePrecise(PLARGE_INTEGER CurrentTime);
ULONGLONG KeQueryInterruptTime(VOID);
ULONGLONG KeQueryInterruptTimePrecise(PULONGLONG QpcTimeStamp);
/* 10 MHz, as QueryPerformanceCounter. */
LARGE_INTEGER KeQueryPerformanceCounter(PLARGE_INTEGER PerformanceFrequency);
/* Ticks of KeQueryTimeIncrement() (156,250 = 15.625 ms) since boot. */
VOID KeQueryTickCount(PLARGE_INTEGER CurrentCount);
ULONG KeQueryTimeIncrement(VOID);

/* Returns once every DPC queued before the call (WdfDpcEnqueue) has run. PASSIVE_LEVEL. */
VOID KeFlushQueuedDpcs(VOID);

typedef ULONG64 POOL_FLAGS;
#define POOL_FLAG_REQUIRED_START 0x0000000000000001ULL
#define POOL_FLAG_USE_QUOTA 0x0000000000000001ULL
#define POOL_FLAG_UNINITIALIZED 0x0000000000000002ULL
#define POOL_FLAG_SESSION 0x0000000000000004ULL
#define POOL_FLAG_CACHE_ALIGNED 0x0000000000000008ULL
#define POOL_FLAG_RAISE_ON_FAILURE 0x0000000000000020ULL
#define POOL_FLAG_NON_PAGED 0x0000000000000040ULL
#define POOL_FLAG_NON_PAGED_EXECUTE 0x0000000000000080ULL
#define POOL_FLAG_PAGED 0x0000000000000100ULL
#define POOL_FLAG_REQUIRED_END 0x0000000080000000ULL
#define POOL_FLAG_OPTIONAL_START 0x0000000100000000ULL
#define POOL_FLAG_SPECIAL_POOL 0x0000000100000000ULL
#define POOL_FLAG_OPTIONAL_END 0x8000000000000000ULL

/*
 * Pool memory from the heap: zeroed unless POOL_FLAG_UNINITIALIZED, 16-byte
 * aligned (64 with POOL_FLAG_CACHE_ALIGNED), never executable. Exactly one
 * of NON_PAGED and PAGED; a zero Tag, NON_PAGED_EXECUTE, unknown flags, or
 * paged memory above APC_LEVEL are verifier violations (NULL). Freeing with
 * a tag other than the one allocated with is rule PoolTagMismatch; the
 * memory is freed anyway.
 */
PVOID ExAllocatePool2(POOL_FLAGS Flags, SIZE_T NumberOfBytes, ULONG Tag);
PVOID ExAllocatePoolWithTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag);
PVOID ExAllocatePoolZero(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag);
VOID ExFreePoolWithTag(PVOID P, ULONG Tag);
VOID ExFreePool(PVOID P);
#endif

UMNIC_EXTERN_C_END

#endif
