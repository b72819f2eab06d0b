/* SPDX-License-Identifier: MIT */
/*
 * The OS side of a NetAdapterCx adapter (netif.c): checking the capabilities
 * the driver declares at NetAdapterStart, the TAP interface, the queues and
 * the datapath thread, the receive filter and link state.
 */
#ifndef UMNIC_UMNICD_DEV_NETIF_H
#define UMNIC_UMNICD_DEV_NETIF_H

#include <stddef.h>
#include <stdint.h>

#include <ntstatus.h>

#include "common/proto.h"

struct device;
struct rtnl_link;

NTSTATUS adapter_on_start(struct device *dev, const struct umn_adapter_caps *m, char *err,
			  size_t cap);
void adapter_create_queues(struct device *dev);
void adapter_on_link_state(struct device *dev, const struct umn_link_state *m);
void adapter_stop_datapath(struct device *dev);
void adapter_sync_filter(struct device *dev);
/*
 * The interface changed (RTNL_EV_* in what): the receive filter follows.
 * State the OS sets on the interface is read here, on its event, rather
 * than polled per tick.
 */
void netif_on_link_event(struct device *dev, const struct rtnl_link *l, unsigned what);
/*
 * Follows the interface's offload features (ethtool -K) and MTU: on start,
 * on each interface event, and once more when a request was in flight.
 */
void adapter_sync_offload(struct device *dev);
void adapter_teardown(struct device *dev);

#endif
