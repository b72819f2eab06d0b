/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * INF files with Windows semantics, and the driver package they describe.
 *
 * Parsing (inf.c loads and looks up, infparse.c tokenizes and substitutes):
 * - Encoding: UTF-8 with or without BOM, or UTF-16LE with BOM (converted to UTF-8). Invalid
 *   UTF-8/UTF-16, NUL characters and a UTF-16BE BOM are errors. CRLF or LF line ends.
 * - Limits: 4 MiB file, 100000 physical lines, 64 KiB per logical line (after `\`
 *   continuation, and again after %string% substitution), 16 MiB of parsed data per file,
 *   section names of at most 255 bytes, 16 files including Include'd ones, Include depth 4.
 * - `;` starts a comment outside quotes. `[Name]` starts a section; names compare ASCII
 *   case-insensitively and repeated sections merge. Other lines are `key = v1, v2, ...` or just
 *   `v1, v2, ...`. The key is the text before the first unquoted `=` (only if no `,` came
 *   before it). Fields are trimmed; `"..."` quotes protect `,` `;` `=` `\` and whitespace, and
 *   `""` inside quotes is one `"`. Quoted and unquoted text may be concatenated (a"b"c = abc).
 *   `key =` with nothing after it has no values; `a,` has two ("a" and "").
 * - A `\` that is the last thing on a line (only whitespace or a comment after it) joins the
 *   next line; errors in the joined line name the line where it started.
 * - %strkey% is replaced, in keys and values of every section but the string sections, after
 *   quotes are removed (so it works inside quotes too); the replacement is not parsed again.
 *   `%%` is a literal `%`; `%<digits>%` (a dirid such as %13%) is kept as literal text for the
 *   caller to resolve; an unknown key or a lone `%` is an error naming file and line.
 *   umnic behaves like an en-US system: a key is looked up in [Strings.0409] first, then in
 *   [Strings]; other [Strings.<locale>] sections are ignored. In string sections the whole
 *   text after `=` is one value (commas do not split it) and is taken literally, and a quoted
 *   string may span lines (each line break in it is kept as one '\n').
 * - `Include = a.inf, b.inf` in any section loads those files from the INF's directory (plain
 *   file names only, matched exactly). A file that is not there (system INFs such as
 *   machine.inf or netvwifibus.inf) gives a warning and its sections are simply absent. Each
 *   file has its own [Strings]; a file already loaded is not loaded again (no cycles).
 * - Section lookup searches the main file, then Include'd files in load order; the first file
 *   that has the section wins (sections do not merge across files).
 * - Diagnostics name files by their base name ("vpair.inf:12: ...").
 *
 * Errors: -EBADMSG malformed content, -EFBIG over a size limit, -ENOMEM, -errno from the file
 * system; in every case the diag gets a message naming the file and, where there is one, the
 * line.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/diag.h"

#define INF_MAX_FILE_SIZE     (4u * 1024 * 1024)
#define INF_MAX_LINES	      100000u
#define INF_MAX_LINE_LEN      (64u * 1024)
#define INF_MAX_DATA	      (16u * 1024 * 1024)
#define INF_MAX_SECTION_NAME  255u
#define INF_MAX_FILES	      16u
#define INF_MAX_INCLUDE_DEPTH 4u

struct inf_file;
struct inf_section;

/* One logical line. Strings stay valid until inf_free(). */
struct inf_line {
	const char *key; /* NULL for a line without '=' */
	const char *const *values;
	size_t n_values;
	const char *file; /* base name of the file the line came from */
	unsigned line;	  /* first physical line (1-based) */
};

/* Loads path and the files it Includes. */
int inf_load(const char *path, struct inf_file **ret, struct umn_diag *diag);

/*
 * Parses an INF held in memory; name is used in diagnostics. Include'd files are looked up in
 * dir; with dir NULL no file is opened and every Include gives the "not found" warning (what
 * fuzzers want). dir is also where ServiceBinary is resolved (see inf_resolve_driver()).
 */
int inf_load_buffer(const char *name, const void *data, size_t len, const char *dir,
		    struct inf_file **ret, struct umn_diag *diag);

void inf_free(struct inf_file *inf);

/* Base name of the main file, and the absolute directory of the package (NULL if none). */
const char *inf_name(const struct inf_file *inf);
const char *inf_dir(const struct inf_file *inf);
/* True if some Include'd file was not found (so sections named by Needs may be missing). */
bool inf_missing_include(const struct inf_file *inf);

/*
 * Whether section belongs to a system INF that inf Includes (wudfrd.inf,
 * netcxrd.inf, ...): those come with Windows, umnic plays their part itself,
 * so their Include and Needs are satisfied without a warning.
 */
bool inf_system_section(const struct inf_file *inf, const char *section);

/* Section lookup, ASCII case-insensitive; NULL if absent. */
const struct inf_section *inf_section_find(const struct inf_file *inf, const char *name);
const char *inf_section_name(const struct inf_section *sec);
const char *inf_section_file(const struct inf_section *sec);
/* Line of the section's first header. */
unsigned inf_section_line(const struct inf_section *sec);
size_t inf_section_n_lines(const struct inf_section *sec);
/* Line i of the section, NULL when out of range. */
const struct inf_line *inf_section_get_line(const struct inf_section *sec, size_t i);
/* First line whose key matches (case-insensitive), or NULL. */
const struct inf_line *inf_section_find_key(const struct inf_section *sec, const char *key);

/* Value i of a line, or NULL when the line has fewer values. */
const char *inf_line_value(const struct inf_line *line, size_t i);

/*
 * Parses an unsigned decimal or 0x-prefixed hexadecimal number, surrounding whitespace not
 * allowed. -EINVAL if s is not a number, -ERANGE if it exceeds max.
 */
int inf_parse_uint(const char *s, uint64_t max, uint64_t *ret);

/*
 * Value i of line as a number (see inf_parse_uint()); errors are reported to diag naming the
 * line: -EBADMSG when missing or not a number, -ERANGE above max.
 */
int inf_line_get_uint(const struct inf_line *line, size_t i, uint64_t max, uint64_t *ret,
		      struct umn_diag *diag);

/* The platform decoration for this build: "NTamd64" on x86_64, "NTarm64" on aarch64. */
const char *inf_arch_decoration(void);

/*
 * Finds the best variant of a platform-decorated section: "<base>.NTamd64" (or .NTarm64),
 * then "<base>.NT", then "<base>". NULL if none exists.
 */
const struct inf_section *inf_section_find_decorated(const struct inf_file *inf, const char *base);

/* ---- driver packages (infdriver.c) ---- */

enum inf_driver_mode {
	INF_MODE_USER,	 /* UmdfService: the driver runs in a umnic-host process */
	INF_MODE_KERNEL, /* KmdfService: the driver is loaded into umnicd */
};

/* UMDF policy directives; the first enumerator of each is the default. */
enum inf_kernel_mode_client_policy { INF_KMCLIENT_REJECT, INF_KMCLIENT_ALLOW };
enum inf_file_object_policy {
	INF_FILEOBJECT_REJECT_NULL_UNKNOWN,
	INF_FILEOBJECT_ALLOW_NULL_UNKNOWN
};
enum inf_method_neither_action { INF_METHOD_NEITHER_REJECT, INF_METHOD_NEITHER_COPY };
enum inf_host_process_sharing { INF_SHARING_ENABLED, INF_SHARING_DISABLED };
enum inf_direct_hardware_access { INF_DIRECT_HW_REJECT, INF_DIRECT_HW_ALLOW };
enum inf_register_access_mode { INF_REGACCESS_SYSTEM_CALL, INF_REGACCESS_USER_MODE_MAPPING };
enum inf_fs_context_policy {
	INF_FSCONTEXT_CAN_USE,
	INF_FSCONTEXT_CAN_USE_2,
	INF_FSCONTEXT_CANNOT_USE
};
enum inf_impersonation_level {
	INF_IMPERSONATION_IDENTIFICATION,
	INF_IMPERSONATION_ANONYMOUS,
	INF_IMPERSONATION_IMPERSONATION,
	INF_IMPERSONATION_DELEGATION,
};
enum inf_dispatcher {
	INF_DISPATCHER_REFLECTOR,
	INF_DISPATCHER_FILE_HANDLE,
	INF_DISPATCHER_WINUSB,
	INF_DISPATCHER_NATIVE_USB
};

struct inf_policy {
	enum inf_kernel_mode_client_policy kernel_mode_client;
	enum inf_file_object_policy file_object;
	enum inf_method_neither_action method_neither;
	enum inf_host_process_sharing host_process_sharing;
	enum inf_direct_hardware_access direct_hardware_access;
	enum inf_register_access_mode register_access_mode;
	enum inf_fs_context_policy fs_context_use;
	enum inf_impersonation_level impersonation_level;
	enum inf_dispatcher dispatcher;
};

/* Where an AddReg entry came from; all of them land in the one per-device store. */
enum inf_addreg_origin {
	INF_ADDREG_DRIVER,  /* [<install>] AddReg (the driver's software key on Windows) */
	INF_ADDREG_DEVICE,  /* [<install>.HW] AddReg (the device's hardware key) */
	INF_ADDREG_SERVICE, /* the service install section's AddReg */
};

/* AddReg flag bits umnic understands. */
#define INF_FLG_ADDREG_BINVALUETYPE   0x00000001u
#define INF_FLG_ADDREG_NOCLOBBER      0x00000002u
#define INF_FLG_ADDREG_TYPE_MASK      0xffff0001u
#define INF_FLG_ADDREG_TYPE_SZ	      0x00000000u
#define INF_FLG_ADDREG_TYPE_MULTI_SZ  0x00010000u
#define INF_FLG_ADDREG_TYPE_EXPAND_SZ 0x00020000u
#define INF_FLG_ADDREG_TYPE_BINARY    0x00000001u
#define INF_FLG_ADDREG_TYPE_DWORD     0x00010001u
#define INF_FLG_ADDREG_TYPE_QWORD     0x000b0001u

/*
 * One HKR value. type is a Windows registry type number (1 REG_SZ, 2 REG_EXPAND_SZ,
 * 3 REG_BINARY, 4 REG_DWORD, 7 REG_MULTI_SZ, 11 REG_QWORD); data is in devreg's layout:
 * strings UTF-8 with a terminating NUL, MULTI_SZ as "a\0b\0\0" ("\0" when empty),
 * DWORD/QWORD little-endian.
 */
struct inf_addreg {
	char *subkey; /* "" for the device key itself */
	char *name;   /* "" for the default value */
	uint32_t type;
	uint8_t *data;
	size_t len;
	bool noclobber;
	enum inf_addreg_origin origin;
	const char *file;
	unsigned line;
};

struct inf_extension {
	char *name;	       /* e.g. "NetAdapterCx0202" */
	unsigned major, minor; /* 2, 2 for ...0202 */
};

#define INF_DEFAULT_RESTART_LIMIT	  5u
#define INF_DEFAULT_RESTART_RESET_MINUTES 30u
#define INF_MAX_RESTART_LIMIT		  1000u
#define INF_MAX_RESTART_RESET_MINUTES	  (7u * 24 * 60)

struct inf_driver {
	char *hwid;	       /* the hardware ID as the models line spells it */
	char *description;     /* the models line's key, strings substituted */
	char *manufacturer;    /* the [Manufacturer] line's key */
	char *models_section;  /* decorated models section actually used */
	char *install_section; /* decorated install section actually used */
	enum inf_driver_mode mode;
	char *service_name;
	char *service_section;
	unsigned library_major, library_minor; /* Umdf/KmdfLibraryVersion */
	char *binary_path; /* absolute "<inf dir>/<name>.so"; just the name if the INF has no dir */
	struct inf_extension *extensions;
	size_t n_extensions;
	char **service_order; /* UmdfServiceOrder names */
	size_t n_service_order;
	struct inf_policy policy;
	bool verifier; /* UmnicVerifier */
	unsigned restart_limit;
	unsigned restart_reset_minutes;
	struct inf_addreg *addreg; /* in application order: later entries win */
	size_t n_addreg;
};

/*
 * Resolves the driver for hardware ID hwid (ASCII case-insensitive; matches hardware and
 * compatible IDs of the models lines), or for the first model line when hwid is NULL.
 * Errors: -EBADMSG for an invalid package (message in diag names file and line), -ENOENT when
 * no model matches, -ENOMEM.
 */
int inf_resolve_driver(const struct inf_file *inf, const char *hwid, struct inf_driver **ret,
		       struct umn_diag *diag);
void inf_driver_free(struct inf_driver *drv);

struct devreg;
/*
 * Stores the driver's AddReg values in reg, in order, honoring NOCLOBBER. Returns 0 or the
 * devreg error (-E2BIG/-ENOSPC when a cap is hit, reported to diag naming the INF line).
 */
int inf_driver_apply_addreg(const struct inf_driver *drv, struct devreg *reg,
			    struct umn_diag *diag);
