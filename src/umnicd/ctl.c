/* SPDX-License-Identifier: MIT */
/*
 * The control socket the umnic CLI talks to (SOCK_SEQPACKET in the run
 * directory). A request is one packet of NUL-separated words, like argv.
 * The reply is one or more packets, each a 32-bit exit code, a 32-bit flag
 * word (CTL_MORE: another packet follows) and at most CTL_CHUNK bytes of
 * text or JSON, so a reply (the status of a thousand devices) never has to
 * fit one packet. umnicd never waits for a client to read: what the socket
 * does not take waits for it to become writable, within bounds.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/log.h"
#include "umnicd/ctl.h"
#include "umnicd/dev/device.h"
#include "umnicd/sbuf.h"
#include "umnicd/trace.h"
#include "umnicd/base/config.h"
#include "umnicd/base/loop.h"
#include "umnicd/base/users.h"

#define CTL_MAX_ARGS 64
#define CTL_REQ_MAX  16384
#define CTL_CHUNK    (32 * 1024)
#define CTL_MORE     0x1u
/* Replies waiting for slow readers: at most this many, each for at most this long. */
#define CTL_PENDING_MAX 64
#define CTL_PENDING_NS	(30ull * 1000000000ull)

/*
 * Unprivileged users may ask for status, so anyone may connect; what they
 * hold is bounded (docs/decisions.md): a few connections per user, a few
 * dozen in all, each closed if its request has not come within CTL_IDLE_NS.
 * The umnic CLI sends its request as soon as it is connected. Root and
 * umnicd's own user are not counted.
 */
#define CTL_MAX_PER_USER 8u
#define CTL_MAX_UNPRIV	 64u
#define CTL_IDLE_NS	 (5ull * 1000000000ull)

struct client {
	struct watch w;
	struct umn_user *user;	    /* unprivileged only */
	uint64_t since;		    /* accepted, monotonic */
	struct client *prev, *next; /* unprivileged only, oldest first */
};

/* Unprivileged connections waiting for their request, oldest first (the idle time-out). */
static struct {
	struct client *head, *tail;
	unsigned n;
	struct umn_log_limit refused_log;
} C;

/* A reply the client's socket did not take at once. */
struct ctl_out {
	struct watch w;
	struct ctl_out *next;
	int32_t code;
	char *text;
	size_t len, off;
	uint64_t since_ns;
};

static struct ctl_out *pending;
static unsigned npending;

