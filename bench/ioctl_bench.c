/* SPDX-License-Identifier: MIT */
/*
 * The IOCTL round trip: application -> umnicd -> sandboxed echo driver ->
 * umnicd -> application, against the plain kernel IPC it is built on (a
 * SOCK_SEQPACKET ping-pong between two processes), both measured in the
 * same run with the same 64-byte payload:
 *   - latency of one synchronous umnic_ioctl (p50, p99) against one
 *     seqpacket round trip;
 *   - throughput with 8 requests outstanding (umnic_submit_ioctl) against
 *     the same ping-pong with 8 messages in flight.
 * The two are alternated over several rounds so drift on a noisy machine
 * hits both alike. Prints RESULT lines as bench/run.sh describes.
 *
 *   ioctl_bench [-d RUN_DIR] [-n COUNT] [-r ROUNDS] [-s SECONDS] [-w WARMUP] [-t TAG]
 *
 * umnicd must run with drivers/echo installed and its device openable by us.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <umnic/client.h>

#include "echo.h"

#define MSG_LEN	 64
#define INFLIGHT 8

struct opts {
	const char *run_dir;
	int count; /* latency samples per side, over all rounds */
	int rounds;
	int warmup;
	double seconds; /* throughput time per side, over all rounds */
	const char *tag; /* appended to the result names (a second configuration) */
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Sorts t and returns its p-th percentile in microseconds (nearest rank). */
static double percentile_us(uint64_t *t, int n, int p)
{
	int rank = (n * p + 99) / 100;

	qsort(t, (size_t)n, sizeof(*t), cmp_u64);
	return (double)t[rank > 0 ? rank - 1 : 0] / 1000.0;
}

/* ---- the baseline: a seqpacket echo in a child process ---- */

/* The child: echoes every message until the parent closes its end. */
static void seq_echo_child(int fd)
{
	unsigned char buf[MSG_LEN];

	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			_exit(0);
		if (send(fd, buf, (size_t)n, MSG_NOSIGNAL) != n)
			_exit(1);
	}
}

