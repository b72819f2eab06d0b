/* SPDX-License-Identifier: MIT */
/*
 * OS side of the NetAdapterCx ring contract, one thread per queue pair.
 *
 * TX: frames read from the TAP fd are written into the buffer of the next
 * free fragment slot and posted by advancing EndIndex. RX: empty buffers are
 * posted up front; what the driver returns is validated from private copies
 * and written to the TAP fd. umnicd publishes its EndIndex in the os cell and
 * reads the driver's BeginIndex from the driver cell, once per pass.
 *
 * Each queue pair has its own TAP queue, rings, eventfds and thread: the
 * kernel picks the TAP queue of each frame it sends (by flow), the driver
 * picks the RX queue of each frame it receives (RSS), and a pair's thread
 * touches no other pair's state.
 */
#include "umnicd/net/datapath.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/cpu.h"
#include "common/efd.h"
#include "common/log.h"

#define DP_BATCH 64
/* RX packets posted at first; more as the driver uses them (dp_queue.post_win). */
#define DP_RX_POST_FIRST 256u

void dp_queue_attach(struct dp_queue *q, const struct umn_queue_layout *l, void *base,
		     uint32_t index_base)
{
	q->l = *l;
	q->base = base;
	q->os = umn_shm_at(base, l->os_cell_off);
	q->drv = umn_shm_at(base, l->drv_cell_off);
	q->pkt_elems =
	    (unsigned char *)umn_shm_at(base, l->pkt_ring_off) + offsetof(NET_RING, Buffer);
	q->frag_elems =
	    (unsigned char *)umn_shm_at(base, l->frag_ring_off) + offsetof(NET_RING, Buffer);
	q->bufs = umn_shm_at(base, l->buf_off);
	q->pkt = (struct dp_range){index_base, index_base, l->pkt_count - 1};
	q->frag = (struct dp_range){index_base, index_base, l->frag_count - 1};
	q->post_win = DP_RX_POST_FIRST < q->pkt.mask ? DP_RX_POST_FIRST : q->pkt.mask;
	q->primed = false;
	atomic_store(&q->os->ends, umn_idx_pack(index_base, index_base));
}

int dp_queue_init(struct dp_queue *q, const struct umn_queue_layout *l, uint32_t index_base)
{
	int fd, r;
	void *base;

	memset(q, 0, sizeof(*q));
	q->memfd = q->ec_efd = -1;
	fd = memfd_create("umnic-queue", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)l->total_size) < 0)
		goto fail_errno;
	/* A driver holding this fd must not shrink it under us (we would fault). */
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0)
		goto fail_errno;
	base = mmap(NULL, l->total_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (base == MAP_FAILED)
		goto fail_errno;
	q->ec_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (q->ec_efd < 0) {
		r = -errno;
		munmap(base, l->total_size);
		close(fd);
		return r;
	}
	q->memfd = fd;
	dp_queue_attach(q, l, base, index_base);
	return 0;

fail_errno:
	r = -errno;
	close(fd);
	return r;
}

void dp_queue_fini(struct dp_queue *q)
{
	if (q->base)
		munmap(q->base, q->l.total_size);
	if (q->memfd >= 0)
		close(q->memfd);
	if (q->ec_efd >= 0)
		close(q->ec_efd);
	q->base = NULL;
	q->memfd = q->ec_efd = -1;
}

/* Publishes the EndIndex pair; a sleeping execution context is woken if wake says so. */
static void publish(struct dp_queue *q, bool wake)
{
	/* Release: pairs with the driver side's acquire of ends in service() (runtime/net/ec.c). */
	atomic_store_explicit(&q->os->ends, umn_idx_pack(q->pkt.end, q->frag.end),
			      memory_order_release);
	/*
	 * Pairs with the driver's fence in arm_for_sleep() (runtime/net/ec.c) between setting
	 * drv_sleeping and rechecking ends: it sees the new ends, or we see it asleep and kick.
	 */
	atomic_thread_fence(memory_order_seq_cst);
	if (wake && atomic_load_explicit(&q->drv->drv_sleeping, memory_order_relaxed)) {
		umn_efd_kick_or_warn(q->ec_efd, "eventfd write");
		atomic_fetch_add_explicit(&q->c.kicks, 1, memory_order_relaxed);
	}
}

