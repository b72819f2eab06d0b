// SPDX-License-Identifier: MIT
/*
 * Threads of the Win32 subset (CreateThread) and of the kernel-mode subset
 * (PsCreateSystemThread): both are thread objects behind handles, signalled
 * when the thread ends, which the same waits see. Any thread that asks for
 * its own object (GetCurrentThread, a wait, KeGetCurrentThread) gets one,
 * ended by a pthread key destructor when the thread exits, which also marks
 * the mutexes it still owns abandoned.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>

#include "runtime/win32/w32_int.h"

static _Thread_local struct w32_obj *self;
/*
 * Where ExitThread and PsTerminateSystemThread leave a thread this file
 * started: back in thread_main, without unwinding, as on Windows (no C++
 * destructors run). pthread_exit would unwind, which makes glibc load
 * libgcc_s, a file the sandbox does not have.
 */
static _Thread_local jmp_buf *exit_point;

/* ---- threads -------------------------------------------------------------------------------- */

static void thread_init(struct w32_obj *o)
{
	o->type = W32_THREAD;
	o->thread.header.type = UMN_DISPATCH_THREAD;
	o->thread.header.size = sizeof(o->thread.header) / 4;
	o->thread.attrs.priority = THREAD_PRIORITY_NORMAL;
	o->thread.attrs.km_priority = 8; /* a system thread's start priority */
	o->thread.attrs.affinity.Mask = umn_active_processors();
	o->thread.exit_code = STILL_ACTIVE;
	o->next = w32.threads;
	w32.threads = o;
}

/* The calling thread's object, made on first use for threads started elsewhere. */
struct w32_obj *w32_self_locked(void)
{
	struct w32_obj *o = self;

	if (o)
		return o;
	o = calloc(1, sizeof(*o));
	if (!o)
		return NULL;
	thread_init(o);
	o->refs = 1; /* the thread's own, dropped when it ends */
	o->thread.tid = GetCurrentThreadId();
	self = o;
	pthread_setspecific(w32.self_key, o);
	return o;
}

/* pthread key destructor: the thread ends (returned, ExitThread, or any thread that had an object).
 */
void w32_thread_ended(void *p)
{
	struct w32_obj *o = p, *m;
	DWORD me = o->thread.tid;

	pthread_mutex_lock(&w32.lock);
	/* Mutexes still owned are abandoned: the next waiter gets WAIT_ABANDONED. */
	for (unsigned i = 0; i < w32.nslots; i++) {
		m = w32.slot[i].obj;
		if (m && m->type == W32_MUTEX && m->mutex.owner == me) {
			m->mutex.owner = 0;
			m->mutex.depth = 0;
			m->mutex.abandoned = true;
		}
	}
	for (m = w32.named; m; m = m->next)
		if (m->type == W32_MUTEX && m->mutex.owner == me) {
			m->mutex.owner = 0;
			m->mutex.depth = 0;
			m->mutex.abandoned = true;
		}
	/* Kernel threads and threads started elsewhere end with 0 unless they said otherwise. */
	if (o->thread.exit_code == STILL_ACTIVE && !o->thread.w32_start)
		o->thread.exit_code = 0;
	o->thread.ended = true;
	/*
	 * Release: pairs with the acquire in wait_header() (km/km_sync.c), a
	 * kernel-mode wait on the thread object; Win32 waits read `ended` under
	 * w32.lock.
	 */
	__atomic_store_n(&o->thread.header.signal_state, 1, __ATOMIC_RELEASE);
	umn_futex_wake((uint32_t *)&o->thread.header.signal_state, INT_MAX);
	w32_changed();
	self = NULL;
	w32_obj_put_locked(o);
	pthread_mutex_unlock(&w32.lock);
}

static void *thread_main(void *p)
{
	struct w32_obj *o = p;
	jmp_buf exit_buf;

	w32_lock();
	self = o;
	pthread_setspecific(w32.self_key, o);
	o->thread.tid = GetCurrentThreadId();
	w32_changed();
	while (o->thread.suspended)
		pthread_cond_wait(&w32.changed, &w32.lock);
	w32_unlock();
	if (setjmp(exit_buf)) {
		/* umn_thread_exit recorded the exit code. */
		exit_point = NULL;
		return NULL;
	}
	exit_point = &exit_buf;
	if (o->thread.w32_start) {
		DWORD code = o->thread.w32_start(o->thread.param);

		w32_lock();
		o->thread.exit_code = code;
		w32_unlock();
	} else {
		o->thread.km_start(o->thread.param);
	}
	exit_point = NULL;
	return NULL;
}

