/* SPDX-License-Identifier: MIT */
/*
 * The pure checks of dp_validate.h over what a driver returns on its rings:
 * indices inside the range umnicd posted, fragments inside the returned
 * range, lengths inside the buffer umnicd recorded. Each failure names the
 * rule, and the datapath stops the queue on the first one.
 */
#include "umnicd/net/dp_validate.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/segment.h"

int dp_returned_count(const struct dp_range *r, uint32_t new_begin_masked, uint32_t *ret_count)
{
	uint32_t owned = dp_range_count(r);
	uint32_t n;

	if (new_begin_masked > r->mask)
		return -ERANGE;
	n = (new_begin_masked - r->begin) & r->mask;
	if (n > owned)
		return -ERANGE;
	*ret_count = n;
	return 0;
}

int dp_validate_rx_packet(const NET_PACKET *pkt, uint32_t frag_mask, uint32_t *frag_cursor,
			  uint32_t frag_limit, uint32_t capacity, uint32_t max_frame,
			  dp_get_frag_fn get_frag, void *ctx, struct dp_rx_frame *ret,
			  struct dp_rx_fragment *out, char err[DP_ERR_MAX])
{
	uint32_t avail = frag_limit - *frag_cursor;
	uint32_t skip, first, count, total = 0;

	*ret = (struct dp_rx_frame){0};
	if (pkt->Ignore) {
		/* An ignored packet carries no data; its fragment fields mean nothing. */
		ret->ignore = true;
		return 0;
	}
	count = pkt->FragmentCount;
	if (count == 0) {
		snprintf(
		    err, DP_ERR_MAX,
		    "packet has FragmentCount 0 (a received packet needs at least one fragment)");
		return -EPROTO;
	}
	if (count > DP_MAX_FRAGS_PER_PACKET) {
		snprintf(err, DP_ERR_MAX, "packet has FragmentCount %u (at most %u)", count,
			 (unsigned)DP_MAX_FRAGS_PER_PACKET);
		return -EPROTO;
	}
	if (pkt->FragmentIndex > frag_mask) {
		snprintf(err, DP_ERR_MAX,
			 "packet FragmentIndex %u is beyond the fragment ring (%u elements)",
			 pkt->FragmentIndex, frag_mask + 1);
		return -EPROTO;
	}
	/* Fragments are returned in order: the packet's run starts at or after the cursor. */
	skip = (pkt->FragmentIndex - *frag_cursor) & frag_mask;
	if (skip >= avail || count > avail - skip) {
		snprintf(err, DP_ERR_MAX,
			 "packet fragments [%u, +%u) lie outside the returned fragments not yet "
			 "used [%u, +%u)",
			 pkt->FragmentIndex, count, *frag_cursor & frag_mask, avail);
		return -EPROTO;
	}
	first = *frag_cursor + skip;
	for (uint32_t i = 0; i < count; i++) {
		NET_FRAGMENT f;
		uint32_t off, len, cap;

		get_frag(ctx, first + i, &f);
		off = (uint32_t)f.Offset;
		len = (uint32_t)f.ValidLength;
		cap = (uint32_t)f.Capacity;
		if (cap != capacity) {
			snprintf(err, DP_ERR_MAX, "fragment %u Capacity changed from %u to %u",
				 (first + i) & frag_mask, capacity, cap);
			return -EPROTO;
		}
		if ((uint64_t)off + len > capacity) {
			snprintf(err, DP_ERR_MAX,
				 "fragment %u Offset %u + ValidLength %u exceeds Capacity %u",
				 (first + i) & frag_mask, off, len, capacity);
			return -EPROTO;
		}
		out[i].offset = off;
		out[i].length = len;
		total += len;
	}
	if (total > max_frame) {
		snprintf(err, DP_ERR_MAX, "packet of %u bytes exceeds the maximum frame size %u",
			 total, max_frame);
		return -EPROTO;
	}
	ret->first_frag = first;
	ret->frag_count = count;
	ret->length = total;
	*frag_cursor = first + count;
	return 0;
}

void dp_parse_layout(const uint8_t *p, uint32_t len, NET_PACKET_LAYOUT *ret)
{
	uint32_t l2 = UMN_ETH_HLEN, l3 = 0;
	uint16_t ethertype;
	uint8_t proto = 0;

	memset(ret, 0, sizeof(*ret));
	if (len < UMN_ETH_HLEN)
		return;
	ret->Layer2Type = NetPacketLayer2TypeEthernet;
	ethertype = (uint16_t)(p[12] << 8 | p[13]);
	if (ethertype == 0x8100 && len >= 18) {
		l2 = 18;
		ethertype = (uint16_t)(p[16] << 8 | p[17]);
	}
	ret->Layer2HeaderLength = l2 & 0x7f;
	if (ethertype == 0x0800 && len >= l2 + 20) {
		l3 = (p[l2] & 0x0f) * 4u;
		if (l3 < 20 || len < l2 + l3)
			return;
		ret->Layer3Type = l3 == 20 ? NetPacketLayer3TypeIPv4NoOptions
					   : NetPacketLayer3TypeIPv4WithOptions;
		proto = p[l2 + 9];
		/* A fragment after the first has no layer-4 header. */
		if ((p[l2 + 6] & 0x1f) || p[l2 + 7]) {
			ret->Layer3HeaderLength = l3 & 0x1ff;
			ret->Layer4Type = NetPacketLayer4TypeIPFragment;
			return;
		}
	} else if (ethertype == 0x86dd && len >= l2 + 40) {
		l3 = 40;
		proto = p[l2 + 6];
		ret->Layer3Type = NetPacketLayer3TypeIPv6NoExtensions;
		if (proto == 0 || proto == 43 || proto == 44 || proto == 60) {
			ret->Layer3Type = NetPacketLayer3TypeIPv6WithExtensions;
			ret->Layer3HeaderLength = l3;
			return;
		}
	} else {
		return;
	}
	ret->Layer3HeaderLength = l3 & 0x1ff;
	if (proto == 6 && len >= l2 + l3 + 20) {
		uint32_t l4 = (p[l2 + l3 + 12] >> 4) * 4u;
		if (l4 >= 20 && l4 <= 255) {
			ret->Layer4Type = NetPacketLayer4TypeTcp;
			ret->Layer4HeaderLength = l4 & 0xff;
		}
	} else if (proto == 17 && len >= l2 + l3 + 8) {
		ret->Layer4Type = NetPacketLayer4TypeUdp;
		ret->Layer4HeaderLength = 8;
	}
}
