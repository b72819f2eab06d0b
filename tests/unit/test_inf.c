/* SPDX-License-Identifier: MIT */
/* Unit tests for the INF parser and the driver package resolver. */
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
#include "common/diag.h"
#include "common/utf8.h"
#include "umnicd/inf/inf.h"

/* The same text as tests/fuzz/corpus/inf/vpair.inf. */
static const char *const vpair_lines[] = {
    ";",
    "; vpair.inf: umnic sample package, a pair of virtual Ethernet adapters",
    "; (user-mode NetAdapterCx driver).",
    ";",
    "[Version]",
    "Signature   = \"$WINDOWS NT$\"",
    "Class       = Net",
    "ClassGuid   = {4d36e972-e325-11ce-bfc1-08002be10318}",
    "Provider    = %ProviderName%",
    "CatalogFile = vpair.cat",
    "DriverVer   = 05/14/2024,1.0.0.0",
    "PnpLockdown = 1",
    "",
    "[DestinationDirs]",
    "DefaultDestDir = 13",
    "",
    "[SourceDisksNames]",
    "1 = %DiskName%,,,\"\"",
    "",
    "[SourceDisksFiles]",
    "vpair.dll = 1,,",
    "",
    "[Manufacturer]",
    "%ManufacturerName% = Standard, NTamd64, NTarm64",
    "",
    "[Standard.NTamd64]",
    "%VPair.DeviceDesc% = VPair_Install, Root\\umnic_vpair, umnic\\vpair_compat",
    "",
    "[Standard.NTarm64]",
    "%VPair.DeviceDesc% = VPair_Install, Root\\umnic_vpair, umnic\\vpair_compat",
    "",
    "[VPair_Install.NT]",
    "CopyFiles          = VPair_CopyFiles",
    "AddReg             = VPair_Ndi_AddReg",
    "*IfType            = 6        ; IF_TYPE_ETHERNET_CSMACD",
    "*MediaType         = 0        ; NdisMedium802_3",
    "*PhysicalMediaType = 14       ; NdisPhysicalMedium802_3",
    "Characteristics    = 0x04     ; NCF_PHYSICAL",
    "BusType            = 15       ; PNPBus",
    "",
    "[VPair_CopyFiles]",
    "vpair.dll",
    "",
    "[VPair_Ndi_AddReg]",
    "HKR, Ndi,                     Service,    0, %ServiceName%",
    "HKR, Ndi\\Interfaces,          UpperRange, 0, \"ndis5\"",
    "HKR, Ndi\\Interfaces,          LowerRange, 0, \"ethernet\"",
    "HKR, Ndi\\params\\*JumboPacket, ParamDesc,  0, %JumboPacket%",
    "HKR, Ndi\\params\\*JumboPacket, default,    0, \"1514\"",
    "HKR, Ndi\\params\\*JumboPacket, min,        0, \"1514\"",
    "HKR, Ndi\\params\\*JumboPacket, max,        0, \"9014\"",
    "",
    "[VPair_Install.NT.HW]",
    "AddReg = VPair_HW_AddReg",
    "",
    "[VPair_HW_AddReg]",
    "HKR,, \"PeerName\",    0x00000000, \"vpair-b\"",
    "HKR,, Description,   0,          \"quoted, with commas; and \"\"quotes\"\"\"",
    "HKR,, FriendlyName,  ,           %VPair.DeviceDesc%",
    "HKR,, LinkSpeedMbps, 0x00010001, 10000",
    "HKR,, Mtu,           0x00010001, 0x5dc",
    "HKR,, MacAddress,    0x00000001, 02, 00, 5e, 10, 00, 01",
    "HKR,, UpperFilters,  0x00010000, \"filterA\", \\",
    "                                 \"filterB\"",
    "HKR,, ImagePath,     0x00020000, \"%%SystemRoot%%\\vpair\"",
    "HKR,, CounterBase,   0x000B0001, 0x100000000",
    "HKR,, KeepMe,        0x00010003, 7",
    "HKLM, Software\\umnic, Installed, 0x00010001, 1",
    "",
    "[VPair_Install.NT.Services]",
    "AddService = WUDFRd, 0x000001fa, WUDFRD_ServiceInstall",
    "",
    "[WUDFRD_ServiceInstall]",
    "DisplayName   = %WudfRdDisplayName%",
    "ServiceType   = 1",
    "StartType     = 3",
    "ErrorControl  = 1",
    "ServiceBinary = %12%\\WUDFRd.sys",
    "",
    "[VPair_Install.NT.Wdf]",
    "UmdfService                = VPair, VPair_Install_UmdfService",
    "UmdfServiceOrder           = VPair",
    "UmdfKernelModeClientPolicy = AllowKernelModeClients",
    "UmdfFileObjectPolicy       = AllowNullAndUnknownFileObjects",
    "UmdfMethodNeitherAction    = Copy",
    "UmdfFsContextUsePolicy     = CannotUseFsContexts",
    "UmnicVerifier              = 1",
    "UmnicRestartLimit          = 3",
    "",
    "[VPair_Install_UmdfService]",
    "UmdfLibraryVersion = 2.33.0",
    "ServiceBinary      = %13%\\vpair.dll",
    "UmdfExtensions     = NetAdapterCx0202",
    "",
    "[Strings]",
    "ProviderName      = \"umnic project\"",
    "ManufacturerName  = \"umnic\"",
    "DiskName          = \"vpair Installation Disk\"",
    "VPair.DeviceDesc  = \"umnic virtual Ethernet pair – ü 🌐\"",
    "ServiceName       = \"vpair\"",
    "JumboPacket       = Jumbo Packet, in bytes",
    "WudfRdDisplayName = \"Windows Driver Foundation - User-mode Driver Framework Reflector\"",
};

