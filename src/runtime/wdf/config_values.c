/* SPDX-License-Identifier: MIT */
/*
 * String, multi-string and binary registry values for WDFKEY and
 * NETCONFIGURATION, the service's Parameters key, and sub-configurations.
 *
 * The store keeps strings as UTF-8 (devreg.h); drivers see WCHAR. A driver
 * writing REG_SZ or REG_MULTI_SZ hands WCHAR data with its terminators, as
 * RegSetValueEx takes it; it is converted once, here.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/devreg.h"
#include "common/log.h"
#include "common/utf8.h"
#include "runtime/wdf/config.h"
#include "runtime/wdf/memory_obj.h"
#include "runtime/rt.h"
#include "runtime/wdf/string_obj.h"

#define NAME_MAX_UTF8 256
/* Elements a driver may write in one REG_MULTI_SZ. */
#define UMN_MAX_MULTI_SZ 256

static NTSTATUS status_from_errno(int r)
{
	switch (r) {
	case -ENOENT:
		return STATUS_OBJECT_NAME_NOT_FOUND;
	case -EMEDIUMTYPE:
		return STATUS_OBJECT_TYPE_MISMATCH;
	case -EINVAL:
		return STATUS_INVALID_PARAMETER;
	case -E2BIG:
	case -ENOSPC:
	case -ENOMEM:
		return STATUS_INSUFFICIENT_RESOURCES;
	default:
		return STATUS_UNSUCCESSFUL;
	}
}

/* Looks up a value of one of the string types. */
static NTSTATUS get_sz(struct umn_regkey *k, PCUNICODE_STRING name, const char **ret)
{
	char n[NAME_MAX_UTF8];
	int r;

	if (!k || !umn_reg_to_utf8(name, n, sizeof(n)))
		return STATUS_INVALID_PARAMETER;
	r = devreg_get_sz(k->reg, k->subkey, n, ret);
	return r < 0 ? status_from_errno(r) : STATUS_SUCCESS;
}

/* UTF-8 to WCHAR; returns the number of WCHARs (out may be NULL to count). */
static size_t utf8_to_wide(const char *s, WCHAR *out, size_t cap)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), i = 0, n = 0;

	while (i < len) {
		uint32_t cp;
		size_t k = utf8_decode(p + i, len - i, &cp);

		if (!k) {
			cp = 0xfffd;
			k = 1;
		}
		if (out && n < cap)
			out[n] = (WCHAR)cp;
		n++;
		i += k;
	}
	return n;
}

/* Adds one string object per element of a REG_MULTI_SZ to coll. */
static NTSTATUS query_multi(struct umn_regkey *k, PCUNICODE_STRING name,
			    PWDF_OBJECT_ATTRIBUTES attrs, WDFCOLLECTION coll)
{
	struct umn_object *c = umn_object_from_handle(coll, UMN_OBJ_COLLECTION);
	char n[NAME_MAX_UTF8], **strv = NULL;
	NTSTATUS st = STATUS_SUCCESS;
	int r;

	if (!k || !c || !umn_reg_to_utf8(name, n, sizeof(n)))
		return STATUS_INVALID_PARAMETER;
	r = devreg_get_multi_sz(k->reg, k->subkey, n, &strv);
	if (r < 0)
		return status_from_errno(r);
	for (size_t i = 0; strv[i] && NT_SUCCESS(st); i++) {
		WDFSTRING s;

		/* WDF parents the strings to the collection unless the attributes name a parent. */
		st = umn_string_create_utf8(c, attrs, strv[i], strlen(strv[i]), &s);
		if (NT_SUCCESS(st)) {
			st = WdfCollectionAdd(coll, s);
			if (!NT_SUCCESS(st))
				WdfObjectDelete(s);
		}
	}
	devreg_strv_free(strv);
	return st;
}

