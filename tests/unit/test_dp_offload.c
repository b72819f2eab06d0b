/* SPDX-License-Identifier: MIT */
/*
 * Offloads between the virtio-net header and the packet extensions: the
 * software segmentation and checksums, what TX hands to the driver, and the
 * rules a driver's RX metadata must keep (one case per rule).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/segment.h"
#include "umnicd/net/dp_offload.h"

static uint8_t frame[DP_GSO_FRAME_MAX];

/* An Ethernet + IPv4 (or IPv6) + TCP (or UDP) frame with payload bytes of a pattern. */
static uint32_t make_frame(bool ipv6, bool udp, uint32_t payload)
{
	uint32_t l3 = 14, l4 = ipv6 ? 54 : 34, hl = l4 + (udp ? 8 : 20), len = hl + payload;

	memset(frame, 0, hl);
	memset(frame, 0x02, 12);
	frame[12] = ipv6 ? 0x86 : 0x08;
	frame[13] = ipv6 ? 0xdd : 0x00;
	if (ipv6) {
		frame[l3] = 0x60;
		frame[l3 + 4] = (uint8_t)((len - l4) >> 8);
		frame[l3 + 5] = (uint8_t)(len - l4);
		frame[l3 + 6] = udp ? 17 : 6;
		frame[l3 + 7] = 64;
		frame[l3 + 23] = 1;
		frame[l3 + 39] = 2;
	} else {
		frame[l3] = 0x45;
		frame[l3 + 2] = (uint8_t)((len - l3) >> 8);
		frame[l3 + 3] = (uint8_t)(len - l3);
		frame[l3 + 4] = 0x12;
		frame[l3 + 6] = 0x40; /* DF */
		frame[l3 + 8] = 64;
		frame[l3 + 9] = udp ? 17 : 6;
		memcpy(frame + l3 + 12, (uint8_t[]){ 10, 0, 0, 1, 10, 0, 0, 2 }, 8);
	}
	frame[l4 + 1] = 80;
	frame[l4 + 3] = 99;
	if (udp) {
		frame[l4 + 4] = (uint8_t)((len - l4) >> 8);
		frame[l4 + 5] = (uint8_t)(len - l4);
	} else {
		frame[l4 + 7] = 1;  /* seq */
		frame[l4 + 12] = 0x50;
		frame[l4 + 13] = 0x18; /* PSH ACK */
	}
	for (uint32_t i = 0; i < payload; i++)
		frame[hl + i] = (uint8_t)(i * 7 + 3);
	return len;
}

static bool l4_sum_ok(const uint8_t *f, uint32_t len)
{
	struct seg_info si;

	if (seg_parse(f, len, &si) < 0)
		return false;
	return seg_csum_fold(seg_csum_add(seg_pseudo_sum(f, &si, si.end - si.l4_off), f + si.l4_off,
					  si.end - si.l4_off)) == 0xffff;
}

static void segments_rebuild_the_stream(bool ipv6, bool udp)
{
	static uint8_t seg[2048];
	uint32_t len = make_frame(ipv6, udp, 10000), got = 0, mss = 1400, n;
	struct seg_info si;

	assert_int_equal(seg_parse(frame, len, &si), 0);
	n = seg_count(si.end, &si, mss);
	assert_int_equal(n, 8);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t l = seg_build(frame, len, &si, mss, i, seg);
		assert_true(l > si.hdr_len && l <= si.hdr_len + mss);
		assert_true(l4_sum_ok(seg, l));
		if (!ipv6)
			assert_int_equal(seg_csum_fold(seg_csum_add(0, seg + 14, 20)), 0xffff);
		assert_memory_equal(seg + si.hdr_len, frame + si.hdr_len + got, l - si.hdr_len);
		if (!udp) {
			uint32_t seq = (uint32_t)seg[si.l4_off + 4] << 24 | seg[si.l4_off + 5] << 16 |
				       seg[si.l4_off + 6] << 8 | seg[si.l4_off + 7];
			assert_int_equal(seq, 1 + got);
			/* PSH only on the last segment. */
			assert_int_equal(!!(seg[si.l4_off + 13] & 0x08), i == n - 1);
		}
		got += l - si.hdr_len;
	}
	assert_int_equal(got, 10000);
	assert_int_equal(seg_build(frame, len, &si, mss, n, seg), 0);
}

