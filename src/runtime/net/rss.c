/* SPDX-License-Identifier: MIT */
/*
 * Receive side scaling on the driver side: what the driver advertised goes
 * to umnicd with NetAdapterStart; umnicd sends the whole setting (on or
 * off, hash and protocol types, secret key, indirection table of RX queue
 * ids) after the queues start and on every change, and this file turns it
 * into the EvtAdapterReceiveScaling* calls: the key and the table first,
 * then Enable, so a driver never hashes with a half-set state.
 */
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "runtime/rt.h"

void umn_rss_fill_caps(const struct umn_adapter *a, struct umn_rss_caps *ret)
{
	const NET_ADAPTER_RECEIVE_SCALING_CAPABILITIES *c = umn_offload_rss(a);

	memset(ret, 0, sizeof(*ret));
	if (!c || !c->EvtAdapterReceiveScalingEnable || !c->EvtAdapterReceiveScalingDisable ||
	    !c->EvtAdapterReceiveScalingSetHashSecretKey ||
	    !c->EvtAdapterReceiveScalingSetIndirectionEntries)
		return; /* without every callback there is nothing the system can program */
	ret->queues =
	    c->NumberOfQueues > UMN_MAX_QUEUES ? UMN_MAX_QUEUES : (uint32_t)c->NumberOfQueues;
	ret->table_size = c->IndirectionTableSize > UMN_RSS_TABLE_MAX
			      ? UMN_RSS_TABLE_MAX
			      : (uint32_t)c->IndirectionTableSize;
	ret->hash_types = (uint32_t)c->ReceiveScalingHashTypes;
	ret->protocol_types = (uint32_t)c->ReceiveScalingProtocolTypes;
}

NTSTATUS umn_rt_set_rss(const struct umn_rss_setting *m, char *err, size_t cap)
{
	struct umn_device *dev = umn_rt_device(m->dev);
	struct umn_adapter *a = dev ? dev->adapter : NULL;
	const NET_ADAPTER_RECEIVE_SCALING_CAPABILITIES *c = a ? umn_offload_rss(a) : NULL;
	NET_ADAPTER_RECEIVE_SCALING_INDIRECTION_ENTRY entries[UMN_RSS_TABLE_MAX];
	NET_ADAPTER_RECEIVE_SCALING_INDIRECTION_ENTRIES table;
	NET_ADAPTER_RECEIVE_SCALING_HASH_SECRET_KEY key;
	struct umn_rss_caps caps;
	NETADAPTER ah;
	NTSTATUS st;

	if (!a || !a->started) {
		snprintf(err, cap, "device %u has no started adapter", m->dev);
		return STATUS_INVALID_DEVICE_STATE;
	}
	umn_rss_fill_caps(a, &caps);
	if (!caps.queues) {
		snprintf(err, cap, "the driver declared no receive side scaling");
		return STATUS_NOT_SUPPORTED;
	}
	ah = (NETADAPTER)umn_object_handle(&a->obj);
	if (!m->enable) {
		c->EvtAdapterReceiveScalingDisable(ah);
		return STATUS_SUCCESS;
	}
	/* umnicd is trusted, but a table naming a queue that does not exist would be a NULL handle.
	 */
	if (!m->key_len || m->key_len > UMN_RSS_KEY_MAX || !m->table_len ||
	    m->table_len > caps.table_size) {
		snprintf(err, cap, "key of %u bytes or table of %u entries out of range",
			 m->key_len, m->table_len);
		return STATUS_INVALID_PARAMETER;
	}
	for (uint32_t i = 0; i < m->table_len; i++) {
		struct umn_pqueue *q = m->table[i] < UMN_MAX_QUEUES ? a->rxq[m->table[i]] : NULL;

		if (!q) {
			snprintf(err, cap,
				 "indirection entry %u names RX queue %u, which does not exist", i,
				 m->table[i]);
			return STATUS_INVALID_PARAMETER;
		}
		entries[i] = (NET_ADAPTER_RECEIVE_SCALING_INDIRECTION_ENTRY){
		    .PacketQueue = (NETPACKETQUEUE)umn_object_handle(&q->obj),
		    .Status = STATUS_PENDING,
		    .Index = i,
		};
	}
	key = (NET_ADAPTER_RECEIVE_SCALING_HASH_SECRET_KEY){.Key = m->key, .Length = m->key_len};
	st = c->EvtAdapterReceiveScalingSetHashSecretKey(ah, &key);
	if (!NT_SUCCESS(st)) {
		snprintf(err, cap, "EvtAdapterReceiveScalingSetHashSecretKey failed with 0x%08x",
			 (unsigned)st);
		return st;
	}
	table = (NET_ADAPTER_RECEIVE_SCALING_INDIRECTION_ENTRIES){.Entries = entries,
								  .Length = m->table_len};
	/* SynchronizeSetIndirectionEntries: no Advance runs while the table changes. */
	if (c->SynchronizeSetIndirectionEntries)
		umn_ec_pause(a);
	st = c->EvtAdapterReceiveScalingSetIndirectionEntries(ah, &table);
	if (c->SynchronizeSetIndirectionEntries)
		umn_ec_resume(a);
	if (!NT_SUCCESS(st)) {
		snprintf(err, cap,
			 "EvtAdapterReceiveScalingSetIndirectionEntries failed with 0x%08x",
			 (unsigned)st);
		return st;
	}
	for (uint32_t i = 0; i < m->table_len; i++)
		if (!NT_SUCCESS(entries[i].Status)) {
			snprintf(err, cap, "indirection entry %u was refused with 0x%08x", i,
				 (unsigned)entries[i].Status);
			return entries[i].Status;
		}
	st = c->EvtAdapterReceiveScalingEnable(
	    ah, (NET_ADAPTER_RECEIVE_SCALING_HASH_TYPE)m->hash_types,
	    (NET_ADAPTER_RECEIVE_SCALING_PROTOCOL_TYPE)m->protocol_types);
	if (!NT_SUCCESS(st)) {
		snprintf(err, cap, "EvtAdapterReceiveScalingEnable failed with 0x%08x",
			 (unsigned)st);
		return st;
	}
	if (umn_rt.ops && umn_rt.ops->report) {
		char text[160];
		unsigned per[UMN_MAX_QUEUES] = {0};
		int n;

		for (uint32_t i = 0; i < m->table_len; i++)
			per[m->table[i]]++;
		n = snprintf(
		    text, sizeof(text),
		    "receive scaling on: hash 0x%x, protocols 0x%x, %u-byte key, entries per queue",
		    m->hash_types, m->protocol_types, m->key_len);
		for (int q = 0; q < UMN_MAX_QUEUES && n > 0 && (size_t)n < sizeof(text); q++)
			n += snprintf(text + n, sizeof(text) - (size_t)n, " %u", per[q]);
		umn_rt.ops->report(dev, UMN_LOG_INFO, text);
	}
	return STATUS_SUCCESS;
}