/* Starts o's thread and returns a handle to it; NULL with *err a negative errno. */
static HANDLE thread_start(struct w32_obj *o, size_t stack, DWORD *ret_tid, int *err)
{
	pthread_attr_t attr;
	sigset_t all, old;
	pthread_t t;
	HANDLE h;

	w32_lock();
	thread_init(o);
	o->refs = 1; /* the thread's own */
	h = w32_handle_add_locked(o);
	if (!h) {
		w32_obj_put_locked(o);
		w32_unlock();
		*err = -ENOMEM;
		return NULL;
	}
	w32_unlock();
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (stack) {
		stack = (stack + 4095) & ~(size_t)4095;
		pthread_attr_setstacksize(
		    &attr, stack < (size_t)PTHREAD_STACK_MIN ? (size_t)PTHREAD_STACK_MIN : stack);
	}
	/* Signals stay with the host's own threads (signalfd, SIGCHLD handling). */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	*err = -pthread_create(&t, &attr, thread_main, o);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	w32_lock();
	if (*err) {
		/* Undo the handle and the thread's own reference. */
		unsigned i;

		if (w32_handle_index(h, &i)) {
			w32.slot[i].obj = NULL;
			w32.used--;
		}
		o->refs = 1;
		w32_obj_put_locked(o);
		w32_unlock();
		return NULL;
	}
	/* The thread id is known once the thread runs; Windows returns it at once. */
	while (!o->thread.tid)
		pthread_cond_wait(&w32.changed, &w32.lock);
	if (ret_tid)
		*ret_tid = o->thread.tid;
	w32_unlock();
	return h;
}

HANDLE CreateThread(LPSECURITY_ATTRIBUTES lpThreadAttributes, SIZE_T dwStackSize,
		    LPTHREAD_START_ROUTINE lpStartAddress, LPVOID lpParameter,
		    DWORD dwCreationFlags, LPDWORD lpThreadId)
{
	struct w32_obj *o;
	DWORD tid = 0;
	HANDLE h;
	int err;

	(void)lpThreadAttributes;
	if (!lpStartAddress ||
	    (dwCreationFlags & ~(DWORD)(CREATE_SUSPENDED | STACK_SIZE_PARAM_IS_A_RESERVATION))) {
		SetLastError(ERROR_INVALID_PARAMETER);
		return NULL;
	}
	o = calloc(1, sizeof(*o));
	if (!o) {
		SetLastError(ERROR_NOT_ENOUGH_MEMORY);
		return NULL;
	}
	o->thread.w32_start = lpStartAddress;
	o->thread.param = lpParameter;
	o->thread.suspended = (dwCreationFlags & CREATE_SUSPENDED) ? 1 : 0;
	h = thread_start(o, dwStackSize, &tid, &err);
	if (!h) {
		SetLastError(err == -ENOMEM ? ERROR_NOT_ENOUGH_MEMORY : ERROR_GEN_FAILURE);
		return NULL;
	}
	if (lpThreadId)
		*lpThreadId = tid;
	SetLastError(ERROR_SUCCESS);
	return h;
}

HANDLE umn_thread_start_kernel(void (*routine)(void *), void *context, DWORD *ret_tid, int *ret_err)
{
	struct w32_obj *o = calloc(1, sizeof(*o));

	if (!o) {
		*ret_err = -ENOMEM;
		return NULL;
	}
	o->thread.km_start = routine;
	o->thread.param = context;
	return thread_start(o, 0, ret_tid, ret_err);
}

DWORD ResumeThread(HANDLE hThread)
{
	struct w32_obj *o;
	DWORD prev = (DWORD)-1;

	w32_lock();
	o = w32_obj_get_locked(hThread);
	if (o && o->type == W32_THREAD) {
		prev = o->thread.suspended;
		if (prev) {
			o->thread.suspended--;
			w32_changed();
		}
	} else {
		SetLastError(ERROR_INVALID_HANDLE);
	}
	if (o)
		w32_obj_put_locked(o);
	w32_unlock();
	return prev;
}

