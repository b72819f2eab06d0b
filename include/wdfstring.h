/* SPDX-License-Identifier: MIT */
/* WDFSTRING: a counted WCHAR string owned by the framework. */
#ifndef UMNIC_WDFSTRING_H
#define UMNIC_WDFSTRING_H

#include <wdfobject.h>

UMNIC_EXTERN_C_BEGIN

/*
 * Creates a string object holding a copy of UnicodeString (NULL: empty).
 * Parent: the driver unless StringAttributes say otherwise.
 * STATUS_INVALID_PARAMETER, STATUS_INSUFFICIENT_RESOURCES.
 */
NTSTATUS WdfStringCreate(PCUNICODE_STRING UnicodeString, PWDF_OBJECT_ATTRIBUTES StringAttributes,
			 WDFSTRING *String);

/*
 * Describes the object's string in *UnicodeString. The buffer is owned by the
 * string object and stays valid until it is deleted or assigned again; it is
 * NUL-terminated although Length does not count the terminator.
 */
VOID WdfStringGetUnicodeString(WDFSTRING String, PUNICODE_STRING UnicodeString);

UMNIC_EXTERN_C_END

#endif
