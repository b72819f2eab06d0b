/* SPDX-License-Identifier: MIT */
/* What umnicd accepts back from a driver: index ranges and RX descriptors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/shm.h"
#include "umnicd/net/dp_validate.h"

static void test_returned_count_basic(void **state)
{
	struct dp_range r = { .begin = 10, .end = 20, .mask = 255 };
	uint32_t n = 99;

	(void)state;
	assert_int_equal(dp_returned_count(&r, 10, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(dp_returned_count(&r, 15, &n), 0);
	assert_int_equal(n, 5);
	assert_int_equal(dp_returned_count(&r, 20, &n), 0);
	assert_int_equal(n, 10);
	n = 77;
	assert_int_equal(dp_returned_count(&r, 21, &n), -ERANGE);
	assert_int_equal(n, 77); /* untouched on failure */
	assert_int_equal(dp_returned_count(&r, 9, &n), -ERANGE);
	assert_int_equal(dp_returned_count(&r, 256, &n), -ERANGE); /* not a ring index at all */
}

/* Free-running counters cross 2^32 while ring indices cross the ring end. */
static void test_returned_count_wraps(void **state)
{
	struct dp_range r = { .begin = 0xFFFFFFF0u, .end = 0x00000010u, .mask = 63 };
	uint32_t n;

	(void)state;
	assert_int_equal(dp_range_count(&r), 32);
	/* begin & 63 == 48; the driver returned 20 -> masked index 4. */
	assert_int_equal(dp_returned_count(&r, 4, &n), 0);
	assert_int_equal(n, 20);
	assert_int_equal(dp_returned_count(&r, 16, &n), 0);
	assert_int_equal(n, 32);
	assert_int_equal(dp_returned_count(&r, 17, &n), -ERANGE);
	assert_int_equal(dp_returned_count(&r, 47, &n), -ERANGE);
	/* Walk a whole ring's worth of wrap-arounds one step at a time. */
	for (uint32_t i = 0; i < 200; i++) {
		struct dp_range w = { .begin = 0xFFFFFF00u + i * 7, .end = 0xFFFFFF00u + i * 7 + 63, .mask = 63 };
		assert_int_equal(dp_returned_count(&w, (w.begin + 63) & 63, &n), 0);
		assert_int_equal(n, 63);
		assert_int_equal(dp_returned_count(&w, (w.begin + 1) & 63, &n), 0);
		assert_int_equal(n, 1);
	}
}

struct frags {
	NET_FRAGMENT f[64];
	unsigned fetches;
};

static void get_frag(void *ctx, uint32_t idx, NET_FRAGMENT *ret)
{
	struct frags *fs = ctx;

	fs->fetches++;
	*ret = fs->f[idx & 63];
}

static NET_PACKET packet(uint32_t frag, uint16_t count)
{
	NET_PACKET p;

	memset(&p, 0, sizeof(p));
	p.FragmentIndex = frag;
	p.FragmentCount = count;
	return p;
}

static void set_frag(struct frags *fs, uint32_t idx, uint32_t off, uint32_t len, uint32_t cap)
{
	fs->f[idx & 63] = (NET_FRAGMENT){ .ValidLength = len, .Capacity = cap, .Offset = off };
}

static void test_rx_good_packets(void **state)
{
	struct frags fs = { 0 };
	struct dp_rx_frame fr;
	struct dp_rx_fragment out[DP_MAX_FRAGS_PER_PACKET];
	char err[DP_ERR_MAX];
	uint32_t cursor = 0xFFFFFFFEu; /* ring index 62 */
	NET_PACKET p = packet(62, 3);

	(void)state;
	set_frag(&fs, 62, 0, 1000, 2048);
	set_frag(&fs, 63, 10, 500, 2048);
	set_frag(&fs, 0, 0, 14, 2048);
	assert_int_equal(dp_validate_rx_packet(&p, 63, &cursor, 0xFFFFFFFEu + 4, 2048, 9000, get_frag, &fs,
					       &fr, out, err),
			 0);
	assert_int_equal(fr.length, 1514);
	assert_int_equal(fr.frag_count, 3);
	assert_int_equal(out[1].offset, 10);
	assert_int_equal(cursor, 1u); /* wrapped past 2^32 */
	assert_int_equal(fs.fetches, 3);

	/* A packet may skip fragments the driver dropped, as long as it stays in order. */
	set_frag(&fs, 2, 0, 60, 2048);
	p = packet(2, 1);
	assert_int_equal(dp_validate_rx_packet(&p, 63, &cursor, 3, 2048, 9000, get_frag, &fs, &fr, out, err), 0);
	assert_int_equal(cursor, 3);

	/* Ignored packets carry nothing and are not looked into. */
	p = packet(1234567, 0);
	p.Ignore = 1;
	fs.fetches = 0;
	assert_int_equal(dp_validate_rx_packet(&p, 63, &cursor, 3, 2048, 9000, get_frag, &fs, &fr, out, err), 0);
	assert_true(fr.ignore);
	assert_int_equal(fs.fetches, 0);
}

