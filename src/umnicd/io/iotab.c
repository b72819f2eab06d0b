/* SPDX-License-Identifier: MIT */
/*
 * The reflector's per-client request index (iotab.h): a chained hash keyed
 * by (client, request id) with a random seed per table, so no client can
 * choose ids that collide, and a lookup costs what the client itself holds.
 */
#include <stddef.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "umnicd/io/iotab.h"

void iotab_init(struct iotab *t)
{
	struct timespec ts;

	memset(t->bucket, 0, sizeof(t->bucket));
	t->visits = 0;
	if (getrandom(&t->seed, sizeof(t->seed), GRND_NONBLOCK) != (ssize_t)sizeof(t->seed)) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		t->seed = (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ull ^ (uint64_t)ts.tv_sec;
	}
}

/* splitmix64's finalizer over the seeded key and owner: every input bit reaches the index. */
static unsigned bucket_of(const struct iotab *t, const void *owner, uint64_t key)
{
	uint64_t x = key ^ t->seed ^ ((uint64_t)(uintptr_t)owner * 0x9e3779b97f4a7c15ull);

	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	x ^= x >> 31;
	return (unsigned)x & (IOTAB_BUCKETS - 1);
}

void iotab_add(struct iotab *t, struct iotab_node *n, const void *owner, uint64_t key)
{
	struct iotab_node **head = &t->bucket[bucket_of(t, owner, key)];

	n->owner = owner;
	n->key = key;
	n->next = *head;
	n->pprev = head;
	if (*head)
		(*head)->pprev = &n->next;
	*head = n;
}

void iotab_del(struct iotab_node *n)
{
	if (!n->pprev)
		return;
	*n->pprev = n->next;
	if (n->next)
		n->next->pprev = n->pprev;
	n->next = NULL;
	n->pprev = NULL;
}

struct iotab_node *iotab_find(struct iotab *t, const void *owner, uint64_t key)
{
	for (struct iotab_node *n = t->bucket[bucket_of(t, owner, key)]; n; n = n->next) {
		t->visits++;
		if (n->owner == owner && n->key == key)
			return n;
	}
	return NULL;
}