static void test_segment_tcp4(void **state)
{
	(void)state;
	segments_rebuild_the_stream(false, false);
}

static void test_segment_tcp6_udp(void **state)
{
	(void)state;
	segments_rebuild_the_stream(true, false);
	segments_rebuild_the_stream(false, true);
	segments_rebuild_the_stream(true, true);
}

static void test_checksum_whole_frame(void **state)
{
	uint32_t len = make_frame(false, false, 1000);
	struct seg_info si;

	(void)state;
	assert_int_equal(seg_parse(frame, len, &si), 0);
	seg_checksum(frame, len, &si);
	assert_true(l4_sum_ok(frame, len));
}

static void test_parse_refuses_bad_headers(void **state)
{
	uint32_t len = make_frame(false, false, 100);
	struct seg_info si;

	(void)state;
	frame[14 + 2] = 0xff; /* IP total length beyond the frame */
	assert_int_equal(seg_parse(frame, len, &si), -EINVAL);
	len = make_frame(false, false, 100);
	frame[34 + 12] = 0xf0; /* TCP header of 60 bytes in a 40-byte packet */
	assert_int_equal(seg_parse(frame, 34 + 40, &si), -EINVAL);
	len = make_frame(false, false, 100);
	frame[14] = 0x44; /* IHL 16 */
	assert_int_equal(seg_parse(frame, len, &si), -EINVAL);
	assert_int_equal(seg_parse(frame, 13, &si), -EINVAL);
}

static struct dp_offload_cfg cfg_all(void)
{
	struct dp_offload_cfg c = { .active = UMN_OFL_ALL, .max_frame = 1514, .max_frags = 64 };

	c.caps.can = UMN_OFL_ALL;
	c.caps.txcsum_l3 = c.caps.gso_l3 = c.caps.rsc_l3 = 0xf;
	c.caps.txcsum_l4 = c.caps.gso_l4 = c.caps.rsc_l4 = 0x7;
	c.caps.gso_max_size = 65536;
	return c;
}

static void test_tx_plan(void **state)
{
	struct dp_offload_cfg c = cfg_all();
	struct virtio_net_hdr vh = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
				     .gso_size = 1448, .csum_start = 34, .csum_offset = 16 };
	uint32_t len = make_frame(false, false, 30000);
	struct dp_tx_plan p;

	(void)state;
	dp_tx_plan(&c, &vh, frame, len, len, 20, &p);
	assert_int_equal(p.action, DP_TX_DRIVER);
	assert_int_equal(p.gso.TCP.Mss, 1448);
	assert_int_equal(p.csum.Layer4, NetPacketTxChecksumActionRequired);
	/* LSO not in force, or more fragments than the driver takes: umnicd cuts it. */
	c.active &= ~UMN_OFL_LSO_IPV4;
	dp_tx_plan(&c, &vh, frame, len, len, 20, &p);
	assert_int_equal(p.action, DP_TX_SW_SEGMENT);
	c = cfg_all();
	c.max_frags = 4;
	dp_tx_plan(&c, &vh, frame, len, len, 20, &p);
	assert_int_equal(p.action, DP_TX_SW_SEGMENT);
	/* Fewer segments than MinimumSegmentCount, or longer than MaximumOffloadSize. */
	c = cfg_all();
	c.caps.gso_min_segs = 100;
	dp_tx_plan(&c, &vh, frame, len, len, 20, &p);
	assert_int_equal(p.action, DP_TX_SW_SEGMENT);
	c = cfg_all();
	c.caps.gso_max_size = 16384;
	dp_tx_plan(&c, &vh, frame, len, len, 20, &p);
	assert_int_equal(p.action, DP_TX_SW_SEGMENT);
	/* A GSO type that does not match the headers, or no segment size: dropped. */
	c = cfg_all();
	vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV6;
	dp_tx_plan(&c, &vh, frame, len, len, 20, &p);
	assert_int_equal(p.action, DP_TX_DROP);
	vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	vh.gso_size = 0;
	dp_tx_plan(&c, &vh, frame, len, len, 20, &p);
	assert_int_equal(p.action, DP_TX_DROP);
	/* A checksum only: the driver's if in force, else umnicd's. */
	len = make_frame(false, true, 500);
	vh = (struct virtio_net_hdr){ .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .csum_start = 34, .csum_offset = 6 };
	dp_tx_plan(&c, &vh, frame, len, len, 1, &p);
	assert_int_equal(p.action, DP_TX_DRIVER);
	assert_int_equal(p.gso.TCP.Mss, 0);
	c.active &= ~UMN_OFL_TXCSUM_UDP;
	dp_tx_plan(&c, &vh, frame, len, len, 1, &p);
	assert_int_equal(p.action, DP_TX_SW_CSUM);
	/* Longer than the driver's frame without GSO. */
	len = make_frame(false, true, 3000);
	dp_tx_plan(&c, &vh, frame, len, len, 2, &p);
	assert_int_equal(p.action, DP_TX_DROP);
}

