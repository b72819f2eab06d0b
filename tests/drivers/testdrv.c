/* SPDX-License-Identifier: MIT */
/*
 * A driver that breaks one rule on purpose, chosen by the device parameter
 * "Mode" (umnic install ... --param Mode=N), so integration tests can check
 * that umnic refuses or stops it and says why. Mode 0 is a well-behaved
 * adapter that discards what it is sent.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <wdf.h>
#include <netadaptercx.h>

enum {
	MODE_GOOD = 0,
	MODE_TX_DMA_CAPS = 1,
	MODE_RX_DRIVER_ALLOCATION = 2,
	MODE_TX_DMA_MAPPED = 3,
	MODE_NO_MTU = 4,
	MODE_DEVICE_ADD_FAILS = 5,
	MODE_CRASH_IN_PREPARE = 6,
	MODE_GARBAGE_INDEX = 7,
	MODE_CORRUPT_DESCRIPTOR = 8,
	MODE_START_TWICE = 9,
	MODE_HANG_IN_ADVANCE = 10,
	/* EvtDeviceD0Exit never returns: the device's removal never ends. */
	MODE_HANG_IN_D0_EXIT = 11,
	/* Never return: from EvtDriverDeviceAdd, or from EvtDevicePrepareHardware. */
	MODE_HANG_IN_DEVICE_ADD = 12,
	MODE_HANG_IN_PREPARE = 13,
	/* Escape attempts: EvtDriverDeviceAdd fails with STATUS_ACCESS_DENIED when the attempt was
	 * refused with EPERM, STATUS_UNSUCCESSFUL when it worked (the sandbox leaked). */
	MODE_OPEN_FILE = 20,
	MODE_SOCKET = 21,
	MODE_EXEC = 22,
	MODE_PTRACE = 23,
	MODE_KILL_OTHERS = 24,
	MODE_MMAP_EXEC = 25,
	MODE_MPROTECT_EXEC = 26,
	MODE_PROCESS_VM_WRITE = 27,
	MODE_MOUNT = 28,
	MODE_FLOOD = 29,
	MODE_GARBAGE_MESSAGE = 30,
	/* Completions of requests umnicd never sent, by the thousand; then it behaves. */
	MODE_STRAY_COMPLETIONS = 31,
	/* Reports an error whose text holds quotes, backslashes, control characters and
	 * non-UTF-8 bytes, then fails EvtDriverDeviceAdd: what umnicd repeats must stay valid. */
	MODE_ODD_REPORT = 32,
	/* Sets the CPUs of another thread (the host's first): only its own are allowed. */
	MODE_AFFINITY_OTHER = 33,
	/* Uses the UDP socket umnicd granted in EvtDevicePrepareHardware: sends one datagram. */
	MODE_USE_RESOURCE = 40,
	/* Name squatting: creates the echo driver's symbolic link (in other letter case) and fails
	 * EvtDriverDeviceAdd with what WdfDeviceCreateSymbolicLink returned, if it failed. */
	MODE_SQUAT_LINK = 41,
	/* The same, but the adapter starts anyway and a timer retries the link every 20 ms. */
	MODE_SQUAT_RETRY = 42,
	/* Exposes the device interface TESTDRV_INTERFACE. */
	MODE_INTERFACE = 43,
	/* Reads wait forever (in a manual queue, where the framework cancels them when their
	 * client goes); the device is opened as TEST_PENDING_LINK. */
	MODE_PEND_READS = 44,
};

#define TEST_PENDING_LINK L"UmnicTestPending"

/* {5e0a8c1d-7b3f-4c2a-9d61-0f4b2a7c9e13} */
static const GUID TestInterface = { 0x5e0a8c1d, 0x7b3f, 0x4c2a,
				    { 0x9d, 0x61, 0x0f, 0x4b, 0x2a, 0x7c, 0x9e, 0x13 } };

