/* SPDX-License-Identifier: MIT */
/*
 * Driver hosts start while the spawning process creates threads: a host is
 * cloned from umnicd, which has datapath threads (and an in-host driver's)
 * coming and going, and a clone must still reach its exec whatever state
 * those threads were in. Spawns COUNT sandboxed hosts while another thread
 * creates and joins threads without pause; each host must answer within
 * 10 s. A child that changes its ids through glibc (which waits for every
 * thread it knows of, one just created included, that the clone does not
 * have) hangs here.
 *
 *   spawn_churn UMNIC_HOST DRIVER.so COUNT
 */
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/proto.h"
#include "umnicd/hosts/spawn.h"

static atomic_bool stop;

static void *nothing(void *arg)
{
	return arg;
}

static void *churn(void *arg)
{
	while (!atomic_load(&stop)) {
		pthread_t t;
		if (pthread_create(&t, NULL, nothing, NULL) == 0)
			pthread_join(t, NULL);
	}
	return arg;
}

int main(int argc, char **argv)
{
	static unsigned char buf[UMN_MSG_MAX];
	char *envp[] = { "PATH=/usr/bin:/bin", NULL };
	struct spawn_image image;
	char err[PATH_MAX + 64];
	pthread_t churner[2];
	int n, failed = 0;

	if (argc != 4 || (n = atoi(argv[3])) < 1) {
		fprintf(stderr, "usage: spawn_churn UMNIC_HOST DRIVER.so COUNT\n");
		return 2;
	}
	if (spawn_image_open(&image, argv[1], err, sizeof(err)) < 0) {
		fprintf(stderr, "spawn_churn: %s\n", err);
		return 1;
	}
	for (int i = 0; i < 2; i++)
		pthread_create(&churner[i], NULL, churn, NULL);
	for (int i = 0; i < n && !failed; i++) {
		struct spawn_opts o = { .image = &image, .driver_name = "driver.so", .sandbox = true,
					.uid = 61234, .gid = 61234, .envp = envp };
		struct umn_msg_dev m;
		struct pollfd p;
		int sv[2], pidfd;
		pid_t pid;

		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
			return 1;
		o.sock = sv[1];
		o.driver_fd = spawn_driver_mount(argv[2]);
		if (o.driver_fd < 0 || spawn_host(&o, &pid, &pidfd, NULL, err, sizeof(err)) < 0) {
			fprintf(stderr, "spawn_churn: spawn %d: %s\n", i, o.driver_fd < 0 ? "driver mount" : err);
			return 1;
		}
		close(sv[1]);
		close(o.driver_fd);
		/* Any request proves the host reached its exec and its loop. */
		umn_msg_init(&m, UMN_MSG_REMOVE_DEVICE, sizeof(m), 1);
		m.dev = 63;
		p = (struct pollfd){ .fd = sv[0], .events = POLLIN };
		if (umn_msg_send(sv[0], &m, sizeof(m), NULL, 0) < 0 || poll(&p, 1, 10000) != 1 ||
		    umn_msg_recv(sv[0], buf, sizeof(buf), NULL, NULL) <= 0) {
			fprintf(stderr, "spawn_churn: host %d (pid %d) did not answer within 10 s\n", i, (int)pid);
			failed = 1;
		}
		/* Our own unreaped child: the pidfd names it, whatever happens to pids. */
		syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
		waitpid(pid, NULL, 0);
		close(pidfd);
		close(sv[0]);
	}
	atomic_store(&stop, true);
	for (int i = 0; i < 2; i++)
		pthread_join(churner[i], NULL);
	spawn_image_close(&image);
	if (!failed)
		printf("spawn_churn: %d hosts started and answered while threads came and went\n", n);
	return failed;
}
