/* SPDX-License-Identifier: MIT */
/* Unit tests for the per-device registry. */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/devreg.h"

/* The formatted text is not NUL-terminated. */
#define TEXT_HAS(buf, len, lit) memmem((buf), (len), (lit), sizeof(lit) - 1)

static struct devreg *new_reg(void)
{
	struct devreg *reg = NULL;

	assert_int_equal(devreg_new(&reg), 0);
	assert_non_null(reg);
	return reg;
}

/* A store with every type and the strings that need escaping. */
static struct devreg *sample(void)
{
	static const char *const multi[] = {"filterA", "with \"quotes\"", "ü 🌐", NULL};
	static const char *const none[] = {NULL};
	static const uint8_t mac[] = {0x02, 0x00, 0x5e, 0x10, 0x00, 0x01};
	struct devreg *reg = new_reg();

	assert_int_equal(devreg_set_sz(reg, "", "FriendlyName", "vpair \"one\" \\ ü"), 0);
	assert_int_equal(devreg_set_sz(reg, "", "", "default value"), 0);
	assert_int_equal(devreg_set_sz(reg, "Ndi\\params\\*JumboPacket", "ParamDesc",
				       "tab\there\nnewline\r\x01\x7f end"),
			 0);
	assert_int_equal(devreg_set_sz(reg, "", "Empty", ""), 0);
	assert_int_equal(devreg_set_expand_sz(reg, "", "ImagePath", "%SystemRoot%\\vpair"), 0);
	assert_int_equal(devreg_set_multi_sz(reg, "", "UpperFilters", multi), 0);
	assert_int_equal(devreg_set_multi_sz(reg, "", "NoFilters", none), 0);
	assert_int_equal(devreg_set_dword(reg, "Params", "Speed", 10000), 0);
	assert_int_equal(devreg_set_dword(reg, "Params", "Max", UINT32_MAX), 0);
	assert_int_equal(devreg_set_qword(reg, "Params", "Counter", 0x0123456789abcdefull), 0);
	assert_int_equal(devreg_set_binary(reg, "", "MacAddress", mac, sizeof(mac)), 0);
	assert_int_equal(devreg_set_binary(reg, "", "Nothing", NULL, 0), 0);
	assert_int_equal(devreg_set_sz(reg, "ü\\\"quoted\" key", "name with spaces", "x"), 0);
	return reg;
}

static void assert_same(const struct devreg *a, const struct devreg *b)
{
	assert_int_equal(devreg_count(a), devreg_count(b));
	for (size_t i = 0; i < devreg_count(a); i++) {
		const struct devreg_entry *x = devreg_entry_at(a, i), *y = devreg_entry_at(b, i);

		assert_string_equal(x->subkey, y->subkey);
		assert_string_equal(x->name, y->name);
		assert_int_equal(x->type, y->type);
		assert_int_equal(x->len, y->len);
		if (x->len)
			assert_memory_equal(x->data, y->data, x->len);
	}
}

