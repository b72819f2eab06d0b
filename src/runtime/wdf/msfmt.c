/* SPDX-License-Identifier: MIT */
/*
 * printf with the Windows rules, for DbgPrint, KdPrint and the strsafe
 * functions: LONG and ULONG are 32 bits, so "l" does not widen integers;
 * I64/I32/I size prefixes; in a wide function %s and %c take wide arguments
 * and %hs/%S narrow ones (the other way round in a narrow function); %Z and
 * %wZ print an ANSI_STRING and a UNICODE_STRING. Each conversion is handed
 * to the C library separately with an argument of the right type, so a
 * format the C library reads differently never consumes the wrong bytes.
 * Output is UTF-8; the wide entry point converts back.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <strsafe.h>

#include "common/utf8.h"

struct out {
	char *buf;
	size_t cap;
	size_t len; /* would-be length, may exceed cap */
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->len < o->cap) {
		size_t room = o->cap - o->len;

		memcpy(o->buf + o->len, s, n < room ? n : room);
	}
	o->len += n;
}

/* Appends n copies of c. */
static void put_fill(struct out *o, char c, size_t n)
{
	char run[64];

	memset(run, c, sizeof(run));
	for (; n > sizeof(run); n -= sizeof(run))
		put(o, run, sizeof(run));
	put(o, run, n);
}

/* A number's argument, read once so that it can be formatted more than once. */
struct num {
	enum { N_INT, N_LL, N_ULL, N_SIZE, N_DBL, N_LDBL } kind;
	union {
		int i;
		long long ll;
		unsigned long long ull;
		size_t z;
		double d;
		long double ld;
	} u;
};

/*
 * The per-conversion format is assembled from flags, digits and one known
 * conversion letter, and its argument is read with the matching type.
 */
#pragma GCC diagnostic ignored "-Wformat-nonliteral"

static int format_num(char *buf, size_t cap, const char *flags, int width, const char *rest,
		      const struct num *v)
{
	char spec[48];

	if (width >= 0)
		snprintf(spec, sizeof(spec), "%s%d%s", flags, width, rest);
	else
		snprintf(spec, sizeof(spec), "%s%s", flags, rest);
	switch (v->kind) {
	case N_LL:
		return snprintf(buf, cap, spec, v->u.ll);
	case N_ULL:
		return snprintf(buf, cap, spec, v->u.ull);
	case N_SIZE:
		return snprintf(buf, cap, spec, v->u.z);
	case N_DBL:
		return snprintf(buf, cap, spec, v->u.d);
	case N_LDBL:
		return snprintf(buf, cap, spec, v->u.ld);
	default:
		return snprintf(buf, cap, spec, v->u.i);
	}
}

/*
 * Appends a number formatted as flags, width and rest ("%-0", 12, ".3f")
 * say. A field wider than the scratch buffer ("%1000d") is padded here: the
 * value is formatted without the width, and once in a field one character
 * wider than it, which shows where the padding goes (before, after, or
 * behind a sign or 0x) and with which character. A value that is itself
 * longer than the buffer (a precision of hundreds of digits) is cut to it.
 */
static void put_num(struct out *o, const char *flags, int width, const char *rest,
		    const struct num *v)
{
	char tmp[512], wider[512];
	int n = format_num(tmp, sizeof(tmp), flags, width, rest, v), m;
	size_t at = 0;

	if (n < 0)
		return;
	if ((size_t)n < sizeof(tmp)) {
		put(o, tmp, (size_t)n);
		return;
	}
	m = format_num(tmp, sizeof(tmp), flags, -1, rest, v);
	if (m < 0)
		return;
	if ((size_t)m + 1 >= sizeof(tmp)) {
		put(o, tmp, sizeof(tmp) - 1);
		return;
	}
	if (format_num(wider, sizeof(wider), flags, m + 1, rest, v) != m + 1)
		return;
	while (at < (size_t)m && wider[at] == tmp[at])
		at++;
	put(o, tmp, at);
	put_fill(o, wider[at], (size_t)n - (size_t)m);
	put(o, tmp + at, (size_t)m - at);
}

/* Appends a wide string (at most max characters) as UTF-8. */
static void put_wide(struct out *o, const WCHAR *w, size_t max)
{
	for (size_t i = 0; i < max && w[i]; i++) {
		unsigned char tmp[4];
		size_t k = utf8_encode((uint32_t)w[i] < 0x110000 ? (uint32_t)w[i] : 0xfffd, tmp);

		put(o, (const char *)tmp, k);
	}
}

