/* SPDX-License-Identifier: MIT */
/*
 * ms_fragment_returncontext: with driver-allocated RX buffers (in-host
 * drivers only), the driver tags each attached buffer with a handle of its
 * choosing; the system gives the handle back through
 * EvtAdapterReturnRxBuffer once the stack is done with the buffer.
 *
 * The handle type is visible in both builds because NET_ADAPTER_RX_
 * CAPABILITIES must have the same layout in both.
 */
#ifndef UMNIC_NET_RETURNCONTEXTTYPES_H
#define UMNIC_NET_RETURNCONTEXTTYPES_H

#include <ntdef.h>

UMNIC_EXTERN_C_BEGIN

typedef struct NET_FRAGMENT_RETURN_CONTEXT_HANDLE__ *NET_FRAGMENT_RETURN_CONTEXT_HANDLE;

typedef struct _NET_FRAGMENT_RETURN_CONTEXT {
	NET_FRAGMENT_RETURN_CONTEXT_HANDLE Handle;
} NET_FRAGMENT_RETURN_CONTEXT;

UMNIC_STATIC_ASSERT(sizeof(NET_FRAGMENT_RETURN_CONTEXT) == sizeof(void *),
		    "NET_FRAGMENT_RETURN_CONTEXT is one pointer");

#define NET_FRAGMENT_EXTENSION_RETURN_CONTEXT_NAME	     L"ms_fragment_returncontext"
#define NET_FRAGMENT_EXTENSION_RETURN_CONTEXT_VERSION_1	     1U
#define NET_FRAGMENT_EXTENSION_RETURN_CONTEXT_VERSION_1_SIZE sizeof(NET_FRAGMENT_RETURN_CONTEXT)

UMNIC_EXTERN_C_END

#endif
