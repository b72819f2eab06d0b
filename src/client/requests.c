/* SPDX-License-Identifier: MIT */
/*
 * libumnic's entry points for opening devices and sending requests: they
 * check arguments, move big buffers into memfds, and hand the message to
 * the connection (conn.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "client/client-int.h"

/* An input memfd: the data, then sealed so umnicd reads exactly what we sent. */
static int make_in_memfd(const void *data, size_t len)
{
	size_t done = 0;
	int fd = memfd_create("umnic-in", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	if (fd < 0)
		return -errno;
	while (done < len) {
		ssize_t n = write(fd, (const uint8_t *)data + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto fail;
		done += (size_t)n;
	}
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0)
		goto fail;
	return fd;
fail:
	close(fd);
	return -ENOMEM;
}

/* An output memfd of len bytes that umnicd fills; it may not change size under umnicd. */
static int make_out_memfd(size_t len)
{
	int fd = memfd_create("umnic-out", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)len) < 0 ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) < 0) {
		close(fd);
		return -ENOMEM;
	}
	return fd;
}

static NTSTATUS result(umnic_result *ret, NTSTATUS status)
{
	if (ret)
		*ret = (umnic_result){status, 0};
	return status;
}

/*
 * Starts r with m; a synchronous request then waits. The in_fd (if any) is
 * closed here once sent: umnicd holds its own reference.
 */
static NTSTATUS go(struct umnic_client *c, struct umnic_req *r, struct umn_iomsg *m, int in_fd,
		   int timeout_ms, uint64_t *ret_req_id, umnic_result *ret)
{
	NTSTATUS st = umnic_start(c, r, m);

	if (in_fd >= 0)
		close(in_fd);
	if (st != STATUS_PENDING) {
		umnic_req_free(r);
		return result(ret, st);
	}
	if (!r->sync) {
		if (ret_req_id)
			*ret_req_id = m->req_id;
		return STATUS_PENDING;
	}
	return umnic_wait(c, r, timeout_ms, ret, NULL);
}

/* Builds a READ/WRITE/IOCTL request; the caller fills the message details. */
static NTSTATUS prepare(struct umnic_client *c, umnic_handle handle, uint32_t type, void *out,
			size_t out_len, bool use_out_fd, umnic_completion_fn cb, void *ctx,
			struct umnic_req **ret)
{
	struct umnic_req *r;

	if (!c)
		return STATUS_INVALID_PARAMETER;
	if (handle == UMNIC_INVALID_HANDLE)
		return STATUS_INVALID_HANDLE;
	if (out_len > UMN_IOMSG_LEN_MAX || (out_len && !out))
		return STATUS_INVALID_PARAMETER;
	r = umnic_req_new(type);
	if (!r)
		return STATUS_INSUFFICIENT_RESOURCES;
	r->sync = !cb;
	r->cb = cb;
	r->ctx = ctx;
	r->out = out;
	r->out_len = out_len;
	if (use_out_fd && out_len > UMN_IOMSG_INLINE_MAX) {
		r->out_fd = make_out_memfd(out_len);
		if (r->out_fd < 0) {
			umnic_req_free(r);
			return STATUS_INSUFFICIENT_RESOURCES;
		}
	}
	*ret = r;
	return STATUS_SUCCESS;
}

static NTSTATUS do_read(umnic_client *c, umnic_handle h, void *buf, size_t len, uint64_t offset,
			int timeout_ms, umnic_completion_fn cb, void *ctx, uint64_t *ret_req_id,
			umnic_result *ret)
{
	struct umnic_req *r;
	struct umn_iomsg m;
	NTSTATUS st;

	if (offset > INT64_MAX)
		return result(ret, STATUS_INVALID_PARAMETER);
	st = prepare(c, h, UMN_IOMSG_READ, buf, len, true, cb, ctx, &r);
	if (!NT_SUCCESS(st))
		return result(ret, st);
	umn_iomsg_init(&m, UMN_IOMSG_READ, 0);
	m.read.handle = h;
	m.read.offset = offset;
	m.read.length = (uint32_t)len;
	m.read.out_fd = r->out_fd;
	return go(c, r, &m, -1, timeout_ms, ret_req_id, ret);
}

