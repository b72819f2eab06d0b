/* SPDX-License-Identifier: MIT */
/* The rings of one packet queue, indexed by NET_RING_TYPE. */
#ifndef UMNIC_NET_RINGCOLLECTION_H
#define UMNIC_NET_RINGCOLLECTION_H

#include <ntdef.h>

UMNIC_EXTERN_C_BEGIN

struct _NET_RING;

typedef enum _NET_RING_TYPE {
	NetRingTypePacket = 0,
	NetRingTypeFragment = 1,
	NetRingTypeDataBuffer = 2,
} NET_RING_TYPE;

typedef struct _NET_RING_COLLECTION {
	struct _NET_RING *Rings[3];
} NET_RING_COLLECTION;

FORCEINLINE struct _NET_RING *NetRingCollectionGetPacketRing(NET_RING_COLLECTION const *Rings)
{
	return Rings->Rings[NetRingTypePacket];
}

FORCEINLINE struct _NET_RING *NetRingCollectionGetFragmentRing(NET_RING_COLLECTION const *Rings)
{
	return Rings->Rings[NetRingTypeFragment];
}

FORCEINLINE struct _NET_RING *NetRingCollectionGetDataBufferRing(NET_RING_COLLECTION const *Rings)
{
	return Rings->Rings[NetRingTypeDataBuffer];
}

UMNIC_EXTERN_C_END

#endif
