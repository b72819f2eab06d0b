// SPDX-License-Identifier: MIT
/* WDFCOLLECTION: an array of referenced object pointers behind a mutex. */
#include <stdlib.h>

#include <wdf.h>

#include "common/log.h"
#include "runtime/wdf/object.h"

struct umn_collection {
	struct umn_object obj;
	pthread_mutex_t lock;
	struct umn_object **items;
	ULONG count;
	ULONG cap;
};

/* Drops every item's reference when the collection is deleted, as WDF does. */
static void collection_on_delete(struct umn_object *o)
{
	struct umn_collection *c = (struct umn_collection *)o;
	struct umn_object **items;
	ULONG n;

	pthread_mutex_lock(&c->lock);
	items = c->items;
	n = c->count;
	c->items = NULL;
	c->count = c->cap = 0;
	pthread_mutex_unlock(&c->lock);
	for (ULONG i = 0; i < n; i++)
		umn_object_dereference(items[i]);
	free(items);
}

static void collection_on_destroy(struct umn_object *o)
{
	struct umn_collection *c = (struct umn_collection *)o;

	pthread_mutex_destroy(&c->lock);
}

static const struct umn_object_ops collection_ops = {
    .on_delete = collection_on_delete,
    .on_destroy = collection_on_destroy,
};

static struct umn_collection *collection_get(const char *fn, WDFCOLLECTION h)
{
	struct umn_object *o = umn_object_from_handle(h, UMN_OBJ_COLLECTION);

	if (!o)
		umn_log(UMN_LOG_ERR, "%s: %p is not a WDFCOLLECTION", fn, (void *)h);
	return (struct umn_collection *)o;
}

NTSTATUS WdfCollectionCreate(PWDF_OBJECT_ATTRIBUTES CollectionAttributes, WDFCOLLECTION *Collection)
{
	struct umn_collection *c;
	struct umn_object *o;
	NTSTATUS st;

	if (!Collection) {
		umn_log(UMN_LOG_ERR, "WdfCollectionCreate: Collection is NULL");
		return STATUS_INVALID_PARAMETER;
	}
	st = umn_object_create(UMN_OBJ_COLLECTION, sizeof(*c), CollectionAttributes,
			       umn_object_driver(), &collection_ops, &o);
	if (!NT_SUCCESS(st))
		return st;
	c = (struct umn_collection *)o;
	pthread_mutex_init(&c->lock, NULL);
	*Collection = (WDFCOLLECTION)umn_object_handle(o);
	return STATUS_SUCCESS;
}

ULONG WdfCollectionGetCount(WDFCOLLECTION Collection)
{
	struct umn_collection *c = collection_get("WdfCollectionGetCount", Collection);
	ULONG n;

	if (!c)
		return 0;
	pthread_mutex_lock(&c->lock);
	n = c->count;
	pthread_mutex_unlock(&c->lock);
	return n;
}

NTSTATUS WdfCollectionAdd(WDFCOLLECTION Collection, WDFOBJECT Object)
{
	struct umn_collection *c = collection_get("WdfCollectionAdd", Collection);
	struct umn_object *o = umn_object_from_handle(Object, UMN_OBJ__MAX);
	NTSTATUS st = STATUS_SUCCESS;

	if (!c)
		return STATUS_INVALID_PARAMETER;
	if (!o) {
		umn_log(UMN_LOG_ERR, "WdfCollectionAdd: %p is not a valid framework object",
			Object);
		return STATUS_INVALID_PARAMETER;
	}
	pthread_mutex_lock(&c->lock);
	if (umn_object_is_deleted(&c->obj)) {
		st = STATUS_DELETE_PENDING;
	} else if (c->count == c->cap) {
		ULONG cap = c->cap ? c->cap * 2 : 8;
		struct umn_object **items = NULL;

		if (cap > c->cap)
			// NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers
			items = realloc(c->items, cap * sizeof(*items));

		if (!items) {
			st = STATUS_INSUFFICIENT_RESOURCES;
		} else {
			c->items = items;
			c->cap = cap;
		}
	}
	if (NT_SUCCESS(st)) {
		umn_object_reference(o);
		c->items[c->count++] = o;
	}
	pthread_mutex_unlock(&c->lock);
	return st;
}

/* Removes entry i; called with the lock held. Returns the object whose reference to drop. */
static struct umn_object *remove_at(struct umn_collection *c, ULONG i)
{
	struct umn_object *o = c->items[i];

	for (; i + 1 < c->count; i++)
		c->items[i] = c->items[i + 1];
	c->count--;
	return o;
}

VOID WdfCollectionRemove(WDFCOLLECTION Collection, WDFOBJECT Item)
{
	struct umn_collection *c = collection_get("WdfCollectionRemove", Collection);
	struct umn_object *found = NULL;

	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	for (ULONG i = 0; i < c->count; i++) {
		if (umn_object_handle(c->items[i]) == Item) {
			found = remove_at(c, i);
			break;
		}
	}
	pthread_mutex_unlock(&c->lock);
	if (!found) {
		umn_log(UMN_LOG_ERR, "WdfCollectionRemove: %p is not in collection %p", Item,
			(void *)Collection);
		return;
	}
	umn_object_dereference(found);
}

VOID WdfCollectionRemoveItem(WDFCOLLECTION Collection, ULONG Index)
{
	struct umn_collection *c = collection_get("WdfCollectionRemoveItem", Collection);
	struct umn_object *found = NULL;
	ULONG n;

	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	n = c->count;
	if (Index < n)
		found = remove_at(c, Index);
	pthread_mutex_unlock(&c->lock);
	if (!found) {
		umn_log(UMN_LOG_ERR, "WdfCollectionRemoveItem: index %u is out of range (count %u)",
			Index, n);
		return;
	}
	umn_object_dereference(found);
}

WDFOBJECT WdfCollectionGetItem(WDFCOLLECTION Collection, ULONG Index)
{
	struct umn_collection *c = collection_get("WdfCollectionGetItem", Collection);
	WDFOBJECT h = NULL;

	if (!c)
		return NULL;
	pthread_mutex_lock(&c->lock);
	if (Index < c->count)
		h = umn_object_handle(c->items[Index]);
	pthread_mutex_unlock(&c->lock);
	return h;
}

WDFOBJECT WdfCollectionGetFirstItem(WDFCOLLECTION Collection)
{
	return WdfCollectionGetItem(Collection, 0);
}

WDFOBJECT WdfCollectionGetLastItem(WDFCOLLECTION Collection)
{
	struct umn_collection *c = collection_get("WdfCollectionGetLastItem", Collection);
	WDFOBJECT h = NULL;

	if (!c)
		return NULL;
	pthread_mutex_lock(&c->lock);
	if (c->count)
		h = umn_object_handle(c->items[c->count - 1]);
	pthread_mutex_unlock(&c->lock);
	return h;
}