static NTSTATUS do_write(umnic_client *c, umnic_handle h, const void *buf, size_t len,
			 uint64_t offset, int timeout_ms, umnic_completion_fn cb, void *ctx,
			 uint64_t *ret_req_id, umnic_result *ret)
{
	struct umnic_req *r;
	struct umn_iomsg m;
	int in_fd = -1;
	NTSTATUS st;

	if (offset > INT64_MAX || len > UMN_IOMSG_LEN_MAX || (len && !buf))
		return result(ret, STATUS_INVALID_PARAMETER);
	st = prepare(c, h, UMN_IOMSG_WRITE, NULL, 0, false, cb, ctx, &r);
	if (!NT_SUCCESS(st))
		return result(ret, st);
	if (len > UMN_IOMSG_INLINE_MAX && (in_fd = make_in_memfd(buf, len)) < 0) {
		umnic_req_free(r);
		return result(ret, STATUS_INSUFFICIENT_RESOURCES);
	}
	umn_iomsg_init(&m, UMN_IOMSG_WRITE, 0);
	m.write.handle = h;
	m.write.offset = offset;
	m.write.length = (uint32_t)len;
	m.write.data = buf;
	m.write.in_fd = in_fd;
	return go(c, r, &m, in_fd, timeout_ms, ret_req_id, ret);
}

static NTSTATUS do_ioctl(umnic_client *c, umnic_handle h, uint32_t code, const void *in,
			 size_t in_len, void *out, size_t out_len, int timeout_ms,
			 umnic_completion_fn cb, void *ctx, uint64_t *ret_req_id, umnic_result *ret)
{
	struct umnic_req *r;
	struct umn_iomsg m;
	int in_fd = -1;
	NTSTATUS st;

	if (in_len > UMN_IOMSG_LEN_MAX || (in_len && !in))
		return result(ret, STATUS_INVALID_PARAMETER);
	st = prepare(c, h, UMN_IOMSG_IOCTL, out, out_len, true, cb, ctx, &r);
	if (!NT_SUCCESS(st))
		return result(ret, st);
	/*
	 * Every buffer method travels alike, METHOD_NEITHER included: the input
	 * is copied here, in the caller's own address space, and the output comes
	 * back the way it does for a buffered IOCTL. umnicd never touches our
	 * memory, and the driver sees a buffered request.
	 */
	if (in_len > UMN_IOMSG_INLINE_MAX && (in_fd = make_in_memfd(in, in_len)) < 0) {
		umnic_req_free(r);
		return result(ret, STATUS_INSUFFICIENT_RESOURCES);
	}
	umn_iomsg_init(&m, UMN_IOMSG_IOCTL, 0);
	m.ioctl.handle = h;
	m.ioctl.code = code;
	m.ioctl.in_len = (uint32_t)in_len;
	m.ioctl.out_len = (uint32_t)out_len;
	m.ioctl.in = in_fd < 0 && in_len ? in : NULL;
	m.ioctl.in_fd = in_fd;
	m.ioctl.out_fd = r->out_fd;
	return go(c, r, &m, in_fd, timeout_ms, ret_req_id, ret);
}

/* ---- open and close ---- */

static NTSTATUS do_open(umnic_client *c, struct umn_iomsg *m, umnic_handle *ret_handle)
{
	struct umnic_req *r;
	umnic_handle h = UMNIC_INVALID_HANDLE;
	NTSTATUS st;

	if (!c || !ret_handle)
		return STATUS_INVALID_PARAMETER;
	if (m->open.desired_access & ~(uint32_t)UMN_IOMSG_ACCESS_VALID)
		return STATUS_INVALID_PARAMETER;
	if (m->open.name && strlen(m->open.name) >= UMN_IOMSG_NAME_MAX)
		return STATUS_OBJECT_NAME_INVALID;
	r = umnic_req_new(UMN_IOMSG_OPEN);
	if (!r)
		return STATUS_INSUFFICIENT_RESOURCES;
	r->sync = true;
	st = umnic_start(c, r, m);
	if (st != STATUS_PENDING) {
		umnic_req_free(r);
		return st;
	}
	st = umnic_wait(c, r, -1, NULL, &h);
	if (NT_SUCCESS(st))
		*ret_handle = h;
	return st;
}

UMNIC_EXPORT NTSTATUS umnic_open(umnic_client *c, const char *symlink, uint32_t desired_access,
				 umnic_handle *ret_handle)
{
	struct umn_iomsg m;

	if (!symlink || !*symlink)
		return STATUS_INVALID_PARAMETER;
	umn_iomsg_init(&m, UMN_IOMSG_OPEN, 0);
	m.open.desired_access = desired_access;
	m.open.name = symlink;
	return do_open(c, &m, ret_handle);
}

