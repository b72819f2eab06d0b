// SPDX-License-Identifier: MIT
/* Spin locks, wait locks, IRQL bookkeeping, timers and work items. */
#include <pthread.h>
#include <semaphore.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>

#include <wdf.h>

#include "common/log.h"
#include "runtime/wdf/irql.h"
#include "runtime/wdf/object.h"

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* Polls until *v reaches want or ms pass; returns the last value seen. */
static int wait_for(atomic_int *v, int want, unsigned ms)
{
	uint64_t end = now_ms() + ms;

	while (atomic_load(v) < want && now_ms() < end)
		sleep_ms(1);
	return atomic_load(v);
}

static WDFOBJECT parent;

static int setup(void **state)
{
	(void)state;
	umn_runtime_set_kernel_mode(false);
	assert_int_equal(WdfObjectCreate(NULL, &parent), STATUS_SUCCESS);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	WdfObjectDelete(parent);
	umn_runtime_set_kernel_mode(false);
	/* Callbacks may still hold a reference for an instant after returning. */
	for (int i = 0; i < 100 && umn_object_live_count(); i++)
		sleep_ms(1);
	assert_int_equal(umn_object_live_count(), 0);
	return 0;
}

static WDFTIMER make_timer(PFN_WDF_TIMER fn, LONG period_ms, WDF_EXECUTION_LEVEL level)
{
	WDF_TIMER_CONFIG config;
	WDF_OBJECT_ATTRIBUTES a;
	WDFTIMER t = NULL;

	if (period_ms)
		WDF_TIMER_CONFIG_INIT_PERIODIC(&config, fn, period_ms);
	else
		WDF_TIMER_CONFIG_INIT(&config, fn);
	WDF_OBJECT_ATTRIBUTES_INIT(&a);
	a.ParentObject = parent;
	a.ExecutionLevel = level;
	assert_int_equal(WdfTimerCreate(&config, &a, &t), STATUS_SUCCESS);
	return t;
}

static atomic_int fired;
static atomic_int irql_seen;

static void count_timer(WDFTIMER t)
{
	(void)t;
	atomic_store(&irql_seen, KeGetCurrentIrql());
	atomic_fetch_add(&fired, 1);
}

static void test_one_shot_fires_once(void **state)
{
	WDFTIMER t;
	uint64_t start;

	(void)state;
	atomic_store(&fired, 0);
	t = make_timer(count_timer, 0, WdfExecutionLevelInheritFromParent);
	assert_ptr_equal(WdfTimerGetParentObject(t), parent);
	start = now_ms();
	assert_false(WdfTimerStart(t, WDF_REL_TIMEOUT_IN_MS(30)));
	assert_int_equal(wait_for(&fired, 1, 2000), 1);
	assert_true(now_ms() - start >= 29);
	sleep_ms(100);
	assert_int_equal(atomic_load(&fired), 1);
	/* Nothing armed any more. */
	assert_false(WdfTimerStop(t, TRUE));
	/* A driver host runs timer callbacks at PASSIVE_LEVEL. */
	assert_int_equal(atomic_load(&irql_seen), PASSIVE_LEVEL);
	WdfObjectDelete(t);
}

static void test_restart_replaces_due_time(void **state)
{
	WDFTIMER t;

	(void)state;
	atomic_store(&fired, 0);
	t = make_timer(count_timer, 0, WdfExecutionLevelInheritFromParent);
	assert_false(WdfTimerStart(t, WDF_REL_TIMEOUT_IN_SEC(60)));
	/* Already armed: TRUE, and the new (short) due time wins. */
	assert_true(WdfTimerStart(t, WDF_REL_TIMEOUT_IN_MS(5)));
	assert_int_equal(wait_for(&fired, 1, 2000), 1);
	assert_true(WdfTimerStart(t, WDF_REL_TIMEOUT_IN_SEC(60)) == FALSE);
	assert_true(WdfTimerStop(t, FALSE));
	WdfObjectDelete(t);
}

static void test_periodic_and_stop(void **state)
{
	WDFTIMER t;
	int n;

	(void)state;
	atomic_store(&fired, 0);
	t = make_timer(count_timer, 10, WdfExecutionLevelInheritFromParent);
	WdfTimerStart(t, WDF_REL_TIMEOUT_IN_MS(10));
	assert_true(wait_for(&fired, 5, 3000) >= 5);
	assert_true(WdfTimerStop(t, TRUE));
	n = atomic_load(&fired);
	sleep_ms(80);
	assert_int_equal(atomic_load(&fired), n);
	WdfObjectDelete(t);
}

static atomic_int slow_started, slow_finished;

static void slow_timer(WDFTIMER t)
{
	(void)t;
	atomic_fetch_add(&slow_started, 1);
	sleep_ms(100);
	atomic_fetch_add(&slow_finished, 1);
}

