/* SPDX-License-Identifier: MIT */
/*
 * Drivers as the reflector's clients: a driver that opens another device
 * and sends to it through a WDFIOTARGET does so in messages to umnicd from
 * its host (TARGET_OPEN, _SEND, _CANCEL, _CLOSE). Each host has one client
 * that stands for its driver; the UMDF rules for kernel-mode requestors are
 * applied here, and its replies go back to the host as messages.
 */
#include "umnicd/io/reflector.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include <ntstatus.h>

#include "common/chan.h"
#include "common/ioproto.h"
#include "common/log.h"
#include "umnicd/dev/device.h"
#include "umnicd/hosts/hostproc.h"
#include "umnicd/io/iotab.h"
#include "umnicd/io/reflector_int.h"
#include "umnicd/base/config.h"
#include "umnicd/base/loop.h"
#include "umnicd/base/users.h"

/* A driver's send completes with a TARGET_COMPLETE to its host, the output inline. */
/* A driver's completions go to its host as TARGET_COMPLETE, output inline (memfds are not). */
static void driver_complete(struct ioclient *c, uint64_t cookie, NTSTATUS st, uint64_t info,
			    const void *data, uint32_t len, bool in_memfd)
{
	static _Alignas(
	    8) unsigned char buf[sizeof(struct umn_msg_io_complete) + UMN_IO_INLINE_MAX];
	struct umn_msg_io_complete *m = (void *)buf;

	if (c->gone || !c->host)
		return;
	if (in_memfd) {
		data = NULL;
		len = 0;
	}
	if (len > UMN_IO_INLINE_MAX)
		len = 0;
	umn_msg_init(m, UMN_MSG_TARGET_COMPLETE, (uint32_t)(sizeof(*m) + len), 0);
	m->id = cookie;
	m->status = st;
	m->information = info;
	m->data_len = len;
	if (len)
		memcpy(m + 1, data, len);
	host_send(c->host, m, sizeof(*m) + len, NULL, 0);
}

static void driver_opened(struct ioclient *c, uint64_t req_id, NTSTATUS st, uint32_t granted,
			  uint64_t handle)
{
	struct umn_msg_target_opened o;
	const struct iohandle *h = handle ? HANDLE_GET(handle) : NULL;

	if (c->gone || !c->host)
		return;
	umn_msg_init(&o, UMN_MSG_TARGET_OPENED, sizeof(o), 0);
	o.id = req_id;
	o.status = st;
	o.file = handle;
	o.target_dev = h && h->dev ? h->dev->id : UINT32_MAX;
	host_send(c->host, &o, sizeof(o), NULL, 0);
}

/* A driver's close is not answered. */
static void driver_closed(struct ioclient *c, uint64_t req_id, NTSTATUS st)
{
}

/* A driver's replies go to its host at once: nothing waits in umnicd for it to read them. */
static bool driver_reserve(struct ioclient *c, struct ioreq *r, uint32_t out_len, int out_fd)
{
	return true;
}

static const struct ioclient_ops driver_ops = {
    .complete = driver_complete,
    .opened = driver_opened,
    .closed = driver_closed,
    .reserve = driver_reserve,
    .driver = true,
};

void reflector_host_gone(struct hostproc *hp)
{
	struct ioclient *c = hp->ioc;

	if (!c)
		return;
	hp->ioc = NULL;
	/* Nothing more is sent to the host; replies to a gone client are dropped anyway. */
	c->host = NULL;
	client_drop(c);
}

/* --- drivers as clients ------------------------------------------------------------------------
 */

/* The client a host's driver is when it opens and sends to other devices. */
static struct ioclient *host_client(struct hostproc *hp)
{
	struct ioclient *c = hp->ioc;

	if (c)
		return c;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->fd = c->pidfd = -1;
	c->ops = &driver_ops;
	c->host = hp;
	c->kernel_mode = hp->inhost;
	/* An in-host driver is the system; a driver host is its unprivileged user. */
	c->pid = hp->inhost ? 0 : hp->pid;
	c->uid = hp->inhost ? 0 : cfg->host_uid;
	c->gid = hp->inhost ? 0 : cfg->host_gid;
	c->user = user_ref(c->uid);
	if (!c->user) {
		free(c);
		return NULL;
	}
	umn_list_init(&c->reqs);
	umn_list_init(&c->handle_list);
	hp->ioc = c;
	client_link(c);
	return c;
}

/* Whether origin is an application's request that hp's driver holds: it may forward it. */
static bool in_app_context(const struct hostproc *hp, uint64_t origin)
{
	const struct ioreq *o = origin ? REQ_GET(origin) : NULL;

	return o && o->kind == RQ_IO && !o->c->ops->driver && o->dev->host == hp &&
	       o->major == IRP_MJ_DEVICE_CONTROL && o->method == METHOD_NEITHER;
}

/*
 * A request a driver sends through an I/O target. The UMDF rules for
 * kernel-mode clients apply here, in this order, when the target is a
 * user-mode driver (docs/io-requests.md lists each status).
 */
