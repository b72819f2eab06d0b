// SPDX-License-Identifier: MIT
/* The Win32 subset of <windows.h>: handles, events, waits, threads, locks, time, errors, heap, printf. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <windows.h>
#include <strsafe.h>

static void events_manual_and_auto(void **state)
{
	HANDLE m = CreateEventW(NULL, TRUE, FALSE, NULL);
	HANDLE a = CreateEventA(NULL, FALSE, TRUE, NULL);

	(void)state;
	assert_non_null(m);
	assert_non_null(a);
	assert_int_equal(WaitForSingleObject(m, 0), WAIT_TIMEOUT);
	assert_int_equal(WaitForSingleObject(m, 30), WAIT_TIMEOUT);
	assert_true(SetEvent(m));
	/* A manual-reset event stays signalled for every wait. */
	assert_int_equal(WaitForSingleObject(m, 0), WAIT_OBJECT_0);
	assert_int_equal(WaitForSingleObject(m, INFINITE), WAIT_OBJECT_0);
	assert_true(ResetEvent(m));
	assert_int_equal(WaitForSingleObject(m, 0), WAIT_TIMEOUT);
	/* An auto-reset event lets one wait through. */
	assert_int_equal(WaitForSingleObject(a, 0), WAIT_OBJECT_0);
	assert_int_equal(WaitForSingleObject(a, 0), WAIT_TIMEOUT);
	assert_true(CloseHandle(m));
	assert_true(CloseHandle(a));

	m = CreateEventExW(NULL, NULL, CREATE_EVENT_MANUAL_RESET | CREATE_EVENT_INITIAL_SET,
			   EVENT_ALL_ACCESS);
	assert_int_equal(WaitForSingleObject(m, 0), WAIT_OBJECT_0);
	assert_int_equal(WaitForSingleObject(m, 0), WAIT_OBJECT_0);
	assert_true(CloseHandle(m));
	assert_null(CreateEventExA(NULL, NULL, 0x100, EVENT_ALL_ACCESS));
	assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
}

static void named_events(void **state)
{
	HANDLE a = CreateEventW(NULL, TRUE, FALSE, L"umnic-test");
	HANDLE b, c;

	(void)state;
	assert_int_equal(GetLastError(), ERROR_SUCCESS);
	b = CreateEventW(NULL, TRUE, FALSE, L"umnic-test");
	assert_int_equal(GetLastError(), ERROR_ALREADY_EXISTS);
	c = OpenEventA(EVENT_ALL_ACCESS, FALSE, "umnic-test");
	assert_non_null(b);
	assert_non_null(c);
	assert_ptr_not_equal(a, b);
	assert_true(SetEvent(b));
	assert_int_equal(WaitForSingleObject(c, 0), WAIT_OBJECT_0);
	assert_null(OpenEventA(EVENT_ALL_ACCESS, FALSE, "nothing"));
	assert_int_equal(GetLastError(), ERROR_FILE_NOT_FOUND);
	assert_null(CreateMutexA(NULL, FALSE, "umnic-test"));
	assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
	CloseHandle(a);
	CloseHandle(b);
	CloseHandle(c);
	/* The last handle gone, the name is free again. */
	assert_null(OpenEventW(EVENT_ALL_ACCESS, FALSE, L"umnic-test"));
}

