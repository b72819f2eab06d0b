// SPDX-License-Identifier: MIT
/*
 * Framework object base: allocation, parent/child tree, reference counts,
 * typed contexts. See object.h for the lifetime rules.
 *
 * One process-wide mutex guards the tree (sibling links, flags, the driver
 * root). Deletion is rare and never on a datapath, so a single lock is
 * simpler than per-object locking and cannot deadlock between parent and
 * child. It is never held while a driver callback runs.
 */
#include "runtime/wdf/object.h"

#include <errno.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "runtime/wdf/irql.h"

#define UMN_CONTEXT_MAGIC 0x58544e43u /* "CNTX" */

struct umn_context {
	uint32_t magic;
	/* Allocated on its own (WdfObjectAllocateContext) rather than with the object. */
	bool separate;
	struct umn_object *owner;
	/* The resolved (unique) descriptor of the type. */
	PCWDF_OBJECT_CONTEXT_TYPE_INFO type;
	PFN_WDF_OBJECT_CONTEXT_CLEANUP evt_cleanup;
	PFN_WDF_OBJECT_CONTEXT_DESTROY evt_destroy;
	_Atomic(struct umn_context *) next;
	alignas(max_align_t) unsigned char data[];
};

static pthread_mutex_t tree_lock = PTHREAD_MUTEX_INITIALIZER;
static struct umn_object *driver_root;
static atomic_ulong live_objects;

static const char *const type_names[UMN_OBJ__MAX] = {
    [UMN_OBJ_GENERIC] = "WDFOBJECT",
    [UMN_OBJ_DRIVER] = "WDFDRIVER",
    [UMN_OBJ_DEVICE] = "WDFDEVICE",
    [UMN_OBJ_QUEUE] = "WDFQUEUE",
    [UMN_OBJ_REQUEST] = "WDFREQUEST",
    [UMN_OBJ_FILEOBJECT] = "WDFFILEOBJECT",
    [UMN_OBJ_MEMORY] = "WDFMEMORY",
    [UMN_OBJ_KEY] = "WDFKEY",
    [UMN_OBJ_STRING] = "WDFSTRING",
    [UMN_OBJ_SPINLOCK] = "WDFSPINLOCK",
    [UMN_OBJ_WAITLOCK] = "WDFWAITLOCK",
    [UMN_OBJ_TIMER] = "WDFTIMER",
    [UMN_OBJ_WORKITEM] = "WDFWORKITEM",
    [UMN_OBJ_COLLECTION] = "WDFCOLLECTION",
    [UMN_OBJ_IOTARGET] = "WDFIOTARGET",
    [UMN_OBJ_CMRESLIST] = "WDFCMRESLIST",
    [UMN_OBJ_ADAPTER] = "NETADAPTER",
    [UMN_OBJ_PACKETQUEUE] = "NETPACKETQUEUE",
    [UMN_OBJ_CONFIGURATION] = "NETCONFIGURATION",
    [UMN_OBJ_RECEIVEFILTER] = "NETRECEIVEFILTER",
    [UMN_OBJ_OFFLOAD] = "NETOFFLOAD",
    [UMN_OBJ_DMAENABLER] = "WDFDMAENABLER",
    [UMN_OBJ_COMMONBUFFER] = "WDFCOMMONBUFFER",
    [UMN_OBJ_DPC] = "WDFDPC",
    [UMN_OBJ_WMIPROVIDER] = "WDFWMIPROVIDER",
    [UMN_OBJ_WMIINSTANCE] = "WDFWMIINSTANCE",
};

const char *umn_object_type_name(enum umn_object_type type)
{
	if ((int)type > 0 && type < UMN_OBJ__MAX && type_names[type])
		return type_names[type];
	return "object";
}

unsigned long umn_object_live_count(void)
{
	return atomic_load(&live_objects);
}

static void link_init(struct umn_object_link *l)
{
	l->prev = l->next = l;
}

static bool link_empty(const struct umn_object_link *l)
{
	return l->next == l;
}

