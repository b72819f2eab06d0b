/* SPDX-License-Identifier: MIT */
/*
 * Fuzzes the offload path with hostile lengths: a driver's RX metadata and
 * frame (checksum and RSC extensions) turned into a virtio-net header, and
 * the TX planning and software segmentation of whatever a virtio-net header
 * and frame say. A header umnicd builds must describe the frame it goes with.
 */
#include <stdint.h>
#include <string.h>

#include "umnicd/net/dp_offload.h"

static uint8_t frame[DP_GSO_FRAME_MAX];
static uint8_t seg[DP_GSO_FRAME_MAX];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct {
		uint32_t active;
		uint16_t max_frame;
		uint8_t max_frags, min_segs;
		struct dp_rx_ext ext;
		struct virtio_net_hdr vh;
	} in;
	struct dp_offload_cfg cfg;
	struct virtio_net_hdr out;
	struct dp_tx_plan plan;
	char err[DP_ERR_MAX];
	uint8_t head[DP_RX_HEAD_MAX];
	uint32_t len, hl;

	if (size < sizeof(in))
		return 0;
	memcpy(&in, data, sizeof(in));
	data += sizeof(in);
	size -= sizeof(in);
	len = size > sizeof(frame) ? sizeof(frame) : (uint32_t)size;
	memcpy(frame, data, len);

	memset(&cfg, 0, sizeof(cfg));
	cfg.active = in.active & UMN_OFL_ALL;
	cfg.max_frame = 60u + in.max_frame % 9000u;
	cfg.max_frags = 1u + in.max_frags % 64u;
	cfg.caps.can = UMN_OFL_ALL;
	cfg.caps.txcsum_l3 = cfg.caps.gso_l3 = cfg.caps.rsc_l3 = (uint8_t)(in.active >> 16);
	cfg.caps.txcsum_l4 = cfg.caps.gso_l4 = cfg.caps.rsc_l4 = (uint8_t)(in.active >> 24);
	cfg.caps.gso_min_segs = in.min_segs;

	hl = len < DP_RX_HEAD_MAX ? len : DP_RX_HEAD_MAX;
	memcpy(head, frame, hl);
	/* umnicd's own count of tag bytes it inserted (0 or 4), not the driver's. */
	in.ext.inserted = 0;
	{
		uint16_t tci;
		cfg.caps.ieee8021q = (uint8_t)(in.active >> 14) & 3u;
		(void)dp_rx_meta(&cfg, &in.ext, &tci, err);
	}
	if (dp_rx_vnet(&cfg, &in.ext, head, hl, len, &out, err) == 0) {
		if (len > dp_rx_len_limit(&cfg))
			__builtin_trap();
		if (out.gso_type != VIRTIO_NET_HDR_GSO_NONE &&
		    (!out.gso_size || out.hdr_len > len || out.hdr_len + out.gso_size > cfg.max_frame ||
		     !(out.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)))
			__builtin_trap();
		if ((out.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
		    (uint32_t)out.csum_start + out.csum_offset + 2 > out.hdr_len)
			__builtin_trap();
		if (out.gso_type == VIRTIO_NET_HDR_GSO_NONE && len > cfg.max_frame)
			__builtin_trap();
	}

	dp_tx_plan(&cfg, &in.vh, frame, len, len, 1u + len / 1536u, &plan);
	if (plan.action == DP_TX_SW_SEGMENT) {
		uint32_t n = seg_count(plan.si.end, &plan.si, plan.mss), total = 0;
		for (uint32_t i = 0; i < n; i++) {
			uint32_t l = seg_build(frame, len, &plan.si, plan.mss, i, seg);
			if (!l || l > cfg.max_frame)
				__builtin_trap();
			total += l - plan.si.hdr_len;
		}
		if (total != plan.si.end - plan.si.hdr_len)
			__builtin_trap();
	} else if (plan.action == DP_TX_SW_CSUM) {
		if (len > cfg.max_frame)
			__builtin_trap();
		seg_checksum(frame, len, &plan.si);
	}
	return 0;
}
