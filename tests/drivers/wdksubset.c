/* SPDX-License-Identifier: MIT */
/*
 * wdksubset: a WDK-style driver that runs the Win32 subset (user mode) or the
 * kernel-mode subset (in-host, _KERNEL_MODE) inside the real driver process,
 * sandbox included, and reports the self-managed I/O callbacks it saw.
 *
 *   IOCTL_WDKSUB_SELFTEST  output: "PASS <n> checks" or "FAIL line <l>: <expr>"
 *   IOCTL_WDKSUB_HISTORY   output: the PnP/power callbacks of this process, in order;
 *                          D0Entry with the power state it was given, D0Exit with it
 *                          and whether the power-managed default queue and a queue a
 *                          filter driver leaves not power-managed dispatched requests
 *                          then, SelfManagedIoSuspend and Restart with the default
 *                          queue's ("queue:on" or "queue:off"); the power policy
 *                          callbacks too, should they ever run
 *
 * EvtDriverDeviceAdd also sets up what WDK drivers commonly do and umnic has
 * no event for (power policy callbacks and settings, filter, device state, a
 * WMI instance) and fails, naming the call in the log, when one of them does
 * not answer as WDF documents. The source uses the WDK's older spellings
 * where drivers still do: SAL 1 annotations, the per-object EVT_ callback
 * type names, PAGED_CODE, NT_ASSERT, NT_VERIFY, DEFINE_GUID with INITGUID.
 *
 * Written against the WDK interface only, in C that also compiles as C++
 * (wdksubset.cpp adds C++ to it, in user mode and in kernel mode).
 */
#include <string.h>

#include <initguid.h>
#include <wdf.h>
#ifdef _KERNEL_MODE
#include <ntddk.h>
#include <ntstrsafe.h>
#define StringCbPrintfA RtlStringCbPrintfA
#define StringCbCatA	RtlStringCbCatA
#else
#include <windows.h>
#include <strsafe.h>
#endif

#ifndef WDKSUB_NAME
#define WDKSUB_NAME UmnicWdkSubset
#endif
#define WDKSUB_WIDE2(s)	      L##s
#define WDKSUB_WIDE(s)	      WDKSUB_WIDE2(s)
#define WDKSUB_STR2(s)	      #s
#define WDKSUB_STR(s)	      WDKSUB_STR2(s)
#define WDKSUB_LINK	      WDKSUB_WIDE("\\DosDevices\\" WDKSUB_STR(WDKSUB_NAME))
#define WDKSUB_DEVICE_TYPE    0x8124u
#define IOCTL_WDKSUB_SELFTEST CTL_CODE(WDKSUB_DEVICE_TYPE, 0x900, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_WDKSUB_HISTORY  CTL_CODE(WDKSUB_DEVICE_TYPE, 0x901, METHOD_BUFFERED, FILE_ANY_ACCESS)

/* The WMI data block the device registers (defined here: INITGUID is on). */
DEFINE_GUID(GUID_WDKSUB_WMI, 0x5b0c3a61, 0x7d2e, 0x4f58, 0x9a, 0x41, 0x2c, 0x6e, 0x1f, 0x83, 0xd4,
	    0x07);

/* ---- results --------------------------------------------------------------------------------- */

static char g_report[256];
static int g_checks;
static int g_failed;

#define CHECK(e)                                                                                   \
	do {                                                                                       \
		g_checks++;                                                                        \
		if (!(e) && !g_failed) {                                                           \
			g_failed = 1;                                                              \
			StringCbPrintfA(g_report, sizeof(g_report), "FAIL line %d: %s", __LINE__,  \
					#e);                                                       \
		}                                                                                  \
	} while (0)

/* Callbacks seen, appended under a lock: "PrepareHardware D0Entry SelfManagedIoInit ...". */
static char g_history[1024];
static WDFWAITLOCK g_history_lock;

static void Record(PCSTR what)
{
	if (g_history_lock)
		WdfWaitLockAcquire(g_history_lock, NULL);
	if (g_history[0])
		StringCbCatA(g_history, sizeof(g_history), " ");
	StringCbCatA(g_history, sizeof(g_history), what);
	if (g_history_lock)
		WdfWaitLockRelease(g_history_lock);
	DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_INFO_LEVEL, "%s: %s\n", WDKSUB_STR(WDKSUB_NAME),
		   what);
}

