// SPDX-License-Identifier: MIT
/*
 * The OS side's entry points (io.h): delivering a request to its queue or
 * file object, cancellation by the requestor, device removal; the per-device
 * I/O state; and the worker task that runs a request's callbacks.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/log.h"
#include "runtime/io/io_int.h"

NTSTATUS umn_io_device_init(struct umn_device *dev, const struct WDFDEVICE_INIT *init)
{
	struct umn_io_dev *io = calloc(1, sizeof(*io));

	if (!io)
		return STATUS_INSUFFICIENT_RESOURCES;
	io->dev = dev;
	/* Not I/O, but this is where WdfDeviceCreate hands the init's settings over. */
	dev->power = init->power;
	umn_list_init(&io->queues);
	umn_list_init(&io->targets);
	if (init->file_config_set) {
		io->file_config = init->file_config;
		io->file_config_set = true;
	}
	if (init->file_attrs_set) {
		io->file_attrs = init->file_attrs;
		io->file_attrs_set = true;
	}
	if (init->io_type_config.Size == sizeof(init->io_type_config)) {
		io->io_types = init->io_type_config;
	} else {
		WDF_IO_TYPE_CONFIG_INIT(&io->io_types);
		if (init->io_type > WdfDeviceIoUndefined && init->io_type < WdfDeviceIoMaximum)
			io->io_types.ReadWriteIoType = init->io_type;
	}
	/* WdfDeviceInitSetRequestAttributes copies the struct; Size 0 means never called. */
	if (init->request_attrs.Size == sizeof(init->request_attrs)) {
		io->request_attrs = init->request_attrs;
		io->request_attrs.ParentObject = NULL;
		io->request_attrs_set = true;
	}
	dev->io = io;
	return STATUS_SUCCESS;
}

static bool io_type_valid(WDF_DEVICE_IO_TYPE t)
{
	return t > WdfDeviceIoUndefined && t < WdfDeviceIoMaximum;
}

VOID WdfDeviceInitSetIoTypeEx(PWDFDEVICE_INIT DeviceInit, PWDF_IO_TYPE_CONFIG IoTypeConfig)
{
	static const char fn[] = "WdfDeviceInitSetIoTypeEx";

	if (!DeviceInit || !IoTypeConfig) {
		umn_log(UMN_LOG_ERR, "%s: %s is NULL", fn,
			!DeviceInit ? "DeviceInit" : "IoTypeConfig");
		return;
	}
	if (IoTypeConfig->Size != sizeof(*IoTypeConfig)) {
		umn_log(
		    UMN_LOG_ERR,
		    "%s: WDF_IO_TYPE_CONFIG.Size is %u, expected %zu (use WDF_IO_TYPE_CONFIG_INIT)",
		    fn, IoTypeConfig->Size, sizeof(*IoTypeConfig));
		return;
	}
	if (!io_type_valid(IoTypeConfig->ReadWriteIoType) ||
	    !io_type_valid(IoTypeConfig->DeviceControlIoType)) {
		umn_log(UMN_LOG_ERR,
			"%s: ReadWriteIoType %d or DeviceControlIoType %d is not an I/O type", fn,
			(int)IoTypeConfig->ReadWriteIoType, (int)IoTypeConfig->DeviceControlIoType);
		return;
	}
	DeviceInit->io_type_config = *IoTypeConfig;
	DeviceInit->io_type = IoTypeConfig->ReadWriteIoType;
}

void umn_io_device_fini(struct umn_device *dev)
{
	free(dev->io);
	dev->io = NULL;
}

struct umn_io_dev *umn_io_dev_of(struct umn_device *dev)
{
	return dev ? dev->io : NULL;
}

/* The device whose callback this thread is in, and how deep (a callback may run another). */
static __thread struct umn_io_dev *cb_io;
static __thread unsigned cb_depth;

void io_callbacks_enter(struct umn_io_dev *io)
{
	if (!io)
		return;
	atomic_fetch_add(&io->callbacks, 1);
	if (!cb_depth)
		cb_io = io;
	if (cb_io == io)
		cb_depth++;
}

/* The EvtIoStop and EvtIoResume calls this thread is inside, for power_cbs_running. */
static __thread struct umn_io_dev *power_cb_io;
static __thread unsigned power_cb_depth;

