/* SPDX-License-Identifier: MIT */
/* Typed access to the ms_packet_gso extension of a packet ring. */
#ifndef UMNIC_NET_GSO_H
#define UMNIC_NET_GSO_H

#include <net/extension.h>
#include <net/gsotypes.h>

UMNIC_EXTERN_C_BEGIN

FORCEINLINE NET_PACKET_GSO *NetExtensionGetPacketGso(NET_EXTENSION const *Extension, UINT32 Index)
{
	return (NET_PACKET_GSO *)NetExtensionGetData(Extension, Index);
}

UMNIC_EXTERN_C_END

#endif
