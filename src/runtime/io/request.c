// SPDX-License-Identifier: MIT
/*
 * Request objects: creation from what the OS side delivered, the handle
 * table, completion, cancellation state, and the logic behind the
 * WdfRequest* entry points of request_api.c.
 *
 * Lifetime. An incoming request is created by umn_io_deliver with no parent
 * and deleted by the framework right after its completion went to the OS
 * side; a driver that called WdfObjectReference keeps the memory (and a
 * handle that still resolves) until it dereferences. Every handle passed to
 * a WdfRequest* function is looked up in umn_io.by_handle first, so a
 * stale handle (completed twice, used after completion) is reported instead
 * of touching freed memory.
 */
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "runtime/io/io_int.h"
#include "runtime/wdf/verifier.h"

const char *io_major_name(enum umn_io_major m)
{
	switch (m) {
	case UMN_IO_CREATE:
		return "create";
	case UMN_IO_CLOSE:
		return "close";
	case UMN_IO_READ:
		return "read";
	case UMN_IO_WRITE:
		return "write";
	case UMN_IO_DEVICE_CONTROL:
		return "device control";
	case UMN_IO_INTERNAL_DEVICE_CONTROL:
		return "internal device control";
	case UMN_IO_CLEANUP:
		return "cleanup";
	}
	return "unknown";
}

WDFREQUEST io_req_handle(struct umn_request *r)
{
	return (WDFREQUEST)umn_object_handle(&r->obj);
}

static void request_on_delete(struct umn_object *o)
{
	struct umn_request *r = (struct umn_request *)o;
	struct io_format fmt = {0};
	bool sent;

	/*
	 * The format references its memory objects, which are often the
	 * request's own children and reference it in turn: drop the format now,
	 * or neither would ever be freed.
	 */
	umn_io_lock();
	sent = r->sent;
	if (!sent) {
		fmt = r->fmt;
		memset(&r->fmt, 0, sizeof(r->fmt));
	}
	umn_io_unlock();
	io_format_release(&fmt);
	/* The send keeps its own reference, so the memory outlives this; the handle does not. */
	if (sent)
		umn_verifier_violation(r->dev, UMN_RULE_REQUEST_NOT_OWNED,
				       STATUS_INVALID_DEVICE_STATE,
				       "WdfObjectDelete: request %p is still pending at an I/O "
				       "target; cancel it and wait for its completion first",
				       (void *)o);
}

static void request_on_destroy(struct umn_object *o)
{
	struct umn_request *r = (struct umn_request *)o;

	umn_io_lock();
	umn_idtab_del(&r->hn_handle);
	umn_idtab_del(&r->hn_id);
	umn_idtab_del(&r->hn_cookie);
	if (umn_list_linked(&r->timed_link))
		umn_list_del(&r->timed_link);
	umn_io_unlock();
	io_format_release(&r->fmt);
	free(r->file_name);
	if (r->file)
		umn_object_dereference(&r->file->obj);
	if (r->queue)
		umn_object_dereference(&r->queue->obj);
	if (r->target)
		umn_object_dereference(&r->target->obj);
	if (r->cr_target)
		umn_object_dereference(&r->cr_target->obj);
	if (r->dev)
		umn_object_dereference(&r->dev->obj);
}

static const struct umn_object_ops request_ops = {
    .on_delete = request_on_delete,
    .on_destroy = request_on_destroy,
};

static void request_init(struct umn_request *r)
{
	umn_list_init(&r->qlink);
	umn_list_init(&r->tlink);
	umn_list_init(&r->timed_link);
	r->task.run = io_req_task_run;
	WDF_REQUEST_COMPLETION_PARAMS_INIT(&r->cparams);
}

NTSTATUS io_req_create_incoming(struct umn_device *dev, const struct umn_io_desc *d,
				struct umn_request **ret)
{
	struct umn_io_dev *io = umn_io_dev_of(dev);
	struct umn_request *r;
	struct umn_object *o;
	char *name = NULL;
	NTSTATUS st;

