/* SPDX-License-Identifier: MIT */
/*
 * Devices: install and uninstall, what is kept in the state directory, the
 * start sequence, failure, and the status report.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <ntstatus.h>

#include "common/diag.h"
#include "common/log.h"
#include "umnicd/dev/device.h"
#include "umnicd/hosts/hostproc.h"
#include "umnicd/dev/names.h"
#include "umnicd/dev/netif.h"
#include "umnicd/net/tap.h"
#include "umnicd/base/config.h"
#include "umnicd/base/loop.h"

/* UMNIC_RESOURCE_FD_UDP_SOCKET in wdfresource.h, which umnicd does not include. */
#define UMNIC_RESOURCE_FD_UDP_SOCKET_VALUE 0x554d0002u

/* How long a crashed driver's interface keeps its carrier while the driver restarts. */
#define CARRIER_GRACE_NS (1000ull * 1000000ull)

/* Every device umnicd knows, by number (the device manager's own; dev_get reads it). */
static struct device *devs[UMN_MAX_DEVICES];

struct device *dev_get(uint32_t id)
{
	return id < UMN_MAX_DEVICES ? devs[id] : NULL;
}

void dev_table_put(uint32_t id, struct device *dev)
{
	devs[id] = dev;
}

#define DEV_LISTENERS_MAX 4
static const struct dev_events *listeners[DEV_LISTENERS_MAX];
static unsigned nlisteners;

void dev_listen(const struct dev_events *ev)
{
	if (nlisteners == DEV_LISTENERS_MAX) {
		umn_log(UMN_LOG_ERR, "too many listeners to device events (at most %d)",
			DEV_LISTENERS_MAX);
		return;
	}
	listeners[nlisteners++] = ev;
}

void tell_driver_gone(struct device *dev, NTSTATUS status, bool removed)
{
	for (unsigned i = 0; i < nlisteners; i++)
		if (listeners[i]->driver_gone)
			listeners[i]->driver_gone(dev, status, removed);
}

static void tell_freed(struct device *dev)
{
	for (unsigned i = 0; i < nlisteners; i++)
		if (listeners[i]->freed)
			listeners[i]->freed(dev);
}

/* What hosts/ needs to know of dev to choose, start or reuse a host for its driver. */
static struct host_devinfo host_info(const struct device *dev)
{
	uint32_t v;

	return (struct host_devinfo){
	    .id = dev->id,
	    .instance_id = dev->instance_id,
	    .service = dev->drv->service_name,
	    .binary = dev->drv->binary_path,
	    .kernel_mode = dev->drv->mode == INF_MODE_KERNEL,
	    .sharing = dev->drv->policy.host_process_sharing == INF_SHARING_ENABLED,
	    .verifier = dev->drv->verifier,
	    /* UmnicSandbox=0 in the device's registry turns it off for debugging. */
	    .sandbox = cfg->sandbox &&
		       !(devreg_get_dword(dev->reg, "", "UmnicSandbox", &v) == 0 && v == 0),
	};
}

/* dev leaves its host, if it has one. */
static void leave_host(struct device *dev)
{
	struct hostproc *h = dev->host;

	if (!h)
		return;
	dev->host = NULL;
	host_detach(h, dev);
}

void dev_netns_path(const struct device *dev, char *buf, size_t cap)
{
	/* A bare name is one `ip netns` made; a device without one uses umnicd's --netns. */
	if (dev->netns[0] && !strchr(dev->netns, '/'))
		snprintf(buf, cap, "/run/netns/%s", dev->netns);
	else
		umn_strlcpy(buf, dev->netns[0] ? dev->netns : cfg->netns, cap);
}

void dev_persist(const struct device *dev)
{
	int r = devstate_save(dev);

	if (r < 0)
		umn_log(UMN_LOG_ERR, "%s: cannot save its state in %s: %s", dev->instance_id,
			cfg->state_dir, strerror(-r));
}

void dev_free(struct device *dev)
{
	if (!dev)
		return;
	inf_driver_free(dev->drv);
	devreg_free(dev->reg);
	tell_freed(dev);
	free(dev);
}

