/* SPDX-License-Identifier: MIT */
/*
 * The reflector's per-client indexes. A client names its requests by ids of
 * its own choosing, so a CANCEL is looked up by (client, id) in a chained
 * hash, and each client keeps lists of its own requests and handles: what
 * one client does costs in proportion to its own requests, never to the
 * size of umnicd's tables or to what other clients hold.
 */
#ifndef UMNIC_UMNICD_IOTAB_H
#define UMNIC_UMNICD_IOTAB_H

#include <stdbool.h>
#include <stdint.h>

/* A circular doubly linked list; the head is a node that belongs to no element. */
struct iolist {
	struct iolist *prev, *next;
};

static inline void iolist_init(struct iolist *head)
{
	head->prev = head->next = head;
}

static inline bool iolist_empty(const struct iolist *head)
{
	return head->next == head;
}

static inline void iolist_add(struct iolist *head, struct iolist *n)
{
	n->next = head->next;
	n->prev = head;
	head->next->prev = n;
	head->next = n;
}

/* Safe on a node that was never added or was removed already (both NULL). */
static inline void iolist_del(struct iolist *n)
{
	if (!n->next)
		return;
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->prev = n->next = NULL;
}

/* The element a list node is part of: IOLIST_ENTRY(n, struct ioreq, cl). */
#define IOLIST_ENTRY(n, type, member) ((type *)((char *)(n) - offsetof(type, member)))

#define IOTAB_BUCKETS 65536u /* power of two */

struct iotab_node {
	struct iotab_node *next, **pprev;
	const void *owner;
	uint64_t key;
};

struct iotab {
	struct iotab_node *bucket[IOTAB_BUCKETS];
	uint64_t seed;
	/* Nodes looked at by iotab_find, in all: what tests measure the cost by. */
	uint64_t visits;
};

/* Picks the hash seed (clients must not be able to aim at one bucket). */
void iotab_init(struct iotab *t);
void iotab_add(struct iotab *t, struct iotab_node *n, const void *owner, uint64_t key);
/* Safe on a node that is not in the table. */
void iotab_del(struct iotab_node *n);
/* The node added last with this owner and key, or NULL. */
struct iotab_node *iotab_find(struct iotab *t, const void *owner, uint64_t key);

#endif