/* The first pair to find a broken rule names it; the others stop with it. */
static void dp_fail(struct dp_qpair *p, const char *queue, const char *what)
{
	struct dp_adapter *a = p->a;

	if (atomic_exchange(&a->failing, true))
		return;
	if (a->nq > 1)
		snprintf(a->fail_reason, sizeof(a->fail_reason), "%s queue %u: %s", queue, p->id,
			 what);
	else
		snprintf(a->fail_reason, sizeof(a->fail_reason), "%s queue: %s", queue, what);
	atomic_store(&a->failed, true);
	umn_efd_kick_or_warn(a->fail_efd, "failure eventfd");
}

/* Reads and checks the driver's published BeginIndex pair. */
static int returned(struct dp_qpair *qp, struct dp_queue *q, const char *name, uint32_t *ret_pkts,
		    uint32_t *ret_frags)
{
	/* Acquire: pairs with the driver side's release of begins in service() (runtime/net/ec.c).
	 */
	uint64_t begins = atomic_load_explicit(&q->drv->begins, memory_order_acquire);
	uint32_t pb = umn_idx_pkt(begins), fb = umn_idx_frag(begins);
	char why[DP_ERR_MAX];

	if (dp_returned_count(&q->pkt, pb, ret_pkts) < 0) {
		snprintf(why, sizeof(why),
			 "packet ring BeginIndex %u is outside the posted range [%u, %u)", pb,
			 q->pkt.begin & q->pkt.mask, q->pkt.end & q->pkt.mask);
		dp_fail(qp, name, why);
		return -EPROTO;
	}
	if (dp_returned_count(&q->frag, fb, ret_frags) < 0) {
		snprintf(why, sizeof(why),
			 "fragment ring BeginIndex %u is outside the posted range [%u, %u)", fb,
			 q->frag.begin & q->frag.mask, q->frag.end & q->frag.mask);
		dp_fail(qp, name, why);
		return -EPROTO;
	}
	return 0;
}

static unsigned tx_complete(struct dp_qpair *qp)
{
	struct dp_queue *q = &qp->tx;
	uint32_t np, nf;

	if (returned(qp, q, "TX", &np, &nf) < 0)
		return 0;
	/* The driver may only flip Scratch bits on TX, so nothing is read back. */
	q->pkt.begin += np;
	q->frag.begin += nf;
	return np + nf;
}

/*
 * Writes one packet of nfrags fragments starting at the next free slot, with
 * its extensions. head is the frame's start in the first slot's buffer; with
 * the tag offload in force a tag moves to ms_packet_ieee8021q: the MAC
 * addresses move 4 bytes up over it and the first fragment starts there.
 */
static void tx_post_packet(struct dp_qpair *qp, uint32_t len, uint32_t nfrags, uint8_t *head,
			   const NET_PACKET_CHECKSUM *csum, const NET_PACKET_GSO *gso)
{
	struct dp_queue *q = &qp->tx;
	const uint32_t cap = q->l.buf_size, seg_cap = cap - q->l.backfill;
	uint32_t fslot = q->frag.end & q->frag.mask, left = len, moved = 0;
	unsigned char *pe = q->pkt_elems + (size_t)(q->pkt.end & q->pkt.mask) * q->l.pkt_stride;
	NET_PACKET_IEEE8021Q tag;
	bool tagged = dp_tx_vlan(&qp->ocfg, head, len < seg_cap ? len : seg_cap, &tag);
	NET_PACKET p;

	if (tagged) {
		memmove(head + 4, head, 12);
		moved = 4;
		atomic_fetch_add_explicit(&q->c.tagged, 1, memory_order_relaxed);
	}
	for (uint32_t k = 0; k < nfrags; k++) {
		uint32_t n = left < seg_cap ? left : seg_cap;
		NET_FRAGMENT f = {.ValidLength = n - (k ? 0 : moved),
				  .Capacity = cap,
				  .Offset = q->l.backfill + (k ? 0 : moved)};
		memcpy(q->frag_elems +
			   (size_t)((q->frag.end + k) & q->frag.mask) * q->l.frag_stride,
		       &f, sizeof(f));
		left -= n;
	}
	memset(&p, 0, sizeof(p));
	p.FragmentIndex = fslot;
	p.FragmentCount = (UINT16)nfrags;
	dp_parse_layout(head + moved, (len < seg_cap ? len : seg_cap) - moved, &p.Layout);
	memset(pe, 0, q->l.pkt_stride);
	memcpy(pe, &p, sizeof(p));
	if (csum)
		memcpy(pe + UMN_PKT_EXT_CHECKSUM_OFF, csum, sizeof(*csum));
	if (gso)
		memcpy(pe + UMN_PKT_EXT_GSO_OFF, gso, sizeof(*gso));
	if (tagged)
		memcpy(pe + UMN_PKT_EXT_IEEE8021Q_OFF, &tag, sizeof(tag));
	len -= moved;
	q->pkt.end++;
	q->frag.end += nfrags;
	atomic_fetch_add_explicit(&q->c.packets, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&q->c.bytes, len, memory_order_relaxed);
}

