// SPDX-License-Identifier: MIT
/*
 * I/O targets and the requests a driver sends through them: formatting,
 * sending through ops->send, completion from the OS side, time-outs,
 * cancellation, and target open/close/start/stop.
 *
 * A sent request holds a reference on itself and on its target until its
 * completion arrives, so neither goes away while the OS side may still
 * write into its buffers. The OS side may complete a request on another
 * thread before ops->send returned; the request is fully registered (cookie
 * table, target's sent list) before ops->send is called.
 *
 * The default target of a device (WdfDeviceGetIoTarget) stands for the next
 * lower device. A umnic device has none of its own: umnicd plays the lower
 * stack, so the default target sends with target_file 0 and the OS side
 * decides what such a request means (and fails what it does not handle).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "runtime/io/io_int.h"
#include "runtime/wdf/irql.h"
#include "runtime/wdf/threads.h"
#include "runtime/wdf/wdftime.h"

void io_format_release(struct io_format *f)
{
	struct umn_memory *in = f->in_mem, *out = f->out_mem;

	memset(f, 0, sizeof(*f));
	if (in)
		umn_object_dereference(&in->obj);
	if (out)
		umn_object_dereference(&out->obj);
}

static void target_on_destroy(struct umn_object *o)
{
	struct umn_iotarget *t = (struct umn_iotarget *)o;

	free(t->name_utf8);
	t->name_utf8 = NULL;
}

/* Cookies of everything t has sent, for cancelling outside the lock (io lock held). */
static uint64_t *collect_sent(struct umn_list *sent, unsigned n, unsigned *ret_n)
{
	uint64_t *cookies = n ? calloc(n, sizeof(*cookies)) : NULL;
	struct umn_list *l;
	unsigned i = 0;

	if (n && !cookies)
		umn_log(UMN_LOG_ERR, "I/O target: out of memory; sent requests are not cancelled");
	for (l = sent->next; cookies && l != sent && i < n; l = l->next)
		cookies[i++] = umn_list_entry(l, struct umn_request, tlink)->cookie;
	*ret_n = cookies ? i : 0;
	return cookies;
}

static void cancel_cookies(struct umn_device *dev, uint64_t *cookies, unsigned n)
{
	const struct umn_io_ops *ops = umn_io_ops();

	for (unsigned i = 0; i < n; i++)
		if (ops && ops->cancel_sent)
			ops->cancel_sent(dev, cookies[i]);
	free(cookies);
}

static void target_on_delete(struct umn_object *o)
{
	struct umn_iotarget *t = (struct umn_iotarget *)o;
	struct umn_io_dev *io = umn_io_dev_of(t->dev);
	const struct umn_io_ops *ops = umn_io_ops();
	uint64_t *cookies, file;
	bool by_name;
	unsigned n;

	umn_io_lock();
	t->state = WdfIoTargetDeleted;
	if (umn_list_linked(&t->dev_link))
		umn_list_del(&t->dev_link);
	if (io->default_target == t)
		io->default_target = NULL;
	cookies = collect_sent(&t->sent, t->nsent, &n);
	by_name = t->opened_by_name;
	file = t->file;
	t->opened_by_name = false;
	umn_io_unlock();
	/* Not waited for: a sent request keeps the target's memory until it returns. */
	cancel_cookies(t->dev, cookies, n);
	if (by_name && ops && ops->close_target)
		ops->close_target(t->dev, file);
}

static const struct umn_object_ops target_ops = {
    .on_delete = target_on_delete,
    .on_destroy = target_on_destroy,
};

struct umn_iotarget *io_target_get(const char *fn, WDFIOTARGET h)
{
	struct umn_object *o = umn_object_from_handle(h, UMN_OBJ_IOTARGET);

	if (!o)
		umn_log(UMN_LOG_ERR, "%s: %p is not a WDFIOTARGET", fn, (void *)h);
	return (struct umn_iotarget *)o;
}

