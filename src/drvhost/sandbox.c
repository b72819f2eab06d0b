/* SPDX-License-Identifier: MIT */
/*
 * The confinement a driver host applies to itself before it loads the
 * driver (sandbox.h): an empty read-only root with only the driver binary,
 * lowered rlimits, no capabilities, no_new_privs and the seccomp allowlist
 * of the system calls the runtime needs.
 */
#include "drvhost/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/mount.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include "common/proto.h"

#define FAIL(code, ...)                                                                            \
	do {                                                                                       \
		snprintf(err, err_cap, __VA_ARGS__);                                               \
		return (code);                                                                     \
	} while (0)

/* An empty tmpfs root with the driver binary bind-mounted read-only at /driver/NAME. */
static int new_root(int driver_fd, const char *name, char *err, size_t err_cap)
{
	char dst[256];
	int fd;

	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		FAIL(-errno, "making mounts private: %s", strerror(errno));
	if (mount("umnic-root", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "size=16k,mode=0755") < 0)
		FAIL(-errno, "mounting the new root: %s", strerror(errno));
	if (mkdir("/tmp/driver", 0755) < 0 || mkdir("/tmp/.old", 0700) < 0)
		FAIL(-errno, "preparing the new root: %s", strerror(errno));
	snprintf(dst, sizeof(dst), "/tmp/driver/%s", name);
	fd = open(dst, O_CREAT | O_WRONLY | O_CLOEXEC, 0444);
	if (fd < 0)
		FAIL(-errno, "preparing %s: %s", dst, strerror(errno));
	close(fd);
	/* driver_fd is a detached read-only mount of the driver binary that umnicd made. */
	if (syscall(SYS_move_mount, driver_fd, "", AT_FDCWD, dst, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		FAIL(-errno, "attaching the driver binary: %s", strerror(errno));
	if (syscall(SYS_pivot_root, "/tmp", "/tmp/.old") < 0)
		FAIL(-errno, "pivot_root: %s", strerror(errno));
	if (chdir("/") < 0 || umount2("/.old", MNT_DETACH) < 0 || rmdir("/.old") < 0)
		FAIL(-errno, "leaving the old root: %s", strerror(errno));
	if (mount(NULL, "/", NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  NULL) < 0)
		FAIL(-errno, "making the new root read-only: %s", strerror(errno));
	return 0;
}

static int limits(char *err, size_t err_cap)
{
	static const struct {
		int resource;
		rlim_t value;
	} lims[] = {
	    {RLIMIT_NOFILE, UMN_HOST_NOFILE}, /* per device: queue eventfds, resources */
	    {RLIMIT_CORE, 0},
	    {RLIMIT_FSIZE, 0}, /* it has no files to write anyway */
	    {RLIMIT_MEMLOCK, 0},
	    {RLIMIT_NPROC, 4096}, /* threads; counted per user across all hosts */
	    {RLIMIT_MSGQUEUE, 0},
	};

	for (size_t i = 0; i < sizeof(lims) / sizeof(lims[0]); i++) {
		struct rlimit r = {lims[i].value, lims[i].value}, now;

		/*
		 * A limit umnicd itself runs under cannot be raised here (umnicd started with
		 * fewer descriptors than UMN_HOST_NOFILE, say): the host keeps that one, and a
		 * request that finds no room for its descriptors is answered with an error.
		 */
		if (getrlimit(lims[i].resource, &now) == 0 && now.rlim_max < r.rlim_max)
			r.rlim_cur = r.rlim_max = now.rlim_max;
		if (setrlimit(lims[i].resource, &r) < 0)
			FAIL(-errno, "setrlimit %d: %s", lims[i].resource, strerror(errno));
	}
	return 0;
}

static int drop_caps(char *err, size_t err_cap)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct data[2];

	for (int cap = 0; cap <= 63; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
			FAIL(-errno, "dropping capability %d from the bounding set: %s", cap,
			     strerror(errno));
	memset(data, 0, sizeof(data));
	if (syscall(SYS_capset, &hdr, data) < 0)
		FAIL(-errno, "capset: %s", strerror(errno));
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		FAIL(-errno, "no_new_privs: %s", strerror(errno));
	/* Not dumpable: no one of the same uid may ptrace it or read its memory. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		FAIL(-errno, "PR_SET_DUMPABLE: %s", strerror(errno));
	return 0;
}

/*
 * What a driver process may do once the driver is loaded: run threads, wait,
 * map memory (never executable), talk over the descriptors it has. Anything
 * else fails with EPERM; the rules below name the exceptions that need an
 * argument check.
 */
static const int allowed[] = {
    SCMP_SYS(read),
    SCMP_SYS(write),
    SCMP_SYS(readv),
    SCMP_SYS(writev),
    SCMP_SYS(pread64),
    SCMP_SYS(pwrite64),
    SCMP_SYS(close),
    SCMP_SYS(fcntl),
    SCMP_SYS(fstat),
    SCMP_SYS(newfstatat),
    SCMP_SYS(lseek),
    SCMP_SYS(dup),
    SCMP_SYS(dup3),
    SCMP_SYS(recvmsg),
    SCMP_SYS(recvmmsg),
    SCMP_SYS(sendmsg),
    SCMP_SYS(sendmmsg),
    SCMP_SYS(recvfrom),
    SCMP_SYS(sendto),
    SCMP_SYS(shutdown),
    SCMP_SYS(poll),
    SCMP_SYS(ppoll),
    SCMP_SYS(epoll_create1),
    SCMP_SYS(epoll_ctl),
    SCMP_SYS(epoll_wait),
    SCMP_SYS(epoll_pwait),
    SCMP_SYS(eventfd2),
    SCMP_SYS(timerfd_create),
    SCMP_SYS(timerfd_settime),
    SCMP_SYS(timerfd_gettime),
    SCMP_SYS(futex),
    SCMP_SYS(set_robust_list),
    SCMP_SYS(get_robust_list),
    SCMP_SYS(rseq),
    SCMP_SYS(sched_yield),
    SCMP_SYS(sched_getaffinity),
    SCMP_SYS(nanosleep),
    SCMP_SYS(clock_nanosleep),
    SCMP_SYS(clock_gettime),
    SCMP_SYS(clock_getres),
    SCMP_SYS(gettimeofday),
    SCMP_SYS(getpid),
    SCMP_SYS(gettid),
    SCMP_SYS(getppid),
    SCMP_SYS(getuid),
    SCMP_SYS(geteuid),
    SCMP_SYS(getgid),
    SCMP_SYS(getegid),
    SCMP_SYS(getrandom),
    SCMP_SYS(brk),
    SCMP_SYS(munmap),
    SCMP_SYS(mremap),
    SCMP_SYS(madvise),
    SCMP_SYS(membarrier),
    SCMP_SYS(rt_sigaction),
    SCMP_SYS(rt_sigprocmask),
    SCMP_SYS(rt_sigreturn),
    SCMP_SYS(sigaltstack),
    SCMP_SYS(restart_syscall),
    SCMP_SYS(exit),
    SCMP_SYS(exit_group),
    SCMP_SYS(getrlimit),
    SCMP_SYS(uname),
};

static const int prctl_ok[] = {PR_SET_NAME, PR_GET_NAME, PR_GET_DUMPABLE};

int sandbox_seccomp(char *err, size_t err_cap)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	pid_t self = getpid();
	int r = 0;

	if (!ctx)
		FAIL(-ENOMEM, "seccomp_init failed");
	for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]) && r == 0; i++)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, allowed[i], 0);
	/* Memory may be mapped and re-protected, but never made executable. */
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
				     SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
				     SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	/* New threads only: a clone that does not share the address space is a new process. */
	if (r == 0)
		r = seccomp_rule_add(
		    ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
		    SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD | CLONE_VM, CLONE_THREAD | CLONE_VM));
	/* clone3 passes its flags in memory the filter cannot see: make libc fall back to clone. */
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
	/* A thread may choose its own CPUs (an execution context follows --datapath-cpus). */
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(sched_setaffinity), 1,
				     SCMP_A0(SCMP_CMP_EQ, 0));
	/* Terminal queries for stdio, nothing that could push input into a terminal. */
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
				     SCMP_A1(SCMP_CMP_EQ, TCGETS));
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
				     SCMP_A1(SCMP_CMP_EQ, FIONREAD));
	for (size_t i = 0; i < sizeof(prctl_ok) / sizeof(prctl_ok[0]) && r == 0; i++)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prctl), 1,
				     SCMP_A0(SCMP_CMP_EQ, prctl_ok[i]));
	/* Signals to itself only (abort, thread signals). */
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(kill), 1,
				     SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)self));
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1,
				     SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)self));
	if (r == 0)
		r = seccomp_load(ctx);
	seccomp_release(ctx);
	if (r < 0)
		FAIL(r, "installing the seccomp filter: %s", strerror(-r));
	return 0;
}

int sandbox_enter(int driver_fd, const char *name, char *describe, size_t describe_cap, char *err,
		  size_t err_cap)
{
	int r;

	r = new_root(driver_fd, name, err, err_cap);
	if (r == 0)
		r = limits(err, err_cap);
	if (r == 0)
		r = drop_caps(err, err_cap);
	if (r == 0)
		r = sandbox_seccomp(err, err_cap);
	if (r < 0)
		return r;
	snprintf(describe, describe_cap,
		 "namespaces user+mnt+pid+ipc+uts+net, empty read-only root with /driver/%s "
		 "read-only, no capabilities, no_new_privs, seccomp allowlist, rlimits",
		 name);
	return 0;
}
