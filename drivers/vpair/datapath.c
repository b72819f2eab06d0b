/* SPDX-License-Identifier: MIT */
/*
 * vpair's packet queues. TX puts each packet into a slot of the ring its
 * peer's RSS picks, with the work the OS asked for (checksum, segmentation,
 * the 802.1Q tag) noted beside it. The slot points at the packet's own TX
 * buffers, which the packet keeps until the receiver has read it (one copy
 * per frame, as with a NIC's DMA), unless a tag must go in: then the frame
 * is copied into the slot. RX takes frames off the rings into the
 * buffers the system posted, and does that work there: it coalesces a GSO
 * frame when RSC is in force, or cuts it into segments, and writes the
 * checksums the sender left to the wire. Notification is armed only when
 * an Advance would find work, so a queue with nothing to do stays asleep.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "segment.h"
#include "vpair.h"

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

/* The frame's first bytes: at least every header, or the whole frame if shorter. */
static const UCHAR *SlotHead(const VPAIR_SLOT *Slot)
{
	return Slot->Spans ? Slot->Head : Slot->Data;
}

/* Where a reader of a slot's frame is. */
typedef struct _VPAIR_CURSOR {
	UINT32 Span, Offset;
} VPAIR_CURSOR;

/* Copies the frame's next Count bytes from the cursor on, wherever the frame is. */
static void SlotRead(const VPAIR_SLOT *Slot, VPAIR_CURSOR *c, UCHAR *Dst, UINT32 Count)
{
	if (!Slot->Spans) {
		memcpy(Dst, Slot->Data + c->Offset, Count);
		c->Offset += Count;
		return;
	}
	while (Count && c->Span < Slot->Spans) {
		const VPAIR_SPAN *sp = &Slot->Span[c->Span];
		UINT32 n = sp->Length - c->Offset < Count ? sp->Length - c->Offset : Count;

		memcpy(Dst, sp->Va + c->Offset, n);
		Dst += n;
		Count -= n;
		c->Offset += n;
		if (c->Offset == sp->Length) {
			c->Span++;
			c->Offset = 0;
		}
	}
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
	/* A frame left in the sender's buffers carries no tag (Lend). */
	if (!a->CanVlan || a->Socket >= 0 || Slot->Spans || Slot->TagMoved || Slot->Length < 18 || Slot->Data[12] != 0x81 ||
	    Slot->Data[13] != 0x00 || (Slot->Data[14] & 0x10))
		return;
	Slot->Tci = (UINT16)(Slot->Data[14] << 8 | Slot->Data[15]);
	memmove(Slot->Data + 12, Slot->Data + 16, Slot->Length - 16);
	Slot->Length -= 4;
	Slot->TagMoved = TRUE;
}

/*
 * Points the slot at the packet's TX buffers instead of copying them, when
 * the receiving side needs nothing but the bytes: no tag to insert or take
 * off, and few enough fragments. The packet is completed once the slot is
 * read. Returns the frame's length, 0 when it must be copied instead.
 */
static UINT32 Lend(VPAIR_QUEUE *q, NET_RING *fr, const NET_PACKET *p, const UCHAR *Head, UINT32 HeadLen,
		   VPAIR_SLOT *Slot)
{
	UINT32 len = 0, n = 0;

	if (p->FragmentCount > VPAIR_SLOT_SPANS || HeadLen < 14 || (Head[12] == 0x81 && Head[13] == 0x00))
		return 0;
	for (UINT16 k = 0; k < p->FragmentCount; k++) {
		UINT32 fi = NetRingAdvanceIndex(fr, p->FragmentIndex, k);
		NET_FRAGMENT *f = NetRingGetFragmentAtIndex(fr, fi);
		NET_FRAGMENT_VIRTUAL_ADDRESS *va = NetExtensionGetFragmentVirtualAddress(&q->VirtualAddress, fi);

		if (!f->ValidLength)
			continue;
		if (len + f->ValidLength > VPAIR_GSO_FRAME)
			return 0;
		Slot->Span[n].Va = (const UCHAR *)va->VirtualAddress + f->Offset;
		Slot->Span[n].Length = (UINT32)f->ValidLength;
		len += (UINT32)f->ValidLength;
		n++;
	}
	if (!n)
		return 0;
	memcpy(Slot->Head, Head, HeadLen);
	Slot->Spans = n;
	return len;
}

/*
 * Whether the sent packet at Index may be returned: it was copied, its slot
 * was revoked (Revoke clears Ring), or the receiver has read the slot.
 */
static BOOLEAN TxReturnable(const VPAIR_QUEUE *q, const VPAIR_LINKS *l, UINT32 Index)
{
	const VPAIR_HELD *h = &q->Held[Index];

	return !h->Ring ||
	       (INT32)(atomic_load_explicit(&l->Ring[q->Index][h->Ring - 1].Consumed, memory_order_acquire) -
		       h->Seq) > 0;
}

