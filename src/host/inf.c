/* SPDX-License-Identifier: MIT */
/*
 * INF parser: bytes -> UTF-8 text -> logical lines in sections -> %string% substitution ->
 * Include'd files. The rules are listed in inf.h. Everything a file produces lives in one
 * arena per file, capped at INF_MAX_DATA, so hostile input cannot make us allocate without
 * bound.
 */
#include "host/inf.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/ascii.h"
#include "common/utf8.h"

/* ---- arena ---- */

struct arena_chunk {
	struct arena_chunk *next;
	size_t used, size;
	max_align_t data[];
};

struct arena {
	struct arena_chunk *head;
	size_t total;
	bool over_limit;
};

#define ARENA_CHUNK (64u * 1024)

static void *arena_alloc(struct arena *a, size_t n)
{
	struct arena_chunk *c = a->head;
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

static char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);

	if (p) {
		memcpy(p, s, n);
		p[n] = 0;
	}
	return p;
}

static void arena_free(struct arena *a)
{
	struct arena_chunk *c = a->head;

	while (c) {
		struct arena_chunk *next = c->next;
		free(c);
		c = next;
	}
	a->head = NULL;
}

/* ---- case-insensitive map (name -> pointer) ---- */

struct ci_map {
	const char **keys;
	void **vals;
	size_t cap, n;
};