	if (d->major == UMN_IO_CREATE) {
		name = strdup(d->file_name ? d->file_name : "");
		if (!name)
			return STATUS_INSUFFICIENT_RESOURCES;
	}
	st = umn_object_create(UMN_OBJ_REQUEST, sizeof(*r),
			       io->request_attrs_set ? &io->request_attrs : NULL, NULL,
			       &request_ops, &o);
	if (!NT_SUCCESS(st)) {
		free(name);
		return st;
	}
	r = (struct umn_request *)o;
	request_init(r);
	r->incoming = true;
	r->id = d->id;
	r->major = d->major;
	r->ioctl = d->ioctl;
	r->offset = d->offset;
	r->in = d->in_len ? d->in : NULL;
	r->in_len = d->in ? d->in_len : 0;
	r->out = d->out_len ? d->out : NULL;
	r->out_len = d->out ? d->out_len : 0;
	r->io_type = d->io_type == WdfDeviceIoDirect ? WdfDeviceIoDirect : WdfDeviceIoBuffered;
	r->requestor_mode = d->requestor_mode == KernelMode ? KernelMode : UserMode;
	r->from_umd = d->from_user_mode_driver ? TRUE : FALSE;
	r->pid = d->requestor_pid;
	r->access = d->desired_access;
	r->file_id = d->file;
	r->file_name = name;
	r->state = IO_REQ_FRAMEWORK;
	r->status = STATUS_PENDING;
	umn_object_reference(&dev->obj);
	r->dev = dev;
	/* Only the framework deletes a request it presented. */
	umn_object_set_no_driver_delete(o, true);

	umn_io_lock();
	if (d->major != UMN_IO_CREATE && d->file) {
		struct umn_fileobj *f = io_file_lookup(dev, d->file);

		if (f) {
			umn_object_reference(&f->obj);
			r->file = f;
			if (d->major != UMN_IO_CLEANUP && d->major != UMN_IO_CLOSE) {
				f->outstanding++;
				r->file_counted = true;
			}
		}
	}
	umn_idtab_add(&umn_io.by_handle, &r->hn_handle, NULL, (uint64_t)(uintptr_t)r);
	umn_idtab_add(&umn_io.by_id, &r->hn_id, NULL, r->id);
	umn_io_unlock();
	*ret = r;
	return STATUS_SUCCESS;
}

NTSTATUS io_req_create_driver(struct umn_object *parent, const WDF_OBJECT_ATTRIBUTES *attrs,
			      struct umn_device *dev, struct umn_request **ret)
{
	struct umn_request *r;
	struct umn_object *o;
	NTSTATUS st;

	st = umn_object_create(UMN_OBJ_REQUEST, sizeof(*r), attrs, parent, &request_ops, &o);
	if (!NT_SUCCESS(st))
		return st;
	r = (struct umn_request *)o;
	request_init(r);
	r->state = IO_REQ_DRIVER;
	r->status = STATUS_SUCCESS;
	r->io_type = WdfDeviceIoBuffered;
	r->requestor_mode = KernelMode;
	if (dev) {
		umn_object_reference(&dev->obj);
		r->dev = dev;
	}
	umn_io_lock();
	umn_idtab_add(&umn_io.by_handle, &r->hn_handle, NULL, (uint64_t)(uintptr_t)r);
	umn_io_unlock();
	*ret = r;
	return STATUS_SUCCESS;
}

struct umn_request *io_req_get(const char *fn, WDFREQUEST h)
{
	struct umn_request *r = NULL;
	struct umn_idnode *n;

	umn_io_lock();
	n = umn_idtab_find(&umn_io.by_handle, NULL, (uint64_t)(uintptr_t)h);
	if (n && umn_io_try_ref(&umn_list_entry(n, struct umn_request, hn_handle)->obj))
		r = umn_list_entry(n, struct umn_request, hn_handle);
	umn_io_unlock();
	if (!r)
		umn_verifier_violation(NULL, UMN_RULE_REQUEST_TWICE, STATUS_INVALID_HANDLE,
				       "%s: %p is not a live WDFREQUEST (completed and released "
				       "already, or never a request)",
				       fn, (void *)h);
	return r;
}

void io_req_put(struct umn_request *r)
{
	if (r)
		umn_object_dereference(&r->obj);
}