static void bad_handles(void **state)
{
	HANDLE e = CreateEventW(NULL, TRUE, TRUE, NULL);

	(void)state;
	assert_true(CloseHandle(e));
	SetLastError(0);
	assert_false(CloseHandle(e));
	assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
	assert_int_equal(WaitForSingleObject(e, 0), WAIT_FAILED);
	assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
	assert_false(SetEvent(e));
	assert_false(SetEvent(NULL));
	assert_false(CloseHandle((HANDLE)(uintptr_t)0x12345677));
	assert_int_equal(WaitForSingleObject((HANDLE)(uintptr_t)0xdead0000, 0), WAIT_FAILED);
	/* A handle slot reused by a new object does not revive the old handle. */
	HANDLE f = CreateEventW(NULL, TRUE, TRUE, NULL);
	assert_int_equal(WaitForSingleObject(e, 0), WAIT_FAILED);
	assert_int_equal(WaitForSingleObject(f, 0), WAIT_OBJECT_0);
	CloseHandle(f);
	/* An event is not a mutex or a semaphore. */
	f = CreateEventW(NULL, TRUE, TRUE, NULL);
	assert_false(ReleaseMutex(f));
	assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
	assert_false(ReleaseSemaphore(f, 1, NULL));
	CloseHandle(f);
}

static DWORD WINAPI set_later(LPVOID p)
{
	Sleep(50);
	SetEvent((HANDLE)p);
	return 7;
}

static void wait_multiple(void **state)
{
	HANDLE h[3];
	DWORD r;

	(void)state;
	for (int i = 0; i < 3; i++)
		h[i] = CreateEventW(NULL, FALSE, FALSE, NULL);
	assert_int_equal(WaitForMultipleObjects(3, h, FALSE, 0), WAIT_TIMEOUT);
	SetEvent(h[2]);
	SetEvent(h[1]);
	/* Wait-any reports the lowest signalled index and takes only that one. */
	assert_int_equal(WaitForMultipleObjects(3, h, FALSE, 0), WAIT_OBJECT_0 + 1);
	assert_int_equal(WaitForMultipleObjects(3, h, FALSE, 0), WAIT_OBJECT_0 + 2);
	/* Wait-all takes nothing until all are signalled. */
	SetEvent(h[0]);
	SetEvent(h[1]);
	assert_int_equal(WaitForMultipleObjects(3, h, TRUE, 20), WAIT_TIMEOUT);
	assert_int_equal(WaitForSingleObject(h[0], 0), WAIT_OBJECT_0);
	SetEvent(h[0]);
	HANDLE t = CreateThread(NULL, 0, set_later, h[2], 0, NULL);
	r = WaitForMultipleObjects(3, h, TRUE, INFINITE);
	assert_int_equal(r, WAIT_OBJECT_0);
	/* ...and then takes them all. */
	assert_int_equal(WaitForMultipleObjects(3, h, FALSE, 0), WAIT_TIMEOUT);
	assert_int_equal(WaitForSingleObject(t, INFINITE), WAIT_OBJECT_0);
	CloseHandle(t);

	HANDLE dup[2] = {h[0], h[0]};
	assert_int_equal(WaitForMultipleObjects(2, dup, TRUE, 0), WAIT_FAILED);
	assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
	assert_int_equal(WaitForMultipleObjects(0, h, FALSE, 0), WAIT_FAILED);
	assert_int_equal(WaitForMultipleObjects(MAXIMUM_WAIT_OBJECTS + 1, h, FALSE, 0),
			 WAIT_FAILED);
	for (int i = 0; i < 3; i++)
		CloseHandle(h[i]);
}

static DWORD WINAPI take_and_leave(LPVOID p)
{
	return WaitForSingleObject((HANDLE)p, INFINITE) == WAIT_OBJECT_0 ? 1 : 2;
}

static DWORD WINAPI try_release(LPVOID p)
{
	return ReleaseMutex((HANDLE)p) ? 0 : GetLastError();
}

static void mutex_abandoned(void **state)
{
	HANDLE m = CreateMutexW(NULL, FALSE, NULL), t;
	DWORD code;

	(void)state;
	t = CreateThread(NULL, 0, take_and_leave, m, 0, NULL);
	assert_int_equal(WaitForSingleObject(t, 5000), WAIT_OBJECT_0);
	assert_true(GetExitCodeThread(t, &code));
	assert_int_equal(code, 1);
	CloseHandle(t);
	/* The owner ended holding it: the next wait owns it and is told. */
	assert_int_equal(WaitForSingleObject(m, 0), WAIT_ABANDONED);
	assert_int_equal(WaitForSingleObject(m, 0), WAIT_OBJECT_0); /* recursive */
	t = CreateThread(NULL, 0, try_release, m, 0, NULL);
	WaitForSingleObject(t, INFINITE);
	GetExitCodeThread(t, &code);
	assert_int_equal(code, ERROR_NOT_OWNER);
	CloseHandle(t);
	assert_true(ReleaseMutex(m));
	assert_true(ReleaseMutex(m));
	assert_false(ReleaseMutex(m));
	CloseHandle(m);
}

