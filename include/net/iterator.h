/* SPDX-License-Identifier: MIT */
/*
 * Ring iterators: umnic's equivalent of the iterator helpers Windows ships
 * as a sample. Same function names, so drivers written against the sample
 * compile unchanged; the structs are umnic's own and opaque in spirit
 * (touch them only through the functions).
 *
 * An iterator is a cursor over a range of one ring:
 *
 *   NetRingGetAll*    [BeginIndex, EndIndex)   everything the driver owns
 *   NetRingGetPost*   [NextIndex,  EndIndex)   owned, not yet handed to hardware
 *   NetRingGetDrain*  [BeginIndex, NextIndex)  handed to hardware, not yet returned
 *
 * and Net*IteratorSet publishes the iterator's position back to the ring:
 * into NextIndex for a Post iterator (the elements before it are now "in
 * hardware"), into BeginIndex for an All or Drain iterator (the elements
 * before it go back to the system). Returning packets does not return their
 * fragments: move the fragment ring too, e.g. with NetPacketIteratorGet-
 * Fragments, NetFragmentIteratorAdvanceToTheEnd and NetFragmentIteratorSet.
 *
 * Every index an iterator holds is reduced with the ring's ElementIndexMask
 * and every distance is computed modulo the ring size, so iterators work
 * whether the ring's indices are kept small or run freely across the 32-bit
 * wrap. Because the system always leaves one slot free, a range never covers
 * the whole ring and "Index == End" unambiguously means empty.
 *
 * EndIndex is read once, when the iterator is made; the framework only
 * moves it between Advance calls, so an iterator made inside EvtAdvance
 * sees a stable range.
 */
#ifndef UMNIC_NET_ITERATOR_H
#define UMNIC_NET_ITERATOR_H

#include <net/ring.h>
#include <net/ringcollection.h>
#include <net/packet.h>
#include <net/fragment.h>

UMNIC_EXTERN_C_BEGIN

/* Which ring index Net*IteratorSet writes. */
typedef enum _NET_RING_ITERATOR_CURSOR {
	NetRingIteratorCursorBegin = 0,
	NetRingIteratorCursorNext = 1,
} NET_RING_ITERATOR_CURSOR;

typedef struct _NET_RING_ITERATOR {
	NET_RING_COLLECTION const *Rings;
	NET_RING *Ring;
	/* Current element, masked. */
	UINT32 Index;
	/* One past the last element, masked. */
	UINT32 End;
	NET_RING_ITERATOR_CURSOR Cursor;
} NET_RING_ITERATOR;

/* Distinct wrapper types, so a fragment iterator cannot be passed as a packet one. */
typedef struct _NET_RING_PACKET_ITERATOR {
	NET_RING_ITERATOR Iterator;
} NET_RING_PACKET_ITERATOR;

typedef struct _NET_RING_FRAGMENT_ITERATOR {
	NET_RING_ITERATOR Iterator;
} NET_RING_FRAGMENT_ITERATOR;

/* ---- Shared mechanics (not part of the driver-facing API) ----------------------------------- */

FORCEINLINE NET_RING_ITERATOR umnic_ring_iterator_make(NET_RING_COLLECTION const *Rings,
						       NET_RING *Ring, UINT32 Start, UINT32 End,
						       NET_RING_ITERATOR_CURSOR Cursor)
{
	NET_RING_ITERATOR it;

	it.Rings = Rings;
	it.Ring = Ring;
	it.Index = Start & Ring->ElementIndexMask;
	it.End = End & Ring->ElementIndexMask;
	it.Cursor = Cursor;
	return it;
}

FORCEINLINE NET_RING_ITERATOR umnic_ring_iterator_all(NET_RING_COLLECTION const *Rings,
						      NET_RING *Ring)
{
	return umnic_ring_iterator_make(Rings, Ring, Ring->BeginIndex, Ring->EndIndex,
					NetRingIteratorCursorBegin);
}

FORCEINLINE NET_RING_ITERATOR umnic_ring_iterator_post(NET_RING_COLLECTION const *Rings,
						       NET_RING *Ring)
{
	return umnic_ring_iterator_make(Rings, Ring, Ring->NextIndex, Ring->EndIndex,
					NetRingIteratorCursorNext);
}

