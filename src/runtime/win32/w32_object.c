// SPDX-License-Identifier: MIT
/*
 * Win32 kernel objects for user-mode drivers: events, mutexes, semaphores
 * and threads behind HANDLEs, and the waits on them.
 *
 * One lock guards every object's state and one condition variable carries
 * every change: a wait re-checks its objects whenever any of them may have
 * been signalled. Drivers wait on a handful of objects, so the simplicity
 * (wait-all takes all its objects atomically for free) is worth the
 * spurious wake-ups.
 *
 * A handle is an index into a table plus a generation, so a closed or
 * forged handle is refused (ERROR_INVALID_HANDLE) instead of reaching freed
 * memory. Objects count their handles and users; the last one frees them.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

#include <windows.h>

#include "common/log.h"
#include "runtime/win32/w32_int.h"

#define W32_HANDLES_MAX 65536

struct w32_state w32 = {.lock = PTHREAD_MUTEX_INITIALIZER, .once = PTHREAD_ONCE_INIT};

static _Thread_local DWORD last_error;

static void w32_init(void)
{
	pthread_condattr_t a;

	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_cond_init(&w32.changed, &a);
	pthread_condattr_destroy(&a);
	pthread_key_create(&w32.self_key, w32_thread_ended);
}

void w32_lock(void)
{
	pthread_once(&w32.once, w32_init);
	pthread_mutex_lock(&w32.lock);
}

void w32_unlock(void)
{
	pthread_mutex_unlock(&w32.lock);
}

void w32_changed(void)
{
	pthread_cond_broadcast(&w32.changed);
}

DWORD GetLastError(VOID)
{
	return last_error;
}

VOID SetLastError(DWORD dwErrCode)
{
	last_error = dwErrCode;
}

BOOL w32_fail(DWORD err)
{
	last_error = err;
	return FALSE;
}

DWORD GetCurrentThreadId(VOID)
{
	return (DWORD)syscall(SYS_gettid);
}

/* ---- objects and handles (under w32.lock) --------------------------------------------------- */

void w32_obj_put_locked(struct w32_obj *o)
{
	struct w32_obj **pp;

	if (--o->refs)
		return;
	if (o->name) {
		for (pp = &w32.named; *pp; pp = &(*pp)->next)
			if (*pp == o) {
				*pp = o->next;
				break;
			}
	}
	if (o->type == W32_THREAD) {
		for (pp = &w32.threads; *pp; pp = &(*pp)->next)
			if (*pp == o) {
				*pp = o->next;
				break;
			}
	}
	free(o->name);
	free(o);
}

HANDLE w32_handle_add_locked(struct w32_obj *o)
{
	unsigned i;

	if (w32.used == w32.nslots) {
		unsigned n = w32.nslots ? w32.nslots * 2 : 64;
		void *p;

		if (n > W32_HANDLES_MAX || !(p = realloc(w32.slot, n * sizeof(*w32.slot))))
			return NULL;
		w32.slot = p;
		memset(&w32.slot[w32.nslots], 0, (n - w32.nslots) * sizeof(*w32.slot));
		w32.free_hint = w32.nslots;
		w32.nslots = n;
	}
	for (i = w32.free_hint; w32.slot[i % w32.nslots].obj; i++)
		;
	i %= w32.nslots;
	w32.slot[i].obj = o;
	w32.slot[i].gen++;
	w32.free_hint = i + 1;
	w32.used++;
	o->refs++;
	/* Multiples of 4, as Windows handles are; the generation in the upper half. */
	return (HANDLE)(uintptr_t)(((uint64_t)w32.slot[i].gen << 32) | ((uint64_t)(i + 1) << 2));
}

bool w32_handle_index(HANDLE h, unsigned *ret)
{
	uint64_t v = (uintptr_t)h;
	uint64_t i = ((v & 0xffffffffu) >> 2);

	if ((v & 3) || i == 0 || i > w32.nslots || !w32.slot[i - 1].obj ||
	    w32.slot[i - 1].gen != (uint32_t)(v >> 32))
		return false;
	*ret = (unsigned)(i - 1);
	return true;
}

/* The object behind h, with a reference; NULL and ERROR_INVALID_HANDLE otherwise. */
struct w32_obj *w32_obj_get_locked(HANDLE h)
{
	unsigned i;
	struct w32_obj *o;