static void semaphores(void **state)
{
	HANDLE s = CreateSemaphoreW(NULL, 1, 2, NULL);
	LONG prev = -1;

	(void)state;
	assert_int_equal(WaitForSingleObject(s, 0), WAIT_OBJECT_0);
	assert_int_equal(WaitForSingleObject(s, 0), WAIT_TIMEOUT);
	assert_true(ReleaseSemaphore(s, 2, &prev));
	assert_int_equal(prev, 0);
	assert_false(ReleaseSemaphore(s, 1, NULL));
	assert_int_equal(GetLastError(), ERROR_TOO_MANY_POSTS);
	CloseHandle(s);
	assert_null(CreateSemaphoreA(NULL, 3, 2, NULL));
}

static volatile DWORD seen_tid;

static DWORD WINAPI report(LPVOID p)
{
	seen_tid = GetCurrentThreadId();
	SetLastError(1234);
	if (p)
		ExitThread(99);
	return 42;
}

static void threads(void **state)
{
	DWORD tid = 0, code = 0;
	HANDLE t;

	(void)state;
	t = CreateThread(NULL, 256 * 1024, report, NULL, CREATE_SUSPENDED, &tid);
	assert_non_null(t);
	assert_int_not_equal(tid, 0);
	assert_int_equal(GetThreadId(t), tid);
	assert_int_equal(WaitForSingleObject(t, 50), WAIT_TIMEOUT);
	assert_true(GetExitCodeThread(t, &code));
	assert_int_equal(code, STILL_ACTIVE);
	assert_int_equal(ResumeThread(t), 1);
	assert_int_equal(WaitForSingleObject(t, INFINITE), WAIT_OBJECT_0);
	assert_int_equal(seen_tid, tid);
	assert_true(GetExitCodeThread(t, &code));
	assert_int_equal(code, 42);
	CloseHandle(t);
	/* Last errors are per thread. */
	assert_int_not_equal(GetLastError(), 1234);

	t = CreateThread(NULL, 0, report, (LPVOID)1, 0, NULL);
	WaitForSingleObject(t, INFINITE);
	GetExitCodeThread(t, &code);
	assert_int_equal(code, 99);
	CloseHandle(t);

	/* Closing the handle of a running thread is fine; it goes on. */
	HANDLE e = CreateEventW(NULL, TRUE, FALSE, NULL);
	CloseHandle(CreateThread(NULL, 0, set_later, e, 0, NULL));
	assert_int_equal(WaitForSingleObject(e, 5000), WAIT_OBJECT_0);
	CloseHandle(e);

	assert_null(CreateThread(NULL, 0, NULL, NULL, 0, NULL));
	assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
	assert_int_equal(GetCurrentProcessId(), (DWORD)getpid());
	assert_true(CloseHandle(GetCurrentThread()));
}

static DWORD WINAPI wait_go(LPVOID p)
{
	WaitForSingleObject((HANDLE)p, INFINITE);
	return 0;
}

