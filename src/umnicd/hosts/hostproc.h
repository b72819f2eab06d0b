/* SPDX-License-Identifier: MIT */
/*
 * Driver hosts as umnicd sees them (struct hostproc): a umnic-host process
 * or the in-host kernel-mode driver, the devices it serves, the request
 * queue to it and its outbox. hostproc.c runs the processes, hostreq.c
 * what umnicd asks them, hostmsg.c what a host sends, hostexit.c the end
 * at shutdown.
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

/* dev/'s device: an opaque handle here, given back in events and request completions. */
struct device;
struct hostproc;
struct hreq;
struct ioclient;
struct io_share;

/* What hosts/ needs to know of a device to pick, start or reuse a host for its driver (dev/ fills
 * it in). */
struct host_devinfo {
	uint32_t id;
	const char *instance_id; /* for messages */
	const char *service;	 /* the driver's service name */
	const char *binary;	 /* its .so */
	bool kernel_mode;	 /* an in-host (KMDF) driver */
	bool sharing;		 /* UmdfHostProcessSharing enabled */
	bool verifier;
	bool sandbox; /* its host is confined */
};

/* A device a host serves. */
struct host_member {
	struct device *dev;
	uint32_t id;
	const char *name; /* its instance id, for messages; lives as long as dev */
};

/*
 * What a driver host tells the device manager, and what becomes of its
 * devices (dev/ registers these with host_events_dev before any host
 * starts). hosts/ never looks inside a struct device.
 */
typedef NTSTATUS host_adapter_start_fn(struct device *dev, const struct umn_adapter_caps *m,
				       char *err, size_t cap);

struct host_dev_events {
	/* NetAdapterStart's capabilities: an NTSTATUS for the driver, err saying why on failure. */
	host_adapter_start_fn *adapter_start;
	void (*link_state)(struct device *dev, const struct umn_link_state *m);
	/* The device fails (the driver said so, or its host cannot go on): why is the reason. */
	void (*failed)(struct device *dev, const char *why);
	/* The driver's error report about dev (a rule it broke): it explains a failure that
	 * follows. */
	void (*report)(struct device *dev, const char *text);
	/* The host serving dev died, detected at detected_ns; dev no longer has a host. */
	void (*crashed)(struct device *dev, const char *why, uint64_t detected_ns);
	/* A step of dev's start, for the restart timings. */
	void (*restart_step)(struct device *dev, const char *what);
};

/*
 * What a driver host sends or undergoes that the reflector handles (io/
 * registers these with host_events_io): messages as size-unchecked private
 * copies, for the handler to check.
 */
struct host_io_events {
	void (*complete)(struct hostproc *h, const void *msg, size_t len); /* IO_COMPLETE */
	void (*target)(struct hostproc *h, const void *msg,
		       size_t len); /* TARGET_OPEN/SEND/CANCEL/CLOSE */
	void (*register_name)(struct hostproc *h, const void *msg, size_t len); /* REGISTER_NAME */
	/* The host is gone: its driver's own requests are cancelled and its handles closed. */
	void (*host_gone)(struct hostproc *h);
	/* h is about to be freed: nothing may point at it afterwards. */
	void (*host_freed)(struct hostproc *h);
};

/* A TRACE message from h (trace.c registers it): why the host must be stopped, or NULL. */
typedef const char *(*host_trace_fn)(struct hostproc *h, unsigned char *msg, size_t len);

struct hostproc {
	struct hostproc *next;
	pid_t pid;
	int pidfd;
	int sock;
	int execfd; /* how far its exec got (spawn_exec_failure), until it first answers */
	char service[UMN_NAME_MAX];
	char so_path[PATH_MAX];
	bool shared;
	bool dead;
	uint64_t seq;
	struct hreq *head, *tail, *inflight;
	struct watch w_sock, w_pid;
	unsigned ndevices;
	struct host_member *members; /* the ndevices devices it serves */
	unsigned members_cap;
	char kill_reason[UMN_TEXT_MAX / 2]; /* why umnicd stopped it, if it did */
	bool sandboxed;
	bool spare;	  /* spawned ahead of need, waiting for a driver to restart into it */
	bool spare_kept;  /* a started device's driver wants it (host_keep_spare) */
	int death_signal; /* from its DYING note */
	uint64_t rate_window_ns; /* message rate limit */
	unsigned rate_count;
	char sandbox[UMN_TEXT_MAX / 2]; /* what the host reported it applied */
	uint64_t request_sent_ns;	/* when the request in flight went out (time-outs) */
	/* An in-host (kernel-mode) driver: threads of umnicd, no process of its own. */
	bool inhost;
	bool stop_pending;    /* host_kill asked; host_tick stops it outside any handler */
	bool reaped;	      /* its exit status was collected (shutdown) */
	struct ioclient *ioc; /* the driver as a client of other devices (reflector.c) */
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
void host_events_dev(const struct host_dev_events *ev);
void host_events_io(const struct host_io_events *ev);
void host_events_trace(host_trace_fn fn);
/* Opens umnic-host (host_bin) and its libraries once, for every spawn; 0 or negative errno. */
int hosts_init(const char *host_bin, char *err, size_t cap);
void hosts_fini(void);
/* A host for dev (shared, a spare, or new) in ret; its driver is loaded next. */
int host_attach(struct device *dev, const struct host_devinfo *info, struct hostproc **ret,
		char *err, size_t cap);
/*
 * Whether a device may start: a shared host of its driver runs fewer than
 * UMN_HOST_MAX_DEVICES devices. 0, or -ENOSPC with err saying why.
 */
int host_check_room(const struct host_devinfo *info, char *err, size_t cap);
/* dev leaves h (its host_attach): no request of it goes or completes any more. */
void host_detach(struct hostproc *h, struct device *dev);
void host_kill(struct hostproc *h, const char *why);

/* hostreq.c */
/* What the start of dev waits for in its host, for messages; and whether the host is stuck on it.
 */
bool host_start_pending(const struct hostproc *h, const struct device *dev, char *buf, size_t cap);
typedef void (*hreq_done_fn)(struct device *dev, NTSTATUS status, const char *text);
void host_request(struct hostproc *h, struct device *dev, void *msg, size_t len, const int *fds,
		  unsigned nfds, hreq_done_fn done);
/*
 * Sends a message to h without ever blocking umnicd: it is queued and leaves
 * with the others at the end of the loop's wake-up, or, if the socket has no
 * room, in order once it has (host_on_writable). A host that lets 16 MiB
 * pile up is not reading and is stopped. Returns 0 (queued) or a negative
 * errno (the message is dropped).
 */
int host_send(struct hostproc *h, const void *msg, size_t len, const int *fds, unsigned nfds);
void host_on_writable(struct hostproc *h);
/* Logs a completion of a request umnicd does not know, at most once a second per host. */
void host_stray_completion(struct hostproc *h, uint64_t id);

/* hostmsg.c */
void host_on_readable(struct hostproc *h);
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
/*
 * Warm spares (docs/reliability.md): host_keep_spare for every started
 * device keeps (or starts) one idle host for its driver; host_retire_spares
 * then stops the spares no such call kept since the last time.
 */
void host_keep_spare(const struct host_devinfo *info);
void host_retire_spares(void);

#endif