static int rx(const struct dp_offload_cfg *c, const struct dp_rx_ext *e, uint32_t len,
	      struct virtio_net_hdr *vh, char *err)
{
	static uint8_t head[DP_RX_HEAD_MAX];

	memcpy(head, frame, len < sizeof(head) ? len : sizeof(head));
	return dp_rx_vnet(c, e, head, len < sizeof(head) ? len : sizeof(head), len, vh, err);
}

static void test_rx_coalesced(void **state)
{
	struct dp_offload_cfg c = cfg_all();
	struct dp_rx_ext e = { 0 };
	struct virtio_net_hdr vh;
	char err[DP_ERR_MAX] = "";
	uint32_t len = make_frame(false, false, 14480);

	(void)state;
	e.rsc.TCP.CoalescedSegmentCount = 10;
	assert_int_equal(rx(&c, &e, len, &vh, err), 0);
	assert_int_equal(vh.gso_type, VIRTIO_NET_HDR_GSO_TCPV4);
	assert_int_equal(vh.gso_size, 1448);
	assert_int_equal(vh.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	assert_int_equal(vh.csum_start, 34);
	assert_int_equal(vh.hdr_len, 54);

	len = make_frame(true, true, 9000);
	e.rsc.UDP.CoalescedSegmentCount = 10;
	e.rsc.UDP.CoalescedSegmentSize = 900;
	assert_int_equal(rx(&c, &e, len, &vh, err), 0);
	assert_int_equal(vh.gso_type, VIRTIO_NET_HDR_GSO_UDP_L4);
	assert_int_equal(vh.gso_size, 900);
}

/* Each rule a driver's RX metadata must keep, and the error names it. */
static void test_rx_rules(void **state)
{
	struct dp_offload_cfg c = cfg_all();
	struct dp_rx_ext e = { 0 };
	struct virtio_net_hdr vh;
	char err[DP_ERR_MAX];
	uint32_t len;

	(void)state;
	/* A TCP segment count larger than the payload. */
	len = make_frame(false, false, 5);
	e.rsc.TCP.CoalescedSegmentCount = 6;
	assert_int_equal(rx(&c, &e, len, &vh, err), -EPROTO);
	assert_non_null(strstr(err, "CoalescedSegmentCount 6 is inconsistent with 5 payload bytes"));
	/* UDP: size 0, and sizes that do not add up to the payload. */
	len = make_frame(false, true, 9000);
	e.rsc.UDP.CoalescedSegmentCount = 10;
	e.rsc.UDP.CoalescedSegmentSize = 0;
	assert_int_equal(rx(&c, &e, len, &vh, err), -EPROTO);
	assert_non_null(strstr(err, "CoalescedSegmentSize 0"));
	e.rsc.UDP.CoalescedSegmentSize = 100;
	assert_int_equal(rx(&c, &e, len, &vh, err), -EPROTO);
	assert_non_null(strstr(err, "inconsistent"));
	/* Segments larger than a frame (an MSS beyond the packet's own frames). */
	len = make_frame(false, false, 20000);
	e.rsc.TCP.CoalescedSegmentCount = 2;
	assert_int_equal(rx(&c, &e, len, &vh, err), -EPROTO);
	assert_non_null(strstr(err, "exceed MaximumFrameSize"));
	/* Header lengths outside the frame: the IP length says more than there is. */
	len = make_frame(false, false, 4000);
	frame[14 + 2] = 0x20;
	e.rsc.TCP.CoalescedSegmentCount = 3;
	assert_int_equal(rx(&c, &e, len, &vh, err), -EPROTO);
	assert_non_null(strstr(err, "IP"));
	/* ... and a TCP header longer than the packet. */
	len = make_frame(false, false, 20);
	frame[34 + 12] = 0xf0;
	assert_int_equal(rx(&c, &e, len, &vh, err), -EPROTO);
	assert_non_null(strstr(err, "headers inside the frame"));
	/* RSC not in force: a long packet is just too long. */
	len = make_frame(false, false, 4000);
	c.active &= ~UMN_OFL_RSC;
	assert_int_equal(rx(&c, &e, len, &vh, err), -EPROTO);
	assert_non_null(strstr(err, "exceeds MaximumFrameSize"));
	/* A checksum evaluation that is no NET_PACKET_RX_CHECKSUM_EVALUATION. */
	c = cfg_all();
	len = make_frame(false, false, 100);
	e = (struct dp_rx_ext){ 0 };
	e.csum.Layer4 = 3;
	assert_int_equal(rx(&c, &e, len, &vh, err), -EPROTO);
	assert_non_null(strstr(err, "NET_PACKET_RX_CHECKSUM_EVALUATION"));
	e.csum.Layer4 = NetPacketRxChecksumEvaluationValid;
	assert_int_equal(rx(&c, &e, len, &vh, err), 0);
	assert_int_equal(vh.flags, VIRTIO_NET_HDR_F_DATA_VALID);
	e.csum.Layer3 = NetPacketRxChecksumEvaluationInvalid;
	assert_int_equal(rx(&c, &e, len, &vh, err), 0);
	assert_int_equal(vh.flags, 0);
	/* Checksum results mean nothing while the offload is off. */
	c.active &= ~UMN_OFL_RXCSUM;
	e.csum.Layer3 = 0;
	assert_int_equal(rx(&c, &e, len, &vh, err), 0);
	assert_int_equal(vh.flags, 0);
}

/* Each rule the RSS hash and the 802.1Q tag of a received packet must keep, by name. */
static void test_rx_hash_vlan_rules(void **state)
{
	struct dp_offload_cfg c = { .max_frame = 1514 };
	struct dp_rx_ext e;
	char err[DP_ERR_MAX];
	uint16_t tci = 0xffff;

	(void)state;
	memset(&e, 0, sizeof(e));
	assert_int_equal(dp_rx_meta(&c, &e, &tci, err), 0);
	assert_int_equal(tci, 0);
	e.hash.HashValue = 0x12345678;
	e.hash.ProtocolType = NetPacketHashProtocolTypeIPv4 | NetPacketHashProtocolTypeTcp;
	assert_int_equal(dp_rx_meta(&c, &e, &tci, err), 0);
	e.hash.ProtocolType = 0x40;
	assert_int_equal(dp_rx_meta(&c, &e, &tci, err), -EPROTO);
	assert_non_null(strstr(err, "hash: ProtocolType 0x40 has bits no NET_PACKET_HASH_PROTOCOL_TYPE defines"));
	e.hash.ProtocolType = NetPacketHashProtocolTypeIPv4 | NetPacketHashProtocolTypeTcp | NetPacketHashProtocolTypeUdp;
	assert_int_equal(dp_rx_meta(&c, &e, &tci, err), -EPROTO);
	assert_non_null(strstr(err, "hash: ProtocolType 0x31 names both TCP and UDP"));
	e.hash.ProtocolType = NetPacketHashProtocolTypeIPv4 | NetPacketHashProtocolTypeIPv6;
	assert_int_equal(dp_rx_meta(&c, &e, &tci, err), -EPROTO);
	assert_non_null(strstr(err, "names both IPv4 and IPv6"));
	e.hash.ProtocolType = NetPacketHashProtocolTypeUdp;
	assert_int_equal(dp_rx_meta(&c, &e, &tci, err), -EPROTO);
	assert_non_null(strstr(err, "a transport without IPv4 or IPv6"));
	e.hash.ProtocolType = 0;
	assert_int_equal(dp_rx_meta(&c, &e, &tci, err), -EPROTO);
	assert_non_null(strstr(err, "hash: HashValue 0x12345678 with no ProtocolType"));
	e.hash.HashValue = 0;

	/* A tag from a driver that declared no tag offload. */
	e.vlan.VlanIdentifier = 5;
	assert_int_equal(dp_rx_meta(&c, &e, &tci, err), -EPROTO);
	assert_non_null(strstr(err, "802.1Q: a tag in ms_packet_ieee8021q, but the driver declared no 802.1Q tag offload"));
	c.caps.ieee8021q = 1; /* priority only */
	assert_int_equal(dp_rx_meta(&c, &e, &tci, err), -EPROTO);
	assert_non_null(strstr(err, "802.1Q: VlanIdentifier 5, but the driver declared no VLAN tagging"));
	c.caps.ieee8021q = 2; /* VLAN only */
	e.vlan.PriorityCodePoint = 3;
	assert_int_equal(dp_rx_meta(&c, &e, &tci, err), -EPROTO);
	assert_non_null(strstr(err, "802.1Q: PriorityCodePoint 3, but the driver declared no priority tagging"));
	c.caps.ieee8021q = 3;
	assert_int_equal(dp_rx_meta(&c, &e, &tci, err), 0);
	assert_int_equal(tci, 3 << 13 | 5);
	e.vlan.VlanIdentifier = 4095;
	assert_int_equal(dp_rx_meta(&c, &e, &tci, err), -EPROTO);
	assert_non_null(strstr(err, "802.1Q: VlanIdentifier 4095 is reserved"));
	e.vlan.VlanIdentifier = 5;
	e.vlan.TxTagging = 2;
	assert_int_equal(dp_rx_meta(&c, &e, &tci, err), -EPROTO);
	assert_non_null(strstr(err, "802.1Q: TxTagging 2 on a received packet"));
}

/* TX: a tag goes to the extension only with the offload in force and every part declared. */
static void test_tx_vlan(void **state)
{
	struct dp_offload_cfg c = { .max_frame = 1514, .active = UMN_OFL_IEEE8021Q };
	NET_PACKET_IEEE8021Q t;
	uint8_t f[64];

	(void)state;
	memset(f, 0, sizeof(f));
	f[12] = 0x81;
	f[14] = 0x60; /* PCP 3 */
	f[15] = 0x05; /* VLAN 5 */
	f[16] = 0x08;
	c.caps.ieee8021q = 3;
	assert_true(dp_tx_vlan(&c, f, sizeof(f), &t));
	assert_int_equal(t.PriorityCodePoint, 3);
	assert_int_equal(t.VlanIdentifier, 5);
	assert_int_equal(t.TxTagging, NetPacketTxIeee8021qActionFlagPriorityRequired |
					      NetPacketTxIeee8021qActionFlagVlanRequired);
	c.caps.ieee8021q = 1; /* the driver cannot insert a VLAN id: the tag stays in the frame */
	assert_false(dp_tx_vlan(&c, f, sizeof(f), &t));
	c.caps.ieee8021q = 3;
	f[14] |= 0x10; /* drop eligible: the extension cannot carry it */
	assert_false(dp_tx_vlan(&c, f, sizeof(f), &t));
	f[14] &= (uint8_t)~0x10;
	c.active = 0; /* tx-vlan-hw-insert off */
	assert_false(dp_tx_vlan(&c, f, sizeof(f), &t));
	c.active = UMN_OFL_IEEE8021Q;
	f[12] = 0x08; /* untagged */
	assert_false(dp_tx_vlan(&c, f, sizeof(f), &t));
	assert_false(dp_tx_vlan(&c, f, 17, &t));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_segment_tcp4),
		cmocka_unit_test(test_segment_tcp6_udp),
		cmocka_unit_test(test_checksum_whole_frame),
		cmocka_unit_test(test_parse_refuses_bad_headers),
		cmocka_unit_test(test_tx_plan),
		cmocka_unit_test(test_rx_coalesced),
		cmocka_unit_test(test_rx_rules),
		cmocka_unit_test(test_rx_hash_vlan_rules),
		cmocka_unit_test(test_tx_vlan),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
