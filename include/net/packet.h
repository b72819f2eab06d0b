/* SPDX-License-Identifier: MIT */
/* NET_PACKET: one frame, naming the run of fragments that hold its bytes. */
#ifndef UMNIC_NET_PACKET_H
#define UMNIC_NET_PACKET_H

#include <ntdef.h>

UMNIC_EXTERN_C_BEGIN

typedef enum _NET_PACKET_LAYER2_TYPE {
	NetPacketLayer2TypeUnspecified = 0,
	NetPacketLayer2TypeNull,
	NetPacketLayer2TypeEthernet,
	NetPacketLayer2TypeIeee80211,
} NET_PACKET_LAYER2_TYPE;

typedef enum _NET_PACKET_LAYER3_TYPE {
	NetPacketLayer3TypeUnspecified = 0,
	NetPacketLayer3TypeIPv4UnspecifiedOptions,
	NetPacketLayer3TypeIPv4WithOptions,
	NetPacketLayer3TypeIPv4NoOptions,
	NetPacketLayer3TypeIPv6UnspecifiedExtensions,
	NetPacketLayer3TypeIPv6WithExtensions,
	NetPacketLayer3TypeIPv6NoExtensions,
} NET_PACKET_LAYER3_TYPE;

typedef enum _NET_PACKET_LAYER4_TYPE {
	NetPacketLayer4TypeUnspecified = 0,
	NetPacketLayer4TypeTcp,
	NetPacketLayer4TypeUdp,
	NetPacketLayer4TypeIPFragment,
	NetPacketLayer4TypeIPNotFragment,
} NET_PACKET_LAYER4_TYPE;

#pragma pack(push, 1)
typedef struct _NET_PACKET_LAYOUT {
	UINT8 Layer2HeaderLength : 7;
	UINT16 Layer3HeaderLength : 9;
	UINT8 Layer4HeaderLength : 8;
	UINT8 Layer2Type : 4;
	UINT8 Layer3Type : 4;
	UINT8 Layer4Type : 4;
	UINT8 Reserved0 : 4;
} __attribute__((packed)) NET_PACKET_LAYOUT;
#pragma pack(pop)

typedef struct _NET_PACKET {
	UINT32 FragmentIndex;
	UINT16 FragmentCount;
	NET_PACKET_LAYOUT Layout;
	/* Set on a packet the driver must skip (and, on RX cancel, one it gives back empty). */
	UINT8 Ignore : 1;
	UINT8 Scratch : 1;
	UINT8 Reserved1 : 6;
} NET_PACKET;

UMNIC_STATIC_ASSERT(sizeof(NET_PACKET_LAYOUT) == 5, "NET_PACKET_LAYOUT is 5 bytes");
UMNIC_STATIC_ASSERT(sizeof(NET_PACKET) == 12, "NET_PACKET is 12 bytes");
UMNIC_STATIC_ASSERT(offsetof(NET_PACKET, FragmentCount) == 4, "NET_PACKET.FragmentCount offset");
UMNIC_STATIC_ASSERT(offsetof(NET_PACKET, Layout) == 6, "NET_PACKET.Layout offset");

UMNIC_EXTERN_C_END

#endif
