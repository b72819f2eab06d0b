// SPDX-License-Identifier: MIT
/*
 * Futex-based locks of the Win32 subset: SRWLOCK (and, in km_sync.c, the
 * push locks built on the same word), condition variables and critical
 * sections. They live in memory the driver owns, pointer sized or the size
 * Windows gives them, so they are initialized by zeroing, as on Windows,
 * and hold no resources: nothing to leak when a driver forgets a delete.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <windows.h>

#include "common/clock.h"
#include "common/log.h"
#include "runtime/win32/w32.h"

UMNIC_STATIC_ASSERT(sizeof(SRWLOCK) == sizeof(void *), "SRWLOCK is pointer sized");
UMNIC_STATIC_ASSERT(sizeof(CRITICAL_SECTION) == 40, "CRITICAL_SECTION as on x64 Windows");

/* ---- futexes and deadlines ----------------------------------------------------------------- */

void umn_deadline_ms(struct timespec *ret, uint64_t ms)
{
	umn_deadline_after(ret, ms / 1000, (uint32_t)(ms % 1000) * 1000000);
}

void umn_deadline_100ns(struct timespec *ret, uint64_t ns100)
{
	umn_deadline_after(ret, ns100 / 10000000, (uint32_t)(ns100 % 10000000) * 100);
}

bool umn_deadline_passed(const struct timespec *deadline)
{
	struct timespec left;

	return !umn_deadline_left(deadline, &left);
}

bool umn_futex_wait(uint32_t *word, uint32_t val, const struct timespec *deadline)
{
	struct timespec rel, *t = NULL;

	if (deadline) {
		if (!umn_deadline_left(deadline, &rel))
			return false;
		t = &rel;
	}
	/* A relative FUTEX_WAIT time-out runs on CLOCK_MONOTONIC. */
	if (syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, val, t, NULL, 0) < 0 && errno == ETIMEDOUT)
		return false;
	return true;
}

void umn_futex_wake(uint32_t *word, int count)
{
	syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, count, NULL, NULL, 0);
}

int64_t umn_system_time_100ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	/* 11,644,473,600 s between 1601-01-01 and 1970-01-01. */
	return ((int64_t)ts.tv_sec + 11644473600LL) * 10000000 + ts.tv_nsec / 100;
}

/* ---- reader/writer lock -------------------------------------------------------------------- */

/*
 * The word: bit 31 a writer holds it, bit 30 someone sleeps on it, the rest
 * the number of readers. Whoever releases the last hold with the sleeper bit
 * set clears it and wakes everyone, who then compete again; simple, and
 * enough for driver locks, which are rarely contended for long.
 */
#define RW_WRITER  0x80000000u
#define RW_WAITERS 0x40000000u
#define RW_READERS 0x3fffffffu

