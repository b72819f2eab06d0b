/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The per-device registry: a small typed key/value store behind WdfDeviceOpenRegistryKey,
 * NetAdapterOpenConfiguration and friends.
 *
 * A value is addressed by (subkey path, value name). Both compare ASCII case-insensitively and
 * keep the spelling they were first stored with. The subkey "" is the device key itself; a
 * path's components are separated by '\', leading and trailing '\' are dropped and empty
 * components are invalid. The name "" is the key's default value. Names and string data are
 * UTF-8 without control characters in names.
 *
 * Data layout (what devreg_set() takes and devreg_get() returns), following RegSetValueEx:
 * - DEVREG_SZ, DEVREG_EXPAND_SZ: UTF-8 text plus its terminating NUL, no other NUL;
 * - DEVREG_MULTI_SZ: non-empty strings each followed by a NUL, then a final NUL ("a\0b\0\0";
 *   the empty list is "\0");
 * - DEVREG_DWORD: 4 bytes, DEVREG_QWORD: 8 bytes, little-endian;
 * - DEVREG_BINARY: any bytes, possibly none.
 *
 * Caps: DEVREG_MAX_ENTRIES values, DEVREG_MAX_VALUE_SIZE bytes of data per value,
 * DEVREG_MAX_NAME bytes per subkey path or value name, DEVREG_MAX_TOTAL bytes of data overall.
 *
 * Errors: -EINVAL bad argument or data not matching its type, -ENOENT no such value,
 * -EMEDIUMTYPE value has another type, -E2BIG value or name too large, -ENOSPC a store cap
 * reached, -ENOMEM, -EBADMSG malformed file or blob.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/diag.h"

/* The Windows registry type numbers. */
enum {
	DEVREG_SZ = 1,
	DEVREG_EXPAND_SZ = 2,
	DEVREG_BINARY = 3,
	DEVREG_DWORD = 4,
	DEVREG_MULTI_SZ = 7,
	DEVREG_QWORD = 11,
};

#define DEVREG_MAX_ENTRIES    4096u
#define DEVREG_MAX_VALUE_SIZE (64u * 1024)
#define DEVREG_MAX_NAME	      1024u
#define DEVREG_MAX_TOTAL      (4u * 1024 * 1024)

struct devreg;

struct devreg_entry {
	const char *subkey;
	const char *name;
	uint32_t type;
	const uint8_t *data;
	size_t len;
};

int devreg_new(struct devreg **ret);
void devreg_free(struct devreg *reg);

/* Type name as used in the text format ("sz", "dword", ...), or NULL if unknown. */
const char *devreg_type_name(uint32_t type);

/* Stores a value, replacing any value (of any type) with the same subkey and name. */
int devreg_set(struct devreg *reg, const char *subkey, const char *name, uint32_t type,
	       const void *data, size_t len);
int devreg_set_sz(struct devreg *reg, const char *subkey, const char *name, const char *s);
int devreg_set_expand_sz(struct devreg *reg, const char *subkey, const char *name, const char *s);
/* strv is NULL-terminated; its strings must not be empty. */
int devreg_set_multi_sz(struct devreg *reg, const char *subkey, const char *name,
			const char *const *strv);
int devreg_set_dword(struct devreg *reg, const char *subkey, const char *name, uint32_t v);
int devreg_set_qword(struct devreg *reg, const char *subkey, const char *name, uint64_t v);
int devreg_set_binary(struct devreg *reg, const char *subkey, const char *name, const void *data,
		      size_t len);

/*
 * Looks a value up. The returned entry stays valid until the store is next modified. Any of
 * the ret pointers may be NULL.
 */
int devreg_get(const struct devreg *reg, const char *subkey, const char *name,
	       const struct devreg_entry **ret);
int devreg_get_dword(const struct devreg *reg, const char *subkey, const char *name, uint32_t *ret);
int devreg_get_qword(const struct devreg *reg, const char *subkey, const char *name, uint64_t *ret);
/* DEVREG_SZ or DEVREG_EXPAND_SZ; the string lives in the store. */
int devreg_get_sz(const struct devreg *reg, const char *subkey, const char *name, const char **ret);
/* Returns a newly allocated NULL-terminated copy; free with devreg_strv_free(). */
int devreg_get_multi_sz(const struct devreg *reg, const char *subkey, const char *name,
			char ***ret);
void devreg_strv_free(char **strv);

int devreg_delete(struct devreg *reg, const char *subkey, const char *name);
size_t devreg_count(const struct devreg *reg);
/* Entry i in insertion order (deleting shifts later entries down), or NULL. */
const struct devreg_entry *devreg_entry_at(const struct devreg *reg, size_t i);

/*
 * Applies one INF AddReg value: like devreg_set(), but with noclobber an existing value is
 * kept (returns 0 either way).
 */
int devreg_set_addreg(struct devreg *reg, const char *subkey, const char *name, uint32_t type,
		      const void *data, size_t len, bool noclobber);

/*
 * Applies a CLI parameter "Name=Value" or "Sub\Key\Name=Value". A value that is a decimal or
 * 0x-hex number fitting in 32 bits becomes DEVREG_DWORD; a longer number is -ERANGE;
 * anything else (also an empty value) is DEVREG_SZ. -EINVAL without '=' or with an empty name.
 */
int devreg_set_param(struct devreg *reg, const char *param);

/*
 * Text file format (devreg-file.c): see docs; one value per line, round-trips exactly. Saving
 * writes a temporary file beside path, fsyncs it and renames it over path. Loading reports
 * malformed lines as "file:line: ..." to diag and fails with -EBADMSG.
 */
int devreg_save(const struct devreg *reg, const char *path);
int devreg_load(const char *path, struct devreg **ret, struct umn_diag *diag);
int devreg_load_buffer(const char *name, const void *data, size_t len, struct devreg **ret,
		       struct umn_diag *diag);
/* The text form in a malloc'ed buffer (not NUL-terminated). */
int devreg_format(const struct devreg *reg, char **ret, size_t *ret_len);

/*
 * Compact binary form for the wire. The decoder trusts nothing: any inconsistency, including
 * trailing bytes, is -EBADMSG.
 */
int devreg_serialize(const struct devreg *reg, void **ret, size_t *ret_len);
int devreg_deserialize(const void *data, size_t len, struct devreg **ret);
