/* SPDX-License-Identifier: MIT */
/*
 * HKR AddReg values of a driver package. Lines of an AddReg section read
 * "root, [subkey], [name], [flags], [value[, value...]]"; only HKR lands anywhere, since
 * every value belongs to the one per-device store.
 */
#include "umnicd/inf/inf-private.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/ascii.h"
#include "common/devreg.h"

/* Bounds the work a hostile "AddReg = X, X, X, ..." or "Needs = Y, Y, Y, ..." can cause. */
#define MAX_ADDREG_ENTRIES (4 * DEVREG_MAX_ENTRIES)
#define MAX_ADDREG_WORK	   4000000u

struct collector {
	const struct inf_file *inf;
	struct inf_driver *drv;
	struct umn_diag *diag;
	size_t cap;
	size_t work; /* lines and values looked at */
};

static int spend(struct collector *c, const struct inf_line *ref, size_t n)
{
	c->work += n;
	if (c->work <= MAX_ADDREG_WORK)
		return 0;
	umn_diag_error(c->diag, ref->file, ref->line,
		       "AddReg and Needs references add up to more than %u lines and values",
		       MAX_ADDREG_WORK);
	return -EBADMSG;
}

static const char *const other_roots[] = {
    "HKLM",
    "HKCU",
    "HKCR",
    "HKU",
    "HKEY_LOCAL_MACHINE",
    "HKEY_CURRENT_USER",
    "HKEY_CLASSES_ROOT",
    "HKEY_USERS",
};

static int hex_byte(const char *s, uint8_t *ret)
{
	unsigned v = 0;
	size_t n = strlen(s);

	if (n == 0 || n > 2)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		int d = ascii_hexval(s[i]);

		if (d < 0)
			return -EINVAL;
		v = v * 16 + (unsigned)d;
	}
	*ret = (uint8_t)v;
	return 0;
}

/* Binary data from values[first..]: one hex byte per value. */
static int hex_bytes(struct collector *c, const struct inf_line *l, size_t first, uint8_t *out)
{
	for (size_t i = first; i < l->n_values; i++)
		if (hex_byte(l->values[i], &out[i - first]) < 0) {
			umn_diag_error(c->diag, l->file, l->line,
				       "AddReg: \"%s\" is not a hex byte", l->values[i]);
			return -EBADMSG;
		}
	return 0;
}

static int number(struct collector *c, const struct inf_line *l, uint64_t max, size_t width,
		  uint8_t *out)
{
	size_t nd = l->n_values - 4;
	uint64_t v;
	int r;

	if (nd == width)
		return hex_bytes(c, l, 4, out);
	if (nd != 1) {
		umn_diag_error(c->diag, l->file, l->line,
			       "AddReg: %s needs a number or %zu hex bytes",
			       width == 4 ? "REG_DWORD" : "REG_QWORD", width);
		return -EBADMSG;
	}
	r = inf_parse_uint(l->values[4], max, &v);
	if (r < 0) {
		umn_diag_error(c->diag, l->file, l->line,
			       r == -ERANGE ? "AddReg: %s does not fit in a %s"
					    : "AddReg: \"%s\" is not a %s number",
			       l->values[4], width == 4 ? "REG_DWORD" : "REG_QWORD");
		return -EBADMSG;
	}
	for (size_t i = 0; i < width; i++)
		out[i] = (uint8_t)(v >> (8 * i));
	return 0;
}

