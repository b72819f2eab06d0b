// SPDX-License-Identifier: MIT
/*
 * WDFWORKITEM on a small pool of worker threads. The pool grows when every
 * worker is busy (up to UMN_WORKERS_MAX) so that a work item waiting for
 * another one, which WDF allows, does not deadlock; idle workers stay.
 *
 * One work item never runs on two threads at once: enqueuing it while its
 * callback runs only sets rerun, and the worker puts it back on the list when
 * the callback returns.
 */
#include <signal.h>
#include <string.h>

#include <wdf.h>

#include "common/log.h"
#include "runtime/wdf/irql.h"
#include "runtime/wdf/object.h"
#include "runtime/wdf/threads.h"

#define UMN_WORKERS_MAX 16

struct umn_workitem {
	struct umn_object obj;
	PFN_WDF_WORKITEM func;
	struct umn_object *sync_owner;

	/* Under workers.lock. */
	bool queued; /* on the list, or due to go back on it (rerun) */
	bool rerun;
	bool running;
	bool dead;
	pthread_t runner;
	struct umn_workitem *next;
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t work;
	pthread_cond_t done;
	struct umn_workitem *head, *tail;
	unsigned threads;
	unsigned idle;
} workers = {
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .work = PTHREAD_COND_INITIALIZER,
    .done = PTHREAD_COND_INITIALIZER,
};

int umn_thread_spawn(pthread_t *ret, void *(*fn)(void *), void *arg, const char *name)
{
	sigset_t all, old;
	pthread_attr_t attr;
	pthread_t t;
	int err;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	err = pthread_create(&t, &attr, fn, arg);
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err)
		return -err;
	if (name)
		pthread_setname_np(t, name);
	if (ret)
		*ret = t;
	return 0;
}

static void work_append(struct umn_workitem *w)
{
	w->next = NULL;
	if (workers.tail)
		workers.tail->next = w;
	else
		workers.head = w;
	workers.tail = w;
}

static bool work_remove(struct umn_workitem *w)
{
	struct umn_workitem **pp, *prev = NULL;

	for (pp = &workers.head; *pp; prev = *pp, pp = &(*pp)->next) {
		if (*pp == w) {
			*pp = w->next;
			if (workers.tail == w)
				workers.tail = prev;
			w->next = NULL;
			return true;
		}
	}
	return false;
}

static void work_run(struct umn_workitem *w)
{
	if (w->sync_owner)
		umn_object_lock(w->sync_owner);
	w->func((WDFWORKITEM)umn_object_handle(&w->obj));
	if (umn_irql_current() != PASSIVE_LEVEL && !w->sync_owner) {
		umn_log(UMN_LOG_ERR,
			"work item %p: callback returned at IRQL %u (a spin lock left held?)",
			(void *)w, umn_irql_current());
		umn_irql_lower(PASSIVE_LEVEL);
	}
	if (w->sync_owner)
		umn_object_unlock(w->sync_owner);
}

static void *worker_thread(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&workers.lock);
	for (;;) {
		struct umn_workitem *w = workers.head;

		if (!w) {
			workers.idle++;
			pthread_cond_wait(&workers.work, &workers.lock);
			workers.idle--;
			continue;
		}
		/* The list's reference on w passes to this thread. */
		work_remove(w);
		w->queued = false;
		w->running = true;
		w->runner = pthread_self();
		pthread_mutex_unlock(&workers.lock);

		work_run(w);

		pthread_mutex_lock(&workers.lock);
		w->running = false;
		if (w->rerun && !w->dead) {
			w->rerun = false;
			umn_object_reference(&w->obj);
			work_append(w);
		}
		w->rerun = false;
		pthread_cond_broadcast(&workers.done);
		pthread_mutex_unlock(&workers.lock);
		umn_object_dereference(&w->obj);
		pthread_mutex_lock(&workers.lock);
	}
	return NULL;
}

/* Called with workers.lock held, after queueing something. */
static void workers_kick(void)
{
	if (workers.idle == 0 && workers.threads < UMN_WORKERS_MAX) {
		int err = umn_thread_spawn(NULL, worker_thread, NULL, "umn-work");

		if (!err) {
			workers.threads++;
			return;
		}
		if (workers.threads == 0)
			umn_log(UMN_LOG_ERR, "work items: cannot start a worker thread: %s",
				strerror(-err));
	}
	pthread_cond_signal(&workers.work);
}

static bool is_runner(struct umn_workitem *w)
{
	return w->running && pthread_equal(w->runner, pthread_self());
}

static void workitem_on_delete(struct umn_object *o)
{
	struct umn_workitem *w = (struct umn_workitem *)o;
	bool drop = false;

	pthread_mutex_lock(&workers.lock);
	w->dead = true;
	w->rerun = false;
	if (w->queued && work_remove(w))
		drop = true;
	w->queued = false;
	/* Deleting from the item's own callback is allowed; it just cannot wait. */
	while (w->running && !is_runner(w))
		pthread_cond_wait(&workers.done, &workers.lock);
	pthread_mutex_unlock(&workers.lock);
	if (drop)
		umn_object_dereference(o);
}

