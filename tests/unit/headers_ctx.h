/* SPDX-License-Identifier: MIT */
/*
 * A context type declared in a header shared by several translation units of
 * one test program (C and C++), the way drivers declare theirs. The
 * declaration must yield exactly one type descriptor for the whole program.
 */
#ifndef UMNIC_TESTS_HEADERS_CTX_H
#define UMNIC_TESTS_HEADERS_CTX_H

#include <wdf.h>

typedef struct _TEST_SHARED_CONTEXT {
	ULONG Magic;
	UCHAR Payload[52];
} TEST_SHARED_CONTEXT, *PTEST_SHARED_CONTEXT;

WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(TEST_SHARED_CONTEXT, TestGetSharedContext)

UMNIC_EXTERN_C_BEGIN

/* Implemented in headers_ctx_tu2.c, the second translation unit. */
PCWDF_OBJECT_CONTEXT_TYPE_INFO ctx_tu2_type_info(void);
const WDF_OBJECT_CONTEXT_TYPE_INFO *ctx_tu2_descriptor_address(void);
NTSTATUS ctx_tu2_create(ULONG magic, WDFOBJECT *ret);
ULONG ctx_tu2_read_magic(WDFOBJECT object);

UMNIC_EXTERN_C_END

#endif