/* Formats one string argument with width and precision the way %s would. */
static void put_padded(struct out *o, const char *s, int width, int prec, bool left)
{
	size_t n = strlen(s), pad;

	if (prec >= 0 && (size_t)prec < n)
		n = (size_t)prec;
	pad = width > 0 && (size_t)width > n ? (size_t)width - n : 0;
	if (!left)
		put_fill(o, ' ', pad);
	put(o, s, n);
	if (left)
		put_fill(o, ' ', pad);
}

static char *wide_to_utf8(const WCHAR *w, size_t max)
{
	struct out o = {NULL, 0, 0};
	char *s;

	put_wide(&o, w, max);
	s = malloc(o.len + 1);
	if (!s)
		return NULL;
	o = (struct out){s, o.len, 0};
	put_wide(&o, w, max);
	s[o.len] = 0;
	return s;
}

/* Formats fmt, taking its arguments from *argp (which advances past them). */
int umn_format_ms_consume(char *out, size_t cap, const char *fmt, int wide_default, va_list *argp)
{
	struct out o = {out, cap ? cap - 1 : 0, 0};
#define args (*argp)
	for (const char *p = fmt; *p;) {
		char spec[16], precs[16], rest[32], tmp[64];
		int width = -1, prec = -1;
		bool left = false, wide = false, narrow = false;
		enum { L_NONE, L_HH, L_H, L_LL, L_Z, L_J, L_T, L_LD } len = L_NONE;
		size_t sl = 0;

		if (*p != '%') {
			const char *q = strchr(p, '%');
			size_t k = q ? (size_t)(q - p) : strlen(p);

			put(&o, p, k);
			p += k;
			continue;
		}
		if (p[1] == '%') {
			put(&o, "%", 1);
			p += 2;
			continue;
		}
		p++;
		spec[sl++] = '%';
		while (*p && strchr("-+ #0", *p)) {
			if (*p == '-')
				left = true;
			if (sl < 8)
				spec[sl++] = *p;
			p++;
		}
		if (*p == '*') {
			width = va_arg(args, int);
			p++;
		} else if (*p >= '1' && *p <= '9') {
			for (width = 0; *p >= '0' && *p <= '9'; p++)
				width = width * 10 + (*p - '0');
		}
		if (width < -1) {
			/* A negative width from '*' left-justifies, as a '-' flag does. */
			if (!left)
				spec[sl++] = '-';
			left = true;
			width = -width;
		}
		spec[sl] = 0;
		if (*p == '.') {
			p++;
			if (*p == '*') {
				prec = va_arg(args, int);
				p++;
			} else {
				for (prec = 0; *p >= '0' && *p <= '9'; p++)
					prec = prec * 10 + (*p - '0');
			}
		}
		/* Size prefixes; "l" keeps 32-bit integers (LONG is 32 bits on Windows). */
		for (bool more = true; more && *p;) {
			if (p[0] == 'I' && p[1] == '6' && p[2] == '4') {
				len = L_LL;
				p += 3;
			} else if (p[0] == 'I' && p[1] == '3' && p[2] == '2') {
				p += 3;
			} else if (*p == 'I') {
				len = L_Z;
				p++;
			} else if (p[0] == 'l' && p[1] == 'l') {
				len = L_LL;
				p += 2;
			} else if (*p == 'l' || *p == 'w') {
				wide = true;
				p++;
			} else if (p[0] == 'h' && p[1] == 'h') {
				len = L_HH;
				p += 2;
			} else if (*p == 'h') {
				narrow = true;
				len = L_H;
				p++;
			} else if (*p == 'z') {
				len = L_Z;
				p++;
			} else if (*p == 'j') {
				len = L_J;
				p++;
			} else if (*p == 't') {
				len = L_T;
				p++;
			} else if (*p == 'L') {
				len = L_LD;
				p++;
			} else {
				more = false;
			}
		}
		if (prec >= 0)
			snprintf(precs, sizeof(precs), ".%d", prec);
		else
			precs[0] = 0;
		switch (*p) {
		case 'd':
		case 'i':
		case 'u':
		case 'x':
		case 'X':
		case 'o': {
			bool is_signed = *p == 'd' || *p == 'i';
			const char *m = len == L_LL   ? "ll"
					: len == L_Z  ? "z"
					: len == L_J  ? "j"
					: len == L_T  ? "t"
					: len == L_HH ? "hh"
					: len == L_H  ? "h"
						      : "";

			struct num v;

			snprintf(rest, sizeof(rest), "%s%s%c", precs, m, *p);
			if (len == L_LL && is_signed) {
				v.kind = N_LL;
				v.u.ll = va_arg(args, long long);
			} else if (len == L_LL) {
				v.kind = N_ULL;
				v.u.ull = va_arg(args, unsigned long long);
			} else if (len == L_Z || len == L_J || len == L_T) {
				v.kind = N_SIZE;
				v.u.z = va_arg(args, size_t);
			} else {
				v.kind = N_INT;
				v.u.i = va_arg(args, int);
			}
			put_num(&o, spec, width, rest, &v);
			break;
		}
		case 'p':
			snprintf(tmp, sizeof(tmp), "%p", va_arg(args, void *));
			put_padded(&o, tmp, width, -1, left);
			break;
		case 'e':
		case 'E':
		case 'f':
		case 'F':
		case 'g':
		case 'G':
		case 'a':
		case 'A': {
			struct num v;

			snprintf(rest, sizeof(rest), "%s%s%c", precs, len == L_LD ? "L" : "", *p);
			if (len == L_LD) {
				v.kind = N_LDBL;
				v.u.ld = va_arg(args, long double);
			} else {
				v.kind = N_DBL;
				v.u.d = va_arg(args, double);
			}
			put_num(&o, spec, width, rest, &v);
			break;
		}
		case 'c':
		case 'C': {
			/* %C is the opposite width of %c. */
			bool w = wide || (!narrow && ((*p == 'c') == (bool)wide_default));
			WCHAR wc[2] = {(WCHAR)va_arg(args, int), 0};
			char *s;

			if (!w)
				wc[0] = (WCHAR)(unsigned char)wc[0];
			s = wide_to_utf8(wc, 1);
			put_padded(&o, s ? s : "?", width, -1, left);
			free(s);
			break;
		}
		case 's':
		case 'S': {
			bool w = wide || (!narrow && ((*p == 's') == (bool)wide_default));

			if (w) {
				const WCHAR *ws = va_arg(args, const WCHAR *);
				char *s = ws ? wide_to_utf8(ws, prec >= 0 ? (size_t)prec : SIZE_MAX)
					     : NULL;

				put_padded(&o, s ? s : "(null)", width, -1, left);
				free(s);
			} else {
				const char *s = va_arg(args, const char *);

				put_padded(&o, s ? s : "(null)", width, prec, left);
			}
			break;
		}
		case 'Z':
			if (wide) {
				const UNICODE_STRING *u = va_arg(args, const UNICODE_STRING *);
				char *s = u && u->Buffer
					      ? wide_to_utf8(u->Buffer, u->Length / sizeof(WCHAR))
					      : NULL;

				put_padded(&o, s ? s : "(null)", width, prec, left);
				free(s);
			} else {
				const ANSI_STRING *a = va_arg(args, const ANSI_STRING *);

				if (a && a->Buffer)
					put(&o, a->Buffer, a->Length);
				else
					put(&o, "(null)", 6);
			}
			break;
		default:
			/* %n and unknown conversions: refuse rather than guess the argument. */
			if (cap)
				out[0] = 0;
			return -1;
		}
		p++;
	}
	if (cap)
		out[o.len < o.cap ? o.len : o.cap] = 0;
	return o.len > (size_t)INT32_MAX ? -1 : (int)o.len;
#undef args
}

