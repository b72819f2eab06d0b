/* SPDX-License-Identifier: MIT */
/*
 * Driver host processes as umnicd sees them: spawning a umnic-host process
 * (or loading the in-host kernel-mode driver), which host serves a device
 * (its own, a shared one, or a warm spare), loading the driver into it,
 * killing a host, and cleaning up after it when it exits, which fails or
 * restarts its devices through the device manager's events. What umnicd
 * asks a host and its answers are in hostreq.c; what a host sends is
 * decoded and routed in hostmsg.c.
 */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ntstatus.h>

#include "common/log.h"
#include "umnicd/hosts/host_int.h"
#include "umnicd/hosts/hostproc.h"
#include "umnicd/hosts/outbox.h"
#include "umnicd/hosts/spawn.h"
#include "umnicd/base/config.h"
#include "umnicd/base/loop.h"

/* A host's socket holds a few hundred messages; this is thousands of requests' worth beyond. */
#define HOST_BACKLOG_MAX (16u << 20)

/* Every driver host, spares and the in-host driver included (host_int.h). */
struct hostproc *host_list;
/* umnic-host and its libraries, opened once (spawn.h). */
static struct spawn_image host_image;
/* Why the kernel-mode host was stopped, if it was: it comes back only with umnicd. */
static char kmhost_stopped[UMN_TEXT_MAX / 2];

/* Registered once at startup, before the first host (hostproc.h). */
static const struct host_dev_events *dev_ev;
static const struct host_io_events *io_ev;
static host_trace_fn trace_fn;

void host_events_dev(const struct host_dev_events *ev)
{
	dev_ev = ev;
}

void host_events_io(const struct host_io_events *ev)
{
	io_ev = ev;
}

void host_events_trace(host_trace_fn fn)
{
	trace_fn = fn;
}

const struct host_dev_events *host_dev_ev(void)
{
	return dev_ev;
}

const struct host_io_events *host_io_ev(void)
{
	return io_ev;
}

host_trace_fn host_trace_ev(void)
{
	return trace_fn;
}

int hosts_init(const char *host_bin, char *err, size_t cap)
{
	return spawn_image_open(&host_image, host_bin, err, cap);
}

void hosts_fini(void)
{
	spawn_image_close(&host_image);
}

static void host_out_failed(struct outbox *o, const char *why)
{
	struct hostproc *h = OUTBOX_OWNER(o, struct hostproc, out);

	host_kill(h, why);
}

/*
 * The outbox, and the channel offered in the host's first message: its
 * requests and completions then pass through shared memory while both
 * sides are busy (common/chan.h).
 */
static void host_out_init(struct hostproc *h)
{
	int e;

	outbox_init(&h->out, h->sock, &h->w_sock, HOST_BACKLOG_MAX, host_out_failed);
	host_reader_init(h);
	if (cfg->io_rings && (e = outbox_chan_offer(&h->out, host_drain)) < 0)
		umn_log(UMN_LOG_WARN,
			"no message rings for a driver host (%s); it uses its socket only",
			strerror(-e));
}

static void host_on_exit(struct hostproc *h);

/* The host's socket: room for what waits in its outbox, then messages to take. */
static unsigned host_sock_event(struct watch *w, uint32_t events)
{
	if (events & EPOLLOUT)
		host_on_writable(w->obj);
	if (w->obj && (events & ~EPOLLOUT))
		host_on_readable(w->obj);
	return WATCH_IO;
}

/* The host's pidfd: it exited. The host is freed; later events of the batch may name it. */
static unsigned host_pid_event(struct watch *w, uint32_t events)
{
	(void)events;
	host_on_exit(w->obj);
	return WATCH_FREED;
}

