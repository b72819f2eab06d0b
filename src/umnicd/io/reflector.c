/* SPDX-License-Identifier: MIT */
#include "umnicd/io/reflector.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include <ntstatus.h>

#include "common/chan.h"
#include "common/ioproto.h"
#include "common/log.h"
#include "umnicd/io/iotab.h"
#include "umnicd/umnicd.h"
#include "umnicd/users.h"

/* WDF_DEVICE_IO_TYPE values the driver sees (wdfdevice.h). */
#define IO_BUFFERED 2
#define IO_DIRECT 3

/* NTSTATUS umnicd chooses where Windows documents none (docs/io-requests.md). */
#define STATUS_INFORMATION_TOO_LARGE STATUS_DRIVER_INTERNAL_ERROR
#define STATUS_KM_CLIENT_REFUSED STATUS_ACCESS_DENIED
#define STATUS_KM_CLIENT_ABOVE_PASSIVE STATUS_INVALID_DEVICE_STATE
#define STATUS_NO_KNOWN_FILE_OBJECT STATUS_INVALID_HANDLE
#define STATUS_INTERNAL_IOCTL_REFUSED STATUS_INVALID_DEVICE_REQUEST
#define STATUS_NEITHER_OUT_OF_CONTEXT STATUS_INVALID_PARAMETER

#define TABLE_SIZE 65536u	/* power of two */

/*
 * Fair shares (docs/io-requests.md, "Limits"); past them a request gets
 * STATUS_INSUFFICIENT_RESOURCES. A driver host holds UMN_HOST_IO_SLOTS - 1
 * requests at once: one connection may have half of that outstanding, one
 * unprivileged user a quarter on any one host, and unprivileged users
 * together leave HOST_RESERVE of every host to root and kernel-mode
 * requestors (umnicd counts a request from when it is sent until its
 * completion is handled, longer than the host holds a slot for it).
 * umnicd's own table is shared the same way. Cleanup and close are never
 * refused: a handle's are bounded by the handles.
 */
#define HOST_CAPACITY (UMN_HOST_IO_SLOTS - 1)
#define CLIENT_MAX_PENDING (UMN_HOST_IO_SLOTS / 2)
#define USER_HOST_MAX_PENDING (UMN_HOST_IO_SLOTS / 4)
#define HOST_RESERVE (UMN_HOST_IO_SLOTS / 8)
#define USER_MAX_PENDING (TABLE_SIZE / 8)
#define UNPRIV_MAX_PENDING (TABLE_SIZE / 2 - TABLE_SIZE / 16)
#define CLIENT_MAX_HANDLES 1024u
#define USER_MAX_HANDLES (TABLE_SIZE / 8)
#define UNPRIV_MAX_HANDLES (TABLE_SIZE / 2 - TABLE_SIZE / 16)

/*
 * Reply bytes. A client whose replies wait unread past CLIENT_OUT_PAUSE is
 * not read any more (its requests wait in its socket and ring) until they
 * fall under half of that; nor is one with CLIENT_OUT_SOME waiting while
 * its unprivileged user's clients have USER_OUT_PAUSE waiting, or all
 * unprivileged users' UNPRIV_OUT_PAUSE. A request with output is kept
 * room for its reply (up to 48 KiB inline), and refused once what waits
 * and what is kept would pass the *_OUT_KEEP bounds; a client with
 * CLIENT_OUT_MAX unread is disconnected, which one that is paused in time
 * never reaches.
 */
#define CLIENT_OUT_PAUSE (1u << 20)
#define CLIENT_OUT_SOME (64u << 10)
#define USER_OUT_PAUSE (8u << 20)
#define UNPRIV_OUT_PAUSE (32u << 20)
#define CLIENT_OUT_KEEP (8u << 20)
#define USER_OUT_KEEP (32u << 20)
#define UNPRIV_OUT_KEEP (128u << 20)
#define CLIENT_OUT_MAX (16u << 20)

/* A driver host's share of the requests of one unprivileged user (struct hostproc's io_shares). */
struct io_share {
	uid_t uid;
	unsigned pending;
	struct io_share *next;
};

struct ioclient {
	struct watch w;
	int fd;
	pid_t pid;
	uid_t uid;
	gid_t gid;
	int pidfd;
	unsigned handles;
	unsigned pending;
	bool gone;	/* disconnected; freed when nothing refers to it */
	/* A driver as a client (its I/O targets): replies go to its host as messages. */
	struct hostproc *host;
	bool kernel_mode;	/* an in-host driver: its requests carry KernelMode */
	/* Replies, sent at the end of the loop's wake-up; not for a driver (host set). */
	struct outbox out;
	/* Every client, connected or kept by what it still has outstanding (R.clients). */
	struct ioclient *next, **pprev;
	struct umn_user *user;	/* its uid's counts */
	struct iolist reqs;	/* its requests */
	struct iolist handle_list;
	size_t queued;		/* reply bytes waiting in out */
	size_t reserved;	/* reply bytes kept for its pending requests */
	bool paused;		/* not read: over its share of reply bytes */
	struct iolist paused_node;
	unsigned fds;		/* counted in D.peer_fds */
};

struct iohandle {
	uint64_t id;	/* also the file object id the driver sees */
	struct ioclient *c;
	struct device *dev;
	uint32_t incarnation;
	uint32_t granted;
	bool open;	/* the create completed */
	bool closing;
	unsigned pending;
	uint64_t close_req;	/* client's req_id for CLOSE_DONE */
	struct iolist cl;	/* in its client's handle_list */
};

enum ioreq_kind { RQ_CREATE, RQ_IO, RQ_CLEANUP, RQ_CLOSE };

struct ioreq {
	uint64_t id;	/* umnicd's id, unique, what the host sees */
	enum ioreq_kind kind;
	struct ioclient *c;
	uint64_t client_req;
	struct iohandle *h;
	struct device *dev;
	uint32_t major;
	uint32_t method;
	uint32_t out_len;
	bool out_memfd;
	bool check_information;	/* buffered read or buffered IOCTL */
	struct iolist cl;	/* in its client's reqs */
	struct iotab_node by_client;	/* RQ_IO: by (client, client_req) */
	struct hostproc *host;	/* whose slot it counts in; NULL once that host is gone */
	struct io_share *share;	/* an unprivileged user's count on host */
	uint32_t reserve;	/* reply bytes kept for it */
	struct ioreq *gone_next;	/* reflector_device_gone's list */
	uint64_t sent_ns;	/* when it went to the host (reflector_latency) */
};

static struct {
	struct watch w_listen;
	uint64_t next_id;
	struct ioreq *req[TABLE_SIZE];	/* open addressing on id */
	unsigned nreq;
	struct iohandle *handle[TABLE_SIZE];
	unsigned nhandle;
	unsigned nclients;	/* connected on the socket */
	struct ioclient *clients;	/* all of them, drivers' own too: freed at shutdown */
	struct umn_log_limit refused_log;	/* clients refused past --max-clients */
	/* Unprivileged users' shares, all together. */
	unsigned nclients_unpriv;
	unsigned nreq_unpriv;
	unsigned nhandle_unpriv;
	size_t queued_unpriv, reserved_unpriv;
	struct iotab by_client;	/* RQ_IO requests by (client, client_req) */
	struct iolist paused;	/* clients not read, for their own, their user's or everyone's replies */
} R;

/* --- tables ---------------------------------------------------------------------------------- */

static unsigned slot_of(void **tab, uint64_t id, size_t off)
{
	for (unsigned i = (unsigned)id;; i++) {
		void *e = tab[i & (TABLE_SIZE - 1)];
		if (!e || *(uint64_t *)((char *)e + off) == id)
			return i & (TABLE_SIZE - 1);
	}
}

static void *tab_get(void **tab, uint64_t id, size_t off)
{
	return tab[slot_of(tab, id, off)];
}