/* How many of a request task's events are EvtIoStop or EvtIoResume calls. */
static unsigned power_events(unsigned ev)
{
	return !!(ev & IO_REV_STOP) + !!(ev & IO_REV_RESUME);
}

/*
 * EvtIoStop or EvtIoResume calls for io still to run or to return (io lock
 * held), besides those this thread is inside (a stop or a start run from
 * inside one of them would otherwise wait for itself).
 */
static bool power_cbs_running(const struct umn_io_dev *io)
{
	return io->power_cbs > (power_cb_io == io ? power_cb_depth : 0);
}

/*
 * Waits (io lock held) until io's EvtIoStop and EvtIoResume calls have
 * returned, or deadline passed; true if some are still running then.
 */
static bool power_cbs_wait(const struct umn_io_dev *io, const struct timespec *deadline)
{
	while (power_cbs_running(io) && umn_io_wait_until(deadline))
		;
	return power_cbs_running(io);
}

void io_callbacks_exit(struct umn_io_dev *io)
{
	if (!io)
		return;
	if (cb_depth && cb_io == io && --cb_depth == 0)
		cb_io = NULL;
	/*
	 * Sequentially consistent: either the remover sees the count drop, or
	 * this sees removed and wakes it (under the lock it waits with).
	 */
	atomic_fetch_sub(&io->callbacks, 1);
	if (atomic_load(&io->removed)) {
		umn_io_lock();
		umn_io_wake_all();
		umn_io_unlock();
	}
}

struct umn_object *io_sync_lock(struct umn_object *o)
{
	struct umn_object *owner = o ? umn_object_sync_owner(o) : NULL;

	if (owner)
		umn_object_lock(owner);
	return owner;
}

void io_sync_unlock(struct umn_object *owner)
{
	if (owner)
		umn_object_unlock(owner);
}

/* The device with OS-side number id, referenced, or NULL. */
static struct umn_device *device_get(uint32_t id)
{
	struct umn_device *dev = NULL;

	pthread_mutex_lock(&umn_rt.lock);
	if (id < UMN_MAX_DEVICES && umn_rt.devices[id] && umn_rt.devices[id]->io &&
	    umn_io_try_ref(&umn_rt.devices[id]->obj))
		dev = umn_rt.devices[id];
	pthread_mutex_unlock(&umn_rt.lock);
	return dev;
}

static void complete_raw(uint64_t id, NTSTATUS status)
{
	const struct umn_io_ops *ops = umn_io_ops();

	if (ops && ops->complete)
		ops->complete(id, status, 0);
	else
		umn_log(UMN_LOG_ERR,
			"I/O: request %llu failed with 0x%08x but no OS side is attached",
			(unsigned long long)id, (unsigned)status);
}

static bool major_valid(enum umn_io_major m)
{
	switch (m) {
	case UMN_IO_CREATE:
	case UMN_IO_CLOSE:
	case UMN_IO_READ:
	case UMN_IO_WRITE:
	case UMN_IO_DEVICE_CONTROL:
	case UMN_IO_INTERNAL_DEVICE_CONTROL:
	case UMN_IO_CLEANUP:
		return true;
	}
	return false;
}

static bool zero_length(const struct umn_request *r)
{
	return (r->major == UMN_IO_READ && r->out_len == 0) ||
	       (r->major == UMN_IO_WRITE && r->in_len == 0);
}

void io_deliver_to_queue(struct umn_io_dev *io, struct umn_request *r)
{
	struct io_batch cancel = {0};
	struct umn_queue *q;
	NTSTATUS st;

	umn_io_lock();
	q = io_queue_route(io, r->major);
	if (q && !q->accepting) {
		st = STATUS_INVALID_DEVICE_STATE;
	} else if (!q || !io_queue_has_handler(q, r->major)) {
		st = STATUS_INVALID_DEVICE_REQUEST;
		umn_log(UMN_LOG_DEBUG, "I/O: device %u: no queue handles %s requests", io->dev->id,
			io_major_name(r->major));
	} else if (zero_length(r) && !q->cfg.AllowZeroLengthRequests) {
		/* What WDF does for queues that did not ask for them. */
		st = STATUS_SUCCESS;
	} else {
		st = io_queue_insert(q, r, false, &cancel);
		if (NT_SUCCESS(st))
			st = STATUS_PENDING;
	}
	umn_io_unlock();
	if (st != STATUS_PENDING)
		io_req_complete(r, st, 0, false);
	io_batch_complete(&cancel, STATUS_CANCELLED);
}