static void priority_and_affinity(void **state)
{
	HANDLE go = CreateEventW(NULL, TRUE, FALSE, NULL);
	HANDLE t = CreateThread(NULL, 0, wait_go, go, 0, NULL);
	GROUP_AFFINITY all = {0}, one = {0}, prev = {0}, got = {0};

	(void)state;
	assert_int_equal(GetThreadPriority(GetCurrentThread()), THREAD_PRIORITY_NORMAL);
	assert_true(SetThreadPriority(t, THREAD_PRIORITY_TIME_CRITICAL));
	assert_int_equal(GetThreadPriority(t), THREAD_PRIORITY_TIME_CRITICAL);
	/* Another thread's setting is its own. */
	assert_int_equal(GetThreadPriority(GetCurrentThread()), THREAD_PRIORITY_NORMAL);
	assert_true(SetThreadPriority(GetCurrentThread(), THREAD_PRIORITY_LOWEST));
	assert_int_equal(GetThreadPriority(GetCurrentThread()), THREAD_PRIORITY_LOWEST);
	assert_false(SetThreadPriority(t, 7));
	assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
	assert_int_equal(GetThreadPriority(NULL), THREAD_PRIORITY_ERROR_RETURN);

	assert_true(GetThreadGroupAffinity(t, &all));
	assert_int_equal(all.Group, 0);
	assert_int_not_equal(all.Mask, 0);
	assert_int_equal(__builtin_popcountll(all.Mask),
			 GetActiveProcessorCount(ALL_PROCESSOR_GROUPS));
	one.Mask = all.Mask & (~all.Mask + 1); /* the lowest processor */
	assert_true(SetThreadGroupAffinity(t, &one, &prev));
	assert_int_equal(prev.Mask, all.Mask);
	assert_true(GetThreadGroupAffinity(t, &got));
	assert_int_equal(got.Mask, one.Mask);
	one.Group = 1;
	assert_false(SetThreadGroupAffinity(t, &one, NULL));
	assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
	one.Group = 0;
	one.Mask = 0;
	assert_false(SetThreadGroupAffinity(t, &one, NULL));
	if (~all.Mask) {
		one.Mask = ~all.Mask;
		assert_false(SetThreadGroupAffinity(t, &one, NULL));
	}
	SetEvent(go);
	WaitForSingleObject(t, INFINITE);
	CloseHandle(t);
	CloseHandle(go);
	SetThreadPriority(GetCurrentThread(), THREAD_PRIORITY_NORMAL);
}

static SRWLOCK srw = SRWLOCK_INIT;
static CRITICAL_SECTION cs;
static long counter;

static DWORD WINAPI hammer(LPVOID p)
{
	for (int i = 0; i < 20000; i++) {
		if (p) {
			EnterCriticalSection(&cs);
			EnterCriticalSection(&cs);
			counter++;
			LeaveCriticalSection(&cs);
			LeaveCriticalSection(&cs);
		} else {
			AcquireSRWLockExclusive(&srw);
			counter++;
			ReleaseSRWLockExclusive(&srw);
			AcquireSRWLockShared(&srw);
			AcquireSRWLockShared(&srw);
			ReleaseSRWLockShared(&srw);
			ReleaseSRWLockShared(&srw);
		}
	}
	return 0;
}

static DWORD WINAPI try_locks(LPVOID p)
{
	DWORD r = (TryAcquireSRWLockShared(&srw) ? 1 : 0) |
		  (TryAcquireSRWLockExclusive(&srw) ? 2 : 0) |
		  (TryEnterCriticalSection(&cs) ? 4 : 0);

	(void)p;
	if (r & 1)
		ReleaseSRWLockShared(&srw);
	return r;
}

static DWORD run(LPTHREAD_START_ROUTINE fn, LPVOID p)
{
	HANDLE t = CreateThread(NULL, 0, fn, p, 0, NULL);
	DWORD code;

	WaitForSingleObject(t, INFINITE);
	GetExitCodeThread(t, &code);
	CloseHandle(t);
	return code;
}

