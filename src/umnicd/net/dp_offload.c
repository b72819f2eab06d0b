/* SPDX-License-Identifier: MIT */
/*
 * Offloads between the TAP's virtio-net header and the driver's packet
 * extensions (dp_offload.h): what TX asks the driver to do and what umnicd
 * does itself, and the checks RX applies to everything a driver claims (RSC
 * counts, checksum results, hashes, 802.1Q tags), each failure named.
 */
#include "umnicd/net/dp_offload.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/shm.h"

/* Layer flags of netadapteroffload.h, as they travel in struct umn_offload_caps. */
#define L3_V4_NOOPT  0x1u
#define L3_V4_OPT    0x2u
#define L3_V6_NOEXT  0x4u
#define L4_TCP_NOOPT 0x1u
#define L4_TCP_OPT   0x2u
#define L4_UDP	     0x4u

static bool l3_ok(uint8_t flags, const struct seg_info *si)
{
	/* seg_parse refuses IPv6 extension headers, so an IPv6 packet is always "no extensions". */
	if (si->ipv6)
		return flags & L3_V6_NOEXT;
	return flags & (si->l4_off - si->l3_off == 20 ? L3_V4_NOOPT : L3_V4_OPT);
}

static bool l4_ok(uint8_t flags, const struct seg_info *si)
{
	if (si->l4 == SEG_L4_UDP)
		return flags & L4_UDP;
	return flags & (si->hdr_len - si->l4_off == 20 ? L4_TCP_NOOPT : L4_TCP_OPT);
}

static bool within(uint32_t off, uint16_t limit)
{
	return !limit || off <= limit;
}

static void plan_csum(const struct dp_offload_cfg *cfg, const struct virtio_net_hdr *vh,
		      const uint8_t *head, uint32_t head_len, uint32_t len, struct dp_tx_plan *ret)
{
	const struct umn_offload_caps *c = &cfg->caps;
	uint32_t bit;

	if (seg_parse(head, len, &ret->si) < 0 || vh->csum_start != ret->si.l4_off ||
	    vh->csum_offset != (ret->si.l4 == SEG_L4_TCP ? 16 : 6)) {
		/* Not a checksum umnicd knows how to place: it cannot be handed on, nor done here.
		 */
		ret->action = DP_TX_DROP;
		return;
	}
	bit = ret->si.l4 == SEG_L4_TCP ? UMN_OFL_TXCSUM_TCP : UMN_OFL_TXCSUM_UDP;
	if ((cfg->active & bit) && l3_ok(c->txcsum_l3, &ret->si) && l4_ok(c->txcsum_l4, &ret->si) &&
	    within(ret->si.l3_off, c->txcsum_l3_limit) &&
	    within(ret->si.l4_off, c->txcsum_l4_limit)) {
		ret->action = DP_TX_DRIVER;
		ret->csum.Layer4 = NetPacketTxChecksumActionRequired;
		return;
	}
	ret->action = DP_TX_SW_CSUM;
}

void dp_tx_plan(const struct dp_offload_cfg *cfg, const struct virtio_net_hdr *vh,
		const uint8_t *head, uint32_t head_len, uint32_t len, uint32_t nfrags,
		struct dp_tx_plan *ret)
{
	/* seg_parse checks lengths against the whole frame but reads at most 98 bytes of it. */
	const struct umn_offload_caps *c = &cfg->caps;
	uint8_t type = vh->gso_type & (uint8_t)~VIRTIO_NET_HDR_GSO_ECN;
	uint32_t bit, segs;

