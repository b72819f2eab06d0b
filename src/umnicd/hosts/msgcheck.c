/* SPDX-License-Identifier: MIT */
/*
 * Routing and size checks of what a driver host sends (msgcheck.h); the
 * handlers hostmsg.c calls act on what passes.
 */
#include "umnicd/hosts/msgcheck.h"

#include <errno.h>
#include <stdio.h>

#include "common/proto.h"

enum host_msg_route host_msg_route(const void *buf, ssize_t n)
{
	const struct umn_msg_hdr *hdr = buf;

	/* The receive paths guarantee a header; a shorter message is malformed all the same. */
	if (n < (ssize_t)sizeof(*hdr))
		return HOST_MSG_MALFORMED;
	/*
	 * I/O moves at the pace of the requests umnicd handed over (completions) or
	 * the driver's own sends, each bounded by the reflector's per-client limit
	 * on outstanding requests; the length checks are the handlers'.
	 */
	switch (hdr->type) {
	case UMN_MSG_IO_COMPLETE:
		return HOST_MSG_IO_COMPLETE;
	case UMN_MSG_TARGET_OPEN:
	case UMN_MSG_TARGET_SEND:
	case UMN_MSG_TARGET_CANCEL:
	case UMN_MSG_TARGET_CLOSE:
		return HOST_MSG_TARGET;
	case UMN_MSG_TRACE:
		return HOST_MSG_TRACE;
	default:
		return HOST_MSG_CONTROL;
	}
}

size_t host_msg_size(uint32_t type)
{
	switch (type) {
	case UMN_MSG_REPLY:
		return sizeof(struct umn_msg_reply);
	case UMN_MSG_LOG:
		return sizeof(struct umn_msg_log);
	case UMN_MSG_ADAPTER_START:
		return sizeof(struct umn_msg_adapter_start);
	case UMN_MSG_LINK_STATE:
		return sizeof(struct umn_msg_link_state);
	case UMN_MSG_DEVICE_FAILED:
		return sizeof(struct umn_msg_device_failed);
	case UMN_MSG_DYING:
		return sizeof(struct umn_msg_dying);
	case UMN_MSG_REGISTER_NAME:
		return sizeof(struct umn_msg_register_name);
	default:
		return 0;
	}
}

int host_msg_check(const void *buf, size_t n, char *why, size_t cap)
{
	const struct umn_msg_hdr *hdr = buf;

	if (n < sizeof(*hdr) || n != host_msg_size(hdr->type)) {
		snprintf(why, cap, "message type %u with size %zu",
			 n < sizeof(*hdr) ? 0u : hdr->type, n);
		return -EPROTO;
	}
	return 0;
}
