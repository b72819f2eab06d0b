/* SPDX-License-Identifier: MIT */
/*
 * ms_fragment_logicaladdress: the device-visible (DMA) address of a
 * fragment's buffer. Only DMA-mapped queues of in-host ("kernel mode")
 * drivers get it; user-mode drivers never see device addresses.
 */
#ifndef UMNIC_NET_LOGICALADDRESSTYPES_H
#define UMNIC_NET_LOGICALADDRESSTYPES_H

#include <ntdef.h>

UMNIC_EXTERN_C_BEGIN

typedef struct _NET_FRAGMENT_LOGICAL_ADDRESS {
	UINT64 LogicalAddress;
} NET_FRAGMENT_LOGICAL_ADDRESS;

UMNIC_STATIC_ASSERT(sizeof(NET_FRAGMENT_LOGICAL_ADDRESS) == 8,
		    "NET_FRAGMENT_LOGICAL_ADDRESS is 8 bytes");

#define NET_FRAGMENT_EXTENSION_LOGICAL_ADDRESS_NAME	      L"ms_fragment_logicaladdress"
#define NET_FRAGMENT_EXTENSION_LOGICAL_ADDRESS_VERSION_1      1U
#define NET_FRAGMENT_EXTENSION_LOGICAL_ADDRESS_VERSION_1_SIZE sizeof(NET_FRAGMENT_LOGICAL_ADDRESS)

UMNIC_EXTERN_C_END

#endif
