/* SPDX-License-Identifier: MIT */
/*
 * Packet and fragment extensions live inline in each ring element, after the
 * core descriptor. A NET_EXTENSION, filled by NetTxQueueGetExtension or
 * NetRxQueueGetExtension, locates one of them in every element of a ring.
 */
#ifndef UMNIC_NET_EXTENSION_H
#define UMNIC_NET_EXTENSION_H

#include <ntdef.h>

UMNIC_EXTERN_C_BEGIN

typedef enum _NET_EXTENSION_TYPE {
	NetExtensionTypePacket = 1,
	NetExtensionTypeFragment = 2,
} NET_EXTENSION_TYPE;

/*
 * Reserved[0] is the address of the extension in element 0 and Reserved[1]
 * the element stride, both filled by the framework.
 */
typedef struct _NET_EXTENSION {
	void *Reserved[4];
	union {
		BOOLEAN Enabled;
		void *Reserved1;
	};
} NET_EXTENSION;

typedef struct _NET_EXTENSION_QUERY {
	ULONG Size;
	PCWSTR Name;
	ULONG Version;
	NET_EXTENSION_TYPE Type;
} NET_EXTENSION_QUERY;

FORCEINLINE void NET_EXTENSION_QUERY_INIT(NET_EXTENSION_QUERY *Query, PCWSTR Name, ULONG Version,
					  NET_EXTENSION_TYPE Type)
{
	__builtin_memset(Query, 0, sizeof(*Query));
	Query->Size = sizeof(*Query);
	Query->Name = Name;
	Query->Version = Version;
	Query->Type = Type;
}

FORCEINLINE void *NetExtensionGetData(NET_EXTENSION const *Extension, UINT32 Index)
{
	return (unsigned char *)Extension->Reserved[0] + (SIZE_T)Index * (SIZE_T)(ULONG_PTR)Extension->Reserved[1];
}

UMNIC_EXTERN_C_END

#endif
