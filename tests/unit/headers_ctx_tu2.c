// SPDX-License-Identifier: MIT
/* Second translation unit for the context declaration test (see headers_ctx.h). */
#include "headers_ctx.h"

PCWDF_OBJECT_CONTEXT_TYPE_INFO ctx_tu2_type_info(void)
{
	return WDF_GET_CONTEXT_TYPE_INFO(TEST_SHARED_CONTEXT);
}

const WDF_OBJECT_CONTEXT_TYPE_INFO *ctx_tu2_descriptor_address(void)
{
	return &WDF_TYPE_NAME_TO_TYPE_INFO(TEST_SHARED_CONTEXT);
}

NTSTATUS ctx_tu2_create(ULONG magic, WDFOBJECT *ret)
{
	WDF_OBJECT_ATTRIBUTES attrs;
	NTSTATUS st;

	WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&attrs, TEST_SHARED_CONTEXT);
	st = WdfObjectCreate(&attrs, ret);
	if (NT_SUCCESS(st))
		TestGetSharedContext(*ret)->Magic = magic;
	return st;
}

ULONG ctx_tu2_read_magic(WDFOBJECT object)
{
	PTEST_SHARED_CONTEXT ctx = TestGetSharedContext(object);

	return ctx ? ctx->Magic : 0;
}
