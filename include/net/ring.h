/* SPDX-License-Identifier: MIT */
/*
 * NET_RING: the circular array of packet or fragment descriptors a queue
 * shares with the system. Indices are 32-bit, grow forever and are reduced
 * with ElementIndexMask, so every distance computed here survives wrap-around.
 */
#ifndef UMNIC_NET_RING_H
#define UMNIC_NET_RING_H

#include <ntdef.h>

UMNIC_EXTERN_C_BEGIN

typedef struct DECLSPEC_ALIGN(64) _NET_RING {
	UINT16 OSReserved1;
	UINT16 ElementStride;
	UINT32 NumberOfElements;
	UINT32 ElementIndexMask;
	/* First index the driver does not own; only the system moves it. */
	UINT32 EndIndex;
	union {
		UINT32 OSReserved0;
		void *OSReserved2[4];
	};
	/* First index the driver owns; only the driver moves it. */
	UINT32 BeginIndex;
	/* The driver's own cursor inside [BeginIndex, EndIndex). */
	UINT32 NextIndex;
	void *Scratch;
	/* Elements start here, each ElementStride bytes long. */
	DECLSPEC_ALIGN(64) unsigned char Buffer[1];
} NET_RING;

UMNIC_STATIC_ASSERT(offsetof(NET_RING, ElementStride) == 2, "NET_RING.ElementStride offset");
UMNIC_STATIC_ASSERT(offsetof(NET_RING, NumberOfElements) == 4, "NET_RING.NumberOfElements offset");
UMNIC_STATIC_ASSERT(offsetof(NET_RING, ElementIndexMask) == 8, "NET_RING.ElementIndexMask offset");
UMNIC_STATIC_ASSERT(offsetof(NET_RING, EndIndex) == 12, "NET_RING.EndIndex offset");
UMNIC_STATIC_ASSERT(offsetof(NET_RING, BeginIndex) == 48, "NET_RING.BeginIndex offset");
UMNIC_STATIC_ASSERT(offsetof(NET_RING, NextIndex) == 52, "NET_RING.NextIndex offset");
UMNIC_STATIC_ASSERT(offsetof(NET_RING, Scratch) == 56, "NET_RING.Scratch offset");
UMNIC_STATIC_ASSERT(offsetof(NET_RING, Buffer) == 64, "NET_RING elements start at 64");

FORCEINLINE void *NetRingGetElementAtIndex(NET_RING const *Ring, UINT32 Index)
{
	return (void *)(Ring->Buffer + (SIZE_T)(Index & Ring->ElementIndexMask) * Ring->ElementStride);
}

FORCEINLINE UINT32 NetRingAdvanceIndex(NET_RING const *Ring, UINT32 Index, INT32 Distance)
{
	return (Index + (UINT32)Distance) & Ring->ElementIndexMask;
}

FORCEINLINE UINT32 NetRingIncrementIndex(NET_RING const *Ring, UINT32 Index)
{
	return (Index + 1) & Ring->ElementIndexMask;
}

FORCEINLINE UINT32 NetRingGetRangeCount(NET_RING const *Ring, UINT32 StartIndex, UINT32 EndIndex)
{
	return (EndIndex - StartIndex) & Ring->ElementIndexMask;
}

UMNIC_EXTERN_C_END

#include <net/ringcollection.h>
#include <net/packet.h>
#include <net/fragment.h>

UMNIC_EXTERN_C_BEGIN

FORCEINLINE NET_PACKET *NetRingGetPacketAtIndex(NET_RING *Ring, UINT32 Index)
{
	return (NET_PACKET *)NetRingGetElementAtIndex(Ring, Index);
}

FORCEINLINE NET_FRAGMENT *NetRingGetFragmentAtIndex(NET_RING *Ring, UINT32 Index)
{
	return (NET_FRAGMENT *)NetRingGetElementAtIndex(Ring, Index);
}

UMNIC_EXTERN_C_END

#endif
