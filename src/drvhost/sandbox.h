/* SPDX-License-Identifier: MIT */
/*
 * How a driver host confines itself before the driver runs (sandbox.c).
 * umnicd started it in new user, mount, PID, IPC, UTS and network namespaces
 * as an unprivileged user mapped to root inside; here it swaps the file
 * system for an empty read-only root holding only the driver binary
 * (read-only), lowers its rlimits, drops every capability, sets
 * no_new_privs, and installs the seccomp allowlist. Everything the driver
 * may use afterwards it already has: the socket to umnicd and what arrives
 * over it.
 */
#ifndef UMNIC_DRVHOST_SANDBOX_H
#define UMNIC_DRVHOST_SANDBOX_H

#include <stddef.h>

/*
 * Confines this process as said above. driver_fd is the driver .so umnicd
 * opened; name is its base name. describe receives a one-line summary for
 * `umnic status`. Returns 0 or -errno with err filled in.
 */
int sandbox_enter(int driver_fd, const char *name, char *describe, size_t describe_cap, char *err,
		  size_t err_cap);

/* Only the seccomp filter (for a host running without namespaces, e.g. in tests). */
int sandbox_seccomp(char *err, size_t err_cap);

#endif