/* Sends what the socket takes; 1 when all went, 0 when the rest must wait, -errno on failure. */
static int send_chunks(int fd, int32_t code, const char *text, size_t len, size_t *off)
{
	do {
		unsigned char buf[8 + CTL_CHUNK];
		size_t n = len - *off < CTL_CHUNK ? len - *off : CTL_CHUNK;
		uint32_t flags = *off + n < len ? CTL_MORE : 0;

		memcpy(buf, &code, 4);
		memcpy(buf + 4, &flags, 4);
		memcpy(buf + 8, text + *off, n);
		if (send(fd, buf, 8 + n, MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			if (errno == EINTR)
				continue;
			return -errno;
		}
		*off += n;
	} while (*off < len);
	return 1;
}

static void out_free(struct ctl_out *o)
{
	struct ctl_out **pp;
	int fd;

	for (pp = &pending; *pp; pp = &(*pp)->next)
		if (*pp == o) {
			*pp = o->next;
			break;
		}
	npending--;
	fd = o->w.fd;
	watch_del(&o->w);
	close(fd);
	free(o->text);
	free(o);
}

static unsigned on_writable(struct watch *w, uint32_t events);

void ctl_reply(int fd, int code, const char *text)
{
	size_t len = strlen(text), off = 0;
	struct ctl_out *o;
	int r = send_chunks(fd, code, text, len, &off);

	if (r != 0 || npending >= CTL_PENDING_MAX) {
		if (r < 0)
			umn_log(UMN_LOG_DEBUG, "control reply: %s", strerror(-r));
		else if (r == 0)
			umn_log(UMN_LOG_WARN,
				"control reply dropped: %u clients are not reading theirs",
				npending);
		close(fd);
		return;
	}
	o = calloc(1, sizeof(*o));
	if (o)
		o->text = malloc(len - off);
	if (!o || !o->text || watch_add(&o->w, fd, on_writable, o) < 0) {
		if (o)
			free(o->text);
		free(o);
		close(fd);
		return;
	}
	memcpy(o->text, text + off, len - off);
	o->len = len - off;
	o->code = code;
	o->since_ns = umn_mono_ns();
	o->next = pending;
	pending = o;
	npending++;
	watch_want_out(&o->w, true);
}

/* The client has room for more of its reply. */
static unsigned on_writable(struct watch *w, uint32_t events)
{
	struct ctl_out *o = w->obj;

	(void)events;
	if (send_chunks(w->fd, o->code, o->text, o->len, &o->off) != 0)
		out_free(o);
	return 0;
}

/* Drops replies their clients have not read for CTL_PENDING_NS; true if it dropped one. */
static bool replies_tick(uint64_t now_ns)
{
	struct ctl_out *o = pending, *next;
	bool dropped = false;

	for (; o; o = next) {
		next = o->next;
		if (now_ns - o->since_ns > CTL_PENDING_NS) {
			umn_log(UMN_LOG_WARN,
				"control reply dropped: its client read nothing for 30 s");
			out_free(o);
			dropped = true;
		}
	}
	return dropped;
}

void ctl_free_all(void)
{
	while (pending)
		out_free(pending);
}

/*
 * An error answer to a command that was asked for JSON ({"error": text}), or
 * text. The text may name a user's file or quote a driver, so it is escaped.
 */
static void reply_error(int fd, int code, bool json, const char *text)
{
	struct sbuf b = {0};
	size_t len = strlen(text);
	char *s;

	if (!json) {
		ctl_reply(fd, code, text);
		return;
	}
	s = strndup(text, len && text[len - 1] == '\n' ? len - 1 : len);
	sb_printf(&b, "{\"error\":");
	sb_json_str(&b, s ? s : "out of memory");
	sb_printf(&b, "}\n");
	free(s);
	s = sb_take(&b);
	ctl_reply(fd, code, s ? s : "{}\n");
	free(s);
}

/* Why an unprivileged user's connection is refused, or NULL if it may stay. */
static const char *refusal(const struct umn_user *u)
{
	if (u->ctl >= CTL_MAX_PER_USER)
		return "it has as many control connections open as one user may";
	if (C.n >= CTL_MAX_UNPRIV)
		return "unprivileged users have as many control connections open as they may";
	if (!umn_fds_allow(1))
		return "umnicd keeps its last file descriptors for root and its own work";
	return NULL;
}

static void client_free(struct client *c)
{
	if (c->user) {
		*(c->prev ? &c->prev->next : &C.head) = c->next;
		*(c->next ? &c->next->prev : &C.tail) = c->prev;
		C.n--;
		c->user->ctl--;
		user_unref(c->user);
	}
	umn_fds_hold(-1);
	free(c);
}

static unsigned on_client(struct watch *w, uint32_t events);

unsigned ctl_on_accept(struct watch *w, uint32_t events)
{
	struct client *c;
	struct ucred cr;
	socklen_t len = sizeof(cr);
	const char *why;
	unsigned held;
	int fd = umn_accept(w->fd, "umnicd.sock");

	(void)events;
	if (fd < 0)
		return 0;
	c = calloc(1, sizeof(*c));
	if (!c || getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0) {
		free(c);
		close(fd);
		return 0;
	}
	c->since = umn_mono_ns();
	if (!uid_privileged(cr.uid)) {
		c->user = user_ref(cr.uid);
		why = c->user ? refusal(c->user) : "out of memory";
		if (why) {
			if (umn_log_limit_pass(&C.refused_log, c->since, 1000000000ull, &held,
					       NULL))
				umn_log(UMN_LOG_WARN,
					"refusing a control connection from uid %u: %s "
					"(%u more refused since the last message)",
					(unsigned)cr.uid, why, held);
			user_unref(c->user);
			free(c);
			close(fd);
			return 0;
		}
		c->user->ctl++;
		c->prev = C.tail;
		*(C.tail ? &C.tail->next : &C.head) = c;
		C.tail = c;
		C.n++;
	}
	umn_fds_hold(1);
	if (watch_add(&c->w, fd, on_client, c) < 0) {
		client_free(c);
		close(fd);
	}
	return 0;
}

bool ctl_tick(uint64_t now_ns)
{
	bool freed = replies_tick(now_ns);

	while (C.head && now_ns - C.head->since > CTL_IDLE_NS) {
		struct client *c = C.head;
		int fd = c->w.fd;

		umn_log(UMN_LOG_DEBUG, "closing an idle control connection of uid %u",
			(unsigned)c->user->uid);
		watch_del(&c->w);
		client_free(c);
		close(fd);
		freed = true;
	}
	return freed;
}

static bool privileged(int fd)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);

	/* Identity comes from the kernel, never from the request. */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0)
		return false;
	return cr.uid == 0 || cr.uid == getuid();
}

