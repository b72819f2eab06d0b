/* SPDX-License-Identifier: MIT */
/*
 * Registry access for drivers: WDFKEY (WdfDeviceOpenRegistryKey and
 * WdfRegistry*) and NETCONFIGURATION (NetAdapterOpenConfiguration and
 * NetConfiguration*), both views of the device's store that umnicd sent with
 * the device. Writes change the host's copy only; they are not sent back.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "runtime/wdf/config.h"
#include "runtime/rt.h"

/* Converts a counted wide string to UTF-8; false if it does not fit or is malformed. */
bool umn_reg_to_utf8(PCUNICODE_STRING u, char *out, size_t cap)
{
	size_t n = 0, count;

	if (!u || (u->Length && !u->Buffer) || u->Length % sizeof(WCHAR))
		return false;
	count = u->Length / sizeof(WCHAR);
	for (size_t i = 0; i < count; i++) {
		uint32_t c = (uint32_t)u->Buffer[i];
		unsigned char tmp[4];
		size_t k;

		if (c < 0x80) {
			tmp[0] = (unsigned char)c;
			k = 1;
		} else if (c < 0x800) {
			tmp[0] = (unsigned char)(0xc0 | c >> 6);
			tmp[1] = (unsigned char)(0x80 | (c & 0x3f));
			k = 2;
		} else if (c < 0x10000) {
			tmp[0] = (unsigned char)(0xe0 | c >> 12);
			tmp[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3f));
			tmp[2] = (unsigned char)(0x80 | (c & 0x3f));
			k = 3;
		} else if (c < 0x110000) {
			tmp[0] = (unsigned char)(0xf0 | c >> 18);
			tmp[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3f));
			tmp[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3f));
			tmp[3] = (unsigned char)(0x80 | (c & 0x3f));
			k = 4;
		} else {
			return false;
		}
		if (n + k >= cap)
			return false;
		memcpy(out + n, tmp, k);
		n += k;
	}
	out[n] = '\0';
	return true;
}

NTSTATUS umn_regkey_open(struct umn_device *dev, enum umn_object_type type, const char *subkey,
			 PWDF_OBJECT_ATTRIBUTES attrs, struct umn_object *parent,
			 struct umn_regkey **ret)
{
	struct umn_object *o;
	struct umn_regkey *k;
	NTSTATUS st;

	if (!dev->registry)
		return STATUS_OBJECT_NAME_NOT_FOUND;
	st = umn_object_create(type, sizeof(*k), attrs, parent, NULL, &o);
	if (!NT_SUCCESS(st))
		return st;
	k = (struct umn_regkey *)o;
	k->reg = dev->registry;
	umn_strlcpy(k->subkey, subkey, sizeof(k->subkey));
	*ret = k;
	return STATUS_SUCCESS;
}

struct umn_regkey *umn_regkey_from(void *h, enum umn_object_type type, const char *fn)
{
	struct umn_object *o = umn_object_from_handle(h, type);

	if (!o)
		umn_log(UMN_LOG_ERR, "%s: %p is not a %s handle", fn, h,
			type == UMN_OBJ_KEY ? "WDFKEY" : "NETCONFIGURATION");
	return (struct umn_regkey *)o;
}

static NTSTATUS query_ulong(struct umn_regkey *k, PCUNICODE_STRING name, bool allow_string,
			    ULONG *value)
{
	char n[256], *end;
	const char *s = NULL;
	uint32_t v;
	unsigned long long parsed;
	int r;

	if (!k || !value || !umn_reg_to_utf8(name, n, sizeof(n)))
		return STATUS_INVALID_PARAMETER;
	r = devreg_get_dword(k->reg, k->subkey, n, &v);
	if (r == 0) {
		*value = v;
		return STATUS_SUCCESS;
	}
	if (!allow_string)
		return r == -ENOENT ? STATUS_OBJECT_NAME_NOT_FOUND : STATUS_OBJECT_TYPE_MISMATCH;
	/* NDIS keywords are often stored as strings of digits. */
	if (devreg_get_sz(k->reg, k->subkey, n, &s) < 0)
		return STATUS_OBJECT_NAME_NOT_FOUND;
	parsed = strtoull(s, &end, 0);
	if (!*s || *end || parsed > UINT32_MAX)
		return STATUS_OBJECT_TYPE_MISMATCH;
	*value = (ULONG)parsed;
	return STATUS_SUCCESS;
}

