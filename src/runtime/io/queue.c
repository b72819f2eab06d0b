// SPDX-License-Identifier: MIT
/*
 * I/O queue logic: holding requests, presenting them to the driver by the
 * queue's dispatch type, the requests the driver owns, and the
 * Stop/Drain/Purge/Start state machine with its notifications.
 *
 * Every function here except the task and on_delete runs with the io lock
 * held (see io_int.h). Presenting a request happens on a worker thread (the
 * queue's task): the request moves to the owned list under the lock, the
 * callback runs after the lock is released.
 *
 * Counting. nowned counts the requests the driver holds from this queue:
 * presented, retrieved, or handed to EvtIoCanceledOnQueue, until completed,
 * forwarded or requeued. A sequential queue presents when nowned is 0, a
 * parallel one while nowned is below NumberOfPresentedRequests.
 */
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "runtime/io/io_int.h"
#include "runtime/wdf/irql.h"

static WDFQUEUE queue_handle(struct umn_queue *q)
{
	return (WDFQUEUE)umn_object_handle(&q->obj);
}

static int slot_of(enum umn_io_major major)
{
	switch (major) {
	case UMN_IO_CREATE:
		return IO_SLOT_CREATE;
	case UMN_IO_READ:
		return IO_SLOT_READ;
	case UMN_IO_WRITE:
		return IO_SLOT_WRITE;
	case UMN_IO_DEVICE_CONTROL:
		return IO_SLOT_IOCTL;
	case UMN_IO_INTERNAL_DEVICE_CONTROL:
		return IO_SLOT_INTERNAL_IOCTL;
	default:
		return -1;
	}
}

struct umn_queue *io_queue_route(struct umn_io_dev *io, enum umn_io_major major)
{
	int slot = slot_of(major);

	if (slot < 0)
		return NULL;
	if (io->by_type[slot])
		return io->by_type[slot];
	/* Creates go to a queue only when the driver configured one for them. */
	return major == UMN_IO_CREATE ? NULL : io->default_queue;
}

bool io_queue_has_handler(struct umn_queue *q, enum umn_io_major major)
{
	const WDF_IO_QUEUE_CONFIG *c = &q->cfg;

	if (c->DispatchType == WdfIoQueueDispatchManual || c->EvtIoDefault)
		return true;
	switch (major) {
	case UMN_IO_READ:
		return c->EvtIoRead != NULL;
	case UMN_IO_WRITE:
		return c->EvtIoWrite != NULL;
	case UMN_IO_DEVICE_CONTROL:
		return c->EvtIoDeviceControl != NULL;
	case UMN_IO_INTERNAL_DEVICE_CONTROL:
		return c->EvtIoInternalDeviceControl != NULL;
	default:
		return false;
	}
}

static bool can_present(const struct umn_queue *q)
{
	ULONG limit;

	if (q->deleted || !q->dispatching || q->npending == 0 ||
	    q->cfg.DispatchType == WdfIoQueueDispatchManual)
		return false;
	limit = q->cfg.DispatchType == WdfIoQueueDispatchParallel
		    ? q->cfg.Settings.Parallel.NumberOfPresentedRequests
		    : 1;
	return q->nowned < limit;
}

static void post_queue(struct umn_queue *q, unsigned ev)
{
	q->events |= ev;
	/* Safe to reference after posting: a worker takes the task under the io lock. */
	if (umn_io_task_post(&q->task))
		umn_object_reference(&q->obj);
}

static bool waiter_due(const struct umn_queue *q, const struct io_waiter *w)
{
	const struct umn_list *l;

	if (w->kind != IO_WAIT_STOP)
		return q->npending == 0 && q->nowned == 0;
	/* Stopped once every request the driver holds is completed or stop-acknowledged. */
	for (l = q->owned.next; l != &q->owned; l = l->next)
		if (!umn_list_entry(l, struct umn_request, qlink)->stop_acked)
			return false;
	return true;
}

