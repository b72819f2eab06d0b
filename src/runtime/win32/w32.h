/* SPDX-License-Identifier: MIT */
/*
 * Internals shared by the Win32 subset (w32_*.c) and the kernel-mode subset
 * (km_sync.c): futex waits, the pointer-sized reader/writer lock behind
 * SRWLOCK and EX_PUSH_LOCK, time conversions, and thread objects, which a
 * Win32 handle and a kernel thread handle name alike.
 */
#ifndef UMNIC_RUNTIME_W32_H
#define UMNIC_RUNTIME_W32_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <ntdef.h>

/* ---- futexes ------------------------------------------------------------------------------ */

/*
 * Sleeps while *word == val, at most until deadline (CLOCK_MONOTONIC; NULL:
 * no limit). Returns false once the deadline passed, true otherwise
 * (woken, or *word changed, or a spurious wake-up: callers re-check).
 */
bool umn_futex_wait(uint32_t *word, uint32_t val, const struct timespec *deadline);
void umn_futex_wake(uint32_t *word, int count);

/* CLOCK_MONOTONIC now + ms. */
void umn_deadline_ms(struct timespec *ret, uint64_t ms);
/* CLOCK_MONOTONIC now + ns100 * 100 ns. */
void umn_deadline_100ns(struct timespec *ret, uint64_t ns100);
bool umn_deadline_passed(const struct timespec *deadline);

/* 100 ns units since 1601-01-01 UTC (Windows system time). */
int64_t umn_system_time_100ns(void);

/* ---- the reader/writer lock of SRWLOCK and EX_PUSH_LOCK ----------------------------------- */

/* The lock is a 32-bit word inside the caller's pointer-sized, zero-initialized lock. */
void umn_rw_lock_excl(uint32_t *word);
void umn_rw_lock_shared(uint32_t *word);
bool umn_rw_try_excl(uint32_t *word);
bool umn_rw_try_shared(uint32_t *word);
/* Returns false (and changes nothing) when the lock was not held in that mode. */
bool umn_rw_unlock_excl(uint32_t *word);
bool umn_rw_unlock_shared(uint32_t *word);

/* ---- threads -------------------------------------------------------------------------------- */

/*
 * The header every waitable kernel object starts with, laid out as wdm.h's
 * DISPATCHER_HEADER. signal_state is the word waiters sleep on.
 */
struct umn_dispatch_header {
	uint8_t type;
	uint8_t signalling;
	uint8_t size;
	uint8_t reserved;
	int32_t signal_state;
	void *wait_list[2];
};

#define UMN_DISPATCH_EVENT_NOTIFICATION	   0
#define UMN_DISPATCH_EVENT_SYNCHRONIZATION 1
#define UMN_DISPATCH_THREAD		   6

/* What a thread records instead of changing its scheduling (the sandbox forbids that). */
struct umn_thread_attrs {
	int priority;	     /* Win32 THREAD_PRIORITY_* */
	LONG base_increment; /* KeSetBasePriorityThread */
	LONG km_priority;    /* KeSetPriorityThread */
	GROUP_AFFINITY affinity;
};

/* The calling thread's record; NULL only when out of memory. */
struct umn_thread_attrs *umn_thread_self_attrs(void);

/*
 * The calling thread's object as kernel-mode code sees it (KeGetCurrentThread),
 * created on first use for threads the framework did not start; NULL when
 * out of memory.
 */
struct umn_dispatch_header *umn_thread_self_header(void);

/* The processors this process may run on (group 0, at most 64). */
KAFFINITY umn_active_processors(void);

/*
 * Starts a thread for PsCreateSystemThread: routine(context) with every
 * signal blocked. Returns a handle for ZwClose/ObReferenceObjectByHandle,
 * or NULL with *ret_err a negative errno.
 */
HANDLE umn_thread_start_kernel(void (*routine)(void *), void *context, DWORD *ret_tid,
			       int *ret_err);

/*
 * A thread object's header from a handle, with a reference the caller drops
 * with umn_thread_deref_header; NULL when the handle is not a thread.
 */
struct umn_dispatch_header *umn_thread_ref_handle(HANDLE h, bool *ret_is_handle);
/* Whether p is a live thread object's header (then takes/drops a reference). */
bool umn_thread_ref_header(void *p);
bool umn_thread_deref_header(void *p);
struct umn_thread_attrs *umn_thread_attrs_of(struct umn_dispatch_header *h);
/* Sets the exit status and ends the calling thread (PsTerminateSystemThread, ExitThread). */
__attribute__((noreturn)) void umn_thread_exit(uint32_t code);

/* Closes a handle of any kind; false when it is not a valid handle. */
bool umn_handle_close(HANDLE h);

#endif
