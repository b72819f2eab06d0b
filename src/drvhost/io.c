/* SPDX-License-Identifier: MIT */
/*
 * I/O requests between umnicd and the runtime in this host: a request from
 * the socket becomes a umn_io_desc for umn_io_deliver(); the runtime's
 * completion goes back as IO_COMPLETE with the output bytes. The other way,
 * the driver's own sends to I/O targets go out as TARGET_SEND and come back
 * as TARGET_COMPLETE, with umnicd routing them like an application's.
 * The bytes themselves travel over transport.c.
 */
#include "drvhost/io.h"
#include "drvhost/transport.h"

#include <errno.h>
#include <stddef.h>
#include <time.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/chan.h"
#include "common/log.h"
#include "common/proto.h"
#include "runtime/io/io.h"
#include "runtime/host.h"

/* A power of two; outstanding requests beyond it are refused. */
#define IO_SLOTS     UMN_HOST_IO_SLOTS
#define IO_SLOTS_MIN 64u

struct hio {
	uint64_t id; /* 0: free */
	void *in, *out;
	size_t in_len, out_len;
	bool in_mapped, out_mapped;
};

/*
 * Grows with the requests outstanding at once, up to IO_SLOTS: a host that
 * serves a few at a time keeps a few pages, not room for thousands
 * (requests sweep the whole table by their sequential ids).
 */
struct hio_table {
	struct hio *slot; /* mask + 1 entries, or NULL before the first request */
	unsigned mask;
	unsigned used;
};

/* A TARGET_OPEN waiting for its TARGET_OPENED, or a REGISTER_NAME for its NAME_REGISTERED. */
struct open_wait {
	struct open_wait *next;
	uint64_t id;
	bool done;
	NTSTATUS status;
	uint64_t file;
	uint32_t device;
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t opened;
	struct hio_table in;   /* requests umnicd delivered, by umnicd's id */
	struct hio_table sent; /* requests the driver sent, by cookie; only out/out_len used */
	struct open_wait *opens;
	uint64_t next_open;
	bool gone; /* umnicd closed the socket */
} io = {.lock = PTHREAD_MUTEX_INITIALIZER, .opened = PTHREAD_COND_INITIALIZER};

/*
 * Linear probing from the id itself (ids are mostly sequential, so runs stay
 * short); a search ends at the first free slot, which removal keeps true by
 * moving the rest of the run back (slot_free). used stays below the size, so
 * every search meets a free slot.
 */
static unsigned slot_index(const struct hio_table *t, uint64_t id)
{
	unsigned i = (unsigned)id & t->mask;

	while (t->slot[i].id && t->slot[i].id != id)
		i = (i + 1) & t->mask;
	return i;
}

static struct hio *slot_find(struct hio_table *t, uint64_t id)
{
	struct hio *p;

	if (!t->slot)
		return NULL;
	p = &t->slot[slot_index(t, id)];
	return id && p->id == id ? p : NULL;
}

/* Doubles the table (the first one has IO_SLOTS_MIN entries); false without memory. */
static bool table_grow(struct hio_table *t)
{
	unsigned old_n = t->slot ? t->mask + 1 : 0, n = old_n ? old_n * 2 : IO_SLOTS_MIN;
	struct hio *old = t->slot, *s = calloc(n, sizeof(*s));

	if (!s)
		return false;
	t->slot = s;
	t->mask = n - 1;
	for (unsigned i = 0; i < old_n; i++)
		if (old[i].id)
			t->slot[slot_index(t, old[i].id)] = old[i];
	free(old);
	return true;
}

/* A free slot for id, or NULL if id is 0, already there, or the table is full. */
static struct hio *slot_new(struct hio_table *t, uint64_t id)
{
	struct hio *p;

