/* SPDX-License-Identifier: MIT */
/*
 * io_load's client processes. A client sends its requests, at most
 * OUTSTANDING at a time, each picked at random (echo IOCTLs through every
 * buffer method, delayed IOCTLs, writes of records and reads that must
 * return a whole one), some cancelled at once or later, and checks every
 * completion: once only, STATUS_SUCCESS with the right bytes or
 * STATUS_CANCELLED when it was cancelled. A late reader sends all its
 * requests and reads nothing for a while; an abandoning client leaves with
 * requests pending. Each failure names the process, the request and the
 * status; the counters go to the parent through struct stats.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "echo.h"
#include "io_load.h"

#define ECHO_SMALL_MAX	256
#define ECHO_BIG_MIN	(48 * 1024 + 1) /* above UMN_IOMSG_INLINE_MAX: a memfd */
#define ECHO_BIG_MAX	(96 * 1024)
#define DELAY_MAX_MS	6
#define CANARY		0xa5
#define FAIL_PRINT_MAX	10 /* per process; the rest are only counted */
#define REPORT_MARGIN_S 10 /* a stuck client reports this long before the parent kills it */
#define LATE_PAUSE_MS	1000

const char *const kind_name[K_COUNT] = {"echo IOCTL", "delayed IOCTL", "write", "read"};

/* One request of a client; its buffers live until its completion runs. */
struct req {
	uint64_t id; /* libumnic's request id */
	unsigned index;
	enum kind kind;
	uint32_t code; /* K_ECHO: which method */
	enum cancel_plan plan;
	bool twice;	  /* cancel it a second time */
	bool cancel_sent; /* umnic_cancel was called for it */
	unsigned completions;
	unsigned slot; /* position in the worker's pending list */
	uint64_t cancel_at_ns;
	uint8_t *in, *out;
	size_t in_len, out_len;
};

struct worker {
	const struct opts *o;
	int index;
	const char *role; /* in messages: "client", "late reader", "abandoning client" */
	unsigned requests;
	unsigned outstanding;
	bool late; /* sends them all, then reads nothing for LATE_PAUSE_MS */
	umnic_client *c;
	umnic_handle h;
	uint64_t rng;
	struct req *reqs;
	unsigned *pending; /* indexes of requests submitted and not yet completed */
	unsigned npending;
	struct stats *st;
};

static struct worker W; /* this process's; completions reach it through their ctx */

/* splitmix64: a seed per process, so a failing run replays with -s. */
static uint64_t rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15u);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

static unsigned rnd_below(uint64_t *s, unsigned n)
{
	return (unsigned)(rnd(s) % n);
}