static void test_types(void **state)
{
	struct devreg *reg = sample();
	const struct devreg_entry *e;
	const char *s = "untouched";
	uint32_t v = 7;
	uint64_t q = 0;
	char **strv = NULL;

	(void)state;
	assert_int_equal(devreg_count(reg), 13);
	assert_int_equal(devreg_get_sz(reg, "", "FriendlyName", &s), 0);
	assert_string_equal(s, "vpair \"one\" \\ ü");
	assert_int_equal(devreg_get_sz(reg, "", "ImagePath", &s), 0); /* EXPAND_SZ reads too */
	assert_string_equal(s, "%SystemRoot%\\vpair");
	assert_int_equal(devreg_get_dword(reg, "Params", "Speed", &v), 0);
	assert_int_equal(v, 10000);
	assert_int_equal(devreg_get_qword(reg, "Params", "Counter", &q), 0);
	assert_true(q == 0x0123456789abcdefull);
	assert_int_equal(devreg_get_multi_sz(reg, "", "UpperFilters", &strv), 0);
	assert_string_equal(strv[0], "filterA");
	assert_string_equal(strv[1], "with \"quotes\"");
	assert_string_equal(strv[2], "ü 🌐");
	assert_null(strv[3]);
	devreg_strv_free(strv);
	assert_int_equal(devreg_get_multi_sz(reg, "", "NoFilters", &strv), 0);
	assert_null(strv[0]);
	devreg_strv_free(strv);
	assert_int_equal(devreg_get(reg, "", "MacAddress", &e), 0);
	assert_int_equal(e->type, DEVREG_BINARY);
	assert_int_equal(e->len, 6);
	assert_int_equal(devreg_get(reg, "", "Nothing", &e), 0);
	assert_int_equal(e->len, 0);

	/* wrong type, missing value: errors, outputs untouched */
	v = 7;
	s = "untouched";
	assert_int_equal(devreg_get_dword(reg, "", "FriendlyName", &v), -EMEDIUMTYPE);
	assert_int_equal(devreg_get_sz(reg, "Params", "Speed", &s), -EMEDIUMTYPE);
	assert_int_equal(devreg_get_dword(reg, "", "Missing", &v), -ENOENT);
	assert_int_equal(devreg_get_dword(reg, "Nope", "Speed", &v), -ENOENT);
	assert_int_equal(v, 7);
	assert_string_equal(s, "untouched");

	/* invalid data for the type */
	assert_int_equal(devreg_set(reg, "", "x", DEVREG_SZ, "abc", 3), -EINVAL);
	assert_int_equal(devreg_set(reg, "", "x", DEVREG_SZ, "a\0c", 4), -EINVAL);
	assert_int_equal(devreg_set(reg, "", "x", DEVREG_SZ, "\xc3\x28", 3), -EINVAL);
	assert_int_equal(devreg_set(reg, "", "x", DEVREG_MULTI_SZ, "a\0\0b\0\0", 6), -EINVAL);
	assert_int_equal(devreg_set(reg, "", "x", DEVREG_MULTI_SZ, "a\0b", 3), -EINVAL);
	assert_int_equal(devreg_set(reg, "", "x", DEVREG_MULTI_SZ, "", 0), -EINVAL);
	assert_int_equal(devreg_set(reg, "", "x", DEVREG_DWORD, "abc", 3), -EINVAL);
	assert_int_equal(devreg_set(reg, "", "x", DEVREG_QWORD, "abcd", 4), -EINVAL);
	assert_int_equal(devreg_set(reg, "", "x", 5, "abcd", 4), -EINVAL);
	assert_int_equal(devreg_set(reg, "", "x", DEVREG_BINARY, NULL, 3), -EINVAL);
	assert_int_equal(devreg_set(reg, "a\\\\b", "x", DEVREG_BINARY, "", 0), -EINVAL);
	assert_int_equal(devreg_set(reg, "", "bad\nname", DEVREG_BINARY, "", 0), -EINVAL);
	assert_int_equal(devreg_set(reg, "", NULL, DEVREG_BINARY, "", 0), -EINVAL);
	assert_int_equal(devreg_set_multi_sz(reg, "", "x", (const char *const[]){"", NULL}),
			 -EINVAL);
	assert_int_equal(devreg_count(reg), 13);
	devreg_free(reg);
	devreg_free(NULL);
}

static void test_case_and_paths(void **state)
{
	struct devreg *reg = new_reg();
	const struct devreg_entry *e;
	uint32_t v;

	(void)state;
	assert_int_equal(devreg_set_dword(reg, "\\Params\\Link\\", "Speed", 1), 0);
	assert_int_equal(devreg_get_dword(reg, "PARAMS\\link", "SPEED", &v), 0);
	assert_int_equal(v, 1);
	/* replacing keeps the first spelling and the position, and may change the type */
	assert_int_equal(devreg_set_sz(reg, "params\\LINK", "speed", "fast"), 0);
	assert_int_equal(devreg_count(reg), 1);
	e = devreg_entry_at(reg, 0);
	assert_string_equal(e->subkey, "Params\\Link");
	assert_string_equal(e->name, "Speed");
	assert_int_equal(e->type, DEVREG_SZ);
	/* the device key itself, and NULL as its spelling */
	assert_int_equal(devreg_set_dword(reg, NULL, "Top", 2), 0);
	assert_int_equal(devreg_get_dword(reg, "\\", "top", &v), 0);
	assert_int_equal(v, 2);
	assert_int_equal(devreg_delete(reg, "", "TOP"), 0);
	assert_int_equal(devreg_delete(reg, "", "TOP"), -ENOENT);
	assert_int_equal(devreg_count(reg), 1);
	assert_null(devreg_entry_at(reg, 1));
	devreg_free(reg);
}

