/* SPDX-License-Identifier: MIT */
/* Typed access to the ms_packet_rsc and ms_packet_rsc_timestamp extensions. */
#ifndef UMNIC_NET_RSC_H
#define UMNIC_NET_RSC_H

#include <net/extension.h>
#include <net/rsctypes.h>

UMNIC_EXTERN_C_BEGIN

FORCEINLINE NET_PACKET_RSC *NetExtensionGetPacketRsc(NET_EXTENSION const *Extension, UINT32 Index)
{
	return (NET_PACKET_RSC *)NetExtensionGetData(Extension, Index);
}

FORCEINLINE NET_PACKET_RSC_TIMESTAMP *
NetExtensionGetPacketRscTimestamp(NET_EXTENSION const *Extension, UINT32 Index)
{
	return (NET_PACKET_RSC_TIMESTAMP *)NetExtensionGetData(Extension, Index);
}

UMNIC_EXTERN_C_END

#endif