/* Builds a NULL-terminated UTF-8 list from a collection of WDFSTRINGs. */
static NTSTATUS strv_from_collection(WDFCOLLECTION coll, char ***ret)
{
	ULONG count = WdfCollectionGetCount(coll);
	char **strv = calloc((size_t)count + 1, sizeof(char *));

	if (!strv)
		return STATUS_INSUFFICIENT_RESOURCES;
	for (ULONG i = 0; i < count; i++) {
		WDFOBJECT item = WdfCollectionGetItem(coll, i);
		UNICODE_STRING u;
		size_t cap;

		if (!umn_object_from_handle(item, UMN_OBJ_STRING)) {
			devreg_strv_free(strv);
			return STATUS_INVALID_PARAMETER;
		}
		WdfStringGetUnicodeString((WDFSTRING)item, &u);
		cap = (size_t)u.Length / sizeof(WCHAR) * 4 + 1;
		strv[i] = malloc(cap);
		if (!strv[i] || !umn_reg_to_utf8(&u, strv[i], cap) || !strv[i][0]) {
			devreg_strv_free(strv);
			return strv[i] ? STATUS_INVALID_PARAMETER : STATUS_INSUFFICIENT_RESOURCES;
		}
	}
	*ret = strv;
	return STATUS_SUCCESS;
}

/* ---- WDFKEY ------------------------------------------------------------------------------ */

NTSTATUS WdfRegistryQueryString(WDFKEY Key, PCUNICODE_STRING ValueName, WDFSTRING String)
{
	struct umn_regkey *k = umn_regkey_from(Key, UMN_OBJ_KEY, "WdfRegistryQueryString");
	struct umn_string *s = umn_string_get("WdfRegistryQueryString", String);
	const char *v;
	NTSTATUS st;

	if (!s)
		return STATUS_INVALID_PARAMETER;
	st = get_sz(k, ValueName, &v);
	return NT_SUCCESS(st) ? umn_string_assign_utf8(s, v, strlen(v)) : st;
}

NTSTATUS WdfRegistryQueryUnicodeString(WDFKEY Key, PCUNICODE_STRING ValueName,
				       PUSHORT ValueByteLength, PUNICODE_STRING Value)
{
	struct umn_regkey *k = umn_regkey_from(Key, UMN_OBJ_KEY, "WdfRegistryQueryUnicodeString");
	const char *v;
	size_t chars, bytes;
	NTSTATUS st;

	st = get_sz(k, ValueName, &v);
	if (!NT_SUCCESS(st))
		return st;
	chars = utf8_to_wide(v, NULL, 0);
	if (chars > UMN_STRING_MAX_CHARS)
		return STATUS_INVALID_BUFFER_SIZE;
	bytes = chars * sizeof(WCHAR);
	if (ValueByteLength)
		*ValueByteLength = (USHORT)bytes;
	if (!Value || !Value->Buffer || Value->MaximumLength < bytes)
		return STATUS_BUFFER_OVERFLOW;
	utf8_to_wide(v, Value->Buffer, chars);
	Value->Length = (USHORT)bytes;
	/* Terminated when there is room, which drivers printing the buffer rely on. */
	if (Value->MaximumLength >= bytes + sizeof(WCHAR))
		Value->Buffer[chars] = 0;
	return STATUS_SUCCESS;
}

NTSTATUS WdfRegistryQueryMultiString(WDFKEY Key, PCUNICODE_STRING ValueName,
				     PWDF_OBJECT_ATTRIBUTES StringsAttributes,
				     WDFCOLLECTION Collection)
{
	return query_multi(umn_regkey_from(Key, UMN_OBJ_KEY, "WdfRegistryQueryMultiString"),
			   ValueName, StringsAttributes, Collection);
}

