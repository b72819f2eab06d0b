// SPDX-License-Identifier: MIT
/* WDFMEMORY, WDFSTRING and WDFCOLLECTION. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <wchar.h>

#include <cmocka.h>

#include <wdf.h>

#include "common/log.h"
#include "runtime/wdf/memory_obj.h"
#include "runtime/wdf/object.h"
#include "runtime/wdf/string_obj.h"

static int teardown(void **state)
{
	(void)state;
	assert_int_equal(umn_object_live_count(), 0);
	return 0;
}

static void test_memory_create_and_copy(void **state)
{
	WDFMEMORY m;
	PVOID buf = NULL;
	size_t size = 0;
	char out[8];

	(void)state;
	assert_int_equal(WdfMemoryCreate(NULL, NonPagedPoolNx, 0x74736554, 100, &m, &buf),
			 STATUS_SUCCESS);
	assert_non_null(buf);
	assert_int_equal((uintptr_t)buf % 64, 0);
	assert_ptr_equal(WdfMemoryGetBuffer(m, &size), buf);
	assert_int_equal(size, 100);
	assert_int_equal(((unsigned char *)buf)[99], 0);

	assert_int_equal(WdfMemoryCopyFromBuffer(m, 92, "abcdefgh", 8), STATUS_SUCCESS);
	assert_int_equal(WdfMemoryCopyToBuffer(m, 92, out, 8), STATUS_SUCCESS);
	assert_memory_equal(out, "abcdefgh", 8);
	/* One byte past the end, and an offset that would wrap. */
	assert_int_equal(WdfMemoryCopyFromBuffer(m, 93, "abcdefgh", 8), STATUS_BUFFER_TOO_SMALL);
	assert_int_equal(WdfMemoryCopyToBuffer(m, SIZE_MAX, out, 2), STATUS_BUFFER_TOO_SMALL);
	assert_int_equal(WdfMemoryCopyToBuffer(m, 0, NULL, 2), STATUS_INVALID_PARAMETER);
	/* Only preallocated memory may be re-pointed. */
	assert_int_equal(WdfMemoryAssignBuffer(m, out, sizeof(out)), STATUS_INVALID_DEVICE_REQUEST);
	WdfObjectDelete(m);

	assert_int_equal(WdfMemoryCreate(NULL, NonPagedPoolNx, 0, 0, &m, NULL),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(WdfMemoryCreate(NULL, (POOL_TYPE)77, 0, 8, &m, NULL),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(WdfMemoryCreate(NULL, PagedPool, 0, 8, NULL, NULL),
			 STATUS_INVALID_PARAMETER);
}

static void test_memory_preallocated_and_wrapped(void **state)
{
	char a[16] = "0123456789abcdef", b[4];
	struct umn_memory *w;
	struct umn_object *req;
	WDFMEMORY m;

	(void)state;
	assert_int_equal(WdfMemoryCreatePreallocated(NULL, a, sizeof(a), &m), STATUS_SUCCESS);
	assert_ptr_equal(WdfMemoryGetBuffer(m, NULL), a);
	assert_int_equal(WdfMemoryAssignBuffer(m, b, sizeof(b)), STATUS_SUCCESS);
	assert_ptr_equal(WdfMemoryGetBuffer(m, NULL), b);
	WdfObjectDelete(m);

	/* A request's input buffer: read-only and owned by the request. */
	assert_int_equal(umn_object_create(UMN_OBJ_REQUEST, sizeof(*req), NULL, NULL, NULL, &req),
			 STATUS_SUCCESS);
	assert_int_equal(umn_memory_wrap(req, NULL, a, sizeof(a),
					 UMN_MEMORY_READ_ONLY | UMN_MEMORY_FRAMEWORK_OWNED, &w),
			 STATUS_SUCCESS);
	m = (WDFMEMORY)umn_object_handle(&w->obj);
	assert_int_equal(WdfMemoryCopyFromBuffer(m, 0, b, 1), STATUS_ACCESS_VIOLATION);
	assert_int_equal(WdfMemoryCopyToBuffer(m, 12, b, 4), STATUS_SUCCESS);
	assert_memory_equal(b, "cdef", 4);
	WdfObjectDelete(m);
	assert_false(umn_object_is_deleted(&w->obj));
	umn_object_delete(req);
}

static void test_string(void **state)
{
	DECLARE_CONST_UNICODE_STRING(src, L"vpair0");
	UNICODE_STRING u;
	WDFSTRING s;

	(void)state;
	assert_int_equal(WdfStringCreate(&src, NULL, &s), STATUS_SUCCESS);
	WdfStringGetUnicodeString(s, &u);
	assert_int_equal(u.Length, 6 * sizeof(WCHAR));
	assert_int_equal(u.MaximumLength, 7 * sizeof(WCHAR));
	assert_int_equal(wcscmp(u.Buffer, L"vpair0"), 0);
	/* A copy, not the caller's buffer. */
	assert_ptr_not_equal(u.Buffer, src.Buffer);

	assert_int_equal(umn_string_assign_utf8(umn_string_get("test", s), "gr\xc3\xbc\xc3\x9f \xff", 8),
			 STATUS_SUCCESS);
	WdfStringGetUnicodeString(s, &u);
	assert_int_equal(wcscmp(u.Buffer, L"gr\u00fc\u00df \ufffd"), 0);
	WdfObjectDelete(s);

	/* Empty by default. */
	assert_int_equal(WdfStringCreate(NULL, NULL, &s), STATUS_SUCCESS);
	WdfStringGetUnicodeString(s, &u);
	assert_int_equal(u.Length, 0);
	assert_int_equal(u.Buffer[0], 0);
	WdfObjectDelete(s);

	/* Malformed input is refused. */
	u.Buffer = NULL;
	u.Length = 4;
	u.MaximumLength = 8;
	assert_int_equal(WdfStringCreate(&u, NULL, &s), STATUS_INVALID_PARAMETER);
	u.Buffer = (PWSTR)L"ab";
	u.Length = 3;
	assert_int_equal(WdfStringCreate(&u, NULL, &s), STATUS_INVALID_PARAMETER);
}

static int item_destroyed;

static void item_destroy(WDFOBJECT o)
{
	(void)o;
	item_destroyed++;
}

static void test_collection(void **state)
{
	WDF_OBJECT_ATTRIBUTES a;
	WDFCOLLECTION c;
	WDFOBJECT x, y, z;

	(void)state;
	item_destroyed = 0;
	WDF_OBJECT_ATTRIBUTES_INIT(&a);
	a.EvtDestroyCallback = item_destroy;
	assert_int_equal(WdfCollectionCreate(NULL, &c), STATUS_SUCCESS);
	assert_int_equal(WdfObjectCreate(&a, &x), STATUS_SUCCESS);
	assert_int_equal(WdfObjectCreate(&a, &y), STATUS_SUCCESS);
	assert_int_equal(WdfObjectCreate(&a, &z), STATUS_SUCCESS);
	assert_int_equal(WdfCollectionAdd(c, x), STATUS_SUCCESS);
	assert_int_equal(WdfCollectionAdd(c, y), STATUS_SUCCESS);
	assert_int_equal(WdfCollectionAdd(c, z), STATUS_SUCCESS);
	assert_int_equal(WdfCollectionAdd(c, NULL), STATUS_INVALID_PARAMETER);
	assert_int_equal(WdfCollectionGetCount(c), 3);
	assert_ptr_equal(WdfCollectionGetFirstItem(c), x);
	assert_ptr_equal(WdfCollectionGetLastItem(c), z);
	assert_null(WdfCollectionGetItem(c, 3));

	WdfCollectionRemove(c, y);
	assert_int_equal(WdfCollectionGetCount(c), 2);
	assert_ptr_equal(WdfCollectionGetItem(c, 1), z);
	WdfCollectionRemoveItem(c, 0);
	assert_ptr_equal(WdfCollectionGetFirstItem(c), z);

	/* Deleted while in the collection: its reference keeps it until the collection goes. */
	WdfObjectDelete(x);
	WdfObjectDelete(y);
	WdfObjectDelete(z);
	assert_int_equal(item_destroyed, 2);
	WdfObjectDelete(c);
	assert_int_equal(item_destroyed, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_memory_create_and_copy, teardown),
		cmocka_unit_test_teardown(test_memory_preallocated_and_wrapped, teardown),
		cmocka_unit_test_teardown(test_string, teardown),
		cmocka_unit_test_teardown(test_collection, teardown),
	};

	umn_log_set_max_level(UMN_LOG_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
