// SPDX-License-Identifier: MIT
/* WDFMEMORY: framework-allocated, driver-preallocated and wrapped framework buffers. */
#include <stdlib.h>
#include <string.h>

#include <wdf.h>

#include "common/log.h"
#include "runtime/wdf/memory_obj.h"

/* Cache-line aligned, which is also what DMA-minded driver code tends to expect. */
#define UMN_MEMORY_ALIGN 64

static void memory_on_destroy(struct umn_object *o)
{
	struct umn_memory *m = (struct umn_memory *)o;

	if (m->owned)
		free(m->buf);
	m->buf = NULL;
}

static const struct umn_object_ops memory_ops = {.on_destroy = memory_on_destroy};

struct umn_memory *umn_memory_get(const char *fn, WDFMEMORY handle)
{
	struct umn_object *o = umn_object_from_handle(handle, UMN_OBJ_MEMORY);

	if (!o)
		umn_log(UMN_LOG_ERR, "%s: %p is not a WDFMEMORY", fn, (void *)handle);
	return (struct umn_memory *)o;
}

static bool pool_type_valid(POOL_TYPE t)
{
	switch (t) {
	case NonPagedPool:
	case PagedPool:
	case NonPagedPoolMustSucceed:
	case NonPagedPoolCacheAligned:
	case PagedPoolCacheAligned:
	case NonPagedPoolNx:
	case NonPagedPoolNxCacheAligned:
		return true;
	default:
		return false;
	}
}

NTSTATUS WdfMemoryCreate(PWDF_OBJECT_ATTRIBUTES Attributes, POOL_TYPE PoolType, ULONG PoolTag,
			 size_t BufferSize, WDFMEMORY *Memory, PVOID *Buffer)
{
	struct umn_memory *m;
	struct umn_object *o;
	void *buf;
	NTSTATUS st;

	(void)PoolTag;
	if (!Memory) {
		umn_log(UMN_LOG_ERR, "WdfMemoryCreate: Memory is NULL");
		return STATUS_INVALID_PARAMETER;
	}
	if (BufferSize == 0) {
		umn_log(UMN_LOG_ERR, "WdfMemoryCreate: BufferSize is 0");
		return STATUS_INVALID_PARAMETER;
	}
	if (!pool_type_valid(PoolType)) {
		umn_log(UMN_LOG_ERR, "WdfMemoryCreate: unknown PoolType %d", (int)PoolType);
		return STATUS_INVALID_PARAMETER;
	}
	if (BufferSize > SIZE_MAX - UMN_MEMORY_ALIGN)
		return STATUS_INSUFFICIENT_RESOURCES;
	buf = aligned_alloc(UMN_MEMORY_ALIGN,
			    (BufferSize + UMN_MEMORY_ALIGN - 1) & ~(size_t)(UMN_MEMORY_ALIGN - 1));
	if (!buf)
		return STATUS_INSUFFICIENT_RESOURCES;
	/* Windows pool memory is not zeroed, but handing out old heap contents helps nobody. */
	memset(buf, 0, BufferSize);
	st = umn_object_create(UMN_OBJ_MEMORY, sizeof(*m), Attributes, umn_object_driver(),
			       &memory_ops, &o);
	if (!NT_SUCCESS(st)) {
		free(buf);
		return st;
	}
	m = (struct umn_memory *)o;
	m->buf = buf;
	m->size = BufferSize;
	m->owned = true;
	*Memory = (WDFMEMORY)umn_object_handle(o);
	if (Buffer)
		*Buffer = buf;
	return STATUS_SUCCESS;
}

NTSTATUS WdfMemoryCreatePreallocated(PWDF_OBJECT_ATTRIBUTES Attributes, PVOID Buffer,
				     size_t BufferSize, WDFMEMORY *Memory)
{
	struct umn_memory *m;
	struct umn_object *o;
	NTSTATUS st;

	if (!Memory || !Buffer || BufferSize == 0) {
		umn_log(UMN_LOG_ERR, "WdfMemoryCreatePreallocated: %s",
			!Memory	  ? "Memory is NULL"
			: !Buffer ? "Buffer is NULL"
				  : "BufferSize is 0");
		return STATUS_INVALID_PARAMETER;
	}
	st = umn_object_create(UMN_OBJ_MEMORY, sizeof(*m), Attributes, umn_object_driver(),
			       &memory_ops, &o);
	if (!NT_SUCCESS(st))
		return st;
	m = (struct umn_memory *)o;
	m->buf = Buffer;
	m->size = BufferSize;
	m->preallocated = true;
	*Memory = (WDFMEMORY)umn_object_handle(o);
	return STATUS_SUCCESS;
}

