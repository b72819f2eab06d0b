/* SPDX-License-Identifier: MIT */
/* Typed access to the ms_fragment_mdl extension (in-host drivers only, see mdltypes.h). */
#ifndef UMNIC_NET_MDL_H
#define UMNIC_NET_MDL_H

#include <net/extension.h>
#include <net/mdltypes.h>

#ifdef _KERNEL_MODE

UMNIC_EXTERN_C_BEGIN

FORCEINLINE NET_FRAGMENT_MDL *NetExtensionGetFragmentMdl(NET_EXTENSION const *Extension,
							 UINT32 Index)
{
	return (NET_FRAGMENT_MDL *)NetExtensionGetData(Extension, Index);
}

UMNIC_EXTERN_C_END

#endif /* _KERNEL_MODE */

#endif
