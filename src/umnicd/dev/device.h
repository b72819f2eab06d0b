/* SPDX-License-Identifier: MIT */
/*
 * A device as umnicd keeps it (struct device: its INF, registry, state,
 * interface, restarts, names and waiters) and the device manager's API:
 * install and uninstall, start, failure and restart policy (devmgr.c), and
 * what is kept in the state directory (devstate.c).
 */
#ifndef UMNIC_UMNICD_DEV_DEVICE_H
#define UMNIC_UMNICD_DEV_DEVICE_H

#include <limits.h>
#include <stdio.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <ntstatus.h>

#include "common/devreg.h"
#include "common/log.h"
#include "common/proto.h"
#include "umnicd/inf/inf.h"
#include "umnicd/net/datapath.h"
#include "umnicd/dev/rss.h"
#include "umnicd/net/rtnl.h"
#include "umnicd/net/tap_features.h"
#include "umnicd/base/config.h"
#include "umnicd/base/loop.h"

/*
 * DEV_PNP_STOPPING and DEV_PNP_STOPPED: `umnic stop`, a PnP stop; the host
 * keeps the device out of D0 until `umnic start` (dev_pnp_stop, dev_pnp_start).
 */
enum dev_state {
	DEV_STOPPED,
	DEV_STARTING,
	DEV_STARTED,
	DEV_FAILED,
	DEV_RESTARTING,
	DEV_PNP_STOPPING,
	DEV_PNP_STOPPED,
};

struct device;

/* How a start someone waits for ended (dev_done_fn). */
enum dev_done {
	DEV_DONE_SETTLED,  /* started or failed: dev->state says which, dev->last_error why */
	DEV_DONE_REMOVED,  /* uninstalled while it was starting */
	DEV_DONE_SHUTDOWN, /* umnicd stops: no answer is coming */
};

/*
 * The waiter's callback (the control socket's: install, restart, stop, start),
 * called once with the context it gave; dev is valid for the call only.
 */
typedef void (*dev_done_fn)(void *ctx, struct device *dev, enum dev_done how);

struct hostproc;
struct trace_ring;

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
	int ns_sock;	       /* a socket in the interface's namespace, for its MTU */
	struct rtnl_link link; /* its flags, MTU and multicast list, from rtnetlink events */
	bool has_adapter;
	struct umn_adapter_caps caps; /* validated copy */
	char ifname[IFNAMSIZ];
	int ifindex;
	uint8_t mac[6];
	bool carrier;
	struct dp_adapter dp;
	bool dp_ready;
	struct watch w_fail;

	/* Restarts (reliability.md): failures within the window, and the last ones. */
	bool host_died;	   /* the host went away; pending callbacks must not fail the device */
	unsigned restarts; /* failures counted against the limit */
	uint64_t window_start_ns;
	unsigned failures_total;
	char last_failure[UMN_TEXT_MAX];
	uint64_t last_failure_ms; /* wall clock, for status */
	uint64_t died_ns;	  /* monotonic, when the death was detected */
	bool start_failed;	  /* the last start found no host; the retry waits (dev_crashed) */
	uint64_t retry_ns;	  /* monotonic, when that retry is due; 0: none pending */
	uint64_t restart_ns;	  /* death detected -> first frame forwarded, last restart */
	bool carrier_held; /* carrier kept up through a restart, until the grace period ends */

	/* Receive filter from the interface flags (promiscuous, all-multicast), replayed on
	 * restart. */
	uint32_t filter_sent;  /* NET_PACKET_FILTER_FLAGS last sent, UINT32_MAX: none */
	uint32_t filter_acked; /* what the driver's EvtSetReceiveFilter took */
	uint8_t mcast_sent[UMN_MCAST_MAX][6];
	unsigned mcast_sent_count; /* UINT32_MAX-like sentinel: filter_sent == UINT32_MAX */
	unsigned mcast_acked_count;
	pid_t filter_acked_pid; /* in which driver host */
	bool filter_inflight;
	bool filter_again; /* the interface changed while a request was in flight */

	/* Offloads (netif.c): the interface's features within what the driver can, replayed on
	 * restart. */
	struct tap_features tapf;
	uint32_t ofl_sent;  /* UMN_OFL_* last sent, UINT32_MAX: none to this driver yet */
	uint32_t ofl_acked; /* what its EvtAdapterOffloadSet* callbacks took */
	bool ofl_inflight;
	bool ofl_again; /* the interface changed while a request was in flight */
	bool mtu_warned;

	/* Queue pairs and receive scaling (dev/rss.c): the user's settings, replayed on restart. */
	int tapq_fd[DP_MAX_QUEUES]; /* more TAP queues: [1, ntapq); [0] is tap_fd */
	uint32_t ntapq;
	uint32_t q_creating; /* the queue CREATE_QUEUE is out for: 2 * pair + (RX ? 1 : 0) */
	struct netif_rss rss;

	/* Names clients open it by (WdfDeviceCreateSymbolicLink / DeviceInterface), names.c. */
	struct {
		uint32_t kind; /* UMN_NAME_* */
		GUID guid;
		char name[128];
		bool current; /* taken by the driver now running, not only held for it */
	} names[8];
	unsigned nnames;
	struct umn_log_limit name_log; /* refused symbolic links, logged once a second */
	/*
	 * State that could not be read back (devstate.c): the device stays listed,
	 * failed, with drv NULL, and its directory is left as it was.
	 */
	bool broken;
	uint32_t incarnation; /* bumped at every start: handles from an older one are stale */

	/* When the start under way fails for taking too long (0: none under way). */
	uint64_t start_deadline_ns;

	/* Its driver's recent WPP trace messages (trace.c); NULL until the first. */
	struct trace_ring *trace;

	/*
	 * The driver host keeps the device through a PnP stop and the start after
	 * it: its file objects stay, so I/O goes on reaching it (dev_io_ready).
	 */
	bool pnp_kept;
	/* Started again as soon as a PnP stop ends: `umnic set --queues` (netif_set). */
	bool pnp_restart;

	/* Whoever waits for this device to settle (install, restart), and its context. */
	dev_done_fn done;
	void *done_ctx;
};

