/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the INF parser and the driver package resolver on input
 * umnicd accepts: the vpair sample in every encoding and line ending, the
 * syntax Windows allows, decorated sections, numbers, AddReg as applied,
 * and Include/Needs between files. test_inf_errors.c has what it refuses.
 */
#include "inf_harness.h"

/* A one-line-per-fact digest of a resolved driver, to compare encodings. */
static char *describe(const struct inf_driver *d)
{
	char *s = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&s, &n);

	assert_non_null(f);
	fprintf(f, "hwid=%s\ndesc=%s\nmfg=%s\nmodels=%s\ninstall=%s\nmode=%d\nservice=%s,%s\n",
		d->hwid, d->description, d->manufacturer, d->models_section, d->install_section,
		(int)d->mode, d->service_name, d->service_section);
	fprintf(f, "lib=%u.%u\nbinary=%s\n", d->library_major, d->library_minor, d->binary_path);
	for (size_t i = 0; i < d->n_extensions; i++)
		fprintf(f, "ext=%s %u.%u\n", d->extensions[i].name, d->extensions[i].major,
			d->extensions[i].minor);
	for (size_t i = 0; i < d->n_service_order; i++)
		fprintf(f, "order=%s\n", d->service_order[i]);
	fprintf(f, "policy=%d %d %d %d %d %d %d %d %d\n", d->policy.kernel_mode_client,
		d->policy.file_object, d->policy.method_neither, d->policy.host_process_sharing,
		d->policy.direct_hardware_access, d->policy.register_access_mode,
		d->policy.fs_context_use, d->policy.impersonation_level, d->policy.dispatcher);
	fprintf(f, "verifier=%d restart=%u/%u\n", d->verifier, d->restart_limit,
		d->restart_reset_minutes);
	for (size_t i = 0; i < d->n_addreg; i++) {
		const struct inf_addreg *e = &d->addreg[i];
		fprintf(f, "reg %s:%u [%s] %s type=%u nc=%d origin=%d data=", e->file, e->line,
			e->subkey, e->name, e->type, e->noclobber, (int)e->origin);
		for (size_t k = 0; k < e->len; k++)
			fprintf(f, "%02x", e->data[k]);
		fputc('\n', f);
	}
	fclose(f);
	return s;
}

/* ---- well-formed input ---- */