	if (h == W32_PSEUDO_THREAD) {
		o = w32_self_locked();
	} else if (w32_handle_index(h, &i)) {
		o = w32.slot[i].obj;
	} else {
		last_error = ERROR_INVALID_HANDLE;
		return NULL;
	}
	if (o)
		o->refs++;
	else
		last_error = ERROR_NOT_ENOUGH_MEMORY;
	return o;
}

bool umn_handle_close(HANDLE h)
{
	unsigned i;
	struct w32_obj *o;

	if (h == W32_PSEUDO_THREAD || h == W32_PSEUDO_PROCESS)
		return true;
	w32_lock();
	if (!w32_handle_index(h, &i)) {
		w32_unlock();
		return false;
	}
	o = w32.slot[i].obj;
	w32.slot[i].obj = NULL;
	w32.used--;
	w32_obj_put_locked(o);
	w32_unlock();
	return true;
}

BOOL CloseHandle(HANDLE hObject)
{
	if (!umn_handle_close(hObject))
		return w32_fail(ERROR_INVALID_HANDLE);
	return TRUE;
}

/* ---- names ---------------------------------------------------------------------------------- */

static char *utf8_from_wide(LPCWSTR w)
{
	size_t n = wcslen(w), j = 0;
	char *s = malloc(n * 4 + 1);

	if (!s)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		uint32_t c = (uint32_t)w[i];

		if (c > 0x10ffff || (c >= 0xd800 && c < 0xe000))
			c = 0xfffd;
		if (c < 0x80) {
			s[j++] = (char)c;
		} else if (c < 0x800) {
			s[j++] = (char)(0xc0 | (c >> 6));
			s[j++] = (char)(0x80 | (c & 0x3f));
		} else if (c < 0x10000) {
			s[j++] = (char)(0xe0 | (c >> 12));
			s[j++] = (char)(0x80 | ((c >> 6) & 0x3f));
			s[j++] = (char)(0x80 | (c & 0x3f));
		} else {
			s[j++] = (char)(0xf0 | (c >> 18));
			s[j++] = (char)(0x80 | ((c >> 12) & 0x3f));
			s[j++] = (char)(0x80 | ((c >> 6) & 0x3f));
			s[j++] = (char)(0x80 | (c & 0x3f));
		}
	}
	s[j] = 0;
	return s;
}

static struct w32_obj *named_locked(const char *name)
{
	for (struct w32_obj *o = w32.named; o; o = o->next)
		if (!strcmp(o->name, name))
			return o;
	return NULL;
}

/*
 * A handle to a new object o (taking it over), or to the existing object of
 * that name (ERROR_ALREADY_EXISTS; o is freed). NULL with the last error set.
 */
static HANDLE publish(struct w32_obj *o, char *name)
{
	struct w32_obj *old;
	HANDLE h;

	w32_lock();
	if (name && (old = named_locked(name))) {
		enum w32_type type = o->type;

		free(name);
		free(o);
		if (old->type != type) {
			w32_unlock();
			last_error = ERROR_INVALID_HANDLE;
			return NULL;
		}
		h = w32_handle_add_locked(old);
		w32_unlock();
		last_error = h ? ERROR_ALREADY_EXISTS : ERROR_NOT_ENOUGH_MEMORY;
		return h;
	}
	o->name = name;
	h = w32_handle_add_locked(o);
	if (!h) {
		w32_unlock();
		free(name);
		free(o);
		last_error = ERROR_NOT_ENOUGH_MEMORY;
		return NULL;
	}
	if (name) {
		o->next = w32.named;
		w32.named = o;
	}
	w32_unlock();
	last_error = ERROR_SUCCESS;
	return h;
}

static HANDLE create(struct w32_obj *proto, LPCWSTR wname, LPCSTR aname)
{
	struct w32_obj *o = malloc(sizeof(*o));
	char *name = NULL;

	if (o && wname)
		name = utf8_from_wide(wname);
	else if (o && aname)
		name = strdup(aname);
	if (!o || ((wname || aname) && !name)) {
		free(o);
		last_error = ERROR_NOT_ENOUGH_MEMORY;
		return NULL;
	}
	*o = *proto;
	return publish(o, name);
}