static bool tx_room(const struct dp_queue *q, uint32_t frags)
{
	return dp_range_count(&q->pkt) < q->pkt.mask &&
	       q->frag.mask - dp_range_count(&q->frag) >= frags;
}

/* Cuts the frame in the bounce buffer into segments, one slot each, as far as the ring has room. */
static unsigned tx_sw_segments(struct dp_qpair *qp)
{
	struct dp_queue *q = &qp->tx;
	const struct dp_tx_plan *pl = &qp->sw.plan;
	unsigned n = 0;

	while (qp->sw.next < qp->sw.nsegs && tx_room(q, 1)) {
		uint32_t fslot = q->frag.end & q->frag.mask;
		uint8_t *buf = q->bufs + (size_t)fslot * q->l.buf_size + q->l.backfill;
		uint32_t len =
		    seg_build(qp->bounce, qp->sw.len, &pl->si, pl->mss, qp->sw.next, buf);

		tx_post_packet(qp, len, 1, buf, NULL, NULL);
		qp->sw.next++;
		n++;
	}
	atomic_fetch_add_explicit(&q->c.sw_segments, n, memory_order_relaxed);
	if (qp->sw.next >= qp->sw.nsegs)
		qp->sw.on = false;
	return n;
}

/*
 * Reads frames from the TAP straight into the buffers of the next free
 * fragment slots (a GSO frame spans several), then posts each as the plan
 * says: as is, with the extensions asking the driver to checksum or segment,
 * or after umnicd did that work itself.
 */
