/* SPDX-License-Identifier: MIT */
/*
 * NET_FRAGMENT: one contiguous piece of a frame. It carries no address: the
 * buffer is found through the ms_fragment_virtualaddress extension.
 */
#ifndef UMNIC_NET_FRAGMENT_H
#define UMNIC_NET_FRAGMENT_H

#include <ntdef.h>

UMNIC_EXTERN_C_BEGIN

typedef struct _NET_FRAGMENT {
	UINT64 ValidLength : 26;
	UINT64 Capacity : 26;
	UINT64 Offset : 10;
	UINT64 Scratch : 1;
	UINT64 OsReserved_Bounced : 1;
} NET_FRAGMENT;

UMNIC_STATIC_ASSERT(sizeof(NET_FRAGMENT) == 8, "NET_FRAGMENT is 8 bytes");

UMNIC_EXTERN_C_END

#endif