static void link_add_tail(struct umn_object_link *head, struct umn_object_link *l)
{
	l->prev = head->prev;
	l->next = head;
	head->prev->next = l;
	head->prev = l;
}

static void link_del(struct umn_object_link *l)
{
	l->prev->next = l->next;
	l->next->prev = l->prev;
	link_init(l);
}

static size_t align_up(size_t n, size_t a)
{
	return (n + a - 1) & ~(a - 1);
}

/* The descriptor every declaration of the type agrees on. */
static PCWDF_OBJECT_CONTEXT_TYPE_INFO resolve_type(PCWDF_OBJECT_CONTEXT_TYPE_INFO ti)
{
	if (ti->EvtDriverGetUniqueContextType) {
		PCWDF_OBJECT_CONTEXT_TYPE_INFO u = ti->EvtDriverGetUniqueContextType();

		if (u)
			return u;
	}
	return ti->UniqueType ? ti->UniqueType : ti;
}

static size_t context_size(const WDF_OBJECT_ATTRIBUTES *attrs)
{
	size_t n = attrs->ContextTypeInfo->ContextSize;

	if (attrs->ContextSizeOverride > n)
		n = attrs->ContextSizeOverride;
	return n ? n : 1;
}

NTSTATUS umn_object_check_attributes(const char *fn, const WDF_OBJECT_ATTRIBUTES *attrs)
{
	PCWDF_OBJECT_CONTEXT_TYPE_INFO ti;

	if (!attrs)
		return STATUS_SUCCESS;
	if (attrs->Size != sizeof(*attrs)) {
		umn_log(UMN_LOG_ERR,
			"%s: WDF_OBJECT_ATTRIBUTES.Size is %u, expected %zu (use "
			"WDF_OBJECT_ATTRIBUTES_INIT)",
			fn, attrs->Size, sizeof(*attrs));
		return STATUS_INVALID_PARAMETER;
	}
	if (attrs->ExecutionLevel < WdfExecutionLevelInheritFromParent ||
	    attrs->ExecutionLevel > WdfExecutionLevelDispatch) {
		umn_log(UMN_LOG_ERR, "%s: invalid ExecutionLevel %d in object attributes", fn,
			(int)attrs->ExecutionLevel);
		return STATUS_INVALID_PARAMETER;
	}
	if (attrs->SynchronizationScope < WdfSynchronizationScopeInheritFromParent ||
	    attrs->SynchronizationScope > WdfSynchronizationScopeNone) {
		umn_log(UMN_LOG_ERR, "%s: invalid SynchronizationScope %d in object attributes", fn,
			(int)attrs->SynchronizationScope);
		return STATUS_INVALID_PARAMETER;
	}
	ti = attrs->ContextTypeInfo;
	if (!ti) {
		if (attrs->ContextSizeOverride) {
			umn_log(UMN_LOG_ERR,
				"%s: ContextSizeOverride set without a ContextTypeInfo", fn);
			return STATUS_INVALID_PARAMETER;
		}
		return STATUS_SUCCESS;
	}
	if (ti->Size != sizeof(*ti)) {
		umn_log(UMN_LOG_ERR,
			"%s: context type info has Size %u, expected %zu (declare it with "
			"WDF_DECLARE_CONTEXT_TYPE)",
			fn, ti->Size, sizeof(*ti));
		return STATUS_INVALID_PARAMETER;
	}
	if (attrs->ContextSizeOverride && attrs->ContextSizeOverride < ti->ContextSize) {
		umn_log(UMN_LOG_ERR,
			"%s: ContextSizeOverride %zu is smaller than the size of %s (%zu)", fn,
			attrs->ContextSizeOverride,
			ti->ContextName ? ti->ContextName : "the context", ti->ContextSize);
		return STATUS_INVALID_PARAMETER;
	}
	return STATUS_SUCCESS;
}

static void context_init(struct umn_context *c, struct umn_object *owner,
			 const WDF_OBJECT_ATTRIBUTES *attrs, bool separate)
{
	c->magic = UMN_CONTEXT_MAGIC;
	c->separate = separate;
	c->owner = owner;
	c->type = resolve_type(attrs->ContextTypeInfo);
	atomic_init(&c->next, NULL);
}

