/* SPDX-License-Identifier: MIT */
/*
 * The kernel-mode flavour of <strsafe.h>: the same bounded string functions
 * named RtlString*, returning NTSTATUS (STATUS_BUFFER_OVERFLOW when the
 * result was truncated, STATUS_INVALID_PARAMETER for a bad argument), and
 * the UNICODE_STRING helpers.
 */
#ifndef UMNIC_NTSTRSAFE_H
#define UMNIC_NTSTRSAFE_H

#include <strsafe.h>

UMNIC_EXTERN_C_BEGIN

#define NTSTRSAFE_MAX_CCH STRSAFE_MAX_CCH
#define NTSTRSAFE_UNICODE_STRING_MAX_CCH (0xffff / sizeof(WCHAR))

FORCEINLINE NTSTATUS umnic_nt(int r)
{
	return r == 0 ? STATUS_SUCCESS : r > 0 ? STATUS_BUFFER_OVERFLOW : STATUS_INVALID_PARAMETER;
}

FORCEINLINE NTSTATUS RtlStringCchCopyA(char *d, size_t cch, const char *s)
{
	return umnic_nt(umnic_cpy_a(d, cch, s, SIZE_MAX));
}
FORCEINLINE NTSTATUS RtlStringCchCopyW(WCHAR *d, size_t cch, const WCHAR *s)
{
	return umnic_nt(umnic_cpy_w(d, cch, s, SIZE_MAX));
}
FORCEINLINE NTSTATUS RtlStringCbCopyA(char *d, size_t cb, const char *s)
{
	return umnic_nt(umnic_cpy_a(d, cb, s, SIZE_MAX));
}
FORCEINLINE NTSTATUS RtlStringCbCopyW(WCHAR *d, size_t cb, const WCHAR *s)
{
	return umnic_nt(umnic_cpy_w(d, cb / sizeof(WCHAR), s, SIZE_MAX));
}
FORCEINLINE NTSTATUS RtlStringCchCopyNA(char *d, size_t cch, const char *s, size_t n)
{
	return umnic_nt(umnic_cpy_a(d, cch, s, n));
}
FORCEINLINE NTSTATUS RtlStringCchCopyNW(WCHAR *d, size_t cch, const WCHAR *s, size_t n)
{
	return umnic_nt(umnic_cpy_w(d, cch, s, n));
}
FORCEINLINE NTSTATUS RtlStringCchCatA(char *d, size_t cch, const char *s)
{
	return umnic_nt(umnic_cat_a(d, cch, s, SIZE_MAX));
}
FORCEINLINE NTSTATUS RtlStringCchCatW(WCHAR *d, size_t cch, const WCHAR *s)
{
	return umnic_nt(umnic_cat_w(d, cch, s, SIZE_MAX));
}
FORCEINLINE NTSTATUS RtlStringCbCatA(char *d, size_t cb, const char *s)
{
	return umnic_nt(umnic_cat_a(d, cb, s, SIZE_MAX));
}
FORCEINLINE NTSTATUS RtlStringCbCatW(WCHAR *d, size_t cb, const WCHAR *s)
{
	return umnic_nt(umnic_cat_w(d, cb / sizeof(WCHAR), s, SIZE_MAX));
}
FORCEINLINE NTSTATUS RtlStringCchLengthA(const char *s, size_t max, size_t *len)
{
	return umnic_nt(umnic_len_a(s, max, len));
}
FORCEINLINE NTSTATUS RtlStringCchLengthW(const WCHAR *s, size_t max, size_t *len)
{
	return umnic_nt(umnic_len_w(s, max, len));
}
FORCEINLINE NTSTATUS RtlStringCbLengthW(const WCHAR *s, size_t max, size_t *len)
{
	size_t n = 0;
	int r = umnic_len_w(s, max / sizeof(WCHAR), &n);

	if (r == 0 && len)
		*len = n * sizeof(WCHAR);
	return umnic_nt(r);
}
FORCEINLINE NTSTATUS RtlStringCchVPrintfA(char *d, size_t cch, const char *fmt, va_list ap)
{
	return umnic_nt(umnic_vprintf_a(d, cch, fmt, ap));
}
FORCEINLINE NTSTATUS RtlStringCchVPrintfW(WCHAR *d, size_t cch, const WCHAR *fmt, va_list ap)
{
	return umnic_nt(umnic_vprintf_w(d, cch, fmt, ap));
}
#define UMNIC_NTSTRSAFE_PRINTF(name, T, div, impl)                                      \
	static inline __attribute__((unused)) NTSTATUS name(T *d, size_t n, const T *fmt, ...) \
	{                                                                               \
		va_list ap;                                                             \
		int r;                                                                  \
		va_start(ap, fmt);                                                      \
		r = impl(d, n / (div), fmt, ap);                                        \
		va_end(ap);                                                             \
		return umnic_nt(r);                                                     \
	}
