/* SPDX-License-Identifier: MIT */
/*
 * A table from 64-bit ids to objects: a chained hash over buckets the owner
 * provides, with the node inside the object (as a list node would be), so
 * adding and removing never allocates. A key may be qualified by an owner
 * pointer (umnicd's clients each number their requests from 1), and the
 * hash may be seeded where a peer chooses the keys, so it cannot aim them
 * all at one bucket. Used for requests by id in libumnic, umnicd and the
 * runtime, and for the runtime's handles, cookies and file objects.
 */
#ifndef UMNIC_COMMON_IDTAB_H
#define UMNIC_COMMON_IDTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct umn_idnode {
	struct umn_idnode *next, **pprev; /* pprev NULL: in no table */
	const void *owner;
	uint64_t key;
};

struct umn_idtab {
	struct umn_idnode **bucket; /* mask + 1 of them */
	uint32_t mask;
	uint64_t seed;
	/* Nodes looked at by umn_idtab_find, in all: what tests measure the cost by. */
	uint64_t visits;
};

/* A static table over the array storage (a power of two of bucket pointers), unseeded. */
#define UMN_IDTAB_INIT(storage)                                                                    \
	{                                                                                          \
		.bucket = (storage), .mask = sizeof(storage) / sizeof((storage)[0]) - 1            \
	}
/* The object a node is part of: UMN_IDTAB_ENTRY(n, struct req, node). */
#define UMN_IDTAB_ENTRY(n, type, member) ((type *)((char *)(n)-offsetof(type, member)))

/*
 * An empty table over n buckets (a power of two) at bucket; seeded: a
 * random hash seed, for keys a peer chooses.
 */
void umn_idtab_init(struct umn_idtab *t, struct umn_idnode **bucket, uint32_t n, bool seeded);
void umn_idtab_add(struct umn_idtab *t, struct umn_idnode *n, const void *owner, uint64_t key);
/* Safe on a node that is in no table. */
void umn_idtab_del(struct umn_idnode *n);
/* The node added last with this owner and key, or NULL. */
struct umn_idnode *umn_idtab_find(struct umn_idtab *t, const void *owner, uint64_t key);

static inline bool umn_idtab_linked(const struct umn_idnode *n)
{
	return n->pprev != NULL;
}

#endif