static void tab_put(void **tab, void *e, uint64_t id, size_t off)
{
	tab[slot_of(tab, id, off)] = e;
}

/* Removal in a linear-probing table: re-insert the run after the hole. */
static void tab_del(void **tab, uint64_t id, size_t off)
{
	unsigned i = slot_of(tab, id, off);

	if (!tab[i])
		return;
	tab[i] = NULL;
	for (unsigned j = (i + 1) & (TABLE_SIZE - 1); tab[j]; j = (j + 1) & (TABLE_SIZE - 1)) {
		void *e = tab[j];
		tab[j] = NULL;
		tab_put(tab, e, *(uint64_t *)((char *)e + off), off);
	}
}

#define REQ_GET(key) ((struct ioreq *)tab_get((void **)R.req, (key), offsetof(struct ioreq, id)))
#define HANDLE_GET(key) ((struct iohandle *)tab_get((void **)R.handle, (key), offsetof(struct iohandle, id)))

/* --- replies to clients ------------------------------------------------------------------------ */

static void client_link(struct ioclient *c)
{
	c->next = R.clients;
	if (c->next)
		c->next->pprev = &c->next;
	c->pprev = &R.clients;
	R.clients = c;
}

static void client_free(struct ioclient *c)
{
	*c->pprev = c->next;
	if (c->next)
		c->next->pprev = c->pprev;
	if (c->pidfd >= 0)
		close(c->pidfd);
	iolist_del(&c->paused_node);
	user_unref(c->user);
	free(c);
}

static void client_release(struct ioclient *c)
{
	if (c->gone && !c->handles && !c->pending)
		client_free(c);
}

/* --- shares of reply bytes ------------------------------------------------------------------- */

/*
 * Whether c is to stop being read: its replies wait past its bound, or its
 * user's or all unprivileged users' do and c has some of them waiting too (a
 * client that reads its replies goes on). With to_resume, the bounds are
 * halved: under them it may be read again.
 */
static bool over_share(const struct ioclient *c, bool to_resume)
{
	unsigned sh = to_resume ? 1 : 0;

	if (c->queued >= CLIENT_OUT_PAUSE >> sh)
		return true;
	if (c->user->privileged || c->queued < CLIENT_OUT_SOME >> sh)
		return false;
	return c->user->queued >= USER_OUT_PAUSE >> sh || R.queued_unpriv >= UNPRIV_OUT_PAUSE >> sh;
}

/* Stops reading c, its socket and its ring; its requests wait there. */
static void client_pause(struct ioclient *c)
{
	if (c->paused || c->gone)
		return;
	c->paused = true;
	c->out.rx_paused = true;
	watch_want_in(&c->w, false);
	iolist_add(&R.paused, &c->paused_node);
}

static void client_resume(struct ioclient *c)
{
	if (!c->paused)
		return;
	c->paused = false;
	c->out.rx_paused = false;
	iolist_del(&c->paused_node);
	/* Whatever waits in its socket wakes the loop; its ring is polled before the loop sleeps. */
	watch_want_in(&c->w, true);
}

/* The outbox's bytes changed: they count for the client, its user and, unprivileged, for all. */
static void client_out_acct(struct outbox *o, size_t added, size_t taken)
{
	struct ioclient *c = OUTBOX_OWNER(o, struct ioclient, out);

	c->queued = c->queued + added - taken;
	c->user->queued = c->user->queued + added - taken;
	if (!c->user->privileged)
		R.queued_unpriv = R.queued_unpriv + added - taken;
	/* Its own backlog was read: it goes on at once (its user's and everyone's: reflector_tick). */
	if (taken && c->paused && !over_share(c, true))
		client_resume(c);
}

/* Room kept for a reply of up to n bytes; false if it would pass a bound. */
static bool reserve_reply(struct ioclient *c, size_t n)
{
	struct umn_user *u = c->user;

	if (c->queued + c->reserved + n > CLIENT_OUT_KEEP)
		return false;
	if (!u->privileged && (u->queued + u->reserved + n > USER_OUT_KEEP ||
			       R.queued_unpriv + R.reserved_unpriv + n > UNPRIV_OUT_KEEP))
		return false;
	c->reserved += n;
	u->reserved += n;
	if (!u->privileged)
		R.reserved_unpriv += n;
	return true;
}

static void release_reply(struct ioclient *c, size_t n)
{
	c->reserved -= n;
	c->user->reserved -= n;
	if (!c->user->privileged)
		R.reserved_unpriv -= n;
}

void reflector_tick(void)
{
	struct iolist *n, *next;

	for (n = R.paused.next; n != &R.paused; n = next) {
		struct ioclient *c = IOLIST_ENTRY(n, struct ioclient, paused_node);

		next = n->next;
		if (!over_share(c, true))
			client_resume(c);
	}
}

static void send_iomsg(struct ioclient *c, const struct umn_iomsg *m)
{
	static _Alignas(8) unsigned char buf[UMN_IOMSG_MAX];
	int fds[UMN_IOMSG_MAX_FDS];
	unsigned nfds = 0;
	ssize_t n;

	if (c->gone)
		return;
	n = umn_iomsg_encode(m, buf, sizeof(buf), fds, &nfds);
	/* A client that stops reading is disconnected once CLIENT_OUT_MAX waits (client_out_failed). */
	if (n < 0 || outbox_put(&c->out, buf, (size_t)n, fds, nfds) < 0)
		umn_log(UMN_LOG_DEBUG, "reply to client pid %d lost", (int)c->pid);
}

/* A driver's send completes with a TARGET_COMPLETE to its host, the output inline. */
static void reply_host_complete(struct ioclient *c, uint64_t cookie, NTSTATUS st, uint64_t info,
				const void *data, uint32_t len)
{
	static _Alignas(8) unsigned char buf[sizeof(struct umn_msg_io_complete) + UMN_IO_INLINE_MAX];
	struct umn_msg_io_complete *m = (void *)buf;

	if (len > UMN_IO_INLINE_MAX)
		len = 0;
	umn_msg_init(m, UMN_MSG_TARGET_COMPLETE, (uint32_t)(sizeof(*m) + len), 0);
	m->id = cookie;
	m->status = st;
	m->information = info;
	m->data_len = len;
	if (len)
		memcpy(m + 1, data, len);
	host_send(c->host, m, sizeof(*m) + len, NULL, 0);
}

static void reply_complete(struct ioclient *c, uint64_t req_id, NTSTATUS st, uint64_t info,
			   const void *data, uint32_t len, bool in_memfd)
{
	struct umn_iomsg m;

	if (c->host && !c->gone) {
		reply_host_complete(c, req_id, st, info, in_memfd ? NULL : data, in_memfd ? 0 : len);
		return;
	}
	umn_iomsg_init(&m, UMN_IOMSG_COMPLETE, req_id);
	m.complete.status = st;
	m.complete.information = info;
	m.complete.data_len = len;
	m.complete.in_memfd = in_memfd;
	m.complete.data = in_memfd ? NULL : data;
	send_iomsg(c, &m);
}

static void reply_open(struct ioclient *c, uint64_t req_id, NTSTATUS st, uint32_t granted, uint64_t handle)
{
	struct umn_iomsg m;

	if (c->host) {
		struct umn_msg_target_opened o;
		const struct iohandle *h = handle ? HANDLE_GET(handle) : NULL;

		if (c->gone)
			return;
		umn_msg_init(&o, UMN_MSG_TARGET_OPENED, sizeof(o), 0);
		o.id = req_id;
		o.status = st;
		o.file = handle;
		o.target_dev = h && h->dev ? h->dev->id : UINT32_MAX;
		host_send(c->host, &o, sizeof(o), NULL, 0);
		return;
	}

	umn_iomsg_init(&m, UMN_IOMSG_OPEN_DONE, req_id);
	m.open_done.status = st;
	m.open_done.granted_access = granted;
	m.open_done.handle = handle;
	send_iomsg(c, &m);
}

