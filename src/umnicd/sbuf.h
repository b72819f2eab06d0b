/* SPDX-License-Identifier: MIT */
/* A growing text buffer for umnicd's replies, and the one JSON string escaper they all use. */
#ifndef UMNIC_UMNICD_SBUF_H
#define UMNIC_UMNICD_SBUF_H

#include <stdbool.h>
#include <stddef.h>

struct sbuf {
	char *p;
	size_t len, cap;
	bool oom; /* an append failed: the text is cut short */
};

/* Appends formatted text; on allocation failure sets b->oom and keeps what it had. */
void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * Appends s as a JSON string literal. s is any text, a driver's or a user's:
 * quotes, backslashes and control characters are escaped, and bytes that are
 * not UTF-8 become U+FFFD, so the result always parses.
 */
void sb_json_str(struct sbuf *b, const char *s);
/* Gives up the text (never NULL unless out of memory); b is empty afterwards. */
char *sb_take(struct sbuf *b);

#endif
