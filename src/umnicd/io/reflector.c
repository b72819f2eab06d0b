/* SPDX-License-Identifier: MIT */
/*
 * The reflector's tables and rules: requests and handles by id, and the
 * fair shares a request must fit in; opening a device (its owner, group and
 * mode, the INF's policy for kernel-mode clients); the rules a read, write
 * or IOCTL meets whoever sent it; and what comes back from driver hosts:
 * completions, name registrations, the end of a device. Applications are
 * served in app_clients.c, drivers that send to other devices in
 * driver_clients.c.
 */
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
#include "umnicd/dev/device.h"
#include "umnicd/hosts/hostproc.h"
#include "umnicd/hosts/outbox.h"
#include "umnicd/io/iotab.h"
#include "umnicd/dev/names.h"
#include "umnicd/io/reflector_int.h"
#include "umnicd/base/config.h"
#include "umnicd/base/loop.h"
#include "umnicd/base/users.h"

struct reflector_state R;

/* --- tables ---------------------------------------------------------------------------------- */

static unsigned slot_of(void **tab, uint64_t id, size_t off)
{
	for (unsigned i = (unsigned)id;; i++) {
		void *e = tab[i & (TABLE_SIZE - 1)];
		if (!e || *(uint64_t *)((char *)e + off) == id)
			return i & (TABLE_SIZE - 1);
	}
}

void *tab_get(void **tab, uint64_t id, size_t off)
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

/* --- requests to hosts -------------------------------------------------------------------------
 */

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
	return hp->io_unpriv < HOST_CAPACITY - HOST_RESERVE &&
	       (!s || s->pending < USER_HOST_MAX_PENDING);
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
	umn_list_add_head(&c->reqs, &r->cl);
	if (kind == RQ_IO)
		umn_idtab_add(&R.by_client, &r->by_client, c, client_req);
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
	umn_list_del(&r->cl);
	umn_idtab_del(&r->by_client);
	req_uncount_host(r);
	if (r->reserve)
		release_reply(c, r->reserve);
	if (r->h)
		r->h->pending--;
	free(r);
	client_release(c);
}

/* Sends the request to the device's host; false (nothing sent) if the host is not there. */
static bool send_request(struct ioreq *r, uint32_t major, uint32_t ioctl, uint64_t offset,
			 uint32_t io_type, const void *in, uint32_t in_len, int in_fd,
			 uint32_t out_len, int out_fd, uint32_t access, const char *file_name)
{
	size_t inline_len = (in && in_fd < 0) ? in_len : 0;
	size_t total = sizeof(struct umn_msg_io_request) + inline_len;
	struct umn_msg_io_request *m;
	int fds[2];
	unsigned nfds = 0;
	int e;

	if (!dev_io_ready(r->dev))
		return false;
	r->sent_ns = umn_mono_ns();
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
	m->from_user_mode_driver = r->c->ops->driver && !r->c->kernel_mode;
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
	umn_list_del(&h->cl);
	c->handles--;
	c->user->handles--;
	if (!c->user->privileged)
		R.nhandle_unpriv--;
	free(h);
	client_release(c);
}

bool handle_stale(const struct iohandle *h)
{
	return !h->dev || h->dev->incarnation != h->incarnation;
}

/* Cleanup, then close, on the driver's file object; the handle goes when close completes. */
void handle_close(struct iohandle *h, uint64_t client_req)
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
struct device *device_by_name(const char *link, const GUID *guid, NTSTATUS *ret_status)
{
	*ret_status = STATUS_OBJECT_NAME_NOT_FOUND;
	return link ? names_find_link(link) : names_find_interface(guid, ret_status);
}

/* A user-mode driver hears from kernel-mode clients only if its INF allows them. */
bool km_client_refused(const struct ioclient *c, const struct device *dev)
{
	return c->kernel_mode && dev->drv->mode == INF_MODE_USER &&
	       dev->drv->policy.kernel_mode_client != INF_KMCLIENT_ALLOW;
}

/* --- client requests -------------------------------------------------------------------------- */

