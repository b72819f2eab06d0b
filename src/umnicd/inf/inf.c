/* SPDX-License-Identifier: MIT */
/*
 * INF loading: bytes -> UTF-8 text -> (infparse.c) sections -> Include'd files; and the
 * lookup API. The rules are listed in inf.h. Everything a file produces lives in one arena per
 * file, capped at INF_MAX_DATA, so hostile input cannot make us allocate without bound.
 */
#include "umnicd/inf/inf-private.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/ascii.h"
#include "common/utf8.h"

/* ---- arena ---- */

struct inf_arena_chunk {
	struct inf_arena_chunk *next;
	size_t used, size;
	max_align_t data[];
};

#define ARENA_CHUNK (64u * 1024)

void *inf_arena_alloc(struct inf_arena *a, size_t n)
{
	struct inf_arena_chunk *c = a->head;
	size_t size;
	void *p;

	n = (n + 7) & ~(size_t)7;
	if (!c || c->size - c->used < n) {
		size = n > ARENA_CHUNK ? n : ARENA_CHUNK;
		if (a->total + size > INF_MAX_DATA) {
			a->over_limit = true;
			return NULL;
		}
		c = malloc(sizeof(*c) + size);
		if (!c)
			return NULL;
		c->next = a->head;
		c->used = 0;
		c->size = size;
		a->head = c;
		a->total += size;
	}
	p = (char *)c->data + c->used;
	c->used += n;
	return p;
}

char *inf_arena_strndup(struct inf_arena *a, const char *s, size_t n)
{
	char *p = inf_arena_alloc(a, n + 1);

	if (p) {
		memcpy(p, s, n);
		p[n] = 0;
	}
	return p;
}

void inf_arena_free(struct inf_arena *a)
{
	struct inf_arena_chunk *c = a->head;

	while (c) {
		struct inf_arena_chunk *next = c->next;
		free(c);
		c = next;
	}
	a->head = NULL;
}

/* ---- case-insensitive map (name -> pointer) ---- */

/* The seeded hash goes through a full avalanche, so every bit of it matters for the slot. */
static size_t inf_map_slot(const struct inf_map *m, const char *key, size_t cap)
{
	uint64_t h = ascii_casehash(key) ^ m->seed;

	h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
	h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
	h ^= h >> 31;
	return (size_t)h & (cap - 1);
}

void *inf_map_get(const struct inf_map *m, const char *key)
{
	if (m->cap == 0)
		return NULL;
	for (size_t i = inf_map_slot(m, key, m->cap);; i = (i + 1) & (m->cap - 1)) {
		if (!m->keys[i])
			return NULL;
		if (ascii_casecmp(m->keys[i], key) == 0)
			return m->vals[i];
	}
}

static int inf_map_grow(struct inf_map *m)
{
	size_t cap = m->cap ? m->cap * 2 : 64;
	const char **keys;
	void **vals;

	if (m->cap == 0 &&
	    getrandom(&m->seed, sizeof(m->seed), GRND_NONBLOCK) != (ssize_t)sizeof(m->seed))
		m->seed = (uint64_t)(uintptr_t)m ^ (uint64_t)time(NULL);
	keys = calloc(cap, sizeof(*keys));
	vals = calloc(cap, sizeof(*vals));
	if (!keys || !vals) {
		free(keys);
		free(vals);
		return -ENOMEM;
	}
	for (size_t j = 0; j < m->cap; j++) {
		if (!m->keys[j])
			continue;
		size_t i = inf_map_slot(m, m->keys[j], cap);
		while (keys[i])
			i = (i + 1) & (cap - 1);
		keys[i] = m->keys[j];
		vals[i] = m->vals[j];
	}
	free(m->keys);
	free(m->vals);
	m->keys = keys;
	m->vals = vals;
	m->cap = cap;
	return 0;
}

/* Inserts key unless present; the key string must outlive the map. */
int inf_map_add(struct inf_map *m, const char *key, void *val)
{
	size_t i;

	if ((m->n + 1) * 2 > m->cap && inf_map_grow(m) < 0)
		return -ENOMEM;
	for (i = inf_map_slot(m, key, m->cap); m->keys[i]; i = (i + 1) & (m->cap - 1))
		if (ascii_casecmp(m->keys[i], key) == 0)
			return 0;
	m->keys[i] = key;
	m->vals[i] = val;
	m->n++;
	return 0;
}

