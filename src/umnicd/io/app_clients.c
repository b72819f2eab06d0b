/* SPDX-License-Identifier: MIT */
/*
 * The reflector's application clients: libumnic connections on umnicd's I/O
 * socket. Accepting (the kernel says who the client is), decoding each
 * request from umnicd's private copy, off the socket or the client's
 * message ring, in order; replies through the client's outbox, and the
 * backpressure that stops reading a client whose replies wait unread; a
 * disconnect cancels its requests and closes its handles.
 */
#include "umnicd/io/reflector.h"

#include <errno.h>
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

#include "common/endpoint.h"
#include "common/ioproto.h"
#include "common/log.h"
#include "umnicd/dev/device.h"
#include "umnicd/hosts/hostproc.h"
#include "umnicd/hosts/outbox.h"
#include "umnicd/io/iotab.h"
#include "umnicd/io/reflector_int.h"
#include "umnicd/base/config.h"
#include "umnicd/base/loop.h"
#include "umnicd/base/users.h"

/* --- replies to clients ------------------------------------------------------------------------
 */

void client_link(struct ioclient *c)
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
	umn_list_del(&c->paused_node);
	user_unref(c->user);
	free(c);
}

void client_release(struct ioclient *c)
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
	umn_list_add_head(&R.paused, &c->paused_node);
}

static void client_resume(struct ioclient *c)
{
	if (!c->paused)
		return;
	c->paused = false;
	c->out.rx_paused = false;
	umn_list_del(&c->paused_node);
	/* Whatever waits in its socket wakes the loop; its ring is polled before the loop sleeps.
	 */
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
	/* Its own backlog was read: it goes on at once (its user's and everyone's: reflector_tick).
	 */
	if (taken && c->paused && !over_share(c, true))
		client_resume(c);
}

/* Room kept for a reply of up to n bytes; false if it would pass a bound. */
bool reserve_reply(struct ioclient *c, size_t n)
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

void release_reply(struct ioclient *c, size_t n)
{
	c->reserved -= n;
	c->user->reserved -= n;
	if (!c->user->privileged)
		R.reserved_unpriv -= n;
}