#ifndef _KERNEL_MODE
/* ---- the Win32 subset ------------------------------------------------------------------------ */

#ifdef __cplusplus
/* A C++ driver's lock guard: FORCEINLINE members must stay members. */
class SrwExclusive
{
      public:
	FORCEINLINE explicit SrwExclusive(PSRWLOCK Lock) : m_Lock(Lock)
	{
		AcquireSRWLockExclusive(m_Lock);
	}
	FORCEINLINE ~SrwExclusive()
	{
		ReleaseSRWLockExclusive(m_Lock);
	}

      private:
	PSRWLOCK m_Lock;
};
#endif

static SRWLOCK g_srw = SRWLOCK_INIT;
static CRITICAL_SECTION g_cs;
static volatile LONG g_counter;

static DWORD WINAPI Hammer(LPVOID Context)
{
	for (int i = 0; i < 5000; i++) {
		if (Context) {
			EnterCriticalSection(&g_cs);
			g_counter++;
			LeaveCriticalSection(&g_cs);
		} else {
#ifdef __cplusplus
			SrwExclusive guard(&g_srw);
			g_counter++;
#else
			AcquireSRWLockExclusive(&g_srw);
			g_counter++;
			ReleaseSRWLockExclusive(&g_srw);
#endif
		}
	}
	return 0;
}

static DWORD WINAPI SetLater(LPVOID Context)
{
	Sleep(20);
	SetEvent((HANDLE)Context);
	return 5;
}

/* Ends from inside without returning (no unwinding, which the sandbox could not support). */
static DWORD WINAPI Quit(LPVOID Context)
{
	UNREFERENCED_PARAMETER(Context);
	ExitThread(9);
}

static DWORD WINAPI TakeAndLeave(LPVOID Context)
{
	return WaitForSingleObject((HANDLE)Context, INFINITE);
}

