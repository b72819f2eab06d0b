/* SPDX-License-Identifier: MIT */
/*
 * WPP trace messages from drivers (UMN_MSG_TRACE, runtime/wdf/wpp.c): each
 * device keeps its most recent TRACE_RING records, across restarts of its
 * driver, and `umnic trace DEVICE` reads them (repeatedly, to follow).
 *
 * Everything a driver can make umnicd do here is bounded: a record has a
 * fixed size, a ring a fixed length (allocated at the device's first
 * message), and a host may send TRACE_FLOOD_PER_SECOND messages a second
 * before it is stopped as a flood; of those, TRACE_STORE_PER_SECOND records
 * a second are stored (a message for all of a shared host's devices counts
 * once per device), the rest only counted. The runtime itself sends at most
 * UMN_TRACE_RATE a second, so an honest driver never comes near either.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "umnicd/dev/device.h"
#include "umnicd/hosts/hostproc.h"
#include "umnicd/sbuf.h"
#include "umnicd/trace.h"
#include "umnicd/base/config.h"
#include "umnicd/base/loop.h"

#define TRACE_RING	       256
#define TRACE_FLOOD_PER_SECOND (4 * UMN_TRACE_RATE)
#define TRACE_STORE_PER_SECOND (2 * UMN_TRACE_RATE)

struct trace_rec {
	uint64_t seq; /* per device, from 1 */
	uint64_t wall_ms;
	uint32_t level;
	uint32_t flagbit;
	uint32_t dropped; /* messages lost just before this one */
	char flag[48];
	char func[64];
	char text[UMN_TRACE_TEXT];
};

struct trace_ring {
	uint64_t next_seq; /* the seq the next record gets */
	unsigned dropped;  /* not stored since the last stored record */
	struct trace_rec r[TRACE_RING];
};

static const char *level_name(uint32_t level)
{
	static const char *const names[] = {"NONE",    "CRITICAL",    "ERROR",
					    "WARNING", "INFORMATION", "VERBOSE"};

	return level < sizeof(names) / sizeof(names[0]) ? names[level] : "RESERVED";
}

/* A driver's text is shown on one terminal line: control characters become '?'. */
static void one_line(char *s, size_t cap)
{
	s[cap - 1] = '\0';
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

static uint64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void store(struct hostproc *h, struct device *dev, const struct umn_trace_rec *m)
{
	struct trace_ring *t = dev->trace;
	struct trace_rec *r;

	if (!t) {
		t = dev->trace = calloc(1, sizeof(*t));
		if (!t)
			return;
		t->next_seq = 1;
	}
	if (h->trace_stored >= TRACE_STORE_PER_SECOND) {
		t->dropped++;
		return;
	}
	h->trace_stored++;
	r = &t->r[t->next_seq % TRACE_RING];
	r->seq = t->next_seq++;
	r->wall_ms = wall_ms();
	r->level = m->level;
	r->flagbit = m->flagbit;
	r->dropped = m->dropped + t->dropped;
	t->dropped = 0;
	memcpy(r->flag, m->flag, sizeof(r->flag));
	memcpy(r->func, m->func, sizeof(r->func));
	memcpy(r->text, m->text, sizeof(r->text));
	umn_log(UMN_LOG_DEBUG, "%s: trace %s %s %s: %s", dev->instance_id, level_name(r->level),
		r->flag[0] ? r->flag : "-", r->func, r->text);
}

const char *trace_on_message(struct hostproc *h, unsigned char *buf, size_t n)
{
	struct umn_trace_rec *m = &((struct umn_msg_trace *)buf)->rec; /* umnicd's own copy */
	struct device *dev;
	uint64_t now = umn_mono_ns();

	if (n != sizeof(struct umn_msg_trace))
		return "malformed trace message";
	if (now - h->trace_window_ns >= 1000000000ull) {
		h->trace_window_ns = now;
		h->trace_count = 0;
		h->trace_stored = 0;
	}
	if (++h->trace_count > TRACE_FLOOD_PER_SECOND)
		return "flooding umnicd with trace messages (more than 4000 a second)";
	if (m->level > 255)
		return "trace message with a level above 255";
	one_line(m->flag, sizeof(m->flag));
	one_line(m->func, sizeof(m->func));
	one_line(m->text, sizeof(m->text));
	if (m->dev != UINT32_MAX) {
		dev = dev_get(m->dev);
		if (dev && dev->host == h)
			store(h, dev, m);
		return NULL;
	}
	for (unsigned i = 0; i < UMN_MAX_DEVICES; i++) {
		dev = dev_get(i);
		if (dev && dev->host == h)
			store(h, dev, m);
	}
	return NULL;
}

void trace_init(void)
{
	static const struct dev_events dev_events = {.freed = trace_free};

	host_events_trace(trace_on_message);
	dev_listen(&dev_events);
}

void trace_free(struct device *dev)
{
	free(dev->trace);
	dev->trace = NULL;
}

/* --level: a TRACE_LEVEL_* name (CRITICAL, ERROR, ...) or number. */
static int parse_level(const char *s, uint32_t *ret)
{
	static const char *const names[] = {"none",    "critical",    "error",
					    "warning", "information", "verbose"};
	char *end;
	unsigned long v;

	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcasecmp(s, names[i]) || (i == 4 && !strcasecmp(s, "info"))) {
			*ret = i;
			return 0;
		}
	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *end || v > 255)
		return -EINVAL;
	*ret = (uint32_t)v;
	return 0;
}

