/* SPDX-License-Identifier: MIT */
/*
 * Internals shared by the I/O files of the runtime: queues (queue.c,
 * queue_api.c), requests (request.c, request_api.c), file objects
 * (fileobject.c), I/O targets and sends (iotarget.c, iotarget_api.c), and the
 * OS-side entry points and worker threads (io_dispatch.c, io_core.c).
 *
 * Locking. One process-wide mutex, umn_io.lock, guards every field below
 * marked "io lock": queue lists and counts, request states, file tables,
 * sent-request lists. Requests move between queues (forward, requeue) and
 * between queues and targets, so a single lock keeps those moves atomic
 * without a lock order to get wrong; I/O on these devices is control-path
 * traffic, not the packet datapath. The lock is held only for short
 * bookkeeping: never while a driver callback or an ops function runs, and
 * never while an object reference may drop to zero (destruction takes it).
 * It guards the worker list too (io_core.c), which has no lock of its own.
 */
#ifndef UMNIC_RUNTIME_IO_INT_H
#define UMNIC_RUNTIME_IO_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <wdf.h>

#include "common/idtab.h"
#include "common/list.h"
#include "runtime/io/io.h"
#include "runtime/wdf/memory_obj.h"
#include "runtime/wdf/object.h"
#include "runtime/rt.h"

/* Buckets of each id table (common/idtab.h: request ids, cookies, handles, file ids). */
#define IO_HASH_BUCKETS 256

/* Work for the I/O worker threads (io_core.c). */
struct umn_io_task {
	struct umn_io_task *next;
	bool queued; /* io lock */
	/* On a worker, with the io lock held; releases it (umn_io_unlock). */
	void (*run)(struct umn_io_task *t);
};

/*
 * Puts t on the worker list unless it is there already. Returns true if it
 * was added: the caller then owes the task one reference on its object,
 * which the run function drops. Never blocks. Called with the io lock held:
 * the idle worker that takes t is woken when the io lock is released
 * (umn_io_unlock, umn_io_wait).
 */
bool umn_io_task_post(struct umn_io_task *t);

/*
 * Bracket a framework call's wait for another thread (a completion, umnicd's
 * answer). On an I/O worker, the pool then stops counting on that worker to
 * take the next task, and grows at once if no other can. No-ops on any
 * other thread.
 */
void io_worker_wait_begin(void);
void io_worker_wait_end(void);

struct umn_queue;
struct umn_request;
struct umn_fileobj;
struct umn_iotarget;

/* Index of a request type in struct umn_io_dev.by_type. */
enum io_type_slot {
	IO_SLOT_CREATE,
	IO_SLOT_READ,
	IO_SLOT_WRITE,
	IO_SLOT_IOCTL,
	IO_SLOT_INTERNAL_IOCTL,
	IO_SLOT__COUNT
};

/* Per-device I/O state, struct umn_device.io; freed when the device is destroyed. */
struct umn_io_dev {
	struct umn_device *dev;
	/* io lock */
	struct umn_queue *default_queue;
	struct umn_queue *by_type[IO_SLOT__COUNT];
	struct umn_list queues;	 /* struct umn_queue.dev_link */
	struct umn_list targets; /* struct umn_iotarget.dev_link */
	struct umn_iotarget *default_target;
	/* Written under the io lock; atomic for io_callbacks_exit's lock-free check. */
	atomic_bool removed;
	/* Driver callbacks for this device running on workers (io_callbacks_enter). */
	atomic_uint callbacks;
	/*
	 * io lock: EvtIoStop and EvtIoResume calls posted for this device's
	 * requests and not yet returned (io_req_post counts them, the request
	 * task uncounts them), which the power-down and power-up wait for.
	 */
	unsigned power_cbs;
	/* Set before WdfDeviceCreate returns, read-only afterwards. */
	WDF_FILEOBJECT_CONFIG file_config;
	bool file_config_set;
	WDF_OBJECT_ATTRIBUTES file_attrs;
	bool file_attrs_set;
	WDF_OBJECT_ATTRIBUTES request_attrs;
	bool request_attrs_set;
	/*
	 * How the driver wants buffers (WdfDeviceInitSetIoType(Ex)), for the OS
	 * side to apply; requests arrive with the effective type already chosen.
	 */
	WDF_IO_TYPE_CONFIG io_types;
};