/* ---- helpers ---- */

static char *sample_eol(const char *eol)
{
	size_t n = 0, k = sizeof(vpair_lines) / sizeof(vpair_lines[0]);
	char *s, *p;

	for (size_t i = 0; i < k; i++)
		n += strlen(vpair_lines[i]) + strlen(eol);
	s = p = malloc(n + 1);
	assert_non_null(s);
	*s = 0;
	for (size_t i = 0; i < k; i++)
		p += sprintf(p, "%s%s", vpair_lines[i], eol);
	return s;
}

static char *sample(void)
{
	return sample_eol("\n");
}

/* Replaces the one occurrence of old in text (which must be there). */
static char *replace(const char *text, const char *old, const char *new)
{
	const char *at = strstr(text, old);
	char *s;

	assert_non_null(at);
	assert_null(strstr(at + 1, old));
	assert_true(asprintf(&s, "%.*s%s%s", (int)(at - text), text, new, at + strlen(old)) > 0);
	return s;
}

static unsigned line_of(const char *text, const char *needle)
{
	const char *at = strstr(text, needle);
	unsigned line = 1;

	assert_non_null(at);
	for (const char *p = text; p < at; p++)
		line += *p == '\n';
	return line;
}

/* UTF-8 -> UTF-16LE with a byte order mark. */
static uint8_t *to_utf16(const char *s, size_t *ret_len)
{
	size_t n = strlen(s), o = 2;
	uint8_t *out = malloc(2 + n * 4);

	assert_non_null(out);
	out[0] = 0xff;
	out[1] = 0xfe;
	for (size_t i = 0; i < n;) {
		uint32_t cp = 0;
		size_t k = utf8_decode((const unsigned char *)s + i, n - i, &cp);

		assert_true(k > 0);
		i += k;
		if (cp >= 0x10000) {
			uint32_t v = cp - 0x10000, hi = 0xd800 + (v >> 10),
				 lo = 0xdc00 + (v & 0x3ff);
			out[o++] = (uint8_t)hi;
			out[o++] = (uint8_t)(hi >> 8);
			cp = lo;
		}
		out[o++] = (uint8_t)cp;
		out[o++] = (uint8_t)(cp >> 8);
	}
	*ret_len = o;
	return out;
}

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

static struct inf_file *load_text(const char *name, const void *data, size_t len,
				  struct umn_diag *diag)
{
	struct inf_file *inf = NULL;
	int r = inf_load_buffer(name, data, len, "/tmp", &inf, diag);

	if (r < 0)
		fail_msg("load failed: %d %s", r, umn_diag_error_message(diag));
	return inf;
}

