/* SPDX-License-Identifier: MIT */
/*
 * The reflector's per-client indexes. A client names its requests by ids of
 * its own choosing, so a CANCEL is looked up by (client, id) in a seeded
 * id table (common/idtab.h), and each client keeps lists of its own
 * requests and handles: what one client does costs in proportion to its
 * own requests, never to the size of umnicd's tables or to what other
 * clients hold.
 */
#ifndef UMNIC_UMNICD_IOTAB_H
#define UMNIC_UMNICD_IOTAB_H

#include <stdbool.h>
#include <stdint.h>

#include "common/idtab.h"

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

/* Buckets of the index of every client's requests by (client, id) (common/idtab.h, seeded). */
#define IOTAB_BUCKETS 65536u /* power of two */

#endif