__attribute__((noreturn)) void umn_thread_exit(uint32_t code)
{
	w32_lock();
	if (w32_self_locked())
		self->thread.exit_code = code;
	w32_unlock();
	if (exit_point)
		longjmp(*exit_point, 1);
	/* A thread started elsewhere (a framework or umnicd thread): it ends the POSIX way. */
	pthread_exit(NULL);
}

VOID ExitThread(DWORD dwExitCode)
{
	umn_thread_exit(dwExitCode);
}

/* Runs fn on h's thread object under the lock; FALSE and ERROR_INVALID_HANDLE if h is not a thread.
 */
static BOOL with_thread(HANDLE h, void (*fn)(struct w32_obj *, void *), void *arg)
{
	struct w32_obj *o;

	w32_lock();
	o = w32_obj_get_locked(h);
	if (!o || o->type != W32_THREAD) {
		if (o)
			w32_obj_put_locked(o);
		w32_unlock();
		return o ? w32_fail(ERROR_INVALID_HANDLE) : FALSE;
	}
	fn(o, arg);
	w32_obj_put_locked(o);
	w32_unlock();
	return TRUE;
}

static void get_exit_code(struct w32_obj *o, void *arg)
{
	*(DWORD *)arg = o->thread.exit_code;
}

BOOL GetExitCodeThread(HANDLE hThread, LPDWORD lpExitCode)
{
	if (!lpExitCode)
		return w32_fail(ERROR_INVALID_PARAMETER);
	return with_thread(hThread, get_exit_code, lpExitCode);
}

static void get_tid(struct w32_obj *o, void *arg)
{
	*(DWORD *)arg = o->thread.tid;
}

DWORD GetThreadId(HANDLE Thread)
{
	DWORD tid = 0;

	with_thread(Thread, get_tid, &tid);
	return tid;
}

struct attrs_op {
	void (*fn)(struct umn_thread_attrs *, void *);
	void *arg;
};

static void run_attrs_op(struct w32_obj *o, void *arg)
{
	struct attrs_op *op = arg;

	op->fn(&o->thread.attrs, op->arg);
}

/* Runs fn on the attributes of h's thread under the object lock. */
BOOL w32_thread_attrs_op(HANDLE h, void (*fn)(struct umn_thread_attrs *, void *), void *arg)
{
	struct attrs_op op = {fn, arg};

	return with_thread(h, run_attrs_op, &op);
}

/* ---- kernel-mode views of thread objects ----------------------------------------------------- */

struct umn_thread_attrs *umn_thread_self_attrs(void)
{
	struct w32_obj *o;

	w32_lock();
	o = w32_self_locked();
	w32_unlock();
	return o ? &o->thread.attrs : NULL;
}

struct umn_dispatch_header *umn_thread_self_header(void)
{
	struct w32_obj *o;

	w32_lock();
	o = w32_self_locked();
	w32_unlock();
	return o ? &o->thread.header : NULL;
}

struct umn_thread_attrs *umn_thread_attrs_of(struct umn_dispatch_header *h)
{
	return &((struct w32_obj *)((char *)h - offsetof(struct w32_obj, thread.header)))
		    ->thread.attrs;
}

struct umn_dispatch_header *umn_thread_ref_handle(HANDLE h, bool *ret_is_handle)
{
	struct w32_obj *o;
	unsigned i;

	w32_lock();
	*ret_is_handle = w32_handle_index(h, &i);
	o = *ret_is_handle ? w32.slot[i].obj : NULL;
	if (o && o->type != W32_THREAD)
		o = NULL;
	if (o)
		o->refs++;
	w32_unlock();
	return o ? &o->thread.header : NULL;
}

/* Finds p among the live thread objects (never dereferencing p before it is found). */
static struct w32_obj *thread_by_header_locked(void *p)
{
	for (struct w32_obj *o = w32.threads; o; o = o->next)
		if (&o->thread.header == p)
			return o;
	return NULL;
}

bool umn_thread_ref_header(void *p)
{
	struct w32_obj *o;

	w32_lock();
	o = thread_by_header_locked(p);
	if (o)
		o->refs++;
	w32_unlock();
	return o != NULL;
}

bool umn_thread_deref_header(void *p)
{
	struct w32_obj *o;

	w32_lock();
	o = thread_by_header_locked(p);
	if (o)
		w32_obj_put_locked(o);
	w32_unlock();
	return o != NULL;
}
