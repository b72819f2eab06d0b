/* SPDX-License-Identifier: MIT */
/*
 * The reflector's per-client indexes (umnicd/io/iotab.h): a client's request is
 * found by (client, id) at a cost that does not grow with what other
 * clients hold. The table counts the nodes each lookup visits; the checks
 * are on those counts, not on time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "umnicd/io/iotab.h"

/* As in umnicd: half the buckets at most are in use (its table holds 32,768 requests). */
#define FULL 32768u

struct req {
	struct umn_idnode node;
	struct umn_list cl;
	uint64_t id;
};

static struct umn_idtab tab;
static struct umn_idnode *buckets[IOTAB_BUCKETS];

/* Visits per lookup of n ids of owner, none of which exist when absent is set. */
static double visits_per_lookup(const void *owner, unsigned n, bool absent)
{
	uint64_t before = tab.visits;

	for (unsigned i = 0; i < n; i++) {
		struct umn_idnode *f = umn_idtab_find(&tab, owner, absent ? 0xC0000000u + i : i);

		if (absent)
			assert_null(f);
		else
			assert_non_null(f);
	}
	return (double)(tab.visits - before) / n;
}

static void test_cost_independent_of_others(void **state)
{
	static struct req mine[16], others[FULL];
	int owner_a, owner_b[64];
	double empty_hit, empty_miss, full_hit, full_miss;

	(void)state;
	umn_idtab_init(&tab, buckets, IOTAB_BUCKETS, true);
	for (unsigned i = 0; i < 16; i++)
		umn_idtab_add(&tab, &mine[i].node, &owner_a, i);
	empty_hit = visits_per_lookup(&owner_a, 16, false);
	empty_miss = visits_per_lookup(&owner_a, 100000, true);

	/* 32,768 requests of 64 other clients, 512 each, with the same ids as ours and more. */
	for (unsigned i = 0; i < FULL; i++)
		umn_idtab_add(&tab, &others[i].node, &owner_b[i % 64], i / 64);
	full_hit = visits_per_lookup(&owner_a, 16, false);
	full_miss = visits_per_lookup(&owner_a, 100000, true);

	print_message("visits per lookup: empty %.2f/%.2f, full %.2f/%.2f (hit/miss)\n", empty_hit,
		      empty_miss, full_hit, full_miss);
	/* A chain holds about FULL / IOTAB_BUCKETS = 0.5 others: a CANCEL looks at one or two nodes. */
	assert_true(full_hit <= 3.0);
	assert_true(full_miss <= 2.0);
	assert_true(empty_miss <= 0.1);

	for (unsigned i = 0; i < FULL; i++)
		umn_idtab_del(&others[i].node);
	assert_true(visits_per_lookup(&owner_a, 100000, true) <= 0.1);
	for (unsigned i = 0; i < 16; i++)
		umn_idtab_del(&mine[i].node);
}

static void test_same_id_twice_and_delete(void **state)
{
	struct req a = { 0 }, b = { 0 };
	int owner, other;

	(void)state;
	umn_idtab_init(&tab, buckets, IOTAB_BUCKETS, true);
	umn_idtab_add(&tab, &a.node, &owner, 7);
	umn_idtab_add(&tab, &b.node, &owner, 7);
	/* The one added last is found first; deleting it uncovers the other. */
	assert_ptr_equal(umn_idtab_find(&tab, &owner, 7), &b.node);
	assert_null(umn_idtab_find(&tab, &other, 7));
	umn_idtab_del(&b.node);
	umn_idtab_del(&b.node); /* twice is harmless */
	assert_ptr_equal(umn_idtab_find(&tab, &owner, 7), &a.node);
	umn_idtab_del(&a.node);
	assert_null(umn_idtab_find(&tab, &owner, 7));
}

static void test_list(void **state)
{
	struct umn_list head;
	struct req r[3] = { { .id = 1 }, { .id = 2 }, { .id = 3 } };
	uint64_t sum = 0;

	(void)state;
	umn_list_init(&head);
	assert_true(umn_list_empty(&head));
	for (int i = 0; i < 3; i++)
		umn_list_add_head(&head, &r[i].cl);
	umn_list_del(&r[1].cl);
	umn_list_del(&r[1].cl); /* twice is harmless */
	for (struct umn_list *n = head.next; n != &head; n = n->next)
		sum += umn_list_entry(n, struct req, cl)->id;
	assert_int_equal(sum, 4);
	umn_list_del(&r[0].cl);
	umn_list_del(&r[2].cl);
	assert_true(umn_list_empty(&head));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cost_independent_of_others),
		cmocka_unit_test(test_same_id_twice_and_delete),
		cmocka_unit_test(test_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