/* A pending Stop/Drain/Purge notification or synchronous wait. */
enum io_wait_kind { IO_WAIT_STOP, IO_WAIT_DRAIN, IO_WAIT_PURGE };

struct io_waiter {
	struct io_waiter *next;
	enum io_wait_kind kind;
	PFN_WDF_IO_QUEUE_STATE fn;
	WDFCONTEXT ctx;
	bool sync; /* a ...Synchronously caller waits on umn_io.cond */
	bool done;
};

/* Queue task events (struct umn_queue.events). */
enum {
	IO_QEV_DISPATCH = 1u << 0, /* present the next request(s) */
	IO_QEV_NOTIFY = 1u << 1,   /* run due Stop/Drain/Purge callbacks */
	IO_QEV_READY = 1u << 2,	   /* run the ReadyNotify callback */
};

struct umn_queue {
	struct umn_object obj;
	struct umn_device *dev;
	WDF_IO_QUEUE_CONFIG cfg;
	/* io lock */
	struct umn_list pending; /* framework-owned, struct umn_request.qlink */
	unsigned npending;
	struct umn_list owned; /* presented or retrieved, not yet completed/requeued/forwarded */
	unsigned nowned;
	bool accepting;
	bool dispatching;
	bool purged; /* requeued requests are cancelled, not kept */
	bool deleted;
	bool power_stopped; /* stopped by the device's PnP stop, started by its start */
	struct umn_list dev_link;
	struct io_waiter *waiters;
	struct io_waiter *fire; /* due callbacks for the queue task */
	PFN_WDF_IO_QUEUE_STATE ready_fn;
	WDFCONTEXT ready_ctx;
	unsigned events;
	struct umn_io_task task;
};

/* Where a request is. */
enum io_req_state {
	IO_REQ_FRAMEWORK, /* being routed, or handled by the framework (create/cleanup/close) */
	IO_REQ_QUEUED,	  /* in a queue's pending list */
	IO_REQ_DRIVER,	  /* the driver owns it */
	IO_REQ_DONE,	  /* completed */
};

/* Request task events (struct umn_request.events), run in this order. */
enum {
	IO_REV_FILE = 1u << 0,	 /* CREATE/CLEANUP/CLOSE processing */
	IO_REV_STOP = 1u << 1,	 /* EvtIoStop with stop_flags */
	IO_REV_RESUME = 1u << 2, /* EvtIoResume */
	IO_REV_CANCELED_ON_QUEUE = 1u << 3,
	IO_REV_CANCEL = 1u << 4,    /* EvtRequestCancel */
	IO_REV_SENT_DONE = 1u << 5, /* completion routine of a sent request */
};

/* What a request is formatted to send. */
struct io_format {
	bool valid;
	enum umn_io_major major;
	uint32_t ioctl;
	uint64_t offset;
	void *in;
	size_t in_len;
	void *out;
	size_t out_len;
	/* Referenced memory objects (NULL for raw buffers), and where in them the buffers start. */
	struct umn_memory *in_mem, *out_mem;
	size_t in_off, out_off;
};

struct umn_request {
	struct umn_object obj;
	struct umn_idnode hn_handle; /* umn_io.by_handle, until destroyed */
	struct umn_idnode hn_id;     /* umn_io.by_id, incoming requests until completed */
	struct umn_idnode hn_cookie; /* umn_io.by_cookie, while sent */
	bool incoming;		     /* from umn_io_deliver (else WdfRequestCreate) */