static HANDLE open_named(enum w32_type type, char *name)
{
	struct w32_obj *o;
	HANDLE h = NULL;

	if (!name) {
		last_error = ERROR_INVALID_PARAMETER;
		return NULL;
	}
	w32_lock();
	o = named_locked(name);
	if (!o)
		last_error = ERROR_FILE_NOT_FOUND;
	else if (o->type != type)
		last_error = ERROR_INVALID_HANDLE;
	else if (!(h = w32_handle_add_locked(o)))
		last_error = ERROR_NOT_ENOUGH_MEMORY;
	w32_unlock();
	free(name);
	return h;
}

/* ---- events, mutexes, semaphores ------------------------------------------------------------ */

static HANDLE create_event(DWORD flags, LPCWSTR wname, LPCSTR aname)
{
	struct w32_obj proto = {.type = W32_EVENT};

	proto.event.manual = flags & CREATE_EVENT_MANUAL_RESET;
	proto.event.signalled = flags & CREATE_EVENT_INITIAL_SET;
	return create(&proto, wname, aname);
}

static DWORD event_flags(BOOL manual, BOOL initial)
{
	return (manual ? CREATE_EVENT_MANUAL_RESET : 0) | (initial ? CREATE_EVENT_INITIAL_SET : 0);
}

HANDLE CreateEventW(LPSECURITY_ATTRIBUTES lpEventAttributes, BOOL bManualReset, BOOL bInitialState,
		    LPCWSTR lpName)
{
	(void)lpEventAttributes;
	return create_event(event_flags(bManualReset, bInitialState), lpName, NULL);
}

HANDLE CreateEventA(LPSECURITY_ATTRIBUTES lpEventAttributes, BOOL bManualReset, BOOL bInitialState,
		    LPCSTR lpName)
{
	(void)lpEventAttributes;
	return create_event(event_flags(bManualReset, bInitialState), NULL, lpName);
}

HANDLE CreateEventExW(LPSECURITY_ATTRIBUTES lpEventAttributes, LPCWSTR lpName, DWORD dwFlags,
		      DWORD dwDesiredAccess)
{
	(void)lpEventAttributes;
	(void)dwDesiredAccess;
	if (dwFlags & ~(DWORD)(CREATE_EVENT_MANUAL_RESET | CREATE_EVENT_INITIAL_SET)) {
		last_error = ERROR_INVALID_PARAMETER;
		return NULL;
	}
	return create_event(dwFlags, lpName, NULL);
}

HANDLE CreateEventExA(LPSECURITY_ATTRIBUTES lpEventAttributes, LPCSTR lpName, DWORD dwFlags,
		      DWORD dwDesiredAccess)
{
	(void)lpEventAttributes;
	(void)dwDesiredAccess;
	if (dwFlags & ~(DWORD)(CREATE_EVENT_MANUAL_RESET | CREATE_EVENT_INITIAL_SET)) {
		last_error = ERROR_INVALID_PARAMETER;
		return NULL;
	}
	return create_event(dwFlags, NULL, lpName);
}

HANDLE OpenEventW(DWORD dwDesiredAccess, BOOL bInheritHandle, LPCWSTR lpName)
{
	(void)dwDesiredAccess;
	(void)bInheritHandle;
	return open_named(W32_EVENT, lpName ? utf8_from_wide(lpName) : NULL);
}

HANDLE OpenEventA(DWORD dwDesiredAccess, BOOL bInheritHandle, LPCSTR lpName)
{
	(void)dwDesiredAccess;
	(void)bInheritHandle;
	return open_named(W32_EVENT, lpName ? strdup(lpName) : NULL);
}

static BOOL event_set(HANDLE h, bool on)
{
	struct w32_obj *o;

	w32_lock();
	o = w32_obj_get_locked(h);
	if (!o || o->type != W32_EVENT) {
		if (o)
			w32_obj_put_locked(o);
		w32_unlock();
		return w32_fail(ERROR_INVALID_HANDLE);
	}
	o->event.signalled = on;
	if (on)
		w32_changed();
	w32_obj_put_locked(o);
	w32_unlock();
	return TRUE;
}

BOOL SetEvent(HANDLE hEvent)
{
	return event_set(hEvent, true);
}

BOOL ResetEvent(HANDLE hEvent)
{
	return event_set(hEvent, false);
}

