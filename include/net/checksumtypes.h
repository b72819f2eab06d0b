/* SPDX-License-Identifier: MIT */
/*
 * ms_packet_checksum: per-packet checksum work. On TX the system asks the
 * driver to compute a checksum; on RX the driver reports what the hardware
 * found. Each layer takes a 2-bit value from the matching enum below.
 */
#ifndef UMNIC_NET_CHECKSUMTYPES_H
#define UMNIC_NET_CHECKSUMTYPES_H

#include <ntdef.h>

UMNIC_EXTERN_C_BEGIN

/* What the driver must do with a layer's checksum on transmit. */
typedef enum _NET_PACKET_TX_CHECKSUM_ACTION {
	NetPacketTxChecksumActionPassthrough = 0,
	NetPacketTxChecksumActionRequired = 2,
} NET_PACKET_TX_CHECKSUM_ACTION;

/* What the hardware concluded about a layer's checksum on receive. */
typedef enum _NET_PACKET_RX_CHECKSUM_EVALUATION {
	NetPacketRxChecksumEvaluationNotChecked = 0,
	NetPacketRxChecksumEvaluationValid = 1,
	NetPacketRxChecksumEvaluationInvalid = 2,
} NET_PACKET_RX_CHECKSUM_EVALUATION;

typedef struct _NET_PACKET_CHECKSUM {
	UINT8 Layer2 : 2;
	UINT8 Layer3 : 2;
	UINT8 Layer4 : 2;
	UINT8 Reserved : 2;
} NET_PACKET_CHECKSUM;

UMNIC_STATIC_ASSERT(sizeof(NET_PACKET_CHECKSUM) == 1, "NET_PACKET_CHECKSUM is 1 byte");

#define NET_PACKET_EXTENSION_CHECKSUM_NAME	     L"ms_packet_checksum"
#define NET_PACKET_EXTENSION_CHECKSUM_VERSION_1	     1U
#define NET_PACKET_EXTENSION_CHECKSUM_VERSION_1_SIZE sizeof(NET_PACKET_CHECKSUM)

UMNIC_EXTERN_C_END

#endif