static int spawn(struct hostproc *h, const struct host_devinfo *dev, char *err, size_t cap)
{
	char asan[512];
	char *envp[] = {"PATH=/usr/bin:/bin", NULL, NULL};
	struct spawn_opts o = {
	    .image = &host_image, .envp = envp, .uid = cfg->host_uid, .gid = cfg->host_gid};
	const char *base = strrchr(h->so_path, '/');
	int sv[2], r;

	/*
	 * In a sanitizer build the host keeps the sanitizer's options, but a driver's crash must
	 * still end the host with its signal, as in a normal build, not with a sanitizer report.
	 */
	if (getenv("ASAN_OPTIONS")) {
		snprintf(
		    asan, sizeof(asan),
		    "ASAN_OPTIONS=%s:handle_segv=0:handle_sigbus=0:handle_abort=0:detect_leaks=0",
		    getenv("ASAN_OPTIONS"));
		envp[1] = asan;
	}
	o.sandbox = dev->sandbox;
	if (cfg->sandbox && !o.sandbox)
		umn_log(
		    UMN_LOG_WARN,
		    "%s: UmnicSandbox=0: the driver host runs WITHOUT its sandbox (debugging only)",
		    dev->instance_id);
	h->sandboxed = o.sandbox;
	o.driver_name = base ? base + 1 : h->so_path;
	/*
	 * umnicd opens the binary with its own rights; the host never needs a path into our file
	 * system. Sandboxed, it gets a detached read-only mount of just that file, which it can
	 * attach inside its own empty root.
	 */
	o.driver_fd =
	    o.sandbox ? spawn_driver_mount(h->so_path) : open(h->so_path, O_RDONLY | O_CLOEXEC);
	if (o.driver_fd < 0) {
		snprintf(err, cap, "driver binary %s: %s", h->so_path, strerror(-o.driver_fd));
		return o.driver_fd;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		r = -errno;
		snprintf(err, cap, "socketpair: %s", strerror(errno));
		close(o.driver_fd);
		return r;
	}
	o.sock = sv[1];
	r = spawn_host(&o, &h->pid, &h->pidfd, &h->execfd, err, cap);
	close(sv[1]);
	close(o.driver_fd);
	if (r < 0) {
		close(sv[0]);
		return r;
	}
	h->sock = sv[0];
	/* umnicd never waits for a host: host_send queues, and the loop sends (outbox.h). */
	fcntl(h->sock, F_SETFL, O_NONBLOCK);
	host_out_init(h);
	watch_add(&h->w_sock, h->sock, host_sock_event, h);
	watch_add(&h->w_pid, h->pidfd, host_pid_event, h);
	return 0;
}

/*
 * An in-host driver: the module with the host side (umnic-kmhost.so, beside
 * umnic-host) is loaded into umnicd once, and serves one end of a
 * socketpair on its own threads. Everything else is as for a process.
 */
static int spawn_inhost(struct hostproc *h, char *err, size_t cap)
{
	static int (*start)(int fd, char *err, size_t cap);
	int sv[2];

	if (!start) {
		char path[PATH_MAX];
		const char *slash = strrchr(cfg->host_bin, '/');
		void *dl;

		snprintf(path, sizeof(path), "%.*s/umnic-kmhost.so",
			 slash ? (int)(slash - cfg->host_bin) : 1, slash ? cfg->host_bin : ".");
		dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
		if (!dl) {
			snprintf(err, cap, "cannot load the kernel-mode host: %s", dlerror());
			return -ENOENT;
		}
		*(void **)&start = dlsym(dl, "umn_kmhost_start");
		if (!start) {
			snprintf(err, cap, "%s has no umn_kmhost_start", path);
			dlclose(dl);
			return -ENOENT;
		}
		/* Loaded for good: start points into it from now on. */
		// cppcheck-suppress resourceLeak
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		int e = errno;

		snprintf(err, cap, "socketpair: %s", strerror(e));
		return -e;
	}
	if (start(sv[1], err, cap) < 0) {
		close(sv[0]);
		close(sv[1]);
		return -EBUSY;
	}
	h->pid = getpid();
	h->sock = sv[0];
	fcntl(h->sock, F_SETFL, O_NONBLOCK);
	host_out_init(h);
	h->inhost = true;
	umn_strlcpy(h->sandbox, "none: kernel mode, inside umnicd", sizeof(h->sandbox));
	watch_add(&h->w_sock, h->sock, host_sock_event, h);
	return 0;
}

/* LOAD_DRIVER's answer (its text, what the host's sandbox applied, is kept by host_on_reply). */
static void on_load_done(struct device *dev, NTSTATUS st, const char *text)
{
	dev_ev->restart_step(dev, "driver loaded");
	if (!NT_SUCCESS(st))
		dev_ev->failed(dev, text && *text ? text : "loading the driver failed");
}

/* The first request to a new host: LOAD_DRIVER, which runs DriverEntry. */
static void load_driver(struct hostproc *h, struct device *dev, const struct host_devinfo *info)
{
	struct umn_msg_load_driver m;

	umn_msg_init(&m, UMN_MSG_LOAD_DRIVER, sizeof(m), 0);
	m.proto_version = UMN_PROTO_VERSION;
	m.flags = info->verifier ? UMN_LOAD_VERIFIER : 0;
	umn_strlcpy(m.service, h->service, sizeof(m.service));
	umn_strlcpy(m.path, h->so_path, sizeof(m.path));
	host_request(h, dev, &m, sizeof(m), NULL, 0, on_load_done);
}