static struct inf_driver *resolve(const struct inf_file *inf, const char *hwid,
				  struct umn_diag *diag)
{
	struct inf_driver *d = NULL;
	int r = inf_resolve_driver(inf, hwid, &d, diag);

	if (r < 0)
		fail_msg("resolve failed: %d %s", r, umn_diag_error_message(diag));
	return d;
}

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

static bool has_warning(const struct umn_diag *diag, const char *msg)
{
	for (size_t i = 0; i < umn_diag_n_warnings(diag); i++)
		if (strcmp(umn_diag_warning(diag, i), msg) == 0)
			return true;
	return false;
}

static const struct inf_addreg *find_reg(const struct inf_driver *d, const char *subkey,
					 const char *name)
{
	for (size_t i = 0; i < d->n_addreg; i++)
		if (strcmp(d->addreg[i].subkey, subkey) == 0 &&
		    strcmp(d->addreg[i].name, name) == 0)
			return &d->addreg[i];
	return NULL;
}

/* ---- well-formed input ---- */

static void test_sample_resolves(void **state)
{
	char *text = sample(), msg[256];
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

	snprintf(msg, sizeof(msg),
		 "vpair.inf:%u: AddReg: only HKR values are applied; HKLM entry ignored",
		 line_of(text, "HKLM,"));
	assert_true(has_warning(&diag, msg));
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
	snprintf(msg, sizeof(msg),
		 "vpair.inf:%u: Include of machine.inf not found here; its sections are ignored",
		 line_of(main_text, "Include"));
	assert_true(has_warning(&diag, msg));
	snprintf(msg, sizeof(msg),
		 "vpair.inf:%u: Include of netvwifibus.inf not found here; its sections are "
		 "ignored",
		 line_of(main_text, "Include"));
	assert_true(has_warning(&diag, msg));
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
	snprintf(msg, sizeof(msg),
		 "vpair.inf:%u: Needs section [Machine.Install] not found (its Include is not "
		 "here); ignored",
		 line_of(main_text, "Needs"));
	assert_true(has_warning(&diag, msg));
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
	char *text = sample(), *a, *b, msg[256];
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
	snprintf(msg, sizeof(msg),
		 "vpair.inf:%u: unknown directive UmdfHostPriority in [VPair_Install.NT.Wdf]; "
		 "ignored",
		 line_of(b, "UmdfHostPriority"));
	assert_true(has_warning(&diag, msg));
	snprintf(msg, sizeof(msg),
		 "vpair.inf:%u: UmdfMethodNeitherAction given again; the first one (line %u) is "
		 "used",
		 line_of(b, "UmdfMethodNeitherAction = Reject"), line_of(b, "UmdfMethodNeither"));
	assert_true(has_warning(&diag, msg));
	snprintf(msg, sizeof(msg),
		 "vpair.inf:%u: no UmdfServiceOrder in [VPair_Install.NT.Wdf]; assuming VPair",
		 line_of(b, "UmdfService "));
	assert_true(has_warning(&diag, msg));
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
	snprintf(msg, sizeof(msg),
		 "vpair.inf:%u: UmdfKernelModeClientPolicy applies to UMDF drivers only; ignored",
		 line_of(b, "UmdfKernelModeClientPolicy"));
	assert_true(has_warning(&diag, msg));
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
	snprintf(msg, sizeof(msg),
		 "vpair.inf:%u: %%REG_SZ%% is not in [Strings]; using 0x00000000, the value of "
		 "REG_SZ, as Windows does",
		 line_of(c, "DeviceGroupId"));
	assert_true(has_warning(&diag, msg));
	snprintf(msg, sizeof(msg),
		 "vpair.inf:%u: %%reg_dword%% is not in [Strings]; using 0x00010001, the value of "
		 "REG_DWORD, as Windows does",
		 line_of(c, "Dword1"));
	assert_true(has_warning(&diag, msg));
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
	    cmocka_unit_test(test_sample_resolves),
	    cmocka_unit_test(test_sample_hwid_choice),
	    cmocka_unit_test(test_encodings_agree),
	    cmocka_unit_test(test_sample_apply_addreg),
	    cmocka_unit_test(test_syntax),
	    cmocka_unit_test(test_decorations),
	    cmocka_unit_test(test_numbers),
	    cmocka_unit_test(test_include),
	    cmocka_unit_test(test_load_missing_file),
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