static int build_data(struct collector *c, const struct inf_line *l, uint32_t type, uint8_t **ret,
		      size_t *ret_len)
{
	size_t nd = l->n_values > 4 ? l->n_values - 4 : 0, len = 0;
	uint8_t *data;
	int r = 0;

	switch (type) {
	case DEVREG_SZ:
	case DEVREG_EXPAND_SZ:
		if (nd > 1) {
			umn_diag_error(c->diag, l->file, l->line,
				       "AddReg: a string value takes one value, not %zu", nd);
			return -EBADMSG;
		}
		len = (nd ? strlen(l->values[4]) : 0) + 1;
		break;
	case DEVREG_MULTI_SZ:
		/* Empty strings cannot be stored in a MULTI_SZ; "" gives the empty list. */
		for (size_t i = 4; i < l->n_values; i++)
			len += l->values[i][0] ? strlen(l->values[i]) + 1 : 0;
		len++;
		break;
	case DEVREG_BINARY:
		len = nd;
		break;
	case DEVREG_DWORD:
		len = 4;
		break;
	case DEVREG_QWORD:
		len = 8;
		break;
	}
	if (len > DEVREG_MAX_VALUE_SIZE) {
		umn_diag_error(c->diag, l->file, l->line, "AddReg: value larger than %u bytes",
			       DEVREG_MAX_VALUE_SIZE);
		return -EBADMSG;
	}
	data = calloc(len ? len : 1, 1);
	if (!data)
		return -ENOMEM;

	switch (type) {
	case DEVREG_SZ:
	case DEVREG_EXPAND_SZ:
		if (nd)
			memcpy(data, l->values[4], len);
		break;
	case DEVREG_MULTI_SZ:
		len = 0;
		for (size_t i = 4; i < l->n_values; i++) {
			size_t n = strlen(l->values[i]);
			if (n) {
				memcpy(data + len, l->values[i], n + 1);
				len += n + 1;
			}
		}
		data[len++] = 0;
		break;
	case DEVREG_BINARY:
		r = hex_bytes(c, l, 4, data);
		break;
	case DEVREG_DWORD:
		r = number(c, l, UINT32_MAX, 4, data);
		break;
	case DEVREG_QWORD:
		r = number(c, l, UINT64_MAX, 8, data);
		break;
	}
	if (r < 0) {
		free(data);
		return r;
	}
	*ret = data;
	*ret_len = len;
	return 0;
}

static int flags_to_type(uint32_t flags, uint32_t *ret)
{
	static const struct {
		uint32_t flag, type;
	} map[] = {
	    {INF_FLG_ADDREG_TYPE_SZ, DEVREG_SZ},
	    {INF_FLG_ADDREG_TYPE_MULTI_SZ, DEVREG_MULTI_SZ},
	    {INF_FLG_ADDREG_TYPE_EXPAND_SZ, DEVREG_EXPAND_SZ},
	    {INF_FLG_ADDREG_TYPE_BINARY, DEVREG_BINARY},
	    {INF_FLG_ADDREG_TYPE_DWORD, DEVREG_DWORD},
	    {INF_FLG_ADDREG_TYPE_QWORD, DEVREG_QWORD},
	};

	if (flags & ~(INF_FLG_ADDREG_TYPE_MASK | INF_FLG_ADDREG_NOCLOBBER))
		return -EINVAL;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if ((flags & INF_FLG_ADDREG_TYPE_MASK) == map[i].flag) {
			*ret = map[i].type;
			return 0;
		}
	return -EINVAL;
}

static int parse_line(struct collector *c, const struct inf_line *l, enum inf_addreg_origin o)
{
	struct inf_driver *d = c->drv;
	const char *root = inf_line_value(l, 0);
	struct inf_addreg *e;
	uint64_t flags = 0;
	uint32_t type;
	int r;

	if (l->key || !root) {
		umn_diag_error(c->diag, l->file, l->line,
			       "AddReg line must be \"root, subkey, name, flags, value\"");
		return -EBADMSG;
	}
	if (ascii_casecmp(root, "HKR") != 0) {
		for (size_t i = 0; i < sizeof(other_roots) / sizeof(other_roots[0]); i++)
			if (ascii_casecmp(root, other_roots[i]) == 0) {
				umn_diag_warn(c->diag, l->file, l->line,
					      "AddReg: only HKR values are applied; %s entry "
					      "ignored",
					      root);
				return 0;
			}
		umn_diag_error(c->diag, l->file, l->line,
			       "AddReg: unknown registry root \"%s\" (expected HKR)", root);
		return -EBADMSG;
	}
	if (l->n_values < 3)
		return 0; /* creates a key only; keys exist implicitly in the device store */

	if (l->n_values > 3 && l->values[3][0] &&
	    inf_parse_uint(l->values[3], UINT32_MAX, &flags) < 0) {
		umn_diag_error(c->diag, l->file, l->line,
			       "AddReg: flags \"%s\" are not a 32-bit number", l->values[3]);
		return -EBADMSG;
	}
	if (flags_to_type((uint32_t)flags, &type) < 0) {
		umn_diag_error(c->diag, l->file, l->line,
			       "AddReg: unsupported flags %s (types: 0x0 SZ, 0x10000 MULTI_SZ, "
			       "0x20000 EXPAND_SZ, 0x1 BINARY, 0x10001 DWORD, 0xb0001 QWORD; "
			       "modifier: 0x2 NOCLOBBER)",
			       l->values[3]);
		return -EBADMSG;
	}

	if (d->n_addreg >= MAX_ADDREG_ENTRIES) {
		umn_diag_error(c->diag, l->file, l->line, "more than %u AddReg values",
			       MAX_ADDREG_ENTRIES);
		return -EBADMSG;
	}
	if (d->n_addreg == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		e = realloc(d->addreg, cap * sizeof(*e));
		if (!e)
			return -ENOMEM;
		d->addreg = e;
		c->cap = cap;
	}
	e = &d->addreg[d->n_addreg];
	*e = (struct inf_addreg){
	    .type = type,
	    .noclobber = flags & INF_FLG_ADDREG_NOCLOBBER,
	    .origin = o,
	    .file = l->file,
	    .line = l->line,
	};
	r = build_data(c, l, type, &e->data, &e->len);
	if (r < 0)
		return r;
	e->subkey = strdup(l->values[1]);
	e->name = strdup(l->values[2]);
	d->n_addreg++; /* counted now so that inf_driver_free() releases it */
	if (!e->subkey || !e->name)
		return -ENOMEM;
	return 0;
}

