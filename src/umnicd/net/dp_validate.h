/* SPDX-License-Identifier: MIT */
/*
 * The checks umnicd applies to what a driver hands back on a queue. Pure
 * functions over private copies, so unit tests and the fuzzer drive them
 * without a driver. Indices are free-running 32-bit counters; only their
 * differences matter, so every check holds across wrap-around.
 */
#ifndef UMNIC_UMNICD_DP_VALIDATE_H
#define UMNIC_UMNICD_DP_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <net/ring.h>

struct dp_range {
	uint32_t begin; /* first index the driver owns (umnicd's private copy) */
	uint32_t end;	/* first index umnicd has not posted */
	uint32_t mask;	/* ring size - 1 */
};

static inline uint32_t dp_range_count(const struct dp_range *r)
{
	return r->end - r->begin;
}

/*
 * A driver published new_begin for a ring whose posted range is r: how many
 * elements it returned. -ERANGE if new_begin lies outside [begin, end].
 * The driver publishes masked ring indices, so the distance is taken modulo
 * the ring size; the OS keeps a slot free, so it is never ambiguous.
 */
int dp_returned_count(const struct dp_range *r, uint32_t new_begin_masked, uint32_t *ret_count);

/* One returned RX packet after validation, with its fragments resolved to slots. */
struct dp_rx_frame {
	uint32_t first_frag; /* free-running fragment index */
	uint32_t frag_count;
	uint32_t length; /* sum of ValidLength */
	bool ignore;
};

struct dp_rx_fragment {
	uint32_t offset;
	uint32_t length;
};

#define DP_MAX_FRAGS_PER_PACKET 64
#define DP_ERR_MAX		160

/*
 * Validates one returned RX packet descriptor (already copied out of shared
 * memory) against the fragment range the driver returned:
 *   frags: [frag_cursor, frag_limit) in free-running indices, where
 *   frag_cursor is the first fragment not yet consumed by an earlier packet.
 * Fragment descriptors are fetched through get_frag (one private copy each).
 * On success fills *ret and out[0..FragmentCount) and advances *frag_cursor.
 * On failure writes a sentence naming the rule into err and returns -EPROTO.
 */
typedef void (*dp_get_frag_fn)(void *ctx, uint32_t frag_index, NET_FRAGMENT *ret);
int dp_validate_rx_packet(const NET_PACKET *pkt, uint32_t frag_mask, uint32_t *frag_cursor,
			  uint32_t frag_limit, uint32_t capacity, uint32_t max_frame,
			  dp_get_frag_fn get_frag, void *ctx, struct dp_rx_frame *ret,
			  struct dp_rx_fragment *out, char err[DP_ERR_MAX]);

/* Fills the Layout of a TX packet the way the OS does, from the frame bytes. */
void dp_parse_layout(const uint8_t *frame, uint32_t len, NET_PACKET_LAYOUT *ret);

#endif
