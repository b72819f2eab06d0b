/* SPDX-License-Identifier: MIT */
/*
 * INF text to sections and lines: the tokenizer (sections, keys, quoted fields, comments,
 * continuation) and %string% substitution. The rules are listed in inf.h.
 */
#include "umnicd/inf/inf-private.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/ascii.h"

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
	uint32_t warned_types; /* bit i: reg_type_names[i] was warned about in this file */
};

/*
 * Registry type and AddReg flag names that INFs use as %strings% without
 * defining them (Windows' setup resolves them all the same): their AddReg
 * flag values.
 */
static const struct {
	const char *name;
	const char *value;
} reg_type_names[] = {
    {"REG_SZ", "0x00000000"},
    {"REG_BINARY", "0x00000001"},
    {"REG_MULTI_SZ", "0x00010000"},
    {"REG_EXPAND_SZ", "0x00020000"},
    {"REG_DWORD", "0x00010001"},
    {"REG_NONE", "0x00020001"},
    {"REG_QWORD", "0x000b0001"},
    {"FLG_ADDREG_BINVALUETYPE", "0x00000001"},
    {"FLG_ADDREG_NOCLOBBER", "0x00000002"},
    {"FLG_ADDREG_DELVAL", "0x00000004"},
    {"FLG_ADDREG_APPEND", "0x00000008"},
    {"FLG_ADDREG_KEYONLY", "0x00000010"},
    {"FLG_ADDREG_OVERWRITEONLY", "0x00000020"},
    {"FLG_ADDREG_64BITKEY", "0x00001000"},
    {"FLG_ADDREG_KEYONLY_COMMON", "0x00002000"},
    {"FLG_ADDREG_32BITKEY", "0x00004000"},
    {"FLG_ADDREG_TYPE_SZ", "0x00000000"},
    {"FLG_ADDREG_TYPE_MULTI_SZ", "0x00010000"},
    {"FLG_ADDREG_TYPE_EXPAND_SZ", "0x00020000"},
    {"FLG_ADDREG_TYPE_BINARY", "0x00000001"},
    {"FLG_ADDREG_TYPE_DWORD", "0x00010001"},
    {"FLG_ADDREG_TYPE_NONE", "0x00020001"},
    {"FLG_ADDREG_TYPE_QWORD", "0x000b0001"},
};

/* The value of an undefined %key% that names a registry type, warned about once per file. */
static const char *reg_type_value(struct parser *p, const struct inf_line *l, const char *key)
{
	for (size_t i = 0; i < sizeof(reg_type_names) / sizeof(reg_type_names[0]); i++) {
		if (ascii_casecmp(key, reg_type_names[i].name) != 0)
			continue;
		if (!(p->warned_types & (1u << i))) {
			p->warned_types |= 1u << i;
			umn_diag_warn(p->diag, l->file, l->line,
				      "%%%s%% is not in [Strings]; using %s, the value of %s, "
				      "as Windows does",
				      key, reg_type_names[i].value, reg_type_names[i].name);
		}
		return reg_type_names[i].value;
	}
	return NULL;
}

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

	key = inf_arena_strndup(&u->arena, name, n);
	if (!key)
		return NULL;
	s = inf_map_get(&u->index, key);
	if (s)
		return s;

	if (u->n_sections == u->cap) {
		size_t cap = u->cap ? u->cap * 2 : 32;
		// NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers
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
	s->is_strings =
	    ascii_casecmp(key, "Strings") == 0 || ascii_ncasecmp(key, "Strings.", 8) == 0;
	if (inf_map_add(&u->index, key, s) < 0) {
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

/* Consumes the '\n' at pos inside a logical line. */
static int next_line(struct parser *p)
{
	consume_eol(p);
	if (p->lineno > INF_MAX_LINES) {
		umn_diag_error(p->diag, p->unit->name, 0, "more than %u lines", INF_MAX_LINES);
		return -EFBIG;
	}
	return 0;
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

	text = inf_arena_alloc(&p->unit->arena, p->scratch_len);
	v = inf_arena_alloc(&p->unit->arena, (n_values ? n_values : 1) * sizeof(*v));
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
	size_t line_start = p->pos, start = 0, keep = 0, quote_start = 0;
	bool in_quote = false, has_key = false, comma = false, content = false;
	bool strings = p->cur && p->cur->is_strings;

	p->scratch_len = 0;
	p->n_fields = 0;

	/* In string sections a quoted string may span lines ("very-long-multiline-string"). */
	while (p->pos < p->len && (p->buf[p->pos] != '\n' || (in_quote && strings))) {
		char c = p->buf[p->pos];

		if (p->pos - line_start >= INF_MAX_LINE_LEN) {
			umn_diag_error(p->diag, p->unit->name, line, "line too long (max %u bytes)",
				       INF_MAX_LINE_LEN);
			return -EBADMSG;
		}
		if (in_quote) {
			if (c == '\n') {
				/* the line break is kept, as one '\n' */
				if (p->scratch_len > quote_start &&
				    p->scratch[p->scratch_len - 1] == '\r')
					p->scratch_len--;
				p->scratch[p->scratch_len++] = '\n';
				if (next_line(p) < 0)
					return -EFBIG;
			} else if (c == '"' && p->pos + 1 < p->len && p->buf[p->pos + 1] == '"') {
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
			if (p->pos < p->len && next_line(p) < 0)
				return -EFBIG;
			continue;
		}
		p->pos++;
		if (c == '"') {
			in_quote = true;
			quote_start = p->scratch_len;
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
static int subst_field(struct parser *p, const struct inf_map *strings, const struct inf_line *l,
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
					val = inf_map_get(strings, key);
					if (!val)
						val = reg_type_value(p, l, key);
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

	s = inf_arena_strndup(&p->unit->arena, p->scratch, o);
	if (!s)
		return parse_oom(p);
	*field = s;
	return 0;

too_long:
	umn_diag_error(p->diag, l->file, l->line,
		       "line too long after string substitution (max %u bytes)", INF_MAX_LINE_LEN);
	return -EBADMSG;
}

static int add_strings(struct inf_map *m, const struct inf_section *s)
{
	if (!s)
		return 0;
	for (size_t i = 0; i < s->n_lines; i++) {
		const struct inf_line *l = &s->lines[i];
		if (l->key && inf_map_add(m, l->key, (void *)(l->n_values ? l->values[0] : "")) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int substitute(struct parser *p)
{
	struct inf_unit *u = p->unit;
	struct inf_map strings = {0};
	int r;

	/* An en-US system: the locale's section is looked up first, then the neutral one. */
	r = add_strings(&strings, inf_map_get(&u->index, "Strings.0409"));
	if (r >= 0)
		r = add_strings(&strings, inf_map_get(&u->index, "Strings"));

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
	inf_map_free(&strings);
	return r;
}

int inf_parse_text(struct inf_unit *u, const char *text, size_t len, struct umn_diag *diag)
{
	struct parser p = {.unit = u, .buf = text, .len = len, .lineno = 1, .diag = diag};
	int r = 0;

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
	return r;
}
