/* SPDX-License-Identifier: MIT */
/*
 * vpair: a virtual Ethernet pair written as a user-mode NetAdapterCx driver.
 *
 * Two devices of one driver host with the same "Pair" value (default 0) are
 * the two ends of a cable; a host holds as many pairs as it has devices for.
 * Each device has an adapter with one TX and one RX queue. A frame
 * transmitted on one side is copied into a bounded wire queue, and the TX
 * Advance that copied it wakes the other side's RX queue, whose Advance
 * copies it into a buffer the system posted. No thread of its own stands in
 * between: every hop is a wake-up, and a ping pays for each one twice.
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
 *
 * Queues: the registry value Queues (1 to 4, default 1) sets how many TX and
 * RX queues each side offers. The wire of each direction has one ring per
 * (sending TX queue, receiving RX queue), so every ring has one producer and
 * one consumer. Like a NIC, the receiving side hashes each frame (Toeplitz,
 * with the key the OS gave it) and its indirection table picks the RX queue;
 * the hash reaches the driver's RX packet in ms_packet_hash. The sender
 * computes it with the receiver's key and table, as the receiving NIC would.
 * OffloadRss = 0 turns receive side scaling off (everything lands on RX
 * queue 0).
 *
 * 802.1Q: vpair inserts the tag the OS hands over in ms_packet_ieee8021q
 * into the frame it sends, and takes the tag off a frame it receives into
 * that extension, like a NIC with tag offload. It is off unless the
 * registry value OffloadVlan is 1, so a plain pair offers what it always did.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/socket.h>

#include <windows.h>
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
#define VPAIR_MAX_QUEUES 4u
#define VPAIR_RSS_KEY 40u
#define VPAIR_RSS_TABLE 128u

typedef struct _VPAIR_SLOT {
	UINT32 Length;
	UINT32 Mss;		/* a GSO frame: its segment size; 0 for a frame */
	BOOLEAN ChecksumPending;	/* the sender asked for its checksums */
	UINT16 HashType;	/* NET_PACKET_HASH_PROTOCOL_TYPE of Hash; 0: not hashed */
	UINT16 Tci;		/* the tag RX took off the frame, with TagMoved */
	BOOLEAN TagMoved;
	UINT32 Hash;
	UCHAR *Data;		/* SlotBytes of the wire; pages are touched only when used */
} VPAIR_SLOT;

/*
 * One direction of the wire: TX (or the socket reader) writes at Produced,
 * RX reads at Consumed. The slots are allocated with the pair, and only
 * those a frame passed through take memory.
 */
typedef struct _VPAIR_WIRE {
	_Alignas(64) _Atomic UINT32 Produced;
	_Alignas(64) _Atomic UINT32 Consumed;
	UINT32 Mask;
	VPAIR_SLOT *Slot;
	UCHAR *Bytes;
} VPAIR_WIRE;

/* The wire of one direction: a ring per (sending TX queue, receiving RX queue). */
typedef struct _VPAIR_LINKS {
	ULONG TxQueues, RxQueues;
	VPAIR_WIRE Ring[VPAIR_MAX_QUEUES][VPAIR_MAX_QUEUES];
} VPAIR_LINKS;

typedef struct _VPAIR_QUEUE {
	NETPACKETQUEUE Queue;
	ULONG Index;		/* the queue id */
	ULONG RingNext;		/* RX: the sending queue whose ring is read first */
	const NET_RING_COLLECTION *Rings;
	NET_EXTENSION VirtualAddress;
	NET_EXTENSION Checksum;
	NET_EXTENSION Gso;
	NET_EXTENSION Rsc;
	NET_EXTENSION Hash;
	NET_EXTENSION Vlan;
	UINT32 SegNext;	/* RX: the next segment of the wire slot being cut */
	ULONG HeldOn;		/* TX: 1 + the RX queue whose full ring holds it back; 0: none */
	BOOLEAN Starved;	/* RX: the last Advance ran out of buffers with frames left */
	BOOLEAN Tx;
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
	VPAIR_LINKS *SocketIn;	/* a socket end's one ring, filled by its reader thread */
	ULONG Queues;		/* TX and RX queues offered */
	_Atomic(VPAIR_QUEUE *) TxQueue[VPAIR_MAX_QUEUES];
	_Atomic(VPAIR_QUEUE *) RxQueue[VPAIR_MAX_QUEUES];
	/* Receive side scaling as the OS set it; read by the sending side's TX. */
	BOOLEAN CanRss, CanVlan;
	_Atomic BOOLEAN RssOn;
	_Atomic UINT32 RssProtocols;	/* NET_ADAPTER_RECEIVE_SCALING_PROTOCOL_TYPE */
	_Atomic UINT8 RssKey[VPAIR_RSS_KEY];
	_Atomic UINT8 RssTable[VPAIR_RSS_TABLE];	/* RX queue ids */
	/*
	 * Advance calls of this side running now, and begun so far. vpair asks
	 * for SynchronizeSetIndirectionEntries and checks that none runs while
	 * its table changes; RssUpdateHoldMs (registry, for tests) makes a
	 * change take that long, as a NIC's table write might.
	 */
	_Atomic LONG InAdvance;
	_Atomic ULONG64 Advances;
	ULONG RssHoldMs;
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
	/* Wire[s] carries frames sent by side s; both made when the second side joins. */
	VPAIR_LINKS *_Atomic Wire[2];
} VPAIR_PAIR;

