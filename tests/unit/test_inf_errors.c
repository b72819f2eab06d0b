/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for what the INF parser and the driver package resolver
 * refuse, each with exactly the message a user sees (file, line, what is
 * wrong): bad syntax, sizes and packages, references that would multiply
 * the work; the warnings and the KMDF choice; what Windows lets pass in
 * the INFs it ships; and the bounds of the diagnostics themselves.
 */
#include "inf_harness.h"

/* Loads (and resolves, if loading works) and expects exactly this error. */
static void expect_error(const char *name, const void *data, size_t len, const char *hwid, int err,
			 const char *msg)
{
	struct umn_diag diag;
	struct inf_file *inf = NULL;
	struct inf_driver *d = NULL;
	int r;

	umn_diag_init(&diag);
	r = inf_load_buffer(name, data, len, NULL, &inf, &diag);
	if (r >= 0) {
		assert_non_null(inf);
		r = inf_resolve_driver(inf, hwid, &d, &diag);
		assert_null(d);
	} else
		assert_null(inf);
	assert_int_equal(r, err);
	assert_true(umn_diag_has_error(&diag));
	assert_string_equal(umn_diag_error_message(&diag), msg);
	inf_free(inf);
	umn_diag_free(&diag);
}

/* The sample with one edit; expects msg, in which "%u" stands for the line of marker. */
static void expect_sample_error(const char *old, const char *new, const char *marker,
				const char *hwid, int err, const char *msg_fmt)
{
	char *text = sample(), *bad = replace(text, old, new), msg[512];
	const char *at = strstr(msg_fmt, "%u");

	if (at && marker)
		snprintf(msg, sizeof(msg), "%.*s%u%s", (int)(at - msg_fmt), msg_fmt,
			 line_of(bad, marker), at + 2);
	else
		snprintf(msg, sizeof(msg), "%s", msg_fmt);
	expect_error("vpair.inf", bad, strlen(bad), hwid, err, msg);
	free(bad);
	free(text);
}

/* ---- malformed input: each must fail with exactly this message ---- */

#define EXPECT_BAD(lit, err, msg) expect_error("bad.inf", lit, sizeof(lit) - 1, NULL, err, msg)

static void test_bad_syntax(void **state)
{
	char *text;
	uint8_t *u16;
	size_t n;

	(void)state;
	EXPECT_BAD("[Version]\nSignature = \"$WINDOWS NT$\n", -EBADMSG,
		   "bad.inf:2: unterminated quoted string");
	EXPECT_BAD("; hi\n[Version\nx=1\n", -EBADMSG, "bad.inf:2: unterminated section header");
	EXPECT_BAD("[A] junk\n", -EBADMSG, "bad.inf:1: unexpected text after section header [A]");
	EXPECT_BAD("[]\n", -EBADMSG, "bad.inf:1: empty section name");
	EXPECT_BAD("x = 1\n", -EBADMSG, "bad.inf:1: line outside of any section");
	EXPECT_BAD("[A]\n= 1\n", -EBADMSG, "bad.inf:2: missing key before '='");
	EXPECT_BAD("[A]\n\nx = %Nope%\n[Strings]\nYes = 1\n", -EBADMSG,
		   "bad.inf:3: unknown string %Nope% (not in [Strings])");
	EXPECT_BAD("[A]\nx = 100%\n", -EBADMSG,
		   "bad.inf:2: unmatched '%' in \"100%\" (write %% for a literal percent sign)");
	EXPECT_BAD("[A]\nx = a\\\n  \"b\n", -EBADMSG, "bad.inf:2: unterminated quoted string");
	EXPECT_BAD("[Strings]\nA = \"open\nB = 1\n", -EBADMSG,
		   "bad.inf:2: unterminated quoted string");
	EXPECT_BAD("[A]\n\nx = \xc3\x28\n", -EBADMSG, "bad.inf:3: invalid UTF-8");
	EXPECT_BAD("[A]\nx = a\0b\n", -EBADMSG,
		   "bad.inf:2: NUL character (UTF-16 without a byte order mark?)");
	EXPECT_BAD("\xfe\xff\0[", -EBADMSG,
		   "bad.inf:1: UTF-16BE is not supported; save as UTF-16LE or UTF-8");
	EXPECT_BAD("[A]\nInclude = ../etc/x.inf\n", -EBADMSG,
		   "bad.inf:2: Include of \"../etc/x.inf\": only plain file names are allowed");

	/* UTF-16: an odd byte count, and a lone surrogate on line 2 */
	u16 = to_utf16("[A]\nx = 1\n", &n);
	expect_error("bad.inf", u16, n - 1, NULL, -EBADMSG,
		     "bad.inf:2: odd number of bytes in UTF-16 text (truncated file?)");
	u16[n - 4] = 0x00;
	u16[n - 3] = 0xd8;
	expect_error("bad.inf", u16, n, NULL, -EBADMSG,
		     "bad.inf:2: invalid UTF-16 (unpaired surrogate)");
	free(u16);

	/* a logical line over 64 KiB, made of continued physical lines */
	text = malloc(200000);
	assert_non_null(text);
	n = (size_t)sprintf(text, "[A]\nx = ");
	for (int i = 0; i < 6000; i++)
		n += (size_t)sprintf(text + n, "value%05d, \\\n", i);
	n += (size_t)sprintf(text + n, "end\n");
	expect_error("bad.inf", text, n, NULL, -EBADMSG,
		     "bad.inf:2: line too long (max 65536 bytes)");

	/* too many lines */
	free(text);
	text = malloc(INF_MAX_LINES * 2 + 16);
	assert_non_null(text);
	n = (size_t)sprintf(text, "[A]\n");
	while (n < INF_MAX_LINES * 2 + 4)
		text[n++] = '\n';
	text[n++] = 'x';
	expect_error("bad.inf", text, n, NULL, -EFBIG, "bad.inf: more than 100000 lines");
	free(text);

	/* substitution must not blow a line up past the limit */
	text = malloc(INF_MAX_LINE_LEN + 1000);
	assert_non_null(text);
	n = (size_t)sprintf(text, "[A]\nx = %%B%%%%B%%%%B%%\n[Strings]\nB = \"");
	memset(text + n, 'b', 30000);
	n += 30000;
	n += (size_t)sprintf(text + n, "\"\n");
	expect_error("bad.inf", text, n, NULL, -EBADMSG,
		     "bad.inf:2: line too long after string substitution (max 65536 bytes)");
	free(text);
}

