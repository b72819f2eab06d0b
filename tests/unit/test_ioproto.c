/* SPDX-License-Identifier: MIT */
/* The client <-> umnicd I/O messages: round trips and every rejection (src/common/ioproto.c). */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include <ntstatus.h>

#include "common/ioproto.h"

#define IOCTL_BUF     CTL_CODE(0x8000, 0x801, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_NEITHER CTL_CODE(0x8000, 0x802, METHOD_NEITHER, FILE_ANY_ACCESS)

static uint8_t pkt[UMN_IOMSG_MAX + 64];

static int memfd(size_t size, unsigned seals)
{
	int fd = memfd_create("t", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)size), 0);
	if (seals)
		assert_int_equal(fcntl(fd, F_ADD_SEALS, seals), 0);
	return fd;
}

#define IN_SEALS  (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)
#define OUT_SEALS (F_SEAL_SHRINK | F_SEAL_GROW)

static size_t enc(const struct umn_iomsg *m, int *fds, unsigned *nfds)
{
	ssize_t n = umn_iomsg_encode(m, pkt, sizeof(pkt), fds, nfds);

	assert_true(n > 0);
	return (size_t)n;
}

/* Decodes a request and expects success. */
static void dec_ok(size_t len, const int *fds, unsigned nfds, struct umn_iomsg *out)
{
	char reason[UMN_IOMSG_REASON_MAX];
	int r = umn_iomsg_decode_request(pkt, len, fds, nfds, out, reason);

	if (r < 0)
		fail_msg("decode failed: %s", reason);
}

/* Decodes a request and expects err with a reason containing what. */
static void dec_bad(size_t len, const int *fds, unsigned nfds, int err, const char *what)
{
	char reason[UMN_IOMSG_REASON_MAX];
	struct umn_iomsg m;
	int r = umn_iomsg_decode_request(pkt, len, fds, nfds, &m, reason);

	if (r != err || !strstr(reason, what))
		fail_msg("expected %d '%s', got %d '%s'", err, what, r, reason);
}

static void rep_bad(size_t len, const int *fds, unsigned nfds, const char *what)
{
	char reason[UMN_IOMSG_REASON_MAX];
	struct umn_iomsg m;
	int r = umn_iomsg_decode_reply(pkt, len, fds, nfds, &m, reason);

	if (r >= 0 || !strstr(reason, what))
		fail_msg("expected rejection '%s', got %d '%s'", what, r, reason);
}

static void *hdr_field(size_t off)
{
	return pkt + off;
}

/* ---- round trips ---- */

static void test_open_by_name(void **state)
{
	static const char *const names[][3] = {
	    {"UmnicEcho", "UmnicEcho", ""},
	    {"\\??\\UmnicEcho", "UmnicEcho", ""},
	    {"\\\\.\\UmnicEcho\\sub\\path", "UmnicEcho", "sub\\path"},
	    {"\\DosDevices\\Ech\xc3\xb6", "Ech\xc3\xb6", ""},
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct umn_iomsg m, d;
		size_t len;

		umn_iomsg_init(&m, UMN_IOMSG_OPEN, 7);
		m.open.desired_access = GENERIC_READ | FILE_WRITE_DATA;
		m.open.name = names[i][0];
		len = enc(&m, NULL, NULL);
		assert_int_equal(len, sizeof(struct umn_iomsg_open) + strlen(names[i][0]) + 1);
		dec_ok(len, NULL, 0, &d);
		assert_int_equal(d.type, UMN_IOMSG_OPEN);
		assert_int_equal(d.req_id, 7);
		assert_false(d.open.by_interface);
		assert_int_equal(d.open.desired_access, GENERIC_READ | FILE_WRITE_DATA);
		assert_int_equal(d.open.access, FILE_READ_DATA | FILE_WRITE_DATA);
		assert_string_equal(d.open.name, names[i][0]);
		assert_string_equal(d.open.link, names[i][1]);
		assert_string_equal(d.open.file_name, names[i][2]);
	}
}

