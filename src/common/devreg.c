/* SPDX-License-Identifier: MIT */
/*
 * The per-device registry: storage, typed accessors and the wire blob. A store holds at most
 * DEVREG_MAX_ENTRIES values, so a flat array searched linearly is fast enough and keeps
 * insertion order for free.
 */
#include "common/devreg.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/ascii.h"
#include "common/utf8.h"

struct devreg {
	struct devreg_entry *entries;
	size_t n, cap;
	size_t total; /* bytes of names and data, bounded by DEVREG_MAX_TOTAL */
};

int devreg_new(struct devreg **ret)
{
	struct devreg *reg;

	if (!ret)
		return -EINVAL;
	reg = calloc(1, sizeof(*reg));
	if (!reg)
		return -ENOMEM;
	*ret = reg;
	return 0;
}

static void entry_free(struct devreg_entry *e)
{
	free((char *)e->subkey);
	free((char *)e->name);
	free((uint8_t *)e->data);
}

void devreg_free(struct devreg *reg)
{
	if (!reg)
		return;
	for (size_t i = 0; i < reg->n; i++)
		entry_free(&reg->entries[i]);
	free(reg->entries);
	free(reg);
}

const char *devreg_type_name(uint32_t type)
{
	switch (type) {
	case DEVREG_SZ:
		return "sz";
	case DEVREG_EXPAND_SZ:
		return "expand_sz";
	case DEVREG_BINARY:
		return "binary";
	case DEVREG_DWORD:
		return "dword";
	case DEVREG_MULTI_SZ:
		return "multi_sz";
	case DEVREG_QWORD:
		return "qword";
	default:
		return NULL;
	}
}

static bool has_control(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return true;
	return false;
}

/* Subkey path without leading/trailing '\'; its length via *ret_len. */
static int normalize_subkey(const char *subkey, const char **ret, size_t *ret_len)
{
	size_t n;

	if (!subkey)
		subkey = "";
	while (*subkey == '\\')
		subkey++;
	n = strlen(subkey);
	while (n > 0 && subkey[n - 1] == '\\')
		n--;
	if (n > DEVREG_MAX_NAME)
		return -E2BIG;
	if (has_control(subkey, n) || !utf8_is_valid(subkey, n))
		return -EINVAL;
	for (size_t i = 0; i + 1 < n; i++)
		if (subkey[i] == '\\' && subkey[i + 1] == '\\')
			return -EINVAL;
	*ret = subkey;
	*ret_len = n;
	return 0;
}

static int check_name(const char *name)
{
	size_t n;

	if (!name)
		return -EINVAL;
	n = strlen(name);
	if (n > DEVREG_MAX_NAME)
		return -E2BIG;
	if (has_control(name, n) || !utf8_is_valid(name, n))
		return -EINVAL;
	return 0;
}

static int check_data(uint32_t type, const uint8_t *d, size_t len)
{
	if (len > DEVREG_MAX_VALUE_SIZE)
		return -E2BIG;
	if (len > 0 && !d)
		return -EINVAL;
	switch (type) {
	case DEVREG_SZ:
	case DEVREG_EXPAND_SZ:
		if (len == 0 || d[len - 1] != 0 || !utf8_is_valid(d, len - 1))
			return -EINVAL;
		return 0;
	case DEVREG_MULTI_SZ:
		/* non-empty strings, each NUL-terminated, then the final NUL */
		if (len == 0 || d[len - 1] != 0)
			return -EINVAL;
		for (size_t i = 0; i < len - 1;) {
			const uint8_t *z = memchr(d + i, 0, len - 1 - i);
			size_t n = z ? (size_t)(z - (d + i)) : len - 1 - i;
			if (!z || n == 0 || !utf8_is_valid(d + i, n))
				return -EINVAL;
			i += n + 1;
		}
		return 0;
	case DEVREG_DWORD:
		return len == 4 ? 0 : -EINVAL;
	case DEVREG_QWORD:
		return len == 8 ? 0 : -EINVAL;
	case DEVREG_BINARY:
		return 0;
	default:
		return -EINVAL;
	}
}

static struct devreg_entry *find(const struct devreg *reg, const char *subkey, size_t sklen,
				 const char *name)
{
	for (size_t i = 0; i < reg->n; i++) {
		struct devreg_entry *e = &reg->entries[i];
		if (strlen(e->subkey) == sklen && ascii_ncasecmp(e->subkey, subkey, sklen) == 0 &&
		    ascii_casecmp(e->name, name) == 0)
			return e;
	}
	return NULL;
}

