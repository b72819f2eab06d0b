/* SPDX-License-Identifier: MIT */
/*
 * Fuzzes umnicd's datapath loop (umnicd/net/datapath.c) against a hostile driver:
 * the input is a script of what the driver writes to the shared queue memory
 * (BeginIndex pairs, RX packet and fragment descriptors, its flags) and of
 * frames arriving on the TAP, with a datapath pass between steps. The queue
 * memory is a heap block of exactly the layout's size, so a read or write
 * outside it is an AddressSanitizer report; after each pass the ranges umnicd
 * keeps must still be inside the rings, the EndIndex pair it published must
 * be the one it keeps, and every frame written to the TAP must be a frame.
 * Frames on the TAP carry a virtio-net header, taken from the input too.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "umnicd/net/datapath.h"

struct input {
	const uint8_t *p;
	size_t n;
};

static uint32_t take(struct input *in, unsigned bytes)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < bytes && in->n; i++, in->p++, in->n--)
		v |= (uint32_t)*in->p << (8 * i);
	return v;
}

static void take_bytes(struct input *in, void *dst, size_t len)
{
	size_t k = len < in->n ? len : in->n;

	memset(dst, 0, len);
	memcpy(dst, in->p, k);
	in->p += k;
	in->n -= k;
}

static int tap[2] = {-1, -1}; /* [0] is the datapath's TAP fd, [1] the kernel's side */
static uint8_t *bounce;	      /* what dp_adapter_start allocates */
static int efd[5];