static void test_bad_file_size(void **state)
{
	size_t n = INF_MAX_FILE_SIZE + 1;
	char *text = malloc(n);

	(void)state;
	assert_non_null(text);
	memset(text, ';', n);
	expect_error("big.inf", text, n, NULL, -EFBIG, "big.inf: file larger than 4 MiB");
	free(text);
}

static void test_bad_package(void **state)
{
	(void)state;
	expect_sample_error("UmdfLibraryVersion = 2.33.0", "UmdfLibraryVersion = 2.35.0",
			    "UmdfLibraryVersion", NULL, -EBADMSG,
			    "vpair.inf:%u: UmdfLibraryVersion 2.35.0 is not supported (umnic "
			    "provides UMDF 2.0 to 2.33)");
	expect_sample_error("UmdfLibraryVersion = 2.33.0", "UmdfLibraryVersion = 2.x",
			    "UmdfLibraryVersion", NULL, -EBADMSG,
			    "vpair.inf:%u: UmdfLibraryVersion \"2.x\" is not a version (expected "
			    "major.minor.build, e.g. 2.33.0)");
	expect_sample_error("UmdfLibraryVersion = 2.33.0", "UmdfLibraryVersion = 1.33.0",
			    "UmdfLibraryVersion", NULL, -EBADMSG,
			    "vpair.inf:%u: UmdfLibraryVersion 1.33.0 is not supported (umnic "
			    "provides UMDF 2.0 to 2.33)");
	expect_sample_error("UmdfMethodNeitherAction    = Copy",
			    "UmdfMethodNeitherAction    = Maybe", "UmdfMethodNeitherAction", NULL,
			    -EBADMSG,
			    "vpair.inf:%u: invalid UmdfMethodNeitherAction value \"Maybe\" "
			    "(allowed: Reject, Copy)");
	expect_sample_error("UmdfFileObjectPolicy       = AllowNullAndUnknownFileObjects",
			    "UmdfFileObjectPolicy = Allow, Reject", "UmdfFileObjectPolicy", NULL,
			    -EBADMSG,
			    "vpair.inf:%u: invalid UmdfFileObjectPolicy value \"<not one value>\" "
			    "(allowed: RejectNullAndUnknownFileObjects, "
			    "AllowNullAndUnknownFileObjects)");
	expect_sample_error("ServiceBinary      = %13%\\vpair.dll\n", "", "[VPair_Install_Umdf",
			    NULL, -EBADMSG,
			    "vpair.inf:%u: [VPair_Install_UmdfService] has no ServiceBinary");
	expect_sample_error("ServiceBinary      = %13%\\vpair.dll", "ServiceBinary = vpair.exe",
			    "ServiceBinary = vpair", NULL, -EBADMSG,
			    "vpair.inf:%u: ServiceBinary \"vpair.exe\" must name a .dll, .sys or "
			    ".so file");
	expect_sample_error("UmdfServiceOrder           = VPair\n",
			    "KmdfService = VPair, VPair_Install_UmdfService\n", "KmdfService", NULL,
			    -EBADMSG,
			    "vpair.inf:%u: both UmdfService and KmdfService: a driver runs either "
			    "in user mode or in kernel mode");
	expect_sample_error("UmdfService                = VPair, VPair_Install_UmdfService\n", "",
			    "[VPair_Install.NT.Wdf]", NULL, -EBADMSG,
			    "vpair.inf:%u: [VPair_Install.NT.Wdf] has neither UmdfService nor "
			    "KmdfService");
	expect_sample_error("UmdfService                = VPair, VPair_Install_UmdfService",
			    "UmdfService = VPair, Missing_Section", "UmdfService =", NULL, -EBADMSG,
			    "vpair.inf:%u: service install section [Missing_Section] not found");
	expect_sample_error("[Manufacturer]", "[Manufacturer]", NULL, "PCI\\VEN_8086", -ENOENT,
			    "vpair.inf: no model matches hardware ID \"PCI\\VEN_8086\"");
	expect_sample_error(
	    "KeepMe,        0x00010003, 7", "KeepMe, 0x00010005, 7", "KeepMe", NULL, -EBADMSG,
	    "vpair.inf:%u: AddReg: unsupported flags 0x00010005 (types: 0x0 SZ, "
	    "0x10000 MULTI_SZ, 0x20000 EXPAND_SZ, 0x1 BINARY, 0x10001 DWORD, 0xb0001 "
	    "QWORD; modifier: 0x2 NOCLOBBER)");
	expect_sample_error("Mtu,           0x00010001, 0x5dc", "Mtu, 0x00010001, 15OO", "Mtu,",
			    NULL, -EBADMSG,
			    "vpair.inf:%u: AddReg: \"15OO\" is not a REG_DWORD number");
	expect_sample_error("Mtu,           0x00010001, 0x5dc", "Mtu, 0x00010001, 0x100000000",
			    "Mtu,", NULL, -EBADMSG,
			    "vpair.inf:%u: AddReg: 0x100000000 does not fit in a REG_DWORD");
	expect_sample_error("MacAddress,    0x00000001, 02,", "MacAddress, 1, 0x2,", "MacAddress",
			    NULL, -EBADMSG, "vpair.inf:%u: AddReg: \"0x2\" is not a hex byte");
	expect_sample_error("HKLM, Software", "HKXX, Software", "HKXX", NULL, -EBADMSG,
			    "vpair.inf:%u: AddReg: unknown registry root \"HKXX\" (expected HKR)");
	expect_sample_error("AddReg = VPair_HW_AddReg", "AddReg = VPair_HW_AddReg, Nope",
			    "AddReg = VPair_HW", NULL, -EBADMSG,
			    "vpair.inf:%u: AddReg section [Nope] not found");
	expect_sample_error("UmdfExtensions     = NetAdapterCx0202",
			    "UmdfExtensions     = NetAdapterCx22", "UmdfExtensions", NULL, -EBADMSG,
			    "vpair.inf:%u: UmdfExtensions entry \"NetAdapterCx22\" is not <Name><4 "
			    "digits> (e.g. NetAdapterCx0202)");
	expect_sample_error("UmnicRestartLimit          = 3", "UmnicRestartLimit = 5000",
			    "UmnicRestartLimit", NULL, -EBADMSG,
			    "vpair.inf:%u: UmnicRestartLimit: 5000 is out of range (max 1000)");
	expect_sample_error("UmnicVerifier              = 1", "UmnicVerifier = yes",
			    "UmnicVerifier", NULL, -EBADMSG,
			    "vpair.inf:%u: UmnicVerifier: \"yes\" is not a number");
	expect_sample_error("UmnicRestartLimit          = 3", "UmnicRestartResetMinutes = 0",
			    "UmnicRestartResetMinutes", NULL, -EBADMSG,
			    "vpair.inf:%u: UmnicRestartResetMinutes must be at least 1");
	expect_sample_error("NTamd64]\n%VPair.DeviceDesc% = VPair_Install,",
			    "NTamd64]\n%VPair.DeviceDesc% = VPair_Nowhere,", "VPair_Nowhere", NULL,
			    -EBADMSG,
			    "vpair.inf:%u: install section [VPair_Nowhere] not found (also tried "
			    "VPair_Nowhere.NTamd64 and VPair_Nowhere.NT)");
	expect_sample_error("[VPair_Install.NT.Wdf]", "[VPair_Install.NT.Wdx]",
			    "[VPair_Install.NT]", NULL, -EBADMSG,
			    "vpair.inf:%u: no [VPair_Install.NT.Wdf] section with UmdfService or "
			    "KmdfService");
	expect_sample_error("%ManufacturerName% = Standard, NTamd64, NTarm64",
			    "%ManufacturerName% = Standard, NTamd64.10.0, NTarm64",
			    "%ManufacturerName%", NULL, -EBADMSG,
			    "vpair.inf:%u: models section [Standard.NTamd64.10.0] not found");
	expect_sample_error("[Manufacturer]", "[Manufacturers]", NULL, NULL, -EBADMSG,
			    "vpair.inf: no [Manufacturer] section");
	expect_sample_error("UmdfServiceOrder           = VPair", "UmdfServiceOrder = Other",
			    "UmdfServiceOrder", NULL, -EBADMSG,
			    "vpair.inf:%u: UmdfServiceOrder does not list the UmdfService VPair");
}