void inf_map_free(struct inf_map *m)
{
	free(m->keys);
	free(m->vals);
	*m = (struct inf_map){0};
}
static void unit_free(struct inf_unit *u)
{
	if (!u)
		return;
	for (size_t i = 0; i < u->n_sections; i++) {
		free(u->sections[i]->lines);
		free(u->sections[i]);
	}
	free(u->sections);
	inf_map_free(&u->index);
	inf_arena_free(&u->arena);
	free(u->name);
	free(u);
}

void inf_free(struct inf_file *inf)
{
	if (!inf)
		return;
	for (size_t i = 0; i < inf->n_units; i++)
		unit_free(inf->units[i]);
	free(inf->units);
	free(inf->dir);
	free(inf);
}

/* ---- decoding ---- */

static unsigned count_lines(const unsigned char *s, size_t n)
{
	unsigned line = 1;

	for (size_t i = 0; i < n; i++)
		line += s[i] == '\n';
	return line;
}

static int decode_utf8(const char *name, const unsigned char *s, size_t n, struct umn_diag *diag)
{
	uint32_t cp;

	for (size_t i = 0; i < n;) {
		size_t k = utf8_decode(s + i, n - i, &cp);
		if (k == 0 || cp == 0) {
			umn_diag_error(diag, name, count_lines(s, i), "%s",
				       k == 0
					   ? "invalid UTF-8"
					   : "NUL character (UTF-16 without a byte order mark?)");
			return -EBADMSG;
		}
		i += k;
	}
	return 0;
}

static int decode_utf16le(const char *name, const unsigned char *s, size_t n, char **ret,
			  size_t *ret_len, struct umn_diag *diag)
{
	unsigned line = 1;
	size_t o = 0;
	char *out;

	if (n % 2 != 0) {
		for (size_t i = 0; i + 1 < n; i += 2)
			line += s[i] == '\n' && s[i + 1] == 0;
		umn_diag_error(diag, name, line,
			       "odd number of bytes in UTF-16 text (truncated file?)");
		return -EBADMSG;
	}
	out = malloc(n / 2 * 3 + 1);
	if (!out)
		return -ENOMEM;
	for (size_t i = 0; i < n; i += 2) {
		uint32_t cp = s[i] | (uint32_t)s[i + 1] << 8;

		if (cp >= 0xd800 && cp <= 0xdbff && i + 3 < n) {
			uint32_t lo = s[i + 2] | (uint32_t)s[i + 3] << 8;
			if (lo >= 0xdc00 && lo <= 0xdfff) {
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				i += 2;
			}
		}
		if (cp >= 0xd800 && cp <= 0xdfff) {
			umn_diag_error(diag, name, line, "invalid UTF-16 (unpaired surrogate)");
			free(out);
			return -EBADMSG;
		}
		if (cp == 0) {
			umn_diag_error(diag, name, line, "NUL character");
			free(out);
			return -EBADMSG;
		}
		line += cp == '\n';
		o += utf8_encode(cp, (unsigned char *)out + o);
	}
	out[o] = 0;
	*ret = out;
	*ret_len = o;
	return 0;
}

/*
 * Turns file bytes into UTF-8 text. *ret_text points either into data or into *ret_owned,
 * which the caller frees.
 */
static int decode_text(const char *name, const void *data, size_t len, const char **ret_text,
		       size_t *ret_len, char **ret_owned, struct umn_diag *diag)
{
	const unsigned char *s = data;
	char *owned = NULL;
	size_t n;
	int r;

	if (len >= 2 && s[0] == 0xff && s[1] == 0xfe) {
		r = decode_utf16le(name, s + 2, len - 2, &owned, &n, diag);
		if (r < 0)
			return r;
		*ret_text = owned;
		*ret_len = n;
		*ret_owned = owned;
		return 0;
	}
	if (len >= 2 && s[0] == 0xfe && s[1] == 0xff) {
		umn_diag_error(diag, name, 1,
			       "UTF-16BE is not supported; save as UTF-16LE or UTF-8");
		return -EBADMSG;
	}
	if (len >= 3 && s[0] == 0xef && s[1] == 0xbb && s[2] == 0xbf) {
		s += 3;
		len -= 3;
	}
	r = decode_utf8(name, s, len, diag);
	if (r < 0)
		return r;
	*ret_text = (const char *)s;
	*ret_len = len;
	*ret_owned = NULL;
	return 0;
}
/* ---- files and includes ---- */