static void test_sample_resolves(void **state)
{
	char *text = sample();
	struct umn_diag diag;
	struct inf_file *inf;
	struct inf_driver *d;
	const struct inf_addreg *e;

	(void)state;
	umn_diag_init(&diag);
	inf = load_text("vpair.inf", text, strlen(text), &diag);
	d = resolve(inf, "ROOT\\UMNIC_VPAIR", &diag);

	assert_string_equal(d->hwid, "Root\\umnic_vpair");
	assert_string_equal(d->description, "umnic virtual Ethernet pair – ü 🌐");
	assert_string_equal(d->manufacturer, "umnic");
	assert_string_equal(d->install_section, "VPair_Install.NT");
	assert_int_equal(d->mode, INF_MODE_USER);
	assert_string_equal(d->service_name, "VPair");
	assert_string_equal(d->service_section, "VPair_Install_UmdfService");
	assert_int_equal(d->library_major, 2);
	assert_int_equal(d->library_minor, 33);
	assert_string_equal(d->binary_path, "/tmp/vpair.so");
	assert_int_equal(d->n_extensions, 1);
	assert_string_equal(d->extensions[0].name, "NetAdapterCx0202");
	assert_int_equal(d->extensions[0].major, 2);
	assert_int_equal(d->extensions[0].minor, 2);
	assert_int_equal(d->n_service_order, 1);
	assert_string_equal(d->service_order[0], "VPair");
	assert_int_equal(d->policy.kernel_mode_client, INF_KMCLIENT_ALLOW);
	assert_int_equal(d->policy.file_object, INF_FILEOBJECT_ALLOW_NULL_UNKNOWN);
	assert_int_equal(d->policy.method_neither, INF_METHOD_NEITHER_COPY);
	assert_int_equal(d->policy.fs_context_use, INF_FSCONTEXT_CANNOT_USE);
	/* not in the INF: the defaults of the reference table */
	assert_int_equal(d->policy.host_process_sharing, INF_SHARING_ENABLED);
	assert_int_equal(d->policy.direct_hardware_access, INF_DIRECT_HW_REJECT);
	assert_int_equal(d->policy.register_access_mode, INF_REGACCESS_SYSTEM_CALL);
	assert_int_equal(d->policy.impersonation_level, INF_IMPERSONATION_IDENTIFICATION);
	assert_int_equal(d->policy.dispatcher, INF_DISPATCHER_REFLECTOR);
	assert_true(d->verifier);
	assert_int_equal(d->restart_limit, 3);
	assert_int_equal(d->restart_reset_minutes, INF_DEFAULT_RESTART_RESET_MINUTES);

	/* 7 Ndi values from the install section, then 10 HKR values from .HW */
	assert_int_equal(d->n_addreg, 17);
	assert_int_equal(d->addreg[0].origin, INF_ADDREG_DRIVER);
	assert_string_equal(d->addreg[0].subkey, "Ndi");
	assert_string_equal(d->addreg[0].name, "Service");
	assert_memory_equal(d->addreg[0].data, "vpair", 6);
	assert_int_equal(d->addreg[7].origin, INF_ADDREG_DEVICE);

	e = find_reg(d, "Ndi\\params\\*JumboPacket", "ParamDesc");
	assert_non_null(e);
	assert_int_equal(e->type, DEVREG_SZ);
	assert_string_equal((const char *)e->data, "Jumbo Packet, in bytes");
	e = find_reg(d, "", "PeerName");
	assert_int_equal(e->type, DEVREG_SZ);
	assert_string_equal((const char *)e->data, "vpair-b");
	e = find_reg(d, "", "Description");
	assert_string_equal((const char *)e->data, "quoted, with commas; and \"quotes\"");
	e = find_reg(d, "", "FriendlyName");
	assert_string_equal((const char *)e->data, "umnic virtual Ethernet pair – ü 🌐");
	e = find_reg(d, "", "LinkSpeedMbps");
	assert_int_equal(e->type, DEVREG_DWORD);
	assert_int_equal(e->len, 4);
	assert_memory_equal(e->data, "\x10\x27\0\0", 4);
	e = find_reg(d, "", "Mtu");
	assert_memory_equal(e->data, "\xdc\x05\0\0", 4);
	e = find_reg(d, "", "MacAddress");
	assert_int_equal(e->type, DEVREG_BINARY);
	assert_int_equal(e->len, 6);
	assert_memory_equal(e->data, "\x02\x00\x5e\x10\x00\x01", 6);
	e = find_reg(d, "", "UpperFilters");
	assert_int_equal(e->type, DEVREG_MULTI_SZ);
	assert_int_equal(e->len, 17);
	assert_memory_equal(e->data, "filterA\0filterB\0", 17);
	e = find_reg(d, "", "ImagePath");
	assert_int_equal(e->type, DEVREG_EXPAND_SZ);
	assert_string_equal((const char *)e->data, "%SystemRoot%\\vpair");
	e = find_reg(d, "", "CounterBase");
	assert_int_equal(e->type, DEVREG_QWORD);
	assert_memory_equal(e->data, "\0\0\0\0\x01\0\0\0", 8);
	e = find_reg(d, "", "KeepMe");
	assert_int_equal(e->type, DEVREG_DWORD);
	assert_true(e->noclobber);
	assert_null(find_reg(d, "Software\\umnic", "Installed"));

	assert_true(has_warningf(
	    &diag, "vpair.inf:%u: AddReg: only HKR values are applied; HKLM entry ignored",
	    line_of(text, "HKLM,")));
	assert_int_equal(umn_diag_n_warnings(&diag), 1);
	assert_false(umn_diag_has_error(&diag));

	inf_driver_free(d);
	inf_free(inf);
	umn_diag_free(&diag);
	free(text);
}

