/* SPDX-License-Identifier: MIT */
/*
 * The runtime's I/O requests as the OS side sees them: how requests reach the
 * driver's queues and file objects, and how completions and the driver's own
 * sends go back. The transport (umnicd over the host socket, or direct calls
 * for an in-host driver) fills struct umn_io_ops and calls the entry points.
 *
 * Threads: every entry point may be called from any thread and returns
 * without waiting for the driver; driver callbacks run on the runtime's I/O
 * worker threads. The ops may be called from any thread, including from
 * inside a driver callback and at DISPATCH_LEVEL, and must not block:
 * queue the work and return.
 */
#ifndef UMNIC_RUNTIME_IO_H
#define UMNIC_RUNTIME_IO_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#include <wdf.h>

struct umn_device;

/* One request as the OS side hands it to the runtime. The runtime copies what it keeps. */
enum umn_io_major {
	UMN_IO_CREATE = IRP_MJ_CREATE,
	UMN_IO_CLOSE = IRP_MJ_CLOSE,
	UMN_IO_READ = IRP_MJ_READ,
	UMN_IO_WRITE = IRP_MJ_WRITE,
	UMN_IO_DEVICE_CONTROL = IRP_MJ_DEVICE_CONTROL,
	UMN_IO_INTERNAL_DEVICE_CONTROL = IRP_MJ_INTERNAL_DEVICE_CONTROL,
	UMN_IO_CLEANUP = IRP_MJ_CLEANUP,
};

struct umn_io_desc {
	uint64_t id;	 /* OS-side request id, echoed in completion */
	uint32_t device; /* struct umn_device id */
	uint64_t file;	 /* OS-side file object id; 0 = no file object */
	enum umn_io_major major;
	uint32_t ioctl;	 /* for (internal) device control */
	uint64_t offset; /* read/write DeviceOffset */
	/* Input buffer (write data, IOCTL input); owned by the OS side until completion. */
	void *in;
	size_t in_len;
	/* Output buffer (read data, IOCTL output). */
	void *out;
	size_t out_len;
	/* Effective: WdfDeviceIoBuffered or WdfDeviceIoDirect (METHOD_NEITHER already resolved). */
	WDF_DEVICE_IO_TYPE io_type;
	KPROCESSOR_MODE requestor_mode; /* KernelMode / UserMode */
	BOOLEAN from_user_mode_driver;
	uint32_t requestor_pid;
	uint32_t desired_access; /* for CREATE */
	/* For CREATE: the reference string / path after the device name, UTF-8, may be "". */
	const char *file_name;
	/*
	 * Sends only (ops->send): the incoming request being forwarded (its id),
	 * 0 for a request the driver built itself; and the sender's IRQL.
	 */
	uint64_t origin;
	KIRQL irql;
};

/* The OS side's calls that do not fit one line (struct umn_io_ops). */
typedef NTSTATUS umn_io_send_fn(struct umn_device *dev, uint64_t target_file, uint64_t cookie,
				const struct umn_io_desc *desc);
typedef NTSTATUS umn_io_open_target_fn(struct umn_device *dev, const char *name_utf8,
				       uint32_t access, uint64_t *ret_file, uint32_t *ret_device);
typedef NTSTATUS umn_io_register_interface_fn(struct umn_device *dev, const GUID *guid,
					      const char *ref_utf8);

struct umn_io_ops {
	/*
	 * Completion of a request the OS side delivered: status, and Information
	 * (how many bytes of desc.out are valid for reads and IOCTLs). Passed on
	 * exactly as the driver gave it; the OS side enforces the limits.
	 */
	void (*complete)(uint64_t id, NTSTATUS status, ULONG_PTR information);
	/*
	 * A driver-created request sent to an I/O target (WdfRequestSend etc.):
	 * the OS side routes it and later calls umn_io_sent_complete(cookie, ...),
	 * possibly before send returns. Return STATUS_PENDING or a failure (then
	 * no completion follows). desc->id is the cookie, desc->device the
	 * target's OS device id (UINT32_MAX: the device's own stack, which has
	 * nothing below it); buffers stay valid until the completion.
	 */
	umn_io_send_fn *send;
	/*
	 * ByName open → OS file id and the target's OS device id. dev is the
	 * opening device, NULL for IoGetDeviceObjectPointer. Called at
	 * PASSIVE_LEVEL; may wait.
	 */
	umn_io_open_target_fn *open_target;
	void (*close_target)(struct umn_device *dev, uint64_t file);
	/* Ask the target to cancel a sent request; its completion still follows. */
	void (*cancel_sent)(struct umn_device *dev, uint64_t cookie);
	umn_io_register_interface_fn *register_interface;
	NTSTATUS (*register_symlink)(struct umn_device *dev, const char *name_utf8);
	/*
	 * Optional: sends what complete held back (umn_io_may_hold said so).
	 * The workers call it before they wait for anything.
	 */
	void (*flush)(void);
};