	if (!id || t->used >= IO_SLOTS - 1)
		return NULL;
	/* Kept at most three quarters full below the largest size, so runs stay short. */
	if ((!t->slot || (t->used + 1) * 4 > (t->mask + 1) * 3) &&
	    (!t->slot || t->mask + 1 < IO_SLOTS) && !table_grow(t) && !t->slot)
		return NULL;
	if (t->used >= t->mask)
		return NULL;
	p = &t->slot[slot_index(t, id)];
	if (p->id)
		return NULL;
	t->used++;
	return p;
}

/* Removal: the entries after the hole in its run are placed again, so no search stops early. */
static void slot_free(struct hio_table *t, struct hio *p)
{
	unsigned i = (unsigned)(p - t->slot);

	t->slot[i] = (struct hio){0};
	t->used--;
	for (unsigned j = (i + 1) & t->mask; t->slot[j].id; j = (j + 1) & t->mask) {
		struct hio e = t->slot[j];

		t->slot[j] = (struct hio){0};
		t->slot[slot_index(t, e.id)] = e;
	}
}

static void release(struct hio *r)
{
	if (r->in_mapped)
		munmap(r->in, r->in_len);
	else
		free(r->in);
	if (r->out_mapped)
		munmap(r->out, r->out_len);
	else
		free(r->out);
}

static void on_complete(uint64_t id, NTSTATUS status, ULONG_PTR information)
{
	struct hio r;
	struct hio *p;
	uint32_t len = 0;

	pthread_mutex_lock(&io.lock);
	p = slot_find(&io.in, id);
	if (!p) {
		pthread_mutex_unlock(&io.lock);
		umn_log(UMN_LOG_WARN, "completion of unknown request %llu", (unsigned long long)id);
		return;
	}
	r = *p;
	slot_free(&io.in, p);
	pthread_mutex_unlock(&io.lock);
	/* Output that lives in a shared memfd is already where umnicd reads it. */
	if (!r.out_mapped && r.out && (NT_SUCCESS(status) || status == STATUS_BUFFER_OVERFLOW))
		len = (uint32_t)(information < r.out_len ? information : r.out_len);
	transport_send_complete(id, status, information, r.out, len);
	release(&r);
}

/* umnicd answers an open as soon as the target's driver has run its create, a name at once. */
#define OPEN_TIMEOUT_S 60

/*
 * Sends m (whose id field is at id_off) and waits for the answer with the
 * same id (host_io_target_opened, host_io_name_registered). The caller has
 * told the runtime it waits (io_worker_wait_begin), so another worker reads.
 */
static void call(void *m, size_t len, size_t id_off, struct open_wait *w)
{
	struct timespec deadline;
	struct open_wait **pp;

	pthread_mutex_lock(&io.lock);
	w->id = ++io.next_open;
	memcpy((char *)m + id_off, &w->id, sizeof(w->id));
	w->next = io.opens;
	io.opens = w;
	pthread_mutex_unlock(&io.lock);
	if (transport_send(m, len) < 0) {
		w->done = true;
		w->status = STATUS_DEVICE_REMOVED;
	}
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += OPEN_TIMEOUT_S;
	pthread_mutex_lock(&io.lock);
	while (!w->done && !io.gone)
		if (pthread_cond_timedwait(&io.opened, &io.lock, &deadline) == ETIMEDOUT)
			break;
	for (pp = &io.opens; *pp; pp = &(*pp)->next)
		if (*pp == w) {
			*pp = w->next;
			break;
		}
	pthread_mutex_unlock(&io.lock);
	if (!w->done)
		w->status = io.gone ? STATUS_DEVICE_REMOVED : STATUS_IO_TIMEOUT;
}

/* umnicd decides: a link another device holds is STATUS_OBJECT_NAME_COLLISION. */
static NTSTATUS register_name(struct umn_device *dev, uint32_t kind, const GUID *guid,
			      const char *name)
{
	struct umn_msg_register_name m;
	struct open_wait w = {0};

	if (strlen(name) >= sizeof(m.name))
		return STATUS_OBJECT_NAME_INVALID;
	umn_msg_init(&m, UMN_MSG_REGISTER_NAME, sizeof(m), 0);
	m.dev = umn_rt_device_id(dev);
	m.kind = kind;
	if (guid)
		memcpy(m.guid, guid, sizeof(m.guid));
	umn_strlcpy(m.name, name, sizeof(m.name));
	call(&m, sizeof(m), offsetof(struct umn_msg_register_name, id), &w);
	return w.status;
}

