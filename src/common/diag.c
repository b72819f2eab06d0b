/* SPDX-License-Identifier: MIT */
/*
 * The bounded diagnostics list of diag.h: warnings and the first error of a
 * parse, each formatted with file and line and cleaned of control
 * characters before it is kept, so a hostile INF or registry file cannot
 * forge what a person reads.
 */
#include "common/diag.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void umn_diag_init(struct umn_diag *diag)
{
	if (!diag)
		return;
	*diag = (struct umn_diag){0};
}

void umn_diag_free(struct umn_diag *diag)
{
	if (!diag)
		return;
	for (size_t i = 0; i < diag->n_warnings; i++)
		free(diag->warnings[i]);
	free(diag->warnings);
	free(diag->error);
	umn_diag_init(diag);
}

static char *diag_format(const char *file, unsigned line, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

static char *diag_format(const char *file, unsigned line, const char *fmt, va_list ap)
{
	char buf[UMN_DIAG_MAX_MESSAGE];
	size_t n = 0;
	int r;

	if (file && line > 0)
		r = snprintf(buf, sizeof(buf), "%s:%u: ", file, line);
	else if (file)
		r = snprintf(buf, sizeof(buf), "%s: ", file);
	else
		r = 0;
	if (r > 0)
		n = (size_t)r < sizeof(buf) ? (size_t)r : sizeof(buf) - 1;

	r = vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
	if (r > 0 && (size_t)r >= sizeof(buf) - n) {
		/* Cut, and say so: hostile input may be arbitrarily long. */
		memcpy(buf + sizeof(buf) - 4, "...", 4);
	}

	/* Names and values quoted in messages come from untrusted files: keep terminals safe. */
	for (unsigned char *p = (unsigned char *)buf; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			*p = '?';

	return strdup(buf);
}

void umn_diag_warn(struct umn_diag *diag, const char *file, unsigned line, const char *fmt, ...)
{
	va_list ap;
	char *m, **w;

	if (!diag)
		return;
	if (diag->n_warnings >= UMN_DIAG_MAX_WARNINGS) {
		diag->n_dropped++;
		return;
	}

	va_start(ap, fmt);
	m = diag_format(file, line, fmt, ap);
	va_end(ap);
	if (!m) {
		diag->n_dropped++;
		return;
	}

	w = realloc(diag->warnings, (diag->n_warnings + 1) * sizeof(*w));
	if (!w) {
		free(m);
		diag->n_dropped++;
		return;
	}
	w[diag->n_warnings++] = m;
	diag->warnings = w;
}

void umn_diag_verror(struct umn_diag *diag, const char *file, unsigned line, const char *fmt,
		     va_list ap)
{
	if (!diag || diag->error || diag->error_lost)
		return;
	diag->error = diag_format(file, line, fmt, ap);
	if (!diag->error)
		diag->error_lost = true;
}

void umn_diag_error(struct umn_diag *diag, const char *file, unsigned line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	umn_diag_verror(diag, file, line, fmt, ap);
	va_end(ap);
}

bool umn_diag_has_error(const struct umn_diag *diag)
{
	return diag && (diag->error || diag->error_lost);
}

const char *umn_diag_error_message(const struct umn_diag *diag)
{
	if (!diag)
		return NULL;
	if (!diag->error && diag->error_lost)
		return "out of memory while reporting an error";
	return diag->error;
}

size_t umn_diag_n_warnings(const struct umn_diag *diag)
{
	return diag ? diag->n_warnings : 0;
}

const char *umn_diag_warning(const struct umn_diag *diag, size_t i)
{
	if (!diag || i >= diag->n_warnings)
		return NULL;
	return diag->warnings[i];
}

size_t umn_diag_n_dropped(const struct umn_diag *diag)
{
	return diag ? diag->n_dropped : 0;
}