void io_queue_changed(struct umn_queue *q)
{
	struct io_waiter **pp = &q->waiters, *w;

	while ((w = *pp)) {
		if (!waiter_due(q, w)) {
			pp = &w->next;
			continue;
		}
		*pp = w->next;
		w->next = NULL;
		if (w->sync) {
			w->done = true;
			umn_io_wake_all();
		} else {
			w->next = q->fire;
			q->fire = w;
			post_queue(q, IO_QEV_NOTIFY);
		}
	}
	if (can_present(q))
		post_queue(q, IO_QEV_DISPATCH);
}

static void take_owned(struct umn_queue *q, struct umn_request *r)
{
	umn_list_del(&r->qlink);
	q->npending--;
	umn_list_add_tail(&q->owned, &r->qlink);
	q->nowned++;
	r->state = IO_REQ_DRIVER;
	r->stop_acked = false;
	r->stop_called = false;
}

void io_queue_cancel_pending(struct umn_request *r, struct io_batch *b)
{
	struct umn_queue *q = r->queue;

	umn_list_del(&r->qlink);
	q->npending--;
	if (r->driver_put_back && q->cfg.EvtIoCanceledOnQueue && !q->deleted) {
		/* The driver had this one already: it gets it back to complete. */
		umn_list_add_tail(&q->owned, &r->qlink);
		q->nowned++;
		r->state = IO_REQ_DRIVER;
		io_req_post(r, IO_REV_CANCELED_ON_QUEUE);
	} else {
		r->state = IO_REQ_FRAMEWORK;
		io_batch_add(b, r);
	}
	io_queue_changed(q);
}

NTSTATUS io_queue_insert(struct umn_queue *q, struct umn_request *r, bool head,
			 struct io_batch *cancel)
{
	bool was_empty = q->npending == 0;

	if (q->deleted)
		return STATUS_INVALID_DEVICE_STATE;
	if (r->queue != q) {
		/* The caller drops the reference on the previous queue (io_req_move). */
		umn_object_reference(&q->obj);
		r->queue = q;
	}
	if (head)
		umn_list_add_head(&q->pending, &r->qlink);
	else
		umn_list_add_tail(&q->pending, &r->qlink);
	q->npending++;
	r->state = IO_REQ_QUEUED;
	r->stop_acked = false;
	r->stop_called = false;
	if (r->cancelled || (q->purged && r->driver_put_back)) {
		io_queue_cancel_pending(r, cancel);
		return STATUS_SUCCESS;
	}
	if (was_empty && q->ready_fn && q->dispatching)
		post_queue(q, IO_QEV_READY);
	io_queue_changed(q);
	return STATUS_SUCCESS;
}

void io_queue_release(struct umn_request *r)
{
	struct umn_queue *q = r->queue;

	umn_list_del(&r->qlink);
	q->nowned--;
	r->stop_acked = false;
	io_queue_changed(q);
}

void io_queue_stop_ack(struct umn_request *r, bool requeue, struct io_batch *cancel)
{
	struct umn_queue *q = r->queue;

	if (!requeue) {
		r->stop_acked = true;
		io_queue_changed(q);
		return;
	}
	umn_list_del(&r->qlink);
	q->nowned--;
	r->driver_put_back = true;
	if (!NT_SUCCESS(io_queue_insert(q, r, true, cancel))) {
		/* The queue is being deleted: nobody would present it again. */
		r->state = IO_REQ_FRAMEWORK;
		io_batch_add(cancel, r);
	}
	io_queue_changed(q);
}

/*
 * EvtIoStop for each held request not yet told about this action (a purge
 * tells requests already suspended again); without EvtIoStop, device
 * removal runs the cancel routines instead.
 */
static void stop_owned(struct umn_queue *q, ULONG action, bool cancel_without_stop)
{
	struct umn_list *l;

	for (l = q->owned.next; l != &q->owned; l = l->next) {
		struct umn_request *r = umn_list_entry(l, struct umn_request, qlink);

		if (q->cfg.EvtIoStop) {
			if (r->state != IO_REQ_DRIVER ||
			    (r->stop_called && (r->stop_flags & action)) ||
			    (action == WdfRequestStopActionSuspend && r->stop_acked))
				continue;
			r->stop_called = true;
			r->stop_flags = action;
			if (r->cancel_fn && !r->cancel_taken)
				r->stop_flags |= WdfRequestStopRequestCancelable;
			io_req_post(r, IO_REV_STOP);
		} else if (cancel_without_stop) {
			r->cancelled = true;
			if (io_req_take_cancel(r))
				io_req_post(r, IO_REV_CANCEL);
		}
	}
}

