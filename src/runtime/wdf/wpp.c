/* SPDX-License-Identifier: MIT */
/*
 * WPP software tracing (<umnic/wpp.h>): the generated .tmh files turn a
 * driver's trace calls into umn_wpp_trace(). The message is formatted here,
 * in the driver's process, and sent to umnicd with its level and flag.
 *
 * Formatting follows WPP: %!NAME! takes one argument of the type's size and
 * prints it the WPP way (an NTSTATUS by name, ...); %!FUNC!, %!FILE!,
 * %!LINE!, %!LEVEL! and %!FLAGS! take none; everything else is printf with
 * the Windows rules (msfmt.c).
 */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include <strsafe.h>
#include <umnic/wpp.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/utf8.h"
#include "runtime/rt.h"

int umn_format_ms_consume(char *out, size_t cap, const char *fmt, int wide_default, va_list *argp);
const char *umn_rt_status_name(NTSTATUS status);

const struct umn_wpp_control umn_wpp_control_all = {0xff, {0xffffffffu}};

void umn_wpp_init(const char *provider, ...)
{
	umn_log(UMN_LOG_DEBUG, "WPP tracing of %s started", provider ? provider : "(unnamed)");
}

void umn_wpp_cleanup(const char *provider, ...)
{
	umn_log(UMN_LOG_DEBUG, "WPP tracing of %s stopped", provider ? provider : "(unnamed)");
}

static const struct {
	unsigned hr;
	const char *name;
} hresults[] = {
    {0x00000000u, "S_OK"},	    {0x00000001u, "S_FALSE"},	    {0x80004001u, "E_NOTIMPL"},
    {0x80004002u, "E_NOINTERFACE"}, {0x80004003u, "E_POINTER"},	    {0x80004004u, "E_ABORT"},
    {0x80004005u, "E_FAIL"},	    {0x8000FFFFu, "E_UNEXPECTED"},  {0x80070005u, "E_ACCESSDENIED"},
    {0x80070006u, "E_HANDLE"},	    {0x8007000Eu, "E_OUTOFMEMORY"}, {0x80070057u, "E_INVALIDARG"},
};

static const char *level_name(unsigned level)
{
	static const char *const names[] = {"NONE",    "CRITICAL",    "ERROR",
					    "WARNING", "INFORMATION", "VERBOSE"};

	return level < sizeof(names) / sizeof(names[0]) ? names[level] : "RESERVED";
}

struct wctx {
	unsigned level;
	const char *flagname, *func, *file;
	int line;
};

/*
 * Formats one %!NAME! (name is the text between the bangs, n bytes) into
 * out; false if the type is unknown (its argument's size is not known, so
 * nothing after it can be read safely).
 */
