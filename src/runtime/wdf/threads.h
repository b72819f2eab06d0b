/* SPDX-License-Identifier: MIT */
/* Framework-owned threads (timer dispatcher, work item workers). */
#ifndef UMNIC_RUNTIME_THREADS_H
#define UMNIC_RUNTIME_THREADS_H

#include <pthread.h>

/*
 * Starts a detached thread with every signal blocked, so signals keep going to
 * the host's own threads (signalfd, SIGCHLD handling), and names it for ps/gdb.
 * Returns 0 or a negative errno.
 */
int umn_thread_spawn(pthread_t *ret, void *(*fn)(void *), void *arg, const char *name);

#endif
