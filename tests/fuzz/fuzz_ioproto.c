/* SPDX-License-Identifier: MIT */
/*
 * Fuzzes umnicd's decoder of client I/O messages (and the client's decoder
 * of umnicd's replies) with hostile packets and hostile memfds.
 *
 * Input: [0] selects the decoder (bit 0) and how many memfds come with the
 * packet (bits 1-2); per memfd a 4-byte size (capped at 1 MiB) and a seal
 * byte; the rest is the packet. Every accepted message is re-encoded and
 * must decode to the same thing.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/ioproto.h"

static uint8_t buf[UMN_IOMSG_MAX + 1], again[UMN_IOMSG_MAX + 1];

static int make_memfd(uint32_t size, uint8_t seals)
{
	int fd = memfd_create("fuzz", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	if (fd < 0)
		return -1;
	if (ftruncate(fd, size % (1u << 20)) < 0 ||
	    fcntl(fd, F_ADD_SEALS, seals & (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void same(const struct umn_iomsg *a, const struct umn_iomsg *b)
{
	if (a->type != b->type || a->req_id != b->req_id)
		abort();
	switch (a->type) {
	case UMN_IOMSG_OPEN:
		if (strcmp(a->open.link, b->open.link) ||
		    strcmp(a->open.file_name, b->open.file_name) ||
		    a->open.access != b->open.access)
			abort();
		break;
	case UMN_IOMSG_WRITE:
		if (a->write.length != b->write.length ||
		    (a->write.data && memcmp(a->write.data, b->write.data, a->write.length)))
			abort();
		break;
	case UMN_IOMSG_IOCTL:
		if (a->ioctl.code != b->ioctl.code || a->ioctl.in_len != b->ioctl.in_len ||
		    a->ioctl.out_len != b->ioctl.out_len ||
		    (a->ioctl.in && memcmp(a->ioctl.in, b->ioctl.in, a->ioctl.in_len)))
			abort();
		break;
	case UMN_IOMSG_COMPLETE:
		if (a->complete.data_len != b->complete.data_len ||
		    a->complete.information != b->complete.information)
			abort();
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char reason[UMN_IOMSG_REASON_MAX];
	struct umn_iomsg m, m2;
	int fds[4], efds[UMN_IOMSG_MAX_FDS];
	unsigned nfds, enfds;
	bool reply;
	ssize_t n;
	int r;

	if (size < 1)
		return 0;
	reply = data[0] & 1;
	nfds = (data[0] >> 1) & 3;
	data++;
	size--;
	if (size < nfds * 5u)
		return 0;
	for (unsigned i = 0; i < nfds; i++) {
		uint32_t sz;
		memcpy(&sz, data, 4);
		fds[i] = make_memfd(sz, data[4]);
		data += 5;
		size -= 5;
	}
	if (size > UMN_IOMSG_MAX + 1)
		size = UMN_IOMSG_MAX + 1;
	/* The decoder gets a private copy, as umnicd gives it. */
	memcpy(buf, data, size);
	if (reply)
		r = umn_iomsg_decode_reply(buf, size, fds, nfds, &m, reason);
	else
		r = umn_iomsg_decode_request(buf, size, fds, nfds, &m, reason);
	if (r < 0 && (!reason[0] || strlen(reason) >= UMN_IOMSG_REASON_MAX))
		abort();
	if (r == 0) {
		n = umn_iomsg_encode(&m, again, sizeof(again), efds, &enfds);
		if (n < 0 || enfds != nfds)
			abort();
		if (reply)
			r = umn_iomsg_decode_reply(again, (size_t)n, efds, enfds, &m2, reason);
		else
			r = umn_iomsg_decode_request(again, (size_t)n, efds, enfds, &m2, reason);
		if (r < 0)
			abort();
		same(&m, &m2);
	}
	for (unsigned i = 0; i < nfds; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return 0;
}