static void test_open_by_interface(void **state)
{
	struct umn_iomsg m, d;
	char s[UMN_GUID_STR_MAX];
	GUID g;
	size_t len;

	assert_int_equal(umn_guid_parse("{6B29FC40-CA47-1067-B31D-00DD010662DA}", &g), 38);
	umn_guid_format(&g, s);
	assert_string_equal(s, "{6B29FC40-CA47-1067-B31D-00DD010662DA}");
	assert_int_equal(g.Data1, 0x6B29FC40);
	assert_int_equal(g.Data4[7], 0xDA);
	assert_int_equal(umn_guid_parse("6b29fc40-ca47-1067-b31d-00dd010662da", &g), 36);
	assert_int_equal(umn_guid_parse("{6B29FC40-CA47-1067-B31D-00DD010662D}", &g), -EINVAL);
	assert_int_equal(umn_guid_parse("{6B29FC40-CA47-1067-B31D-00DD010662DA", &g), -EINVAL);
	assert_int_equal(umn_guid_parse("{6B29FC40+CA47-1067-B31D-00DD010662DA}", &g), -EINVAL);

	for (int with_ref = 0; with_ref < 2; with_ref++) {
		umn_iomsg_init(&m, UMN_IOMSG_OPEN, 8);
		m.open.by_interface = true;
		m.open.interface_guid = g;
		m.open.desired_access = GENERIC_ALL;
		m.open.name = with_ref ? "port1" : NULL;
		len = enc(&m, NULL, NULL);
		dec_ok(len, NULL, 0, &d);
		assert_true(d.open.by_interface);
		assert_memory_equal(&d.open.interface_guid, &g, sizeof(g));
		assert_int_equal(d.open.access, FILE_READ_DATA | FILE_WRITE_DATA);
		assert_string_equal(d.open.file_name, with_ref ? "port1" : "");
		assert_string_equal(d.open.link, "");
		if (with_ref)
			assert_string_equal(d.open.name, "port1");
		else
			assert_null(d.open.name);
	}
}

static void test_read_write_roundtrip(void **state)
{
	uint8_t data[300];
	struct umn_iomsg m, d;
	int fds[2], fd;
	unsigned nfds;
	size_t len;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)i;

	umn_iomsg_init(&m, UMN_IOMSG_READ, 1);
	m.read.handle = 5;
	m.read.offset = 4096;
	m.read.length = 100;
	len = enc(&m, fds, &nfds);
	assert_int_equal(nfds, 0);
	dec_ok(len, fds, nfds, &d);
	assert_int_equal(d.read.handle, 5);
	assert_int_equal(d.read.offset, 4096);
	assert_int_equal(d.read.length, 100);
	assert_int_equal(d.read.out_fd, -1);

	fd = memfd(1 << 20, OUT_SEALS);
	m.read.length = 1 << 20;
	m.read.out_fd = fd;
	len = enc(&m, fds, &nfds);
	assert_int_equal(nfds, 1);
	dec_ok(len, fds, nfds, &d);
	assert_int_equal(d.read.out_fd, fd);
	assert_int_equal(d.read.length, 1 << 20);
	close(fd);

	umn_iomsg_init(&m, UMN_IOMSG_WRITE, 2);
	m.write.handle = 6;
	m.write.length = sizeof(data);
	m.write.data = data;
	len = enc(&m, fds, &nfds);
	assert_int_equal(len, sizeof(struct umn_iomsg_write) + sizeof(data));
	dec_ok(len, fds, nfds, &d);
	assert_int_equal(d.write.length, sizeof(data));
	assert_memory_equal(d.write.data, data, sizeof(data));
	assert_int_equal(d.write.in_fd, -1);

	fd = memfd(100000, IN_SEALS);
	umn_iomsg_init(&m, UMN_IOMSG_WRITE, 3);
	m.write.handle = 6;
	m.write.length = 100000;
	m.write.in_fd = fd;
	len = enc(&m, fds, &nfds);
	assert_int_equal(len, sizeof(struct umn_iomsg_write));
	dec_ok(len, fds, nfds, &d);
	assert_null(d.write.data);
	assert_int_equal(d.write.in_fd, fd);
	close(fd);
}