static void cancel_all_pending(struct umn_queue *q, struct io_batch *b)
{
	while (!umn_list_empty(&q->pending))
		io_queue_cancel_pending(umn_list_entry(q->pending.next, struct umn_request, qlink),
					b);
}

void io_queue_stop(struct umn_queue *q, enum io_wait_kind kind, PFN_WDF_IO_QUEUE_STATE fn,
		   WDFCONTEXT ctx, bool sync)
{
	struct io_waiter stack_w = {.kind = kind, .sync = true};
	struct io_batch cancel = {0};
	struct io_waiter *w = NULL;
	bool free_now = false;

	if (sync) {
		w = &stack_w;
		if (umn_irql_current() > PASSIVE_LEVEL)
			umn_log(UMN_LOG_ERR,
				"WdfIoQueue%sSynchronously: called at IRQL %u; it waits and "
				"requires PASSIVE_LEVEL",
				kind == IO_WAIT_STOP	? "Stop"
				: kind == IO_WAIT_DRAIN ? "Drain"
							: "Purge",
				umn_irql_current());
	} else if (fn) {
		w = calloc(1, sizeof(*w));
		if (!w)
			umn_log(UMN_LOG_ERR,
				"I/O queue %p: out of memory; its state callback will not run",
				(void *)q);
		else {
			w->kind = kind;
			w->fn = fn;
			w->ctx = ctx;
		}
	}

	umn_io_lock();
	switch (kind) {
	case IO_WAIT_STOP:
		q->accepting = !q->deleted;
		q->dispatching = false;
		stop_owned(q, WdfRequestStopActionSuspend, false);
		break;
	case IO_WAIT_DRAIN:
		q->accepting = false;
		break;
	case IO_WAIT_PURGE:
		q->accepting = false;
		q->purged = true;
		cancel_all_pending(q, &cancel);
		stop_owned(q, WdfRequestStopActionPurge, false);
		break;
	}
	if (w) {
		if (q->deleted) {
			w->done = true;
			free_now = !sync;
		} else {
			w->next = q->waiters;
			q->waiters = w;
		}
	}
	io_queue_changed(q);
	if (sync)
		while (!stack_w.done)
			umn_io_wait();
	umn_io_unlock();
	if (free_now)
		free(w);
	io_batch_complete(&cancel, STATUS_CANCELLED);
}

void io_queue_start(struct umn_queue *q)
{
	struct umn_list *l;

	umn_io_lock();
	if (q->deleted) {
		umn_io_unlock();
		return;
	}
	q->accepting = true;
	q->dispatching = true;
	q->purged = false;
	for (l = q->owned.next; l != &q->owned; l = l->next) {
		struct umn_request *r = umn_list_entry(l, struct umn_request, qlink);

		if (r->stop_acked && q->cfg.EvtIoResume)
			io_req_post(r, IO_REV_RESUME);
		r->stop_acked = false;
		r->stop_called = false;
	}
	if (q->ready_fn && q->npending)
		post_queue(q, IO_QEV_READY);
	io_queue_changed(q);
	umn_io_unlock();
}

void io_queue_flush_file(struct umn_io_dev *io, const struct umn_fileobj *file, struct io_batch *b)
{
	struct umn_list *ql, *l, *next;

	for (ql = io->queues.next; ql != &io->queues; ql = ql->next) {
		struct umn_queue *q = umn_list_entry(ql, struct umn_queue, dev_link);

		for (l = q->pending.next; l != &q->pending; l = next) {
			struct umn_request *r = umn_list_entry(l, struct umn_request, qlink);

			next = l->next;
			if (r->file == file) {
				r->cancelled = true;
				io_queue_cancel_pending(r, b);
			}
		}
	}
}