static HANDLE create_mutex(BOOL owned, LPCWSTR wname, LPCSTR aname)
{
	struct w32_obj proto = {.type = W32_MUTEX};
	struct w32_obj *me = NULL;

	if (owned) {
		/* The owner needs its thread object, which reports the mutex abandoned at its end.
		 */
		w32_lock();
		me = w32_self_locked();
		w32_unlock();
		if (!me) {
			last_error = ERROR_NOT_ENOUGH_MEMORY;
			return NULL;
		}
		proto.mutex.owner = GetCurrentThreadId();
		proto.mutex.depth = 1;
	}
	/* Windows ignores bInitialOwner for an existing mutex; so does publish(). */
	return create(&proto, wname, aname);
}

HANDLE CreateMutexW(LPSECURITY_ATTRIBUTES lpMutexAttributes, BOOL bInitialOwner, LPCWSTR lpName)
{
	(void)lpMutexAttributes;
	return create_mutex(bInitialOwner, lpName, NULL);
}

HANDLE CreateMutexA(LPSECURITY_ATTRIBUTES lpMutexAttributes, BOOL bInitialOwner, LPCSTR lpName)
{
	(void)lpMutexAttributes;
	return create_mutex(bInitialOwner, NULL, lpName);
}

HANDLE CreateMutexExW(LPSECURITY_ATTRIBUTES lpMutexAttributes, LPCWSTR lpName, DWORD dwFlags,
		      DWORD dwDesiredAccess)
{
	(void)lpMutexAttributes;
	(void)dwDesiredAccess;
	if (dwFlags & ~(DWORD)CREATE_MUTEX_INITIAL_OWNER) {
		last_error = ERROR_INVALID_PARAMETER;
		return NULL;
	}
	return create_mutex(!!(dwFlags & CREATE_MUTEX_INITIAL_OWNER), lpName, NULL);
}

HANDLE CreateMutexExA(LPSECURITY_ATTRIBUTES lpMutexAttributes, LPCSTR lpName, DWORD dwFlags,
		      DWORD dwDesiredAccess)
{
	(void)lpMutexAttributes;
	(void)dwDesiredAccess;
	if (dwFlags & ~(DWORD)CREATE_MUTEX_INITIAL_OWNER) {
		last_error = ERROR_INVALID_PARAMETER;
		return NULL;
	}
	return create_mutex(!!(dwFlags & CREATE_MUTEX_INITIAL_OWNER), NULL, lpName);
}

HANDLE OpenMutexW(DWORD dwDesiredAccess, BOOL bInheritHandle, LPCWSTR lpName)
{
	(void)dwDesiredAccess;
	(void)bInheritHandle;
	return open_named(W32_MUTEX, lpName ? utf8_from_wide(lpName) : NULL);
}

HANDLE OpenMutexA(DWORD dwDesiredAccess, BOOL bInheritHandle, LPCSTR lpName)
{
	(void)dwDesiredAccess;
	(void)bInheritHandle;
	return open_named(W32_MUTEX, lpName ? strdup(lpName) : NULL);
}

BOOL ReleaseMutex(HANDLE hMutex)
{
	struct w32_obj *o;
	DWORD err = 0;

	w32_lock();
	o = w32_obj_get_locked(hMutex);
	if (!o || o->type != W32_MUTEX)
		err = ERROR_INVALID_HANDLE;
	else if (o->mutex.owner != GetCurrentThreadId())
		err = ERROR_NOT_OWNER;
	else if (!--o->mutex.depth) {
		o->mutex.owner = 0;
		w32_changed();
	}
	if (o)
		w32_obj_put_locked(o);
	w32_unlock();
	return err ? w32_fail(err) : TRUE;
}

static HANDLE create_semaphore(LONG initial, LONG max, LPCWSTR wname, LPCSTR aname)
{
	struct w32_obj proto = {.type = W32_SEMAPHORE};

	if (max <= 0 || initial < 0 || initial > max) {
		last_error = ERROR_INVALID_PARAMETER;
		return NULL;
	}
	proto.sem.count = initial;
	proto.sem.max = max;
	return create(&proto, wname, aname);
}

HANDLE CreateSemaphoreW(LPSECURITY_ATTRIBUTES lpSemaphoreAttributes, LONG lInitialCount,
			LONG lMaximumCount, LPCWSTR lpName)
{
	(void)lpSemaphoreAttributes;
	return create_semaphore(lInitialCount, lMaximumCount, lpName, NULL);
}

