/* SPDX-License-Identifier: MIT */
/*
 * The id table of idtab.h: a chained hash over the owner's buckets, with a
 * per-table random seed where a peer chooses the keys, so adding, finding and
 * removing never allocate and no peer can aim its ids at one bucket.
 */
#include "common/idtab.h"

#include <string.h>
#include <sys/random.h>

#include "common/clock.h"

void umn_idtab_init(struct umn_idtab *t, struct umn_idnode **bucket, uint32_t n, bool seeded)
{
	// NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers
	memset(bucket, 0, n * sizeof(*bucket));
	t->bucket = bucket;
	t->mask = n - 1;
	t->visits = 0;
	t->seed = 0;
	if (seeded &&
	    getrandom(&t->seed, sizeof(t->seed), GRND_NONBLOCK) != (ssize_t)sizeof(t->seed))
		t->seed = umn_mono_ns() * 0x9e3779b97f4a7c15ull;
}

/* splitmix64's finalizer over the seeded key and owner: every input bit reaches the index. */
static struct umn_idnode **bucket_of(const struct umn_idtab *t, const void *owner, uint64_t key)
{
	uint64_t x = key ^ t->seed ^ ((uint64_t)(uintptr_t)owner * 0x9e3779b97f4a7c15ull);

	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	x ^= x >> 31;
	return &t->bucket[(uint32_t)x & t->mask];
}

void umn_idtab_add(struct umn_idtab *t, struct umn_idnode *n, const void *owner, uint64_t key)
{
	struct umn_idnode **head = bucket_of(t, owner, key);

	n->owner = owner;
	n->key = key;
	n->next = *head;
	n->pprev = head;
	if (*head)
		(*head)->pprev = &n->next;
	*head = n;
}

void umn_idtab_del(struct umn_idnode *n)
{
	if (!n->pprev)
		return;
	*n->pprev = n->next;
	if (n->next)
		n->next->pprev = n->pprev;
	n->next = NULL;
	n->pprev = NULL;
}

struct umn_idnode *umn_idtab_find(struct umn_idtab *t, const void *owner, uint64_t key)
{
	for (struct umn_idnode *n = *bucket_of(t, owner, key); n; n = n->next) {
		t->visits++;
		if (n->owner == owner && n->key == key)
			return n;
	}
	return NULL;
}