static void test_sample_hwid_choice(void **state)
{
	char *text = sample();
	struct inf_file *inf;
	struct inf_driver *d;

	(void)state;
	inf = load_text("vpair.inf", text, strlen(text), NULL);
	d = resolve(inf, NULL, NULL);
	assert_string_equal(d->hwid, "Root\\umnic_vpair");
	inf_driver_free(d);
	/* a compatible ID matches too, and is reported as the INF spells it */
	d = resolve(inf, "UMNIC\\VPAIR_COMPAT", NULL);
	assert_string_equal(d->hwid, "umnic\\vpair_compat");
	assert_string_equal(d->models_section, "Standard.NTamd64");
	inf_driver_free(d);
	inf_free(inf);
	free(text);
}

static void test_encodings_agree(void **state)
{
	char *lf = sample(), *crlf = sample_eol("\r\n"), *bom;
	uint8_t *u16, *u16crlf;
	size_t n16, n16crlf;
	const void *data[5];
	size_t len[5];
	char *want = NULL;

	(void)state;
	assert_true(asprintf(&bom, "\xef\xbb\xbf%s", crlf) > 0);
	u16 = to_utf16(lf, &n16);
	u16crlf = to_utf16(crlf, &n16crlf);
	data[0] = lf, len[0] = strlen(lf);
	data[1] = crlf, len[1] = strlen(crlf);
	data[2] = bom, len[2] = strlen(bom);
	data[3] = u16, len[3] = n16;
	data[4] = u16crlf, len[4] = n16crlf;

	for (size_t i = 0; i < 5; i++) {
		struct inf_file *inf = load_text("vpair.inf", data[i], len[i], NULL);
		struct inf_driver *d = resolve(inf, NULL, NULL);
		char *got = describe(d);

		if (!want)
			want = got;
		else {
			assert_string_equal(got, want);
			free(got);
		}
		inf_driver_free(d);
		inf_free(inf);
	}
	free(want);
	free(u16);
	free(u16crlf);
	free(bom);
	free(crlf);
	free(lf);
}

static void test_sample_apply_addreg(void **state)
{
	char *text = sample();
	struct inf_file *inf = load_text("vpair.inf", text, strlen(text), NULL);
	struct inf_driver *d = resolve(inf, NULL, NULL);
	struct devreg *reg;
	const char *s;
	uint32_t v;

	(void)state;
	assert_int_equal(devreg_new(&reg), 0);
	assert_int_equal(devreg_set_dword(reg, "", "keepme", 42), 0);
	assert_int_equal(inf_driver_apply_addreg(d, reg, NULL), 0);
	assert_int_equal(devreg_count(reg), 17);
	assert_int_equal(devreg_get_dword(reg, "", "KeepMe", &v), 0);
	assert_int_equal(v, 42); /* NOCLOBBER kept it */
	assert_int_equal(devreg_get_dword(reg, "", "mtu", &v), 0);
	assert_int_equal(v, 1500);
	assert_int_equal(devreg_get_sz(reg, "ndi\\PARAMS\\*jumbopacket", "max", &s), 0);
	assert_string_equal(s, "9014");
	devreg_free(reg);
	inf_driver_free(d);
	inf_free(inf);
	free(text);
}

