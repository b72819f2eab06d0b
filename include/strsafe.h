/* SPDX-License-Identifier: MIT */
/*
 * Bounded string copies, concatenation, length and printf with HRESULT
 * results, as user-mode drivers use them. Cch counts characters, Cb bytes;
 * every destination is always NUL-terminated (when it has room for one
 * character). Truncation gives STRSAFE_E_INSUFFICIENT_BUFFER with the
 * truncated text in place. printf follows the Windows rules (see
 * umnic_format_ms).
 */
#ifndef UMNIC_STRSAFE_H
#define UMNIC_STRSAFE_H

#include <stdarg.h>
#include <string.h>
#include <wchar.h>

#include <ntdef.h>
#include <ntstatus.h>

UMNIC_EXTERN_C_BEGIN

#ifndef S_OK
#define S_OK ((HRESULT)0L)
#define S_FALSE ((HRESULT)1L)
#endif
#ifndef SUCCEEDED
#define SUCCEEDED(hr) (((HRESULT)(hr)) >= 0)
#define FAILED(hr) (((HRESULT)(hr)) < 0)
#endif
#define STRSAFE_E_INSUFFICIENT_BUFFER ((HRESULT)0x8007007AL)
#define STRSAFE_E_INVALID_PARAMETER ((HRESULT)0x80070057L)
#define STRSAFE_E_END_OF_FILE ((HRESULT)0x80070026L)
#define STRSAFE_MAX_CCH 2147483647
#define STRSAFE_LIB
#define STRSAFE_NO_DEPRECATE

/*
 * printf with Windows semantics into out (cap bytes, NUL-terminated when cap
 * is not 0): "l" does not widen integers, I64/I32/I prefixes, %Z/%wZ print
 * ANSI_STRING/UNICODE_STRING pointers, and %s/%c take wide arguments when
 * wide_default is nonzero (%hs/%S the other width). Returns the length the
 * full text needs, or -1 for a conversion it does not know (%n included).
 */
int umnic_format_ms(char *out, size_t cap, const char *fmt, int wide_default, va_list ap);
/* The same for a wide format and output; cch in characters. */
int umnic_format_ms_w(WCHAR *out, size_t cch, const WCHAR *fmt, va_list ap);

/* The shared logic, returning 0, 1 (truncated) or -1 (bad argument). */
#define UMNIC_STRSAFE_COPY(T, dst, cch, src, max)                           \
	do {                                                                \
		size_t i_ = 0;                                              \
		if (!(dst) || (cch) == 0 || (cch) > STRSAFE_MAX_CCH)       \
			return -1;                                          \
		if (!(src)) {                                               \
			(dst)[0] = 0;                                       \
			return 0;                                           \
		}                                                           \
		for (; i_ + 1 < (cch) && i_ < (max) && (src)[i_]; i_++)    \
			(dst)[i_] = (src)[i_];                              \
		(dst)[i_] = 0;                                              \
		return (i_ < (max) && (src)[i_]) ? 1 : 0;                  \
	} while (0)

/*
 * Bounded lengths of its own: strnlen and wcsnlen are POSIX 2008, which a
 * driver built with -std=c11 and no feature macro does not see.
 */