void umn_io_deliver(const struct umn_io_desc *desc)
{
	struct umn_request *r;
	struct umn_device *dev;
	bool removed;
	NTSTATUS st;

	if (!desc)
		return;
	if (!major_valid(desc->major)) {
		umn_log(UMN_LOG_ERR, "I/O: request %llu has unknown major function 0x%x",
			(unsigned long long)desc->id, (unsigned)desc->major);
		complete_raw(desc->id, STATUS_INVALID_DEVICE_REQUEST);
		return;
	}
	dev = device_get(desc->device);
	if (!dev) {
		complete_raw(desc->id, STATUS_NO_SUCH_DEVICE);
		return;
	}
	umn_io_lock();
	removed = dev->io->removed;
	umn_io_unlock();
	if (removed && desc->major != UMN_IO_CLEANUP && desc->major != UMN_IO_CLOSE) {
		complete_raw(desc->id, STATUS_DEVICE_REMOVED);
		umn_object_dereference(&dev->obj);
		return;
	}
	st = io_req_create_incoming(dev, desc, &r);
	if (!NT_SUCCESS(st)) {
		umn_log(UMN_LOG_ERR,
			"I/O: device %u: cannot create a request object for %llu (0x%08x)",
			desc->device, (unsigned long long)desc->id, (unsigned)st);
		complete_raw(desc->id, st);
		umn_object_dereference(&dev->obj);
		return;
	}
	switch (r->major) {
	case UMN_IO_CREATE:
	case UMN_IO_CLEANUP:
	case UMN_IO_CLOSE:
		io_file_deliver(dev->io, r);
		break;
	default:
		io_deliver_to_queue(dev->io, r);
		break;
	}
	/* The request holds its own reference on the device. */
	umn_object_dereference(&dev->obj);
}

void umn_io_cancel(uint64_t id)
{
	const struct umn_io_ops *ops = umn_io_ops();
	struct io_batch b = {0};
	struct umn_request *r, *sent = NULL;
	struct umn_device *sent_dev = NULL;
	uint64_t cookie = 0;
	struct umn_idnode *n;

	umn_io_lock();
	/* Only incoming requests are in it (io_req_create_incoming). */
	n = umn_idtab_find(&umn_io.by_id, NULL, id);
	if (!n) {
		umn_io_unlock();
		return;
	}
	r = umn_list_entry(n, struct umn_request, hn_id);
	if (r->cancelled) {
		umn_io_unlock();
		return;
	}
	r->cancelled = true;
	switch (r->state) {
	case IO_REQ_QUEUED:
		io_queue_cancel_pending(r, &b);
		break;
	case IO_REQ_DRIVER:
		if (io_req_take_cancel(r))
			io_req_post(r, IO_REV_CANCEL);
		break;
	default:
		break;
	}
	/* A request the driver passed on to a target: the target is asked to cancel it too. */
	if (r->sent && r->target && umn_io_try_ref(&r->obj)) {
		sent = r;
		sent_dev = r->target->dev;
		cookie = r->cookie;
	}
	umn_io_unlock();
	io_batch_complete(&b, STATUS_CANCELLED);
	if (sent) {
		if (ops && ops->cancel_sent)
			ops->cancel_sent(sent_dev, cookie);
		umn_object_dereference(&sent->obj);
	}
}

void umn_io_device_removed(uint32_t device)
{
	struct umn_device *dev = device_get(device);
	struct io_batch b = {0};
	bool first;

	if (!dev)
		return;
	umn_io_lock();
	first = !dev->io->removed;
	dev->io->removed = true;
	if (first)
		io_queue_device_removed(dev->io, &b);
	umn_io_unlock();
	io_batch_complete(&b, STATUS_CANCELLED);
	if (first)
		io_target_device_removed(dev->io);
	/*
	 * Callbacks already running finish before the device's objects go (a
	 * callback releasing a spin lock the device owned, say). Not the ones
	 * this thread itself is inside.
	 */
	umn_io_lock();
	while (atomic_load(&dev->io->callbacks) > (cb_io == dev->io ? cb_depth : 0))
		umn_io_wait();
	umn_io_unlock();
	umn_object_dereference(&dev->obj);
}

