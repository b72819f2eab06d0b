/* SPDX-License-Identifier: MIT */
/*
 * Fuzzes the check of the capabilities a driver declares before
 * NetAdapterStart (umnicd/net/adapter_caps.c): whatever the message holds,
 * what passes must give queue layouts the driver side accepts, whose buffers
 * hold a whole frame (TX ones after the backfill), within the sizes umnicd
 * allows; what fails must say why.
 */
#include <stdint.h>
#include <string.h>

#include "common/segment.h"
#include "umnicd/net/adapter_caps.h"

static void check_layout(const struct umn_queue_layout *l, uint32_t frame, uint32_t backfill)
{
	if (umn_queue_layout_check(l) != 0)
		__builtin_trap();
	if (l->pkt_count & (l->pkt_count - 1) || l->frag_count & (l->frag_count - 1) ||
	    l->frag_count < l->pkt_count || l->pkt_count < UMN_RING_MIN ||
	    l->frag_count > UMN_RING_MAX)
		__builtin_trap();
	if (l->backfill != backfill || l->buf_size > UMN_BUF_MAX ||
	    (uint64_t)l->buf_size < (uint64_t)frame + backfill)
		__builtin_trap();
	/* The regions follow one another inside the memory umnicd maps. */
	if (l->frag_ring_off + 64 + (uint64_t)l->frag_count * l->frag_stride > l->buf_off ||
	    l->buf_off + (uint64_t)l->frag_count * l->buf_size > l->total_size)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct umn_adapter_caps m;
	struct adapter_caps caps;
	char err[UMN_TEXT_MAX];

	memset(&m, 0, sizeof(m));
	memcpy(&m, data, size < sizeof(m) ? size : sizeof(m));
	err[0] = '\0';
	if (adapter_caps_check(&m, &caps, err, sizeof(err)) < 0) {
		if (!err[0] || !memchr(err, 0, sizeof(err)))
			__builtin_trap();
		return 0;
	}
	if (m.mtu < 68 || m.mtu > 65521 || !m.tx_queues || !m.rx_queues)
		__builtin_trap();
	if (caps.max_frame < m.mtu + UMN_ETH_HLEN || caps.max_frame > UMN_BUF_MAX)
		__builtin_trap();
	if (caps.has_addr && (caps.addr[0] & 1))
		__builtin_trap();
	/* Only offloads umnicd can carry out are offered, and only ones the driver declared. */
	if ((caps.offload_can & ~m.offload.can) || (caps.offload_can & ~UMN_OFL_ALL))
		__builtin_trap();
	check_layout(&caps.tx, caps.max_frame, m.tx_backfill);
	check_layout(&caps.rx, caps.max_frame, 0);
	return 0;
}