NTSTATUS io_target_create(struct umn_device *dev, const WDF_OBJECT_ATTRIBUTES *attrs,
			  bool is_default, struct umn_iotarget **ret)
{
	struct umn_io_dev *io = umn_io_dev_of(dev);
	struct umn_iotarget *t;
	struct umn_object *o;
	NTSTATUS st;

	st = umn_object_create(UMN_OBJ_IOTARGET, sizeof(*t), attrs, &dev->obj, &target_ops, &o);
	if (!NT_SUCCESS(st))
		return st;
	t = (struct umn_iotarget *)o;
	t->dev = dev;
	t->is_default = is_default;
	t->os_device = UINT32_MAX;
	t->state = is_default ? WdfIoTargetStarted : WdfIoTargetClosed;
	umn_list_init(&t->sent);
	umn_list_init(&t->dev_link);
	if (is_default)
		umn_object_set_no_driver_delete(o, true);
	umn_io_lock();
	if (is_default && io->default_target) {
		struct umn_iotarget *other = io->default_target;

		umn_io_unlock();
		umn_object_delete(o);
		*ret = other;
		return STATUS_SUCCESS;
	}
	if (is_default)
		io->default_target = t;
	umn_list_add_tail(&io->targets, &t->dev_link);
	umn_io_unlock();
	*ret = t;
	return STATUS_SUCCESS;
}

struct umn_iotarget *io_target_default(struct umn_device *dev)
{
	struct umn_io_dev *io = umn_io_dev_of(dev);
	struct umn_iotarget *t;

	umn_io_lock();
	t = io->default_target;
	umn_io_unlock();
	if (!t && !NT_SUCCESS(io_target_create(dev, NULL, true, &t)))
		t = NULL;
	return t;
}

/* Waits until t has nothing sent (io lock held). */
static void wait_idle(struct umn_iotarget *t)
{
	while (t->nsent)
		umn_io_wait();
}

NTSTATUS io_target_open(struct umn_iotarget *t, WDF_IO_TARGET_OPEN_TYPE type, char *name,
			uint32_t access, uint32_t os_device, uint64_t file)
{
	const struct umn_io_ops *ops = umn_io_ops();

	umn_io_lock();
	if (t->state == WdfIoTargetStarted || t->state == WdfIoTargetStopped ||
	    t->state == WdfIoTargetDeleted || t->is_default) {
		umn_io_unlock();
		free(name);
		umn_log(UMN_LOG_ERR, "WdfIoTargetOpen: target %p is already open", (void *)t);
		return STATUS_INVALID_DEVICE_STATE;
	}
	if (type == WdfIoTargetOpenReopen) {
		if (t->state != WdfIoTargetClosedForQueryRemove) {
			umn_io_unlock();
			umn_log(UMN_LOG_ERR,
				"WdfIoTargetOpen: reopen of target %p, which was not closed for "
				"query-remove",
				(void *)t);
			return STATUS_INVALID_DEVICE_STATE;
		}
		type = t->open_type;
		access = t->access;
		os_device = t->os_device;
		file = t->existing_file;
		name = t->name_utf8 ? strdup(t->name_utf8) : NULL;
		if (t->name_utf8 && !name) {
			umn_io_unlock();
			return STATUS_INSUFFICIENT_RESOURCES;
		}
	}
	umn_io_unlock();

	if (type == WdfIoTargetOpenByName) {
		NTSTATUS st;

		if (!ops || !ops->open_target) {
			free(name);
			return STATUS_OBJECT_NAME_NOT_FOUND;
		}
		/* umnicd answers once the target's driver ran its create, maybe in this host. */
		io_worker_wait_begin();
		st = ops->open_target(t->dev, name, access, &file, &os_device);
		io_worker_wait_end();
		if (!NT_SUCCESS(st)) {
			umn_log(UMN_LOG_DEBUG, "WdfIoTargetOpen: %s: 0x%08x", name, (unsigned)st);
			free(name);
			return st;
		}
	}
	umn_io_lock();
	t->state = WdfIoTargetStarted;
	t->file = file;
	t->os_device = os_device;
	if (type == WdfIoTargetOpenUseExistingDevice)
		t->existing_file = file;
	t->opened_by_name = type == WdfIoTargetOpenByName;
	t->open_type = type;
	t->access = access;
	free(t->name_utf8);
	t->name_utf8 = name;
	umn_io_unlock();
	return STATUS_SUCCESS;
}

