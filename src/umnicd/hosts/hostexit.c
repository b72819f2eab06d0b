/* SPDX-License-Identifier: MIT */
/*
 * Driver hosts at umnicd's shutdown: every host process is killed at once
 * and reaped through its pidfd; the kernel-mode driver, which runs on
 * umnicd's own threads and cannot be killed, gets a deadline to finish
 * removing its devices. Nothing here waits past the deadline.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/log.h"
#include "umnicd/hosts/host_int.h"
#include "umnicd/hosts/hostproc.h"
#include "umnicd/hosts/outbox.h"
#include "umnicd/base/config.h"
#include "umnicd/base/loop.h"

void host_kill_all(void)
{
	for (struct hostproc *h = host_list; h; h = h->next)
		if (!h->inhost && !h->reaped) {
			h->dead = true;
			syscall(SYS_pidfd_send_signal, h->pidfd, SIGKILL, NULL, 0);
		}
}

/* Milliseconds from now until deadline (monotonic ns), at least 0. */
static int ms_until(uint64_t deadline)
{
	uint64_t now = umn_mono_ns();

	return now >= deadline ? 0 : (int)((deadline - now + 999999) / 1000000);
}

/*
 * The kernel-mode driver gets until deadline to answer what it was asked
 * (the devices' removal: D0Exit, ReleaseHardware...). It runs on threads of
 * umnicd, so one stuck in a callback cannot be killed; umnicd exits without
 * waiting for it any longer.
 */
static void inhost_finish(struct hostproc *h, uint64_t deadline)
{
	while (!host_stopping(h) && (h->inflight || h->head)) {
		struct pollfd p = {.fd = h->sock, .events = POLLIN};
		int left = ms_until(deadline);

		if (!left) {
			umn_log(UMN_LOG_WARN,
				"kernel-mode driver %s did not finish removing its devices in time "
				"(a callback that does not return?); exiting without it",
				h->service);
			return;
		}
		outbox_flush_all();
		/* Answers may come on the ring, which has no descriptor to wait on: look often. */
		if (poll(&p, 1, left < 10 ? left : 10) < 0 && errno != EINTR)
			return;
		host_on_readable(h);
	}
}

/* Reaps the host processes host_kill_all killed, waiting for them until deadline. */
static void reap_all(uint64_t deadline)
{
	for (;;) {
		struct pollfd p[64];
		unsigned n = 0, left = 0;
		int r;

		for (struct hostproc *h = host_list; h; h = h->next) {
			siginfo_t si = {0};

			if (h->inhost || h->reaped)
				continue;
			/* pidfd names this very process: no pid that could have been reused. */
			if (waitid(P_PIDFD, (id_t)h->pidfd, &si, WEXITED | WNOHANG) == 0 &&
			    si.si_pid) {
				h->reaped = true;
				continue;
			}
			left++;
			if (n < sizeof(p) / sizeof(p[0]))
				p[n++] = (struct pollfd){.fd = h->pidfd, .events = POLLIN};
		}
		if (!left)
			return;
		if (!ms_until(deadline))
			break;
		r = poll(p, n, ms_until(deadline));
		if (r < 0 && errno != EINTR)
			break;
	}
	for (struct hostproc *h = host_list; h; h = h->next)
		if (!h->inhost && !h->reaped)
			umn_log(UMN_LOG_WARN,
				"driver host %d (%s) did not exit after SIGKILL; left to init",
				(int)h->pid, h->service);
}

void host_exit_wait(uint64_t deadline)
{
	/* Killed already (host_kill_all), unless one was started meanwhile. */
	host_kill_all();
	for (struct hostproc *h = host_list; h; h = h->next)
		if (h->inhost)
			inhost_finish(h, deadline);
	reap_all(deadline);
}