static void SelfTest(void)
{
	HANDLE ev[2], t[4], m;
	DWORD tid = 0, code = 0;
	GROUP_AFFINITY all, one, prev;
	LARGE_INTEGER f, a, b;
	ULONGLONG t0;
	PUCHAR p;

	/* Events and waits. */
	ev[0] = CreateEventW(NULL, TRUE, FALSE, NULL);
	ev[1] = CreateEvent(NULL, FALSE, FALSE, NULL);
	CHECK(ev[0] && ev[1]);
	CHECK(WaitForSingleObject(ev[0], 10) == WAIT_TIMEOUT);
	CHECK(WaitForMultipleObjects(2, ev, FALSE, 0) == WAIT_TIMEOUT);
	t[0] = CreateThread(NULL, 0, SetLater, ev[1], 0, &tid);
	CHECK(t[0] != NULL && tid != 0);
	CHECK(WaitForMultipleObjects(2, ev, FALSE, INFINITE) == WAIT_OBJECT_0 + 1);
	CHECK(WaitForSingleObject(t[0], INFINITE) == WAIT_OBJECT_0);
	CHECK(GetExitCodeThread(t[0], &code) && code == 5);
	CHECK(CloseHandle(t[0]));
	SetEvent(ev[0]);
	SetEvent(ev[1]);
	CHECK(WaitForMultipleObjects(2, ev, TRUE, 0) == WAIT_OBJECT_0);
	CHECK(WaitForSingleObject(ev[1], 0) == WAIT_TIMEOUT);
	CHECK(ResetEvent(ev[0]) && WaitForSingleObject(ev[0], 0) == WAIT_TIMEOUT);
	CloseHandle(ev[0]);
	CloseHandle(ev[1]);
	CHECK(!CloseHandle(ev[1]) && GetLastError() == ERROR_INVALID_HANDLE);

	/* An abandoned mutex. */
	m = CreateMutexW(NULL, FALSE, NULL);
	t[0] = CreateThread(NULL, 0, TakeAndLeave, m, 0, NULL);
	CHECK(WaitForSingleObject(t[0], 10000) == WAIT_OBJECT_0);
	CHECK(WaitForSingleObject(m, 0) == WAIT_ABANDONED);
	CHECK(ReleaseMutex(m));
	CloseHandle(t[0]);
	CloseHandle(m);

	/* Threads: priority and affinity recorded, suspended start. */
	t[0] = CreateThread(NULL, 0, SetLater, CreateEventW(NULL, TRUE, FALSE, NULL),
			    CREATE_SUSPENDED, NULL);
	CHECK(SetThreadPriority(t[0], THREAD_PRIORITY_HIGHEST));
	CHECK(GetThreadPriority(t[0]) == THREAD_PRIORITY_HIGHEST);
	CHECK(GetThreadPriority(GetCurrentThread()) == THREAD_PRIORITY_NORMAL);
	CHECK(GetThreadGroupAffinity(t[0], &all) && all.Mask != 0);
	memset(&one, 0, sizeof(one));
	one.Mask = all.Mask & (~all.Mask + 1);
	CHECK(SetThreadGroupAffinity(t[0], &one, &prev) && prev.Mask == all.Mask);
	CHECK(GetThreadGroupAffinity(t[0], &prev) && prev.Mask == one.Mask);
	CHECK(ResumeThread(t[0]) == 1);
	CHECK(WaitForSingleObject(t[0], INFINITE) == WAIT_OBJECT_0);
	CloseHandle(t[0]);
	CHECK(GetCurrentThreadId() != 0);
	t[0] = CreateThread(NULL, 0, Quit, NULL, 0, NULL);
	CHECK(WaitForSingleObject(t[0], INFINITE) == WAIT_OBJECT_0);
	CHECK(GetExitCodeThread(t[0], &code) && code == 9);
	CloseHandle(t[0]);

	/* Locks under contention. */
	InitializeCriticalSection(&g_cs);
	for (int pass = 0; pass < 2; pass++) {
		g_counter = 0;
		for (int i = 0; i < 4; i++)
			t[i] = CreateThread(NULL, 0, Hammer, pass ? (LPVOID)1 : NULL, 0, NULL);
		CHECK(WaitForMultipleObjects(4, t, TRUE, INFINITE) == WAIT_OBJECT_0);
		for (int i = 0; i < 4; i++)
			CloseHandle(t[i]);
		CHECK(g_counter == 20000);
	}
	DeleteCriticalSection(&g_cs);
	CHECK(TryAcquireSRWLockShared(&g_srw));
	CHECK(!TryAcquireSRWLockExclusive(&g_srw));
	ReleaseSRWLockShared(&g_srw);

	/* Time. */
	t0 = GetTickCount64();
	CHECK(QueryPerformanceFrequency(&f) && f.QuadPart == 10000000);
	QueryPerformanceCounter(&a);
	Sleep(30);
	QueryPerformanceCounter(&b);
	CHECK(b.QuadPart - a.QuadPart >= 25 * 10000);
	CHECK(GetTickCount64() - t0 >= 25);

	/* Errors, heap, intrinsics. */
	SetLastError(ERROR_NOT_ENOUGH_MEMORY);
	CHECK(GetLastError() == ERROR_NOT_ENOUGH_MEMORY);
	CHECK(NTSTATUS_FROM_WIN32(ERROR_ACCESS_DENIED) == (NTSTATUS)0xC0070005);
	p = (PUCHAR)HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, 64);
	CHECK(p && p[63] == 0 && HeapSize(GetProcessHeap(), 0, p) == 64);
	CHECK(HeapFree(GetProcessHeap(), 0, p));
	CHECK(_byteswap_ulong(0x11223344) == 0x44332211 && _byteswap_ushort(0x1122) == 0x2211);
}

#else
/* ---- the kernel-mode subset ------------------------------------------------------------------ */

static KEVENT g_go;
static EX_PUSH_LOCK g_push;
static volatile LONG g_counter;
static volatile LONG g_dpc_runs;

#ifdef __cplusplus
/* A C++ in-host driver's guard: a critical region holding a push lock exclusively. */
class PushLockExclusive
{
      public:
	FORCEINLINE explicit PushLockExclusive(PEX_PUSH_LOCK Lock) : m_Lock(Lock)
	{
		KeEnterCriticalRegion();
		ExAcquirePushLockExclusive(m_Lock);
	}
	FORCEINLINE ~PushLockExclusive()
	{
		ExReleasePushLockExclusive(m_Lock);
		KeLeaveCriticalRegion();
	}

      private:
	PEX_PUSH_LOCK m_Lock;
};
#endif