void io_target_close(struct umn_iotarget *t, bool for_query_remove)
{
	const struct umn_io_ops *ops = umn_io_ops();
	uint64_t *cookies, file;
	bool by_name;
	unsigned n;

	if (umn_irql_current() > PASSIVE_LEVEL)
		umn_log(UMN_LOG_ERR,
			"WdfIoTargetClose: called at IRQL %u; it waits and requires PASSIVE_LEVEL",
			umn_irql_current());
	umn_io_lock();
	if (t->is_default || (t->state != WdfIoTargetStarted && t->state != WdfIoTargetStopped)) {
		umn_io_unlock();
		return;
	}
	/* Refuse new sends first, then cancel and wait for the old ones. */
	t->state = WdfIoTargetStopped;
	cookies = collect_sent(&t->sent, t->nsent, &n);
	umn_io_unlock();
	cancel_cookies(t->dev, cookies, n);
	umn_io_lock();
	wait_idle(t);
	t->state = for_query_remove ? WdfIoTargetClosedForQueryRemove : WdfIoTargetClosed;
	by_name = t->opened_by_name;
	file = t->file;
	t->opened_by_name = false;
	t->file = 0;
	umn_io_unlock();
	if (by_name && ops && ops->close_target)
		ops->close_target(t->dev, file);
}

NTSTATUS io_target_start(struct umn_iotarget *t)
{
	NTSTATUS st = STATUS_SUCCESS;

	umn_io_lock();
	if (t->state == WdfIoTargetStopped)
		t->state = WdfIoTargetStarted;
	else if (t->state != WdfIoTargetStarted)
		st = STATUS_INVALID_DEVICE_STATE;
	umn_io_unlock();
	return st;
}

void io_target_stop(struct umn_iotarget *t, WDF_IO_TARGET_SENT_IO_ACTION action)
{
	uint64_t *cookies = NULL;
	unsigned n = 0;

	umn_io_lock();
	if (t->state == WdfIoTargetStarted)
		t->state = WdfIoTargetStopped;
	if (action == WdfIoTargetCancelSentIo)
		cookies = collect_sent(&t->sent, t->nsent, &n);
	umn_io_unlock();
	if (action == WdfIoTargetLeaveSentIoPending)
		return;
	if (umn_irql_current() > PASSIVE_LEVEL) {
		umn_log(UMN_LOG_ERR,
			"WdfIoTargetStop: called at IRQL %u; waiting requires PASSIVE_LEVEL",
			umn_irql_current());
	}
	cancel_cookies(t->dev, cookies, n);
	umn_io_lock();
	wait_idle(t);
	umn_io_unlock();
}

WDF_IO_TARGET_STATE io_target_state(struct umn_iotarget *t)
{
	WDF_IO_TARGET_STATE s;

	umn_io_lock();
	s = t->state;
	umn_io_unlock();
	return s;
}

void io_target_device_removed(struct umn_io_dev *io)
{
	struct umn_list *l;
	uint64_t *cookies = NULL;
	unsigned total = 0, n = 0;

	umn_io_lock();
	for (l = io->targets.next; l != &io->targets; l = l->next)
		total += umn_list_entry(l, struct umn_iotarget, dev_link)->nsent;
	if (total)
		cookies = calloc(total, sizeof(*cookies));
	for (l = io->targets.next; cookies && l != &io->targets; l = l->next) {
		struct umn_iotarget *t = umn_list_entry(l, struct umn_iotarget, dev_link);
		struct umn_list *s;

		for (s = t->sent.next; s != &t->sent && n < total; s = s->next)
			cookies[n++] = umn_list_entry(s, struct umn_request, tlink)->cookie;
	}
	umn_io_unlock();
	cancel_cookies(io->dev, cookies, n);
}

/* Time-outs of sent requests: one thread, started on the first send with a time-out. */
static void *timer_thread(void *arg)
{
	const struct umn_io_ops *ops;

	(void)arg;
	umn_io_lock();
	for (;;) {
		uint64_t now = umn_mono_ns(), earliest = 0;
		struct umn_request *due = NULL;
		struct umn_list *l;

		for (l = umn_io.timed.next; l != &umn_io.timed; l = l->next) {
			struct umn_request *r = umn_list_entry(l, struct umn_request, timed_link);

			if (r->deadline_ns <= now) {
				due = r;
				break;
			}
			if (!earliest || r->deadline_ns < earliest)
				earliest = r->deadline_ns;
		}
		if (due) {
			struct umn_iotarget *t = due->target;
			uint64_t cookie = due->cookie;

			umn_list_del(&due->timed_link);
			due->timed_out = true;
			/* The target's memory must outlive the unlocked call below. */
			umn_object_reference(&t->obj);
			umn_io_unlock();
			ops = umn_io_ops();
			if (ops && ops->cancel_sent)
				ops->cancel_sent(t->dev, cookie);
			umn_object_dereference(&t->obj);
			umn_io_lock();
			continue;
		}
		if (earliest) {
			struct timespec ts = umn_ns_to_timespec(earliest);

			pthread_cond_timedwait(&umn_io.timer_cond, &umn_io.lock, &ts);
		} else {
			pthread_cond_wait(&umn_io.timer_cond, &umn_io.lock);
		}
	}
	return NULL;
}

