/* SPDX-License-Identifier: MIT */
/*
 * vpair: a virtual Ethernet pair written as a user-mode NetAdapterCx driver.
 *
 * Two devices share one driver host. Each has an adapter with one TX and one
 * RX queue. A frame transmitted on one side is copied into a bounded wire
 * queue; the wire thread carries it across and wakes the other side's RX
 * queue, whose Advance copies it into a buffer the system posted. Nothing
 * here is umnic-specific: it is written against the WDK interface.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include <wdf.h>
#include <netadaptercx.h>
#include <net/virtualaddress.h>

#define VPAIR_MAX_FRAME 1514u
#define VPAIR_WIRE_SLOTS 512u /* power of two */

/* One direction of the wire: TX writes at prod, the wire thread moves ready, RX reads at cons. */
typedef struct _VPAIR_WIRE {
	_Alignas(64) _Atomic UINT32 Produced;
	_Alignas(64) _Atomic UINT32 Delivered;
	_Alignas(64) _Atomic UINT32 Consumed;
	struct {
		UINT32 Length;
		UCHAR Data[VPAIR_MAX_FRAME];
	} Slot[VPAIR_WIRE_SLOTS];
} VPAIR_WIRE;

typedef struct _VPAIR_QUEUE {
	NETPACKETQUEUE Queue;
	const NET_RING_COLLECTION *Rings;
	NET_EXTENSION VirtualAddress;
	_Atomic BOOLEAN NotificationEnabled;
	_Atomic BOOLEAN Cancelled;
	struct _VPAIR_ADAPTER *Adapter;
} VPAIR_QUEUE;
WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(VPAIR_QUEUE, VPairGetQueue);

typedef struct _VPAIR_ADAPTER {
	NETADAPTER Adapter;
	ULONG Side;
	ULONG Mtu;
	ULONG64 LinkSpeed;
	VPAIR_WIRE *Out;	/* frames this side transmits */
	VPAIR_WIRE *In;		/* frames this side receives */
	_Atomic(VPAIR_QUEUE *) TxQueue;
	_Atomic(VPAIR_QUEUE *) RxQueue;
	NET_PACKET_FILTER_FLAGS PacketFilter;	/* as the OS last set it */
} VPAIR_ADAPTER;
WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(VPAIR_ADAPTER, VPairGetAdapter);

typedef struct _VPAIR_DEVICE {
	NETADAPTER Adapter;
} VPAIR_DEVICE;
WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(VPAIR_DEVICE, VPairGetDevice);

/* The pair, shared by both devices of the driver host. */
static struct {
	pthread_mutex_t Lock;
	pthread_cond_t Wake;
	BOOLEAN WireSleeping;
	BOOLEAN ThreadStarted;
	ULONG Devices;
	VPAIR_ADAPTER *Side[2];
	VPAIR_WIRE Wire[2]; /* Wire[s] carries frames sent by side s */
	pthread_t Thread;
} Pair = { .Lock = PTHREAD_MUTEX_INITIALIZER, .Wake = PTHREAD_COND_INITIALIZER };

static void WireKick(void)
{
	pthread_mutex_lock(&Pair.Lock);
	if (Pair.WireSleeping)
		pthread_cond_signal(&Pair.Wake);
	pthread_mutex_unlock(&Pair.Lock);
}

static void NotifyRx(VPAIR_ADAPTER *Adapter)
{
	VPAIR_QUEUE *rx = Adapter ? atomic_load(&Adapter->RxQueue) : NULL;

	if (rx && atomic_load(&rx->NotificationEnabled))
		NetRxQueueNotifyMoreReceivedPacketsAvailable(rx->Queue);
}

static void NotifyTx(VPAIR_ADAPTER *Adapter)
{
	VPAIR_QUEUE *tx = Adapter ? atomic_load(&Adapter->TxQueue) : NULL;

	if (tx && atomic_load(&tx->NotificationEnabled))
		NetTxQueueNotifyMoreCompletedPacketsAvailable(tx->Queue);
}

/*
 * The wire: frames become visible to the receiver only when this thread
 * delivers them, the way a cable and a receiving NIC add a hop.
 */