FORCEINLINE NET_RING_ITERATOR umnic_ring_iterator_drain(NET_RING_COLLECTION const *Rings,
							NET_RING *Ring)
{
	return umnic_ring_iterator_make(Rings, Ring, Ring->BeginIndex, Ring->NextIndex,
					NetRingIteratorCursorBegin);
}

FORCEINLINE UINT32 umnic_ring_iterator_count(NET_RING_ITERATOR const *It)
{
	return NetRingGetRangeCount(It->Ring, It->Index, It->End);
}

/* Stepping past the end would wrap around into elements the driver does not own. */
FORCEINLINE void umnic_ring_iterator_advance(NET_RING_ITERATOR *It)
{
	if (It->Index != It->End)
		It->Index = NetRingIncrementIndex(It->Ring, It->Index);
}

FORCEINLINE void umnic_ring_iterator_set(NET_RING_ITERATOR const *It)
{
	if (It->Cursor == NetRingIteratorCursorNext)
		It->Ring->NextIndex = It->Index;
	else
		It->Ring->BeginIndex = It->Index;
}

/* ---- Packet iterators ----------------------------------------------------------------------- */

FORCEINLINE NET_RING_PACKET_ITERATOR NetRingGetAllPackets(NET_RING_COLLECTION const *Rings)
{
	NET_RING_PACKET_ITERATOR it;

	it.Iterator = umnic_ring_iterator_all(Rings, NetRingCollectionGetPacketRing(Rings));
	return it;
}

FORCEINLINE NET_RING_PACKET_ITERATOR NetRingGetPostPackets(NET_RING_COLLECTION const *Rings)
{
	NET_RING_PACKET_ITERATOR it;

	it.Iterator = umnic_ring_iterator_post(Rings, NetRingCollectionGetPacketRing(Rings));
	return it;
}

FORCEINLINE NET_RING_PACKET_ITERATOR NetRingGetDrainPackets(NET_RING_COLLECTION const *Rings)
{
	NET_RING_PACKET_ITERATOR it;

	it.Iterator = umnic_ring_iterator_drain(Rings, NetRingCollectionGetPacketRing(Rings));
	return it;
}

FORCEINLINE BOOLEAN NetPacketIteratorHasAny(NET_RING_PACKET_ITERATOR const *Iterator)
{
	return Iterator->Iterator.Index != Iterator->Iterator.End;
}

FORCEINLINE UINT32 NetPacketIteratorGetCount(NET_RING_PACKET_ITERATOR const *Iterator)
{
	return umnic_ring_iterator_count(&Iterator->Iterator);
}

/* Only while NetPacketIteratorHasAny. */
FORCEINLINE NET_PACKET *NetPacketIteratorGetPacket(NET_RING_PACKET_ITERATOR const *Iterator)
{
	return NetRingGetPacketAtIndex(Iterator->Iterator.Ring, Iterator->Iterator.Index);
}

/* The packet ring index, for NetExtensionGet* lookups. */
FORCEINLINE UINT32 NetPacketIteratorGetIndex(NET_RING_PACKET_ITERATOR const *Iterator)
{
	return Iterator->Iterator.Index;
}

FORCEINLINE void NetPacketIteratorAdvance(NET_RING_PACKET_ITERATOR *Iterator)
{
	umnic_ring_iterator_advance(&Iterator->Iterator);
}

FORCEINLINE void NetPacketIteratorAdvanceToTheEnd(NET_RING_PACKET_ITERATOR *Iterator)
{
	Iterator->Iterator.Index = Iterator->Iterator.End;
}

/* Post iterator: packet NextIndex = position. All or Drain iterator: packet BeginIndex = position.
 */
FORCEINLINE void NetPacketIteratorSet(NET_RING_PACKET_ITERATOR const *Iterator)
{
	umnic_ring_iterator_set(&Iterator->Iterator);
}

/*
 * The fragments of the current packet. The result publishes to the same
 * kind of index on the fragment ring as this iterator does on the packet
 * ring (NextIndex for Post, BeginIndex otherwise). A packet without
 * fragments gives an empty iterator sitting on that index, so Set on it
 * changes nothing.
 */
