/* SPDX-License-Identifier: MIT */
/*
 * Decoding and routing what a driver host sends umnicd. Every message is
 * handled from umnicd's private copy (off the socket or the host's message
 * ring, in the order the host sent them): I/O completions and I/O target
 * requests go to the reflector, trace records to trace.c, adapter and
 * device messages to the device manager, each through the events its owner
 * registered (hostproc.h), and a REPLY to the request queue in hostreq.c;
 * any other type must have its exact size, and a host that sends PnP-type
 * messages faster than umnicd's bound, or anything malformed, is killed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ntstatus.h>

#include "common/log.h"
#include "umnicd/hosts/host_int.h"
#include "umnicd/hosts/hostproc.h"
#include "umnicd/hosts/msgcheck.h"
#include "umnicd/hosts/outbox.h"
#include "umnicd/base/config.h"
#include "umnicd/base/loop.h"

/* The device numbered id if h serves it (a host names only its own devices), or NULL. */
static struct device *host_device(struct hostproc *h, uint32_t id)
{
	const struct host_member *m = host_member(h, id);

	return m ? m->dev : NULL;
}

static void send_reply(struct hostproc *h, uint64_t seq, NTSTATUS st, const char *text)
{
	struct umn_msg_reply r;

	umn_msg_init(&r, UMN_MSG_REPLY, sizeof(r), 0);
	r.req_seq = seq;
	r.status = st;
	umn_strlcpy(r.text, text, sizeof(r.text));
	host_send(h, &r, sizeof(r), NULL, 0);
}

#define HOST_MAX_MESSAGES_PER_SECOND 2000

/*
 * Handles one message from h, received into buf (umnicd's private copy: the
 * sender cannot change it once it is here) with umn_msg_recv's result n.
 */
static void host_on_message(struct hostproc *h, unsigned char *buf, ssize_t n)
{
	const struct umn_msg_hdr *hdr = (const void *)buf;
	struct device *dev;

	switch (host_msg_route(buf, n)) {
	case HOST_MSG_MALFORMED:
		host_kill(h, "malformed message");
		return;
	case HOST_MSG_IO_COMPLETE:
		host_io_ev()->complete(h, buf, (size_t)n);
		return;
	case HOST_MSG_TARGET:
		host_io_ev()->target(h, buf, (size_t)n);
		return;
	case HOST_MSG_TRACE: {
		const char *why = host_trace_ev()(h, buf, (size_t)n); /* its own rate limits */
		if (why)
			host_kill(h, why);
		return;
	}
	case HOST_MSG_CONTROL:
		break;
	}
	/* Otherwise a host talks to umnicd at PnP pace; thousands of messages a second is an
	 * attack. */
	{
		uint64_t now = umn_mono_ns();
		if (now - h->rate_window_ns > 1000000000ull) {
			h->rate_window_ns = now;
			h->rate_count = 0;
		}
		if (++h->rate_count > HOST_MAX_MESSAGES_PER_SECOND) {
			host_kill(h, "flooding umnicd with messages (more than 2000 a second)");
			watch_del(&h->w_sock);
			return;
		}
	}
	{
		char why[96];

		if (host_msg_check(buf, (size_t)n, why, sizeof(why)) < 0) {
			host_kill(h, why);
			return;
		}
	}
	switch (hdr->type) {
	case UMN_MSG_REPLY:
		host_on_reply(h, (const void *)buf);
		break;
	case UMN_MSG_LOG: {
		struct umn_msg_log *m = (void *)buf;
		const struct host_member *hm = host_member(h, m->dev);

		umn_str_fix(m->text, sizeof(m->text));
		umn_log(m->level <= UMN_LOG_WARN ? (int)m->level : UMN_LOG_INFO, "%s: %s",
			hm ? hm->name : h->service, m->text);
		/* An error about no device of its own concerns every device the host serves. */
		if (m->level <= UMN_LOG_ERR) {
			if (hm)
				host_dev_ev()->report(hm->dev, m->text);
			else
				for (unsigned i = 0; i < h->ndevices; i++)
					host_dev_ev()->report(h->members[i].dev, m->text);
		}
		break;
	}
	case UMN_MSG_ADAPTER_START: {
		char err[UMN_TEXT_MAX] = "";
		NTSTATUS st;
		const struct umn_adapter_caps *m =
		    &((const struct umn_msg_adapter_start *)buf)->caps;
		dev = host_device(h, m->dev);
		st = dev ? host_dev_ev()->adapter_start(dev, m, err, sizeof(err))
			 : STATUS_NO_SUCH_DEVICE;
		if (!dev)
			snprintf(err, sizeof(err), "device %u does not belong to this host",
				 m->dev);
		send_reply(h, hdr->seq, st, err);
		break;
	}
	case UMN_MSG_LINK_STATE: {
		const struct umn_link_state *m = &((const struct umn_msg_link_state *)buf)->ls;
		dev = host_device(h, m->dev);
		if (dev)
			host_dev_ev()->link_state(dev, m);
		break;
	}
	case UMN_MSG_DEVICE_FAILED: {
		struct umn_msg_device_failed *m = (void *)buf;
		umn_str_fix(m->text, sizeof(m->text));
		dev = host_device(h, m->dev);
		if (dev)
			host_dev_ev()->failed(dev, m->text);
		break;
	}
	case UMN_MSG_REGISTER_NAME:
		host_io_ev()->register_name(h, buf, (size_t)n);
		break;
	case UMN_MSG_DYING: {
		const struct umn_msg_dying *m = (const void *)buf;
		if (m->signo > 0 && m->signo < 65)
			h->death_signal = m->signo;
		break;
	}
	default:
		host_kill(h, "unexpected message type");
		break;
	}
}