typedef struct {
	ULONG Mode;
	NETADAPTER Adapter;
	WDFQUEUE Pending;
} TEST_DEVICE;
WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(TEST_DEVICE, TestGetDevice);

typedef struct {
	ULONG Mode;
	const NET_RING_COLLECTION *Rings;
	BOOLEAN Tx;
} TEST_QUEUE;
WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(TEST_QUEUE, TestGetQueue);

static ULONG CurrentMode;

static NTSTATUS Squat(WDFDEVICE device)
{
	DECLARE_CONST_UNICODE_STRING(link, L"\\DosDevices\\UMNICECHO");

	return WdfDeviceCreateSymbolicLink(device, &link);
}

static void SquatRetry(WDFTIMER timer)
{
	if (NT_SUCCESS(Squat((WDFDEVICE)WdfTimerGetParentObject(timer))))
		WdfTimerStop(timer, FALSE);
}

static void HangForever(void)
{
	for (;;) {
		struct timespec ts = { 3600, 0 };
		nanosleep(&ts, NULL);
	}
}

/* Maps the outcome of a forbidden call to the status DeviceAdd fails with. */
static NTSTATUS Outcome(long rc)
{
	if (rc != -1)
		return STATUS_UNSUCCESSFUL; /* it worked: the sandbox leaked */
	return errno == EPERM ? STATUS_ACCESS_DENIED : STATUS_NOT_SUPPORTED;
}

static NTSTATUS Escape(ULONG mode)
{
	static char code[64];
	char *const argv[] = { "/bin/sh", "-c", "true", NULL };
	struct iovec local = { code, 1 }, remote = { (void *)0x1000, 1 };

	switch (mode) {
	case MODE_OPEN_FILE:
		return Outcome(open("/etc/passwd", O_RDONLY));
	case MODE_SOCKET:
		return Outcome(socket(AF_INET, SOCK_STREAM, 0));
	case MODE_EXEC:
		return Outcome(execve(argv[0], argv, argv + 3));
	case MODE_PTRACE:
		return Outcome(ptrace(PTRACE_ATTACH, getppid() > 0 ? getppid() : 1, NULL, NULL));
	case MODE_KILL_OTHERS:
		/* Every process it may signal: umnicd and the other hosts, were it allowed. */
		return Outcome(kill(-1, SIGKILL));
	case MODE_MMAP_EXEC: {
		void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		return Outcome(p == MAP_FAILED ? -1 : 0);
	}
	case MODE_MPROTECT_EXEC: {
		void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return STATUS_NOT_SUPPORTED;
		return Outcome(mprotect(p, 4096, PROT_READ | PROT_EXEC));
	}
	case MODE_PROCESS_VM_WRITE:
		return Outcome(process_vm_writev(1, &local, 1, &remote, 1, 0));
	case MODE_MOUNT:
		return Outcome(mount("none", "/", "tmpfs", 0, NULL));
	case MODE_AFFINITY_OTHER: {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(0, &set);
		return Outcome(sched_setaffinity(getpid(), sizeof(set), &set));
	}
	case MODE_FLOOD: {
		/* Valid-looking log messages as fast as the socket takes them. */
		struct {
			UINT32 type, len;
			UINT64 seq;
			UINT32 dev, level;
			char text[512];
		} m = { 101, sizeof(m), 0, 0, 3, "flood" };
		for (int i = 0; i < 200000; i++)
			if (write(3, &m, sizeof(m)) < 0)
				break;
		return STATUS_SUCCESS;
	}
	case MODE_GARBAGE_MESSAGE:
		if (write(3, "garbage that is no message", 26) < 0)
			return STATUS_NOT_SUPPORTED;
		sleep(1);
		return STATUS_SUCCESS;
	case MODE_STRAY_COMPLETIONS: {
		/* Well-formed I/O completions (umnic's type 107) naming ids umnicd never gave out. */
		struct {
			UINT32 type, len;
			UINT64 seq, id, information;
			INT32 status;
			UINT32 data_len;
		} m = { 107, sizeof(m), 0, 0, 0, 0, 0 };
		for (UINT64 i = 0; i < 20000; i++) {
			m.id = (1ull << 62) + i;
			if (write(3, &m, sizeof(m)) < 0)
				return STATUS_NOT_SUPPORTED;
		}
		/* Past umnicd's one-second log interval, so the count of the rest is logged. */
		sleep(2);
		return STATUS_SUCCESS;
	}
	case MODE_ODD_REPORT: {
		/* umnic's log message (type 101) at error level, for the host itself. */
		struct {
			UINT32 type, len;
			UINT64 seq;
			UINT32 dev, level;
			char text[512];
		} m = { 101, sizeof(m), 0, 0xFFFFFFFFu, 3,
			"the driver says \"no\" to C:\\odd\\path\n"
			"second line\tand \x01 \xff\xfe end" };
		struct timespec ts = { 0, 300 * 1000 * 1000 };

		if (write(3, &m, sizeof(m)) < 0)
			return STATUS_NOT_SUPPORTED;
		/* The runtime's reply may travel on the message ring, which umnicd reads before
		 * the socket: give umnicd time to take the report first, as the runtime's own. */
		nanosleep(&ts, NULL);
		return STATUS_DEVICE_CONFIGURATION_ERROR;
	}
	default:
		return STATUS_SUCCESS;
	}
}