int devreg_set(struct devreg *reg, const char *subkey, const char *name, uint32_t type,
	       const void *data, size_t len)
{
	struct devreg_entry *e;
	size_t sklen, nlen;
	uint8_t *copy;
	int r;

	if (!reg)
		return -EINVAL;
	r = normalize_subkey(subkey, &subkey, &sklen);
	if (r >= 0)
		r = check_name(name);
	if (r >= 0)
		r = check_data(type, data, len);
	if (r < 0)
		return r;
	nlen = strlen(name);

	e = find(reg, subkey, sklen, name);
	if (e) {
		if (reg->total - e->len + len > DEVREG_MAX_TOTAL)
			return -ENOSPC;
		copy = malloc(len ? len : 1);
		if (!copy)
			return -ENOMEM;
		if (len)
			memcpy(copy, data, len);
		reg->total = reg->total - e->len + len;
		free((uint8_t *)e->data);
		e->data = copy;
		e->len = len;
		e->type = type;
		return 0;
	}

	if (reg->n >= DEVREG_MAX_ENTRIES || reg->total + sklen + nlen + len > DEVREG_MAX_TOTAL)
		return -ENOSPC;
	if (reg->n == reg->cap) {
		size_t cap = reg->cap ? reg->cap * 2 : 16;
		e = realloc(reg->entries, cap * sizeof(*e));
		if (!e)
			return -ENOMEM;
		reg->entries = e;
		reg->cap = cap;
	}
	e = &reg->entries[reg->n];
	*e = (struct devreg_entry){.type = type, .len = len};
	e->subkey = strndup(subkey, sklen);
	e->name = strdup(name);
	copy = malloc(len ? len : 1);
	if (!e->subkey || !e->name || !copy) {
		free(copy);
		entry_free(e);
		return -ENOMEM;
	}
	if (len)
		memcpy(copy, data, len);
	e->data = copy;
	reg->n++;
	reg->total += sklen + nlen + len;
	return 0;
}

static int set_string(struct devreg *reg, const char *subkey, const char *name, uint32_t type,
		      const char *s)
{
	if (!s)
		return -EINVAL;
	return devreg_set(reg, subkey, name, type, s, strlen(s) + 1);
}

int devreg_set_sz(struct devreg *reg, const char *subkey, const char *name, const char *s)
{
	return set_string(reg, subkey, name, DEVREG_SZ, s);
}

int devreg_set_expand_sz(struct devreg *reg, const char *subkey, const char *name, const char *s)
{
	return set_string(reg, subkey, name, DEVREG_EXPAND_SZ, s);
}

int devreg_set_multi_sz(struct devreg *reg, const char *subkey, const char *name,
			const char *const *strv)
{
	size_t len = 1, o = 0;
	uint8_t *buf;
	int r;

	if (!strv)
		return -EINVAL;
	for (size_t i = 0; strv[i]; i++) {
		size_t n = strlen(strv[i]);
		if (n == 0)
			return -EINVAL;
		if (n >= DEVREG_MAX_VALUE_SIZE || len + n + 1 > DEVREG_MAX_VALUE_SIZE)
			return -E2BIG;
		len += n + 1;
	}
	buf = malloc(len);
	if (!buf)
		return -ENOMEM;
	for (size_t i = 0; strv[i]; i++) {
		size_t n = strlen(strv[i]) + 1;
		memcpy(buf + o, strv[i], n);
		o += n;
	}
	buf[o] = 0;
	r = devreg_set(reg, subkey, name, DEVREG_MULTI_SZ, buf, len);
	free(buf);
	return r;
}

int devreg_set_dword(struct devreg *reg, const char *subkey, const char *name, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};

	return devreg_set(reg, subkey, name, DEVREG_DWORD, b, sizeof(b));
}

