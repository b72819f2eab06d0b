/* SPDX-License-Identifier: MIT */
#include "host/reflector.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include <ntstatus.h>

#include "common/ioproto.h"
#include "common/log.h"
#include "host/umnicd.h"

/* WDF_DEVICE_IO_TYPE values the driver sees (wdfdevice.h). */
#define IO_BUFFERED 2
#define IO_DIRECT 3

/* NTSTATUS umnicd chooses where Windows documents none (docs/io-requests.md). */
#define STATUS_INFORMATION_TOO_LARGE STATUS_DRIVER_INTERNAL_ERROR

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
	uint64_t neither_out;	/* METHOD_NEITHER with Copy: where the output goes */
};

#define TABLE_SIZE 65536u	/* power of two */

static struct {
	struct watch w_listen;
	uint64_t next_id;
	struct ioreq *req[TABLE_SIZE];	/* open addressing on id */
	unsigned nreq;
	struct iohandle *handle[TABLE_SIZE];
	unsigned nhandle;
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

static void client_release(struct ioclient *c)
{
	if (c->gone && !c->handles && !c->pending) {
		if (c->pidfd >= 0)
			close(c->pidfd);
		free(c);
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
	if (n < 0 || umn_msg_send(c->fd, buf, (size_t)n, fds, nfds) < 0)
		umn_log(UMN_LOG_DEBUG, "reply to client pid %d lost", (int)c->pid);
}

static void reply_complete(struct ioclient *c, uint64_t req_id, NTSTATUS st, uint64_t info,
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

static void reply_open(struct ioclient *c, uint64_t req_id, NTSTATUS st, uint32_t granted, uint64_t handle)
{
	struct umn_iomsg m;

	umn_iomsg_init(&m, UMN_IOMSG_OPEN_DONE, req_id);
	m.open_done.status = st;
	m.open_done.granted_access = granted;
	m.open_done.handle = handle;
	send_iomsg(c, &m);
}

static void reply_close(struct ioclient *c, uint64_t req_id, NTSTATUS st)
{
	struct umn_iomsg m;

	umn_iomsg_init(&m, UMN_IOMSG_CLOSE_DONE, req_id);
	m.close_done.status = st;
	send_iomsg(c, &m);
}

/* --- requests to hosts ------------------------------------------------------------------------- */

static struct ioreq *req_new(enum ioreq_kind kind, struct ioclient *c, uint64_t client_req,
			     struct iohandle *h, struct device *dev)
{
	struct ioreq *r;

	if (R.nreq >= TABLE_SIZE / 2)
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
	tab_put((void **)R.req, r, r->id, offsetof(struct ioreq, id));
	R.nreq++;
	c->pending++;
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
	m->requestor_mode = 1; /* UserMode: an application */
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
	e = umn_msg_send(r->dev->host->sock, m, total, fds, nfds);
	free(m);
	return e == 0;
}

/* --- handles ---------------------------------------------------------------------------------- */

static void handle_free(struct iohandle *h)
{
	tab_del((void **)R.handle, h->id, offsetof(struct iohandle, id));
	R.nhandle--;
	h->c->handles--;
	client_release(h->c);
	free(h);
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

static struct device *device_by_name(const struct umn_iomsg *m)
{
	for (int i = 0; i < UMN_MAX_DEVICES; i++) {
		struct device *d = D.devs[i];
		if (!d)
			continue;
		for (unsigned k = 0; k < d->nnames; k++) {
			if (m->open.by_interface) {
				if (d->names[k].kind == UMN_NAME_INTERFACE &&
				    !memcmp(&d->names[k].guid, &m->open.interface_guid, sizeof(GUID)))
					return d;
			} else if (d->names[k].kind == UMN_NAME_SYMLINK &&
				   !strcasecmp(d->names[k].name, m->open.link)) {
				return d;
			}
		}
	}
	return NULL;
}

/* --- client requests -------------------------------------------------------------------------- */

static void do_open(struct ioclient *c, const struct umn_iomsg *m)
{
	struct device *dev = device_by_name(m);
	struct iohandle *h;
	struct ioreq *r;

	if (!dev) {
		reply_open(c, m->req_id, STATUS_OBJECT_NAME_NOT_FOUND, 0, 0);
		return;
	}
	if (!access_allowed(dev, c, m->open.access)) {
		reply_open(c, m->req_id, STATUS_ACCESS_DENIED, 0, 0);
		return;
	}
	if (dev->state != DEV_STARTED || !dev->host) {
		reply_open(c, m->req_id, STATUS_DEVICE_NOT_READY, 0, 0);
		return;
	}
	h = calloc(1, sizeof(*h));
	if (!h || R.nhandle >= TABLE_SIZE / 2) {
		free(h);
		reply_open(c, m->req_id, STATUS_INSUFFICIENT_RESOURCES, 0, 0);
		return;
	}
	h->id = ++R.next_id;
	h->c = c;
	h->dev = dev;
	h->incarnation = dev->incarnation;
	h->granted = m->open.access;
	tab_put((void **)R.handle, h, h->id, offsetof(struct iohandle, id));
	R.nhandle++;
	c->handles++;
	r = req_new(RQ_CREATE, c, m->req_id, h, dev);
	if (!r || !send_request(r, IRP_MJ_CREATE, 0, 0, 0, NULL, 0, -1, 0, -1, m->open.access,
				m->open.file_name)) {
		if (r)
			req_free(r);
		handle_free(h);
		reply_open(c, m->req_id, STATUS_DEVICE_NOT_READY, 0, 0);
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

static void do_io(struct ioclient *c, const struct umn_iomsg *m)
{
	struct iohandle *h;
	struct ioreq *r;
	uint64_t handle = m->type == UMN_IOMSG_READ ? m->read.handle
			  : m->type == UMN_IOMSG_WRITE ? m->write.handle : m->ioctl.handle;
	static unsigned char neither_in[UMN_IOMSG_INLINE_MAX];

	h = usable_handle(c, m->req_id, handle);
	if (!h)
		return;
	r = req_new(RQ_IO, c, m->req_id, h, h->dev);
	if (!r) {
		fail_io(c, NULL, m->req_id, STATUS_INSUFFICIENT_RESOURCES);
		return;
	}
	if (m->type == UMN_IOMSG_READ) {
		if (!(h->granted & FILE_READ_DATA)) {
			fail_io(c, r, m->req_id, STATUS_ACCESS_DENIED);
			return;
		}
		r->check_information = true;
		if (!send_request(r, IRP_MJ_READ, 0, m->read.offset, IO_BUFFERED, NULL, 0, -1,
				  m->read.length, m->read.out_fd, 0, NULL))
			fail_io(c, r, m->req_id, STATUS_DEVICE_NOT_READY);
		return;
	}
	if (m->type == UMN_IOMSG_WRITE) {
		if (!(h->granted & FILE_WRITE_DATA)) {
			fail_io(c, r, m->req_id, STATUS_ACCESS_DENIED);
			return;
		}
		if (!send_request(r, IRP_MJ_WRITE, 0, m->write.offset, IO_BUFFERED, m->write.data,
				  m->write.length, m->write.in_fd, 0, -1, 0, NULL))
			fail_io(c, r, m->req_id, STATUS_DEVICE_NOT_READY);
		return;
	}

	/* IOCTL: the access bits of the code must all be granted on the handle (user mode). */
	uint32_t code = m->ioctl.code, method = METHOD_FROM_CTL_CODE(code);
	uint32_t need = (code >> 14) & 3, granted = 0;
	const void *in = m->ioctl.in;
	int in_fd = m->ioctl.in_fd;

	if (h->granted & FILE_READ_DATA)
		granted |= FILE_READ_ACCESS;
	if (h->granted & FILE_WRITE_DATA)
		granted |= FILE_WRITE_ACCESS;
	if ((need & granted) != need) {
		fail_io(c, r, m->req_id, STATUS_ACCESS_DENIED);
		return;
	}
	r->method = method;
	if (method == METHOD_NEITHER) {
		struct iovec local, remote;

		if (h->dev->drv->policy.method_neither != INF_METHOD_NEITHER_COPY) {
			fail_io(c, r, m->req_id, STATUS_INVALID_DEVICE_REQUEST);
			return;
		}
		if (m->ioctl.in_len > sizeof(neither_in) || m->ioctl.out_len > UMN_IOMSG_INLINE_MAX) {
			fail_io(c, r, m->req_id, STATUS_INVALID_BUFFER_SIZE);
			return;
		}
		/* Copy from the originating process, then present the request as buffered. */
		local = (struct iovec){ neither_in, m->ioctl.in_len };
		remote = (struct iovec){ (void *)(uintptr_t)m->ioctl.in_ptr, m->ioctl.in_len };
		if (m->ioctl.in_len && process_vm_readv(c->pid, &local, 1, &remote, 1, 0) != (ssize_t)m->ioctl.in_len) {
			fail_io(c, r, m->req_id, STATUS_ACCESS_VIOLATION);
			return;
		}
		in = neither_in;
		in_fd = -1;
		r->neither_out = m->ioctl.out_ptr;
		r->check_information = true;
	} else {
		r->check_information = method == METHOD_BUFFERED;
	}
	if (!send_request(r, IRP_MJ_DEVICE_CONTROL, code, 0,
			  method == METHOD_BUFFERED || method == METHOD_NEITHER ? IO_BUFFERED
										  : IO_DIRECT,
			  in, m->ioctl.in_len, in_fd, m->ioctl.out_len,
			  method == METHOD_NEITHER ? -1 : m->ioctl.out_fd, 0, NULL))
		fail_io(c, r, m->req_id, STATUS_DEVICE_NOT_READY);
}

/* Asks the driver to cancel r; its completion still comes back the usual way. */
static void cancel_at_host(const struct ioreq *r)
{
	struct umn_msg_io_cancel m;

	if (!r->dev->host)
		return;
	umn_msg_init(&m, UMN_MSG_IO_CANCEL, sizeof(m), 0);
	m.id = r->id;
	umn_msg_send(r->dev->host->sock, &m, sizeof(m), NULL, 0);
}

static void do_cancel(struct ioclient *c, uint64_t client_req)
{
	/* Client request ids are the client's; find ours by scanning this client's requests. */
	for (unsigned i = 0; i < TABLE_SIZE; i++) {
		struct ioreq *r = R.req[i];
		if (r && r->c == c && r->client_req == client_req && r->kind == RQ_IO) {
			cancel_at_host(r);
			return;
		}
	}
}

static void client_gone(struct ioclient *c)
{
	c->gone = true;
	c->pending++; /* keeps c while its handles close below */
	watch_del(&c->w);
	close(c->fd);
	/* Pending requests are cancelled; their completions are dropped when they come. */
	for (unsigned i = 0; i < TABLE_SIZE; i++) {
		struct ioreq *r = R.req[i];
		if (r && r->c == c && r->kind == RQ_IO)
			cancel_at_host(r);
	}
	/* Its handles get cleanup and close, as when a process dies on Windows. */
	for (unsigned i = 0; i < TABLE_SIZE; i++) {
		struct iohandle *h = R.handle[i];
		if (h && h->c == c && !h->closing) {
			handle_close(h, 0);
			i = (unsigned)-1; /* the table may have moved: rescan */
		}
	}
	c->pending--;
	client_release(c);
}

void reflector_on_client(struct watch *w)
{
	static _Alignas(8) unsigned char buf[UMN_IOMSG_MAX];
	struct ioclient *c = w->obj;
	char reason[UMN_IOMSG_REASON_MAX];
	struct umn_iomsg m;
	int fds[UMN_MSG_MAX_FDS];
	unsigned nfds = 0;
	ssize_t n;

	n = umn_msg_recv(c->fd, buf, sizeof(buf), fds, &nfds);
	if (n == -EAGAIN || n == -EINTR)
		return;
	if (n <= 0) {
		client_gone(c);
		return;
	}
	if (umn_iomsg_decode_request(buf, (size_t)n, fds, nfds, &m, reason) < 0) {
		umn_log(UMN_LOG_WARN, "client pid %d: malformed request (%s); disconnecting it", (int)c->pid,
			reason);
		for (unsigned i = 0; i < nfds; i++)
			close(fds[i]);
		client_gone(c);
		return;
	}
	switch (m.type) {
	case UMN_IOMSG_OPEN:
		do_open(c, &m);
		break;
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
}

/* --- completions from hosts ------------------------------------------------------------------- */

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
		umn_log(UMN_LOG_WARN, "%s: completion of unknown request %llu ignored", hp->service,
			(unsigned long long)m->id);
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
	if (r->neither_out && data_len && !r->c->gone) {
		struct iovec local = { (void *)(m + 1), data_len };
		struct iovec remote = { (void *)(uintptr_t)r->neither_out, data_len };
		if (process_vm_writev(r->c->pid, &local, 1, &remote, 1, 0) != (ssize_t)data_len)
			st = STATUS_ACCESS_VIOLATION;
		data_len = 0;
	}
	reply_complete(r->c, r->client_req, st, info, m + 1, r->out_memfd ? 0 : data_len, r->out_memfd);
	req_free(r);
}

void reflector_on_register(struct hostproc *hp, const void *msg, size_t len)
{
	struct umn_msg_register_name m;
	struct device *dev;

	if (len != sizeof(m))
		return;
	memcpy(&m, msg, sizeof(m));
	umn_str_fix(m.name, sizeof(m.name));
	if (m.dev >= UMN_MAX_DEVICES || !(dev = D.devs[m.dev]) || dev->host != hp ||
	    (m.kind != UMN_NAME_SYMLINK && m.kind != UMN_NAME_INTERFACE))
		return;
	if (dev->nnames >= sizeof(dev->names) / sizeof(dev->names[0]))
		return;
	/* "\DosDevices\Name", "\??\Name" and "Name" all name the same link. */
	const char *n = m.name;
	if (!strncasecmp(n, "\\DosDevices\\", 12))
		n += 12;
	else if (!strncmp(n, "\\??\\", 4))
		n += 4;
	dev->names[dev->nnames].kind = m.kind;
	memcpy(&dev->names[dev->nnames].guid, m.guid, sizeof(GUID));
	umn_strlcpy(dev->names[dev->nnames].name, n, sizeof(dev->names[0].name));
	dev->nnames++;
}

void reflector_device_gone(struct device *dev, int32_t status, bool removed)
{
	for (unsigned i = 0; i < TABLE_SIZE; i++) {
		struct ioreq *r = R.req[i];
		if (!r || r->dev != dev)
			continue;
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
		i = (unsigned)-1; /* removal reshuffles the table: rescan */
	}
	dev->nnames = 0;
	/* Handles outlive the device's driver (their requests fail); not the device itself. */
	if (removed)
		for (unsigned i = 0; i < TABLE_SIZE; i++)
			if (R.handle[i] && R.handle[i]->dev == dev)
				R.handle[i]->dev = NULL;
}

/* --- the socket ------------------------------------------------------------------------------- */

int reflector_listen(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

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
	watch_add(&R.w_listen, W_IO_LISTEN, fd, &R);
	return 0;
}

void reflector_on_accept(void)
{
	struct ioclient *c;
	struct ucred cr;
	socklen_t sl = sizeof(cr);
	int fd = accept4(R.w_listen.fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (fd < 0)
		return;
	c = calloc(1, sizeof(*c));
	/* Who the client is comes from the kernel, never from anything it says. */
	if (!c || getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &sl) < 0) {
		free(c);
		close(fd);
		return;
	}
	c->fd = fd;
	c->pid = cr.pid;
	c->uid = cr.uid;
	c->gid = cr.gid;
	c->pidfd = (int)syscall(SYS_pidfd_open, cr.pid, 0);
	watch_add(&c->w, W_IO_CLIENT, fd, c);
}

void reflector_shutdown(void)
{
	for (unsigned i = 0; i < TABLE_SIZE; i++) {
		if (R.req[i])
			free(R.req[i]);
		R.req[i] = NULL;
	}
	for (unsigned i = 0; i < TABLE_SIZE; i++) {
		struct iohandle *h = R.handle[i];
		if (!h)
			continue;
		if (!h->c->gone) {
			h->c->gone = true;
			watch_del(&h->c->w);
			close(h->c->fd);
		}
		R.handle[i] = NULL;
	}
	if (R.w_listen.fd >= 0)
		close(R.w_listen.fd);
}
