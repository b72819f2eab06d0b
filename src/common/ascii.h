/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Locale-independent ASCII helpers: case folding and hexadecimal digits. Windows compares INF
 * section names, keys and registry names case-insensitively; we fold ASCII only, so the result
 * never depends on setlocale().
 */

#include <stddef.h>
#include <stdint.h>

static inline unsigned char ascii_tolower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + ('a' - 'A')) : c;
}

/* The value of the hexadecimal digit c (either case), or -1 if c is not one. */
static inline int ascii_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static inline int ascii_casecmp(const char *a, const char *b)
{
	const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;

	for (;; x++, y++) {
		int d = ascii_tolower(*x) - ascii_tolower(*y);
		if (d != 0 || *x == 0)
			return d;
	}
}

static inline int ascii_ncasecmp(const char *a, const char *b, size_t n)
{
	const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;

	for (; n > 0; x++, y++, n--) {
		int d = ascii_tolower(*x) - ascii_tolower(*y);
		if (d != 0 || *x == 0)
			return d;
	}
	return 0;
}

/* FNV-1a over the case-folded bytes, for case-insensitive hash tables. */
static inline uint64_t ascii_casehash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		h ^= ascii_tolower(*p);
		h *= 0x100000001b3ull;
	}
	return h;
}