/* Registers r's deadline with the timer thread (io lock held). */
static void arm_timeout(struct umn_request *r)
{
	if (!umn_io.timer_running) {
		pthread_condattr_t ca;
		int err;

		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&umn_io.timer_cond, &ca);
		pthread_condattr_destroy(&ca);
		err = umn_thread_spawn(NULL, timer_thread, NULL, "umn-io-timer");
		if (err) {
			umn_log(
			    UMN_LOG_ERR,
			    "I/O: cannot start the time-out thread: %s; request %p has no time-out",
			    strerror(-err), (void *)r);
			return;
		}
		umn_io.timer_running = true;
	}
	umn_list_add_tail(&umn_io.timed, &r->timed_link);
	pthread_cond_signal(&umn_io.timer_cond);
}

/* Unregisters a send that ops->send refused or that completed (io lock held). */
static struct umn_iotarget *unsend(struct umn_request *r)
{
	struct umn_iotarget *t = r->target;

	umn_idtab_del(&r->hn_cookie);
	if (umn_list_linked(&r->timed_link))
		umn_list_del(&r->timed_link);
	umn_list_del(&r->tlink);
	t->nsent--;
	r->sent = false;
	r->target = NULL;
	umn_io_wake_all();
	return t;
}

static WDF_REQUEST_TYPE type_of(enum umn_io_major m)
{
	return (WDF_REQUEST_TYPE)m;
}