static void test_syntax(void **state)
{
	static const char text[] = "[ Sec One ]  ; comment\n"
				   "key = a , \"b, c\" ,, \"  padded  \" , x\"y\"z ; trailing\n"
				   "no equals, here\n"
				   "empty =\n"
				   "quoted = \"\"\n"
				   "trail = a,\n"
				   "esc = \"say \"\"hi\"\"\", 100%%, %13%\\dir, \"%%\"\n"
				   "joined = one, \\\n"
				   "   two, \\ ; comment after the backslash\n"
				   "   three\n"
				   "backslash = a\\b, c\\\n"
				   ", d\n"
				   "eq = \"k=v\", x=y\n"
				   "%Key% = %Val%\n"
				   "[sec one]\n"
				   "merged = yes\n"
				   "mid = ab\\\n"
				   "cd\n"
				   "[Strings]\n"
				   "Include = \"a string, not a file\"\n"
				   "Key = \"TheKey\"\n"
				   "Val = one, two ; commas do not split strings\n"
				   "Long = \"a string wrapped\r\n"
				   "  over two lines\"\n"
				   "[Strings.0409]\n"
				   "val = \"en-US wins\"\n"
				   "[Strings.0407]\n"
				   "Val = ignored\n";
	struct umn_diag diag;
	struct inf_file *inf;
	const struct inf_section *s;
	const struct inf_line *l;

	(void)state;
	umn_diag_init(&diag);
	inf = load_text("syntax.inf", text, strlen(text), &diag);
	assert_int_equal(umn_diag_n_warnings(&diag), 0); /* "Include" in [Strings] is a string */
	umn_diag_free(&diag);
	s = inf_section_find(inf, "SEC ONE");
	assert_non_null(s);
	assert_string_equal(inf_section_name(s), "Sec One");
	assert_int_equal(inf_section_line(s), 1);
	assert_int_equal(inf_section_n_lines(s), 12);

	l = inf_section_find_key(s, "KEY");
	assert_int_equal(l->line, 2);
	assert_string_equal(l->file, "syntax.inf");
	assert_int_equal(l->n_values, 5);
	assert_string_equal(l->values[0], "a");
	assert_string_equal(l->values[1], "b, c");
	assert_string_equal(l->values[2], "");
	assert_string_equal(l->values[3], "  padded  ");
	assert_string_equal(l->values[4], "xyz");
	assert_null(inf_line_value(l, 5));

	l = inf_section_get_line(s, 1);
	assert_null(l->key);
	assert_int_equal(l->n_values, 2);
	assert_string_equal(l->values[1], "here");

	assert_int_equal(inf_section_find_key(s, "empty")->n_values, 0);
	l = inf_section_find_key(s, "quoted");
	assert_int_equal(l->n_values, 1);
	assert_string_equal(l->values[0], "");
	assert_int_equal(inf_section_find_key(s, "trail")->n_values, 2);

	l = inf_section_find_key(s, "esc");
	assert_int_equal(l->n_values, 4);
	assert_string_equal(l->values[0], "say \"hi\"");
	assert_string_equal(l->values[1], "100%");
	assert_string_equal(l->values[2], "%13%\\dir");
	assert_string_equal(l->values[3], "%");

	l = inf_section_find_key(s, "joined");
	assert_int_equal(l->line, 8);
	assert_int_equal(l->n_values, 3);
	assert_string_equal(l->values[0], "one");
	assert_string_equal(l->values[1], "two");
	assert_string_equal(l->values[2], "three");

	l = inf_section_find_key(s, "backslash");
	assert_int_equal(l->line, 11);
	assert_int_equal(l->n_values, 3);
	assert_string_equal(l->values[0], "a\\b");
	assert_string_equal(l->values[1], "c"); /* the trailing '\' joined the next line */
	assert_string_equal(l->values[2], "d");
	assert_int_equal(inf_section_find_key(s, "eq")->line, 13);
	l = inf_section_find_key(s, "eq");
	assert_string_equal(l->values[0], "k=v");
	assert_string_equal(l->values[1], "x=y");

	l = inf_section_find_key(s, "TheKey");
	assert_non_null(l);
	assert_string_equal(l->values[0], "en-US wins");
	assert_string_equal(inf_section_find_key(s, "merged")->values[0], "yes");
	assert_string_equal(inf_section_find_key(s, "mid")->values[0], "abcd");
	l = inf_section_find_key(inf_section_find(inf, "strings"), "val");
	assert_string_equal(l->values[0], "one, two");
	l = inf_section_find_key(inf_section_find(inf, "strings"), "long");
	assert_string_equal(l->values[0], "a string wrapped\n  over two lines");
	l = inf_section_find_key(inf_section_find(inf, "strings.0409"), "val");
	assert_string_equal(l->values[0], "en-US wins");

	inf_free(inf);
}

