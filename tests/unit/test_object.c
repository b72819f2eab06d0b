// SPDX-License-Identifier: MIT
/* Framework object model: lifetime order, references, contexts, handle validation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <wdf.h>

#include "common/log.h"
#include "runtime/wdf/irql.h"
#include "runtime/wdf/object.h"

typedef struct _REC_CONTEXT {
	int id;
} REC_CONTEXT;
WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(REC_CONTEXT, GetRec)

typedef struct _BIG_CONTEXT {
	ULONG64 words[3];
} BIG_CONTEXT;
WDF_DECLARE_CONTEXT_TYPE(BIG_CONTEXT)

typedef struct _EXTRA_CONTEXT {
	int value;
} EXTRA_CONTEXT;
WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(EXTRA_CONTEXT, GetExtra)

/* Event journal: cleanup of id N is recorded as +N, destroy as -N. */
static int journal[64];
static int journal_len;

static void journal_reset(void)
{
	journal_len = 0;
	memset(journal, 0, sizeof(journal));
}

static void rec_cleanup(WDFOBJECT o)
{
	REC_CONTEXT *r = GetRec(o);

	assert_non_null(r);
	journal[journal_len++] = r->id;
}

static void rec_destroy(WDFOBJECT o)
{
	REC_CONTEXT *r = GetRec(o);

	assert_non_null(r);
	journal[journal_len++] = -r->id;
}

static int journal_index(int event)
{
	for (int i = 0; i < journal_len; i++)
		if (journal[i] == event)
			return i;
	return -1;
}

static WDFOBJECT make_rec(int id, WDFOBJECT parent)
{
	WDF_OBJECT_ATTRIBUTES a;
	WDFOBJECT o = NULL;

	WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&a, REC_CONTEXT);
	a.EvtCleanupCallback = rec_cleanup;
	a.EvtDestroyCallback = rec_destroy;
	a.ParentObject = parent;
	assert_int_equal(WdfObjectCreate(&a, &o), STATUS_SUCCESS);
	GetRec(o)->id = id;
	return o;
}

static int setup(void **state)
{
	(void)state;
	journal_reset();
	umn_runtime_set_kernel_mode(false);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	/* Every test deletes what it created; a leak shows up here. */
	assert_int_equal(umn_object_live_count(), 0);
	return 0;
}

static void test_children_deleted_before_parent(void **state)
{
	WDFOBJECT p, a, b, a1;

	(void)state;
	p = make_rec(1, NULL);
	a = make_rec(2, p);
	b = make_rec(3, p);
	a1 = make_rec(4, a);
	assert_ptr_equal(umn_object_parent(umn_object_from_handle(a1, UMN_OBJ_GENERIC)),
			 umn_object_from_handle(a, UMN_OBJ_GENERIC));

	WdfObjectDelete(p);

	/* Newest child first, each subtree bottom-up, the parent last. */
	assert_true(journal_index(3) < journal_index(4));
	assert_true(journal_index(4) < journal_index(2));
	assert_true(journal_index(2) < journal_index(1));
	/* Nothing else holds a reference, so every destroy ran, the parent's last. */
	assert_int_equal(journal_len, 8);
	assert_int_equal(journal[journal_len - 1], -1);
	for (int id = 2; id <= 4; id++) {
		assert_true(journal_index(id) < journal_index(-id));
		assert_true(journal_index(-id) < journal_index(-1));
	}
	(void)b;
}

static void test_destroy_after_last_reference(void **state)
{
	WDFOBJECT o;

	(void)state;
	o = make_rec(7, NULL);
	WdfObjectReference(o);
	WdfObjectDelete(o);
	assert_int_equal(journal_len, 1);
	assert_int_equal(journal[0], 7);
	/* Deleted but referenced: still a valid handle, its context still there. */
	assert_non_null(umn_object_from_handle(o, UMN_OBJ_GENERIC));
	assert_int_equal(GetRec(o)->id, 7);
	/* A second delete does nothing. */
	WdfObjectDelete(o);
	assert_int_equal(journal_len, 1);

	WdfObjectDereference(o);
	assert_int_equal(journal_len, 2);
	assert_int_equal(journal[1], -7);
}

static void test_referenced_child_keeps_parent(void **state)
{
	WDFOBJECT p, c;

	(void)state;
	p = make_rec(1, NULL);
	c = make_rec(2, p);
	WdfObjectReference(c);
	WdfObjectDelete(p);
	/* Both cleaned up, child first; neither destroyed while the child is referenced. */
	assert_int_equal(journal_len, 2);
	assert_int_equal(journal[0], 2);
	assert_int_equal(journal[1], 1);
	WdfObjectDereference(c);
	assert_int_equal(journal_len, 4);
	assert_int_equal(journal[2], -2);
	assert_int_equal(journal[3], -1);
}

