/* SPDX-License-Identifier: MIT */
/*
 * The shared memory of one packet queue, defined once for umnicd and the
 * driver runtime.
 *
 *   [os cell][driver cell][packet NET_RING + elements][fragment NET_RING +
 *   elements][data buffers]
 *
 * Each side writes only its own cell; each cell sits alone on a cache line
 * so the two sides never bounce a line they both write. umnicd never reads
 * the NET_RING headers (the driver owns them), and takes buffer addresses,
 * capacities and the layout from its private copy, never from this memory.
 * Fragment slot i is always backed by data buffer i.
 */
#ifndef UMNIC_COMMON_SHM_H
#define UMNIC_COMMON_SHM_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define UMN_CACHELINE 64

enum umn_queue_kind { UMN_QUEUE_TX = 0, UMN_QUEUE_RX = 1 };

/*
 * The packet and fragment indices of one side travel as one 64-bit word
 * (packet index low, fragment index high), so the reader always sees a pair
 * from the same moment: with two separate words, umnicd could see the
 * fragments of packets whose packet index it has not seen yet, and recycle
 * them from under those packets.
 */
static inline uint64_t umn_idx_pack(uint32_t pkt, uint32_t frag)
{
	return (uint64_t)frag << 32 | pkt;
}

static inline uint32_t umn_idx_pkt(uint64_t v)
{
	return (uint32_t)v;
}

static inline uint32_t umn_idx_frag(uint64_t v)
{
	return (uint32_t)(v >> 32);
}

/* Written by umnicd only. */
struct umn_os_cell {
	_Atomic uint64_t ends;	      /* EndIndex pair, free-running (release) */
	_Atomic uint32_t os_sleeping; /* umnicd sleeps: kick its eventfd after publishing */
	uint32_t reserved;
} __attribute__((aligned(UMN_CACHELINE)));

/* Written by the driver runtime only; umnicd reads it once per pass and validates it. */
struct umn_drv_cell {
	_Atomic uint64_t begins; /* BeginIndex pair as the driver left it, ring indices (release) */
	_Atomic uint32_t drv_sleeping; /* the execution context sleeps: kick its eventfd */
	uint32_t reserved;
	_Atomic uint64_t advance_calls; /* informational only */
} __attribute__((aligned(UMN_CACHELINE)));

_Static_assert(sizeof(struct umn_os_cell) == UMN_CACHELINE, "os cell is one cache line");
_Static_assert(sizeof(struct umn_drv_cell) == UMN_CACHELINE, "driver cell is one cache line");

/*
 * Inline packet extensions every queue carries, at fixed offsets in each
 * packet element (ElementStride includes them): ms_packet_checksum (1 byte),
 * ms_packet_gso (4), ms_packet_rsc (4), ms_packet_ieee8021q (4),
 * ms_packet_hash (8), ms_packet_rsc_timestamp (4). Static asserts in
 * runtime/net/pqueue.c hold these against the extension types.
 */
#define UMN_PKT_EXT_CHECKSUM_OFF      12
#define UMN_PKT_EXT_GSO_OFF	      16
#define UMN_PKT_EXT_RSC_OFF	      20
#define UMN_PKT_EXT_IEEE8021Q_OFF     24
#define UMN_PKT_EXT_HASH_OFF	      28
#define UMN_PKT_EXT_RSC_TIMESTAMP_OFF 36
#define UMN_PKT_STRIDE		      40
/* Fragment extensions: the virtual address of the fragment's buffer. */
#define UMN_FRAG_EXT_VA_OFF 8
#define UMN_FRAG_STRIDE	    16

#define UMN_RING_MIN	 8u
#define UMN_RING_MAX	 8192u
#define UMN_BUF_MIN	 2048u
#define UMN_BUF_MAX	 (64u * 1024u)
#define UMN_BACKFILL_MAX 512u

/*
 * Where everything lives in the region. umnicd computes it and sends it with
 * the queue; both sides then use their own copy.
 */
struct umn_queue_layout {
	uint32_t kind;
	uint32_t queue_id;
	uint32_t pkt_count;  /* power of two */
	uint32_t frag_count; /* power of two; also the number of data buffers */
	uint32_t pkt_stride;
	uint32_t frag_stride;
	uint32_t buf_size; /* capacity of each data buffer */
	uint32_t backfill; /* TX: Offset of payload in each buffer */
	uint64_t os_cell_off;
	uint64_t drv_cell_off;
	uint64_t pkt_ring_off; /* NET_RING header; elements at +64 */
	uint64_t frag_ring_off;
	uint64_t buf_off; /* page aligned */
	uint64_t total_size;
};

static inline uint32_t umn_pow2_clamp(uint32_t v, uint32_t lo, uint32_t hi)
{
	uint32_t p = lo;

	while (p < v && p < hi)
		p <<= 1;
	return p;
}

/* Fills *l for the given sizes (rounded to powers of two and clamped). */
void umn_queue_layout_compute(struct umn_queue_layout *l, enum umn_queue_kind kind,
			      uint32_t queue_id, uint32_t pkt_hint, uint32_t frag_hint,
			      uint32_t buf_size, uint32_t backfill);
/* Sanity check of a layout received from the other side; 0 or -EINVAL. */
int umn_queue_layout_check(const struct umn_queue_layout *l);

static inline void *umn_shm_at(void *base, uint64_t off)
{
	return (char *)base + off;
}

#endif
