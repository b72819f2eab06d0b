/* SPDX-License-Identifier: MIT */
/*
 * The framework object base. Every WDF and NetAdapterCx object embeds a
 * struct umn_object as its first member; the driver-visible handle is the
 * address of that struct.
 *
 * Lifetime rules (what WDF documents):
 *  - An object starts with one reference, the creation reference, and a
 *    parent (unless it is the driver or was given none).
 *  - umn_object_delete() deletes the children first, most recently created
 *    first, then runs EvtCleanupCallback (the object's, then those of contexts
 *    added by WdfObjectAllocateContext), then ops->on_delete, then drops the
 *    creation reference.
 *  - When the last reference goes: EvtDestroyCallback(s), ops->on_destroy,
 *    the reference on the parent is released and the memory freed. A child
 *    keeps its parent's memory alive, so a parent is destroyed after all its
 *    children.
 * Callbacks run without any framework lock held, so they may create, delete,
 * reference and dereference other objects.
 */
#ifndef UMNIC_RUNTIME_OBJECT_H
#define UMNIC_RUNTIME_OBJECT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <wdfobject.h>

enum umn_object_type {
	UMN_OBJ_GENERIC = 1,
	UMN_OBJ_DRIVER,
	UMN_OBJ_DEVICE,
	UMN_OBJ_QUEUE,
	UMN_OBJ_REQUEST,
	UMN_OBJ_FILEOBJECT,
	UMN_OBJ_MEMORY,
	UMN_OBJ_KEY,
	UMN_OBJ_STRING,
	UMN_OBJ_SPINLOCK,
	UMN_OBJ_WAITLOCK,
	UMN_OBJ_TIMER,
	UMN_OBJ_WORKITEM,
	UMN_OBJ_COLLECTION,
	UMN_OBJ_IOTARGET,
	UMN_OBJ_CMRESLIST,
	UMN_OBJ_ADAPTER,
	UMN_OBJ_PACKETQUEUE,
	UMN_OBJ_CONFIGURATION,
	UMN_OBJ_RECEIVEFILTER,
	UMN_OBJ_OFFLOAD,
	UMN_OBJ_DMAENABLER,
	UMN_OBJ_COMMONBUFFER,
	UMN_OBJ_DPC,
	UMN_OBJ_WMIPROVIDER,
	UMN_OBJ_WMIINSTANCE,
	UMN_OBJ__MAX
};

struct umn_object;

struct umn_object_ops {
	/* Type teardown, after the children are deleted and after EvtCleanupCallback. */
	void (*on_delete)(struct umn_object *o);
	/* Just before the memory is freed (after EvtDestroyCallback). */
	void (*on_destroy)(struct umn_object *o);
};

struct umn_context;

/* Sibling links; the tree lock in object.c protects them. */
struct umn_object_link {
	struct umn_object_link *prev, *next;
};

struct umn_object {
	uint32_t magic;
	enum umn_object_type type;
	atomic_int refcount;
	/* UMN_OBJF_* bits; under the tree lock. */
	unsigned flags;
	const struct umn_object_ops *ops;
	struct umn_object *parent;
	struct umn_object_link sibling;
	struct umn_object_link children;
	PFN_WDF_OBJECT_CONTEXT_CLEANUP evt_cleanup;
	PFN_WDF_OBJECT_CONTEXT_DESTROY evt_destroy;
	WDF_EXECUTION_LEVEL execution_level;
	WDF_SYNCHRONIZATION_SCOPE sync_scope;
	/* Singly linked, append-only while the object lives; readers need no lock. */
	_Atomic(struct umn_context *) contexts;
	/* WdfObjectAcquireLock; also the callback lock for devices and queues. */
	pthread_mutex_t lock;
	KIRQL lock_old_irql;
};

#define UMN_OBJECT_MAGIC 0x4f4e4d55u /* "UMNO" */
#define UMN_OBJECT_DEAD	 0x44414544u /* "DEAD" */