FORCEINLINE NET_RING_FRAGMENT_ITERATOR
NetPacketIteratorGetFragments(NET_RING_PACKET_ITERATOR const *Iterator)
{
	NET_RING_COLLECTION const *rings = Iterator->Iterator.Rings;
	NET_RING *ring = NetRingCollectionGetFragmentRing(rings);
	NET_PACKET const *packet = NetPacketIteratorGetPacket(Iterator);
	NET_RING_ITERATOR_CURSOR cursor = Iterator->Iterator.Cursor;
	NET_RING_FRAGMENT_ITERATOR it;
	UINT32 start;
	UINT32 end;

	if (packet->FragmentCount == 0) {
		start = cursor == NetRingIteratorCursorNext ? ring->NextIndex : ring->BeginIndex;
		end = start;
	} else {
		start = packet->FragmentIndex;
		end = start + packet->FragmentCount;
	}
	it.Iterator = umnic_ring_iterator_make(rings, ring, start, end, cursor);
	return it;
}

/* ---- Fragment iterators --------------------------------------------------------------------- */

FORCEINLINE NET_RING_FRAGMENT_ITERATOR NetRingGetAllFragments(NET_RING_COLLECTION const *Rings)
{
	NET_RING_FRAGMENT_ITERATOR it;

	it.Iterator = umnic_ring_iterator_all(Rings, NetRingCollectionGetFragmentRing(Rings));
	return it;
}

FORCEINLINE NET_RING_FRAGMENT_ITERATOR NetRingGetPostFragments(NET_RING_COLLECTION const *Rings)
{
	NET_RING_FRAGMENT_ITERATOR it;

	it.Iterator = umnic_ring_iterator_post(Rings, NetRingCollectionGetFragmentRing(Rings));
	return it;
}

FORCEINLINE NET_RING_FRAGMENT_ITERATOR NetRingGetDrainFragments(NET_RING_COLLECTION const *Rings)
{
	NET_RING_FRAGMENT_ITERATOR it;

	it.Iterator = umnic_ring_iterator_drain(Rings, NetRingCollectionGetFragmentRing(Rings));
	return it;
}

FORCEINLINE BOOLEAN NetFragmentIteratorHasAny(NET_RING_FRAGMENT_ITERATOR const *Iterator)
{
	return Iterator->Iterator.Index != Iterator->Iterator.End;
}

FORCEINLINE UINT32 NetFragmentIteratorGetCount(NET_RING_FRAGMENT_ITERATOR const *Iterator)
{
	return umnic_ring_iterator_count(&Iterator->Iterator);
}

/* Only while NetFragmentIteratorHasAny. */
FORCEINLINE NET_FRAGMENT *NetFragmentIteratorGetFragment(NET_RING_FRAGMENT_ITERATOR const *Iterator)
{
	return NetRingGetFragmentAtIndex(Iterator->Iterator.Ring, Iterator->Iterator.Index);
}

/* The fragment ring index, for NetExtensionGet* lookups (e.g. the virtual address). */
FORCEINLINE UINT32 NetFragmentIteratorGetIndex(NET_RING_FRAGMENT_ITERATOR const *Iterator)
{
	return Iterator->Iterator.Index;
}

FORCEINLINE void NetFragmentIteratorAdvance(NET_RING_FRAGMENT_ITERATOR *Iterator)
{
	umnic_ring_iterator_advance(&Iterator->Iterator);
}

FORCEINLINE void NetFragmentIteratorAdvanceToTheEnd(NET_RING_FRAGMENT_ITERATOR *Iterator)
{
	Iterator->Iterator.Index = Iterator->Iterator.End;
}

/* Post iterator: fragment NextIndex = position. Otherwise: fragment BeginIndex = position. */
FORCEINLINE void NetFragmentIteratorSet(NET_RING_FRAGMENT_ITERATOR const *Iterator)
{
	umnic_ring_iterator_set(&Iterator->Iterator);
}

UMNIC_EXTERN_C_END

#endif
