// SPDX-License-Identifier: MIT
/*
 * WDFSPINLOCK and WDFWAITLOCK.
 *
 * A spin lock is an adaptive mutex plus an IRQL raise: user space cannot
 * disable preemption, so truly spinning would only burn the CPU the holder
 * needs. The owner is tracked so recursion and foreign releases are reported
 * instead of hanging or corrupting the mutex.
 *
 * A wait lock behaves like the KEVENT it is on Windows: any thread may
 * release it, and acquisition can time out.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include <wdf.h>

#include "common/log.h"
#include "runtime/wdf/irql.h"
#include "runtime/wdf/object.h"
#include "runtime/wdf/wdftime.h"

struct umn_spinlock {
	struct umn_object obj;
	pthread_mutex_t mutex;
	/* The holding thread (pthread_self() as an integer), 0 when free. */
	atomic_uintptr_t owner;
	/* Valid while held: the holder's IRQL before the acquire. */
	KIRQL old_irql;
};

static uintptr_t self_id(void)
{
	return (uintptr_t)pthread_self();
}

struct umn_waitlock {
	struct umn_object obj;
	pthread_mutex_t mutex;
	pthread_cond_t cond; /* CLOCK_MONOTONIC */
	bool held;
};

static void spinlock_on_destroy(struct umn_object *o)
{
	struct umn_spinlock *s = (struct umn_spinlock *)o;

	pthread_mutex_destroy(&s->mutex);
}

static const struct umn_object_ops spinlock_ops = {.on_destroy = spinlock_on_destroy};

NTSTATUS WdfSpinLockCreate(PWDF_OBJECT_ATTRIBUTES SpinLockAttributes, WDFSPINLOCK *SpinLock)
{
	struct umn_spinlock *s;
	struct umn_object *o;
	pthread_mutexattr_t ma;
	NTSTATUS st;

	if (!SpinLock) {
		umn_log(UMN_LOG_ERR, "WdfSpinLockCreate: SpinLock is NULL");
		return STATUS_INVALID_PARAMETER;
	}
	st = umn_object_create(UMN_OBJ_SPINLOCK, sizeof(*s), SpinLockAttributes,
			       umn_object_driver(), &spinlock_ops, &o);
	if (!NT_SUCCESS(st))
		return st;
	s = (struct umn_spinlock *)o;
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_ADAPTIVE_NP);
	pthread_mutex_init(&s->mutex, &ma);
	pthread_mutexattr_destroy(&ma);
	*SpinLock = (WDFSPINLOCK)umn_object_handle(o);
	return STATUS_SUCCESS;
}

static struct umn_spinlock *spinlock_get(const char *fn, WDFSPINLOCK h)
{
	struct umn_object *o = umn_object_from_handle(h, UMN_OBJ_SPINLOCK);

	if (!o)
		umn_log(UMN_LOG_ERR, "%s: %p is not a WDFSPINLOCK", fn, (void *)h);
	return (struct umn_spinlock *)o;
}

VOID WdfSpinLockAcquire(WDFSPINLOCK SpinLock)
{
	struct umn_spinlock *s = spinlock_get("WdfSpinLockAcquire", SpinLock);
	KIRQL old;
	int err;

	if (!s)
		return;
	if (umn_irql_current() > DISPATCH_LEVEL)
		umn_log(UMN_LOG_ERR, "WdfSpinLockAcquire: called at IRQL %u, above DISPATCH_LEVEL",
			umn_irql_current());
	if (atomic_load_explicit(&s->owner, memory_order_relaxed) == self_id()) {
		umn_log(UMN_LOG_ERR,
			"WdfSpinLockAcquire: %p is already held by this thread; not acquired again",
			(void *)SpinLock);
		return;
	}
	old = umn_irql_raise(DISPATCH_LEVEL);
	err = pthread_mutex_lock(&s->mutex);
	if (err) {
		umn_log(UMN_LOG_ERR, "WdfSpinLockAcquire: %p: %s", (void *)SpinLock, strerror(err));
		umn_irql_lower(old);
		return;
	}
	atomic_store_explicit(&s->owner, self_id(), memory_order_relaxed);
	s->old_irql = old;
}