bool io_req_take_cancel(struct umn_request *r)
{
	if (!r->cancel_fn || r->cancel_taken)
		return false;
	r->cancel_taken = true;
	return true;
}

/* Bytes of the output buffer a successful completion may report, or SIZE_MAX when unchecked. */
static size_t info_limit(const struct umn_request *r)
{
	if (r->major == UMN_IO_READ)
		return r->out_len;
	if ((r->major == UMN_IO_DEVICE_CONTROL || r->major == UMN_IO_INTERNAL_DEVICE_CONTROL) &&
	    (METHOD_FROM_CTL_CODE(r->ioctl) == METHOD_BUFFERED ||
	     r->io_type == WdfDeviceIoBuffered))
		return r->out_len;
	return SIZE_MAX;
}

void io_req_complete(struct umn_request *r, NTSTATUS status, ULONG_PTR info, bool by_driver)
{
	const struct umn_io_ops *ops = umn_io_ops();
	struct umn_fileobj *failed_file = NULL;
	struct umn_queue *q = NULL;
	enum io_req_state state;
	bool cancelable = false;
	size_t limit;

	umn_io_lock();
	state = r->state;
	if (state == IO_REQ_DONE ||
	    (by_driver && (state != IO_REQ_DRIVER || r->sent || !r->incoming))) {
		bool sent = r->sent, incoming = r->incoming;

		umn_io_unlock();
		if (state == IO_REQ_DONE)
			umn_verifier_violation(r->dev, UMN_RULE_REQUEST_TWICE,
					       STATUS_INVALID_DEVICE_STATE,
					       "request %p (%s %llu) completed again with 0x%08x; "
					       "the second completion is ignored",
					       (void *)r, io_major_name(r->major),
					       (unsigned long long)r->id, (unsigned)status);
		else
			umn_verifier_violation(
			    r->dev, UMN_RULE_REQUEST_NOT_OWNED, STATUS_INVALID_DEVICE_STATE,
			    "WdfRequestComplete: request %p %s; not completed", (void *)r,
			    !incoming ? "was created by the driver (delete it instead)"
			    : sent    ? "is pending at an I/O target"
				      : "is in a queue, not owned by the driver");
		return;
	}
	if (r->cancel_fn && by_driver) {
		cancelable = true;
		r->cancel_fn = NULL;
	}
	r->state = IO_REQ_DONE;
	r->status = status;
	r->information = info;
	umn_idtab_del(&r->hn_id);
	if (r->major == UMN_IO_CREATE && !NT_SUCCESS(status))
		failed_file = io_file_create_failed(r);
	umn_io_unlock();

	if (cancelable)
		umn_verifier_violation(r->dev, UMN_RULE_REQUEST_CANCELABLE, STATUS_SUCCESS,
				       "request %p (%s %llu) completed while marked cancelable; "
				       "call WdfRequestUnmarkCancelable first",
				       (void *)r, io_major_name(r->major),
				       (unsigned long long)r->id);
	limit = info_limit(r);
	if (!NT_ERROR(status) && info > limit) {
		char text[256];

		/* Passed on unchanged: umnicd enforces the rule and must see the real value. */
		umn_verifier_format(text, sizeof(text), UMN_RULE_REQUEST_INFORMATION,
				    "%s request %llu completed with Information %lu but its output "
				    "buffer has %zu bytes",
				    io_major_name(r->major), (unsigned long long)r->id,
				    (unsigned long)info, limit);
		umn_log(UMN_LOG_WARN, "%s", text);
	}
	if (ops && ops->complete)
		ops->complete(r->id, status, info);
	else
		umn_log(UMN_LOG_ERR,
			"I/O: request %llu completed with 0x%08x but no OS side is attached",
			(unsigned long long)r->id, (unsigned)status);

	/*
	 * Only now does the request stop counting for its queue and file: a
	 * Stop/Purge/Drain notification, the next request of a sequential queue
	 * and EvtFileClose all come after the OS side saw the completion.
	 */
	umn_io_lock();
	/* Linked means the queue's owned list; framework-cancelled ones were unlinked. */
	if (r->queue && umn_list_linked(&r->qlink))
		io_queue_release(r);
	q = r->queue;
	r->queue = NULL;
	if (r->file_counted) {
		r->file_counted = false;
		io_file_request_done(r->file);
	}
	umn_io_unlock();
	if (failed_file) {
		umn_object_delete(&failed_file->obj);
		umn_object_dereference(&failed_file->obj);
	}
	umn_object_delete(&r->obj);
	if (q)
		umn_object_dereference(&q->obj);
}