	/* Incoming parameters, immutable after creation. */
	uint64_t id;
	enum umn_io_major major;
	uint32_t ioctl;
	uint64_t offset;
	void *in;
	size_t in_len;
	void *out;
	size_t out_len;
	WDF_DEVICE_IO_TYPE io_type;
	KPROCESSOR_MODE requestor_mode;
	BOOLEAN from_umd;
	uint32_t pid;
	uint32_t access;
	uint64_t file_id; /* the OS side's file object id */
	char *file_name;
	struct umn_device *dev;	  /* referenced; NULL for a driver-created request never sent */
	struct umn_fileobj *file; /* referenced, may be NULL */

	/* io lock from here on. */
	enum io_req_state state;
	bool file_counted;	 /* in file->outstanding */
	struct umn_queue *queue; /* referenced: the queue holding or presenting it */
	struct umn_list qlink;
	bool driver_put_back; /* forwarded or requeued by the driver */
	bool stop_acked;      /* WdfRequestStopAcknowledge(FALSE) since the last stop */
	bool stop_called;
	ULONG stop_flags;
	bool cancelled;
	PFN_WDF_REQUEST_CANCEL cancel_fn;
	bool cancel_taken; /* EvtRequestCancel scheduled or ran */
	NTSTATUS status;
	ULONG_PTR information;
	struct umn_memory *in_mem, *out_mem; /* children of the request */
	unsigned events;
	struct umn_io_task task;
	struct umn_request *batch_next;

	/* Sending. */
	struct io_format fmt;
	PFN_WDF_REQUEST_COMPLETION_ROUTINE cr;
	WDFCONTEXT cr_ctx;
	WDF_REQUEST_COMPLETION_PARAMS cparams;
	struct umn_iotarget *target;	/* referenced while sent */
	struct umn_iotarget *cr_target; /* referenced until the completion routine ran */
	uint64_t cookie;
	bool sent;
	bool forget; /* SEND_AND_FORGET: complete the incoming request when it returns */
	bool sync;   /* a synchronous sender waits for it */
	bool timed_out;
	uint64_t deadline_ns;	    /* 0: none */
	struct umn_list tlink;	    /* target->sent */
	struct umn_list timed_link; /* umn_io.timed */
};

struct umn_fileobj {
	struct umn_object obj;
	struct _FILE_OBJECT wdm; /* WdfFileObjectWdmGetFileObject (in-host drivers) */
	struct umn_idnode hn;	 /* umn_io.files, keyed by id */
	uint64_t id;
	struct umn_device *dev;
	UNICODE_STRING name;
	uint32_t pid;
	/* io lock */
	unsigned outstanding; /* requests on it that are not completed (not create/cleanup/close) */
	struct umn_request *close_req; /* CLOSE waiting for outstanding to reach 0 */
	bool cleaned;		       /* EvtFileCleanup ran */
};

struct umn_iotarget {
	struct umn_object obj;
	struct umn_device *dev;
	bool is_default;
	/* io lock */
	WDF_IO_TARGET_STATE state;
	bool opened_by_name;
	uint64_t file;
	uint32_t os_device;	/* the target's OS device id; UINT32_MAX for the default target */
	uint64_t existing_file; /* UseExistingDevice: the file object given, for reopen */
	struct umn_list sent;	/* struct umn_request.tlink */
	unsigned nsent;
	struct umn_list dev_link;
	/* For WdfIoTargetOpenReopen. */
	char *name_utf8;
	uint32_t access;
	WDF_IO_TARGET_OPEN_TYPE open_type;
};

struct umn_io_state {
	pthread_mutex_t lock;
	/* Broadcast when a synchronous waiter may be done (queue state, sends, target drains). */
	pthread_cond_t cond;
	_Atomic(const struct umn_io_ops *) ops;
	struct umn_idtab by_id;
	struct umn_idtab by_cookie;
	struct umn_idtab by_handle;
	struct umn_idtab files; /* owner: the device */
	struct umn_idnode *bucket[4][IO_HASH_BUCKETS];
	uint64_t next_cookie;
	/* Sends with a time-out, for the timer thread (iotarget.c). */
	struct umn_list timed;
	pthread_cond_t timer_cond;
	bool timer_running;
};