void reflector_tick(void)
{
	struct umn_list *n, *next;

	for (n = R.paused.next; n != &R.paused; n = next) {
		struct ioclient *c = umn_list_entry(n, struct ioclient, paused_node);

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
	/* A client that stops reading is disconnected once CLIENT_OUT_MAX waits
	 * (client_out_failed). */
	if (n < 0 || outbox_put(&c->out, buf, (size_t)n, fds, nfds) < 0)
		umn_log(UMN_LOG_DEBUG, "reply to client pid %d lost", (int)c->pid);
}

static void app_complete(struct ioclient *c, uint64_t req_id, NTSTATUS st, uint64_t info,
			 const void *data, uint32_t len, bool in_memfd)
{
	struct umn_iomsg m;

	umn_iomsg_init(&m, UMN_IOMSG_COMPLETE, req_id);
	m.complete.status = st;
	m.complete.information = info;
	m.complete.data_len = len;
	m.complete.in_memfd = in_memfd;
	m.complete.data = in_memfd ? NULL : data;
	send_iomsg(c, &m);
}

static void app_opened(struct ioclient *c, uint64_t req_id, NTSTATUS st, uint32_t granted,
		       uint64_t handle)
{
	struct umn_iomsg m;

	umn_iomsg_init(&m, UMN_IOMSG_OPEN_DONE, req_id);
	m.open_done.status = st;
	m.open_done.granted_access = granted;
	m.open_done.handle = handle;
	send_iomsg(c, &m);
}

static void app_closed(struct ioclient *c, uint64_t req_id, NTSTATUS st)
{
	struct umn_iomsg m;

	umn_iomsg_init(&m, UMN_IOMSG_CLOSE_DONE, req_id);
	m.close_done.status = st;
	send_iomsg(c, &m);
}

/* An application's replies wait in its outbox: room is kept for each (inline output up to a bound).
 */
static bool app_reserve(struct ioclient *c, struct ioreq *r, uint32_t out_len, int out_fd)
{
	uint32_t inline_out = out_fd >= 0 ? 0 : out_len;
	size_t n = outbox_rec_size(
	    sizeof(struct umn_iomsg_complete) +
	    (inline_out < UMN_IOMSG_INLINE_MAX ? inline_out : UMN_IOMSG_INLINE_MAX));

	if (!reserve_reply(c, n))
		return false;
	r->reserve = (uint32_t)n;
	return true;
}

static const struct ioclient_ops app_ops = {
    .complete = app_complete,
    .opened = app_opened,
    .closed = app_closed,
    .reserve = app_reserve,
};

static void do_io(struct ioclient *c, const struct umn_iomsg *m)
{
	struct io_args a = {.in_fd = -1, .out_fd = -1};
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

/* c is gone: its pending requests are cancelled and its handles closed; it goes when they have. */
void client_drop(struct ioclient *c)
{
	struct umn_list *n, *next;

	c->gone = true;
	c->pending++; /* keeps c while its handles close below */
	/* Pending requests are cancelled; their completions are dropped when they come. */
	for (n = c->reqs.next; n != &c->reqs; n = n->next) {
		struct ioreq *r = umn_list_entry(n, struct ioreq, cl);

		if (r->kind == RQ_IO)
			cancel_at_host(r);
	}
	/* Its handles get cleanup and close, as when a process dies on Windows. */
	for (n = c->handle_list.next; n != &c->handle_list; n = next) {
		struct iohandle *h = umn_list_entry(n, struct iohandle, cl);

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
		umn_list_del(&c->paused_node);
	}
	watch_del(&c->w);
	outbox_fini(&c->out);
	close(c->fd);
	R.nclients--;
	c->user->clients--;
	if (!c->user->privileged)
		R.nclients_unpriv--;
	umn_fds_hold(-(int)c->fds);
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
		umn_log(UMN_LOG_WARN, "client pid %d: malformed request (%s); disconnecting it",
			(int)c->pid, reason);
		for (unsigned i = 0; i < nfds; i++)
			close(fds[i]);
		client_gone(c);
		return false;
	}
	switch (m.type) {
	case UMN_IOMSG_OPEN: {
		NTSTATUS lookup;
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
#define CLIENT_BATCH	   16
#define CLIENT_BATCH_CALLS 4

/* Where each client's ring messages are copied: one reader at a time, umnicd's loop. */
static _Alignas(8) unsigned char client_ring_buf[UMN_CHAN_REC_MAX];

static bool client_ep_message(void *ctx, unsigned char *buf, ssize_t len, int *fds, unsigned nfds)
{
	return client_on_message(ctx, buf, len, fds, nfds);
}

/* Its ring is beyond repair: c goes. */
static bool client_ep_ring_broken(void *ctx)
{
	struct ioclient *c = ctx;

	umn_log(UMN_LOG_WARN,
		"client pid %d: its request ring is inconsistent (an index or a length out of "
		"range); disconnecting it",
		(int)c->pid);
	client_gone(c);
	return false;
}

/*
 * Up to max requests from c's ring, each handled from umnicd's private copy;
 * it stops (and pauses c) when c is over its share of reply bytes. Returns
 * how many it took; c may be gone (and freed) then.
 */
static unsigned client_drain(struct outbox *o, unsigned max)
{
	struct ioclient *c = OUTBOX_OWNER(o, struct ioclient, out);
	unsigned total = 0, n;

	while (total < max) {
		if (over_share(c, false)) {
			client_pause(c);
			break;
		}
		if (umn_ep_drain(&o->ep, 1, &n) < 0)
			return total + n;
		if (!n)
			break;
		total++;
	}
	return total;
}

/*
 * An OFFER (common/chan.h) asks for a channel, and then acknowledges it;
 * one with descriptors is malformed. False when c is gone.
 */
static bool client_ep_offer(void *ctx, const int *fds, unsigned nfds)
{
	struct umn_chan_msg refusal = {.type = UMN_CHAN_MSG_OFFER, .len = sizeof(refusal)};
	struct ioclient *c = ctx;
	struct umn_chan *ch = &c->out.ep.ch;
	int e;

	(void)fds;
	if (nfds) {
		umn_log(UMN_LOG_WARN,
			"client pid %d: malformed request (a message ring offer with descriptors); "
			"disconnecting it",
			(int)c->pid);
		client_gone(c);
		return false;
	}
	/* The acknowledgement of the channel offered before. */
	if (umn_ep_offer_acked(&c->out.ep))
		return true;
	if (umn_chan_active(ch)) {
		umn_log(UMN_LOG_WARN,
			"client pid %d: a second message ring offer; disconnecting it",
			(int)c->pid);
		client_gone(c);
		return false;
	} else if (!cfg->io_rings) {
		outbox_put(&c->out, &refusal, sizeof(refusal), NULL, 0); /* no descriptor */
	} else if ((e = outbox_chan_offer(&c->out, client_drain)) < 0) {
		umn_log(UMN_LOG_WARN,
			"client pid %d: no message ring (%s); it uses its socket only", (int)c->pid,
			strerror(-e));
		outbox_put(&c->out, &refusal, sizeof(refusal), NULL, 0);
	}
	return true;
}

static const struct umn_ep_ops client_ep_ops = {
    .message = client_ep_message,
    .offer = client_ep_offer,
    .ring_broken = client_ep_ring_broken,
};

/* A paused client's socket reported an event: a hang-up or an error (readable is not asked for). */
static void paused_event(struct ioclient *c)
{
	struct pollfd p = {.fd = c->fd};

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
		int r;

		/*
		 * Backpressure: over its share of unread replies, nothing more
		 * is read from c (a batch in hand is still handled in order).
		 */
		if (over_share(c, false)) {
			client_pause(c);
			return;
		}
		/*
		 * What the client put on its ring went before these: all of it, to
		 * keep the order. A client's own request never ends it; only its
		 * socket does, and then the loop stops.
		 */
		r = umn_ep_recv(&c->out.ep, &b, MSG_DONTWAIT);
		if (r == -EAGAIN || r == -ECANCELED)
			return;
		if (r < 0) {
			client_gone(c);
			return;
		}
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

/* --- the socket ------------------------------------------------------------------------------- */

static unsigned on_accept(struct watch *w, uint32_t events);

int reflector_listen(void)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	umn_idtab_init(&R.by_client, R.by_client_bucket, IOTAB_BUCKETS, true);
	umn_list_init(&R.paused);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", cfg->run_dir, UMN_IOMSG_SOCK_NAME);
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
	unsigned per_user = cfg->max_clients / 16 ? cfg->max_clients / 16 : 1;

	if (R.nclients >= cfg->max_clients) {
		snprintf(buf, cap, "%u are connected, the most --max-clients allows", R.nclients);
		return buf;
	}
	if (u->privileged)
		return NULL;
	if (u->clients >= per_user)
		snprintf(buf, cap,
			 "uid %u has %u connected, the most one user may (--max-clients / 16)",
			 (unsigned)u->uid, u->clients);
	else if (R.nclients_unpriv >= cfg->max_clients - cfg->max_clients / 16)
		snprintf(buf, cap, "unprivileged users have %u connected, the most they may",
			 R.nclients_unpriv);
	else if (!umn_fds_allow(2))
		snprintf(buf, cap,
			 "umnicd keeps its last file descriptors for root and its own work");
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
		if (umn_log_limit_pass(&R.refused_log, umn_mono_ns(), 1000000000ull, &held, NULL))
			umn_log(UMN_LOG_WARN,
				"refusing a new I/O client: %s (%u more refused since the last "
				"message)",
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
	c->ops = &app_ops;
	c->user = u;
	umn_list_init(&c->reqs);
	umn_list_init(&c->handle_list);
	c->fd = fd;
	c->pid = cr.pid;
	c->uid = cr.uid;
	c->gid = cr.gid;
	c->pidfd = (int)syscall(SYS_pidfd_open, cr.pid, 0);
	c->fds = c->pidfd >= 0 ? 2 : 1;
	umn_fds_hold((int)c->fds);
	watch_add(&c->w, fd, client_event, c);
	outbox_init(&c->out, fd, &c->w, CLIENT_OUT_MAX, client_out_failed);
	outbox_reader(&c->out, &client_ep_ops, c, client_ring_buf);
	client_link(c);
	c->out.acct = client_out_acct;
	return 0;
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