/* A control connection waiting for a device to settle (install, restart, stop, start). */
struct ctl_wait {
	int fd;
	bool json;
};

/*
 * The device manager's answer to an install, restart, stop or start
 * (dev_done_fn): the device started, stopped or failed, was uninstalled
 * meanwhile, or umnicd stops.
 */
static void on_settled(void *ctx, struct device *dev, enum dev_done how)
{
	struct ctl_wait *w = ctx;
	char text[UMN_TEXT_MAX * 3];
	const char *reply = text;
	char *json = NULL;
	bool started = dev->state == DEV_STARTED;
	bool stopped = dev->state == DEV_PNP_STOPPED;

	if (how == DEV_DONE_SHUTDOWN) {
		close(w->fd);
		free(w);
		return;
	}
	if (how == DEV_DONE_REMOVED) {
		ctl_reply(w->fd, 1, "device uninstalled while starting\n");
		free(w);
		return;
	}
	if (w->json) {
		/* The error may hold what a driver wrote: escaped like everything in status. */
		struct sbuf b = {0};

		sb_printf(&b, "{\"instance_id\":");
		sb_json_str(&b, dev->instance_id);
		sb_printf(&b, ",\"state\":\"%s\",\"interface\":",
			  started   ? "started"
			  : stopped ? "stopped"
				    : "failed");
		sb_json_str(&b, dev->ifname);
		sb_printf(&b, ",\"error\":");
		sb_json_str(&b, dev->last_error);
		sb_printf(&b, "}\n");
		json = sb_take(&b);
		reply = json ? json : "{}\n";
	} else if (started) {
		snprintf(text, sizeof(text), "%s %s\n", dev->instance_id,
			 dev->has_tap ? dev->ifname : "-");
	} else if (stopped) {
		snprintf(text, sizeof(text), "%s stopped%s%s\n", dev->instance_id,
			 dev->last_error[0] ? ": " : "", dev->last_error);
	} else {
		snprintf(text, sizeof(text), "%s failed: %s\n", dev->instance_id, dev->last_error);
	}
	ctl_reply(w->fd, started || (stopped && !dev->last_error[0]) ? 0 : 1, reply);
	free(json);
	free(w);
}

static struct ctl_wait *wait_new(int fd, bool json)
{
	struct ctl_wait *w = malloc(sizeof(*w));

	if (w) {
		w->fd = fd;
		w->json = json;
	}
	return w;
}

/* Answers a request that was handed to another module (trace_ctl); ctx points at the fd. */
static void reply_to_fd(void *ctx, int code, const char *text)
{
	ctl_reply(*(int *)ctx, code, text);
}