/* Repeated references must not multiply the work without bound. */
static void test_bad_amplification(void **state)
{
	size_t cap = 2 * 1024 * 1024, n = 0;
	char *text = malloc(cap);

	(void)state;
	assert_non_null(text);
	n += (size_t)snprintf(text + n, cap - n,
			      "[Manufacturer]\nm = S\n[S]\nd = I, hw\n[I.Wdf]\n"
			      "UmdfService = a, svc\n[svc]\nUmdfLibraryVersion = 2.33\n"
			      "ServiceBinary = a.dll\n[I]\nNeeds = Y");
	for (int i = 0; i < 30000; i++)
		n += (size_t)snprintf(text + n, cap - n, ",Y");
	n += (size_t)snprintf(text + n, cap - n, "\n[Y]\nAddReg = E");
	for (int i = 0; i < 300; i++)
		n += (size_t)snprintf(text + n, cap - n, ",E");
	n += (size_t)snprintf(text + n, cap - n, "\n[E]\n");
	expect_error("big.inf", text, n, NULL, -EBADMSG,
		     "big.inf:13: AddReg and Needs references add up to more than 4000000 lines "
		     "and values");

	n = (size_t)snprintf(text, cap, "[Manufacturer]\n");
	for (int i = 0; i < 3000; i++)
		n += (size_t)snprintf(text + n, cap - n, "m = S\n");
	n += (size_t)snprintf(text + n, cap - n, "[S]\n");
	for (int i = 0; i < 3000; i++)
		n += (size_t)snprintf(text + n, cap - n, "d = I, a, b, hw%d\n", i);
	expect_error("big.inf", text, n, "nomatch", -EBADMSG,
		     "big.inf:668: [Manufacturer] leads to more than 8000000 model entries");
	free(text);
}

