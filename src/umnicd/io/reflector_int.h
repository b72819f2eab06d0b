/* SPDX-License-Identifier: MIT */
/*
 * Inside the reflector (reflector.h), shared by its three files: the objects
 * (clients, handles, requests), the bounds that keep one client or user from
 * taking what others need, and what each file offers the others.
 * reflector.c keeps the tables and applies the rules; app_clients.c serves
 * applications on the I/O socket; driver_clients.c serves drivers that send
 * to other devices through I/O targets.
 */
#ifndef UMNIC_UMNICD_IO_REFLECTOR_INT_H
#define UMNIC_UMNICD_IO_REFLECTOR_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <ntstatus.h>

#include "common/ioproto.h"
#include "umnicd/dev/device.h"
#include "umnicd/hosts/hostproc.h"
#include "umnicd/io/iotab.h"
#include "umnicd/base/config.h"
#include "umnicd/base/loop.h"
#include "umnicd/base/users.h"

/* WDF_DEVICE_IO_TYPE values the driver sees (wdfdevice.h). */
#define IO_BUFFERED 2
#define IO_DIRECT   3

/* NTSTATUS umnicd chooses where Windows documents none (docs/io-requests.md). */
#define STATUS_INFORMATION_TOO_LARGE   STATUS_DRIVER_INTERNAL_ERROR
#define STATUS_KM_CLIENT_REFUSED       STATUS_ACCESS_DENIED
#define STATUS_KM_CLIENT_ABOVE_PASSIVE STATUS_INVALID_DEVICE_STATE
#define STATUS_NO_KNOWN_FILE_OBJECT    STATUS_INVALID_HANDLE
#define STATUS_INTERNAL_IOCTL_REFUSED  STATUS_INVALID_DEVICE_REQUEST
#define STATUS_NEITHER_OUT_OF_CONTEXT  STATUS_INVALID_PARAMETER

#define TABLE_SIZE 65536u /* power of two */

/*
 * Fair shares (docs/io-requests.md, "Limits"); past them a request gets
 * STATUS_INSUFFICIENT_RESOURCES. A driver host holds UMN_HOST_IO_SLOTS - 1
 * requests at once: one connection may have half of that outstanding, one
 * unprivileged user a quarter on any one host, and unprivileged users
 * together leave HOST_RESERVE of every host to root and kernel-mode
 * requestors (umnicd counts a request from when it is sent until its
 * completion is handled, longer than the host holds a slot for it).
 * umnicd's own table is shared the same way. Cleanup and close are never
 * refused: a handle's are bounded by the handles.
 */
#define HOST_CAPACITY	      (UMN_HOST_IO_SLOTS - 1)
#define CLIENT_MAX_PENDING    (UMN_HOST_IO_SLOTS / 2)
#define USER_HOST_MAX_PENDING (UMN_HOST_IO_SLOTS / 4)
#define HOST_RESERVE	      (UMN_HOST_IO_SLOTS / 8)
#define USER_MAX_PENDING      (TABLE_SIZE / 8)
#define UNPRIV_MAX_PENDING    (TABLE_SIZE / 2 - TABLE_SIZE / 16)
#define CLIENT_MAX_HANDLES    1024u
#define USER_MAX_HANDLES      (TABLE_SIZE / 8)
#define UNPRIV_MAX_HANDLES    (TABLE_SIZE / 2 - TABLE_SIZE / 16)

/*
 * Reply bytes. A client whose replies wait unread past CLIENT_OUT_PAUSE is
 * not read any more (its requests wait in its socket and ring) until they
 * fall under half of that; nor is one with CLIENT_OUT_SOME waiting while
 * its unprivileged user's clients have USER_OUT_PAUSE waiting, or all
 * unprivileged users' UNPRIV_OUT_PAUSE. A request with output is kept
 * room for its reply (up to 48 KiB inline), and refused once what waits
 * and what is kept would pass the *_OUT_KEEP bounds; a client with
 * CLIENT_OUT_MAX unread is disconnected, which one that is paused in time
 * never reaches.
 */