NTSTATUS io_req_mark_cancelable(struct umn_request *r, PFN_WDF_REQUEST_CANCEL fn, bool ex)
{
	NTSTATUS st = STATUS_SUCCESS;

	umn_io_lock();
	if (r->state != IO_REQ_DRIVER || !r->incoming) {
		umn_io_unlock();
		return umn_verifier_violation(
		    r->dev, UMN_RULE_REQUEST_NOT_OWNED, STATUS_INVALID_DEVICE_REQUEST,
		    "WdfRequestMarkCancelable: request %p is not owned by the driver", (void *)r);
	}
	if (r->cancelled && ex) {
		st = STATUS_CANCELLED;
	} else {
		r->cancel_fn = fn;
		r->cancel_taken = false;
		/* Already cancelled: WdfRequestMarkCancelable runs the routine (on a worker, not
		 * here). */
		if (r->cancelled && io_req_take_cancel(r))
			io_req_post(r, IO_REV_CANCEL);
	}
	umn_io_unlock();
	return st;
}

NTSTATUS io_req_unmark_cancelable(struct umn_request *r)
{
	NTSTATUS st;

	umn_io_lock();
	if (r->cancel_taken) {
		st = STATUS_CANCELLED;
	} else if (r->cancel_fn) {
		r->cancel_fn = NULL;
		st = STATUS_SUCCESS;
	} else {
		st = STATUS_INVALID_DEVICE_REQUEST;
	}
	umn_io_unlock();
	if (st == STATUS_INVALID_DEVICE_REQUEST)
		umn_log(UMN_LOG_ERR,
			"WdfRequestUnmarkCancelable: request %p is not marked cancelable",
			(void *)r);
	return st;
}

BOOLEAN io_req_is_canceled(struct umn_request *r)
{
	BOOLEAN c;

	umn_io_lock();
	c = r->cancelled ? TRUE : FALSE;
	umn_io_unlock();
	return c;
}

/* Moves a driver-owned request to dest (forward) or back to the head of its queue (requeue). */
NTSTATUS io_req_move(struct umn_request *r, struct umn_queue *dest, bool requeue, const char *fn)
{
	struct io_batch cancel = {0};
	struct umn_queue *src, *drop = NULL;
	NTSTATUS st;

	umn_io_lock();
	src = r->queue;
	if (r->state != IO_REQ_DRIVER || !r->incoming || r->sent) {
		st = STATUS_INVALID_DEVICE_REQUEST;
		umn_log(UMN_LOG_ERR, "%s: request %p is not owned by the driver", fn, (void *)r);
		goto out;
	}
	if (r->cancel_fn) {
		st = STATUS_INVALID_DEVICE_REQUEST;
		umn_log(
		    UMN_LOG_ERR,
		    "%s: request %p is marked cancelable; call WdfRequestUnmarkCancelable first",
		    fn, (void *)r);
		goto out;
	}
	if (requeue) {
		if (!src) {
			st = STATUS_INVALID_DEVICE_REQUEST;
			umn_log(UMN_LOG_ERR, "%s: request %p did not come from a queue", fn,
				(void *)r);
			goto out;
		}
		if (src->cfg.DispatchType != WdfIoQueueDispatchManual) {
			st = STATUS_INVALID_DEVICE_REQUEST;
			umn_log(UMN_LOG_ERR, "%s: request %p came from a queue that is not manual",
				fn, (void *)r);
			goto out;
		}
		dest = src;
	} else {
		if (dest->dev != r->dev) {
			st = STATUS_INVALID_DEVICE_REQUEST;
			umn_log(UMN_LOG_ERR, "%s: the queue belongs to another device", fn);
			goto out;
		}
		if (dest == src) {
			st = STATUS_INVALID_DEVICE_REQUEST;
			umn_log(UMN_LOG_ERR, "%s: the request is already from that queue", fn);
			goto out;
		}
		if (!io_queue_has_handler(dest, r->major)) {
			st = STATUS_INVALID_DEVICE_REQUEST;
			umn_log(UMN_LOG_ERR, "%s: the queue has no callback for %s requests", fn,
				io_major_name(r->major));
			goto out;
		}
		if (!dest->accepting) {
			st = STATUS_WDF_BUSY;
			goto out;
		}
	}
	if (dest->deleted) {
		st = STATUS_INVALID_DEVICE_STATE;
		goto out;
	}
	if (src && umn_list_linked(&r->qlink))
		io_queue_release(r);
	r->driver_put_back = true;
	/* The request now references dest; its reference on src is dropped below. */
	io_queue_insert(dest, r, requeue, &cancel);
	if (src != dest)
		drop = src;
	st = STATUS_SUCCESS;
out:
	umn_io_unlock();
	io_batch_complete(&cancel, STATUS_CANCELLED);
	if (drop)
		umn_object_dereference(&drop->obj);
	return st;
}