/* A driver released a child's creation reference itself; deleting the parent still ends it once. */
static void test_leaked_child_of_deleted_parent(void **state)
{
	WDFOBJECT p, c;

	(void)state;
	p = make_rec(1, NULL);
	c = make_rec(2, p);
	WdfObjectDereference(c); /* unbalanced: logged, the object lives until it is deleted */
	assert_int_equal(journal_len, 0);
	WdfObjectDelete(p);
	assert_int_equal(journal_len, 4);
	assert_int_equal(journal[0], 2);
	assert_int_equal(journal[1], -2);
	assert_int_equal(journal[2], 1);
	assert_int_equal(journal[3], -1);
}

static void test_context_and_accessor(void **state)
{
	WDF_OBJECT_ATTRIBUTES a;
	WDFOBJECT o;
	BIG_CONTEXT *big;

	(void)state;
	WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&a, BIG_CONTEXT);
	a.ContextSizeOverride = 4096;
	assert_int_equal(WdfObjectCreate(&a, &o), STATUS_SUCCESS);
	big = WdfObjectGet_BIG_CONTEXT(o);
	assert_non_null(big);
	assert_int_equal((uintptr_t)big % 16, 0);
	assert_ptr_equal(WdfObjectGetTypedContext(o, BIG_CONTEXT), big);
	assert_ptr_equal(WdfObjectContextGetObject(big), o);
	/* Zeroed, and the override's full size is usable (ASan would object otherwise). */
	for (size_t i = 0; i < 4096; i++)
		assert_int_equal(((unsigned char *)big)[i], 0);
	memset(big, 0xa5, 4096);
	/* A type the object does not have. */
	assert_null(GetRec(o));
	WdfObjectDelete(o);
}

static int extra_cleanups;

static void extra_cleanup(WDFOBJECT o)
{
	assert_non_null(GetExtra(o));
	extra_cleanups++;
}

static void test_allocate_context(void **state)
{
	WDF_OBJECT_ATTRIBUTES a;
	WDFOBJECT o;
	PVOID ctx = NULL, again = NULL;

	(void)state;
	o = make_rec(5, NULL);
	WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&a, EXTRA_CONTEXT);
	a.EvtCleanupCallback = extra_cleanup;
	assert_int_equal(WdfObjectAllocateContext(o, &a, &ctx), STATUS_SUCCESS);
	assert_non_null(ctx);
	assert_ptr_equal(GetExtra(o), ctx);
	assert_ptr_not_equal(GetRec(o), ctx);
	assert_int_equal(GetRec(o)->id, 5);
	assert_ptr_equal(WdfObjectContextGetObject(ctx), o);

	/* The same type twice: refused with the informational status, existing area returned. */
	assert_int_equal(WdfObjectAllocateContext(o, &a, &again), STATUS_OBJECT_NAME_EXISTS);
	assert_ptr_equal(again, ctx);
	/* The type the object was created with counts too. */
	WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&a, REC_CONTEXT);
	assert_int_equal(WdfObjectAllocateContext(o, &a, &again), STATUS_OBJECT_NAME_EXISTS);
	/* No type at all. */
	WDF_OBJECT_ATTRIBUTES_INIT(&a);
	assert_int_equal(WdfObjectAllocateContext(o, &a, &again), STATUS_INVALID_PARAMETER);

	extra_cleanups = 0;
	WdfObjectDelete(o);
	assert_int_equal(extra_cleanups, 1);
	assert_int_equal(journal_index(5), 0);
}

static void test_bad_handles(void **state)
{
	_Alignas(16) unsigned char garbage[256];
	WDFOBJECT o;
	WDFSPINLOCK lock;

	(void)state;
	memset(garbage, 0x5a, sizeof(garbage));
	assert_null(umn_object_from_handle(NULL, UMN_OBJ__MAX));
	assert_null(umn_object_from_handle((void *)0x10, UMN_OBJ__MAX));
	assert_null(umn_object_from_handle(garbage, UMN_OBJ__MAX));
	assert_null(umn_object_from_handle(garbage + 1, UMN_OBJ__MAX));
	memset(garbage, 0, sizeof(garbage));
	assert_null(umn_object_from_handle(garbage, UMN_OBJ__MAX));

	/* Entry points survive them and say so. */
	WdfObjectDelete((WDFOBJECT)garbage);
	WdfObjectReference((WDFOBJECT)garbage);
	assert_null(WdfObjectGetTypedContextWorker((WDFOBJECT)garbage,
						   WDF_GET_CONTEXT_TYPE_INFO(REC_CONTEXT)));
	assert_null(WdfObjectContextGetObject(garbage + 64));

	/* A live handle of the wrong type. */
	assert_int_equal(WdfObjectCreate(WDF_NO_OBJECT_ATTRIBUTES, &o), STATUS_SUCCESS);
	assert_non_null(umn_object_from_handle(o, UMN_OBJ_GENERIC));
	assert_non_null(umn_object_from_handle(o, UMN_OBJ__MAX));
	assert_null(umn_object_from_handle(o, UMN_OBJ_TIMER));
	lock = (WDFSPINLOCK)o;
	WdfSpinLockAcquire(lock);
	assert_int_equal(KeGetCurrentIrql(), PASSIVE_LEVEL);
	WdfObjectDelete(o);
}

