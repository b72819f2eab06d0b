/* SPDX-License-Identifier: MIT */
/*
 * Starting driver host processes. umnicd opens the umnic-host executable and
 * the folder of the libraries it links once, with its own rights, and every
 * host is executed from those descriptors: an unprivileged host never needs
 * a path into umnicd's file system, so a build or an installation under a
 * directory only root may enter (a clone in /root) works as well as one in
 * /usr.
 */
#ifndef UMNIC_UMNICD_SPAWN_H
#define UMNIC_UMNICD_SPAWN_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The host executable and its library folder, held open for the daemon's lifetime. */
struct spawn_image {
	int exe_fd;    /* O_PATH: the umnic-host executable */
	int libdir_fd; /* O_PATH: the folder holding libumnic-driver.so.0, or -1 */
	char exe_path[PATH_MAX];
	char libdir_path[PATH_MAX];
};

struct spawn_opts {
	const struct spawn_image *image;
	int sock;      /* becomes fd 3 */
	int driver_fd; /* the driver .so, opened by umnicd; becomes fd 4 */
	const char *driver_name;
	bool sandbox; /* new namespaces, unprivileged user, umnic-host confines itself */
	uid_t uid;    /* the user the host runs as outside its namespace */
	gid_t gid;
	char *const *envp; /* at most SPAWN_MAX_ENV entries; LD_LIBRARY_PATH is added */
};

#define SPAWN_MAX_ENV 8

/*
 * Opens host_bin and the folder of libumnic-driver it runs with (a build
 * tree's src/runtime, or the installed libdir beside libexec). Returns 0 or
 * -errno with err filled in.
 */
int spawn_image_open(struct spawn_image *img, const char *host_bin, char *err, size_t cap);
void spawn_image_close(struct spawn_image *img);

/* A detached read-only mount of the driver binary at path, for a sandboxed host; fd or -errno. */
int spawn_driver_mount(const char *path);

/*
 * Starts a driver host. With sandbox, the child is created in new user,
 * mount, PID, IPC, UTS and network namespaces, mapped so that root inside is
 * opts->uid outside, and execs umnic-host with -s. Returns 0 with the pid, a
 * pidfd and ret_execfd, a pipe that tells how far the host got (see
 * spawn_exec_failure); or -errno with err filled in.
 */
int spawn_host(const struct spawn_opts *opts, pid_t *ret_pid, int *ret_pidfd, int *ret_execfd,
	       char *err, size_t cap);

/*
 * Explains why a host that exited with status 127 never ran, from its exec
 * pipe: the exec's own error, or the loader's failure to load a library.
 * Fills why and returns true if there was something to explain, false if
 * umnic-host's main ran (it wrote a byte) or execfd is -1.
 */
bool spawn_exec_failure(const struct spawn_image *img, int execfd, uid_t uid, char *why,
			size_t cap);

#endif
