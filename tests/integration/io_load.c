/* SPDX-License-Identifier: MIT */
/*
 * io_load: many client processes at once against drivers/echo through
 * umnicd, every request checked to complete exactly once.
 *
 * Each of CLIENTS processes opens the device and sends REQUESTS requests,
 * at most OUTSTANDING at a time: echo IOCTLs through every buffer method
 * (the echoed bytes are compared), delayed IOCTLs that wait in the driver's
 * manual queue, writes of self-describing records and reads that must
 * return a whole record. About CANCEL percent are cancelled: half at once,
 * half a few milliseconds later or from another request's completion, so
 * cancels race with the driver's timer. A request may complete only with
 * STATUS_SUCCESS, or STATUS_CANCELLED when it was cancelled; anything else,
 * a second completion, or none at all names the client, the request and
 * the status.
 *
 * LATE more processes each send LATE_REQUESTS requests at once and read
 * none of the completions for a second, so umnicd finds their sockets full;
 * every request must still complete once they read. ABANDON more processes
 * leave with requests pending (_exit, no disconnect) while the load runs.
 * Afterwards a fresh client must still be served. The whole run is bounded
 * by SECONDS; a process still running then is reported with its progress
 * and killed.
 *
 *   io_load [-d RUN_DIR] [-D NAME] [-c CLIENTS] [-n REQUESTS] [-o OUTSTANDING]
 *           [-x CANCEL%] [-b BIG%] [-L LATE] [-a ABANDON] [-t SECONDS] [-s SEED] [-K]
 *
 * -K: the driver's process is killed during the run (by the caller), so
 * STATUS_DRIVER_PROCESS_TERMINATED is also a valid completion, for the
 * requests it had and for those sent on the handles it left stale; still
 * each request must complete exactly once. The totals line then counts
 * them as terminated=N.
 *
 * -b sends that percentage of echo IOCTLs with buffers over 48 KiB, which
 * travel in memfds. Prints one "io_load: requests=..." line of totals; exits
 * 0 only when every check passed.
 *
 * This file is the parent: it parses the options, forks the processes,
 * reaps them within the time bound, totals their counters and then tries
 * a fresh client. The client processes are in io_load_client.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "echo.h"
#include "io_load.h"

static void fresh_client_hung(int sig)
{
	static const char msg[] = "io_load: fresh client: no answer from umnicd in 30 s\n";

	(void)sig;
	(void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
	_exit(1);
}

/* A client that starts after the load: the device must serve it normally. */
static int fresh_client(const struct opts *o)
{
	static const char msg[] = "fresh client after the load";
	uint8_t out[sizeof(msg)], rec[64], back[RECORD_MAX] = {0};
	uint32_t ms = 1;
	umnic_result res;
	umnic_handle h;
	umnic_client *c;
	NTSTATUS st;
	int bad = 0;

	/* Connecting, umnic_open and umnic_close have no time-out of their own. */
	signal(SIGALRM, fresh_client_hung);
	alarm(30);
	c = umnic_connect(o->run_dir);
	if (!c) {
		fprintf(stderr, "io_load: fresh client: umnic_connect: %s\n", strerror(errno));
		return 1;
	}
	st = umnic_open(c, o->device, FILE_READ_DATA | FILE_WRITE_DATA, &h);
	if (st != STATUS_SUCCESS) {
		fprintf(stderr, "io_load: fresh client: umnic_open: %s\n", status_str(st));
		umnic_disconnect(c);
		return 1;
	}
	st = umnic_ioctl(c, h, IOCTL_ECHO_BUFFERED, msg, sizeof(msg), out, sizeof(out), &res);
	if (st != STATUS_SUCCESS || res.information != sizeof(msg) ||
	    memcmp(out, msg, sizeof(msg))) {
		fprintf(stderr, "io_load: fresh client: echo IOCTL: %s, Information %" PRIu64 "\n",
			status_str(st), res.information);
		bad = 1;
	}
	st = umnic_ioctl_timeout(c, h, IOCTL_ECHO_DELAYED, &ms, sizeof(ms), NULL, 0, 10000, &res);
	if (st != STATUS_SUCCESS) {
		fprintf(stderr, "io_load: fresh client: delayed IOCTL: %s\n", status_str(st));
		bad = 1;
	}
	record_fill(rec, sizeof(rec), 0x5eed);
	st = umnic_write(c, h, rec, sizeof(rec), 0, &res);
	if (st == STATUS_SUCCESS)
		st = umnic_read(c, h, back, sizeof(back), 0, &res);
	if (st != STATUS_SUCCESS || res.information != sizeof(rec) ||
	    memcmp(back, rec, sizeof(rec))) {
		fprintf(stderr,
			"io_load: fresh client: write then read: %s, Information %" PRIu64 "\n",
			status_str(st), res.information);
		bad = 1;
	}
	st = umnic_close(c, h);
	if (st != STATUS_SUCCESS) {
		fprintf(stderr, "io_load: fresh client: umnic_close: %s\n", status_str(st));
		bad = 1;
	}
	umnic_disconnect(c);
	alarm(0);
	if (!bad)
		printf("io_load: a fresh client is served after the load\n");
	return bad;
}

