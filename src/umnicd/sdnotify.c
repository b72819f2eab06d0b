// SPDX-License-Identifier: MIT
/*
 * The sd_notify protocol without libsystemd: a datagram to the AF_UNIX
 * socket $NOTIFY_SOCKET names (a path, or an abstract name after '@').
 * The variables are removed from the environment once read, so the driver
 * hosts umnicd starts never see them and cannot speak for umnicd.
 */
#include "umnicd/sdnotify.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/log.h"

static struct {
	int fd;
	struct sockaddr_un sa;
	socklen_t sa_len;
	uint64_t watchdog_ns; /* 0: no watchdog */
	uint64_t last_ping_ns;
} sdn = {.fd = -1};

static uint64_t parse_u64(const char *s)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-')
		return 0;
	errno = 0;
	v = strtoull(s, &end, 10);
	return errno || *end ? 0 : (uint64_t)v;
}

void sdnotify_init(void)
{
	const char *path = getenv("NOTIFY_SOCKET");
	uint64_t usec = parse_u64(getenv("WATCHDOG_USEC"));
	const char *wpid = getenv("WATCHDOG_PID");
	size_t len;

	/* A watchdog meant for another process (WATCHDOG_PID) is not ours. */
	if (usec && (!wpid || parse_u64(wpid) == (uint64_t)getpid()))
		sdn.watchdog_ns = usec * 1000u;
	if (path && (path[0] == '/' || path[0] == '@') &&
	    (len = strlen(path)) < sizeof(sdn.sa.sun_path)) {
		sdn.sa.sun_family = AF_UNIX;
		memcpy(sdn.sa.sun_path, path, len);
		if (path[0] == '@')
			sdn.sa.sun_path[0] = '\0';
		sdn.sa_len =
		    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + (path[0] == '/'));
		sdn.fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (sdn.fd < 0)
			umn_log(UMN_LOG_WARN, "NOTIFY_SOCKET: cannot open a socket: %s",
				strerror(errno));
	} else if (path) {
		umn_log(UMN_LOG_WARN,
			"NOTIFY_SOCKET is not a socket path or abstract name; ignored");
	}
	if (sdn.fd < 0)
		sdn.watchdog_ns = 0; /* nobody to tell */
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
}

int sdnotify_send(const char *msg)
{
	ssize_t n;

	if (sdn.fd < 0)
		return -ENOTCONN;
	n = sendto(sdn.fd, msg, strlen(msg), MSG_NOSIGNAL | MSG_DONTWAIT,
		   (const struct sockaddr *)&sdn.sa, sdn.sa_len);
	return n < 0 ? -errno : 0;
}

void sdnotify_watchdog_tick(uint64_t now_ns)
{
	if (!sdn.watchdog_ns || now_ns - sdn.last_ping_ns < sdn.watchdog_ns / 2)
		return;
	sdn.last_ping_ns = now_ns;
	(void)sdnotify_send("WATCHDOG=1");
}

uint64_t sdnotify_watchdog_ns(void)
{
	return sdn.watchdog_ns;
}

void sdnotify_close(void)
{
	if (sdn.fd >= 0)
		close(sdn.fd);
	sdn.fd = -1;
}
