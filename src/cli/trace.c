/* SPDX-License-Identifier: MIT */
/*
 * umnic trace DEVICE [--level L] [--flags F] [--follow]: a device's recent
 * WPP trace messages, which umnicd keeps (umnicd/trace.c). To follow, the
 * command asks again every FOLLOW_MS for what came after the last message it
 * printed, until it is interrupted; umnicd holds nothing for a follower.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "cli/io.h"

#define REPLY_MAX (64 * 1024)
#define CTL_MORE  0x1u
#define FOLLOW_MS 250

/* One request; prints the reply (holding back the "#next N" line, which sets *next). */
static int ask(const char *run_dir, int timeout_s, char *req, size_t len, uint64_t *next)
{
	static char reply[REPLY_MAX];
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int32_t code = 1;
	char *all = NULL, *save = NULL;
	size_t total = 0;
	int fd, r;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/umnicd.sock", run_dir);
	cli_deadline(timeout_s);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr,
			"umnic: cannot reach umnicd at %s: %s (is umnicd running? see --run-dir)\n",
			sa.sun_path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return 1;
	}
	if (send(fd, req, len, 0) < 0) {
		fprintf(stderr, "umnic: send: %s\n", strerror(errno));
		close(fd);
		return 1;
	}
	cli_deadline(0);
	for (uint32_t flags = CTL_MORE; flags & CTL_MORE;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		ssize_t n;

		do
			r = poll(&p, 1, timeout_s ? timeout_s * 1000 : -1);
		while (r < 0 && errno == EINTR);
		if (r == 0) {
			fprintf(stderr, "umnic: umnicd did not answer within %d s\n", timeout_s);
			free(all);
			close(fd);
			return 1;
		}
		n = recv(fd, reply, REPLY_MAX, 0);
		if (n < 8) {
			fprintf(stderr, "umnic: no answer from umnicd\n");
			free(all);
			close(fd);
			return 1;
		}
		memcpy(&code, reply, 4);
		memcpy(&flags, reply + 4, 4);
		if (code) {
			fwrite(reply + 8, 1, (size_t)n - 8, stderr);
			continue;
		}
		/* Lines may straddle packets: they are printed once the whole reply is here. */
		char *grown = realloc(all, total + (size_t)n - 8 + 1);
		if (!grown) {
			fprintf(stderr, "umnic: out of memory\n");
			free(all);
			close(fd);
			return 1;
		}
		all = grown;
		memcpy(all + total, reply + 8, (size_t)n - 8);
		total += (size_t)n - 8;
		all[total] = 0;
	}
	for (char *line = all ? strtok_r(all, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "#next ", 6))
			*next = strtoull(line + 6, NULL, 10);
		else
			printf("%s\n", line);
	}
	free(all);
	fflush(stdout);
	close(fd);
	return code;
}

int cli_trace(const char *run_dir, int timeout_s, int argc, char **argv)
{
	static char req[16384];
	bool follow = false;
	uint64_t next = 0;
	size_t len = 0;
	int words = 0;

	for (int i = 0; i < argc; i++) {
		size_t l;

		if (!strcmp(argv[i], "--follow") || !strcmp(argv[i], "-f")) {
			follow = true;
			continue;
		}
		l = strlen(argv[i]) + 1;
		if (len + l > sizeof(req) - 64) {
			fprintf(stderr, "umnic: arguments too long\n");
			return 2;
		}
		memcpy(req + len, argv[i], l);
		len += l;
		words++;
	}
	if (words < 2) {
		fprintf(stderr, "usage: umnic trace DEVICE [--level L] [--flags F] [--follow]\n");
		return 2;
	}
	for (;;) {
		struct timespec ts = {0, FOLLOW_MS * 1000000L};
		int n = snprintf(req + len, sizeof(req) - len, "--after%c%llu", 0,
				 (unsigned long long)next);
		int code = ask(run_dir, timeout_s, req, len + (size_t)n + 1, &next);

		if (code || !follow)
			return code;
		nanosleep(&ts, NULL);
	}
}