NTSTATUS WdfDeviceOpenRegistryKey(WDFDEVICE Device, ULONG DeviceInstanceKeyType,
				  ACCESS_MASK DesiredAccess, PWDF_OBJECT_ATTRIBUTES KeyAttributes,
				  WDFKEY *Key)
{
	struct umn_device *dev =
	    (struct umn_device *)umn_object_from_handle(Device, UMN_OBJ_DEVICE);
	struct umn_regkey *k;
	NTSTATUS st;

	(void)DesiredAccess;
	if (!dev || !Key)
		return STATUS_INVALID_PARAMETER;
	if (!(DeviceInstanceKeyType & (PLUGPLAY_REGKEY_DEVICE | PLUGPLAY_REGKEY_DRIVER)))
		return STATUS_INVALID_PARAMETER;
	st = umn_regkey_open(dev, UMN_OBJ_KEY, "", KeyAttributes, &dev->obj, &k);
	if (NT_SUCCESS(st))
		*Key = (WDFKEY)umn_object_handle(&k->obj);
	return st;
}

NTSTATUS WdfRegistryOpenKey(WDFKEY ParentKey, PCUNICODE_STRING KeyName, ACCESS_MASK DesiredAccess,
			    PWDF_OBJECT_ATTRIBUTES KeyAttributes, WDFKEY *Key)
{
	struct umn_regkey *p = umn_regkey_from(ParentKey, UMN_OBJ_KEY, "WdfRegistryOpenKey"), *k;
	struct umn_object *o;
	char name[128];
	NTSTATUS st;

	(void)DesiredAccess;
	if (!Key)
		return STATUS_INVALID_PARAMETER;
	if (!p)
		return STATUS_OBJECT_NAME_NOT_FOUND; /* absolute registry paths do not exist here */
	if (!umn_reg_to_utf8(KeyName, name, sizeof(name)))
		return STATUS_INVALID_PARAMETER;
	/* A subkey of a key that owns its store must not outlive that key. */
	st = umn_object_create(UMN_OBJ_KEY, sizeof(*k), KeyAttributes,
			       p->owns_reg ? &p->obj : umn_object_parent(&p->obj), NULL, &o);
	if (!NT_SUCCESS(st))
		return st;
	k = (struct umn_regkey *)o;
	k->reg = p->reg;
	if (strlen(p->subkey) + strlen(name) + 2 > sizeof(k->subkey)) {
		umn_object_delete(o);
		return STATUS_OBJECT_NAME_INVALID;
	}
	snprintf(k->subkey, sizeof(k->subkey), "%.380s%s%.127s", p->subkey,
		 p->subkey[0] ? "\\" : "", name);
	*Key = (WDFKEY)umn_object_handle(o);
	return STATUS_SUCCESS;
}

VOID WdfRegistryClose(WDFKEY Key)
{
	struct umn_regkey *k = umn_regkey_from(Key, UMN_OBJ_KEY, "WdfRegistryClose");

	if (k)
		umn_object_delete(&k->obj);
}

NTSTATUS WdfRegistryQueryULong(WDFKEY Key, PCUNICODE_STRING ValueName, PULONG Value)
{
	return query_ulong(umn_regkey_from(Key, UMN_OBJ_KEY, "WdfRegistryQueryULong"), ValueName,
			   false, Value);
}

NTSTATUS WdfRegistryQueryValue(WDFKEY Key, PCUNICODE_STRING ValueName, ULONG ValueLength,
			       PVOID Value, PULONG ValueLengthQueried, PULONG ValueType)
{
	struct umn_regkey *k = umn_regkey_from(Key, UMN_OBJ_KEY, "WdfRegistryQueryValue");
	const struct devreg_entry *e = NULL;
	char n[256];

	if (!k || !umn_reg_to_utf8(ValueName, n, sizeof(n)))
		return STATUS_INVALID_PARAMETER;
	if (devreg_get(k->reg, k->subkey, n, &e) < 0 || !e)
		return STATUS_OBJECT_NAME_NOT_FOUND;
	if (ValueLengthQueried)
		*ValueLengthQueried = (ULONG)e->len;
	if (ValueType)
		*ValueType = e->type;
	if (!Value || ValueLength < e->len)
		return STATUS_BUFFER_OVERFLOW;
	memcpy(Value, e->data, e->len);
	return STATUS_SUCCESS;
}

NTSTATUS WdfRegistryAssignULong(WDFKEY Key, PCUNICODE_STRING ValueName, ULONG Value)
{
	struct umn_regkey *k = umn_regkey_from(Key, UMN_OBJ_KEY, "WdfRegistryAssignULong");
	char n[256];

	if (!k || !umn_reg_to_utf8(ValueName, n, sizeof(n)))
		return STATUS_INVALID_PARAMETER;
	return devreg_set_dword(k->reg, k->subkey, n, Value) < 0 ? STATUS_INSUFFICIENT_RESOURCES
								 : STATUS_SUCCESS;
}

