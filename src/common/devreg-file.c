/* SPDX-License-Identifier: MIT */
/*
 * The registry's text file, kept in umnicd's state directory:
 *
 *	umnic-devreg 1
 *	dword "Params" "Speed" 0x00000064
 *	sz "" "FriendlyName" "vpair \"one\""
 *	multi_sz "" "UpperFilters" "a" "b"
 *	binary "" "Blob" 0a0bff
 *	binary "" "Empty" -
 *	qword "" "Big" 0x0000000000000001
 *
 * One value per line: type, quoted subkey, quoted name, data. In quoted strings `\\`, `\"`,
 * `\n`, `\r`, `\t` and `\xHH` (any other byte below 0x20, and 0x7f) are escapes; other bytes
 * are UTF-8 as is. Lines starting with '#' and blank lines are ignored. Writing then reading
 * gives back the same values in the same order.
 */
#include "common/devreg.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/ascii.h"

#define HEADER	      "umnic-devreg 1"
#define MAX_FILE_SIZE (32u * 1024 * 1024)

/* ---- writing ---- */

struct out {
	char *buf;
	size_t len, cap;
	bool oom;
};

static void out_add(struct out *o, const void *d, size_t n)
{
	if (o->oom)
		return;
	if (o->len + n > o->cap) {
		size_t cap = o->cap ? o->cap : 4096;
		char *b;
		while (cap < o->len + n)
			cap *= 2;
		b = realloc(o->buf, cap);
		if (!b) {
			o->oom = true;
			return;
		}
		o->buf = b;
		o->cap = cap;
	}
	memcpy(o->buf + o->len, d, n);
	o->len += n;
}

static void out_str(struct out *o, const char *s)
{
	out_add(o, s, strlen(s));
}

static void out_quoted(struct out *o, const char *s, size_t n)
{
	out_add(o, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[5];

		switch (c) {
		case '\\':
			out_str(o, "\\\\");
			break;
		case '"':
			out_str(o, "\\\"");
			break;
		case '\n':
			out_str(o, "\\n");
			break;
		case '\r':
			out_str(o, "\\r");
			break;
		case '\t':
			out_str(o, "\\t");
			break;
		default:
			if (c < 0x20 || c == 0x7f) {
				snprintf(esc, sizeof(esc), "\\x%02x", c);
				out_str(o, esc);
			} else
				out_add(o, &c, 1);
		}
	}
	out_add(o, "\"", 1);
}

static void out_entry(struct out *o, const struct devreg_entry *e)
{
	static const char hex[] = "0123456789abcdef";
	char num[32];
	uint64_t v = 0;

	out_str(o, devreg_type_name(e->type));
	out_str(o, " ");
	out_quoted(o, e->subkey, strlen(e->subkey));
	out_str(o, " ");
	out_quoted(o, e->name, strlen(e->name));
	out_str(o, " ");
	switch (e->type) {
	case DEVREG_SZ:
	case DEVREG_EXPAND_SZ:
		out_quoted(o, (const char *)e->data, e->len - 1);
		break;
	case DEVREG_MULTI_SZ:
		for (size_t i = 0; i + 1 < e->len;) {
			const char *s = (const char *)e->data + i;
			size_t n = strlen(s);
			if (i > 0)
				out_str(o, " ");
			out_quoted(o, s, n);
			i += n + 1;
		}
		break;
	case DEVREG_DWORD:
	case DEVREG_QWORD:
		for (size_t i = 0; i < e->len; i++)
			v |= (uint64_t)e->data[i] << (8 * i);
		snprintf(num, sizeof(num), "0x%0*llx", (int)e->len * 2, (unsigned long long)v);
		out_str(o, num);
		break;
	case DEVREG_BINARY:
		if (e->len == 0)
			out_str(o, "-");
		for (size_t i = 0; i < e->len; i++) {
			char b[2] = {hex[e->data[i] >> 4], hex[e->data[i] & 15]};
			out_add(o, b, 2);
		}
		break;
	}
	out_str(o, "\n");
}

