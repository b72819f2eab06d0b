/* SPDX-License-Identifier: MIT */
/*
 * Encoder and decoders of the client <-> umnicd I/O messages (ioproto.h).
 * umn_iomsg_decode_request is attack surface: any process allowed to connect
 * writes its input. It reads each field once from the packet, checks it, and
 * never follows a pointer the client sent.
 */
#include "common/ioproto.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <ntstatus.h>

#include "common/ascii.h"

#define BAD(...) bad(reason, -EBADMSG, __VA_ARGS__)

__attribute__((format(printf, 3, 4))) static int bad(char *reason, int err, const char *fmt, ...)
{
	va_list ap;

	if (reason) {
		va_start(ap, fmt);
		vsnprintf(reason, UMN_IOMSG_REASON_MAX, fmt, ap);
		va_end(ap);
	}
	return err;
}

void umn_iomsg_init(struct umn_iomsg *m, uint32_t type, uint64_t req_id)
{
	memset(m, 0, sizeof(*m));
	m->type = type;
	m->req_id = req_id;
	switch (type) {
	case UMN_IOMSG_READ:
		m->read.out_fd = -1;
		break;
	case UMN_IOMSG_WRITE:
		m->write.in_fd = -1;
		break;
	case UMN_IOMSG_IOCTL:
		m->ioctl.in_fd = -1;
		m->ioctl.out_fd = -1;
		break;
	}
}

const char *umn_iomsg_type_name(uint32_t type)
{
	switch (type) {
	case UMN_IOMSG_OPEN:
		return "OPEN";
	case UMN_IOMSG_READ:
		return "READ";
	case UMN_IOMSG_WRITE:
		return "WRITE";
	case UMN_IOMSG_IOCTL:
		return "IOCTL";
	case UMN_IOMSG_CANCEL:
		return "CANCEL";
	case UMN_IOMSG_CLOSE:
		return "CLOSE";
	case UMN_IOMSG_OPEN_DONE:
		return "OPEN_DONE";
	case UMN_IOMSG_COMPLETE:
		return "COMPLETE";
	case UMN_IOMSG_CLOSE_DONE:
		return "CLOSE_DONE";
	}
	return NULL;
}

/* ---- encoding ---- */

static void put_hdr(void *buf, uint32_t type, size_t len, uint64_t req_id)
{
	struct umn_iomsg_hdr *h = buf;

	h->type = type;
	h->len = (uint32_t)len;
	h->req_id = req_id;
}