static bool host_fits(const struct hostproc *h, const struct host_devinfo *dev)
{
	return !h->dead && !h->inhost && !strcmp(h->so_path, dev->binary) &&
	       !strcmp(h->service, dev->service) && h->sandboxed == dev->sandbox;
}

/* dev is served by h from now on (host_device finds it by its number). */
static int add_member(struct hostproc *h, struct device *dev, const struct host_devinfo *info,
		      char *err, size_t cap)
{
	if (h->ndevices == h->members_cap) {
		unsigned n = h->members_cap ? h->members_cap * 2 : 4;
		struct host_member *m = realloc(h->members, n * sizeof(*m));

		if (!m) {
			snprintf(err, cap, "out of memory");
			return -ENOMEM;
		}
		h->members = m;
		h->members_cap = n;
	}
	h->members[h->ndevices++] = (struct host_member){dev, info->id, info->instance_id};
	return 0;
}

static void del_member(struct hostproc *h, const struct device *dev)
{
	for (unsigned i = 0; i < h->ndevices; i++)
		if (h->members[i].dev == dev) {
			h->members[i] = h->members[--h->ndevices];
			return;
		}
}

const struct host_member *host_member(const struct hostproc *h, uint32_t id)
{
	for (unsigned i = 0; i < h->ndevices; i++)
		if (h->members[i].id == id)
			return &h->members[i];
	return NULL;
}

/*
 * h's devices, taken from it (ret, *ret_n; free ret): events about them may
 * attach or detach devices while the caller goes through them.
 */
static struct host_member *take_members(struct hostproc *h, unsigned *ret_n)
{
	struct host_member *m = h->members;

	*ret_n = h->ndevices;
	h->members = NULL;
	h->members_cap = h->ndevices = 0;
	return m;
}

/* A new host for dev's driver: spawned, sandboxed, driver mapped, DriverEntry not yet run. */
static struct hostproc *host_new(const struct host_devinfo *dev, bool shared, char *err, size_t cap)
{
	struct hostproc *h = calloc(1, sizeof(*h));
	bool inhost = dev->kernel_mode;

	if (!h) {
		snprintf(err, cap, "out of memory");
		return NULL;
	}
	h->sock = h->pidfd = h->execfd = -1;
	umn_strlcpy(h->service, dev->service, sizeof(h->service));
	umn_strlcpy(h->so_path, dev->binary, sizeof(h->so_path));
	h->shared = shared;
	if ((inhost ? spawn_inhost(h, err, cap) : spawn(h, dev, err, cap)) < 0) {
		free(h);
		return NULL;
	}
	h->next = host_list;
	host_list = h;
	return h;
}

/*
 * A kernel-mode driver's device joins the in-host driver, which is loaded
 * once and stays: umnicd hosts one kernel-mode driver (the runtime keeps one
 * driver per process), and one that was stopped comes back only with umnicd.
 */
static int attach_inhost(struct device *dev, const struct host_devinfo *info, struct hostproc **ret,
			 char *err, size_t cap)
{
	struct hostproc *h;

	if (kmhost_stopped[0]) {
		snprintf(err, cap,
			 "the kernel-mode driver host was stopped (%s); kernel-mode drivers come "
			 "back when umnicd restarts",
			 kmhost_stopped);
		return -EIO;
	}
	for (h = host_list; h && !h->inhost; h = h->next)
		;
	if (h && (strcmp(h->so_path, info->binary) || strcmp(h->service, info->service))) {
		snprintf(err, cap,
			 "umnicd runs the kernel-mode driver %s (%s) already and hosts one "
			 "kernel-mode driver at a time",
			 h->service, h->so_path);
		return -EBUSY;
	}
	if (!h) {
		h = host_new(info, true, err, cap);
		if (!h)
			return -EIO;
		load_driver(h, dev, info);
		umn_log(UMN_LOG_INFO, "kernel-mode driver %s runs inside umnicd", h->service);
	}
	if (add_member(h, dev, info, err, cap) < 0)
		return -ENOMEM;
	*ret = h;
	return 0;
}

/* The running shared host dev would join, or NULL when it gets a host of its own. */
static struct hostproc *shared_host_for(const struct host_devinfo *dev)
{
	if (dev->kernel_mode || !dev->sharing)
		return NULL;
	for (struct hostproc *h = host_list; h; h = h->next)
		if (!h->spare && h->shared && host_fits(h, dev))
			return h;
	return NULL;
}