FORCEINLINE size_t umnic_nlen_a(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

FORCEINLINE size_t umnic_nlen_w(const WCHAR *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

FORCEINLINE int umnic_cpy_a(char *d, size_t cch, const char *s, size_t max)
{
	UMNIC_STRSAFE_COPY(char, d, cch, s, max);
}

FORCEINLINE int umnic_cpy_w(WCHAR *d, size_t cch, const WCHAR *s, size_t max)
{
	UMNIC_STRSAFE_COPY(WCHAR, d, cch, s, max);
}

FORCEINLINE int umnic_cat_a(char *d, size_t cch, const char *s, size_t max)
{
	size_t n;

	if (!d || cch == 0 || cch > STRSAFE_MAX_CCH)
		return -1;
	n = umnic_nlen_a(d, cch);
	if (n == cch)
		return -1;
	return umnic_cpy_a(d + n, cch - n, s, max);
}

FORCEINLINE int umnic_cat_w(WCHAR *d, size_t cch, const WCHAR *s, size_t max)
{
	size_t n;

	if (!d || cch == 0 || cch > STRSAFE_MAX_CCH)
		return -1;
	n = umnic_nlen_w(d, cch);
	if (n == cch)
		return -1;
	return umnic_cpy_w(d + n, cch - n, s, max);
}

FORCEINLINE int umnic_vprintf_a(char *d, size_t cch, const char *fmt, va_list ap)
{
	int n;

	if (!d || cch == 0 || cch > STRSAFE_MAX_CCH || !fmt)
		return -1;
	n = umnic_format_ms(d, cch, fmt, 0, ap);
	return n < 0 ? -1 : (size_t)n >= cch ? 1 : 0;
}

FORCEINLINE int umnic_vprintf_w(WCHAR *d, size_t cch, const WCHAR *fmt, va_list ap)
{
	int n;

	if (!d || cch == 0 || cch > STRSAFE_MAX_CCH || !fmt)
		return -1;
	n = umnic_format_ms_w(d, cch, fmt, ap);
	return n < 0 ? -1 : (size_t)n >= cch ? 1 : 0;
}

FORCEINLINE int umnic_len_a(const char *s, size_t max, size_t *ret)
{
	size_t n;

	if (!s || max > STRSAFE_MAX_CCH)
		return -1;
	n = umnic_nlen_a(s, max);
	if (n == max)
		return -1;
	if (ret)
		*ret = n;
	return 0;
}

FORCEINLINE int umnic_len_w(const WCHAR *s, size_t max, size_t *ret)
{
	size_t n;

	if (!s || max > STRSAFE_MAX_CCH)
		return -1;
	n = umnic_nlen_w(s, max);
	if (n == max)
		return -1;
	if (ret)
		*ret = n;
	return 0;
}

FORCEINLINE HRESULT umnic_hr(int r)
{
	return r == 0 ? S_OK : r > 0 ? STRSAFE_E_INSUFFICIENT_BUFFER : STRSAFE_E_INVALID_PARAMETER;
}

FORCEINLINE HRESULT StringCchCopyA(char *d, size_t cch, const char *s)
{
	return umnic_hr(umnic_cpy_a(d, cch, s, SIZE_MAX));
}
FORCEINLINE HRESULT StringCchCopyW(WCHAR *d, size_t cch, const WCHAR *s)
{
	return umnic_hr(umnic_cpy_w(d, cch, s, SIZE_MAX));
}
FORCEINLINE HRESULT StringCbCopyA(char *d, size_t cb, const char *s)
{
	return umnic_hr(umnic_cpy_a(d, cb, s, SIZE_MAX));
}
FORCEINLINE HRESULT StringCbCopyW(WCHAR *d, size_t cb, const WCHAR *s)
{
	return umnic_hr(umnic_cpy_w(d, cb / sizeof(WCHAR), s, SIZE_MAX));
}
FORCEINLINE HRESULT StringCchCopyNA(char *d, size_t cch, const char *s, size_t n)
{
	return umnic_hr(umnic_cpy_a(d, cch, s, n));
}
FORCEINLINE HRESULT StringCchCopyNW(WCHAR *d, size_t cch, const WCHAR *s, size_t n)
{
	return umnic_hr(umnic_cpy_w(d, cch, s, n));
}
FORCEINLINE HRESULT StringCbCopyNA(char *d, size_t cb, const char *s, size_t n)
{
	return umnic_hr(umnic_cpy_a(d, cb, s, n));
}
FORCEINLINE HRESULT StringCbCopyNW(WCHAR *d, size_t cb, const WCHAR *s, size_t n)
{
	return umnic_hr(umnic_cpy_w(d, cb / sizeof(WCHAR), s, n / sizeof(WCHAR)));
}
FORCEINLINE HRESULT StringCchCatA(char *d, size_t cch, const char *s)
{
	return umnic_hr(umnic_cat_a(d, cch, s, SIZE_MAX));
}
FORCEINLINE HRESULT StringCchCatW(WCHAR *d, size_t cch, const WCHAR *s)
{
	return umnic_hr(umnic_cat_w(d, cch, s, SIZE_MAX));
}
FORCEINLINE HRESULT StringCbCatA(char *d, size_t cb, const char *s)
{
	return umnic_hr(umnic_cat_a(d, cb, s, SIZE_MAX));
}
FORCEINLINE HRESULT StringCbCatW(WCHAR *d, size_t cb, const WCHAR *s)
{
	return umnic_hr(umnic_cat_w(d, cb / sizeof(WCHAR), s, SIZE_MAX));
}
FORCEINLINE HRESULT StringCchLengthA(const char *s, size_t max, size_t *len)
{
	return umnic_hr(umnic_len_a(s, max, len));
}
FORCEINLINE HRESULT StringCchLengthW(const WCHAR *s, size_t max, size_t *len)
{
	return umnic_hr(umnic_len_w(s, max, len));
}
FORCEINLINE HRESULT StringCbLengthA(const char *s, size_t max, size_t *len)
{
	return umnic_hr(umnic_len_a(s, max, len));
}
FORCEINLINE HRESULT StringCbLengthW(const WCHAR *s, size_t max, size_t *len)
{
	size_t n = 0;
	int r = umnic_len_w(s, max / sizeof(WCHAR), &n);

	if (r == 0 && len)
		*len = n * sizeof(WCHAR);
	return umnic_hr(r);
}
FORCEINLINE HRESULT StringCchVPrintfA(char *d, size_t cch, const char *fmt, va_list ap)
{
	return umnic_hr(umnic_vprintf_a(d, cch, fmt, ap));
}
FORCEINLINE HRESULT StringCchVPrintfW(WCHAR *d, size_t cch, const WCHAR *fmt, va_list ap)
{
	return umnic_hr(umnic_vprintf_w(d, cch, fmt, ap));
}
FORCEINLINE HRESULT StringCbVPrintfA(char *d, size_t cb, const char *fmt, va_list ap)
{
	return umnic_hr(umnic_vprintf_a(d, cb, fmt, ap));
}
FORCEINLINE HRESULT StringCbVPrintfW(WCHAR *d, size_t cb, const WCHAR *fmt, va_list ap)
{
	return umnic_hr(umnic_vprintf_w(d, cb / sizeof(WCHAR), fmt, ap));
}
#define UMNIC_STRSAFE_PRINTF(name, T, div, impl)                                   \
	static inline __attribute__((unused)) HRESULT name(T *d, size_t n, const T *fmt, ...) \
	{                                                                          \
		va_list ap;                                                        \
		int r;                                                             \
		va_start(ap, fmt);                                                 \
		r = impl(d, n / (div), fmt, ap);                                   \
		va_end(ap);                                                        \
		return umnic_hr(r);                                                \
	}
UMNIC_STRSAFE_PRINTF(StringCchPrintfA, char, 1, umnic_vprintf_a)
UMNIC_STRSAFE_PRINTF(StringCchPrintfW, WCHAR, 1, umnic_vprintf_w)
UMNIC_STRSAFE_PRINTF(StringCbPrintfA, char, 1, umnic_vprintf_a)
UMNIC_STRSAFE_PRINTF(StringCbPrintfW, WCHAR, sizeof(WCHAR), umnic_vprintf_w)

/* ---- The Ex forms: where the text ends, what room is left, and what to do on failure ---- */
typedef char *STRSAFE_LPSTR;
typedef const char *STRSAFE_LPCSTR;
typedef WCHAR *STRSAFE_LPWSTR;
typedef const WCHAR *STRSAFE_LPCWSTR;
#define STRSAFE_FILL_BYTE(x) ((unsigned long)(((x) & 0x000000FF) | STRSAFE_FILL_BEHIND_NULL))
#define STRSAFE_IGNORE_NULLS 0x00000100
#define STRSAFE_FILL_BEHIND_NULL 0x00000200
#define STRSAFE_FILL_ON_FAILURE 0x00000400
#define STRSAFE_NULL_ON_FAILURE 0x00000800
#define STRSAFE_NO_TRUNCATION 0x00001000
#define STRSAFE_VALID_FLAGS 0x00001FFF

/*
 * After an operation that returned r (0, 1 truncated, -1 bad argument) on
 * d[cch]: applies the failure flags, then reports the end and the room
 * left. FILL_ON_FAILURE fills the whole buffer with the fill byte and
 * terminates it; NULL_ON_FAILURE (and NO_TRUNCATION for a truncation)
 * leaves an empty string; FILL_BEHIND_NULL fills what follows the text.
 */
#define UMNIC_STRSAFE_EX_FINISH(T, d, cch, r, end, rem, flags)                          \
	do {                                                                              \
		size_t len_ = 0;                                                          \
		if ((d) && (cch) && (cch) <= STRSAFE_MAX_CCH) {                           \
			if ((r) && ((flags) & STRSAFE_FILL_ON_FAILURE)) {                 \
				memset((d), (int)((flags) & 0xff), (cch) * sizeof(T));    \
				(d)[(cch) - 1] = 0;                                       \
			} else if ((r) < 0 && ((flags) & STRSAFE_NULL_ON_FAILURE)) {      \
				(d)[0] = 0;                                               \
			} else if ((r) > 0 &&                                             \
				   ((flags) & (STRSAFE_NULL_ON_FAILURE | STRSAFE_NO_TRUNCATION))) { \
				(d)[0] = 0;                                               \
			}                                                                 \
			while (len_ + 1 < (cch) && (d)[len_])                             \
				len_++;                                                   \
			if (((flags) & STRSAFE_FILL_BEHIND_NULL) && len_ + 1 < (cch))     \
				memset((d) + len_ + 1, (int)((flags) & 0xff),             \
				       ((cch) - len_ - 1) * sizeof(T));                   \
			if (end)                                                          \
				*(end) = (d) + len_;                                      \
			if (rem)                                                          \
				*(rem) = (cch) - len_;                                    \
		}                                                                         \
	} while (0)

#define UMNIC_STRSAFE_EX(sfx, T, cpy, cat, vpr)                                                   \
	FORCEINLINE HRESULT StringCchCopyNEx##sfx(T *d, size_t cch, const T *s, size_t n, T **end,  \
						  size_t *rem, DWORD flags)                      \
	{                                                                                         \
		int r = (flags & ~(DWORD)STRSAFE_VALID_FLAGS) ? -1 : cpy(d, cch, s, n);           \
		UMNIC_STRSAFE_EX_FINISH(T, d, cch, r, end, rem, flags);                           \
		return umnic_hr(r);                                                               \
	}                                                                                         \
	FORCEINLINE HRESULT StringCchCopyEx##sfx(T *d, size_t cch, const T *s, T **end,             \
						 size_t *rem, DWORD flags)                       \
	{                                                                                         \
		return StringCchCopyNEx##sfx(d, cch, s, SIZE_MAX, end, rem, flags);               \
	}                                                                                         \
	FORCEINLINE HRESULT StringCchCatEx##sfx(T *d, size_t cch, const T *s, T **end, size_t *rem, \
						DWORD flags)                                     \
	{                                                                                         \
		int r = (flags & ~(DWORD)STRSAFE_VALID_FLAGS) ? -1 : cat(d, cch, s, SIZE_MAX);    \
		UMNIC_STRSAFE_EX_FINISH(T, d, cch, r, end, rem, flags);                           \
		return umnic_hr(r);                                                               \
	}                                                                                         \
	FORCEINLINE HRESULT StringCchVPrintfEx##sfx(T *d, size_t cch, T **end, size_t *rem,         \
						    DWORD flags, const T *fmt, va_list ap)       \
	{                                                                                         \
		static const T empty_[1] = { 0 };                                                 \
		int r;                                                                            \
		if (!fmt && (flags & STRSAFE_IGNORE_NULLS))                                       \
			fmt = empty_;                                                             \
		r = (flags & ~(DWORD)STRSAFE_VALID_FLAGS) ? -1 : vpr(d, cch, fmt, ap);            \
		UMNIC_STRSAFE_EX_FINISH(T, d, cch, r, end, rem, flags);                           \
		return umnic_hr(r);                                                               \
	}                                                                                         \
	static inline __attribute__((unused)) HRESULT StringCchPrintfEx##sfx(                    \
		T *d, size_t cch, T **end, size_t *rem, DWORD flags, const T *fmt, ...)           \
	{                                                                                         \
		va_list ap;                                                                       \
		HRESULT hr;                                                                       \
		va_start(ap, fmt);                                                                \
		hr = StringCchVPrintfEx##sfx(d, cch, end, rem, flags, fmt, ap);                   \
		va_end(ap);                                                                       \
		return hr;                                                                        \
	}
