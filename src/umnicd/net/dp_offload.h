/* SPDX-License-Identifier: MIT */
/*
 * Offloads between the TAP's virtio-net header and the driver's packet
 * extensions. Pure functions over private copies, like dp_validate: TX
 * decides what the driver is asked to do and what umnicd does itself; RX
 * turns what the driver claims (RSC, checksum results) into a virtio-net
 * header, after checking every field, so that nothing the driver made up
 * reaches the kernel.
 */
#ifndef UMNIC_HOST_DP_OFFLOAD_H
#define UMNIC_HOST_DP_OFFLOAD_H

#include <linux/virtio_net.h>
#include <stdbool.h>
#include <stdint.h>

#include <net/packet.h>
#include <net/checksumtypes.h>
#include <net/gsotypes.h>
#include <net/ieee8021qtypes.h>
#include <net/packethashtypes.h>
#include <net/rsctypes.h>

#include "common/proto.h"
#include "common/segment.h"
#include "umnicd/net/dp_validate.h"

/* Older uapi headers lack the UDP segmentation values (Linux 6.2). */
#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4 5
#endif

/* A frame from the TAP is at most this long: the GSO limit plus the Ethernet header and a tag. */
#define DP_GSO_FRAME_MAX (65535u + 18u)
/* umnicd copies this many bytes of a received frame's head before it looks at the headers. */
#define DP_RX_HEAD_MAX 192u

/* What the datapath knows of the driver and the offloads in force; set by the control thread. */
struct dp_offload_cfg {
	uint32_t active;    /* UMN_OFL_* in force */
	uint32_t max_frame; /* the driver's MaximumFrameSize */
	uint32_t max_frags; /* TX MaximumNumberOfFragments */
	struct umn_offload_caps caps;
};

enum dp_tx_action {
	DP_TX_PLAIN,	  /* post as is */
	DP_TX_DRIVER,	  /* post with the extensions filled: the driver checksums or segments */
	DP_TX_SW_CSUM,	  /* umnicd writes the checksum, then posts */
	DP_TX_SW_SEGMENT, /* umnicd cuts the frame into segments */
	DP_TX_DROP,
};

struct dp_tx_plan {
	enum dp_tx_action action;
	struct seg_info si;
	uint32_t mss;
	NET_PACKET_CHECKSUM csum;
	NET_PACKET_GSO gso;
};

/*
 * Decides for one frame read from the TAP, given its virtio-net header, its
 * first bytes (head, at least the headers when there are any), its length
 * and the number of fragments it spans.
 */
void dp_tx_plan(const struct dp_offload_cfg *cfg, const struct virtio_net_hdr *vh,
		const uint8_t *head, uint32_t head_len, uint32_t len, uint32_t nfrags,
		struct dp_tx_plan *ret);

/*
 * Whether a frame read from the TAP gives its 802.1Q tag to the driver
 * (the tag offload in force, the frame tagged, and every part of the tag
 * one the driver declared it inserts): true with the extension in *ret.
 * The caller then removes the 4 bytes after the MAC addresses.
 */
bool dp_tx_vlan(const struct dp_offload_cfg *cfg, const uint8_t *head, uint32_t head_len,
		NET_PACKET_IEEE8021Q *ret);

/* The packet extensions of one returned RX packet, copied out of its ring element. */
struct dp_rx_ext {
	NET_PACKET_CHECKSUM csum;
	NET_PACKET_RSC rsc;
	NET_PACKET_IEEE8021Q vlan;
	NET_PACKET_HASH hash;
	uint32_t inserted; /* bytes umnicd put into the frame (a tag from the extension) */
};

/*
 * Checks the RSS hash and the 802.1Q tag of a received packet: 0, or
 * -EPROTO with the rule named in err. *ret_tag is the tag umnicd inserts
 * into the frame (0: none).
 */
int dp_rx_meta(const struct dp_offload_cfg *cfg, const struct dp_rx_ext *ext, uint16_t *ret_tci,
	       char err[DP_ERR_MAX]);

/*
 * Builds the virtio-net header for a received frame of len bytes whose first
 * head_len bytes (all of it, or DP_RX_HEAD_MAX) are in head, a private copy
 * umnicd may rewrite (the pseudo-header checksum of a coalesced packet goes
 * there). 0, or -EPROTO with the rule named in err.
 */
int dp_rx_vnet(const struct dp_offload_cfg *cfg, const struct dp_rx_ext *ext, uint8_t *head,
	       uint32_t head_len, uint32_t len, struct virtio_net_hdr *ret, char err[DP_ERR_MAX]);

/* The longest frame the driver may return: RSC lets coalesced packets pass MaximumFrameSize. */
static inline uint32_t dp_rx_len_limit(const struct dp_offload_cfg *cfg)
{
	return (cfg->active & UMN_OFL_RSC) ? DP_GSO_FRAME_MAX : cfg->max_frame;
}

#endif