static void reply_close(struct ioclient *c, uint64_t req_id, NTSTATUS st)
{
	struct umn_iomsg m;

	if (c->host)
		return; /* a driver's close is not answered */

	umn_iomsg_init(&m, UMN_IOMSG_CLOSE_DONE, req_id);
	m.close_done.status = st;
	send_iomsg(c, &m);
}

/* --- requests to hosts ------------------------------------------------------------------------- */

static struct io_share *share_find(const struct hostproc *hp, uid_t uid)
{
	for (struct io_share *s = hp->io_shares; s; s = s->next)
		if (s->uid == uid)
			return s;
	return NULL;
}

/* Whether c may have one more request of this kind on hp (NULL: the device has no host now). */
static bool req_allowed(enum ioreq_kind kind, const struct ioclient *c, const struct hostproc *hp)
{
	const struct umn_user *u = c->user;
	const struct io_share *s;

	if (R.nreq >= TABLE_SIZE / 2)
		return false;
	if (kind == RQ_CLEANUP || kind == RQ_CLOSE)
		return true;
	if (c->pending >= CLIENT_MAX_PENDING)
		return false;
	/* Privileged requestors may use every slot; past them the host itself refuses. */
	if (u->privileged)
		return true;
	if (R.nreq_unpriv >= UNPRIV_MAX_PENDING || u->pending >= USER_MAX_PENDING)
		return false;
	if (!hp)
		return true;
	s = share_find(hp, u->uid);
	return hp->io_unpriv < HOST_CAPACITY - HOST_RESERVE && (!s || s->pending < USER_HOST_MAX_PENDING);
}

/* r holds a slot of its device's host, counted for its user. */
static bool req_count_host(struct ioreq *r)
{
	struct hostproc *hp = r->dev->host;
	const struct umn_user *u = r->c->user;

	if (!hp)
		return true;
	if (!u->privileged) {
		struct io_share *s = share_find(hp, u->uid);

		if (!s) {
			s = calloc(1, sizeof(*s));
			if (!s)
				return false;
			s->uid = u->uid;
			s->next = hp->io_shares;
			hp->io_shares = s;
		}
		s->pending++;
		r->share = s;
		hp->io_unpriv++;
	}
	hp->io_pending++;
	r->host = hp;
	return true;
}

static void req_uncount_host(struct ioreq *r)
{
	struct hostproc *hp = r->host;

	if (!hp)
		return;
	hp->io_pending--;
	if (r->share) {
		hp->io_unpriv--;
		if (--r->share->pending == 0) {
			for (struct io_share **pp = &hp->io_shares; *pp; pp = &(*pp)->next)
				if (*pp == r->share) {
					*pp = r->share->next;
					break;
				}
			free(r->share);
		}
	}
	r->host = NULL;
	r->share = NULL;
}

static struct ioreq *req_new(enum ioreq_kind kind, struct ioclient *c, uint64_t client_req,
			     struct iohandle *h, struct device *dev)
{
	struct ioreq *r;

	if (!req_allowed(kind, c, dev->host))
		return NULL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->id = ++R.next_id;
	r->kind = kind;
	r->c = c;
	r->client_req = client_req;
	r->h = h;
	r->dev = dev;
	if (!req_count_host(r)) {
		free(r);
		return NULL;
	}
	tab_put((void **)R.req, r, r->id, offsetof(struct ioreq, id));
	R.nreq++;
	c->pending++;
	c->user->pending++;
	if (!c->user->privileged)
		R.nreq_unpriv++;
	iolist_add(&c->reqs, &r->cl);
	if (kind == RQ_IO)
		iotab_add(&R.by_client, &r->by_client, c, client_req);
	if (h)
		h->pending++;
	return r;
}

/* The caller must not touch r->c afterwards: a disconnected client may go with its last request. */
static void req_free(struct ioreq *r)
{
	struct ioclient *c = r->c;

	tab_del((void **)R.req, r->id, offsetof(struct ioreq, id));
	R.nreq--;
	c->pending--;
	c->user->pending--;
	if (!c->user->privileged)
		R.nreq_unpriv--;
	iolist_del(&r->cl);
	iotab_del(&r->by_client);
	req_uncount_host(r);
	if (r->reserve)
		release_reply(c, r->reserve);
	if (r->h)
		r->h->pending--;
	free(r);
	client_release(c);
}

/* Sends the request to the device's host; false (nothing sent) if the host is not there. */
static bool send_request(struct ioreq *r, uint32_t major, uint32_t ioctl, uint64_t offset, uint32_t io_type,
			 const void *in, uint32_t in_len, int in_fd, uint32_t out_len, int out_fd,
			 uint32_t access, const char *file_name)
{
	size_t inline_len = (in && in_fd < 0) ? in_len : 0;
	size_t total = sizeof(struct umn_msg_io_request) + inline_len;
	struct umn_msg_io_request *m;
	int fds[2];
	unsigned nfds = 0;
	int e;

	if (!r->dev->host || r->dev->state != DEV_STARTED)
		return false;
	r->sent_ns = umn_now_ns();
	m = malloc(total);
	if (!m)
		return false;
	umn_msg_init(m, UMN_MSG_IO_REQUEST, (uint32_t)total, 0);
	m->id = r->id;
	m->file = r->h ? r->h->id : 0;
	m->offset = offset;
	m->dev = r->dev->id;
	m->major = major;
	m->ioctl = ioctl;
	m->io_type = io_type;
	m->requestor_mode = r->c->kernel_mode ? 0 : 1; /* KernelMode / UserMode */
	m->from_user_mode_driver = r->c->host && !r->c->kernel_mode;
	m->requestor_pid = r->c->pid > 0 ? (uint32_t)r->c->pid : 0;
	m->desired_access = access;
	m->in_len = in_len;
	m->out_len = out_len;
	if (inline_len) {
		m->flags |= UMN_IO_IN_INLINE;
		memcpy(m + 1, in, inline_len);
	}
	if (in_fd >= 0) {
		m->flags |= UMN_IO_IN_MEMFD;
		fds[nfds++] = in_fd;
	}
	if (out_fd >= 0) {
		m->flags |= UMN_IO_OUT_MEMFD;
		fds[nfds++] = out_fd;
	}
	umn_strlcpy(m->file_name, file_name ? file_name : "", sizeof(m->file_name));
	r->major = major;
	r->out_len = out_len;
	r->out_memfd = out_fd >= 0;
	e = host_send(r->dev->host, m, total, fds, nfds);
	free(m);
	return e == 0;
}

/* --- handles ---------------------------------------------------------------------------------- */

static void handle_free(struct iohandle *h)
{
	struct ioclient *c = h->c;

	tab_del((void **)R.handle, h->id, offsetof(struct iohandle, id));
	R.nhandle--;
	iolist_del(&h->cl);
	c->handles--;
	c->user->handles--;
	if (!c->user->privileged)
		R.nhandle_unpriv--;
	free(h);
	client_release(c);
}

static bool handle_stale(const struct iohandle *h)
{
	return !h->dev || h->dev->incarnation != h->incarnation;
}

/* Cleanup, then close, on the driver's file object; the handle goes when close completes. */
static void handle_close(struct iohandle *h, uint64_t client_req)
{
	struct ioreq *r;

	h->closing = true;
	h->close_req = client_req;
	if (!h->open || handle_stale(h)) {
		if (client_req)
			reply_close(h->c, client_req, STATUS_SUCCESS);
		handle_free(h);
		return;
	}
	r = req_new(RQ_CLEANUP, h->c, 0, h, h->dev);
	if (!r || !send_request(r, IRP_MJ_CLEANUP, 0, 0, 0, NULL, 0, -1, 0, -1, 0, NULL)) {
		if (r)
			req_free(r);
		if (client_req)
			reply_close(h->c, client_req, STATUS_SUCCESS);
		handle_free(h);
	}
}

