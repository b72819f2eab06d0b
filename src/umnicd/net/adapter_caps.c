/* SPDX-License-Identifier: MIT */
/*
 * What a driver declared before NetAdapterStart, checked field by field on
 * umnicd's private copy (netif.c acts on the result; tests/fuzz/fuzz_caps.c
 * holds it to the invariants in adapter_caps.h).
 */
#include "umnicd/net/adapter_caps.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/segment.h"

/* RX buffers (and packets) of a queue, at least: 4096 buffers of at most 64 KiB, 256 MiB. */
#define UMN_RX_RING_MIN 4096u

int adapter_caps_check(const struct umn_adapter_caps *m, struct adapter_caps *ret, char *err,
		       size_t cap)
{
	const uint8_t *addr;
	uint32_t max_frame, rx_frags;

	memset(ret, 0, sizeof(*ret));
	if (m->mtu < 68 || m->mtu > 65521) {
		snprintf(err, cap, "MTU %u is outside 68..65521", m->mtu);
		return -EINVAL;
	}
	if (m->tx_queues < 1 || m->rx_queues < 1) {
		snprintf(err, cap, "the adapter needs at least one TX and one RX queue");
		return -EINVAL;
	}
	max_frame = m->rx_max_frame ? m->rx_max_frame : m->mtu + UMN_ETH_HLEN;
	if (max_frame < m->mtu + UMN_ETH_HLEN || max_frame > UMN_BUF_MAX) {
		snprintf(err, cap,
			 "RX MaximumFrameSize %u must hold the MTU plus the Ethernet header (%u) "
			 "and be at most %u",
			 max_frame, m->mtu + UMN_ETH_HLEN, UMN_BUF_MAX);
		return -EINVAL;
	}
	if (m->tx_backfill > UMN_BACKFILL_MAX) {
		snprintf(err, cap, "TX PayloadBackfill %u exceeds %u", m->tx_backfill,
			 UMN_BACKFILL_MAX);
		return -EINVAL;
	}
	/* A TX buffer holds the backfill, then a whole frame: a bigger one could not be posted. */
	if (max_frame + m->tx_backfill > UMN_BUF_MAX) {
		snprintf(
		    err, cap,
		    "TX PayloadBackfill %u plus the maximum frame %u exceeds the %u-byte buffer",
		    m->tx_backfill, max_frame, UMN_BUF_MAX);
		return -EINVAL;
	}
	if ((m->cur_addr_len && m->cur_addr_len != 6) ||
	    (m->perm_addr_len && m->perm_addr_len != 6)) {
		snprintf(err, cap, "link-layer address length %u is not 6 (Ethernet)",
			 (unsigned)(m->cur_addr_len ? m->cur_addr_len : m->perm_addr_len));
		return -EINVAL;
	}
	if (m->rss.queues > UMN_QUEUES_MAX || m->rss.table_size > UMN_RSS_TABLE_MAX ||
	    (m->rss.table_size & (m->rss.table_size - 1))) {
		snprintf(
		    err, cap,
		    "receive scaling with %u queues and a %u-entry table: at most %u queues and a "
		    "power of two up to %u entries",
		    m->rss.queues, m->rss.table_size, (unsigned)UMN_QUEUES_MAX,
		    (unsigned)UMN_RSS_TABLE_MAX);
		return -EINVAL;
	}
	addr = m->cur_addr_len ? m->cur_addr : m->perm_addr_len ? m->perm_addr : NULL;
	if (addr && (addr[0] & 1)) {
		snprintf(err, cap, "link-layer address is a multicast address");
		return -EINVAL;
	}
	if (addr) {
		ret->has_addr = true;
		memcpy(ret->addr, addr, 6);
	}
	ret->max_frame = max_frame;
	ret->offload_can = m->offload.can & UMN_OFL_ALL;
	/* A GSO frame from the TAP or a coalesced one from the driver spans up to 43 fragments. */
	umn_queue_layout_compute(&ret->tx, UMN_QUEUE_TX, 0, 0,
				 m->tx_frag_hint > 1024 ? m->tx_frag_hint : 1024,
				 max_frame + m->tx_backfill, m->tx_backfill);
	/*
	 * RX: a packet for every buffer, and UMN_RX_RING_MIN of them. A driver
	 * that moves frames on its own thread (netvadapter's link) drops what
	 * arrives while every buffer it was given is in flight, as a NIC does,
	 * and only the buffers in the ring absorb a burst until umnicd has
	 * written the earlier frames to the TAP and posted them again: with
	 * 256 packets, TCP through such a driver lost one frame in ten.
	 */
	rx_frags = m->rx_frag_hint > UMN_RX_RING_MIN ? m->rx_frag_hint : UMN_RX_RING_MIN;
	umn_queue_layout_compute(&ret->rx, UMN_QUEUE_RX, 0, rx_frags, rx_frags, max_frame, 0);
	return 0;
}
