/* SPDX-License-Identifier: MIT */
/*
 * Wake-on-LAN capabilities. umnic adapters never sleep, so what the driver
 * advertises is checked and recorded, and no wake source is ever armed.
 */
#ifndef UMNIC_NETWAKESOURCE_H
#define UMNIC_NETWAKESOURCE_H

#include <netadaptercxtypes.h>

UMNIC_EXTERN_C_BEGIN

typedef struct _NET_ADAPTER_WAKE_BITMAP_CAPABILITIES {
	ULONG Size;
	BOOLEAN BitmapPattern;
	ULONG64 MaximumPatternCount;
	ULONG64 MaximumPatternSize;
} NET_ADAPTER_WAKE_BITMAP_CAPABILITIES;

FORCEINLINE VOID
NET_ADAPTER_WAKE_BITMAP_CAPABILITIES_INIT(NET_ADAPTER_WAKE_BITMAP_CAPABILITIES *Capabilities)
{
	memset(Capabilities, 0, sizeof(*Capabilities));
	Capabilities->Size = sizeof(*Capabilities);
}

typedef struct _NET_ADAPTER_WAKE_MAGIC_PACKET_CAPABILITIES {
	ULONG Size;
	BOOLEAN MagicPacket;
} NET_ADAPTER_WAKE_MAGIC_PACKET_CAPABILITIES;

FORCEINLINE VOID NET_ADAPTER_WAKE_MAGIC_PACKET_CAPABILITIES_INIT(
	NET_ADAPTER_WAKE_MAGIC_PACKET_CAPABILITIES *Capabilities)
{
	memset(Capabilities, 0, sizeof(*Capabilities));
	Capabilities->Size = sizeof(*Capabilities);
}

typedef struct _NET_ADAPTER_WAKE_MEDIA_CHANGE_CAPABILITIES {
	ULONG Size;
	BOOLEAN MediaConnect;
	BOOLEAN MediaDisconnect;
} NET_ADAPTER_WAKE_MEDIA_CHANGE_CAPABILITIES;

FORCEINLINE VOID NET_ADAPTER_WAKE_MEDIA_CHANGE_CAPABILITIES_INIT(
	NET_ADAPTER_WAKE_MEDIA_CHANGE_CAPABILITIES *Capabilities)
{
	memset(Capabilities, 0, sizeof(*Capabilities));
	Capabilities->Size = sizeof(*Capabilities);
}

typedef struct _NET_ADAPTER_WAKE_PACKET_FILTER_CAPABILITIES {
	ULONG Size;
	BOOLEAN PacketFilterMatch;
} NET_ADAPTER_WAKE_PACKET_FILTER_CAPABILITIES;

FORCEINLINE VOID NET_ADAPTER_WAKE_PACKET_FILTER_CAPABILITIES_INIT(
	NET_ADAPTER_WAKE_PACKET_FILTER_CAPABILITIES *Capabilities)
{
	memset(Capabilities, 0, sizeof(*Capabilities));
	Capabilities->Size = sizeof(*Capabilities);
}

typedef struct _NET_ADAPTER_WAKE_EAPOL_PACKET_CAPABILITIES {
	ULONG Size;
	BOOLEAN EapolPacket;
} NET_ADAPTER_WAKE_EAPOL_PACKET_CAPABILITIES;

FORCEINLINE VOID NET_ADAPTER_WAKE_EAPOL_PACKET_CAPABILITIES_INIT(
	NET_ADAPTER_WAKE_EAPOL_PACKET_CAPABILITIES *Capabilities)
{
	memset(Capabilities, 0, sizeof(*Capabilities));
	Capabilities->Size = sizeof(*Capabilities);
}

VOID NetAdapterWakeSetBitmapCapabilities(NETADAPTER Adapter,
					 NET_ADAPTER_WAKE_BITMAP_CAPABILITIES const *Capabilities);
VOID NetAdapterWakeSetMagicPacketCapabilities(
	NETADAPTER Adapter, NET_ADAPTER_WAKE_MAGIC_PACKET_CAPABILITIES const *Capabilities);
VOID NetAdapterWakeSetMediaChangeCapabilities(
	NETADAPTER Adapter, NET_ADAPTER_WAKE_MEDIA_CHANGE_CAPABILITIES const *Capabilities);
VOID NetAdapterWakeSetPacketFilterCapabilities(
	NETADAPTER Adapter, NET_ADAPTER_WAKE_PACKET_FILTER_CAPABILITIES const *Capabilities);
VOID NetAdapterWakeSetEapolPacketCapabilities(
	NETADAPTER Adapter, NET_ADAPTER_WAKE_EAPOL_PACKET_CAPABILITIES const *Capabilities);

UMNIC_EXTERN_C_END

#endif