static void locks(void **state)
{
	HANDLE t[4];

	(void)state;
	InitializeCriticalSection(&cs);
	for (int pass = 0; pass < 2; pass++) {
		counter = 0;
		for (int i = 0; i < 4; i++)
			t[i] = CreateThread(NULL, 0, hammer, pass ? (LPVOID)1 : NULL, 0, NULL);
		assert_int_equal(WaitForMultipleObjects(4, t, TRUE, INFINITE), WAIT_OBJECT_0);
		for (int i = 0; i < 4; i++)
			CloseHandle(t[i]);
		assert_int_equal(counter, 80000);
	}
	AcquireSRWLockShared(&srw);
	EnterCriticalSection(&cs);
	/* Readers share, a writer waits, and a critical section belongs to its thread. */
	assert_int_equal(run(try_locks, NULL), 1);
	ReleaseSRWLockShared(&srw);
	LeaveCriticalSection(&cs);
	assert_true(TryAcquireSRWLockExclusive(&srw));
	assert_false(TryAcquireSRWLockShared(&srw));
	ReleaseSRWLockExclusive(&srw);
	DeleteCriticalSection(&cs);
}

static DWORD WINAPI try_shared(LPVOID p)
{
	PSRWLOCK l = (PSRWLOCK)p;

	if (!TryAcquireSRWLockShared(l))
		return 0;
	ReleaseSRWLockShared(l);
	return 1;
}

/* InitializeSRWLock makes a lock in dirty memory an unowned one, same as SRWLOCK_INIT. */
static void srw_initialize(void **state)
{
	SRWLOCK init = SRWLOCK_INIT;
	PSRWLOCK l = (PSRWLOCK)HeapAlloc(GetProcessHeap(), 0, sizeof(*l));

	(void)state;
	assert_non_null(l);
	memset(l, 0xa5, sizeof(*l));
	InitializeSRWLock(l);
	assert_memory_equal(l, &init, sizeof(init));
	assert_true(TryAcquireSRWLockExclusive(l));
	assert_int_equal(run(try_shared, l), 0);
	ReleaseSRWLockExclusive(l);
	AcquireSRWLockShared(l);
	assert_int_equal(run(try_shared, l), 1);
	assert_false(TryAcquireSRWLockExclusive(l));
	ReleaseSRWLockShared(l);
	assert_true(TryAcquireSRWLockExclusive(l));
	ReleaseSRWLockExclusive(l);
	assert_memory_equal(l, &init, sizeof(init));
	assert_true(HeapFree(GetProcessHeap(), 0, l));
}

static SRWLOCK cv_lock = SRWLOCK_INIT;
static CONDITION_VARIABLE cv = CONDITION_VARIABLE_INIT;
static int ready;

static DWORD WINAPI producer(LPVOID p)
{
	(void)p;
	Sleep(30);
	AcquireSRWLockExclusive(&cv_lock);
	ready = 1;
	ReleaseSRWLockExclusive(&cv_lock);
	WakeAllConditionVariable(&cv);
	return 0;
}

static void condition_variables(void **state)
{
	HANDLE t;

	(void)state;
	AcquireSRWLockExclusive(&cv_lock);
	assert_false(SleepConditionVariableSRW(&cv, &cv_lock, 20, 0));
	assert_int_equal(GetLastError(), ERROR_TIMEOUT);
	t = CreateThread(NULL, 0, producer, NULL, 0, NULL);
	while (!ready)
		assert_true(SleepConditionVariableSRW(&cv, &cv_lock, 10000, 0));
	ReleaseSRWLockExclusive(&cv_lock);
	WaitForSingleObject(t, INFINITE);
	CloseHandle(t);

	InitializeCriticalSection(&cs);
	EnterCriticalSection(&cs);
	EnterCriticalSection(&cs);
	assert_false(SleepConditionVariableCS(&cv, &cs, 10));
	assert_int_equal(cs.RecursionCount, 2);
	LeaveCriticalSection(&cs);
	LeaveCriticalSection(&cs);
	DeleteCriticalSection(&cs);
}

