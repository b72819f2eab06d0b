/* SPDX-License-Identifier: MIT */
/*
 * Starts a driver host (spawn.h): clone into new namespaces, the uid and
 * gid switch done with raw system calls (the child must not wait on a
 * parent's lock), and execveat of the umnic-host descriptor umnicd opened
 * once, with a pipe that tells how far the child got (exec, loader, main).
 */
#include "umnicd/hosts/spawn.h"

#include "common/proto.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int write_file(pid_t pid, const char *name, const char *text)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -EIO;
}

/* Where the child puts what it hands on; everything above SPAWN_FD_LAST is closed. */
enum {
	SPAWN_FD_SOCK = 3,
	SPAWN_FD_DRIVER = 4,
	SPAWN_FD_LIBDIR = 5,
	SPAWN_FD_EXE = 6,
	SPAWN_FD_EXECERR = 7
};
#define SPAWN_FD_LAST SPAWN_FD_EXECERR

/* In the child, before exec: only async-signal-safe calls from here on. */
static void child(const struct spawn_opts *o, int gate, int execerr, char *const *envp)
{
	/* -L: the library folder, which the host closes before it loads the driver. */
	char *const argv[] = {"umnic-host",
			      "-f",
			      "3",
			      "-d",
			      "4",
			      "-n",
			      (char *)o->driver_name,
			      "-L",
			      "5",
			      "-E",
			      "7",
			      o->sandbox ? "-s" : NULL,
			      NULL};
	int src[] = {o->sock, o->driver_fd, o->image->libdir_fd, o->image->exe_fd, execerr};
	int err;
	char c;

	if (o->sandbox) {
		/* Wait until the parent wrote our uid/gid maps, then become root of the new user
		 * namespace. */
		if (read(gate, &c, 1) != 1)
			_exit(126);
		/*
		 * The raw system calls: glibc's setresuid makes every thread it knows of
		 * change too, and waits for them; umnicd's other threads do not exist in
		 * this child, so it would wait for ever.
		 */
		if (syscall(SYS_setresgid, 0, 0, 0) < 0 || syscall(SYS_setresuid, 0, 0, 0) < 0)
			_exit(125);
	}
	close(gate);
	/* Set after the credential change, which would clear it. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* Lift every source above the targets first, so that no dup3 overwrites one still to be
	 * placed. */
	for (unsigned i = 0; i < sizeof(src) / sizeof(src[0]); i++)
		if (src[i] >= 0 && (src[i] = fcntl(src[i], F_DUPFD_CLOEXEC, SPAWN_FD_LAST + 1)) < 0)
			_exit(124);
	/*
	 * The executable closes with the exec; the rest survive it. The exec pipe tells umnicd
	 * how far the host got: an errno if the exec failed, end-of-file if the loader did,
	 * a byte from umnic-host's main once it runs.
	 */
	if (dup3(src[0], SPAWN_FD_SOCK, 0) < 0 || dup3(src[1], SPAWN_FD_DRIVER, 0) < 0 ||
	    (src[2] >= 0 && dup3(src[2], SPAWN_FD_LIBDIR, 0) < 0) ||
	    dup3(src[3], SPAWN_FD_EXE, O_CLOEXEC) < 0 || dup3(src[4], SPAWN_FD_EXECERR, 0) < 0)
		_exit(124);
	syscall(SYS_close_range, SPAWN_FD_LAST + 1, ~0U, 0);
	syscall(SYS_execveat, SPAWN_FD_EXE, "", argv, envp, AT_EMPTY_PATH);
	err = errno;
	(void)!write(SPAWN_FD_EXECERR, &err, sizeof(err));
	_exit(127);
}

/* A folder holding libumnic-driver.so.0, relative to the host binary's folder. */
static int open_libdir(struct spawn_image *img, const char *host_dir)
{
	/* The build tree (src/drvhost beside src/runtime), then the installed libdir beside
	 * libexec. */
	const char *rel[] = {"../runtime", UMN_LIBDIR_FROM_LIBEXEC};

	for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		char p[PATH_MAX];
		int fd;

		/* An absolute libdir (meson's libdir given as a full path) is taken as it is. */
		if (snprintf(p, sizeof(p), "%s%s%s", rel[i][0] == '/' ? "" : host_dir,
			     rel[i][0] == '/' ? "" : "/", rel[i]) >= (int)sizeof(p))
			continue;
		fd = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (faccessat(fd, UMN_DRIVER_LIB_SONAME, F_OK, 0) == 0) {
			if (!realpath(p, img->libdir_path))
				umn_strlcpy(img->libdir_path, p, sizeof(img->libdir_path));
			return fd;
		}
		close(fd);
	}
	return -ENOENT;
}

int spawn_image_open(struct spawn_image *img, const char *host_bin, char *err, size_t cap)
{
	char dir[PATH_MAX];
	char *slash;

	img->libdir_fd = -1;
	if (!realpath(host_bin, img->exe_path))
		umn_strlcpy(img->exe_path, host_bin, sizeof(img->exe_path));
	img->libdir_path[0] = '\0';
	img->exe_fd = open(host_bin, O_PATH | O_CLOEXEC);
	if (img->exe_fd < 0) {
		int e = errno;

		snprintf(err, cap, "cannot open %s: %s", host_bin, strerror(e));
		return -e;
	}
	umn_strlcpy(dir, img->exe_path, sizeof(dir));
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	else
		umn_strlcpy(dir, ".", sizeof(dir));
	/* None found: the loader's own search path (a system-wide installation) serves. */
	img->libdir_fd = open_libdir(img, dir);
	return 0;
}

