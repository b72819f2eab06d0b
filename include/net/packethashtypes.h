/* SPDX-License-Identifier: MIT */
/*
 * ms_packet_hash: the RSS hash the hardware computed for an RX packet, and
 * which header fields went into it (a set of NET_PACKET_HASH_PROTOCOL_TYPE
 * flags, stored in 16 bits).
 */
#ifndef UMNIC_NET_PACKETHASHTYPES_H
#define UMNIC_NET_PACKETHASHTYPES_H

#include <netadaptercxtypes.h>

UMNIC_EXTERN_C_BEGIN

typedef enum _NET_PACKET_HASH_PROTOCOL_TYPE {
	NetPacketHashProtocolTypeNone = 0x00,
	NetPacketHashProtocolTypeIPv4 = 0x01,
	NetPacketHashProtocolTypeIPv4Options = 0x02,
	NetPacketHashProtocolTypeIPv6 = 0x04,
	NetPacketHashProtocolTypeIPv6Extensions = 0x08,
	NetPacketHashProtocolTypeTcp = 0x10,
	NetPacketHashProtocolTypeUdp = 0x20,
} NET_PACKET_HASH_PROTOCOL_TYPE;

DEFINE_ENUM_FLAG_OPERATORS(NET_PACKET_HASH_PROTOCOL_TYPE)

typedef struct _NET_PACKET_HASH {
	UINT32 HashValue;
	/* NET_PACKET_HASH_PROTOCOL_TYPE flags. */
	UINT16 ProtocolType;
} NET_PACKET_HASH;

UMNIC_STATIC_ASSERT(sizeof(NET_PACKET_HASH) == 8, "NET_PACKET_HASH is 8 bytes");

#define NET_PACKET_EXTENSION_HASH_NAME		 L"ms_packet_hash"
#define NET_PACKET_EXTENSION_HASH_VERSION_1	 1U
#define NET_PACKET_EXTENSION_HASH_VERSION_1_SIZE sizeof(NET_PACKET_HASH)

UMNIC_EXTERN_C_END

#endif