ssize_t umn_iomsg_encode(const struct umn_iomsg *m, void *buf, size_t cap, int *ret_fds,
			 unsigned *ret_nfds)
{
	const void *payload = NULL;
	size_t fixed, plen = 0, len;
	unsigned nfds = 0;
	int fds[UMN_IOMSG_MAX_FDS];

	switch (m->type) {
	case UMN_IOMSG_OPEN: {
		struct umn_iomsg_open o = {.desired_access = m->open.desired_access};

		fixed = sizeof(o);
		if (m->open.name) {
			plen = strlen(m->open.name) + 1;
			if (plen > UMN_IOMSG_NAME_MAX)
				return -EINVAL;
			payload = m->open.name;
		}
		if (m->open.by_interface) {
			o.flags = UMN_IOMSG_OPEN_INTERFACE;
			o.interface_guid = m->open.interface_guid;
		}
		o.name_len = (uint16_t)plen;
		if (cap < fixed + plen)
			return -EMSGSIZE;
		memcpy(buf, &o, fixed);
		break;
	}
	case UMN_IOMSG_READ: {
		struct umn_iomsg_read r = {
		    .handle = m->read.handle, .offset = m->read.offset, .length = m->read.length};

		fixed = sizeof(r);
		if (m->read.out_fd >= 0) {
			r.flags |= UMN_IOMSG_F_OUT_MEMFD;
			fds[nfds++] = m->read.out_fd;
		}
		if (cap < fixed)
			return -EMSGSIZE;
		memcpy(buf, &r, fixed);
		break;
	}
	case UMN_IOMSG_WRITE: {
		struct umn_iomsg_write w = {.handle = m->write.handle,
					    .offset = m->write.offset,
					    .length = m->write.length};

		fixed = sizeof(w);
		if (m->write.in_fd >= 0) {
			w.flags |= UMN_IOMSG_F_IN_MEMFD;
			fds[nfds++] = m->write.in_fd;
		} else {
			plen = m->write.length;
			payload = m->write.data;
		}
		if (plen > UMN_IOMSG_INLINE_MAX || cap < fixed + plen)
			return -EMSGSIZE;
		memcpy(buf, &w, fixed);
		break;
	}
	case UMN_IOMSG_IOCTL: {
		struct umn_iomsg_ioctl c = {.handle = m->ioctl.handle,
					    .code = m->ioctl.code,
					    .in_len = m->ioctl.in_len,
					    .out_len = m->ioctl.out_len};

		fixed = sizeof(c);
		if (m->ioctl.in_fd >= 0) {
			c.flags |= UMN_IOMSG_F_IN_MEMFD;
			fds[nfds++] = m->ioctl.in_fd;
		} else if (m->ioctl.in) {
			plen = m->ioctl.in_len;
			payload = m->ioctl.in;
		}
		if (m->ioctl.out_fd >= 0) {
			c.flags |= UMN_IOMSG_F_OUT_MEMFD;
			fds[nfds++] = m->ioctl.out_fd;
		}
		if (plen > UMN_IOMSG_INLINE_MAX || cap < fixed + plen)
			return -EMSGSIZE;
		memcpy(buf, &c, fixed);
		break;
	}
	case UMN_IOMSG_CANCEL:
		fixed = sizeof(struct umn_iomsg_cancel);
		if (cap < fixed)
			return -EMSGSIZE;
		break;
	case UMN_IOMSG_CLOSE: {
		struct umn_iomsg_close c = {.handle = m->close.handle};

		fixed = sizeof(c);
		if (cap < fixed)
			return -EMSGSIZE;
		memcpy(buf, &c, fixed);
		break;
	}
	case UMN_IOMSG_OPEN_DONE: {
		struct umn_iomsg_open_done d = {.status = m->open_done.status,
						.granted_access = m->open_done.granted_access,
						.handle = m->open_done.handle};

		fixed = sizeof(d);
		if (cap < fixed)
			return -EMSGSIZE;
		memcpy(buf, &d, fixed);
		break;
	}
	case UMN_IOMSG_COMPLETE: {
		struct umn_iomsg_complete d = {.status = m->complete.status,
					       .information = m->complete.information,
					       .data_len = m->complete.data_len};

		fixed = sizeof(d);
		if (m->complete.in_memfd) {
			d.flags = UMN_IOMSG_F_OUT_MEMFD;
		} else {
			plen = m->complete.data_len;
			payload = m->complete.data;
		}
		if (plen > UMN_IOMSG_INLINE_MAX || cap < fixed + plen)
			return -EMSGSIZE;
		memcpy(buf, &d, fixed);
		break;
	}
	case UMN_IOMSG_CLOSE_DONE: {
		struct umn_iomsg_close_done d = {.status = m->close_done.status};

		fixed = sizeof(d);
		if (cap < fixed)
			return -EMSGSIZE;
		memcpy(buf, &d, fixed);
		break;
	}
	default:
		return -EINVAL;
	}

	len = fixed + plen;
	put_hdr(buf, m->type, len, m->req_id);
	if (plen) {
		if (payload)
			memcpy((uint8_t *)buf + fixed, payload, plen);
		else
			memset((uint8_t *)buf + fixed, 0, plen);
	}
	if (ret_fds)
		memcpy(ret_fds, fds, nfds * sizeof(int));
	if (ret_nfds)
		*ret_nfds = nfds;
	return (ssize_t)len;
}

/* ---- decoding helpers ---- */

/* Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF, no C0/DEL controls. */
static bool text_ok(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned c = s[i], need, cp;

		if (c < 0x80) {
			if (c < 0x20 || c == 0x7f)
				return false;
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			need = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			need = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			need = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (n - i - 1 < need)
			return false;
		for (unsigned k = 1; k <= need; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += need + 1;
	}
	return true;
}

/*
 * Checks a name field of n bytes (terminating NUL included) at s. Returns
 * NULL or what is wrong with it.
 */
static const char *name_problem(const char *s, size_t n)
{
	if (s[n - 1] != '\0')
		return "not NUL-terminated";
	if (strlen(s) != n - 1)
		return "embedded NUL";
	if (!text_ok((const unsigned char *)s, n - 1))
		return "not UTF-8 text";
	return NULL;
}

static bool prefix_ci(const char *s, const char *p)
{
	return strncasecmp(s, p, strlen(p)) == 0;
}

/* Splits "[\??\|\\.\|\DosDevices\|\GLOBAL??\]LINK[\PATH]" into LINK and PATH. */
static int split_link(char *reason, const char *name, char *link, char *file_name)
{
	static const char *const prefixes[] = {"\\??\\", "\\\\.\\", "\\\\?\\", "\\DosDevices\\",
					       "\\GLOBAL??\\"};
	const char *p = name, *sep;
	size_t n;

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (prefix_ci(p, prefixes[i])) {
			p += strlen(prefixes[i]);
			break;
		}
	sep = strchr(p, '\\');
	n = sep ? (size_t)(sep - p) : strlen(p);
	if (n == 0)
		return BAD("open.name: no symbolic link name");
	if (memchr(p, '/', n))
		return BAD("open.name: '/' in the symbolic link name");
	/* Both fit: the whole name is shorter than UMN_IOMSG_NAME_MAX. */
	memcpy(link, p, n);
	link[n] = '\0';
	strcpy(file_name, sep ? sep + 1 : "");
	return 0;
}

uint32_t umn_iomsg_map_access(uint32_t a)
{
	uint32_t r = a & (FILE_READ_DATA | FILE_WRITE_DATA);

	if (a & (GENERIC_READ | GENERIC_ALL))
		r |= FILE_READ_DATA;
	if (a & (GENERIC_WRITE | GENERIC_ALL))
		r |= FILE_WRITE_DATA;
	return r;
}

/*
 * A memfd the client passed: really a memfd, sealed against shrinking (so
 * umnicd and the driver can map it without SIGBUS), at least need bytes. An
 * input memfd must also be sealed against writing, so what the driver reads
 * is what the client sent; an output one must be writable.
 */
static int check_memfd(char *reason, int fd, uint64_t need, bool input, const char *field,
		       const char *len_field)
{
	struct stat st;
	int seals, fl;

	if (fd < 0 || fstat(fd, &st) < 0)
		return bad(reason, -EBADF, "%s: not an open descriptor", field);
	seals = fcntl(fd, F_GET_SEALS);
	if (!S_ISREG(st.st_mode) || seals < 0)
		return bad(reason, -EBADF, "%s: not a memfd", field);
	if (!(seals & F_SEAL_SHRINK))
		return bad(reason, -EBADF, "%s: not sealed against shrinking", field);
	fl = fcntl(fd, F_GETFL);
	if (fl < 0)
		return bad(reason, -EBADF, "%s: not an open descriptor", field);
	if (input) {
		if (!(seals & F_SEAL_WRITE))
			return bad(reason, -EBADF, "%s: not sealed against writing", field);
		if ((fl & O_ACCMODE) == O_WRONLY)
			return bad(reason, -EBADF, "%s: not readable", field);
	} else {
		if (seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE))
			return bad(reason, -EBADF, "%s: sealed against writing", field);
		if ((fl & O_ACCMODE) != O_RDWR)
			return bad(reason, -EBADF, "%s: not open for reading and writing", field);
	}
	if ((uint64_t)st.st_size < need)
		return bad(reason, -EBADF, "%s: memfd smaller than %s", field, len_field);
	return 0;
}

static int check_fds(char *reason, unsigned nfds, unsigned expected)
{
	if (nfds > expected)
		return bad(reason, -EBADF, "fds: %u received, the flags announce %u", nfds,
			   expected);
	if (nfds < expected)
		return bad(reason, -EBADF, "fds: %u received, the flags announce %u", nfds,
			   expected);
	return 0;
}

/* ---- umnicd's decoder ---- */