static int seq_send(int fd, const void *buf)
{
	ssize_t n;

	do
		n = send(fd, buf, MSG_LEN, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n == MSG_LEN ? 0 : -1;
}

static int seq_recv(int fd, void *buf)
{
	ssize_t n;

	do
		n = recv(fd, buf, MSG_LEN, 0);
	while (n < 0 && errno == EINTR);
	return n == MSG_LEN ? 0 : -1;
}

/* count round trips, each timed into t (NULL: untimed warm-up). */
static int seq_pingpong(int fd, int count, uint64_t *t)
{
	unsigned char out[MSG_LEN], in[MSG_LEN];

	memset(out, 0xa5, sizeof(out));
	for (int i = 0; i < count; i++) {
		uint64_t t0 = now_ns();

		if (seq_send(fd, out) < 0 || seq_recv(fd, in) < 0)
			return -1;
		if (t)
			t[i] = now_ns() - t0;
	}
	return 0;
}

/* INFLIGHT messages kept outstanding for ns; stores the replies received in time. */
static int seq_inflight(int fd, uint64_t ns, uint64_t *ret_done, uint64_t *ret_ns)
{
	unsigned char out[MSG_LEN], in[MSG_LEN];
	uint64_t done = 0, t0 = now_ns(), end = t0 + ns, t = t0;

	memset(out, 0x5a, sizeof(out));
	for (int i = 0; i < INFLIGHT; i++)
		if (seq_send(fd, out) < 0)
			return -1;
	while (t < end) {
		if (seq_recv(fd, in) < 0 || seq_send(fd, out) < 0)
			return -1;
		done++;
		t = now_ns();
	}
	/* Drain the ones still in flight so the next measurement starts clean. */
	for (int i = 0; i < INFLIGHT; i++)
		if (seq_recv(fd, in) < 0)
			return -1;
	*ret_done = done;
	*ret_ns = t - t0;
	return 0;
}

/* ---- the IOCTL path ---- */

static int ioctl_pingpong(umnic_client *c, umnic_handle h, int count, uint64_t *t)
{
	unsigned char in[MSG_LEN], out[MSG_LEN];
	umnic_result res;

	for (int i = 0; i < count; i++) {
		uint64_t t0;
		NTSTATUS st;

		memset(in, (unsigned char)i, sizeof(in));
		t0 = now_ns();
		st = umnic_ioctl(c, h, IOCTL_ECHO_BUFFERED, in, sizeof(in), out, sizeof(out), &res);
		if (t)
			t[i] = now_ns() - t0;
		/* A benchmark of a path that fails fast would measure nothing. */
		if (!NT_SUCCESS(st) || res.information != MSG_LEN || memcmp(in, out, MSG_LEN)) {
			fprintf(stderr,
				"ioctl_bench: IOCTL_ECHO_BUFFERED: %s (0x%08x), %llu bytes%s\n",
				umnic_status_name(st) ? umnic_status_name(st) : "?", (unsigned)st,
				(unsigned long long)res.information,
				NT_SUCCESS(st) ? ", output differs from input" : "");
			return -1;
		}
	}
	return 0;
}

struct slot {
	struct flight *f;
	unsigned char out[MSG_LEN];
};

struct flight {
	umnic_handle h;
	unsigned char in[MSG_LEN];
	struct slot slots[INFLIGHT];
	bool stop;
	bool failed;
	int pending;
	uint64_t done;
};

static void on_complete(umnic_client *c, uint64_t req_id, const umnic_result *res, void *ctx);

static int flight_submit(umnic_client *c, struct slot *s)
{
	struct flight *f = s->f;
	NTSTATUS st = umnic_submit_ioctl(c, f->h, IOCTL_ECHO_BUFFERED, f->in, MSG_LEN, s->out,
					 MSG_LEN, on_complete, s, NULL);

	if (st != STATUS_PENDING) {
		fprintf(stderr, "ioctl_bench: umnic_submit_ioctl: %s (0x%08x)\n",
			umnic_status_name(st) ? umnic_status_name(st) : "?", (unsigned)st);
		f->failed = true;
		return -1;
	}
	f->pending++;
	return 0;
}

static void on_complete(umnic_client *c, uint64_t req_id, const umnic_result *res, void *ctx)
{
	struct slot *s = ctx;
	struct flight *f = s->f;

	f->pending--;
	if (!NT_SUCCESS(res->status) || res->information != MSG_LEN ||
	    memcmp(s->out, f->in, MSG_LEN)) {
		fprintf(stderr, "ioctl_bench: asynchronous IOCTL_ECHO_BUFFERED: %s (0x%08x)\n",
			umnic_status_name(res->status) ? umnic_status_name(res->status) : "?",
			(unsigned)res->status);
		f->failed = true;
		return;
	}
	if (f->stop || f->failed)
		return;
	f->done++;
	flight_submit(c, s);
}

static int ioctl_inflight(umnic_client *c, umnic_handle h, uint64_t ns, uint64_t *ret_done,
			  uint64_t *ret_ns)
{
	struct flight f = {.h = h};
	uint64_t t0 = now_ns(), end = t0 + ns, t = t0;

	memset(f.in, 0x3c, sizeof(f.in));
	for (int i = 0; i < INFLIGHT; i++) {
		f.slots[i].f = &f;
		if (flight_submit(c, &f.slots[i]) < 0)
			break;
	}
	while (!f.failed && t < end) {
		if (umnic_dispatch(c, -1) < 0)
			f.failed = true;
		t = now_ns();
	}
	/* Completions counted so far all arrived before t; the rest only drain. */
	*ret_done = f.done;
	*ret_ns = t - t0;
	f.stop = true;
	while (f.pending > 0)
		if (umnic_dispatch(c, -1) < 0)
			return -1;
	return f.failed ? -1 : 0;
}

/* ---- main ---- */

static int parse(int argc, char **argv, struct opts *o)
{
	int ch;

	*o = (struct opts){.count = 20000, .rounds = 5, .warmup = 2000, .seconds = 3.0, .tag = ""};
	while ((ch = getopt(argc, argv, "d:n:r:s:t:w:")) != -1) {
		switch (ch) {
		case 't':
			o->tag = optarg;
			break;
		case 'd':
			o->run_dir = optarg;
			break;
		case 'n':
			o->count = atoi(optarg);
			break;
		case 'r':
			o->rounds = atoi(optarg);
			break;
		case 's':
			o->seconds = atof(optarg);
			break;
		case 'w':
			o->warmup = atoi(optarg);
			break;
		default:
			return -1;
		}
	}
	if (optind != argc || o->rounds < 1 || o->count < o->rounds || o->warmup < 0 ||
	    !(o->seconds > 0))
		return -1;
	return 0;
}

/* The RESULT lines on stdout, then what they compare and the goals as comments on stderr. */
static void report(const struct opts *o, uint64_t *t_seq, uint64_t *t_io, int n, double seq_rate,
		   double io_rate)
{
	double s50 = percentile_us(t_seq, n, 50), s99 = percentile_us(t_seq, n, 99);
	double i50 = percentile_us(t_io, n, 50), i99 = percentile_us(t_io, n, 99);

	printf("RESULT name=ioctl_rtt_p50%s value=%.1f unit=us baseline=%.1f ratio=%.3f\n", o->tag,
	       i50, s50, i50 / s50);
	printf("RESULT name=ioctl_rtt_p99%s value=%.1f unit=us baseline=%.1f ratio=%.3f\n", o->tag,
	       i99, s99, i99 / s99);
	printf("RESULT name=ioctl_throughput_8%s value=%.0f unit=IOCTL/s baseline=%.0f ratio=%.3f\n",
	       o->tag, io_rate, seq_rate, io_rate / seq_rate);
	/* So the comments follow the results when both streams go to one place. */
	fflush(stdout);
	fprintf(stderr, "# baseline: %d-byte SOCK_SEQPACKET ping-pong between two processes; ",
		MSG_LEN);
	fprintf(stderr, "%d round trips a side in %d alternating rounds after %d warm-up; ", n,
		o->rounds, o->warmup);
	fprintf(stderr, "throughput with %d in flight, %.1f s a side\n", INFLIGHT, o->seconds);
	fprintf(stderr, "# goal: p50 within 2.5x of the seqpacket ping-pong; "
			"throughput >= 100000 IOCTL/s\n");
}

int main(int argc, char **argv)
{
	uint64_t *t_seq = NULL, *t_io = NULL;
	uint64_t seq_done = 0, seq_ns = 0, io_done = 0, io_ns = 0;
	umnic_handle h = UMNIC_INVALID_HANDLE;
	umnic_client *c = NULL;
	pid_t child = -1;
	int sv[2] = {-1, -1};
	int ret = 1, per, n;
	struct opts o;
	NTSTATUS st;

	if (parse(argc, argv, &o) < 0) {
		fprintf(stderr, "usage: ioctl_bench [-d RUN_DIR] [-n COUNT] [-r ROUNDS] "
				"[-s SECONDS] [-w WARMUP]\n");
		return 2;
	}
	per = o.count / o.rounds;
	n = per * o.rounds;
	t_seq = calloc((size_t)n, sizeof(*t_seq));
	t_io = calloc((size_t)n, sizeof(*t_io));
	if (!t_seq || !t_io) {
		fprintf(stderr, "ioctl_bench: out of memory for %d samples\n", n);
		goto out;
	}

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		fprintf(stderr, "ioctl_bench: socketpair: %s\n", strerror(errno));
		goto out;
	}
	child = fork();
	if (child < 0) {
		fprintf(stderr, "ioctl_bench: fork: %s\n", strerror(errno));
		goto out;
	}
	if (child == 0) {
		close(sv[0]);
		seq_echo_child(sv[1]);
	}
	close(sv[1]);
	sv[1] = -1;

	c = umnic_connect(o.run_dir);
	if (!c) {
		fprintf(stderr, "ioctl_bench: cannot reach umnicd in %s: %s (is umnicd running?)\n",
			o.run_dir ? o.run_dir : "$UMNIC_RUN_DIR or /run/umnic", strerror(errno));
		goto out;
	}
	st = umnic_open(c, "UmnicEcho", FILE_READ_DATA | FILE_WRITE_DATA, &h);
	if (!NT_SUCCESS(st)) {
		fprintf(stderr,
			"ioctl_bench: cannot open UmnicEcho: %s (0x%08x); install "
			"drivers/echo/echo.inf first\n",
			umnic_status_name(st) ? umnic_status_name(st) : "?", (unsigned)st);
		goto out;
	}

	if (seq_pingpong(sv[0], o.warmup, NULL) < 0 || ioctl_pingpong(c, h, o.warmup, NULL) < 0)
		goto io_failed;
	/* Alternate which side goes first so neither always follows the other. */
	for (int r = 0; r < o.rounds; r++) {
		uint64_t *ts = t_seq + (size_t)r * per, *ti = t_io + (size_t)r * per;
		bool seq_first = !(r & 1);

		if ((seq_first && seq_pingpong(sv[0], per, ts) < 0) ||
		    ioctl_pingpong(c, h, per, ti) < 0 ||
		    (!seq_first && seq_pingpong(sv[0], per, ts) < 0))
			goto io_failed;
	}
	for (int r = 0; r < 2 * o.rounds; r++) {
		uint64_t ns = (uint64_t)(o.seconds * 1e9 / o.rounds), d, e;

		/* Pairs in the order seq, IOCTL, IOCTL, seq, seq, IOCTL, ... */
		if ((r & 1) == ((r >> 1) & 1)) {
			if (seq_inflight(sv[0], ns, &d, &e) < 0)
				goto io_failed;
			seq_done += d;
			seq_ns += e;
		} else {
			if (ioctl_inflight(c, h, ns, &d, &e) < 0)
				goto io_failed;
			io_done += d;
			io_ns += e;
		}
	}

	report(&o, t_seq, t_io, n, (double)seq_done * 1e9 / (double)seq_ns,
	       (double)io_done * 1e9 / (double)io_ns);
	ret = 0;
	goto out;

io_failed:
	fprintf(stderr, "ioctl_bench: a round trip failed; no result\n");
out:
	if (h != UMNIC_INVALID_HANDLE)
		umnic_close(c, h);
	umnic_disconnect(c);
	if (sv[0] >= 0)
		close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
	if (child > 0)
		waitpid(child, NULL, 0);
	free(t_seq);
	free(t_io);
	return ret;
}