static void test_ioctl_roundtrip(void **state)
{
	uint8_t in[64] = {1, 2, 3};
	struct umn_iomsg m, d;
	int fds[2], fin, fout;
	unsigned nfds;
	size_t len;

	umn_iomsg_init(&m, UMN_IOMSG_IOCTL, 10);
	m.ioctl.handle = 9;
	m.ioctl.code = IOCTL_BUF;
	m.ioctl.in = in;
	m.ioctl.in_len = sizeof(in);
	m.ioctl.out_len = 32;
	len = enc(&m, fds, &nfds);
	dec_ok(len, fds, nfds, &d);
	assert_int_equal(d.ioctl.code, IOCTL_BUF);
	assert_int_equal(d.ioctl.in_len, sizeof(in));
	assert_int_equal(d.ioctl.out_len, 32);
	assert_memory_equal(d.ioctl.in, in, sizeof(in));
	assert_int_equal(d.ioctl.in_fd, -1);
	assert_int_equal(d.ioctl.out_fd, -1);

	/* Both buffers in memfds: fds travel [in, out]. */
	fin = memfd(70000, IN_SEALS);
	fout = memfd(200000, OUT_SEALS);
	umn_iomsg_init(&m, UMN_IOMSG_IOCTL, 11);
	m.ioctl.handle = 9;
	m.ioctl.code = IOCTL_BUF;
	m.ioctl.in_len = 70000;
	m.ioctl.out_len = 200000;
	m.ioctl.in_fd = fin;
	m.ioctl.out_fd = fout;
	len = enc(&m, fds, &nfds);
	assert_int_equal(nfds, 2);
	assert_int_equal(fds[0], fin);
	assert_int_equal(fds[1], fout);
	dec_ok(len, fds, nfds, &d);
	assert_int_equal(d.ioctl.in_fd, fin);
	assert_int_equal(d.ioctl.out_fd, fout);
	assert_null(d.ioctl.in);

	/* Output only in a memfd. */
	m.ioctl.in_fd = -1;
	m.ioctl.in_len = 0;
	len = enc(&m, fds, &nfds);
	assert_int_equal(nfds, 1);
	dec_ok(len, fds, nfds, &d);
	assert_int_equal(d.ioctl.in_fd, -1);
	assert_int_equal(d.ioctl.out_fd, fout);
	close(fin);
	close(fout);

	/* METHOD_NEITHER: copies of the buffers, inline or in memfds, as any other method. */
	umn_iomsg_init(&m, UMN_IOMSG_IOCTL, 12);
	m.ioctl.handle = 9;
	m.ioctl.code = IOCTL_NEITHER;
	m.ioctl.in_len = 4;
	m.ioctl.out_len = 8;
	m.ioctl.in = "abcd";
	len = enc(&m, fds, &nfds);
	assert_int_equal(len, sizeof(struct umn_iomsg_ioctl) + 4);
	assert_int_equal(nfds, 0);
	dec_ok(len, fds, nfds, &d);
	assert_int_equal(d.ioctl.code, IOCTL_NEITHER);
	assert_memory_equal(d.ioctl.in, "abcd", 4);
	assert_int_equal(d.ioctl.out_len, 8);
	fin = memfd(100000, IN_SEALS);
	fout = memfd(100000, OUT_SEALS);
	m.ioctl.in = NULL;
	m.ioctl.in_fd = fin;
	m.ioctl.out_fd = fout;
	m.ioctl.in_len = m.ioctl.out_len = 100000;
	len = enc(&m, fds, &nfds);
	assert_int_equal(nfds, 2);
	dec_ok(len, fds, nfds, &d);
	assert_int_equal(d.ioctl.in_fd, fin);
	assert_int_equal(d.ioctl.out_fd, fout);
	close(fin);
	close(fout);
}

static void test_cancel_close_roundtrip(void **state)
{
	struct umn_iomsg m, d;
	size_t len;

	umn_iomsg_init(&m, UMN_IOMSG_CANCEL, 42);
	len = enc(&m, NULL, NULL);
	dec_ok(len, NULL, 0, &d);
	assert_int_equal(d.type, UMN_IOMSG_CANCEL);
	assert_int_equal(d.req_id, 42);

	umn_iomsg_init(&m, UMN_IOMSG_CLOSE, 43);
	m.close.handle = 77;
	len = enc(&m, NULL, NULL);
	dec_ok(len, NULL, 0, &d);
	assert_int_equal(d.close.handle, 77);
}