static void usage(FILE *f)
{
	fprintf(
	    f, "usage: io_load [-d RUN_DIR] [-D NAME] [-c CLIENTS] [-n REQUESTS] [-o OUTSTANDING]\n"
	       "               [-x CANCEL%%] [-b BIG%%] [-L LATE] [-a ABANDON] [-t SECONDS] [-s "
	       "SEED] [-K]\n");
}

static int int_arg(const char *s, int min, int max, int *ret)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 0);
	if (errno || end == s || *end || v < min || v > max)
		return -1;
	*ret = (int)v;
	return 0;
}

static int parse(int argc, char **argv, struct opts *o)
{
	int opt;

	*o = (struct opts){.device = "UmnicEcho",
			   .clients = 64,
			   .requests = 2000,
			   .outstanding = 16,
			   .cancel_pct = 25,
			   .abandon = 4,
			   .timeout_s = 120,
			   .seed = (uint64_t)time(NULL) ^ (uint64_t)getpid() << 20};
	while ((opt = getopt(argc, argv, "d:D:c:n:o:x:b:L:a:t:s:Kh")) != -1) {
		int bad = 0;

		switch (opt) {
		case 'd':
			o->run_dir = optarg;
			break;
		case 'D':
			o->device = optarg;
			break;
		case 'c':
			bad = int_arg(optarg, 1, 1024, &o->clients);
			break;
		case 'n':
			bad = int_arg(optarg, 1, 1000000, &o->requests);
			break;
		case 'o':
			bad = int_arg(optarg, 1, OUTSTANDING_MAX, &o->outstanding);
			break;
		case 'x':
			bad = int_arg(optarg, 0, 100, &o->cancel_pct);
			break;
		case 'b':
			bad = int_arg(optarg, 0, 100, &o->big_pct);
			break;
		case 'L':
			bad = int_arg(optarg, 0, 64, &o->late);
			break;
		case 'a':
			bad = int_arg(optarg, 0, 4096, &o->abandon);
			break;
		case 't':
			bad = int_arg(optarg, 1, 86400, &o->timeout_s);
			break;
		case 's':
			o->seed = strtoull(optarg, NULL, 0);
			break;
		case 'K':
			o->host_dies = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
		if (bad) {
			fprintf(stderr, "io_load: -%c %s: not a number in range\n", opt, optarg);
			return -1;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return -1;
	}
	return 0;
}

/*
 * Waits for every child until the deadline; a child still running then is
 * reported with its progress and killed. Returns the number of children
 * that crashed, hung or failed.
 */
static int reap(const struct opts *o, struct stats *st, int nproc, uint64_t deadline)
{
	int left = nproc, bad = 0;

	while (left) {
		int status;
		pid_t pid = waitpid(-1, &status, WNOHANG);

		if (pid < 0 && errno == EINTR)
			continue;
		if (pid < 0)
			break;
		if (pid == 0) {
			if (now_ns() >= deadline)
				break;
			nanosleep(&(struct timespec){.tv_nsec = 10000000}, NULL);
			continue;
		}
		for (int i = 0; i < nproc; i++) {
			if (st[i].pid != pid)
				continue;
			left--;
			st[i].pid = -st[i].pid; /* reaped */
			if (WIFSIGNALED(status)) {
				fprintf(stderr,
					"io_load: client %d (pid %d) crashed: %s after %u of %u "
					"completions\n",
					i, (int)pid, strsignal(WTERMSIG(status)), st[i].completions,
					st[i].submitted);
				bad++;
			} else if (WEXITSTATUS(status)) {
				bad++;
			}
		}
	}
	for (int i = 0; i < nproc; i++) {
		if (st[i].pid <= 0)
			continue;
		fprintf(stderr,
			"io_load: client %d (pid %d) hung: still running after %d s, with %u "
			"of %u requests completed; killed\n",
			i, (int)st[i].pid, o->timeout_s, st[i].completions, st[i].submitted);
		kill(st[i].pid, SIGKILL);
		waitpid(st[i].pid, NULL, 0);
		bad++;
	}
	return bad;
}

int main(int argc, char **argv)
{
	struct opts o;
	struct stats *st, sum = {0};
	uint64_t t0, deadline;
	int readers, nproc, bad;
	uint64_t want;
	double secs;

	if (parse(argc, argv, &o) < 0)
		return 2;
	/* Processes: the clients, then the late readers, then the abandoning ones. */
	readers = o.clients + o.late;
	nproc = readers + o.abandon;
	/* At most 1024 x 1,000,000 + 64 x LATE_REQUESTS: the totals fit their unsigned counters. */
	want = (uint64_t)o.clients * (uint64_t)o.requests + (uint64_t)o.late * LATE_REQUESTS;
	st = mmap(NULL, sizeof(*st) * (size_t)nproc, PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (st == MAP_FAILED) {
		perror("io_load: mmap");
		return 2;
	}
	printf(
	    "io_load: %d clients x %d requests, %d outstanding each, %d%% cancelled, %d%% of echo "
	    "IOCTLs over 48 KiB, %d late readers x %d requests, %d abandoning clients; seed "
	    "%" PRIu64 "\n",
	    o.clients, o.requests, o.outstanding, o.cancel_pct, o.big_pct, o.late, LATE_REQUESTS,
	    o.abandon, o.seed);
	fflush(stdout);

	t0 = now_ns();
	deadline = t0 + (uint64_t)o.timeout_s * 1000000000u;
	for (int i = 0; i < nproc; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("io_load: fork");
			for (int k = 0; k < i; k++)
				kill(st[k].pid, SIGKILL);
			return 2;
		}
		if (pid == 0) {
			st[i].pid = getpid();
			_exit(i < readers ? worker_main(&o, i, i >= o.clients, &st[i])
					  : abandoner_main(&o, i, &st[i]));
		}
		st[i].pid = pid;
	}
	bad = reap(&o, st, nproc, deadline);
	secs = (double)(now_ns() - t0) / 1e9;

	for (int i = 0; i < readers; i++) {
		sum.submitted += st[i].submitted;
		sum.completions += st[i].completions;
		sum.success += st[i].success;
		sum.cancelled += st[i].cancelled;
		sum.cancels += st[i].cancels;
		sum.cancel_not_found += st[i].cancel_not_found;
		sum.cancel_lost += st[i].cancel_lost;
		sum.terminated += st[i].terminated;
		sum.failures += st[i].failures;
		for (int k = 0; k < K_COUNT; k++) {
			sum.by_kind[k] += st[i].by_kind[k];
			sum.cancelled_by_kind[k] += st[i].cancelled_by_kind[k];
		}
	}
	for (int i = readers; i < nproc; i++) {
		sum.failures += st[i].failures;
		if (!st[i].finished) {
			fprintf(stderr, "io_load: abandoning client %d did not get to leave\n", i);
			bad++;
		}
	}
	for (int k = 0; k < K_COUNT; k++)
		printf("io_load: %-13s %7u sent, %6u cancelled\n", kind_name[k], sum.by_kind[k],
		       sum.cancelled_by_kind[k]);
	printf("io_load: umnic_cancel called %u times: %u found the request already completed, %u "
	       "cancelled requests completed with success first\n",
	       sum.cancels, sum.cancel_not_found, sum.cancel_lost);
	if (sum.submitted != want) {
		fprintf(stderr, "io_load: only %u of %" PRIu64 " requests were sent\n",
			sum.submitted, want);
		bad++;
	}
	if (sum.completions != sum.submitted) {
		fprintf(stderr, "io_load: %u requests, %u completions\n", sum.submitted,
			sum.completions);
		bad++;
	}
	/* A cancel that never takes effect would make this test prove nothing about cancels. */
	if (o.cancel_pct && !o.host_dies && sum.by_kind[K_DELAYED] > 100 &&
	    !sum.cancelled_by_kind[K_DELAYED]) {
		fprintf(stderr, "io_load: no delayed IOCTL completed as cancelled\n");
		bad++;
	}
	printf("io_load: requests=%u completions=%u successes=%u cancelled=%u terminated=%u "
	       "failures=%u abandoned=%d seconds=%.1f rate=%.0f/s\n",
	       sum.submitted, sum.completions, sum.success, sum.cancelled, sum.terminated,
	       sum.failures, o.abandon, secs, secs > 0 ? sum.completions / secs : 0.0);
	fflush(stdout);
	if (!bad)
		bad = fresh_client(&o);
	return bad || sum.failures ? 1 : 0;
}