void io_queue_device_removed(struct umn_io_dev *io, struct io_batch *b)
{
	struct umn_list *ql;

	for (ql = io->queues.next; ql != &io->queues; ql = ql->next) {
		struct umn_queue *q = umn_list_entry(ql, struct umn_queue, dev_link);

		q->accepting = false;
		q->purged = true;
		cancel_all_pending(q, b);
		stop_owned(q, WdfRequestStopActionPurge, true);
		io_queue_changed(q);
	}
}

/*
 * Power-managed unless the driver said otherwise; WdfUseDefault is TRUE
 * except in a filter driver, as in WDF.
 */
static bool power_managed(const struct umn_queue *q)
{
	if (q->cfg.PowerManaged == WdfUseDefault)
		return !q->dev->power.filter;
	return q->cfg.PowerManaged == WdfTrue;
}

bool io_queue_power_down(struct umn_queue *q, struct io_waiter *w)
{
	if (q->deleted || !q->dispatching || !power_managed(q))
		return false;
	/* New requests are still accepted: they wait in the queue for the start. */
	q->power_stopped = true;
	q->dispatching = false;
	stop_owned(q, WdfRequestStopActionSuspend, false);
	if (w) {
		*w = (struct io_waiter){.kind = IO_WAIT_STOP, .sync = true};
		w->next = q->waiters;
		q->waiters = w;
	}
	io_queue_changed(q);
	return true;
}

void io_queue_forget_waiter(struct umn_queue *q, struct io_waiter *w)
{
	for (struct io_waiter **pp = &q->waiters; *pp; pp = &(*pp)->next)
		if (*pp == w) {
			*pp = w->next;
			break;
		}
}

NTSTATUS io_queue_retrieve(struct umn_queue *q, const struct umn_fileobj *file,
			   struct umn_request *found, struct umn_request **ret)
{
	struct umn_request *r = NULL;
	struct umn_list *l;
	NTSTATUS st = STATUS_SUCCESS;

	umn_io_lock();
	if (q->cfg.DispatchType == WdfIoQueueDispatchParallel) {
		st = STATUS_INVALID_DEVICE_STATE;
	} else if (!q->dispatching || q->deleted) {
		st = STATUS_WDF_PAUSED;
	} else if (found) {
		if (found->state == IO_REQ_QUEUED && found->queue == q)
			r = found;
		else
			st = STATUS_NOT_FOUND;
	} else {
		for (l = q->pending.next; l != &q->pending; l = l->next) {
			struct umn_request *c = umn_list_entry(l, struct umn_request, qlink);

			if (!file || c->file == file) {
				r = c;
				break;
			}
		}
		if (!r)
			st = STATUS_NO_MORE_ENTRIES;
	}
	if (r) {
		take_owned(q, r);
		io_queue_changed(q);
		*ret = r;
	}
	umn_io_unlock();
	return st;
}

NTSTATUS io_queue_find(struct umn_queue *q, struct umn_request *after,
		       const struct umn_fileobj *file, struct umn_request **ret)
{
	struct umn_list *l;
	NTSTATUS st = STATUS_NO_MORE_ENTRIES;

	umn_io_lock();
	if (after && (after->state != IO_REQ_QUEUED || after->queue != q)) {
		st = STATUS_NOT_FOUND;
		goto out;
	}
	for (l = after ? after->qlink.next : q->pending.next; l != &q->pending; l = l->next) {
		struct umn_request *c = umn_list_entry(l, struct umn_request, qlink);

		if (!file || c->file == file) {
			/* The driver releases it with WdfObjectDereference. */
			umn_object_reference(&c->obj);
			*ret = c;
			st = STATUS_SUCCESS;
			break;
		}
	}
out:
	umn_io_unlock();
	return st;
}

NTSTATUS io_queue_ready_notify(struct umn_queue *q, PFN_WDF_IO_QUEUE_STATE fn, WDFCONTEXT ctx)
{
	NTSTATUS st = STATUS_SUCCESS;

	umn_io_lock();
	if (q->cfg.DispatchType != WdfIoQueueDispatchManual) {
		st = STATUS_INVALID_DEVICE_REQUEST;
	} else if (fn && q->ready_fn) {
		st = STATUS_INVALID_DEVICE_STATE;
	} else {
		q->ready_fn = fn;
		q->ready_ctx = ctx;
		if (fn && q->npending && q->dispatching)
			post_queue(q, IO_QEV_READY);
	}
	umn_io_unlock();
	return st;
}