static NTSTATUS on_register_symlink(struct umn_device *dev, const char *name)
{
	return register_name(dev, UMN_NAME_SYMLINK, NULL, name);
}

static NTSTATUS on_register_interface(struct umn_device *dev, const GUID *guid, const char *ref)
{
	return register_name(dev, UMN_NAME_INTERFACE, guid, ref ? ref : "");
}

/* umnicd answered the wait with this id (an open or a name registration); wakes its caller. */
static void wait_answered(uint64_t id, NTSTATUS status, uint64_t file, uint32_t device)
{
	pthread_mutex_lock(&io.lock);
	for (struct open_wait *w = io.opens; w; w = w->next)
		if (w->id == id) {
			w->done = true;
			w->status = status;
			w->file = file;
			w->device = device;
			pthread_cond_broadcast(&io.opened);
			break;
		}
	pthread_mutex_unlock(&io.lock);
}

void host_io_name_registered(const void *msg, size_t len)
{
	const struct umn_msg_name_registered *m = msg;

	if (len == sizeof(*m))
		wait_answered(m->id, m->status, 0, 0);
}

static NTSTATUS on_send(struct umn_device *dev, uint64_t target_file, uint64_t cookie,
			const struct umn_io_desc *d)
{
	size_t total = sizeof(struct umn_msg_target_send) + d->in_len;
	struct umn_msg_target_send *m;
	struct hio *r;
	int e;

	/* Sends travel inline both ways; larger buffers would need memfds, which sends do not use.
	 */
	if (d->in_len > UMN_IO_INLINE_MAX || d->out_len > UMN_IO_INLINE_MAX)
		return STATUS_INVALID_BUFFER_SIZE;
	m = malloc(total);
	if (!m)
		return STATUS_INSUFFICIENT_RESOURCES;
	umn_msg_init(m, UMN_MSG_TARGET_SEND, (uint32_t)total, 0);
	m->cookie = cookie;
	m->file = target_file;
	m->origin = d->origin;
	m->offset = d->offset;
	m->dev = dev ? umn_rt_device_id(dev) : UINT32_MAX;
	m->target_dev = d->device;
	m->major = d->major;
	m->ioctl = d->ioctl;
	m->in_len = (uint32_t)d->in_len;
	m->out_len = (uint32_t)d->out_len;
	m->irql = d->irql;
	if (d->in_len)
		memcpy(m + 1, d->in, d->in_len);
	/* Registered before it goes: the completion may arrive before umn_msg_send returns. */
	pthread_mutex_lock(&io.lock);
	r = slot_new(&io.sent, cookie);
	if (r)
		*r = (struct hio){.id = cookie, .out = d->out, .out_len = d->out_len};
	pthread_mutex_unlock(&io.lock);
	if (!r) {
		free(m);
		return STATUS_INSUFFICIENT_RESOURCES;
	}
	e = transport_send(m, total);
	free(m);
	if (e < 0) {
		pthread_mutex_lock(&io.lock);
		r = slot_find(&io.sent, cookie);
		if (r)
			slot_free(&io.sent, r);
		pthread_mutex_unlock(&io.lock);
		/* Gone already: a completion raced the failure; the runtime ignores the failure
		 * then. */
		return r ? STATUS_DEVICE_REMOVED : STATUS_PENDING;
	}
	return STATUS_PENDING;
}

