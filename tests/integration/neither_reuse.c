/* SPDX-License-Identifier: MIT */
/*
 * neither_reuse: the processes of neither_reuse.sh, which checks that a
 * METHOD_NEITHER IOCTL can never make umnicd (root) write into a process
 * that reused a client's pid. Each mode prints "key: value" lines for the
 * script to check.
 *
 *   neither_reuse client RUN_DIR
 *     Connects with libumnic (the script sets UMNIC_NO_RINGS=1, so every
 *     reply comes on the socket), opens UmnicEcho and sends a METHOD_NEITHER
 *     IOCTL whose echo it checks ("live: ok"). Then it forks and exits: the
 *     child keeps the connection, whose peer pid umnicd learnt from the
 *     parent. The child prints "attacker: PID" and waits for a line on
 *     stdin holding the victim's buffer address. It then sends one more
 *     METHOD_NEITHER IOCTL through libumnic and checks its echo
 *     ("reused: ok"), and finally raw IOCTL packets laid out as
 *     METHOD_NEITHER once travelled: the caller's addresses in the message,
 *     here pointing into the victim ("attack: ..." per packet, then
 *     "attack: done").
 *
 *   neither_reuse victim PID
 *     Writes PID - 1 to /proc/sys/kernel/ns_last_pid and forks, so the child
 *     (the victim) gets PID when nothing else forks in between. The victim
 *     fills a buffer with a known pattern, prints "victim: PID ADDRESS",
 *     waits for a line on stdin, and prints "victim: intact" or
 *     "victim: changed N bytes".
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <umnic/client.h>

#include "echo.h"

#define VICTIM_BYTES 256
#define ATTACKS	     3

/* The IOCTL message as it was when METHOD_NEITHER sent the caller's addresses (56 bytes). */
struct pointer_ioctl {
	uint32_t type; /* 4: IOCTL */
	uint32_t len;
	uint64_t req_id;
	uint64_t handle;
	uint32_t code;
	uint32_t flags;
	uint32_t in_len;
	uint32_t out_len;
	uint64_t in_ptr;
	uint64_t out_ptr;
};
_Static_assert(sizeof(struct pointer_ioctl) == 56, "the IOCTL message is 56 bytes");

static uint8_t pattern(unsigned i)
{
	return (uint8_t)(i * 37 + 11);
}

/* A METHOD_NEITHER echo through libumnic; true when the output is the input. */
static bool echo_neither(umnic_client *c, umnic_handle h, const char *tag)
{
	uint8_t in[48], out[48];
	umnic_result res;
	NTSTATUS st;

	for (unsigned i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i ^ 0x5a);
	memset(out, 0, sizeof(out));
	st = umnic_ioctl(c, h, IOCTL_ECHO_NEITHER, in, sizeof(in), out, sizeof(out), &res);
	if (st != STATUS_SUCCESS || res.information != sizeof(in) || memcmp(in, out, sizeof(in))) {
		const char *name = umnic_status_name(st);

		printf("%s: failed (%s, Information %" PRIu64 ", output %s)\n", tag,
		       name ? name : "?", res.information,
		       memcmp(in, out, sizeof(in)) ? "wrong" : "right");
		return false;
	}
	printf("%s: ok\n", tag);
	return true;
}

/* The connection's socket: the only socket this process has. */
static int find_socket(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int found = -1, n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		char path[64], link[64];
		ssize_t len;

		snprintf(path, sizeof(path), "/proc/self/fd/%s", e->d_name);
		len = readlink(path, link, sizeof(link) - 1);
		if (len > 0 && (link[len] = 0, !strncmp(link, "socket:", 7))) {
			found = atoi(e->d_name);
			n++;
		}
	}
	closedir(d);
	return n == 1 ? found : -1;
}

/* Waits for each raw request's answer, or the end of the connection. */
static void collect(int sock, unsigned sent)
{
	for (unsigned got = 0; got < sent;) {
		struct pollfd p = {.fd = sock, .events = POLLIN};
		uint8_t buf[65536];
		uint32_t type;
		int32_t status;
		ssize_t n;

		if (poll(&p, 1, 20000) <= 0) {
			printf("attack: no answer within 20 s\n");
			return;
		}
		n = recv(sock, buf, sizeof(buf), 0);
		if (n <= 0) {
			printf("attack: connection closed by umnicd\n");
			return;
		}
		if (n < 20)
			continue;
		memcpy(&type, buf, 4);
		memcpy(&status, buf + 16, 4);
		if (type == 101) { /* COMPLETE */
			printf("attack: completed 0x%08" PRIx32 "\n", (uint32_t)status);
			got++;
		}
	}
}

