/* SPDX-License-Identifier: MIT */
/*
 * WDFMEMORY: a buffer with a known length, owned either by the framework
 * (WdfMemoryCreate, request buffers) or by the driver (preallocated).
 * WDF_MEMORY_DESCRIPTOR names a buffer for the synchronous I/O target sends.
 */
#ifndef UMNIC_WDFMEMORY_H
#define UMNIC_WDFMEMORY_H

#include <wdfobject.h>

UMNIC_EXTERN_C_BEGIN

/* A window into a WDFMEMORY buffer. */
typedef struct _WDFMEMORY_OFFSET {
	size_t BufferOffset;
	size_t BufferLength;
} WDFMEMORY_OFFSET, *PWDFMEMORY_OFFSET;

typedef enum _WDF_MEMORY_DESCRIPTOR_TYPE {
	WdfMemoryDescriptorTypeInvalid = 0,
	WdfMemoryDescriptorTypeBuffer,
	WdfMemoryDescriptorTypeMdl,
	WdfMemoryDescriptorTypeHandle,
} WDF_MEMORY_DESCRIPTOR_TYPE;

typedef struct _WDF_MEMORY_DESCRIPTOR {
	WDF_MEMORY_DESCRIPTOR_TYPE Type;
	union {
		struct {
			PVOID Buffer;
			ULONG Length;
		} BufferType;
		struct {
			PMDL Mdl;
			ULONG BufferLength;
		} MdlType;
		struct {
			WDFMEMORY Memory;
			/* NULL: the whole buffer. */
			PWDFMEMORY_OFFSET Offsets;
		} HandleType;
	} u;
} WDF_MEMORY_DESCRIPTOR, *PWDF_MEMORY_DESCRIPTOR;

FORCEINLINE VOID WDF_MEMORY_DESCRIPTOR_INIT_BUFFER(PWDF_MEMORY_DESCRIPTOR Descriptor, PVOID Buffer,
						   ULONG BufferLength)
{
	memset(Descriptor, 0, sizeof(*Descriptor));
	Descriptor->Type = WdfMemoryDescriptorTypeBuffer;
	Descriptor->u.BufferType.Buffer = Buffer;
	Descriptor->u.BufferType.Length = BufferLength;
}

FORCEINLINE VOID WDF_MEMORY_DESCRIPTOR_INIT_HANDLE(PWDF_MEMORY_DESCRIPTOR Descriptor,
						   WDFMEMORY Memory, PWDFMEMORY_OFFSET Offsets)
{
	memset(Descriptor, 0, sizeof(*Descriptor));
	Descriptor->Type = WdfMemoryDescriptorTypeHandle;
	Descriptor->u.HandleType.Memory = Memory;
	Descriptor->u.HandleType.Offsets = Offsets;
}

#ifdef _KERNEL_MODE
FORCEINLINE VOID WDF_MEMORY_DESCRIPTOR_INIT_MDL(PWDF_MEMORY_DESCRIPTOR Descriptor, PMDL Mdl,
						ULONG BufferLength)
{
	memset(Descriptor, 0, sizeof(*Descriptor));
	Descriptor->Type = WdfMemoryDescriptorTypeMdl;
	Descriptor->u.MdlType.Mdl = Mdl;
	Descriptor->u.MdlType.BufferLength = BufferLength;
}
#endif

/*
 * Allocates a zeroed buffer of BufferSize bytes owned by a new memory object
 * (parent: the driver unless Attributes say otherwise). Buffer may be NULL.
 * STATUS_INVALID_PARAMETER (NULL Memory, zero size, bad attributes),
 * STATUS_INSUFFICIENT_RESOURCES.
 */
NTSTATUS WdfMemoryCreate(PWDF_OBJECT_ATTRIBUTES Attributes, POOL_TYPE PoolType, ULONG PoolTag,
			 size_t BufferSize, WDFMEMORY *Memory, PVOID *Buffer);

/* Wraps a driver-owned buffer; the framework never frees it. */
NTSTATUS WdfMemoryCreatePreallocated(PWDF_OBJECT_ATTRIBUTES Attributes, PVOID Buffer,
				     size_t BufferSize, WDFMEMORY *Memory);

/* Points a preallocated memory object at another driver buffer. */
NTSTATUS WdfMemoryAssignBuffer(WDFMEMORY Memory, PVOID Buffer, size_t BufferSize);

/* The buffer; its size in *BufferSize if that is not NULL. */
PVOID WdfMemoryGetBuffer(WDFMEMORY Memory, size_t *BufferSize);

/*
 * Copies NumBytesToCopyTo bytes starting at SourceOffset of the memory object
 * into Buffer. STATUS_BUFFER_TOO_SMALL if the range does not fit.
 */
NTSTATUS WdfMemoryCopyToBuffer(WDFMEMORY SourceMemory, size_t SourceOffset, PVOID Buffer,
			       size_t NumBytesToCopyTo);

/*
 * Copies NumBytesToCopyFrom bytes of Buffer into the memory object at
 * DestinationOffset. STATUS_BUFFER_TOO_SMALL if it does not fit,
 * STATUS_ACCESS_VIOLATION if the object is read-only (a request's input).
 */
NTSTATUS WdfMemoryCopyFromBuffer(WDFMEMORY DestinationMemory, size_t DestinationOffset,
				 PVOID Buffer, size_t NumBytesToCopyFrom);

UMNIC_EXTERN_C_END

#endif