static bool flag_match(const struct trace_rec *r, const char *flags, uint32_t mask)
{
	size_t n = strlen(r->flag);

	if (r->flagbit & mask)
		return true;
	if (!n)
		return false;
	for (const char *p = flags; (p = strstr(p, r->flag)); p += n)
		if ((p == flags || p[-1] == ',') && (p[n] == ',' || !p[n]))
			return true;
	return false;
}

void trace_ctl(int argc, char **argv, trace_reply_fn reply, void *ctx)
{
	const char *name = NULL, *flags = NULL;
	uint32_t level = 255, mask = 0;
	uint64_t after = 0, first;
	struct sbuf b = {0};
	struct device *dev;
	struct trace_ring *t;
	char err[UMN_TEXT_MAX], *text;
	bool follow_form = false;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--level") && i + 1 < argc) {
			if (parse_level(argv[++i], &level) < 0) {
				snprintf(err, sizeof(err),
					 "trace: --level takes a level name "
					 "(critical, error, warning, information, verbose) or "
					 "0-255, not '%.100s'\n",
					 argv[i]);
				reply(ctx, 2, err);
				return;
			}
		} else if (!strcmp(argv[i], "--flags") && i + 1 < argc) {
			char *end;
			unsigned long v;

			flags = argv[++i];
			errno = 0;
			v = strtoul(flags, &end, 0);
			if (!errno && end != flags && !*end && v <= UINT32_MAX)
				mask = (uint32_t)v;
		} else if (!strcmp(argv[i], "--after") && i + 1 < argc) {
			after = strtoull(argv[++i], NULL, 10);
			follow_form = true;
		} else if (!name && argv[i][0] != '-') {
			name = argv[i];
		} else {
			snprintf(err, sizeof(err), "trace: unexpected argument '%.100s'\n",
				 argv[i]);
			reply(ctx, 2, err);
			return;
		}
	}
	if (!name) {
		reply(ctx, 2, "trace: which device?\n");
		return;
	}
	dev = dev_find(name);
	if (!dev) {
		snprintf(err, sizeof(err), "no device '%.200s'\n", name);
		reply(ctx, 1, err);
		return;
	}
	t = dev->trace;
	if (t) {
		first = t->next_seq > TRACE_RING ? t->next_seq - TRACE_RING : 1;
		if (after + 1 < first && (after || follow_form))
			sb_printf(&b, "-- %llu older messages were overwritten --\n",
				  (unsigned long long)(first - after - 1));
		for (uint64_t s = after + 1 > first ? after + 1 : first; s < t->next_seq; s++) {
			const struct trace_rec *r = &t->r[s % TRACE_RING];
			time_t sec = (time_t)(r->wall_ms / 1000);
			struct tm tm;

			if (r->dropped)
				sb_printf(&b, "-- %u messages were dropped (rate) --\n",
					  r->dropped);
			if (r->level > level && r->level != 0)
				continue;
			if (flags && !flag_match(r, flags, mask))
				continue;
			localtime_r(&sec, &tm);
			sb_printf(&b, "%llu %02d:%02d:%02d.%03u %s %s %s: %s\n",
				  (unsigned long long)r->seq, tm.tm_hour, tm.tm_min, tm.tm_sec,
				  (unsigned)(r->wall_ms % 1000), level_name(r->level),
				  r->flag[0] ? r->flag : "-", r->func[0] ? r->func : "-", r->text);
		}
	}
	if (follow_form)
		sb_printf(&b, "#next %llu\n", (unsigned long long)(t ? t->next_seq - 1 : 0));
	text = sb_take(&b);
	reply(ctx, 0, text ? text : "");
	free(text);
}