extern struct umn_io_state umn_io;

static inline const struct umn_io_ops *umn_io_ops(void)
{
	/* Acquire: pairs with the release in umn_io_set_ops; the table is complete when seen. */
	return atomic_load_explicit(&umn_io.ops, memory_order_acquire);
}

void umn_io_lock(void);
void umn_io_unlock(void);
/* Waits on umn_io.cond (io lock held). */
void umn_io_wait(void);
/* The same, until deadline (CLOCK_MONOTONIC, umn_deadline_after) at most; false when it passed. */
bool umn_io_wait_until(const struct timespec *deadline);
void umn_io_wake_all(void);

/* Takes a reference unless the count already reached zero. */
bool umn_io_try_ref(struct umn_object *o);

/* A batch of requests the framework completes once the io lock is released. */
struct io_batch {
	struct umn_request *head;
};

static inline void io_batch_add(struct io_batch *b, struct umn_request *r)
{
	r->batch_next = b->head;
	b->head = r;
}

/* Completes every request of b with status (io lock not held). */
void io_batch_complete(struct io_batch *b, NTSTATUS status);

/* io_dispatch.c */
struct umn_io_dev *umn_io_dev_of(struct umn_device *dev);
/*
 * A worker task about to call the driver for io's device (queue and request
 * callbacks): counted so that removing the device waits until they return,
 * as WDF waits for a queue's dispatching to stop before the device's
 * objects go. enter is called with the io lock held, exit without it (and
 * takes it only to wake a removal waiting for the count to reach zero). io
 * may be NULL (nothing counted).
 */
void io_callbacks_enter(struct umn_io_dev *io);
void io_callbacks_exit(struct umn_io_dev *io);
/* Routes r to its queue, or completes it when no queue takes it (io lock not held). */
void io_deliver_to_queue(struct umn_io_dev *io, struct umn_request *r);
/* Runs a driver callback's synchronization: the sync owner lock of o, if any. */
struct umn_object *io_sync_lock(struct umn_object *o);
void io_sync_unlock(struct umn_object *owner);

/* request.c */
/*
 * The live request behind a handle, referenced (release with io_req_put), or
 * NULL with a line naming fn. A completed request the driver still
 * references resolves; a freed one does not, whatever its memory holds now.
 */
struct umn_request *io_req_get(const char *fn, WDFREQUEST h);
void io_req_put(struct umn_request *r);
NTSTATUS io_req_create_incoming(struct umn_device *dev, const struct umn_io_desc *d,
				struct umn_request **ret);
NTSTATUS io_req_create_driver(struct umn_object *parent, const WDF_OBJECT_ATTRIBUTES *attrs,
			      struct umn_device *dev, struct umn_request **ret);
/*
 * Completes r. by_driver: a WdfRequestComplete* call (the driver must own r);
 * otherwise the framework completes r (routing failures, cancels, file
 * operations). Completing twice is logged and ignored.
 */
void io_req_complete(struct umn_request *r, NTSTATUS status, ULONG_PTR info, bool by_driver);
/* Schedules request events (io lock held). */
void io_req_post(struct umn_request *r, unsigned events);
/* The worker task of a request (io_dispatch.c). */
void io_req_task_run(struct umn_io_task *t);
/* Takes the cancel routine for running, if set (io lock held). */
bool io_req_take_cancel(struct umn_request *r);
WDFREQUEST io_req_handle(struct umn_request *r);
const char *io_major_name(enum umn_io_major m);