	memset(ret, 0, sizeof(*ret));
	if (head_len < len && head_len < DP_RX_HEAD_MAX) {
		ret->action = DP_TX_DROP;
		return;
	}
	if (type == VIRTIO_NET_HDR_GSO_NONE) {
		if (len > cfg->max_frame || len < UMN_ETH_HLEN) {
			ret->action = DP_TX_DROP; /* an MTU beyond the driver's frame size */
			return;
		}
		if (vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)
			plan_csum(cfg, vh, head, head_len, len, ret);
		else
			ret->action = DP_TX_PLAIN;
		return;
	}
	ret->action = DP_TX_DROP;
	if (seg_parse(head, len, &ret->si) < 0 || vh->gso_size == 0)
		return;
	switch (type) {
	case VIRTIO_NET_HDR_GSO_TCPV4:
		if (ret->si.l4 != SEG_L4_TCP || ret->si.ipv6)
			return;
		bit = UMN_OFL_LSO_IPV4;
		break;
	case VIRTIO_NET_HDR_GSO_TCPV6:
		if (ret->si.l4 != SEG_L4_TCP || !ret->si.ipv6)
			return;
		bit = UMN_OFL_LSO_IPV6;
		break;
	case VIRTIO_NET_HDR_GSO_UDP_L4:
		if (ret->si.l4 != SEG_L4_UDP)
			return;
		bit = ret->si.ipv6 ? UMN_OFL_USO_IPV6 : UMN_OFL_USO_IPV4;
		break;
	default:
		return;
	}
	ret->mss = vh->gso_size;
	segs = seg_count(ret->si.end, &ret->si, ret->mss);
	if ((cfg->active & bit) && nfrags <= cfg->max_frags && ret->mss < (1u << 20) &&
	    (!c->gso_max_size || ret->si.end <= c->gso_max_size) && segs >= c->gso_min_segs &&
	    within(ret->si.l4_off, c->gso_l4_limit) && l3_ok(c->gso_l3, &ret->si) &&
	    l4_ok(c->gso_l4, &ret->si) && len == ret->si.end) {
		ret->action = DP_TX_DRIVER;
		ret->gso.TCP.Mss = ret->mss;
		ret->csum.Layer4 = NetPacketTxChecksumActionRequired;
		if (!ret->si.ipv6)
			ret->csum.Layer3 = NetPacketTxChecksumActionRequired;
		return;
	}
	if (ret->si.hdr_len + ret->mss > cfg->max_frame)
		return;
	ret->action = DP_TX_SW_SEGMENT;
}

static int rule(char err[DP_ERR_MAX], const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int rule(char err[DP_ERR_MAX], const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, DP_ERR_MAX, fmt, ap);
	va_end(ap);
	return -EPROTO;
}

static void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static int rx_coalesced(const struct dp_offload_cfg *cfg, const struct dp_rx_ext *ext,
			uint8_t *head, uint32_t head_len, uint32_t len, struct virtio_net_hdr *ret,
			char err[DP_ERR_MAX])
{
	uint32_t count = ext->rsc.TCP.CoalescedSegmentCount, payload, mss, bit;
	struct seg_info si;

	/* head holds min(len, DP_RX_HEAD_MAX) bytes; seg_parse reads at most 98 of them. */
	if (seg_parse(head, len, &si) < 0)
		return rule(err, "RSC: a coalesced packet must carry IPv4 or IPv6 and TCP or UDP "
				 "headers inside the frame");
	if (si.end != len)
		return rule(err,
			    "RSC: the IP length (%u bytes with the Ethernet header) does not match "
			    "the frame's %u bytes",
			    si.end, len);
	if (si.l4 == SEG_L4_TCP)
		bit = si.ipv6 ? UMN_OFL_RSC_TCP_IPV6 : UMN_OFL_RSC_TCP_IPV4;
	else
		bit = UMN_OFL_RSC_UDP;
	if (!(cfg->active & bit))
		return rule(err, "RSC: a coalesced %s/%s packet, but that RSC is not in force",
			    si.ipv6 ? "IPv6" : "IPv4", si.l4 == SEG_L4_TCP ? "TCP" : "UDP");
	payload = len - si.hdr_len;
	if (si.l4 == SEG_L4_TCP) {
		if (count > payload)
			return rule(
			    err,
			    "RSC: CoalescedSegmentCount %u is inconsistent with %u payload bytes",
			    count, payload);
		mss = (payload + count - 1) / count;
	} else {
		mss = ext->rsc.UDP.CoalescedSegmentSize;
		if (!mss || (uint64_t)(count - 1) * mss >= payload ||
		    payload > (uint64_t)count * mss)
			return rule(err,
				    "RSC: CoalescedSegmentCount %u of CoalescedSegmentSize %u is "
				    "inconsistent with %u payload bytes",
				    count, mss, payload);
	}
	if (si.hdr_len - ext->inserted + mss > cfg->max_frame)
		return rule(
		    err, "RSC: segments of %u bytes (%u of headers) exceed MaximumFrameSize %u",
		    si.hdr_len - ext->inserted + mss, si.hdr_len - ext->inserted, cfg->max_frame);
	(void)head_len;
	/*
	 * The checksum field of a coalesced packet means nothing (the driver checked each
	 * segment): the kernel gets it as a partial checksum, the pseudo-header sum written
	 * into umnicd's own copy of the headers, which is what it writes to the TAP.
	 */
	wr16(head + si.l4_off + (si.l4 == SEG_L4_TCP ? 16 : 6),
	     seg_csum_fold(seg_pseudo_sum(head, &si, len - si.l4_off)));
	ret->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	ret->csum_start = si.l4_off;
	ret->csum_offset = si.l4 == SEG_L4_TCP ? 16 : 6;
	ret->hdr_len = si.hdr_len;
	ret->gso_size = (uint16_t)mss;
	ret->gso_type = si.l4 == SEG_L4_UDP ? VIRTIO_NET_HDR_GSO_UDP_L4
			: si.ipv6	    ? VIRTIO_NET_HDR_GSO_TCPV6
					    : VIRTIO_NET_HDR_GSO_TCPV4;
	return 0;
}