static void setup_once(void)
{
	if (tap[0] >= 0)
		return;
	/* Datagrams keep frame boundaries both ways, as a TAP fd does. */
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, tap) < 0)
		abort();
	bounce = malloc(DP_GSO_FRAME_MAX);
	if (!bounce)
		abort();
	for (int i = 0; i < 5; i++)
		if ((efd[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0)
			abort();
}

static void drain(int fd)
{
	char b[1];

	while (recv(fd, b, sizeof(b), MSG_TRUNC) >= 0)
		;
}

static struct dp_adapter *under_test;

static uintptr_t rx_lo, rx_hi; /* the RX queue's memory */

/*
 * The datapath hands RX frames to the TAP with writev: the virtio-net header
 * and the checked headers from umnicd's own copies, the rest from the shared
 * buffers. Every piece from the queue memory must lie inside the data buffer
 * of one fragment slot (a piece crossing into the next slot would pass
 * AddressSanitizer, the slots being one block).
 */
ssize_t writev(int fd, const struct iovec *iov, int n)
{
	if (under_test && fd == under_test->qp[0].tap_fd) {
		const struct dp_queue *q = &under_test->qp[0].rx;

		if (n < 1 || n > DP_MAX_FRAGS_PER_PACKET + 2)
			__builtin_trap();
		for (int i = 0; i < n; i++) {
			uintptr_t b = (uintptr_t)iov[i].iov_base;
			uintptr_t s = b - (uintptr_t)q->bufs, slot = s / q->l.buf_size;

			if (b + iov[i].iov_len <= rx_lo || b >= rx_hi)
				continue; /* umnicd's private copy: AddressSanitizer watches those
					   */
			if (b < (uintptr_t)q->bufs || slot >= q->l.frag_count ||
			    (iov[i].iov_len && (s + iov[i].iov_len - 1) / q->l.buf_size != slot))
				__builtin_trap();
		}
	}
	return syscall(SYS_writev, fd, iov, n);
}

/* Queue memory on the heap, exactly as long as the layout uses. */
static void *queue_mem(struct dp_queue *q, const struct umn_queue_layout *l, uint32_t index_base)
{
	size_t used = l->buf_off + (size_t)l->frag_count * l->buf_size;
	void *base;

	if (posix_memalign(&base, UMN_CACHELINE, used))
		abort();
	memset(base, 0, used);
	if (l->kind == UMN_QUEUE_RX) {
		rx_lo = (uintptr_t)base;
		rx_hi = rx_lo + used;
	}
	dp_queue_attach(q, l, base, index_base);
	/* The runtime starts its BeginIndex pair where umnicd's EndIndex pair starts. */
	atomic_store(&q->drv->begins,
		     umn_idx_pack(index_base & q->pkt.mask, index_base & q->frag.mask));
	return base;
}

static void check_queue(const struct dp_queue *q)
{
	/* umnicd never owns more than the ring holds, and publishes exactly what it keeps. */
	if (dp_range_count(&q->pkt) > q->pkt.mask || dp_range_count(&q->frag) > q->frag.mask)
		__builtin_trap();
	if (atomic_load(&q->os->ends) != umn_idx_pack(q->pkt.end, q->frag.end))
		__builtin_trap();
}

/* The driver returns elements: honestly (some of what it owns) or any index at all. */
static void driver_return(struct dp_queue *q, struct input *in)
{
	uint32_t how = take(in, 1), pb, fb;

	if (how & 1) {
		pb = take(in, 2);
		fb = take(in, 2);
	} else {
		pb = (q->pkt.begin + take(in, 1) % (dp_range_count(&q->pkt) + 1)) & q->pkt.mask;
		fb = (q->frag.begin + take(in, 1) % (dp_range_count(&q->frag) + 1)) & q->frag.mask;
	}
	atomic_store(&q->drv->begins, umn_idx_pack(pb, fb));
	atomic_store(&q->drv->drv_sleeping, (how >> 1) & 1);
	atomic_fetch_add(&q->drv->advance_calls, 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = {data, size};
	struct umn_queue_layout tl, rl;
	struct dp_adapter a;
	unsigned char frame[UMN_BUF_MIN + 64];
	void *tmem, *rmem;

	setup_once();
	drain(tap[0]);
	drain(tap[1]);

	/* Small rings, so that the input reaches every slot and both ends of the memory. */
	uint32_t shape = take(&in, 2);
	uint32_t backfill = (shape >> 8) & 0x3f;
	umn_queue_layout_compute(&tl, UMN_QUEUE_TX, 0, 8u << (shape & 1), 8u << ((shape >> 1) & 1),
				 UMN_BUF_MIN, backfill);
	umn_queue_layout_compute(&rl, UMN_QUEUE_RX, 0, 8u << ((shape >> 2) & 1),
				 8u << ((shape >> 3) & 3), UMN_BUF_MIN, 0);
	/* Indices start anywhere, near the wrap at 2^32 included. */
	uint32_t index_base = (shape & 0x80) ? 0u - take(&in, 1) : take(&in, 4);

	memset(&a, 0, sizeof(a));
	a.qp[0].tap_fd = tap[0];
	a.qp[0].os_efd = efd[0];
	a.ctl_efd = efd[1];
	a.fail_efd = efd[2];
	a.max_frame = 64 + take(&in, 2) % (UMN_BUF_MIN - 64 + 1);
	a.index_base = index_base;
	/* Offloads the driver declared, and those in force (any subset, as the stack chooses). */
	a.ocfg.max_frame = a.max_frame;
	a.ocfg.max_frags = 1 + take(&in, 1) % 4;
	a.ocfg.caps.can = take(&in, 2) & UMN_OFL_ALL;
	take_bytes(&in, &a.ocfg.caps.txcsum_l3, 8);
	a.ocfg.caps.gso_max_size = take(&in, 4);
	a.ocfg.caps.gso_min_segs = take(&in, 1);
	a.active = take(&in, 2) & a.ocfg.caps.can;
	a.qp[0].bounce = bounce;
	tmem = queue_mem(&a.qp[0].tx, &tl, index_base);
	rmem = queue_mem(&a.qp[0].rx, &rl, index_base);
	a.qp[0].tx.memfd = a.qp[0].rx.memfd = -1;
	a.qp[0].tx.ec_efd = efd[3];
	a.qp[0].rx.ec_efd = efd[4];
	a.nq = 1;
	a.qp[0].a = &a;
	a.qp[0].ocfg = a.ocfg;
	under_test = &a;
	dp_rx_prime(&a);
	check_queue(&a.qp[0].rx);

	for (unsigned step = 0; step < 256 && in.n && !atomic_load(&a.failed); step++) {
		uint32_t op = take(&in, 1);

		switch (op % 6) {
		case 0: { /* a frame from the stack on the TAP */
			size_t len = take(&in, 2) % sizeof(frame);

			take_bytes(&in, frame, len < 64 ? len : 64);
			(void)!send(tap[1], frame, len, MSG_DONTWAIT);
			break;
		}
		case 1:
			driver_return(&a.qp[0].tx, &in);
			break;
		case 2:
			driver_return(&a.qp[0].rx, &in);
			break;
		case 3: { /* an RX packet descriptor: any bytes, or fields near what is valid */
			uint32_t slot = take(&in, 1) & a.qp[0].rx.pkt.mask;
			NET_PACKET p;

			if (op & 16) {
				take_bytes(&in, &p, sizeof(p));
			} else {
				memset(&p, 0, sizeof(p));
				p.FragmentIndex = take(&in, 1) & a.qp[0].rx.frag.mask;
				p.FragmentCount = (UINT16)(1 + take(&in, 1) % 4);
			}
			memcpy(a.qp[0].rx.pkt_elems + (size_t)slot * a.qp[0].rx.l.pkt_stride, &p, sizeof(p));
			break;
		}
		case 4: { /* a fragment descriptor on either ring: any bytes, or near valid */
			struct dp_queue *q = (op & 8) ? &a.qp[0].tx : &a.qp[0].rx;
			uint32_t slot = take(&in, 1) & q->frag.mask;
			NET_FRAGMENT f;

			if (op & 16) {
				take_bytes(&in, &f, sizeof(f));
			} else {
				memset(&f, 0, sizeof(f));
				f.ValidLength = take(&in, 2) & 0xfff;
				f.Offset = take(&in, 2) & 0x3ff;
				f.Capacity = q->l.buf_size;
			}
			memcpy(q->frag_elems + (size_t)slot * q->l.frag_stride, &f, sizeof(f));
			break;
		}
		default: {
			bool empty, full;
			ssize_t n;

			dp_pass(&a.qp[0], &empty, &full);
			if (atomic_load(&a.failed)) {
				/* A broken rule stops the datapath, with a reason for the log. */
				if (!a.fail_reason[0])
					__builtin_trap();
				break;
			}
			check_queue(&a.qp[0].tx);
			check_queue(&a.qp[0].rx);
			/* What reached the TAP: a virtio-net header, then a whole Ethernet frame.
			 */
			while ((n = recv(tap[1], frame, sizeof(frame), MSG_TRUNC)) >= 0) {
				n -= (ssize_t)sizeof(struct virtio_net_hdr);
				if (n < 14 || (size_t)n > dp_rx_len_limit(&a.ocfg))
					__builtin_trap();
			}
			break;
		}
		}
	}
	under_test = NULL;
	free(tmem);
	free(rmem);
	return 0;
}