static int dec_open(char *reason, uint8_t *buf, size_t len, unsigned nfds, struct umn_iomsg *m)
{
	struct umn_iomsg_open o;
	static const GUID zero;
	char *name;
	const char *why;
	int r;

	if (len < sizeof(o))
		return BAD("open: packet shorter than the message");
	memcpy(&o, buf, sizeof(o));
	if (o.name_len != len - sizeof(o))
		return BAD("open.name_len: does not match the packet");
	if (o.name_len > UMN_IOMSG_NAME_MAX)
		return BAD("open.name_len: over %d bytes", UMN_IOMSG_NAME_MAX);
	if (o.desired_access & ~(uint32_t)UMN_IOMSG_ACCESS_VALID)
		return BAD("open.desired_access: unknown bits 0x%x",
			   o.desired_access & ~(uint32_t)UMN_IOMSG_ACCESS_VALID);
	if (o.share_access)
		return BAD("open.share_access: reserved, must be 0");
	if (o.flags & ~(uint32_t)UMN_IOMSG_OPEN_INTERFACE)
		return BAD("open.flags: unknown bits");
	if (o.reserved)
		return BAD("open.reserved: must be 0");
	if ((r = check_fds(reason, nfds, 0)) < 0)
		return r;

	name = (char *)buf + sizeof(o);
	if (o.name_len && (why = name_problem(name, o.name_len)))
		return BAD("open.name: %s", why);

	m->open.desired_access = o.desired_access;
	m->open.access = umn_iomsg_map_access(o.desired_access);
	m->open.interface_guid = o.interface_guid;
	m->open.name = o.name_len ? name : NULL;
	if (o.flags & UMN_IOMSG_OPEN_INTERFACE) {
		m->open.by_interface = true;
		if (!memcmp(&o.interface_guid, &zero, sizeof(zero)))
			return BAD("open.interface_guid: GUID_NULL");
		if (o.name_len && strpbrk(name, "\\/"))
			return BAD("open.name: path separator in the reference string");
		if (o.name_len)
			strcpy(m->open.file_name, name);
		return 0;
	}
	if (memcmp(&o.interface_guid, &zero, sizeof(zero)))
		return BAD("open.interface_guid: set for an open by name");
	if (o.name_len < 2)
		return BAD("open.name: empty");
	return split_link(reason, name, m->open.link, m->open.file_name);
}

static int dec_read(char *reason, uint8_t *buf, size_t len, const int *fds, unsigned nfds,
		    struct umn_iomsg *m)
{
	struct umn_iomsg_read o;
	int r;

	if (len != sizeof(o))
		return BAD("read: packet size %zu, expected %zu", len, sizeof(o));
	memcpy(&o, buf, sizeof(o));
	if (!o.handle)
		return BAD("read.handle: 0");
	if (o.offset > INT64_MAX)
		return BAD("read.offset: negative");
	if (o.flags & ~(uint32_t)UMN_IOMSG_F_OUT_MEMFD)
		return BAD("read.flags: unknown bits");
	if (o.length > UMN_IOMSG_LEN_MAX)
		return BAD("read.length: over %u bytes", UMN_IOMSG_LEN_MAX);
	if (!(o.flags & UMN_IOMSG_F_OUT_MEMFD) && o.length > UMN_IOMSG_INLINE_MAX)
		return BAD("read.length: over %d bytes without an output memfd",
			   UMN_IOMSG_INLINE_MAX);
	if ((o.flags & UMN_IOMSG_F_OUT_MEMFD) && !o.length)
		return BAD("read.flags: output memfd for an empty buffer");
	if ((r = check_fds(reason, nfds, (o.flags & UMN_IOMSG_F_OUT_MEMFD) ? 1 : 0)) < 0)
		return r;
	if (nfds &&
	    (r = check_memfd(reason, fds[0], o.length, false, "read.out_fd", "read.length")) < 0)
		return r;
	m->read.handle = o.handle;
	m->read.offset = o.offset;
	m->read.length = o.length;
	m->read.out_fd = nfds ? fds[0] : -1;
	return 0;
}

static int dec_write(char *reason, uint8_t *buf, size_t len, const int *fds, unsigned nfds,
		     struct umn_iomsg *m)
{
	struct umn_iomsg_write o;
	bool memfd;
	int r;