WDF_IO_QUEUE_STATE io_queue_state(struct umn_queue *q, ULONG *queued, ULONG *driver)
{
	unsigned s = 0;

	umn_io_lock();
	if (q->accepting)
		s |= WdfIoQueueAcceptRequests;
	if (q->dispatching)
		s |= WdfIoQueueDispatchRequests;
	if (q->npending == 0)
		s |= WdfIoQueueNoRequests;
	if (q->nowned == 0)
		s |= WdfIoQueueDriverNoRequests;
	if (queued)
		*queued = q->npending;
	if (driver)
		*driver = q->nowned;
	umn_io_unlock();
	return (WDF_IO_QUEUE_STATE)s;
}

/* Calls the queue's callback for a request it presents. */
static void present(struct umn_queue *q, struct umn_request *r)
{
	const WDF_IO_QUEUE_CONFIG *c = &q->cfg;
	WDFQUEUE qh = queue_handle(q);
	WDFREQUEST rh = io_req_handle(r);
	struct umn_object *owner = io_sync_lock(&q->obj);
	bool handled = true;

	switch (r->major) {
	case UMN_IO_READ:
		if (c->EvtIoRead)
			c->EvtIoRead(qh, rh, r->out_len);
		else
			handled = false;
		break;
	case UMN_IO_WRITE:
		if (c->EvtIoWrite)
			c->EvtIoWrite(qh, rh, r->in_len);
		else
			handled = false;
		break;
	case UMN_IO_DEVICE_CONTROL:
		if (c->EvtIoDeviceControl)
			c->EvtIoDeviceControl(qh, rh, r->out_len, r->in_len, r->ioctl);
		else
			handled = false;
		break;
	case UMN_IO_INTERNAL_DEVICE_CONTROL:
		if (c->EvtIoInternalDeviceControl)
			c->EvtIoInternalDeviceControl(qh, rh, r->out_len, r->in_len, r->ioctl);
		else
			handled = false;
		break;
	default:
		handled = false;
		break;
	}
	if (!handled && c->EvtIoDefault) {
		c->EvtIoDefault(qh, rh);
		handled = true;
	}
	io_sync_unlock(owner);
	if (!handled)
		io_req_complete(r, STATUS_INVALID_DEVICE_REQUEST, 0, false);
}

static void queue_task_run(struct umn_io_task *t)
{
	struct umn_queue *q = umn_list_entry(t, struct umn_queue, task);
	PFN_WDF_IO_QUEUE_STATE ready = NULL;
	struct umn_request *r = NULL;
	struct io_waiter *fire = NULL;
	WDFCONTEXT ready_ctx = NULL;
	unsigned ev;

	/* The worker took the task under the io lock and hands it over held. */
	ev = q->events;
	q->events = 0;
	if ((ev & IO_QEV_DISPATCH) && can_present(q)) {
		r = umn_list_entry(q->pending.next, struct umn_request, qlink);
		take_owned(q, r);
		/* Held across the callback: the driver may complete it before returning. */
		umn_object_reference(&r->obj);
		/* Parallel queues: the next request goes to another worker right away. */
		if (can_present(q))
			post_queue(q, IO_QEV_DISPATCH);
	}
	if (ev & IO_QEV_NOTIFY) {
		fire = q->fire;
		q->fire = NULL;
	}
	if ((ev & IO_QEV_READY) && q->ready_fn && q->npending && !q->deleted) {
		ready = q->ready_fn;
		ready_ctx = q->ready_ctx;
	}
	io_callbacks_enter(umn_io_dev_of(q->dev));
	umn_io_unlock();

	if (r) {
		present(q, r);
		umn_object_dereference(&r->obj);
	}
	while (fire) {
		struct io_waiter *w = fire;
		struct umn_object *owner = io_sync_lock(&q->obj);

		fire = w->next;
		w->fn(queue_handle(q), w->ctx);
		io_sync_unlock(owner);
		free(w);
	}
	if (ready) {
		struct umn_object *owner = io_sync_lock(&q->obj);

		ready(queue_handle(q), ready_ctx);
		io_sync_unlock(owner);
	}
	io_callbacks_exit(umn_io_dev_of(q->dev));
	umn_object_dereference(&q->obj);
}

