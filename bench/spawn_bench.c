/* SPDX-License-Identifier: MIT */
/*
 * The process plumbing of a restart alone: spawn a sandboxed umnic-host with a
 * driver mapped (clone into new namespaces, uid maps, exec, dlopen, sandbox
 * setup, seccomp), exchange one request with it, and kill it. Prints the
 * median and 99th percentile in microseconds.
 *
 *   spawn_bench UMNIC_HOST DRIVER.so COUNT
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/proto.h"
#include "umnicd/hosts/spawn.h"

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static int cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	static unsigned char buf[UMN_MSG_MAX];
	char *envp[] = { "PATH=/usr/bin:/bin", NULL };
	struct spawn_image image;
	char err0[PATH_MAX + 64];
	uint64_t *t;
	int n;

	if (argc != 4 || (n = atoi(argv[3])) < 1) {
		fprintf(stderr, "usage: spawn_bench UMNIC_HOST DRIVER.so COUNT\n");
		return 2;
	}
	if (spawn_image_open(&image, argv[1], err0, sizeof(err0)) < 0) {
		fprintf(stderr, "spawn_bench: %s\n", err0);
		return 1;
	}
	t = calloc((size_t)n, sizeof(*t));
	for (int i = 0; i < n; i++) {
		struct spawn_opts o = { .image = &image, .driver_name = "driver.so", .sandbox = true,
					.uid = 61234, .gid = 61234, .envp = envp };
		struct umn_msg_dev m;
		char err[256];
		int sv[2], pidfd, r;
		pid_t pid;
		uint64_t t0 = now_us();

		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
			return 1;
		o.sock = sv[1];
		o.driver_fd = spawn_driver_mount(argv[2]);
		if (o.driver_fd < 0) {
			fprintf(stderr, "spawn_bench: %s: %s\n", argv[2], strerror(-o.driver_fd));
			return 1;
		}
		r = spawn_host(&o, &pid, &pidfd, NULL, err, sizeof(err));
		close(sv[1]);
		close(o.driver_fd);
		if (r < 0) {
			fprintf(stderr, "spawn_bench: %s\n", err);
			return 1;
		}
		/* Any request proves the host is up and sandboxed: it answers only after both. */
		umn_msg_init(&m, UMN_MSG_REMOVE_DEVICE, sizeof(m), 1);
		m.dev = 63;
		if (umn_msg_send(sv[0], &m, sizeof(m), NULL, 0) < 0 || umn_msg_recv(sv[0], buf, sizeof(buf), NULL, NULL) <= 0) {
			fprintf(stderr, "spawn_bench: the host did not answer\n");
			return 1;
		}
		t[i] = now_us() - t0;
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		close(pidfd);
		close(sv[0]);
	}
	qsort(t, (size_t)n, sizeof(*t), cmp);
	printf("%llu %llu\n", (unsigned long long)t[n / 2], (unsigned long long)t[(n * 99 + 99) / 100 - 1]);
	free(t);
	return 0;
}