static void *WireThread(void *Context)
{
	UNREFERENCED_PARAMETER(Context);
	for (;;) {
		BOOLEAN moved = FALSE;

		for (ULONG s = 0; s < 2; s++) {
			VPAIR_WIRE *w = &Pair.Wire[s];
			UINT32 p = atomic_load_explicit(&w->Produced, memory_order_acquire);
			if (p != atomic_load_explicit(&w->Delivered, memory_order_relaxed)) {
				atomic_store_explicit(&w->Delivered, p, memory_order_release);
				NotifyRx(Pair.Side[s ^ 1]);
				moved = TRUE;
			}
		}
		if (moved)
			continue;
		pthread_mutex_lock(&Pair.Lock);
		Pair.WireSleeping = TRUE;
		BOOLEAN idle = TRUE;
		for (ULONG s = 0; s < 2; s++)
			if (atomic_load(&Pair.Wire[s].Produced) != atomic_load(&Pair.Wire[s].Delivered))
				idle = FALSE;
		if (idle)
			pthread_cond_wait(&Pair.Wake, &Pair.Lock);
		Pair.WireSleeping = FALSE;
		pthread_mutex_unlock(&Pair.Lock);
	}
	return NULL;
}

static void EvtTxAdvance(NETPACKETQUEUE Queue)
{
	VPAIR_QUEUE *q = VPairGetQueue(Queue);
	VPAIR_ADAPTER *a = q->Adapter;
	NET_RING *pr = NetRingCollectionGetPacketRing(q->Rings);
	NET_RING *fr = NetRingCollectionGetFragmentRing(q->Rings);
	VPAIR_WIRE *w = a->Out;
	UINT32 prod = atomic_load_explicit(&w->Produced, memory_order_relaxed);
	UINT32 room = VPAIR_WIRE_SLOTS - (prod - atomic_load_explicit(&w->Consumed, memory_order_acquire));
	BOOLEAN cancelled = atomic_load(&q->Cancelled);
	UINT32 sent = 0;

	while (pr->BeginIndex != pr->EndIndex) {
		NET_PACKET *p = NetRingGetPacketAtIndex(pr, pr->BeginIndex);

		if (!p->Ignore && !cancelled) {
			if (room == 0)
				break; /* the wire is full: wait for the peer to drain it */
			UINT32 len = 0;
			UCHAR *dst = w->Slot[prod & (VPAIR_WIRE_SLOTS - 1)].Data;
			for (UINT16 k = 0; k < p->FragmentCount; k++) {
				UINT32 fi = NetRingAdvanceIndex(fr, p->FragmentIndex, k);
				NET_FRAGMENT *f = NetRingGetFragmentAtIndex(fr, fi);
				NET_FRAGMENT_VIRTUAL_ADDRESS *va =
					NetExtensionGetFragmentVirtualAddress(&q->VirtualAddress, fi);
				if (len + f->ValidLength > VPAIR_MAX_FRAME) {
					len = 0; /* oversized: drop it */
					break;
				}
				memcpy(dst + len, (UCHAR *)va->VirtualAddress + f->Offset, (size_t)f->ValidLength);
				len += (UINT32)f->ValidLength;
			}
			if (len) {
				w->Slot[prod & (VPAIR_WIRE_SLOTS - 1)].Length = len;
				prod++;
				room--;
				sent++;
			}
		}
		if (p->FragmentCount)
			fr->BeginIndex = NetRingAdvanceIndex(fr, p->FragmentIndex, p->FragmentCount);
		pr->BeginIndex = NetRingIncrementIndex(pr, pr->BeginIndex);
	}
	pr->NextIndex = pr->BeginIndex;
	fr->NextIndex = fr->BeginIndex;
	if (sent) {
		atomic_store_explicit(&w->Produced, prod, memory_order_release);
		WireKick();
	}
}