/* Driver-held requests of q not yet completed or acknowledged (io lock held). */
static unsigned unacknowledged(const struct umn_queue *q)
{
	unsigned n = 0;

	for (const struct umn_list *l = q->owned.next; l != &q->owned; l = l->next)
		n += !umn_list_entry(l, struct umn_request, qlink)->stop_acked;
	return n;
}

unsigned umn_io_device_power_down(uint32_t device)
{
	struct umn_device *dev = device_get(device);
	struct umn_queue **qs = NULL;
	struct io_waiter *w = NULL;
	struct timespec deadline;
	unsigned nq = 0, n = 0, left = 0;
	bool running;
	struct umn_list *l;

	if (!dev)
		return 0;
	umn_io_lock();
	for (l = dev->io->queues.next; l != &dev->io->queues; l = l->next)
		nq++;
	if (nq) {
		// NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers
		qs = calloc(nq, sizeof(*qs));
		w = calloc(nq, sizeof(*w));
		if (!qs || !w)
			umn_log(UMN_LOG_ERR,
				"device %u: out of memory; the stop does not wait for its requests",
				device);
	}
	for (l = dev->io->queues.next; l != &dev->io->queues; l = l->next) {
		struct umn_queue *q = umn_list_entry(l, struct umn_queue, dev_link);
		bool track = qs && w && n < nq;

		if (io_queue_power_down(q, track ? &w[n] : NULL) && track) {
			umn_object_reference(&q->obj);
			qs[n++] = q;
		}
	}
	umn_deadline_after(&deadline, UMN_IO_POWER_DOWN_WAIT_S, 0);
	for (;;) {
		bool all = true;

		for (unsigned i = 0; i < n; i++)
			all = all && w[i].done;
		if (all || !umn_io_wait_until(&deadline))
			break;
	}
	/* As in WDF, every EvtIoStop has also returned before D0Exit. */
	running = power_cbs_wait(dev->io, &deadline);
	for (unsigned i = 0; i < n; i++) {
		if (!w[i].done)
			left += unacknowledged(qs[i]);
		io_queue_forget_waiter(qs[i], &w[i]);
	}
	umn_io_unlock();
	if (left)
		umn_log(UMN_LOG_WARN,
			"device %u: the driver still holds %u request%s of power-managed queues %d "
			"s into the stop (no EvtIoStop acknowledgement); the stop goes on",
			device, left, left == 1 ? "" : "s", UMN_IO_POWER_DOWN_WAIT_S);
	else if (running)
		umn_log(UMN_LOG_WARN,
			"device %u: an EvtIoStop has not returned %d s into the stop; the stop "
			"goes on",
			device, UMN_IO_POWER_DOWN_WAIT_S);
	for (unsigned i = 0; i < n; i++)
		umn_object_dereference(&qs[i]->obj);
	free(qs);
	free(w);
	umn_object_dereference(&dev->obj);
	return left;
}

void umn_io_device_power_up(uint32_t device)
{
	struct umn_device *dev = device_get(device);
	struct umn_queue **qs = NULL;
	struct timespec deadline;
	unsigned nq = 0, n = 0;
	bool running;
	struct umn_list *l;

	if (!dev)
		return;
	umn_io_lock();
	for (l = dev->io->queues.next; l != &dev->io->queues; l = l->next)
		nq++;
	// NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers
	qs = nq ? calloc(nq, sizeof(*qs)) : NULL;
	for (l = dev->io->queues.next; l != &dev->io->queues; l = l->next) {
		struct umn_queue *q = umn_list_entry(l, struct umn_queue, dev_link);

		if (!q->power_stopped)
			continue;
		q->power_stopped = false;
		if (qs && n < nq) {
			umn_object_reference(&q->obj);
			qs[n++] = q;
		} else {
			/* Out of memory: started here, without the resume callbacks. */
			q->dispatching = true;
			io_queue_changed(q);
		}
	}
	umn_io_unlock();
	for (unsigned i = 0; i < n; i++) {
		io_queue_start(qs[i]);
		umn_object_dereference(&qs[i]->obj);
	}
	free(qs);
	/*
	 * As in WDF, the EvtIoResume calls the restart posted have returned
	 * before the device's start goes on (to SelfManagedIoRestart). They
	 * run on workers, and a worker that waits here lets the pool grow.
	 */
	umn_deadline_after(&deadline, UMN_IO_POWER_UP_WAIT_S, 0);
	umn_io_lock();
	running = power_cbs_wait(dev->io, &deadline);
	umn_io_unlock();
	if (running)
		umn_log(UMN_LOG_WARN,
			"device %u: an EvtIoResume has not returned %d s into the start; the start "
			"goes on",
			device, UMN_IO_POWER_UP_WAIT_S);
	umn_object_dereference(&dev->obj);
}