/* The pairs of this driver host. */
static struct {
	pthread_mutex_t Lock;
	VPAIR_PAIR *_Atomic Pairs; /* only ever grows; a pair is complete before it is linked */
} Host = { .Lock = PTHREAD_MUTEX_INITIALIZER };

/*
 * The wake-ups between the two sides: whoever moves an index another
 * queue waits for (TX's Produced, RX's Consumed) calls these after a full
 * fence, and the waiting queue arms its notification and then looks again
 * (EvtSetNotificationEnabled), so that neither side can miss the other.
 */
static void NotifyRx(VPAIR_ADAPTER *Adapter, ULONG Queue)
{
	VPAIR_QUEUE *rx = Adapter ? atomic_load(&Adapter->RxQueue[Queue]) : NULL;

	if (rx && atomic_load(&rx->NotificationEnabled))
		NetRxQueueNotifyMoreReceivedPacketsAvailable(rx->Queue);
}

static void NotifyTx(VPAIR_ADAPTER *Adapter, ULONG Queue)
{
	VPAIR_QUEUE *tx = Adapter ? atomic_load(&Adapter->TxQueue[Queue]) : NULL;

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

/*
 * Rings for Tx x Rx queues, sharing the slots a one-queue wire has
 * (WireQueueLength) so that more queues take no more memory.
 */
static VPAIR_LINKS *LinksCreate(ULONG Tx, ULONG Rx, ULONG Slots, ULONG SlotBytes)
{
	VPAIR_LINKS *l = calloc(1, sizeof(*l));
	ULONG per = Slots;

	while (per > VPAIR_WIRE_SLOTS_MIN && per > Slots / (Tx * Rx))
		per >>= 1;
	if (!l)
		return NULL;
	l->TxQueues = Tx;
	l->RxQueues = Rx;
	for (ULONG k = 0; k < Tx; k++)
		for (ULONG j = 0; j < Rx; j++)
			if (!WireInit(&l->Ring[k][j], per, SlotBytes))
				return NULL; /* a driver host out of memory at start fails the start anyway */
	return l;
}

/* The Toeplitz hash of In with Key, as RSS hardware computes it. */
static UINT32 Toeplitz(const UINT8 *Key, const UINT8 *In, UINT32 Len)
{
	UINT32 result = 0, window = (UINT32)Key[0] << 24 | (UINT32)Key[1] << 16 | (UINT32)Key[2] << 8 | Key[3];

	for (UINT32 i = 0; i < Len; i++)
		for (UINT32 b = 0; b < 8; b++) {
			if (In[i] & (0x80u >> b))
				result ^= window;
			window <<= 1;
			if (i + 4 < VPAIR_RSS_KEY && (Key[i + 4] & (0x80u >> b)))
				window |= 1;
		}
	return result;
}

/*
 * What the receiving side's RSS makes of a frame: its hash and hash type
 * (0 when it hashes nothing) and the RX queue. Head holds the frame's
 * first Len bytes.
 */
static ULONG RssTarget(VPAIR_ADAPTER *Rx, const UCHAR *Head, UINT32 Len, UINT32 *Hash, UINT16 *Type)
{
	UINT8 key[VPAIR_RSS_KEY], in[36];
	UINT32 l3 = 14, n = 0, protocols, l4off = 0;
	UINT16 type = 0, ether;
	UINT8 proto = 0;

	*Hash = 0;
	*Type = 0;
	if (!Rx || !atomic_load(&Rx->RssOn) || Len < 14)
		return 0;
	protocols = atomic_load(&Rx->RssProtocols);
	ether = (UINT16)(Head[12] << 8 | Head[13]);
	if (ether == 0x8100 && Len >= 18) {
		ether = (UINT16)(Head[16] << 8 | Head[17]);
		l3 = 18;
	}
	if (ether == 0x0800 && Len >= l3 + 20 && (protocols & NetAdapterReceiveScalingProtocolTypeIPv4)) {
		UINT32 ihl = (Head[l3] & 0xfu) * 4u;
		BOOLEAN fragment = (Head[l3 + 6] & 0x3f) || Head[l3 + 7];
		memcpy(in, Head + l3 + 12, 8);
		n = 8;
		type = NetPacketHashProtocolTypeIPv4;
		proto = fragment ? 0 : Head[l3 + 9];
		l4off = l3 + ihl;
	} else if (ether == 0x86dd && Len >= l3 + 40 && (protocols & NetAdapterReceiveScalingProtocolTypeIPv6)) {
		memcpy(in, Head + l3 + 8, 32);
		n = 32;
		type = NetPacketHashProtocolTypeIPv6;
		proto = Head[l3 + 6];
		l4off = l3 + 40;
	}
	if (!n)
		return atomic_load(&Rx->RssTable[0]) % Rx->Queues; /* unhashed: where entry 0 points */
	if (l4off + 4 <= Len && ((proto == 6 && (protocols & NetAdapterReceiveScalingProtocolTypeTcp)) ||
				 (proto == 17 && (protocols & NetAdapterReceiveScalingProtocolTypeUdp)))) {
		memcpy(in + n, Head + l4off, 4);
		n += 4;
		type |= proto == 6 ? NetPacketHashProtocolTypeTcp : NetPacketHashProtocolTypeUdp;
	}
	for (UINT32 i = 0; i < VPAIR_RSS_KEY; i++)
		key[i] = atomic_load_explicit(&Rx->RssKey[i], memory_order_relaxed);
	*Hash = Toeplitz(key, in, n);
	*Type = type;
	return atomic_load_explicit(&Rx->RssTable[*Hash % VPAIR_RSS_TABLE], memory_order_relaxed) % Rx->Queues;
}

/*
 * A socket end: datagrams from the peer's socket land in SocketIn, as the
 * peer's TX would deliver them in memory. When RX has no room the datagram
 * is lost, as on a wire.
 */
static void *SocketReader(void *Context)
{
	VPAIR_ADAPTER *a = Context;
	VPAIR_WIRE *w = &a->SocketIn->Ring[0][0];
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
		atomic_store_explicit(&w->Produced, prod + 1, memory_order_release);
		atomic_thread_fence(memory_order_seq_cst);
		NotifyRx(a, 0);
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
		if (!pair) {
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
	if (pair->Devices == 1) {
		/* The second end: both queue counts are known, the cable can be laid. */
		VPAIR_ADAPTER *first = atomic_load(&pair->Side[0]);
		VPAIR_LINKS *w0 = LinksCreate(first->Queues, a->Queues, a->WireSlots, VPAIR_GSO_FRAME);
		VPAIR_LINKS *w1 = LinksCreate(a->Queues, first->Queues, a->WireSlots, VPAIR_GSO_FRAME);
		if (!w0 || !w1) {
			status = STATUS_INSUFFICIENT_RESOURCES;
			goto out;
		}
		atomic_store(&pair->Wire[0], w0);
		atomic_store(&pair->Wire[1], w1);
	}
	a->Side = pair->Devices++;
	a->Pair = pair;
	atomic_store(&pair->Side[a->Side], a);
out:
	pthread_mutex_unlock(&Host.Lock);
	return status;
}

/* The end of a pair whose wire is a UDP socket umnicd granted (UmnicResources). */
static NTSTATUS UseSocket(VPAIR_ADAPTER *a, int Socket)
{
	pthread_t reader;

	a->Queues = 1; /* one datagram socket, one queue */
	/* Prepared again after a stop: the same socket, its reader still runs. */
	if (a->Socket == Socket)
		return STATUS_SUCCESS;
	a->Socket = Socket;
	a->SocketIn = LinksCreate(1, 1, a->WireSlots, VPAIR_MAX_FRAME);
	if (!a->SocketIn)
		return STATUS_INSUFFICIENT_RESOURCES;
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

/* The first bytes of a packet, for the receiving side's hash. */
static UINT32 GatherHead(VPAIR_QUEUE *q, NET_RING *fr, const NET_PACKET *p, UCHAR *Dst, UINT32 Max)
{
	UINT32 len = 0;

	for (UINT16 k = 0; k < p->FragmentCount && len < Max; k++) {
		UINT32 fi = NetRingAdvanceIndex(fr, p->FragmentIndex, k);
		NET_FRAGMENT *f = NetRingGetFragmentAtIndex(fr, fi);
		NET_FRAGMENT_VIRTUAL_ADDRESS *va = NetExtensionGetFragmentVirtualAddress(&q->VirtualAddress, fi);
		UINT32 n = (UINT32)f->ValidLength < Max - len ? (UINT32)f->ValidLength : Max - len;
		memcpy(Dst + len, (UCHAR *)va->VirtualAddress + f->Offset, n);
		len += n;
	}
	return len;
}

/* The tag the OS left to vpair goes into the frame (Data has room for it): TRUE if it did. */
static BOOLEAN InsertTag(const NET_PACKET_IEEE8021Q *Tag, UCHAR *Data, UINT32 Len)
{
	UINT16 tci = 0;

	if (!Tag->TxTagging || Len < 14)
		return FALSE;
	if (Tag->TxTagging & NetPacketTxIeee8021qActionFlagPriorityRequired)
		tci |= (UINT16)(Tag->PriorityCodePoint << 13);
	if (Tag->TxTagging & NetPacketTxIeee8021qActionFlagVlanRequired)
		tci |= Tag->VlanIdentifier;
	memmove(Data + 16, Data + 12, Len - 12);
	Data[12] = 0x81;
	Data[13] = 0x00;
	Data[14] = (UCHAR)(tci >> 8);
	Data[15] = (UCHAR)tci;
	return TRUE;
}

/* A receiving side with tag offload takes the tag off the frame, once per frame. */
static void TakeTag(VPAIR_ADAPTER *a, VPAIR_SLOT *Slot)
{
	if (!a->CanVlan || a->Socket >= 0 || Slot->TagMoved || Slot->Length < 18 || Slot->Data[12] != 0x81 ||
	    Slot->Data[13] != 0x00 || (Slot->Data[14] & 0x10))
		return;
	Slot->Tci = (UINT16)(Slot->Data[14] << 8 | Slot->Data[15]);
	memmove(Slot->Data + 12, Slot->Data + 16, Slot->Length - 16);
	Slot->Length -= 4;
	Slot->TagMoved = TRUE;
}

static void TxAdvance(NETPACKETQUEUE Queue)
{
	VPAIR_QUEUE *q = VPairGetQueue(Queue);
	VPAIR_ADAPTER *a = q->Adapter, *peer = Peer(a);
	NET_RING *pr = NetRingCollectionGetPacketRing(q->Rings);
	NET_RING *fr = NetRingCollectionGetFragmentRing(q->Rings);
	VPAIR_LINKS *out = a->Pair ? atomic_load(&a->Pair->Wire[a->Side]) : NULL;
	UINT32 prod[VPAIR_MAX_QUEUES] = { 0 };
	BOOLEAN cancelled = atomic_load(&q->Cancelled);
	ULONG sent = 0;

	for (ULONG j = 0; out && j < out->RxQueues; j++)
		prod[j] = atomic_load_explicit(&out->Ring[q->Index][j].Produced, memory_order_relaxed);
	while (pr->BeginIndex != pr->EndIndex) {
		NET_PACKET *p = NetRingGetPacketAtIndex(pr, pr->BeginIndex);

		if (!p->Ignore && !cancelled && a->Socket >= 0) {
			SendFrame(q, fr, p);
		} else if (!p->Ignore && !cancelled && out) {
			/* The receiving side's RSS picks the ring; a full ring holds the queue back. */
			UCHAR head[128];
			UINT32 hash, index = pr->BeginIndex;
			UINT16 type;
			ULONG j = RssTarget(peer, head, GatherHead(q, fr, p, head, sizeof(head)), &hash, &type);
			VPAIR_WIRE *w = &out->Ring[q->Index][j];
			VPAIR_SLOT *slot;
			UINT32 len;

			if (prod[j] - atomic_load_explicit(&w->Consumed, memory_order_acquire) > w->Mask) {
				q->HeldOn = j + 1; /* the wire is full: wait for the peer to drain it */
				break;
			}
			slot = &w->Slot[prod[j] & w->Mask];
			len = Gather(q, fr, p, slot->Data, VPAIR_GSO_FRAME);
			/*
			 * The work the OS asked for travels with the frame; the wire does it.
			 * The packet's own extension says what that is: one posted just
			 * before LSO was turned off is still cut, not dropped as too long.
			 */
			slot->Mss = len && a->CanLso ? NetExtensionGetPacketGso(&q->Gso, index)->TCP.Mss : 0;
			slot->ChecksumPending = NetExtensionGetPacketChecksum(&q->Checksum, index)->Layer4 ==
						NetPacketTxChecksumActionRequired;
			slot->Hash = hash;
			slot->HashType = type;
			slot->TagMoved = FALSE;
			if (len && InsertTag(NetExtensionGetPacketIeee8021Q(&q->Vlan, index), slot->Data, len))
				len += 4;
			if (!slot->Mss && len > VPAIR_MAX_FRAME + (slot->Data[12] == 0x81 ? 4 : 0))
				len = 0; /* not a GSO frame: too long for the wire */
			if (len) {
				slot->Length = len;
				prod[j]++;
				sent |= 1u << j;
			}
		}
		/* Without a peer yet the frame is lost, as on a cable with nothing at the other end. */
		if (p->FragmentCount)
			fr->BeginIndex = NetRingAdvanceIndex(fr, p->FragmentIndex, p->FragmentCount);
		pr->BeginIndex = NetRingIncrementIndex(pr, pr->BeginIndex);
	}
	if (pr->BeginIndex == pr->EndIndex)
		q->HeldOn = 0;
	pr->NextIndex = pr->BeginIndex;
	fr->NextIndex = fr->BeginIndex;
	if (sent) {
		for (ULONG j = 0; j < out->RxQueues; j++)
			if (sent & (1u << j))
				atomic_store_explicit(&out->Ring[q->Index][j].Produced, prod[j], memory_order_release);
		atomic_thread_fence(memory_order_seq_cst);
		for (ULONG j = 0; j < out->RxQueues; j++)
			if (sent & (1u << j))
				NotifyRx(peer, j);
	}
}

/*
 * The RSS hash of a received packet (when receive scaling is on), and its
 * checksums marked as checked, when the OS asked for that.
 */
static void RxChecksum(VPAIR_QUEUE *q, UINT32 Index, const struct seg_info *si, const VPAIR_SLOT *Slot)
{
	NET_PACKET_CHECKSUM *c;

	if (Slot->TagMoved) {
		NET_PACKET_IEEE8021Q *t = NetExtensionGetPacketIeee8021Q(&q->Vlan, Index);
		t->PriorityCodePoint = (UINT16)(Slot->Tci >> 13);
		t->VlanIdentifier = (UINT16)(Slot->Tci & 0xfff);
	}
	if (Slot->HashType && atomic_load(&q->Adapter->RssOn)) {
		NET_PACKET_HASH *h = NetExtensionGetPacketHash(&q->Hash, Index);
		h->HashValue = Slot->Hash;
		h->ProtocolType = Slot->HashType;
	}
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
	RxChecksum(q, pr->BeginIndex, si, Slot);
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
		RxChecksum(q, pr->BeginIndex, si, Slot);
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
		RxChecksum(q, pr->BeginIndex, si, Slot);
		RxComplete(pr, fr, 1);
		q->SegNext++;
	}
	if (q->SegNext < nseg)
		return FALSE;
	q->SegNext = 0;
	return TRUE;
}

/* Frames of one ring into the RX rings; FALSE when they ran out of room. */
static BOOLEAN RxFromRing(VPAIR_QUEUE *q, NET_RING *pr, NET_RING *fr, VPAIR_WIRE *w)
{
	UINT32 cons = atomic_load_explicit(&w->Consumed, memory_order_relaxed);
	UINT32 ready = atomic_load_explicit(&w->Produced, memory_order_acquire);
	BOOLEAN room = TRUE;

	while (cons != ready) {
		VPAIR_SLOT *slot = &w->Slot[cons & w->Mask];
		UINT32 len = slot->Length;
		struct seg_info si;
		BOOLEAN parsed;

		if (pr->BeginIndex == pr->EndIndex || fr->BeginIndex == fr->EndIndex) {
			room = FALSE;
			break;
		}
		TakeTag(q->Adapter, slot);
		len = slot->Length;
		parsed = seg_parse(slot->Data, len, &si) == 0;
		if (slot->Mss && parsed && si.end > si.hdr_len) {
			if (!DeliverGso(q, pr, fr, slot, &si)) {
				room = FALSE;
				break; /* no room for the rest: the next Advance goes on */
			}
		} else if (!DeliverFrame(q, pr, fr, slot, parsed ? &si : NULL)) {
			/* does not fit the posted buffer: dropped on the wire */
		}
		cons++;
	}
	if (cons != atomic_load_explicit(&w->Consumed, memory_order_relaxed)) {
		atomic_store_explicit(&w->Consumed, cons, memory_order_release);
		atomic_thread_fence(memory_order_seq_cst);
	}
	return room;
}

static void RxAdvance(NETPACKETQUEUE Queue)
{
	VPAIR_QUEUE *q = VPairGetQueue(Queue);
	VPAIR_ADAPTER *a = q->Adapter;
	VPAIR_LINKS *in = a->SocketIn ? a->SocketIn : a->Pair ? atomic_load(&a->Pair->Wire[a->Side ^ 1]) : NULL;
	NET_RING *pr = NetRingCollectionGetPacketRing(q->Rings);
	NET_RING *fr = NetRingCollectionGetFragmentRing(q->Rings);

	if (atomic_load(&q->Cancelled)) {
		/* Give everything back: remaining packets are ignored and carry no fragments. */
		for (UINT32 i = pr->BeginIndex; i != pr->EndIndex; i = NetRingIncrementIndex(pr, i))
			NetRingGetPacketAtIndex(pr, i)->Ignore = 1;
		pr->BeginIndex = pr->NextIndex = pr->EndIndex;
		fr->BeginIndex = fr->NextIndex = fr->EndIndex;
		return;
	}
	q->Starved = FALSE;
	if (in && q->Index < in->RxQueues) {
		/* Each sending queue's ring in turn, starting where the last Advance stopped. */
		for (ULONG n = 0; n < in->TxQueues; n++) {
			ULONG k = (q->RingNext + n) % in->TxQueues;
			UINT32 before = atomic_load_explicit(&in->Ring[k][q->Index].Consumed, memory_order_relaxed);
			BOOLEAN room = RxFromRing(q, pr, fr, &in->Ring[k][q->Index]);

			/* Room on the wire again: the sender may have stopped for it. */
			if (before != atomic_load_explicit(&in->Ring[k][q->Index].Consumed, memory_order_relaxed))
				NotifyTx(Peer(a), k);
			if (!room) {
				q->Starved = TRUE;
				q->RingNext = k; /* a frame half delivered goes on first */
				break;
			}
		}
		if (q->SegNext == 0)
			q->RingNext = (q->RingNext + 1) % in->TxQueues;
	}
	pr->NextIndex = pr->BeginIndex;
	fr->NextIndex = fr->BeginIndex;
}

/* The wire a queue reads (RX) or writes (TX), or NULL. */
static VPAIR_LINKS *QueueLinks(const VPAIR_QUEUE *q)
{
	const VPAIR_ADAPTER *a = q->Adapter;

	if (!q->Tx && a->SocketIn)
		return a->SocketIn;
	return a->Pair ? atomic_load(&a->Pair->Wire[q->Tx ? a->Side : a->Side ^ 1]) : NULL;
}

/*
 * Work that arrived while notification was off and that the next Advance
 * can do: frames on the wire and buffers to put them in, unless the last
 * Advance ran out of them (RX), or room again on the ring that held TX
 * back. Anything else would wake the queue for an Advance that moves
 * nothing, again and again.
 */
static BOOLEAN WorkWaiting(const VPAIR_QUEUE *q)
{
	const NET_RING *pr = NetRingCollectionGetPacketRing(q->Rings);
	const NET_RING *fr = NetRingCollectionGetFragmentRing(q->Rings);
	VPAIR_LINKS *l = QueueLinks(q);

	if (!l)
		return FALSE;
	if (q->Tx) {
		const VPAIR_WIRE *w;

		if (!q->HeldOn || q->HeldOn > l->RxQueues || q->Index >= l->TxQueues)
			return FALSE;
		w = &l->Ring[q->Index][q->HeldOn - 1];
		return atomic_load_explicit(&w->Produced, memory_order_relaxed) -
			       atomic_load_explicit(&w->Consumed, memory_order_acquire) <=
		       w->Mask;
	}
	/* Out of buffers: the OS's next post wakes the queue, and a notification now would spin. */
	if (q->Starved || pr->BeginIndex == pr->EndIndex || fr->BeginIndex == fr->EndIndex ||
	    q->Index >= l->RxQueues)
		return FALSE;
	for (ULONG k = 0; k < l->TxQueues; k++) {
		const VPAIR_WIRE *w = &l->Ring[k][q->Index];

		if (atomic_load_explicit(&w->Produced, memory_order_acquire) !=
		    atomic_load_explicit(&w->Consumed, memory_order_relaxed))
			return TRUE;
	}
	return FALSE;
}

/* One Advance, counted for the check in EvtRssSetIndirectionEntries. */
static void CountedAdvance(NETPACKETQUEUE Queue, void (*Advance)(NETPACKETQUEUE))
{
	VPAIR_ADAPTER *a = VPairGetQueue(Queue)->Adapter;

	atomic_fetch_add(&a->InAdvance, 1);
	atomic_fetch_add(&a->Advances, 1);
	Advance(Queue);
	atomic_fetch_sub(&a->InAdvance, 1);
}

static void EvtTxAdvance(NETPACKETQUEUE Queue)
{
	CountedAdvance(Queue, TxAdvance);
}

static void EvtRxAdvance(NETPACKETQUEUE Queue)
{
	CountedAdvance(Queue, RxAdvance);
}

/*
 * Arming is followed by one more look (after a full fence, against the
 * other side's fence between moving its index and reading this flag): what
 * arrived in between is notified at once instead of waiting for the next
 * frame.
 */
static void EvtSetNotificationEnabled(NETPACKETQUEUE Queue, BOOLEAN Enabled)
{
	VPAIR_QUEUE *q = VPairGetQueue(Queue);

	atomic_store(&q->NotificationEnabled, Enabled);
	if (!Enabled)
		return;
	atomic_thread_fence(memory_order_seq_cst);
	if (!WorkWaiting(q))
		return;
	if (q->Tx)
		NetTxQueueNotifyMoreCompletedPacketsAvailable(Queue);
	else
		NetRxQueueNotifyMoreReceivedPacketsAvailable(Queue);
}

static void EvtCancel(NETPACKETQUEUE Queue)
{
	atomic_store(&VPairGetQueue(Queue)->Cancelled, TRUE);
}

static void EvtStart(NETPACKETQUEUE Queue)
{
	VPairGetQueue(Queue)->SegNext = 0;
	VPairGetQueue(Queue)->HeldOn = 0;
	atomic_store(&VPairGetQueue(Queue)->Cancelled, FALSE);
}

/* The queue is about to be deleted (a stop or a removal): the wire must not wake it any more. */
static void EvtStop(NETPACKETQUEUE Queue)
{
	VPAIR_QUEUE *q = VPairGetQueue(Queue);
	VPAIR_QUEUE *expected = q;

	if (!atomic_compare_exchange_strong(&q->Adapter->TxQueue[q->Index], &expected, NULL)) {
		expected = q;
		atomic_compare_exchange_strong(&q->Adapter->RxQueue[q->Index], &expected, NULL);
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
	q->Tx = Tx;
	q->Index = Tx ? NetTxQueueInitGetQueueId((NETTXQUEUE_INIT *)Init) : NetRxQueueInitGetQueueId((NETRXQUEUE_INIT *)Init);
	if (q->Index >= a->Queues)
		return STATUS_INVALID_PARAMETER;
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
			{ NET_PACKET_EXTENSION_HASH_NAME, NET_PACKET_EXTENSION_HASH_VERSION_1,
			  offsetof(VPAIR_QUEUE, Hash) },
			{ NET_PACKET_EXTENSION_IEEE8021Q_NAME, NET_PACKET_EXTENSION_IEEE8021Q_VERSION_1,
			  offsetof(VPAIR_QUEUE, Vlan) },
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
		atomic_store(&a->TxQueue[q->Index], q);
	else
		atomic_store(&a->RxQueue[q->Index], q);
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
	DECLARE_CONST_UNICODE_STRING(rssName, L"OffloadRss");
	DECLARE_CONST_UNICODE_STRING(vlanName, L"OffloadVlan");
	DECLARE_CONST_UNICODE_STRING(queuesName, L"Queues");
	DECLARE_CONST_UNICODE_STRING(holdName, L"RssUpdateHoldMs");
	NETCONFIGURATION configuration;
	ULONG value;

	a->Mtu = 1500;
	a->LinkSpeed = 10000ull * 1000 * 1000;
	a->PairId = 0;
	/* Prepared again after a stop: it stays on the side of the pair it took. */
	if (!a->Pair)
		a->Side = 0;
	a->WireSlots = VPAIR_WIRE_SLOTS_DEFAULT;
	a->CanChecksum = a->CanLso = a->CanRsc = a->CanRss = TRUE;
	a->CanVlan = FALSE;
	a->Queues = 1;
	a->RssHoldMs = 0;
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
	if (!a->Pair &&
	    NT_SUCCESS(NetConfigurationQueryUlong(configuration, NET_CONFIGURATION_QUERY_ULONG_NO_FLAGS,
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
	if (NT_SUCCESS(NetConfigurationQueryUlong(configuration, NET_CONFIGURATION_QUERY_ULONG_NO_FLAGS,
						  &rssName, &value)))
		a->CanRss = value != 0;
	if (NT_SUCCESS(NetConfigurationQueryUlong(configuration, NET_CONFIGURATION_QUERY_ULONG_NO_FLAGS,
						  &vlanName, &value)))
		a->CanVlan = value != 0;
	if (NT_SUCCESS(NetConfigurationQueryUlong(configuration, NET_CONFIGURATION_QUERY_ULONG_NO_FLAGS,
						  &queuesName, &value)) &&
	    value >= 1 && value <= VPAIR_MAX_QUEUES)
		a->Queues = value;
	if (NT_SUCCESS(NetConfigurationQueryUlong(configuration, NET_CONFIGURATION_QUERY_ULONG_NO_FLAGS,
						  &holdName, &value)) &&
	    value <= 100)
		a->RssHoldMs = value;
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
	if (a->CanVlan) {
		NET_ADAPTER_OFFLOAD_IEEE8021Q_TAG_CAPABILITIES tag;

		NET_ADAPTER_OFFLOAD_IEEE8021Q_TAG_CAPABILITIES_INIT(
			&tag, NetAdapterOffloadIeee8021PriorityTaggingFlag | NetAdapterOffloadIeee8021VlanTaggingFlag);
		NetAdapterOffloadSetIeee8021qTagCapabilities(a->Adapter, &tag);
	}
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

static NTSTATUS EvtRssEnable(NETADAPTER Adapter, NET_ADAPTER_RECEIVE_SCALING_HASH_TYPE HashType,
			     NET_ADAPTER_RECEIVE_SCALING_PROTOCOL_TYPE ProtocolType)
{
	VPAIR_ADAPTER *a = VPairGetAdapter(Adapter);

	if (HashType != NetAdapterReceiveScalingHashTypeToeplitz)
		return STATUS_NOT_SUPPORTED;
	atomic_store(&a->RssProtocols, (UINT32)ProtocolType);
	atomic_store(&a->RssOn, TRUE);
	DbgPrintEx(DPFLTR_IHVNETWORK_ID, DPFLTR_INFO_LEVEL, "vpair %s: receive scaling on, protocols 0x%x\n",
		   a->Side ? "B" : "A", (unsigned)ProtocolType);
	return STATUS_SUCCESS;
}

static void EvtRssDisable(NETADAPTER Adapter)
{
	VPAIR_ADAPTER *a = VPairGetAdapter(Adapter);

	atomic_store(&a->RssOn, FALSE);
	DbgPrintEx(DPFLTR_IHVNETWORK_ID, DPFLTR_INFO_LEVEL, "vpair %s: receive scaling off\n", a->Side ? "B" : "A");
}

static NTSTATUS EvtRssSetHashSecretKey(NETADAPTER Adapter, NET_ADAPTER_RECEIVE_SCALING_HASH_SECRET_KEY const *Key)
{
	VPAIR_ADAPTER *a = VPairGetAdapter(Adapter);

	if (Key->Length < VPAIR_RSS_KEY)
		return STATUS_INVALID_PARAMETER;
	for (ULONG i = 0; i < VPAIR_RSS_KEY; i++)
		atomic_store_explicit(&a->RssKey[i], Key->Key[i], memory_order_relaxed);
	return STATUS_SUCCESS;
}

static NTSTATUS EvtRssSetIndirectionEntries(NETADAPTER Adapter,
					    NET_ADAPTER_RECEIVE_SCALING_INDIRECTION_ENTRIES *Entries)
{
	VPAIR_ADAPTER *a = VPairGetAdapter(Adapter);
	ULONG64 begun = atomic_load(&a->Advances);
	BOOLEAN busy = atomic_load(&a->InAdvance) != 0;

	if (a->RssHoldMs)
		Sleep(a->RssHoldMs);
	busy = busy || atomic_load(&a->InAdvance) != 0 || atomic_load(&a->Advances) != begun;
	if (busy)
		DbgPrintEx(DPFLTR_IHVNETWORK_ID, DPFLTR_ERROR_LEVEL,
			   "vpair %s: an Advance ran while the indirection table changed\n", a->Side ? "B" : "A");
	for (SIZE_T i = 0; i < Entries->Length; i++) {
		NET_ADAPTER_RECEIVE_SCALING_INDIRECTION_ENTRY *e = &Entries->Entries[i];
		ULONG j;

		for (j = 0; j < a->Queues; j++) {
			VPAIR_QUEUE *rx = atomic_load(&a->RxQueue[j]);
			if (rx && rx->Queue == e->PacketQueue)
				break;
		}
		if (j == a->Queues || e->Index >= VPAIR_RSS_TABLE) {
			e->Status = STATUS_INVALID_PARAMETER;
			continue;
		}
		atomic_store_explicit(&a->RssTable[e->Index], (UINT8)j, memory_order_relaxed);
		e->Status = STATUS_SUCCESS;
	}
	return STATUS_SUCCESS;
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
	NET_ADAPTER_TX_CAPABILITIES_INIT(&tx, a->Queues);
	NET_ADAPTER_RX_CAPABILITIES_INIT_SYSTEM_MANAGED(&rx, VPAIR_MAX_FRAME, a->Queues);
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
	if (a->CanRss && a->Socket < 0) {
		NET_ADAPTER_RECEIVE_SCALING_CAPABILITIES rss;

		NET_ADAPTER_RECEIVE_SCALING_CAPABILITIES_INIT(
			&rss, a->Queues, NetAdapterReceiveScalingUnhashedTargetTypeHashIndex,
			NetAdapterReceiveScalingHashTypeToeplitz,
			NetAdapterReceiveScalingProtocolTypeIPv4 | NetAdapterReceiveScalingProtocolTypeIPv6 |
				NetAdapterReceiveScalingProtocolTypeTcp | NetAdapterReceiveScalingProtocolTypeUdp,
			EvtRssEnable, EvtRssDisable, EvtRssSetHashSecretKey, EvtRssSetIndirectionEntries);
		rss.IndirectionTableSize = VPAIR_RSS_TABLE;
		rss.SynchronizeSetIndirectionEntries = TRUE;
		NetAdapterSetReceiveScalingCapabilities(adapter, &rss);
	}
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
