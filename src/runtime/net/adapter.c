/* SPDX-License-Identifier: MIT */
/*
 * Adapter bring-up behind NetAdapterStart: the order rules, then the
 * capabilities go to the OS side, which creates the interface.
 */
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "runtime/rt.h"
#include "runtime/wdf/verifier.h"

static uint32_t clamp_size(SIZE_T v, uint32_t max)
{
	return v > max ? max : (uint32_t)v;
}

/* Sends what the driver declared to the OS side, which builds the interface and queues for it. */
static NTSTATUS announce(struct umn_adapter *a)
{
	struct umn_adapter_caps m;
	char text[UMN_TEXT_MAX] = "";
	NTSTATUS st;

	memset(&m, 0, sizeof(m));
	m.dev = a->device->id;
	m.mtu = a->mtu;
	m.perm_addr_len = a->perm_addr.Length;
	memcpy(m.perm_addr, a->perm_addr.Address, sizeof(m.perm_addr));
	m.cur_addr_len = a->cur_addr.Length;
	memcpy(m.cur_addr, a->cur_addr.Address, sizeof(m.cur_addr));
	m.max_tx_speed = a->link_caps.MaxTxLinkSpeed;
	m.max_rx_speed = a->link_caps.MaxRxLinkSpeed;
	m.tx_queues = clamp_size(a->tx_caps.MaximumNumberOfQueues, UMN_MAX_QUEUES);
	m.rx_queues = clamp_size(a->rx_caps.MaximumNumberOfQueues, UMN_MAX_QUEUES);
	m.tx_frag_hint = a->tx_caps.FragmentRingNumberOfElementsHint;
	m.rx_frag_hint = a->rx_caps.FragmentRingNumberOfElementsHint;
	m.tx_backfill = clamp_size(a->tx_caps.PayloadBackfill, UINT32_MAX);
	m.tx_max_frags = clamp_size(a->tx_caps.MaximumNumberOfFragments, UINT32_MAX);
	m.rx_max_frame = clamp_size(a->rx_caps.MaximumFrameSize, UINT32_MAX);
	if (a->filter_caps_set) {
		m.filter_flags = (uint32_t)a->filter_caps.SupportedPacketFilters;
		m.max_mcast = clamp_size(a->filter_caps.MaximumMulticastAddresses, UMN_MCAST_MAX);
	}
	umn_offload_fill_caps(a, &m.offload);
	umn_rss_fill_caps(a, &m.rss);
	if (!umn_rt.ops || !umn_rt.ops->adapter_start)
		return STATUS_INVALID_DEVICE_STATE;
	st = umn_rt.ops->adapter_start(a->device, &m, text, sizeof(text));
	if (!NT_SUCCESS(st)) {
		umn_log(UMN_LOG_ERR, "NetAdapterStart: the OS side refused the adapter: %s", text);
		return st;
	}
	a->started = true;
	/* A link state set before the start is delivered now. */
	if (a->link_state_set) {
		NET_ADAPTER_LINK_STATE ls = a->link_state;
		NetAdapterSetLinkState((NETADAPTER)umn_object_handle(&a->obj), &ls);
	}
	return STATUS_SUCCESS;
}

NTSTATUS umn_adapter_start(struct umn_adapter *a)
{
	NTSTATUS st;

	if (a->started)
		return umn_verifier_violation(
		    a->device, UMN_RULE_START_TWICE, STATUS_INVALID_DEVICE_STATE,
		    "NetAdapterStart called on an adapter that is already started");
	if (a->caps_violation) {
		/* Already logged and reported when the capabilities were set; fail the start with
		 * it. */
		umn_log(UMN_LOG_ERR, "NetAdapterStart refused: %s", a->caps_violation_text);
		if (umn_rt.ops && umn_rt.ops->report)
			umn_rt.ops->report(a->device, UMN_LOG_ERR, a->caps_violation_text);
		return a->caps_violation;
	}
	if (!a->datapath_caps_set)
		return umn_verifier_violation(
		    a->device, UMN_RULE_START_DATAPATH_CAPS, STATUS_UNSUCCESSFUL,
		    "NetAdapterStart needs NetAdapterSetDataPathCapabilities first");
	if (!a->link_caps_set)
		return umn_verifier_violation(
		    a->device, UMN_RULE_START_LINK_CAPS, STATUS_UNSUCCESSFUL,
		    "NetAdapterStart needs NetAdapterSetLinkLayerCapabilities first");
	if (!a->mtu_set)
		return umn_verifier_violation(
		    a->device, UMN_RULE_START_MTU, STATUS_UNSUCCESSFUL,
		    "NetAdapterStart needs NetAdapterSetLinkLayerMtuSize first");

	st = announce(a);
	if (NT_SUCCESS(st))
		a->started_in_prepare = a->device->in_prepare;
	return st;
}

void umn_adapter_stop(struct umn_adapter *a)
{
	if (!a->started)
		return;
	umn_ec_stop(a);
	a->started = false;
}

void umn_adapter_destroy_queues(struct umn_adapter *a)
{
	/* Cancel, Advance until every element is back, Stop: on each queue's own thread. */
	umn_ec_stop(a);
	for (int i = 0; i < UMN_MAX_QUEUES; i++) {
		struct umn_pqueue *q = a->txq[i];

		a->txq[i] = NULL;
		if (q)
			umn_object_delete(&q->obj);
		q = a->rxq[i];
		a->rxq[i] = NULL;
		if (q)
			umn_object_delete(&q->obj);
	}
	/* Last: a notification racing the deletion finds the queue handle gone first. */
	umn_ec_free(a);
}

NTSTATUS umn_adapter_restart(struct umn_adapter *a)
{
	if (!a->started)
		return STATUS_SUCCESS;
	a->started = false;
	return announce(a);
}