static void test_warnings_and_kmdf(void **state)
{
	char *text = sample(), *a, *b;
	struct umn_diag diag;
	struct inf_file *inf;
	struct inf_driver *d;

	(void)state;
	a = replace(text, "UmnicVerifier              = 1",
		    "UmdfHostPriority = High\nUmdfMethodNeitherAction = Reject");
	b = replace(a, "UmdfServiceOrder           = VPair\n", "");
	umn_diag_init(&diag);
	inf = load_text("vpair.inf", b, strlen(b), &diag);
	d = resolve(inf, NULL, &diag);
	assert_true(has_warningf(
	    &diag,
	    "vpair.inf:%u: unknown directive UmdfHostPriority in [VPair_Install.NT.Wdf]; "
	    "ignored",
	    line_of(b, "UmdfHostPriority")));
	assert_true(has_warningf(
	    &diag,
	    "vpair.inf:%u: UmdfMethodNeitherAction given again; the first one (line %u) is "
	    "used",
	    line_of(b, "UmdfMethodNeitherAction = Reject"), line_of(b, "UmdfMethodNeither")));
	assert_true(has_warningf(
	    &diag, "vpair.inf:%u: no UmdfServiceOrder in [VPair_Install.NT.Wdf]; assuming VPair",
	    line_of(b, "UmdfService ")));
	assert_int_equal(d->policy.method_neither, INF_METHOD_NEITHER_COPY);
	assert_false(d->verifier);
	inf_driver_free(d);
	inf_free(inf);
	umn_diag_free(&diag);
	free(a);
	free(b);

	/* The same package as a KMDF driver loaded into umnicd. */
	a = replace(text, "UmdfService                = VPair",
		    "KmdfService                = VPair");
	b = replace(a, "UmdfLibraryVersion = 2.33.0", "KmdfLibraryVersion = 1.33");
	inf = load_text("vpair.inf", b, strlen(b), &diag);
	d = resolve(inf, NULL, &diag);
	assert_int_equal(d->mode, INF_MODE_KERNEL);
	assert_int_equal(d->library_major, 1);
	assert_int_equal(d->library_minor, 33);
	assert_int_equal(d->n_extensions, 0);
	assert_true(has_warningf(
	    &diag, "vpair.inf:%u: UmdfKernelModeClientPolicy applies to UMDF drivers only; ignored",
	    line_of(b, "UmdfKernelModeClientPolicy")));
	inf_driver_free(d);
	inf_free(inf);
	umn_diag_free(&diag);
	free(a);
	free(b);
	free(text);
}

