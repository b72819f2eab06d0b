/* SPDX-License-Identifier: MIT */
/* umn_log: one message is one line, whatever text a peer put in it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/log.h"

/* Logs msg with stderr redirected to a pipe, and returns what was written. */
static void capture(const char *msg, char *out, size_t cap)
{
	int p[2], saved = dup(2);
	ssize_t n;

	assert_int_equal(pipe(p), 0);
	fflush(stderr);
	dup2(p[1], 2);
	umn_log(UMN_LOG_WARN, "driver said: %s", msg);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	close(p[1]);
	n = read(p[0], out, cap - 1);
	close(p[0]);
	assert_true(n > 0);
	out[n] = '\0';
}

static void test_peer_text_stays_on_one_line(void **state)
{
	char out[2048];
	char *nl;

	(void)state;
	capture("failed\numnicd[1.000] info: forged line\r\x1b[2Kmore\x7f", out, sizeof(out));
	nl = strchr(out, '\n');
	assert_non_null(nl);
	assert_string_equal(nl + 1, "");
	assert_null(strchr(out, '\r'));
	assert_null(strchr(out, '\x1b'));
	assert_null(strchr(out, '\x7f'));
	assert_non_null(strstr(out, "driver said: failed?umnicd[1.000] info: forged line??[2Kmore?"));
}

static void test_plain_text_unchanged(void **state)
{
	char out[2048];

	(void)state;
	capture("ROOT\\ECHO\\0000: ok \"quoted\" caf\xc3\xa9", out, sizeof(out));
	assert_non_null(strstr(out, "driver said: ROOT\\ECHO\\0000: ok \"quoted\" caf\xc3\xa9\n"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_peer_text_stays_on_one_line),
		cmocka_unit_test(test_plain_text_unchanged),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
