/* SPDX-License-Identifier: MIT */
/*
 * Conversions between WCHAR strings and byte strings. A WCHAR here holds a
 * whole code point (wchar_t is 32 bits on Linux) and every code page is
 * UTF-8, the encoding of Linux and of everything umnic passes on: CP_ACP,
 * CP_OEMCP, CP_THREAD_ACP and CP_UTF8 all mean UTF-8; others fail with
 * ERROR_INVALID_PARAMETER.
 *
 * A length of -1 means "up to and including the terminator"; a destination
 * size of 0 asks for the size needed. Returns the characters (bytes)
 * written or needed, or 0 with the last error set: ERROR_INSUFFICIENT_BUFFER,
 * ERROR_INVALID_PARAMETER, or ERROR_NO_UNICODE_TRANSLATION for invalid
 * input with the ERR_INVALID_CHARS flag (without it, U+FFFD replaces it).
 */
#ifndef UMNIC_STRINGAPISET_H
#define UMNIC_STRINGAPISET_H
#include <ntdef.h>
#include <winerror.h>

UMNIC_EXTERN_C_BEGIN

#define CP_ACP 0
#define CP_OEMCP 1
#define CP_THREAD_ACP 3
#define CP_UTF8 65001
#define MB_PRECOMPOSED 0x00000001
#define MB_ERR_INVALID_CHARS 0x00000008
#define WC_ERR_INVALID_CHARS 0x00000080
#define WC_NO_BEST_FIT_CHARS 0x00000400
typedef const CHAR *LPCCH, *PCCH;
typedef const WCHAR *LPCWCH, *PCWCH;

int MultiByteToWideChar(UINT CodePage, DWORD dwFlags, LPCCH lpMultiByteStr, int cbMultiByte,
			LPWSTR lpWideCharStr, int cchWideChar);
/* lpDefaultChar and lpUsedDefaultChar must be NULL for UTF-8, as on Windows. */
int WideCharToMultiByte(UINT CodePage, DWORD dwFlags, LPCWCH lpWideCharStr, int cchWideChar,
			LPSTR lpMultiByteStr, int cbMultiByte, LPCCH lpDefaultChar,
			LPBOOL lpUsedDefaultChar);

UMNIC_EXTERN_C_END

#endif