static void test_replies_roundtrip(void **state)
{
	char reason[UMN_IOMSG_REASON_MAX];
	uint8_t data[40] = {9, 8, 7};
	struct umn_iomsg m, d;
	size_t len;

	umn_iomsg_init(&m, UMN_IOMSG_OPEN_DONE, 1);
	m.open_done.status = STATUS_SUCCESS;
	m.open_done.handle = 3;
	m.open_done.granted_access = FILE_READ_DATA;
	len = enc(&m, NULL, NULL);
	assert_int_equal(umn_iomsg_decode_reply(pkt, len, NULL, 0, &d, reason), 0);
	assert_int_equal(d.open_done.handle, 3);
	assert_int_equal(d.open_done.granted_access, FILE_READ_DATA);

	umn_iomsg_init(&m, UMN_IOMSG_COMPLETE, 2);
	m.complete.status = STATUS_SUCCESS;
	m.complete.information = 40;
	m.complete.data = data;
	m.complete.data_len = sizeof(data);
	len = enc(&m, NULL, NULL);
	assert_int_equal(umn_iomsg_decode_reply(pkt, len, NULL, 0, &d, reason), 0);
	assert_int_equal(d.complete.information, 40);
	assert_int_equal(d.complete.data_len, 40);
	assert_false(d.complete.in_memfd);
	assert_memory_equal(d.complete.data, data, sizeof(data));

	m.complete.in_memfd = true;
	m.complete.data_len = 1 << 20;
	len = enc(&m, NULL, NULL);
	assert_int_equal(len, sizeof(struct umn_iomsg_complete));
	assert_int_equal(umn_iomsg_decode_reply(pkt, len, NULL, 0, &d, reason), 0);
	assert_true(d.complete.in_memfd);
	assert_null(d.complete.data);
	assert_int_equal(d.complete.data_len, 1 << 20);

	umn_iomsg_init(&m, UMN_IOMSG_CLOSE_DONE, 3);
	m.close_done.status = STATUS_INVALID_HANDLE;
	len = enc(&m, NULL, NULL);
	assert_int_equal(umn_iomsg_decode_reply(pkt, len, NULL, 0, &d, reason), 0);
	assert_int_equal(d.close_done.status, STATUS_INVALID_HANDLE);

	/* Requests are not replies and the other way round. */
	umn_iomsg_init(&m, UMN_IOMSG_CANCEL, 4);
	len = enc(&m, NULL, NULL);
	rep_bad(len, NULL, 0, "hdr.type");
	umn_iomsg_init(&m, UMN_IOMSG_CLOSE_DONE, 4);
	len = enc(&m, NULL, NULL);
	dec_bad(len, NULL, 0, -EBADMSG, "hdr.type");
}

static void test_encode_limits(void **state)
{
	static uint8_t big[UMN_IOMSG_INLINE_MAX + 1];
	char name[UMN_IOMSG_NAME_MAX + 1];
	struct umn_iomsg m;

	umn_iomsg_init(&m, UMN_IOMSG_WRITE, 1);
	m.write.handle = 1;
	m.write.length = sizeof(big);
	m.write.data = big;
	assert_int_equal(umn_iomsg_encode(&m, pkt, sizeof(pkt), NULL, NULL), -EMSGSIZE);
	m.write.length = 100;
	assert_int_equal(umn_iomsg_encode(&m, pkt, 50, NULL, NULL), -EMSGSIZE);

	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	umn_iomsg_init(&m, UMN_IOMSG_OPEN, 1);
	m.open.name = name;
	assert_int_equal(umn_iomsg_encode(&m, pkt, sizeof(pkt), NULL, NULL), -EINVAL);
	umn_iomsg_init(&m, 55, 1);
	assert_int_equal(umn_iomsg_encode(&m, pkt, sizeof(pkt), NULL, NULL), -EINVAL);
}

/* ---- rejections ---- */

static size_t open_pkt(const char *name)
{
	struct umn_iomsg m;

	umn_iomsg_init(&m, UMN_IOMSG_OPEN, 1);
	m.open.desired_access = FILE_READ_DATA;
	m.open.name = name;
	return enc(&m, NULL, NULL);
}

static void test_reject_header(void **state)
{
	size_t len = open_pkt("UmnicEcho");
	struct umn_iomsg_hdr *h = hdr_field(0);

	dec_bad(0, NULL, 0, -EBADMSG, "hdr");
	dec_bad(10, NULL, 0, -EBADMSG, "hdr");
	dec_bad(UMN_IOMSG_MAX + 1, NULL, 0, -EBADMSG, "hdr");
	h->len = (uint32_t)len + 1;
	dec_bad(len, NULL, 0, -EBADMSG, "hdr.len");
	h->len = (uint32_t)len;
	h->req_id = 0;
	dec_bad(len, NULL, 0, -EBADMSG, "hdr.req_id");
	h->req_id = 1;
	h->type = 99;
	dec_bad(len, NULL, 0, -EBADMSG, "hdr.type");
	h->type = UMN_IOMSG_OPEN_DONE;
	dec_bad(len, NULL, 0, -EBADMSG, "hdr.type");
}

