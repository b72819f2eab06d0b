/* SPDX-License-Identifier: MIT */
/*
 * Receive filters: which frames the adapter should deliver. umnicd calls
 * EvtSetReceiveFilter when the Linux interface changes promiscuous or
 * all-multicast mode or its multicast list; the driver reads the new
 * settings from the NETRECEIVEFILTER, which is valid only during the call.
 */
#ifndef UMNIC_NETRECEIVEFILTER_H
#define UMNIC_NETRECEIVEFILTER_H

#include <netadaptercxtypes.h>
#include <netadapter.h>

UMNIC_EXTERN_C_BEGIN

typedef enum _NET_PACKET_FILTER_FLAGS {
	NetPacketFilterFlagDirected = 0x00000001,
	NetPacketFilterFlagMulticast = 0x00000002,
	NetPacketFilterFlagAllMulticast = 0x00000004,
	NetPacketFilterFlagBroadcast = 0x00000008,
	NetPacketFilterFlagPromiscuous = 0x00000020,
} NET_PACKET_FILTER_FLAGS;

DEFINE_ENUM_FLAG_OPERATORS(NET_PACKET_FILTER_FLAGS)

typedef void EVT_NET_ADAPTER_SET_RECEIVE_FILTER(NETADAPTER Adapter, NETRECEIVEFILTER Handle);
typedef EVT_NET_ADAPTER_SET_RECEIVE_FILTER *PFN_NET_ADAPTER_SET_RECEIVE_FILTER;

typedef struct _NET_ADAPTER_RECEIVE_FILTER_CAPABILITIES {
	ULONG Size;
	NET_PACKET_FILTER_FLAGS SupportedPacketFilters;
	SIZE_T MaximumMulticastAddresses;
	PFN_NET_ADAPTER_SET_RECEIVE_FILTER EvtSetReceiveFilter;
} NET_ADAPTER_RECEIVE_FILTER_CAPABILITIES;

/* Supported filters and the multicast list size start at zero; the driver fills them in. */
FORCEINLINE void
NET_ADAPTER_RECEIVE_FILTER_CAPABILITIES_INIT(NET_ADAPTER_RECEIVE_FILTER_CAPABILITIES *Capabilities,
					     PFN_NET_ADAPTER_SET_RECEIVE_FILTER EvtSetReceiveFilter)
{
	__builtin_memset(Capabilities, 0, sizeof(*Capabilities));
	Capabilities->Size = sizeof(*Capabilities);
	Capabilities->EvtSetReceiveFilter = EvtSetReceiveFilter;
}

void NetAdapterSetReceiveFilterCapabilities(
    NETADAPTER Adapter, NET_ADAPTER_RECEIVE_FILTER_CAPABILITIES const *Capabilities);

NET_PACKET_FILTER_FLAGS NetReceiveFilterGetPacketFilter(NETRECEIVEFILTER ReceiveFilter);

SIZE_T NetReceiveFilterGetMulticastAddressCount(NETRECEIVEFILTER ReceiveFilter);

/* An array of NetReceiveFilterGetMulticastAddressCount entries; NULL when there are none. */
NET_ADAPTER_LINK_LAYER_ADDRESS const *
NetReceiveFilterGetMulticastAddressList(NETRECEIVEFILTER ReceiveFilter);

UMNIC_EXTERN_C_END

#endif