UMNIC_EXPORT NTSTATUS umnic_open_interface(umnic_client *c, const GUID *interface_guid,
					   const char *ref, uint32_t desired_access,
					   umnic_handle *ret_handle)
{
	static const GUID zero;
	struct umn_iomsg m;

	if (!interface_guid || !memcmp(interface_guid, &zero, sizeof(zero)))
		return STATUS_INVALID_PARAMETER;
	umn_iomsg_init(&m, UMN_IOMSG_OPEN, 0);
	m.open.desired_access = desired_access;
	m.open.by_interface = true;
	m.open.interface_guid = *interface_guid;
	m.open.name = ref && *ref ? ref : NULL;
	return do_open(c, &m, ret_handle);
}

UMNIC_EXPORT NTSTATUS umnic_close(umnic_client *c, umnic_handle handle)
{
	struct umnic_req *r;
	struct umn_iomsg m;
	NTSTATUS st;

	if (!c)
		return STATUS_INVALID_PARAMETER;
	if (handle == UMNIC_INVALID_HANDLE)
		return STATUS_INVALID_HANDLE;
	r = umnic_req_new(UMN_IOMSG_CLOSE);
	if (!r)
		return STATUS_INSUFFICIENT_RESOURCES;
	r->sync = true;
	umn_iomsg_init(&m, UMN_IOMSG_CLOSE, 0);
	m.close.handle = handle;
	st = umnic_start(c, r, &m);
	if (st != STATUS_PENDING) {
		umnic_req_free(r);
		return st;
	}
	return umnic_wait(c, r, -1, NULL, NULL);
}

/* ---- read, write, IOCTL ---- */

UMNIC_EXPORT NTSTATUS umnic_read(umnic_client *c, umnic_handle h, void *buf, size_t len,
				 uint64_t offset, umnic_result *ret)
{
	return do_read(c, h, buf, len, offset, -1, NULL, NULL, NULL, ret);
}

UMNIC_EXPORT NTSTATUS umnic_read_timeout(umnic_client *c, umnic_handle h, void *buf, size_t len,
					 uint64_t offset, int timeout_ms, umnic_result *ret)
{
	return do_read(c, h, buf, len, offset, timeout_ms, NULL, NULL, NULL, ret);
}

UMNIC_EXPORT NTSTATUS umnic_submit_read(umnic_client *c, umnic_handle h, void *buf, size_t len,
					uint64_t offset, umnic_completion_fn cb, void *ctx,
					uint64_t *ret_req_id)
{
	if (!cb)
		return STATUS_INVALID_PARAMETER;
	return do_read(c, h, buf, len, offset, -1, cb, ctx, ret_req_id, NULL);
}

UMNIC_EXPORT NTSTATUS umnic_write(umnic_client *c, umnic_handle h, const void *buf, size_t len,
				  uint64_t offset, umnic_result *ret)
{
	return do_write(c, h, buf, len, offset, -1, NULL, NULL, NULL, ret);
}

UMNIC_EXPORT NTSTATUS umnic_write_timeout(umnic_client *c, umnic_handle h, const void *buf,
					  size_t len, uint64_t offset, int timeout_ms,
					  umnic_result *ret)
{
	return do_write(c, h, buf, len, offset, timeout_ms, NULL, NULL, NULL, ret);
}

UMNIC_EXPORT NTSTATUS umnic_submit_write(umnic_client *c, umnic_handle h, const void *buf,
					 size_t len, uint64_t offset, umnic_completion_fn cb,
					 void *ctx, uint64_t *ret_req_id)
{
	if (!cb)
		return STATUS_INVALID_PARAMETER;
	return do_write(c, h, buf, len, offset, -1, cb, ctx, ret_req_id, NULL);
}

UMNIC_EXPORT NTSTATUS umnic_ioctl(umnic_client *c, umnic_handle h, uint32_t code, const void *in,
				  size_t in_len, void *out, size_t out_len, umnic_result *ret)
{
	return do_ioctl(c, h, code, in, in_len, out, out_len, -1, NULL, NULL, NULL, ret);
}

UMNIC_EXPORT NTSTATUS umnic_ioctl_timeout(umnic_client *c, umnic_handle h, uint32_t code,
					  const void *in, size_t in_len, void *out, size_t out_len,
					  int timeout_ms, umnic_result *ret)
{
	return do_ioctl(c, h, code, in, in_len, out, out_len, timeout_ms, NULL, NULL, NULL, ret);
}

UMNIC_EXPORT NTSTATUS umnic_submit_ioctl(umnic_client *c, umnic_handle h, uint32_t code,
					 const void *in, size_t in_len, void *out, size_t out_len,
					 umnic_completion_fn cb, void *ctx, uint64_t *ret_req_id)
{
	if (!cb)
		return STATUS_INVALID_PARAMETER;
	return do_ioctl(c, h, code, in, in_len, out, out_len, -1, cb, ctx, ret_req_id, NULL);
}
