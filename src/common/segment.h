/* SPDX-License-Identifier: MIT */
/*
 * Software checksum and segmentation of Ethernet frames carrying IPv4 or
 * IPv6 with TCP or UDP: what a NIC does for checksum offload and LSO/USO,
 * done on a linear buffer. Pure functions with no dependency beyond libc, so
 * umnicd (its software fallback) and the vpair sample driver (its
 * "hardware") share them, and the fuzzer drives them alone. The Ethernet
 * header length is defined here, once for all of umnic, so that segment.c
 * uses it too and still needs only these two files when a driver copies it.
 */
#ifndef UMNIC_COMMON_SEGMENT_H
#define UMNIC_COMMON_SEGMENT_H

#include <stdbool.h>
#include <stdint.h>

/*
 * An Ethernet header: destination, source, EtherType. The shortest frame;
 * what an MTU leaves out.
 */
#define UMN_ETH_HLEN 14u

enum seg_l4 { SEG_L4_NONE = 0, SEG_L4_TCP = 6, SEG_L4_UDP = 17 };

/* Where the headers of a frame are; filled by seg_parse from the frame itself. */
struct seg_info {
	uint16_t l3_off; /* 14, or 18 behind one VLAN tag */
	uint16_t l4_off;
	uint16_t hdr_len; /* l4_off + the layer-4 header */
	uint32_t end;	  /* where the IP packet ends (the frame may carry padding after) */
	uint8_t ipv6;
	uint8_t l4; /* enum seg_l4 */
};

/*
 * Parses the Ethernet, IP and TCP/UDP headers of frame[0..len): 0, or
 * -EINVAL when the frame is not IPv4/IPv6 + TCP/UDP with every header inside
 * the frame and the IP length inside it (no IPv6 extension headers, no
 * IPv4 fragments, no IPv4 options beyond the header length).
 */
int seg_parse(const uint8_t *frame, uint32_t len, struct seg_info *ret);

/* One's-complement sum of data (network byte order) added to sum. */
uint32_t seg_csum_add(uint32_t sum, const uint8_t *data, uint32_t len);
uint16_t seg_csum_fold(uint32_t sum);

/* The pseudo-header sum (not folded, not inverted) for a layer-4 length. */
uint32_t seg_pseudo_sum(const uint8_t *frame, const struct seg_info *si, uint32_t l4_len);

/* Writes the full TCP/UDP checksum (and the IPv4 header checksum) of a whole frame. */
void seg_checksum(uint8_t *frame, uint32_t len, const struct seg_info *si);

/* How many segments of mss payload bytes a frame of len makes. */
static inline uint32_t seg_count(uint32_t len, const struct seg_info *si, uint32_t mss)
{
	uint32_t payload = len - si->hdr_len;

	return mss ? (payload + mss - 1) / mss : 0;
}

/*
 * Builds segment index (0-based) of a frame cut into mss-byte payloads into
 * out (room for hdr_len + mss bytes): headers copied and fixed (IP lengths,
 * IPv4 id, TCP sequence and flags, UDP length), checksums complete. Returns
 * the segment's length, 0 if index is past the last segment.
 */
uint32_t seg_build(const uint8_t *frame, uint32_t len, const struct seg_info *si, uint32_t mss,
		   uint32_t index, uint8_t *out);

#endif
