/* SPDX-License-Identifier: MIT */
/*
 * Registry keys behind WDFKEY and NETCONFIGURATION handles (config.c): a view
 * of a device's store at one subkey. Shared with the value accessors in
 * config_values.c.
 */
#ifndef UMNIC_RUNTIME_CONFIG_H
#define UMNIC_RUNTIME_CONFIG_H

#include <stdbool.h>

#include "runtime/wdf/object.h"

struct devreg;
struct umn_device;

struct umn_regkey {
	struct umn_object obj;
	struct devreg *reg;
	char subkey[512];
	/* The store belongs to the key (a driver's Parameters key), freed with it. */
	bool owns_reg;
};

/* Converts a counted wide string to UTF-8; false if it does not fit or is malformed. */
bool umn_reg_to_utf8(PCUNICODE_STRING u, char *out, size_t cap);

/* Opens subkey of dev's store as an object of type (UMN_OBJ_KEY or UMN_OBJ_CONFIGURATION). */
NTSTATUS umn_regkey_open(struct umn_device *dev, enum umn_object_type type, const char *subkey,
			 PWDF_OBJECT_ATTRIBUTES attrs, struct umn_object *parent,
			 struct umn_regkey **ret);

/* The key behind a handle of type, or NULL (logged with fn). */
struct umn_regkey *umn_regkey_from(void *h, enum umn_object_type type, const char *fn);

#endif
