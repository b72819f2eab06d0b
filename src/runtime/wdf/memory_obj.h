/* SPDX-License-Identifier: MIT */
/* WDFMEMORY internals for the request and I/O target code. */
#ifndef UMNIC_RUNTIME_MEMORY_OBJ_H
#define UMNIC_RUNTIME_MEMORY_OBJ_H

#include <stdbool.h>

#include "runtime/wdf/object.h"

struct umn_memory {
	struct umn_object obj;
	void *buf;
	size_t size;
	/* Allocated by WdfMemoryCreate and freed with the object. */
	bool owned;
	/* Driver buffer (WdfMemoryCreatePreallocated): WdfMemoryAssignBuffer allowed. */
	bool preallocated;
	/* A request's input buffer: WdfMemoryCopyFromBuffer refuses. */
	bool read_only;
};

enum {
	UMN_MEMORY_READ_ONLY = 1u << 0,
	/* WdfObjectDelete refuses it (request buffers belong to the request). */
	UMN_MEMORY_FRAMEWORK_OWNED = 1u << 1,
};

/*
 * Wraps a buffer the framework owns elsewhere (a request's buffers, shared
 * memory) in a memory object parented to parent. The buffer is not freed
 * with the object. attrs may be NULL.
 */
NTSTATUS umn_memory_wrap(struct umn_object *parent, const WDF_OBJECT_ATTRIBUTES *attrs, void *buf,
			 size_t size, unsigned flags, struct umn_memory **ret);

/* The memory object behind a handle, or NULL (logged with fn). */
struct umn_memory *umn_memory_get(const char *fn, WDFMEMORY handle);

#endif