int devreg_set_qword(struct devreg *reg, const char *subkey, const char *name, uint64_t v)
{
	uint8_t b[8];

	for (size_t i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	return devreg_set(reg, subkey, name, DEVREG_QWORD, b, sizeof(b));
}

int devreg_set_binary(struct devreg *reg, const char *subkey, const char *name, const void *data,
		      size_t len)
{
	return devreg_set(reg, subkey, name, DEVREG_BINARY, data, len);
}

int devreg_get(const struct devreg *reg, const char *subkey, const char *name,
	       const struct devreg_entry **ret)
{
	const struct devreg_entry *e;
	size_t sklen;
	int r;

	if (!reg || !name)
		return -EINVAL;
	r = normalize_subkey(subkey, &subkey, &sklen);
	if (r < 0)
		return r;
	e = find(reg, subkey, sklen, name);
	if (!e)
		return -ENOENT;
	if (ret)
		*ret = e;
	return 0;
}

static int get_typed(const struct devreg *reg, const char *subkey, const char *name, uint32_t type,
		     const struct devreg_entry **ret)
{
	const struct devreg_entry *e;
	int r = devreg_get(reg, subkey, name, &e);

	if (r < 0)
		return r;
	if (e->type != type && !(type == DEVREG_SZ && e->type == DEVREG_EXPAND_SZ))
		return -EMEDIUMTYPE;
	*ret = e;
	return 0;
}

int devreg_get_dword(const struct devreg *reg, const char *subkey, const char *name, uint32_t *ret)
{
	const struct devreg_entry *e;
	int r = get_typed(reg, subkey, name, DEVREG_DWORD, &e);

	if (r < 0)
		return r;
	if (ret)
		*ret = e->data[0] | (uint32_t)e->data[1] << 8 | (uint32_t)e->data[2] << 16 |
		       (uint32_t)e->data[3] << 24;
	return 0;
}

int devreg_get_qword(const struct devreg *reg, const char *subkey, const char *name, uint64_t *ret)
{
	const struct devreg_entry *e;
	uint64_t v = 0;
	int r = get_typed(reg, subkey, name, DEVREG_QWORD, &e);

	if (r < 0)
		return r;
	for (size_t i = 0; i < 8; i++)
		v |= (uint64_t)e->data[i] << (8 * i);
	if (ret)
		*ret = v;
	return 0;
}

int devreg_get_sz(const struct devreg *reg, const char *subkey, const char *name, const char **ret)
{
	const struct devreg_entry *e;
	int r = get_typed(reg, subkey, name, DEVREG_SZ, &e);

	if (r < 0)
		return r;
	if (ret)
		*ret = (const char *)e->data;
	return 0;
}

void devreg_strv_free(char **strv)
{
	if (!strv)
		return;
	for (size_t i = 0; strv[i]; i++)
		free(strv[i]);
	free(strv);
}

int devreg_get_multi_sz(const struct devreg *reg, const char *subkey, const char *name, char ***ret)
{
	const struct devreg_entry *e;
	size_t n = 0, k = 0;
	char **strv;
	int r = get_typed(reg, subkey, name, DEVREG_MULTI_SZ, &e);

	if (r < 0)
		return r;
	for (size_t i = 0; i + 1 < e->len; i++)
		n += e->data[i] == 0;
	strv = calloc(n + 1, sizeof(*strv));
	if (!strv)
		return -ENOMEM;
	for (size_t i = 0; i + 1 < e->len; k++) {
		const char *s = (const char *)e->data + i;
		strv[k] = strdup(s);
		if (!strv[k]) {
			devreg_strv_free(strv);
			return -ENOMEM;
		}
		i += strlen(s) + 1;
	}
	if (ret)
		*ret = strv;
	else
		devreg_strv_free(strv);
	return 0;
}

int devreg_delete(struct devreg *reg, const char *subkey, const char *name)
{
	const struct devreg_entry *e;
	size_t i;
	int r = devreg_get(reg, subkey, name, &e);

	if (r < 0)
		return r;
	i = (size_t)(e - reg->entries);
	reg->total -= strlen(e->subkey) + strlen(e->name) + e->len;
	entry_free(&reg->entries[i]);
	memmove(&reg->entries[i], &reg->entries[i + 1], (reg->n - i - 1) * sizeof(*e));
	reg->n--;
	return 0;
}

size_t devreg_count(const struct devreg *reg)
{
	return reg ? reg->n : 0;
}

const struct devreg_entry *devreg_entry_at(const struct devreg *reg, size_t i)
{
	return reg && i < reg->n ? &reg->entries[i] : NULL;
}

int devreg_set_addreg(struct devreg *reg, const char *subkey, const char *name, uint32_t type,
		      const void *data, size_t len, bool noclobber)
{
	if (noclobber && devreg_get(reg, subkey, name, NULL) == 0)
		return 0;
	return devreg_set(reg, subkey, name, type, data, len);
}

static int parse_u32(const char *s, uint32_t *ret)
{
	uint64_t v = 0;
	unsigned base = 10;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		int d = ascii_hexval(*s);

		if (d < 0 || (unsigned)d >= base)
			return -EINVAL;
		v = v * base + d;
		if (v > UINT32_MAX)
			return -ERANGE;
	}
	*ret = (uint32_t)v;
	return 0;
}

int devreg_set_param(struct devreg *reg, const char *param)
{
	const char *eq, *bs, *name;
	char *key;
	uint32_t v;
	int r;

	if (!reg || !param)
		return -EINVAL;
	eq = strchr(param, '=');
	if (!eq || eq == param)
		return -EINVAL;
	key = strndup(param, (size_t)(eq - param));
	if (!key)
		return -ENOMEM;
	bs = strrchr(key, '\\');
	name = bs ? bs + 1 : key;
	if (bs)
		key[bs - key] = 0;
	if (!*name) {
		free(key);
		return -EINVAL;
	}

	r = parse_u32(eq + 1, &v);
	if (r == 0)
		r = devreg_set_dword(reg, bs ? key : "", name, v);
	else if (r == -EINVAL)
		r = devreg_set_sz(reg, bs ? key : "", name, eq + 1);
	free(key);
	return r;
}

