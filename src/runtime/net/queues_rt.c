/* SPDX-License-Identifier: MIT */
/* OS-side requests about an adapter's packet queues, as the host process receives them. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "runtime/rt.h"
#include "runtime/wdf/verifier.h"

static struct umn_adapter *adapter_of(uint32_t id, char *err, size_t cap)
{
	struct umn_device *dev = umn_rt_device(id);

	if (!dev || !dev->adapter || !dev->adapter->started) {
		snprintf(err, cap, "device %u has no started adapter", id);
		return NULL;
	}
	return dev->adapter;
}

NTSTATUS umn_rt_create_queue(uint32_t id, const struct umn_queue_layout *l, int memfd, int ec_efd,
			     int os_efd, uint32_t cpu_plus1, char *err, size_t cap)
{
	struct umn_adapter *a = adapter_of(id, err, cap);
	NETADAPTER ah;
	NTSTATUS st;
	union {
		NETTXQUEUE_INIT tx;
		NETRXQUEUE_INIT rx;
	} init;

	if (!a)
		return STATUS_INVALID_DEVICE_STATE;
	if (umn_queue_layout_check(l) < 0 || l->queue_id >= UMN_MAX_QUEUES) {
		snprintf(err, cap, "bad queue layout");
		return STATUS_INVALID_PARAMETER;
	}
	memset(&init, 0, sizeof(init));
	init.tx.q = (struct umn_queue_init){.adapter = a,
					    .layout = *l,
					    .memfd = memfd,
					    .ec_efd = ec_efd,
					    .os_efd = os_efd,
					    .cpu_plus1 = cpu_plus1};
	ah = (NETADAPTER)umn_object_handle(&a->obj);
	if (l->kind == UMN_QUEUE_TX)
		st = a->datapath.EvtAdapterCreateTxQueue
			 ? a->datapath.EvtAdapterCreateTxQueue(ah, &init.tx)
			 : STATUS_NOT_SUPPORTED;
	else
		st = a->datapath.EvtAdapterCreateRxQueue
			 ? a->datapath.EvtAdapterCreateRxQueue(ah, &init.rx)
			 : STATUS_NOT_SUPPORTED;
	/* The queue took what it needed; close whatever it did not take. */
	if (init.tx.q.ec_efd >= 0)
		close(init.tx.q.ec_efd);
	if (init.tx.q.os_efd >= 0)
		close(init.tx.q.os_efd);
	close(memfd);
	if (!NT_SUCCESS(st)) {
		snprintf(err, cap, "EvtAdapterCreate%sQueue failed with 0x%08x",
			 l->kind == UMN_QUEUE_TX ? "Tx" : "Rx", (unsigned)st);
		if (init.tx.q.created)
			umn_object_delete(&init.tx.q.created->obj);
		return st;
	}
	if (!init.tx.q.created) {
		snprintf(err, cap,
			 "EvtAdapterCreate%sQueue returned success without creating a queue",
			 l->kind == UMN_QUEUE_TX ? "Tx" : "Rx");
		return umn_verifier_violation(a->device, UMN_RULE_QUEUE_CREATE,
					      STATUS_INVALID_DEVICE_STATE, "%s", err);
	}
	return STATUS_SUCCESS;
}

NTSTATUS umn_rt_start_queues(uint32_t id, char *err, size_t cap)
{
	struct umn_adapter *a = adapter_of(id, err, cap);

	if (!a)
		return STATUS_INVALID_DEVICE_STATE;
	umn_ec_start(a);
	return STATUS_SUCCESS;
}

NTSTATUS umn_rt_stop_queues(uint32_t id, char *err, size_t cap)
{
	struct umn_adapter *a = adapter_of(id, err, cap);

	if (!a)
		return STATUS_INVALID_DEVICE_STATE;
	umn_ec_stop(a);
	return STATUS_SUCCESS;
}

NTSTATUS umn_rt_set_rx_filter(uint32_t id, uint32_t flags, const uint8_t (*mcast)[6],
			      uint32_t count)
{
	struct umn_device *dev = umn_rt_device(id);
	struct umn_adapter *a = dev ? dev->adapter : NULL;

	if (!a)
		return STATUS_INVALID_DEVICE_STATE;
	if (count > UMN_MCAST_MAX)
		count = UMN_MCAST_MAX;
	a->filter_flags = (NET_PACKET_FILTER_FLAGS)flags;
	a->mcast_count = count;
	for (uint32_t i = 0; i < count; i++) {
		a->mcast[i].Length = 6;
		memcpy(a->mcast[i].Address, mcast[i], 6);
	}
	if (!a->filter_caps_set || !a->filter_caps.EvtSetReceiveFilter)
		return STATUS_NOT_SUPPORTED;
	/* The receive filter handle is the adapter; the getters read its current state. */
	a->filter_caps.EvtSetReceiveFilter((NETADAPTER)umn_object_handle(&a->obj),
					   (NETRECEIVEFILTER)umn_object_handle(&a->obj));
	return STATUS_SUCCESS;
}

static struct umn_adapter *filter_adapter(NETRECEIVEFILTER h)
{
	return (struct umn_adapter *)umn_object_from_handle(h, UMN_OBJ_ADAPTER);
}

NET_PACKET_FILTER_FLAGS NetReceiveFilterGetPacketFilter(NETRECEIVEFILTER ReceiveFilter)
{
	struct umn_adapter *a = filter_adapter(ReceiveFilter);

	return a ? a->filter_flags : (NET_PACKET_FILTER_FLAGS)0;
}

SIZE_T NetReceiveFilterGetMulticastAddressCount(NETRECEIVEFILTER ReceiveFilter)
{
	struct umn_adapter *a = filter_adapter(ReceiveFilter);

	return a ? a->mcast_count : 0;
}

const NET_ADAPTER_LINK_LAYER_ADDRESS *
NetReceiveFilterGetMulticastAddressList(NETRECEIVEFILTER ReceiveFilter)
{
	struct umn_adapter *a = filter_adapter(ReceiveFilter);

	return a && a->mcast_count ? a->mcast : NULL;
}