static VOID SystemThread(PVOID Context)
{
	KeWaitForSingleObject(&g_go, Executive, KernelMode, FALSE, NULL);
	for (int i = 0; i < 5000; i++) {
#ifdef __cplusplus
		PushLockExclusive guard(&g_push);
		g_counter++;
#else
		KeEnterCriticalRegion();
		ExAcquirePushLockExclusive(&g_push);
		g_counter++;
		ExReleasePushLockExclusive(&g_push);
		KeLeaveCriticalRegion();
#endif
	}
	UNREFERENCED_PARAMETER(Context);
	PsTerminateSystemThread(STATUS_SUCCESS);
}

static VOID EvtDpc(WDFDPC Dpc)
{
	LARGE_INTEGER d;

	UNREFERENCED_PARAMETER(Dpc);
	d.QuadPart = 0;
	/* At DISPATCH_LEVEL a wait may only poll. */
	if (KeGetCurrentIrql() == DISPATCH_LEVEL &&
	    KeWaitForSingleObject(&g_go, Executive, KernelMode, FALSE, &d) == STATUS_SUCCESS)
		InterlockedIncrement(&g_dpc_runs);
}

static void SelfTest(WDFDEVICE Device)
{
	HANDLE h[3];
	PVOID thread[3];
	KEVENT sync;
	LARGE_INTEGER t, s1, s2;
	GROUP_AFFINITY one, prev;
	WDF_DPC_CONFIG dc;
	WDF_OBJECT_ATTRIBUTES da;
	WDFDPC dpc;
	WDF_MEMORY_DESCRIPTOR md;
	PUCHAR p;

	/* Events with time-outs. */
	KeInitializeEvent(&g_go, NotificationEvent, FALSE);
	KeInitializeEvent(&sync, SynchronizationEvent, TRUE);
	t.QuadPart = -10 * 10000;
	CHECK(KeWaitForSingleObject(&g_go, Executive, KernelMode, FALSE, &t) == STATUS_TIMEOUT);
	CHECK(KeWaitForSingleObject(&sync, Executive, KernelMode, FALSE, &t) == STATUS_SUCCESS);
	CHECK(KeReadStateEvent(&sync) == 0);

	/* System threads, their objects and push locks. */
	ExInitializePushLock(&g_push);
	g_counter = 0;
	for (int i = 0; i < 3; i++) {
		CHECK(PsCreateSystemThread(&h[i], THREAD_ALL_ACCESS, NULL, NULL, NULL, SystemThread,
					   NULL) == STATUS_SUCCESS);
		CHECK(ObReferenceObjectByHandle(h[i], THREAD_ALL_ACCESS, *PsThreadType, KernelMode,
						&thread[i], NULL) == STATUS_SUCCESS);
		CHECK(ZwClose(h[i]) == STATUS_SUCCESS);
	}
	CHECK(KeSetBasePriorityThread((PKTHREAD)thread[0], 1) == 0);
	CHECK(KeSetEvent(&g_go, IO_NO_INCREMENT, FALSE) == 0);
	for (int i = 0; i < 3; i++) {
		CHECK(KeWaitForSingleObject(thread[i], Executive, KernelMode, FALSE, NULL) ==
		      STATUS_SUCCESS);
		ObDereferenceObject(thread[i]);
	}
	CHECK(g_counter == 15000);

	/* Affinity of the current thread, recorded and reverted. */
	memset(&one, 0, sizeof(one));
	one.Mask = 1;
	KeSetSystemGroupAffinityThread(&one, &prev);
	CHECK(prev.Mask != 0);
	KeRevertToUserGroupAffinityThread(&prev);

	/* Time. */
	KeQuerySystemTimePrecise(&s1);
	t.QuadPart = -20 * 10000;
	CHECK(KeDelayExecutionThread(KernelMode, FALSE, &t) == STATUS_SUCCESS);
	KeQuerySystemTime(&s2);
	CHECK(s2.QuadPart - s1.QuadPart >= 15 * 10000);

	/* A DPC, flushed. */
	WDF_DPC_CONFIG_INIT(&dc, EvtDpc);
	WDF_OBJECT_ATTRIBUTES_INIT(&da);
	da.ParentObject = Device;
	CHECK(WdfDpcCreate(&dc, &da, &dpc) == STATUS_SUCCESS);
	g_dpc_runs = 0;
	CHECK(WdfDpcEnqueue(dpc));
	KeFlushQueuedDpcs();
	CHECK(g_dpc_runs == 1);
	WdfObjectDelete(dpc);

	/* Pool. */
	p = (PUCHAR)ExAllocatePool2(POOL_FLAG_NON_PAGED, 128, 0x62755357 /* 'WSub' */);
	CHECK(p && p[127] == 0);
	if (p)
		ExFreePoolWithTag(p, 0x62755357);

	/* An MDL descriptor is refused with STATUS_NOT_SUPPORTED before anything is sent. */
	WDF_MEMORY_DESCRIPTOR_INIT_MDL(&md, (PMDL)&md, sizeof(md));
	CHECK(WdfIoTargetSendIoctlSynchronously(WdfDeviceGetIoTarget(Device), NULL,
						IOCTL_WDKSUB_SELFTEST, &md, NULL, NULL,
						NULL) == STATUS_NOT_SUPPORTED);
}
#endif

