/* SPDX-License-Identifier: MIT */
/*
 * ms_fragment_virtualaddress: where a fragment's buffer is mapped in the
 * driver's address space. The bytes of the fragment are at
 * VirtualAddress + NET_FRAGMENT.Offset, ValidLength of them.
 */
#ifndef UMNIC_NET_VIRTUALADDRESSTYPES_H
#define UMNIC_NET_VIRTUALADDRESSTYPES_H

#include <ntdef.h>

UMNIC_EXTERN_C_BEGIN

typedef struct _NET_FRAGMENT_VIRTUAL_ADDRESS {
	void *VirtualAddress;
} NET_FRAGMENT_VIRTUAL_ADDRESS;

UMNIC_STATIC_ASSERT(sizeof(NET_FRAGMENT_VIRTUAL_ADDRESS) == sizeof(void *),
		    "NET_FRAGMENT_VIRTUAL_ADDRESS is one pointer");

#define NET_FRAGMENT_EXTENSION_VIRTUAL_ADDRESS_NAME	      L"ms_fragment_virtualaddress"
#define NET_FRAGMENT_EXTENSION_VIRTUAL_ADDRESS_VERSION_1      1U
#define NET_FRAGMENT_EXTENSION_VIRTUAL_ADDRESS_VERSION_1_SIZE sizeof(NET_FRAGMENT_VIRTUAL_ADDRESS)

UMNIC_EXTERN_C_END

#endif