/* queue.c */
/* The queue for an incoming request of dev, or NULL (io lock held). */
struct umn_queue *io_queue_route(struct umn_io_dev *io, enum umn_io_major major);
bool io_queue_has_handler(struct umn_queue *q, enum umn_io_major major);
/*
 * Puts r at the tail (head) of q's pending list; r must not be in a queue.
 * Returns STATUS_SUCCESS, or a failure and r untouched (io lock held).
 */
NTSTATUS io_queue_insert(struct umn_queue *q, struct umn_request *r, bool head,
			 struct io_batch *cancel);
/* Removes a driver-owned r from its queue's owned list (io lock held). */
void io_queue_release(struct umn_request *r);
/* Cancels a request sitting in a queue (io lock held); framework completions go to b. */
void io_queue_cancel_pending(struct umn_request *r, struct io_batch *b);
/* Re-evaluates q: due waiters, dispatch (io lock held). */
void io_queue_changed(struct umn_queue *q);
/* Stop-acknowledge: requeue at the head or mark acknowledged (io lock held). */
void io_queue_stop_ack(struct umn_request *r, bool requeue, struct io_batch *cancel);
/* Cancels queued requests of file in every queue of io (io lock held). */
void io_queue_flush_file(struct umn_io_dev *io, const struct umn_fileobj *file, struct io_batch *b);
/* Device removal: purge every queue (io lock held). */
void io_queue_device_removed(struct umn_io_dev *io, struct io_batch *b);
/*
 * The device leaves D0 for a PnP stop (io lock held): a power-managed queue
 * that dispatches stops, as WdfIoQueueStop does; w, if not NULL, is armed to
 * be done once the driver completed or acknowledged what it holds. False:
 * the queue is left as it is.
 */
bool io_queue_power_down(struct umn_queue *q, struct io_waiter *w);
/* Unlinks w from q's waiters if it is still there (io lock held). */
void io_queue_forget_waiter(struct umn_queue *q, struct io_waiter *w);
struct umn_queue *io_queue_get(const char *fn, WDFQUEUE h);
NTSTATUS io_queue_create(struct umn_device *dev, const WDF_IO_QUEUE_CONFIG *cfg,
			 const WDF_OBJECT_ATTRIBUTES *attrs, struct umn_queue **ret);
void io_queue_start(struct umn_queue *q);
void io_queue_stop(struct umn_queue *q, enum io_wait_kind kind, PFN_WDF_IO_QUEUE_STATE fn,
		   WDFCONTEXT ctx, bool sync);
NTSTATUS io_queue_retrieve(struct umn_queue *q, const struct umn_fileobj *file,
			   struct umn_request *found, struct umn_request **ret);
NTSTATUS io_queue_find(struct umn_queue *q, struct umn_request *after,
		       const struct umn_fileobj *file, struct umn_request **ret);
NTSTATUS io_queue_ready_notify(struct umn_queue *q, PFN_WDF_IO_QUEUE_STATE fn, WDFCONTEXT ctx);
WDF_IO_QUEUE_STATE io_queue_state(struct umn_queue *q, ULONG *queued, ULONG *driver);

/* fileobject.c */
struct umn_fileobj *io_file_lookup(struct umn_device *dev, uint64_t id); /* io lock held */
/* CREATE/CLEANUP/CLOSE on a worker thread (the request's IO_REV_FILE). */
void io_file_process(struct umn_request *r);
/* Delivery of CREATE/CLEANUP/CLOSE (io lock not held). */
void io_file_deliver(struct umn_io_dev *io, struct umn_request *r);
/* A request on file finished (io lock held). */
void io_file_request_done(struct umn_fileobj *file);
/* A CREATE completed with a failure: the file object goes (io lock held; returns it to delete). */
struct umn_fileobj *io_file_create_failed(struct umn_request *r);
char *io_wide_to_utf8(PCUNICODE_STRING u, const char *fn, const char *what);