static int addreg_section(struct collector *c, const struct inf_line *ref, const char *name,
			  enum inf_addreg_origin o)
{
	const struct inf_section *s = inf_section_find(c->inf, name);
	int r;

	if (!s) {
		umn_diag_error(c->diag, ref->file, ref->line, "AddReg section [%s] not found",
			       name);
		return -EBADMSG;
	}
	for (size_t i = 0; i < inf_section_n_lines(s); i++) {
		r = spend(c, ref, 1);
		if (r < 0)
			return r;
		r = parse_line(c, inf_section_get_line(s, i), o);
		if (r < 0)
			return r;
	}
	return 0;
}

/* The AddReg directives of an install-like section; Needs is followed one level deep. */
static int install_like(struct collector *c, const struct inf_section *s, enum inf_addreg_origin o,
			bool follow_needs)
{
	int r;

	for (size_t i = 0; s && i < inf_section_n_lines(s); i++) {
		const struct inf_line *l = inf_section_get_line(s, i);

		r = spend(c, l, 1 + l->n_values);
		if (r < 0)
			return r;
		if (!l->key)
			continue;
		if (ascii_casecmp(l->key, "AddReg") == 0) {
			for (size_t k = 0; k < l->n_values; k++) {
				if (!l->values[k][0])
					continue;
				r = addreg_section(c, l, l->values[k], o);
				if (r < 0)
					return r;
			}
		} else if (follow_needs && ascii_casecmp(l->key, "Needs") == 0) {
			for (size_t k = 0; k < l->n_values; k++) {
				const struct inf_section *n;

				if (!l->values[k][0])
					continue;
				n = inf_section_find(c->inf, l->values[k]);
				/* What a system INF's section would set up, umnicd does itself. */
				if (!n && inf_system_section(c->inf, l->values[k]))
					continue;
				if (!n && inf_missing_include(c->inf)) {
					umn_diag_warn(c->diag, l->file, l->line,
						      "Needs section [%s] not found (its Include "
						      "is not here); ignored",
						      l->values[k]);
					continue;
				}
				if (!n) {
					umn_diag_error(c->diag, l->file, l->line,
						       "Needs section [%s] not found",
						       l->values[k]);
					return -EBADMSG;
				}
				r = install_like(c, n, o, false);
				if (r < 0)
					return r;
			}
		}
	}
	return 0;
}

int inf_addreg_collect(const struct inf_file *inf, const struct inf_section *install,
		       const struct inf_section *hw, const struct inf_section *service,
		       struct inf_driver *drv, struct umn_diag *diag)
{
	struct collector c = {.inf = inf, .drv = drv, .diag = diag};
	int r;

	r = install_like(&c, install, INF_ADDREG_DRIVER, true);
	if (r >= 0)
		r = install_like(&c, hw, INF_ADDREG_DEVICE, true);
	if (r >= 0)
		r = install_like(&c, service, INF_ADDREG_SERVICE, false);
	return r;
}

int inf_driver_apply_addreg(const struct inf_driver *drv, struct devreg *reg, struct umn_diag *diag)
{
	if (!drv || !reg)
		return -EINVAL;
	for (size_t i = 0; i < drv->n_addreg; i++) {
		const struct inf_addreg *e = &drv->addreg[i];
		int r = devreg_set_addreg(reg, e->subkey, e->name, e->type, e->data, e->len,
					  e->noclobber);
		if (r < 0) {
			umn_diag_error(diag, e->file, e->line,
				       "cannot store HKR value \"%s\" in \"%s\": %s", e->name,
				       e->subkey, strerror(-r));
			return r;
		}
	}
	return 0;
}
