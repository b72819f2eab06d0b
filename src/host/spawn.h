/* SPDX-License-Identifier: MIT */
#ifndef UMNIC_HOST_SPAWN_H
#define UMNIC_HOST_SPAWN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct spawn_opts {
	const char *host_bin;	/* the umnic-host executable */
	int sock;		/* becomes fd 3 */
	int driver_fd;		/* the driver .so, opened by umnicd; becomes fd 4 */
	const char *driver_name;
	bool sandbox;		/* new namespaces, unprivileged user, umnic-host confines itself */
	uid_t uid;		/* the user the host runs as outside its namespace */
	gid_t gid;
	char *const *envp;
};

/*
 * Starts a driver host. With sandbox, the child is created in new user,
 * mount, PID, IPC, UTS and network namespaces, mapped so that root inside is
 * opts->uid outside, and execs umnic-host with -s. Returns 0 and the pid and
 * a pidfd, or -errno with err filled in.
 */
/* A detached read-only mount of the driver binary at path, for a sandboxed host; fd or -errno. */
int spawn_driver_mount(const char *path);

int spawn_host(const struct spawn_opts *opts, pid_t *ret_pid, int *ret_pidfd, char *err, size_t cap);

#endif