/* WCHAR data as RegSetValueEx takes it, to the store's UTF-8 form. */
static NTSTATUS assign_value(struct umn_regkey *k, PCUNICODE_STRING name, ULONG type, ULONG len,
			     const void *data)
{
	char n[NAME_MAX_UTF8], *text = NULL, *multi[UMN_MAX_MULTI_SZ + 1];
	const WCHAR *w = data;
	size_t count = len / sizeof(WCHAR), nmulti = 0, start = 0;
	NTSTATUS st = STATUS_SUCCESS;
	int r;

	if (!k || !umn_reg_to_utf8(name, n, sizeof(n)) || (len && !data))
		return STATUS_INVALID_PARAMETER;
	switch (type) {
	case REG_DWORD:
		if (len != 4)
			return STATUS_INVALID_PARAMETER;
		break;
	case REG_QWORD:
		if (len != 8)
			return STATUS_INVALID_PARAMETER;
		break;
	case REG_BINARY:
		break;
	case REG_SZ:
	case REG_EXPAND_SZ:
	case REG_MULTI_SZ:
		if (len % sizeof(WCHAR) || len > DEVREG_MAX_VALUE_SIZE * sizeof(WCHAR))
			return STATUS_INVALID_PARAMETER;
		text = malloc(count * 4 + 2);
		if (!text)
			return STATUS_INSUFFICIENT_RESOURCES;
		/* Split at each NUL; a missing final terminator is tolerated, as Windows does. */
		for (size_t i = 0; i <= count; i++) {
			UNICODE_STRING u;
			char *out;

			if (i < count && w[i])
				continue;
			if (i == start)
				break;
			u = (UNICODE_STRING){(USHORT)((i - start) * sizeof(WCHAR)), 0,
					     (PWSTR)(w + start)};
			out = text + start * 4;
			if ((i - start) * sizeof(WCHAR) > 0xfffe ||
			    !umn_reg_to_utf8(&u, out, (i - start) * 4 + 1) ||
			    nmulti == UMN_MAX_MULTI_SZ) {
				st = STATUS_INVALID_PARAMETER;
				break;
			}
			multi[nmulti++] = out;
			start = i + 1;
			if (type != REG_MULTI_SZ)
				break;
		}
		break;
	default:
		return STATUS_INVALID_PARAMETER;
	}
	if (!NT_SUCCESS(st)) {
		free(text);
		return st;
	}
	multi[nmulti] = NULL;
	if (type == REG_MULTI_SZ)
		r = devreg_set_multi_sz(k->reg, k->subkey, n, (const char *const *)multi);
	else if (type == REG_SZ || type == REG_EXPAND_SZ)
		r = devreg_set(k->reg, k->subkey, n, type, nmulti ? multi[0] : "",
			       strlen(nmulti ? multi[0] : "") + 1);
	else
		r = devreg_set(k->reg, k->subkey, n, type, data, len);
	free(text);
	return r < 0 ? status_from_errno(r) : STATUS_SUCCESS;
}

NTSTATUS WdfRegistryAssignValue(WDFKEY Key, PCUNICODE_STRING ValueName, ULONG ValueType,
				ULONG ValueLength, PVOID Value)
{
	return assign_value(umn_regkey_from(Key, UMN_OBJ_KEY, "WdfRegistryAssignValue"), ValueName,
			    ValueType, ValueLength, Value);
}

/* ---- The service's Parameters key ---------------------------------------------------------- */

static void params_on_delete(struct umn_object *o)
{
	struct umn_regkey *k = (struct umn_regkey *)o;

	if (k->owns_reg)
		devreg_free(k->reg);
	k->reg = NULL;
}

static const struct umn_object_ops params_ops = {.on_delete = params_on_delete};

/*
 * umnic keeps registry values per device, not per service: the Parameters
 * key opens, starts empty (queries answer STATUS_OBJECT_NAME_NOT_FOUND, the
 * case drivers handle for an absent value) and keeps what the driver writes
 * for as long as the key is open.
 */
