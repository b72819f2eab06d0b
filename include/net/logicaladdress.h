/* SPDX-License-Identifier: MIT */
/* Typed access to the ms_fragment_logicaladdress extension of a fragment ring. */
#ifndef UMNIC_NET_LOGICALADDRESS_H
#define UMNIC_NET_LOGICALADDRESS_H

#include <net/extension.h>
#include <net/logicaladdresstypes.h>

UMNIC_EXTERN_C_BEGIN

FORCEINLINE NET_FRAGMENT_LOGICAL_ADDRESS *
NetExtensionGetFragmentLogicalAddress(NET_EXTENSION const *Extension, UINT32 Index)
{
	return (NET_FRAGMENT_LOGICAL_ADDRESS *)NetExtensionGetData(Extension, Index);
}

UMNIC_EXTERN_C_END

#endif
