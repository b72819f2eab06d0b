/* SPDX-License-Identifier: MIT */
/*
 * umnic's one logging path (log.h): lines go to a sink (stderr by default,
 * umnicd's forwarder in a driver host), at most one line per message, with
 * a level filter and a rate limiter that counts what it held back.
 */
#include "common/log.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static umn_log_sink_fn log_sink;
static void *log_sink_data;
static char log_prefix[32] = "umnic";
static int log_max_level = UMN_LOG_INFO;

void umn_log_set_sink(umn_log_sink_fn sink, void *userdata)
{
	log_sink = sink;
	log_sink_data = userdata;
}

void umn_log_set_prefix(const char *prefix)
{
	snprintf(log_prefix, sizeof(log_prefix), "%s", prefix);
}

void umn_log_set_max_level(int level)
{
	log_max_level = level;
}

void umn_logv(int level, const char *fmt, va_list ap)
{
	static const char *const names[] = {[UMN_LOG_ERR] = "error",
					    [UMN_LOG_WARN] = "warning",
					    [UMN_LOG_INFO] = "info",
					    [UMN_LOG_DEBUG] = "debug"};
	char line[1024];
	struct timespec ts;

	if (level > log_max_level && level > UMN_LOG_WARN && !log_sink)
		return;
	vsnprintf(line, sizeof(line), fmt, ap);
	/*
	 * Messages carry text that drivers and clients chose (a reported error, a
	 * device name): one message is one line, with no terminal escapes, so no
	 * peer can forge a log line of its own or rewrite what a reader sees.
	 */
	for (char *c = line; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	if (log_sink)
		log_sink(level, line, log_sink_data);
	if (level > log_max_level)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	fprintf(stderr, "%s[%ld.%03ld] %s: %s\n", log_prefix, (long)(ts.tv_sec % 100000),
		ts.tv_nsec / 1000000,
		level >= 0 && level <= UMN_LOG_DEBUG && names[level] ? names[level] : "log", line);
}

void umn_log(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	umn_logv(level, fmt, ap);
	va_end(ap);
}

static void limit_restart(struct umn_log_limit *l, uint64_t now_ns, unsigned *held,
			  uint64_t *since_ns)
{
	if (held)
		*held = l->held;
	if (since_ns)
		*since_ns = now_ns - l->last_ns;
	l->last_ns = now_ns;
	l->held = 0;
}

bool umn_log_limit_pass(struct umn_log_limit *l, uint64_t now_ns, uint64_t interval_ns,
			unsigned *held, uint64_t *since_ns)
{
	if (l->last_ns && now_ns - l->last_ns < interval_ns) {
		l->held++;
		return false;
	}
	limit_restart(l, now_ns, held, since_ns);
	return true;
}

bool umn_log_limit_flush(struct umn_log_limit *l, uint64_t now_ns, uint64_t interval_ns,
			 unsigned *held, uint64_t *since_ns)
{
	if (!l->held || now_ns - l->last_ns < interval_ns)
		return false;
	limit_restart(l, now_ns, held, since_ns);
	return true;
}
