/* SPDX-License-Identifier: MIT */
/*
 * Fuzzes what umnicd does with the messages a driver host sends it, as far
 * as it goes without a running daemon: the host's message ring as umnicd
 * reads it (common/chan.c umn_ring_get, with the producer's index and the
 * ring's bytes from the input), then for each message taken from the ring,
 * and for the input as one socket message, the routing and size check of
 * umnicd/hosts/hostmsg.c and the reads the control handlers make of a
 * message that passed, on a heap copy of exactly the message's size. An
 * ADAPTER_START goes on to the capability check (umnicd/net/adapter_caps.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/chan.h"
#include "common/proto.h"
#include "umnicd/net/adapter_caps.h"
#include "umnicd/hosts/msgcheck.h"

/* What hostproc.c reads of a control message once it passed host_msg_check. */
static void handle(const unsigned char *msg, ssize_t n)
{
	unsigned char *m;
	char why[96];
	volatile uint32_t sink = 0;

	if (n < 0 || n > (ssize_t)UMN_MSG_MAX)
		__builtin_trap();
	/* An exact copy: a field read beyond the message is a heap overflow. */
	m = malloc(n ? (size_t)n : 1);
	if (!m)
		abort();
	memcpy(m, msg, (size_t)n);
	switch (host_msg_route(m, n)) {
	case HOST_MSG_MALFORMED:
		if (n >= (ssize_t)sizeof(struct umn_msg_hdr))
			__builtin_trap();
		break;
	case HOST_MSG_IO_COMPLETE:
	case HOST_MSG_TARGET:
	case HOST_MSG_TRACE:
		/* Their handlers check their own lengths; the type is all that was read. */
		break;
	case HOST_MSG_CONTROL: {
		const struct umn_msg_hdr *hdr = (const void *)m;

		why[0] = '\0';
		if (host_msg_check(m, (size_t)n, why, sizeof(why)) < 0) {
			if (!why[0])
				__builtin_trap();
			break;
		}
		switch (hdr->type) {
		case UMN_MSG_REPLY: {
			const struct umn_msg_reply *r = (const void *)m;
			sink += (uint32_t)r->req_seq + (uint32_t)r->status +
				(unsigned char)r->text[sizeof(r->text) - 1];
			break;
		}
		case UMN_MSG_LOG: {
			struct umn_msg_log *l = (void *)m;
			umn_str_fix(l->text, sizeof(l->text));
			sink += l->dev + l->level + (uint32_t)strlen(l->text);
			break;
		}
		case UMN_MSG_ADAPTER_START: {
			struct adapter_caps caps;
			char err[UMN_TEXT_MAX];
			adapter_caps_check(&((const struct umn_msg_adapter_start *)m)->caps, &caps, err,
					   sizeof(err));
			break;
		}
		case UMN_MSG_LINK_STATE: {
			const struct umn_link_state *s = &((const struct umn_msg_link_state *)m)->ls;
			sink +=
			    s->dev + s->media_state + (uint32_t)s->tx_speed + (uint32_t)s->rx_speed;
			break;
		}
		case UMN_MSG_DEVICE_FAILED: {
			struct umn_msg_device_failed *f = (void *)m;
			umn_str_fix(f->text, sizeof(f->text));
			sink += f->dev + (uint32_t)strlen(f->text);
			break;
		}
		case UMN_MSG_REGISTER_NAME: {
			struct umn_msg_register_name *r = (void *)m;
			umn_str_fix(r->name, sizeof(r->name));
			sink += r->dev + r->kind + r->guid[15] + (uint32_t)strlen(r->name);
			break;
		}
		case UMN_MSG_DYING: {
			const struct umn_msg_dying *d = (const void *)m;
			sink += (uint32_t)d->signo;
			break;
		}
		default:
			/* Only the types host_msg_size knows pass the check. */
			__builtin_trap();
		}
		break;
	}
	default:
		__builtin_trap();
	}
	(void)sink;
	free(m);
}

/* The host's ring as umnicd's consumer side sees it, in heap blocks of exactly their size. */
static struct umn_chan_prod *prod;
static struct umn_chan_cons *cons;
static unsigned char *ring_data;
static unsigned char *rec;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct umn_ring r;
	uint32_t hdr[2], start, tail, seen = 0;

	if (!ring_data) {
		prod = aligned_alloc(UMN_CACHELINE, sizeof(*prod));
		cons = aligned_alloc(UMN_CACHELINE, sizeof(*cons));
		ring_data = malloc(UMN_CHAN_RING_BYTES);
		rec = malloc(UMN_CHAN_REC_MAX);
		if (!prod || !cons || !ring_data || !rec)
			abort();
	}
	/* The input as one socket message (umn_msg_recv checked the header and the length). */
	if (size >= sizeof(struct umn_msg_hdr) && size <= UMN_MSG_MAX)
		handle(data, (ssize_t)size);

	if (size < sizeof(hdr))
		return 0;
	memcpy(hdr, data, sizeof(hdr));
	data += sizeof(hdr);
	size -= sizeof(hdr);
	/* Where umnicd's head is (anywhere, near the wrap too) and what the producer published. */
	start = hdr[0];
	tail = (hdr[1] & 0x80000000u) ? hdr[1] : start + hdr[1] % (2 * UMN_CHAN_RING_BYTES);
	memset(&r, 0, sizeof(r));
	r.p = prod;
	r.c = cons;
	r.data = ring_data;
	r.pos = start;
	memset(cons, 0, sizeof(*cons));
	atomic_store(&prod->tail, tail);
	/* The records as the host wrote them, from umnicd's head on, wrapping. */
	for (size_t i = 0; i < size && i < UMN_CHAN_RING_BYTES; i++)
		ring_data[(start + i) & (UMN_CHAN_RING_BYTES - 1)] = data[i];

	for (;;) {
		uint32_t before = r.pos;
		ssize_t n = umn_ring_get(&r, rec, UMN_CHAN_REC_MAX);

		if (n == 0 || n == -EBADMSG) {
			/* Nothing taken: the head stays where it was. */
			if (r.pos != before)
				__builtin_trap();
			if (n == 0)
				break;
			/* Broken for good: the next look says so again without reading. */
			if (umn_ring_get(&r, rec, UMN_CHAN_REC_MAX) != -EBADMSG)
				__builtin_trap();
			break;
		}
		/* A whole message, inside what was published, and the head told to the host. */
		if (n < (ssize_t)sizeof(struct umn_chan_msg) || n > (ssize_t)UMN_CHAN_REC_MAX ||
		    r.pos - before < (uint32_t)n + 8 || r.pos - start > tail - start ||
		    atomic_load(&cons->head) != r.pos)
			__builtin_trap();
		handle(rec, n);
		if (++seen > UMN_CHAN_RING_BYTES / 16)
			__builtin_trap();
	}
	return 0;
}