static void test_stop_waits_for_callback(void **state)
{
	WDFTIMER t;

	(void)state;
	atomic_store(&slow_started, 0);
	atomic_store(&slow_finished, 0);
	t = make_timer(slow_timer, 20, WdfExecutionLevelInheritFromParent);
	WdfTimerStart(t, 0);
	assert_int_equal(wait_for(&slow_started, 1, 2000), 1);
	/* Periodic and running: Stop(TRUE) disarms the next period and waits this one out. */
	WdfTimerStop(t, TRUE);
	assert_int_equal(atomic_load(&slow_finished), atomic_load(&slow_started));
	sleep_ms(150);
	assert_int_equal(atomic_load(&slow_started), 1);
	WdfObjectDelete(t);
}

static void test_parent_delete_stops_timer(void **state)
{
	WDF_OBJECT_ATTRIBUTES a;
	WDF_TIMER_CONFIG config;
	WDFOBJECT owner;
	WDFTIMER t;
	int n;

	(void)state;
	atomic_store(&fired, 0);
	assert_int_equal(WdfObjectCreate(NULL, &owner), STATUS_SUCCESS);
	WDF_TIMER_CONFIG_INIT_PERIODIC(&config, count_timer, 5);
	WDF_OBJECT_ATTRIBUTES_INIT(&a);
	a.ParentObject = owner;
	assert_int_equal(WdfTimerCreate(&config, &a, &t), STATUS_SUCCESS);
	WdfTimerStart(t, 0);
	assert_true(wait_for(&fired, 2, 2000) >= 2);
	WdfObjectDelete(owner);
	n = atomic_load(&fired);
	sleep_ms(50);
	assert_int_equal(atomic_load(&fired), n);
}

static void test_timer_create_checks(void **state)
{
	WDF_TIMER_CONFIG config;
	WDF_OBJECT_ATTRIBUTES a;
	WDFTIMER t = NULL;

	(void)state;
	WDF_TIMER_CONFIG_INIT(&config, count_timer);
	WDF_OBJECT_ATTRIBUTES_INIT(&a);
	/* No parent. */
	assert_int_equal(WdfTimerCreate(&config, &a, &t), STATUS_INVALID_PARAMETER);
	a.ParentObject = parent;
	config.Size = 8;
	assert_int_equal(WdfTimerCreate(&config, &a, &t), STATUS_INVALID_PARAMETER);
	WDF_TIMER_CONFIG_INIT(&config, NULL);
	assert_int_equal(WdfTimerCreate(&config, &a, &t), STATUS_INVALID_PARAMETER);
	assert_int_equal(WdfTimerCreate(NULL, &a, &t), STATUS_INVALID_PARAMETER);
	assert_null(t);
	assert_false(WdfTimerStart((WDFTIMER)parent, 0));
}

static void test_timer_irql_in_host(void **state)
{
	WDFTIMER t;

	(void)state;
	umn_runtime_set_kernel_mode(true);
	/* In-host default: a DPC-like callback at DISPATCH_LEVEL. */
	atomic_store(&fired, 0);
	atomic_store(&irql_seen, -1);
	t = make_timer(count_timer, 0, WdfExecutionLevelInheritFromParent);
	WdfTimerStart(t, 0);
	assert_int_equal(wait_for(&fired, 1, 2000), 1);
	assert_int_equal(atomic_load(&irql_seen), DISPATCH_LEVEL);
	WdfObjectDelete(t);

	/* Asking for passive execution gets PASSIVE_LEVEL. */
	atomic_store(&fired, 0);
	t = make_timer(count_timer, 0, WdfExecutionLevelPassive);
	WdfTimerStart(t, 0);
	assert_int_equal(wait_for(&fired, 1, 2000), 1);
	assert_int_equal(atomic_load(&irql_seen), PASSIVE_LEVEL);
	WdfObjectDelete(t);
}

static void test_spinlock_raises_irql(void **state)
{
	WDFSPINLOCK a, b;

	(void)state;
	assert_int_equal(WdfSpinLockCreate(NULL, &a), STATUS_SUCCESS);
	assert_int_equal(WdfSpinLockCreate(NULL, &b), STATUS_SUCCESS);
	assert_int_equal(KeGetCurrentIrql(), PASSIVE_LEVEL);
	WdfSpinLockAcquire(a);
	assert_int_equal(KeGetCurrentIrql(), DISPATCH_LEVEL);
	WdfSpinLockAcquire(b);
	assert_int_equal(KeGetCurrentIrql(), DISPATCH_LEVEL);
	WdfSpinLockRelease(b);
	/* Still holding a: still at DISPATCH_LEVEL. */
	assert_int_equal(KeGetCurrentIrql(), DISPATCH_LEVEL);
	WdfSpinLockRelease(a);
	assert_int_equal(KeGetCurrentIrql(), PASSIVE_LEVEL);

	/* Recursive acquisition is reported, not a hang, and leaves IRQL balanced. */
	WdfSpinLockAcquire(a);
	WdfSpinLockAcquire(a);
	WdfSpinLockRelease(a);
	assert_int_equal(KeGetCurrentIrql(), PASSIVE_LEVEL);
	/* Releasing what is not held is reported too. */
	WdfSpinLockRelease(a);
	assert_int_equal(KeGetCurrentIrql(), PASSIVE_LEVEL);
	WdfObjectDelete(a);
	WdfObjectDelete(b);
}