HANDLE CreateSemaphoreA(LPSECURITY_ATTRIBUTES lpSemaphoreAttributes, LONG lInitialCount,
			LONG lMaximumCount, LPCSTR lpName)
{
	(void)lpSemaphoreAttributes;
	return create_semaphore(lInitialCount, lMaximumCount, NULL, lpName);
}

/* dwFlags is reserved and must be 0. */
HANDLE CreateSemaphoreExW(LPSECURITY_ATTRIBUTES lpSemaphoreAttributes, LONG lInitialCount,
			  LONG lMaximumCount, LPCWSTR lpName, DWORD dwFlags, DWORD dwDesiredAccess)
{
	(void)lpSemaphoreAttributes;
	(void)dwDesiredAccess;
	if (dwFlags) {
		last_error = ERROR_INVALID_PARAMETER;
		return NULL;
	}
	return create_semaphore(lInitialCount, lMaximumCount, lpName, NULL);
}

HANDLE CreateSemaphoreExA(LPSECURITY_ATTRIBUTES lpSemaphoreAttributes, LONG lInitialCount,
			  LONG lMaximumCount, LPCSTR lpName, DWORD dwFlags, DWORD dwDesiredAccess)
{
	(void)lpSemaphoreAttributes;
	(void)dwDesiredAccess;
	if (dwFlags) {
		last_error = ERROR_INVALID_PARAMETER;
		return NULL;
	}
	return create_semaphore(lInitialCount, lMaximumCount, NULL, lpName);
}

HANDLE OpenSemaphoreW(DWORD dwDesiredAccess, BOOL bInheritHandle, LPCWSTR lpName)
{
	(void)dwDesiredAccess;
	(void)bInheritHandle;
	return open_named(W32_SEMAPHORE, lpName ? utf8_from_wide(lpName) : NULL);
}

HANDLE OpenSemaphoreA(DWORD dwDesiredAccess, BOOL bInheritHandle, LPCSTR lpName)
{
	(void)dwDesiredAccess;
	(void)bInheritHandle;
	return open_named(W32_SEMAPHORE, lpName ? strdup(lpName) : NULL);
}

BOOL ReleaseSemaphore(HANDLE hSemaphore, LONG lReleaseCount, LPLONG lpPreviousCount)
{
	struct w32_obj *o;
	DWORD err = 0;

	w32_lock();
	o = w32_obj_get_locked(hSemaphore);
	if (!o || o->type != W32_SEMAPHORE)
		err = ERROR_INVALID_HANDLE;
	else if (lReleaseCount <= 0)
		err = ERROR_INVALID_PARAMETER;
	else if (lReleaseCount > o->sem.max - o->sem.count)
		err = ERROR_TOO_MANY_POSTS;
	if (!err) {
		if (lpPreviousCount)
			*lpPreviousCount = o->sem.count;
		o->sem.count += lReleaseCount;
		w32_changed();
	}
	if (o)
		w32_obj_put_locked(o);
	w32_unlock();
	return err ? w32_fail(err) : TRUE;
}

/* ---- waits ---------------------------------------------------------------------------------- */

static bool ready(const struct w32_obj *o, DWORD me)
{
	switch (o->type) {
	case W32_EVENT:
		return o->event.signalled;
	case W32_MUTEX:
		return !o->mutex.owner || o->mutex.owner == me;
	case W32_SEMAPHORE:
		return o->sem.count > 0;
	case W32_THREAD:
		return o->thread.ended;
	}
	return false;
}

/* Takes a ready object; true when it was a mutex abandoned by its previous owner. */
static bool take(struct w32_obj *o, DWORD me)
{
	bool abandoned = false;

	switch (o->type) {
	case W32_EVENT:
		if (!o->event.manual)
			o->event.signalled = false;
		break;
	case W32_MUTEX:
		o->mutex.owner = me;
		o->mutex.depth++;
		abandoned = o->mutex.abandoned;
		o->mutex.abandoned = false;
		break;
	case W32_SEMAPHORE:
		o->sem.count--;
		break;
	case W32_THREAD:
		break;
	}
	return abandoned;
}