int dp_rx_vnet(const struct dp_offload_cfg *cfg, const struct dp_rx_ext *ext, uint8_t *head,
	       uint32_t head_len, uint32_t len, struct virtio_net_hdr *ret, char err[DP_ERR_MAX])
{
	struct seg_info si;
	uint32_t count = ext->rsc.TCP.CoalescedSegmentCount;

	memset(ret, 0, sizeof(*ret));
	if ((cfg->active & UMN_OFL_RSC) && count > 1)
		return rx_coalesced(cfg, ext, head, head_len, len, ret, err);
	if (len - ext->inserted > cfg->max_frame)
		return rule(err,
			    "packet of %u bytes exceeds MaximumFrameSize %u and is not coalesced "
			    "(RSC CoalescedSegmentCount %u)",
			    len - ext->inserted, cfg->max_frame,
			    (cfg->active & UMN_OFL_RSC) ? count : 0);
	if (!(cfg->active & UMN_OFL_RXCSUM))
		return 0; /* the extension means nothing while the offload is off */
	if (ext->csum.Layer3 > NetPacketRxChecksumEvaluationInvalid ||
	    ext->csum.Layer4 > NetPacketRxChecksumEvaluationInvalid)
		return rule(err,
			    "checksum: Layer3 %u / Layer4 %u is not a "
			    "NET_PACKET_RX_CHECKSUM_EVALUATION (0-2)",
			    ext->csum.Layer3, ext->csum.Layer4);
	if (ext->csum.Layer4 != NetPacketRxChecksumEvaluationValid ||
	    ext->csum.Layer3 == NetPacketRxChecksumEvaluationInvalid)
		return 0; /* the kernel checks it itself */
	if (seg_parse(head, len, &si) < 0)
		return 0; /* not a TCP/UDP packet umnicd can vouch for: the kernel checks */
	if (!(cfg->active & (si.l4 == SEG_L4_TCP ? UMN_OFL_RXCSUM_TCP : UMN_OFL_RXCSUM_UDP)))
		return 0;
	ret->flags = VIRTIO_NET_HDR_F_DATA_VALID;
	return 0;
}

/* NET_ADAPTER_OFFLOAD_IEEE8021Q_TAG_FLAGS. */
#define TAG_PRIORITY 0x1u
#define TAG_VLAN     0x2u