static unsigned tx_post(struct dp_qpair *qp, bool *ret_tap_empty, bool *ret_full)
{
	struct dp_queue *q = &qp->tx;
	const uint32_t cap = q->l.buf_size, seg_cap = cap - q->l.backfill;
	const uint32_t span = (DP_GSO_FRAME_MAX + seg_cap - 1) / seg_cap;
	struct iovec iov[1 + DP_MAX_FRAGS_PER_PACKET];
	unsigned n = 0;

	*ret_tap_empty = *ret_full = false;
	/*
	 * Acquire: pairs with the control thread's releases of active in adapter_sync_offload()
	 * and on_offload_done() (dev/netif.c).
	 */
	qp->ocfg.active = atomic_load_explicit(&qp->a->active, memory_order_acquire);
	while (n < DP_BATCH) {
		struct virtio_net_hdr vh;
		struct dp_tx_plan plan;
		uint32_t fslot, len, nfrags;
		uint8_t *head;
		ssize_t r;

		if (qp->sw.on) {
			n += tx_sw_segments(qp);
			if (qp->sw.on) {
				*ret_full = true;
				break;
			}
			continue;
		}
		if (!tx_room(q, span)) {
			*ret_full = true;
			break;
		}
		fslot = q->frag.end & q->frag.mask;
		iov[0].iov_base = &vh;
		iov[0].iov_len = sizeof(vh);
		for (uint32_t k = 0; k < span; k++) {
			uint32_t slot = (q->frag.end + k) & q->frag.mask;
			iov[1 + k].iov_base = q->bufs + (size_t)slot * cap + q->l.backfill;
			iov[1 + k].iov_len = seg_cap;
		}
		r = readv(qp->tap_fd, iov, (int)(1 + span));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			*ret_tap_empty = true;
			break;
		}
		if ((size_t)r <= sizeof(vh)) {
			atomic_fetch_add_explicit(&q->c.drops, 1, memory_order_relaxed);
			continue;
		}
		len = (uint32_t)((size_t)r - sizeof(vh));
		nfrags = (len + seg_cap - 1) / seg_cap;
		head = q->bufs + (size_t)fslot * cap + q->l.backfill;
		dp_tx_plan(&qp->ocfg, &vh, head, seg_cap, len, nfrags, &plan);
		switch (plan.action) {
		case DP_TX_DROP:
			atomic_fetch_add_explicit(&q->c.drops, 1, memory_order_relaxed);
			continue;
		case DP_TX_SW_SEGMENT:
			/* The slots it was read into take the segments: keep the frame aside first.
			 */
			for (uint32_t k = 0, off = 0; k < nfrags; k++) {
				uint32_t m = len - off < seg_cap ? len - off : seg_cap;
				/* readv filled at most span pieces: nfrags <= span, iov[1 + k] is
				 * set. */
				// NOLINTNEXTLINE(clang-analyzer-core.CallAndMessage)
				memcpy(qp->bounce + off, iov[1 + k].iov_base, m);
				off += m;
			}
			qp->sw.on = true;
			qp->sw.len = len;
			qp->sw.next = 0;
			qp->sw.plan = plan;
			qp->sw.nsegs = seg_count(plan.si.end, &plan.si, plan.mss);
			continue;
		case DP_TX_SW_CSUM:
			/* At most MaximumFrameSize, so one fragment holds it. */
			seg_checksum(head, len, &plan.si);
			atomic_fetch_add_explicit(&q->c.sw_checksums, 1, memory_order_relaxed);
			tx_post_packet(qp, len, 1, head, NULL, NULL);
			break;
		case DP_TX_PLAIN:
			tx_post_packet(qp, len, nfrags, head, NULL, NULL);
			break;
		case DP_TX_DRIVER:
			if (plan.mss)
				atomic_fetch_add_explicit(&q->c.offloaded, 1, memory_order_relaxed);
			tx_post_packet(qp, len, nfrags, head, &plan.csum,
				       plan.mss ? &plan.gso : NULL);
			break;
		}
		n++;
	}
	if (n)
		publish(q, true);
	return n;
}

struct rx_frag_ctx {
	struct dp_queue *q;
};

static void rx_get_frag(void *ctx, uint32_t idx, NET_FRAGMENT *ret)
{
	struct dp_queue *q = ctx;

	memcpy(ret, q->frag_elems + (size_t)(idx & q->frag.mask) * q->l.frag_stride, sizeof(*ret));
}

/* Copies the first len bytes of a validated frame out of shared memory. */
static void rx_copy_head(struct dp_queue *q, const struct dp_rx_frame *fr,
			 const struct dp_rx_fragment *frags, uint8_t *dst, uint32_t len)
{
	for (uint32_t k = 0, off = 0; k < fr->frag_count && off < len; k++) {
		uint32_t slot = (fr->first_frag + k) & q->frag.mask;
		uint32_t m = frags[k].length < len - off ? frags[k].length : len - off;
		memcpy(dst + off, q->bufs + (size_t)slot * q->l.buf_size + frags[k].offset, m);
		off += m;
	}
}

void dp_rx_grace(struct dp_adapter *a, uint32_t stopped)
{
	/*
	 * Release: pairs with the acquire of rx_grace in rx_harvest(): a thread that sees the
	 * grace also sees the active its caller, on_offload_done() (dev/netif.c), stored before.
	 */
	for (uint32_t i = 0; i < a->nq; i++)
		atomic_fetch_or_explicit(&a->qp[i].rx_grace, stopped, memory_order_release);
}