static void EvtRxAdvance(NETPACKETQUEUE Queue)
{
	VPAIR_QUEUE *q = VPairGetQueue(Queue);
	VPAIR_WIRE *w = q->Adapter->In;
	NET_RING *pr = NetRingCollectionGetPacketRing(q->Rings);
	NET_RING *fr = NetRingCollectionGetFragmentRing(q->Rings);
	UINT32 cons = atomic_load_explicit(&w->Consumed, memory_order_relaxed);
	UINT32 ready = atomic_load_explicit(&w->Delivered, memory_order_acquire);
	UINT32 taken = 0;

	if (atomic_load(&q->Cancelled)) {
		/* Give everything back: remaining packets are ignored and carry no fragments. */
		for (UINT32 i = pr->BeginIndex; i != pr->EndIndex; i = NetRingIncrementIndex(pr, i))
			NetRingGetPacketAtIndex(pr, i)->Ignore = 1;
		pr->BeginIndex = pr->NextIndex = pr->EndIndex;
		fr->BeginIndex = fr->NextIndex = fr->EndIndex;
		return;
	}
	while (cons != ready && pr->BeginIndex != pr->EndIndex && fr->BeginIndex != fr->EndIndex) {
		UINT32 fi = fr->BeginIndex;
		NET_FRAGMENT *f = NetRingGetFragmentAtIndex(fr, fi);
		NET_PACKET *p = NetRingGetPacketAtIndex(pr, pr->BeginIndex);
		NET_FRAGMENT_VIRTUAL_ADDRESS *va = NetExtensionGetFragmentVirtualAddress(&q->VirtualAddress, fi);
		UINT32 len = w->Slot[cons & (VPAIR_WIRE_SLOTS - 1)].Length;

		cons++;
		taken++;
		if (len > (UINT32)(f->Capacity - f->Offset))
			continue; /* does not fit the posted buffer: dropped on the wire */
		memcpy((UCHAR *)va->VirtualAddress + f->Offset, w->Slot[(cons - 1) & (VPAIR_WIRE_SLOTS - 1)].Data, len);
		f->ValidLength = len;
		p->FragmentIndex = fi;
		p->FragmentCount = 1;
		p->Layout.Layer2Type = NetPacketLayer2TypeEthernet;
		fr->BeginIndex = NetRingIncrementIndex(fr, fi);
		pr->BeginIndex = NetRingIncrementIndex(pr, pr->BeginIndex);
	}
	pr->NextIndex = pr->BeginIndex;
	fr->NextIndex = fr->BeginIndex;
	if (taken) {
		atomic_store_explicit(&w->Consumed, cons, memory_order_release);
		/* Room on the wire again: the sender may have stopped for it. */
		NotifyTx(Pair.Side[q->Adapter->Side ^ 1]);
	}
}

static void EvtSetNotificationEnabled(NETPACKETQUEUE Queue, BOOLEAN Enabled)
{
	atomic_store(&VPairGetQueue(Queue)->NotificationEnabled, Enabled);
}

static void EvtCancel(NETPACKETQUEUE Queue)
{
	atomic_store(&VPairGetQueue(Queue)->Cancelled, TRUE);
}

static void EvtStart(NETPACKETQUEUE Queue)
{
	atomic_store(&VPairGetQueue(Queue)->Cancelled, FALSE);
}

static NTSTATUS CreateQueue(NETADAPTER Adapter, BOOLEAN Tx, void *Init)
{
	VPAIR_ADAPTER *a = VPairGetAdapter(Adapter);
	WDF_OBJECT_ATTRIBUTES attributes;
	NET_PACKET_QUEUE_CONFIG config;
	NET_EXTENSION_QUERY query;
	NETPACKETQUEUE queue;
	VPAIR_QUEUE *q;
	NTSTATUS status;

	WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&attributes, VPAIR_QUEUE);
	NET_PACKET_QUEUE_CONFIG_INIT(&config, Tx ? EvtTxAdvance : EvtRxAdvance, EvtSetNotificationEnabled,
				     EvtCancel);
	config.EvtStart = EvtStart;
	status = Tx ? NetTxQueueCreate((NETTXQUEUE_INIT *)Init, &attributes, &config, &queue)
		    : NetRxQueueCreate((NETRXQUEUE_INIT *)Init, &attributes, &config, &queue);
	if (!NT_SUCCESS(status))
		return status;
	q = VPairGetQueue(queue);
	q->Queue = queue;
	q->Adapter = a;
	q->Rings = Tx ? NetTxQueueGetRingCollection(queue) : NetRxQueueGetRingCollection(queue);
	NET_EXTENSION_QUERY_INIT(&query, NET_FRAGMENT_EXTENSION_VIRTUAL_ADDRESS_NAME,
				 NET_FRAGMENT_EXTENSION_VIRTUAL_ADDRESS_VERSION_1, NetExtensionTypeFragment);
	if (Tx)
		NetTxQueueGetExtension(queue, &query, &q->VirtualAddress);
	else
		NetRxQueueGetExtension(queue, &query, &q->VirtualAddress);
	if (!q->VirtualAddress.Enabled)
		return STATUS_NOT_SUPPORTED;
	if (Tx)
		atomic_store(&a->TxQueue, q);
	else
		atomic_store(&a->RxQueue, q);
	return STATUS_SUCCESS;
}