static void time_and_errors(void **state)
{
	LARGE_INTEGER f, a, b;
	ULONGLONG t0 = GetTickCount64();
	FILETIME ft;

	(void)state;
	assert_true(QueryPerformanceFrequency(&f));
	assert_int_equal(f.QuadPart, 10000000);
	QueryPerformanceCounter(&a);
	Sleep(50);
	Sleep(0);
	QueryPerformanceCounter(&b);
	assert_true(b.QuadPart - a.QuadPart >= 45 * 10000);
	assert_true(GetTickCount64() - t0 >= 45);
	GetSystemTimeAsFileTime(&ft);
	/* After 2020-01-01 (132,223,104,000,000,000 in 100 ns units since 1601). */
	assert_true((((ULONGLONG)ft.dwHighDateTime << 32) | ft.dwLowDateTime) >
		    132223104000000000ull);

	SetLastError(ERROR_ACCESS_DENIED);
	assert_int_equal(GetLastError(), ERROR_ACCESS_DENIED);
	assert_int_equal((ULONG)NTSTATUS_FROM_WIN32(ERROR_ACCESS_DENIED), 0xC0070005u);
	assert_int_equal(NTSTATUS_FROM_WIN32(ERROR_SUCCESS), STATUS_SUCCESS);
	assert_int_equal((ULONG)HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER), 0x80070057u);
}

static void heap(void **state)
{
	HANDLE h = GetProcessHeap();
	unsigned char *p = HeapAlloc(h, HEAP_ZERO_MEMORY, 100), *q;

	(void)state;
	assert_non_null(p);
	assert_int_equal((uintptr_t)p % 16, 0);
	for (int i = 0; i < 100; i++)
		assert_int_equal(p[i], 0);
	assert_int_equal(HeapSize(h, 0, p), 100);
	memset(p, 0xab, 100);
	q = HeapReAlloc(h, HEAP_ZERO_MEMORY, p, 200);
	assert_non_null(q);
	assert_int_equal(q[99], 0xab);
	assert_int_equal(q[150], 0);
	assert_int_equal(HeapSize(h, 0, q), 200);
	assert_true(HeapFree(h, 0, q));
	assert_true(HeapFree(h, 0, NULL));
	assert_null(HeapAlloc((HANDLE)(uintptr_t)0x1234, 0, 8));
	assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
	assert_null(HeapAlloc(h, 0, SIZE_MAX - 8));
}

/* Formats with the Windows printf (strsafe) and with the C library, which must agree. */
#define SAME_AS_C(buf, want, msfmt, cfmt, ...)                                                     \
	do {                                                                                       \
		memset(buf, 'x', sizeof(buf));                                                     \
		snprintf(want, sizeof(want), cfmt, __VA_ARGS__);                                   \
		assert_int_equal(StringCbPrintfA(buf, sizeof(buf), msfmt, __VA_ARGS__), S_OK);     \
		assert_string_equal(buf, want);                                                    \
	} while (0)

/* The length fmt's text would have (_vscprintf), -1 for a format that is refused. */
static int measure(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = _vscprintf(fmt, ap);
	va_end(ap);
	return n;
}

/*
 * A field wider than the formatter's 512-byte scratch buffer keeps its value
 * and its whole width, padded as the C library pads a narrower one: spaces
 * before or after, zeros behind a sign or 0x. ASAN sees any read past the
 * scratch buffer.
 */