static unsigned rx_harvest(struct dp_qpair *qp)
{
	struct dp_queue *q = &qp->rx;
	struct dp_rx_fragment frags[DP_MAX_FRAGS_PER_PACKET];
	struct iovec iov[2 + DP_MAX_FRAGS_PER_PACKET];
	uint8_t head[DP_RX_HEAD_MAX + 4];
	uint32_t np, nf, cursor, limit, len_limit;
	char why[DP_ERR_MAX];
	/*
	 * Taken before the BeginIndex is read: everything the driver returned before it
	 * answered is in this harvest, judged by the offloads it had until then. Acquire: pairs
	 * with the release in dp_rx_grace().
	 */
	uint32_t grace = atomic_load_explicit(&qp->rx_grace, memory_order_acquire);

	if (returned(qp, q, "RX", &np, &nf) < 0)
		return 0;
	if (!np && !nf)
		return 0;
	if (grace)
		atomic_fetch_and_explicit(&qp->rx_grace, ~grace, memory_order_relaxed);
	/*
	 * Acquire: pairs with the control thread's releases of active in adapter_sync_offload()
	 * and on_offload_done() (dev/netif.c).
	 */
	qp->ocfg.active = atomic_load_explicit(&qp->a->active, memory_order_acquire) | grace;
	len_limit = dp_rx_len_limit(&qp->ocfg);
	cursor = q->frag.begin;
	limit = q->frag.begin + nf;
	for (uint32_t i = 0; i < np; i++) {
		unsigned char el[UMN_PKT_STRIDE];
		struct virtio_net_hdr vh;
		struct dp_rx_ext ext;
		NET_PACKET p;
		struct dp_rx_frame fr;
		uint32_t hl, skip, len;
		uint16_t tci;
		int nio = 0;

		/* One copy of the element, extensions included; everything below looks only at it.
		 */
		memcpy(el,
		       q->pkt_elems + (size_t)((q->pkt.begin + i) & q->pkt.mask) * q->l.pkt_stride,
		       sizeof(el));
		memcpy(&p, el, sizeof(p));
		memcpy(&ext.csum, el + UMN_PKT_EXT_CHECKSUM_OFF, sizeof(ext.csum));
		memcpy(&ext.rsc, el + UMN_PKT_EXT_RSC_OFF, sizeof(ext.rsc));
		memcpy(&ext.vlan, el + UMN_PKT_EXT_IEEE8021Q_OFF, sizeof(ext.vlan));
		memcpy(&ext.hash, el + UMN_PKT_EXT_HASH_OFF, sizeof(ext.hash));
		ext.inserted = 0;
		if (dp_validate_rx_packet(&p, q->frag.mask, &cursor, limit, q->l.buf_size,
					  len_limit, rx_get_frag, q, &fr, frags, why) < 0)
			goto refuse;
		if (fr.ignore)
			continue;
		if (fr.length < UMN_ETH_HLEN) {
			atomic_fetch_add_explicit(&q->c.drops, 1, memory_order_relaxed);
			continue;
		}
		/*
		 * The kernel gets the headers from umnicd's copy, the one it checked: the driver
		 * may still write the shared buffer, but only the payload comes from there.
		 */
		if (dp_rx_meta(&qp->ocfg, &ext, &tci, why) < 0)
			goto refuse;
		hl = fr.length < DP_RX_HEAD_MAX ? fr.length : DP_RX_HEAD_MAX;
		rx_copy_head(q, &fr, frags, head, hl);
		skip = hl;
		if (tci) {
			/* The tag the driver took off goes back between the MAC addresses and the
			 * type. */
			// cppcheck-suppress invalidFunctionArg ; hl >= 14: shorter frames were dropped above
			memmove(head + 16, head + 12, hl - 12);
			head[12] = 0x81;
			head[13] = 0x00;
			head[14] = (uint8_t)(tci >> 8);
			head[15] = (uint8_t)tci;
			hl += 4;
			ext.inserted = 4;
			atomic_fetch_add_explicit(&q->c.tagged, 1, memory_order_relaxed);
		}
		len = fr.length + ext.inserted;
		if (ext.hash.ProtocolType)
			atomic_fetch_add_explicit(&q->c.hashed, 1, memory_order_relaxed);
		if (dp_rx_vnet(&qp->ocfg, &ext, head, hl, len, &vh, why) < 0)
			goto refuse;
		if (vh.gso_type != VIRTIO_NET_HDR_GSO_NONE)
			atomic_fetch_add_explicit(&q->c.offloaded, 1, memory_order_relaxed);
		iov[nio++] = (struct iovec){&vh, sizeof(vh)};
		iov[nio++] = (struct iovec){head, hl};
		for (uint32_t k = 0; k < fr.frag_count; k++) {
			uint32_t slot = (fr.first_frag + k) & q->frag.mask;
			uint32_t off = frags[k].offset, flen = frags[k].length;
			if (skip >= flen) {
				skip -= flen;
				continue;
			}
			iov[nio].iov_base = q->bufs + (size_t)slot * q->l.buf_size + off + skip;
			iov[nio].iov_len = flen - skip;
			skip = 0;
			nio++;
		}
		if (writev(qp->tap_fd, iov, nio) < 0) {
			atomic_fetch_add_explicit(&q->c.drops, 1, memory_order_relaxed);
			continue;
		}
		atomic_fetch_add_explicit(&q->c.packets, 1, memory_order_relaxed);
		atomic_fetch_add_explicit(&q->c.bytes, len, memory_order_relaxed);
		continue;
	refuse : {
		char full[DP_ERR_MAX + 96];
		snprintf(full, sizeof(full), "%s (packet %u of %u returned, %u fragments returned)",
			 why, i + 1, np, nf);
		dp_fail(qp, "RX", full);
		return 0;
	}
	}
	q->pkt.begin += np;
	q->frag.begin += nf;
	return np + nf;
}

