/* SPDX-License-Identifier: MIT */
/*
 * The watches of umnicd's event loop on one epoll instance and the
 * descriptors peers hold (loop.h). main.c turns the loop;
 * every module adds and removes its own watches here.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/log.h"
#include "umnicd/base/loop.h"

static int epfd = -1;
/* Given up to accept (and drop) a connection when out of descriptors. */
static int spare_fd = -1;
/* Descriptors held for control and I/O connections. */
static unsigned peer_fds;

/*
 * Descriptors: each client holds two (its socket and a pidfd) and each
 * host several, so the soft limit goes up to the hard one (65536 at most);
 * one descriptor is kept spare for umn_accept.
 */
int loop_init(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max < 65536 ? rl.rlim_max : 65536;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	epfd = epoll_create1(EPOLL_CLOEXEC);
	return epfd < 0 ? -errno : 0;
}

void loop_fini(void)
{
	if (epfd >= 0)
		close(epfd);
	epfd = -1;
}

int loop_wait(void *evs, int max, int timeout_ms)
{
	return epoll_wait(epfd, evs, max, timeout_ms);
}

int watch_add(struct watch *w, int fd, watch_fn fn, void *obj)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = w};

	w->events = EPOLLIN;
	w->fn = fn;
	w->fd = fd;
	w->obj = obj;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		umn_log(UMN_LOG_ERR, "epoll_ctl: %m");
		w->fd = -1;
		return -errno;
	}
	return 0;
}

static void watch_set(struct watch *w, uint32_t bit, bool on)
{
	struct epoll_event ev = {.data.ptr = w};

	if (w->fd < 0 || !w->obj || !!(w->events & bit) == on)
		return;
	w->events = on ? w->events | bit : w->events & ~bit;
	ev.events = w->events;
	epoll_ctl(epfd, EPOLL_CTL_MOD, w->fd, &ev);
}

void watch_want_out(struct watch *w, bool on)
{
	watch_set(w, EPOLLOUT, on);
}

void watch_want_in(struct watch *w, bool on)
{
	watch_set(w, EPOLLIN, on);
}

void watch_del(struct watch *w)
{
	if (w->fd >= 0 && w->obj)
		epoll_ctl(epfd, EPOLL_CTL_DEL, w->fd, NULL);
	w->fd = -1;
	w->obj = NULL;
}

bool umn_fds_allow(unsigned n)
{
	struct rlimit rl;
	rlim_t reserve;

	/* Asked each time: the limit may have been changed from outside (prlimit). */
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
		return true;
	reserve = rl.rlim_cur / 4 < UMN_FD_RESERVE ? rl.rlim_cur / 4 : UMN_FD_RESERVE;
	return (rlim_t)peer_fds + n + reserve <= rl.rlim_cur;
}

void umn_fds_hold(int n)
{
	peer_fds = (unsigned)((int)peer_fds + n);
}

int umn_accept(int listen_fd, const char *what)
{
	static struct umn_log_limit dropped_log;
	int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (fd >= 0 || (errno != EMFILE && errno != ENFILE) || spare_fd < 0)
		return fd;
	close(spare_fd);
	fd = accept(listen_fd, NULL, NULL);
	if (fd >= 0)
		close(fd);
	spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (umn_log_limit_pass(&dropped_log, umn_mono_ns(), 1000000000ull, NULL, NULL))
		umn_log(UMN_LOG_WARN, "out of file descriptors: a connection to %s was dropped",
			what);
	errno = EMFILE;
	return -1;
}