NTSTATUS umn_object_create(enum umn_object_type type, size_t size,
			   const WDF_OBJECT_ATTRIBUTES *attrs, struct umn_object *default_parent,
			   const struct umn_object_ops *ops, struct umn_object **ret)
{
	const char *name = umn_object_type_name(type);
	struct umn_object *parent = default_parent, *o;
	pthread_mutexattr_t ma;
	size_t base, total;
	NTSTATUS st;

	if (!ret || (int)type <= 0 || type >= UMN_OBJ__MAX || size < sizeof(struct umn_object)) {
		umn_log(UMN_LOG_ERR, "umn_object_create(%s): bad arguments (type %d, size %zu)",
			name, (int)type, size);
		return STATUS_INVALID_PARAMETER;
	}
	st = umn_object_check_attributes(name, attrs);
	if (!NT_SUCCESS(st))
		return st;
	if (attrs && attrs->ParentObject) {
		parent = umn_object_from_handle(attrs->ParentObject, UMN_OBJ__MAX);
		if (!parent) {
			umn_log(UMN_LOG_ERR,
				"creating %s: ParentObject %p is not a valid framework object",
				name, (void *)attrs->ParentObject);
			return STATUS_INVALID_PARAMETER;
		}
	}

	base = align_up(size, alignof(max_align_t));
	total = base;
	if (attrs && attrs->ContextTypeInfo)
		total += sizeof(struct umn_context) + context_size(attrs);
	o = calloc(1, total);
	if (!o)
		return STATUS_INSUFFICIENT_RESOURCES;

	o->magic = UMN_OBJECT_MAGIC;
	o->type = type;
	atomic_init(&o->refcount, 1);
	o->ops = ops;
	link_init(&o->sibling);
	link_init(&o->children);
	o->execution_level = WdfExecutionLevelInheritFromParent;
	o->sync_scope = WdfSynchronizationScopeInheritFromParent;
	atomic_init(&o->contexts, NULL);
	if (attrs) {
		o->evt_cleanup = attrs->EvtCleanupCallback;
		o->evt_destroy = attrs->EvtDestroyCallback;
		o->execution_level = attrs->ExecutionLevel;
		o->sync_scope = attrs->SynchronizationScope;
		if (attrs->ContextTypeInfo) {
			struct umn_context *c = (struct umn_context *)((char *)o + base);

			context_init(c, o, attrs, false);
			atomic_init(&o->contexts, c);
		}
	}
	/* Error checking turns a recursive WdfObjectAcquireLock into a log line, not a hang. */
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_ERRORCHECK);
	pthread_mutex_init(&o->lock, &ma);
	pthread_mutexattr_destroy(&ma);

	pthread_mutex_lock(&tree_lock);
	if (parent) {
		if (parent->flags & UMN_OBJF_DELETING) {
			pthread_mutex_unlock(&tree_lock);
			umn_log(UMN_LOG_ERR, "creating %s: parent %s %p is being deleted", name,
				umn_object_type_name(parent->type), (void *)parent);
			pthread_mutex_destroy(&o->lock);
			o->magic = UMN_OBJECT_DEAD;
			free(o);
			return STATUS_DELETE_PENDING;
		}
		/* The child's reference keeps the parent's memory until the child is destroyed. */
		atomic_fetch_add(&parent->refcount, 1);
		o->parent = parent;
		link_add_tail(&parent->children, &o->sibling);
	}
	if (type == UMN_OBJ_DRIVER && !driver_root)
		driver_root = o;
	pthread_mutex_unlock(&tree_lock);

	atomic_fetch_add(&live_objects, 1);
	*ret = o;
	return STATUS_SUCCESS;
}

struct umn_object *umn_object_from_handle(const void *handle, enum umn_object_type expected)
{
	const struct umn_object *o = handle;

