/* SPDX-License-Identifier: MIT */
/*
 * umnic open/read/write/ioctl: send one I/O request to a device through
 * libumnic and print the NTSTATUS, Information and any output data. With
 * --repeat N the request goes N times, one after the other, and the round
 * trip times are summed up as well.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <umnic/client.h>

#include "cli/io.h"
#include "common/ascii.h"
#include "common/clock.h"
#include "common/ioproto.h"

#define CLI_BUF_MAX    UMN_IOMSG_LEN_MAX
#define CLI_REPEAT_MAX 1000000u

static int parse_access(const char *s, uint32_t *ret)
{
	if (!strcmp(s, "r"))
		*ret = FILE_READ_DATA;
	else if (!strcmp(s, "w"))
		*ret = FILE_WRITE_DATA;
	else if (!strcmp(s, "rw") || !strcmp(s, "wr"))
		*ret = FILE_READ_DATA | FILE_WRITE_DATA;
	else if (!strcmp(s, "none"))
		*ret = 0;
	else
		return -EINVAL;
	return 0;
}

static int parse_u64(const char *s, uint64_t max, uint64_t *ret)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end || *s == '-' || v > max)
		return -EINVAL;
	*ret = v;
	return 0;
}

static int parse_hex(const char *s, uint8_t **ret, size_t *ret_len)
{
	size_t n = 0, cap = strlen(s) / 2 + 1;
	uint8_t *b = malloc(cap);
	int hi = -1;

	if (!b)
		return -ENOMEM;
	for (; *s; s++) {
		int d;
		if (*s == ' ' || *s == ':' || *s == '-')
			continue;
		d = ascii_hexval(*s);
		if (d < 0)
			goto fail;
		if (hi < 0) {
			hi = d;
		} else {
			b[n++] = (uint8_t)(hi << 4 | d);
			hi = -1;
		}
	}
	if (hi >= 0)
		goto fail;
	*ret = b;
	*ret_len = n;
	return 0;
fail:
	free(b);
	return -EINVAL;
}

static int read_file(const char *path, uint8_t **ret, size_t *ret_len)
{
	FILE *f = fopen(path, "rbe");
	size_t n = 0, cap = 65536;
	uint8_t *b;

	if (!f)
		return -errno;
	b = malloc(cap);
	while (b) {
		size_t k = fread(b + n, 1, cap - n, f);
		n += k;
		if (k == 0)
			break;
		if (n == cap) {
			uint8_t *nb = cap >= CLI_BUF_MAX ? NULL : realloc(b, cap * 2);
			if (!nb) {
				free(b);
				b = NULL;
				errno = cap >= CLI_BUF_MAX ? EFBIG : ENOMEM;
				break;
			}
			b = nb;
			cap *= 2;
		}
	}
	if (b && ferror(f)) {
		free(b);
		b = NULL;
		errno = EIO;
	}
	fclose(f);
	if (!b)
		return -errno;
	*ret = b;
	*ret_len = n;
	return 0;
}

static void hexdump(const uint8_t *p, size_t n)
{
	for (size_t off = 0; off < n; off += 16) {
		size_t k = n - off < 16 ? n - off : 16;

		printf("%08zx ", off);
		for (size_t i = 0; i < 16; i++) {
			if (i == 8)
				putchar(' ');
			if (i < k)
				printf(" %02x", p[off + i]);
			else
				printf("   ");
		}
		printf("  |");
		for (size_t i = 0; i < k; i++)
			putchar(p[off + i] >= 0x20 && p[off + i] < 0x7f ? p[off + i] : '.');
		printf("|\n");
	}
}

static void print_status(const char *what, NTSTATUS st)
{
	const char *name = umnic_status_name(st);

	if (name)
		printf("%s: %s (0x%08X)\n", what, name, (unsigned)st);
	else
		printf("%s: 0x%08X\n", what, (unsigned)st);
}

static void print_result(const umnic_result *res, const uint8_t *out, size_t out_len)
{
	size_t n = res->information < out_len ? (size_t)res->information : out_len;

	print_status("status", res->status);
	printf("information: %llu\n", (unsigned long long)res->information);
	/* Data is meaningful on success and with STATUS_BUFFER_OVERFLOW (partial). */
	if (out && n && (NT_SUCCESS(res->status) || res->status == STATUS_BUFFER_OVERFLOW))
		hexdump(out, n);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* "N round trips: p50 ..., p99 ..., max ..." in microseconds; sorts t. */