/*
 * What Windows accepts in the INFs it ships with samples: %REG_SZ% and the
 * other registry type names without a [Strings] entry, and Include/Needs of
 * the system INFs (wudfrd.inf, netcxrd.inf) that umnicd stands in for.
 */
static void test_windows_leniency(void **state)
{
	char *text = sample(), *a, *b, *c, msg[256];
	const struct inf_addreg *e;
	struct umn_diag diag;
	struct inf_file *inf;
	struct inf_driver *d;

	(void)state;
	a = replace(text, "[VPair_HW_AddReg]\n",
		    "[VPair_HW_AddReg]\nHKR, WUDF, DeviceGroupId, %REG_SZ%, \"vpair_group\"\n"
		    "HKR, , Dword1, %reg_dword%, 7\nHKR, , Dword2, %REG_DWORD%, 9\n"
		    "HKR, , Multi, %FLG_ADDREG_TYPE_MULTI_SZ%, \"a\", \"b\"\n");
	b = replace(a, "AddReg = VPair_HW_AddReg",
		    "Include = wudfrd.inf, netcxrd.inf\n"
		    "Needs = WUDFRD.NT.HW, netcxrd_Filter.NT.HW\nAddReg = VPair_HW_AddReg");
	c = replace(b, "CopyFiles          = VPair_CopyFiles",
		    "CopyFiles          = VPair_CopyFiles\nInclude = WUDFRD.INF\n"
		    "Needs = WUDFRD.NT");
	umn_diag_init(&diag);
	inf = load_text("vpair.inf", c, strlen(c), &diag);
	d = resolve(inf, NULL, &diag);
	assert_false(umn_diag_has_error(&diag));
	e = find_reg(d, "WUDF", "DeviceGroupId");
	assert_non_null(e);
	assert_int_equal(e->type, 1 /* REG_SZ */);
	assert_string_equal((const char *)e->data, "vpair_group");
	e = find_reg(d, "", "Dword2");
	assert_non_null(e);
	assert_int_equal(e->type, 4 /* REG_DWORD */);
	assert_memory_equal(e->data, "\x09\0\0\0", 4);
	assert_non_null(find_reg(d, "", "Dword1"));
	e = find_reg(d, "", "Multi");
	assert_non_null(e);
	assert_int_equal(e->type, 7 /* REG_MULTI_SZ */);
	/* One warning per name and file, saying which value was used. */
	assert_true(has_warningf(
	    &diag,
	    "vpair.inf:%u: %%REG_SZ%% is not in [Strings]; using 0x00000000, the value of "
	    "REG_SZ, as Windows does",
	    line_of(c, "DeviceGroupId")));
	assert_true(has_warningf(
	    &diag,
	    "vpair.inf:%u: %%reg_dword%% is not in [Strings]; using 0x00010001, the value of "
	    "REG_DWORD, as Windows does",
	    line_of(c, "Dword1")));
	/* The system INFs: no word about them, nor about the sections needed from them. */
	unsigned undefined = 0;
	for (size_t i = 0; i < umn_diag_n_warnings(&diag); i++) {
		const char *w = umn_diag_warning(&diag, i);

		if (strstr(w, "is not in [Strings]"))
			undefined++;
		if (strstr(w, "Include") || strstr(w, "Needs") || strstr(w, "wudfrd") ||
		    strstr(w, "WUDFRD") || strstr(w, "netcxrd"))
			fail_msg("unexpected warning: %s", w);
	}
	assert_int_equal(undefined, 3);
	assert_false(inf_missing_include(inf));
	assert_true(inf_system_section(inf, "WUDFRD.NT.Services"));
	assert_true(inf_system_section(inf, "netcxrd_Filter.NT"));
	assert_false(inf_system_section(inf, "WUDFRDX.NT"));
	assert_false(inf_system_section(inf, "WINUSB.NT"));
	inf_driver_free(d);
	inf_free(inf);
	umn_diag_free(&diag);

	/* A section the package itself must have is still required... */
	free(a);
	a = replace(c, "Needs = WUDFRD.NT\n", "Needs = WUDFRD.NT, Mine.NT\n");
	snprintf(msg, sizeof(msg), "vpair.inf:%u: Needs section [Mine.NT] not found",
		 line_of(a, "Mine.NT"));
	expect_error("vpair.inf", a, strlen(a), NULL, -EBADMSG, msg);
	/* ...and a name that is no registry type stays an error. */
	free(b);
	b = replace(c, "%REG_SZ%", "%REG_SZX%");
	snprintf(msg, sizeof(msg), "vpair.inf:%u: unknown string %%REG_SZX%% (not in [Strings])",
		 line_of(b, "DeviceGroupId"));
	expect_error("vpair.inf", b, strlen(b), NULL, -EBADMSG, msg);
	free(a);
	free(b);
	free(c);
	free(text);
}

