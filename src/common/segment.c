/* SPDX-License-Identifier: MIT */
/*
 * Software checksum and segmentation (segment.h): parses a frame's
 * Ethernet, IP and TCP/UDP headers from the frame itself, fills checksums,
 * and cuts a GSO frame into MSS-sized segments with their own headers,
 * lengths and checksums. umnicd's fallback and vpair's "hardware".
 */
#include "segment.h"

#include <errno.h>
#include <string.h>

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

int seg_parse(const uint8_t *f, uint32_t len, struct seg_info *ret)
{
	struct seg_info si = {0};
	uint32_t l3 = UMN_ETH_HLEN, ihl, total, l4len;
	uint16_t et;
	uint8_t proto;

	if (len < UMN_ETH_HLEN)
		return -EINVAL;
	et = rd16(f + 12);
	if (et == 0x8100) {
		if (len < 18)
			return -EINVAL;
		l3 = 18;
		et = rd16(f + 16);
	}
	si.l3_off = (uint16_t)l3;
	if (et == 0x0800) {
		if (len < l3 + 20 || (f[l3] >> 4) != 4)
			return -EINVAL;
		ihl = (f[l3] & 0x0f) * 4u;
		total = rd16(f + l3 + 2);
		if (ihl < 20 || total < ihl || l3 + total > len)
			return -EINVAL;
		/* A fragment carries no complete layer-4 packet to checksum or cut. */
		if ((rd16(f + l3 + 6) & 0x3fff) != 0)
			return -EINVAL;
		proto = f[l3 + 9];
		si.l4_off = (uint16_t)(l3 + ihl);
		si.end = l3 + total;
	} else if (et == 0x86dd) {
		if (len < l3 + 40 || (f[l3] >> 4) != 6)
			return -EINVAL;
		total = 40u + rd16(f + l3 + 4);
		if (l3 + total > len)
			return -EINVAL;
		proto = f[l3 + 6];
		si.ipv6 = 1;
		si.l4_off = (uint16_t)(l3 + 40);
		si.end = l3 + total;
	} else {
		return -EINVAL;
	}
	if (proto == SEG_L4_TCP) {
		if (si.end < si.l4_off + 20u)
			return -EINVAL;
		l4len = (f[si.l4_off + 12] >> 4) * 4u;
		if (l4len < 20 || si.l4_off + l4len > si.end)
			return -EINVAL;
	} else if (proto == SEG_L4_UDP) {
		l4len = 8;
		if (si.l4_off + l4len > si.end)
			return -EINVAL;
	} else {
		return -EINVAL;
	}
	si.l4 = proto;
	si.hdr_len = (uint16_t)(si.l4_off + l4len);
	*ret = si;
	return 0;
}

uint32_t seg_csum_add(uint32_t sum, const uint8_t *d, uint32_t len)
{
	uint64_t s = sum;

	while (len >= 4) {
		s += rd32(d);
		d += 4;
		len -= 4;
	}
	if (len >= 2) {
		s += rd16(d);
		d += 2;
		len -= 2;
	}
	if (len)
		s += (uint32_t)d[0] << 8;
	while (s >> 32)
		s = (s & 0xffffffffu) + (s >> 32);
	return (uint32_t)s;
}

uint16_t seg_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

uint32_t seg_pseudo_sum(const uint8_t *f, const struct seg_info *si, uint32_t l4_len)
{
	uint32_t s;

	if (si->ipv6)
		s = seg_csum_add(0, f + si->l3_off + 8, 32);
	else
		s = seg_csum_add(0, f + si->l3_off + 12, 8);
	return seg_csum_add(
	    s, (const uint8_t[]){0, si->l4, (uint8_t)(l4_len >> 8), (uint8_t)l4_len}, 4);
}

static void ipv4_header_checksum(uint8_t *f, const struct seg_info *si)
{
	uint8_t *ip = f + si->l3_off;

	wr16(ip + 10, 0);
	wr16(ip + 10, (uint16_t)~seg_csum_fold(seg_csum_add(0, ip, si->l4_off - si->l3_off)));
}

static void l4_checksum(uint8_t *f, uint32_t end, const struct seg_info *si)
{
	uint32_t l4_len = end - si->l4_off;
	uint8_t *ck = f + si->l4_off + (si->l4 == SEG_L4_TCP ? 16 : 6);
	uint16_t v;

	wr16(ck, 0);
	v = (uint16_t)~seg_csum_fold(
	    seg_csum_add(seg_pseudo_sum(f, si, l4_len), f + si->l4_off, l4_len));
	/* UDP sends a computed zero as all ones: zero means "no checksum". */
	if (si->l4 == SEG_L4_UDP && v == 0)
		v = 0xffff;
	wr16(ck, v);
}

void seg_checksum(uint8_t *f, uint32_t len, const struct seg_info *si)
{
	(void)len;
	if (!si->ipv6)
		ipv4_header_checksum(f, si);
	l4_checksum(f, si->end, si);
}

uint32_t seg_build(const uint8_t *f, uint32_t len, const struct seg_info *si, uint32_t mss,
		   uint32_t index, uint8_t *out)
{
	uint32_t payload = si->end - si->hdr_len, off = index * mss, n, seglen;
	struct seg_info so = *si;
	uint8_t *ip = out + si->l3_off, *l4 = out + si->l4_off;

	(void)len;
	if (!mss || off >= payload)
		return 0;
	n = payload - off < mss ? payload - off : mss;
	memcpy(out, f, si->hdr_len);
	memcpy(out + si->hdr_len, f + si->hdr_len + off, n);
	seglen = si->hdr_len + n;
	so.end = seglen;
	if (si->ipv6) {
		wr16(ip + 4, (uint16_t)(seglen - si->l3_off - 40));
	} else {
		wr16(ip + 2, (uint16_t)(seglen - si->l3_off));
		wr16(ip + 4, (uint16_t)(rd16(ip + 4) + index));
	}
	if (si->l4 == SEG_L4_TCP) {
		bool last = off + n >= payload;
		wr32(l4 + 4, rd32(l4 + 4) + off);
		if (!last)
			l4[13] &= (uint8_t)~0x09; /* FIN and PSH only on the last segment */
		if (index)
			l4[13] &= (uint8_t)~0x80; /* CWR only on the first */
	} else {
		wr16(l4 + 4, (uint16_t)(seglen - si->l4_off));
	}
	seg_checksum(out, seglen, &so);
	return seglen;
}