static void EvtAdvance(NETPACKETQUEUE Queue)
{
	TEST_QUEUE *q = TestGetQueue(Queue);
	NET_RING *pr = NetRingCollectionGetPacketRing(q->Rings);
	NET_RING *fr = NetRingCollectionGetFragmentRing(q->Rings);

	if (q->Tx || q->Mode == MODE_GOOD) {
		/* Everything posted goes straight back. */
		if (q->Tx) {
			pr->BeginIndex = pr->EndIndex;
			fr->BeginIndex = fr->EndIndex;
		}
		return;
	}
	if (q->Mode == MODE_HANG_IN_ADVANCE) {
		/* Never returns: the execution context makes no more progress. */
		for (;;) {
			struct timespec ts = { 1, 0 };
			nanosleep(&ts, NULL);
		}
	}
	if (pr->BeginIndex == pr->EndIndex || fr->BeginIndex == fr->EndIndex)
		return;
	if (q->Mode == MODE_GARBAGE_INDEX) {
		pr->BeginIndex = 0xDEADBEEF;
		return;
	}
	if (q->Mode == MODE_CORRUPT_DESCRIPTOR) {
		NET_PACKET *p = NetRingGetPacketAtIndex(pr, pr->BeginIndex);
		NET_FRAGMENT *f = NetRingGetFragmentAtIndex(fr, fr->BeginIndex);

		f->Offset = 1000;
		f->ValidLength = f->Capacity;
		p->FragmentIndex = fr->BeginIndex;
		p->FragmentCount = 1;
		fr->BeginIndex = NetRingIncrementIndex(fr, fr->BeginIndex);
		pr->BeginIndex = NetRingIncrementIndex(pr, pr->BeginIndex);
	}
}

static void EvtSetNotificationEnabled(NETPACKETQUEUE Queue, BOOLEAN Enabled)
{
	UNREFERENCED_PARAMETER(Queue);
	UNREFERENCED_PARAMETER(Enabled);
}

static void EvtCancel(NETPACKETQUEUE Queue)
{
	TEST_QUEUE *q = TestGetQueue(Queue);
	NET_RING *pr = NetRingCollectionGetPacketRing(q->Rings);
	NET_RING *fr = NetRingCollectionGetFragmentRing(q->Rings);

	for (UINT32 i = pr->BeginIndex; i != pr->EndIndex; i = NetRingIncrementIndex(pr, i))
		NetRingGetPacketAtIndex(pr, i)->Ignore = 1;
	pr->BeginIndex = pr->EndIndex;
	fr->BeginIndex = fr->EndIndex;
}

