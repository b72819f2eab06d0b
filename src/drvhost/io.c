/* SPDX-License-Identifier: MIT */
/*
 * I/O requests between umnicd and the runtime in this host: a request from
 * the socket becomes a umn_io_desc for umn_io_deliver(); the runtime's
 * completion goes back as IO_COMPLETE with the output bytes.
 */
#include "drvhost/io.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/log.h"
#include "common/proto.h"
#include "runtime/io.h"
#include "runtime/rt.h"

#define IO_SLOTS 4096u	/* power of two; outstanding requests beyond this are refused */

struct hio {
	uint64_t id;	/* 0: free */
	void *in, *out;
	size_t in_len, out_len;
	bool in_mapped, out_mapped;
};

static struct {
	int sock;
	pthread_mutex_t lock;
	struct hio slot[IO_SLOTS];
	unsigned used;
} io = { .sock = -1, .lock = PTHREAD_MUTEX_INITIALIZER };

static struct hio *slot_find(uint64_t id)
{
	for (unsigned i = 0, h = (unsigned)id; i < IO_SLOTS; i++, h++)
		if (io.slot[h & (IO_SLOTS - 1)].id == id)
			return &io.slot[h & (IO_SLOTS - 1)];
	return NULL;
}

static struct hio *slot_new(uint64_t id)
{
	if (io.used >= IO_SLOTS - 1 || slot_find(id))
		return NULL;
	for (unsigned i = 0, h = (unsigned)id;; i++, h++)
		if (!io.slot[h & (IO_SLOTS - 1)].id) {
			io.used++;
			return &io.slot[h & (IO_SLOTS - 1)];
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

static void send_complete(uint64_t id, NTSTATUS status, uint64_t information, const void *data,
			  uint32_t len)
{
	size_t total = sizeof(struct umn_msg_io_complete) + len;
	struct umn_msg_io_complete *m = malloc(total);

	if (!m)
		return;
	umn_msg_init(m, UMN_MSG_IO_COMPLETE, (uint32_t)total, 0);
	m->id = id;
	m->status = status;
	m->information = information;
	m->data_len = len;
	if (len)
		memcpy(m + 1, data, len);
	umn_msg_send(io.sock, m, total, NULL, 0);
	free(m);
}

static void on_complete(uint64_t id, NTSTATUS status, ULONG_PTR information)
{
	struct hio r;
	struct hio *p;
	uint32_t len = 0;

	pthread_mutex_lock(&io.lock);
	p = slot_find(id);
	if (!p) {
		pthread_mutex_unlock(&io.lock);
		umn_log(UMN_LOG_WARN, "completion of unknown request %llu", (unsigned long long)id);
		return;
	}
	r = *p;
	*p = (struct hio){ 0 };
	io.used--;
	pthread_mutex_unlock(&io.lock);
	/* Output that lives in a shared memfd is already where umnicd reads it. */
	if (!r.out_mapped && r.out && (NT_SUCCESS(status) || status == STATUS_BUFFER_OVERFLOW))
		len = (uint32_t)(information < r.out_len ? information : r.out_len);
	send_complete(id, status, information, r.out, len);
	release(&r);
}

static NTSTATUS on_register_symlink(struct umn_device *dev, const char *name)
{
	struct umn_msg_register_name m;

	umn_msg_init(&m, UMN_MSG_REGISTER_NAME, sizeof(m), 0);
	m.dev = dev->id;
	m.kind = UMN_NAME_SYMLINK;
	umn_strlcpy(m.name, name, sizeof(m.name));
	return umn_msg_send(io.sock, &m, sizeof(m), NULL, 0) < 0 ? STATUS_INSUFFICIENT_RESOURCES
								  : STATUS_SUCCESS;
}

static NTSTATUS on_register_interface(struct umn_device *dev, const GUID *guid, const char *ref)
{
	struct umn_msg_register_name m;

	umn_msg_init(&m, UMN_MSG_REGISTER_NAME, sizeof(m), 0);
	m.dev = dev->id;
	m.kind = UMN_NAME_INTERFACE;
	memcpy(m.guid, guid, sizeof(m.guid));
	umn_strlcpy(m.name, ref ? ref : "", sizeof(m.name));
	return umn_msg_send(io.sock, &m, sizeof(m), NULL, 0) < 0 ? STATUS_INSUFFICIENT_RESOURCES
								  : STATUS_SUCCESS;
}

static NTSTATUS no_send(struct umn_device *dev, uint64_t target_file, uint64_t cookie,
			const struct umn_io_desc *desc)
{
	(void)dev;
	(void)target_file;
	(void)cookie;
	(void)desc;
	return STATUS_NOT_SUPPORTED; /* I/O targets from user-mode drivers: not yet */
}

static NTSTATUS no_open(struct umn_device *dev, const char *name, uint32_t access, uint64_t *ret)
{
	(void)dev;
	(void)name;
	(void)access;
	(void)ret;
	return STATUS_NOT_SUPPORTED;
}

static const struct umn_io_ops host_io_ops = {
	.complete = on_complete,
	.send = no_send,
	.open_target = no_open,
	.register_interface = on_register_interface,
	.register_symlink = on_register_symlink,
};

void host_io_init(int sock)
{
	io.sock = sock;
	umn_io_set_ops(&host_io_ops);
}

static void *map_fd(int fd, size_t len)
{
	void *p;

	if (!len)
		return NULL;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	return p == MAP_FAILED ? NULL : p;
}

void host_io_request(const void *msg, size_t len, const int *fds, unsigned nfds)
{
	const struct umn_msg_io_request *m = msg;
	struct umn_io_desc d;
	struct hio *r, tmp = { 0 };
	unsigned want = ((m->flags & UMN_IO_IN_MEMFD) != 0) + ((m->flags & UMN_IO_OUT_MEMFD) != 0);
	unsigned k = 0;
	char name[sizeof(m->file_name)];

	if (len < sizeof(*m) || nfds != want ||
	    len - sizeof(*m) != ((m->flags & UMN_IO_IN_INLINE) ? m->in_len : 0)) {
		send_complete(m->id, STATUS_INVALID_PARAMETER, 0, NULL, 0);
		return;
	}
	tmp.id = m->id;
	tmp.in_len = m->in_len;
	tmp.out_len = m->out_len;
	if (m->flags & UMN_IO_IN_MEMFD) {
		tmp.in = map_fd(fds[k++], m->in_len);
		tmp.in_mapped = tmp.in != NULL;
	} else if (m->in_len) {
		tmp.in = malloc(m->in_len);
		if (tmp.in)
			memcpy(tmp.in, m + 1, m->in_len);
	}
	if (m->flags & UMN_IO_OUT_MEMFD) {
		tmp.out = map_fd(fds[k++], m->out_len);
		tmp.out_mapped = tmp.out != NULL;
	} else if (m->out_len) {
		/* Not pre-filled, as UMDF does for buffered output; zeroed so nothing stale leaks. */
		tmp.out = calloc(1, m->out_len);
	}
	if ((m->in_len && !tmp.in) || (m->out_len && !tmp.out)) {
		release(&tmp);
		send_complete(m->id, STATUS_INSUFFICIENT_RESOURCES, 0, NULL, 0);
		return;
	}
	pthread_mutex_lock(&io.lock);
	r = slot_new(m->id);
	if (r)
		*r = tmp;
	pthread_mutex_unlock(&io.lock);
	if (!r) {
		release(&tmp);
		send_complete(m->id, STATUS_INSUFFICIENT_RESOURCES, 0, NULL, 0);
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