static NTSTATUS open_configuration(struct umn_device *dev, struct umn_object *parent,
				   PWDF_OBJECT_ATTRIBUTES attrs, NETCONFIGURATION *ret)
{
	struct umn_regkey *k;
	NTSTATUS st;

	if (!ret)
		return STATUS_INVALID_PARAMETER;
	st = umn_regkey_open(dev, UMN_OBJ_CONFIGURATION, "", attrs, parent, &k);
	if (NT_SUCCESS(st))
		*ret = (NETCONFIGURATION)umn_object_handle(&k->obj);
	return st;
}

NTSTATUS NetAdapterOpenConfiguration(NETADAPTER Adapter,
				     PWDF_OBJECT_ATTRIBUTES ConfigurationAttributes,
				     NETCONFIGURATION *Configuration)
{
	struct umn_adapter *a =
	    (struct umn_adapter *)umn_object_from_handle(Adapter, UMN_OBJ_ADAPTER);

	if (!a)
		return STATUS_INVALID_PARAMETER;
	return open_configuration(a->device, &a->obj, ConfigurationAttributes, Configuration);
}

NTSTATUS NetDeviceOpenConfiguration(WDFDEVICE Device,
				    PWDF_OBJECT_ATTRIBUTES ConfigurationAttributes,
				    NETCONFIGURATION *Configuration)
{
	struct umn_device *dev =
	    (struct umn_device *)umn_object_from_handle(Device, UMN_OBJ_DEVICE);

	if (!dev)
		return STATUS_INVALID_PARAMETER;
	return open_configuration(dev, &dev->obj, ConfigurationAttributes, Configuration);
}

void NetConfigurationClose(NETCONFIGURATION Configuration)
{
	struct umn_regkey *k =
	    umn_regkey_from(Configuration, UMN_OBJ_CONFIGURATION, "NetConfigurationClose");

	if (k)
		umn_object_delete(&k->obj);
}

NTSTATUS NetConfigurationQueryUlong(NETCONFIGURATION Configuration,
				    NET_CONFIGURATION_QUERY_ULONG_FLAGS Flags,
				    PCUNICODE_STRING ValueName, ULONG *Value)
{
	(void)Flags;
	return query_ulong(
	    umn_regkey_from(Configuration, UMN_OBJ_CONFIGURATION, "NetConfigurationQueryUlong"),
	    ValueName, true, Value);
}

NTSTATUS NetConfigurationAssignUlong(NETCONFIGURATION Configuration, PCUNICODE_STRING ValueName,
				     ULONG Value)
{
	struct umn_regkey *k =
	    umn_regkey_from(Configuration, UMN_OBJ_CONFIGURATION, "NetConfigurationAssignUlong");
	char n[256];

	if (!k || !umn_reg_to_utf8(ValueName, n, sizeof(n)))
		return STATUS_INVALID_PARAMETER;
	return devreg_set_dword(k->reg, k->subkey, n, Value) < 0 ? STATUS_INSUFFICIENT_RESOURCES
								 : STATUS_SUCCESS;
}

NTSTATUS NetConfigurationQueryLinkLayerAddress(NETCONFIGURATION Configuration,
					       NET_ADAPTER_LINK_LAYER_ADDRESS *LinkLayerAddress)
{
	struct umn_regkey *k = umn_regkey_from(Configuration, UMN_OBJ_CONFIGURATION,
					       "NetConfigurationQueryLinkLayerAddress");
	const char *s = NULL;
	size_t n = 0;

	if (!k || !LinkLayerAddress)
		return STATUS_INVALID_PARAMETER;
	if (devreg_get_sz(k->reg, k->subkey, "NetworkAddress", &s) < 0)
		return STATUS_NOT_FOUND;
	memset(LinkLayerAddress, 0, sizeof(*LinkLayerAddress));
	for (const char *p = s; *p && n < sizeof(LinkLayerAddress->Address);) {
		unsigned v;
		if (*p == '-' || *p == ':') {
			p++;
			continue;
		}
		if (sscanf(p, "%2x", &v) != 1 || !p[1])
			return STATUS_NOT_FOUND;
		LinkLayerAddress->Address[n++] = (UCHAR)v;
		p += 2;
	}
	if (n != 6)
		return STATUS_NOT_FOUND;
	LinkLayerAddress->Length = 6;
	return STATUS_SUCCESS;
}