/* Fragments posted with a window of win packets: in the ring's proportion, one each at least. */
static uint32_t rx_frag_win(const struct dp_queue *q, uint32_t win)
{
	uint32_t f = (uint32_t)(((uint64_t)win * (q->frag.mask + 1)) / (q->pkt.mask + 1));

	return f > q->frag.mask ? q->frag.mask : f;
}

static unsigned rx_post(struct dp_qpair *qp)
{
	struct dp_queue *q = &qp->rx;
	/*
	 * Buffers are worth a wake-up only to a driver that is running short:
	 * one that still holds half of what it is given takes the new ones at
	 * its next turn, which a received frame or the OS's next post brings.
	 * Short means short of packets or of fragments: a coalesced frame takes
	 * a packet and up to 43 fragments, and a driver left with plenty of
	 * packets but too few fragments for the frame it has waits for this
	 * post, with nothing else to wake it once its wire is full.
	 */
	const bool short_of_buffers = dp_range_count(&q->pkt) <= q->post_win / 2 ||
				      dp_range_count(&q->frag) <= rx_frag_win(q, q->post_win) / 2;
	const NET_FRAGMENT empty = {.ValidLength = 0, .Capacity = q->l.buf_size, .Offset = 0};
	uint32_t frag_win;
	unsigned n = 0;

	/* It used more than half since the last post: a burst; give it twice as many. */
	if (short_of_buffers && q->primed && q->post_win < q->pkt.mask)
		q->post_win = q->post_win * 2 < q->pkt.mask ? q->post_win * 2 : q->pkt.mask;
	frag_win = rx_frag_win(q, q->post_win);
	while (dp_range_count(&q->frag) < frag_win) {
		unsigned char *fe =
		    q->frag_elems + (size_t)(q->frag.end & q->frag.mask) * q->l.frag_stride;
		memcpy(fe, &empty, sizeof(empty));
		q->frag.end++;
		n++;
	}
	while (dp_range_count(&q->pkt) < q->post_win) {
		memset(q->pkt_elems + (size_t)(q->pkt.end & q->pkt.mask) * q->l.pkt_stride, 0,
		       q->l.pkt_stride);
		q->pkt.end++;
		n++;
	}
	q->primed = true;
	if (n)
		publish(q, short_of_buffers);
	return n;
}

void dp_rx_prime(struct dp_adapter *a)
{
	for (uint32_t i = 0; i < a->nq; i++)
		rx_post(&a->qp[i]);
}