static void call_queue_cb(struct umn_queue *q, struct umn_request *r, unsigned ev, ULONG flags)
{
	WDFQUEUE qh = (WDFQUEUE)umn_object_handle(&q->obj);
	WDFREQUEST rh = io_req_handle(r);
	struct umn_object *owner = io_sync_lock(&q->obj);

	if (ev == IO_REV_STOP && q->cfg.EvtIoStop)
		q->cfg.EvtIoStop(qh, rh, flags);
	else if (ev == IO_REV_RESUME && q->cfg.EvtIoResume)
		q->cfg.EvtIoResume(qh, rh);
	else if (ev == IO_REV_CANCELED_ON_QUEUE && q->cfg.EvtIoCanceledOnQueue)
		q->cfg.EvtIoCanceledOnQueue(qh, rh);
	io_sync_unlock(owner);
}

/* The request task: runs the events posted for r, then drops the task's reference. */
void io_req_task_run(struct umn_io_task *t)
{
	struct umn_request *r = umn_list_entry(t, struct umn_request, task);
	PFN_WDF_REQUEST_CANCEL cancel_fn = NULL;
	struct umn_io_dev *io, *prev_io;
	unsigned prev_depth;
	struct umn_queue *q;
	unsigned ev;
	ULONG flags;
	bool owned;

	/* The worker took the task under the io lock and hands it over held. */
	ev = r->events;
	r->events = 0;
	flags = r->stop_flags;
	q = r->queue;
	if (q)
		umn_object_reference(&q->obj);
	owned = r->state == IO_REQ_DRIVER;
	if (ev & IO_REV_CANCEL) {
		cancel_fn = r->cancel_fn;
		r->cancel_fn = NULL;
	}
	io = umn_io_dev_of(r->dev);
	io_callbacks_enter(io);
	umn_io_unlock();
	prev_io = power_cb_io;
	prev_depth = power_cb_depth;
	if (power_events(ev)) {
		if (power_cb_io != io)
			power_cb_depth = 0;
		power_cb_io = io;
		power_cb_depth += power_events(ev);
	}

	if (ev & IO_REV_FILE)
		io_file_process(r);
	/* A request completed or queued again meanwhile is not the driver's: no callbacks. */
	if (owned && q) {
		if (ev & IO_REV_STOP)
			call_queue_cb(q, r, IO_REV_STOP, flags);
		if (ev & IO_REV_RESUME)
			call_queue_cb(q, r, IO_REV_RESUME, 0);
		if (ev & IO_REV_CANCELED_ON_QUEUE)
			call_queue_cb(q, r, IO_REV_CANCELED_ON_QUEUE, 0);
	}
	if (owned && cancel_fn) {
		struct umn_object *owner = io_sync_lock(q ? &q->obj : NULL);

		cancel_fn(io_req_handle(r));
		io_sync_unlock(owner);
	}
	if (ev & IO_REV_SENT_DONE)
		io_sent_done(r);
	power_cb_io = prev_io;
	power_cb_depth = prev_depth;
	if (io && power_events(ev)) {
		umn_io_lock();
		io->power_cbs -= power_events(ev);
		umn_io_wake_all();
		umn_io_unlock();
	}
	io_callbacks_exit(io);
	if (q)
		umn_object_dereference(&q->obj);
	umn_object_dereference(&r->obj);
}

void io_req_post(struct umn_request *r, unsigned events)
{
	struct umn_io_dev *io = umn_io_dev_of(r->dev);

	/* An event already posted and not yet taken is one call, counted once. */
	if (io)
		io->power_cbs += power_events(events & ~r->events);
	r->events |= events;
	/*
	 * Referencing after posting is safe: a worker takes the task under the
	 * io lock, which the caller holds, so it cannot drop its reference first.
	 */
	if (umn_io_task_post(&r->task))
		umn_object_reference(&r->obj);
}
