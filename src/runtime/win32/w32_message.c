// SPDX-License-Identifier: MIT
/*
 * FormatMessage: message texts for Win32 errors, HRESULTs and NTSTATUS
 * codes (the texts are umnic's own, one line each), and strings passed in.
 * Inserts (%1...) are not expanded: a source string with inserts needs
 * FORMAT_MESSAGE_IGNORE_INSERTS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/win32/w32_int.h"

const char *umn_rt_status_name(NTSTATUS status);

static const struct {
	DWORD code;
	const char *text;
} win32_texts[] = {
    {ERROR_SUCCESS, "The operation succeeded."},
    {ERROR_INVALID_FUNCTION, "The function is not valid here."},
    {ERROR_FILE_NOT_FOUND, "No such file."},
    {ERROR_PATH_NOT_FOUND, "No such path."},
    {ERROR_ACCESS_DENIED, "Access was denied."},
    {ERROR_INVALID_HANDLE, "The handle is not valid."},
    {ERROR_NOT_ENOUGH_MEMORY, "There is not enough memory."},
    {ERROR_BAD_FORMAT, "The format is not valid."},
    {ERROR_INVALID_DATA, "The data is not valid."},
    {ERROR_OUTOFMEMORY, "There is not enough memory."},
    {ERROR_NOT_READY, "The device is not ready."},
    {ERROR_BAD_LENGTH, "The length is not valid."},
    {ERROR_GEN_FAILURE, "The device does not work."},
    {ERROR_HANDLE_EOF, "The end of the data was reached."},
    {ERROR_NOT_SUPPORTED, "The request is not supported."},
    {ERROR_INVALID_PARAMETER, "A parameter is not valid."},
    {ERROR_DISK_FULL, "The disk is full."},
    {ERROR_CALL_NOT_IMPLEMENTED, "The function is not implemented."},
    {ERROR_INSUFFICIENT_BUFFER, "The buffer is too small."},
    {ERROR_INVALID_NAME, "The name is not valid."},
    {ERROR_MOD_NOT_FOUND, "No such module."},
    {ERROR_PROC_NOT_FOUND, "No such procedure."},
    {ERROR_ALREADY_EXISTS, "The object already exists."},
    {ERROR_MORE_DATA, "More data is available."},
    {WAIT_TIMEOUT, "The wait timed out."},
    {ERROR_NO_MORE_ITEMS, "There are no more items."},
    {ERROR_NOT_OWNER, "The caller does not own the mutex."},
    {ERROR_TOO_MANY_POSTS, "The semaphore cannot be released that many times."},
    {ERROR_MR_MID_NOT_FOUND, "There is no text for this message number."},
    {ERROR_INVALID_ADDRESS, "The address is not valid."},
    {ERROR_ARITHMETIC_OVERFLOW, "An arithmetic result overflowed."},
    {ERROR_UNHANDLED_EXCEPTION, "An exception was not handled."},
    {ERROR_ASSERTION_FAILURE, "An assertion failed."},
    {ERROR_OPERATION_ABORTED, "The operation was aborted."},
    {ERROR_IO_PENDING, "The operation is in progress."},
    {ERROR_NO_UNICODE_TRANSLATION, "A character has no Unicode equivalent."},
    {ERROR_NOT_FOUND, "The element was not found."},
    {ERROR_CANCELLED, "The operation was cancelled."},
    {ERROR_INTERNAL_ERROR, "An internal error occurred."},
    {ERROR_TIMEOUT, "The operation timed out."},
    {ERROR_INVALID_STATE, "The object is not in a state that allows this."},
};

static const struct {
	DWORD hr;
	const char *text;
} hresult_texts[] = {
    {0x80004001u, "Not implemented."},
    {0x80004002u, "The interface is not supported."},
    {0x80004003u, "A pointer is not valid."},
    {0x80004004u, "The operation was aborted."},
    {0x80004005u, "The operation failed."},
    {0x8000000Bu, "The index is out of range."},
    {0x8000FFFFu, "An unexpected failure occurred."},
};

/* The text for a code, in buf; false if umnic has none. */
static bool system_text(DWORD id, char *buf, size_t cap)
{
	size_t i;

	/* An HRESULT that carries a Win32 error has that error's text. */
	if ((id & 0xFFFF0000u) == 0x80070000u)
		id &= 0xFFFFu;
	for (i = 0; i < sizeof(win32_texts) / sizeof(win32_texts[0]); i++)
		if (win32_texts[i].code == id) {
			snprintf(buf, cap, "%s", win32_texts[i].text);
			return true;
		}
	for (i = 0; i < sizeof(hresult_texts) / sizeof(hresult_texts[0]); i++)
		if (hresult_texts[i].hr == id) {
			snprintf(buf, cap, "%s", hresult_texts[i].text);
			return true;
		}
	/* An NTSTATUS, or one carried in an HRESULT: its name. */
	if (id & 0xC0000000u) {
		const char *name = umn_rt_status_name((NTSTATUS)(id & ~(DWORD)FACILITY_NT_BIT));

		if (name) {
			snprintf(buf, cap, "The operation ended with %s.", name);
			return true;
		}
	}
	return false;
}