	if (len < sizeof(o))
		return BAD("write: packet shorter than the message");
	memcpy(&o, buf, sizeof(o));
	memfd = o.flags & UMN_IOMSG_F_IN_MEMFD;
	if (!o.handle)
		return BAD("write.handle: 0");
	if (o.offset > INT64_MAX)
		return BAD("write.offset: negative");
	if (o.flags & ~(uint32_t)UMN_IOMSG_F_IN_MEMFD)
		return BAD("write.flags: unknown bits");
	if (o.length > UMN_IOMSG_LEN_MAX)
		return BAD("write.length: over %u bytes", UMN_IOMSG_LEN_MAX);
	if (memfd) {
		if (len != sizeof(o))
			return BAD("write: inline data with an input memfd");
		if (!o.length)
			return BAD("write.flags: input memfd for an empty buffer");
	} else {
		if (o.length > UMN_IOMSG_INLINE_MAX)
			return BAD("write.length: over %d bytes inline", UMN_IOMSG_INLINE_MAX);
		if (o.length != len - sizeof(o))
			return BAD("write.length: does not match the packet");
	}
	if ((r = check_fds(reason, nfds, memfd ? 1 : 0)) < 0)
		return r;
	if (memfd &&
	    (r = check_memfd(reason, fds[0], o.length, true, "write.in_fd", "write.length")) < 0)
		return r;
	m->write.handle = o.handle;
	m->write.offset = o.offset;
	m->write.length = o.length;
	m->write.data = memfd ? NULL : buf + sizeof(o);
	m->write.in_fd = memfd ? fds[0] : -1;
	return 0;
}

static int dec_ioctl(char *reason, uint8_t *buf, size_t len, const int *fds, unsigned nfds,
		     struct umn_iomsg *m)
{
	struct umn_iomsg_ioctl o;
	bool in_memfd, out_memfd;
	unsigned k = 0;
	int r;

	if (len < sizeof(o))
		return BAD("ioctl: packet shorter than the message");
	memcpy(&o, buf, sizeof(o));
	in_memfd = o.flags & UMN_IOMSG_F_IN_MEMFD;
	out_memfd = o.flags & UMN_IOMSG_F_OUT_MEMFD;
	if (!o.handle)
		return BAD("ioctl.handle: 0");
	if (o.flags & ~(uint32_t)(UMN_IOMSG_F_IN_MEMFD | UMN_IOMSG_F_OUT_MEMFD))
		return BAD("ioctl.flags: unknown bits");
	if (o.in_len > UMN_IOMSG_LEN_MAX)
		return BAD("ioctl.in_len: over %u bytes", UMN_IOMSG_LEN_MAX);
	if (o.out_len > UMN_IOMSG_LEN_MAX)
		return BAD("ioctl.out_len: over %u bytes", UMN_IOMSG_LEN_MAX);

	/*
	 * Every method travels alike, METHOD_NEITHER included: the client sends
	 * copies of its buffers, never pointers (ioproto.h). A client built
	 * when METHOD_NEITHER sent its pointers in these words is refused here.
	 */
	if (o.reserved[0] || o.reserved[1])
		return BAD("ioctl.reserved: not 0");
	if (in_memfd) {
		if (len != sizeof(o))
			return BAD("ioctl: inline input with an input memfd");
		if (!o.in_len)
			return BAD("ioctl.flags: input memfd for an empty buffer");
	} else {
		if (o.in_len > UMN_IOMSG_INLINE_MAX)
			return BAD("ioctl.in_len: over %d bytes inline", UMN_IOMSG_INLINE_MAX);
		if (o.in_len != len - sizeof(o))
			return BAD("ioctl.in_len: does not match the packet");
	}
	if (out_memfd && !o.out_len)
		return BAD("ioctl.flags: output memfd for an empty buffer");
	if (!out_memfd && o.out_len > UMN_IOMSG_INLINE_MAX)
		return BAD("ioctl.out_len: over %d bytes without an output memfd",
			   UMN_IOMSG_INLINE_MAX);
	if ((r = check_fds(reason, nfds, (unsigned)in_memfd + (unsigned)out_memfd)) < 0)
		return r;
	if (in_memfd &&
	    (r = check_memfd(reason, fds[k++], o.in_len, true, "ioctl.in_fd", "ioctl.in_len")) < 0)
		return r;
	if (out_memfd && (r = check_memfd(reason, fds[k], o.out_len, false, "ioctl.out_fd",
					  "ioctl.out_len")) < 0)
		return r;
	k = 0;
	m->ioctl.handle = o.handle;
	m->ioctl.code = o.code;
	m->ioctl.in_len = o.in_len;
	m->ioctl.out_len = o.out_len;
	m->ioctl.in_fd = in_memfd ? fds[k++] : -1;
	m->ioctl.out_fd = out_memfd ? fds[k] : -1;
	m->ioctl.in = (!in_memfd && len > sizeof(o)) ? buf + sizeof(o) : NULL;
	return 0;
}

