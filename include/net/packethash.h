/* SPDX-License-Identifier: MIT */
/* Typed access to the ms_packet_hash extension of a packet ring. */
#ifndef UMNIC_NET_PACKETHASH_H
#define UMNIC_NET_PACKETHASH_H

#include <net/extension.h>
#include <net/packethashtypes.h>

UMNIC_EXTERN_C_BEGIN

FORCEINLINE NET_PACKET_HASH *NetExtensionGetPacketHash(NET_EXTENSION const *Extension, UINT32 Index)
{
	return (NET_PACKET_HASH *)NetExtensionGetData(Extension, Index);
}

UMNIC_EXTERN_C_END

#endif
