/* SPDX-License-Identifier: MIT */
/*
 * The reflector's per-client indexes. A client names its requests by ids of
 * its own choosing, so a CANCEL is looked up by (client, id) in a seeded
 * id table (common/idtab.h), and each client keeps lists of its own
 * requests and handles: what one client does costs in proportion to its
 * own requests, never to the size of umnicd's tables or to what other
 * clients hold.
 */
#ifndef UMNIC_UMNICD_IOTAB_H
#define UMNIC_UMNICD_IOTAB_H

#include <stdbool.h>
#include <stdint.h>

#include "common/idtab.h"
#include "common/list.h"

/* Buckets of the index of every client's requests by (client, id) (common/idtab.h, seeded). */
#define IOTAB_BUCKETS 65536u /* power of two */

#endif