UMNIC_NTSTRSAFE_PRINTF(RtlStringCchPrintfA, char, 1, umnic_vprintf_a)
UMNIC_NTSTRSAFE_PRINTF(RtlStringCchPrintfW, WCHAR, 1, umnic_vprintf_w)
UMNIC_NTSTRSAFE_PRINTF(RtlStringCbPrintfA, char, 1, umnic_vprintf_a)
UMNIC_NTSTRSAFE_PRINTF(RtlStringCbPrintfW, WCHAR, sizeof(WCHAR), umnic_vprintf_w)

/* Describes Source (NULL: empty) in Dest; STATUS_INVALID_PARAMETER if it is too long. */
FORCEINLINE NTSTATUS RtlUnicodeStringInit(PUNICODE_STRING Dest, PCWSTR Source)
{
	size_t n = Source ? wcslen(Source) : 0;

	if (!Dest || n > NTSTRSAFE_UNICODE_STRING_MAX_CCH - 1)
		return STATUS_INVALID_PARAMETER;
	Dest->Length = (USHORT)(n * sizeof(WCHAR));
	Dest->MaximumLength = Source ? (USHORT)(Dest->Length + sizeof(WCHAR)) : 0;
	Dest->Buffer = (PWSTR)Source;
	return STATUS_SUCCESS;
}

/* Copies Source into Dest's buffer (not terminated); STATUS_BUFFER_OVERFLOW when truncated. */
FORCEINLINE NTSTATUS RtlUnicodeStringCopyString(PUNICODE_STRING Dest, PCWSTR Source)
{
	size_t n, room;

	if (!Dest || !Source || (Dest->MaximumLength && !Dest->Buffer))
		return STATUS_INVALID_PARAMETER;
	n = wcslen(Source);
	room = Dest->MaximumLength / sizeof(WCHAR);
	if (n > room) {
		memcpy(Dest->Buffer, Source, room * sizeof(WCHAR));
		Dest->Length = (USHORT)(room * sizeof(WCHAR));
		return STATUS_BUFFER_OVERFLOW;
	}
	memcpy(Dest->Buffer, Source, n * sizeof(WCHAR));
	Dest->Length = (USHORT)(n * sizeof(WCHAR));
	return STATUS_SUCCESS;
}

FORCEINLINE NTSTATUS RtlUnicodeStringCopy(PUNICODE_STRING Dest, PCUNICODE_STRING Source)
{
	size_t n;

	if (!Dest || !Source || (Dest->MaximumLength && !Dest->Buffer))
		return STATUS_INVALID_PARAMETER;
	n = Source->Length;
	if (n > Dest->MaximumLength) {
		memcpy(Dest->Buffer, Source->Buffer, Dest->MaximumLength & ~1u);
		Dest->Length = (USHORT)(Dest->MaximumLength & ~1u);
		return STATUS_BUFFER_OVERFLOW;
	}
	if (n)
		memcpy(Dest->Buffer, Source->Buffer, n);
	Dest->Length = (USHORT)n;
	return STATUS_SUCCESS;
}

UMNIC_EXTERN_C_END

#endif