static int parse_unit(struct inf_file *inf, const char *name, const void *data, size_t len,
		      unsigned depth, struct umn_diag *diag);

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static int read_file(int dirfd, const char *path, const char *name, void **ret, size_t *ret_len,
		     struct umn_diag *diag)
{
	size_t cap = 64 * 1024, n = 0;
	struct stat st;
	char *buf = NULL;
	int fd, r;

	/* O_NONBLOCK: a FIFO planted in a package must not hang us; it fails S_ISREG below. */
	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		r = -errno;
		umn_diag_error(diag, name, 0, "cannot open: %s", strerror(-r));
		return r;
	}
	if (fstat(fd, &st) < 0) {
		r = -errno;
		umn_diag_error(diag, name, 0, "cannot stat: %s", strerror(-r));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		r = -EINVAL;
		umn_diag_error(diag, name, 0, "not a regular file");
		goto out;
	}
	if (st.st_size > INF_MAX_FILE_SIZE) {
		r = -EFBIG;
		umn_diag_error(diag, name, 0, "file larger than %u MiB", INF_MAX_FILE_SIZE >> 20);
		goto out;
	}
	buf = malloc(cap);
	if (!buf) {
		r = -ENOMEM;
		goto out;
	}
	/* The size may change while we read: the limit is checked on what was read. */
	for (;;) {
		ssize_t k;

		if (n == cap) {
			char *b = realloc(buf, cap * 2);
			if (!b) {
				r = -ENOMEM;
				goto out;
			}
			buf = b;
			cap *= 2;
		}
		k = read(fd, buf + n, cap - n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			r = -errno;
			umn_diag_error(diag, name, 0, "cannot read: %s", strerror(-r));
			goto out;
		}
		if (k == 0)
			break;
		n += (size_t)k;
		if (n > INF_MAX_FILE_SIZE) {
			r = -EFBIG;
			umn_diag_error(diag, name, 0, "file larger than %u MiB",
				       INF_MAX_FILE_SIZE >> 20);
			goto out;
		}
	}
	*ret = buf;
	*ret_len = n;
	buf = NULL;
	r = 0;
out:
	free(buf);
	close(fd);
	return r;
}

static bool unit_loaded(const struct inf_file *inf, const char *name)
{
	for (size_t i = 0; i < inf->n_units; i++)
		if (ascii_casecmp(inf->units[i]->name, name) == 0)
			return true;
	return false;
}

/*
 * INFs Windows ships that driver packages Include for what the system
 * provides: the UMDF reflector, NetAdapterCx's class filter, WinUSB, the
 * UMDF pass-through. umnicd is all of these, so their sections (named with
 * the prefix) need nothing from the package.
 */
static const struct {
	const char *inf;
	const char *prefix;
} system_infs[] = {
    {"wudfrd.inf", "WUDFRD"}, {"netcxrd.inf", "netcxrd"}, {"winusb.inf", "WINUSB"},
    {"umpass.inf", "UMPASS"}, {"ndiscx.inf", "ndiscx"},	  {"wudf.inf", "WUDF"},
};

static int system_inf(const char *name)
{
	for (size_t i = 0; i < sizeof(system_infs) / sizeof(system_infs[0]); i++)
		if (ascii_casecmp(name, system_infs[i].inf) == 0)
			return (int)i;
	return -1;
}

bool inf_system_section(const struct inf_file *inf, const char *section)
{
	for (size_t i = 0; inf && i < sizeof(system_infs) / sizeof(system_infs[0]); i++) {
		size_t n = strlen(system_infs[i].prefix);

		if (!(inf->system_includes & (1u << i)) ||
		    ascii_ncasecmp(section, system_infs[i].prefix, n) != 0)
			continue;
		if (!section[n] || section[n] == '.' || section[n] == '_')
			return true;
	}
	return false;
}

static int include_file(struct inf_file *inf, const struct inf_unit *u, const struct inf_line *l,
			const char *name, struct umn_diag *diag);

static int include_one(struct inf_file *inf, const struct inf_unit *u, const struct inf_line *l,
		       const char *name, struct umn_diag *diag)
{
	int sys = system_inf(name);

	if (sys >= 0) {
		inf->system_includes |= 1u << sys;
		return 0;
	}
	return include_file(inf, u, l, name, diag);
}

