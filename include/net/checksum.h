/* SPDX-License-Identifier: MIT */
/* Typed access to the ms_packet_checksum extension of a packet ring. */
#ifndef UMNIC_NET_CHECKSUM_H
#define UMNIC_NET_CHECKSUM_H

#include <net/extension.h>
#include <net/checksumtypes.h>

UMNIC_EXTERN_C_BEGIN

/* Index is a packet ring index; Extension comes from Net{Tx,Rx}QueueGetExtension. */
FORCEINLINE NET_PACKET_CHECKSUM *NetExtensionGetPacketChecksum(NET_EXTENSION const *Extension,
							       UINT32 Index)
{
	return (NET_PACKET_CHECKSUM *)NetExtensionGetData(Extension, Index);
}

UMNIC_EXTERN_C_END

#endif
