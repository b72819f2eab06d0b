/* SPDX-License-Identifier: MIT */
/*
 * What umnicd asks a driver host, and the answers. Every message to a host
 * leaves through its outbox (host_send, never blocking umnicd); PnP-type
 * requests wait in a queue per host, one in flight at a time so a host
 * never has to sort replies from requests, each answered by a REPLY and
 * watched by a 60 s watchdog. Also here: the rate-limited log of I/O
 * completions nobody asked for. Which host serves a device, and a host's
 * process from spawn to exit, are hostproc.c's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ntstatus.h>

#include "common/log.h"
#include "umnicd/hosts/host_int.h"
#include "umnicd/hosts/hostproc.h"
#include "umnicd/hosts/outbox.h"

/* A request queued for its host, or in flight; the queue owns its descriptors. */
struct hreq {
	struct hreq *next;
	struct device *dev;
	hreq_done_fn done;
	unsigned nfds;
	int fds[UMN_MSG_MAX_FDS];
	size_t len;
	unsigned char msg[];
};

/* ---- sending and the queue ---- */

int host_send(struct hostproc *h, const void *msg, size_t len, const int *fds, unsigned nfds)
{
	if (h->dead)
		return -EPIPE;
	return outbox_put(&h->out, msg, len, fds, nfds);
}

void host_on_writable(struct hostproc *h)
{
	outbox_flush(&h->out);
}

static void pump(struct hostproc *h)
{
	struct hreq *r;
	int e;

	while (!h->inflight && h->head && !h->dead) {
		r = h->head;
		h->head = r->next;
		if (!h->head)
			h->tail = NULL;
		((struct umn_msg_hdr *)r->msg)->seq = ++h->seq;
		e = host_send(h, r->msg, r->len, r->fds, r->nfds);
		for (unsigned i = 0; i < r->nfds; i++)
			close(r->fds[i]);
		r->nfds = 0;
		if (e < 0) {
			/* The host is going or gone; its pidfd reports it and the devices restart.
			 */
			free(r);
			host_kill(h, "cannot send to it");
			continue;
		}
		h->inflight = r;
		h->request_sent_ns = umn_mono_ns();
	}
}

void host_request(struct hostproc *h, struct device *dev, void *msg, size_t len, const int *fds,
		  unsigned nfds, hreq_done_fn done)
{
	struct hreq *r = malloc(sizeof(*r) + len);

	if (!r) {
		if (done)
			done(dev, STATUS_INSUFFICIENT_RESOURCES, "out of memory");
		return;
	}
	memset(r, 0, sizeof(*r));
	r->dev = dev;
	r->done = done;
	r->len = len;
	memcpy(r->msg, msg, len);
	/* The queue owns duplicates, so callers may close theirs at once. */
	for (unsigned i = 0; i < nfds; i++)
		r->fds[r->nfds++] = fcntl(fds[i], F_DUPFD_CLOEXEC, 3);
	if (h->tail)
		h->tail->next = r;
	else
		h->head = r;
	h->tail = r;
	pump(h);
}

/*
 * dev leaves h: what was queued for it never goes, and the answer to a
 * request of it in flight is dropped, so no callback reaches a device that
 * failed, restarted elsewhere or was uninstalled.
 */
void host_req_forget(struct hostproc *h, const struct device *dev)
{
	struct hreq **pp = &h->head, *r;

	if (h->inflight && h->inflight->dev == dev) {
		h->inflight->dev = NULL;
		h->inflight->done = NULL;
	}
	h->tail = NULL;
	while ((r = *pp)) {
		if (r->dev != dev) {
			h->tail = r;
			pp = &r->next;
			continue;
		}
		*pp = r->next;
		for (unsigned i = 0; i < r->nfds; i++)
			close(r->fds[i]);
		free(r);
	}
}

/* Drops what was queued for a dead host; its devices are handled as a whole by the crashed event.
 */
void host_req_drop_all(struct hostproc *h)
{
	struct hreq *r = h->inflight;

	h->inflight = NULL;
	while (r || h->head) {
		if (!r) {
			r = h->head;
			h->head = r->next;
		}
		for (unsigned i = 0; i < r->nfds; i++)
			close(r->fds[i]);
		free(r);
		r = NULL;
	}
	h->tail = NULL;
}

/* ---- answers, stray completions and the watchdog ---- */

void host_on_reply(struct hostproc *h, const struct umn_msg_reply *m)
{
	struct hreq *r = h->inflight;
	char text[UMN_TEXT_MAX];

	if (!r || m->req_seq != ((struct umn_msg_hdr *)r->msg)->seq) {
		host_kill(h, "reply to a request that was not asked");
		return;
	}
	h->inflight = NULL;
	/* It answered, so it runs: the exec pipe has nothing more to say. */
	if (h->execfd >= 0) {
		close(h->execfd);
		h->execfd = -1;
	}
	memcpy(text, m->text, sizeof(text));
	umn_str_fix(text, sizeof(text));
	/* A loaded driver's host says what its sandbox applied (for status). */
	if (((struct umn_msg_hdr *)r->msg)->type == UMN_MSG_LOAD_DRIVER && NT_SUCCESS(m->status))
		umn_strlcpy(h->sandbox, text, sizeof(h->sandbox));
	if (r->done)
		r->done(r->dev, m->status, text);
	free(r);
	pump(h);
}