static bool put_type(char *out, size_t cap, const char *name, size_t n, const struct wctx *c,
		     va_list *ap)
{
#define IS(s) (n == sizeof(s) - 1 && !memcmp(name, s, n))
	if (IS("FUNC")) {
		snprintf(out, cap, "%s", c->func ? c->func : "");
	} else if (IS("FILE")) {
		const char *f = c->file ? strrchr(c->file, '/') : NULL;
		snprintf(out, cap, "%s", f ? f + 1 : c->file ? c->file : "");
	} else if (IS("LINE")) {
		snprintf(out, cap, "%d", c->line);
	} else if (IS("LEVEL")) {
		snprintf(out, cap, "%s", level_name(c->level));
	} else if (IS("FLAGS")) {
		snprintf(out, cap, "%s", c->flagname ? c->flagname : "");
	} else if (IS("STATUS") || IS("NDIS_STATUS")) {
		NTSTATUS st = va_arg(*ap, NTSTATUS);
		const char *s = umn_rt_status_name(st);
		if (s)
			snprintf(out, cap, "%s", s);
		else
			snprintf(out, cap, "0x%08X", (unsigned)st);
	} else if (IS("HRESULT")) {
		unsigned hr = (unsigned)va_arg(*ap, int);
		size_t i;
		for (i = 0; i < sizeof(hresults) / sizeof(hresults[0]); i++)
			if (hresults[i].hr == hr)
				break;
		if (i < sizeof(hresults) / sizeof(hresults[0]))
			snprintf(out, cap, "%s", hresults[i].name);
		else
			snprintf(out, cap, "0x%08X", hr);
	} else if (IS("s")) {
		const char *str = va_arg(*ap, const char *);
		snprintf(out, cap, "%s", str ? str : "(null)");
	} else if (IS("WINERROR")) {
		snprintf(out, cap, "%u", (unsigned)va_arg(*ap, int));
	} else if (IS("bool") || IS("BOOLEAN") || IS("BOOL")) {
		snprintf(out, cap, "%s", va_arg(*ap, int) ? "TRUE" : "FALSE");
	} else if (IS("GUID")) {
		const GUID *g = va_arg(*ap, const GUID *);
		if (g)
			snprintf(out, cap, "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x",
				 (unsigned)g->Data1, g->Data2, g->Data3, g->Data4[0], g->Data4[1],
				 g->Data4[2], g->Data4[3], g->Data4[4], g->Data4[5], g->Data4[6],
				 g->Data4[7]);
		else
			snprintf(out, cap, "NULL");
	} else if (IS("IPADDR")) {
		unsigned a = (unsigned)va_arg(*ap, int); /* network order, as WPP takes it */
		const unsigned char *b = (const unsigned char *)&a;
		snprintf(out, cap, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
	} else if (IS("PORT")) {
		unsigned p = (unsigned)va_arg(*ap, int) & 0xffffu;
		snprintf(out, cap, "%u", ((p & 0xff) << 8) | (p >> 8));
	} else {
		snprintf(out, cap, "%%!%.*s! (unknown WPP type)", (int)n, name);
		return false;
	}
	return true;
#undef IS
}

/*
 * Formats fmt into out: the pieces between %!NAME! types go through the
 * Windows printf, each taking its arguments from *args in turn. False when
 * an argument could not be read safely (the rest must not be read either).
 */
static bool format(char *out, size_t cap, const struct wctx *c, const char *fmt, va_list *args)
{
	char piece[UMN_TRACE_TEXT], conv[UMN_TRACE_TEXT];
	size_t len = 0;

	out[0] = 0;
	for (const char *p = fmt; *p && len + 1 < cap;) {
		const char *q = p, *bang = NULL, *end = NULL;
		size_t n;

		/* The next "%!NAME!" that is not part of "%%". */
		while ((q = strchr(q, '%'))) {
			if (q[1] == '%') {
				q += 2;
				continue;
			}
			if (q[1] == '!' && (end = strchr(q + 2, '!'))) {
				bang = q;
				break;
			}
			q++;
		}
		n = bang ? (size_t)(bang - p) : strlen(p);
		if (n >= sizeof(piece))
			n = sizeof(piece) - 1;
		memcpy(piece, p, n);
		piece[n] = 0;
		if (n && umn_format_ms_consume(conv, sizeof(conv), piece, 0, args) < 0) {
			snprintf(out + len, cap - len, "%s (format not supported)", piece);
			return false;
		}
		if (n)
			len += (size_t)snprintf(out + len, cap - len, "%s", conv);
		if (!bang || len + 1 >= cap)
			break;
		if (!put_type(conv, sizeof(conv), bang + 2, (size_t)(end - bang - 2), c, args)) {
			snprintf(out + len, cap - len, "%s", conv);
			return false;
		}
		len += (size_t)snprintf(out + len, cap - len, "%s", conv);
		p = end + 1;
	}
	return true;
}

/* The per-process rate: at most UMN_TRACE_RATE messages a second, the rest counted. */
static pthread_mutex_t rate_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t rate_window_ns;
static unsigned rate_count, rate_dropped;

static bool rate_pass(unsigned *dropped)
{
	uint64_t now = umn_mono_ns();
	bool pass;

	pthread_mutex_lock(&rate_lock);
	if (now - rate_window_ns >= 1000000000ull) {
		rate_window_ns = now;
		rate_count = 0;
	}
	pass = rate_count < UMN_TRACE_RATE;
	if (pass) {
		rate_count++;
		*dropped = rate_dropped;
		rate_dropped = 0;
	} else {
		rate_dropped++;
	}
	pthread_mutex_unlock(&rate_lock);
	return pass;
}

/*
 * The device a message is about: the process's only device, else
 * UINT32_MAX (umnicd files it under each device of the host). The lock is
 * only ever held briefly, never across a driver callback.
 */
static uint32_t current_device(void)
{
	uint32_t id = UINT32_MAX;
	unsigned n = 0;

	pthread_mutex_lock(&umn_rt.lock);
	for (unsigned i = 0; i < UMN_MAX_DEVICES && n < 2; i++)
		if (umn_rt.devices[i]) {
			id = umn_rt.devices[i]->id;
			n++;
		}
	pthread_mutex_unlock(&umn_rt.lock);
	return n == 1 ? id : UINT32_MAX;
}

/* prefix: NULL, or a format whose arguments come first, followed by fmt (then its arguments). */
static void trace(unsigned level, unsigned flagbit, const char *flagname, const char *func,
		  const char *file, int line, const char *prefix, const char *fmt, va_list ap)
{
	struct wctx c = {level, flagname, func, file, line};
	struct umn_trace_rec m;
	unsigned dropped = 0;
	va_list args;
	bool ok;

	if (!rate_pass(&dropped))
		return;
	memset(&m, 0, sizeof(m));
	va_copy(args, ap);
	ok = format(m.text, sizeof(m.text), &c, prefix ? prefix : "", &args);
	/* After a prefix, the message's format is the next argument (a USEPREFIX of the .tmh). */
	if (ok && prefix)
		fmt = va_arg(args, const char *);
	if (ok) {
		size_t n = strlen(m.text);
		format(m.text + n, sizeof(m.text) - n, &c, fmt ? fmt : "(NULL format)", &args);
	}
	va_end(args);
	/* Drivers end their lines with a newline; the record is one line. */
	for (size_t n = strlen(m.text); n && (m.text[n - 1] == '\n' || m.text[n - 1] == '\r');)
		m.text[--n] = 0;
	m.dev = current_device();
	m.level = level > 255 ? 255 : level;
	m.flagbit = flagbit;
	m.line = line > 0 ? (uint32_t)line : 0;
	m.dropped = dropped;
	umn_strlcpy(m.flag, flagname ? flagname : "", sizeof(m.flag));
	umn_strlcpy(m.func, func ? func : "", sizeof(m.func));
	if (umn_rt.ops && umn_rt.ops->trace)
		umn_rt.ops->trace(&m);
	else
		umn_log(UMN_LOG_INFO, "trace %s %s %s: %s", level_name(m.level), m.flag, m.func,
			m.text);
}

const char *umn_wpp_wide_format(const wchar_t *fmt)
{
	static _Thread_local char buf[sizeof(((struct umn_trace_rec *)0)->text)];
	size_t n = 0;

	if (!fmt)
		return NULL;
	for (; *fmt; fmt++) {
		uint32_t cp = (uint32_t)*fmt;
		unsigned char enc[4];
		size_t k;

		if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			cp = 0xfffd; /* not a character: the replacement character */
		k = utf8_encode(cp, enc);
		if (n + k >= sizeof(buf))
			break; /* the record could not hold more */
		memcpy(buf + n, enc, k);
		n += k;
	}
	buf[n] = 0;
	return buf;
}

void umn_wpp_tracev(unsigned level, unsigned flagbit, const char *flagname, const char *func,
		    const char *file, int line, const char *fmt, va_list ap)
{
	trace(level, flagbit, flagname, func, file, line, NULL, fmt, ap);
}

void umn_wpp_trace(unsigned level, unsigned flagbit, const char *flagname, const char *func,
		   const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	trace(level, flagbit, flagname, func, file, line, NULL, fmt, ap);
	va_end(ap);
}

void umn_wpp_trace_prefixed(unsigned level, unsigned flagbit, const char *flagname,
			    const char *func, const char *file, int line, const char *prefix, ...)
{
	va_list ap;

	va_start(ap, prefix);
	trace(level, flagbit, flagname, func, file, line, prefix, NULL, ap);
	va_end(ap);
}