int host_check_room(const struct host_devinfo *dev, char *err, size_t cap)
{
	const struct hostproc *h = shared_host_for(dev);

	if (!h || h->ndevices < UMN_HOST_MAX_DEVICES)
		return 0;
	snprintf(
	    err, cap,
	    "the driver host of %s (pid %d) already runs %u devices, the most one host runs (%d); "
	    "UmdfHostProcessSharing = ProcessSharingDisabled gives each device a host of its own",
	    h->service, (int)h->pid, h->ndevices, UMN_HOST_MAX_DEVICES);
	return -ENOSPC;
}

int host_attach(struct device *dev, const struct host_devinfo *info, struct hostproc **ret,
		char *err, size_t cap)
{
	struct hostproc *h;

	if (info->kernel_mode)
		return attach_inhost(dev, info, ret, err, cap);
	if (host_check_room(info, err, cap) < 0)
		return -ENOSPC;
	h = shared_host_for(info);
	if (h && add_member(h, dev, info, err, cap) < 0)
		return -ENOMEM;
	if (!h) {
		/* A warm spare skips the spawn (namespaces, exec, loading) on the restart path. */
		for (h = host_list; h; h = h->next)
			if (h->spare && host_fits(h, info))
				break;
		if (h) {
			h->spare = false;
			h->shared = info->sharing;
			dev_ev->restart_step(dev, "warm spare taken");
		} else {
			h = host_new(info, info->sharing, err, cap);
			if (!h)
				return -EIO;
		}
		if (add_member(h, dev, info, err, cap) < 0) {
			/* Nothing runs in it: it goes, as when its last device leaves. */
			h->dead = true;
			syscall(SYS_pidfd_send_signal, h->pidfd, SIGKILL, NULL, 0);
			return -ENOMEM;
		}
		load_driver(h, dev, info);
		umn_log(UMN_LOG_INFO, "driver host pid %d runs %s", (int)h->pid, h->service);
	}
	*ret = h;
	return 0;
}

void host_keep_spare(const struct host_devinfo *dev)
{
	static struct umn_log_limit failed_log;
	char err[UMN_TEXT_MAX];
	struct hostproc *h;

	if (dev->kernel_mode)
		return;
	for (h = host_list; h; h = h->next)
		if (h->spare && host_fits(h, dev)) {
			h->spare_kept = true;
			return;
		}
	h = host_new(dev, false, err, sizeof(err));
	if (!h) {
		/* Tried again every tick: logged once a minute. */
		if (umn_log_limit_pass(&failed_log, umn_mono_ns(), 60000000000ull, NULL, NULL))
			umn_log(UMN_LOG_WARN, "cannot start a spare host for %s: %s", dev->service,
				err);
		return;
	}
	h->spare = true;
	h->spare_kept = true;
}

/* Spares for drivers that no started device runs any more are stopped. */
void host_retire_spares(void)
{
	for (struct hostproc *h = host_list; h; h = h->next) {
		bool needed = h->spare_kept;

		h->spare_kept = false;
		if (!h->spare || h->dead)
			continue;
		if (!needed) {
			/* Its pidfd reports the exit, and host_on_exit frees it. */
			umn_strlcpy(h->kill_reason, "a spare no started device needs",
				    sizeof(h->kill_reason));
			h->dead = true;
			syscall(SYS_pidfd_send_signal, h->pidfd, SIGKILL, NULL, 0);
		}
	}
}

static void host_free(struct hostproc *h)
{
	struct hostproc **pp;

	for (pp = &host_list; *pp; pp = &(*pp)->next)
		if (*pp == h) {
			*pp = h->next;
			break;
		}
	io_ev->host_freed(h);
	watch_del(&h->w_sock);
	watch_del(&h->w_pid);
	outbox_fini(&h->out);
	if (h->sock >= 0)
		close(h->sock);
	if (h->pidfd >= 0)
		close(h->pidfd);
	if (h->execfd >= 0)
		close(h->execfd);
	free(h->members);
	free(h);
}

void host_kill(struct hostproc *h, const char *why)
{
	if (h->dead)
		return;
	if (!h->kill_reason[0])
		umn_strlcpy(h->kill_reason, why, sizeof(h->kill_reason));
	if (h->inhost) {
		/* No process to signal: host_tick cuts it off, outside whatever handler called us.
		 */
		h->stop_pending = true;
		return;
	}
	umn_log(UMN_LOG_WARN, "stopping driver host %d (%s): %s", (int)h->pid, h->service, why);
	syscall(SYS_pidfd_send_signal, h->pidfd, SIGKILL, NULL, 0);
}

