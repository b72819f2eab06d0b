/* SPDX-License-Identifier: MIT */
/*
 * Power offloads (ARP and IPv6 neighbor solicitation answered by the
 * hardware while the host sleeps). Recorded; umnic adapters never sleep.
 */
#ifndef UMNIC_NETPOWEROFFLOAD_H
#define UMNIC_NETPOWEROFFLOAD_H

#include <netadaptercxtypes.h>

UMNIC_EXTERN_C_BEGIN

typedef struct _NET_ADAPTER_POWER_OFFLOAD_ARP_CAPABILITIES {
	ULONG Size;
	ULONG MaximumIPv4Offloads;
} NET_ADAPTER_POWER_OFFLOAD_ARP_CAPABILITIES;

FORCEINLINE VOID NET_ADAPTER_POWER_OFFLOAD_ARP_CAPABILITIES_INIT(
	NET_ADAPTER_POWER_OFFLOAD_ARP_CAPABILITIES *Capabilities)
{
	memset(Capabilities, 0, sizeof(*Capabilities));
	Capabilities->Size = sizeof(*Capabilities);
}

typedef struct _NET_ADAPTER_POWER_OFFLOAD_NS_CAPABILITIES {
	ULONG Size;
	ULONG MaximumNSOffloads;
} NET_ADAPTER_POWER_OFFLOAD_NS_CAPABILITIES;

FORCEINLINE VOID NET_ADAPTER_POWER_OFFLOAD_NS_CAPABILITIES_INIT(
	NET_ADAPTER_POWER_OFFLOAD_NS_CAPABILITIES *Capabilities)
{
	memset(Capabilities, 0, sizeof(*Capabilities));
	Capabilities->Size = sizeof(*Capabilities);
}

VOID NetAdapterPowerOffloadSetArpCapabilities(
	NETADAPTER Adapter, NET_ADAPTER_POWER_OFFLOAD_ARP_CAPABILITIES const *Capabilities);
VOID NetAdapterPowerOffloadSetNSCapabilities(
	NETADAPTER Adapter, NET_ADAPTER_POWER_OFFLOAD_NS_CAPABILITIES const *Capabilities);

UMNIC_EXTERN_C_END

#endif