#define CLIENT_OUT_PAUSE (1u << 20)
#define CLIENT_OUT_SOME	 (64u << 10)
#define USER_OUT_PAUSE	 (8u << 20)
#define UNPRIV_OUT_PAUSE (32u << 20)
#define CLIENT_OUT_KEEP	 (8u << 20)
#define USER_OUT_KEEP	 (32u << 20)
#define UNPRIV_OUT_KEEP	 (128u << 20)
#define CLIENT_OUT_MAX	 (16u << 20)

/* A driver host's share of the requests of one unprivileged user (struct hostproc's io_shares). */
struct io_share {
	uid_t uid;
	unsigned pending;
	struct io_share *next;
};

struct ioclient;
struct ioreq;

/*
 * How a kind of client is answered, set when the client is made: an
 * application on the I/O socket (app_clients.c) or a driver sending through
 * its I/O targets, answered through its host (driver_clients.c). The rest
 * of the reflector never asks which kind it serves.
 */
struct ioclient_ops {
	/* A request's completion; data is len bytes of output, or in_memfd: in the client's memfd.
	 */
	void (*complete)(struct ioclient *c, uint64_t req_id, NTSTATUS st, uint64_t info,
			 const void *data, uint32_t len, bool in_memfd);
	/* An open's answer: the handle and the access granted, or the status of a refusal. */
	void (*opened)(struct ioclient *c, uint64_t req_id, NTSTATUS st, uint32_t granted,
		       uint64_t handle);
	void (*closed)(struct ioclient *c, uint64_t req_id, NTSTATUS st);
	/*
	 * Keeps room for r's reply with out_len bytes of output (out_fd >= 0: in a
	 * memfd), counted in r->reserve; false when the client has none left.
	 */
	bool (*reserve)(struct ioclient *c, struct ioreq *r, uint32_t out_len, int out_fd);
	/*
	 * The requestor is a driver: the host marks its requests as a driver's,
	 * and it may pass on METHOD_NEITHER buffers only of an application's
	 * request it holds.
	 */
	bool driver;
};

struct ioclient {
	const struct ioclient_ops *ops;
	struct watch w;
	int fd;
	pid_t pid;
	uid_t uid;
	gid_t gid;
	int pidfd;
	unsigned handles;
	unsigned pending;
	bool gone; /* disconnected; freed when nothing refers to it */
	/* A driver as a client (its I/O targets): its host, where replies go; NULL once gone. */
	struct hostproc *host;
	bool kernel_mode; /* an in-host driver: its requests carry KernelMode */
	/* Replies, sent at the end of the loop's wake-up (applications only). */
	struct outbox out;
	/* Every client, connected or kept by what it still has outstanding (R.clients). */
	struct ioclient *next, **pprev;
	struct umn_user *user; /* its uid's counts */
	struct umn_list reqs;  /* its requests */
	struct umn_list handle_list;
	size_t queued;	 /* reply bytes waiting in out */
	size_t reserved; /* reply bytes kept for its pending requests */
	bool paused;	 /* not read: over its share of reply bytes */
	struct umn_list paused_node;
	unsigned fds; /* counted with umn_fds_hold */
};

struct iohandle {
	uint64_t id; /* also the file object id the driver sees */
	struct ioclient *c;
	struct device *dev;
	uint32_t incarnation;
	uint32_t granted;
	bool open; /* the create completed */
	bool closing;
	unsigned pending;
	uint64_t close_req; /* client's req_id for CLOSE_DONE */
	struct umn_list cl; /* in its client's handle_list */
};

enum ioreq_kind { RQ_CREATE, RQ_IO, RQ_CLEANUP, RQ_CLOSE };

struct ioreq {
	uint64_t id; /* umnicd's id, unique, what the host sees */
	enum ioreq_kind kind;
	struct ioclient *c;
	uint64_t client_req;
	struct iohandle *h;
	struct device *dev;
	uint32_t major;
	uint32_t method;
	uint32_t out_len;
	bool out_memfd;
	bool check_information;	     /* buffered read or buffered IOCTL */
	struct umn_list cl;	     /* in its client's reqs */
	struct umn_idnode by_client; /* RQ_IO: by (client, client_req) */
	struct hostproc *host;	     /* whose slot it counts in; NULL once that host is gone */
	struct io_share *share;	     /* an unprivileged user's count on host */
	uint32_t reserve;	     /* reply bytes kept for it */
	struct ioreq *gone_next;     /* reflector_device_gone's list */
	uint64_t sent_ns;	     /* when it went to the host (reflector_latency) */
};