static void test_caps(void **state)
{
	struct devreg *reg = new_reg();
	uint8_t *big = calloc(1, DEVREG_MAX_VALUE_SIZE + 1);
	char name[32];
	int r = 0;
	size_t i;

	(void)state;
	assert_non_null(big);
	assert_int_equal(devreg_set_binary(reg, "", "big", big, DEVREG_MAX_VALUE_SIZE + 1), -E2BIG);
	memset(big, 'a', DEVREG_MAX_NAME + 1);
	big[DEVREG_MAX_NAME + 1] = 0;
	assert_int_equal(devreg_set_dword(reg, "", (char *)big, 1), -E2BIG);
	assert_int_equal(devreg_set_dword(reg, (char *)big, "x", 1), -E2BIG);
	memset(big, 0, DEVREG_MAX_VALUE_SIZE + 1);

	/* the total size: 64 KiB values run out before 64 of them */
	for (i = 0; i < 64 && r == 0; i++) {
		snprintf(name, sizeof(name), "v%zu", i);
		r = devreg_set_binary(reg, "", name, big, DEVREG_MAX_VALUE_SIZE);
	}
	assert_int_equal(r, -ENOSPC);
	assert_int_equal(devreg_count(reg), 63);
	devreg_free(reg);

	/* the entry count */
	reg = new_reg();
	for (i = 0; i < DEVREG_MAX_ENTRIES; i++) {
		snprintf(name, sizeof(name), "v%zu", i);
		assert_int_equal(devreg_set_dword(reg, "", name, (uint32_t)i), 0);
	}
	assert_int_equal(devreg_set_dword(reg, "", "one too many", 1), -ENOSPC);
	assert_int_equal(devreg_set_dword(reg, "", "V17", 99), 0); /* replacing still works */
	assert_int_equal(devreg_count(reg), DEVREG_MAX_ENTRIES);
	devreg_free(reg);
	free(big);
}

static void test_params(void **state)
{
	struct devreg *reg = new_reg();
	const char *s;
	uint32_t v;

	(void)state;
	assert_int_equal(devreg_set_param(reg, "Speed=100"), 0);
	assert_int_equal(devreg_get_dword(reg, "", "speed", &v), 0);
	assert_int_equal(v, 100);
	assert_int_equal(devreg_set_param(reg, "Mask=0xFFFFFFFF"), 0);
	assert_int_equal(devreg_get_dword(reg, "", "Mask", &v), 0);
	assert_int_equal(v, UINT32_MAX);
	assert_int_equal(devreg_set_param(reg, "Params\\Mode=fast=yes"), 0);
	assert_int_equal(devreg_get_sz(reg, "Params", "Mode", &s), 0);
	assert_string_equal(s, "fast=yes");
	assert_int_equal(devreg_set_param(reg, "Neg=-1"), 0);
	assert_int_equal(devreg_get_sz(reg, "", "Neg", &s), 0);
	assert_string_equal(s, "-1");
	assert_int_equal(devreg_set_param(reg, "Empty="), 0);
	assert_int_equal(devreg_get_sz(reg, "", "Empty", &s), 0);
	assert_string_equal(s, "");
	assert_int_equal(devreg_set_param(reg, "Mac=02005e100001"), 0);
	assert_int_equal(devreg_get_sz(reg, "", "Mac", &s), 0);
	assert_int_equal(devreg_set_param(reg, "Big=4294967296"), -ERANGE);
	assert_int_equal(devreg_set_param(reg, "=5"), -EINVAL);
	assert_int_equal(devreg_set_param(reg, "Sub\\=5"), -EINVAL);
	assert_int_equal(devreg_set_param(reg, "NoEquals"), -EINVAL);
	assert_int_equal(devreg_count(reg), 6);
	devreg_free(reg);
}