static int dec_hdr(char *reason, const void *buf, size_t len, struct umn_iomsg_hdr *h)
{
	if (!buf || len < sizeof(*h))
		return BAD("hdr: packet of %zu bytes, shorter than the header", len);
	if (len > UMN_IOMSG_MAX)
		return BAD("hdr: packet of %zu bytes, over %d", len, UMN_IOMSG_MAX);
	memcpy(h, buf, sizeof(*h));
	if (h->len != len)
		return BAD("hdr.len: %u, packet is %zu bytes", h->len, len);
	return 0;
}

int umn_iomsg_decode_request(void *buf, size_t len, const int *fds, unsigned nfds,
			     struct umn_iomsg *ret, char *reason)
{
	struct umn_iomsg_hdr h;
	int r;

	if (reason)
		reason[0] = '\0';
	if ((r = dec_hdr(reason, buf, len, &h)) < 0)
		return r;
	if (nfds > UMN_IOMSG_MAX_FDS)
		return bad(reason, -EBADF, "fds: %u received, at most %d", nfds, UMN_IOMSG_MAX_FDS);
	if (nfds && !fds)
		return bad(reason, -EBADF, "fds: missing");
	// NOLINTNEXTLINE(clang-analyzer-core.uninitialized.Branch): dec_hdr fills h when it returns 0
	if (!h.req_id)
		return BAD("hdr.req_id: 0");

	umn_iomsg_init(ret, h.type, h.req_id);
	switch (h.type) {
	case UMN_IOMSG_OPEN:
		return dec_open(reason, buf, len, nfds, ret);
	case UMN_IOMSG_READ:
		return dec_read(reason, buf, len, fds, nfds, ret);
	case UMN_IOMSG_WRITE:
		return dec_write(reason, buf, len, fds, nfds, ret);
	case UMN_IOMSG_IOCTL:
		return dec_ioctl(reason, buf, len, fds, nfds, ret);
	case UMN_IOMSG_CANCEL:
		if (len != sizeof(struct umn_iomsg_cancel))
			return BAD("cancel: packet size %zu, expected %zu", len,
				   sizeof(struct umn_iomsg_cancel));
		return check_fds(reason, nfds, 0);
	case UMN_IOMSG_CLOSE: {
		struct umn_iomsg_close o;

		if (len != sizeof(o))
			return BAD("close: packet size %zu, expected %zu", len, sizeof(o));
		memcpy(&o, buf, sizeof(o));
		if (!o.handle)
			return BAD("close.handle: 0");
		ret->close.handle = o.handle;
		return check_fds(reason, nfds, 0);
	}
	}
	return BAD("hdr.type: %u is not a request", h.type);
}

/* ---- the client's decoder ---- */

int umn_iomsg_decode_reply(void *buf, size_t len, const int *fds, unsigned nfds,
			   struct umn_iomsg *ret, char *reason)
{
	struct umn_iomsg_hdr h;
	int r;

	if (reason)
		reason[0] = '\0';
	if ((r = dec_hdr(reason, buf, len, &h)) < 0)
		return r;
	if ((r = check_fds(reason, nfds, 0)) < 0)
		return r;
	// NOLINTNEXTLINE(clang-analyzer-core.uninitialized.Branch): dec_hdr fills h when it returns 0
	if (!h.req_id)
		return BAD("hdr.req_id: 0");

