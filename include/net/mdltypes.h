/* SPDX-License-Identifier: MIT */
/*
 * ms_fragment_mdl: the memory descriptor list behind a fragment's buffer.
 * Only in-host ("kernel mode") drivers can ask for it, so in a user-mode
 * build this header declares nothing and a driver that uses it fails to
 * compile, as it would under UMDF on Windows.
 */
#ifndef UMNIC_NET_MDLTYPES_H
#define UMNIC_NET_MDLTYPES_H

#include <ntdef.h>

#ifdef _KERNEL_MODE

UMNIC_EXTERN_C_BEGIN

typedef struct _MDL MDL, *PMDL;

typedef struct _NET_FRAGMENT_MDL {
	PMDL Mdl;
} NET_FRAGMENT_MDL;

UMNIC_STATIC_ASSERT(sizeof(NET_FRAGMENT_MDL) == sizeof(void *), "NET_FRAGMENT_MDL is one pointer");

#define NET_FRAGMENT_EXTENSION_MDL_NAME		  L"ms_fragment_mdl"
#define NET_FRAGMENT_EXTENSION_MDL_VERSION_1	  1U
#define NET_FRAGMENT_EXTENSION_MDL_VERSION_1_SIZE sizeof(NET_FRAGMENT_MDL)

UMNIC_EXTERN_C_END

#endif /* _KERNEL_MODE */

#endif
