// SPDX-License-Identifier: MIT
/*
 * WDFTIMER. One dispatcher thread per process keeps the armed timers sorted
 * by deadline (CLOCK_MONOTONIC) and runs their callbacks itself, one at a
 * time, which is what makes "Stop with wait" simple: a callback is running
 * exactly when timers.running points at its timer.
 *
 * A periodic timer is re-armed before its callback runs, so a Stop issued
 * during the callback disarms the next expiration too.
 */
#include <errno.h>
#include <string.h>

#include <wdf.h>

#include "common/log.h"
#include "runtime/wdf/irql.h"
#include "runtime/wdf/object.h"
#include "runtime/wdf/threads.h"
#include "runtime/wdf/wdftime.h"

struct umn_timer {
	struct umn_object obj;
	PFN_WDF_TIMER func;
	uint64_t period_ns;
	bool dispatch;
	/* Lock held around the callback (automatic serialization), or NULL. */
	struct umn_object *sync_owner;

	/* Under timers.lock. */
	bool armed;
	bool dead; /* deleted: never arm again */
	uint64_t due_ns;
	struct umn_timer *next;
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t wake;	 /* the head of the list changed */
	pthread_cond_t done;	 /* a callback returned */
	struct umn_timer *armed; /* sorted by due_ns, earliest first */
	struct umn_timer *running;
	pthread_t thread;
	bool started;
} timers = {
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .done = PTHREAD_COND_INITIALIZER,
};

static pthread_once_t timers_once = PTHREAD_ONCE_INIT;
static int timers_start_err;

static void timer_unlink(struct umn_timer *t)
{
	struct umn_timer **pp;

	for (pp = &timers.armed; *pp; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	}
	t->next = NULL;
	t->armed = false;
}

/* Inserts after timers with the same deadline, so equal deadlines fire in arming order. */
static void timer_insert(struct umn_timer *t)
{
	struct umn_timer **pp = &timers.armed;

	while (*pp && (*pp)->due_ns <= t->due_ns)
		pp = &(*pp)->next;
	t->next = *pp;
	*pp = t;
	t->armed = true;
}

static void timer_run(struct umn_timer *t)
{
	KIRQL old = PASSIVE_LEVEL, expect;

	if (t->sync_owner)
		umn_object_lock(t->sync_owner);
	if (t->dispatch)
		old = umn_irql_raise(DISPATCH_LEVEL);
	expect = umn_irql_current();
	t->func((WDFTIMER)umn_object_handle(&t->obj));
	if (umn_irql_current() != expect) {
		umn_log(
		    UMN_LOG_ERR,
		    "timer %p: callback returned at IRQL %u instead of %u (a spin lock left held?)",
		    (void *)t, umn_irql_current(), expect);
		if (umn_irql_current() > expect)
			umn_irql_lower(expect);
	}
	if (t->dispatch)
		umn_irql_lower(old);
	if (t->sync_owner)
		umn_object_unlock(t->sync_owner);
}

static void *timer_thread(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&timers.lock);
	for (;;) {
		struct umn_timer *t = timers.armed;
		uint64_t now;

		if (!t) {
			pthread_cond_wait(&timers.wake, &timers.lock);
			continue;
		}
		now = umn_mono_ns();
		if (t->due_ns > now) {
			struct timespec ts = umn_ns_to_timespec(t->due_ns);

			pthread_cond_timedwait(&timers.wake, &timers.lock, &ts);
			continue;
		}
		timer_unlink(t);
		if (t->period_ns) {
			/* Skip missed periods instead of firing a burst to catch up. */
			t->due_ns += t->period_ns;
			if (t->due_ns <= now)
				t->due_ns = now + t->period_ns;
			timer_insert(t);
		}
		timers.running = t;
		umn_object_reference(&t->obj);
		pthread_mutex_unlock(&timers.lock);

		timer_run(t);

		pthread_mutex_lock(&timers.lock);
		timers.running = NULL;
		pthread_cond_broadcast(&timers.done);
		pthread_mutex_unlock(&timers.lock);
		/* May be the last reference: destroy callbacks must not run under our lock. */
		umn_object_dereference(&t->obj);
		pthread_mutex_lock(&timers.lock);
	}
	return NULL;
}

static void timers_start(void)
{
	pthread_condattr_t ca;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&timers.wake, &ca);
	pthread_condattr_destroy(&ca);
	timers_start_err = umn_thread_spawn(&timers.thread, timer_thread, NULL, "umn-timer");
	timers.started = timers_start_err == 0;
}

static bool on_timer_thread(void)
{
	return timers.started && pthread_equal(pthread_self(), timers.thread);
}

/* Disarms t; with wait, also waits out a running callback. Called with timers.lock held. */
static bool timer_stop_locked(struct umn_timer *t, bool wait, const char *fn)
{
	bool was_armed = t->armed;

	if (was_armed)
		timer_unlink(t);
	if (!wait)
		return was_armed;
	if (timers.running == t && on_timer_thread()) {
		/* Waiting for ourselves would never end. */
		if (fn)
			umn_log(UMN_LOG_ERR,
				"%s: waiting for timer %p from its own callback; not waiting", fn,
				(void *)t);
		return was_armed;
	}
	while (timers.running == t)
		pthread_cond_wait(&timers.done, &timers.lock);
	return was_armed;
}