NTSTATUS umn_memory_wrap(struct umn_object *parent, const WDF_OBJECT_ATTRIBUTES *attrs, void *buf,
			 size_t size, unsigned flags, struct umn_memory **ret)
{
	struct umn_memory *m;
	struct umn_object *o;
	NTSTATUS st;

	if (!ret || (!buf && size))
		return STATUS_INVALID_PARAMETER;
	st = umn_object_create(UMN_OBJ_MEMORY, sizeof(*m), attrs, parent, &memory_ops, &o);
	if (!NT_SUCCESS(st))
		return st;
	m = (struct umn_memory *)o;
	m->buf = buf;
	m->size = size;
	m->read_only = (flags & UMN_MEMORY_READ_ONLY) != 0;
	if (flags & UMN_MEMORY_FRAMEWORK_OWNED)
		umn_object_set_no_driver_delete(o, true);
	*ret = m;
	return STATUS_SUCCESS;
}

NTSTATUS WdfMemoryAssignBuffer(WDFMEMORY Memory, PVOID Buffer, size_t BufferSize)
{
	struct umn_memory *m = umn_memory_get("WdfMemoryAssignBuffer", Memory);

	if (!m)
		return STATUS_INVALID_PARAMETER;
	if (!Buffer || BufferSize == 0) {
		umn_log(UMN_LOG_ERR, "WdfMemoryAssignBuffer: %s",
			!Buffer ? "Buffer is NULL" : "BufferSize is 0");
		return STATUS_INVALID_PARAMETER;
	}
	if (!m->preallocated) {
		umn_log(UMN_LOG_ERR,
			"WdfMemoryAssignBuffer: %p was not created by WdfMemoryCreatePreallocated",
			(void *)Memory);
		return STATUS_INVALID_DEVICE_REQUEST;
	}
	m->buf = Buffer;
	m->size = BufferSize;
	return STATUS_SUCCESS;
}

PVOID WdfMemoryGetBuffer(WDFMEMORY Memory, size_t *BufferSize)
{
	struct umn_memory *m = umn_memory_get("WdfMemoryGetBuffer", Memory);

	if (!m) {
		if (BufferSize)
			*BufferSize = 0;
		return NULL;
	}
	if (BufferSize)
		*BufferSize = m->size;
	return m->buf;
}

/* offset + n must fit in size, without overflowing. */
static bool range_ok(size_t size, size_t offset, size_t n)
{
	return offset <= size && n <= size - offset;
}

NTSTATUS WdfMemoryCopyToBuffer(WDFMEMORY SourceMemory, size_t SourceOffset, PVOID Buffer,
			       size_t NumBytesToCopyTo)
{
	struct umn_memory *m = umn_memory_get("WdfMemoryCopyToBuffer", SourceMemory);

	if (!m)
		return STATUS_INVALID_PARAMETER;
	if (!Buffer || NumBytesToCopyTo == 0) {
		umn_log(UMN_LOG_ERR, "WdfMemoryCopyToBuffer: %s",
			!Buffer ? "Buffer is NULL" : "NumBytesToCopyTo is 0");
		return STATUS_INVALID_PARAMETER;
	}
	if (!range_ok(m->size, SourceOffset, NumBytesToCopyTo)) {
		umn_log(UMN_LOG_ERR,
			"WdfMemoryCopyToBuffer: %zu bytes at offset %zu exceed the %zu-byte buffer",
			NumBytesToCopyTo, SourceOffset, m->size);
		return STATUS_BUFFER_TOO_SMALL;
	}
	memmove(Buffer, (char *)m->buf + SourceOffset, NumBytesToCopyTo);
	return STATUS_SUCCESS;
}

NTSTATUS WdfMemoryCopyFromBuffer(WDFMEMORY DestinationMemory, size_t DestinationOffset,
				 PVOID Buffer, size_t NumBytesToCopyFrom)
{
	struct umn_memory *m = umn_memory_get("WdfMemoryCopyFromBuffer", DestinationMemory);

	if (!m)
		return STATUS_INVALID_PARAMETER;
	if (!Buffer || NumBytesToCopyFrom == 0) {
		umn_log(UMN_LOG_ERR, "WdfMemoryCopyFromBuffer: %s",
			!Buffer ? "Buffer is NULL" : "NumBytesToCopyFrom is 0");
		return STATUS_INVALID_PARAMETER;
	}
	if (m->read_only) {
		umn_log(UMN_LOG_ERR,
			"WdfMemoryCopyFromBuffer: %p is a read-only request input buffer",
			(void *)DestinationMemory);
		return STATUS_ACCESS_VIOLATION;
	}
	if (!range_ok(m->size, DestinationOffset, NumBytesToCopyFrom)) {
		umn_log(
		    UMN_LOG_ERR,
		    "WdfMemoryCopyFromBuffer: %zu bytes at offset %zu exceed the %zu-byte buffer",
		    NumBytesToCopyFrom, DestinationOffset, m->size);
		return STATUS_BUFFER_TOO_SMALL;
	}
	memmove((char *)m->buf + DestinationOffset, Buffer, NumBytesToCopyFrom);
	return STATUS_SUCCESS;
}