static void test_decorations(void **state)
{
	static const char text[] = "[A]\nx=1\n[A.NT]\nx=2\n[A.NTamd64]\nx=3\n[A.NTarm64]\nx=4\n"
				   "[B]\nx=5\n[B.nt]\nx=6\n[C]\nx=7\n";
	struct inf_file *inf = load_text("deco.inf", text, strlen(text), NULL);
	const char *arch = inf_arch_decoration();
	const struct inf_section *s;

	(void)state;
	s = inf_section_find_decorated(inf, "a");
	assert_string_equal(inf_section_name(s) + 2, arch);
	assert_string_equal(inf_section_name(inf_section_find_decorated(inf, "B")), "B.nt");
	assert_string_equal(inf_section_name(inf_section_find_decorated(inf, "C")), "C");
	assert_null(inf_section_find_decorated(inf, "D"));
	inf_free(inf);
}

static void test_numbers(void **state)
{
	static const char text[] = "[S]\nn = 42, 0x2A, 0X2a, -1, 4294967296, , 12z\n";
	struct inf_file *inf = load_text("num.inf", text, strlen(text), NULL);
	const struct inf_line *l = inf_section_find_key(inf_section_find(inf, "S"), "n");
	struct umn_diag diag;
	uint64_t v = 7;

	(void)state;
	umn_diag_init(&diag);
	assert_int_equal(inf_line_get_uint(l, 0, 100, &v, &diag), 0);
	assert_int_equal(v, 42);
	assert_int_equal(inf_line_get_uint(l, 1, 100, &v, &diag), 0);
	assert_int_equal(inf_line_get_uint(l, 2, 100, &v, &diag), 0);
	assert_int_equal(v, 42);
	assert_int_equal(inf_line_get_uint(l, 4, UINT32_MAX, &v, &diag), -ERANGE);
	assert_string_equal(umn_diag_error_message(&diag),
			    "num.inf:2: n: 4294967296 is out of range (max 4294967295)");
	umn_diag_free(&diag);
	assert_int_equal(inf_line_get_uint(l, 3, 100, &v, &diag), -EBADMSG);
	assert_string_equal(umn_diag_error_message(&diag), "num.inf:2: n: \"-1\" is not a number");
	umn_diag_free(&diag);
	assert_int_equal(inf_line_get_uint(l, 5, 100, &v, &diag), -EBADMSG);
	assert_string_equal(umn_diag_error_message(&diag), "num.inf:2: n: missing number");
	umn_diag_free(&diag);
	assert_int_equal(v, 42); /* untouched on failure */
	assert_int_equal(inf_parse_uint("12z", 100, &v), -EINVAL);
	assert_int_equal(inf_parse_uint("0x", 100, &v), -EINVAL);
	assert_int_equal(inf_parse_uint("18446744073709551616", UINT64_MAX, &v), -ERANGE);
	assert_int_equal(inf_parse_uint("0xffffffffffffffff", UINT64_MAX, &v), 0);
	assert_true(v == UINT64_MAX);
	inf_free(inf);
}

/* ---- Include and Needs ---- */

static char *make_dir(void)
{
	char *dir = strdup("/tmp/umnic-test-inf-XXXXXX");

	assert_non_null(dir);
	assert_non_null(mkdtemp(dir));
	return dir;
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char *path;
	FILE *f;

	assert_true(asprintf(&path, "%s/%s", dir, name) > 0);
	f = fopen(path, "we");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	free(path);
}

static void remove_file(const char *dir, const char *name)
{
	char *path;

	assert_true(asprintf(&path, "%s/%s", dir, name) > 0);
	unlink(path);
	free(path);
}