bool umn_rw_try_excl(uint32_t *word)
{
	uint32_t s = __atomic_load_n(word, __ATOMIC_RELAXED);

	while (!(s & (RW_WRITER | RW_READERS)))
		/* Acquire: pairs with the release of the last unlock (exclusive or shared). */
		if (__atomic_compare_exchange_n(word, &s, s | RW_WRITER, true, __ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return true;
	return false;
}

bool umn_rw_try_shared(uint32_t *word)
{
	uint32_t s = __atomic_load_n(word, __ATOMIC_RELAXED);

	while (!(s & RW_WRITER) && (s & RW_READERS) != RW_READERS)
		/* Acquire: pairs with the release of the last exclusive unlock. */
		if (__atomic_compare_exchange_n(word, &s, s + 1, true, __ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return true;
	return false;
}

/* Marks the lock as slept on (unless it became free) and sleeps while it stays so. */
static void rw_sleep(uint32_t *word, uint32_t busy_mask)
{
	uint32_t s = __atomic_load_n(word, __ATOMIC_RELAXED);

	if (!(s & busy_mask))
		return;
	if (!(s & RW_WAITERS) && !__atomic_compare_exchange_n(word, &s, s | RW_WAITERS, false,
							      __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		return;
	umn_futex_wait(word, s | RW_WAITERS, NULL);
}

void umn_rw_lock_excl(uint32_t *word)
{
	while (!umn_rw_try_excl(word))
		rw_sleep(word, RW_WRITER | RW_READERS);
}

void umn_rw_lock_shared(uint32_t *word)
{
	while (!umn_rw_try_shared(word))
		rw_sleep(word, RW_WRITER);
}

bool umn_rw_unlock_excl(uint32_t *word)
{
	uint32_t s = __atomic_load_n(word, __ATOMIC_RELAXED);

	do {
		if (!(s & RW_WRITER))
			return false;
	} while (
	    /* Release: pairs with the acquire of the next exclusive or shared lock. */
	    !__atomic_compare_exchange_n(word, &s, 0, true, __ATOMIC_RELEASE, __ATOMIC_RELAXED));
	if (s & RW_WAITERS)
		umn_futex_wake(word, INT_MAX);
	return true;
}

bool umn_rw_unlock_shared(uint32_t *word)
{
	uint32_t s = __atomic_load_n(word, __ATOMIC_RELAXED), n;

	do {
		if ((s & RW_WRITER) || !(s & RW_READERS))
			return false;
		n = s - 1;
		/* The last reader out hands the lock to the sleepers. */
		if (!(n & RW_READERS))
			n = 0;
	} while (
	    /* Release: pairs with the acquire of the next exclusive lock. */
	    !__atomic_compare_exchange_n(word, &s, n, true, __ATOMIC_RELEASE, __ATOMIC_RELAXED));
	if (!n && (s & RW_WAITERS))
		umn_futex_wake(word, INT_MAX);
	return true;
}

/* ---- SRWLOCK ------------------------------------------------------------------------------- */

/* The lock word is the low-addressed 32 bits of the pointer-sized lock; the rest stays 0. */
static uint32_t *srw_word(PSRWLOCK l)
{
	return (uint32_t *)(void *)&l->Ptr;
}

VOID InitializeSRWLock(PSRWLOCK SRWLock)
{
	SRWLock->Ptr = NULL;
}

VOID AcquireSRWLockExclusive(PSRWLOCK SRWLock)
{
	umn_rw_lock_excl(srw_word(SRWLock));
}

VOID AcquireSRWLockShared(PSRWLOCK SRWLock)
{
	umn_rw_lock_shared(srw_word(SRWLock));
}

BOOLEAN TryAcquireSRWLockExclusive(PSRWLOCK SRWLock)
{
	return umn_rw_try_excl(srw_word(SRWLock));
}

BOOLEAN TryAcquireSRWLockShared(PSRWLOCK SRWLock)
{
	return umn_rw_try_shared(srw_word(SRWLock));
}

VOID ReleaseSRWLockExclusive(PSRWLOCK SRWLock)
{
	if (!umn_rw_unlock_excl(srw_word(SRWLock)))
		umn_log(UMN_LOG_ERR, "ReleaseSRWLockExclusive: SRW lock %p is not held exclusively",
			(void *)SRWLock);
}

VOID ReleaseSRWLockShared(PSRWLOCK SRWLock)
{
	if (!umn_rw_unlock_shared(srw_word(SRWLock)))
		umn_log(UMN_LOG_ERR, "ReleaseSRWLockShared: SRW lock %p is not held shared",
			(void *)SRWLock);
}

/* ---- critical sections --------------------------------------------------------------------- */

/*
 * LockCount is the futex word: 0 free, 1 held, 2 held with sleepers.
 * OwningThread holds the owner's thread id, RecursionCount its depth.
 */
static uint32_t *cs_word(LPCRITICAL_SECTION cs)
{
	return (uint32_t *)(void *)&cs->LockCount;
}

static DWORD cs_owner(LPCRITICAL_SECTION cs)
{
	return (DWORD)(ULONG_PTR)__atomic_load_n(&cs->OwningThread, __ATOMIC_RELAXED);
}

VOID InitializeCriticalSection(LPCRITICAL_SECTION lpCriticalSection)
{
	memset(lpCriticalSection, 0, sizeof(*lpCriticalSection));
}

BOOL InitializeCriticalSectionAndSpinCount(LPCRITICAL_SECTION lpCriticalSection, DWORD dwSpinCount)
{
	InitializeCriticalSection(lpCriticalSection);
	lpCriticalSection->SpinCount = dwSpinCount;
	return TRUE;
}

BOOL InitializeCriticalSectionEx(LPCRITICAL_SECTION lpCriticalSection, DWORD dwSpinCount,
				 DWORD Flags)
{
	(void)Flags;
	return InitializeCriticalSectionAndSpinCount(lpCriticalSection, dwSpinCount);
}

BOOL TryEnterCriticalSection(LPCRITICAL_SECTION lpCriticalSection)
{
	DWORD self = GetCurrentThreadId();
	uint32_t zero = 0;

	if (cs_owner(lpCriticalSection) == self) {
		lpCriticalSection->RecursionCount++;
		return TRUE;
	}
	/* Acquire: pairs with the release in LeaveCriticalSection. */
	if (!__atomic_compare_exchange_n(cs_word(lpCriticalSection), &zero, 1, false,
					 __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return FALSE;
	__atomic_store_n(&lpCriticalSection->OwningThread, (HANDLE)(ULONG_PTR)self,
			 __ATOMIC_RELAXED);
	lpCriticalSection->RecursionCount = 1;
	return TRUE;
}

VOID EnterCriticalSection(LPCRITICAL_SECTION lpCriticalSection)
{
	uint32_t *w = cs_word(lpCriticalSection);
	DWORD self = GetCurrentThreadId();
	uint32_t s = 0;

	if (cs_owner(lpCriticalSection) == self) {
		lpCriticalSection->RecursionCount++;
		return;
	}
	/* Acquire (both exchanges): pairs with the release in LeaveCriticalSection. */
	if (!__atomic_compare_exchange_n(w, &s, 1, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
		/* Contended: mark it slept on (2) and sleep until an exchange finds it free. */
		while (__atomic_exchange_n(w, 2, __ATOMIC_ACQUIRE) != 0)
			umn_futex_wait(w, 2, NULL);
	}
	__atomic_store_n(&lpCriticalSection->OwningThread, (HANDLE)(ULONG_PTR)self,
			 __ATOMIC_RELAXED);
	lpCriticalSection->RecursionCount = 1;
}

VOID LeaveCriticalSection(LPCRITICAL_SECTION lpCriticalSection)
{
	if (cs_owner(lpCriticalSection) != GetCurrentThreadId() ||
	    lpCriticalSection->RecursionCount <= 0) {
		umn_log(UMN_LOG_ERR,
			"LeaveCriticalSection: critical section %p is not held by "
			"this thread",
			(void *)lpCriticalSection);
		return;
	}
	if (--lpCriticalSection->RecursionCount)
		return;
	__atomic_store_n(&lpCriticalSection->OwningThread, NULL, __ATOMIC_RELAXED);
	/* Release: pairs with the acquire in Enter/TryEnterCriticalSection. */
	if (__atomic_exchange_n(cs_word(lpCriticalSection), 0, __ATOMIC_RELEASE) == 2)
		umn_futex_wake(cs_word(lpCriticalSection), 1);
}

VOID DeleteCriticalSection(LPCRITICAL_SECTION lpCriticalSection)
{
	if (__atomic_load_n(cs_word(lpCriticalSection), __ATOMIC_RELAXED))
		umn_log(UMN_LOG_ERR, "DeleteCriticalSection: critical section %p is still held",
			(void *)lpCriticalSection);
	memset(lpCriticalSection, 0, sizeof(*lpCriticalSection));
}

/* ---- condition variables -------------------------------------------------------------------- */

/* The word is a sequence number: a wake changes it, so a sleeper that read it before never misses
 * one. */
static uint32_t *cv_word(PCONDITION_VARIABLE cv)
{
	return (uint32_t *)(void *)&cv->Ptr;
}

VOID InitializeConditionVariable(PCONDITION_VARIABLE ConditionVariable)
{
	ConditionVariable->Ptr = NULL;
}

VOID WakeConditionVariable(PCONDITION_VARIABLE ConditionVariable)
{
	/* Release: pairs with the acquire of the sequence in SleepConditionVariable*. */
	__atomic_add_fetch(cv_word(ConditionVariable), 1, __ATOMIC_RELEASE);
	umn_futex_wake(cv_word(ConditionVariable), 1);
}

VOID WakeAllConditionVariable(PCONDITION_VARIABLE ConditionVariable)
{
	/* Release: pairs with the acquire of the sequence in SleepConditionVariable*. */
	__atomic_add_fetch(cv_word(ConditionVariable), 1, __ATOMIC_RELEASE);
	umn_futex_wake(cv_word(ConditionVariable), INT_MAX);
}

BOOL SleepConditionVariableSRW(PCONDITION_VARIABLE ConditionVariable, PSRWLOCK SRWLock,
			       DWORD dwMilliseconds, ULONG Flags)
{
	bool shared = Flags & CONDITION_VARIABLE_LOCKMODE_SHARED, woken;
	/* Acquire: pairs with the release in WakeConditionVariable / WakeAllConditionVariable. */
	uint32_t seq = __atomic_load_n(cv_word(ConditionVariable), __ATOMIC_ACQUIRE);
	struct timespec deadline;

	/* The sequence is read before the lock is let go, so a wake in between is seen. */
	if (shared)
		ReleaseSRWLockShared(SRWLock);
	else
		ReleaseSRWLockExclusive(SRWLock);
	if (dwMilliseconds == INFINITE) {
		umn_futex_wait(cv_word(ConditionVariable), seq, NULL);
		woken = true;
	} else {
		umn_deadline_ms(&deadline, dwMilliseconds);
		woken = umn_futex_wait(cv_word(ConditionVariable), seq, &deadline);
	}
	if (shared)
		AcquireSRWLockShared(SRWLock);
	else
		AcquireSRWLockExclusive(SRWLock);
	if (!woken) {
		SetLastError(ERROR_TIMEOUT);
		return FALSE;
	}
	return TRUE;
}

BOOL SleepConditionVariableCS(PCONDITION_VARIABLE ConditionVariable,
			      PCRITICAL_SECTION CriticalSection, DWORD dwMilliseconds)
{
	/* Acquire: pairs with the release in WakeConditionVariable / WakeAllConditionVariable. */
	uint32_t seq = __atomic_load_n(cv_word(ConditionVariable), __ATOMIC_ACQUIRE);
	LONG depth = CriticalSection->RecursionCount;
	struct timespec deadline;
	bool woken = true;

	if (cs_owner(CriticalSection) != GetCurrentThreadId() || depth <= 0) {
		umn_log(UMN_LOG_ERR,
			"SleepConditionVariableCS: critical section %p is not held by "
			"this thread",
			(void *)CriticalSection);
		SetLastError(ERROR_NOT_OWNER);
		return FALSE;
	}
	/* Let go of every level of a recursive hold, and take them all back after. */
	CriticalSection->RecursionCount = 1;
	LeaveCriticalSection(CriticalSection);
	if (dwMilliseconds == INFINITE) {
		umn_futex_wait(cv_word(ConditionVariable), seq, NULL);
	} else {
		umn_deadline_ms(&deadline, dwMilliseconds);
		woken = umn_futex_wait(cv_word(ConditionVariable), seq, &deadline);
	}
	EnterCriticalSection(CriticalSection);
	CriticalSection->RecursionCount = depth;
	if (!woken) {
		SetLastError(ERROR_TIMEOUT);
		return FALSE;
	}
	return TRUE;
}