int devreg_format(const struct devreg *reg, char **ret, size_t *ret_len)
{
	struct out o = {0};

	if (!reg || !ret || !ret_len)
		return -EINVAL;
	out_str(&o, HEADER "\n");
	for (size_t i = 0; i < devreg_count(reg); i++)
		out_entry(&o, devreg_entry_at(reg, i));
	if (o.oom) {
		free(o.buf);
		return -ENOMEM;
	}
	*ret = o.buf;
	*ret_len = o.len;
	return 0;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t k = write(fd, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

int devreg_save(const struct devreg *reg, const char *path)
{
	char *text = NULL, *tmp = NULL, *dir = NULL, *slash;
	size_t len;
	int fd, r;

	if (!reg || !path)
		return -EINVAL;
	r = devreg_format(reg, &text, &len);
	if (r < 0)
		return r;
	if (asprintf(&tmp, "%s.XXXXXX", path) < 0) {
		tmp = NULL;
		r = -ENOMEM;
		goto out;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		goto out;
	}
	r = write_all(fd, text, len);
	if (r >= 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r >= 0)
		r = -errno;
	if (r >= 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0) {
		unlink(tmp);
		goto out;
	}

	/* Make the rename itself durable. */
	dir = strdup(path);
	if (dir) {
		slash = strrchr(dir, '/');
		if (slash)
			slash[slash == dir ? 1 : 0] = 0;
		int dfd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			(void)fsync(dfd);
			close(dfd);
		}
	}
out:
	free(dir);
	free(tmp);
	free(text);
	return r;
}

/* ---- reading ---- */

struct reader {
	const char *name;
	const char *p, *end; /* rest of the current line */
	unsigned line;
	struct umn_diag *diag;
	uint8_t *buf; /* decoded value data, DEVREG_MAX_VALUE_SIZE + 1 bytes */
	size_t len;
};

static int fail(struct reader *rd, const char *msg)
{
	umn_diag_error(rd->diag, rd->name, rd->line, "%s", msg);
	return -EBADMSG;
}

static void skip_blanks(struct reader *rd)
{
	while (rd->p < rd->end && (*rd->p == ' ' || *rd->p == '\t'))
		rd->p++;
}

/* Appends one quoted string to rd->buf (without a NUL); max bounds rd->len. */
static int read_quoted(struct reader *rd, size_t max)
{
	skip_blanks(rd);
	if (rd->p >= rd->end || *rd->p != '"')
		return fail(rd, "expected a quoted string");
	rd->p++;
	for (;;) {
		unsigned char c;

		if (rd->p >= rd->end)
			return fail(rd, "unterminated string");
		c = (unsigned char)*rd->p++;
		if (c == '"')
			return 0;
		if (c == '\\') {
			if (rd->p >= rd->end)
				return fail(rd, "unterminated string");
			switch (*rd->p++) {
			case '\\':
				c = '\\';
				break;
			case '"':
				c = '"';
				break;
			case 'n':
				c = '\n';
				break;
			case 'r':
				c = '\r';
				break;
			case 't':
				c = '\t';
				break;
			case 'x':
				if (rd->end - rd->p < 2 || ascii_hexval(rd->p[0]) < 0 ||
				    ascii_hexval(rd->p[1]) < 0)
					return fail(rd, "bad \\x escape");
				c = (unsigned char)(ascii_hexval(rd->p[0]) * 16 +
						    ascii_hexval(rd->p[1]));
				rd->p += 2;
				if (c == 0)
					return fail(rd, "NUL in string");
				break;
			default:
				return fail(rd, "unknown escape in string");
			}
		} else if (c < 0x20) {
			return fail(rd, "control character in string (must be escaped)");
		}
		if (rd->len >= max)
			return fail(rd, "string too long");
		rd->buf[rd->len++] = c;
	}
}

/* Reads a quoted name into out (DEVREG_MAX_NAME + 1 bytes). */
static int read_name(struct reader *rd, char *out)
{
	int r;

	rd->len = 0;
	r = read_quoted(rd, DEVREG_MAX_NAME);
	if (r < 0)
		return r;
	memcpy(out, rd->buf, rd->len);
	out[rd->len] = 0;
	return 0;
}

static int read_data(struct reader *rd, uint32_t type)
{
	uint64_t v = 0;
	size_t digits = 0;
	int r;

	rd->len = 0;
	skip_blanks(rd);
	switch (type) {
	case DEVREG_SZ:
	case DEVREG_EXPAND_SZ:
		r = read_quoted(rd, DEVREG_MAX_VALUE_SIZE - 1);
		if (r < 0)
			return r;
		rd->buf[rd->len++] = 0;
		return 0;
	case DEVREG_MULTI_SZ:
		while (rd->p < rd->end) {
			size_t start = rd->len;
			r = read_quoted(rd, DEVREG_MAX_VALUE_SIZE - 2);
			if (r < 0)
				return r;
			if (rd->len == start)
				return fail(rd, "empty string in multi_sz");
			rd->buf[rd->len++] = 0;
			skip_blanks(rd);
		}
		rd->buf[rd->len++] = 0;
		return 0;
	case DEVREG_DWORD:
	case DEVREG_QWORD:
		if (rd->end - rd->p < 2 || rd->p[0] != '0' || rd->p[1] != 'x')
			return fail(rd, "expected a 0x number");
		rd->p += 2;
		for (; rd->p < rd->end && ascii_hexval(*rd->p) >= 0; rd->p++, digits++)
			v = v << 4 | (uint64_t)ascii_hexval(*rd->p);
		if (digits != (type == DEVREG_DWORD ? 8 : 16))
			return fail(rd, type == DEVREG_DWORD ? "dword needs 8 hex digits"
							     : "qword needs 16 hex digits");
		for (size_t i = 0; i < (type == DEVREG_DWORD ? 4u : 8u); i++)
			rd->buf[rd->len++] = (uint8_t)(v >> (8 * i));
		return 0;
	case DEVREG_BINARY:
		if (rd->p < rd->end && *rd->p == '-') {
			rd->p++;
			return 0;
		}
		while (rd->p < rd->end && ascii_hexval(*rd->p) >= 0) {
			if (rd->end - rd->p < 2 || ascii_hexval(rd->p[1]) < 0)
				return fail(rd, "binary data needs an even number of hex digits");
			if (rd->len >= DEVREG_MAX_VALUE_SIZE)
				return fail(rd, "binary value too long");
			rd->buf[rd->len++] =
			    (uint8_t)(ascii_hexval(rd->p[0]) * 16 + ascii_hexval(rd->p[1]));
			rd->p += 2;
		}
		if (rd->len == 0)
			return fail(rd, "expected hex bytes or '-'");
		return 0;
	}
	return fail(rd, "unknown type");
}

static uint32_t type_from_name(const char *s, size_t n)
{
	static const uint32_t types[] = {DEVREG_SZ,    DEVREG_EXPAND_SZ, DEVREG_BINARY,
					 DEVREG_DWORD, DEVREG_MULTI_SZ,	 DEVREG_QWORD};

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		const char *t = devreg_type_name(types[i]);
		if (strlen(t) == n && memcmp(t, s, n) == 0)
			return types[i];
	}
	return 0;
}

