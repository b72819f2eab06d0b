/* SPDX-License-Identifier: MIT */
/* The Win32 objects' shared state: w32_object.c (handles, events, waits) and w32_thread.c. */
#ifndef UMNIC_RUNTIME_W32_INT_H
#define UMNIC_RUNTIME_W32_INT_H

#include <pthread.h>
#include <stdbool.h>

#include <windows.h>

#include "runtime/win32/w32.h"

#pragma GCC visibility push(hidden)

enum w32_type { W32_EVENT = 1, W32_MUTEX, W32_SEMAPHORE, W32_THREAD };

struct w32_obj {
	enum w32_type type;
	unsigned refs;	      /* handles, waiters, a running thread's own; under w32.lock */
	char *name;	      /* UTF-8; objects with a name are on w32.named */
	struct w32_obj *next; /* w32.named, or w32.threads for threads */
	union {
		struct {
			bool manual, signalled;
		} event;
		struct {
			DWORD owner; /* thread id, 0 when free */
			unsigned depth;
			bool abandoned;
		} mutex;
		struct {
			LONG count, max;
		} sem;
		struct {
			struct umn_dispatch_header header;
			struct umn_thread_attrs attrs;
			DWORD tid;
			DWORD exit_code;
			unsigned suspended;
			bool ended;
			LPTHREAD_START_ROUTINE w32_start;
			void (*km_start)(void *);
			void *param;
		} thread;
	};
};

struct w32_state {
	pthread_mutex_t lock;
	pthread_cond_t changed; /* CLOCK_MONOTONIC; broadcast on every change a waiter may want */
	pthread_once_t once;
	pthread_key_t self_key; /* the thread's object; its destructor ends the thread object */
	struct {
		struct w32_obj *obj;
		uint32_t gen;
	} * slot;
	unsigned nslots, used;
	unsigned free_hint;
	struct w32_obj *named, *threads;
};

extern struct w32_state w32;

#define W32_PSEUDO_PROCESS ((HANDLE)(LONG_PTR)-1)
#define W32_PSEUDO_THREAD  ((HANDLE)(LONG_PTR)-2)

void w32_lock(void);
void w32_unlock(void);
void w32_changed(void);
/* Sets the last error and returns FALSE. */
BOOL w32_fail(DWORD err);

/* Under w32.lock. */
HANDLE w32_handle_add_locked(struct w32_obj *o);
bool w32_handle_index(HANDLE h, unsigned *ret);
/* The object behind h (or the pseudo handle), with a reference; NULL with the last error set. */
struct w32_obj *w32_obj_get_locked(HANDLE h);
void w32_obj_put_locked(struct w32_obj *o);
/* The calling thread's object, made on first use; NULL when out of memory. */
struct w32_obj *w32_self_locked(void);
/* Runs fn on the attributes of h's thread under w32.lock; FALSE with the last error set. */
BOOL w32_thread_attrs_op(HANDLE h, void (*fn)(struct umn_thread_attrs *, void *), void *arg);
/* pthread key destructor for w32.self_key. */
void w32_thread_ended(void *p);

#pragma GCC visibility pop

#endif