static NTSTATUS EvtCreateTxQueue(NETADAPTER Adapter, NETTXQUEUE_INIT *TxQueueInit)
{
	return CreateQueue(Adapter, TRUE, TxQueueInit);
}

static NTSTATUS EvtCreateRxQueue(NETADAPTER Adapter, NETRXQUEUE_INIT *RxQueueInit)
{
	return CreateQueue(Adapter, FALSE, RxQueueInit);
}

static void ReadConfiguration(VPAIR_ADAPTER *a)
{
	DECLARE_CONST_UNICODE_STRING(mtuName, L"MTU");
	DECLARE_CONST_UNICODE_STRING(speedName, L"LinkSpeedMbps");
	NETCONFIGURATION configuration;
	ULONG value;

	a->Mtu = 1500;
	a->LinkSpeed = 10000ull * 1000 * 1000;
	if (!NT_SUCCESS(NetAdapterOpenConfiguration(a->Adapter, WDF_NO_OBJECT_ATTRIBUTES, &configuration)))
		return;
	if (NT_SUCCESS(NetConfigurationQueryUlong(configuration, NET_CONFIGURATION_QUERY_ULONG_NO_FLAGS,
						  &mtuName, &value)) &&
	    value >= 576 && value <= VPAIR_MAX_FRAME - 14)
		a->Mtu = value;
	if (NT_SUCCESS(NetConfigurationQueryUlong(configuration, NET_CONFIGURATION_QUERY_ULONG_NO_FLAGS,
						  &speedName, &value)) &&
	    value)
		a->LinkSpeed = (ULONG64)value * 1000 * 1000;
	NetConfigurationClose(configuration);
}

/* A wire has no address filter of its own: vpair records the filter and delivers everything. */
static void EvtSetReceiveFilter(NETADAPTER Adapter, NETRECEIVEFILTER ReceiveFilter)
{
	VPairGetAdapter(Adapter)->PacketFilter = NetReceiveFilterGetPacketFilter(ReceiveFilter);
}

static NTSTATUS EvtPrepareHardware(WDFDEVICE Device, WDFCMRESLIST Raw, WDFCMRESLIST Translated)
{
	NETADAPTER adapter = VPairGetDevice(Device)->Adapter;
	VPAIR_ADAPTER *a = VPairGetAdapter(adapter);
	NET_ADAPTER_TX_CAPABILITIES tx;
	NET_ADAPTER_RX_CAPABILITIES rx;
	NET_ADAPTER_LINK_LAYER_CAPABILITIES link;
	NET_ADAPTER_LINK_LAYER_ADDRESS address;
	NET_ADAPTER_LINK_STATE state;
	NET_ADAPTER_RECEIVE_FILTER_CAPABILITIES filter;
	UCHAR mac[6] = { 0x02, 0x76, 0x70, 0x61, 0x00, (UCHAR)(a->Side + 1) };
	NTSTATUS status;

	UNREFERENCED_PARAMETER(Raw);
	UNREFERENCED_PARAMETER(Translated);
	ReadConfiguration(a);
	NET_ADAPTER_TX_CAPABILITIES_INIT(&tx, 1);
	NET_ADAPTER_RX_CAPABILITIES_INIT_SYSTEM_MANAGED(&rx, VPAIR_MAX_FRAME, 1);
	NetAdapterSetDataPathCapabilities(adapter, &tx, &rx);
	NET_ADAPTER_LINK_LAYER_CAPABILITIES_INIT(&link, a->LinkSpeed, a->LinkSpeed);
	NetAdapterSetLinkLayerCapabilities(adapter, &link);
	NetAdapterSetLinkLayerMtuSize(adapter, a->Mtu);
	NET_ADAPTER_LINK_LAYER_ADDRESS_INIT(&address, sizeof(mac), mac);
	NetAdapterSetPermanentLinkLayerAddress(adapter, &address);
	NetAdapterSetCurrentLinkLayerAddress(adapter, &address);
	NET_ADAPTER_RECEIVE_FILTER_CAPABILITIES_INIT(&filter, EvtSetReceiveFilter);
	filter.SupportedPacketFilters = NetPacketFilterFlagDirected | NetPacketFilterFlagMulticast |
					NetPacketFilterFlagAllMulticast | NetPacketFilterFlagBroadcast |
					NetPacketFilterFlagPromiscuous;
	filter.MaximumMulticastAddresses = 32;
	NetAdapterSetReceiveFilterCapabilities(adapter, &filter);
	status = NetAdapterStart(adapter);
	if (!NT_SUCCESS(status))
		return status;
	NET_ADAPTER_LINK_STATE_INIT(&state, a->LinkSpeed, MediaConnectStateConnected, MediaDuplexStateFull,
				    NetAdapterPauseFunctionTypeUnsupported, NetAdapterAutoNegotiationFlagNone);
	NetAdapterSetLinkState(adapter, &state);
	return STATUS_SUCCESS;
}