static void wide_printf_field(void **state)
{
	(void)state;
	char buf[2600], want[2600], small[16];
	WCHAR w[1200];

	SAME_AS_C(buf, want, "%1000d|%800.1f", "%1000d|%800.1f", 7, 2.5);
	assert_int_equal(strlen(buf), 1000 + 1 + 800);
	assert_int_equal(buf[999], '7');
	assert_int_equal(buf[1000], '|');
	assert_memory_equal(buf + 1798, "2.5", 3);
	SAME_AS_C(buf, want, "%-1000d|", "%-1000d|", -42);
	assert_memory_equal(buf, "-42 ", 4);
	SAME_AS_C(buf, want, "%01000d|", "%01000d|", -42);
	assert_memory_equal(buf, "-000", 4);
	SAME_AS_C(buf, want, "%#01000x|", "%#01000x|", 0x1fu);
	assert_memory_equal(buf, "0x00", 4);
	assert_memory_equal(buf + 998, "1f|", 3);
	SAME_AS_C(buf, want, "%+0900.3f|%-700e|", "%+0900.3f|%-700e|", -1.25, 3e10);
	SAME_AS_C(buf, want, "% 600I64d|%600.500I64u|", "% 600lld|%600.500llu|", -5000000000LL,
		  5000000000ULL);
	SAME_AS_C(buf, want, "%*d|%*d|", "%*d|%*d|", 700, 9, -700, 9);
	assert_int_equal(buf[0], ' ');
	assert_int_equal(buf[701], '9');
	assert_int_equal(buf[702], ' ');

	/* The would-be length counts the whole field; a short buffer gets its start. */
	assert_int_equal(StringCbPrintfA(small, sizeof(small), "%1000d", 7),
			 STRSAFE_E_INSUFFICIENT_BUFFER);
	assert_string_equal(small, "               ");
	assert_int_equal(measure("%1000d%-900d", 7, 8), 1900);

	/* The wide functions format through the same path. */
	assert_int_equal(StringCchPrintfW(w, 1200, L"%1000d", 7), S_OK);
	assert_int_equal(wcslen(w), 1000);
	assert_int_equal(w[0], L' ');
	assert_int_equal(w[999], L'7');

	/*
	 * The documented limit: a value that is itself longer than the scratch
	 * buffer (here 600 decimals) keeps its first 511 characters.
	 */
	assert_int_equal(StringCbPrintfA(buf, sizeof(buf), "%.600f|", 1e300), S_OK);
	assert_int_equal(strlen(buf), 512);
	assert_memory_equal(buf, "1000000000", 10);
	assert_int_equal(buf[511], '|');
}

/* %n (any size) is refused, never written through: the call fails and the text is empty. */
static void printf_refuses_n(void **state)
{
	(void)state;
	int count = 12345;
	long long wide_count = 777;
	signed char tiny = 5;
	char buf[64];
	WCHAR w[64];

	memset(buf, 'x', sizeof(buf));
	assert_int_equal(StringCbPrintfA(buf, sizeof(buf), "ab%ncd", &count),
			 STRSAFE_E_INVALID_PARAMETER);
	assert_int_equal(count, 12345);
	assert_int_equal(buf[0], 0);
	assert_int_equal(StringCbPrintfA(buf, sizeof(buf), "%d%lln", 1, &wide_count),
			 STRSAFE_E_INVALID_PARAMETER);
	assert_int_equal(wide_count, 777);
	assert_int_equal(StringCbPrintfA(buf, sizeof(buf), "%hhn", &tiny),
			 STRSAFE_E_INVALID_PARAMETER);
	assert_int_equal(tiny, 5);
	assert_int_equal(measure("%n", &count), -1);
	assert_int_equal(count, 12345);
	w[0] = L'x';
	assert_int_equal(StringCchPrintfW(w, 64, L"ab%n", &count), STRSAFE_E_INVALID_PARAMETER);
	assert_int_equal(count, 12345);
	assert_int_equal(w[0], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(events_manual_and_auto),
	    cmocka_unit_test(wide_printf_field),
	    cmocka_unit_test(printf_refuses_n),
	    cmocka_unit_test(named_events),
	    cmocka_unit_test(bad_handles),
	    cmocka_unit_test(wait_multiple),
	    cmocka_unit_test(mutex_abandoned),
	    cmocka_unit_test(semaphores),
	    cmocka_unit_test(threads),
	    cmocka_unit_test(priority_and_affinity),
	    cmocka_unit_test(locks),
	    cmocka_unit_test(srw_initialize),
	    cmocka_unit_test(condition_variables),
	    cmocka_unit_test(time_and_errors),
	    cmocka_unit_test(heap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