void host_io_target_complete(const void *msg, size_t len)
{
	const struct umn_msg_io_complete *m = msg;
	struct hio *p;
	NTSTATUS st;

	if (len < sizeof(*m) || len - sizeof(*m) != m->data_len)
		return;
	pthread_mutex_lock(&io.lock);
	p = slot_find(&io.sent, m->id);
	if (!p) {
		pthread_mutex_unlock(&io.lock);
		umn_log(UMN_LOG_WARN, "completion of unknown sent request %llu",
			(unsigned long long)m->id);
		return;
	}
	st = m->status;
	/* umnicd sends no more than the buffer; a bigger reply is refused, not trusted. */
	if (m->data_len > p->out_len)
		st = STATUS_DRIVER_INTERNAL_ERROR;
	else if (m->data_len)
		memcpy(p->out, m + 1, m->data_len);
	slot_free(&io.sent, p);
	pthread_mutex_unlock(&io.lock);
	umn_io_sent_complete(m->id, st, (ULONG_PTR)m->information);
}

static void send_id_msg(uint32_t type, uint64_t id)
{
	struct umn_msg_io_cancel m;

	umn_msg_init(&m, type, sizeof(m), 0);
	m.id = id;
	transport_send(&m, sizeof(m));
}

static void on_cancel_sent(struct umn_device *dev, uint64_t cookie)
{
	(void)dev;
	send_id_msg(UMN_MSG_TARGET_CANCEL, cookie);
}

static void on_close_target(struct umn_device *dev, uint64_t file)
{
	(void)dev;
	send_id_msg(UMN_MSG_TARGET_CLOSE, file);
}

static NTSTATUS on_open(struct umn_device *dev, const char *name, uint32_t access,
			uint64_t *ret_file, uint32_t *ret_device)
{
	struct umn_msg_target_open m;
	struct open_wait w = {0};
	NTSTATUS st;

	if (strlen(name) >= sizeof(m.name))
		return STATUS_OBJECT_NAME_INVALID;
	umn_msg_init(&m, UMN_MSG_TARGET_OPEN, sizeof(m), 0);
	m.dev = dev ? umn_rt_device_id(dev) : UINT32_MAX;
	m.access = access;
	umn_strlcpy(m.name, name, sizeof(m.name));
	call(&m, sizeof(m), offsetof(struct umn_msg_target_open, id), &w);
	st = w.status;
	if (NT_SUCCESS(st)) {
		*ret_file = w.file;
		*ret_device = w.device;
	} else if (w.done && NT_SUCCESS(w.status)) {
		on_close_target(dev, w.file);
	}
	return st;
}

void host_io_target_opened(const void *msg, size_t len)
{
	const struct umn_msg_target_opened *m = msg;

	if (len == sizeof(*m))
		wait_answered(m->id, m->status, m->file, m->target_dev);
}

void host_io_shutdown(void)
{
	pthread_mutex_lock(&io.lock);
	io.gone = true;
	pthread_cond_broadcast(&io.opened);
	pthread_mutex_unlock(&io.lock);
}

static const struct umn_io_ops host_io_ops = {
    .complete = on_complete,
    .send = on_send,
    .open_target = on_open,
    .close_target = on_close_target,
    .cancel_sent = on_cancel_sent,
    .register_interface = on_register_interface,
    .register_symlink = on_register_symlink,
    .flush = transport_flush,
};

void host_io_init(int sock)
{
	transport_init(sock);
	umn_io_set_ops(&host_io_ops);
}

/*
 * The client's memfd, mapped: input privately (the client sealed it against
 * writing, and a driver scribbling on its input must not reach anyone),
 * output shared, so what the driver writes is what the client reads.
 */
static void *map_fd(int fd, size_t len, bool output)
{
	void *p;

	if (!len)
		return NULL;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, output ? MAP_SHARED : MAP_PRIVATE, fd, 0);
	/* The mapping is the caller's to unmap. */
	// cppcheck-suppress memleak
	return p == MAP_FAILED ? NULL : p;
}

void host_io_refuse(const void *msg, size_t len, NTSTATUS status)
{
	const struct umn_msg_io_request *m = msg;

	if (len >= sizeof(*m))
		transport_send_complete(m->id, status, 0, NULL, 0);
}