static void test_addreg_noclobber(void **state)
{
	struct devreg *reg = new_reg();
	uint32_t v;

	(void)state;
	assert_int_equal(devreg_set_addreg(reg, "", "X", DEVREG_DWORD, "\1\0\0\0", 4, true), 0);
	assert_int_equal(devreg_set_addreg(reg, "", "x", DEVREG_DWORD, "\2\0\0\0", 4, true), 0);
	assert_int_equal(devreg_get_dword(reg, "", "X", &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(devreg_set_addreg(reg, "", "x", DEVREG_DWORD, "\3\0\0\0", 4, false), 0);
	assert_int_equal(devreg_get_dword(reg, "", "X", &v), 0);
	assert_int_equal(v, 3);
	devreg_free(reg);
}

static void test_file_round_trip(void **state)
{
	char dir[] = "/tmp/umnic-test-devreg-XXXXXX", path[64], *a, *b;
	struct devreg *reg = sample(), *back = NULL;
	struct umn_diag diag;
	size_t alen, blen, files = 0;
	struct dirent *de;
	DIR *d;

	(void)state;
	umn_diag_init(&diag);
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/registry", dir);
	assert_int_equal(devreg_save(reg, path), 0);
	assert_int_equal(devreg_save(reg, path), 0); /* replacing an existing file */
	assert_int_equal(devreg_load(path, &back, &diag), 0);
	assert_false(umn_diag_has_error(&diag));
	assert_same(reg, back);

	/* no temporary file left behind */
	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d)))
		files += de->d_name[0] != '.';
	closedir(d);
	assert_int_equal(files, 1);

	/* the text is stable */
	assert_int_equal(devreg_format(reg, &a, &alen), 0);
	assert_int_equal(devreg_format(back, &b, &blen), 0);
	assert_int_equal(alen, blen);
	assert_memory_equal(a, b, alen);
	assert_non_null(TEXT_HAS(a, alen, "dword \"Params\" \"Speed\" 0x00002710\n"));
	assert_non_null(TEXT_HAS(a, alen, "binary \"\" \"Nothing\" -\n"));
	assert_non_null(TEXT_HAS(a, alen, "\"tab\\there\\nnewline\\r\\x01\\x7f end\""));
	free(a);
	free(b);

	unlink(path);
	devreg_free(back);
	assert_int_equal(devreg_load(path, &back, &diag), -ENOENT);
	assert_string_equal(umn_diag_error_message(&diag),
			    "registry: cannot open: No such file or directory");
	umn_diag_free(&diag);
	rmdir(dir);
	devreg_free(reg);
}

