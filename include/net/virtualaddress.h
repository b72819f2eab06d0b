/* SPDX-License-Identifier: MIT */
/* Typed access to the ms_fragment_virtualaddress extension of a fragment ring. */
#ifndef UMNIC_NET_VIRTUALADDRESS_H
#define UMNIC_NET_VIRTUALADDRESS_H

#include <net/extension.h>
#include <net/virtualaddresstypes.h>

UMNIC_EXTERN_C_BEGIN

/* Index is a fragment ring index. */
FORCEINLINE NET_FRAGMENT_VIRTUAL_ADDRESS *
NetExtensionGetFragmentVirtualAddress(NET_EXTENSION const *Extension, UINT32 Index)
{
	return (NET_FRAGMENT_VIRTUAL_ADDRESS *)NetExtensionGetData(Extension, Index);
}

UMNIC_EXTERN_C_END

#endif