/* Installs the OS side (NULL detaches it). Set it before the first device is added. */
void umn_io_set_ops(const struct umn_io_ops *ops);

/*
 * Serves the OS side's socket on the runtime's I/O workers: read() waits for
 * and handles one batch of messages (it may call the entry points below) and
 * returns false once the other side is gone. The calling thread joins the
 * workers and returns after read() returned false. A request read this way
 * runs its callback on the worker that read it (io_core.c).
 */
void umn_io_serve(bool (*read)(void));
/* A thread outside the workers is about to wait for an answer through the socket. */
void umn_io_reader_needed(void);
/*
 * True on the worker that read a batch and now runs its requests: a
 * completion may wait to leave with the batch's others, since this worker
 * calls ops->flush before it waits for anything (and the watchdog does if
 * it stays away).
 */
bool umn_io_may_hold(void);

/* Entry points for the OS side (may be called from any thread). */

/*
 * Dispatches one request: CREATE/CLEANUP/CLOSE to the file object callbacks,
 * the rest to the queue configured for the type or the default queue.
 * Requests the framework refuses are completed through ops->complete before
 * this returns: unknown device STATUS_NO_SUCH_DEVICE, removed device
 * STATUS_DEVICE_REMOVED, no queue or no callback for the type
 * STATUS_INVALID_DEVICE_REQUEST, queue not accepting STATUS_INVALID_DEVICE_STATE.
 */
void umn_io_deliver(const struct umn_io_desc *desc);

/*
 * The requestor cancelled: a request still in a queue is completed with
 * STATUS_CANCELLED (or handed to EvtIoCanceledOnQueue); a cancelable one
 * gets its EvtRequestCancel; otherwise WdfRequestIsCanceled turns TRUE and
 * a later WdfRequestMarkCancelable runs the cancel routine. Unknown ids are
 * ignored (the request completed meanwhile).
 */
void umn_io_cancel(uint64_t id);

/* Completion of a request the driver sent (cookie from ops->send). */
void umn_io_sent_complete(uint64_t cookie, NTSTATUS status, ULONG_PTR information);

/*
 * The device is going away (also called by umn_rt_remove_device; a second
 * call does nothing). Every queue stops accepting; requests still in a queue
 * are completed with STATUS_CANCELLED (or go to EvtIoCanceledOnQueue);
 * requests the driver holds get EvtIoStop with WdfRequestStopActionPurge, or
 * their EvtRequestCancel when the queue has no EvtIoStop; requests the driver
 * sent are cancelled. Requests the driver keeps anyway stay outstanding until
 * it completes them or the OS side gives up on them. New CREATE, READ, WRITE
 * and IOCTL requests are completed with STATUS_DEVICE_REMOVED; CLEANUP and
 * CLOSE still reach the file object callbacks.
 */
void umn_io_device_removed(uint32_t device);

/*
 * The device leaves D0 for a PnP stop and keeps its objects. As in WDF, each
 * power-managed queue stops presenting requests and goes on accepting them
 * (they wait for the start); requests the driver holds from it get EvtIoStop
 * with WdfRequestStopActionSuspend, and the stop waits, up to
 * UMN_IO_POWER_DOWN_WAIT_S, until the driver has completed, requeued or
 * acknowledged each and every EvtIoStop has returned. Queues that are not
 * power-managed go on dispatching.
 * Returns how many held requests were still not acknowledged at the end.
 */
#define UMN_IO_POWER_DOWN_WAIT_S 10
unsigned umn_io_device_power_down(uint32_t device);
/*
 * Back in D0: the queues the power-down stopped present requests again, and
 * requests the driver kept through the stop get EvtIoResume; as in WDF, this
 * returns once those calls have returned (waiting at most
 * UMN_IO_POWER_UP_WAIT_S).
 */
#define UMN_IO_POWER_UP_WAIT_S 10
void umn_io_device_power_up(uint32_t device);

#endif
