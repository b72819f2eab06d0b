/* SPDX-License-Identifier: MIT */
/*
 * The checks umnicd applies to the capabilities a driver declares before
 * NetAdapterStart (MTU, queues, frame size, backfill, link-layer address, offloads),
 * and the queue layouts that follow from them. Pure, over umnicd's private
 * copy of the message, so the fuzzer drives it without a driver.
 */
#ifndef UMNIC_UMNICD_NET_ADAPTER_CAPS_H
#define UMNIC_UMNICD_NET_ADAPTER_CAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/proto.h"
#include "common/shm.h"

struct adapter_caps {
	uint32_t max_frame;   /* RX MaximumFrameSize, or the MTU plus the Ethernet header */
	bool has_addr;	      /* the driver declared a link-layer address */
	uint8_t addr[6];      /* its current address, else its permanent one */
	uint32_t offload_can; /* UMN_OFL_* offered to the stack: the driver's */
	struct umn_queue_layout tx, rx;
};

/*
 * Checks what the driver declared in m. 0 and *ret filled, or -EINVAL with a
 * sentence naming the rule in err. Every buffer of the layouts then holds a
 * frame of max_frame bytes (TX ones after the backfill).
 */
int adapter_caps_check(const struct umn_adapter_caps *m, struct adapter_caps *ret, char *err,
		       size_t cap);

#endif
