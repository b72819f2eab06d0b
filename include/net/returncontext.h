/* SPDX-License-Identifier: MIT */
/* Typed access to the ms_fragment_returncontext extension of a fragment ring. */
#ifndef UMNIC_NET_RETURNCONTEXT_H
#define UMNIC_NET_RETURNCONTEXT_H

#include <net/extension.h>
#include <net/returncontexttypes.h>

UMNIC_EXTERN_C_BEGIN

FORCEINLINE NET_FRAGMENT_RETURN_CONTEXT *
NetExtensionGetFragmentReturnContext(NET_EXTENSION const *Extension, UINT32 Index)
{
	return (NET_FRAGMENT_RETURN_CONTEXT *)NetExtensionGetData(Extension, Index);
}

UMNIC_EXTERN_C_END

#endif
