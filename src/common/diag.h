/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Diagnostics collected by parsers (INF files, registry files): a bounded list of warnings and
 * one error, each formatted "file:line: message" ("file: message" when line is 0, just
 * "message" when file is NULL). The first error wins; later ones are dropped so the message a
 * person sees is the root cause. Control characters taken from hostile input are replaced by
 * '?' and long messages are cut, so a diagnostic is always safe to print.
 *
 * Every function accepts a NULL diag and then does nothing, so parsers can be called without
 * one (fuzzers, callers that only want the errno).
 */

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#define UMN_DIAG_MAX_WARNINGS 64
#define UMN_DIAG_MAX_MESSAGE  1024

struct umn_diag {
	char **warnings;
	size_t n_warnings;
	size_t n_dropped; /* warnings beyond UMN_DIAG_MAX_WARNINGS, or lost to ENOMEM */
	char *error;
	bool error_lost; /* an error was reported but could not be stored (ENOMEM) */
};

void umn_diag_init(struct umn_diag *diag);
/* Frees the messages and leaves diag initialized (empty), ready for reuse. */
void umn_diag_free(struct umn_diag *diag);

void umn_diag_warn(struct umn_diag *diag, const char *file, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void umn_diag_error(struct umn_diag *diag, const char *file, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void umn_diag_verror(struct umn_diag *diag, const char *file, unsigned line, const char *fmt,
		     va_list ap) __attribute__((format(printf, 4, 0)));

bool umn_diag_has_error(const struct umn_diag *diag);
/* The error message, or NULL if no error was reported. */
const char *umn_diag_error_message(const struct umn_diag *diag);
size_t umn_diag_n_warnings(const struct umn_diag *diag);
/* Warning i (0-based), or NULL when i is out of range. */
const char *umn_diag_warning(const struct umn_diag *diag, size_t i);
/* Number of warnings that were not stored because the list was full. */
size_t umn_diag_n_dropped(const struct umn_diag *diag);
