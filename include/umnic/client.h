/* SPDX-License-Identifier: MIT */
/*
 * libumnic: how applications send I/O requests to umnic drivers, the way
 * Win32 programs use CreateFile/ReadFile/DeviceIoControl. pkg-config: umnic.
 *
 * A client is one connection to umnicd (RUN_DIR/umnic-io.sock). It may be
 * used from several threads at once. Results are NTSTATUS values as the
 * driver (or umnicd) completed the request; umnic_status_name() names them.
 *
 * Statuses the library itself produces:
 *   STATUS_INVALID_PARAMETER   a NULL client/buffer, a length over 64 MiB, a name too long
 *   STATUS_INVALID_HANDLE      handle 0
 *   STATUS_OBJECT_NAME_INVALID a name of 256 bytes or more
 *   STATUS_INSUFFICIENT_RESOURCES  out of memory or memfds
 *   STATUS_DEVICE_REMOVED      the connection to umnicd is gone (it closed, failed, or sent a
 *                              malformed message): every request pending then completes with
 *                              it exactly once, and later calls return it at once
 *   STATUS_IO_TIMEOUT          a *_timeout call ran out of time (the request is cancelled)
 *   STATUS_BUFFER_OVERFLOW     umnicd returned more output than the buffer holds (or an
 *                              Information above its size on success): the buffer is filled,
 *                              the rest dropped, Information is the bytes stored
 *   STATUS_CANCELLED           umnic_disconnect with asynchronous requests still pending
 */
#ifndef UMNIC_CLIENT_H
#define UMNIC_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include <ntdef.h>
#include <ntstatus.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct umnic_client umnic_client;

/* An open file object on a device. 0 is never a valid handle. */
typedef uint64_t umnic_handle;
#define UMNIC_INVALID_HANDLE ((umnic_handle)0)

typedef struct {
	NTSTATUS status;
	uint64_t information; /* IO_STATUS_BLOCK.Information: bytes read, written, returned */
} umnic_result;

/*
 * Runs once per asynchronous request, from umnic_dispatch() (or from
 * umnic_disconnect()). It may call any umnic function on this client except
 * umnic_disconnect.
 */
typedef void (*umnic_completion_fn)(umnic_client *client, uint64_t req_id,
				    const umnic_result *result, void *ctx);

/*
 * Connects to umnicd's I/O socket in run_dir (NULL: $UMNIC_RUN_DIR, else
 * /run/umnic). Returns NULL with errno set on failure.
 */
umnic_client *umnic_connect(const char *run_dir);

/*
 * Connection options, for umnic_connect_ex. size comes first and must be set
 * to sizeof(umnic_connect_options) (UMNIC_CONNECT_OPTIONS_INIT does it): a
 * newer library reads only what the caller's size covers and takes defaults
 * for the rest; an older library refuses (EINVAL) a larger struct unless its
 * unknown tail is all zero, so an option is never dropped silently.
 */
typedef struct {
	uint32_t size;
	uint32_t flags;	     /* UMNIC_CONNECT_* */
	const char *run_dir; /* NULL: $UMNIC_RUN_DIR, else /run/umnic */
	/*
	 * How long, in microseconds, a caller waiting for a reply polls the
	 * shared ring before it sleeps: -1 takes $UMNIC_SPIN_US, else what
	 * umnicd says (its --busy-poll-us); 0 never polls. At most 1000.
	 */
	int32_t spin_us;
	uint32_t reserved; /* 0 */
} umnic_connect_options;

/* Everything travels on the socket: no shared message ring (also $UMNIC_NO_RINGS=1). */
#define UMNIC_CONNECT_NO_RINGS 0x1u
#define UMNIC_CONNECT_FLAGS    UMNIC_CONNECT_NO_RINGS

#define UMNIC_CONNECT_OPTIONS_INIT { .size = sizeof(umnic_connect_options), .spin_us = -1 }

/*
 * umnic_connect with options (NULL: the defaults). NULL with errno EINVAL
 * for a size below the first version's, an unknown flag, a spin_us below -1
 * or above 1000, a non-zero reserved field or unknown tail.
 */
umnic_client *umnic_connect_ex(const umnic_connect_options *opts);

/*
 * Closes the connection; umnicd then closes every handle of it. Pending
 * asynchronous requests complete with STATUS_CANCELLED and completions not
 * yet dispatched run, all before this returns. No other call on the client
 * may be running or follow. NULL is allowed.
 */
void umnic_disconnect(umnic_client *client);

/*
 * Opens a device by symbolic link name: "UmnicEcho", "\??\UmnicEcho" or
 * "\\.\UmnicEcho", optionally followed by "\path" (the file object's name).
 * desired_access: FILE_READ_DATA, FILE_WRITE_DATA, GENERIC_READ,
 * GENERIC_WRITE, GENERIC_ALL, SYNCHRONIZE, READ_CONTROL bits. On success
 * *ret_handle is set; it is untouched on failure.
 */