static void test_reject_open(void **state)
{
	struct umn_iomsg_open *o = hdr_field(0);
	char *name = (char *)pkt + sizeof(*o);
	size_t len;
	int fd;

	/* Truncated: shorter than the struct, name_len past the packet. */
	len = open_pkt("UmnicEcho");
	o->h.len = 40;
	dec_bad(40, NULL, 0, -EBADMSG, "open: packet shorter");
	o->h.len = (uint32_t)len - 3;
	dec_bad(len - 3, NULL, 0, -EBADMSG, "open.name_len");
	o->h.len = (uint32_t)len;
	o->name_len = (uint16_t)(len - sizeof(*o) + 5);
	dec_bad(len, NULL, 0, -EBADMSG, "open.name_len");

	/* Unterminated, embedded NUL, bad UTF-8, control characters, empty. */
	len = open_pkt("UmnicEcho");
	name[9] = 'X';
	dec_bad(len, NULL, 0, -EBADMSG, "open.name: not NUL-terminated");
	len = open_pkt("UmnicEcho");
	name[3] = '\0';
	dec_bad(len, NULL, 0, -EBADMSG, "open.name: embedded NUL");
	len = open_pkt("Echo\xc0\xaf");
	dec_bad(len, NULL, 0, -EBADMSG, "open.name: not UTF-8");
	len = open_pkt("Echo\xed\xa0\x80");
	dec_bad(len, NULL, 0, -EBADMSG, "open.name: not UTF-8");
	len = open_pkt("Echo\xe2\x82");
	dec_bad(len, NULL, 0, -EBADMSG, "open.name: not UTF-8");
	len = open_pkt("Echo\n");
	dec_bad(len, NULL, 0, -EBADMSG, "open.name: not UTF-8");
	len = open_pkt("");
	dec_bad(len, NULL, 0, -EBADMSG, "open.name: empty");
	len = open_pkt(NULL);
	dec_bad(len, NULL, 0, -EBADMSG, "open.name: empty");
	len = open_pkt("\\??\\");
	dec_bad(len, NULL, 0, -EBADMSG, "open.name: no symbolic link name");
	len = open_pkt("\\??\\a/b");
	dec_bad(len, NULL, 0, -EBADMSG, "open.name: '/'");

	/* Too long (built by hand: the encoder refuses). */
	open_pkt("x");
	memset(name, 'a', UMN_IOMSG_NAME_MAX);
	name[UMN_IOMSG_NAME_MAX] = '\0';
	o->name_len = UMN_IOMSG_NAME_MAX + 1;
	o->h.len = (uint32_t)(sizeof(*o) + UMN_IOMSG_NAME_MAX + 1);
	dec_bad(o->h.len, NULL, 0, -EBADMSG, "open.name_len: over");

	/* Fields. */
	len = open_pkt("UmnicEcho");
	o->desired_access = 0x4;
	dec_bad(len, NULL, 0, -EBADMSG, "open.desired_access");
	o->desired_access = 0;
	o->share_access = 1;
	dec_bad(len, NULL, 0, -EBADMSG, "open.share_access");
	o->share_access = 0;
	o->flags = 0x10;
	dec_bad(len, NULL, 0, -EBADMSG, "open.flags");
	o->flags = 0;
	o->reserved = 1;
	dec_bad(len, NULL, 0, -EBADMSG, "open.reserved");
	o->reserved = 0;
	o->interface_guid.Data1 = 1;
	dec_bad(len, NULL, 0, -EBADMSG, "open.interface_guid: set");
	o->interface_guid.Data1 = 0;
	o->flags = UMN_IOMSG_OPEN_INTERFACE;
	dec_bad(len, NULL, 0, -EBADMSG, "open.interface_guid: GUID_NULL");
	o->interface_guid.Data1 = 1;
	dec_ok(len, NULL, 0, &(struct umn_iomsg){0});
	len = open_pkt("a\\b");
	o->flags = UMN_IOMSG_OPEN_INTERFACE;
	o->interface_guid.Data1 = 1;
	dec_bad(len, NULL, 0, -EBADMSG, "open.name: path separator");

	/* No fds with an open. */
	len = open_pkt("UmnicEcho");
	fd = memfd(10, 0);
	dec_bad(len, &fd, 1, -EBADF, "fds");
	close(fd);
}

static size_t read_pkt(uint32_t length, int out_fd)
{
	struct umn_iomsg m;

	umn_iomsg_init(&m, UMN_IOMSG_READ, 1);
	m.read.handle = 1;
	m.read.length = length;
	m.read.out_fd = out_fd;
	return enc(&m, NULL, NULL);
}

