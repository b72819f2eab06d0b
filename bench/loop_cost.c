// SPDX-License-Identifier: MIT
/*
 * What one turn of umnicd's event loop costs, against libsystemd's
 * sd-event doing the same work: the question is whether sd-event would
 * cost the busy-poll path, where umnicd turns its loop without waiting
 * (epoll_wait with a zero time-out) between looks at its peers' rings.
 *
 * Both loops watch the same descriptors: 64 idle eventfds (peers with
 * nothing to say) and one that is kicked. Measured per turn:
 *   idle  - a turn that finds nothing (the busy-poll path);
 *   event - a turn that dispatches one ready descriptor to its callback.
 * Rounds alternate between the two loops and the medians are reported,
 * with the ratio sd-event / own loop.
 *
 * usage: loop_cost [turns-per-round]   (prints one line per measure)
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-event.h>

#define IDLE_FDS 64
#define ROUNDS	 9

/* The shape of umnicd's own sources: descriptor, callback, userdata. */
struct source {
	int fd;
	void (*cb)(struct source *s);
	void *userdata;
};

static uint64_t dispatched;

static void on_ready(struct source *s)
{
	uint64_t v;

	if (read(s->fd, &v, sizeof(v)) == sizeof(v))
		dispatched++;
}

static int on_ready_sd(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	uint64_t v;

	(void)s;
	(void)revents;
	(void)userdata;
	if (read(fd, &v, sizeof(v)) == sizeof(v))
		dispatched++;
	return 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void kick(int fd)
{
	uint64_t one = 1;

	if (write(fd, &one, sizeof(one)) != sizeof(one))
		abort();
}

static int own_turn(int ep)
{
	struct epoll_event evs[32];
	int n = epoll_wait(ep, evs, 32, 0);

	for (int i = 0; i < n; i++) {
		struct source *s = evs[i].data.ptr;

		s->cb(s);
	}
	return n;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	long turns = argc > 1 ? strtol(argv[1], NULL, 10) : 200000;
	struct source src[IDLE_FDS + 1];
	uint64_t own_idle[ROUNDS], own_ev[ROUNDS], sd_idle[ROUNDS], sd_ev[ROUNDS];
	sd_event *e = NULL;
	int ep, hot;

	if (turns <= 0)
		return 2;
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0 || sd_event_new(&e) < 0)
		return 1;
	for (int i = 0; i <= IDLE_FDS; i++) {
		struct epoll_event ev = {.events = EPOLLIN};

		src[i].fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		src[i].cb = on_ready;
		src[i].userdata = NULL;
		ev.data.ptr = &src[i];
		if (src[i].fd < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, src[i].fd, &ev) < 0)
			return 1;
		/* sd-event wants its own registration of each descriptor: a duplicate. */
		if (sd_event_add_io(e, NULL, dup(src[i].fd), EPOLLIN, on_ready_sd, NULL) < 0)
			return 1;
	}
	hot = src[IDLE_FDS].fd;

	for (int r = 0; r < ROUNDS; r++) {
		uint64_t t0, before;

		t0 = now_ns();
		for (long i = 0; i < turns; i++)
			own_turn(ep);
		own_idle[r] = now_ns() - t0;

		t0 = now_ns();
		for (long i = 0; i < turns; i++)
			sd_event_run(e, 0);
		sd_idle[r] = now_ns() - t0;

		before = dispatched;
		t0 = now_ns();
		for (long i = 0; i < turns; i++) {
			kick(hot);
			own_turn(ep);
		}
		own_ev[r] = now_ns() - t0;
		if (dispatched - before != (uint64_t)turns) {
			fprintf(stderr, "own loop dispatched %llu of %ld\n",
				(unsigned long long)(dispatched - before), turns);
			return 1;
		}

		before = dispatched;
		t0 = now_ns();
		for (long i = 0; i < turns; i++) {
			kick(hot);
			sd_event_run(e, 0);
		}
		sd_ev[r] = now_ns() - t0;
		if (dispatched - before != (uint64_t)turns) {
			fprintf(stderr, "sd-event dispatched %llu of %ld\n",
				(unsigned long long)(dispatched - before), turns);
			return 1;
		}
	}
	qsort(own_idle, ROUNDS, sizeof(uint64_t), cmp_u64);
	qsort(sd_idle, ROUNDS, sizeof(uint64_t), cmp_u64);
	qsort(own_ev, ROUNDS, sizeof(uint64_t), cmp_u64);
	qsort(sd_ev, ROUNDS, sizeof(uint64_t), cmp_u64);
	printf("loop turn, idle (busy-poll path): own %.0f ns, sd-event %.0f ns, ratio %.2f\n",
	       (double)own_idle[ROUNDS / 2] / turns, (double)sd_idle[ROUNDS / 2] / turns,
	       (double)sd_idle[ROUNDS / 2] / own_idle[ROUNDS / 2]);
	printf("loop turn, one event dispatched: own %.0f ns, sd-event %.0f ns, ratio %.2f\n",
	       (double)own_ev[ROUNDS / 2] / turns, (double)sd_ev[ROUNDS / 2] / turns,
	       (double)sd_ev[ROUNDS / 2] / own_ev[ROUNDS / 2]);
	sd_event_unref(e);
	for (int i = 0; i <= IDLE_FDS; i++)
		close(src[i].fd);
	close(ep);
	return 0;
}
