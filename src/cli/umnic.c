/* SPDX-License-Identifier: MIT */
/*
 * umnic: the command line. Control commands forward the words they are given
 * to umnicd and print the answer; umnicd formats text and JSON itself. The
 * I/O commands (open, read, write, ioctl) go through libumnic (io.c).
 *
 * A command waits for umnicd's answer up to --timeout seconds
 * (CLI_TIMEOUT_DEFAULT_S; 0: no limit), the I/O commands per request.
 * umnicd answers every control command in the end, since it gives up on a
 * driver host after 60 s and on a device start after --start-timeout
 * (120 s) itself, so the limit is there for a umnicd that is stopped or
 * wedged.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli/io.h"

/* A reply packet: 8 bytes of code and flags, then up to 32 KiB of text (ctl.c). */
#define REPLY_MAX	      (64 * 1024)
#define CTL_MORE	      0x1u
#define CLI_TIMEOUT_DEFAULT_S 300
#define CLI_TIMEOUT_MAX_S     86400

static void usage(FILE *f)
{
	fprintf(f,
		"usage: umnic [--run-dir DIR] [--timeout SECONDS] COMMAND [ARGS] [--json]\n"
		"  install PATH.inf [HWID] [--param Name=Value]... [--ifname NAME] [--netns NAME]\n"
		"                       install a device and start it; prints its instance id and "
		"interface\n"
		"  uninstall DEVICE     stop and remove a device (instance id, number, interface "
		"name or symbolic link)\n"
		"  stop DEVICE          stop a device's driver without removing it (a PnP stop: it "
		"leaves D0,\n"
		"                       its interface stays without carrier)\n"
		"  start DEVICE         start a stopped device again\n"
		"  restart DEVICE       start a failed device again\n"
		"  list                 all devices\n"
		"  status [DEVICE]      devices with driver, host pid, interface, link and queue "
		"counters\n"
		"  set DEVICE [--queues N] [--rss on|off] [--rss-key HEX] [--indirection "
		"equal|Q,Q,...]\n"
		"                       queue pairs (the device stops and starts with them) and "
		"receive scaling;\n"
		"                       a TAP has no ethtool -L/-X, so these take their place\n"
		"  ping                 check that umnicd answers\n"
		"  trace DEVICE [--level L] [--flags F] [--follow]\n"
		"                       the device's recent WPP trace messages, at level L "
		"(critical, error,\n"
		"                       warning, information, verbose) or more severe, under flags "
		"F (names,\n"
		"                       comma-separated, or a bit mask); --follow: then new ones "
		"until Ctrl-C\n"
		"  --timeout: how long a command waits for umnicd's answer (default %d;\n"
		"  0: no limit); the I/O commands apply it to each request\n",
		CLI_TIMEOUT_DEFAULT_S);
	cli_io_usage(f);
}

int main(int argc, char **argv)
{
	const char *run_dir = getenv("UMNIC_RUN_DIR") ? getenv("UMNIC_RUN_DIR") : "/run/umnic";
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	static char req[16384], reply[REPLY_MAX];
	char abs[PATH_MAX];
	size_t len = 0;
	int fd, first, timeout_s = CLI_TIMEOUT_DEFAULT_S, r;
	ssize_t n;
	int32_t code;

	for (first = 1; first < argc; first++) {
		if (!strcmp(argv[first], "--run-dir") && first + 1 < argc)
			run_dir = argv[++first];
		else if (!strcmp(argv[first], "--timeout") && first + 1 < argc) {
			char *end;
			long v;

			errno = 0;
			v = strtol(argv[++first], &end, 10);
			if (errno || end == argv[first] || *end || v < 0 || v > CLI_TIMEOUT_MAX_S) {
				fprintf(stderr,
					"umnic: --timeout takes 0 to %d seconds, not '%s'\n",
					CLI_TIMEOUT_MAX_S, argv[first]);
				return 2;
			}
			timeout_s = (int)v;
		} else if (!strcmp(argv[first], "-h") || !strcmp(argv[first], "--help")) {
			usage(stdout);
			return 0;
		} else
			break;
	}
	if (first >= argc) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[first], "trace"))
		return cli_trace(run_dir, timeout_s, argc - first, argv + first);
	if (cli_io_is_command(argv[first]))
		return cli_io(run_dir, timeout_s, argc - first, argv + first);
	/* umnicd resolves nothing relative to our directory: send an absolute INF path. */
	if (!strcmp(argv[first], "install") && first + 1 < argc && argv[first + 1][0] != '-') {
		if (!realpath(argv[first + 1], abs)) {
			fprintf(stderr, "umnic: %s: %s\n", argv[first + 1], strerror(errno));
			return 1;
		}
		argv[first + 1] = abs;
	}
	for (int i = first; i < argc; i++) {
		size_t l = strlen(argv[i]) + 1;
		if (len + l > 16384) {
			fprintf(stderr, "umnic: arguments too long\n");
			return 2;
		}
		memcpy(req + len, argv[i], l);
		len += l;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/umnicd.sock", run_dir);
	/* Connecting and sending wait too when umnicd's backlog is full: the same limit holds. */
	cli_deadline(timeout_s);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr,
			"umnic: cannot reach umnicd at %s: %s (is umnicd running? see --run-dir)\n",
			sa.sun_path, strerror(errno));
		return 1;
	}
	if (send(fd, req, len, 0) < 0) {
		fprintf(stderr, "umnic: send: %s\n", strerror(errno));
		return 1;
	}
	/* The reply comes in packets of code, flags and text; the last has no CTL_MORE. */
	for (uint32_t flags = CTL_MORE; flags & CTL_MORE;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};

		do
			r = poll(&p, 1, timeout_s ? timeout_s * 1000 : -1);
		while (r < 0 && errno == EINTR);
		if (r == 0) {
			fprintf(
			    stderr,
			    "umnic: umnicd did not answer within %d s (is it stopped or wedged? "
			    "--timeout sets the limit)\n",
			    timeout_s);
			return 1;
		}
		n = recv(fd, reply, REPLY_MAX, 0);
		if (n < 8) {
			fprintf(stderr, "umnic: no answer from umnicd\n");
			return 1;
		}
		memcpy(&code, reply, 4);
		memcpy(&flags, reply + 4, 4);
		fwrite(reply + 8, 1, (size_t)n - 8, code ? stderr : stdout);
	}
	close(fd);
	return code;
}