void spawn_image_close(struct spawn_image *img)
{
	if (img->exe_fd >= 0)
		close(img->exe_fd);
	if (img->libdir_fd >= 0)
		close(img->libdir_fd);
	img->exe_fd = img->libdir_fd = -1;
}

bool spawn_exec_failure(const struct spawn_image *img, int execfd, uid_t uid, char *why, size_t cap)
{
	struct statvfs vfs;
	struct stat st;
	int e = 0;
	ssize_t n;

	if (execfd < 0)
		return false;
	n = read(execfd, &e, sizeof(e));
	if (n == 1)
		return false; /* umnic-host ran: its exit status speaks for itself */
	if (n != (ssize_t)sizeof(e)) {
		/* The exec succeeded, main never ran: the loader failed. */
		snprintf(why, cap,
			 "umnic-host could not load its libraries as uid %u (libumnic-driver from "
			 "%s); the loader's message is in umnicd's log",
			 (unsigned)uid,
			 img->libdir_fd >= 0 ? img->libdir_path : "the loader's search path");
		return true;
	}
	/* Executed from a descriptor, so no folder on the way can be the cause: the file or its
	 * mount is. */
	if (e == EACCES && fstatvfs(img->exe_fd, &vfs) == 0 && (vfs.f_flag & ST_NOEXEC))
		snprintf(why, cap, "umnic-host cannot be executed: %s is on a noexec mount",
			 img->exe_path);
	else if (e == EACCES && fstat(img->exe_fd, &st) == 0)
		snprintf(why, cap,
			 "umnic-host cannot be executed as uid %u: permission denied on %s (mode "
			 "%04o, owner %u): it must be executable by others",
			 (unsigned)uid, img->exe_path, (unsigned)(st.st_mode & 07777),
			 (unsigned)st.st_uid);
	else
		snprintf(why, cap, "umnic-host (%s) cannot be executed as uid %u: %s",
			 img->exe_path, (unsigned)uid, strerror(e));
	return true;
}

int spawn_driver_mount(const char *path)
{
	struct mount_attr attr = {.attr_set =
				      MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV};
	int fd = (int)syscall(SYS_open_tree, AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0) {
		int r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

int spawn_host(const struct spawn_opts *o, pid_t *ret_pid, int *ret_pidfd, int *ret_execfd,
	       char *err, size_t cap)
{
	char libpath[64];
	char *envp[SPAWN_MAX_ENV + 2];
	struct clone_args args;
	int pidfd = -1, gate[2], execerr[2];
	unsigned n = 0;
	char map[64];
	long pid;
	int r;

	/* The loader finds our libraries through the folder umnicd opened, whatever its path's
	 * modes. */
	if (o->image->libdir_fd >= 0) {
		snprintf(libpath, sizeof(libpath), "LD_LIBRARY_PATH=/proc/self/fd/%d",
			 SPAWN_FD_LIBDIR);
		envp[n++] = libpath;
	}
	for (unsigned i = 0; o->envp && o->envp[i] && i < SPAWN_MAX_ENV; i++)
		envp[n++] = o->envp[i];
	envp[n] = NULL;
	if (pipe2(gate, O_CLOEXEC) < 0) {
		int e = errno;

		snprintf(err, cap, "pipe: %s", strerror(e));
		return -e;
	}
	if (pipe2(execerr, O_CLOEXEC | O_NONBLOCK) < 0) {
		r = -errno;
		snprintf(err, cap, "pipe: %s", strerror(errno));
		close(gate[0]);
		close(gate[1]);
		return r;
	}
	memset(&args, 0, sizeof(args));
	args.flags = CLONE_PIDFD;
	if (o->sandbox)
		args.flags |= CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC |
			      CLONE_NEWUTS | CLONE_NEWNET;
	args.pidfd = (uint64_t)(uintptr_t)&pidfd;
	args.exit_signal = SIGCHLD;
	pid = syscall(SYS_clone3, &args, sizeof(args));
	if (pid < 0) {
		r = -errno;
		snprintf(err, cap, "clone3: %s", strerror(errno));
		close(gate[0]);
		close(gate[1]);
		close(execerr[0]);
		close(execerr[1]);
		return r;
	}
	if (pid == 0) {
		close(gate[1]);
		close(execerr[0]);
		child(o, gate[0], execerr[1], envp);
	}
	close(gate[0]);
	close(execerr[1]);
	if (o->sandbox) {
		r = write_file((pid_t)pid, "setgroups", "deny");
		snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)o->uid);
		if (r == 0)
			r = write_file((pid_t)pid, "uid_map", map);
		snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)o->gid);
		if (r == 0)
			r = write_file((pid_t)pid, "gid_map", map);
		if (r < 0) {
			snprintf(err, cap, "writing the user namespace maps of the driver host: %s",
				 strerror(-r));
			kill((pid_t)pid, SIGKILL);
			waitpid((pid_t)pid, NULL, 0);
			close(gate[1]);
			close(execerr[0]);
			close(pidfd);
			return r;
		}
		if (write(gate[1], "g", 1) != 1) {
			snprintf(err, cap, "releasing the driver host: %s", strerror(errno));
			kill((pid_t)pid, SIGKILL);
			waitpid((pid_t)pid, NULL, 0);
			close(gate[1]);
			close(execerr[0]);
			close(pidfd);
			return -EIO;
		}
	}
	close(gate[1]);
	*ret_pid = (pid_t)pid;
	*ret_pidfd = pidfd;
	if (ret_execfd)
		*ret_execfd = execerr[0];
	else
		close(execerr[0]);
	return 0;
}
