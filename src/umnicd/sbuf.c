/* SPDX-License-Identifier: MIT */
/*
 * The growing text buffer of sbuf.h, with the JSON string escaping every
 * reply of umnicd uses, so a driver's or client's text cannot break the
 * structure of a status or trace reply.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/utf8.h"
#include "umnicd/sbuf.h"

void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if (b->p && b->len + (size_t)n < b->cap) {
			b->len += (size_t)n;
			return;
		}
		size_t ncap = (b->cap ? b->cap * 2 : 4096) + (size_t)n;
		char *np = realloc(b->p, ncap);
		if (!np) {
			b->oom = true;
			if (b->p)
				b->p[b->len] = '\0';
			return;
		}
		b->p = np;
		b->cap = ncap;
	}
}

void sb_json_str(struct sbuf *b, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t left = strlen(s);

	sb_printf(b, "\"");
	while (left) {
		uint32_t cp;
		size_t n = utf8_decode(u, left, &cp);

		if (!n) {
			/* Not UTF-8 (a driver's bytes): one replacement character per bad byte. */
			sb_printf(b, "\\ufffd");
			u++, left--;
			continue;
		}
		if (cp == '"' || cp == '\\')
			sb_printf(b, "\\%c", (char)cp);
		else if (cp == '\n')
			sb_printf(b, "\\n");
		else if (cp == '\t')
			sb_printf(b, "\\t");
		else if (cp < 0x20 || cp == 0x7f)
			sb_printf(b, "\\u%04x", (unsigned)cp);
		else
			sb_printf(b, "%.*s", (int)n, (const char *)u);
		u += n, left -= n;
	}
	sb_printf(b, "\"");
}

char *sb_take(struct sbuf *b)
{
	char *p = b->p ? b->p : strdup("");

	*b = (struct sbuf){0};
	return p;
}