static void test_include(void **state)
{
	char *text = sample(), *main_text, *dir = make_dir(), *path, msg[256], *real;
	struct umn_diag diag;
	struct inf_file *inf;
	struct inf_driver *d;
	const struct inf_addreg *e;

	(void)state;
	main_text = replace(text, "CopyFiles          = VPair_CopyFiles\n",
			    "CopyFiles          = VPair_CopyFiles\n"
			    "Include            = machine.inf, common.inf, netvwifibus.inf\n"
			    "Needs              = Common.Install, Machine.Install\n");
	write_file(dir, "vpair.inf", main_text);
	write_file(dir, "common.inf",
		   "[Version]\nSignature = \"$WINDOWS NT$\"\n"
		   "[Common.Install]\nAddReg = Common.AddReg\nInclude = vpair.inf, common.inf\n"
		   "[Common.AddReg]\nHKR,,FromInclude,0x10001,%Value%\n"
		   "HKR,,Service,0,overridden by .HW? no: other key\n"
		   "[Strings]\nValue = 5\n");
	assert_true(asprintf(&path, "%s/vpair.inf", dir) > 0);

	umn_diag_init(&diag);
	assert_int_equal(inf_load(path, &inf, &diag), 0);
	assert_true(has_warningf(
	    &diag, "vpair.inf:%u: Include of machine.inf not found here; its sections are ignored",
	    line_of(main_text, "Include")));
	assert_true(has_warningf(
	    &diag,
	    "vpair.inf:%u: Include of netvwifibus.inf not found here; its sections are "
	    "ignored",
	    line_of(main_text, "Include")));
	assert_true(inf_missing_include(inf));
	/* sections of the Include'd file are found; the main file's win on a clash */
	assert_non_null(inf_section_find(inf, "common.addreg"));
	assert_string_equal(inf_section_file(inf_section_find(inf, "Common.Install")),
			    "common.inf");
	assert_string_equal(inf_section_file(inf_section_find(inf, "Version")), "vpair.inf");
	real = realpath(dir, NULL);
	assert_string_equal(inf_dir(inf), real);

	d = resolve(inf, NULL, &diag);
	e = find_reg(d, "", "FromInclude");
	assert_non_null(e);
	assert_string_equal(e->file, "common.inf");
	assert_int_equal(e->line, 7);
	assert_memory_equal(e->data, "\5\0\0\0", 4);
	assert_true(has_warningf(
	    &diag,
	    "vpair.inf:%u: Needs section [Machine.Install] not found (its Include is not "
	    "here); ignored",
	    line_of(main_text, "Needs")));
	snprintf(msg, sizeof(msg), "%s/vpair.so", real);
	assert_string_equal(d->binary_path, msg);
	assert_false(umn_diag_has_error(&diag));
	inf_driver_free(d);
	inf_free(inf);
	umn_diag_free(&diag);

	/* With every Include present, a missing Needs section is an error. */
	free(main_text);
	main_text = replace(text, "CopyFiles          = VPair_CopyFiles\n",
			    "Include = common.inf\nNeeds = Common.Install, Nowhere\n");
	write_file(dir, "vpair.inf", main_text);
	assert_int_equal(inf_load(path, &inf, &diag), 0);
	assert_int_equal(inf_resolve_driver(inf, NULL, &d, &diag), -EBADMSG);
	snprintf(msg, sizeof(msg), "vpair.inf:%u: Needs section [Nowhere] not found",
		 line_of(main_text, "Needs"));
	assert_string_equal(umn_diag_error_message(&diag), msg);
	inf_free(inf);
	umn_diag_free(&diag);

	/* An Include'd file's errors name that file. */
	write_file(dir, "common.inf", "[Version]\nx = \"open\n");
	assert_int_equal(inf_load(path, &inf, &diag), -EBADMSG);
	assert_string_equal(umn_diag_error_message(&diag),
			    "common.inf:2: unterminated quoted string");
	umn_diag_free(&diag);

	remove_file(dir, "common.inf");
	remove_file(dir, "vpair.inf");
	rmdir(dir);
	free(real);
	free(path);
	free(dir);
	free(main_text);
	free(text);
}

static void test_load_missing_file(void **state)
{
	struct umn_diag diag;
	struct inf_file *inf = NULL;

	(void)state;
	umn_diag_init(&diag);
	assert_int_equal(inf_load("/nonexistent/dir/pkg.inf", &inf, &diag), -ENOENT);
	assert_null(inf);
	assert_string_equal(umn_diag_error_message(&diag),
			    "pkg.inf: cannot open: No such file or directory");
	umn_diag_free(&diag);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sample_resolves),
	    cmocka_unit_test(test_sample_hwid_choice),
	    cmocka_unit_test(test_encodings_agree),
	    cmocka_unit_test(test_sample_apply_addreg),
	    cmocka_unit_test(test_syntax),
	    cmocka_unit_test(test_decorations),
	    cmocka_unit_test(test_numbers),
	    cmocka_unit_test(test_include),
	    cmocka_unit_test(test_load_missing_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
