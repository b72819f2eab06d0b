/* SPDX-License-Identifier: MIT */
/* WDFSTRING internals for code that fills string objects (registry, version string). */
#ifndef UMNIC_RUNTIME_STRING_OBJ_H
#define UMNIC_RUNTIME_STRING_OBJ_H

#include "runtime/wdf/object.h"

/* Longest string a UNICODE_STRING can describe with room for the terminator. */
#define UMN_STRING_MAX_CHARS (0xfffe / sizeof(WCHAR) - 1)

struct umn_string;

/* The string object behind a handle, or NULL (logged with fn). */
struct umn_string *umn_string_get(const char *fn, WDFSTRING handle);

/* Replaces the contents with len_bytes bytes of WCHARs. STATUS_INVALID_PARAMETER if too long. */
NTSTATUS umn_string_assign(struct umn_string *s, const WCHAR *buf, size_t len_bytes);

/* Replaces the contents with UTF-8 text (invalid sequences become U+FFFD). */
NTSTATUS umn_string_assign_utf8(struct umn_string *s, const char *utf8, size_t len);

/* Creates a string object holding UTF-8 text, parented to parent. */
NTSTATUS umn_string_create_utf8(struct umn_object *parent, const WDF_OBJECT_ATTRIBUTES *attrs,
				const char *utf8, size_t len, WDFSTRING *ret);

#endif