	/* Catch small integers and misaligned garbage before touching memory. */
	if ((uintptr_t)o < 4096 || ((uintptr_t)o & (alignof(struct umn_object) - 1)))
		return NULL;
	if (o->magic != UMN_OBJECT_MAGIC)
		return NULL;
	if (expected != UMN_OBJ__MAX && o->type != expected)
		return NULL;
	return (struct umn_object *)o;
}

struct umn_object *umn_object_parent(struct umn_object *o)
{
	return o ? o->parent : NULL;
}

struct umn_object *umn_object_driver(void)
{
	struct umn_object *d;

	pthread_mutex_lock(&tree_lock);
	d = driver_root;
	pthread_mutex_unlock(&tree_lock);
	return d;
}

bool umn_object_is_deleted(struct umn_object *o)
{
	bool deleted;

	pthread_mutex_lock(&tree_lock);
	deleted = (o->flags & (UMN_OBJF_DELETING | UMN_OBJF_DELETED)) != 0;
	pthread_mutex_unlock(&tree_lock);
	return deleted;
}

void umn_object_set_no_driver_delete(struct umn_object *o, bool on)
{
	pthread_mutex_lock(&tree_lock);
	if (on)
		o->flags |= UMN_OBJF_NO_DRIVER_DELETE;
	else
		o->flags &= ~UMN_OBJF_NO_DRIVER_DELETE;
	pthread_mutex_unlock(&tree_lock);
}

bool umn_object_driver_may_delete(struct umn_object *o)
{
	bool may;

	pthread_mutex_lock(&tree_lock);
	may = !(o->flags & UMN_OBJF_NO_DRIVER_DELETE);
	pthread_mutex_unlock(&tree_lock);
	return may;
}

static void object_destroy(struct umn_object *o)
{
	WDFOBJECT h = umn_object_handle(o);
	struct umn_object *parent;
	struct umn_context *c, *next;

	if (o->evt_destroy)
		o->evt_destroy(h);
	for (c = atomic_load(&o->contexts); c; c = atomic_load(&c->next))
		if (c->evt_destroy)
			c->evt_destroy(h);
	if (o->ops && o->ops->on_destroy)
		o->ops->on_destroy(o);

	pthread_mutex_lock(&tree_lock);
	if (driver_root == o)
		driver_root = NULL;
	parent = o->parent;
	o->parent = NULL;
	pthread_mutex_unlock(&tree_lock);

	for (c = atomic_load(&o->contexts); c; c = next) {
		next = atomic_load(&c->next);
		c->magic = UMN_CONTEXT_MAGIC ^ UMN_OBJECT_DEAD;
		if (c->separate)
			free(c);
	}
	pthread_mutex_destroy(&o->lock);
	/* A stale handle now fails the magic check (until the memory is reused). */
	o->magic = UMN_OBJECT_DEAD;
	free(o);
	atomic_fetch_sub(&live_objects, 1);

	if (parent)
		umn_object_dereference(parent);
}

void umn_object_reference(struct umn_object *o)
{
	int old;

	if (!o)
		return;
	old = atomic_fetch_add(&o->refcount, 1);
	if (old <= 0)
		umn_log(UMN_LOG_ERR, "%s %p referenced after its last reference was released",
			umn_object_type_name(o->type), (void *)o);
}

void umn_object_dereference(struct umn_object *o)
{
	bool deleted;
	int old;

	if (!o)
		return;
	old = atomic_load(&o->refcount);
	do {
		if (old <= 0) {
			/*
			 * The analyzer's one path here has umn_object_delete free a child its
			 * deleting parent still holds (refcount > 0, hidden from it by the
			 * atomics).
			 */
			// NOLINTBEGIN(clang-analyzer-unix.Malloc)
			umn_log(UMN_LOG_ERR, "%s %p dereferenced more often than referenced",
				umn_object_type_name(o->type), (void *)o);
			// NOLINTEND(clang-analyzer-unix.Malloc)
			return;
		}
	} while (!atomic_compare_exchange_weak(&o->refcount, &old, old - 1));
	if (old != 1)
		return;

	pthread_mutex_lock(&tree_lock);
	// NOLINTNEXTLINE(clang-analyzer-unix.Malloc): as above
	deleted = (o->flags & UMN_OBJF_DELETED) != 0;
	if (!deleted)
		o->flags |= UMN_OBJF_LEAKED;
	pthread_mutex_unlock(&tree_lock);
	if (deleted) {
		object_destroy(o);
		return;
	}
	/* The driver released the creation reference itself; destroy at delete time. */
	umn_log(UMN_LOG_ERR,
		"%s %p: last reference released before the object was deleted (unbalanced "
		"WdfObjectDereference)",
		umn_object_type_name(o->type), (void *)o);
}

