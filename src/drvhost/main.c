/* SPDX-License-Identifier: MIT */
/*
 * umnic-host: the process a user-mode driver runs in. umnicd starts it with
 * one end of a SOCK_SEQPACKET socketpair (hostloop.c speaks over it), maps
 * the driver binary, closes the sandbox around it, and serves umnicd until
 * umnicd goes away.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/log.h"
#include "common/proto.h"
#include "drvhost/hostloop.h"
#include "drvhost/sandbox.h"
#include "runtime/host.h"

static int sock = -1;

/* Async-signal-safe: one sendmsg, then _exit. */
static void on_fatal_signal(int signo)
{
	struct umn_msg_dying m = {.h = {.type = UMN_MSG_DYING, .len = sizeof(m)}, .signo = signo};
	struct iovec iov = {.iov_base = &m, .iov_len = sizeof(m)};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};

	(void)!sendmsg(sock, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
	/* The raw system call: no exit hooks (a sanitizer's among them) run in a dying process. */
	syscall(SYS_exit_group, 128 + signo);
}

static void catch_fatal_signals(void)
{
	static const int sigs[] = {SIGSEGV, SIGBUS, SIGILL,  SIGFPE, SIGABRT, SIGTRAP, SIGSYS,
				   SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGUSR1, SIGUSR2};
	static char altstack[64 * 1024];
	stack_t ss = {.ss_sp = altstack, .ss_size = sizeof(altstack)};
	struct sigaction sa;

	/* A driver that overflows its stack still gets reported. */
	sigaltstack(&ss, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fatal_signal;
	sa.sa_flags = SA_ONSTACK | SA_RESETHAND;
	sigfillset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}

int main(int argc, char **argv)
{
	int opt;

	int driver_fd = -1;
	bool sandbox = false;
	const char *driver_name = "driver.so";
	int libdir_fd = -1, started_fd = -1;

	sock = 3;
	while ((opt = getopt(argc, argv, "f:d:n:L:E:s")) != -1) {
		if (opt == 'f')
			sock = atoi(optarg);
		else if (opt == 'd')
			driver_fd = atoi(optarg);
		else if (opt == 'n')
			driver_name = optarg;
		else if (opt == 's')
			sandbox = true;
		else if (opt == 'L')
			libdir_fd = atoi(optarg);
		else if (opt == 'E')
			started_fd = atoi(optarg);
		else {
			fprintf(stderr, "usage: umnic-host [-f SOCKET_FD] [-d DRIVER_FD -n NAME] "
					"[-L LIBDIR_FD] [-E STARTED_FD] [-s]\n");
			return 2;
		}
	}
	/*
	 * The loader found our libraries through the folder umnicd handed over (LD_LIBRARY_PATH
	 * names it by descriptor); neither the driver nor the sandbox may keep a way out to it.
	 */
	if (libdir_fd > 2) {
		close(libdir_fd);
		unsetenv("LD_LIBRARY_PATH");
	}
	/* Tells umnicd that the exec and the loader succeeded (spawn_exec_failure). */
	if (started_fd > 2) {
		(void)!write(started_fd, "R", 1);
		close(started_fd);
	}
	signal(SIGPIPE, SIG_IGN);
	if (sandbox)
		catch_fatal_signals();
	umn_log_set_prefix("umnic-host");
	umn_hostloop_init(sock, false);

	/*
	 * The driver is mapped before the sandbox closes: afterwards nothing may
	 * become executable. DriverEntry runs later, on LOAD_DRIVER, inside it.
	 */
	if (driver_fd >= 0) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/self/fd/%d", driver_fd);
		umn_rt_preload_driver(path);
	}
	if (sandbox) {
		char err[256];
		if (sandbox_enter(driver_fd, driver_name, umn_host_sandbox,
				  sizeof(umn_host_sandbox), err, sizeof(err)) < 0) {
			char line[300];
			snprintf(line, sizeof(line), "cannot set up the sandbox: %s", err);
			umn_hostloop_report(UMN_LOG_ERR, line);
			fprintf(stderr, "umnic-host: %s\n", line);
			return 3;
		}
	}
	if (driver_fd >= 0)
		close(driver_fd);
	umn_hostloop_run();
	/* umnicd is gone; nothing more can reach us, so leave without running driver teardown. */
	_exit(0);
}