void dp_counters_sum(const struct dp_adapter *a, bool tx, struct dp_counters *ret)
{
	memset(ret, 0, sizeof(*ret));
	for (uint32_t i = 0; i < a->nq; i++) {
		const struct dp_counters *c = tx ? &a->qp[i].tx.c : &a->qp[i].rx.c;
#define SUM(f)                                                                                     \
	atomic_store_explicit(&ret->f,                                                             \
			      atomic_load_explicit(&ret->f, memory_order_relaxed) +                \
				  atomic_load_explicit(&c->f, memory_order_relaxed),               \
			      memory_order_relaxed)
		SUM(packets);
		SUM(bytes);
		SUM(drops);
		SUM(kicks);
		SUM(wakeups);
		SUM(advance_calls);
		SUM(offloaded);
		SUM(sw_segments);
		SUM(sw_checksums);
		SUM(hashed);
		SUM(tagged);
#undef SUM
	}
}

static bool driver_moved(struct dp_queue *q)
{
	return atomic_load_explicit(&q->drv->begins, memory_order_relaxed) !=
	       umn_idx_pack(q->pkt.begin & q->pkt.mask, q->frag.begin & q->frag.mask);
}

/*
 * Whether TX completions are worth a wake-up: only while they are needed
 * to go on, when the TX ring is full or half taken. Otherwise the buffers
 * the driver returns are taken back at the next pass a frame from the TAP
 * or an RX packet brings anyway (a frame is out of the kernel's accounting
 * once umnicd has read it, so a late completion holds nobody up).
 */
static bool tx_completions_wanted(const struct dp_qpair *qp, bool tx_full)
{
	return tx_full || dp_range_count(&qp->tx.pkt) > qp->tx.pkt.mask / 2 ||
	       dp_range_count(&qp->tx.frag) > qp->tx.frag.mask / 2;
}

static void set_sleeping(struct dp_qpair *qp, uint32_t tx, uint32_t rx)
{
	atomic_store_explicit(&qp->tx.os->os_sleeping, tx, memory_order_relaxed);
	atomic_store_explicit(&qp->rx.os->os_sleeping, rx, memory_order_relaxed);
}

/*
 * The control thread's view of one queue's execution context; wd_* are
 * touched by the control thread only.
 */
static bool queue_hung(struct dp_queue *q, uint64_t now_ns)
{
	uint64_t adv = atomic_load_explicit(&q->drv->advance_calls, memory_order_relaxed);

	if (adv != q->wd_advance ||
	    atomic_load_explicit(&q->drv->drv_sleeping, memory_order_relaxed)) {
		q->wd_advance = adv;
		q->wd_progress_ns = now_ns;
		return false;
	}
	return now_ns > q->wd_progress_ns + DP_WATCHDOG_NS;
}

bool dp_watchdog(struct dp_adapter *a, uint64_t now_ns, char *why, size_t cap)
{
	for (uint32_t i = 0; i < a->nq; i++) {
		struct dp_qpair *qp = &a->qp[i];

		if (!qp->running)
			continue;
		if (queue_hung(&qp->tx, now_ns) || queue_hung(&qp->rx, now_ns)) {
			snprintf(why, cap,
				 "watchdog: the execution context of queue %u made no progress for "
				 "%llu ms",
				 i, (unsigned long long)(DP_WATCHDOG_NS / 1000000));
			return true;
		}
	}
	return false;
}

unsigned dp_pass(struct dp_qpair *qp, bool *ret_tap_empty, bool *ret_tx_full)
{
	struct dp_adapter *a = qp->a;
	unsigned work = 0, frames, n;

	work += tx_complete(qp);
	frames = rx_harvest(qp);
	work += frames;
	work += rx_post(qp);
	n = tx_post(qp, ret_tap_empty, ret_tx_full);
	work += n;
	if ((frames || n) && !atomic_load_explicit(&a->first_frame_ns, memory_order_relaxed))
		atomic_store(&a->first_frame_ns, umn_mono_ns());
	atomic_store_explicit(
	    &qp->tx.c.advance_calls,
	    atomic_load_explicit(&qp->tx.drv->advance_calls, memory_order_relaxed),
	    memory_order_relaxed);
	atomic_store_explicit(
	    &qp->rx.c.advance_calls,
	    atomic_load_explicit(&qp->rx.drv->advance_calls, memory_order_relaxed),
	    memory_order_relaxed);
	return work;
}