void io_req_stop_ack(struct umn_request *r, bool requeue)
{
	struct io_batch cancel = {0};

	umn_io_lock();
	if (r->state != IO_REQ_DRIVER || !r->queue || !umn_list_linked(&r->qlink))
		umn_log(UMN_LOG_ERR,
			"WdfRequestStopAcknowledge: request %p is not a driver-owned request from "
			"a queue",
			(void *)r);
	else if (requeue && r->cancel_fn)
		umn_log(UMN_LOG_ERR,
			"WdfRequestStopAcknowledge: request %p is still cancelable; unmark it "
			"before requeueing",
			(void *)r);
	else
		io_queue_stop_ack(r, requeue, &cancel);
	umn_io_unlock();
	io_batch_complete(&cancel, STATUS_CANCELLED);
}

/*
 * The request's input or output buffer. Reads have only an output buffer,
 * writes only an input buffer, IOCTLs both (either may be empty).
 */
NTSTATUS io_req_buffer(struct umn_request *r, bool output, size_t min, void **buf, size_t *len)
{
	bool has;

	switch (r->major) {
	case UMN_IO_READ:
		has = output;
		break;
	case UMN_IO_WRITE:
		has = !output;
		break;
	case UMN_IO_DEVICE_CONTROL:
	case UMN_IO_INTERNAL_DEVICE_CONTROL:
		has = true;
		break;
	default:
		has = false;
		break;
	}
	if (!r->incoming || !has)
		return STATUS_INVALID_DEVICE_REQUEST;
	*buf = output ? r->out : r->in;
	*len = output ? r->out_len : r->in_len;
	if (*len == 0 || *len < min)
		return STATUS_BUFFER_TOO_SMALL;
	return STATUS_SUCCESS;
}

NTSTATUS io_req_memory(struct umn_request *r, bool output, struct umn_memory **ret)
{
	struct umn_memory **slot = output ? &r->out_mem : &r->in_mem;
	struct umn_memory *m;
	void *buf;
	size_t len;
	NTSTATUS st;

	st = io_req_buffer(r, output, 0, &buf, &len);
	if (!NT_SUCCESS(st))
		return st;
	umn_io_lock();
	m = *slot;
	umn_io_unlock();
	if (m) {
		*ret = m;
		return STATUS_SUCCESS;
	}
	st = umn_memory_wrap(&r->obj, NULL, buf, len,
			     UMN_MEMORY_FRAMEWORK_OWNED | (output ? 0 : UMN_MEMORY_READ_ONLY), &m);
	if (!NT_SUCCESS(st))
		return st;
	umn_io_lock();
	if (*slot) {
		/* Another thread got there first; keep one object per buffer. */
		struct umn_memory *other = *slot;

		umn_io_unlock();
		umn_object_delete(&m->obj);
		*ret = other;
		return STATUS_SUCCESS;
	}
	*slot = m;
	umn_io_unlock();
	*ret = m;
	return STATUS_SUCCESS;
}