static NTSTATUS CreateQueue(NETADAPTER Adapter, BOOLEAN Tx, void *Init)
{
	WDF_OBJECT_ATTRIBUTES attributes;
	NET_PACKET_QUEUE_CONFIG config;
	NETPACKETQUEUE queue;
	NTSTATUS status;

	UNREFERENCED_PARAMETER(Adapter);
	WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&attributes, TEST_QUEUE);
	NET_PACKET_QUEUE_CONFIG_INIT(&config, EvtAdvance, EvtSetNotificationEnabled, EvtCancel);
	status = Tx ? NetTxQueueCreate((NETTXQUEUE_INIT *)Init, &attributes, &config, &queue)
		    : NetRxQueueCreate((NETRXQUEUE_INIT *)Init, &attributes, &config, &queue);
	if (!NT_SUCCESS(status))
		return status;
	TestGetQueue(queue)->Mode = CurrentMode;
	TestGetQueue(queue)->Tx = Tx;
	TestGetQueue(queue)->Rings = Tx ? NetTxQueueGetRingCollection(queue) : NetRxQueueGetRingCollection(queue);
	return STATUS_SUCCESS;
}

static NTSTATUS EvtCreateTxQueue(NETADAPTER Adapter, NETTXQUEUE_INIT *Init)
{
	return CreateQueue(Adapter, TRUE, Init);
}

static NTSTATUS EvtCreateRxQueue(NETADAPTER Adapter, NETRXQUEUE_INIT *Init)
{
	return CreateQueue(Adapter, FALSE, Init);
}

static NTSTATUS EvtPrepareHardware(WDFDEVICE Device, WDFCMRESLIST Raw, WDFCMRESLIST Translated)
{
	TEST_DEVICE *d = TestGetDevice(Device);
	NET_ADAPTER_TX_CAPABILITIES tx;
	NET_ADAPTER_RX_CAPABILITIES rx;
	NET_ADAPTER_LINK_LAYER_CAPABILITIES link;
	NET_ADAPTER_LINK_STATE state;
	static int dummy_dma_capabilities;
	NTSTATUS status;

	UNREFERENCED_PARAMETER(Raw);
	if (d->Mode == MODE_USE_RESOURCE) {
		ULONG sent = 0;
		for (ULONG i = 0; i < WdfCmResourceListGetCount(Translated); i++) {
			PCM_PARTIAL_RESOURCE_DESCRIPTOR r = WdfCmResourceListGetDescriptor(Translated, i);
			if (UmnicResourceIsFileDescriptor(r) &&
			    r->u.DevicePrivate.Data[1] == UMNIC_RESOURCE_FD_UDP_SOCKET &&
			    write((int)r->u.DevicePrivate.Data[0], "granted socket works", 20) == 20)
				sent++;
		}
		if (!sent)
			return STATUS_DEVICE_CONFIGURATION_ERROR;
	}
	if (d->Mode == MODE_HANG_IN_PREPARE)
		HangForever();
	if (d->Mode == MODE_CRASH_IN_PREPARE) {
		volatile int *volatile nowhere = NULL;
		*nowhere = 1;
	}

	NET_ADAPTER_TX_CAPABILITIES_INIT(&tx, 1);
	NET_ADAPTER_RX_CAPABILITIES_INIT_SYSTEM_MANAGED(&rx, 1514, 1);
	switch (d->Mode) {
	case MODE_TX_DMA_CAPS:
		/* What a KMDF driver passes; a user-mode driver may not. */
		tx.DmaCapabilities = (void *)&dummy_dma_capabilities;
		break;
	case MODE_RX_DRIVER_ALLOCATION:
		/* The Driver enumerator is hidden from user-mode builds; a ported binary may still pass it. */
		rx.AllocationMode = (NET_RX_FRAGMENT_BUFFER_ALLOCATION_MODE)1;
		break;
	case MODE_TX_DMA_MAPPED:
		tx.MappingRequirement = NetMemoryMappingRequirementDmaMapped;
		break;
	default:
		break;
	}
	NetAdapterSetDataPathCapabilities(d->Adapter, &tx, &rx);
	NET_ADAPTER_LINK_LAYER_CAPABILITIES_INIT(&link, 1000000000ull, 1000000000ull);
	NetAdapterSetLinkLayerCapabilities(d->Adapter, &link);
	if (d->Mode != MODE_NO_MTU)
		NetAdapterSetLinkLayerMtuSize(d->Adapter, 1500);
	status = NetAdapterStart(d->Adapter);
	if (!NT_SUCCESS(status))
		return status;
	if (d->Mode == MODE_START_TWICE) {
		status = NetAdapterStart(d->Adapter);
		if (!NT_SUCCESS(status))
			return status;
	}
	NET_ADAPTER_LINK_STATE_INIT(&state, 1000000000ull, MediaConnectStateConnected, MediaDuplexStateFull,
				    NetAdapterPauseFunctionTypeUnsupported, NetAdapterAutoNegotiationFlagNone);
	NetAdapterSetLinkState(d->Adapter, &state);
	return STATUS_SUCCESS;
}