static void *dp_thread(void *arg)
{
	struct dp_qpair *qp = arg;
	struct dp_adapter *a = qp->a;
	bool tx_full = false;
	char name[16];
	int e;

	/* "umnicd-dp" and the queue id: what top -H and the tests see. */
	snprintf(name, sizeof(name), "umnicd-dp%u", qp->id);
	pthread_setname_np(pthread_self(), name);
	e = umn_pin_self(qp->cpu_plus1);
	if (e < 0)
		umn_log(UMN_LOG_WARN, "queue %u: cannot run on CPU %u: %s", qp->id,
			qp->cpu_plus1 - 1, strerror(-e));

	while (!atomic_load(&a->stop) && !atomic_load(&a->failed)) {
		bool empty;
		unsigned work = dp_pass(qp, &empty, &tx_full);

		if (atomic_load(&a->failed))
			break;
		if (work)
			continue;

		bool want_tx = tx_completions_wanted(qp, tx_full);

		set_sleeping(qp, want_tx, 1);
		/*
		 * Pairs with the driver's fence in service() (runtime/net/ec.c) between publishing
		 * begins and reading os_sleeping: we see what it returned, or it sees us asleep
		 * and kicks os_efd.
		 */
		atomic_thread_fence(memory_order_seq_cst);
		if ((want_tx && driver_moved(&qp->tx)) || driver_moved(&qp->rx)) {
			set_sleeping(qp, 0, 0);
			continue;
		}
		struct pollfd pfd[3] = {
		    {.fd = qp->os_efd, .events = POLLIN},
		    {.fd = a->ctl_efd, .events = POLLIN},
		    {.fd = tx_full ? -1 : qp->tap_fd, .events = POLLIN},
		};
		if (poll(pfd, 3, -1) < 0 && errno != EINTR)
			umn_log(UMN_LOG_WARN, "datapath poll: %m");
		set_sleeping(qp, 0, 0);
		if ((pfd[0].revents & POLLIN) && umn_efd_drain(qp->os_efd))
			atomic_fetch_add_explicit(&qp->rx.c.wakeups, 1, memory_order_relaxed);
	}
	return NULL;
}

static void stop_threads(struct dp_adapter *a)
{
	bool any = false;

	for (uint32_t i = 0; i < a->nq; i++)
		any |= a->qp[i].running;
	atomic_store(&a->stop, true);
	/* Nobody reads ctl_efd: once written it stays readable and wakes every pair's thread. */
	if (any)
		umn_efd_kick_or_warn(a->ctl_efd, "datapath stop");
	for (uint32_t i = 0; i < a->nq; i++) {
		struct dp_qpair *qp = &a->qp[i];

		if (qp->running)
			pthread_join(qp->thread, NULL);
		qp->running = false;
		free(qp->bounce);
		qp->bounce = NULL;
	}
}

int dp_adapter_start(struct dp_adapter *a)
{
	uint64_t now = umn_mono_ns();
	int r;

	atomic_store(&a->stop, false);
	for (uint32_t i = 0; i < a->nq; i++) {
		struct dp_qpair *qp = &a->qp[i];

		qp->a = a;
		qp->id = i;
		qp->ocfg = a->ocfg;
		qp->sw.on = false;
		qp->tx.wd_progress_ns = qp->rx.wd_progress_ns = now;
		if (!qp->bounce)
			qp->bounce = malloc(DP_GSO_FRAME_MAX);
		if (!qp->bounce) {
			stop_threads(a);
			return -ENOMEM;
		}
		r = pthread_create(&qp->thread, NULL, dp_thread, qp);
		if (r) {
			stop_threads(a);
			return -r;
		}
		qp->running = true;
	}
	return 0;
}

void dp_adapter_stop(struct dp_adapter *a)
{
	stop_threads(a);
}