void host_io_request(const void *msg, size_t len, const int *fds, unsigned nfds)
{
	const struct umn_msg_io_request *m = msg;
	struct umn_io_desc d;
	struct hio *r, tmp = {0};
	unsigned want, k = 0;
	char name[sizeof(m->file_name)];

	/* No field is read before the length says it is there. */
	if (len < sizeof(*m)) {
		uint64_t id;

		/* Answered if its id is there, so the request does not wait for a time-out. */
		if (len < offsetof(struct umn_msg_io_request, id) + sizeof(id)) {
			umn_log(UMN_LOG_ERR, "an I/O request of %zu bytes, too short to answer",
				len);
			return;
		}
		memcpy(&id, (const unsigned char *)msg + offsetof(struct umn_msg_io_request, id),
		       sizeof(id));
		transport_send_complete(id, STATUS_INVALID_PARAMETER, 0, NULL, 0);
		return;
	}
	want = ((m->flags & UMN_IO_IN_MEMFD) != 0) + ((m->flags & UMN_IO_OUT_MEMFD) != 0);
	if (nfds != want || len - sizeof(*m) != ((m->flags & UMN_IO_IN_INLINE) ? m->in_len : 0)) {
		transport_send_complete(m->id, STATUS_INVALID_PARAMETER, 0, NULL, 0);
		return;
	}
	tmp.id = m->id;
	tmp.in_len = m->in_len;
	tmp.out_len = m->out_len;
	if (m->flags & UMN_IO_IN_MEMFD) {
		tmp.in = map_fd(fds[k++], m->in_len, false);
		tmp.in_mapped = tmp.in != NULL;
	} else if (m->in_len) {
		tmp.in = malloc(m->in_len);
		if (tmp.in)
			memcpy(tmp.in, m + 1, m->in_len);
	}
	if (m->flags & UMN_IO_OUT_MEMFD) {
		tmp.out = map_fd(fds[k++], m->out_len, true);
		tmp.out_mapped = tmp.out != NULL;
	} else if (m->out_len) {
		/* Not pre-filled, as UMDF does for buffered output; zeroed so nothing stale leaks.
		 */
		tmp.out = calloc(1, m->out_len);
	}
	if ((m->in_len && !tmp.in) || (m->out_len && !tmp.out)) {
		release(&tmp);
		transport_send_complete(m->id, STATUS_INSUFFICIENT_RESOURCES, 0, NULL, 0);
		return;
	}
	pthread_mutex_lock(&io.lock);
	r = slot_new(&io.in, m->id);
	if (r)
		*r = tmp;
	pthread_mutex_unlock(&io.lock);
	if (!r) {
		release(&tmp);
		transport_send_complete(m->id, STATUS_INSUFFICIENT_RESOURCES, 0, NULL, 0);
		return;
	}
	memcpy(name, m->file_name, sizeof(name));
	name[sizeof(name) - 1] = '\0';
	d = (struct umn_io_desc){
	    .id = m->id,
	    .device = m->dev,
	    .file = m->file,
	    .major = (enum umn_io_major)m->major,
	    .ioctl = m->ioctl,
	    .offset = m->offset,
	    .in = tmp.in,
	    .in_len = m->in_len,
	    .out = tmp.out,
	    .out_len = m->out_len,
	    .io_type = (WDF_DEVICE_IO_TYPE)m->io_type,
	    .requestor_mode = (KPROCESSOR_MODE)m->requestor_mode,
	    .from_user_mode_driver = m->from_user_mode_driver ? TRUE : FALSE,
	    .requestor_pid = m->requestor_pid,
	    .desired_access = m->desired_access,
	    .file_name = name,
	};
	umn_io_deliver(&d);
}

void host_io_cancel(const void *msg, size_t len)
{
	const struct umn_msg_io_cancel *m = msg;

	if (len == sizeof(*m))
		umn_io_cancel(m->id);
}