/* --- access ---------------------------------------------------------------------------------- */

static uint32_t reg_dword(const struct device *dev, const char *name, uint32_t dflt)
{
	uint32_t v;

	return devreg_get_dword(dev->reg, "", name, &v) == 0 ? v : dflt;
}

/*
 * Who may open a device: UmnicOwner, UmnicGroup and UmnicMode (Unix-style
 * owner/group/other read and write bits) from the device registry, set from
 * the INF or `--param`. The default is root only (0600). root may open any.
 */
static bool access_allowed(const struct device *dev, const struct ioclient *c, uint32_t want)
{
	uint32_t owner = reg_dword(dev, "UmnicOwner", 0), group = reg_dword(dev, "UmnicGroup", 0);
	uint32_t mode = reg_dword(dev, "UmnicMode", 0600), bits;

	if (c->uid == 0)
		return true;
	bits = c->uid == owner ? (mode >> 6) & 7 : c->gid == group ? (mode >> 3) & 7 : mode & 7;
	if ((want & FILE_READ_DATA) && !(bits & 4))
		return false;
	if ((want & FILE_WRITE_DATA) && !(bits & 2))
		return false;
	return true;
}

/*
 * The device registered under a symbolic link name, or (link NULL) the one
 * device exposing an interface (names.c); if none, *ret_status says why.
 */
static struct device *device_by_name(const char *link, const GUID *guid, int32_t *ret_status)
{
	*ret_status = STATUS_OBJECT_NAME_NOT_FOUND;
	return link ? names_find_link(link) : names_find_interface(guid, ret_status);
}

/* A user-mode driver hears from kernel-mode clients only if its INF allows them. */
static bool km_client_refused(const struct ioclient *c, const struct device *dev)
{
	return c->kernel_mode && dev->drv->mode == INF_MODE_USER &&
	       dev->drv->policy.kernel_mode_client != INF_KMCLIENT_ALLOW;
}

/* --- client requests -------------------------------------------------------------------------- */

/* An open: a handle whose file object the driver creates (EvtDeviceFileCreate). */
static void open_device(struct ioclient *c, uint64_t req_id, struct device *dev, int32_t lookup,
			uint32_t access, const char *file_name)
{
	struct iohandle *h;
	struct ioreq *r;

	if (!dev) {
		reply_open(c, req_id, lookup, 0, 0);
		return;
	}
	if (!access_allowed(dev, c, access)) {
		reply_open(c, req_id, STATUS_ACCESS_DENIED, 0, 0);
		return;
	}
	if (km_client_refused(c, dev)) {
		reply_open(c, req_id, STATUS_KM_CLIENT_REFUSED, 0, 0);
		return;
	}
	if (dev->state != DEV_STARTED || !dev->host) {
		reply_open(c, req_id, STATUS_DEVICE_NOT_READY, 0, 0);
		return;
	}
	h = calloc(1, sizeof(*h));
	if (!h || R.nhandle >= TABLE_SIZE / 2 || c->handles >= CLIENT_MAX_HANDLES ||
	    (!c->user->privileged &&
	     (c->user->handles >= USER_MAX_HANDLES || R.nhandle_unpriv >= UNPRIV_MAX_HANDLES))) {
		free(h);
		reply_open(c, req_id, STATUS_INSUFFICIENT_RESOURCES, 0, 0);
		return;
	}
	h->id = ++R.next_id;
	h->c = c;
	h->dev = dev;
	h->incarnation = dev->incarnation;
	h->granted = access;
	tab_put((void **)R.handle, h, h->id, offsetof(struct iohandle, id));
	R.nhandle++;
	c->handles++;
	c->user->handles++;
	if (!c->user->privileged)
		R.nhandle_unpriv++;
	iolist_add(&c->handle_list, &h->cl);
	r = req_new(RQ_CREATE, c, req_id, h, dev);
	if (!r || !send_request(r, IRP_MJ_CREATE, 0, 0, 0, NULL, 0, -1, 0, -1, access, file_name)) {
		if (r)
			req_free(r);
		handle_free(h);
		reply_open(c, req_id, r ? STATUS_DEVICE_NOT_READY : STATUS_INSUFFICIENT_RESOURCES, 0, 0);
	}
}

/* Resolves a request's handle; replies and returns NULL when it is unusable. */
static struct iohandle *usable_handle(struct ioclient *c, uint64_t req_id, uint64_t id)
{
	struct iohandle *h = HANDLE_GET(id);

	if (!h || h->c != c || !h->open || h->closing) {
		reply_complete(c, req_id, STATUS_INVALID_HANDLE, 0, NULL, 0, false);
		return NULL;
	}
	/* Opened before the driver's process died: its file object died with it. */
	if (handle_stale(h) || h->dev->state != DEV_STARTED) {
		reply_complete(c, req_id, STATUS_DRIVER_PROCESS_TERMINATED, 0, NULL, 0, false);
		return NULL;
	}
	return h;
}

static void fail_io(struct ioclient *c, struct ioreq *r, uint64_t req_id, NTSTATUS st)
{
	if (r)
		req_free(r);
	reply_complete(c, req_id, st, 0, NULL, 0, false);
}

/* One read, write or IOCTL as the rules see it, whoever sent it. */
struct io_args {
	uint32_t major;		/* IRP_MJ_READ, _WRITE, _DEVICE_CONTROL, _INTERNAL_DEVICE_CONTROL */
	uint32_t code;
	uint64_t offset;
	const void *in;
	uint32_t in_len;
	int in_fd;		/* input in a memfd (applications' large buffers) */
	uint32_t out_len;
	int out_fd;
	/* A driver forwarding an application's METHOD_NEITHER request: its context. */
	bool in_app_context;
};

/*
 * Applies the rules every requestor meets (access bits, buffer methods) and
 * sends the request to dev's driver; h is the file object's handle, NULL for
 * none. Replies to c itself when the request is refused.
 */