static void test_bad_attributes(void **state)
{
	_Alignas(16) unsigned char garbage[128];
	WDF_OBJECT_ATTRIBUTES a;
	WDFOBJECT o = (WDFOBJECT)0x1;

	(void)state;
	memset(garbage, 0x33, sizeof(garbage));
	assert_int_equal(WdfObjectCreate(NULL, NULL), STATUS_INVALID_PARAMETER);

	WDF_OBJECT_ATTRIBUTES_INIT(&a);
	a.Size = sizeof(a) - 8;
	assert_int_equal(WdfObjectCreate(&a, &o), STATUS_INVALID_PARAMETER);

	WDF_OBJECT_ATTRIBUTES_INIT(&a);
	a.ParentObject = (WDFOBJECT)garbage;
	assert_int_equal(WdfObjectCreate(&a, &o), STATUS_INVALID_PARAMETER);

	WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&a, BIG_CONTEXT);
	a.ContextSizeOverride = 4;
	assert_int_equal(WdfObjectCreate(&a, &o), STATUS_INVALID_PARAMETER);

	WDF_OBJECT_ATTRIBUTES_INIT(&a);
	a.ContextSizeOverride = 64;
	assert_int_equal(WdfObjectCreate(&a, &o), STATUS_INVALID_PARAMETER);

	WDF_OBJECT_ATTRIBUTES_INIT(&a);
	a.ExecutionLevel = (WDF_EXECUTION_LEVEL)9;
	assert_int_equal(WdfObjectCreate(&a, &o), STATUS_INVALID_PARAMETER);

	/* The output stays untouched on failure. */
	assert_ptr_equal(o, (WDFOBJECT)0x1);
}

static NTSTATUS child_status;

static void create_child_during_cleanup(WDFOBJECT o)
{
	WDF_OBJECT_ATTRIBUTES a;
	WDFOBJECT child = NULL;

	WDF_OBJECT_ATTRIBUTES_INIT(&a);
	a.ParentObject = o;
	child_status = WdfObjectCreate(&a, &child);
}

static void test_no_children_while_deleting(void **state)
{
	WDF_OBJECT_ATTRIBUTES a;
	WDFOBJECT o;

	(void)state;
	WDF_OBJECT_ATTRIBUTES_INIT(&a);
	a.EvtCleanupCallback = create_child_during_cleanup;
	assert_int_equal(WdfObjectCreate(&a, &o), STATUS_SUCCESS);
	WdfObjectDelete(o);
	assert_int_equal(child_status, STATUS_DELETE_PENDING);
}

static void test_default_parent_is_driver(void **state)
{
	struct umn_object *drv;
	WDF_OBJECT_ATTRIBUTES a;
	WDFOBJECT o, other, child;
	WDFMEMORY mem;
	WDFSTRING str;

	(void)state;
	assert_null(umn_object_driver());
	/* Without a driver, generic objects have no parent. */
	assert_int_equal(WdfObjectCreate(NULL, &o), STATUS_SUCCESS);
	assert_null(umn_object_parent(umn_object_from_handle(o, UMN_OBJ_GENERIC)));
	WdfObjectDelete(o);

	assert_int_equal(umn_object_create(UMN_OBJ_DRIVER, sizeof(struct umn_object), NULL, NULL,
					   NULL, &drv),
			 STATUS_SUCCESS);
	assert_ptr_equal(umn_object_driver(), drv);

	o = make_rec(1, NULL);
	assert_ptr_equal(umn_object_parent(umn_object_from_handle(o, UMN_OBJ_GENERIC)), drv);
	assert_int_equal(WdfMemoryCreate(NULL, NonPagedPoolNx, 0, 64, &mem, NULL), STATUS_SUCCESS);
	assert_ptr_equal(umn_object_parent(umn_object_from_handle(mem, UMN_OBJ_MEMORY)), drv);
	assert_int_equal(WdfStringCreate(NULL, NULL, &str), STATUS_SUCCESS);
	assert_ptr_equal(umn_object_parent(umn_object_from_handle(str, UMN_OBJ_STRING)), drv);

	/* ParentObject overrides the default. */
	other = make_rec(2, NULL);
	WDF_OBJECT_ATTRIBUTES_INIT(&a);
	a.ParentObject = other;
	assert_int_equal(WdfObjectCreate(&a, &child), STATUS_SUCCESS);
	assert_ptr_equal(umn_object_parent(umn_object_from_handle(child, UMN_OBJ_GENERIC)),
			 umn_object_from_handle(other, UMN_OBJ_GENERIC));

	/* Deleting the driver takes everything with it, newest first. */
	umn_object_delete(drv);
	assert_null(umn_object_driver());
	assert_true(journal_index(2) >= 0 && journal_index(1) >= 0);
	assert_true(journal_index(2) < journal_index(1));
}