static void test_file_corrupt(void **state)
{
	static const struct {
		const char *text;
		const char *error;
	} cases[] = {
	    {"", "reg: empty file (expected \"umnic-devreg 1\")"},
	    {"# only a comment\n", "reg: empty file (expected \"umnic-devreg 1\")"},
	    {"umnic-devreg 2\n", "reg:1: not a umnic registry file (expected \"umnic-devreg 1\")"},
	    {"umnic-devreg 1\nfoo \"\" \"x\" 1\n",
	     "reg:2: unknown value type (expected sz, expand_sz, multi_sz, dword, qword or "
	     "binary)"},
	    {"umnic-devreg 1\n\n# c\ndword \"\" \"x\" 0x1\n", "reg:4: dword needs 8 hex digits"},
	    {"umnic-devreg 1\nqword \"\" \"x\" 0x00000001\n", "reg:2: qword needs 16 hex digits"},
	    {"umnic-devreg 1\ndword \"\" \"x\" 12345678\n", "reg:2: expected a 0x number"},
	    {"umnic-devreg 1\nsz \"\" \"x\" \"open\n", "reg:2: unterminated string"},
	    {"umnic-devreg 1\nsz \"\" \"x\" \"a\\q\"\n", "reg:2: unknown escape in string"},
	    {"umnic-devreg 1\nsz \"\" \"x\" \"a\\x0\"\n", "reg:2: bad \\x escape"},
	    {"umnic-devreg 1\nsz \"\" \"x\" \"a\\x00\"\n", "reg:2: NUL in string"},
	    {"umnic-devreg 1\nsz \"\" \"x\" \"a\tb\"\n",
	     "reg:2: control character in string (must be escaped)"},
	    {"umnic-devreg 1\nsz \"\" \"x\" \"a\" junk\n",
	     "reg:2: unexpected text after the value"},
	    {"umnic-devreg 1\nsz \"\" x \"a\"\n", "reg:2: expected a quoted string"},
	    {"umnic-devreg 1\nsz \"\" \"x\" \"a\"\r\nsz \"\" \"X\" \"b\"\n",
	     "reg:3: duplicate value"},
	    {"umnic-devreg 1\nbinary \"\" \"x\" 0a0\n",
	     "reg:2: binary data needs an even number of hex digits"},
	    {"umnic-devreg 1\nbinary \"\" \"x\" \n", "reg:2: expected hex bytes or '-'"},
	    {"umnic-devreg 1\nmulti_sz \"\" \"x\" \"a\" \"\"\n", "reg:2: empty string in multi_sz"},
	    {"umnic-devreg 1\nsz \"\" \"x\" \"\xc3\x28\"\n",
	     "reg:2: invalid value: Invalid argument"},
	    {"umnic-devreg 1\nsz \"a\\\\\\\\b\" \"x\" \"y\"\n",
	     "reg:2: invalid value: Invalid argument"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct devreg *reg = NULL;
		struct umn_diag diag;

		umn_diag_init(&diag);
		assert_int_equal(
		    devreg_load_buffer("reg", cases[i].text, strlen(cases[i].text), &reg, &diag),
		    -EBADMSG);
		assert_null(reg);
		assert_string_equal(umn_diag_error_message(&diag), cases[i].error);
		umn_diag_free(&diag);
	}

	/* a value over the size cap */
	{
		size_t n = DEVREG_MAX_VALUE_SIZE * 2 + 64;
		char *text = malloc(n);
		struct devreg *reg = NULL;
		struct umn_diag diag;
		size_t o;

		umn_diag_init(&diag);
		assert_non_null(text);
		o = (size_t)sprintf(text, "umnic-devreg 1\nbinary \"\" \"x\" ");
		memset(text + o, 'a', DEVREG_MAX_VALUE_SIZE * 2 + 2);
		o += DEVREG_MAX_VALUE_SIZE * 2 + 2;
		assert_int_equal(devreg_load_buffer("reg", text, o, &reg, &diag), -EBADMSG);
		assert_string_equal(umn_diag_error_message(&diag), "reg:2: binary value too long");
		umn_diag_free(&diag);
		free(text);
	}
}

static void test_blob_round_trip(void **state)
{
	struct devreg *reg = sample(), *back = NULL, *empty = new_reg();
	void *blob, *blob2;
	size_t len, len2;

	(void)state;
	assert_int_equal(devreg_serialize(reg, &blob, &len), 0);
	assert_int_equal(devreg_deserialize(blob, len, &back), 0);
	assert_same(reg, back);
	assert_int_equal(devreg_serialize(back, &blob2, &len2), 0);
	assert_int_equal(len, len2);
	assert_memory_equal(blob, blob2, len);
	devreg_free(back);
	free(blob2);
	free(blob);

	assert_int_equal(devreg_serialize(empty, &blob, &len), 0);
	assert_int_equal(len, 12);
	assert_int_equal(devreg_deserialize(blob, len, &back), 0);
	assert_int_equal(devreg_count(back), 0);
	devreg_free(back);
	free(blob);
	devreg_free(empty);
	devreg_free(reg);
}

static void test_blob_hostile(void **state)
{
	struct devreg *reg = sample(), *back;
	uint8_t *blob, *copy;
	size_t len;

	(void)state;
	assert_int_equal(devreg_serialize(reg, (void **)&blob, &len), 0);

	/* every truncation fails cleanly */
	for (size_t n = 0; n < len; n++) {
		back = NULL;
		copy = malloc(n ? n : 1);
		memcpy(copy, blob, n);
		assert_int_equal(devreg_deserialize(copy, n, &back), -EBADMSG);
		assert_null(back);
		free(copy);
	}

	/* so does one byte too many */
	copy = malloc(len + 1);
	memcpy(copy, blob, len);
	copy[len] = 0;
	assert_int_equal(devreg_deserialize(copy, len + 1, &back), -EBADMSG);

	/* and any flipped bit either fails or yields a valid store */
	for (size_t i = 0; i < len; i++)
		for (int bit = 0; bit < 8; bit++) {
			memcpy(copy, blob, len);
			copy[i] ^= (uint8_t)(1u << bit);
			back = NULL;
			int r = devreg_deserialize(copy, len, &back);
			if (r == 0) {
				void *again;
				size_t n;
				assert_int_equal(devreg_serialize(back, &again, &n), 0);
				free(again);
				devreg_free(back);
			} else
				assert_int_equal(r, -EBADMSG);
		}

	/* specific lies */
	{
		static const uint8_t huge_count[] = {'U', 'D', 'R',  'G',  1,	 0,
						     0,	  0,   0xff, 0xff, 0xff, 0xff};
		static const uint8_t bad_version[] = {'U', 'D', 'R', 'G', 2, 0, 0, 0, 0, 0, 0, 0};
		static const uint8_t huge_len[] = {'U', 'D', 'R',  'G',	 1,    0,    0,	 0, 1, 0, 0,
						   0,	4,   0,	   0,	 0,    0,    0,	 0, 0, 1, 0,
						   0,	0,   0xff, 0xff, 0xff, 0xff, 'x'};
		static const uint8_t dup[] = {'U', 'D', 'R', 'G', 1,   0, 0, 0, 2, 0,  0, 0,
					      3,   0,	0,   0,	  0,   0, 0, 0, 1, 0,  0, 0,
					      0,   0,	0,   0,	  'a', 3, 0, 0, 0, 0,  0, 0,
					      0,   1,	0,   0,	  0,   0, 0, 0, 0, 'A'};
		static const uint8_t unnormalized[] = {
		    'U', 'D', 'R', 'G', 1, 0, 0, 0, 1, 0, 0, 0, 3,    0,   0,  0,
		    2,	 0,   0,   0,	1, 0, 0, 0, 0, 0, 0, 0, '\\', 'k', 'a'};
		static const uint8_t nul_name[] = {'U', 'D', 'R', 'G', 1, 0, 0, 0, 1,	0,
						   0,	0,   3,	  0,   0, 0, 0, 0, 0,	0,
						   2,	0,   0,	  0,   0, 0, 0, 0, 'a', 0};
		static const uint8_t bad_type[] = {'U', 'D', 'R', 'G', 1, 0, 0, 0, 1,  0,
						   0,	0,   9,	  0,   0, 0, 0, 0, 0,  0,
						   1,	0,   0,	  0,   0, 0, 0, 0, 'a'};
		static const uint8_t ok[] = {'U', 'D', 'R', 'G', 1, 0, 0,   0, 1, 0, 0,
					     0,	  4,   0,   0,	 0, 0, 0,   0, 0, 1, 0,
					     0,	  0,   4,   0,	 0, 0, 'a', 1, 2, 3, 4};
		uint32_t v;

		assert_int_equal(devreg_deserialize(huge_count, sizeof(huge_count), &back),
				 -EBADMSG);
		assert_int_equal(devreg_deserialize(bad_version, sizeof(bad_version), &back),
				 -EBADMSG);
		assert_int_equal(devreg_deserialize(huge_len, sizeof(huge_len), &back), -EBADMSG);
		assert_int_equal(devreg_deserialize(dup, sizeof(dup), &back), -EBADMSG);
		assert_int_equal(devreg_deserialize(unnormalized, sizeof(unnormalized), &back),
				 -EBADMSG);
		assert_int_equal(devreg_deserialize(nul_name, sizeof(nul_name), &back), -EBADMSG);
		assert_int_equal(devreg_deserialize(bad_type, sizeof(bad_type), &back), -EBADMSG);
		assert_int_equal(devreg_deserialize(ok, sizeof(ok), &back), 0);
		assert_int_equal(devreg_get_dword(back, "", "A", &v), 0);
		assert_int_equal(v, 0x04030201);
		devreg_free(back);
	}

	free(copy);
	free(blob);
	devreg_free(reg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_types),
	    cmocka_unit_test(test_case_and_paths),
	    cmocka_unit_test(test_caps),
	    cmocka_unit_test(test_params),
	    cmocka_unit_test(test_addreg_noclobber),
	    cmocka_unit_test(test_file_round_trip),
	    cmocka_unit_test(test_file_corrupt),
	    cmocka_unit_test(test_blob_round_trip),
	    cmocka_unit_test(test_blob_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