static NTSTATUS EvtDeviceAdd(WDFDRIVER Driver, PWDFDEVICE_INIT DeviceInit)
{
	WDF_PNPPOWER_EVENT_CALLBACKS pnp;
	WDF_OBJECT_ATTRIBUTES attributes;
	NET_ADAPTER_DATAPATH_CALLBACKS datapath;
	NETADAPTER_INIT *adapterInit;
	NETADAPTER adapter;
	WDFDEVICE device;
	VPAIR_ADAPTER *a;
	NTSTATUS status;
	ULONG side;

	UNREFERENCED_PARAMETER(Driver);
	pthread_mutex_lock(&Pair.Lock);
	side = Pair.Devices < 2 ? Pair.Devices++ : 2;
	pthread_mutex_unlock(&Pair.Lock);
	if (side > 1)
		return STATUS_DEVICE_CONFIGURATION_ERROR; /* a pair has two ends */

	status = NetDeviceInitConfig(DeviceInit);
	if (!NT_SUCCESS(status))
		return status;
	WDF_PNPPOWER_EVENT_CALLBACKS_INIT(&pnp);
	pnp.EvtDevicePrepareHardware = EvtPrepareHardware;
	WdfDeviceInitSetPnpPowerEventCallbacks(DeviceInit, &pnp);
	WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&attributes, VPAIR_DEVICE);
	status = WdfDeviceCreate(&DeviceInit, &attributes, &device);
	if (!NT_SUCCESS(status))
		return status;

	adapterInit = NetAdapterInitAllocate(device);
	if (!adapterInit)
		return STATUS_INSUFFICIENT_RESOURCES;
	NET_ADAPTER_DATAPATH_CALLBACKS_INIT(&datapath, EvtCreateTxQueue, EvtCreateRxQueue);
	NetAdapterInitSetDatapathCallbacks(adapterInit, &datapath);
	WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&attributes, VPAIR_ADAPTER);
	status = NetAdapterCreate(adapterInit, &attributes, &adapter);
	NetAdapterInitFree(adapterInit);
	if (!NT_SUCCESS(status))
		return status;

	VPairGetDevice(device)->Adapter = adapter;
	a = VPairGetAdapter(adapter);
	a->Adapter = adapter;
	a->Side = side;
	a->Out = &Pair.Wire[side];
	a->In = &Pair.Wire[side ^ 1];
	pthread_mutex_lock(&Pair.Lock);
	Pair.Side[side] = a;
	if (!Pair.ThreadStarted && pthread_create(&Pair.Thread, NULL, WireThread, NULL) == 0)
		Pair.ThreadStarted = TRUE;
	pthread_mutex_unlock(&Pair.Lock);
	return Pair.ThreadStarted ? STATUS_SUCCESS : STATUS_INSUFFICIENT_RESOURCES;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
	WDF_DRIVER_CONFIG config;

	WDF_DRIVER_CONFIG_INIT(&config, EvtDeviceAdd);
	return WdfDriverCreate(DriverObject, RegistryPath, WDF_NO_OBJECT_ATTRIBUTES, &config, WDF_NO_HANDLE);
}
