/* SPDX-License-Identifier: MIT */
/* umnicd's own state: devices, driver host processes, and the event loop that drives them. */
#ifndef UMNIC_HOST_UMNICD_H
#define UMNIC_HOST_UMNICD_H

#include <limits.h>
#include <stdio.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/devreg.h"
#include "common/log.h"
#include "common/proto.h"
#include "umnicd/net/datapath.h"
#include "umnicd/inf/inf.h"
#include "umnicd/hosts/outbox.h"
#include "umnicd/hosts/spawn.h"
#include "umnicd/io/reflector.h"

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

enum dev_state { DEV_STOPPED, DEV_STARTING, DEV_STARTED, DEV_FAILED, DEV_RESTARTING };

struct hostproc;

struct device {
	uint32_t id;
	char instance_id[UMN_NAME_MAX];
	char hwid[UMN_NAME_MAX];
	char inf_path[PATH_MAX];
	char ifname_req[IFNAMSIZ];
	char netns[128];
	struct inf_driver *drv;
	struct devreg *reg;
	enum dev_state state;
	char last_error[UMN_TEXT_MAX * 2];
	/* The driver's own last error report while starting (e.g. a verifier rule). */
	char last_report[UMN_TEXT_MAX];
	struct hostproc *host;

	/*
	 * The interface outlives driver processes: has_tap stays set across a
	 * restart, has_adapter only while the current driver has started its adapter.
	 */
	bool has_tap;
	int tap_fd;
	int ns_sock;	/* a socket in the interface's namespace, for its flags and MTU */
	bool has_adapter;
	struct umn_msg_adapter_start caps;	/* validated copy */
	char ifname[IFNAMSIZ];
	int ifindex;
	uint8_t mac[6];
	bool carrier;
	struct dp_adapter dp;
	bool dp_ready;
	struct watch w_fail;

	/* Restarts (reliability.md): failures within the window, and the last ones. */
	bool host_died;		/* the host went away; pending callbacks must not fail the device */
	unsigned restarts;	/* failures counted against the limit */
	uint64_t window_start_ns;
	unsigned failures_total;
	char last_failure[UMN_TEXT_MAX];
	uint64_t last_failure_ms;	/* wall clock, for status */
	uint64_t died_ns;	/* monotonic, when the death was detected */
	bool start_failed;	/* the last start found no host; the retry waits (dev_crashed) */
	uint64_t retry_ns;	/* monotonic, when that retry is due; 0: none pending */
	uint64_t restart_ns;	/* death detected -> first frame forwarded, last restart */
	bool carrier_held;	/* carrier kept up through a restart, until the grace period ends */

	/* Receive filter from the interface flags (promiscuous, all-multicast), replayed on restart. */
	uint32_t filter_sent;	/* NET_PACKET_FILTER_FLAGS last sent, UINT32_MAX: none */
	uint32_t filter_acked;	/* what the driver's EvtSetReceiveFilter took */
	uint8_t mcast_sent[UMN_MCAST_MAX][6];
	unsigned mcast_sent_count;	/* UINT32_MAX-like sentinel: filter_sent == UINT32_MAX */
	unsigned mcast_acked_count;
	pid_t filter_acked_pid;	/* in which driver host */
	bool filter_inflight;

	/* Names clients open it by (WdfDeviceCreateSymbolicLink / DeviceInterface), names.c. */
	struct {
		uint32_t kind;	/* UMN_NAME_* */
		GUID guid;
		char name[128];
		bool current;	/* taken by the driver now running, not only held for it */
	} names[8];
	unsigned nnames;
	struct umn_log_limit name_log;	/* refused symbolic links, logged once a second */
	/*
	 * State that could not be read back (devstate.c): the device stays listed,
	 * failed, with drv NULL, and its directory is left as it was.
	 */
	bool broken;
	uint32_t incarnation;	/* bumped at every start: handles from an older one are stale */

	/* When the start under way fails for taking too long (0: none under way). */
	uint64_t start_deadline_ns;

	/* Its driver's recent WPP trace messages (trace.c); NULL until the first. */
	struct trace_ring *trace;

	/* A CLI client waiting for this device to settle (install). */
	int waiter_fd;
	bool waiter_json;
};

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
uint64_t umn_now_ns(void);
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

/* devmgr.c */
/* A device numbered id from its INF, with the INF's registry; not listed, saved or started. */
int dev_new(uint32_t id, const char *inf_path, const char *hwid, const char *ifname, const char *netns,
	    struct device **ret, char *err, size_t cap);
void dev_free(struct device *dev);
int dev_install(const char *inf_path, const char *hwid, char **params, int nparams, const char *ifname,
		const char *netns, bool persist, struct device **ret, char *err, size_t cap);
