/* SPDX-License-Identifier: MIT */
/*
 * The Microsoft C runtime's bounded copies and counting printf that
 * Windows sources call next to the standard ones: memcpy_s, memmove_s,
 * _vsnprintf(_s), _vscprintf, _vscwprintf. printf-style formats follow the
 * Windows rules (umnic_format_ms in <strsafe.h>). <windows.h> brings them.
 *
 * An invalid argument returns its errno value (EINVAL, ERANGE: the same
 * numbers on both systems) after clearing the destination, as the C
 * runtime does when its invalid-parameter handler returns.
 */
#ifndef UMNIC_CORECRT_MS_H
#define UMNIC_CORECRT_MS_H
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <strsafe.h>

UMNIC_EXTERN_C_BEGIN

typedef int errno_t;
#define _TRUNCATE ((size_t)-1)

FORCEINLINE errno_t memcpy_s(void *dest, size_t destsz, const void *src, size_t count)
{
	if (count == 0)
		return 0;
	if (!dest)
		return EINVAL;
	if (!src || destsz < count) {
		memset(dest, 0, destsz);
		return src ? ERANGE : EINVAL;
	}
	memcpy(dest, src, count);
	return 0;
}

FORCEINLINE errno_t memmove_s(void *dest, size_t destsz, const void *src, size_t count)
{
	if (count == 0)
		return 0;
	if (!dest || !src)
		return EINVAL;
	if (destsz < count)
		return ERANGE;
	memmove(dest, src, count);
	return 0;
}

/* The characters the text needs, without the terminator; -1 for a format it cannot print. */
FORCEINLINE int _vscprintf(const char *format, va_list ap)
{
	return format ? umnic_format_ms(NULL, 0, format, 0, ap) : -1;
}

FORCEINLINE int _vscwprintf(const wchar_t *format, va_list ap)
{
	return format ? umnic_format_ms_w(NULL, 0, format, ap) : -1;
}

/*
 * At most count characters; terminated only when the text is shorter. The
 * length written, or -1 when the text did not fit (or the format is bad).
 */
FORCEINLINE int _vsnprintf(char *buffer, size_t count, const char *format, va_list ap)
{
	int n;

	if (!format || (!buffer && count))
		return -1;
	n = umnic_format_ms(buffer, count, format, 0, ap);
	if (n < 0)
		return -1;
	if ((size_t)n < count)
		return n;
	if (count) {
		/* umnic_format_ms terminated at count - 1; Windows fills all count characters. */
		va_list again;
		char *full = (char *)__builtin_alloca((size_t)n + 1);

		va_copy(again, ap);
		umnic_format_ms(full, (size_t)n + 1, format, 0, again);
		va_end(again);
		memcpy(buffer, full, count);
	}
	return (size_t)n == count ? n : -1;
}

/*
 * Writes at most count characters (_TRUNCATE: as many as fit) into size
 * bytes, always terminated. -1 when the text was cut, which with a count
 * other than _TRUNCATE also empties the buffer and is EINVAL/ERANGE.
 */
FORCEINLINE int _vsnprintf_s(char *buffer, size_t size, size_t count, const char *format,
			     va_list ap)
{
	size_t cap;
	int n;

	if (!buffer || size == 0 || !format) {
		errno = EINVAL;
		return -1;
	}
	cap = count == _TRUNCATE || count >= size ? size : count + 1;
	n = umnic_format_ms(buffer, cap, format, 0, ap);
	if (n >= 0 && (size_t)n < cap)
		return n;
	if (n < 0 || count != _TRUNCATE) {
		buffer[0] = 0;
		errno = n < 0 ? EINVAL : ERANGE;
	}
	return -1;
}

UMNIC_EXTERN_C_END

#endif