static int read_line(struct reader *rd, struct devreg *reg, char *subkey, char *name)
{
	const char *word = rd->p;
	uint32_t type;
	int r;

	while (rd->p < rd->end && *rd->p != ' ' && *rd->p != '\t')
		rd->p++;
	type = type_from_name(word, (size_t)(rd->p - word));
	if (!type)
		return fail(rd, "unknown value type (expected sz, expand_sz, multi_sz, dword, "
				"qword or binary)");
	r = read_name(rd, subkey);
	if (r >= 0)
		r = read_name(rd, name);
	if (r >= 0)
		r = read_data(rd, type);
	if (r < 0)
		return r;
	skip_blanks(rd);
	if (rd->p < rd->end)
		return fail(rd, "unexpected text after the value");

	if (devreg_get(reg, subkey, name, NULL) == 0)
		return fail(rd, "duplicate value");
	r = devreg_set(reg, subkey, name, type, rd->buf, rd->len);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		umn_diag_error(rd->diag, rd->name, rd->line, "invalid value: %s", strerror(-r));
		return -EBADMSG;
	}
	return 0;
}

int devreg_load_buffer(const char *name, const void *data, size_t len, struct devreg **ret,
		       struct umn_diag *diag)
{
	struct reader rd = {.name = name, .diag = diag};
	const char *text = data, *end = text + len;
	char *subkey = NULL, *vname = NULL;
	struct devreg *reg = NULL;
	bool header = false;
	int r;