NTSTATUS WdfDriverOpenParametersRegistryKey(WDFDRIVER Driver, ACCESS_MASK DesiredAccess,
					    PWDF_OBJECT_ATTRIBUTES KeyAttributes, WDFKEY *Key)
{
	struct umn_object *d = umn_object_from_handle(Driver, UMN_OBJ_DRIVER), *o;
	struct umn_regkey *k;
	NTSTATUS st;

	(void)DesiredAccess;
	if (!d || !Key) {
		umn_log(UMN_LOG_ERR, "WdfDriverOpenParametersRegistryKey: %s",
			!d ? "Driver is not a WDFDRIVER" : "Key is NULL");
		return STATUS_INVALID_PARAMETER;
	}
	st = umn_object_create(UMN_OBJ_KEY, sizeof(*k), KeyAttributes, d, &params_ops, &o);
	if (!NT_SUCCESS(st))
		return st;
	k = (struct umn_regkey *)o;
	if (devreg_new(&k->reg) < 0) {
		umn_object_delete(o);
		return STATUS_INSUFFICIENT_RESOURCES;
	}
	k->owns_reg = true;
	*Key = (WDFKEY)umn_object_handle(o);
	return STATUS_SUCCESS;
}

/* ---- NETCONFIGURATION -------------------------------------------------------------------- */

static struct umn_regkey *cfg_from(NETCONFIGURATION c, const char *fn)
{
	return umn_regkey_from(c, UMN_OBJ_CONFIGURATION, fn);
}

NTSTATUS NetConfigurationOpenSubConfiguration(NETCONFIGURATION Configuration,
					      PCUNICODE_STRING SubConfigurationName,
					      PWDF_OBJECT_ATTRIBUTES SubConfigurationAttributes,
					      NETCONFIGURATION *SubConfiguration)
{
	struct umn_regkey *p = cfg_from(Configuration, "NetConfigurationOpenSubConfiguration"), *k;
	struct umn_object *o;
	char name[128];
	NTSTATUS st;

	if (!p || !SubConfiguration || !umn_reg_to_utf8(SubConfigurationName, name, sizeof(name)) ||
	    !name[0])
		return STATUS_INVALID_PARAMETER;
	if (strlen(p->subkey) + strlen(name) + 2 > sizeof(p->subkey))
		return STATUS_OBJECT_NAME_INVALID;
	/* Closed with its parent configuration, as NetAdapterCx documents. */
	st = umn_object_create(UMN_OBJ_CONFIGURATION, sizeof(*k), SubConfigurationAttributes,
			       &p->obj, NULL, &o);
	if (!NT_SUCCESS(st))
		return st;
	k = (struct umn_regkey *)o;
	k->reg = p->reg;
	snprintf(k->subkey, sizeof(k->subkey), "%s%s%s", p->subkey, p->subkey[0] ? "\\" : "", name);
	*SubConfiguration = (NETCONFIGURATION)umn_object_handle(o);
	return STATUS_SUCCESS;
}

NTSTATUS NetConfigurationQueryString(NETCONFIGURATION Configuration, PCUNICODE_STRING ValueName,
				     PWDF_OBJECT_ATTRIBUTES StringAttributes, WDFSTRING *WdfString)
{
	struct umn_regkey *k = cfg_from(Configuration, "NetConfigurationQueryString");
	const char *v;
	NTSTATUS st;

	if (!WdfString)
		return STATUS_INVALID_PARAMETER;
	st = get_sz(k, ValueName, &v);
	if (!NT_SUCCESS(st))
		return st;
	return umn_string_create_utf8(&k->obj, StringAttributes, v, strlen(v), WdfString);
}

NTSTATUS NetConfigurationQueryMultiString(NETCONFIGURATION Configuration,
					  PCUNICODE_STRING ValueName,
					  PWDF_OBJECT_ATTRIBUTES StringsAttributes,
					  WDFCOLLECTION Collection)
{
	return query_multi(cfg_from(Configuration, "NetConfigurationQueryMultiString"), ValueName,
			   StringsAttributes, Collection);
}

