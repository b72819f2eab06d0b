/* SPDX-License-Identifier: MIT */
/*
 * Shared by the INF tests (test_inf.c: what umnicd accepts and what it
 * makes of it; test_inf_errors.c: what it refuses, warns about or lets
 * pass as Windows does): the vpair sample package as text, editing it, a
 * UTF-16 copy, and loading and resolving with the failure message shown.
 */
#ifndef UMNIC_TESTS_INF_HARNESS_H
#define UMNIC_TESTS_INF_HARNESS_H

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

#define INFH_FN static __attribute__((unused))

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

INFH_FN char *sample_eol(const char *eol)
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

INFH_FN char *sample(void)
{
	return sample_eol("\n");
}

/* Replaces the one occurrence of old in text (which must be there). */
INFH_FN char *replace(const char *text, const char *old, const char *new)
{
	const char *at = strstr(text, old);
	char *s;

	assert_non_null(at);
	assert_null(strstr(at + 1, old));
	assert_true(asprintf(&s, "%.*s%s%s", (int)(at - text), text, new, at + strlen(old)) > 0);
	return s;
}

INFH_FN unsigned line_of(const char *text, const char *needle)
{
	const char *at = strstr(text, needle);
	unsigned line = 1;

	assert_non_null(at);
	for (const char *p = text; p < at; p++)
		line += *p == '\n';
	return line;
}

/* UTF-8 -> UTF-16LE with a byte order mark. */
INFH_FN uint8_t *to_utf16(const char *s, size_t *ret_len)
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

INFH_FN struct inf_file *load_text(const char *name, const void *data, size_t len,
				   struct umn_diag *diag)
{
	struct inf_file *inf = NULL;
	int r = inf_load_buffer(name, data, len, "/tmp", &inf, diag);

	if (r < 0)
		fail_msg("load failed: %d %s", r, umn_diag_error_message(diag));
	return inf;
}

INFH_FN struct inf_driver *resolve(const struct inf_file *inf, const char *hwid,
				   struct umn_diag *diag)
{
	struct inf_driver *d = NULL;
	int r = inf_resolve_driver(inf, hwid, &d, diag);

	if (r < 0)
		fail_msg("resolve failed: %d %s", r, umn_diag_error_message(diag));
	return d;
}

INFH_FN bool has_warning(const struct umn_diag *diag, const char *msg)
{
	for (size_t i = 0; i < umn_diag_n_warnings(diag); i++)
		if (strcmp(umn_diag_warning(diag, i), msg) == 0)
			return true;
	return false;
}

/* has_warning with the message formatted, so a check is one line (and names what it wanted). */
__attribute__((format(printf, 2, 3))) INFH_FN bool has_warningf(const struct umn_diag *diag,
								const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (has_warning(diag, msg))
		return true;
	print_error("no warning reads: %s\n", msg);
	return false;
}

INFH_FN const struct inf_addreg *find_reg(const struct inf_driver *d, const char *subkey,
					  const char *name)
{
	for (size_t i = 0; i < d->n_addreg; i++)
		if (strcmp(d->addreg[i].subkey, subkey) == 0 &&
		    strcmp(d->addreg[i].name, name) == 0)
			return &d->addreg[i];
	return NULL;
}

#endif