static void start_io(struct ioclient *c, uint64_t req_id, struct iohandle *h, struct device *dev,
		     const struct io_args *a)
{
	bool user_requestor = !c->kernel_mode, to_umdf = dev->drv->mode == INF_MODE_USER;
	uint32_t method = METHOD_FROM_CTL_CODE(a->code), need = (a->code >> 14) & 3, granted = 0;
	bool neither = false;
	struct ioreq *r;

	r = req_new(RQ_IO, c, req_id, h, dev);
	if (!r) {
		fail_io(c, NULL, req_id, STATUS_INSUFFICIENT_RESOURCES);
		return;
	}
	/* Room for its reply: a driver's replies go to its host, an application's wait in its outbox. */
	if (!c->host) {
		uint32_t inline_out = a->out_fd >= 0 ? 0 : a->out_len;
		size_t n = outbox_rec_size(sizeof(struct umn_iomsg_complete) +
					   (inline_out < UMN_IOMSG_INLINE_MAX ? inline_out : UMN_IOMSG_INLINE_MAX));

		if (!reserve_reply(c, n)) {
			fail_io(c, r, req_id, STATUS_INSUFFICIENT_RESOURCES);
			return;
		}
		r->reserve = (uint32_t)n;
	}
	/* The I/O manager checks a handle's access for user-mode requestors only. */
	if (user_requestor && h) {
		if (h->granted & FILE_READ_DATA)
			granted |= FILE_READ_ACCESS;
		if (h->granted & FILE_WRITE_DATA)
			granted |= FILE_WRITE_ACCESS;
	} else {
		granted = FILE_READ_ACCESS | FILE_WRITE_ACCESS;
	}
	if (a->major == IRP_MJ_READ || a->major == IRP_MJ_WRITE) {
		if (!(granted & (a->major == IRP_MJ_READ ? FILE_READ_ACCESS : FILE_WRITE_ACCESS))) {
			fail_io(c, r, req_id, STATUS_ACCESS_DENIED);
			return;
		}
		r->check_information = a->major == IRP_MJ_READ;
		if (!send_request(r, a->major, 0, a->offset, IO_BUFFERED,
				  a->major == IRP_MJ_WRITE ? a->in : NULL,
				  a->major == IRP_MJ_WRITE ? a->in_len : 0, a->in_fd,
				  a->major == IRP_MJ_READ ? a->out_len : 0, a->out_fd, 0, NULL))
			fail_io(c, r, req_id, STATUS_DEVICE_NOT_READY);
		return;
	}
	/* IOCTL: the access bits of the code must all be granted on the handle. */
	if ((need & granted) != need) {
		fail_io(c, r, req_id, STATUS_ACCESS_DENIED);
		return;
	}
	r->method = method;
	if (method == METHOD_NEITHER) {
		/* A kernel-mode driver takes raw buffers; here, where it cannot, it gets copies too. */
		if (to_umdf && dev->drv->policy.method_neither != INF_METHOD_NEITHER_COPY) {
			fail_io(c, r, req_id, STATUS_INVALID_DEVICE_REQUEST);
			return;
		}
		neither = true;
		/*
		 * Only copies of the buffers ever get here: an application's library
		 * sent them (inline or in memfds), and a driver may send only the bytes
		 * of an application's request it forwards; a driver's own pointers
		 * mean nothing outside it. umnicd never reads or writes a process's
		 * memory: the pid it knows could be reused once the process exits.
		 */
		if (c->host && !a->in_app_context) {
			fail_io(c, r, req_id, STATUS_NEITHER_OUT_OF_CONTEXT);
			return;
		}
	}
	r->check_information = neither || method == METHOD_BUFFERED;
	if (!send_request(r, a->major, a->code, 0,
			  method == METHOD_BUFFERED || neither ? IO_BUFFERED : IO_DIRECT, a->in,
			  a->in_len, a->in_fd, a->out_len, a->out_fd, 0, NULL))
		fail_io(c, r, req_id, STATUS_DEVICE_NOT_READY);
}

static void do_io(struct ioclient *c, const struct umn_iomsg *m)
{
	struct io_args a = { .in_fd = -1, .out_fd = -1 };
	uint64_t handle;
	struct iohandle *h;

	if (m->type == UMN_IOMSG_READ) {
		handle = m->read.handle;
		a.major = IRP_MJ_READ;
		a.offset = m->read.offset;
		a.out_len = m->read.length;
		a.out_fd = m->read.out_fd;
	} else if (m->type == UMN_IOMSG_WRITE) {
		handle = m->write.handle;
		a.major = IRP_MJ_WRITE;
		a.offset = m->write.offset;
		a.in = m->write.data;
		a.in_len = m->write.length;
		a.in_fd = m->write.in_fd;
	} else {
		handle = m->ioctl.handle;
		a.major = IRP_MJ_DEVICE_CONTROL;
		a.code = m->ioctl.code;
		a.in = m->ioctl.in;
		a.in_len = m->ioctl.in_len;
		a.in_fd = m->ioctl.in_fd;
		a.out_len = m->ioctl.out_len;
		a.out_fd = m->ioctl.out_fd;
	}
	h = usable_handle(c, m->req_id, handle);
	if (h)
		start_io(c, m->req_id, h, h->dev, &a);
}

/* Asks the driver to cancel r; its completion still comes back the usual way. */
static void cancel_at_host(const struct ioreq *r)
{
	struct umn_msg_io_cancel m;

	if (!r->dev->host)
		return;
	umn_msg_init(&m, UMN_MSG_IO_CANCEL, sizeof(m), 0);
	m.id = r->id;
	host_send(r->dev->host, &m, sizeof(m), NULL, 0);
}

/* Client request ids are the client's own: found by (client, id), whoever else has requests. */
static void do_cancel(struct ioclient *c, uint64_t client_req)
{
	struct iotab_node *n = iotab_find(&R.by_client, c, client_req);

	if (n)
		cancel_at_host(IOLIST_ENTRY(n, struct ioreq, by_client));
}

/* c is gone: its pending requests are cancelled and its handles closed; it goes when they have. */
static void client_drop(struct ioclient *c)
{
	struct iolist *n, *next;

	c->gone = true;
	c->pending++; /* keeps c while its handles close below */
	/* Pending requests are cancelled; their completions are dropped when they come. */
	for (n = c->reqs.next; n != &c->reqs; n = n->next) {
		struct ioreq *r = IOLIST_ENTRY(n, struct ioreq, cl);

		if (r->kind == RQ_IO)
			cancel_at_host(r);
	}
	/* Its handles get cleanup and close, as when a process dies on Windows. */
	for (n = c->handle_list.next; n != &c->handle_list; n = next) {
		struct iohandle *h = IOLIST_ENTRY(n, struct iohandle, cl);

		next = n->next; /* handle_close may free h, and only h */
		if (!h->closing)
			handle_close(h, 0);
	}
	c->pending--;
	client_release(c);
}

static void client_gone(struct ioclient *c)
{
	if (c->paused) {
		c->paused = false;
		iolist_del(&c->paused_node);
	}
	watch_del(&c->w);
	outbox_fini(&c->out);
	close(c->fd);
	R.nclients--;
	c->user->clients--;
	if (!c->user->privileged)
		R.nclients_unpriv--;
	D.peer_fds -= c->fds;
	client_drop(c);
}

static void client_out_failed(struct outbox *o, const char *why)
{
	struct ioclient *c = OUTBOX_OWNER(o, struct ioclient, out);

	umn_log(UMN_LOG_WARN, "client pid %d: %s; disconnecting it", (int)c->pid, why);
	client_gone(c);
}

/* The client's socket has room again for the replies waiting for it. */
static void on_client_writable(struct watch *w)
{
	struct ioclient *c = w->obj;

	outbox_flush(&c->out);
}

void reflector_host_gone(struct hostproc *hp)
{
	struct ioclient *c = hp->ioc;

	if (!c)
		return;
	hp->ioc = NULL;
	/* Nothing more is sent to the host; replies to a gone client are dropped anyway. */
	c->host = NULL;
	client_drop(c);
}

/*
 * Handles one request from c, received into buf (umnicd's private copy) with
 * umn_msg_recv's result n and its fds, which are closed here. False when c
 * is gone, and may be freed.
 */
static bool client_on_message(struct ioclient *c, unsigned char *buf, ssize_t n, int *fds,
			      unsigned nfds)
{
	char reason[UMN_IOMSG_REASON_MAX];
	struct umn_iomsg m;

	if (n <= 0) {
		client_gone(c);
		return false;
	}
	if (umn_iomsg_decode_request(buf, (size_t)n, fds, nfds, &m, reason) < 0) {
		umn_log(UMN_LOG_WARN, "client pid %d: malformed request (%s); disconnecting it", (int)c->pid,
			reason);
		for (unsigned i = 0; i < nfds; i++)
			close(fds[i]);
		client_gone(c);
		return false;
	}
	switch (m.type) {
	case UMN_IOMSG_OPEN: {
		int32_t lookup;
		struct device *dev = device_by_name(m.open.by_interface ? NULL : m.open.link,
						    &m.open.interface_guid, &lookup);

		open_device(c, m.req_id, dev, lookup, m.open.access, m.open.file_name);
		break;
	}
	case UMN_IOMSG_READ:
	case UMN_IOMSG_WRITE:
	case UMN_IOMSG_IOCTL:
		do_io(c, &m);
		break;
	case UMN_IOMSG_CANCEL:
		do_cancel(c, m.req_id);
		break;
	case UMN_IOMSG_CLOSE: {
		struct iohandle *h = HANDLE_GET(m.close.handle);
		if (!h || h->c != c || h->closing)
			reply_close(c, m.req_id, STATUS_INVALID_HANDLE);
		else
			handle_close(h, m.req_id);
		break;
	}
	}
	/* The host got its own copies of any memfds; ours are done. */
	for (unsigned i = 0; i < nfds; i++)
		close(fds[i]);
	return true;
}

