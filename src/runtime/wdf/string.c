// SPDX-License-Identifier: MIT
/*
 * WDFSTRING. A UNICODE_STRING handed out by WdfStringGetUnicodeString
 * describes the object's buffer until the object is assigned again or
 * deleted, the lifetime WDF documents; assignment swaps in a new buffer.
 */
#include <stdlib.h>
#include <string.h>

#include <wdf.h>

#include "common/log.h"
#include "common/utf8.h"
#include "runtime/wdf/string_obj.h"

struct umn_string {
	struct umn_object obj;
	pthread_mutex_t lock;
	WCHAR *buf; /* NUL-terminated */
	USHORT len; /* bytes, without the terminator */
};

static void string_on_destroy(struct umn_object *o)
{
	struct umn_string *s = (struct umn_string *)o;

	free(s->buf);
	s->buf = NULL;
	pthread_mutex_destroy(&s->lock);
}

static const struct umn_object_ops string_ops = {.on_destroy = string_on_destroy};

struct umn_string *umn_string_get(const char *fn, WDFSTRING handle)
{
	struct umn_object *o = umn_object_from_handle(handle, UMN_OBJ_STRING);

	if (!o)
		umn_log(UMN_LOG_ERR, "%s: %p is not a WDFSTRING", fn, (void *)handle);
	return (struct umn_string *)o;
}

NTSTATUS umn_string_assign(struct umn_string *s, const WCHAR *buf, size_t len_bytes)
{
	size_t n = len_bytes / sizeof(WCHAR);
	WCHAR *copy, *old;

	if (len_bytes % sizeof(WCHAR) || n > UMN_STRING_MAX_CHARS || (n && !buf))
		return STATUS_INVALID_PARAMETER;
	copy = malloc((n + 1) * sizeof(WCHAR));
	if (!copy)
		return STATUS_INSUFFICIENT_RESOURCES;
	if (n)
		memcpy(copy, buf, n * sizeof(WCHAR));
	copy[n] = 0;
	pthread_mutex_lock(&s->lock);
	old = s->buf;
	s->buf = copy;
	s->len = (USHORT)(n * sizeof(WCHAR));
	pthread_mutex_unlock(&s->lock);
	free(old);
	return STATUS_SUCCESS;
}

NTSTATUS umn_string_assign_utf8(struct umn_string *s, const char *utf8, size_t len)
{
	const unsigned char *p = (const unsigned char *)utf8;
	WCHAR *w;
	size_t n = 0, i = 0;
	NTSTATUS st;

	if (len && !utf8)
		return STATUS_INVALID_PARAMETER;
	/* Every code point takes at least one byte, so len WCHARs are enough. */
	w = malloc((len + 1) * sizeof(WCHAR));
	if (!w)
		return STATUS_INSUFFICIENT_RESOURCES;
	while (i < len) {
		uint32_t cp;
		size_t k = utf8_decode(p + i, len - i, &cp);

		if (!k) {
			cp = 0xfffd;
			k = 1;
		}
		w[n++] = (WCHAR)cp;
		i += k;
	}
	st = umn_string_assign(s, w, n * sizeof(WCHAR));
	free(w);
	return st;
}

static NTSTATUS string_create(struct umn_object *parent, const WDF_OBJECT_ATTRIBUTES *attrs,
			      struct umn_string **ret)
{
	struct umn_string *s;
	struct umn_object *o;
	NTSTATUS st;

	st = umn_object_create(UMN_OBJ_STRING, sizeof(*s), attrs, parent, &string_ops, &o);
	if (!NT_SUCCESS(st))
		return st;
	s = (struct umn_string *)o;
	pthread_mutex_init(&s->lock, NULL);
	st = umn_string_assign(s, NULL, 0);
	if (!NT_SUCCESS(st)) {
		umn_object_delete(o);
		return st;
	}
	*ret = s;
	return STATUS_SUCCESS;
}

NTSTATUS umn_string_create_utf8(struct umn_object *parent, const WDF_OBJECT_ATTRIBUTES *attrs,
				const char *utf8, size_t len, WDFSTRING *ret)
{
	struct umn_string *s;
	NTSTATUS st;

	if (!ret)
		return STATUS_INVALID_PARAMETER;
	st = string_create(parent, attrs, &s);
	if (!NT_SUCCESS(st))
		return st;
	st = umn_string_assign_utf8(s, utf8, len);
	if (!NT_SUCCESS(st)) {
		umn_object_delete(&s->obj);
		return st;
	}
	*ret = (WDFSTRING)umn_object_handle(&s->obj);
	return STATUS_SUCCESS;
}

NTSTATUS WdfStringCreate(PCUNICODE_STRING UnicodeString, PWDF_OBJECT_ATTRIBUTES StringAttributes,
			 WDFSTRING *String)
{
	struct umn_string *s;
	NTSTATUS st;

	if (!String) {
		umn_log(UMN_LOG_ERR, "WdfStringCreate: String is NULL");
		return STATUS_INVALID_PARAMETER;
	}
	if (UnicodeString && (UnicodeString->Length % sizeof(WCHAR) ||
			      UnicodeString->Length > UnicodeString->MaximumLength ||
			      (UnicodeString->Length && !UnicodeString->Buffer))) {
		umn_log(UMN_LOG_ERR,
			"WdfStringCreate: malformed UNICODE_STRING (Length %u, MaximumLength %u, "
			"Buffer %p)",
			UnicodeString->Length, UnicodeString->MaximumLength,
			(void *)UnicodeString->Buffer);
		return STATUS_INVALID_PARAMETER;
	}
	st = string_create(umn_object_driver(), StringAttributes, &s);
	if (!NT_SUCCESS(st))
		return st;
	if (UnicodeString && UnicodeString->Length) {
		st = umn_string_assign(s, UnicodeString->Buffer, UnicodeString->Length);
		if (!NT_SUCCESS(st)) {
			umn_object_delete(&s->obj);
			return st;
		}
	}
	*String = (WDFSTRING)umn_object_handle(&s->obj);
	return STATUS_SUCCESS;
}

VOID WdfStringGetUnicodeString(WDFSTRING String, PUNICODE_STRING UnicodeString)
{
	struct umn_string *s = umn_string_get("WdfStringGetUnicodeString", String);

	if (!UnicodeString) {
		umn_log(UMN_LOG_ERR, "WdfStringGetUnicodeString: UnicodeString is NULL");
		return;
	}
	if (!s) {
		memset(UnicodeString, 0, sizeof(*UnicodeString));
		return;
	}
	pthread_mutex_lock(&s->lock);
	UnicodeString->Buffer = s->buf;
	UnicodeString->Length = s->len;
	UnicodeString->MaximumLength = (USHORT)(s->len + sizeof(WCHAR));
	pthread_mutex_unlock(&s->lock);
}