NTSTATUS NetConfigurationQueryBinary(NETCONFIGURATION Configuration, PCUNICODE_STRING ValueName,
				     POOL_TYPE PoolType, PWDF_OBJECT_ATTRIBUTES MemoryAttributes,
				     WDFMEMORY *WdfMemory)
{
	struct umn_regkey *k = cfg_from(Configuration, "NetConfigurationQueryBinary");
	const struct devreg_entry *e = NULL;
	WDF_OBJECT_ATTRIBUTES attrs;
	char n[NAME_MAX_UTF8];
	void *buf;
	NTSTATUS st;
	int r;

	if (!k || !WdfMemory || !umn_reg_to_utf8(ValueName, n, sizeof(n)))
		return STATUS_INVALID_PARAMETER;
	r = devreg_get(k->reg, k->subkey, n, &e);
	if (r < 0 || !e)
		return r < 0 ? status_from_errno(r) : STATUS_OBJECT_NAME_NOT_FOUND;
	if (e->type != REG_BINARY)
		return STATUS_OBJECT_TYPE_MISMATCH;
	if (!e->len)
		return STATUS_OBJECT_NAME_NOT_FOUND; /* a WDFMEMORY cannot be empty */
	/* The memory belongs to the configuration unless the driver names another parent. */
	if (MemoryAttributes)
		attrs = *MemoryAttributes;
	else
		WDF_OBJECT_ATTRIBUTES_INIT(&attrs);
	if (!attrs.ParentObject)
		attrs.ParentObject = (WDFOBJECT)umn_object_handle(&k->obj);
	st = WdfMemoryCreate(&attrs, PoolType, 0, e->len, WdfMemory, &buf);
	if (NT_SUCCESS(st))
		memcpy(buf, e->data, e->len);
	return st;
}

NTSTATUS NetConfigurationAssignUnicodeString(NETCONFIGURATION Configuration,
					     PCUNICODE_STRING ValueName, PCUNICODE_STRING Value)
{
	struct umn_regkey *k = cfg_from(Configuration, "NetConfigurationAssignUnicodeString");
	char n[NAME_MAX_UTF8], *v;
	size_t cap;
	int r;

	if (!k || !Value || !umn_reg_to_utf8(ValueName, n, sizeof(n)))
		return STATUS_INVALID_PARAMETER;
	cap = (size_t)Value->Length / sizeof(WCHAR) * 4 + 1;
	v = malloc(cap);
	if (!v)
		return STATUS_INSUFFICIENT_RESOURCES;
	if (!umn_reg_to_utf8(Value, v, cap)) {
		free(v);
		return STATUS_INVALID_PARAMETER;
	}
	r = devreg_set_sz(k->reg, k->subkey, n, v);
	free(v);
	return r < 0 ? status_from_errno(r) : STATUS_SUCCESS;
}

NTSTATUS NetConfigurationAssignMultiString(NETCONFIGURATION Configuration,
					   PCUNICODE_STRING ValueName,
					   WDFCOLLECTION StringsCollection)
{
	struct umn_regkey *k = cfg_from(Configuration, "NetConfigurationAssignMultiString");
	char n[NAME_MAX_UTF8], **strv;
	NTSTATUS st;
	int r;

	if (!k || !umn_object_from_handle(StringsCollection, UMN_OBJ_COLLECTION) ||
	    !umn_reg_to_utf8(ValueName, n, sizeof(n)))
		return STATUS_INVALID_PARAMETER;
	st = strv_from_collection(StringsCollection, &strv);
	if (!NT_SUCCESS(st))
		return st;
	r = devreg_set_multi_sz(k->reg, k->subkey, n, (const char *const *)strv);
	devreg_strv_free(strv);
	return r < 0 ? status_from_errno(r) : STATUS_SUCCESS;
}

NTSTATUS NetConfigurationAssignBinary(NETCONFIGURATION Configuration, PCUNICODE_STRING ValueName,
				      void const *Buffer, ULONG BufferLength)
{
	return assign_value(cfg_from(Configuration, "NetConfigurationAssignBinary"), ValueName,
			    REG_BINARY, BufferLength, Buffer);
}