/* An open: a handle whose file object the driver creates (EvtDeviceFileCreate). */
void open_device(struct ioclient *c, uint64_t req_id, struct device *dev, NTSTATUS lookup,
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
	if (!dev_io_ready(dev)) {
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
	umn_list_add_head(&c->handle_list, &h->cl);
	r = req_new(RQ_CREATE, c, req_id, h, dev);
	if (!r || !send_request(r, IRP_MJ_CREATE, 0, 0, 0, NULL, 0, -1, 0, -1, access, file_name)) {
		NTSTATUS st = r ? STATUS_DEVICE_NOT_READY : STATUS_INSUFFICIENT_RESOURCES;

		/* Reply first: releasing the handle may release the last hold on c. */
		reply_open(c, req_id, st, 0, 0);
		if (r)
			req_free(r);
		handle_free(h);
	}
}

/* Resolves a request's handle; replies and returns NULL when it is unusable. */
struct iohandle *usable_handle(struct ioclient *c, uint64_t req_id, uint64_t id)
{
	struct iohandle *h = HANDLE_GET(id);

	if (!h || h->c != c || !h->open || h->closing) {
		reply_complete(c, req_id, STATUS_INVALID_HANDLE, 0, NULL, 0, false);
		return NULL;
	}
	/* Opened before the driver's process died: its file object died with it. */
	if (handle_stale(h) || !dev_io_ready(h->dev)) {
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

/*
 * Applies the rules every requestor meets (access bits, buffer methods) and
 * sends the request to dev's driver; h is the file object's handle, NULL for
 * none. Replies to c itself when the request is refused.
 */
void start_io(struct ioclient *c, uint64_t req_id, struct iohandle *h, struct device *dev,
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
	/* Room for its reply, where the client's replies wait (its ops). */
	if (!c->ops->reserve(c, r, a->out_len, a->out_fd)) {
		fail_io(c, r, req_id, STATUS_INSUFFICIENT_RESOURCES);
		return;
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
		/* A kernel-mode driver takes raw buffers; here, where it cannot, it gets copies
		 * too. */
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
		if (c->ops->driver && !a->in_app_context) {
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

/* Asks the driver to cancel r; its completion still comes back the usual way. */
void cancel_at_host(const struct ioreq *r)
{
	struct umn_msg_io_cancel m;

	if (!r->dev->host)
		return;
	umn_msg_init(&m, UMN_MSG_IO_CANCEL, sizeof(m), 0);
	m.id = r->id;
	host_send(r->dev->host, &m, sizeof(m), NULL, 0);
}

/* Client request ids are the client's own: found by (client, id), whoever else has requests. */
void do_cancel(struct ioclient *c, uint64_t client_req)
{
	struct umn_idnode *n = umn_idtab_find(&R.by_client, c, client_req);

	if (n)
		cancel_at_host(UMN_IDTAB_ENTRY(n, struct ioreq, by_client));
}

/* --- completions from hosts ------------------------------------------------------------------- */

/* How long hosts took to complete requests, those served within LATENCY_MAX_NS (reflector_latency).
 */
#define LATENCY_MAX_NS (10 * 1000000ull)
static uint64_t latency_sum_ns, latency_count;

static void served(const struct ioreq *r)
{
	uint64_t took = umn_mono_ns() - r->sent_ns;

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
		/* Completed twice, or a request it never had: its own business, but not ours to
		 * relay. */
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
		umn_log(UMN_LOG_WARN,
			"%s: request completed with Information %llu > output buffer %u; failed",
			r->dev->instance_id, (unsigned long long)info, r->out_len);
		reply_complete(r->c, r->client_req, STATUS_INFORMATION_TOO_LARGE, 0, NULL, 0,
			       false);
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
	if (m.dev >= UMN_MAX_DEVICES || !(dev = dev_get(m.dev)) || dev->host != hp)
		a.status = STATUS_NO_SUCH_DEVICE;
	else if (m.kind != UMN_NAME_SYMLINK && m.kind != UMN_NAME_INTERFACE)
		a.status = STATUS_INVALID_PARAMETER;
	else
		a.status = names_register(dev, m.kind, &guid, m.name);
	host_send(hp, &a, sizeof(a), NULL, 0);
}

void reflector_device_gone(struct device *dev, NTSTATUS status, bool removed)
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

void reflector_host_freed(struct hostproc *hp)
{
	if (hp->io_pending)
		for (unsigned i = 0; i < TABLE_SIZE; i++)
			if (R.req[i] && R.req[i]->host == hp)
				req_uncount_host(R.req[i]);
}

/* What driver hosts send the I/O manager, and their end (hostproc.h's host_io_events). */
static const struct host_io_events host_events = {
    .complete = reflector_on_complete,
    .target = reflector_on_host_io,
    .register_name = reflector_on_register,
    .host_gone = reflector_host_gone,
    .host_freed = reflector_host_freed,
};

/* What the reflector hears of devices (device.h's dev_events). */
static const struct dev_events dev_events = {
    .driver_gone = reflector_device_gone,
};

void reflector_init(void)
{
	host_events_io(&host_events);
	dev_listen(&dev_events);
}
