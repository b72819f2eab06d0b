/* SPDX-License-Identifier: MIT */
/*
 * umnicd's event loop (main.c) and its state: the configuration, the device
 * and host tables in the global D, and the watches every module registers
 * its descriptors with. Each module's own API sits in a header beside its
 * file: dev/device.h, hosts/hostproc.h, net/netif.h, io/names.h,
 * io/reflector.h, ctl.h, trace.h.
 */
#ifndef UMNIC_UMNICD_UMNICD_H
#define UMNIC_UMNICD_UMNICD_H

#include <limits.h>
#include <stdio.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/clock.h"
#include "common/devreg.h"
#include "common/log.h"
#include "common/proto.h"
#include "umnicd/hosts/spawn.h"

struct device;
struct hostproc;

/*
 * A start (install, restart, automatic restart) that has not finished after
 * this long fails the device (--start-timeout), so an install never waits
 * longer, whatever the driver does; below umnic's own 300 s.
 */
#define UMN_START_TIMEOUT_DEFAULT_S 120u
#define UMN_START_TIMEOUT_MAX_S 3600u
/* Driver hosts run as this otherwise unused uid/gid unless --host-user says otherwise. */
#define UMN_DEFAULT_HOST_ID 61234u
/* umnicd polls this long after relaying a request or completion (--busy-poll-us). */
#define UMN_BUSY_POLL_DEFAULT_US 50u
#define UMN_MAX_CLIENTS_DEFAULT 4096u
#define UMN_MAX_CLIENTS_MAX 65536u
#define UMN_BUSY_POLL_MAX_US 10000u
/*
 * Descriptors unprivileged peers (control and I/O connections) must leave
 * to umnicd's own work, restarts of driver hosts above all, and to root;
 * a quarter of the limit when that is smaller.
 */
#define UMN_FD_RESERVE 1024u

/*
 * An event source of umnicd's loop: a descriptor, the callback its owner
 * gave, and the owner's object (NULL once watch_del ran: later events of the
 * same batch are skipped). The loop knows no module; each module registers
 * its own callbacks, so nothing calls back into the loop by name.
 */
struct watch;
/* Called with the epoll events; returns WATCH_* bits. */
typedef unsigned (*watch_fn)(struct watch *w, uint32_t events);
/* The callback moved messages or requests: the loop keeps polling the rings. */
#define WATCH_IO    1u
/* The callback freed objects that later events of this batch may name: the batch ends. */
#define WATCH_FREED 2u

struct watch {
	int fd;
	watch_fn fn;
	void *obj;
	uint32_t events;	/* EPOLLIN and EPOLLOUT as asked for (watch_want_in/out) */
};

struct daemon {
	char state_dir[PATH_MAX];
	char run_dir[PATH_MAX];
	char netns[PATH_MAX];
	char host_bin[PATH_MAX];
	struct spawn_image host_image;	/* umnic-host and its libraries, opened once (spawn.h) */
	int epfd;
	struct watch w_listen, w_signal, w_tick;
	struct device *devs[UMN_MAX_DEVICES];
	struct hostproc *hosts;
	uint32_t index_base;
	bool sandbox;		/* confine driver hosts (default) */
	bool warm_spare;	/* keep an idle host per crashed driver */
	/* Keep polling this long after a request or completion passed (0: always sleep). */
	uint64_t busy_poll_ns;
	bool io_rings;		/* offer hosts and clients message rings (default) */
	unsigned max_clients;	/* I/O clients connected at once; more are refused */
	uint64_t start_timeout_ns;	/* --start-timeout */
	int spare_fd;		/* given up to accept (and drop) a connection when out of fds */
	unsigned peer_fds;	/* descriptors held for control and I/O connections */
	char kmhost_stopped[UMN_TEXT_MAX / 2];	/* why the kernel-mode host was stopped, if it was */
	uid_t host_uid;		/* the unprivileged user driver hosts run as */
	gid_t host_gid;
	bool quit;
};

extern struct daemon D;

int watch_add(struct watch *w, int fd, watch_fn fn, void *obj);
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
void watch_del(struct watch *w);
/* Also waits for w's descriptor to become writable (or stops). */
void watch_want_out(struct watch *w, bool on);
/* Stops (or starts again) waiting for w's descriptor to become readable; hang-ups still come. */
void watch_want_in(struct watch *w, bool on);

#endif