static const struct umn_object_ops workitem_ops = {.on_delete = workitem_on_delete};

NTSTATUS WdfWorkItemCreate(PWDF_WORKITEM_CONFIG Config, PWDF_OBJECT_ATTRIBUTES Attributes,
			   WDFWORKITEM *WorkItem)
{
	struct umn_workitem *w;
	struct umn_object *o;
	NTSTATUS st;

	if (!Config || !Attributes || !WorkItem) {
		umn_log(UMN_LOG_ERR, "WdfWorkItemCreate: %s is NULL",
			!Config	      ? "Config"
			: !Attributes ? "Attributes"
				      : "WorkItem");
		return STATUS_INVALID_PARAMETER;
	}
	if (Config->Size != sizeof(*Config)) {
		umn_log(UMN_LOG_ERR,
			"WdfWorkItemCreate: WDF_WORKITEM_CONFIG.Size is %u, expected %zu",
			Config->Size, sizeof(*Config));
		return STATUS_INVALID_PARAMETER;
	}
	if (!Config->EvtWorkItemFunc) {
		umn_log(UMN_LOG_ERR, "WdfWorkItemCreate: EvtWorkItemFunc is NULL");
		return STATUS_INVALID_PARAMETER;
	}
	if (!Attributes->ParentObject) {
		umn_log(
		    UMN_LOG_ERR,
		    "WdfWorkItemCreate: Attributes->ParentObject is required (a device or queue)");
		return STATUS_INVALID_PARAMETER;
	}
	if (Attributes->ExecutionLevel == WdfExecutionLevelDispatch) {
		umn_log(UMN_LOG_ERR, "WdfWorkItemCreate: work items run at PASSIVE_LEVEL; "
				     "ExecutionLevel Dispatch is invalid");
		return STATUS_INVALID_PARAMETER;
	}
	st = umn_object_create(UMN_OBJ_WORKITEM, sizeof(*w), Attributes, NULL, &workitem_ops, &o);
	if (!NT_SUCCESS(st))
		return st;
	w = (struct umn_workitem *)o;
	w->func = Config->EvtWorkItemFunc;
	if (Config->AutomaticSerialization)
		w->sync_owner = umn_object_sync_owner(umn_object_parent(o));
	*WorkItem = (WDFWORKITEM)umn_object_handle(o);
	return STATUS_SUCCESS;
}

static struct umn_workitem *workitem_get(const char *fn, WDFWORKITEM h)
{
	struct umn_object *o = umn_object_from_handle(h, UMN_OBJ_WORKITEM);

	if (!o)
		umn_log(UMN_LOG_ERR, "%s: %p is not a WDFWORKITEM", fn, (void *)h);
	return (struct umn_workitem *)o;
}

VOID WdfWorkItemEnqueue(WDFWORKITEM WorkItem)
{
	struct umn_workitem *w = workitem_get("WdfWorkItemEnqueue", WorkItem);

	if (!w)
		return;
	pthread_mutex_lock(&workers.lock);
	if (w->dead) {
		pthread_mutex_unlock(&workers.lock);
		umn_log(UMN_LOG_ERR, "WdfWorkItemEnqueue: work item %p is deleted",
			(void *)WorkItem);
		return;
	}
	if (!w->queued) {
		w->queued = true;
		if (w->running) {
			w->rerun = true;
		} else {
			umn_object_reference(&w->obj);
			work_append(w);
			workers_kick();
		}
	}
	pthread_mutex_unlock(&workers.lock);
}

WDFOBJECT WdfWorkItemGetParentObject(WDFWORKITEM WorkItem)
{
	struct umn_workitem *w = workitem_get("WdfWorkItemGetParentObject", WorkItem);
	struct umn_object *p;

	if (!w)
		return NULL;
	p = umn_object_parent(&w->obj);
	return p ? umn_object_handle(p) : NULL;
}

VOID WdfWorkItemFlush(WDFWORKITEM WorkItem)
{
	struct umn_workitem *w = workitem_get("WdfWorkItemFlush", WorkItem);

	if (!w)
		return;
	if (umn_irql_current() > PASSIVE_LEVEL)
		umn_log(UMN_LOG_ERR, "WdfWorkItemFlush: called at IRQL %u; requires PASSIVE_LEVEL",
			umn_irql_current());
	pthread_mutex_lock(&workers.lock);
	if (is_runner(w)) {
		pthread_mutex_unlock(&workers.lock);
		umn_log(UMN_LOG_ERR,
			"WdfWorkItemFlush: called from the work item's own callback; not waiting");
		return;
	}
	while (w->queued || w->running)
		pthread_cond_wait(&workers.done, &workers.lock);
	pthread_mutex_unlock(&workers.lock);
}