static void test_diag_bounds(void **state)
{
	struct umn_diag diag;
	char big[4000];

	(void)state;
	umn_diag_init(&diag);
	for (int i = 0; i < UMN_DIAG_MAX_WARNINGS + 10; i++)
		umn_diag_warn(&diag, "f.inf", (unsigned)i + 1, "warning %d", i);
	assert_int_equal(umn_diag_n_warnings(&diag), UMN_DIAG_MAX_WARNINGS);
	assert_int_equal(umn_diag_n_dropped(&diag), 10);
	assert_string_equal(umn_diag_warning(&diag, 0), "f.inf:1: warning 0");
	assert_null(umn_diag_warning(&diag, UMN_DIAG_MAX_WARNINGS));

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	big[5] = '\033';
	umn_diag_error(&diag, "f.inf", 3, "%s", big);
	umn_diag_error(&diag, "f.inf", 4, "second");
	assert_int_equal(strlen(umn_diag_error_message(&diag)), UMN_DIAG_MAX_MESSAGE - 1);
	assert_memory_equal(umn_diag_error_message(&diag), "f.inf:3: xxxxx?xx", 17);
	umn_diag_free(&diag);
	umn_diag_error(&diag, NULL, 0, "plain");
	assert_string_equal(umn_diag_error_message(&diag), "plain");
	umn_diag_free(&diag);

	/* NULL diag is allowed everywhere */
	umn_diag_warn(NULL, "f", 1, "x");
	umn_diag_error(NULL, "f", 1, "x");
	assert_false(umn_diag_has_error(NULL));
	umn_diag_free(NULL);
	inf_free(NULL);
	inf_driver_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bad_syntax),
	    cmocka_unit_test(test_bad_file_size),
	    cmocka_unit_test(test_bad_package),
	    cmocka_unit_test(test_bad_amplification),
	    cmocka_unit_test(test_warnings_and_kmdf),
	    cmocka_unit_test(test_diag_bounds),
	    cmocka_unit_test(test_windows_leniency),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