static NTSTATUS EvtD0Exit(WDFDEVICE Device, WDF_POWER_DEVICE_STATE TargetState)
{
	UNREFERENCED_PARAMETER(TargetState);
	if (TestGetDevice(Device)->Mode == MODE_HANG_IN_D0_EXIT) {
		for (;;) {
			struct timespec ts = { 1, 0 };
			nanosleep(&ts, NULL);
		}
	}
	return STATUS_SUCCESS;
}

static void EvtIoReadPend(WDFQUEUE Queue, WDFREQUEST Request, size_t Length)
{
	TEST_DEVICE *d = TestGetDevice(WdfIoQueueGetDevice(Queue));
	NTSTATUS status = WdfRequestForwardToIoQueue(Request, d->Pending);

	UNREFERENCED_PARAMETER(Length);
	if (!NT_SUCCESS(status))
		WdfRequestComplete(Request, status);
}

static NTSTATUS PendReads(WDFDEVICE Device)
{
	DECLARE_CONST_UNICODE_STRING(link, TEST_PENDING_LINK);
	WDF_IO_QUEUE_CONFIG queue;
	NTSTATUS status;

	WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&queue, WdfIoQueueDispatchParallel);
	queue.EvtIoRead = EvtIoReadPend;
	status = WdfIoQueueCreate(Device, &queue, WDF_NO_OBJECT_ATTRIBUTES, WDF_NO_HANDLE);
	if (!NT_SUCCESS(status))
		return status;
	WDF_IO_QUEUE_CONFIG_INIT(&queue, WdfIoQueueDispatchManual);
	status = WdfIoQueueCreate(Device, &queue, WDF_NO_OBJECT_ATTRIBUTES,
				  &TestGetDevice(Device)->Pending);
	if (!NT_SUCCESS(status))
		return status;
	return WdfDeviceCreateSymbolicLink(Device, &link);
}