/* ---- the device ------------------------------------------------------------------------------ */

static NTSTATUS EvtPrepareHardware(__in WDFDEVICE Device, __in WDFCMRESLIST Raw,
				   __in WDFCMRESLIST Translated)
{
	PAGED_CODE();
	NT_ASSERT(Device != NULL);
	UNREFERENCED_PARAMETER(Device);
	UNREFERENCED_PARAMETER(Raw);
	UNREFERENCED_PARAMETER(Translated);
	Record("PrepareHardware");
	return STATUS_SUCCESS;
}

static NTSTATUS EvtReleaseHardware(WDFDEVICE Device, WDFCMRESLIST Translated)
{
	UNREFERENCED_PARAMETER(Device);
	UNREFERENCED_PARAMETER(Translated);
	Record("ReleaseHardware");
	return STATUS_SUCCESS;
}

static PCSTR PowerStateName(WDF_POWER_DEVICE_STATE State)
{
	switch (State) {
	case WdfPowerDeviceD0:
		return "D0";
	case WdfPowerDeviceD1:
		return "D1";
	case WdfPowerDeviceD2:
		return "D2";
	case WdfPowerDeviceD3:
		return "D3";
	case WdfPowerDeviceD3Final:
		return "D3Final";
	default:
		return "other";
	}
}

/* Records "What(detail)". */
static void Record2(PCSTR What, PCSTR Detail)
{
	char line[64];

	StringCbPrintfA(line, sizeof(line), "%s(%s)", What, Detail);
	Record(line);
}

/* Whether the device's default queue presents requests now. */
static PCSTR QueueState(WDFDEVICE Device)
{
	WDFQUEUE queue = WdfDeviceGetDefaultQueue(Device);

	if (queue && (WdfIoQueueGetState(queue, NULL, NULL) & WdfIoQueueDispatchRequests))
		return "queue:on";
	return "queue:off";
}

static NTSTATUS EvtD0Entry(WDFDEVICE Device, WDF_POWER_DEVICE_STATE PreviousState)
{
	UNREFERENCED_PARAMETER(Device);
	Record2("D0Entry", PowerStateName(PreviousState));
	return STATUS_SUCCESS;
}

/* A manual queue with PowerManaged left to WDF: not power-managed in a filter driver. */
static WDFQUEUE g_filter_queue;

static NTSTATUS EvtD0Exit(WDFDEVICE Device, WDF_POWER_DEVICE_STATE TargetState)
{
	char detail[48];
	BOOLEAN manual = g_filter_queue && (WdfIoQueueGetState(g_filter_queue, NULL, NULL) &
					    WdfIoQueueDispatchRequests);

	StringCbPrintfA(detail, sizeof(detail), "%s,%s,manual:%s", PowerStateName(TargetState),
			QueueState(Device), manual ? "on" : "off");
	Record2("D0Exit", detail);
	return STATUS_SUCCESS;
}

static NTSTATUS EvtSmioInit(WDFDEVICE Device)
{
	UNREFERENCED_PARAMETER(Device);
	Record("SelfManagedIoInit");
	return STATUS_SUCCESS;
}

static NTSTATUS EvtSmioSuspend(WDFDEVICE Device)
{
	Record2("SelfManagedIoSuspend", QueueState(Device));
	return STATUS_SUCCESS;
}

static NTSTATUS EvtSmioRestart(WDFDEVICE Device)
{
	Record2("SelfManagedIoRestart", QueueState(Device));
	return STATUS_SUCCESS;
}