static void print_times(uint64_t *t, uint64_t n)
{
	qsort(t, n, sizeof(*t), cmp_u64);
	// NOLINTBEGIN(bugprone-integer-division): the integer divisions are array indices
	printf("%llu round trips: p50 %.1f us, p99 %.1f us, max %.1f us\n", (unsigned long long)n,
	       t[(n - 1) / 2] / 1e3, t[(n - 1) * 99 / 100] / 1e3, t[n - 1] / 1e3);
	// NOLINTEND(bugprone-integer-division)
}

/* Written before the handler is installed, so the handler only reads it. */
static char interrupt_msg[128];
static size_t interrupt_len;

/*
 * Ctrl-C while a request waits. libumnic waits on until the answer comes (a
 * driver may keep a read forever), so stop here: the closing socket tells
 * umnicd, which cancels what this client had outstanding.
 */
static void on_interrupt(int sig)
{
	ssize_t r = write(STDERR_FILENO, interrupt_msg, interrupt_len);

	(void)r;
	_exit(128 + sig);
}

/*
 * SIGINT ends the command with the shell's status for it (130), even when
 * it was started ignoring SIGINT (a background job of a script): a request
 * can wait forever, and this is the one way to stop waiting short of a kill.
 */
static void catch_interrupt(const char *cmd, const char *name)
{
	struct sigaction sa = {.sa_handler = on_interrupt};
	int n = snprintf(interrupt_msg, sizeof(interrupt_msg),
			 "umnic %s: interrupted while waiting for %s; its request is cancelled\n",
			 cmd, name);

	if (n < 0)
		n = 0;
	interrupt_len = (size_t)n < sizeof(interrupt_msg) ? (size_t)n : sizeof(interrupt_msg) - 1;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
}

/* NAME: a symbolic link, or "{GUID}" / "{GUID}\ref" for a device interface. */
static NTSTATUS open_name(umnic_client *c, const char *name, uint32_t access, umnic_handle *ret)
{
	GUID g;
	int n = name[0] == '{' ? umn_guid_parse(name, &g) : -EINVAL;

	if (n > 0 && (name[n] == '\0' || name[n] == '\\'))
		return umnic_open_interface(c, &g, name[n] ? name + n + 1 : NULL, access, ret);
	return umnic_open(c, name, access, ret);
}

void cli_io_usage(FILE *f)
{
	fprintf(
	    f,
	    "  open NAME [--access r|w|rw]\n"
	    "                       open a device and close it again; prints the status\n"
	    "  read NAME LENGTH [--offset N] [--access r|w|rw]\n"
	    "  write NAME (--hex HEX | --file PATH) [--offset N] [--access r|w|rw]\n"
	    "  ioctl NAME CODE [--in-hex HEX | --in-file PATH] [--out-len N] [--access r|w|rw]\n"
	    "                       send one request; prints the NTSTATUS, Information and the "
	    "data\n"
	    "                       read, write and ioctl take --repeat N: send it N times in a\n"
	    "                       row (stopping at a failure) and print the round trip times\n"
	    "                       NAME is a symbolic link (UmnicEcho, \\??\\UmnicEcho),\n"
	    "                       {interface-GUID}[\\reference] or an interface path\n"
	    "                       (ROOT#ECHO#0000#{interface-GUID}, as `umnic status` lists)\n");
}

static char deadline_text[160];

static void on_deadline(int sig)
{
	(void)sig;
	/* Only async-signal-safe calls here: the text was formatted beforehand. */
	if (write(STDERR_FILENO, deadline_text, strlen(deadline_text)) < 0)
		_exit(1);
	_exit(1);
}

