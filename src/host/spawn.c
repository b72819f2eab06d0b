/* SPDX-License-Identifier: MIT */
#include "host/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
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

/* In the child, before exec: only async-signal-safe calls from here on. */
static void child(const struct spawn_opts *o, int gate)
{
	char fd_arg[] = "4";
	char *const plain_argv[] = { "umnic-host", "-f", "3", "-d", fd_arg, "-n", (char *)o->driver_name, NULL };
	char *const sandbox_argv[] = { "umnic-host", "-f", "3", "-d", fd_arg, "-n", (char *)o->driver_name, "-s", NULL };
	char c;

	if (o->sandbox) {
		/* Wait until the parent wrote our uid/gid maps, then become root of the new user namespace. */
		if (read(gate, &c, 1) != 1)
			_exit(126);
		if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
			_exit(125);
	}
	close(gate);
	/* Set after the credential change, which would clear it. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (dup2(o->sock, 3) < 0 || dup2(o->driver_fd, 4) < 0)
		_exit(124);
	syscall(SYS_close_range, 5, ~0U, 0);
	execve(o->host_bin, o->sandbox ? sandbox_argv : plain_argv, o->envp);
	_exit(127);
}

int spawn_driver_mount(const char *path)
{
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV };
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

int spawn_host(const struct spawn_opts *o, pid_t *ret_pid, int *ret_pidfd, char *err, size_t cap)
{
	struct clone_args args;
	int pidfd = -1, gate[2];
	char map[64];
	long pid;
	int r;

	if (pipe2(gate, O_CLOEXEC) < 0) {
		snprintf(err, cap, "pipe: %s", strerror(errno));
		return -errno;
	}
	memset(&args, 0, sizeof(args));
	args.flags = CLONE_PIDFD;
	if (o->sandbox)
		args.flags |= CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET;
	args.pidfd = (uint64_t)(uintptr_t)&pidfd;
	args.exit_signal = SIGCHLD;
	pid = syscall(SYS_clone3, &args, sizeof(args));
	if (pid < 0) {
		r = -errno;
		snprintf(err, cap, "clone3: %s", strerror(errno));
		close(gate[0]);
		close(gate[1]);
		return r;
	}
	if (pid == 0) {
		close(gate[1]);
		child(o, gate[0]);
	}
	close(gate[0]);
	if (o->sandbox) {
		r = write_file((pid_t)pid, "setgroups", "deny");
		snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)o->uid);
		if (r == 0)
			r = write_file((pid_t)pid, "uid_map", map);
		snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)o->gid);
		if (r == 0)
			r = write_file((pid_t)pid, "gid_map", map);
		if (r < 0) {
			snprintf(err, cap, "writing the user namespace maps of the driver host: %s", strerror(-r));
			kill((pid_t)pid, SIGKILL);
			waitpid((pid_t)pid, NULL, 0);
			close(gate[1]);
			close(pidfd);
			return r;
		}
		if (write(gate[1], "g", 1) != 1) {
			snprintf(err, cap, "releasing the driver host: %s", strerror(errno));
			kill((pid_t)pid, SIGKILL);
			waitpid((pid_t)pid, NULL, 0);
			close(gate[1]);
			close(pidfd);
			return -EIO;
		}
	}
	close(gate[1]);
	*ret_pid = (pid_t)pid;
	*ret_pidfd = pidfd;
	return 0;
}
