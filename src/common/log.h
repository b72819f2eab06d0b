/* SPDX-License-Identifier: MIT */
#ifndef UMNIC_COMMON_LOG_H
#define UMNIC_COMMON_LOG_H

#include <stdarg.h>

enum { UMN_LOG_ERR = 3, UMN_LOG_WARN = 4, UMN_LOG_INFO = 6, UMN_LOG_DEBUG = 7 };

/*
 * One log line, without a trailing newline. The default sink writes to
 * stderr; a driver host installs a sink that also forwards the line to
 * umnicd so `umnic status` can show it.
 */
void umn_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void umn_logv(int level, const char *fmt, va_list ap);

typedef void (*umn_log_sink_fn)(int level, const char *line, void *userdata);
void umn_log_set_sink(umn_log_sink_fn sink, void *userdata);
void umn_log_set_prefix(const char *prefix);
void umn_log_set_max_level(int level);

#endif