void host_detach(struct hostproc *h, struct device *dev)
{
	const struct host_member *hm = NULL;
	uint32_t id = UINT32_MAX;

	for (unsigned i = 0; i < h->ndevices && !hm; i++)
		if (h->members[i].dev == dev)
			hm = &h->members[i];
	if (!hm)
		return;
	id = hm->id;
	del_member(h, dev);
	host_req_forget(h, dev);
	if (h->inhost) {
		/* The driver stays loaded; the device leaves it, so it can be added again. */
		struct umn_msg_dev m;

		if (!h->dead) {
			umn_msg_init(&m, UMN_MSG_REMOVE_DEVICE, sizeof(m), 0);
			m.dev = id;
			host_request(h, NULL, &m, sizeof(m), NULL, 0, NULL);
		}
		return;
	}
	if (h->ndevices == 0 && !h->dead) {
		/* Last device gone: the host has nothing left to do. */
		h->dead = true;
		syscall(SYS_pidfd_send_signal, h->pidfd, SIGKILL, NULL, 0);
	}
}

static void host_on_exit(struct hostproc *h)
{
	char why[UMN_TEXT_MAX];
	siginfo_t si = {0};
	uint64_t now = umn_mono_ns();
	struct host_member *members;
	unsigned n;

	if (waitid(P_PIDFD, (id_t)h->pidfd, &si, WEXITED | WNOHANG) < 0 || si.si_pid == 0)
		return;
	/* Its last messages (a DYING note) may still sit in the socket. */
	while (!h->dead && h->w_sock.obj) {
		struct pollfd p = {.fd = h->sock, .events = POLLIN};
		if (poll(&p, 1, 0) <= 0)
			break;
		host_on_readable(h);
	}
	if (si.si_code == CLD_EXITED && h->death_signal && si.si_status == 128 + h->death_signal) {
		si.si_code = CLD_KILLED;
		si.si_status = h->death_signal;
	}
	if (h->kill_reason[0])
		snprintf(why, sizeof(why), "%s (driver host %d stopped by umnicd)", h->kill_reason,
			 (int)h->pid);
	else if (si.si_code == CLD_EXITED && si.si_status == 127 &&
		 spawn_exec_failure(&host_image, h->execfd, cfg->host_uid, why, sizeof(why)))
		; /* it never ran: why says what stopped it */
	else if (si.si_code == CLD_EXITED)
		snprintf(why, sizeof(why), "driver host %d exited with status %d", (int)h->pid,
			 si.si_status);
	else
		snprintf(why, sizeof(why), "driver host %d was killed by signal %d (%s)",
			 (int)h->pid, si.si_status, strsignal(si.si_status));
	umn_log(h->ndevices ? UMN_LOG_WARN : UMN_LOG_INFO, "%s", why);
	h->dead = true;
	host_req_drop_all(h);
	io_ev->host_gone(h);
	members = take_members(h, &n);
	for (unsigned i = 0; i < n; i++)
		dev_ev->crashed(members[i].dev, why, now);
	free(members);
	host_free(h);
}

void host_free_all(uint64_t deadline)
{
	host_exit_wait(deadline);
	while (host_list) {
		struct hostproc *h = host_list;

		host_req_drop_all(h);
		host_free(h);
	}
}

/*
 * The kernel-mode host misbehaved: umnicd stops talking to it (its thread
 * ends when the socket closes) and fails its devices. Its code stays mapped;
 * what a kernel would do is bug check, and umnicd prefers to keep serving
 * everything else.
 */
static void stop_inhost(struct hostproc *h)
{
	char why[UMN_TEXT_MAX];
	struct host_member *members;
	unsigned n;

	snprintf(why, sizeof(why), "kernel-mode driver %s stopped by umnicd: %s", h->service,
		 h->kill_reason);
	umn_strlcpy(kmhost_stopped, h->kill_reason, sizeof(kmhost_stopped));
	h->dead = true;
	host_req_drop_all(h);
	io_ev->host_gone(h);
	/* Each device fails, and leaves h as it does (host_detach finds nothing left to do). */
	members = take_members(h, &n);
	for (unsigned i = 0; i < n; i++)
		dev_ev->failed(members[i].dev, why);
	free(members);
	watch_del(&h->w_sock);
	shutdown(h->sock, SHUT_RDWR);
}

void host_tick(uint64_t now_ns)
{
	for (struct hostproc *h = host_list; h; h = h->next)
		if (h->inhost && h->stop_pending && !h->dead)
			stop_inhost(h);
	host_req_tick(now_ns);
}