static void queue_on_delete(struct umn_object *o)
{
	struct umn_queue *q = (struct umn_queue *)o;
	struct umn_io_dev *io = umn_io_dev_of(q->dev);
	struct io_batch cancel = {0};
	struct io_waiter *w, *drop = NULL;

	umn_io_lock();
	q->deleted = true;
	q->accepting = false;
	q->dispatching = false;
	q->ready_fn = NULL;
	if (umn_list_linked(&q->dev_link))
		umn_list_del(&q->dev_link);
	if (io->default_queue == q)
		io->default_queue = NULL;
	for (int i = 0; i < IO_SLOT__COUNT; i++)
		if (io->by_type[i] == q)
			io->by_type[i] = NULL;
	cancel_all_pending(q, &cancel);
	/* Nobody will be told about this queue again; synchronous callers return. */
	while ((w = q->waiters)) {
		q->waiters = w->next;
		if (w->sync) {
			w->done = true;
		} else {
			w->next = drop;
			drop = w;
		}
	}
	umn_io_wake_all();
	umn_io_unlock();
	while ((w = drop)) {
		drop = w->next;
		free(w);
	}
	io_batch_complete(&cancel, STATUS_CANCELLED);
}

static void queue_on_destroy(struct umn_object *o)
{
	struct umn_queue *q = (struct umn_queue *)o;
	struct io_waiter *w;

	/* Callbacks that became due but never ran (the task held no reference any more). */
	while ((w = q->fire)) {
		q->fire = w->next;
		free(w);
	}
}

static const struct umn_object_ops queue_ops = {
    .on_delete = queue_on_delete,
    .on_destroy = queue_on_destroy,
};

struct umn_queue *io_queue_get(const char *fn, WDFQUEUE h)
{
	struct umn_object *o = umn_object_from_handle(h, UMN_OBJ_QUEUE);

	if (!o)
		umn_log(UMN_LOG_ERR, "%s: %p is not a WDFQUEUE", fn, (void *)h);
	return (struct umn_queue *)o;
}

NTSTATUS io_queue_create(struct umn_device *dev, const WDF_IO_QUEUE_CONFIG *cfg,
			 const WDF_OBJECT_ATTRIBUTES *attrs, struct umn_queue **ret)
{
	struct umn_io_dev *io = umn_io_dev_of(dev);
	struct umn_queue *q;
	struct umn_object *o;
	NTSTATUS st;

	st = umn_object_create(UMN_OBJ_QUEUE, sizeof(*q), attrs, &dev->obj, &queue_ops, &o);
	if (!NT_SUCCESS(st))
		return st;
	q = (struct umn_queue *)o;
	q->dev = dev;
	q->cfg = *cfg;
	q->cfg.Driver = (WDFDRIVER)umn_object_handle(&dev->driver->obj);
	if (q->cfg.DispatchType == WdfIoQueueDispatchSequential)
		q->cfg.Settings.Parallel.NumberOfPresentedRequests = 1;
	umn_list_init(&q->pending);
	umn_list_init(&q->owned);
	umn_list_init(&q->dev_link);
	q->accepting = true;
	q->dispatching = true;
	q->task.run = queue_task_run;

	umn_io_lock();
	if (cfg->DefaultQueue && io->default_queue) {
		umn_io_unlock();
		umn_log(UMN_LOG_ERR, "WdfIoQueueCreate: device %u already has a default queue",
			dev->id);
		umn_object_delete(o);
		return STATUS_INVALID_DEVICE_STATE;
	}
	if (cfg->DefaultQueue)
		io->default_queue = q;
	umn_list_add_tail(&io->queues, &q->dev_link);
	umn_io_unlock();
	*ret = q;
	return STATUS_SUCCESS;
}