void umn_object_delete(struct umn_object *o)
{
	WDFOBJECT h = umn_object_handle(o);
	struct umn_context *c;
	bool leaked, held;

	if (!o)
		return;
	pthread_mutex_lock(&tree_lock);
	if (o->flags & UMN_OBJF_DELETING) {
		pthread_mutex_unlock(&tree_lock);
		return;
	}
	o->flags |= UMN_OBJF_DELETING;
	/* Off the parent's list now, so a parent deleted concurrently does not pick it again. */
	link_del(&o->sibling);
	if (driver_root == o)
		driver_root = NULL;
	pthread_mutex_unlock(&tree_lock);

	/* Children first, newest first. New children cannot appear: creation checks DELETING. */
	for (;;) {
		struct umn_object *child;

		pthread_mutex_lock(&tree_lock);
		if (link_empty(&o->children)) {
			pthread_mutex_unlock(&tree_lock);
			break;
		}
		child = (struct umn_object *)((char *)o->children.prev -
					      offsetof(struct umn_object, sibling));
		atomic_fetch_add(&child->refcount, 1);
		pthread_mutex_unlock(&tree_lock);
		umn_object_delete(child);
		umn_object_dereference(child);
	}

	if (o->evt_cleanup)
		o->evt_cleanup(h);
	for (c = atomic_load(&o->contexts); c; c = atomic_load(&c->next))
		if (c->evt_cleanup)
			c->evt_cleanup(h);
	if (o->ops && o->ops->on_delete)
		o->ops->on_delete(o);

	pthread_mutex_lock(&tree_lock);
	o->flags |= UMN_OBJF_DELETED;
	leaked = (o->flags & UMN_OBJF_LEAKED) != 0;
	/*
	 * A leaked object may be held again since (a parent deleting its children holds each
	 * one across the delete): the holder's last dereference destroys it, being DELETED.
	 */
	held = atomic_load(&o->refcount) > 0;
	pthread_mutex_unlock(&tree_lock);
	if (leaked && !held)
		object_destroy(o);
	else if (!leaked)
		umn_object_dereference(o);
}

WDF_EXECUTION_LEVEL umn_object_execution_level(struct umn_object *o)
{
	for (; o; o = o->parent)
		if (o->execution_level == WdfExecutionLevelPassive ||
		    o->execution_level == WdfExecutionLevelDispatch)
			return o->execution_level;
	return umn_runtime_kernel_mode() ? WdfExecutionLevelDispatch : WdfExecutionLevelPassive;
}

static struct umn_object *nearest_of_type(struct umn_object *o, enum umn_object_type type)
{
	for (; o; o = o->parent)
		if (o->type == type)
			return o;
	return NULL;
}

struct umn_object *umn_object_sync_owner(struct umn_object *o)
{
	struct umn_object *p, *owner;

	for (p = o; p; p = p->parent) {
		switch (p->sync_scope) {
		case WdfSynchronizationScopeNone:
			return NULL;
		case WdfSynchronizationScopeDevice:
			owner = nearest_of_type(o, UMN_OBJ_DEVICE);
			return owner ? owner : p;
		case WdfSynchronizationScopeQueue:
			owner = nearest_of_type(o, UMN_OBJ_QUEUE);
			return owner ? owner : p;
		default:
			break;
		}
	}
	return NULL;
}