#define EXPECT_BAD(pkt, cursor0, limit, needle)                                                        \
	do {                                                                                           \
		uint32_t c = (cursor0);                                                                \
		NET_PACKET pp = (pkt);                                                                 \
		assert_int_equal(dp_validate_rx_packet(&pp, 63, &c, (limit), 2048, 1514, get_frag,   \
						       &fs, &fr, out, err),                            \
				 -EPROTO);                                                             \
		assert_non_null(strstr(err, (needle)));                                                \
		assert_int_equal(c, (cursor0)); /* untouched */                                        \
	} while (0)

static void test_rx_each_rule(void **state)
{
	struct frags fs = { 0 };
	struct dp_rx_frame fr;
	struct dp_rx_fragment out[DP_MAX_FRAGS_PER_PACKET];
	char err[DP_ERR_MAX];

	(void)state;
	for (int i = 0; i < 64; i++)
		set_frag(&fs, (uint32_t)i, 0, 100, 2048);

	EXPECT_BAD(packet(5, 0), 5, 10, "FragmentCount 0");
	EXPECT_BAD(packet(5, 65), 5, 10, "FragmentCount 65");
	EXPECT_BAD(packet(64, 1), 5, 10, "beyond the fragment ring");
	/* Before the cursor: a fragment an earlier packet already used. */
	EXPECT_BAD(packet(4, 1), 5, 10, "outside the returned fragments not yet used [5, +5)");
	/* Past the returned range. */
	EXPECT_BAD(packet(10, 1), 5, 10, "outside");
	EXPECT_BAD(packet(8, 3), 5, 10, "outside");
	/* Descriptor contents. */
	set_frag(&fs, 5, 0, 100, 4096);
	EXPECT_BAD(packet(5, 1), 5, 10, "Capacity changed from 2048 to 4096");
	set_frag(&fs, 5, 1000, 1100, 2048);
	EXPECT_BAD(packet(5, 1), 5, 10, "Offset 1000 + ValidLength 1100 exceeds Capacity 2048");
	set_frag(&fs, 5, 0, 1000, 2048);
	set_frag(&fs, 6, 0, 1000, 2048);
	EXPECT_BAD(packet(5, 2), 5, 10, "exceeds the maximum frame size 1514");
}

static void test_layout_parse(void **state)
{
	uint8_t f[80] = { 0 };
	NET_PACKET_LAYOUT l;

	(void)state;
	f[12] = 0x08;
	f[13] = 0x00;
	f[14] = 0x45;
	f[23] = 6;
	f[14 + 20 + 12] = 0x50;
	dp_parse_layout(f, sizeof(f), &l);
	assert_int_equal(l.Layer2Type, NetPacketLayer2TypeEthernet);
	assert_int_equal(l.Layer2HeaderLength, 14);
	assert_int_equal(l.Layer3Type, NetPacketLayer3TypeIPv4NoOptions);
	assert_int_equal(l.Layer3HeaderLength, 20);
	assert_int_equal(l.Layer4Type, NetPacketLayer4TypeTcp);
	assert_int_equal(l.Layer4HeaderLength, 20);
	/* Truncated frames never read past their end. */
	for (uint32_t n = 0; n < sizeof(f); n++)
		dp_parse_layout(f, n, &l);
	dp_parse_layout(f, 10, &l);
	assert_int_equal(l.Layer2Type, NetPacketLayer2TypeUnspecified);
}

static void test_layout_compute(void **state)
{
	struct umn_queue_layout l;

	(void)state;
	umn_queue_layout_compute(&l, UMN_QUEUE_RX, 0, 100, 0, 1514, 0);
	assert_int_equal(l.pkt_count, 128);
	assert_int_equal(l.frag_count, 128);
	assert_int_equal(l.buf_size, 2048);
	assert_int_equal(l.buf_off % 4096, 0);
	assert_true(l.frag_ring_off >= l.pkt_ring_off + 64 + 128 * UMN_PKT_STRIDE);
	assert_int_equal(umn_queue_layout_check(&l), 0);
	l.buf_off += 64;
	assert_int_equal(umn_queue_layout_check(&l), -EINVAL);
	umn_queue_layout_compute(&l, UMN_QUEUE_TX, 0, 1u << 30, 3, 1u << 30, 100000);
	assert_int_equal(l.pkt_count, UMN_RING_MAX);
	assert_int_equal(l.buf_size, UMN_BUF_MAX);
	assert_int_equal(l.backfill, UMN_BACKFILL_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_returned_count_basic), cmocka_unit_test(test_returned_count_wraps),
		cmocka_unit_test(test_rx_good_packets),	     cmocka_unit_test(test_rx_each_rule),
		cmocka_unit_test(test_layout_parse),	     cmocka_unit_test(test_layout_compute),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