	umn_iomsg_init(ret, h.type, h.req_id);
	switch (h.type) {
	case UMN_IOMSG_OPEN_DONE: {
		struct umn_iomsg_open_done o;

		if (len != sizeof(o))
			return BAD("open_done: packet size %zu, expected %zu", len, sizeof(o));
		memcpy(&o, buf, sizeof(o));
		if (o.status == STATUS_PENDING)
			return BAD("open_done.status: STATUS_PENDING");
		if (NT_SUCCESS(o.status) && !o.handle)
			return BAD("open_done.handle: 0 on success");
		if (o.granted_access & ~(uint32_t)(FILE_READ_DATA | FILE_WRITE_DATA))
			return BAD("open_done.granted_access: unknown bits");
		ret->open_done.status = o.status;
		ret->open_done.granted_access = NT_SUCCESS(o.status) ? o.granted_access : 0;
		ret->open_done.handle = NT_SUCCESS(o.status) ? o.handle : 0;
		return 0;
	}
	case UMN_IOMSG_COMPLETE: {
		struct umn_iomsg_complete o;

		if (len < sizeof(o))
			return BAD("complete: packet shorter than the message");
		memcpy(&o, buf, sizeof(o));
		if (o.status == STATUS_PENDING)
			return BAD("complete.status: STATUS_PENDING");
		if (o.flags & ~(uint32_t)UMN_IOMSG_F_OUT_MEMFD)
			return BAD("complete.flags: unknown bits");
		if (o.reserved)
			return BAD("complete.reserved: must be 0");
		if (o.data_len > UMN_IOMSG_LEN_MAX)
			return BAD("complete.data_len: over %u bytes", UMN_IOMSG_LEN_MAX);
		if (o.flags & UMN_IOMSG_F_OUT_MEMFD) {
			if (len != sizeof(o))
				return BAD("complete: inline data with the output in the memfd");
		} else if (o.data_len != len - sizeof(o)) {
			return BAD("complete.data_len: does not match the packet");
		} else if (o.data_len > UMN_IOMSG_INLINE_MAX) {
			return BAD("complete.data_len: over %d bytes inline", UMN_IOMSG_INLINE_MAX);
		}
		ret->complete.status = o.status;
		ret->complete.information = o.information;
		ret->complete.data_len = o.data_len;
		ret->complete.in_memfd = o.flags & UMN_IOMSG_F_OUT_MEMFD;
		ret->complete.data = ret->complete.in_memfd ? NULL : (uint8_t *)buf + sizeof(o);
		return 0;
	}
	case UMN_IOMSG_CLOSE_DONE: {
		struct umn_iomsg_close_done o;

		if (len != sizeof(o))
			return BAD("close_done: packet size %zu, expected %zu", len, sizeof(o));
		memcpy(&o, buf, sizeof(o));
		if (o.reserved)
			return BAD("close_done.reserved: must be 0");
		ret->close_done.status = o.status;
		return 0;
	}
	}
	return BAD("hdr.type: %u is not a reply", h.type);
}

/* ---- GUIDs ---- */

/* Reads exactly n hex digits. */
static int hexn(const char **p, unsigned n, uint64_t *ret)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++) {
		int d = ascii_hexval((*p)[i]);
		if (d < 0)
			return -EINVAL;
		v = v << 4 | (unsigned)d;
	}
	*p += n;
	*ret = v;
	return 0;
}

int umn_guid_parse(const char *s, GUID *ret)
{
	static const unsigned groups[] = {8, 4, 4, 4, 12};
	const char *p = s;
	uint64_t v[5];
	bool brace;
	GUID g;

	if (!s)
		return -EINVAL;
	brace = *p == '{';
	if (brace)
		p++;
	for (unsigned i = 0; i < 5; i++) {
		if (i && *p++ != '-')
			return -EINVAL;
		if (hexn(&p, groups[i], &v[i]) < 0)
			return -EINVAL;
	}
	if (brace && *p++ != '}')
		return -EINVAL;
	g.Data1 = (ULONG)v[0];
	g.Data2 = (USHORT)v[1];
	g.Data3 = (USHORT)v[2];
	g.Data4[0] = (UCHAR)(v[3] >> 8);
	g.Data4[1] = (UCHAR)v[3];
	for (unsigned i = 0; i < 6; i++)
		g.Data4[2 + i] = (UCHAR)(v[4] >> (40 - 8 * i));
	*ret = g;
	return (int)(p - s);
}

void umn_guid_format(const GUID *g, char *buf)
{
	snprintf(buf, UMN_GUID_STR_MAX, "{%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X}",
		 g->Data1, g->Data2, g->Data3, g->Data4[0], g->Data4[1], g->Data4[2], g->Data4[3],
		 g->Data4[4], g->Data4[5], g->Data4[6], g->Data4[7]);
}
