/* SPDX-License-Identifier: MIT */
/*
 * vpair: a virtual Ethernet pair written as a user-mode NetAdapterCx driver.
 *
 * Two devices of one driver host with the same "Pair" value (default 0) are
 * the two ends of a cable; a host holds as many pairs as it has devices for.
 * Each device has an adapter with one TX and one RX queue. A frame
 * transmitted on one side is copied into a bounded wire queue; the wire
 * thread carries it across and wakes the other side's RX queue, whose
 * Advance copies it into a buffer the system posted.
 *
 * Devices in hosts of their own (UmdfHostProcessSharing disabled) cannot
 * share memory: such an end is given a connected UDP socket as hardware
 * (UmnicResources) and its wire is that socket, one datagram per frame.
 * Apart from finding that socket, the driver is written against the WDK
 * interface only.
 *
 * Offloads: like a NIC pair on a cable, vpair takes checksum and
 * segmentation work (LSO, USO) on transmit and coalesces on receive (RSC),
 * carrying a GSO frame across the wire whole. When the receiving side does
 * not coalesce, or a side computes no checksums, the wire does that work
 * (common/segment.c, shared with umnicd's software fallback). The registry
 * values OffloadChecksum, OffloadLso and OffloadRsc set to 0 turn each off.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/socket.h>

#include <wdf.h>
#include <netadaptercx.h>
#include <net/virtualaddress.h>

#include "segment.h"

#define VPAIR_MAX_FRAME 1514u
/* A GSO frame: the largest IP packet, its Ethernet header and a tag. */
#define VPAIR_GSO_FRAME (65535u + 18u)
#define VPAIR_WIRE_SLOTS_DEFAULT 512u /* WireQueueLength: a power of two */
#define VPAIR_WIRE_SLOTS_MIN 16u
#define VPAIR_WIRE_SLOTS_MAX 4096u

typedef struct _VPAIR_SLOT {
	UINT32 Length;
	UINT32 Mss;		/* a GSO frame: its segment size; 0 for a frame */
	BOOLEAN ChecksumPending;	/* the sender asked for its checksums */
	UCHAR *Data;		/* SlotBytes of the wire; pages are touched only when used */
} VPAIR_SLOT;

/*
 * One direction of the wire: TX writes at Produced, the wire thread (or the
 * socket reader) moves Delivered, RX reads at Consumed. The slots are
 * allocated with the pair, and only those a frame passed through take
 * memory.
 */
typedef struct _VPAIR_WIRE {
	_Alignas(64) _Atomic UINT32 Produced;
	_Alignas(64) _Atomic UINT32 Delivered;
	_Alignas(64) _Atomic UINT32 Consumed;
	UINT32 Mask;
	VPAIR_SLOT *Slot;
	UCHAR *Bytes;
} VPAIR_WIRE;

typedef struct _VPAIR_QUEUE {
	NETPACKETQUEUE Queue;
	const NET_RING_COLLECTION *Rings;
	NET_EXTENSION VirtualAddress;
	NET_EXTENSION Checksum;
	NET_EXTENSION Gso;
	NET_EXTENSION Rsc;
	UINT32 SegNext;	/* RX: the next segment of the wire slot being cut */
	_Atomic BOOLEAN NotificationEnabled;
	_Atomic BOOLEAN Cancelled;
	struct _VPAIR_ADAPTER *Adapter;
} VPAIR_QUEUE;
WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(VPAIR_QUEUE, VPairGetQueue);

struct _VPAIR_PAIR;

typedef struct _VPAIR_ADAPTER {
	NETADAPTER Adapter;
	ULONG Side;
	ULONG PairId;
	ULONG WireSlots;
	ULONG Mtu;
	ULONG64 LinkSpeed;
	struct _VPAIR_PAIR *Pair;	/* NULL for an end whose wire is a socket */
	int Socket;			/* the UDP socket granted as hardware, or -1 */
	VPAIR_WIRE *Out;	/* frames this side transmits (NULL: they go to Socket) */
	VPAIR_WIRE *In;		/* frames this side receives */
	VPAIR_WIRE SocketIn;	/* In, for a socket end: filled by its reader thread */
	_Atomic(VPAIR_QUEUE *) TxQueue;
	_Atomic(VPAIR_QUEUE *) RxQueue;
	NET_PACKET_FILTER_FLAGS PacketFilter;	/* as the OS last set it */
	BOOLEAN CanChecksum, CanLso, CanRsc;	/* registry: offered to the OS */
	/* What the OS has in force, from the EvtAdapterOffloadSet* callbacks. */
	_Atomic BOOLEAN TxChecksum, RxChecksum, Lso, Uso, TcpRsc, UdpRsc;
} VPAIR_ADAPTER;
WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(VPAIR_ADAPTER, VPairGetAdapter);