/* Every path hands fd on: to ctl_reply, which closes it, or to a device that will reply. */
static void run(int fd, int argc, char **argv)
{
	char err[UMN_TEXT_MAX] = "";
	bool json = false;
	int n = 0;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = true;
		else
			argv[n++] = argv[i];
	}
	argc = n;
	if (argc == 0) {
		ctl_reply(fd, 2, "empty request\n");
		return;
	}
	if (!strcmp(argv[0], "ping")) {
		ctl_reply(fd, 0, "pong\n");
		return;
	}
	if (!strcmp(argv[0], "list") || !strcmp(argv[0], "status")) {
		struct device *only = NULL;
		char *text;
		if (argc > 1) {
			only = dev_find(argv[1]);
			if (!only) {
				snprintf(err, sizeof(err), "no device '%s'\n", argv[1]);
				ctl_reply(fd, 1, err);
				return;
			}
		}
		text = dev_status(only, json);
		ctl_reply(fd, 0, text);
		free(text);
		return;
	}
	if (!privileged(fd)) {
		ctl_reply(fd, 1,
			  "permission denied: installing and removing devices needs root or "
			  "umnicd's user\n");
		return;
	}
	if (!strcmp(argv[0], "trace")) {
		trace_ctl(argc, argv, reply_to_fd, &fd);
		return;
	}
	if (!strcmp(argv[0], "install")) {
		char *params[CTL_MAX_ARGS];
		const char *inf = NULL, *hwid = NULL, *ifname = "", *netns = "";
		int np = 0;
		struct device *dev;
		struct ctl_wait *w;

		for (int i = 1; i < argc; i++) {
			if (!strcmp(argv[i], "--param") && i + 1 < argc)
				params[np++] = argv[++i];
			else if (!strcmp(argv[i], "--ifname") && i + 1 < argc)
				ifname = argv[++i];
			else if (!strcmp(argv[i], "--netns") && i + 1 < argc)
				netns = argv[++i];
			else if (!inf)
				inf = argv[i];
			else if (!hwid)
				hwid = argv[i];
			else {
				snprintf(err, sizeof(err), "install: unexpected argument '%s'\n",
					 argv[i]);
				reply_error(fd, 2, json, err);
				return;
			}
		}
		if (!inf || inf[0] != '/') {
			reply_error(fd, 2, json,
				    "install: needs the absolute path of an INF file\n");
			return;
		}
		w = wait_new(fd, json);
		if (!w) {
			reply_error(fd, 1, json, "out of memory\n");
			return;
		}
		if (dev_install(inf, hwid, params, np, ifname, netns, true, on_settled, w, &dev,
				err, sizeof(err)) < 0) {
			free(w);
			strncat(err, "\n", sizeof(err) - strlen(err) - 1);
			reply_error(fd, 1, json, err);
			return;
		}
		umn_log(UMN_LOG_INFO, "installed %s from %s", dev->instance_id, inf);
		dev_start(dev);
		return;
	}
	if (!strcmp(argv[0], "restart") && argc == 2) {
		struct device *dev = dev_find(argv[1]);
		struct ctl_wait *w;

		if (!dev) {
			snprintf(err, sizeof(err), "no device '%s'\n", argv[1]);
			reply_error(fd, 1, json, err);
			return;
		}
		w = wait_new(fd, json);
		if (!w) {
			reply_error(fd, 1, json, "out of memory\n");
			return;
		}
		if (dev_restart(dev, on_settled, w, err, sizeof(err)) < 0) {
			free(w);
			reply_error(fd, 1, json, err);
			return;
		}
		/* A start that failed at once has answered already; this is then a no-op. */
		dev_settled(dev);
		return;
	}
	if ((!strcmp(argv[0], "stop") || !strcmp(argv[0], "start")) && argc == 2) {
		struct device *dev = dev_find(argv[1]);
		bool stop = !strcmp(argv[0], "stop");
		struct ctl_wait *w;

		if (!dev) {
			snprintf(err, sizeof(err), "no device '%s'\n", argv[1]);
			reply_error(fd, 1, json, err);
			return;
		}
		w = wait_new(fd, json);
		if (!w) {
			reply_error(fd, 1, json, "out of memory\n");
			return;
		}
		if ((stop ? dev_pnp_stop : dev_pnp_start)(dev, err, sizeof(err)) < 0) {
			free(w);
			reply_error(fd, 1, json, err);
			return;
		}
		dev_wait(dev, on_settled, w);
		/* A stop or start that settled at once answers now. */
		dev_settled(dev);
		return;
	}
	if (!strcmp(argv[0], "set") && argc >= 2) {
		struct device *dev = dev_find(argv[1]);
		char out[UMN_TEXT_MAX];

		if (!dev) {
			snprintf(err, sizeof(err), "no device '%s'\n", argv[1]);
			reply_error(fd, 1, json, err);
		} else if (netif_set(dev, argc - 2, argv + 2, out, sizeof(out)) < 0) {
			reply_error(fd, 2, json, out);
		} else {
			ctl_reply(fd, 0, out);
		}
		return;
	}
	if (!strcmp(argv[0], "uninstall") && argc == 2) {
		struct device *dev = dev_find(argv[1]);
		if (!dev) {
			snprintf(err, sizeof(err), "no device '%s'\n", argv[1]);
			ctl_reply(fd, 1, err);
			return;
		}
		char more[UMN_TEXT_MAX] = "";

		snprintf(err, sizeof(err), "removed %s\n", dev->instance_id);
		if (dev_uninstall(dev, more, sizeof(more)) < 0) {
			ctl_reply(fd, 1, more);
			return;
		}
		strncat(err, more, sizeof(err) - strlen(err) - 1);
		ctl_reply(fd, 0, err);
		return;
	}
	snprintf(err, sizeof(err), "unknown request '%s'\n", argv[0]);
	ctl_reply(fd, 2, err);
	return;
}

/* A request: one packet of NUL-separated words; the connection then carries the reply. */
static unsigned on_client(struct watch *w, uint32_t events)
{
	struct client *c = w->obj;
	static char buf[CTL_REQ_MAX + 1];
	char *argv[CTL_MAX_ARGS];
	int argc = 0, fd = w->fd;
	ssize_t n;

	(void)events;
	n = recv(fd, buf, CTL_REQ_MAX, 0);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	watch_del(w);
	client_free(c);
	if (n <= 0) {
		close(fd);
		return 0;
	}
	buf[n] = '\0';
	for (char *p = buf; p < buf + n && argc < CTL_MAX_ARGS; p += strlen(p) + 1)
		argv[argc++] = p;
	run(fd, argc, argv);
	return 0;
}
