/* SPDX-License-Identifier: MIT */
/*
 * ms_packet_ieee8021q: the 802.1Q tag of a packet. On RX the driver reports
 * a tag the hardware stripped; on TX, TxTagging (NET_PACKET_TX_IEEE8021Q_
 * ACTION_FLAGS) says which parts of the tag the driver must insert.
 *
 * The bit-fields are declared with the widths Windows uses (16-bit unit for
 * the priority and VLAN id, then an 8-bit unit), which puts TxTagging in
 * bits 0-1 of byte 2 and makes the struct 4 bytes under both the Windows
 * and the System V bit-field rules.
 */
#ifndef UMNIC_NET_IEEE8021QTYPES_H
#define UMNIC_NET_IEEE8021QTYPES_H

#include <netadaptercxtypes.h>

UMNIC_EXTERN_C_BEGIN

typedef enum _NET_PACKET_TX_IEEE8021Q_ACTION_FLAGS {
	NetPacketTxIeee8021qActionFlagPriorityRequired = 1,
	NetPacketTxIeee8021qActionFlagVlanRequired = 2,
} NET_PACKET_TX_IEEE8021Q_ACTION_FLAGS;

DEFINE_ENUM_FLAG_OPERATORS(NET_PACKET_TX_IEEE8021Q_ACTION_FLAGS)

typedef struct _NET_PACKET_IEEE8021Q {
	UINT16 PriorityCodePoint : 3;
	UINT16 VlanIdentifier : 12;
	UINT8 TxTagging : 2;
} NET_PACKET_IEEE8021Q;

UMNIC_STATIC_ASSERT(sizeof(NET_PACKET_IEEE8021Q) == 4, "NET_PACKET_IEEE8021Q is 4 bytes");

#define NET_PACKET_EXTENSION_IEEE8021Q_NAME	      L"ms_packet_ieee8021q"
#define NET_PACKET_EXTENSION_IEEE8021Q_VERSION_1      1U
#define NET_PACKET_EXTENSION_IEEE8021Q_VERSION_1_SIZE sizeof(NET_PACKET_IEEE8021Q)

UMNIC_EXTERN_C_END

#endif