static VOID EvtSmioFlush(WDFDEVICE Device)
{
	UNREFERENCED_PARAMETER(Device);
	Record("SelfManagedIoFlush");
}

static VOID EvtSmioCleanup(WDFDEVICE Device)
{
	UNREFERENCED_PARAMETER(Device);
	Record("SelfManagedIoCleanup");
}

/* ---- what umnic has no event for: recorded if it ever runs ----------------------------------- */

static NTSTATUS EvtArmWakeFromS0(WDFDEVICE Device)
{
	UNREFERENCED_PARAMETER(Device);
	Record("ArmWakeFromS0");
	return STATUS_SUCCESS;
}

static VOID EvtDisarmWakeFromS0(WDFDEVICE Device)
{
	UNREFERENCED_PARAMETER(Device);
	Record("DisarmWakeFromS0");
}

static VOID EvtWakeFromS0Triggered(WDFDEVICE Device)
{
	UNREFERENCED_PARAMETER(Device);
	Record("WakeFromS0Triggered");
}

static NTSTATUS EvtArmWakeFromSx(WDFDEVICE Device)
{
	UNREFERENCED_PARAMETER(Device);
	Record("ArmWakeFromSx");
	return STATUS_SUCCESS;
}

static VOID EvtDisarmWakeFromSx(WDFDEVICE Device)
{
	UNREFERENCED_PARAMETER(Device);
	Record("DisarmWakeFromSx");
}

static VOID EvtWakeFromSxTriggered(WDFDEVICE Device)
{
	UNREFERENCED_PARAMETER(Device);
	Record("WakeFromSxTriggered");
}

static NTSTATUS EvtWmiQueryInstance(WDFWMIINSTANCE WmiInstance, ULONG OutBufferSize,
				    PVOID OutBuffer, PULONG BufferUsed)
{
	UNREFERENCED_PARAMETER(WmiInstance);
	if (OutBufferSize < sizeof(ULONG))
		return STATUS_BUFFER_TOO_SMALL;
	*(PULONG)OutBuffer = 0;
	*BufferUsed = sizeof(ULONG);
	Record("WmiQueryInstance");
	return STATUS_SUCCESS;
}

/* Declared with the older per-object names, as many drivers still do. */
EVT_WDF_DEVICE_CONTEXT_CLEANUP EvtDeviceContextCleanup;
EVT_WDF_IO_QUEUE_CONTEXT_DESTROY_CALLBACK EvtQueueContextDestroy;

VOID EvtDeviceContextCleanup(WDFOBJECT Device)
{
	UNREFERENCED_PARAMETER(Device);
	Record("DeviceContextCleanup");
}

VOID EvtQueueContextDestroy(WDFOBJECT Queue)
{
	UNREFERENCED_PARAMETER(Queue);
	Record("QueueContextDestroy");
}

/* Logs which call of the device's setup failed, and passes its status on. */
static NTSTATUS SetupFailed(__in PCSTR Call, __in NTSTATUS Status)
{
	DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL, "%s: %s failed with 0x%08x\n",
		   WDKSUB_STR(WDKSUB_NAME), Call, (unsigned)Status);
	return Status;
}

/*
 * Power policy settings, device state and a WMI instance, each checked: the
 * settings are accepted, the device state reads back as set, the WMI
 * instance belongs to the device and fires an event.
 */