/* Requests read from one client per system call, and calls before the loop turns elsewhere. */
#define CLIENT_BATCH 16
#define CLIENT_BATCH_CALLS 4

/*
 * Up to max requests from c's ring, each handled from umnicd's private copy;
 * *taken says how many. With share, it stops (and pauses c) when c is over
 * its share of reply bytes. False when c is gone (and may be freed).
 */
static bool client_ring(struct ioclient *c, unsigned max, bool share, unsigned *taken)
{
	static _Alignas(8) unsigned char buf[UMN_CHAN_REC_MAX];

	for (*taken = 0; *taken < max; ++*taken) {
		ssize_t len;

		if (share && over_share(c, false)) {
			client_pause(c);
			break;
		}
		len = umn_ring_get(&c->out.ch.rx, buf, sizeof(buf));

		if (len == 0)
			break;
		if (len < 0) {
			umn_log(UMN_LOG_WARN,
				"client pid %d: its request ring is inconsistent (an index or a length out of range); disconnecting it",
				(int)c->pid);
			client_gone(c);
			return false;
		}
		if (!client_on_message(c, buf, len, NULL, 0)) {
			++*taken;
			return false;
		}
	}
	return true;
}

static unsigned client_drain(struct outbox *o, unsigned max)
{
	unsigned n;

	client_ring(OUTBOX_OWNER(o, struct ioclient, out), max, true, &n);
	return n;
}

/*
 * A transport message (common/chan.h): a kick, or an OFFER, which asks for
 * a channel and then acknowledges it. True if buf was one; c is gone if it
 * broke the rules.
 */
static bool client_transport(struct ioclient *c, const unsigned char *buf, ssize_t len, bool *alive)
{
	struct umn_chan_msg refusal = { .type = UMN_CHAN_MSG_OFFER, .len = sizeof(refusal) };
	uint32_t t = umn_chan_transport(buf, len);
	int e;

	if (t != UMN_CHAN_MSG_OFFER)
		return t == UMN_CHAN_MSG_KICK;
	if (umn_chan_active(&c->out.ch) && !c->out.ch.rx.ready) {
		umn_chan_ready(&c->out.ch);
	} else if (umn_chan_active(&c->out.ch)) {
		umn_log(UMN_LOG_WARN, "client pid %d: a second message ring offer; disconnecting it", (int)c->pid);
		client_gone(c);
		*alive = false;
	} else if (!D.io_rings) {
		outbox_put(&c->out, &refusal, sizeof(refusal), NULL, 0); /* no descriptor */
	} else if ((e = outbox_chan_offer(&c->out, client_drain)) < 0) {
		umn_log(UMN_LOG_WARN, "client pid %d: no message ring (%s); it uses its socket only",
			(int)c->pid, strerror(-e));
		outbox_put(&c->out, &refusal, sizeof(refusal), NULL, 0);
	}
	return true;
}

/* A paused client's socket reported an event: a hang-up or an error (readable is not asked for). */
static void paused_event(struct ioclient *c)
{
	struct pollfd p = { .fd = c->fd };

	if (poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLERR)))
		client_gone(c);
}

static void on_client_readable(struct watch *w)
{
	static struct umn_msg_batch b;
	struct ioclient *c = w->obj;

	if (!b.data && umn_msg_batch_init(&b, CLIENT_BATCH, UMN_IOMSG_MAX)) {
		umn_log(UMN_LOG_ERR, "no memory to receive clients' requests");
		return;
	}
	if (c->paused) {
		paused_event(c);
		return;
	}
	for (unsigned call = 0; call < CLIENT_BATCH_CALLS; call++) {
		unsigned i, counted = 0;
		bool alive = true;
		int r;

		/*
		 * Backpressure: over its share of unread replies, nothing more
		 * is read from c (a batch in hand is still handled in order).
		 */
		if (over_share(c, false)) {
			client_pause(c);
			return;
		}
		r = umn_msg_recv_batch(c->fd, &b, MSG_DONTWAIT);
		if (r == -EAGAIN || r == -EINTR)
			return;
		if (r < 0) {
			client_gone(c);
			return;
		}
		/* What the client put on its ring went before these: all of it, to keep the order. */
		alive = client_ring(c, UINT_MAX, false, &i);
		/* A client's own request never ends it; only its socket does, and then the loop stops. */
		for (i = 0; alive && i < b.count; i++) {
			struct umn_msg_in *m = &b.msg[i];

			if (!m->nfds && client_transport(c, m->buf, m->len, &alive))
				continue;
			counted++;
			if (!client_on_message(c, m->buf, m->len, m->fds, m->nfds))
				alive = false;
		}
		if (!alive) {
			for (; i < b.count; i++)
				for (unsigned k = 0; k < b.msg[i].nfds; k++)
					close(b.msg[i].fds[k]);
			return;
		}
		umn_ring_sock_seen(&c->out.ch.rx, counted);
		if (b.count < b.max)
			return;
	}
}

/* A client's socket: room for its replies, then requests to take. */
static unsigned client_event(struct watch *w, uint32_t events)
{
	if (events & EPOLLOUT)
		on_client_writable(w);
	if (w->obj && (events & ~EPOLLOUT))
		on_client_readable(w);
	return WATCH_IO;
}

/* --- drivers as clients ------------------------------------------------------------------------ */

/* The client a host's driver is when it opens and sends to other devices. */
static struct ioclient *host_client(struct hostproc *hp)
{
	struct ioclient *c = hp->ioc;

	if (c)
		return c;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->fd = c->pidfd = -1;
	c->host = hp;
	c->kernel_mode = hp->inhost;
	/* An in-host driver is the system; a driver host is its unprivileged user. */
	c->pid = hp->inhost ? 0 : hp->pid;
	c->uid = hp->inhost ? 0 : D.host_uid;
	c->gid = hp->inhost ? 0 : D.host_gid;
	c->user = user_ref(c->uid);
	if (!c->user) {
		free(c);
		return NULL;
	}
	iolist_init(&c->reqs);
	iolist_init(&c->handle_list);
	hp->ioc = c;
	client_link(c);
	return c;
}

/* Whether origin is an application's request that hp's driver holds: it may forward it. */
static bool in_app_context(const struct hostproc *hp, uint64_t origin)
{
	const struct ioreq *o = origin ? REQ_GET(origin) : NULL;

	return o && o->kind == RQ_IO && !o->c->host && o->dev->host == hp &&
	       o->major == IRP_MJ_DEVICE_CONTROL && o->method == METHOD_NEITHER;
}

/*
 * A request a driver sends through an I/O target. The UMDF rules for
 * kernel-mode clients apply here, in this order, when the target is a
 * user-mode driver (docs/io-requests.md lists each status).
 */