static DWORD wait_objects(DWORD n, const HANDLE *handles, bool all, DWORD ms)
{
	struct w32_obj *objs[MAXIMUM_WAIT_OBJECTS];
	DWORD me = GetCurrentThreadId(), result = WAIT_FAILED;
	struct timespec deadline;
	DWORD got = 0, i, j;

	if (!n || n > MAXIMUM_WAIT_OBJECTS || !handles) {
		last_error = ERROR_INVALID_PARAMETER;
		return WAIT_FAILED;
	}
	if (ms != INFINITE && ms)
		umn_deadline_ms(&deadline, ms);
	w32_lock();
	/* A thread that may come to own a mutex needs its object to report it abandoned. */
	if (!w32_self_locked()) {
		w32_unlock();
		last_error = ERROR_NOT_ENOUGH_MEMORY;
		return WAIT_FAILED;
	}
	for (got = 0; got < n; got++)
		if (!(objs[got] = w32_obj_get_locked(handles[got])))
			goto out;
	for (i = 0; all && i < n; i++)
		for (j = i + 1; j < n; j++)
			if (objs[i] == objs[j]) {
				last_error = ERROR_INVALID_PARAMETER;
				goto out;
			}
	for (;;) {
		if (all) {
			for (i = 0; i < n && ready(objs[i], me); i++)
				;
			if (i == n) {
				result = WAIT_OBJECT_0;
				for (i = n; i-- > 0;)
					if (take(objs[i], me))
						result = WAIT_ABANDONED_0 + i;
				break;
			}
		} else {
			for (i = 0; i < n && !ready(objs[i], me); i++)
				;
			if (i < n) {
				result = (take(objs[i], me) ? WAIT_ABANDONED_0 : WAIT_OBJECT_0) + i;
				break;
			}
		}
		if (!ms || (ms != INFINITE && umn_deadline_passed(&deadline))) {
			result = WAIT_TIMEOUT;
			break;
		}
		if (ms == INFINITE)
			pthread_cond_wait(&w32.changed, &w32.lock);
		else
			pthread_cond_timedwait(&w32.changed, &w32.lock, &deadline);
	}
out:
	while (got)
		w32_obj_put_locked(objs[--got]);
	w32_unlock();
	return result;
}

DWORD WaitForSingleObject(HANDLE hHandle, DWORD dwMilliseconds)
{
	return wait_objects(1, &hHandle, false, dwMilliseconds);
}

DWORD WaitForSingleObjectEx(HANDLE hHandle, DWORD dwMilliseconds, BOOL bAlertable)
{
	(void)bAlertable; /* no APCs here: an alertable wait is an ordinary one */
	return wait_objects(1, &hHandle, false, dwMilliseconds);
}

DWORD WaitForMultipleObjects(DWORD nCount, const HANDLE *lpHandles, BOOL bWaitAll,
			     DWORD dwMilliseconds)
{
	return wait_objects(nCount, lpHandles, bWaitAll, dwMilliseconds);
}

DWORD WaitForMultipleObjectsEx(DWORD nCount, const HANDLE *lpHandles, BOOL bWaitAll,
			       DWORD dwMilliseconds, BOOL bAlertable)
{
	(void)bAlertable;
	return wait_objects(nCount, lpHandles, bWaitAll, dwMilliseconds);
}

/* Within this process only: both process handles must be GetCurrentProcess(). */
BOOL DuplicateHandle(HANDLE hSourceProcessHandle, HANDLE hSourceHandle, HANDLE hTargetProcessHandle,
		     LPHANDLE lpTargetHandle, DWORD dwDesiredAccess, BOOL bInheritHandle,
		     DWORD dwOptions)
{
	struct w32_obj *o;
	HANDLE h;

	(void)dwDesiredAccess;
	(void)bInheritHandle;
	if (hSourceProcessHandle != W32_PSEUDO_PROCESS ||
	    hTargetProcessHandle != W32_PSEUDO_PROCESS || !lpTargetHandle ||
	    (dwOptions & ~(DWORD)(DUPLICATE_CLOSE_SOURCE | DUPLICATE_SAME_ACCESS)))
		return w32_fail(ERROR_INVALID_PARAMETER);
	w32_lock();
	o = w32_obj_get_locked(hSourceHandle);
	if (!o) {
		w32_unlock();
		return FALSE;
	}
	h = w32_handle_add_locked(o);
	w32_obj_put_locked(o);
	w32_unlock();
	if (!h)
		return w32_fail(ERROR_NOT_ENOUGH_MEMORY);
	*lpTargetHandle = h;
	if (dwOptions & DUPLICATE_CLOSE_SOURCE)
		CloseHandle(hSourceHandle);
	return TRUE;
}
