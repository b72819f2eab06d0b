/* SPDX-License-Identifier: MIT */
/*
 * What every umnicd module registers its descriptors with: the watches of
 * the event loop (loop.c owns the epoll instance; main.c turns the loop),
 * and the descriptor budget of unprivileged peers (the clock is
 * common/clock.h's, included here for every module). The
 * loop knows no module: a watch carries its owner's callback and object, as
 * an sd-event source carries its handler and userdata.
 */
#ifndef UMNIC_UMNICD_BASE_LOOP_H
#define UMNIC_UMNICD_BASE_LOOP_H

#include <stdbool.h>
#include <stdint.h>

#include "common/clock.h"

/*
 * Descriptors unprivileged peers (control and I/O connections) must leave
 * to umnicd's own work, restarts of driver hosts above all, and to root;
 * a quarter of the limit when that is smaller.
 */
#define UMN_FD_RESERVE 1024u

/*
 * An event source of umnicd's loop: a descriptor, the callback its owner
 * gave, and the owner's object (NULL once watch_del ran: later events of the
 * same batch are skipped).
 */
struct watch;
/* Called with the epoll events; returns WATCH_* bits. */
typedef unsigned (*watch_fn)(struct watch *w, uint32_t events);
/* The callback moved messages or requests: the loop keeps polling the rings. */
#define WATCH_IO 1u
/* The callback freed objects that later events of this batch may name: the batch ends. */
#define WATCH_FREED 2u

struct watch {
	int fd;
	watch_fn fn;
	void *obj;
	uint32_t events; /* EPOLLIN and EPOLLOUT as asked for (watch_want_in/out) */
};

/*
 * The epoll instance, a raised descriptor limit and the spare descriptor
 * umn_accept gives up; 0 or a negative errno.
 */
int loop_init(void);
void loop_fini(void);
/* One wait: up to max events into evs (struct epoll_event), as epoll_wait. */
int loop_wait(void *evs, int max, int timeout_ms);

int watch_add(struct watch *w, int fd, watch_fn fn, void *obj);
void watch_del(struct watch *w);
/* Also waits for w's descriptor to become writable (or stops). */
void watch_want_out(struct watch *w, bool on);
/* Stops (or starts again) waiting for w's descriptor to become readable; hang-ups still come. */
void watch_want_in(struct watch *w, bool on);

/*
 * accept4 on a listening socket. Out of descriptors, the connection waiting
 * is taken with the spare one and dropped at once (so the listening socket
 * does not keep umnicd's loop awake), and what is logged names the socket.
 */
int umn_accept(int listen_fd, const char *what);
/*
 * Whether an unprivileged peer may have n more descriptors: all peers
 * together leave UMN_FD_RESERVE of umnicd's descriptor limit unused.
 */
bool umn_fds_allow(unsigned n);
/* Counts n descriptors more (or, negative, fewer) held for unprivileged peers. */
void umn_fds_hold(int n);

#endif
