/* SPDX-License-Identifier: MIT */
/* Typed access to the ms_packet_ieee8021q extension of a packet ring. */
#ifndef UMNIC_NET_IEEE8021Q_H
#define UMNIC_NET_IEEE8021Q_H

#include <net/extension.h>
#include <net/ieee8021qtypes.h>

UMNIC_EXTERN_C_BEGIN

FORCEINLINE NET_PACKET_IEEE8021Q *NetExtensionGetPacketIeee8021Q(NET_EXTENSION const *Extension,
								 UINT32 Index)
{
	return (NET_PACKET_IEEE8021Q *)NetExtensionGetData(Extension, Index);
}

UMNIC_EXTERN_C_END

#endif
