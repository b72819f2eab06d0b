/* SPDX-License-Identifier: MIT */
/*
 * Driver hosts as umnicd sees them (struct hostproc): a umnic-host process
 * or the in-host kernel-mode driver, the devices it serves, the request
 * queue to it and its outbox. hostproc.c runs the processes and requests,
 * hostmsg.c what a host sends, hostexit.c the end at shutdown.
 */
#ifndef UMNIC_UMNICD_HOSTS_HOSTPROC_H
#define UMNIC_UMNICD_HOSTS_HOSTPROC_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <ntstatus.h>

#include "common/log.h"
#include "common/proto.h"
#include "umnicd/hosts/outbox.h"
#include "umnicd/base/config.h"
#include "umnicd/base/loop.h"

struct device;
struct hreq;
struct ioclient;
struct io_share;


struct hostproc {
	struct hostproc *next;
	pid_t pid;
	int pidfd;
	int sock;
	int execfd;		/* how far its exec got (spawn_exec_failure), until it first answers */
	char service[UMN_NAME_MAX];
	char so_path[PATH_MAX];
	bool shared;
	bool dead;
	uint64_t seq;
	struct hreq *head, *tail, *inflight;
	struct watch w_sock, w_pid;
	unsigned ndevices;
	char kill_reason[UMN_TEXT_MAX / 2];	/* why umnicd stopped it, if it did */
	bool sandboxed;
	bool spare;		/* spawned ahead of need, waiting for a driver to restart into it */
	int death_signal;	/* from its DYING note */
	uint64_t rate_window_ns;	/* message rate limit */
	unsigned rate_count;
	char sandbox[UMN_TEXT_MAX / 2];	/* what the host reported it applied */
	uint64_t request_sent_ns;	/* when the request in flight went out (time-outs) */
	/* An in-host (kernel-mode) driver: threads of umnicd, no process of its own. */
	bool inhost;
	bool stop_pending;	/* host_kill asked; host_tick stops it outside any handler */
	bool reaped;		/* its exit status was collected (shutdown) */
	struct ioclient *ioc;	/* the driver as a client of other devices (reflector.c) */
	/* Reflector requests it holds: in all, from unprivileged users, and per such user. */
	unsigned io_pending;
	unsigned io_unpriv;
	struct io_share *io_shares;
	/* Completions of requests umnicd does not know: logged once a second, the rest counted. */
	struct umn_log_limit stray_log;
	/* What umnicd sends it, sent at the end of each loop wake-up (host_send). */
	struct outbox out;
	/* Trace messages this second: received, and records stored (trace.c). */
	uint64_t trace_window_ns;
	unsigned trace_count, trace_stored;
};


/* hostproc.c */
/* Opens umnic-host (host_bin) and its libraries once, for every spawn; 0 or negative errno. */
int hosts_init(const char *host_bin, char *err, size_t cap);
void hosts_fini(void);
int host_attach(struct device *dev, char *err, size_t cap);
/*
 * Whether dev may start: a shared host of its driver runs fewer than
 * UMN_HOST_MAX_DEVICES devices. 0, or -ENOSPC with err saying why.
 */
int host_check_room(const struct device *dev, char *err, size_t cap);
/* What the start of dev waits for in its host, for messages; and whether the host is stuck on it. */
bool host_start_pending(const struct hostproc *h, const struct device *dev, char *buf, size_t cap);
void host_detach(struct device *dev);
typedef void (*hreq_done_fn)(struct device *dev, NTSTATUS status, const char *text);
void host_request(struct hostproc *h, struct device *dev, void *msg, size_t len, const int *fds,
		  unsigned nfds, hreq_done_fn done);
void host_on_readable(struct hostproc *h);
/*
 * Sends a message to h without ever blocking umnicd: it is queued and leaves
 * with the others at the end of the loop's wake-up, or, if the socket has no
 * room, in order once it has (host_on_writable). A host that lets 16 MiB
 * pile up is not reading and is stopped. Returns 0 (queued) or a negative
 * errno (the message is dropped).
 */
int host_send(struct hostproc *h, const void *msg, size_t len, const int *fds, unsigned nfds);
void host_on_writable(struct hostproc *h);
void host_kill(struct hostproc *h, const char *why);
/* Logs a completion of a request umnicd does not know, at most once a second per host. */
void host_stray_completion(struct hostproc *h, uint64_t id);
/* Whether umnicd is done with h (dead, killed, or cut off): its messages are dropped. */
bool host_stopping(const struct hostproc *h);

/* hostexit.c: shutdown. SIGKILL to every driver host process at once, so none holds it up. */
void host_kill_all(void);
/*
 * Until deadline (monotonic ns) at most: the kernel-mode driver finishes
 * what it was asked (its devices' removal), and the killed hosts are reaped.
 */
void host_exit_wait(uint64_t deadline);
/* Shutdown: host_exit_wait(deadline), then every host is freed. */
void host_free_all(uint64_t deadline);
void host_tick(uint64_t now_ns);
/* Keeps one idle host ready for dev's driver (see docs/reliability.md). */
void host_keep_spare(const struct device *dev);
void host_retire_spares(void);

#endif