static NTSTATUS SetUpPolicyStateAndWmi(__in WDFDEVICE Device, __out_opt WDFWMIINSTANCE *Wmi)
{
	WDF_DEVICE_POWER_POLICY_IDLE_SETTINGS idle;
	WDF_DEVICE_POWER_POLICY_WAKE_SETTINGS wake;
	WDF_DEVICE_STATE state, back;
	WDF_WMI_PROVIDER_CONFIG provider;
	WDF_WMI_INSTANCE_CONFIG instance;
	WDFWMIINSTANCE wmi;
	ULONG data = 1;
	NTSTATUS status;

	PAGED_CODE();
	WDF_DEVICE_POWER_POLICY_IDLE_SETTINGS_INIT(&idle, IdleCanWakeFromS0);
	idle.IdleTimeout = 10000;
	status = WdfDeviceAssignS0IdleSettings(Device, &idle);
	if (!NT_SUCCESS(status))
		return SetupFailed("WdfDeviceAssignS0IdleSettings", status);
	WDF_DEVICE_POWER_POLICY_WAKE_SETTINGS_INIT(&wake);
	wake.Enabled = WdfTrue;
	status = WdfDeviceAssignSxWakeSettings(Device, &wake);
	if (!NT_SUCCESS(status))
		return SetupFailed("WdfDeviceAssignSxWakeSettings", status);

	WDF_DEVICE_STATE_INIT(&state);
	state.DontDisplayInUI = WdfTrue;
	WdfDeviceSetDeviceState(Device, &state);
	WDF_DEVICE_STATE_INIT(&back);
	back.DontDisplayInUI = WdfFalse;
	WdfDeviceGetDeviceState(Device, &back);
	if (back.DontDisplayInUI != WdfTrue || back.Failed != WdfUseDefault)
		return SetupFailed("WdfDeviceSetDeviceState (read back)", STATUS_UNSUCCESSFUL);

	WDF_WMI_PROVIDER_CONFIG_INIT(&provider, &GUID_WDKSUB_WMI);
	provider.MinInstanceBufferSize = sizeof(ULONG);
	WDF_WMI_INSTANCE_CONFIG_INIT_PROVIDER_CONFIG(&instance, &provider);
	instance.Register = TRUE;
	instance.EvtWmiInstanceQueryInstance = EvtWmiQueryInstance;
	status = WdfWmiInstanceCreate(Device, &instance, WDF_NO_OBJECT_ATTRIBUTES, &wmi);
	if (!NT_SUCCESS(status))
		return SetupFailed("WdfWmiInstanceCreate", status);
	if (WdfWmiInstanceGetDevice(wmi) != Device ||
	    WdfWmiProviderGetDevice(WdfWmiInstanceGetProvider(wmi)) != Device)
		return SetupFailed("WdfWmiInstanceGetDevice", STATUS_UNSUCCESSFUL);
	status = WdfWmiInstanceFireEvent(wmi, sizeof(data), &data);
	if (!NT_SUCCESS(status))
		return SetupFailed("WdfWmiInstanceFireEvent", status);
	if (Wmi)
		*Wmi = wmi;
	return STATUS_SUCCESS;
}

static void Reply(__in WDFREQUEST Request, __in PCSTR Text)
{
	size_t n = strlen(Text), room;
	PVOID out;

	if (!NT_SUCCESS(WdfRequestRetrieveOutputBuffer(Request, 1, &out, &room))) {
		WdfRequestComplete(Request, STATUS_BUFFER_TOO_SMALL);
		return;
	}
	if (n > room)
		n = room;
	memcpy(out, Text, n);
	WdfRequestCompleteWithInformation(Request, STATUS_SUCCESS, n);
}

static VOID EvtIoDeviceControl(WDFQUEUE Queue, WDFREQUEST Request, size_t OutputBufferLength,
			       size_t InputBufferLength, ULONG IoControlCode)
{
	UNREFERENCED_PARAMETER(OutputBufferLength);
	UNREFERENCED_PARAMETER(InputBufferLength);
	switch (IoControlCode) {
	case IOCTL_WDKSUB_SELFTEST:
		g_checks = 0;
		g_failed = 0;
#ifdef _KERNEL_MODE
		SelfTest(WdfIoQueueGetDevice(Queue));
#else
		UNREFERENCED_PARAMETER(Queue);
		SelfTest();
#endif
		if (!g_failed)
			StringCbPrintfA(g_report, sizeof(g_report), "PASS %d checks", g_checks);
		Reply(Request, g_report);
		return;
	case IOCTL_WDKSUB_HISTORY:
		WdfWaitLockAcquire(g_history_lock, NULL);
		Reply(Request, g_history);
		WdfWaitLockRelease(g_history_lock);
		return;
	default:
		WdfRequestComplete(Request, STATUS_INVALID_DEVICE_REQUEST);
	}
}

