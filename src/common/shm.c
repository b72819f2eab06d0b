/* SPDX-License-Identifier: MIT */
/*
 * Computes where everything of a packet queue's shared memory lies (shm.h):
 * the two cells on their own cache lines, the packet and fragment rings
 * with the stride of their inline extensions, and the data buffers. umnicd
 * and the runtime call the same function, so both sides agree on the layout
 * without sending it.
 */
#include "common/shm.h"

#include <errno.h>

#include <net/ring.h>

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

void umn_queue_layout_compute(struct umn_queue_layout *l, enum umn_queue_kind kind,
			      uint32_t queue_id, uint32_t pkt_hint, uint32_t frag_hint,
			      uint32_t buf_size, uint32_t backfill)
{
	uint64_t off;

	*l = (struct umn_queue_layout){0};
	l->kind = kind;
	l->queue_id = queue_id;
	l->pkt_count = umn_pow2_clamp(pkt_hint ? pkt_hint : 256, UMN_RING_MIN, UMN_RING_MAX);
	l->frag_count =
	    umn_pow2_clamp(frag_hint ? frag_hint : l->pkt_count, UMN_RING_MIN, UMN_RING_MAX);
	if (l->frag_count < l->pkt_count)
		l->frag_count = l->pkt_count;
	l->pkt_stride = UMN_PKT_STRIDE;
	l->frag_stride = UMN_FRAG_STRIDE;
	l->backfill = backfill > UMN_BACKFILL_MAX ? UMN_BACKFILL_MAX : backfill;
	l->buf_size = (uint32_t)align_up(buf_size < UMN_BUF_MIN ? UMN_BUF_MIN : buf_size, 64);
	if (l->buf_size > UMN_BUF_MAX)
		l->buf_size = UMN_BUF_MAX;

	off = 0;
	l->os_cell_off = off;
	off += sizeof(struct umn_os_cell);
	l->drv_cell_off = off;
	off += sizeof(struct umn_drv_cell);
	l->pkt_ring_off = off;
	off =
	    align_up(off + offsetof(NET_RING, Buffer) + (uint64_t)l->pkt_count * l->pkt_stride, 64);
	l->frag_ring_off = off;
	off = align_up(off + offsetof(NET_RING, Buffer) + (uint64_t)l->frag_count * l->frag_stride,
		       4096);
	l->buf_off = off;
	off += (uint64_t)l->frag_count * l->buf_size;
	l->total_size = align_up(off, 4096);
}

int umn_queue_layout_check(const struct umn_queue_layout *l)
{
	struct umn_queue_layout want;

	if (l->kind > UMN_QUEUE_RX)
		return -EINVAL;
	umn_queue_layout_compute(&want, l->kind, l->queue_id, l->pkt_count, l->frag_count,
				 l->buf_size, l->backfill);
	/* Everything derives from the counts and sizes, so a layout is sane iff it recomputes
	 * equal. */
	if (want.pkt_count != l->pkt_count || want.frag_count != l->frag_count ||
	    want.buf_size != l->buf_size || want.backfill != l->backfill ||
	    want.total_size != l->total_size || want.buf_off != l->buf_off ||
	    want.pkt_ring_off != l->pkt_ring_off || want.frag_ring_off != l->frag_ring_off)
		return -EINVAL;
	return 0;
}