bool dp_tx_vlan(const struct dp_offload_cfg *cfg, const uint8_t *head, uint32_t head_len,
		NET_PACKET_IEEE8021Q *ret)
{
	uint16_t tci;
	unsigned pcp, vid;

	if (!(cfg->active & UMN_OFL_IEEE8021Q) || head_len < 18 || head[12] != 0x81 ||
	    head[13] != 0x00)
		return false;
	tci = (uint16_t)(head[14] << 8 | head[15]);
	pcp = tci >> 13;
	vid = tci & 0xfffu;
	/* The extension has no drop-eligible bit: such a tag stays in the frame. */
	if ((tci & 0x1000u) || (pcp && !(cfg->caps.ieee8021q & TAG_PRIORITY)) ||
	    (vid && !(cfg->caps.ieee8021q & TAG_VLAN)) || vid == 0xfffu)
		return false;
	memset(ret, 0, sizeof(*ret));
	ret->PriorityCodePoint = pcp & 7u;
	ret->VlanIdentifier = vid & 0xfffu;
	ret->TxTagging = (pcp ? NetPacketTxIeee8021qActionFlagPriorityRequired : 0) |
			 (vid ? NetPacketTxIeee8021qActionFlagVlanRequired : 0);
	return true;
}

#define HASH_L3                                                                                    \
	(NetPacketHashProtocolTypeIPv4 | NetPacketHashProtocolTypeIPv4Options |                    \
	 NetPacketHashProtocolTypeIPv6 | NetPacketHashProtocolTypeIPv6Extensions)
#define HASH_V4 (NetPacketHashProtocolTypeIPv4 | NetPacketHashProtocolTypeIPv4Options)
#define HASH_V6 (NetPacketHashProtocolTypeIPv6 | NetPacketHashProtocolTypeIPv6Extensions)
#define HASH_L4 (NetPacketHashProtocolTypeTcp | NetPacketHashProtocolTypeUdp)

int dp_rx_meta(const struct dp_offload_cfg *cfg, const struct dp_rx_ext *ext, uint16_t *ret_tci,
	       char err[DP_ERR_MAX])
{
	unsigned t = ext->hash.ProtocolType;
	const NET_PACKET_IEEE8021Q *v = &ext->vlan;

	*ret_tci = 0;
	if (t & ~(unsigned)(HASH_L3 | HASH_L4))
		return rule(
		    err,
		    "hash: ProtocolType 0x%x has bits no NET_PACKET_HASH_PROTOCOL_TYPE defines", t);
	if ((t & HASH_L4) == HASH_L4)
		return rule(err, "hash: ProtocolType 0x%x names both TCP and UDP", t);
	if ((t & HASH_V4) && (t & HASH_V6))
		return rule(err, "hash: ProtocolType 0x%x names both IPv4 and IPv6", t);
	if ((t & HASH_L4) && !(t & HASH_L3))
		return rule(err, "hash: ProtocolType 0x%x names a transport without IPv4 or IPv6",
			    t);
	if (!t && ext->hash.HashValue)
		return rule(err, "hash: HashValue 0x%08x with no ProtocolType",
			    (unsigned)ext->hash.HashValue);
	if (!v->PriorityCodePoint && !v->VlanIdentifier && !v->TxTagging)
		return 0;
	if (v->TxTagging)
		return rule(
		    err,
		    "802.1Q: TxTagging %u on a received packet (it asks for insertion on transmit)",
		    (unsigned)v->TxTagging);
	if (!cfg->caps.ieee8021q)
		return rule(err, "802.1Q: a tag in ms_packet_ieee8021q, but the driver declared no "
				 "802.1Q tag offload");
	if (v->PriorityCodePoint && !(cfg->caps.ieee8021q & TAG_PRIORITY))
		return rule(
		    err,
		    "802.1Q: PriorityCodePoint %u, but the driver declared no priority tagging",
		    (unsigned)v->PriorityCodePoint);
	if (v->VlanIdentifier && !(cfg->caps.ieee8021q & TAG_VLAN))
		return rule(err,
			    "802.1Q: VlanIdentifier %u, but the driver declared no VLAN tagging",
			    (unsigned)v->VlanIdentifier);
	if (v->VlanIdentifier == 0xfffu)
		return rule(err, "802.1Q: VlanIdentifier 4095 is reserved");
	*ret_tci = (uint16_t)(v->PriorityCodePoint << 13 | v->VlanIdentifier);
	/* A priority-only tag (VLAN 0) is still a tag: the frame gets it whole. */
	return 0;
}