struct reflector_state {
	struct watch w_listen;
	uint64_t next_id;
	struct ioreq *req[TABLE_SIZE]; /* open addressing on id */
	unsigned nreq;
	struct iohandle *handle[TABLE_SIZE];
	unsigned nhandle;
	unsigned nclients;		  /* connected on the socket */
	struct ioclient *clients;	  /* all of them, drivers' own too: freed at shutdown */
	struct umn_log_limit refused_log; /* clients refused past --max-clients */
	/* Unprivileged users' shares, all together. */
	unsigned nclients_unpriv;
	unsigned nreq_unpriv;
	unsigned nhandle_unpriv;
	size_t queued_unpriv, reserved_unpriv;
	struct umn_idtab by_client; /* RQ_IO requests by (client, client_req) */
	struct umn_idnode *by_client_bucket[IOTAB_BUCKETS];
	struct umn_list
	    paused; /* clients not read, for their own, their user's or everyone's replies */
};

/* The reflector's tables and counters (reflector.c). */
extern struct reflector_state R;

#define REQ_GET(key) ((struct ioreq *)tab_get((void **)R.req, (key), offsetof(struct ioreq, id)))
#define HANDLE_GET(key)                                                                            \
	((struct iohandle *)tab_get((void **)R.handle, (key), offsetof(struct iohandle, id)))

/* One read, write or IOCTL as the rules see it, whoever sent it. */
struct io_args {
	uint32_t major; /* IRP_MJ_READ, _WRITE, _DEVICE_CONTROL, _INTERNAL_DEVICE_CONTROL */
	uint32_t code;
	uint64_t offset;
	const void *in;
	uint32_t in_len;
	int in_fd; /* input in a memfd (applications' large buffers) */
	uint32_t out_len;
	int out_fd;
	/* A driver forwarding an application's METHOD_NEITHER request: its context. */
	bool in_app_context;
};

/* reflector.c: tables, requests to hosts, handles, access, the rules. */
void *tab_get(void **tab, uint64_t id, size_t off);
bool handle_stale(const struct iohandle *h);
void handle_close(struct iohandle *h, uint64_t client_req);
struct device *device_by_name(const char *link, const GUID *guid, NTSTATUS *ret_status);
bool km_client_refused(const struct ioclient *c, const struct device *dev);
void open_device(struct ioclient *c, uint64_t req_id, struct device *dev, NTSTATUS lookup,
		 uint32_t access, const char *file_name);
struct iohandle *usable_handle(struct ioclient *c, uint64_t req_id, uint64_t id);
void start_io(struct ioclient *c, uint64_t req_id, struct iohandle *h, struct device *dev,
	      const struct io_args *a);
void cancel_at_host(const struct ioreq *r);
void do_cancel(struct ioclient *c, uint64_t client_req);

/* app_clients.c: the client list, reply bytes, replies, disconnects. */
void client_link(struct ioclient *c);
void client_release(struct ioclient *c);
bool reserve_reply(struct ioclient *c, size_t n);
void release_reply(struct ioclient *c, size_t n);
void client_drop(struct ioclient *c);

/* Answers to c, whichever kind of client it is (its ops). */
static inline void reply_complete(struct ioclient *c, uint64_t req_id, NTSTATUS st, uint64_t info,
				  const void *data, uint32_t len, bool in_memfd)
{
	c->ops->complete(c, req_id, st, info, data, len, in_memfd);
}

static inline void reply_open(struct ioclient *c, uint64_t req_id, NTSTATUS st, uint32_t granted,
			      uint64_t handle)
{
	c->ops->opened(c, req_id, st, granted, handle);
}

static inline void reply_close(struct ioclient *c, uint64_t req_id, NTSTATUS st)
{
	c->ops->closed(c, req_id, st);
}

#endif