static void test_reject_read(void **state)
{
	struct umn_iomsg_read *o = hdr_field(0);
	size_t len = read_pkt(10, -1);
	int fd, fd2;

	o->h.len = (uint32_t)len + 4;
	dec_bad(len + 4, NULL, 0, -EBADMSG, "read: packet size");
	o->h.len = (uint32_t)len;
	o->handle = 0;
	dec_bad(len, NULL, 0, -EBADMSG, "read.handle");
	o->handle = 1;
	o->offset = UINT64_MAX;
	dec_bad(len, NULL, 0, -EBADMSG, "read.offset");
	o->offset = 0;
	o->flags = UMN_IOMSG_F_IN_MEMFD;
	dec_bad(len, NULL, 0, -EBADMSG, "read.flags");
	o->flags = 0;
	o->length = UMN_IOMSG_LEN_MAX + 1;
	dec_bad(len, NULL, 0, -EBADMSG, "read.length: over");
	o->length = UMN_IOMSG_INLINE_MAX + 1;
	dec_bad(len, NULL, 0, -EBADMSG, "read.length: over 49152 bytes without");

	/* memfd problems: missing, extra, not a memfd, unsealed, sealed for writing, too small. */
	fd = memfd(1 << 20, OUT_SEALS);
	len = read_pkt(1 << 20, fd);
	dec_bad(len, NULL, 0, -EBADF, "fds: 0 received, the flags announce 1");
	fd2 = memfd(10, 0);
	dec_bad(len, (int[]){fd, fd2}, 2, -EBADF, "fds: 2 received");
	len = read_pkt(10, -1);
	dec_bad(len, &fd, 1, -EBADF, "fds: 1 received, the flags announce 0");
	len = read_pkt(1 << 20, fd);
	dec_bad(len, &fd2, 1, -EBADF, "read.out_fd: not sealed against shrinking");
	close(fd2);
	fd2 = open("/dev/null", O_RDWR | O_CLOEXEC);
	dec_bad(len, &fd2, 1, -EBADF, "read.out_fd: not a memfd");
	close(fd2);
	fd2 = memfd(1 << 20, OUT_SEALS | F_SEAL_WRITE);
	dec_bad(len, &fd2, 1, -EBADF, "read.out_fd: sealed against writing");
	close(fd2);
	fd2 = memfd(1000, OUT_SEALS);
	dec_bad(len, &fd2, 1, -EBADF, "read.out_fd: memfd smaller than read.length");
	close(fd2);
	dec_bad(len, (int[]){-1}, 1, -EBADF, "read.out_fd: not an open descriptor");
	{
		char path[64];
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		fd2 = open(path, O_RDONLY | O_CLOEXEC);
		assert_true(fd2 >= 0);
		dec_bad(len, &fd2, 1, -EBADF, "read.out_fd: not open for reading and writing");
		close(fd2);
	}
	dec_ok(len, &fd, 1, &(struct umn_iomsg){0});
	len = read_pkt(0, fd);
	dec_bad(len, &fd, 1, -EBADMSG, "read.flags: output memfd for an empty buffer");
	close(fd);
}

static size_t write_pkt(uint32_t length, int in_fd)
{
	static uint8_t data[UMN_IOMSG_INLINE_MAX];
	struct umn_iomsg m;

	umn_iomsg_init(&m, UMN_IOMSG_WRITE, 1);
	m.write.handle = 1;
	m.write.length = length;
	m.write.data = in_fd < 0 ? data : NULL;
	m.write.in_fd = in_fd;
	return enc(&m, NULL, NULL);
}

static void test_reject_write(void **state)
{
	struct umn_iomsg_write *o = hdr_field(0);
	size_t len = write_pkt(100, -1);
	int fd;

	/* The claimed length runs past the packet, or falls short of it. */
	o->length = 101;
	dec_bad(len, NULL, 0, -EBADMSG, "write.length: does not match the packet");
	o->length = 99;
	dec_bad(len, NULL, 0, -EBADMSG, "write.length: does not match the packet");
	o->length = 100;
	o->h.len = (uint32_t)len - 1;
	dec_bad(len - 1, NULL, 0, -EBADMSG, "write.length: does not match the packet");
	o->h.len = (uint32_t)len;
	o->handle = 0;
	dec_bad(len, NULL, 0, -EBADMSG, "write.handle");
	o->handle = 1;
	o->flags = 4;
	dec_bad(len, NULL, 0, -EBADMSG, "write.flags");
	o->flags = 0;
	o->offset = (uint64_t)INT64_MAX + 1;
	dec_bad(len, NULL, 0, -EBADMSG, "write.offset");
	o->offset = 0;
	dec_bad(30, NULL, 0, -EBADMSG, "hdr.len");

	fd = memfd(100000, IN_SEALS);
	len = write_pkt(100000, fd);
	dec_ok(len, &fd, 1, &(struct umn_iomsg){0});
	o->length = 100001;
	dec_bad(len, &fd, 1, -EBADF, "write.in_fd: memfd smaller than write.length");
	o->length = 0;
	dec_bad(len, &fd, 1, -EBADMSG, "write.flags: input memfd for an empty buffer");
	o->length = UMN_IOMSG_LEN_MAX + 1;
	dec_bad(len, &fd, 1, -EBADMSG, "write.length: over");
	close(fd);
	fd = memfd(100000, F_SEAL_SHRINK);
	len = write_pkt(100000, fd);
	dec_bad(len, &fd, 1, -EBADF, "write.in_fd: not sealed against writing");
	close(fd);

	/* Inline data with the memfd flag. */
	len = write_pkt(10, -1);
	o->flags = UMN_IOMSG_F_IN_MEMFD;
	fd = memfd(10, IN_SEALS);
	dec_bad(len, &fd, 1, -EBADMSG, "write: inline data with an input memfd");
	close(fd);
	/* Inline beyond the inline limit (the packet is consistent, the length is not allowed). */
	o->flags = 0;
	o->length = UMN_IOMSG_INLINE_MAX + 1;
	dec_bad(len, NULL, 0, -EBADMSG, "write.length: over 49152 bytes inline");
}