typedef struct _VPAIR_DEVICE {
	NETADAPTER Adapter;
} VPAIR_DEVICE;
WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(VPAIR_DEVICE, VPairGetDevice);

/* Two devices of one driver host with the same Pair value: what one sends, the other receives. */
typedef struct _VPAIR_PAIR {
	struct _VPAIR_PAIR *Next;
	ULONG Id;
	ULONG Devices;
	VPAIR_ADAPTER *_Atomic Side[2];
	VPAIR_WIRE Wire[2]; /* Wire[s] carries frames sent by side s */
} VPAIR_PAIR;

/* The pairs of this driver host and the one wire thread that serves them all. */
static struct {
	pthread_mutex_t Lock;
	pthread_cond_t Wake;
	BOOLEAN WireSleeping;
	BOOLEAN ThreadStarted;
	VPAIR_PAIR *_Atomic Pairs; /* only ever grows; a pair is complete before it is linked */
	pthread_t Thread;
} Host = { .Lock = PTHREAD_MUTEX_INITIALIZER, .Wake = PTHREAD_COND_INITIALIZER };

static void WireKick(void)
{
	pthread_mutex_lock(&Host.Lock);
	if (Host.WireSleeping)
		pthread_cond_signal(&Host.Wake);
	pthread_mutex_unlock(&Host.Lock);
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

static BOOLEAN WireInit(VPAIR_WIRE *Wire, ULONG Slots, ULONG SlotBytes)
{
	Wire->Slot = calloc(Slots, sizeof(*Wire->Slot));
	/* Large and zeroed: the system maps pages as frames first pass through them. */
	Wire->Bytes = calloc(Slots, SlotBytes);
	Wire->Mask = Slots - 1;
	if (!Wire->Slot || !Wire->Bytes)
		return FALSE;
	for (ULONG i = 0; i < Slots; i++)
		Wire->Slot[i].Data = Wire->Bytes + (size_t)i * SlotBytes;
	return TRUE;
}

static BOOLEAN WireBusy(VPAIR_WIRE *Wire)
{
	return atomic_load(&Wire->Produced) != atomic_load(&Wire->Delivered);
}

/*
 * The wire: frames become visible to the receiver only when this thread
 * delivers them, the way a cable and a receiving NIC add a hop.
 */
static void *WireThread(void *Context)
{
	UNREFERENCED_PARAMETER(Context);
	for (;;) {
		BOOLEAN moved = FALSE, idle = TRUE;

		for (VPAIR_PAIR *pair = atomic_load(&Host.Pairs); pair; pair = pair->Next)
			for (ULONG s = 0; s < 2; s++) {
				VPAIR_WIRE *w = &pair->Wire[s];
				UINT32 p = atomic_load_explicit(&w->Produced, memory_order_acquire);
				if (p != atomic_load_explicit(&w->Delivered, memory_order_relaxed)) {
					atomic_store_explicit(&w->Delivered, p, memory_order_release);
					NotifyRx(atomic_load(&pair->Side[s ^ 1]));
					moved = TRUE;
				}
			}
		if (moved)
			continue;
		pthread_mutex_lock(&Host.Lock);
		Host.WireSleeping = TRUE;
		for (VPAIR_PAIR *pair = atomic_load(&Host.Pairs); pair && idle; pair = pair->Next)
			idle = !WireBusy(&pair->Wire[0]) && !WireBusy(&pair->Wire[1]);
		if (idle)
			pthread_cond_wait(&Host.Wake, &Host.Lock);
		Host.WireSleeping = FALSE;
		pthread_mutex_unlock(&Host.Lock);
	}
	return NULL;
}

/*
 * A socket end: datagrams from the peer's socket land in SocketIn, as the
 * wire thread would deliver them. When RX has no room the datagram is lost,
 * as on a wire.
 */
static void *SocketReader(void *Context)
{
	VPAIR_ADAPTER *a = Context;
	VPAIR_WIRE *w = &a->SocketIn;
	static UCHAR discard[VPAIR_MAX_FRAME];

	for (;;) {
		UINT32 prod = atomic_load_explicit(&w->Produced, memory_order_relaxed);
		BOOLEAN room = prod - atomic_load_explicit(&w->Consumed, memory_order_acquire) <= w->Mask;
		VPAIR_SLOT *slot = &w->Slot[prod & w->Mask];
		ssize_t n = recv(a->Socket, room ? slot->Data : discard, VPAIR_MAX_FRAME, 0);

		if (n < 0 && errno != EINTR)
			return NULL; /* the socket is gone with the device */
		if (n <= 0 || !room)
			continue;
		slot->Length = (UINT32)n;
		atomic_store_explicit(&w->Produced, prod + 1, memory_order_relaxed);
		atomic_store_explicit(&w->Delivered, prod + 1, memory_order_release);
		NotifyRx(a);
	}
	return NULL;
}

/* Joins the pair named by the device's Pair value, as its first free side. */
static NTSTATUS JoinPair(VPAIR_ADAPTER *a)
{
	VPAIR_PAIR *pair;
	NTSTATUS status = STATUS_SUCCESS;

	pthread_mutex_lock(&Host.Lock);
	if (a->Pair) {
		/* Prepared again after a stop: back on its side of the same pair. */
		atomic_store(&a->Pair->Side[a->Side], a);
		goto out;
	}
	for (pair = atomic_load(&Host.Pairs); pair && pair->Id != a->PairId; pair = pair->Next)
		;
	if (!pair) {
		pair = calloc(1, sizeof(*pair));
		if (!pair || !WireInit(&pair->Wire[0], a->WireSlots, VPAIR_GSO_FRAME) ||
		    !WireInit(&pair->Wire[1], a->WireSlots, VPAIR_GSO_FRAME)) {
			if (pair) {
				free(pair->Wire[0].Slot);
				free(pair->Wire[1].Slot);
				free(pair->Wire[0].Bytes);
				free(pair->Wire[1].Bytes);
			}
			free(pair);
			status = STATUS_INSUFFICIENT_RESOURCES;
			goto out;
		}
		pair->Id = a->PairId;
		pair->Next = atomic_load(&Host.Pairs);
		atomic_store(&Host.Pairs, pair);
	}
	if (pair->Devices >= 2) {
		status = STATUS_DEVICE_CONFIGURATION_ERROR; /* a pair has two ends */
		goto out;
	}
	a->Side = pair->Devices++;
	a->Pair = pair;
	a->Out = &pair->Wire[a->Side];
	a->In = &pair->Wire[a->Side ^ 1];
	atomic_store(&pair->Side[a->Side], a);
	if (!Host.ThreadStarted && pthread_create(&Host.Thread, NULL, WireThread, NULL) == 0)
		Host.ThreadStarted = TRUE;
	if (!Host.ThreadStarted)
		status = STATUS_INSUFFICIENT_RESOURCES;
out:
	pthread_mutex_unlock(&Host.Lock);
	return status;
}

/* The end of a pair whose wire is a UDP socket umnicd granted (UmnicResources). */
static NTSTATUS UseSocket(VPAIR_ADAPTER *a, int Socket)
{
	pthread_t reader;

	/* Prepared again after a stop: the same socket, its reader still runs. */
	if (a->Socket == Socket)
		return STATUS_SUCCESS;
	a->Socket = Socket;
	if (!WireInit(&a->SocketIn, a->WireSlots, VPAIR_MAX_FRAME))
		return STATUS_INSUFFICIENT_RESOURCES;
	a->In = &a->SocketIn;
	a->Out = NULL;
	if (pthread_create(&reader, NULL, SocketReader, a) != 0)
		return STATUS_INSUFFICIENT_RESOURCES;
	pthread_detach(reader);
	return STATUS_SUCCESS;
}

/* The peer of a side: NULL for a socket end, whose peer is in another process. */
static VPAIR_ADAPTER *Peer(VPAIR_ADAPTER *a)
{
	return a->Pair ? atomic_load(&a->Pair->Side[a->Side ^ 1]) : NULL;
}

/* Gathers a packet's fragments into Dst; 0 for an oversized one (dropped). */
static UINT32 Gather(VPAIR_QUEUE *q, NET_RING *fr, const NET_PACKET *p, UCHAR *Dst, UINT32 Max)
{
	UINT32 len = 0;

	for (UINT16 k = 0; k < p->FragmentCount; k++) {
		UINT32 fi = NetRingAdvanceIndex(fr, p->FragmentIndex, k);
		NET_FRAGMENT *f = NetRingGetFragmentAtIndex(fr, fi);
		NET_FRAGMENT_VIRTUAL_ADDRESS *va = NetExtensionGetFragmentVirtualAddress(&q->VirtualAddress, fi);
		if (len + f->ValidLength > Max)
			return 0;
		memcpy(Dst + len, (UCHAR *)va->VirtualAddress + f->Offset, (size_t)f->ValidLength);
		len += (UINT32)f->ValidLength;
	}
	return len;
}

/* A socket end: one datagram per frame; a full socket drops it, as a wire would. */
static __attribute__((noinline)) void SendFrame(VPAIR_QUEUE *q, NET_RING *fr, const NET_PACKET *p)
{
	UCHAR frame[VPAIR_MAX_FRAME];
	UINT32 len = Gather(q, fr, p, frame, VPAIR_MAX_FRAME);

	if (len)
		(void)send(q->Adapter->Socket, frame, len, MSG_DONTWAIT | MSG_NOSIGNAL);
}

static void EvtTxAdvance(NETPACKETQUEUE Queue)
{
	VPAIR_QUEUE *q = VPairGetQueue(Queue);
	VPAIR_ADAPTER *a = q->Adapter;
	NET_RING *pr = NetRingCollectionGetPacketRing(q->Rings);
	NET_RING *fr = NetRingCollectionGetFragmentRing(q->Rings);
	VPAIR_WIRE *w = a->Out;
	UINT32 prod = w ? atomic_load_explicit(&w->Produced, memory_order_relaxed) : 0;
	UINT32 room = w ? w->Mask + 1 - (prod - atomic_load_explicit(&w->Consumed, memory_order_acquire)) : 1;
	BOOLEAN cancelled = atomic_load(&q->Cancelled);
	UINT32 sent = 0;

	while (pr->BeginIndex != pr->EndIndex) {
		NET_PACKET *p = NetRingGetPacketAtIndex(pr, pr->BeginIndex);

		if (!p->Ignore && !cancelled) {
			if (room == 0)
				break; /* the wire is full: wait for the peer to drain it */
			if (!w) {
				SendFrame(q, fr, p);
			} else {
				VPAIR_SLOT *slot = &w->Slot[prod & w->Mask];
				UINT32 index = pr->BeginIndex;
				UINT32 len = Gather(q, fr, p, slot->Data, VPAIR_GSO_FRAME);
				/* The work the OS asked for travels with the frame; the wire does it. */
				slot->Mss = len && (atomic_load(&a->Lso) || atomic_load(&a->Uso))
						    ? NetExtensionGetPacketGso(&q->Gso, index)->TCP.Mss
						    : 0;
				slot->ChecksumPending = NetExtensionGetPacketChecksum(&q->Checksum, index)->Layer4 ==
							NetPacketTxChecksumActionRequired;
				if (!slot->Mss && len > VPAIR_MAX_FRAME)
					len = 0; /* not a GSO frame: too long for the wire */
				if (len) {
					slot->Length = len;
					prod++;
					room--;
					sent++;
				}
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

/* Marks a received packet's checksums as checked, when the OS asked for that. */
static void RxChecksum(VPAIR_QUEUE *q, UINT32 Index, const struct seg_info *si)
{
	NET_PACKET_CHECKSUM *c;

	if (!si || !atomic_load(&q->Adapter->RxChecksum))
		return;
	c = NetExtensionGetPacketChecksum(&q->Checksum, Index);
	if (!si->ipv6)
		c->Layer3 = NetPacketRxChecksumEvaluationValid;
	c->Layer4 = NetPacketRxChecksumEvaluationValid;
}

/* Hands the packet at the ring's BeginIndex over, with Count fragments from the fragment Begin. */
static void RxComplete(NET_RING *pr, NET_RING *fr, UINT32 Count)
{
	NET_PACKET *p = NetRingGetPacketAtIndex(pr, pr->BeginIndex);

	p->FragmentIndex = fr->BeginIndex;
	p->FragmentCount = (UINT16)Count;
	p->Layout.Layer2Type = NetPacketLayer2TypeEthernet;
	fr->BeginIndex = NetRingAdvanceIndex(fr, fr->BeginIndex, (INT32)Count);
	pr->BeginIndex = NetRingIncrementIndex(pr, pr->BeginIndex);
}

/* One frame into one buffer; its checksum is written here when the sender left it to the wire. */
static BOOLEAN DeliverFrame(VPAIR_QUEUE *q, NET_RING *pr, NET_RING *fr, VPAIR_SLOT *Slot,
			    const struct seg_info *si)
{
	UINT32 fi = fr->BeginIndex;
	NET_FRAGMENT *f = NetRingGetFragmentAtIndex(fr, fi);
	UCHAR *dst = (UCHAR *)NetExtensionGetFragmentVirtualAddress(&q->VirtualAddress, fi)->VirtualAddress +
		     f->Offset;

	if (Slot->Length > (UINT32)(f->Capacity - f->Offset))
		return FALSE;
	memcpy(dst, Slot->Data, Slot->Length);
	if (Slot->ChecksumPending && si)
		seg_checksum(dst, Slot->Length, si);
	f->ValidLength = Slot->Length;
	RxChecksum(q, pr->BeginIndex, si);
	RxComplete(pr, fr, 1);
	return TRUE;
}

/*
 * A GSO frame: coalesced into one packet over several buffers when RSC is in
 * force for it, else cut into segments, as many as the rings have room for.
 * FALSE when the frame is not done yet.
 */
static BOOLEAN DeliverGso(VPAIR_QUEUE *q, NET_RING *pr, NET_RING *fr, VPAIR_SLOT *Slot,
			  const struct seg_info *si)
{
	VPAIR_ADAPTER *a = q->Adapter;
	BOOLEAN udp = si->l4 == SEG_L4_UDP;
	UINT32 nseg = seg_count(si->end, si, Slot->Mss);

	if (udp ? atomic_load(&a->UdpRsc) : atomic_load(&a->TcpRsc)) {
		NET_FRAGMENT *f0 = NetRingGetFragmentAtIndex(fr, fr->BeginIndex);
		UINT32 per = (UINT32)(f0->Capacity - f0->Offset), need = (si->end + per - 1) / per;
		NET_PACKET_RSC *rsc;

		if (NetRingGetRangeCount(fr, fr->BeginIndex, fr->EndIndex) < need)
			return FALSE;
		for (UINT32 k = 0, off = 0; k < need; k++) {
			UINT32 fi = NetRingAdvanceIndex(fr, fr->BeginIndex, (INT32)k);
			NET_FRAGMENT *f = NetRingGetFragmentAtIndex(fr, fi);
			UINT32 n = si->end - off < per ? si->end - off : per;
			memcpy((UCHAR *)NetExtensionGetFragmentVirtualAddress(&q->VirtualAddress, fi)->VirtualAddress +
				       f->Offset,
			       Slot->Data + off, n);
			f->ValidLength = n;
			off += n;
		}
		rsc = NetExtensionGetPacketRsc(&q->Rsc, pr->BeginIndex);
		if (udp) {
			rsc->UDP.CoalescedSegmentCount = (UINT16)nseg;
			rsc->UDP.CoalescedSegmentSize = (UINT16)Slot->Mss;
		} else {
			rsc->TCP.CoalescedSegmentCount = (UINT16)nseg;
		}
		RxChecksum(q, pr->BeginIndex, si);
		RxComplete(pr, fr, need);
		return TRUE;
	}
	while (q->SegNext < nseg && pr->BeginIndex != pr->EndIndex && fr->BeginIndex != fr->EndIndex) {
		UINT32 fi = fr->BeginIndex;
		NET_FRAGMENT *f = NetRingGetFragmentAtIndex(fr, fi);
		UCHAR *dst = (UCHAR *)NetExtensionGetFragmentVirtualAddress(&q->VirtualAddress, fi)->VirtualAddress +
			     f->Offset;

		if (si->hdr_len + Slot->Mss > (UINT32)(f->Capacity - f->Offset)) {
			q->SegNext = nseg; /* segments larger than a buffer: the frame is lost */
			break;
		}
		f->ValidLength = seg_build(Slot->Data, Slot->Length, si, Slot->Mss, q->SegNext, dst);
		RxChecksum(q, pr->BeginIndex, si);
		RxComplete(pr, fr, 1);
		q->SegNext++;
	}
	if (q->SegNext < nseg)
		return FALSE;
	q->SegNext = 0;
	return TRUE;
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
		VPAIR_SLOT *slot = &w->Slot[cons & w->Mask];
		UINT32 len = slot->Length;
		struct seg_info si;
		BOOLEAN parsed = seg_parse(slot->Data, len, &si) == 0;

		if (slot->Mss && parsed && si.end > si.hdr_len) {
			if (!DeliverGso(q, pr, fr, slot, &si))
				break; /* no room for the rest: the next Advance goes on */
		} else if (!DeliverFrame(q, pr, fr, slot, parsed ? &si : NULL)) {
			/* does not fit the posted buffer: dropped on the wire */
		}
		cons++;
		taken++;
	}
	pr->NextIndex = pr->BeginIndex;
	fr->NextIndex = fr->BeginIndex;
	if (taken) {
		atomic_store_explicit(&w->Consumed, cons, memory_order_release);
		/* Room on the wire again: the sender may have stopped for it. */
		NotifyTx(Peer(q->Adapter));
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
	VPairGetQueue(Queue)->SegNext = 0;
	atomic_store(&VPairGetQueue(Queue)->Cancelled, FALSE);
}

/* The queue is about to be deleted (a stop or a removal): the wire must not wake it any more. */
static void EvtStop(NETPACKETQUEUE Queue)
{
	VPAIR_QUEUE *q = VPairGetQueue(Queue);
	VPAIR_QUEUE *expected = q;

	if (!atomic_compare_exchange_strong(&q->Adapter->TxQueue, &expected, NULL)) {
		expected = q;
		atomic_compare_exchange_strong(&q->Adapter->RxQueue, &expected, NULL);
	}
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
	config.EvtStop = EvtStop;
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
	{
		static const struct {
			PCWSTR Name;
			ULONG Version;
			size_t Offset;
		} ext[] = {
			{ NET_PACKET_EXTENSION_CHECKSUM_NAME, NET_PACKET_EXTENSION_CHECKSUM_VERSION_1,
			  offsetof(VPAIR_QUEUE, Checksum) },
			{ NET_PACKET_EXTENSION_GSO_NAME, NET_PACKET_EXTENSION_GSO_VERSION_1,
			  offsetof(VPAIR_QUEUE, Gso) },
			{ NET_PACKET_EXTENSION_RSC_NAME, NET_PACKET_EXTENSION_RSC_VERSION_2,
			  offsetof(VPAIR_QUEUE, Rsc) },
		};
		for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
			NET_EXTENSION *e = (NET_EXTENSION *)((UCHAR *)q + ext[i].Offset);
			NET_EXTENSION_QUERY_INIT(&query, ext[i].Name, ext[i].Version, NetExtensionTypePacket);
			if (Tx)
				NetTxQueueGetExtension(queue, &query, e);
			else
				NetRxQueueGetExtension(queue, &query, e);
			if (!e->Enabled)
				return STATUS_NOT_SUPPORTED;
		}
	}
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
	DECLARE_CONST_UNICODE_STRING(pairName, L"Pair");
	DECLARE_CONST_UNICODE_STRING(sideName, L"Side");
	DECLARE_CONST_UNICODE_STRING(slotsName, L"WireQueueLength");
	DECLARE_CONST_UNICODE_STRING(checksumName, L"OffloadChecksum");
	DECLARE_CONST_UNICODE_STRING(lsoName, L"OffloadLso");
	DECLARE_CONST_UNICODE_STRING(rscName, L"OffloadRsc");
	NETCONFIGURATION configuration;
	ULONG value;

	a->Mtu = 1500;
	a->LinkSpeed = 10000ull * 1000 * 1000;
	a->PairId = 0;
	a->Side = 0;
	a->WireSlots = VPAIR_WIRE_SLOTS_DEFAULT;
	a->CanChecksum = a->CanLso = a->CanRsc = TRUE;
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
	if (NT_SUCCESS(NetConfigurationQueryUlong(configuration, NET_CONFIGURATION_QUERY_ULONG_NO_FLAGS,
						  &pairName, &value)) &&
	    value <= 0xFFFF)
		a->PairId = value;
	/* Only a socket end says which side it is; in a host the order of arrival decides. */
	if (NT_SUCCESS(NetConfigurationQueryUlong(configuration, NET_CONFIGURATION_QUERY_ULONG_NO_FLAGS,
						  &sideName, &value)) &&
	    value <= 1)
		a->Side = value;
	if (NT_SUCCESS(NetConfigurationQueryUlong(configuration, NET_CONFIGURATION_QUERY_ULONG_NO_FLAGS,
						  &slotsName, &value)) &&
	    value >= VPAIR_WIRE_SLOTS_MIN && value <= VPAIR_WIRE_SLOTS_MAX && !(value & (value - 1)))
		a->WireSlots = value;
	if (NT_SUCCESS(NetConfigurationQueryUlong(configuration, NET_CONFIGURATION_QUERY_ULONG_NO_FLAGS,
						  &checksumName, &value)))
		a->CanChecksum = value != 0;
	if (NT_SUCCESS(NetConfigurationQueryUlong(configuration, NET_CONFIGURATION_QUERY_ULONG_NO_FLAGS,
						  &lsoName, &value)))
		a->CanLso = value != 0;
	if (NT_SUCCESS(NetConfigurationQueryUlong(configuration, NET_CONFIGURATION_QUERY_ULONG_NO_FLAGS,
						  &rscName, &value)))
		a->CanRsc = value != 0;
	NetConfigurationClose(configuration);
}

/* The UDP socket umnicd granted as the device's hardware, or -1: then the wire is in memory. */
static int GrantedSocket(WDFCMRESLIST Translated)
{
	for (ULONG i = 0; i < WdfCmResourceListGetCount(Translated); i++) {
		PCM_PARTIAL_RESOURCE_DESCRIPTOR r = WdfCmResourceListGetDescriptor(Translated, i);
		if (r && UmnicResourceIsFileDescriptor(r) &&
		    r->u.DevicePrivate.Data[1] == UMNIC_RESOURCE_FD_UDP_SOCKET)
			return (int)r->u.DevicePrivate.Data[0];
	}
	return -1;
}

/* What the OS put in force, as the NetOffloadIs*Enabled queries answer it; logged for tests to see. */
static void ShowOffloads(VPAIR_ADAPTER *a, const char *What)
{
	DbgPrintEx(DPFLTR_IHVNETWORK_ID, DPFLTR_INFO_LEVEL,
		   "vpair %s: %s: tx-checksum %d rx-checksum %d lso %d uso %d tcp-rsc %d udp-rsc %d\n",
		   a->Side ? "B" : "A", What, atomic_load(&a->TxChecksum), atomic_load(&a->RxChecksum),
		   atomic_load(&a->Lso), atomic_load(&a->Uso), atomic_load(&a->TcpRsc), atomic_load(&a->UdpRsc));
}

static void EvtSetTxChecksum(NETADAPTER Adapter, NETOFFLOAD Offload)
{
	VPAIR_ADAPTER *a = VPairGetAdapter(Adapter);

	atomic_store(&a->TxChecksum, NetOffloadIsTxChecksumTcpEnabled(Offload) &&
					     NetOffloadIsTxChecksumUdpEnabled(Offload));
	ShowOffloads(a, "EvtAdapterOffloadSetTxChecksum");
}

static void EvtSetRxChecksum(NETADAPTER Adapter, NETOFFLOAD Offload)
{
	VPAIR_ADAPTER *a = VPairGetAdapter(Adapter);

	atomic_store(&a->RxChecksum, NetOffloadIsRxChecksumTcpEnabled(Offload) &&
					     NetOffloadIsRxChecksumUdpEnabled(Offload));
	ShowOffloads(a, "EvtAdapterOffloadSetRxChecksum");
}

static void EvtSetGso(NETADAPTER Adapter, NETOFFLOAD Offload)
{
	VPAIR_ADAPTER *a = VPairGetAdapter(Adapter);

	atomic_store(&a->Lso, NetOffloadIsLsoIPv4Enabled(Offload) || NetOffloadIsLsoIPv6Enabled(Offload));
	atomic_store(&a->Uso, NetOffloadIsUsoIPv4Enabled(Offload) || NetOffloadIsUsoIPv6Enabled(Offload));
	ShowOffloads(a, "EvtAdapterOffloadSetGso");
}

static void EvtSetRsc(NETADAPTER Adapter, NETOFFLOAD Offload)
{
	VPAIR_ADAPTER *a = VPairGetAdapter(Adapter);

	atomic_store(&a->TcpRsc, NetOffloadIsTcpRscIPv4Enabled(Offload) || NetOffloadIsTcpRscIPv6Enabled(Offload));
	atomic_store(&a->UdpRsc, NetOffloadIsUdpRscEnabled(Offload));
	ShowOffloads(a, "EvtAdapterOffloadSetRsc");
}

/* Offloads a side offers: none for a socket end, whose wire carries frames only. */
static void SetOffloadCapabilities(VPAIR_ADAPTER *a)
{
	const NET_ADAPTER_OFFLOAD_LAYER3_FLAGS l3 =
		NetAdapterOffloadLayer3FlagIPv4NoOptions | NetAdapterOffloadLayer3FlagIPv4WithOptions |
		NetAdapterOffloadLayer3FlagIPv6NoExtensions | NetAdapterOffloadLayer3FlagIPv6WithExtensions;
	const NET_ADAPTER_OFFLOAD_LAYER4_FLAGS l4 = NetAdapterOffloadLayer4FlagTcpNoOptions |
						    NetAdapterOffloadLayer4FlagTcpWithOptions |
						    NetAdapterOffloadLayer4FlagUdp;

	if (a->Socket >= 0)
		return;
	if (a->CanChecksum) {
		NET_ADAPTER_OFFLOAD_TX_CHECKSUM_CAPABILITIES tx;
		NET_ADAPTER_OFFLOAD_RX_CHECKSUM_CAPABILITIES rx;

		NET_ADAPTER_OFFLOAD_TX_CHECKSUM_CAPABILITIES_INIT(&tx, l3, EvtSetTxChecksum);
		tx.Layer4Flags = l4;
		NetAdapterOffloadSetTxChecksumCapabilities(a->Adapter, &tx);
		NET_ADAPTER_OFFLOAD_RX_CHECKSUM_CAPABILITIES_INIT(&rx, EvtSetRxChecksum);
		NetAdapterOffloadSetRxChecksumCapabilities(a->Adapter, &rx);
	}
	if (a->CanLso) {
		NET_ADAPTER_OFFLOAD_GSO_CAPABILITIES gso;

		NET_ADAPTER_OFFLOAD_GSO_CAPABILITIES_INIT(&gso, l3, l4, VPAIR_GSO_FRAME, 2, EvtSetGso);
		NetAdapterOffloadSetGsoCapabilities(a->Adapter, &gso);
	}
	if (a->CanRsc) {
		NET_ADAPTER_OFFLOAD_RSC_CAPABILITIES rsc;

		NET_ADAPTER_OFFLOAD_RSC_CAPABILITIES_INIT(&rsc, l3, l4, EvtSetRsc);
		rsc.TcpTimestampOption = TRUE;
		NetAdapterOffloadSetRscCapabilities(a->Adapter, &rsc);
	}
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
	UCHAR mac[6];
	NTSTATUS status;
	int sock;

	UNREFERENCED_PARAMETER(Raw);
	ReadConfiguration(a);
	sock = GrantedSocket(Translated);
	status = sock >= 0 ? UseSocket(a, sock) : JoinPair(a);
	if (!NT_SUCCESS(status))
		return status;
	/* Pair 0 keeps the addresses vpair always had: 02:76:70:61:00:01 and :02. */
	mac[0] = 0x02;
	mac[1] = 0x76;
	mac[2] = 0x70;
	mac[3] = (UCHAR)(0x61 + (a->PairId >> 8));
	mac[4] = (UCHAR)a->PairId;
	mac[5] = (UCHAR)(a->Side + 1);
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
	SetOffloadCapabilities(a);
	status = NetAdapterStart(adapter);
	if (!NT_SUCCESS(status))
		return status;
	NET_ADAPTER_LINK_STATE_INIT(&state, a->LinkSpeed, MediaConnectStateConnected, MediaDuplexStateFull,
				    NetAdapterPauseFunctionTypeUnsupported, NetAdapterAutoNegotiationFlagNone);
	NetAdapterSetLinkState(adapter, &state);
	return STATUS_SUCCESS;
}

/*
 * The device stops (`umnic stop`) or goes: its side of the pair is free
 * until it is prepared again; what the peer sends meanwhile waits on the
 * wire, up to the wire's length. NetAdapterCx stops the adapter, which
 * EvtPrepareHardware started, after this returns.
 */
static NTSTATUS EvtReleaseHardware(WDFDEVICE Device, WDFCMRESLIST Translated)
{
	VPAIR_ADAPTER *a = VPairGetAdapter(VPairGetDevice(Device)->Adapter);

	UNREFERENCED_PARAMETER(Translated);
	if (a->Pair)
		atomic_store(&a->Pair->Side[a->Side], NULL);
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

	UNREFERENCED_PARAMETER(Driver);
	status = NetDeviceInitConfig(DeviceInit);
	if (!NT_SUCCESS(status))
		return status;
	WDF_PNPPOWER_EVENT_CALLBACKS_INIT(&pnp);
	pnp.EvtDevicePrepareHardware = EvtPrepareHardware;
	pnp.EvtDeviceReleaseHardware = EvtReleaseHardware;
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
	a->Socket = -1;
	return STATUS_SUCCESS;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
	WDF_DRIVER_CONFIG config;

	WDF_DRIVER_CONFIG_INIT(&config, EvtDeviceAdd);
	return WdfDriverCreate(DriverObject, RegistryPath, WDF_NO_OBJECT_ATTRIBUTES, &config, WDF_NO_HANDLE);
}
