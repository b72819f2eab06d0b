/* SPDX-License-Identifier: MIT */
/*
 * The one intrusive doubly linked list of umnic (the runtime's I/O queues
 * and request lists, umnicd's per-client lists). A list is a head node
 * that belongs to no element; a node is linked into at most one list at a
 * time. A node that was never added (zeroed) or was removed already is
 * "not linked", and removing it again does nothing.
 */
#ifndef UMNIC_COMMON_LIST_H
#define UMNIC_COMMON_LIST_H

#include <stdbool.h>
#include <stddef.h>

struct umn_list {
	struct umn_list *prev, *next;
};

static inline void umn_list_init(struct umn_list *head)
{
	head->prev = head->next = head;
}

static inline bool umn_list_empty(const struct umn_list *head)
{
	return head->next == head;
}

/* Whether a node is in a list (zeroed and removed nodes are not). */
static inline bool umn_list_linked(const struct umn_list *n)
{
	return n->next && n->next != n;
}

static inline void umn_list_add_head(struct umn_list *head, struct umn_list *n)
{
	n->next = head->next;
	n->prev = head;
	head->next->prev = n;
	head->next = n;
}

static inline void umn_list_add_tail(struct umn_list *head, struct umn_list *n)
{
	n->prev = head->prev;
	n->next = head;
	head->prev->next = n;
	head->prev = n;
}

/* Removes n from its list; a node that is not linked stays as it is. */
static inline void umn_list_del(struct umn_list *n)
{
	if (!umn_list_linked(n))
		return;
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->prev = n->next = n;
}

/* The element a node is part of: umn_list_entry(n, struct ioreq, cl). */
#define umn_list_entry(n, type, member) ((type *)((char *)(n)-offsetof(type, member)))

#endif