/* request.c, behind request_api.c */
NTSTATUS io_req_mark_cancelable(struct umn_request *r, PFN_WDF_REQUEST_CANCEL fn, bool ex);
NTSTATUS io_req_unmark_cancelable(struct umn_request *r);
BOOLEAN io_req_is_canceled(struct umn_request *r);
/* Forward to dest, or (requeue) back to the head of r's manual queue. */
NTSTATUS io_req_move(struct umn_request *r, struct umn_queue *dest, bool requeue, const char *fn);
void io_req_stop_ack(struct umn_request *r, bool requeue);
/* STATUS_INVALID_DEVICE_REQUEST (no such buffer), STATUS_BUFFER_TOO_SMALL (empty or below min). */
NTSTATUS io_req_buffer(struct umn_request *r, bool output, size_t min, void **buf, size_t *len);
NTSTATUS io_req_memory(struct umn_request *r, bool output, struct umn_memory **ret);
/* request_api.c */
void io_req_parameters(struct umn_request *r, WDF_REQUEST_PARAMETERS *p);

/* iotarget.c */
/*
 * Sends r (formatted) to t; *ret_sent tells whether ops->send took it.
 * Returns STATUS_PENDING for an asynchronous send, the completion status
 * for a synchronous one (after waiting), or why it was not sent; the
 * request's status is set to the same.
 */
NTSTATUS io_send(struct umn_request *r, struct umn_iotarget *t,
		 const WDF_REQUEST_SEND_OPTIONS *opts, bool *ret_sent);
struct umn_iotarget *io_target_get(const char *fn, WDFIOTARGET h);
/* Runs r's completion routine (worker thread). */
void io_sent_done(struct umn_request *r);
/* Device removal: asks the OS side to cancel what the device's targets sent (io lock not held). */
void io_target_device_removed(struct umn_io_dev *io);
void io_format_release(struct io_format *f);
/* Replaces r's format (memory objects in nf get referenced). */
NTSTATUS io_format(struct umn_request *r, const struct io_format *nf);
bool io_cancel_sent(struct umn_request *r);
NTSTATUS io_target_create(struct umn_device *dev, const WDF_OBJECT_ATTRIBUTES *attrs,
			  bool is_default, struct umn_iotarget **ret);
struct umn_iotarget *io_target_default(struct umn_device *dev);
/*
 * Takes ownership of name. For UseExistingDevice, os_device and file name the
 * device and file object (0: none) to send to.
 */
NTSTATUS io_target_open(struct umn_iotarget *t, WDF_IO_TARGET_OPEN_TYPE type, char *name,
			uint32_t access, uint32_t os_device, uint64_t file);
void io_target_close(struct umn_iotarget *t, bool for_query_remove);
NTSTATUS io_target_start(struct umn_iotarget *t);
void io_target_stop(struct umn_iotarget *t, WDF_IO_TARGET_SENT_IO_ACTION action);
WDF_IO_TARGET_STATE io_target_state(struct umn_iotarget *t);

/* iotarget_api.c */
NTSTATUS io_check_send_options(const char *fn, struct umn_request *r,
			       const WDF_REQUEST_SEND_OPTIONS *opts);

/* KMDF-only entry points, declared by the headers only with _KERNEL_MODE. */
NTSTATUS WdfIoTargetSendInternalIoctlSynchronously(WDFIOTARGET IoTarget, WDFREQUEST Request,
						   ULONG IoctlCode,
						   PWDF_MEMORY_DESCRIPTOR InputBuffer,
						   PWDF_MEMORY_DESCRIPTOR OutputBuffer,
						   PWDF_REQUEST_SEND_OPTIONS RequestOptions,
						   PULONG_PTR BytesReturned);
NTSTATUS WdfIoTargetFormatRequestForInternalIoctl(WDFIOTARGET IoTarget, WDFREQUEST Request,
						  ULONG IoctlCode, WDFMEMORY InputBuffer,
						  PWDFMEMORY_OFFSET InputBufferOffset,
						  WDFMEMORY OutputBuffer,
						  PWDFMEMORY_OFFSET OutputBufferOffset);

#endif