static void test_framework_owned_object(void **state)
{
	struct umn_object *o;

	(void)state;
	assert_int_equal(umn_object_create(UMN_OBJ_DEVICE, sizeof(*o), NULL, NULL, NULL, &o),
			 STATUS_SUCCESS);
	umn_object_set_no_driver_delete(o, true);
	WdfObjectDelete(umn_object_handle(o));
	assert_false(umn_object_is_deleted(o));
	umn_object_delete(o);
}

static void test_object_lock_irql(void **state)
{
	WDF_OBJECT_ATTRIBUTES a;
	WDFOBJECT o;

	(void)state;
	assert_int_equal(WdfObjectCreate(NULL, &o), STATUS_SUCCESS);
	/* Passive by default in a driver host. */
	WdfObjectAcquireLock(o);
	assert_int_equal(KeGetCurrentIrql(), PASSIVE_LEVEL);
	WdfObjectReleaseLock(o);
	WdfObjectDelete(o);

	/* In-host with a dispatch-level object: the lock raises IRQL like a spin lock. */
	umn_runtime_set_kernel_mode(true);
	WDF_OBJECT_ATTRIBUTES_INIT(&a);
	a.ExecutionLevel = WdfExecutionLevelDispatch;
	assert_int_equal(WdfObjectCreate(&a, &o), STATUS_SUCCESS);
	WdfObjectAcquireLock(o);
	assert_int_equal(KeGetCurrentIrql(), DISPATCH_LEVEL);
	WdfObjectReleaseLock(o);
	assert_int_equal(KeGetCurrentIrql(), PASSIVE_LEVEL);
	WdfObjectDelete(o);
	umn_runtime_set_kernel_mode(false);
}

static void test_sync_owner(void **state)
{
	WDF_OBJECT_ATTRIBUTES a;
	struct umn_object *dev, *queue;
	struct umn_object *plain;

	(void)state;
	WDF_OBJECT_ATTRIBUTES_INIT(&a);
	a.SynchronizationScope = WdfSynchronizationScopeDevice;
	assert_int_equal(umn_object_create(UMN_OBJ_DEVICE, sizeof(*dev), &a, NULL, NULL, &dev),
			 STATUS_SUCCESS);
	assert_int_equal(umn_object_create(UMN_OBJ_QUEUE, sizeof(*queue), NULL, dev, NULL, &queue),
			 STATUS_SUCCESS);
	/* A queue inheriting device scope serializes on the device. */
	assert_ptr_equal(umn_object_sync_owner(queue), dev);
	assert_int_equal(umn_object_create(UMN_OBJ_GENERIC, sizeof(*plain), NULL, NULL, NULL,
					   &plain),
			 STATUS_SUCCESS);
	assert_null(umn_object_sync_owner(plain));
	umn_object_delete(plain);
	umn_object_delete(dev);
}

#define T(fn, su, td) cmocka_unit_test_setup_teardown(fn, su, td)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_children_deleted_before_parent, setup, teardown),
		T(test_destroy_after_last_reference, setup, teardown),
		T(test_referenced_child_keeps_parent, setup, teardown),
		T(test_leaked_child_of_deleted_parent, setup, teardown),
		T(test_context_and_accessor, setup, teardown),
		T(test_allocate_context, setup, teardown),
		T(test_bad_handles, setup, teardown),
		T(test_bad_attributes, setup, teardown),
		T(test_no_children_while_deleting, setup, teardown),
		T(test_default_parent_is_driver, setup, teardown),
		T(test_framework_owned_object, setup, teardown),
		T(test_object_lock_irql, setup, teardown),
		T(test_sync_owner, setup, teardown),
	};

	/* Misuse tests log on purpose; keep the output to errors. */
	umn_log_set_max_level(UMN_LOG_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