int dev_uninstall(struct device *dev, char *err, size_t cap);
void dev_start(struct device *dev);
void dev_fail(struct device *dev, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void dev_settled(struct device *dev);
struct device *dev_find(const char *name);
/* devstate.c: restores every device in the state dir, with its number and instance id. */
void dev_load_all(void);
void dev_on_dp_fail(struct device *dev);
void dev_crashed(struct device *dev, const char *why, uint64_t detected_ns);
int dev_restart(struct device *dev, char *err, size_t cap);
void dev_tick(uint64_t now_ns);
/* While a device restarts: logs (debug) that it reached step what, and how long after the death. */
void dev_restart_step(const struct device *dev, const char *what);
bool dev_starting(const struct device *dev);
/* The network namespace file the device's interface and resources live in ("" for ours). */
void dev_netns_path(const struct device *dev, char *buf, size_t cap);
char *dev_status(struct device *only, bool json);
/* Shutdown: devices stay installed, this process's view of them goes; done by deadline. */
void dev_shutdown_all(uint64_t deadline);
/* Writes device.conf again (after a change to what it lists); logs a failure. */
void dev_persist(const struct device *dev);

/* devstate.c: a device's directory in the state dir. */
void devstate_dir(uint32_t id, char *buf, size_t cap);
/* Writes device.conf (atomically) and the registry. 0 or a negative errno. */
int devstate_save(const struct device *dev);
/* Removes the files of an uninstalled device and its directory. */
void devstate_remove(uint32_t id);
/* Renames an unreadable device's directory aside (never deletes it); the new path in ret. */
int devstate_quarantine(uint32_t id, char *ret, size_t cap);

/* names.c: symbolic links and device interfaces (see there for the rules). */
const char *names_link_base(const char *link);
/* NTSTATUS for WdfDeviceCreateSymbolicLink / WdfDeviceCreateDeviceInterface. */
int32_t names_register(struct device *dev, uint32_t kind, const GUID *guid, const char *name);
/* A link device.conf lists, held for dev until its driver takes it: 0, -EEXIST or -EINVAL. */
int names_restore_link(struct device *dev, const char *name);
void names_save(const struct device *dev, FILE *f);
/* The driver went away but comes back: its names are held for it. */
void names_hold(struct device *dev);
/* The driver has started: what it did not take again goes. */
void names_settle(struct device *dev);
void names_drop(struct device *dev);
struct device *names_find_link(const char *link);
/* The one device exposing the class; NULL with NOT_FOUND or (several) OBJECT_NAME_COLLISION. */
struct device *names_find_interface(const GUID *guid, int32_t *ret_status);
void names_interface_path(const struct device *dev, unsigned k, char *buf, size_t cap);

/* hostproc.c */
int host_attach(struct device *dev, char *err, size_t cap);
/*
 * Whether dev may start: a shared host of its driver runs fewer than
 * UMN_HOST_MAX_DEVICES devices. 0, or -ENOSPC with err saying why.
 */
int host_check_room(const struct device *dev, char *err, size_t cap);
/* What the start of dev waits for in its host, for messages; and whether the host is stuck on it. */
bool host_start_pending(const struct hostproc *h, const struct device *dev, char *buf, size_t cap);
void host_detach(struct device *dev);
typedef void (*hreq_done_fn)(struct device *dev, int32_t status, const char *text);
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

/* adapter.c (umnicd side) */
int32_t adapter_on_start(struct device *dev, const struct umn_msg_adapter_start *m, char *err, size_t cap);
void adapter_create_queues(struct device *dev);
void adapter_on_link_state(struct device *dev, const struct umn_msg_link_state *m);
void adapter_stop_datapath(struct device *dev);
void adapter_sync_filter(struct device *dev);
void adapter_teardown(struct device *dev);

/* ctl.c */
/* The control socket's listening watch (main.c registers it with this callback). */
unsigned ctl_on_accept(struct watch *w, uint32_t events);
/*
 * Closes unprivileged control connections that sent nothing for too long,
 * and drops replies their clients have not read for 30 s; true if it freed
 * either (an event of this loop turn may name it).
 */
bool ctl_tick(uint64_t now_ns);
/*
 * Answers a control request on fd, and closes fd: at once, or once the
 * client has read the whole reply (never waiting for it).
 */
void ctl_reply(int fd, int code, const char *text);

/* trace.c: WPP trace messages. trace_on_message returns why the host must be stopped, or NULL. */
struct trace_ring;
const char *trace_on_message(struct hostproc *h, unsigned char *buf, size_t n);
void trace_free(struct device *dev);
void trace_ctl(int fd, int argc, char **argv);
void ctl_free_all(void);

#endif