NTSTATUS io_send(struct umn_request *r, struct umn_iotarget *t,
		 const WDF_REQUEST_SEND_OPTIONS *opts, bool *ret_sent)
{
	const struct umn_io_ops *ops = umn_io_ops();
	ULONG flags = opts ? opts->Flags : 0;
	struct umn_io_desc d;
	uint64_t cookie;
	NTSTATUS st;

	*ret_sent = false;
	if (!ops || !ops->send) {
		umn_log(UMN_LOG_ERR, "WdfRequestSend: no OS side is attached");
		umn_io_lock();
		r->status = STATUS_NO_SUCH_DEVICE;
		umn_io_unlock();
		return STATUS_NO_SUCH_DEVICE;
	}
	umn_io_lock();
	if (r->sent) {
		st = STATUS_INVALID_DEVICE_STATE;
		umn_log(UMN_LOG_ERR,
			"WdfRequestSend: request %p was sent already and has not come back",
			(void *)r);
		goto fail;
	}
	if (!r->fmt.valid) {
		st = STATUS_INVALID_DEVICE_REQUEST;
		umn_log(UMN_LOG_ERR,
			"WdfRequestSend: request %p is not formatted (WdfIoTargetFormatRequestFor* "
			"or WdfRequestFormatRequestUsingCurrentType)",
			(void *)r);
		goto fail;
	}
	if (r->incoming && r->state != IO_REQ_DRIVER) {
		st = STATUS_INVALID_DEVICE_REQUEST;
		umn_log(UMN_LOG_ERR, "WdfRequestSend: request %p is not owned by the driver",
			(void *)r);
		goto fail;
	}
	if (t->state != WdfIoTargetStarted &&
	    (t->state != WdfIoTargetStopped ||
	     !(flags & (WDF_REQUEST_SEND_OPTION_IGNORE_TARGET_STATE |
			WDF_REQUEST_SEND_OPTION_SEND_AND_FORGET)))) {
		st = STATUS_INVALID_DEVICE_STATE;
		goto fail;
	}
	cookie = umn_io.next_cookie++;
	r->cookie = cookie;
	umn_idtab_add(&umn_io.by_cookie, &r->hn_cookie, NULL, cookie);
	r->sent = true;
	r->forget = (flags & WDF_REQUEST_SEND_OPTION_SEND_AND_FORGET) != 0;
	r->sync = (flags & WDF_REQUEST_SEND_OPTION_SYNCHRONOUS) != 0;
	r->timed_out = false;
	r->status = STATUS_PENDING;
	r->information = 0;
	WDF_REQUEST_COMPLETION_PARAMS_INIT(&r->cparams);
	/* Both references go when the completion arrives (umn_io_sent_complete). */
	umn_object_reference(&t->obj);
	umn_object_reference(&r->obj);
	r->target = t;
	umn_list_add_tail(&t->sent, &r->tlink);
	t->nsent++;
	r->deadline_ns = 0;
	if ((flags & WDF_REQUEST_SEND_OPTION_TIMEOUT) && opts->Timeout) {
		r->deadline_ns = umn_wdf_time_to_mono_ns(opts->Timeout);
		arm_timeout(r);
	}
	memset(&d, 0, sizeof(d));
	d.id = cookie;
	d.device = t->os_device;
	d.file = t->file;
	d.major = r->fmt.major;
	d.ioctl = r->fmt.ioctl;
	d.offset = r->fmt.offset;
	d.in = r->fmt.in;
	d.in_len = r->fmt.in_len;
	d.out = r->fmt.out;
	d.out_len = r->fmt.out_len;
	d.io_type = WdfDeviceIoBuffered;
	d.requestor_mode = umn_runtime_kernel_mode() ? KernelMode : UserMode;
	d.from_user_mode_driver = umn_runtime_kernel_mode() ? FALSE : TRUE;
	d.requestor_pid = umn_runtime_kernel_mode() ? 0 : (uint32_t)getpid();
	d.file_name = "";
	d.origin = r->incoming ? r->id : 0;
	d.irql = umn_irql_current();
	umn_io_unlock();

	st = ops->send(t->dev, d.file, cookie, &d);
	if (NT_SUCCESS(st) || st == STATUS_PENDING) {
		*ret_sent = true;
		if (r->forget) {
			/* No longer the driver's: umn_io_sent_complete completes it. */
			umn_io_lock();
			if (r->sent && r->state == IO_REQ_DRIVER) {
				if (r->queue && umn_list_linked(&r->qlink))
					io_queue_release(r);
				r->state = IO_REQ_FRAMEWORK;
			}
			umn_io_unlock();
		}
		if (r->sync) {
			umn_io_lock();
			while (r->sent && r->cookie == cookie)
				umn_io_wait();
			st = r->status;
			umn_io_unlock();
			return st;
		}
		return STATUS_PENDING;
	}
	umn_io_lock();
	if (r->sent && r->cookie == cookie) {
		unsend(r);
		r->status = st;
		umn_io_unlock();
		umn_object_dereference(&t->obj);
		umn_object_dereference(&r->obj);
	} else {
		umn_io_unlock();
		umn_log(UMN_LOG_ERR,
			"I/O: ops->send failed with 0x%08x for request %llu after completing it",
			(unsigned)st, (unsigned long long)cookie);
	}
	return st;
fail:
	r->status = st;
	umn_io_unlock();
	return st;
}

static void fill_completion_params(struct umn_request *r, NTSTATUS st, ULONG_PTR info)
{
	WDF_REQUEST_COMPLETION_PARAMS *p = &r->cparams;
	const struct io_format *f = &r->fmt;

	WDF_REQUEST_COMPLETION_PARAMS_INIT(p);
	p->Type = type_of(f->major);
	p->IoStatus.Status = st;
	p->IoStatus.Information = info;
	switch (f->major) {
	case UMN_IO_READ:
		p->Parameters.Read.Buffer =
		    f->out_mem ? (WDFMEMORY)umn_object_handle(&f->out_mem->obj) : NULL;
		p->Parameters.Read.Length = info;
		p->Parameters.Read.Offset = f->out_off;
		break;
	case UMN_IO_WRITE:
		p->Parameters.Write.Buffer =
		    f->in_mem ? (WDFMEMORY)umn_object_handle(&f->in_mem->obj) : NULL;
		p->Parameters.Write.Length = info;
		p->Parameters.Write.Offset = f->in_off;
		break;
	case UMN_IO_DEVICE_CONTROL:
	case UMN_IO_INTERNAL_DEVICE_CONTROL:
		p->Parameters.Ioctl.IoControlCode = f->ioctl;
		p->Parameters.Ioctl.Input.Buffer =
		    f->in_mem ? (WDFMEMORY)umn_object_handle(&f->in_mem->obj) : NULL;
		p->Parameters.Ioctl.Input.Offset = f->in_off;
		p->Parameters.Ioctl.Output.Buffer =
		    f->out_mem ? (WDFMEMORY)umn_object_handle(&f->out_mem->obj) : NULL;
		p->Parameters.Ioctl.Output.Offset = f->out_off;
		p->Parameters.Ioctl.Output.Length = info;
		break;
	default:
		break;
	}
}

