/* SPDX-License-Identifier: MIT */
/*
 * The cable between the two sides of a pair. A pair is found or made by
 * its Pair value when a device is prepared; when its second side joins, the
 * wire of each direction is laid: one ring of slots per (sending TX queue,
 * receiving RX queue). An end in a driver host of its own has a UDP socket
 * instead, whose reader thread fills a one-ring wire as the peer's TX would.
 * Whoever moves a ring's index wakes the queue waiting on the other side.
 * Which ring of a direction a frame takes is the receiving side's RSS
 * choice, computed here by the sender with the receiver's key and table.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "vpair.h"

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
void VPairNotifyRx(VPAIR_ADAPTER *Adapter, ULONG Queue)
{
	VPAIR_QUEUE *rx = Adapter ? atomic_load(&Adapter->RxQueue[Queue]) : NULL;

	if (rx && atomic_load(&rx->NotificationEnabled))
		NetRxQueueNotifyMoreReceivedPacketsAvailable(rx->Queue);
}

void VPairNotifyTx(VPAIR_ADAPTER *Adapter, ULONG Queue)
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
	pthread_mutex_init(&Wire->Lock, NULL);
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
ULONG VPairRssTarget(VPAIR_ADAPTER *Rx, const UCHAR *Head, UINT32 Len, UINT32 *Hash, UINT16 *Type)
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
		VPairNotifyRx(a, 0);
	}
	return NULL;
}

/* Joins the pair named by the device's Pair value, as its first free side. */
NTSTATUS VPairJoinPair(VPAIR_ADAPTER *a)
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
NTSTATUS VPairUseSocket(VPAIR_ADAPTER *a, int Socket)
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
VPAIR_ADAPTER *VPairPeer(VPAIR_ADAPTER *a)
{
	return a->Pair ? atomic_load(&a->Pair->Side[a->Side ^ 1]) : NULL;
}