static void do_target_send(struct hostproc *hp, struct ioclient *c,
			   const struct umn_msg_target_send *m)
{
	struct io_args a = {.in_fd = -1, .out_fd = -1};
	struct device *dev = m->target_dev < UMN_MAX_DEVICES ? dev_get(m->target_dev) : NULL;
	struct iohandle *h = NULL;
	bool known_file = false;

	if (m->in_len > UMN_IO_INLINE_MAX || m->out_len > UMN_IO_INLINE_MAX) {
		reply_complete(c, m->cookie, STATUS_INVALID_BUFFER_SIZE, 0, NULL, 0, false);
		return;
	}
	if (m->major != IRP_MJ_READ && m->major != IRP_MJ_WRITE &&
	    m->major != IRP_MJ_DEVICE_CONTROL && m->major != IRP_MJ_INTERNAL_DEVICE_CONTROL) {
		reply_complete(c, m->cookie, STATUS_INVALID_PARAMETER, 0, NULL, 0, false);
		return;
	}
	if (!dev) {
		reply_complete(c, m->cookie, STATUS_NO_SUCH_DEVICE, 0, NULL, 0, false);
		return;
	}
	/* The framework knows a file object only if this driver's open created it on this device.
	 */
	if (m->file) {
		h = HANDLE_GET(m->file);
		if (h && h->c == c && h->dev == dev && h->open && !h->closing)
			known_file = true;
		else
			h = NULL;
	}
	if (h && handle_stale(h)) {
		reply_complete(c, m->cookie, STATUS_DRIVER_PROCESS_TERMINATED, 0, NULL, 0, false);
		return;
	}
	if (!dev_io_ready(dev)) {
		reply_complete(c, m->cookie, STATUS_DEVICE_NOT_READY, 0, NULL, 0, false);
		return;
	}
	if (dev->drv->mode == INF_MODE_USER) {
		NTSTATUS st = STATUS_SUCCESS;

		if (km_client_refused(c, dev))
			st = STATUS_KM_CLIENT_REFUSED;
		else if (c->kernel_mode && m->irql != PASSIVE_LEVEL)
			st = STATUS_KM_CLIENT_ABOVE_PASSIVE;
		else if (!known_file && (!c->kernel_mode || dev->drv->policy.file_object !=
								INF_FILEOBJECT_ALLOW_NULL_UNKNOWN))
			st = STATUS_NO_KNOWN_FILE_OBJECT;
		else if (m->major == IRP_MJ_INTERNAL_DEVICE_CONTROL)
			st = STATUS_INTERNAL_IOCTL_REFUSED;
		if (st != STATUS_SUCCESS) {
			reply_complete(c, m->cookie, st, 0, NULL, 0, false);
			return;
		}
	} else if (m->major == IRP_MJ_INTERNAL_DEVICE_CONTROL && !c->kernel_mode) {
		/* Internal IOCTLs pass between kernel-mode drivers only. */
		reply_complete(c, m->cookie, STATUS_INTERNAL_IOCTL_REFUSED, 0, NULL, 0, false);
		return;
	}
	a.major = m->major;
	a.code = m->major == IRP_MJ_READ || m->major == IRP_MJ_WRITE ? 0 : m->ioctl;
	a.offset = m->offset;
	a.in = m + 1;
	a.in_len = m->in_len;
	a.out_len = m->out_len;
	a.in_app_context = in_app_context(hp, m->origin);
	start_io(c, m->cookie, h, dev, &a);
}

void reflector_on_host_io(struct hostproc *hp, const void *msg, size_t len)
{
	const struct umn_msg_hdr *hdr = msg;
	struct ioclient *c = host_client(hp);

	if (!c) {
		host_kill(hp, "umnicd is out of memory for its requests");
		return;
	}
	switch (hdr->type) {
	case UMN_MSG_TARGET_OPEN: {
		struct umn_msg_target_open m;

		if (len != sizeof(m))
			break;
		memcpy(&m, msg, sizeof(m));
		umn_str_fix(m.name, sizeof(m.name));
		NTSTATUS lookup;
		struct device *dev = device_by_name(m.name, NULL, &lookup);

		open_device(c, m.id, dev, lookup, umn_iomsg_map_access(m.access), "");
		return;
	}
	case UMN_MSG_TARGET_SEND: {
		const struct umn_msg_target_send *m = msg;

		if (len < sizeof(*m) || len - sizeof(*m) != m->in_len)
			break;
		do_target_send(hp, c, m);
		return;
	}
	case UMN_MSG_TARGET_CANCEL:
	case UMN_MSG_TARGET_CLOSE: {
		const struct umn_msg_io_cancel *m = msg;
		struct iohandle *h;

		if (len != sizeof(*m))
			break;
		if (hdr->type == UMN_MSG_TARGET_CANCEL) {
			do_cancel(c, m->id);
			return;
		}
		h = HANDLE_GET(m->id);
		if (h && h->c == c && !h->closing)
			handle_close(h, 0);
		return;
	}
	}
	host_kill(hp, "malformed I/O target message");
}