static void *ci_map_get(const struct ci_map *m, const char *key)
{
	if (m->cap == 0)
		return NULL;
	for (size_t i = ascii_casehash(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		if (!m->keys[i])
			return NULL;
		if (ascii_casecmp(m->keys[i], key) == 0)
			return m->vals[i];
	}
}

static int ci_map_grow(struct ci_map *m)
{
	size_t cap = m->cap ? m->cap * 2 : 64;
	const char **keys = calloc(cap, sizeof(*keys));
	void **vals = calloc(cap, sizeof(*vals));

	if (!keys || !vals) {
		free(keys);
		free(vals);
		return -ENOMEM;
	}
	for (size_t j = 0; j < m->cap; j++) {
		if (!m->keys[j])
			continue;
		size_t i = ascii_casehash(m->keys[j]) & (cap - 1);
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
static int ci_map_add(struct ci_map *m, const char *key, void *val)
{
	size_t i;

	if ((m->n + 1) * 2 > m->cap && ci_map_grow(m) < 0)
		return -ENOMEM;
	for (i = ascii_casehash(key) & (m->cap - 1); m->keys[i]; i = (i + 1) & (m->cap - 1))
		if (ascii_casecmp(m->keys[i], key) == 0)
			return 0;
	m->keys[i] = key;
	m->vals[i] = val;
	m->n++;
	return 0;
}

static void ci_map_free(struct ci_map *m)
{
	free(m->keys);
	free(m->vals);
	*m = (struct ci_map){0};
}

/* ---- data model ---- */

struct inf_section {
	const char *name;
	const char *file;
	unsigned line;
	bool is_strings;
	struct inf_line *lines;
	size_t n_lines, cap;
};

/* One parsed file. */
struct inf_unit {
	char *name;
	unsigned depth;
	struct arena arena;
	struct inf_section **sections; /* in order of first appearance */
	size_t n_sections, cap;
	struct ci_map index;
};

struct inf_file {
	char *dir;
	struct inf_unit **units; /* [0] is the main file */
	size_t n_units;
	bool missing_include;
};

static void unit_free(struct inf_unit *u)
{
	if (!u)
		return;
	for (size_t i = 0; i < u->n_sections; i++) {
		free(u->sections[i]->lines);
		free(u->sections[i]);
	}
	free(u->sections);
	ci_map_free(&u->index);
	arena_free(&u->arena);
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
				       k == 0 ? "invalid UTF-8"
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
		umn_diag_error(diag, name, line, "odd number of bytes in UTF-16 text (truncated file?)");
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
		umn_diag_error(diag, name, 1, "UTF-16BE is not supported; save as UTF-16LE or UTF-8");
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

/* ---- tokenizer ---- */

struct parser {
	struct inf_unit *unit;
	const char *buf;
	size_t len, pos;
	unsigned lineno;
	struct inf_section *cur;
	struct umn_diag *diag;
	/* the fields of the current logical line, NUL-separated */
	char *scratch;
	size_t scratch_len;
	size_t *fields;
	size_t n_fields;
};

#define SCRATCH_SIZE (2 * (size_t)INF_MAX_LINE_LEN + 16)
#define MAX_FIELDS   ((size_t)INF_MAX_LINE_LEN + 2)

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static int parse_oom(struct parser *p)
{
	if (p->unit->arena.over_limit) {
		umn_diag_error(p->diag, p->unit->name, 0, "too much data (more than %u MiB)",
			       INF_MAX_DATA >> 20);
		return -EFBIG;
	}
	return -ENOMEM;
}

static struct inf_section *section_get(struct parser *p, const char *name, size_t n)
{
	struct inf_unit *u = p->unit;
	struct inf_section *s, **v;
	char *key;

	key = arena_strndup(&u->arena, name, n);
	if (!key)
		return NULL;
	s = ci_map_get(&u->index, key);
	if (s)
		return s;

	if (u->n_sections == u->cap) {
		size_t cap = u->cap ? u->cap * 2 : 32;
		v = realloc(u->sections, cap * sizeof(*v));
		if (!v)
			return NULL;
		u->sections = v;
		u->cap = cap;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->name = key;
	s->file = u->name;
	s->line = p->lineno;
	s->is_strings = ascii_casecmp(key, "Strings") == 0 || ascii_ncasecmp(key, "Strings.", 8) == 0;
	if (ci_map_add(&u->index, key, s) < 0) {
		free(s);
		return NULL;
	}
	u->sections[u->n_sections++] = s;
	return s;
}

static void skip_to_eol(struct parser *p)
{
	const char *nl = memchr(p->buf + p->pos, '\n', p->len - p->pos);

	p->pos = nl ? (size_t)(nl - p->buf) : p->len;
}

/* Consumes the '\n' at pos, if any. */
static void consume_eol(struct parser *p)
{
	if (p->pos < p->len && p->buf[p->pos] == '\n') {
		p->pos++;
		p->lineno++;
	}
}

static int parse_header(struct parser *p)
{
	size_t start = ++p->pos, end, close;

	while (p->pos < p->len && p->buf[p->pos] != ']' && p->buf[p->pos] != '\n')
		p->pos++;
	if (p->pos >= p->len || p->buf[p->pos] != ']') {
		umn_diag_error(p->diag, p->unit->name, p->lineno, "unterminated section header");
		return -EBADMSG;
	}
	close = p->pos++;
	while (start < close && is_blank(p->buf[start]))
		start++;
	end = close;
	while (end > start && is_blank(p->buf[end - 1]))
		end--;
	if (end == start) {
		umn_diag_error(p->diag, p->unit->name, p->lineno, "empty section name");
		return -EBADMSG;
	}
	if (end - start > INF_MAX_SECTION_NAME) {
		umn_diag_error(p->diag, p->unit->name, p->lineno,
			       "section name longer than %u bytes", INF_MAX_SECTION_NAME);
		return -EBADMSG;
	}

	while (p->pos < p->len && is_blank(p->buf[p->pos]))
		p->pos++;
	if (p->pos < p->len && p->buf[p->pos] == ';')
		skip_to_eol(p);
	if (p->pos < p->len && p->buf[p->pos] != '\n') {
		umn_diag_error(p->diag, p->unit->name, p->lineno,
			       "unexpected text after section header [%.*s]", (int)(end - start),
			       p->buf + start);
		return -EBADMSG;
	}

	p->cur = section_get(p, p->buf + start, end - start);
	if (!p->cur)
		return parse_oom(p);
	consume_eol(p);
	return 0;
}

/* True if a '\' at pos-1 ends the line: only blanks or a comment follow it. */
static bool is_continuation(const struct parser *p, size_t pos)
{
	while (pos < p->len && is_blank(p->buf[pos]))
		pos++;
	return pos >= p->len || p->buf[pos] == '\n' || p->buf[pos] == ';';
}

static void field_end(struct parser *p, size_t start, size_t keep)
{
	size_t n = p->scratch_len;

	/* Trailing blanks go, unless they were quoted. */
	while (n > keep && n > start && is_blank(p->scratch[n - 1]))
		n--;
	p->scratch[n] = 0;
	p->scratch_len = n + 1;
	p->fields[p->n_fields++] = start;
}

static int store_line(struct parser *p, unsigned line, bool has_key)
{
	struct inf_section *s = p->cur;
	struct inf_line *l;
	const char **v;
	char *text;
	size_t n_values = p->n_fields - has_key;

	if (!s) {
		umn_diag_error(p->diag, p->unit->name, line, "line outside of any section");
		return -EBADMSG;
	}
	if (has_key && p->scratch[p->fields[0]] == 0) {
		umn_diag_error(p->diag, p->unit->name, line, "missing key before '='");
		return -EBADMSG;
	}

	text = arena_alloc(&p->unit->arena, p->scratch_len);
	v = arena_alloc(&p->unit->arena, (n_values ? n_values : 1) * sizeof(*v));
	if (!text || !v)
		return parse_oom(p);
	memcpy(text, p->scratch, p->scratch_len);
	for (size_t i = 0; i < n_values; i++)
		v[i] = text + p->fields[i + has_key];

	if (s->n_lines == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 8;
		l = realloc(s->lines, cap * sizeof(*l));
		if (!l)
			return -ENOMEM;
		s->lines = l;
		s->cap = cap;
	}
	s->lines[s->n_lines++] = (struct inf_line){
		.key = has_key ? text + p->fields[0] : NULL,
		.values = v,
		.n_values = n_values,
		.file = p->unit->name,
		.line = line,
	};
	return 0;
}

static int parse_fields(struct parser *p)
{
	unsigned line = p->lineno;
	size_t line_start = p->pos, start = 0, keep = 0;
	bool in_quote = false, has_key = false, comma = false, content = false;
	bool strings = p->cur && p->cur->is_strings;

	p->scratch_len = 0;
	p->n_fields = 0;

	while (p->pos < p->len && p->buf[p->pos] != '\n') {
		char c = p->buf[p->pos];

		if (p->pos - line_start >= INF_MAX_LINE_LEN) {
			umn_diag_error(p->diag, p->unit->name, line, "line too long (max %u bytes)",
				       INF_MAX_LINE_LEN);
			return -EBADMSG;
		}
		if (in_quote) {
			if (c == '"' && p->pos + 1 < p->len && p->buf[p->pos + 1] == '"') {
				p->scratch[p->scratch_len++] = '"';
				p->pos += 2;
			} else if (c == '"') {
				in_quote = false;
				keep = p->scratch_len;
				p->pos++;
			} else {
				p->scratch[p->scratch_len++] = c;
				p->pos++;
			}
			continue;
		}

		if (c == ';') {
			skip_to_eol(p);
			break;
		}
		if (c == '\\' && is_continuation(p, p->pos + 1)) {
			skip_to_eol(p);
			if (p->pos < p->len) {
				consume_eol(p);
				if (p->lineno > INF_MAX_LINES) {
					umn_diag_error(p->diag, p->unit->name, 0,
						       "more than %u lines", INF_MAX_LINES);
					return -EFBIG;
				}
			}
			continue;
		}
		p->pos++;
		if (c == '"') {
			in_quote = true;
			content = true;
		} else if (c == ',' && !(strings && has_key)) {
			field_end(p, start, keep);
			start = keep = p->scratch_len;
			comma = content = true;
		} else if (c == '=' && !has_key && !comma) {
			field_end(p, start, keep);
			start = keep = p->scratch_len;
			has_key = true;
			content = false;
		} else if (is_blank(c) && p->scratch_len == start && keep == start) {
			/* leading blanks of a field */
		} else {
			p->scratch[p->scratch_len++] = c;
			content = true;
		}
	}
	if (in_quote) {
		umn_diag_error(p->diag, p->unit->name, line, "unterminated quoted string");
		return -EBADMSG;
	}
	if (content)
		field_end(p, start, keep);
	consume_eol(p);

	if (p->n_fields == 0)
		return 0; /* blank or comment-only line */
	return store_line(p, line, has_key);
}

static int parse_text(struct parser *p)
{
	int r;

	while (p->pos < p->len) {
		if (p->lineno > INF_MAX_LINES) {
			umn_diag_error(p->diag, p->unit->name, 0, "more than %u lines",
				       INF_MAX_LINES);
			return -EFBIG;
		}
		while (p->pos < p->len && is_blank(p->buf[p->pos]))
			p->pos++;
		if (p->pos < p->len && p->buf[p->pos] == '[')
			r = parse_header(p);
		else
			r = parse_fields(p);
		if (r < 0)
			return r;
	}
	return 0;
}

/* ---- %string% substitution ---- */

static bool all_digits(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* Replaces *field by its substituted form; *room is what the logical line may still grow to. */
static int subst_field(struct parser *p, const struct ci_map *strings, const struct inf_line *l,
		       const char **field, size_t *room)
{
	const char *in = *field, *pct = strchr(in, '%');
	size_t o = 0, n = strlen(in);
	char *s;

	if (!pct) {
		if (n > *room)
			goto too_long;
		*room -= n;
		return 0;
	}

	for (size_t i = 0; in[i];) {
		const char *add = in + i, *end;
		size_t add_len;

		if (in[i] != '%') {
			end = strchr(in + i, '%');
			add_len = end ? (size_t)(end - (in + i)) : strlen(in + i);
			i += add_len;
		} else {
			end = strchr(in + i + 1, '%');
			if (!end) {
				umn_diag_error(p->diag, l->file, l->line,
					       "unmatched '%%' in \"%s\" (write %%%% for a literal "
					       "percent sign)",
					       in);
				return -EBADMSG;
			}
			size_t klen = (size_t)(end - (in + i + 1));
			if (klen == 0) {
				add_len = 1; /* %% */
			} else if (all_digits(in + i + 1, klen)) {
				add_len = klen + 2; /* a dirid, kept for the caller */
			} else {
				char key[INF_MAX_SECTION_NAME + 1];
				const char *val = NULL;

				if (klen < sizeof(key)) {
					memcpy(key, in + i + 1, klen);
					key[klen] = 0;
					val = ci_map_get(strings, key);
				}
				if (!val) {
					umn_diag_error(p->diag, l->file, l->line,
						       "unknown string %%%.*s%% (not in [Strings])",
						       (int)(klen > 64 ? 64 : klen), in + i + 1);
					return -EBADMSG;
				}
				add = val;
				add_len = strlen(val);
			}
			i += klen + 2;
		}
		if (add_len > *room || o + add_len >= SCRATCH_SIZE)
			goto too_long;
		memcpy(p->scratch + o, add, add_len);
		o += add_len;
		*room -= add_len;
	}

	s = arena_strndup(&p->unit->arena, p->scratch, o);
	if (!s)
		return parse_oom(p);
	*field = s;
	return 0;

too_long:
	umn_diag_error(p->diag, l->file, l->line,
		       "line too long after string substitution (max %u bytes)", INF_MAX_LINE_LEN);
	return -EBADMSG;
}

static int add_strings(struct ci_map *m, const struct inf_section *s)
{
	if (!s)
		return 0;
	for (size_t i = 0; i < s->n_lines; i++) {
		const struct inf_line *l = &s->lines[i];
		if (l->key && ci_map_add(m, l->key, (void *)(l->n_values ? l->values[0] : "")) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int substitute(struct parser *p)
{
	struct inf_unit *u = p->unit;
	struct ci_map strings = {0};
	int r;

	/* An en-US system: the locale's section is looked up first, then the neutral one. */
	r = add_strings(&strings, ci_map_get(&u->index, "Strings.0409"));
	if (r >= 0)
		r = add_strings(&strings, ci_map_get(&u->index, "Strings"));

	for (size_t i = 0; r >= 0 && i < u->n_sections; i++) {
		struct inf_section *s = u->sections[i];
		if (s->is_strings)
			continue;
		for (size_t j = 0; r >= 0 && j < s->n_lines; j++) {
			struct inf_line *l = &s->lines[j];
			size_t room = INF_MAX_LINE_LEN;

			if (l->key)
				r = subst_field(p, &strings, l, &l->key, &room);
			for (size_t k = 0; r >= 0 && k < l->n_values; k++)
				r = subst_field(p, &strings, l, (const char **)&l->values[k],
						&room);
		}
	}
	ci_map_free(&strings);
	return r;
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

	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
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
	for (;;) {
		ssize_t k;

		if (n == cap || !buf) {
			char *b;
			if (buf)
				cap *= 2;
			b = realloc(buf, cap);
			if (!b) {
				r = -ENOMEM;
				goto out;
			}
			buf = b;
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

static int include_one(struct inf_file *inf, const struct inf_unit *u, const struct inf_line *l,
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

		for (size_t j = 0; j < s->n_lines; j++) {
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
	struct parser p = {.lineno = 1, .diag = diag};
	struct inf_unit *u, **units;
	char *owned = NULL;
	int r;

	if (len > INF_MAX_FILE_SIZE) {
		umn_diag_error(diag, name, 0, "file larger than %u MiB", INF_MAX_FILE_SIZE >> 20);
		return -EFBIG;
	}
	u = calloc(1, sizeof(*u));
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

	r = decode_text(u->name, data, len, &p.buf, &p.len, &owned, diag);
	if (r < 0)
		return r;
	p.unit = u;
	p.scratch = malloc(SCRATCH_SIZE);
	p.fields = malloc(MAX_FIELDS * sizeof(*p.fields));
	if (!p.scratch || !p.fields)
		r = -ENOMEM;
	if (r >= 0)
		r = parse_text(&p);
	if (r >= 0)
		r = substitute(&p);
	free(p.scratch);
	free(p.fields);
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
		const struct inf_section *s = ci_map_get(&inf->units[i]->index, name);
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
		unsigned d;

		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (base == 16 && ascii_tolower((unsigned char)*s) >= 'a' &&
			 ascii_tolower((unsigned char)*s) <= 'f')
			d = (unsigned)(ascii_tolower((unsigned char)*s) - 'a' + 10);
		else
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

const struct inf_section *inf_section_find_decorated(const struct inf_file *inf,
						     const char *base)
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