enum {
	UMN_OBJF_DELETING = 1u << 0,	     /* umn_object_delete() started */
	UMN_OBJF_DELETED = 1u << 1,	     /* cleanup done, creation reference dropped */
	UMN_OBJF_NO_DRIVER_DELETE = 1u << 2, /* WdfObjectDelete refuses it */
	UMN_OBJF_LEAKED = 1u << 3,	     /* last reference dropped before delete */
};

/*
 * Allocates size bytes, zeroed (size >= sizeof(struct umn_object): the object
 * struct embeds it). Validates attrs (Size, ParentObject handle, context type
 * info), allocates the typed context, links to the parent (attrs->ParentObject
 * overrides default_parent), refcount 1. attrs and ops may be NULL.
 * STATUS_INVALID_PARAMETER, STATUS_INSUFFICIENT_RESOURCES, STATUS_DELETE_PENDING
 * (the parent is being deleted). *ret untouched on failure.
 *
 * The first UMN_OBJ_DRIVER object created becomes the default parent returned
 * by umn_object_driver().
 */
NTSTATUS umn_object_create(enum umn_object_type type, size_t size,
			   const WDF_OBJECT_ATTRIBUTES *attrs, struct umn_object *default_parent,
			   const struct umn_object_ops *ops, struct umn_object **ret);

/*
 * The live object behind a handle, or NULL (bad magic, wrong type). Pass
 * UMN_OBJ__MAX as expected to accept any type. A handle whose object was
 * deleted but is still referenced is returned (check umn_object_is_deleted).
 */
struct umn_object *umn_object_from_handle(const void *handle, enum umn_object_type expected);

static inline WDFOBJECT umn_object_handle(struct umn_object *o)
{
	return (WDFOBJECT)o;
}

/* Idempotent: a second call (or a call during deletion) does nothing. */
void umn_object_delete(struct umn_object *o);

void umn_object_reference(struct umn_object *o);
void umn_object_dereference(struct umn_object *o);

struct umn_object *umn_object_parent(struct umn_object *o);

/* Extensions used by the API files. */

/* The driver object, default parent of generic/memory/string/lock/collection objects. */
struct umn_object *umn_object_driver(void);

bool umn_object_is_deleted(struct umn_object *o);

/* Makes WdfObjectDelete refuse the object (framework-owned: devices, presented requests). */
void umn_object_set_no_driver_delete(struct umn_object *o, bool on);
bool umn_object_driver_may_delete(struct umn_object *o);

/*
 * Resolved execution level: the first explicit level found walking up the
 * parents; Dispatch in kernel mode and Passive otherwise when none says.
 */
WDF_EXECUTION_LEVEL umn_object_execution_level(struct umn_object *o);

/*
 * The object whose lock serializes callbacks of o's children that ask for
 * automatic serialization: the nearest device (scope Device) or queue
 * (scope Queue) at or above o, per the first explicit scope walking up. NULL
 * when the scope is None.
 */
struct umn_object *umn_object_sync_owner(struct umn_object *o);

/* The object lock; raises to DISPATCH_LEVEL when the object's level is dispatch. */
void umn_object_lock(struct umn_object *o);
void umn_object_unlock(struct umn_object *o);

/*
 * Adds a context of attrs->ContextTypeInfo (with attrs' cleanup/destroy
 * callbacks). STATUS_OBJECT_NAME_EXISTS with *ret the existing area when the
 * type is there already.
 */
NTSTATUS umn_object_add_context(struct umn_object *o, const WDF_OBJECT_ATTRIBUTES *attrs,
				void **ret);

/* The context of the given type (any descriptor of it), or NULL. */
void *umn_object_context(struct umn_object *o, PCWDF_OBJECT_CONTEXT_TYPE_INFO type);

/* The object owning a context area, or NULL if ctx is not one. */
struct umn_object *umn_object_from_context(const void *ctx);

/* Validates caller-supplied attributes; logs with fn as the entry point name. */
NTSTATUS umn_object_check_attributes(const char *fn, const WDF_OBJECT_ATTRIBUTES *attrs);

const char *umn_object_type_name(enum umn_object_type type);

/* Number of live objects (tests and leak reports). */
unsigned long umn_object_live_count(void);

#endif