static size_t ioctl_pkt(uint32_t code, uint32_t in_len, uint32_t out_len)
{
	static uint8_t data[UMN_IOMSG_INLINE_MAX];
	struct umn_iomsg m;

	umn_iomsg_init(&m, UMN_IOMSG_IOCTL, 1);
	m.ioctl.handle = 1;
	m.ioctl.code = code;
	m.ioctl.in_len = in_len;
	m.ioctl.out_len = out_len;
	m.ioctl.in = in_len ? data : NULL;
	return enc(&m, NULL, NULL);
}

static void test_reject_ioctl(void **state)
{
	struct umn_iomsg_ioctl *o = hdr_field(0);
	size_t len = ioctl_pkt(IOCTL_BUF, 20, 20);
	int fd, fd2;

	dec_bad(40, NULL, 0, -EBADMSG, "hdr.len");
	o->h.len = 40;
	dec_bad(40, NULL, 0, -EBADMSG, "ioctl: packet shorter");
	o->h.len = (uint32_t)len;
	o->in_len = 21;
	dec_bad(len, NULL, 0, -EBADMSG, "ioctl.in_len: does not match");
	o->in_len = 20;
	o->handle = 0;
	dec_bad(len, NULL, 0, -EBADMSG, "ioctl.handle");
	o->handle = 1;
	o->flags = 8;
	dec_bad(len, NULL, 0, -EBADMSG, "ioctl.flags: unknown");
	o->flags = 0;
	o->reserved[0] = 0x1000;
	dec_bad(len, NULL, 0, -EBADMSG, "ioctl.reserved: not 0");
	o->reserved[0] = 0;
	o->reserved[1] = 0x1000;
	dec_bad(len, NULL, 0, -EBADMSG, "ioctl.reserved: not 0");
	o->reserved[1] = 0;
	o->out_len = UMN_IOMSG_INLINE_MAX + 1;
	dec_bad(len, NULL, 0, -EBADMSG, "ioctl.out_len: over 49152 bytes without");
	o->out_len = UMN_IOMSG_LEN_MAX + 1;
	dec_bad(len, NULL, 0, -EBADMSG, "ioctl.out_len: over");
	o->out_len = 0;
	o->in_len = UMN_IOMSG_LEN_MAX + 1;
	dec_bad(len, NULL, 0, -EBADMSG, "ioctl.in_len: over");

	/*
	 * METHOD_NEITHER is checked as any other method; a packet laid out the
	 * way METHOD_NEITHER once travelled (the caller's pointers in the
	 * reserved words, no data) is refused before umnicd could act on it.
	 */
	len = ioctl_pkt(IOCTL_NEITHER, 20, 20);
	dec_ok(len, NULL, 0, &(struct umn_iomsg){0});
	o->in_len = 21;
	dec_bad(len, NULL, 0, -EBADMSG, "ioctl.in_len: does not match");
	len = ioctl_pkt(IOCTL_NEITHER, 0, 0);
	o->in_len = 16;
	o->out_len = 16;
	o->reserved[0] = 0x7f0000001000;
	o->reserved[1] = 0x7f0000002000;
	dec_bad(len, NULL, 0, -EBADMSG, "ioctl.reserved: not 0");
	o->reserved[0] = o->reserved[1] = 0;
	dec_bad(len, NULL, 0, -EBADMSG, "ioctl.in_len: does not match");

	/* memfds in the wrong order: the output one (writable) where the input must be sealed. */
	fd = memfd(100000, IN_SEALS);
	fd2 = memfd(100000, OUT_SEALS);
	len = ioctl_pkt(IOCTL_BUF, 0, 0);
	o->flags = UMN_IOMSG_F_IN_MEMFD | UMN_IOMSG_F_OUT_MEMFD;
	o->in_len = o->out_len = 100000;
	dec_ok(len, (int[]){fd, fd2}, 2, &(struct umn_iomsg){0});
	dec_bad(len, (int[]){fd2, fd}, 2, -EBADF, "ioctl.in_fd: not sealed against writing");
	dec_bad(len, &fd, 1, -EBADF, "fds: 1 received, the flags announce 2");
	o->out_len = 200000;
	dec_bad(len, (int[]){fd, fd2}, 2, -EBADF, "ioctl.out_fd: memfd smaller than ioctl.out_len");
	o->out_len = 0;
	dec_bad(len, (int[]){fd, fd2}, 2, -EBADMSG, "ioctl.flags: output memfd for an empty");
	o->in_len = 0;
	o->out_len = 10;
	dec_bad(len, (int[]){fd, fd2}, 2, -EBADMSG, "ioctl.flags: input memfd for an empty");
	close(fd);
	close(fd2);
}