static void fail(struct worker *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct worker *w, const char *fmt, ...)
{
	va_list ap;

	if (w->st->failures++ >= FAIL_PRINT_MAX)
		return;
	fprintf(stderr, "io_load: %s %d (pid %d): ", w->role, w->index, (int)getpid());
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void fail_req(struct worker *w, const struct req *r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void fail_req(struct worker *w, const struct req *r, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	fail(w, "request %u (%s 0x%08x, req_id %" PRIu64 ", %s%s): %s", r->index,
	     kind_name[r->kind], r->code, r->id,
	     r->plan == C_NONE	    ? "not cancelled"
	     : r->plan == C_AT_ONCE ? "cancelled at once"
				    : "cancelled later",
	     r->plan != C_NONE && !r->cancel_sent ? " (not yet)" : "", what);
}

/* ---- write records: what a read returns must be one whole write ---- */

static uint8_t record_byte(uint32_t seed, size_t i)
{
	return (uint8_t)((seed * 2654435761u + (uint32_t)i * 40503u) >> 13);
}

void record_fill(uint8_t *p, size_t len, uint32_t seed)
{
	uint32_t l = (uint32_t)len;

	memcpy(p, &l, 4);
	memcpy(p + 4, &seed, 4);
	for (size_t i = 8; i < len; i++)
		p[i] = record_byte(seed, i);
}

/* NULL when p[0..len) is one whole record, else what is wrong with it. */
static const char *record_check(const uint8_t *p, size_t len)
{
	uint32_t l, seed;

	if (len < RECORD_MIN)
		return "shorter than any record written";
	memcpy(&l, p, 4);
	memcpy(&seed, p + 4, 4);
	if (l != len)
		return "its length is not the length of the record it starts";
	for (size_t i = 8; i < len; i++)
		if (p[i] != record_byte(seed, i))
			return "its bytes are not those of one record (torn or corrupt)";
	return NULL;
}

/* ---- one request ---- */

static void pending_remove(struct worker *w, struct req *r)
{
	unsigned last = w->pending[--w->npending];

	w->pending[r->slot] = last;
	w->reqs[last].slot = r->slot;
}

static void cancel_req(struct worker *w, struct req *r)
{
	for (int k = 0; k < (r->twice ? 2 : 1); k++) {
		NTSTATUS st = umnic_cancel(w->c, r->id);

		r->cancel_sent = true;
		w->st->cancels++;
		if (st == STATUS_NOT_FOUND)
			w->st->cancel_not_found++;
		else if (st != STATUS_SUCCESS)
			fail_req(w, r, "umnic_cancel returned %s (0x%08x)", status_str(st),
				 (unsigned)st);
	}
}

/* Cancels a pending request planned for a later cancel, if there is one, from a completion. */
static void cancel_some_later(struct worker *w)
{
	if (!w->npending)
		return;
	struct req *r = &w->reqs[w->pending[rnd_below(&w->rng, w->npending)]];

	if (r->plan == C_LATER && !r->cancel_sent)
		cancel_req(w, r);
}

static void check_success(struct worker *w, struct req *r, const umnic_result *res)
{
	size_t want, n = res->information;
	const char *bad;

	switch (r->kind) {
	case K_ECHO:
		want = r->in_len < r->out_len ? r->in_len : r->out_len;
		if (n != want) {
			fail_req(w, r, "Information %zu, expected %zu", n, want);
			return;
		}
		if (memcmp(r->out, r->in, want)) {
			fail_req(w, r, "the output is not the input echoed (%zu bytes)", want);
			return;
		}
		for (size_t i = want; i < r->out_len; i++)
			if (r->out[i] != CANARY) {
				fail_req(w, r, "byte %zu beyond Information %zu was written", i, n);
				return;
			}
		break;
	case K_DELAYED:
		if (n)
			fail_req(w, r, "Information %zu, expected 0", n);
		break;
	case K_WRITE:
		if (n != r->in_len)
			fail_req(w, r, "Information %zu, expected %zu", n, r->in_len);
		break;
	case K_READ:
		if (n > r->out_len) {
			fail_req(w, r, "Information %zu over the buffer of %zu", n, r->out_len);
			return;
		}
		if ((bad = record_check(r->out, n)))
			fail_req(w, r, "read %zu bytes: %s", n, bad);
		break;
	case K_COUNT:
		break;
	}
}

static void on_complete(umnic_client *c, uint64_t req_id, const umnic_result *res, void *ctx)
{
	struct worker *w = &W;
	struct req *r = ctx;

	(void)c;
	if (++r->completions > 1) {
		fail_req(w, r, "completed %u times (this time %s)", r->completions,
			 status_str(res->status));
		return;
	}
	w->st->completions++;
	pending_remove(w, r);
	if (req_id != r->id)
		fail_req(w, r, "its completion names req_id %" PRIu64, req_id);
	if (res->status == STATUS_SUCCESS) {
		w->st->success++;
		if (r->cancel_sent)
			w->st->cancel_lost++;
		check_success(w, r, res);
	} else if (res->status == STATUS_CANCELLED && r->cancel_sent) {
		w->st->cancelled++;
		w->st->cancelled_by_kind[r->kind]++;
	} else if (res->status == STATUS_DRIVER_PROCESS_TERMINATED && w->o->host_dies) {
		w->st->terminated++;
	} else {
		fail_req(w, r, "completed with %s (0x%08x), expected STATUS_SUCCESS%s",
			 status_str(res->status), (unsigned)res->status,
			 r->cancel_sent ? " or STATUS_CANCELLED" : "");
	}
	free(r->in);
	free(r->out);
	r->in = r->out = NULL;
	if (rnd_below(&w->rng, 3) == 0)
		cancel_some_later(w);
}

/* Fills r with a random request: what it is, its buffers, whether and when it is cancelled. */
static bool make_req(struct worker *w, struct req *r)
{
	static const uint32_t echo_codes[] = {IOCTL_ECHO_BUFFERED,   IOCTL_ECHO_BUFFERED,
					      IOCTL_ECHO_BUFFERED,   IOCTL_ECHO_IN_DIRECT,
					      IOCTL_ECHO_OUT_DIRECT, IOCTL_ECHO_NEITHER};
	unsigned p = rnd_below(&w->rng, 100);
	uint32_t ms;

	r->kind = p < 35 ? K_ECHO : p < 65 ? K_DELAYED : p < 85 ? K_WRITE : K_READ;
	switch (r->kind) {
	case K_ECHO:
		r->code =
		    echo_codes[rnd_below(&w->rng, sizeof(echo_codes) / sizeof(echo_codes[0]))];
		r->in_len = 1 + rnd_below(&w->rng, ECHO_SMALL_MAX);
		/* Sometimes a shorter output: the driver echoes only what fits. */
		r->out_len = rnd_below(&w->rng, 4) ? r->in_len + rnd_below(&w->rng, 17)
						   : 1 + rnd_below(&w->rng, (unsigned)r->in_len);
		if ((int)rnd_below(&w->rng, 100) < w->o->big_pct) {
			/* The output in a memfd; the input inline or in a memfd too. */
			r->out_len = ECHO_BIG_MIN + rnd_below(&w->rng, ECHO_BIG_MAX - ECHO_BIG_MIN);
			if (rnd_below(&w->rng, 2))
				r->in_len =
				    ECHO_BIG_MIN + rnd_below(&w->rng, ECHO_BIG_MAX - ECHO_BIG_MIN);
		}
		break;
	case K_DELAYED:
		r->code = IOCTL_ECHO_DELAYED;
		r->in_len = sizeof(ms);
		break;
	case K_WRITE:
		r->in_len = RECORD_MIN + rnd_below(&w->rng, RECORD_MAX - RECORD_MIN + 1);
		break;
	case K_READ:
		r->out_len = RECORD_MAX;
		break;
	case K_COUNT:
		break;
	}
	r->in = r->in_len ? malloc(r->in_len) : NULL;
	r->out = r->out_len ? malloc(r->out_len) : NULL;
	if ((r->in_len && !r->in) || (r->out_len && !r->out))
		return false;
	if (r->out)
		memset(r->out, CANARY, r->out_len);
	if (r->kind == K_ECHO) {
		for (size_t i = 0; i < r->in_len; i++)
			r->in[i] = (uint8_t)rnd(&w->rng);
	} else if (r->kind == K_DELAYED) {
		ms = rnd_below(&w->rng, DELAY_MAX_MS + 1);
		memcpy(r->in, &ms, sizeof(ms));
	} else if (r->kind == K_WRITE) {
		record_fill(r->in, r->in_len, (uint32_t)rnd(&w->rng));
	}

	if ((int)rnd_below(&w->rng, 100) < w->o->cancel_pct) {
		r->plan = rnd_below(&w->rng, 2) ? C_AT_ONCE : C_LATER;
		r->twice = rnd_below(&w->rng, 8) == 0;
		r->cancel_at_ns = now_ns() + rnd_below(&w->rng, (DELAY_MAX_MS + 2) * 1000000u);
	}
	return true;
}

static NTSTATUS submit(struct worker *w, struct req *r)
{
	switch (r->kind) {
	case K_ECHO:
	case K_DELAYED:
		return umnic_submit_ioctl(w->c, w->h, r->code, r->in, r->in_len, r->out, r->out_len,
					  on_complete, r, &r->id);
	case K_WRITE:
		return umnic_submit_write(w->c, w->h, r->in, r->in_len, 0, on_complete, r, &r->id);
	case K_READ:
		return umnic_submit_read(w->c, w->h, r->out, r->out_len, 0, on_complete, r, &r->id);
	case K_COUNT:
		break;
	}
	return STATUS_INVALID_PARAMETER;
}

static void submit_next(struct worker *w)
{
	struct req *r = &w->reqs[w->st->submitted];
	NTSTATUS st;

	r->index = w->st->submitted++;
	if (!make_req(w, r)) {
		r->completions = 1; /* never sent */
		fail(w, "out of memory");
		return;
	}
	w->st->by_kind[r->kind]++;
	r->slot = w->npending;
	w->pending[w->npending++] = r->index;
	st = submit(w, r);
	if (st != STATUS_PENDING) {
		pending_remove(w, r);
		r->completions = 1; /* nothing to wait for */
		fail_req(w, r, "submit returned %s (0x%08x)", status_str(st), (unsigned)st);
		free(r->in);
		free(r->out);
		r->in = r->out = NULL;
		return;
	}
	if (r->plan == C_AT_ONCE)
		cancel_req(w, r);
}

static void cancel_due(struct worker *w)
{
	uint64_t now = now_ns();

	for (unsigned i = 0; i < w->npending; i++) {
		struct req *r = &w->reqs[w->pending[i]];

		if (r->plan == C_LATER && !r->cancel_sent && now >= r->cancel_at_ns)
			cancel_req(w, r);
	}
}

/* ---- the processes ---- */

static bool connect_and_open(struct worker *w)
{
	NTSTATUS st;

	w->c = umnic_connect(w->o->run_dir);
	if (!w->c) {
		fail(w, "umnic_connect: %s (is umnicd running with this --run-dir?)",
		     strerror(errno));
		return false;
	}
	st = umnic_open(w->c, w->o->device, FILE_READ_DATA | FILE_WRITE_DATA, &w->h);
	if (st != STATUS_SUCCESS) {
		fail(w, "umnic_open %s: %s (0x%08x)", w->o->device, status_str(st), (unsigned)st);
		return false;
	}
	return true;
}

int worker_main(const struct opts *o, int index, bool late, struct stats *st)
{
	struct worker *w = &W;
	uint64_t deadline, t0 = now_ns();
	uint8_t rec[RECORD_MIN];
	umnic_result res;
	NTSTATUS s;

	*w = (struct worker){.o = o,
			     .index = index,
			     .st = st,
			     .rng = o->seed ^ (uint64_t)index << 32,
			     .late = late,
			     .role = late ? "late reader" : "client",
			     .requests = late ? LATE_REQUESTS : (unsigned)o->requests,
			     .outstanding = late ? LATE_REQUESTS : (unsigned)o->outstanding};
	deadline =
	    t0 + (uint64_t)(o->timeout_s > 2 * REPORT_MARGIN_S ? o->timeout_s - REPORT_MARGIN_S
							       : o->timeout_s / 2) *
		     1000000000u;
	w->reqs = calloc(w->requests, sizeof(*w->reqs));
	w->pending = calloc(w->outstanding, sizeof(*w->pending));
	if (!w->reqs || !w->pending) {
		fail(w, "out of memory");
		return 1;
	}
	if (!connect_and_open(w))
		return 1;
	/* Whatever ran before, reads now find a record. */
	record_fill(rec, sizeof(rec), (uint32_t)rnd(&w->rng));
	s = umnic_write(w->c, w->h, rec, sizeof(rec), 0, &res);
	if (s != STATUS_SUCCESS)
		fail(w, "the first write: %s (0x%08x)", status_str(s), (unsigned)s);

	while (st->submitted < w->requests || w->npending) {
		while (w->npending < w->outstanding && st->submitted < w->requests)
			submit_next(w);
		if (w->late) {
			/* Meanwhile umnicd has all the completions to send and no room for them. */
			nanosleep(&(struct timespec){.tv_sec = LATE_PAUSE_MS / 1000,
						     .tv_nsec = LATE_PAUSE_MS % 1000 * 1000000L},
				  NULL);
			w->late = false;
		}
		cancel_due(w);
		int n = umnic_dispatch(w->c, 2);
		if (n < 0) {
			fail(w, "umnic_dispatch: %s with %u requests pending", strerror(-n),
			     w->npending);
			break;
		}
		if (now_ns() > deadline) {
			fail(w, "%u requests still pending after %d s", w->npending,
			     (int)((now_ns() - t0) / 1000000000u));
			break;
		}
	}
	for (unsigned i = 0; i < st->submitted; i++)
		if (w->reqs[i].completions == 0)
			fail_req(w, &w->reqs[i], "never completed");
	if (w->npending) {
		/* Leave without disconnecting: that would complete them here, hiding the hang. */
		return 1;
	}
	s = umnic_close(w->c, w->h);
	if (s != STATUS_SUCCESS)
		fail(w, "umnic_close: %s (0x%08x)", status_str(s), (unsigned)s);
	umnic_disconnect(w->c);
	free(w->reqs);
	free(w->pending);
	st->finished = true;
	return st->failures ? 1 : 0;
}

static void abandon_done(umnic_client *c, uint64_t req_id, const umnic_result *res, void *ctx)
{
	(void)c;
	(void)req_id;
	(void)res;
	(void)ctx;
}

/*
 * A client that dies with requests pending (delayed ones that stay queued
 * in the driver, immediate ones whose completions it never reads), on one
 * or two handles, at a random moment during the load. umnicd must cancel
 * and close everything it left behind without disturbing the others.
 */
int abandoner_main(const struct opts *o, int index, struct stats *st)
{
	static uint8_t out[64][ECHO_SMALL_MAX]; /* must outlive the process's requests: it does */
	struct worker *w = &W;
	umnic_handle h2 = UMNIC_INVALID_HANDLE;
	struct timespec pause;
	unsigned i;

	*w = (struct worker){.o = o,
			     .index = index,
			     .st = st,
			     .rng = o->seed ^ (uint64_t)index << 32,
			     .role = "abandoning client"};
	pause.tv_sec = 0;
	pause.tv_nsec = (long)rnd_below(&w->rng, 1000) * 1000000L;
	nanosleep(&pause, NULL);
	if (!connect_and_open(w))
		return 1;
	if (index % 2 &&
	    umnic_open(w->c, o->device, FILE_READ_DATA | FILE_WRITE_DATA, &h2) != STATUS_SUCCESS) {
		fail(w, "the second umnic_open failed");
		return 1;
	}
	for (i = 0; i < 64; i++) {
		umnic_handle h = h2 && i % 2 ? h2 : w->h;
		uint32_t ms = 200 + rnd_below(&w->rng, 3000);
		uint8_t rec[RECORD_MIN];
		uint64_t id;
		NTSTATUS s;

		record_fill(rec, sizeof(rec), (uint32_t)rnd(&w->rng));
		switch (i % 4) {
		case 0:
		case 1:
			s = umnic_submit_ioctl(w->c, h, IOCTL_ECHO_DELAYED, &ms, sizeof(ms), NULL,
					       0, abandon_done, NULL, &id);
			break;
		case 2:
			s = umnic_submit_ioctl(w->c, h, IOCTL_ECHO_BUFFERED, rec, sizeof(rec),
					       out[i], sizeof(out[i]), abandon_done, NULL, &id);
			break;
		default:
			s = umnic_submit_write(w->c, h, rec, sizeof(rec), 0, abandon_done, NULL,
					       &id);
			break;
		}
		if (s != STATUS_PENDING) {
			fail(w, "submit %u returned %s", i, status_str(s));
			return 1;
		}
		st->submitted++;
		if (i % 8 == 5)
			umnic_cancel(w->c, id);
	}
	/* Some leave at once; others after reading part of their completions. */
	if (index % 3)
		st->completions += (unsigned)umnic_dispatch(w->c, (int)rnd_below(&w->rng, 20));
	st->finished = true;
	_exit(0);
}