static void test_irql_helpers(void **state)
{
	KIRQL old;

	(void)state;
	old = umn_irql_raise(DISPATCH_LEVEL);
	assert_int_equal(old, PASSIVE_LEVEL);
	assert_int_equal(KeGetCurrentIrql(), DISPATCH_LEVEL);
	/* Raising to a lower level is refused. */
	assert_int_equal(umn_irql_raise(PASSIVE_LEVEL), DISPATCH_LEVEL);
	assert_int_equal(KeGetCurrentIrql(), DISPATCH_LEVEL);
	umn_irql_lower(old);
	assert_int_equal(KeGetCurrentIrql(), PASSIVE_LEVEL);
}

struct waitlock_try {
	WDFWAITLOCK lock;
	LONGLONG timeout;
	NTSTATUS status;
	uint64_t elapsed_ms;
	bool release;
};

static void *waitlock_thread(void *arg)
{
	struct waitlock_try *t = arg;
	uint64_t start = now_ms();

	t->status = WdfWaitLockAcquire(t->lock, &t->timeout);
	t->elapsed_ms = now_ms() - start;
	if (t->release)
		WdfWaitLockRelease(t->lock);
	return NULL;
}

static void test_waitlock(void **state)
{
	struct waitlock_try t = { 0 };
	WDFWAITLOCK lock;
	LONGLONG zero = 0;
	pthread_t th;

	(void)state;
	assert_int_equal(WdfWaitLockCreate(NULL, &lock), STATUS_SUCCESS);
	assert_int_equal(WdfWaitLockAcquire(lock, NULL), STATUS_SUCCESS);
	/* Held: a zero time-out only tries. */
	assert_int_equal(WdfWaitLockAcquire(lock, &zero), STATUS_TIMEOUT);

	t.lock = lock;
	t.timeout = WDF_REL_TIMEOUT_IN_MS(30);
	pthread_create(&th, NULL, waitlock_thread, &t);
	pthread_join(th, NULL);
	assert_int_equal(t.status, STATUS_TIMEOUT);
	assert_true(t.elapsed_ms >= 29);

	/* Another thread may take it after we release, and release it itself. */
	WdfWaitLockRelease(lock);
	t.timeout = WDF_REL_TIMEOUT_IN_SEC(5);
	t.release = true;
	pthread_create(&th, NULL, waitlock_thread, &t);
	pthread_join(th, NULL);
	assert_int_equal(t.status, STATUS_SUCCESS);
	assert_int_equal(WdfWaitLockAcquire(lock, &zero), STATUS_SUCCESS);
	WdfWaitLockRelease(lock);
	WdfObjectDelete(lock);
}

static atomic_int work_runs, work_bad_irql;
static sem_t work_gate;

/* Runs on a worker thread: no cmocka asserts here, they must run on the test's thread. */
static void gated_work(WDFWORKITEM w)
{
	(void)w;
	if (KeGetCurrentIrql() != PASSIVE_LEVEL)
		atomic_fetch_add(&work_bad_irql, 1);
	atomic_fetch_add(&work_runs, 1);
	sem_wait(&work_gate);
}

static void test_workitem(void **state)
{
	WDF_WORKITEM_CONFIG config;
	WDF_OBJECT_ATTRIBUTES a;
	WDFWORKITEM w;

	(void)state;
	sem_init(&work_gate, 0, 0);
	atomic_store(&work_runs, 0);
	WDF_WORKITEM_CONFIG_INIT(&config, gated_work);
	WDF_OBJECT_ATTRIBUTES_INIT(&a);
	a.ParentObject = parent;
	assert_int_equal(WdfWorkItemCreate(&config, &a, &w), STATUS_SUCCESS);
	assert_ptr_equal(WdfWorkItemGetParentObject(w), parent);

	WdfWorkItemEnqueue(w);
	assert_int_equal(wait_for(&work_runs, 1, 2000), 1);
	/* Running: one more enqueue queues a second run, further ones are absorbed. */
	WdfWorkItemEnqueue(w);
	WdfWorkItemEnqueue(w);
	sem_post(&work_gate);
	sem_post(&work_gate);
	WdfWorkItemFlush(w);
	assert_int_equal(atomic_load(&work_runs), 2);
	assert_int_equal(atomic_load(&work_bad_irql), 0);
	WdfObjectDelete(w);
	sem_destroy(&work_gate);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_one_shot_fires_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_replaces_due_time, setup, teardown),
		cmocka_unit_test_setup_teardown(test_periodic_and_stop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop_waits_for_callback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parent_delete_stops_timer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timer_create_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timer_irql_in_host, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spinlock_raises_irql, setup, teardown),
		cmocka_unit_test_setup_teardown(test_irql_helpers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_waitlock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_workitem, setup, teardown),
	};

	umn_log_set_max_level(UMN_LOG_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