/* Messages read from one host per system call, and calls before the loop turns elsewhere. */
#define HOST_BATCH	 16
#define HOST_BATCH_CALLS 4

bool host_stopping(const struct hostproc *h)
{
	return h->dead || !h->w_sock.obj || h->kill_reason[0] || h->stop_pending;
}

/* Hosts never send descriptors: whatever came is closed; the message counts all the same. */
static bool host_ep_message(void *ctx, unsigned char *buf, ssize_t len, int *fds, unsigned nfds)
{
	struct hostproc *h = ctx;

	for (unsigned k = 0; k < nfds; k++)
		close(fds[k]);
	/* What a host being stopped sent after that no longer matters; it is taken all the same. */
	if (!host_stopping(h))
		host_on_message(h, buf, len);
	return true;
}

/* The host's acknowledgement of its channel (common/chan.h). */
static bool host_ep_offer(void *ctx, const int *fds, unsigned nfds)
{
	struct hostproc *h = ctx;

	(void)fds;
	(void)nfds;
	if (!umn_ep_offer_acked(&h->out.ep))
		host_kill(h, "it acknowledged a message ring it was not offered");
	return true;
}

/* Killed; what its socket holds is still taken, up to the end. */
static bool host_ep_ring_broken(void *ctx)
{
	host_kill(ctx, "its message ring is inconsistent (an index or a length out of range)");
	return true;
}

static const struct umn_ep_ops host_ep_ops = {
    .message = host_ep_message,
    .offer = host_ep_offer,
    .ring_broken = host_ep_ring_broken,
};

void host_reader_init(struct hostproc *h)
{
	/* One reader at a time: umnicd's loop. */
	static _Alignas(8) unsigned char buf[UMN_CHAN_REC_MAX];

	outbox_reader(&h->out, &host_ep_ops, h, buf);
}

/* Up to max messages from the host's ring, each handled from umnicd's private copy. */
unsigned host_drain(struct outbox *o, unsigned max)
{
	unsigned n;

	umn_ep_drain(&o->ep, max, &n);
	return n;
}

void host_on_readable(struct hostproc *h)
{
	static struct umn_msg_batch b;

	if (!b.data && umn_msg_batch_init(&b, HOST_BATCH, UMN_MSG_MAX)) {
		umn_log(UMN_LOG_ERR, "no memory to receive driver hosts' messages");
		return;
	}
	for (unsigned call = 0; call < HOST_BATCH_CALLS; call++) {
		/* The loop never waits on one host, whatever the socket's flags. */
		int r = umn_ep_recv(&h->out.ep, &b, MSG_DONTWAIT);

		if (r == -EAGAIN)
			return;
		if (r < 0) {
			/* The end, even of a host being stopped; or the socket itself failed. */
			if (r != -ECONNRESET)
				host_kill(h, "its socket failed");
			watch_del(&h->w_sock);
			return;
		}
		if (host_stopping(h) || b.count < b.max)
			return;
	}
}