void cli_deadline(int seconds)
{
	struct sigaction sa = {.sa_handler = on_deadline};

	if (seconds <= 0) {
		alarm(0);
		return;
	}
	snprintf(deadline_text, sizeof(deadline_text),
		 "umnic: umnicd did not answer within %d s (is it stopped or wedged? --timeout "
		 "sets the limit)\n",
		 seconds);
	sigaction(SIGALRM, &sa, NULL);
	alarm((unsigned)seconds);
}

bool cli_io_is_command(const char *cmd)
{
	return !strcmp(cmd, "open") || !strcmp(cmd, "read") || !strcmp(cmd, "write") ||
	       !strcmp(cmd, "ioctl");
}

int cli_io(const char *run_dir, int timeout_s, int argc, char **argv)
{
	const char *cmd = argv[0], *name = argc > 1 ? argv[1] : NULL, *hex = NULL, *file = NULL;
	uint64_t length = 0, code = 0, out_len = 0, offset = 0, repeat = 1;
	uint8_t *in = NULL, *out = NULL;
	size_t in_len = 0;
	uint32_t access = 0;
	bool access_set = false;
	umnic_result res = {0};
	umnic_client *c = NULL;
	uint64_t *rtt = NULL, done;
	umnic_handle h;
	NTSTATUS st;
	int pos = 2, ret = 2, timeout_ms = timeout_s ? timeout_s * 1000 : -1;

	if (!name) {
		fprintf(stderr, "umnic %s: missing NAME\n", cmd);
		return 2;
	}
	if (!strcmp(cmd, "read") || !strcmp(cmd, "ioctl")) {
		if (argc < 3) {
			fprintf(stderr, "umnic %s: missing %s\n", cmd,
				!strcmp(cmd, "read") ? "LENGTH" : "CODE");
			return 2;
		}
		if (!strcmp(cmd, "read") && parse_u64(argv[2], CLI_BUF_MAX, &length) < 0) {
			fprintf(stderr, "umnic read: LENGTH '%s' is not a number up to %u\n",
				argv[2], CLI_BUF_MAX);
			return 2;
		}
		if (!strcmp(cmd, "ioctl") && parse_u64(argv[2], UINT32_MAX, &code) < 0) {
			fprintf(stderr, "umnic ioctl: CODE '%s' is not a 32-bit number\n", argv[2]);
			return 2;
		}
		pos = 3;
	}
	for (; pos < argc; pos++) {
		const char *o = argv[pos], *v = pos + 1 < argc ? argv[pos + 1] : NULL;

		if (!v) {
			fprintf(stderr, "umnic %s: unknown or incomplete option '%s'\n", cmd, o);
			return 2;
		}
		if (!strcmp(o, "--access")) {
			if (parse_access(v, &access) < 0) {
				fprintf(stderr, "umnic %s: --access takes r, w, rw or none\n", cmd);
				return 2;
			}
			access_set = true;
		} else if (!strcmp(o, "--offset") &&
			   (!strcmp(cmd, "read") || !strcmp(cmd, "write"))) {
			if (parse_u64(v, INT64_MAX, &offset) < 0) {
				fprintf(stderr, "umnic %s: bad --offset '%s'\n", cmd, v);
				return 2;
			}
		} else if ((!strcmp(o, "--hex") && !strcmp(cmd, "write")) ||
			   (!strcmp(o, "--in-hex") && !strcmp(cmd, "ioctl"))) {
			hex = v;
		} else if ((!strcmp(o, "--file") && !strcmp(cmd, "write")) ||
			   (!strcmp(o, "--in-file") && !strcmp(cmd, "ioctl"))) {
			file = v;
		} else if (!strcmp(o, "--repeat") && strcmp(cmd, "open")) {
			if (parse_u64(v, CLI_REPEAT_MAX, &repeat) < 0 || repeat == 0) {
				fprintf(stderr, "umnic %s: --repeat takes 1 to %u, not '%s'\n", cmd,
					CLI_REPEAT_MAX, v);
				return 2;
			}
		} else if (!strcmp(o, "--out-len") && !strcmp(cmd, "ioctl")) {
			if (parse_u64(v, CLI_BUF_MAX, &out_len) < 0) {
				fprintf(stderr, "umnic ioctl: bad --out-len '%s'\n", v);
				return 2;
			}
		} else {
			fprintf(stderr, "umnic %s: unknown option '%s'\n", cmd, o);
			return 2;
		}
		pos++;
	}
	if (hex && file) {
		fprintf(stderr, "umnic %s: give the data as hex or as a file, not both\n", cmd);
		return 2;
	}
	if (!strcmp(cmd, "write") && !hex && !file) {
		fprintf(stderr, "umnic write: give the data with --hex HEX or --file PATH\n");
		return 2;
	}
	if (hex && parse_hex(hex, &in, &in_len) < 0) {
		fprintf(stderr, "umnic %s: '%s' is not an even number of hex digits\n", cmd, hex);
		return 2;
	}
	if (file) {
		int r = read_file(file, &in, &in_len);
		if (r < 0) {
			fprintf(stderr, "umnic %s: %s: %s\n", cmd, file, strerror(-r));
			return 1;
		}
	}
	if (!access_set) {
		if (!strcmp(cmd, "read"))
			access = FILE_READ_DATA;
		else if (!strcmp(cmd, "write"))
			access = FILE_WRITE_DATA;
		else if (!strcmp(cmd, "ioctl"))
			access = ((uint32_t)code >> 14) & (FILE_READ_DATA | FILE_WRITE_DATA);
		else
			access = FILE_READ_DATA | FILE_WRITE_DATA;
	}
	if (length || out_len) {
		out = calloc(1, length ? length : out_len);
		if (!out) {
			fprintf(stderr, "umnic %s: out of memory\n", cmd);
			goto out;
		}
	}

	catch_interrupt(cmd, name);
	cli_deadline(timeout_s);
	c = umnic_connect(run_dir);
	if (!c) {
		fprintf(stderr,
			"umnic: cannot reach umnicd at %s/%s: %s (is umnicd running? see "
			"--run-dir)\n",
			run_dir, UMN_IOMSG_SOCK_NAME, strerror(errno));
		ret = 1;
		goto out;
	}
	st = open_name(c, name, access, &h);
	cli_deadline(0);
	if (!NT_SUCCESS(st) || !strcmp(cmd, "open")) {
		cli_deadline(timeout_s);
		if (!NT_SUCCESS(st))
			fprintf(
			    stderr, "umnic %s: cannot open %s%s\n", cmd, name,
			    st == STATUS_OBJECT_NAME_COLLISION && name[0] == '{'
				? ": several devices expose this interface; name one by its "
				  "interface "
				  "path, INSTANCE#{GUID} with # for \\ (`umnic status` lists them)"
				: "");
		print_status("open", st);
		if (NT_SUCCESS(st))
			print_status("close", umnic_close(c, h));
		ret = NT_SUCCESS(st) ? 0 : 1;
		goto out;
	}
	if (repeat > 1 && !(rtt = malloc(sizeof(*rtt) * repeat))) {
		fprintf(stderr, "umnic %s: out of memory for %llu round trip times\n", cmd,
			(unsigned long long)repeat);
		goto out;
	}
	for (done = 0; done < repeat; done++) {
		uint64_t t0 = umn_mono_ns();

		if (!strcmp(cmd, "read"))
			umnic_read_timeout(c, h, out, length, offset, timeout_ms, &res);
		else if (!strcmp(cmd, "write"))
			umnic_write_timeout(c, h, in, in_len, offset, timeout_ms, &res);
		else
			umnic_ioctl_timeout(c, h, (uint32_t)code, in, in_len, out, out_len,
					    timeout_ms, &res);
		if (rtt)
			rtt[done] = umn_mono_ns() - t0;
		if (!NT_SUCCESS(res.status)) {
			done++;
			break;
		}
	}
	print_result(&res, out, length ? length : out_len);
	if (rtt)
		print_times(rtt, done);
	cli_deadline(timeout_s);
	umnic_close(c, h);
	ret = NT_SUCCESS(res.status) ? 0 : 1;
out:
	umnic_disconnect(c);
	free(in);
	free(out);
	free(rtt);
	return ret;
}