void umn_object_lock(struct umn_object *o)
{
	KIRQL old = PASSIVE_LEVEL;
	bool raise = umn_object_execution_level(o) == WdfExecutionLevelDispatch;
	int err;

	if (raise)
		old = umn_irql_raise(DISPATCH_LEVEL);
	err = pthread_mutex_lock(&o->lock);
	if (err) {
		umn_log(UMN_LOG_ERR, "lock of %s %p: %s (acquired twice by the same thread?)",
			umn_object_type_name(o->type), (void *)o, strerror(err));
		if (raise)
			umn_irql_lower(old);
		return;
	}
	o->lock_old_irql = raise ? old : umn_irql_current();
}

void umn_object_unlock(struct umn_object *o)
{
	KIRQL old = o->lock_old_irql;
	int err;

	err = pthread_mutex_unlock(&o->lock);
	if (err) {
		umn_log(UMN_LOG_ERR, "unlock of %s %p: %s (not held by this thread)",
			umn_object_type_name(o->type), (void *)o, strerror(err));
		return;
	}
	if (old < umn_irql_current())
		umn_irql_lower(old);
}

void *umn_object_context(struct umn_object *o, PCWDF_OBJECT_CONTEXT_TYPE_INFO type)
{
	PCWDF_OBJECT_CONTEXT_TYPE_INFO want = resolve_type(type);
	struct umn_context *c;

	/* Acquire: pairs with the release in umn_object_add_context() (lock-free readers). */
	for (c = atomic_load_explicit(&o->contexts, memory_order_acquire); c;
	     c = atomic_load_explicit(&c->next, memory_order_acquire))
		if (c->type == want)
			return c->data;
	return NULL;
}

NTSTATUS umn_object_add_context(struct umn_object *o, const WDF_OBJECT_ATTRIBUTES *attrs,
				void **ret)
{
	_Atomic(struct umn_context *) *tail;
	struct umn_context *c;
	void *existing;
	size_t n;

	if (!attrs || !attrs->ContextTypeInfo) {
		umn_log(UMN_LOG_ERR, "WdfObjectAllocateContext: attributes without a context type");
		return STATUS_INVALID_PARAMETER;
	}
	n = context_size(attrs);
	c = calloc(1, sizeof(*c) + n);
	if (!c)
		return STATUS_INSUFFICIENT_RESOURCES;
	context_init(c, o, attrs, true);
	c->evt_cleanup = attrs->EvtCleanupCallback;
	c->evt_destroy = attrs->EvtDestroyCallback;

	/* The tree lock orders concurrent appends; readers walk the list without it. */
	pthread_mutex_lock(&tree_lock);
	if (o->flags & UMN_OBJF_DELETING) {
		pthread_mutex_unlock(&tree_lock);
		free(c);
		umn_log(UMN_LOG_ERR, "WdfObjectAllocateContext: %s %p is being deleted",
			umn_object_type_name(o->type), (void *)o);
		return STATUS_DELETE_PENDING;
	}
	existing = umn_object_context(o, attrs->ContextTypeInfo);
	if (existing) {
		pthread_mutex_unlock(&tree_lock);
		free(c);
		if (ret)
			*ret = existing;
		return STATUS_OBJECT_NAME_EXISTS;
	}
	tail = &o->contexts;
	while (atomic_load(tail))
		tail = &atomic_load(tail)->next;
	/* Release: pairs with the acquires in umn_object_context(); c is complete when seen. */
	atomic_store_explicit(tail, c, memory_order_release);
	pthread_mutex_unlock(&tree_lock);
	if (ret)
		*ret = c->data;
	return STATUS_SUCCESS;
}

struct umn_object *umn_object_from_context(const void *ctx)
{
	const struct umn_context *c;

	if ((uintptr_t)ctx < 4096 + sizeof(struct umn_context) ||
	    ((uintptr_t)ctx & (alignof(max_align_t) - 1)))
		return NULL;
	c = (const struct umn_context *)((const char *)ctx - offsetof(struct umn_context, data));
	if (c->magic != UMN_CONTEXT_MAGIC)
		return NULL;
	return umn_object_from_handle(c->owner, UMN_OBJ__MAX);
}
