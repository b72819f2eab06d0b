/* SPDX-License-Identifier: MIT */
/*
 * Fuzzes what umnicd accepts back from a driver: published indices, RX
 * packet descriptors and fragment descriptors, all taken from the input as a
 * hostile driver would write them, plus the TX layout parser on raw frames.
 */
#include <stdint.h>
#include <string.h>

#include "umnicd/net/dp_validate.h"

struct ctx {
	const uint8_t *data;
	size_t len;
	uint32_t mask;
	uint32_t fetched_outside;
	uint32_t lo, hi;
};

static void get_frag(void *c, uint32_t idx, NET_FRAGMENT *ret)
{
	struct ctx *x = c;
	size_t off = (size_t)(idx & x->mask) * sizeof(*ret);

	/* The validator may only look at fragments the driver returned. */
	if ((uint32_t)(idx - x->lo) >= (uint32_t)(x->hi - x->lo))
		x->fetched_outside++;
	memset(ret, 0, sizeof(*ret));
	if (off + sizeof(*ret) <= x->len)
		memcpy(ret, x->data + off, sizeof(*ret));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dp_rx_fragment out[DP_MAX_FRAGS_PER_PACKET];
	struct dp_rx_frame fr;
	char err[DP_ERR_MAX];
	uint32_t hdr[6];
	NET_PACKET_LAYOUT layout;

	if (size < sizeof(hdr) + 12)
		return 0;
	memcpy(hdr, data, sizeof(hdr));
	data += sizeof(hdr);
	size -= sizeof(hdr);

	uint32_t order = 3 + hdr[0] % 11; /* rings of 8 .. 8192 */
	uint32_t mask = (1u << order) - 1;
	struct dp_range r = { .begin = hdr[1], .end = hdr[1] + hdr[2] % (mask + 1), .mask = mask };
	uint32_t n = 0;

	if (dp_returned_count(&r, hdr[3], &n) == 0 && n > dp_range_count(&r))
		__builtin_trap();

	/* Packets follow, 12 bytes each; fragment descriptors are read from the same bytes. */
	uint32_t cursor = r.begin, limit = r.begin + n;
	struct ctx x = { .data = data, .len = size, .mask = mask, .lo = r.begin, .hi = limit };
	for (size_t off = 0; off + sizeof(NET_PACKET) <= size && off < 64 * sizeof(NET_PACKET);
	     off += sizeof(NET_PACKET)) {
		NET_PACKET p;
		uint32_t before = cursor;

		memcpy(&p, data + off, sizeof(p));
		if (dp_validate_rx_packet(&p, mask, &cursor, limit, 2048, 1514 + hdr[4] % 9000, get_frag, &x,
					  &fr, out, err) == 0) {
			if (fr.ignore)
				continue;
			uint32_t sum = 0;
			for (uint32_t k = 0; k < fr.frag_count; k++) {
				if (out[k].offset + out[k].length > 2048)
					__builtin_trap();
				sum += out[k].length;
			}
			if (sum != fr.length || cursor - before > limit - before)
				__builtin_trap();
		} else if (cursor != before) {
			__builtin_trap();
		}
	}
	if (x.fetched_outside)
		__builtin_trap();
	dp_parse_layout(data, (uint32_t)size, &layout);
	return 0;
}