static void do_target_send(struct hostproc *hp, struct ioclient *c, const struct umn_msg_target_send *m)
{
	struct io_args a = { .in_fd = -1, .out_fd = -1 };
	struct device *dev = m->target_dev < UMN_MAX_DEVICES ? D.devs[m->target_dev] : NULL;
	struct iohandle *h = NULL;
	bool known_file = false;

	if (m->in_len > UMN_IO_INLINE_MAX || m->out_len > UMN_IO_INLINE_MAX) {
		reply_complete(c, m->cookie, STATUS_INVALID_BUFFER_SIZE, 0, NULL, 0, false);
		return;
	}
	if (m->major != IRP_MJ_READ && m->major != IRP_MJ_WRITE && m->major != IRP_MJ_DEVICE_CONTROL &&
	    m->major != IRP_MJ_INTERNAL_DEVICE_CONTROL) {
		reply_complete(c, m->cookie, STATUS_INVALID_PARAMETER, 0, NULL, 0, false);
		return;
	}
	if (!dev) {
		reply_complete(c, m->cookie, STATUS_NO_SUCH_DEVICE, 0, NULL, 0, false);
		return;
	}
	/* The framework knows a file object only if this driver's open created it on this device. */
	if (m->file) {
		h = HANDLE_GET(m->file);
		if (h && h->c == c && h->dev == dev && h->open && !h->closing)
			known_file = true;
		else
			h = NULL;
	}
	if (h && handle_stale(h)) {
		reply_complete(c, m->cookie, STATUS_DRIVER_PROCESS_TERMINATED, 0, NULL, 0, false);
		return;
	}
	if (dev->state != DEV_STARTED || !dev->host) {
		reply_complete(c, m->cookie, STATUS_DEVICE_NOT_READY, 0, NULL, 0, false);
		return;
	}
	if (dev->drv->mode == INF_MODE_USER) {
		NTSTATUS st = STATUS_SUCCESS;

		if (km_client_refused(c, dev))
			st = STATUS_KM_CLIENT_REFUSED;
		else if (c->kernel_mode && m->irql != PASSIVE_LEVEL)
			st = STATUS_KM_CLIENT_ABOVE_PASSIVE;
		else if (!known_file && (!c->kernel_mode ||
					 dev->drv->policy.file_object != INF_FILEOBJECT_ALLOW_NULL_UNKNOWN))
			st = STATUS_NO_KNOWN_FILE_OBJECT;
		else if (m->major == IRP_MJ_INTERNAL_DEVICE_CONTROL)
			st = STATUS_INTERNAL_IOCTL_REFUSED;
		if (st != STATUS_SUCCESS) {
			reply_complete(c, m->cookie, st, 0, NULL, 0, false);
			return;
		}
	} else if (m->major == IRP_MJ_INTERNAL_DEVICE_CONTROL && !c->kernel_mode) {
		/* Internal IOCTLs pass between kernel-mode drivers only. */
		reply_complete(c, m->cookie, STATUS_INTERNAL_IOCTL_REFUSED, 0, NULL, 0, false);
		return;
	}
	a.major = m->major;
	a.code = m->major == IRP_MJ_READ || m->major == IRP_MJ_WRITE ? 0 : m->ioctl;
	a.offset = m->offset;
	a.in = m + 1;
	a.in_len = m->in_len;
	a.out_len = m->out_len;
	a.in_app_context = in_app_context(hp, m->origin);
	start_io(c, m->cookie, h, dev, &a);
}

void reflector_on_host_io(struct hostproc *hp, const void *msg, size_t len)
{
	const struct umn_msg_hdr *hdr = msg;
	struct ioclient *c = host_client(hp);

	if (!c) {
		host_kill(hp, "umnicd is out of memory for its requests");
		return;
	}
	switch (hdr->type) {
	case UMN_MSG_TARGET_OPEN: {
		struct umn_msg_target_open m;

		if (len != sizeof(m))
			break;
		memcpy(&m, msg, sizeof(m));
		umn_str_fix(m.name, sizeof(m.name));
		int32_t lookup;
		struct device *dev = device_by_name(m.name, NULL, &lookup);

		open_device(c, m.id, dev, lookup, umn_iomsg_map_access(m.access), "");
		return;
	}
	case UMN_MSG_TARGET_SEND: {
		const struct umn_msg_target_send *m = msg;

		if (len < sizeof(*m) || len - sizeof(*m) != m->in_len)
			break;
		do_target_send(hp, c, m);
		return;
	}
	case UMN_MSG_TARGET_CANCEL:
	case UMN_MSG_TARGET_CLOSE: {
		const struct umn_msg_io_cancel *m = msg;
		struct iohandle *h;

		if (len != sizeof(*m))
			break;
		if (hdr->type == UMN_MSG_TARGET_CANCEL) {
			do_cancel(c, m->id);
			return;
		}
		h = HANDLE_GET(m->id);
		if (h && h->c == c && !h->closing)
			handle_close(h, 0);
		return;
	}
	}
	host_kill(hp, "malformed I/O target message");
}

/* --- completions from hosts ------------------------------------------------------------------- */

/* How long hosts took to complete requests, those served within LATENCY_MAX_NS (reflector_latency). */
#define LATENCY_MAX_NS (10 * 1000000ull)
static uint64_t latency_sum_ns, latency_count;

static void served(const struct ioreq *r)
{
	uint64_t took = umn_now_ns() - r->sent_ns;

	/* A request the driver keeps pending by design says nothing about the transport. */
	if (r->sent_ns && took < LATENCY_MAX_NS) {
		latency_sum_ns += took;
		latency_count++;
	}
}

void reflector_latency(uint64_t *ret_sum_ns, uint64_t *ret_count)
{
	*ret_sum_ns = latency_sum_ns;
	*ret_count = latency_count;
}

void reflector_on_complete(struct hostproc *hp, const void *msg, size_t len)
{
	const struct umn_msg_io_complete *m = msg;
	struct ioreq *r;
	NTSTATUS st;
	uint64_t info;
	uint32_t data_len;
	struct iohandle *h;

	if (len < sizeof(*m) || len - sizeof(*m) != m->data_len) {
		host_kill(hp, "malformed I/O completion");
		return;
	}
	r = REQ_GET(m->id);
	if (!r || r->dev->host != hp) {
		/* Completed twice, or a request it never had: its own business, but not ours to relay. */
		host_stray_completion(hp, m->id);
		return;
	}
	st = m->status;
	info = m->information;
	data_len = m->data_len;
	h = r->h;
	if (st == STATUS_PENDING) {
		host_kill(hp, "completed a request with STATUS_PENDING");
		return;
	}
	if (data_len > r->out_len) {
		host_kill(hp, "sent more output than the request's buffer");
		return;
	}
	served(r);
	switch (r->kind) {
	case RQ_CREATE:
		if (NT_SUCCESS(st)) {
			h->open = true;
			reply_open(r->c, r->client_req, STATUS_SUCCESS, h->granted, h->id);
			req_free(r);
		} else {
			reply_open(r->c, r->client_req, st, 0, 0);
			req_free(r);
			handle_free(h);
		}
		return;
	case RQ_CLEANUP: {
		struct ioreq *cl = req_new(RQ_CLOSE, r->c, 0, h, r->dev);
		req_free(r);
		if (!cl || !send_request(cl, IRP_MJ_CLOSE, 0, 0, 0, NULL, 0, -1, 0, -1, 0, NULL)) {
			if (cl)
				req_free(cl);
			if (h->close_req)
				reply_close(h->c, h->close_req, STATUS_SUCCESS);
			handle_free(h);
		}
		return;
	}
	case RQ_CLOSE:
		req_free(r);
		if (h->close_req)
			reply_close(h->c, h->close_req, STATUS_SUCCESS);
		handle_free(h);
		return;
	case RQ_IO:
		break;
	}
	/* The UMDF reflector's rule: a buffered read or IOCTL reports no more than its buffer. */
	if (NT_SUCCESS(st) && r->check_information && info > r->out_len) {
		umn_log(UMN_LOG_WARN, "%s: request completed with Information %llu > output buffer %u; failed",
			r->dev->instance_id, (unsigned long long)info, r->out_len);
		reply_complete(r->c, r->client_req, STATUS_INFORMATION_TOO_LARGE, 0, NULL, 0, false);
		req_free(r);
		return;
	}
	/* Output in the client's memfd is there already; say how much of it is valid. */
	if (r->out_memfd)
		data_len = NT_SUCCESS(st) || st == STATUS_BUFFER_OVERFLOW
				   ? (uint32_t)(info < r->out_len ? info : r->out_len)
				   : 0;
	reply_complete(r->c, r->client_req, st, info, m + 1, data_len, r->out_memfd);
	req_free(r);
}

