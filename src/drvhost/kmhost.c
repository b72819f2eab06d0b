/* SPDX-License-Identifier: MIT */
/*
 * The in-host ("kernel mode") driver host: umnicd loads this module when a
 * device's INF names a KmdfService, and the driver then runs on threads of
 * umnicd itself, trusted, with the same runtime as in a umnic-host process
 * and the same conversation with umnicd (hostloop.c) over a socketpair
 * inside the process. Only the rules differ: IRQL, KMDF-only calls, and
 * kernel-mode requestor mode on the driver's own sends.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "drvhost/hostloop.h"
#include "runtime/host.h"

int umn_kmhost_start(int fd, char *err, size_t cap);

static void *serve(void *arg)
{
	(void)arg;
	umn_hostloop_run();
	return NULL;
}

/* Starts serving umnicd on fd (one end of a socketpair); the thread lives as long as umnicd. */
__attribute__((visibility("default"))) int umn_kmhost_start(int fd, char *err, size_t cap)
{
	static bool started;
	pthread_t t;
	int e;

	/* The runtime keeps one driver per process: umnicd hosts one kernel-mode driver. */
	if (started) {
		snprintf(err, cap, "a kernel-mode driver host is running already");
		return -1;
	}
	umn_log_set_prefix("umnicd kernel-mode host");
	umn_hostloop_init(fd, true);
	umn_strlcpy(umn_host_sandbox, "none: kernel mode, inside umnicd", sizeof(umn_host_sandbox));
	e = pthread_create(&t, NULL, serve, NULL);
	if (e) {
		snprintf(err, cap, "cannot start its thread: %s", strerror(e));
		return -1;
	}
	pthread_detach(t);
	started = true;
	return 0;
}