/* ---- wire blob: "UDRG", u32 version, u32 count, then per value u32 type, u32 subkey length,
 * u32 name length, u32 data length and the bytes; all little-endian. ---- */

#define BLOB_MAGIC   "UDRG"
#define BLOB_VERSION 1u

static void put_u32(uint8_t **p, uint32_t v)
{
	for (size_t i = 0; i < 4; i++)
		*(*p)++ = (uint8_t)(v >> (8 * i));
}

static void put_bytes(uint8_t **p, const void *d, size_t n)
{
	if (n)
		memcpy(*p, d, n);
	*p += n;
}

int devreg_serialize(const struct devreg *reg, void **ret, size_t *ret_len)
{
	size_t len = 12;
	uint8_t *buf, *p;

	if (!reg || !ret || !ret_len)
		return -EINVAL;
	for (size_t i = 0; i < reg->n; i++)
		len += 16 + strlen(reg->entries[i].subkey) + strlen(reg->entries[i].name) +
		       reg->entries[i].len;
	buf = malloc(len);
	if (!buf)
		return -ENOMEM;
	p = buf;
	put_bytes(&p, BLOB_MAGIC, 4);
	put_u32(&p, BLOB_VERSION);
	put_u32(&p, (uint32_t)reg->n);
	for (size_t i = 0; i < reg->n; i++) {
		const struct devreg_entry *e = &reg->entries[i];
		size_t sk = strlen(e->subkey), nm = strlen(e->name);

		put_u32(&p, e->type);
		put_u32(&p, (uint32_t)sk);
		put_u32(&p, (uint32_t)nm);
		put_u32(&p, (uint32_t)e->len);
		put_bytes(&p, e->subkey, sk);
		put_bytes(&p, e->name, nm);
		put_bytes(&p, e->data, e->len);
	}
	*ret = buf;
	*ret_len = len;
	return 0;
}

static bool get_u32(const uint8_t **p, size_t *left, uint32_t *v)
{
	if (*left < 4)
		return false;
	*v = (*p)[0] | (uint32_t)(*p)[1] << 8 | (uint32_t)(*p)[2] << 16 | (uint32_t)(*p)[3] << 24;
	*p += 4;
	*left -= 4;
	return true;
}

/* A NUL-terminated copy of n bytes, rejecting embedded NULs. */
static int get_string(const uint8_t **p, size_t *left, uint32_t n, char *out)
{
	if (n > *left || n > DEVREG_MAX_NAME || memchr(*p, 0, n))
		return -EBADMSG;
	memcpy(out, *p, n);
	out[n] = 0;
	*p += n;
	*left -= n;
	return 0;
}

int devreg_deserialize(const void *data, size_t len, struct devreg **ret)
{
	char subkey[DEVREG_MAX_NAME + 1], name[DEVREG_MAX_NAME + 1];
	const uint8_t *p = data;
	struct devreg *reg;
	uint32_t version, count;
	size_t left = len;
	int r;

	if ((!data && len) || !ret)
		return -EINVAL;
	if (left < 12 || memcmp(p, BLOB_MAGIC, 4) != 0)
		return -EBADMSG;
	p += 4;
	left -= 4;
	if (!get_u32(&p, &left, &version) || version != BLOB_VERSION ||
	    !get_u32(&p, &left, &count) || count > DEVREG_MAX_ENTRIES)
		return -EBADMSG;

	r = devreg_new(&reg);
	if (r < 0)
		return r;
	for (uint32_t i = 0; i < count; i++) {
		uint32_t type, sk, nm, dl;

		if (!get_u32(&p, &left, &type) || !get_u32(&p, &left, &sk) ||
		    !get_u32(&p, &left, &nm) || !get_u32(&p, &left, &dl) ||
		    get_string(&p, &left, sk, subkey) < 0 || get_string(&p, &left, nm, name) < 0 ||
		    dl > left) {
			r = -EBADMSG;
			goto fail;
		}
		/* A blob from devreg_serialize() never repeats a value nor has an unnormalized
		 * subkey, which would read back differently. */
		if (devreg_get(reg, subkey, name, NULL) != -ENOENT ||
		    (sk > 0 && (subkey[0] == '\\' || subkey[sk - 1] == '\\'))) {
			r = -EBADMSG;
			goto fail;
		}
		r = devreg_set(reg, subkey, name, type, p, dl);
		if (r < 0)
			goto fail;
		p += dl;
		left -= dl;
	}
	if (left != 0) {
		r = -EBADMSG;
		goto fail;
	}
	*ret = reg;
	return 0;
fail:
	devreg_free(reg);
	return r == -ENOMEM ? r : -EBADMSG;
}