static NTSTATUS EvtDeviceAdd(WDFDRIVER Driver, PWDFDEVICE_INIT DeviceInit)
{
	DECLARE_CONST_UNICODE_STRING(modeName, L"Mode");
	WDF_PNPPOWER_EVENT_CALLBACKS pnp;
	WDF_OBJECT_ATTRIBUTES attributes;
	NET_ADAPTER_DATAPATH_CALLBACKS datapath;
	NETADAPTER_INIT *init;
	WDFDEVICE device;
	WDFKEY key;
	TEST_DEVICE *d;
	NTSTATUS status;

	UNREFERENCED_PARAMETER(Driver);
	status = NetDeviceInitConfig(DeviceInit);
	if (!NT_SUCCESS(status))
		return status;
	WDF_PNPPOWER_EVENT_CALLBACKS_INIT(&pnp);
	pnp.EvtDevicePrepareHardware = EvtPrepareHardware;
	pnp.EvtDeviceD0Exit = EvtD0Exit;
	WdfDeviceInitSetPnpPowerEventCallbacks(DeviceInit, &pnp);
	WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&attributes, TEST_DEVICE);
	status = WdfDeviceCreate(&DeviceInit, &attributes, &device);
	if (!NT_SUCCESS(status))
		return status;
	d = TestGetDevice(device);
	if (NT_SUCCESS(WdfDeviceOpenRegistryKey(device, PLUGPLAY_REGKEY_DEVICE, KEY_READ, WDF_NO_OBJECT_ATTRIBUTES,
						&key))) {
		WdfRegistryQueryULong(key, &modeName, &d->Mode);
		WdfRegistryClose(key);
	}
	CurrentMode = d->Mode;
	if (d->Mode == MODE_DEVICE_ADD_FAILS)
		return STATUS_INSUFFICIENT_RESOURCES;
	if (d->Mode == MODE_SQUAT_LINK || d->Mode == MODE_SQUAT_RETRY) {
		status = Squat(device);
		if (!NT_SUCCESS(status) && d->Mode == MODE_SQUAT_LINK)
			return status;
		if (!NT_SUCCESS(status)) {
			WDF_TIMER_CONFIG timer;
			WDFTIMER t;

			WDF_TIMER_CONFIG_INIT_PERIODIC(&timer, SquatRetry, 20);
			WDF_OBJECT_ATTRIBUTES_INIT(&attributes);
			attributes.ParentObject = device;
			status = WdfTimerCreate(&timer, &attributes, &t);
			if (!NT_SUCCESS(status))
				return status;
			WdfTimerStart(t, WDF_REL_TIMEOUT_IN_MS(20));
		}
	} else if (d->Mode == MODE_INTERFACE) {
		status = WdfDeviceCreateDeviceInterface(device, &TestInterface, NULL);
		if (!NT_SUCCESS(status))
			return status;
	} else if (d->Mode >= MODE_OPEN_FILE) {
}

	if (d->Mode == MODE_HANG_IN_DEVICE_ADD)
		HangForever();
	if (d->Mode >= MODE_OPEN_FILE) {
		status = Escape(d->Mode);
		if (!NT_SUCCESS(status))
			return status;
	}
	if (d->Mode == MODE_PEND_READS) {
		status = PendReads(device);
		if (!NT_SUCCESS(status))
			return status;
	}

	init = NetAdapterInitAllocate(device);
	if (!init)
		return STATUS_INSUFFICIENT_RESOURCES;
	NET_ADAPTER_DATAPATH_CALLBACKS_INIT(&datapath, EvtCreateTxQueue, EvtCreateRxQueue);
	NetAdapterInitSetDatapathCallbacks(init, &datapath);
	status = NetAdapterCreate(init, WDF_NO_OBJECT_ATTRIBUTES, &d->Adapter);
	NetAdapterInitFree(init);
	return status;
}

#ifndef TESTDRV_NO_ENTRY
NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
	WDF_DRIVER_CONFIG config;

#ifdef TESTDRV_ENTRY_FAILS
	UNREFERENCED_PARAMETER(DriverObject);
	UNREFERENCED_PARAMETER(RegistryPath);
	UNREFERENCED_PARAMETER(config);
	(void)EvtDeviceAdd;
	return STATUS_DEVICE_CONFIGURATION_ERROR;
#else
	WDF_DRIVER_CONFIG_INIT(&config, EvtDeviceAdd);
	return WdfDriverCreate(DriverObject, RegistryPath, WDF_NO_OBJECT_ATTRIBUTES, &config, WDF_NO_HANDLE);
#endif
}
#else
/* Exports something, but not DriverEntry. */
NTSTATUS NotDriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath);
NTSTATUS NotDriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
	UNREFERENCED_PARAMETER(DriverObject);
	UNREFERENCED_PARAMETER(RegistryPath);
	return EvtDeviceAdd(NULL, NULL);
}
#endif