	if (!name || (!data && len) || !ret)
		return -EINVAL;
	if (len > MAX_FILE_SIZE) {
		umn_diag_error(diag, name, 0, "file larger than %u MiB", MAX_FILE_SIZE >> 20);
		return -EFBIG;
	}
	if (len > 0 && memchr(text, 0, len)) {
		umn_diag_error(diag, name, 0, "NUL byte in file");
		return -EBADMSG;
	}
	r = devreg_new(&reg);
	rd.buf = malloc(DEVREG_MAX_VALUE_SIZE + 1);
	subkey = malloc(DEVREG_MAX_NAME + 1);
	vname = malloc(DEVREG_MAX_NAME + 1);
	if (r < 0 || !rd.buf || !subkey || !vname) {
		r = -ENOMEM;
		goto out;
	}

	for (const char *p = text; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		rd.line++;
		rd.p = p;
		rd.end = nl ? nl : end;
		p = nl ? nl + 1 : end;
		if (rd.end > rd.p && rd.end[-1] == '\r')
			rd.end--;
		skip_blanks(&rd);
		if (rd.p == rd.end || *rd.p == '#')
			continue;
		if (!header) {
			if ((size_t)(rd.end - rd.p) != strlen(HEADER) ||
			    memcmp(rd.p, HEADER, strlen(HEADER)) != 0) {
				r = fail(&rd,
					 "not a umnic registry file (expected \"" HEADER "\")");
				goto out;
			}
			header = true;
			continue;
		}
		r = read_line(&rd, reg, subkey, vname);
		if (r < 0)
			goto out;
	}
	if (!header) {
		umn_diag_error(diag, name, 0, "empty file (expected \"" HEADER "\")");
		r = -EBADMSG;
		goto out;
	}
	*ret = reg;
	reg = NULL;
	r = 0;
out:
	devreg_free(reg);
	free(rd.buf);
	free(subkey);
	free(vname);
	return r;
}

int devreg_load(const char *path, struct devreg **ret, struct umn_diag *diag)
{
	const char *name;
	struct stat st;
	char *buf = NULL;
	size_t n = 0;
	int fd, r;

	if (!path || !ret)
		return -EINVAL;
	name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	/* O_NONBLOCK: a FIFO must not hang us; it fails S_ISREG below. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
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
	if (st.st_size > MAX_FILE_SIZE) {
		r = -EFBIG;
		umn_diag_error(diag, name, 0, "file larger than %u MiB", MAX_FILE_SIZE >> 20);
		goto out;
	}
	/* One byte more than the size, to notice a file that grew. */
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		r = -ENOMEM;
		goto out;
	}
	for (;;) {
		ssize_t k = read(fd, buf + n, (size_t)st.st_size + 1 - n);
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
		if (n > (size_t)st.st_size) {
			r = -EAGAIN;
			umn_diag_error(diag, name, 0, "file changed while being read");
			goto out;
		}
	}
	r = devreg_load_buffer(name, buf, n, ret, diag);
out:
	free(buf);
	close(fd);
	return r;
}
