/* SPDX-License-Identifier: MIT */
/*
 * Registry keys. A umnic device's registry is a small key/value store kept by
 * umnicd (filled from the INF's AddReg HKR lines and from the CLI); these
 * calls read and write it with Windows value types. Strings are WCHAR
 * (wchar_t) in the driver and UTF-8 in the store.
 */
#ifndef UMNIC_WDFREGISTRY_H
#define UMNIC_WDFREGISTRY_H

#include <wdfobject.h>

UMNIC_EXTERN_C_BEGIN

#ifndef REG_NONE
#define REG_NONE 0
#define REG_SZ 1
#define REG_EXPAND_SZ 2
#define REG_BINARY 3
#define REG_DWORD 4
#define REG_DWORD_LITTLE_ENDIAN 4
#define REG_DWORD_BIG_ENDIAN 5
#define REG_MULTI_SZ 7
#define REG_QWORD 11
#define REG_QWORD_LITTLE_ENDIAN 11
#endif

#ifndef KEY_QUERY_VALUE
#define KEY_QUERY_VALUE 0x0001
#define KEY_SET_VALUE 0x0002
#define KEY_CREATE_SUB_KEY 0x0004
#define KEY_ENUMERATE_SUB_KEYS 0x0008
#define KEY_NOTIFY 0x0010
#define KEY_CREATE_LINK 0x0020
/* READ_CONTROL plus the read rights. */
#define KEY_READ 0x00020019
/* READ_CONTROL plus the write rights. */
#define KEY_WRITE 0x00020006
#define KEY_EXECUTE KEY_READ
#define KEY_ALL_ACCESS 0x000F003F
#endif

/*
 * Opens KeyName below ParentKey (NULL: KeyName is an absolute path).
 * STATUS_OBJECT_NAME_NOT_FOUND, STATUS_ACCESS_DENIED, STATUS_INVALID_PARAMETER.
 */
NTSTATUS WdfRegistryOpenKey(WDFKEY ParentKey, PCUNICODE_STRING KeyName, ACCESS_MASK DesiredAccess,
			    PWDF_OBJECT_ATTRIBUTES KeyAttributes, WDFKEY *Key);

/* Closes and deletes the key object. */
VOID WdfRegistryClose(WDFKEY Key);

/* Reads a REG_DWORD. STATUS_OBJECT_NAME_NOT_FOUND, STATUS_OBJECT_TYPE_MISMATCH. */
NTSTATUS WdfRegistryQueryULong(WDFKEY Key, PCUNICODE_STRING ValueName, PULONG Value);

/*
 * Reads any value into Value (ValueLength bytes). ValueLengthQueried and
 * ValueType are optional. STATUS_BUFFER_OVERFLOW with the needed length when
 * Value is too small, STATUS_OBJECT_NAME_NOT_FOUND.
 */
NTSTATUS WdfRegistryQueryValue(WDFKEY Key, PCUNICODE_STRING ValueName, ULONG ValueLength,
			       PVOID Value, PULONG ValueLengthQueried, PULONG ValueType);

/* Reads a REG_SZ or REG_EXPAND_SZ into a string object. */
NTSTATUS WdfRegistryQueryString(WDFKEY Key, PCUNICODE_STRING ValueName, WDFSTRING String);

/*
 * Reads a string value into a caller-provided UNICODE_STRING. ValueByteLength
 * (optional) receives the size needed; STATUS_BUFFER_OVERFLOW if Value is too
 * small. Value may be NULL to ask for the size only.
 */
NTSTATUS WdfRegistryQueryUnicodeString(WDFKEY Key, PCUNICODE_STRING ValueName,
				       PUSHORT ValueByteLength, PUNICODE_STRING Value);

/* Reads a REG_MULTI_SZ, adding one WDFSTRING per element to Collection. */
NTSTATUS WdfRegistryQueryMultiString(WDFKEY Key, PCUNICODE_STRING ValueName,
				     PWDF_OBJECT_ATTRIBUTES StringsAttributes,
				     WDFCOLLECTION Collection);

/* Writes a REG_DWORD (KEY_SET_VALUE needed). */
NTSTATUS WdfRegistryAssignULong(WDFKEY Key, PCUNICODE_STRING ValueName, ULONG Value);

/* Writes a value of any REG_* type. */
NTSTATUS WdfRegistryAssignValue(WDFKEY Key, PCUNICODE_STRING ValueName, ULONG ValueType,
				ULONG ValueLength, PVOID Value);

UMNIC_EXTERN_C_END

#endif