int umnic_format_ms(char *out, size_t cap, const char *fmt, int wide_default, va_list ap)
{
	va_list args;
	int n;

	va_copy(args, ap);
	n = umn_format_ms_consume(out, cap, fmt, wide_default, &args);
	va_end(args);
	return n;
}

int umnic_format_ms_w(WCHAR *out, size_t cch, const WCHAR *fmt, va_list ap)
{
	char *f = wide_to_utf8(fmt, SIZE_MAX), *buf;
	int n;
	va_list args;

	if (!f)
		return -1;
	va_copy(args, ap);
	n = umnic_format_ms(NULL, 0, f, 1, args);
	va_end(args);
	if (n < 0) {
		/* Refused (%n, an unknown conversion): an empty text, as the narrow form leaves. */
		if (cch)
			out[0] = 0;
		free(f);
		return -1;
	}
	buf = malloc((size_t)n + 1);
	if (!buf) {
		free(f);
		return -1;
	}
	va_copy(args, ap);
	umnic_format_ms(buf, (size_t)n + 1, f, 1, args);
	va_end(args);
	free(f);
	/* Back to WCHARs; the count returned is in characters, not bytes. */
	{
		size_t i = 0, w = 0;

		while (i < (size_t)n) {
			uint32_t cp;
			size_t k = utf8_decode((const unsigned char *)buf + i, (size_t)n - i, &cp);

			if (!k) {
				cp = 0xfffd;
				k = 1;
			}
			if (w + 1 < cch)
				out[w] = (WCHAR)cp;
			w++;
			i += k;
		}
		if (cch)
			out[w < cch ? w : cch - 1] = 0;
		free(buf);
		return w > (size_t)INT32_MAX ? -1 : (int)w;
	}
}