static void timer_on_delete(struct umn_object *o)
{
	struct umn_timer *t = (struct umn_timer *)o;

	pthread_mutex_lock(&timers.lock);
	t->dead = true;
	/* Deleting from the timer's own callback is allowed; it just cannot wait. */
	timer_stop_locked(t, true, NULL);
	pthread_mutex_unlock(&timers.lock);
}

static const struct umn_object_ops timer_ops = {.on_delete = timer_on_delete};

NTSTATUS WdfTimerCreate(PWDF_TIMER_CONFIG Config, PWDF_OBJECT_ATTRIBUTES Attributes,
			WDFTIMER *Timer)
{
	struct umn_object *o, *parent;
	struct umn_timer *t;
	NTSTATUS st;

	if (!Config || !Timer || !Attributes) {
		umn_log(UMN_LOG_ERR, "WdfTimerCreate: %s is NULL",
			!Config	 ? "Config"
			: !Timer ? "Timer"
				 : "Attributes");
		return STATUS_INVALID_PARAMETER;
	}
	if (Config->Size != sizeof(*Config)) {
		umn_log(UMN_LOG_ERR, "WdfTimerCreate: WDF_TIMER_CONFIG.Size is %u, expected %zu",
			Config->Size, sizeof(*Config));
		return STATUS_INVALID_PARAMETER;
	}
	if (!Config->EvtTimerFunc) {
		umn_log(UMN_LOG_ERR, "WdfTimerCreate: EvtTimerFunc is NULL");
		return STATUS_INVALID_PARAMETER;
	}
	if (Config->Period > (ULONG)INT32_MAX) {
		umn_log(UMN_LOG_ERR, "WdfTimerCreate: Period %u ms is out of range",
			Config->Period);
		return STATUS_INVALID_PARAMETER;
	}
	if (!Attributes->ParentObject) {
		umn_log(UMN_LOG_ERR,
			"WdfTimerCreate: Attributes->ParentObject is required (a device or queue)");
		return STATUS_INVALID_PARAMETER;
	}
	pthread_once(&timers_once, timers_start);
	if (!timers.started) {
		umn_log(UMN_LOG_ERR, "WdfTimerCreate: cannot start the timer thread: %s",
			strerror(-timers_start_err));
		return STATUS_INSUFFICIENT_RESOURCES;
	}

	st = umn_object_create(UMN_OBJ_TIMER, sizeof(*t), Attributes, NULL, &timer_ops, &o);
	if (!NT_SUCCESS(st))
		return st;
	t = (struct umn_timer *)o;
	parent = umn_object_parent(o);
	t->func = Config->EvtTimerFunc;
	t->period_ns = (uint64_t)Config->Period * 1000000u;
	t->dispatch = umn_object_execution_level(o) == WdfExecutionLevelDispatch;
	if (Config->AutomaticSerialization)
		t->sync_owner = umn_object_sync_owner(parent);
	*Timer = (WDFTIMER)umn_object_handle(o);
	return STATUS_SUCCESS;
}

static struct umn_timer *timer_get(const char *fn, WDFTIMER h)
{
	struct umn_object *o = umn_object_from_handle(h, UMN_OBJ_TIMER);

	if (!o)
		umn_log(UMN_LOG_ERR, "%s: %p is not a WDFTIMER", fn, (void *)h);
	return (struct umn_timer *)o;
}

BOOLEAN WdfTimerStart(WDFTIMER Timer, LONGLONG DueTime)
{
	struct umn_timer *t = timer_get("WdfTimerStart", Timer);
	bool was_armed;

	if (!t)
		return FALSE;
	pthread_mutex_lock(&timers.lock);
	if (t->dead) {
		pthread_mutex_unlock(&timers.lock);
		umn_log(UMN_LOG_ERR, "WdfTimerStart: timer %p is deleted", (void *)Timer);
		return FALSE;
	}
	was_armed = t->armed;
	if (was_armed)
		timer_unlink(t);
	t->due_ns = umn_wdf_time_to_mono_ns(DueTime);
	timer_insert(t);
	if (timers.armed == t)
		pthread_cond_signal(&timers.wake);
	pthread_mutex_unlock(&timers.lock);
	return was_armed ? TRUE : FALSE;
}

BOOLEAN WdfTimerStop(WDFTIMER Timer, BOOLEAN Wait)
{
	struct umn_timer *t = timer_get("WdfTimerStop", Timer);
	bool was_armed;

	if (!t)
		return FALSE;
	if (Wait && umn_irql_current() > PASSIVE_LEVEL)
		umn_log(UMN_LOG_ERR,
			"WdfTimerStop: Wait is TRUE at IRQL %u; waiting requires PASSIVE_LEVEL",
			umn_irql_current());
	pthread_mutex_lock(&timers.lock);
	was_armed = timer_stop_locked(t, Wait, "WdfTimerStop");
	pthread_mutex_unlock(&timers.lock);
	return was_armed ? TRUE : FALSE;
}

WDFOBJECT WdfTimerGetParentObject(WDFTIMER Timer)
{
	struct umn_timer *t = timer_get("WdfTimerGetParentObject", Timer);
	struct umn_object *p;

	if (!t)
		return NULL;
	p = umn_object_parent(&t->obj);
	return p ? umn_object_handle(p) : NULL;
}