/* Hands back the packets on the wire, in order, as far as the receiver has read them. */
static void TxComplete(VPAIR_QUEUE *q, NET_RING *pr, NET_RING *fr, VPAIR_LINKS *out)
{
	while (pr->BeginIndex != pr->NextIndex && TxReturnable(q, out, pr->BeginIndex)) {
		NET_PACKET *p = NetRingGetPacketAtIndex(pr, pr->BeginIndex);

		if (p->FragmentCount)
			fr->BeginIndex = NetRingAdvanceIndex(fr, p->FragmentIndex, p->FragmentCount);
		pr->BeginIndex = NetRingIncrementIndex(pr, pr->BeginIndex);
	}
}

/*
 * A cancelled or stopping TX queue takes its buffers back at once: the
 * slots still pointing at them are marked lost, under each ring's lock so
 * that no receiver is reading them meanwhile.
 */
static void Revoke(VPAIR_QUEUE *q, NET_RING *pr, VPAIR_LINKS *out)
{
	if (!out || pr->BeginIndex == pr->NextIndex)
		return;
	for (ULONG j = 0; j < out->RxQueues; j++) {
		VPAIR_WIRE *w = &out->Ring[q->Index][j];
		UINT32 end = atomic_load_explicit(&w->Produced, memory_order_relaxed);

		pthread_mutex_lock(&w->Lock);
		for (UINT32 s = atomic_load_explicit(&w->Consumed, memory_order_relaxed); s != end; s++)
			if (w->Slot[s & w->Mask].Spans)
				w->Slot[s & w->Mask].Revoked = TRUE;
		pthread_mutex_unlock(&w->Lock);
	}
	for (UINT32 i = pr->BeginIndex; i != pr->NextIndex; i = NetRingIncrementIndex(pr, i))
		q->Held[i].Ring = 0;
}

