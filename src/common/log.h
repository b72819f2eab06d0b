/* SPDX-License-Identifier: MIT */
/*
 * Logging for every umnic process: levels, a replaceable sink, and a rate
 * limiter so a peer that makes umnicd log cannot fill the disk or hide
 * other lines. Text is cut to one line, so a driver's string cannot forge
 * log entries.
 */
#ifndef UMNIC_COMMON_LOG_H
#define UMNIC_COMMON_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

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

/*
 * A message that may come by the thousand (a hostile peer's), logged at
 * most once an interval: those that come sooner are only counted, and the
 * next one logged says how many.
 */
struct umn_log_limit {
	uint64_t last_ns; /* when one was last logged; 0: never */
	unsigned held;	  /* held back since */
};
/*
 * Whether the message due at now_ns may be logged. If so, *held (if not
 * NULL) is how many were held back since the last one, *since_ns (if not
 * NULL) how long ago that was, and counting starts again; if not, this one
 * is counted.
 */
bool umn_log_limit_pass(struct umn_log_limit *l, uint64_t now_ns, uint64_t interval_ns,
			unsigned *held, uint64_t *since_ns);
/* For a periodic check: true (with *held and *since_ns) when some were held back and the interval
 * is over. */
bool umn_log_limit_flush(struct umn_log_limit *l, uint64_t now_ns, uint64_t interval_ns,
			 unsigned *held, uint64_t *since_ns);

#endif