/* WdfDeviceCreateSymbolicLink / CreateDeviceInterface: every one is answered with its status. */
void reflector_on_register(struct hostproc *hp, const void *msg, size_t len)
{
	struct umn_msg_register_name m;
	struct umn_msg_name_registered a;
	struct device *dev;
	GUID guid;

	if (len != sizeof(m))
		return;
	memcpy(&m, msg, sizeof(m));
	umn_str_fix(m.name, sizeof(m.name));
	umn_msg_init(&a, UMN_MSG_NAME_REGISTERED, sizeof(a), 0);
	a.id = m.id;
	memcpy(&guid, m.guid, sizeof(guid));
	if (m.dev >= UMN_MAX_DEVICES || !(dev = D.devs[m.dev]) || dev->host != hp)
		a.status = STATUS_NO_SUCH_DEVICE;
	else if (m.kind != UMN_NAME_SYMLINK && m.kind != UMN_NAME_INTERFACE)
		a.status = STATUS_INVALID_PARAMETER;
	else
		a.status = names_register(dev, m.kind, &guid, m.name);
	host_send(hp, &a, sizeof(a), NULL, 0);
}

void reflector_device_gone(struct device *dev, int32_t status, bool removed)
{
	struct ioreq *list = NULL, *last = NULL, *r;

	/*
	 * Collected first, since freeing reshuffles the table; reads, writes and
	 * IOCTLs ahead of creates, cleanups and closes, which free their handles.
	 */
	for (unsigned i = 0; i < TABLE_SIZE; i++) {
		r = R.req[i];
		if (!r || r->dev != dev)
			continue;
		r->gone_next = NULL;
		if (r->kind == RQ_IO) {
			r->gone_next = list;
			list = r;
			if (!last)
				last = r;
		} else if (last) {
			r->gone_next = last->gone_next;
			last->gone_next = r;
		} else {
			r->gone_next = list;
			list = r;
		}
	}
	while ((r = list)) {
		list = r->gone_next;
		if (r->kind == RQ_IO)
			reply_complete(r->c, r->client_req, status, 0, NULL, 0, false);
		else if (r->kind == RQ_CREATE)
			reply_open(r->c, r->client_req, status, 0, 0);
		else if (r->h->close_req)
			reply_close(r->c, r->h->close_req, STATUS_SUCCESS);
		struct iohandle *h = r->h;
		/* A handle whose create or close was in flight goes with the driver. */
		enum ioreq_kind kind = r->kind;
		req_free(r);
		if (kind != RQ_IO && h)
			handle_free(h);
	}
	/* Its names are names.c's to keep or drop (dev_crashed, dev_fail). */
	/* Handles outlive the device's driver (their requests fail); not the device itself. */
	if (removed)
		for (unsigned i = 0; i < TABLE_SIZE; i++)
			if (R.handle[i] && R.handle[i]->dev == dev)
				R.handle[i]->dev = NULL;
}

/* --- the socket ------------------------------------------------------------------------------- */

static unsigned on_accept(struct watch *w, uint32_t events);

int reflector_listen(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	iotab_init(&R.by_client);
	iolist_init(&R.paused);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", D.run_dir, UMN_IOMSG_SOCK_NAME);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	unlink(sa.sun_path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 128) < 0) {
		int r = -errno;
		close(fd);
		return r;
	}
	/* Anyone may connect; each device's owner, group and mode decide who may open it. */
	chmod(sa.sun_path, 0666);
	watch_add(&R.w_listen, fd, on_accept, &R);
	return 0;
}

/*
 * Why an I/O client of user u is refused, or NULL. Unprivileged users may
 * each have a sixteenth of --max-clients, and together leave a sixteenth
 * (and UMN_FD_RESERVE descriptors) to root and umnicd's own user.
 */
static const char *client_refusal(const struct umn_user *u, char *buf, size_t cap)
{
	unsigned per_user = D.max_clients / 16 ? D.max_clients / 16 : 1;

	if (R.nclients >= D.max_clients) {
		snprintf(buf, cap, "%u are connected, the most --max-clients allows", R.nclients);
		return buf;
	}
	if (u->privileged)
		return NULL;
	if (u->clients >= per_user)
		snprintf(buf, cap, "uid %u has %u connected, the most one user may (--max-clients / 16)",
			 (unsigned)u->uid, u->clients);
	else if (R.nclients_unpriv >= D.max_clients - D.max_clients / 16)
		snprintf(buf, cap, "unprivileged users have %u connected, the most they may",
			 R.nclients_unpriv);
	else if (!umn_fds_allow(2))
		snprintf(buf, cap, "umnicd keeps its last file descriptors for root and its own work");
	else
		return NULL;
	return buf;
}

/* A new I/O client on the listening socket. */
static unsigned on_accept(struct watch *w, uint32_t events)
{
	struct ioclient *c;
	struct ucred cr;
	socklen_t sl = sizeof(cr);
	int fd = umn_accept(w->fd, UMN_IOMSG_SOCK_NAME);
	struct umn_user *u;
	char why[128];
	unsigned held;

	(void)events;
	if (fd < 0)
		return 0;
	/* Who the client is comes from the kernel, never from anything it says. */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &sl) < 0 || !(u = user_ref(cr.uid))) {
		close(fd);
		return 0;
	}
	if (client_refusal(u, why, sizeof(why))) {
		/* Refused at once: the client sees its connection closed. Logged once a second. */
		user_unref(u);
		close(fd);
		if (umn_log_limit_pass(&R.refused_log, umn_now_ns(), 1000000000ull, &held, NULL))
			umn_log(UMN_LOG_WARN, "refusing a new I/O client: %s (%u more refused since the last message)",
				why, held);
		return 0;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		user_unref(u);
		close(fd);
		return 0;
	}
	R.nclients++;
	u->clients++;
	if (!u->privileged)
		R.nclients_unpriv++;
	c->user = u;
	iolist_init(&c->reqs);
	iolist_init(&c->handle_list);
	c->fd = fd;
	c->pid = cr.pid;
	c->uid = cr.uid;
	c->gid = cr.gid;
	c->pidfd = (int)syscall(SYS_pidfd_open, cr.pid, 0);
	c->fds = c->pidfd >= 0 ? 2 : 1;
	D.peer_fds += c->fds;
	watch_add(&c->w, fd, client_event, c);
	outbox_init(&c->out, fd, &c->w, CLIENT_OUT_MAX, client_out_failed);
	client_link(c);
	c->out.acct = client_out_acct;
	return 0;
}

void reflector_host_freed(struct hostproc *hp)
{
	if (hp->io_pending)
		for (unsigned i = 0; i < TABLE_SIZE; i++)
			if (R.req[i] && R.req[i]->host == hp)
				req_uncount_host(R.req[i]);
}

void reflector_shutdown(void)
{
	for (unsigned i = 0; i < TABLE_SIZE; i++) {
		free(R.req[i]);
		R.req[i] = NULL;
	}
	for (unsigned i = 0; i < TABLE_SIZE; i++) {
		free(R.handle[i]);
		R.handle[i] = NULL;
	}
	/*
	 * Every client goes, also one that holds nothing and one kept only by what it
	 * had outstanding. The hosts are freed already: c->host is not followed.
	 */
	while (R.clients) {
		struct ioclient *c = R.clients;

		if (!c->gone && c->fd >= 0) {
			watch_del(&c->w);
			outbox_fini(&c->out);
			close(c->fd);
			R.nclients--;
		}
		client_free(c);
	}
	if (R.w_listen.fd >= 0)
		close(R.w_listen.fd);
}