/* Parses and resolves the INF; error text names file and line. */
static int resolve(const char *inf_path, const char *hwid, struct inf_driver **ret, char *err,
		   size_t cap)
{
	struct umn_diag diag;
	struct inf_file *inf = NULL;
	int r;

	umn_diag_init(&diag);
	r = inf_load(inf_path, &inf, &diag);
	if (r >= 0)
		r = inf_resolve_driver(inf, hwid && *hwid ? hwid : NULL, ret, &diag);
	for (size_t i = 0; i < umn_diag_n_warnings(&diag); i++)
		umn_log(UMN_LOG_WARN, "%s", umn_diag_warning(&diag, i));
	if (r < 0)
		snprintf(err, cap, "%s",
			 umn_diag_has_error(&diag) ? umn_diag_error_message(&diag) : strerror(-r));
	inf_free(inf);
	umn_diag_free(&diag);
	return r;
}

int dev_new(uint32_t id, const char *inf_path, const char *hwid, const char *ifname,
	    const char *netns, struct device **ret, char *err, size_t cap)
{
	struct device *dev;
	struct umn_diag diag;
	char svc[UMN_NAME_MAX];
	int r;

	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	dev->id = id;
	dev->tap_fd = dev->ns_sock = -1;
	umn_strlcpy(dev->inf_path, inf_path, sizeof(dev->inf_path));
	umn_strlcpy(dev->ifname_req, ifname, sizeof(dev->ifname_req));
	umn_strlcpy(dev->netns, netns, sizeof(dev->netns));
	r = resolve(inf_path, hwid, &dev->drv, err, cap);
	if (r < 0)
		goto fail;
	umn_strlcpy(dev->hwid, dev->drv->hwid, sizeof(dev->hwid));
	umn_strlcpy(svc, dev->drv->service_name, sizeof(svc));
	for (char *p = svc; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	snprintf(dev->instance_id, sizeof(dev->instance_id), "ROOT\\%s\\%04u", svc, dev->id);

	umn_diag_init(&diag);
	r = devreg_new(&dev->reg);
	if (r >= 0)
		r = inf_driver_apply_addreg(dev->drv, dev->reg, &diag);
	if (r < 0)
		snprintf(err, cap, "%s",
			 umn_diag_has_error(&diag) ? umn_diag_error_message(&diag)
						   : "cannot build the device registry");
	umn_diag_free(&diag);
	if (r < 0)
		goto fail;
	*ret = dev;
	return 0;
fail:
	dev_free(dev);
	return r;
}

int dev_install(const char *inf_path, const char *hwid, char **params, int nparams,
		const char *ifname, const char *netns, bool persist_it, dev_done_fn done,
		void *done_ctx, struct device **ret, char *err, size_t cap)
{
	struct device *dev;
	int id = -1, r;

	/* Restored devices keep their numbers, so this never reuses a number in the state dir. */
	for (int i = 0; i < UMN_MAX_DEVICES; i++)
		if (!devs[i]) {
			id = i;
			break;
		}
	if (id < 0) {
		snprintf(err, cap, "too many devices (at most %d)", UMN_MAX_DEVICES);
		return -ENOSPC;
	}
	r = dev_new((uint32_t)id, inf_path, hwid, ifname, netns, &dev, err, cap);
	if (r < 0)
		return r;
	for (int i = 0; i < nparams; i++) {
		r = devreg_set_param(dev->reg, params[i]);
		if (r < 0) {
			snprintf(err, cap,
				 "parameter '%s': expected Name=Value with a value that fits (%s)",
				 params[i], strerror(-r));
			goto fail;
		}
	}
	/* A fresh install past the host's limit is refused before it leaves a trace. */
	if (persist_it) {
		struct host_devinfo info = host_info(dev);

		r = host_check_room(&info, err, cap);
	}
	if (r < 0)
		goto fail;
	if (persist_it) {
		r = devstate_save(dev);
		if (r < 0) {
			snprintf(err, cap, "saving the device in %s: %s", cfg->state_dir,
				 strerror(-r));
			devstate_remove(dev->id);
			goto fail;
		}
	}
	devs[id] = dev;
	dev->done = done;
	dev->done_ctx = done_ctx;
	*ret = dev;
	return 0;
fail:
	dev_free(dev);
	return r;
}

void on_added(struct device *dev, NTSTATUS st, const char *text)
{
	dev_restart_step(dev, "device added");
	if (!NT_SUCCESS(st)) {
		dev_fail(dev, "%s", text && *text ? text : "adding the device failed");
		return;
	}
	if (!dev_starting(dev))
		return;
	if (dev->has_adapter) {
		adapter_create_queues(dev);
		return;
	}
	dev->state = DEV_STARTED;
	dev_settled(dev);
}

static int parse_inet(const char *s, struct sockaddr_in *ret)
{
	char host[64];
	const char *colon = strrchr(s, ':');
	char *end;
	unsigned long port;

	if (!colon || (size_t)(colon - s) >= sizeof(host))
		return -EINVAL;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	port = strtoul(colon + 1, &end, 10);
	if (*end || port > 65535)
		return -EINVAL;
	memset(ret, 0, sizeof(*ret));
	ret->sin_family = AF_INET;
	ret->sin_port = htons((uint16_t)port);
	return inet_pton(AF_INET, host, &ret->sin_addr) == 1 ? 0 : -EINVAL;
}

/*
 * The hardware a device's driver may use, opened here with umnicd's rights
 * and handed over as file descriptors (docs/reliability.md). The device
 * registry value UmnicResources lists them, one per string:
 *   udp:BIND_ADDR:PORT[>PEER_ADDR:PORT]   a UDP socket in the device's namespace
 * Returns how many were opened into fds/kinds, or -1 with dev failed.
 */
static int open_resources(struct device *dev, int *fds, uint32_t *kinds)
{
	char **list = NULL, nspath[PATH_MAX];
	int n = 0;

	if (devreg_get_multi_sz(dev->reg, "", "UmnicResources", &list) < 0) {
		/* A single entry may come as a plain string (install --param UmnicResources=...).
		 */
		const char *one;
		if (devreg_get_sz(dev->reg, "", "UmnicResources", &one) < 0)
			return 0;
		list = calloc(2, sizeof(*list));
		if (!list || !(list[0] = strdup(one))) {
			free(list);
			return 0;
		}
	}
	dev_netns_path(dev, nspath, sizeof(nspath));
	for (char **e = list; *e; e++) {
		struct sockaddr_in bind_to, peer;
		char spec[160], *arrow;
		int fd;

		umn_strlcpy(spec, *e, sizeof(spec));
		arrow = strchr(spec, '>');
		if (arrow)
			*arrow++ = '\0';
		if (n >= UMN_MAX_RESOURCES || strncmp(spec, "udp:", 4) ||
		    parse_inet(spec + 4, &bind_to) < 0 || (arrow && parse_inet(arrow, &peer) < 0)) {
			dev_fail(dev,
				 "UmnicResources entry '%s' is not udp:ADDR:PORT[>ADDR:PORT] (at "
				 "most %d entries)",
				 *e, UMN_MAX_RESOURCES);
			goto fail;
		}
		fd = tap_netns_socket(nspath[0] ? nspath : NULL);
		if (fd < 0 || bind(fd, (struct sockaddr *)&bind_to, sizeof(bind_to)) < 0 ||
		    (arrow && connect(fd, (struct sockaddr *)&peer, sizeof(peer)) < 0)) {
			dev_fail(dev, "UmnicResources entry '%s': %s", *e, strerror(errno));
			if (fd >= 0)
				close(fd);
			goto fail;
		}
		fds[n] = fd;
		kinds[n] = UMNIC_RESOURCE_FD_UDP_SOCKET_VALUE;
		n++;
	}
	devreg_strv_free(list);
	return n;
fail:
	for (int i = 0; i < n; i++)
		close(fds[i]);
	devreg_strv_free(list);
	return -1;
}

void dev_start(struct device *dev)
{
	struct umn_msg_add_device *m;
	void *blob = NULL;
	size_t blob_len = 0;
	char err[UMN_TEXT_MAX];
	int res_fds[UMN_MAX_RESOURCES], nres;
	struct host_devinfo info;

	if (dev->broken)
		return;
	/*
	 * The clock runs from the install or restart a client waits for; an automatic restart
	 * while it waits keeps that deadline, so the client never waits longer than one.
	 */
	if (dev->state != DEV_RESTARTING || !dev->done || !dev->start_deadline_ns)
		dev->start_deadline_ns = umn_mono_ns() + cfg->start_timeout_ns;
	if (dev->state != DEV_RESTARTING)
		dev->state = DEV_STARTING;
	dev->start_failed = false;
	dev->retry_ns = 0;
	dev->pnp_kept = false;
	dev->incarnation++;
	dev->last_error[0] = '\0';
	dev->last_report[0] = '\0';
	if (access(dev->drv->binary_path, R_OK) < 0) {
		dev_fail(dev, "driver binary %s: %s (ServiceBinary in %s)", dev->drv->binary_path,
			 strerror(errno), dev->inf_path);
		return;
	}
	if (devreg_serialize(dev->reg, &blob, &blob_len) < 0 ||
	    blob_len > UMN_MSG_MAX - sizeof(*m)) {
		free(blob);
		dev_fail(dev, "device registry too large to send");
		return;
	}
	info = host_info(dev);
	if (host_attach(dev, &info, &dev->host, err, sizeof(err)) < 0) {
		char why[UMN_TEXT_MAX + 32];

		free(blob);
		/* Like a crash: retried under the restart policy, after a pause (start_retry_ns).
		 */
		snprintf(why, sizeof(why), "cannot start a driver host: %s", err);
		dev->start_failed = true;
		dev_crashed(dev, why, umn_mono_ns());
		return;
	}
	dev_restart_step(dev, "host attached");
	m = calloc(1, sizeof(*m) + blob_len);
	if (!m) {
		free(blob);
		dev_fail(dev, "out of memory");
		return;
	}
	umn_msg_init(m, UMN_MSG_ADD_DEVICE, (uint32_t)(sizeof(*m) + blob_len), 0);
	m->dev = dev->id;
	m->flags = dev->drv->verifier ? UMN_LOAD_VERIFIER : 0;
	umn_strlcpy(m->instance_id, dev->instance_id, sizeof(m->instance_id));
	umn_strlcpy(m->hwid, dev->hwid, sizeof(m->hwid));
	m->registry_len = (uint32_t)blob_len;
	memcpy(m + 1, blob, blob_len);
	nres = open_resources(dev, res_fds, m->resource_kind);
	if (nres < 0) {
		free(blob);
		free(m);
		return;
	}
	m->nresources = (uint32_t)nres;
	host_request(dev->host, dev, m, sizeof(*m) + blob_len, res_fds, (unsigned)nres, on_added);
	for (int i = 0; i < nres; i++)
		close(res_fds[i]);
	free(blob);
	free(m);
}

void dev_fail(struct device *dev, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(dev->last_error, sizeof(dev->last_error), fmt, ap);
	va_end(ap);
	/* What the driver reported just before (a rule it broke) explains a bare status. */
	if (dev->last_report[0] && !strstr(dev->last_error, dev->last_report)) {
		size_t n = strlen(dev->last_error);
		snprintf(dev->last_error + n, sizeof(dev->last_error) - n, " (%s)",
			 dev->last_report);
	}
	umn_log(UMN_LOG_ERR, "%s: %s", dev->instance_id, dev->last_error);
	if (dev->state == DEV_FAILED)
		return;
	dev->state = DEV_FAILED;
	dev->pnp_kept = false;
	tell_driver_gone(dev, STATUS_DRIVER_PROCESS_TERMINATED, false);
	/* Not coming back by itself: another device may now take its names. */
	names_drop(dev);
	/* The interface stays (addresses and routes with it) for `umnic restart`; no carrier. */
	adapter_stop_datapath(dev);
	if (dev->has_tap)
		tap_set_carrier(dev->tap_fd, false);
	dev->carrier = dev->carrier_held = false;
	/* A host whose other devices still run keeps running; a lone one is stopped. */
	leave_host(dev);
	dev_settled(dev);
}

void dev_on_dp_fail(struct device *dev)
{
	struct hostproc *h = dev->host;
	char why[sizeof(dev->dp.fail_reason) + 32];

	snprintf(why, sizeof(why), "driver stopped: %s", dev->dp.fail_reason);
	/* The driver process is not trusted after this; stop it, and with it any device it hosts.
	 */
	if (h)
		host_kill(h, why);
	dev_fail(dev, "%s", why);
}

/* The waiter, if any, hears how the start it waits for ended; it is called once. */
static void notify_done(struct device *dev, enum dev_done how)
{
	dev_done_fn done = dev->done;

	if (!done)
		return;
	dev->done = NULL;
	done(dev->done_ctx, dev, how);
	dev->done_ctx = NULL;
}

void dev_wait(struct device *dev, dev_done_fn done, void *done_ctx)
{
	dev->done = done;
	dev->done_ctx = done_ctx;
}

void dev_settled(struct device *dev)
{
	if (!dev_starting(dev))
		dev->start_deadline_ns = 0;
	if (dev->state == DEV_STARTED) {
		names_settle(dev);
		dev->pnp_kept = false;
	}
	/* A PnP stop settles once the host has stopped the device. */
	if (!dev_starting(dev) && dev->state != DEV_PNP_STOPPING)
		notify_done(dev, DEV_DONE_SETTLED);
}

int dev_uninstall(struct device *dev, char *err, size_t cap)
{
	if (dev->broken) {
		char kept[PATH_MAX + 32];
		int r = devstate_quarantine(dev->id, kept, sizeof(kept));

		if (r < 0) {
			snprintf(err, cap, "cannot move its state aside: %s\n", strerror(-r));
			return r;
		}
		umn_log(UMN_LOG_INFO, "%s removed; its unreadable state is kept in %s",
			dev->instance_id, kept);
		snprintf(err, cap, "its unreadable state is kept in %s\n", kept);
		devs[dev->id] = NULL;
		dev_free(dev);
		return 0;
	}
	tell_driver_gone(dev, STATUS_DEVICE_REMOVED, true);
	adapter_teardown(dev);
	if (dev->host) {
		struct umn_msg_dev m;
		umn_msg_init(&m, UMN_MSG_REMOVE_DEVICE, sizeof(m), 0);
		m.dev = dev->id;
		host_request(dev->host, NULL, &m, sizeof(m), NULL, 0, NULL);
		leave_host(dev);
	}
	notify_done(dev, DEV_DONE_REMOVED);
	devstate_remove(dev->id);
	devs[dev->id] = NULL;
	dev_free(dev);
	return 0;
}

struct device *dev_find(const char *name)
{
	char *end;
	unsigned long n = strtoul(name, &end, 10);

	if (*name && !*end && n < UMN_MAX_DEVICES)
		return devs[n];
	for (int i = 0; i < UMN_MAX_DEVICES; i++) {
		struct device *d = devs[i];
		if (d &&
		    (!strcasecmp(d->instance_id, name) || (d->has_tap && !strcmp(d->ifname, name))))
			return d;
	}
	/* Or a symbolic link the driver registered, as clients open it. */
	return names_find_link(name);
}

void dev_shutdown_all(uint64_t deadline)
{
	/* The driver processes first: nothing they do (or fail to do) can hold up what follows. */
	host_kill_all();
	for (int i = 0; i < UMN_MAX_DEVICES; i++) {
		struct device *dev = devs[i];
		if (!dev)
			continue;
		tell_driver_gone(dev, STATUS_DEVICE_REMOVED, true);
		adapter_teardown(dev);
		notify_done(dev, DEV_DONE_SHUTDOWN);
		leave_host(dev);
		devs[i] = NULL;
		dev_free(dev);
	}
	host_free_all(deadline);
}

const char *dev_state_name(enum dev_state s)
{
	switch (s) {
	case DEV_STOPPED:
		return "stopped";
	case DEV_STARTING:
		return "starting";
	case DEV_STARTED:
		return "started";
	case DEV_FAILED:
		return "failed";
	case DEV_RESTARTING:
		return "restarting";
	case DEV_PNP_STOPPING:
		return "stopping";
	case DEV_PNP_STOPPED:
		return "stopped";
	}
	return "?";
}

bool dev_starting(const struct device *dev)
{
	return dev->state == DEV_STARTING || dev->state == DEV_RESTARTING;
}

/*
 * Warm spares (docs/reliability.md): every user-mode driver that runs has
 * one idle, sandboxed host ready, so that even its first restart skips the
 * spawn; a driver no started device uses any more has none. Spawning is
 * done only while no device is starting, so that it never delays a start
 * or a restart: on the first tick after the last start ended (a restart
 * that took the spare gets a new one within 100 ms).
 */
static void keep_spares(void)
{
	if (!cfg->warm_spare)
		return;
	for (int i = 0; i < UMN_MAX_DEVICES; i++) {
		const struct device *dev = devs[i];

		if (dev && dev_starting(dev))
			return;
	}
	for (int i = 0; i < UMN_MAX_DEVICES; i++)
		if (devs[i] && devs[i]->state == DEV_STARTED) {
			struct host_devinfo info = host_info(devs[i]);

			host_keep_spare(&info);
		}
	host_retire_spares();
}

void dev_restart_step(const struct device *dev, const char *what)
{
	if (dev->died_ns)
		umn_log(UMN_LOG_DEBUG, "%s: restart: %s %.3f ms after the death", dev->instance_id,
			what, (double)(umn_mono_ns() - dev->died_ns) / 1e6);
}

/*
 * A start that takes longer than --start-timeout: the device fails (and a
 * waiting install or restart hears why), and a host stuck in this device's
 * callback is stopped, since nothing else it runs can start behind it.
 */
static void start_timed_out(struct device *dev)
{
	struct hostproc *h = dev->host;
	char what[UMN_TEXT_MAX / 2], why[UMN_TEXT_MAX];
	bool stuck = host_start_pending(h, dev, what, sizeof(what));

	snprintf(why, sizeof(why), "the device did not start within %llu s (--start-timeout): %s",
		 (unsigned long long)(cfg->start_timeout_ns / 1000000000ull), what);
	dev->state = DEV_STARTING;
	dev_fail(dev, "%s; `umnic restart %s` tries again", why, dev->instance_id);
	if (stuck && !h->dead)
		host_kill(h, why);
}

void dev_tick(uint64_t now_ns)
{
	for (int i = 0; i < UMN_MAX_DEVICES; i++) {
		struct device *dev = devs[i];
		uint64_t first;

		if (!dev)
			continue;
		if (dev_starting(dev) && dev->start_deadline_ns &&
		    now_ns > dev->start_deadline_ns) {
			start_timed_out(dev);
			continue;
		}
		if (dev->state == DEV_RESTARTING && dev->retry_ns && now_ns >= dev->retry_ns)
			dev_start(dev);
		if (dev->carrier_held && now_ns > dev->died_ns + CARRIER_GRACE_NS) {
			/* The restart takes too long for the link to pretend nothing happened. */
			dev->carrier_held = false;
			dev->carrier = false;
			tap_set_carrier(dev->tap_fd, false);
		}
		first = dev->dp_ready ? atomic_load(&dev->dp.first_frame_ns) : 0;
		if (dev->died_ns && first) {
			dev->restart_ns = first > dev->died_ns ? first - dev->died_ns : 0;
			umn_log(UMN_LOG_DEBUG, "%s: restart: first frame %.3f ms after the death",
				dev->instance_id, (double)dev->restart_ns / 1e6);
			dev->died_ns = 0;
		}
		if (dev->state == DEV_STARTED && dev->dp_ready && dev->host) {
			char why[DP_ERR_MAX];
			if (dp_watchdog(&dev->dp, now_ns, why, sizeof(why)))
				host_kill(dev->host, why);
		}
	}
	keep_spares();
	host_tick(now_ns);
}

/* --- what driver hosts tell the device manager (hostproc.h's host_dev_events) ------------------
 */

static void host_failed(struct device *dev, const char *why)
{
	dev_fail(dev, "%s", why);
}

static void host_report(struct device *dev, const char *text)
{
	umn_strlcpy(dev->last_report, text, sizeof(dev->last_report));
}

static void host_crashed(struct device *dev, const char *why, uint64_t detected_ns)
{
	dev->host = NULL;
	dev_crashed(dev, why, detected_ns);
}

static void host_restart_step(struct device *dev, const char *what)
{
	dev_restart_step(dev, what);
}

static const struct host_dev_events host_events = {
    .adapter_start = adapter_on_start,
    .link_state = adapter_on_link_state,
    .failed = host_failed,
    .report = host_report,
    .crashed = host_crashed,
    .restart_step = host_restart_step,
};

void dev_init(void)
{
	host_events_dev(&host_events);
}