UMNIC_STRSAFE_EX(A, char, umnic_cpy_a, umnic_cat_a, umnic_vprintf_a)
UMNIC_STRSAFE_EX(W, WCHAR, umnic_cpy_w, umnic_cat_w, umnic_vprintf_w)

#ifdef UNICODE
#define StringCchCopy StringCchCopyW
#define StringCchCopyEx StringCchCopyExW
#define StringCchCopyNEx StringCchCopyNExW
#define StringCchCatEx StringCchCatExW
#define StringCchPrintfEx StringCchPrintfExW
#define StringCchVPrintfEx StringCchVPrintfExW
#define StringCbCopy StringCbCopyW
#define StringCchCopyN StringCchCopyNW
#define StringCbCopyN StringCbCopyNW
#define StringCchCat StringCchCatW
#define StringCbCat StringCbCatW
#define StringCchLength StringCchLengthW
#define StringCbLength StringCbLengthW
#define StringCchPrintf StringCchPrintfW
#define StringCbPrintf StringCbPrintfW
#define StringCchVPrintf StringCchVPrintfW
#define StringCbVPrintf StringCbVPrintfW
#else
#define StringCchCopy StringCchCopyA
#define StringCchCopyEx StringCchCopyExA
#define StringCchCopyNEx StringCchCopyNExA
#define StringCchCatEx StringCchCatExA
#define StringCchPrintfEx StringCchPrintfExA
#define StringCchVPrintfEx StringCchVPrintfExA
#define StringCbCopy StringCbCopyA
#define StringCchCopyN StringCchCopyNA
#define StringCbCopyN StringCbCopyNA
#define StringCchCat StringCchCatA
#define StringCbCat StringCbCatA
#define StringCchLength StringCchLengthA
#define StringCbLength StringCbLengthA
#define StringCchPrintf StringCchPrintfA
#define StringCbPrintf StringCbPrintfA
#define StringCchVPrintf StringCchVPrintfA
#define StringCbVPrintf StringCbVPrintfA
#endif

UMNIC_EXTERN_C_END

#endif