/*
 * What other modules learn of every device's life, through the tables they
 * register with dev_listen at startup (the device manager calls no module
 * above it by name): the reflector hears that a driver went away, trace.c
 * that a device is freed. A member may be NULL.
 */
struct dev_events {
	/*
	 * dev's driver went away (failed, crashed, removed, shutdown): what waits
	 * on it ends with status. removed: the device itself is going too.
	 */
	void (*driver_gone)(struct device *dev, NTSTATUS status, bool removed);
	/* dev is about to be freed: nothing may point at it afterwards. */
	void (*freed)(struct device *dev);
};

/* devmgr.c */
/* Adds a listener to every device's events (at startup; DEV_LISTENERS_MAX at most). */
void dev_listen(const struct dev_events *ev);
/* Registers the device manager's handlers for driver host events (before any host starts). */
void dev_init(void);
/* A device numbered id from its INF, with the INF's registry; not listed, saved or started. */
int dev_new(uint32_t id, const char *inf_path, const char *hwid, const char *ifname,
	    const char *netns, struct device **ret, char *err, size_t cap);
void dev_free(struct device *dev);
/* Lists (and with persist, saves) a new device; done(done_ctx, ...) once its start settles. */
int dev_install(const char *inf_path, const char *hwid, char **params, int nparams,
		const char *ifname, const char *netns, bool persist, dev_done_fn done,
		void *done_ctx, struct device **ret, char *err, size_t cap);
int dev_uninstall(struct device *dev, char *err, size_t cap);
void dev_start(struct device *dev);
void dev_fail(struct device *dev, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void dev_settled(struct device *dev);
struct device *dev_find(const char *name);
/* `umnic stop` and `umnic start`: a PnP stop, and the start after it. 0, or -errno with err set. */
int dev_pnp_stop(struct device *dev, char *err, size_t cap);
int dev_pnp_start(struct device *dev, char *err, size_t cap);
/* done(done_ctx, ...) once dev settles (after a stop or start dev_pnp_* accepted). */
void dev_wait(struct device *dev, dev_done_fn done, void *done_ctx);
/* The state as `umnic status` names it. */
const char *dev_state_name(enum dev_state s);
/*
 * Whether requests go to the device's driver: it runs, or a PnP stop keeps
 * it, where power-managed queues hold them until the start (as in WDF).
 */
static inline bool dev_io_ready(const struct device *dev)
{
	return dev->host && (dev->state == DEV_STARTED || dev->pnp_kept);
}
/* The device numbered id, or NULL (none, or id out of range). */
struct device *dev_get(uint32_t id);
/* devstate.c: puts a restored device in the table under its number. */
void dev_table_put(uint32_t id, struct device *dev);
/* devstate.c: restores every device in the state dir, with its number and instance id. */
void dev_load_all(void);
void dev_on_dp_fail(struct device *dev);
void dev_crashed(struct device *dev, const char *why, uint64_t detected_ns);
/* Between devmgr.c and restart.c: the driver of dev is gone (listeners hear it) ... */
void tell_driver_gone(struct device *dev, NTSTATUS status, bool removed);
/* ... and the answer to a start request (EvtDriverDeviceAdd and what follows it). */
void on_added(struct device *dev, NTSTATUS st, const char *text);
/* Starts a failed device again; done(done_ctx, ...) once it settles (not called on an error). */
int dev_restart(struct device *dev, dev_done_fn done, void *done_ctx, char *err, size_t cap);
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

#endif
