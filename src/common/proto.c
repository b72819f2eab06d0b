/* SPDX-License-Identifier: MIT */
/*
 * The wire helpers every umnic peer uses on its SOCK_SEQPACKET sockets
 * (proto.h): building a message header, sending and receiving one packet
 * with its descriptors, batched receives (recvmmsg) and held sends
 * (sendmmsg), with every received length and descriptor count checked
 * before the message is handed on.
 */
#include "common/proto.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

void umn_msg_init(void *msg, uint32_t type, uint32_t len, uint64_t seq)
{
	struct umn_msg_hdr *h = msg;

	memset(msg, 0, len);
	h->type = type;
	h->len = len;
	h->seq = seq;
}

void umn_strlcpy(char *dst, const char *src, size_t cap)
{
	size_t n = src ? strnlen(src, cap - 1) : 0;

	if (n)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

const char *umn_str_fix(char *dst, size_t cap)
{
	dst[cap - 1] = '\0';
	return dst;
}

void umn_msg_set_fds(struct msghdr *mh, union umn_msg_ctl *ctl, const int *fds, unsigned nfds)
{
	struct cmsghdr *c;

	if (!nfds)
		return;
	memset(ctl, 0, sizeof(*ctl));
	mh->msg_control = ctl->buf;
	mh->msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
	c = CMSG_FIRSTHDR(mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
	memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
}

int umn_msg_send(int sock, const void *msg, size_t len, const int *fds, unsigned nfds)
{
	union umn_msg_ctl ctl;
	struct iovec iov = {.iov_base = (void *)msg, .iov_len = len};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	ssize_t n;

	if (nfds > UMN_MSG_MAX_FDS || len > UMN_MSG_MAX)
		return -EINVAL;
	umn_msg_set_fds(&mh, &ctl, fds, nfds);
	do
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

static void close_fds(int *fds, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

ssize_t umn_msg_recv(int sock, void *buf, size_t cap, int *fds, unsigned *nfds)
{
	return umn_msg_recv_flags(sock, buf, cap, fds, nfds, 0);
}

/*
 * What recvmsg left in mh and n becomes the caller's result: descriptors
 * moved to fds (extras closed), and the packet checked for truncation and
 * for a header that agrees with its length.
 */
static ssize_t recv_finish(struct msghdr *mh, ssize_t n, const void *buf, int *fds, unsigned *nfds)
{
	unsigned got = 0;

	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		unsigned k = (unsigned)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		int tmp[UMN_MSG_MAX_FDS * 2];
		if (k > UMN_MSG_MAX_FDS * 2)
			k = UMN_MSG_MAX_FDS * 2;
		memcpy(tmp, CMSG_DATA(c), k * sizeof(int));
		for (unsigned i = 0; i < k; i++) {
			if (fds && got < UMN_MSG_MAX_FDS)
				fds[got++] = tmp[i];
			else
				close(tmp[i]);
		}
	}
	if (nfds)
		*nfds = got;
	if (n == 0)
		return 0;
	if ((mh->msg_flags & MSG_TRUNC) || (size_t)n < sizeof(struct umn_msg_hdr))
		n = -EMSGSIZE;
	else if (((const struct umn_msg_hdr *)buf)->len != (uint32_t)n)
		n = -EBADMSG;
	else if (mh->msg_flags & MSG_CTRUNC)
		n = -EMFILE; /* the bytes are whole; the kernel dropped descriptors we had no room
				for */
	if (n < 0) {
		if (fds)
			close_fds(fds, got);
		if (nfds)
			*nfds = 0;
	}
	return n;
}

ssize_t umn_msg_recv_flags(int sock, void *buf, size_t cap, int *fds, unsigned *nfds, int flags)
{
	union umn_msg_ctl ctl;
	struct iovec iov = {.iov_base = buf, .iov_len = cap};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = ctl.buf,
			    .msg_controllen = sizeof(ctl.buf)};
	ssize_t n;

	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC | flags);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return recv_finish(&mh, n, buf, fds, nfds);
}

int umn_msg_batch_init(struct umn_msg_batch *b, unsigned max, size_t cap)
{
	memset(b, 0, sizeof(*b));
	if (max == 0 || max > UMN_MSG_BATCH_MAX)
		return -EINVAL;
	b->data = malloc((size_t)max * cap);
	if (!b->data)
		return -ENOMEM;
	b->max = max;
	b->cap = cap;
	return 0;
}

void umn_msg_batch_fini(struct umn_msg_batch *b)
{
	free(b->data);
	b->data = NULL;
	b->max = 0;
}

int umn_msg_recv_batch(int sock, struct umn_msg_batch *b, int flags)
{
	struct mmsghdr mm[UMN_MSG_BATCH_MAX];
	struct iovec iov[UMN_MSG_BATCH_MAX];
	int r;

	b->count = 0;
	for (unsigned i = 0; i < b->max; i++) {
		iov[i] = (struct iovec){.iov_base = b->data + i * b->cap, .iov_len = b->cap};
		mm[i].msg_hdr = (struct msghdr){.msg_iov = &iov[i],
						.msg_iovlen = 1,
						.msg_control = b->ctl[i].buf,
						.msg_controllen = sizeof(b->ctl[i].buf)};
		mm[i].msg_len = 0;
	}
	do
		r = recvmmsg(sock, mm, b->max, MSG_CMSG_CLOEXEC | flags, NULL);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	for (int i = 0; i < r; i++) {
		struct umn_msg_in *m = &b->msg[i];

		m->buf = b->data + (size_t)i * b->cap;
		m->len =
		    recv_finish(&mm[i].msg_hdr, (ssize_t)mm[i].msg_len, m->buf, m->fds, &m->nfds);
		b->count++;
		/* An orderly shutdown ends the batch: what follows it is the same shutdown again.
		 */
		if (m->len == 0)
			break;
	}
	return (int)b->count;
}

/* Room a held message takes: the next one starts 8-byte aligned. */
static size_t hold_size(size_t len)
{
	return (len + 7) & ~(size_t)7;
}

int umn_msg_hold_init(struct umn_msg_hold *h, unsigned max, size_t cap)
{
	memset(h, 0, sizeof(*h));
	if (max == 0 || max > UMN_MSG_HOLD_MAX)
		return -EINVAL;
	h->buf = malloc(cap);
	if (!h->buf)
		return -ENOMEM;
	h->max = max;
	h->cap = cap;
	return 0;
}

void umn_msg_hold_fini(struct umn_msg_hold *h)
{
	free(h->buf);
	h->buf = NULL;
	h->max = h->n = 0;
}

void *umn_msg_hold_reserve(struct umn_msg_hold *h, size_t len)
{
	if (!h->buf || h->n == h->max || h->used + len > h->cap)
		return NULL;
	return h->buf + h->used;
}

void umn_msg_hold_commit(struct umn_msg_hold *h, size_t len, uint64_t tag)
{
	h->len[h->n] = len;
	h->tag[h->n++] = tag;
	h->used += hold_size(len);
}

unsigned umn_msg_hold_send(int sock, struct umn_msg_hold *h, int *err)
{
	struct mmsghdr mm[UMN_MSG_HOLD_MAX];
	struct iovec iov[UMN_MSG_HOLD_MAX];
	unsigned n = h->n, sent = 0;
	size_t off = 0;

	for (unsigned i = 0; i < n; i++) {
		iov[i] = (struct iovec){.iov_base = h->buf + off, .iov_len = h->len[i]};
		mm[i] = (struct mmsghdr){.msg_hdr = {.msg_iov = &iov[i], .msg_iovlen = 1}};
		off += hold_size(h->len[i]);
	}
	while (sent < n) {
		int k = sendmmsg(sock, mm + sent, n - sent, MSG_NOSIGNAL);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			if (err)
				*err = k < 0 ? -errno : -EIO;
			break;
		}
		sent += (unsigned)k;
	}
	h->n = 0;
	h->used = 0;
	return sent;
}
