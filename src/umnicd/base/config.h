/* SPDX-License-Identifier: MIT */
/*
 * umnicd's configuration: what its command line (and environment) says,
 * filled in once by main.c before the loop starts and read by every module
 * through cfg afterwards. State is not kept here: each module keeps its own
 * (the device table in dev/, the host list in hosts/, the watches in the
 * loop) and offers functions to reach it.
 */
#ifndef UMNIC_UMNICD_BASE_CONFIG_H
#define UMNIC_UMNICD_BASE_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * A start (install, restart, automatic restart) that has not finished after
 * this long fails the device (--start-timeout), so an install never waits
 * longer, whatever the driver does; below umnic's own 300 s.
 */
#define UMN_START_TIMEOUT_DEFAULT_S 120u
#define UMN_START_TIMEOUT_MAX_S	    3600u
/* Driver hosts run as this otherwise unused uid/gid unless --host-user says otherwise. */
#define UMN_DEFAULT_HOST_ID 61234u
/* umnicd polls this long after relaying a request or completion (--busy-poll-us). */
#define UMN_BUSY_POLL_DEFAULT_US 50u
#define UMN_MAX_CLIENTS_DEFAULT	 4096u
#define UMN_MAX_CLIENTS_MAX	 65536u
#define UMN_BUSY_POLL_MAX_US	 10000u
/* CPUs --datapath-cpus may list. */
#define UMN_DP_CPUS_MAX 64u

struct umnicd_config {
	char state_dir[PATH_MAX];
	char run_dir[PATH_MAX];
	char netns[PATH_MAX]; /* where interfaces go unless a device names its own ("": ours) */
	char host_bin[PATH_MAX];
	uint32_t index_base; /* first ring index (UMNIC_INDEX_BASE, tests) */
	bool sandbox;	     /* confine driver hosts (default) */
	bool warm_spare;     /* keep an idle host per crashed driver */
	/* Keep polling this long after a request or completion passed (0: always sleep). */
	uint64_t busy_poll_ns;
	bool io_rings;		   /* offer hosts and clients message rings (default) */
	unsigned max_clients;	   /* I/O clients connected at once; more are refused */
	uint64_t start_timeout_ns; /* --start-timeout */
	uid_t host_uid;		   /* the unprivileged user driver hosts run as */
	gid_t host_gid;
	/*
	 * --datapath-cpus: queue pair i of every adapter (umnicd's thread and the
	 * driver's execution context) runs on dp_cpu[i % dp_ncpus]; none: anywhere.
	 */
	uint32_t dp_cpu[UMN_DP_CPUS_MAX];
	uint32_t dp_ncpus;
};

/* Set once by main.c, before any module runs; never changed afterwards. */
extern const struct umnicd_config *cfg;

/* The defaults, before the command line. */
void config_defaults(struct umnicd_config *c);

/* The CPU queue pair qid runs on, plus one; 0: wherever the scheduler puts it. */
static inline uint32_t config_dp_cpu_plus1(uint32_t qid)
{
	return cfg->dp_ncpus ? cfg->dp_cpu[qid % cfg->dp_ncpus] + 1 : 0;
}

#endif
