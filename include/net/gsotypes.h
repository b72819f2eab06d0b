/* SPDX-License-Identifier: MIT */
/*
 * ms_packet_gso: segmentation of a large TX packet (LSO for TCP, USO for
 * UDP). Mss is the payload size of each segment the driver must produce;
 * zero means the packet is not to be segmented.
 */
#ifndef UMNIC_NET_GSOTYPES_H
#define UMNIC_NET_GSOTYPES_H

#include <ntdef.h>

UMNIC_EXTERN_C_BEGIN

typedef struct _NET_PACKET_GSO {
	union {
		struct {
			UINT32 Mss : 20;
			UINT32 Reserved : 12;
		} TCP;
		struct {
			UINT32 Mss : 20;
			UINT32 Reserved : 12;
		} UDP;
	};
} NET_PACKET_GSO;

UMNIC_STATIC_ASSERT(sizeof(NET_PACKET_GSO) == 4, "NET_PACKET_GSO is 4 bytes");

#define NET_PACKET_EXTENSION_GSO_NAME		L"ms_packet_gso"
#define NET_PACKET_EXTENSION_GSO_VERSION_1	1U
#define NET_PACKET_EXTENSION_GSO_VERSION_1_SIZE sizeof(NET_PACKET_GSO)

UMNIC_EXTERN_C_END

#endif
