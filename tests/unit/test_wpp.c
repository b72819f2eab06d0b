/* SPDX-License-Identifier: MIT */
/*
 * WPP message formatting (src/runtime/wdf/wpp.c), as the record sent to
 * umnicd holds it: the %!NAME! types, an unknown type (shown by name, and
 * nothing after it read), and printf pieces with the Windows rules, %n
 * refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <windows.h>
#include <umnic/wpp.h>

#include "common/proto.h"
#include "runtime/host.h"
#include "runtime/rt.h"

static struct umn_trace_rec last;
static unsigned traced;

static void capture(const struct umn_trace_rec *rec)
{
	last = *rec;
	traced++;
}

static const struct umn_rt_ops capture_ops = {.trace = capture};

static int setup(void **state)
{
	(void)state;
	umn_rt.ops = &capture_ops;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	umn_rt.ops = NULL;
	return 0;
}

static void known_types(void **state)
{
	(void)state;
	unsigned before = traced;

	umn_wpp_trace(TRACE_LEVEL_ERROR, 2, "FLAG_X", "Fn", "/src/drv/file.c", 42,
		      "%!FUNC! %!FILE!:%!LINE! %!LEVEL! %!FLAGS! %!STATUS! %!STATUS! %!HRESULT! "
		      "%!HRESULT! %d %I64u%%",
		      STATUS_INVALID_PARAMETER, (NTSTATUS)0xC0DE0001L, E_INVALIDARG,
		      (HRESULT)0x80071234L, -3, 5000000000ULL);
	assert_int_equal(traced, before + 1);
	assert_string_equal(last.text, "Fn file.c:42 ERROR FLAG_X STATUS_INVALID_PARAMETER "
				       "0xC0DE0001 E_INVALIDARG 0x80071234 -3 5000000000%");
	assert_int_equal(last.level, TRACE_LEVEL_ERROR);
	assert_int_equal(last.flagbit, 2);
	assert_string_equal(last.flag, "FLAG_X");
	assert_string_equal(last.func, "Fn");
	assert_int_equal(last.line, 42);
}

/*
 * An unknown %!NAME! takes an argument of a size nobody knows, so the
 * message stops there: what came before, then the type by name and
 * "(unknown WPP type)". Nothing after it is read.
 */
static void unknown_type(void **state)
{
	(void)state;
	unsigned before = traced;

	umn_wpp_trace(TRACE_LEVEL_WARNING, 1, "FLAG_Y", "Fn", "f.c", 1,
		      "before %d %!XYZ! after %s %d", 7, "not read", 8);
	assert_int_equal(traced, before + 1);
	assert_string_equal(last.text, "before 7 %!XYZ! (unknown WPP type)");
	assert_int_equal(last.level, TRACE_LEVEL_WARNING);
	assert_string_equal(last.flag, "FLAG_Y");

	/* After a known type the same: the first unknown one ends the message. */
	umn_wpp_trace(TRACE_LEVEL_WARNING, 1, "FLAG_Y", "Fn", "f.c", 1, "%!STATUS!%!nope!%!STATUS!",
		      STATUS_SUCCESS, STATUS_UNSUCCESSFUL);
	assert_string_equal(last.text, "STATUS_SUCCESS%!nope! (unknown WPP type)");
	/* "%!" without a closing "!" is no type: the printf piece refuses it. */
	umn_wpp_trace(TRACE_LEVEL_WARNING, 1, "FLAG_Y", "Fn", "f.c", 1, "open %!XYZ %d", 1);
	assert_string_equal(last.text, "open %!XYZ %d (format not supported)");
}

/* %n in a message is refused, the pointer never written through. */
static void percent_n(void **state)
{
	(void)state;
	int count = 12345;

	umn_wpp_trace(TRACE_LEVEL_ERROR, 1, "FLAG_X", "Fn", "f.c", 1, "%!STATUS! x%n y",
		      STATUS_SUCCESS, &count);
	assert_int_equal(count, 12345);
	assert_string_equal(last.text, "STATUS_SUCCESS x%n y (format not supported)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(known_types),
	    cmocka_unit_test(unknown_type),
	    cmocka_unit_test(percent_n),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