static void TxAdvance(NETPACKETQUEUE Queue)
{
	VPAIR_QUEUE *q = VPairGetQueue(Queue);
	VPAIR_ADAPTER *a = q->Adapter, *peer = VPairPeer(a);
	NET_RING *pr = NetRingCollectionGetPacketRing(q->Rings);
	NET_RING *fr = NetRingCollectionGetFragmentRing(q->Rings);
	VPAIR_LINKS *out = a->Pair ? atomic_load(&a->Pair->Wire[a->Side]) : NULL;
	UINT32 prod[VPAIR_MAX_QUEUES] = { 0 };
	BOOLEAN cancelled = atomic_load(&q->Cancelled);
	ULONG sent = 0;

	if (cancelled)
		Revoke(q, pr, out);
	for (ULONG j = 0; out && j < out->RxQueues; j++)
		prod[j] = atomic_load_explicit(&out->Ring[q->Index][j].Produced, memory_order_relaxed);
	while (pr->NextIndex != pr->EndIndex) {
		UINT32 index = pr->NextIndex;
		NET_PACKET *p = NetRingGetPacketAtIndex(pr, index);

		q->Held[index].Ring = 0;
		if (!p->Ignore && !cancelled && a->Socket >= 0) {
			SendFrame(q, fr, p);
		} else if (!p->Ignore && !cancelled && out) {
			/* The receiving side's RSS picks the ring; a full ring holds the queue back. */
			UCHAR head[VPAIR_SLOT_HEAD];
			UINT32 hash, headLen = GatherHead(q, fr, p, head, sizeof(head));
			UINT16 type;
			ULONG j = VPairRssTarget(peer, head, headLen, &hash, &type);
			VPAIR_WIRE *w = &out->Ring[q->Index][j];
			VPAIR_SLOT *slot;
			UINT32 len;

			if (prod[j] - atomic_load_explicit(&w->Consumed, memory_order_acquire) > w->Mask) {
				q->HeldOn = j + 1; /* the wire is full: wait for the peer to drain it */
				break;
			}
			slot = &w->Slot[prod[j] & w->Mask];
			slot->Spans = 0;
			slot->Revoked = FALSE;
			if (NetExtensionGetPacketIeee8021Q(&q->Vlan, index)->TxTagging ||
			    !(len = Lend(q, fr, p, head, headLen, slot)))
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
			if (len && !slot->Spans && InsertTag(NetExtensionGetPacketIeee8021Q(&q->Vlan, index), slot->Data, len))
				len += 4;
			if (!slot->Mss && len > VPAIR_MAX_FRAME + (SlotHead(slot)[12] == 0x81 ? 4 : 0))
				len = 0; /* not a GSO frame: too long for the wire */
			if (len) {
				slot->Length = len;
				if (slot->Spans)
					q->Held[index] = (VPAIR_HELD){ .Seq = prod[j], .Ring = j + 1 };
				prod[j]++;
				sent |= 1u << j;
			}
		}
		/* Without a peer yet the frame is lost, as on a cable with nothing at the other end. */
		if (p->FragmentCount)
			fr->NextIndex = NetRingAdvanceIndex(fr, p->FragmentIndex, p->FragmentCount);
		pr->NextIndex = NetRingIncrementIndex(pr, index);
	}
	if (pr->NextIndex == pr->EndIndex)
		q->HeldOn = 0;
	if (sent) {
		for (ULONG j = 0; j < out->RxQueues; j++)
			if (sent & (1u << j))
				atomic_store_explicit(&out->Ring[q->Index][j].Produced, prod[j], memory_order_release);
		atomic_thread_fence(memory_order_seq_cst);
		for (ULONG j = 0; j < out->RxQueues; j++)
			if (sent & (1u << j))
				VPairNotifyRx(peer, j);
	}
	TxComplete(q, pr, fr, out);
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
	SlotRead(Slot, &(VPAIR_CURSOR){ 0, 0 }, dst, Slot->Length);
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
		VPAIR_CURSOR c = { 0, 0 };

		if (NetRingGetRangeCount(fr, fr->BeginIndex, fr->EndIndex) < need)
			return FALSE;
		for (UINT32 k = 0, off = 0; k < need; k++) {
			UINT32 fi = NetRingAdvanceIndex(fr, fr->BeginIndex, (INT32)k);
			NET_FRAGMENT *f = NetRingGetFragmentAtIndex(fr, fi);
			UINT32 n = si->end - off < per ? si->end - off : per;
			SlotRead(Slot, &c,
				 (UCHAR *)NetExtensionGetFragmentVirtualAddress(&q->VirtualAddress, fi)->VirtualAddress +
					 f->Offset,
				 n);
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
	if (Slot->Spans) {
		/* Cut from a copy: the segments are built from contiguous headers and payload. */
		SlotRead(Slot, &(VPAIR_CURSOR){ 0, 0 }, Slot->Data, Slot->Length);
		Slot->Spans = 0;
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
	UINT32 cons, ready;
	BOOLEAN room = TRUE;

	pthread_mutex_lock(&w->Lock);
	cons = atomic_load_explicit(&w->Consumed, memory_order_relaxed);
	ready = atomic_load_explicit(&w->Produced, memory_order_acquire);
	while (cons != ready) {
		VPAIR_SLOT *slot = &w->Slot[cons & w->Mask];
		UINT32 len = slot->Length;
		struct seg_info si;
		BOOLEAN parsed;

		if (pr->BeginIndex == pr->EndIndex || fr->BeginIndex == fr->EndIndex) {
			room = FALSE;
			break;
		}
		if (slot->Revoked) {
			cons++; /* its sender was cancelled and took its buffers back */
			continue;
		}
		TakeTag(q->Adapter, slot);
		len = slot->Length;
		parsed = seg_parse(SlotHead(slot), len, &si) == 0;
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
		/* Release: pairs with the sender's acquire in TxComplete(): the slot's buffers are read. */
		atomic_store_explicit(&w->Consumed, cons, memory_order_release);
		atomic_thread_fence(memory_order_seq_cst);
	}
	pthread_mutex_unlock(&w->Lock);
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
				VPairNotifyTx(VPairPeer(a), k);
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

		/* The oldest packet on the wire can be returned. */
		if (pr->BeginIndex != pr->NextIndex && TxReturnable(q, l, pr->BeginIndex))
			return TRUE;
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

	/* Its buffers go away with it: no slot may point at them any more. */
	if (q->Tx)
		Revoke(q, NetRingCollectionGetPacketRing(q->Rings), QueueLinks(q));

	if (!atomic_compare_exchange_strong(&q->Adapter->TxQueue[q->Index], &expected, NULL)) {
		expected = q;
		atomic_compare_exchange_strong(&q->Adapter->RxQueue[q->Index], &expected, NULL);
	}
}

static void EvtQueueCleanup(WDFOBJECT Object)
{
	free(VPairGetQueue(Object)->Held);
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
	attributes.EvtCleanupCallback = EvtQueueCleanup;
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
	if (Tx) {
		q->Held = calloc(NetRingCollectionGetPacketRing(q->Rings)->NumberOfElements, sizeof(*q->Held));
		if (!q->Held)
			return STATUS_INSUFFICIENT_RESOURCES;
	}
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

NTSTATUS VPairCreateTxQueue(NETADAPTER Adapter, NETTXQUEUE_INIT *TxQueueInit)
{
	return CreateQueue(Adapter, TRUE, TxQueueInit);
}

NTSTATUS VPairCreateRxQueue(NETADAPTER Adapter, NETRXQUEUE_INIT *RxQueueInit)
{
	return CreateQueue(Adapter, FALSE, RxQueueInit);
}