static int include_file(struct inf_file *inf, const struct inf_unit *u, const struct inf_line *l,
			const char *name, struct umn_diag *diag)
{
	struct stat st;
	void *data;
	size_t len;
	int dirfd, r;

	if (strchr(name, '/') || strchr(name, '\\') || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0) {
		umn_diag_error(diag, l->file, l->line,
			       "Include of \"%s\": only plain file names are allowed", name);
		return -EBADMSG;
	}
	if (unit_loaded(inf, name))
		return 0;

	dirfd = inf->dir ? open(inf->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	if (dirfd < 0 || fstatat(dirfd, name, &st, 0) < 0) {
		if (dirfd >= 0)
			close(dirfd);
		inf->missing_include = true;
		umn_diag_warn(diag, l->file, l->line,
			      "Include of %s not found here; its sections are ignored", name);
		return 0;
	}
	if (u->depth + 1 > INF_MAX_INCLUDE_DEPTH || inf->n_units >= INF_MAX_FILES) {
		close(dirfd);
		umn_diag_error(diag, l->file, l->line,
			       "Include of %s: more than %u files or nesting deeper than %u", name,
			       INF_MAX_FILES, INF_MAX_INCLUDE_DEPTH);
		return -EBADMSG;
	}
	r = read_file(dirfd, name, name, &data, &len, diag);
	close(dirfd);
	if (r < 0)
		return r;
	r = parse_unit(inf, name, data, len, u->depth + 1, diag);
	free(data);
	return r;
}

static int load_includes(struct inf_file *inf, const struct inf_unit *u, struct umn_diag *diag)
{
	for (size_t i = 0; i < u->n_sections; i++) {
		const struct inf_section *s = u->sections[i];

		for (size_t j = 0; !s->is_strings && j < s->n_lines; j++) {
			const struct inf_line *l = &s->lines[j];

			if (!l->key || ascii_casecmp(l->key, "Include") != 0)
				continue;
			for (size_t k = 0; k < l->n_values; k++) {
				if (!l->values[k][0])
					continue;
				int r = include_one(inf, u, l, l->values[k], diag);
				if (r < 0)
					return r;
			}
		}
	}
	return 0;
}

static int parse_unit(struct inf_file *inf, const char *name, const void *data, size_t len,
		      unsigned depth, struct umn_diag *diag)
{
	struct inf_unit *u, **units;
	const char *text;
	char *owned = NULL;
	size_t n;
	int r;

	if (len > INF_MAX_FILE_SIZE) {
		umn_diag_error(diag, name, 0, "file larger than %u MiB", INF_MAX_FILE_SIZE >> 20);
		return -EFBIG;
	}
	u = calloc(1, sizeof(*u));
	// NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers
	units = realloc(inf->units, (inf->n_units + 1) * sizeof(*units));
	if (units)
		inf->units = units;
	if (!u || !units || !(u->name = strdup(name))) {
		free(u);
		return -ENOMEM;
	}
	u->depth = depth;
	/* Owned by inf from here on, so every error path below just returns. */
	inf->units[inf->n_units++] = u;

	r = decode_text(u->name, data, len, &text, &n, &owned, diag);
	if (r < 0)
		return r;
	r = inf_parse_text(u, text, n, diag);
	free(owned);
	if (r >= 0)
		r = load_includes(inf, u, diag);
	return r;
}

static int load(const char *name, const void *data, size_t len, const char *dir,
		struct inf_file **ret, struct umn_diag *diag)
{
	struct inf_file *inf;
	int r;

	inf = calloc(1, sizeof(*inf));
	if (!inf)
		return -ENOMEM;
	if (dir) {
		inf->dir = realpath(dir, NULL);
		if (!inf->dir) {
			r = -errno;
			umn_diag_error(diag, name, 0, "cannot resolve directory %s: %s", dir,
				       strerror(-r));
			goto fail;
		}
	}
	r = parse_unit(inf, name, data, len, 0, diag);
	if (r < 0)
		goto fail;
	*ret = inf;
	return 0;
fail:
	if (r == -ENOMEM)
		umn_diag_error(diag, name, 0, "out of memory");
	inf_free(inf);
	return r;
}

int inf_load_buffer(const char *name, const void *data, size_t len, const char *dir,
		    struct inf_file **ret, struct umn_diag *diag)
{
	if (!name || (!data && len > 0) || !ret)
		return -EINVAL;
	return load(base_name(name), data ? data : "", len, dir, ret, diag);
}

int inf_load(const char *path, struct inf_file **ret, struct umn_diag *diag)
{
	const char *name, *slash;
	char *dir;
	void *data;
	size_t len;
	int r;

	if (!path || !ret)
		return -EINVAL;
	name = base_name(path);
	slash = strrchr(path, '/');
	dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
	if (!dir)
		return -ENOMEM;
	r = read_file(AT_FDCWD, path, name, &data, &len, diag);
	if (r >= 0) {
		// NOLINTNEXTLINE(clang-analyzer-core.CallAndMessage): read_file sets data when r >= 0
		r = load(name, data, len, dir, ret, diag);
		free(data);
	}
	free(dir);
	return r;
}

/* ---- lookup ---- */

const char *inf_name(const struct inf_file *inf)
{
	return inf && inf->n_units ? inf->units[0]->name : NULL;
}

const char *inf_dir(const struct inf_file *inf)
{
	return inf ? inf->dir : NULL;
}

bool inf_missing_include(const struct inf_file *inf)
{
	return inf && inf->missing_include;
}

const struct inf_section *inf_section_find(const struct inf_file *inf, const char *name)
{
	if (!inf || !name)
		return NULL;
	for (size_t i = 0; i < inf->n_units; i++) {
		const struct inf_section *s = inf_map_get(&inf->units[i]->index, name);
		if (s)
			return s;
	}
	return NULL;
}

const char *inf_section_name(const struct inf_section *sec)
{
	return sec ? sec->name : NULL;
}

const char *inf_section_file(const struct inf_section *sec)
{
	return sec ? sec->file : NULL;
}

unsigned inf_section_line(const struct inf_section *sec)
{
	return sec ? sec->line : 0;
}

size_t inf_section_n_lines(const struct inf_section *sec)
{
	return sec ? sec->n_lines : 0;
}

const struct inf_line *inf_section_get_line(const struct inf_section *sec, size_t i)
{
	return sec && i < sec->n_lines ? &sec->lines[i] : NULL;
}

const struct inf_line *inf_section_find_key(const struct inf_section *sec, const char *key)
{
	if (!sec || !key)
		return NULL;
	for (size_t i = 0; i < sec->n_lines; i++)
		if (sec->lines[i].key && ascii_casecmp(sec->lines[i].key, key) == 0)
			return &sec->lines[i];
	return NULL;
}

const char *inf_line_value(const struct inf_line *line, size_t i)
{
	return line && i < line->n_values ? line->values[i] : NULL;
}

int inf_parse_uint(const char *s, uint64_t max, uint64_t *ret)
{
	uint64_t v = 0;
	unsigned base = 10;

	if (!s || !ret)
		return -EINVAL;
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
		if (v > (UINT64_MAX - d) / base)
			return -ERANGE;
		v = v * base + d;
	}
	if (v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}

int inf_line_get_uint(const struct inf_line *line, size_t i, uint64_t max, uint64_t *ret,
		      struct umn_diag *diag)
{
	const char *s = inf_line_value(line, i);
	char what[32];
	int r;

	if (!line || !ret)
		return -EINVAL;
	if (line->key)
		snprintf(what, sizeof(what), "%.31s", line->key);
	else
		snprintf(what, sizeof(what), "value %zu", i + 1);
	if (!s || !*s) {
		umn_diag_error(diag, line->file, line->line, "%s: missing number", what);
		return -EBADMSG;
	}
	r = inf_parse_uint(s, max, ret);
	if (r == -EINVAL) {
		umn_diag_error(diag, line->file, line->line, "%s: \"%s\" is not a number", what, s);
		return -EBADMSG;
	}
	if (r == -ERANGE)
		umn_diag_error(diag, line->file, line->line, "%s: %s is out of range (max %llu)",
			       what, s, (unsigned long long)max);
	return r;
}

const char *inf_arch_decoration(void)
{
#if defined(__aarch64__)
	return "NTarm64";
#else
	return "NTamd64";
#endif
}

const struct inf_section *inf_section_find_decorated(const struct inf_file *inf, const char *base)
{
	const char *suffix[] = {inf_arch_decoration(), "NT"};
	char name[INF_MAX_SECTION_NAME + 1];
	const struct inf_section *s;

	if (!inf || !base)
		return NULL;
	for (size_t i = 0; i < 2; i++) {
		int n = snprintf(name, sizeof(name), "%s.%s", base, suffix[i]);
		if (n < 0 || (size_t)n >= sizeof(name))
			continue;
		s = inf_section_find(inf, name);
		if (s)
			return s;
	}
	return inf_section_find(inf, base);
}
