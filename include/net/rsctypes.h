/* SPDX-License-Identifier: MIT */
/*
 * ms_packet_rsc: receive segment coalescing. When the driver hands up one
 * RX packet built from several wire segments it says how many, so the
 * stack keeps its TCP statistics (and, for UDP, can split them again).
 * Version 2 added the UDP view; both views share the same 4 bytes.
 *
 * ms_packet_rsc_timestamp carries the TCP timestamp delta across the
 * coalesced segments.
 */
#ifndef UMNIC_NET_RSCTYPES_H
#define UMNIC_NET_RSCTYPES_H

#include <ntdef.h>

UMNIC_EXTERN_C_BEGIN

typedef struct _NET_PACKET_RSC {
	union {
		struct {
			UINT16 CoalescedSegmentCount;
			UINT16 DuplicateAckCount;
		} TCP;
		struct {
			UINT16 CoalescedSegmentCount;
			UINT16 CoalescedSegmentSize;
		} UDP;
	};
} NET_PACKET_RSC;

UMNIC_STATIC_ASSERT(sizeof(NET_PACKET_RSC) == 4, "NET_PACKET_RSC is 4 bytes");

typedef struct _NET_PACKET_RSC_TIMESTAMP {
	union {
		struct {
			UINT32 RscTcpTimestampDelta;
		} TCP;
	};
} NET_PACKET_RSC_TIMESTAMP;

UMNIC_STATIC_ASSERT(sizeof(NET_PACKET_RSC_TIMESTAMP) == 4, "NET_PACKET_RSC_TIMESTAMP is 4 bytes");

#define NET_PACKET_EXTENSION_RSC_NAME		L"ms_packet_rsc"
#define NET_PACKET_EXTENSION_RSC_VERSION_1	1U
#define NET_PACKET_EXTENSION_RSC_VERSION_2	2U
#define NET_PACKET_EXTENSION_RSC_VERSION_1_SIZE sizeof(NET_PACKET_RSC)
#define NET_PACKET_EXTENSION_RSC_VERSION_2_SIZE sizeof(NET_PACKET_RSC)

#define NET_PACKET_EXTENSION_RSC_TIMESTAMP_NAME		  L"ms_packet_rsc_timestamp"
#define NET_PACKET_EXTENSION_RSC_TIMESTAMP_VERSION_1	  1U
#define NET_PACKET_EXTENSION_RSC_TIMESTAMP_VERSION_1_SIZE sizeof(NET_PACKET_RSC_TIMESTAMP)

UMNIC_EXTERN_C_END

#endif