#define FM_KNOWN                                                                                   \
	(FORMAT_MESSAGE_MAX_WIDTH_MASK | FORMAT_MESSAGE_ALLOCATE_BUFFER |                          \
	 FORMAT_MESSAGE_IGNORE_INSERTS | FORMAT_MESSAGE_FROM_STRING |                              \
	 FORMAT_MESSAGE_FROM_HMODULE | FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_ARGUMENT_ARRAY)

/*
 * The message as UTF-8 (malloc'ed) from the flags, or NULL with the last
 * error set. src8 is the source string already in UTF-8 for FROM_STRING.
 */
static char *message(DWORD flags, const char *src8, DWORD id)
{
	char text[512];

	if ((flags & ~(DWORD)FM_KNOWN) ||
	    !!(flags & FORMAT_MESSAGE_FROM_STRING) +
		    !!(flags & (FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_FROM_HMODULE)) !=
		1) {
		SetLastError(ERROR_INVALID_PARAMETER);
		return NULL;
	}
	if (flags & FORMAT_MESSAGE_FROM_STRING) {
		if (!src8) {
			SetLastError(ERROR_INVALID_PARAMETER);
			return NULL;
		}
		if (!(flags & FORMAT_MESSAGE_IGNORE_INSERTS))
			for (const char *p = src8; (p = strchr(p, '%')); p++)
				if (p[1] >= '1' && p[1] <= '9') {
					/* Inserts read arguments umnic does not interpret. */
					SetLastError(ERROR_INVALID_PARAMETER);
					return NULL;
				}
		return strdup(src8);
	}
	/* Modules carry no message tables here: FROM_HMODULE alone finds nothing. */
	if (!(flags & FORMAT_MESSAGE_FROM_SYSTEM) || !system_text(id, text, sizeof(text) - 2)) {
		SetLastError(ERROR_MR_MID_NOT_FOUND);
		return NULL;
	}
	/* Windows' texts end with a line break unless a maximum width is given. */
	if (!(flags & FORMAT_MESSAGE_MAX_WIDTH_MASK))
		strcat(text, "\r\n");
	return strdup(text);
}

DWORD FormatMessageA(DWORD dwFlags, LPCVOID lpSource, DWORD dwMessageId, DWORD dwLanguageId,
		     LPSTR lpBuffer, DWORD nSize, va_list *Arguments)
{
	char *m;
	size_t n;

	(void)dwLanguageId, (void)Arguments;
	if (!lpBuffer) {
		SetLastError(ERROR_INVALID_PARAMETER);
		return 0;
	}
	m = message(dwFlags, (dwFlags & FORMAT_MESSAGE_FROM_STRING) ? (const char *)lpSource : NULL,
		    dwMessageId);
	if (!m)
		return 0;
	n = strlen(m);
	if (dwFlags & FORMAT_MESSAGE_ALLOCATE_BUFFER) {
		char *out = LocalAlloc(LMEM_FIXED, (n + 1 > nSize ? n + 1 : nSize));

		if (!out) {
			free(m);
			return 0;
		}
		memcpy(out, m, n + 1);
		*(LPSTR *)lpBuffer = out;
	} else if (n + 1 > nSize) {
		free(m);
		SetLastError(ERROR_INSUFFICIENT_BUFFER);
		return 0;
	} else {
		memcpy(lpBuffer, m, n + 1);
	}
	free(m);
	return (DWORD)n;
}

DWORD FormatMessageW(DWORD dwFlags, LPCVOID lpSource, DWORD dwMessageId, DWORD dwLanguageId,
		     LPWSTR lpBuffer, DWORD nSize, va_list *Arguments)
{
	char *src8 = NULL, *m;
	int n;

	(void)dwLanguageId, (void)Arguments;
	if (!lpBuffer) {
		SetLastError(ERROR_INVALID_PARAMETER);
		return 0;
	}
	if ((dwFlags & FORMAT_MESSAGE_FROM_STRING) && lpSource) {
		int len = WideCharToMultiByte(CP_UTF8, 0, lpSource, -1, NULL, 0, NULL, NULL);

		src8 = len > 0 ? malloc((size_t)len) : NULL;
		if (!src8 ||
		    !WideCharToMultiByte(CP_UTF8, 0, lpSource, -1, src8, len, NULL, NULL)) {
			free(src8);
			SetLastError(src8 ? ERROR_INVALID_PARAMETER : ERROR_NOT_ENOUGH_MEMORY);
			return 0;
		}
	}
	m = message(dwFlags, src8, dwMessageId);
	free(src8);
	if (!m)
		return 0;
	n = MultiByteToWideChar(CP_UTF8, 0, m, -1, NULL, 0); /* with the terminator */
	if (dwFlags & FORMAT_MESSAGE_ALLOCATE_BUFFER) {
		size_t cch = (size_t)n > nSize ? (size_t)n : nSize;
		WCHAR *out = LocalAlloc(LMEM_FIXED, cch * sizeof(WCHAR));

		if (!out) {
			free(m);
			return 0;
		}
		MultiByteToWideChar(CP_UTF8, 0, m, -1, out, (int)cch);
		*(LPWSTR *)lpBuffer = out;
	} else if ((DWORD)n > nSize) {
		free(m);
		SetLastError(ERROR_INSUFFICIENT_BUFFER);
		return 0;
	} else {
		MultiByteToWideChar(CP_UTF8, 0, m, -1, lpBuffer, (int)nSize);
	}
	free(m);
	return (DWORD)n - 1;
}