static void test_reject_cancel_close(void **state)
{
	struct umn_iomsg m;
	size_t len;

	umn_iomsg_init(&m, UMN_IOMSG_CANCEL, 5);
	len = enc(&m, NULL, NULL);
	((struct umn_iomsg_hdr *)pkt)->len = (uint32_t)len + 8;
	dec_bad(len + 8, NULL, 0, -EBADMSG, "cancel: packet size");

	umn_iomsg_init(&m, UMN_IOMSG_CLOSE, 5);
	len = enc(&m, NULL, NULL);
	dec_bad(len, NULL, 0, -EBADMSG, "close.handle");
	((struct umn_iomsg_hdr *)pkt)->len = (uint32_t)len - 8;
	dec_bad(len - 8, NULL, 0, -EBADMSG, "close: packet size");
}

static void test_reject_replies(void **state)
{
	struct umn_iomsg_complete *c = hdr_field(0);
	struct umn_iomsg_open_done *o = hdr_field(0);
	struct umn_iomsg m;
	size_t len;
	int fd;

	umn_iomsg_init(&m, UMN_IOMSG_COMPLETE, 1);
	m.complete.data_len = 16;
	m.complete.data = pkt + 1000;
	len = enc(&m, NULL, NULL);
	c->data_len = 17;
	rep_bad(len, NULL, 0, "complete.data_len: does not match");
	c->data_len = 16;
	c->status = STATUS_PENDING;
	rep_bad(len, NULL, 0, "complete.status");
	c->status = 0;
	c->flags = 4;
	rep_bad(len, NULL, 0, "complete.flags");
	c->flags = UMN_IOMSG_F_OUT_MEMFD;
	rep_bad(len, NULL, 0, "complete: inline data");
	c->flags = 0;
	c->reserved = 1;
	rep_bad(len, NULL, 0, "complete.reserved");
	c->reserved = 0;
	rep_bad(20, NULL, 0, "hdr.len");
	fd = memfd(1, 0);
	rep_bad(len, &fd, 1, "fds");
	close(fd);

	umn_iomsg_init(&m, UMN_IOMSG_OPEN_DONE, 1);
	len = enc(&m, NULL, NULL);
	rep_bad(len, NULL, 0, "open_done.handle: 0 on success");
	o->handle = 1;
	o->granted_access = GENERIC_READ;
	rep_bad(len, NULL, 0, "open_done.granted_access");
	o->granted_access = 0;
	o->status = STATUS_PENDING;
	rep_bad(len, NULL, 0, "open_done.status");
	o->h.req_id = 0;
	rep_bad(len, NULL, 0, "hdr.req_id");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_open_by_name),
	    cmocka_unit_test(test_open_by_interface),
	    cmocka_unit_test(test_read_write_roundtrip),
	    cmocka_unit_test(test_ioctl_roundtrip),
	    cmocka_unit_test(test_cancel_close_roundtrip),
	    cmocka_unit_test(test_replies_roundtrip),
	    cmocka_unit_test(test_encode_limits),
	    cmocka_unit_test(test_reject_header),
	    cmocka_unit_test(test_reject_open),
	    cmocka_unit_test(test_reject_read),
	    cmocka_unit_test(test_reject_write),
	    cmocka_unit_test(test_reject_ioctl),
	    cmocka_unit_test(test_reject_cancel_close),
	    cmocka_unit_test(test_reject_replies),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