static int attacker(umnic_client *c, umnic_handle h, int sock)
{
	unsigned long long addr;
	unsigned sent = 0;

	printf("attacker: %d\n", (int)getpid());
	fflush(stdout);
	if (scanf("%llx", &addr) != 1) {
		printf("attack: no victim address\n");
		return 1;
	}
	echo_neither(c, h, "reused");
	fflush(stdout);
	/* Each copies 64 of the victim's bytes over the 64 before them, were they followed. */
	for (unsigned i = 0; i < ATTACKS; i++) {
		struct pointer_ioctl m = {
		    .type = 4,
		    .len = sizeof(m),
		    .req_id = (UINT64_C(1) << 48) + i,
		    .handle = h,
		    .code = IOCTL_ECHO_NEITHER,
		    .in_len = 64,
		    .out_len = 64,
		    .in_ptr = addr + 64 * (i + 1),
		    .out_ptr = addr + 64 * i,
		};

		if (send(sock, &m, sizeof(m), MSG_NOSIGNAL) != (ssize_t)sizeof(m)) {
			printf("attack: send %u: %s\n", i, strerror(errno));
			break;
		}
		sent++;
	}
	printf("attack: sent %u\n", sent);
	collect(sock, sent);
	printf("attack: done\n");
	return 0;
}

static int client(const char *run_dir)
{
	umnic_client *c = umnic_connect(run_dir);
	umnic_handle h = UMNIC_INVALID_HANDLE;
	NTSTATUS st;
	int sock;
	pid_t pid;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!c) {
		printf("live: no connection (%s)\n", strerror(errno));
		return 1;
	}
	st = umnic_open(c, "UmnicEcho", GENERIC_READ | GENERIC_WRITE, &h);
	if (st != STATUS_SUCCESS) {
		printf("live: open failed (0x%08x)\n", (unsigned)st);
		return 1;
	}
	echo_neither(c, h, "live");
	sock = find_socket();
	if (sock < 0) {
		printf("live: not exactly one socket\n");
		return 1;
	}
	printf("client: %d\n", (int)getpid());
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0)
		_exit(attacker(c, h, sock));
	/* The connection stays with the child; umnicd still knows it by this process's pid. */
	_exit(0);
}

/* The exit status of a victim that did not get the pid it wanted: the parent tries again. */
#define VICTIM_MISSED 99

static int victim(pid_t want)
{
	static uint8_t buf[VICTIM_BYTES];
	char line[16];
	int status = 1;
	pid_t pid = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	/*
	 * Another process or thread of the namespace may be created between the
	 * ns_last_pid write and the fork and hold the pid for a while (the script
	 * reads our output without forking, and umnicd runs without warm spares,
	 * so that should not happen): wait until the pid is free and try again,
	 * for up to 5 s.
	 */
	int attempt, held = 0;

	for (attempt = 0; attempt < 500; attempt++) {
		if (attempt > 0)
			usleep(10000);
		if (kill(want, 0) == 0 || errno != ESRCH) {
			held++; /* someone holds it right now */
			continue;
		}
		FILE *f = fopen("/proc/sys/kernel/ns_last_pid", "w");

		if (!f || fprintf(f, "%d", (int)want - 1) < 0 || fclose(f) != 0) {
			printf("victim: cannot write ns_last_pid (%s)\n", strerror(errno));
			return 1;
		}
		pid = fork();
		if (pid < 0)
			return 1;
		if (pid == 0)
			break;
		waitpid(pid, &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != VICTIM_MISSED)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
	}
	if (pid > 0 || attempt == 500) {
		char path[64], who[64] = "nobody";
		FILE *st;

		/* Name the holder, so that a failure says which process took the pid. */
		snprintf(path, sizeof(path), "/proc/%d/comm", (int)want);
		st = fopen(path, "r");
		if (st) {
			if (fgets(who, sizeof(who), st))
				who[strcspn(who, "\n")] = 0;
			fclose(st);
		}
		printf("victim: never got pid %d in %d attempts (%d while another process held it, "
		       "now "
		       "%s; the last fork gave %d)\n",
		       (int)want, attempt, held, who, (int)pid);
		return 1;
	}
	if (getpid() != want)
		_exit(VICTIM_MISSED);
	for (unsigned i = 0; i < sizeof(buf); i++)
		buf[i] = pattern(i);
	printf("victim: %d %#llx\n", (int)getpid(), (unsigned long long)(uintptr_t)buf);
	if (!fgets(line, sizeof(line), stdin))
		_exit(1);
	unsigned changed = 0;
	for (unsigned i = 0; i < sizeof(buf); i++)
		changed += buf[i] != pattern(i);
	if (changed)
		printf("victim: changed %u bytes\n", changed);
	else
		printf("victim: intact\n");
	_exit(0);
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "client"))
		return client(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "victim"))
		return victim((pid_t)atoi(argv[2]));
	fprintf(stderr, "usage: neither_reuse client RUN_DIR | victim PID\n");
	return 2;
}
