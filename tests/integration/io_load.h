/* SPDX-License-Identifier: MIT */
/*
 * What the io_load parent (io_load.c) and its client processes
 * (io_load_client.c) share: the options, the request kinds, the counters
 * each process keeps in memory shared with the parent, and the
 * self-describing write records both sides make.
 */
#ifndef UMNIC_TESTS_IO_LOAD_H
#define UMNIC_TESTS_IO_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include <umnic/client.h>

#define RECORD_MIN	16
#define RECORD_MAX	512 /* reads ask for this much, so they always get a whole record */
#define OUTSTANDING_MAX 1024
#define LATE_REQUESTS	1000

struct opts {
	const char *run_dir;
	const char *device;
	int clients;
	int requests;
	int outstanding;
	int cancel_pct;
	int big_pct;
	int late;
	int abandon;
	int timeout_s;
	uint64_t seed;
	bool host_dies;
};

enum kind { K_ECHO, K_DELAYED, K_WRITE, K_READ, K_COUNT };

enum cancel_plan { C_NONE, C_AT_ONCE, C_LATER };

/*
 * What one process did, in memory shared with the parent, so the parent
 * can total it and, for a process that hangs, say how far it got.
 */
struct stats {
	pid_t pid;
	bool finished;
	unsigned submitted;
	unsigned completions;
	unsigned success;
	unsigned cancelled;
	unsigned cancels;	   /* umnic_cancel calls */
	unsigned cancel_not_found; /* ... that found the request already completed */
	unsigned cancel_lost;	   /* cancelled requests that completed with success anyway */
	unsigned terminated;	   /* -K: completed with STATUS_DRIVER_PROCESS_TERMINATED */
	unsigned failures;
	unsigned by_kind[K_COUNT];
	unsigned cancelled_by_kind[K_COUNT];
};

extern const char *const kind_name[K_COUNT];

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline const char *status_str(NTSTATUS st)
{
	const char *n = umnic_status_name(st);

	return n ? n : "an unknown status";
}

/* Writes a record of len bytes (at least RECORD_MIN) made from seed. */
void record_fill(uint8_t *p, size_t len, uint32_t seed);

/* One client process (a late reader if late); returns its exit status. */
int worker_main(const struct opts *o, int index, bool late, struct stats *st);
/* A client that leaves with requests pending; does not return. */
int abandoner_main(const struct opts *o, int index, struct stats *st);

#endif