static NTSTATUS EvtDeviceAdd(__in WDFDRIVER Driver, __inout PWDFDEVICE_INIT DeviceInit)
{
	DECLARE_CONST_UNICODE_STRING(link, WDKSUB_LINK);
	WDF_PNPPOWER_EVENT_CALLBACKS pnp;
	WDF_POWER_POLICY_EVENT_CALLBACKS policy;
	WDF_OBJECT_ATTRIBUTES attributes;
	WDF_IO_QUEUE_CONFIG queue;
	WDFWMIINSTANCE wmi = NULL;
	WDFDEVICE device;
	NTSTATUS status;

	PAGED_CODE();
	UNREFERENCED_PARAMETER(Driver);
	/* A filter: queues are not power-managed unless they say so. */
	WdfFdoInitSetFilter(DeviceInit);
	WDF_POWER_POLICY_EVENT_CALLBACKS_INIT(&policy);
	policy.EvtDeviceArmWakeFromS0 = EvtArmWakeFromS0;
	policy.EvtDeviceDisarmWakeFromS0 = EvtDisarmWakeFromS0;
	policy.EvtDeviceWakeFromS0Triggered = EvtWakeFromS0Triggered;
	policy.EvtDeviceArmWakeFromSx = EvtArmWakeFromSx;
	policy.EvtDeviceDisarmWakeFromSx = EvtDisarmWakeFromSx;
	policy.EvtDeviceWakeFromSxTriggered = EvtWakeFromSxTriggered;
	WdfDeviceInitSetPowerPolicyEventCallbacks(DeviceInit, &policy);
	WDF_PNPPOWER_EVENT_CALLBACKS_INIT(&pnp);
	pnp.EvtDevicePrepareHardware = EvtPrepareHardware;
	pnp.EvtDeviceReleaseHardware = EvtReleaseHardware;
	pnp.EvtDeviceD0Entry = EvtD0Entry;
	pnp.EvtDeviceD0Exit = EvtD0Exit;
	pnp.EvtDeviceSelfManagedIoInit = EvtSmioInit;
	pnp.EvtDeviceSelfManagedIoSuspend = EvtSmioSuspend;
	pnp.EvtDeviceSelfManagedIoRestart = EvtSmioRestart;
	pnp.EvtDeviceSelfManagedIoFlush = EvtSmioFlush;
	pnp.EvtDeviceSelfManagedIoCleanup = EvtSmioCleanup;
	WdfDeviceInitSetPnpPowerEventCallbacks(DeviceInit, &pnp);
	WDF_OBJECT_ATTRIBUTES_INIT(&attributes);
	attributes.EvtCleanupCallback = EvtDeviceContextCleanup;
	status = WdfDeviceCreate(&DeviceInit, &attributes, &device);
	if (!NT_SUCCESS(status))
		return SetupFailed("WdfDeviceCreate", status);
	status = SetUpPolicyStateAndWmi(device, &wmi);
	if (!NT_SUCCESS(status))
		return status;
	NT_VERIFY(wmi != NULL);

	/* The default queue asks to be power-managed; the manual one leaves it to WDF. */
	WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&queue, WdfIoQueueDispatchSequential);
	queue.PowerManaged = WdfTrue;
	queue.EvtIoDeviceControl = EvtIoDeviceControl;
	WDF_OBJECT_ATTRIBUTES_INIT(&attributes);
	attributes.EvtDestroyCallback = EvtQueueContextDestroy;
	status = WdfIoQueueCreate(device, &queue, &attributes, WDF_NO_HANDLE);
	if (!NT_SUCCESS(status))
		return SetupFailed("WdfIoQueueCreate (default)", status);
	WDF_IO_QUEUE_CONFIG_INIT(&queue, WdfIoQueueDispatchManual);
	status = WdfIoQueueCreate(device, &queue, WDF_NO_OBJECT_ATTRIBUTES, &g_filter_queue);
	if (!NT_SUCCESS(status))
		return SetupFailed("WdfIoQueueCreate (manual)", status);
	status = WdfDeviceCreateSymbolicLink(device, &link);
	if (!NT_SUCCESS(status))
		return SetupFailed("WdfDeviceCreateSymbolicLink", status);
	return STATUS_SUCCESS;
}

EXTERN_C NTSTATUS DriverEntry(__in PDRIVER_OBJECT DriverObject, __in PUNICODE_STRING RegistryPath)
{
	WDF_DRIVER_CONFIG config;
	NTSTATUS status;

	WDF_DRIVER_CONFIG_INIT(&config, EvtDeviceAdd);
	status = WdfDriverCreate(DriverObject, RegistryPath, WDF_NO_OBJECT_ATTRIBUTES, &config,
				 WDF_NO_HANDLE);
	if (NT_SUCCESS(status) && !g_history_lock)
		status = WdfWaitLockCreate(WDF_NO_OBJECT_ATTRIBUTES, &g_history_lock);
	return status;
}