#define STRAY_LOG_INTERVAL_NS 1000000000ull

/*
 * A completion racing a cancel or a client's exit is normal, and a driver
 * that completes twice is its own business; but a host sending them by the
 * thousand must not fill the log: the first is logged, then a count once a
 * second (the rest in host_tick).
 */
void host_stray_completion(struct hostproc *h, uint64_t id)
{
	uint64_t since;
	unsigned held;

	if (!umn_log_limit_pass(&h->stray_log, umn_mono_ns(), STRAY_LOG_INTERVAL_NS, &held, &since))
		return;
	if (held)
		umn_log(UMN_LOG_WARN,
			"%s: completion of unknown request %llu ignored (and %u more in the last "
			"%.1f s)",
			h->service, (unsigned long long)id, held, (double)since / 1e9);
	else
		umn_log(UMN_LOG_WARN, "%s: completion of unknown request %llu ignored", h->service,
			(unsigned long long)id);
}

/* The count of stray completions not logged yet, once their second is over. */
static void stray_flush(struct hostproc *h, uint64_t now)
{
	uint64_t since;
	unsigned held;

	if (umn_log_limit_flush(&h->stray_log, now, STRAY_LOG_INTERVAL_NS, &held, &since))
		umn_log(UMN_LOG_WARN,
			"%s: %u more completions of unknown requests ignored in the last %.1f s",
			h->service, held, (double)since / 1e9);
}

/* What a request asks of the driver, for messages. */
static const char *request_name(uint32_t type)
{
	switch (type) {
	case UMN_MSG_LOAD_DRIVER:
		return "loading the driver (DriverEntry)";
	case UMN_MSG_ADD_DEVICE:
		return "adding the device (EvtDriverDeviceAdd, EvtDevicePrepareHardware)";
	case UMN_MSG_CREATE_QUEUE:
		return "creating a queue (EvtCreateTxQueue/EvtCreateRxQueue)";
	case UMN_MSG_START_QUEUES:
		return "starting the queues";
	case UMN_MSG_STOP_QUEUES:
		return "stopping the queues";
	case UMN_MSG_SET_RX_FILTER:
		return "setting the receive filter (EvtSetReceiveFilter)";
	case UMN_MSG_SET_OFFLOAD:
		return "setting offloads (EvtAdapterOffloadSet*)";
	case UMN_MSG_REMOVE_DEVICE:
		return "removing a device";
	case UMN_MSG_STOP_DEVICE:
		return "stopping the device (EvtDeviceD0Exit, EvtDeviceReleaseHardware)";
	case UMN_MSG_START_DEVICE:
		return "starting the device again (EvtDevicePrepareHardware, EvtDeviceD0Entry)";
	default:
		return "a request";
	}
}

bool host_start_pending(const struct hostproc *h, const struct device *dev, char *buf, size_t cap)
{
	const struct hreq *r = h ? h->inflight : NULL;

	if (!h) {
		snprintf(buf, cap, "no driver host");
		return false;
	}
	if (r && (r->dev == dev || !r->dev)) {
		snprintf(buf, cap, "the driver host has not finished %s for %.1f s",
			 request_name(((const struct umn_msg_hdr *)r->msg)->type),
			 (double)(umn_mono_ns() - h->request_sent_ns) / 1e9);
		return r->dev == dev;
	}
	if (r) {
		snprintf(buf, cap, "the driver host is still %s of another device",
			 request_name(((const struct umn_msg_hdr *)r->msg)->type));
		return false;
	}
	snprintf(buf, cap, "the driver did not complete its start");
	return false;
}

/* PnP-type requests (everything umnicd asks a host) time out like UMDF's, after 60 s. */
#define HOST_REQUEST_TIMEOUT_NS (60ull * 1000000000ull)

void host_req_tick(uint64_t now_ns)
{
	for (struct hostproc *h = host_list; h; h = h->next)
		stray_flush(h, now_ns);
	for (struct hostproc *h = host_list; h; h = h->next)
		if (!h->dead && h->inflight &&
		    now_ns > h->request_sent_ns + HOST_REQUEST_TIMEOUT_NS) {
			char why[160];
			snprintf(why, sizeof(why), "watchdog: %s unanswered for 60 s",
				 request_name(((struct umn_msg_hdr *)h->inflight->msg)->type));
			host_kill(h, why);
		}
}