VOID WdfSpinLockRelease(WDFSPINLOCK SpinLock)
{
	struct umn_spinlock *s = spinlock_get("WdfSpinLockRelease", SpinLock);
	KIRQL old;
	int err;

	if (!s)
		return;
	/* Only the holder can see its own id here; any other thread sees 0 or someone else. */
	if (atomic_load_explicit(&s->owner, memory_order_relaxed) != self_id()) {
		umn_log(UMN_LOG_ERR, "WdfSpinLockRelease: %p is not held by this thread",
			(void *)SpinLock);
		return;
	}
	old = s->old_irql;
	atomic_store_explicit(&s->owner, 0, memory_order_relaxed);
	err = pthread_mutex_unlock(&s->mutex);
	if (err) {
		umn_log(UMN_LOG_ERR, "WdfSpinLockRelease: %p: %s", (void *)SpinLock, strerror(err));
		return;
	}
	umn_irql_lower(old);
}

static void waitlock_on_destroy(struct umn_object *o)
{
	struct umn_waitlock *w = (struct umn_waitlock *)o;

	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->mutex);
}

static const struct umn_object_ops waitlock_ops = {.on_destroy = waitlock_on_destroy};

NTSTATUS WdfWaitLockCreate(PWDF_OBJECT_ATTRIBUTES LockAttributes, WDFWAITLOCK *Lock)
{
	struct umn_waitlock *w;
	struct umn_object *o;
	pthread_condattr_t ca;
	NTSTATUS st;

	if (!Lock) {
		umn_log(UMN_LOG_ERR, "WdfWaitLockCreate: Lock is NULL");
		return STATUS_INVALID_PARAMETER;
	}
	st = umn_object_create(UMN_OBJ_WAITLOCK, sizeof(*w), LockAttributes, umn_object_driver(),
			       &waitlock_ops, &o);
	if (!NT_SUCCESS(st))
		return st;
	w = (struct umn_waitlock *)o;
	pthread_mutex_init(&w->mutex, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->cond, &ca);
	pthread_condattr_destroy(&ca);
	*Lock = (WDFWAITLOCK)umn_object_handle(o);
	return STATUS_SUCCESS;
}

static struct umn_waitlock *waitlock_get(const char *fn, WDFWAITLOCK h)
{
	struct umn_object *o = umn_object_from_handle(h, UMN_OBJ_WAITLOCK);

	if (!o)
		umn_log(UMN_LOG_ERR, "%s: %p is not a WDFWAITLOCK", fn, (void *)h);
	return (struct umn_waitlock *)o;
}

NTSTATUS WdfWaitLockAcquire(WDFWAITLOCK Lock, PLONGLONG Timeout)
{
	struct umn_waitlock *w = waitlock_get("WdfWaitLockAcquire", Lock);
	bool try_only = Timeout && *Timeout == 0;
	struct timespec deadline = {0, 0};
	NTSTATUS st = STATUS_SUCCESS;

	if (!w)
		return STATUS_INVALID_PARAMETER;
	if (!try_only && umn_irql_current() > PASSIVE_LEVEL)
		umn_log(UMN_LOG_ERR,
			"WdfWaitLockAcquire: waiting at IRQL %u; only a zero time-out is allowed "
			"above PASSIVE_LEVEL",
			umn_irql_current());
	if (Timeout && !try_only)
		deadline = umn_ns_to_timespec(umn_wdf_time_to_mono_ns(*Timeout));

	pthread_mutex_lock(&w->mutex);
	while (w->held) {
		if (try_only) {
			st = STATUS_TIMEOUT;
			break;
		}
		if (!Timeout) {
			pthread_cond_wait(&w->cond, &w->mutex);
		} else if (pthread_cond_timedwait(&w->cond, &w->mutex, &deadline) == ETIMEDOUT &&
			   w->held) {
			st = STATUS_TIMEOUT;
			break;
		}
	}
	if (st == STATUS_SUCCESS)
		w->held = true;
	pthread_mutex_unlock(&w->mutex);
	return st;
}

VOID WdfWaitLockRelease(WDFWAITLOCK Lock)
{
	struct umn_waitlock *w = waitlock_get("WdfWaitLockRelease", Lock);

	if (!w)
		return;
	pthread_mutex_lock(&w->mutex);
	if (!w->held)
		umn_log(UMN_LOG_ERR, "WdfWaitLockRelease: %p is not held", (void *)Lock);
	w->held = false;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->mutex);
}