NTSTATUS umnic_open(umnic_client *client, const char *symlink, uint32_t desired_access,
		    umnic_handle *ret_handle);
/* Opens a device by device interface class GUID and reference string (NULL or "" for none). */
NTSTATUS umnic_open_interface(umnic_client *client, const GUID *interface_guid, const char *ref,
			      uint32_t desired_access, umnic_handle *ret_handle);
/*
 * Cleanup and close of the file object; requests still pending on the
 * handle complete (usually STATUS_CANCELLED) before this returns.
 */
NTSTATUS umnic_close(umnic_client *client, umnic_handle handle);

/*
 * Synchronous requests. The return value is also stored in ret->status
 * (ret may be NULL). Output buffers receive at most their length. Buffers
 * above 48 KiB travel in a memfd; at most 64 MiB. An IOCTL's buffers travel
 * the same way whatever its method: for METHOD_NEITHER too the library copies
 * them in the caller's process (the driver sees a buffered request, with
 * UmdfMethodNeitherAction = Copy).
 */
NTSTATUS umnic_read(umnic_client *client, umnic_handle handle, void *buf, size_t len,
		    uint64_t offset, umnic_result *ret);
NTSTATUS umnic_write(umnic_client *client, umnic_handle handle, const void *buf, size_t len,
		     uint64_t offset, umnic_result *ret);
NTSTATUS umnic_ioctl(umnic_client *client, umnic_handle handle, uint32_t code, const void *in,
		     size_t in_len, void *out, size_t out_len, umnic_result *ret);

/*
 * The same with a time-out in milliseconds (-1: none). When it runs out the
 * request is cancelled and the call returns STATUS_IO_TIMEOUT at once; a
 * later completion is dropped and the buffers are not touched again.
 */
NTSTATUS umnic_read_timeout(umnic_client *client, umnic_handle handle, void *buf, size_t len,
			    uint64_t offset, int timeout_ms, umnic_result *ret);
NTSTATUS umnic_write_timeout(umnic_client *client, umnic_handle handle, const void *buf, size_t len,
			     uint64_t offset, int timeout_ms, umnic_result *ret);
NTSTATUS umnic_ioctl_timeout(umnic_client *client, umnic_handle handle, uint32_t code,
			     const void *in, size_t in_len, void *out, size_t out_len,
			     int timeout_ms, umnic_result *ret);

/*
 * Asynchronous requests. STATUS_PENDING: submitted, cb will run exactly
 * once, *ret_req_id (may be NULL) names it. Any other status: nothing was
 * submitted and cb will not run. Input is copied before return; an output
 * buffer must stay valid until cb runs.
 */
NTSTATUS umnic_submit_read(umnic_client *client, umnic_handle handle, void *buf, size_t len,
			   uint64_t offset, umnic_completion_fn cb, void *ctx,
			   uint64_t *ret_req_id);
NTSTATUS umnic_submit_write(umnic_client *client, umnic_handle handle, const void *buf, size_t len,
			    uint64_t offset, umnic_completion_fn cb, void *ctx,
			    uint64_t *ret_req_id);
NTSTATUS umnic_submit_ioctl(umnic_client *client, umnic_handle handle, uint32_t code,
			    const void *in, size_t in_len, void *out, size_t out_len,
			    umnic_completion_fn cb, void *ctx, uint64_t *ret_req_id);

/*
 * Asks for a pending request to be cancelled; it still completes exactly
 * once (STATUS_CANCELLED unless it completed first). STATUS_SUCCESS: asked;
 * STATUS_NOT_FOUND: no such request pending (it may have completed already);
 * STATUS_DEVICE_REMOVED: connection gone.
 */
NTSTATUS umnic_cancel(umnic_client *client, uint64_t req_id);

/*
 * A descriptor that polls readable when umnic_dispatch() has work: a
 * message from umnicd or completions received by another thread. It stays
 * readable once the connection is lost. Owned by the client.
 */
int umnic_fd(umnic_client *client);

/*
 * Reads what umnicd sent and runs the callbacks of completed asynchronous
 * requests, in the calling thread, without holding any lock. Waits up to
 * timeout_ms (-1 forever, 0 not at all) when nothing is ready. Returns the
 * number of callbacks run, -ENOTCONN when the connection is gone and no
 * callback is left, -EINVAL for a NULL client.
 */
int umnic_dispatch(umnic_client *client, int timeout_ms);

/* "STATUS_ACCESS_DENIED" for every status in <ntstatus.h>; NULL for others. */
const char *umnic_status_name(NTSTATUS status);

#ifdef __cplusplus
}
#endif

#endif