void umn_io_sent_complete(uint64_t cookie, NTSTATUS status, ULONG_PTR information)
{
	struct umn_iotarget *t, *keep = NULL;
	struct umn_request *r, *fwd = NULL;
	struct umn_idnode *n;

	umn_io_lock();
	n = umn_idtab_find(&umn_io.by_cookie, NULL, cookie);
	if (!n) {
		umn_io_unlock();
		umn_log(UMN_LOG_DEBUG, "I/O: completion for unknown sent request %llu ignored",
			(unsigned long long)cookie);
		return;
	}
	r = umn_list_entry(n, struct umn_request, hn_cookie);
	t = unsend(r);
	/* A request its time-out cancelled reports a time-out; a late success stays. */
	if (r->timed_out && status == STATUS_CANCELLED)
		status = STATUS_IO_TIMEOUT;
	r->status = status;
	r->information = information;
	fill_completion_params(r, status, information);
	if (r->sync) {
		/* The waiting sender wakes (unsend); synchronous sends run no routine. */
	} else if (r->forget) {
		fwd = r;
	} else if (r->cr) {
		/* The routine gets the target; the send's reference on it moves to the task. */
		r->cr_target = t;
		keep = t;
		io_req_post(r, IO_REV_SENT_DONE);
	} else if (r->incoming) {
		umn_log(UMN_LOG_WARN,
			"I/O: request %llu came back from its target with no completion routine; "
			"the driver still has to complete it",
			(unsigned long long)r->id);
	}
	umn_io_unlock();
	if (fwd)
		io_req_complete(fwd, status, information, false);
	if (!keep)
		umn_object_dereference(&t->obj);
	umn_object_dereference(&r->obj);
}

void io_sent_done(struct umn_request *r)
{
	PFN_WDF_REQUEST_COMPLETION_ROUTINE cr;
	struct umn_iotarget *t;
	WDFCONTEXT ctx;

	umn_io_lock();
	cr = r->cr;
	ctx = r->cr_ctx;
	t = r->cr_target;
	r->cr_target = NULL;
	umn_io_unlock();
	if (cr)
		cr(io_req_handle(r), t ? (WDFIOTARGET)umn_object_handle(&t->obj) : NULL,
		   &r->cparams, ctx);
	if (t)
		umn_object_dereference(&t->obj);
}

NTSTATUS io_format(struct umn_request *r, const struct io_format *nf)
{
	struct io_format old;

	umn_io_lock();
	if (r->sent) {
		umn_io_unlock();
		umn_log(UMN_LOG_ERR, "formatting request %p: it is pending at an I/O target",
			(void *)r);
		return STATUS_INVALID_DEVICE_STATE;
	}
	old = r->fmt;
	r->fmt = *nf;
	r->fmt.valid = true;
	if (r->fmt.in_mem)
		umn_object_reference(&r->fmt.in_mem->obj);
	if (r->fmt.out_mem)
		umn_object_reference(&r->fmt.out_mem->obj);
	umn_io_unlock();
	io_format_release(&old);
	return STATUS_SUCCESS;
}

bool io_cancel_sent(struct umn_request *r)
{
	const struct umn_io_ops *ops = umn_io_ops();
	struct umn_iotarget *t = NULL;
	uint64_t cookie = 0;

	umn_io_lock();
	if (r->sent && !r->forget) {
		t = r->target;
		cookie = r->cookie;
		umn_object_reference(&t->obj);
	}
	umn_io_unlock();
	if (!t)
		return false;
	if (ops && ops->cancel_sent)
		ops->cancel_sent(t->dev, cookie);
	umn_object_dereference(&t->obj);
	return true;
}
