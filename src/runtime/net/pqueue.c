/* SPDX-License-Identifier: MIT */
/*
 * Packet queues on the driver side: mapping the shared region umnicd
 * created, the NET_RING headers the driver reads, extension lookup.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <wchar.h>

#include "common/log.h"
#include "runtime/rt.h"
#include "runtime/wdf/verifier.h"

static void pqueue_on_delete(struct umn_object *o)
{
	struct umn_pqueue *q = (struct umn_pqueue *)o;

	if (q->base)
		munmap(q->base, q->l.total_size);
	q->base = NULL;
	if (q->ec_efd >= 0)
		close(q->ec_efd);
	if (q->os_efd >= 0)
		close(q->os_efd);
	q->ec_efd = q->os_efd = -1;
}

static const struct umn_object_ops pqueue_ops = {.on_delete = pqueue_on_delete};

static void ring_init(NET_RING *r, uint32_t count, uint32_t stride)
{
	memset(r, 0, offsetof(NET_RING, Buffer));
	r->ElementStride = (UINT16)stride;
	r->NumberOfElements = count;
	r->ElementIndexMask = count - 1;
}

NTSTATUS umn_pqueue_create(struct umn_queue_init *init, enum umn_queue_kind kind,
			   const WDF_OBJECT_ATTRIBUTES *attrs,
			   const NET_PACKET_QUEUE_CONFIG *config, struct umn_pqueue **ret)
{
	struct umn_object *o;
	struct umn_pqueue *q;
	NTSTATUS st;
	void *base;

	if (!config || config->Size != sizeof(*config) || !config->EvtAdvance ||
	    !config->EvtCancel || !config->EvtSetNotificationEnabled)
		return umn_verifier_violation(init->adapter->device, UMN_RULE_QUEUE_CREATE,
					      STATUS_INVALID_PARAMETER,
					      "NET_PACKET_QUEUE_CONFIG needs Size, EvtAdvance, "
					      "EvtCancel and EvtSetNotificationEnabled");
	if (init->created)
		return umn_verifier_violation(
		    init->adapter->device, UMN_RULE_QUEUE_CREATE, STATUS_INVALID_DEVICE_STATE,
		    "a queue init object was used to create a second queue");
	if (umn_queue_layout_check(&init->layout) < 0 || init->layout.kind != (uint32_t)kind)
		return STATUS_INVALID_PARAMETER;

	base =
	    mmap(NULL, init->layout.total_size, PROT_READ | PROT_WRITE, MAP_SHARED, init->memfd, 0);
	if (base == MAP_FAILED) {
		umn_log(UMN_LOG_ERR, "mapping queue memory: %m");
		return STATUS_INSUFFICIENT_RESOURCES;
	}
	st = umn_object_create(UMN_OBJ_PACKETQUEUE, sizeof(*q), attrs, &init->adapter->obj,
			       &pqueue_ops, &o);
	if (!NT_SUCCESS(st)) {
		munmap(base, init->layout.total_size);
		return st;
	}
	q = (struct umn_pqueue *)o;
	q->adapter = init->adapter;
	q->kind = kind;
	q->id = init->layout.queue_id;
	q->config = *config;
	q->l = init->layout;
	q->base = base;
	q->os = umn_shm_at(base, q->l.os_cell_off);
	q->drv = umn_shm_at(base, q->l.drv_cell_off);
	q->pkt = umn_shm_at(base, q->l.pkt_ring_off);
	q->frag = umn_shm_at(base, q->l.frag_ring_off);
	q->bufs = umn_shm_at(base, q->l.buf_off);
	ring_init(q->pkt, q->l.pkt_count, q->l.pkt_stride);
	ring_init(q->frag, q->l.frag_count, q->l.frag_stride);
	q->rings.Rings[NetRingTypePacket] = q->pkt;
	q->rings.Rings[NetRingTypeFragment] = q->frag;
	q->rings.Rings[NetRingTypeDataBuffer] = NULL;
	/* umnicd starts its counters anywhere; the driver sees them reduced to ring indices. */
	q->seen_pkt_end = umn_idx_pkt(atomic_load(&q->os->ends));
	q->seen_frag_end = umn_idx_frag(atomic_load(&q->os->ends));
	q->pkt->EndIndex = q->pkt->BeginIndex = q->pkt->NextIndex =
	    q->seen_pkt_end & (q->l.pkt_count - 1);
	q->frag->EndIndex = q->frag->BeginIndex = q->frag->NextIndex =
	    q->seen_frag_end & (q->l.frag_count - 1);
	atomic_store(&q->drv->begins, umn_idx_pack(q->pkt->BeginIndex, q->frag->BeginIndex));
	q->ec_efd = init->ec_efd;
	q->os_efd = init->os_efd;
	init->ec_efd = init->os_efd = -1;
	q->cpu_plus1 = init->cpu_plus1;
	st = umn_ec_attach(q);
	if (!NT_SUCCESS(st)) {
		umn_object_delete(&q->obj);
		return st;
	}
	if (kind == UMN_QUEUE_TX)
		init->adapter->txq[q->id] = q;
	else
		init->adapter->rxq[q->id] = q;
	init->created = q;
	*ret = q;
	return STATUS_SUCCESS;
}

static struct umn_pqueue *pqueue_from(NETPACKETQUEUE h, const char *fn)
{
	struct umn_object *o = umn_object_from_handle(h, UMN_OBJ_PACKETQUEUE);

	if (!o)
		umn_log(UMN_LOG_ERR, "%s: %p is not a NETPACKETQUEUE handle", fn, (void *)h);
	return (struct umn_pqueue *)o;
}

NTSTATUS NetTxQueueCreate(NETTXQUEUE_INIT *NetTxQueueInit, PWDF_OBJECT_ATTRIBUTES TxQueueAttributes,
			  const NET_PACKET_QUEUE_CONFIG *Configuration, NETPACKETQUEUE *PacketQueue)
{
	struct umn_pqueue *q;
	NTSTATUS st;

	if (!NetTxQueueInit || !PacketQueue)
		return STATUS_INVALID_PARAMETER;
	st = umn_pqueue_create(&NetTxQueueInit->q, UMN_QUEUE_TX, TxQueueAttributes, Configuration,
			       &q);
	if (NT_SUCCESS(st))
		// NOLINTNEXTLINE(clang-analyzer-core.CallAndMessage): q is set when st is a success
		*PacketQueue = (NETPACKETQUEUE)umn_object_handle(&q->obj);
	return st;
}

NTSTATUS NetRxQueueCreate(NETRXQUEUE_INIT *NetRxQueueInit, PWDF_OBJECT_ATTRIBUTES RxQueueAttributes,
			  const NET_PACKET_QUEUE_CONFIG *Configuration, NETPACKETQUEUE *PacketQueue)
{
	struct umn_pqueue *q;
	NTSTATUS st;

	if (!NetRxQueueInit || !PacketQueue)
		return STATUS_INVALID_PARAMETER;
	st = umn_pqueue_create(&NetRxQueueInit->q, UMN_QUEUE_RX, RxQueueAttributes, Configuration,
			       &q);
	if (NT_SUCCESS(st))
		// NOLINTNEXTLINE(clang-analyzer-core.CallAndMessage): q is set when st is a success
		*PacketQueue = (NETPACKETQUEUE)umn_object_handle(&q->obj);
	return st;
}

ULONG NetTxQueueInitGetQueueId(NETTXQUEUE_INIT *NetTxQueueInit)
{
	return NetTxQueueInit ? NetTxQueueInit->q.layout.queue_id : 0;
}

ULONG NetRxQueueInitGetQueueId(NETRXQUEUE_INIT *NetRxQueueInit)
{
	return NetRxQueueInit ? NetRxQueueInit->q.layout.queue_id : 0;
}

const NET_RING_COLLECTION *NetTxQueueGetRingCollection(NETPACKETQUEUE NetTxQueue)
{
	struct umn_pqueue *q = pqueue_from(NetTxQueue, "NetTxQueueGetRingCollection");

	return q ? &q->rings : NULL;
}

const NET_RING_COLLECTION *NetRxQueueGetRingCollection(NETPACKETQUEUE NetRxQueue)
{
	struct umn_pqueue *q = pqueue_from(NetRxQueue, "NetRxQueueGetRingCollection");

	return q ? &q->rings : NULL;
}

struct ext_slot {
	const wchar_t *name;
	ULONG version;
	NET_EXTENSION_TYPE type;
	uint32_t offset;
};

/* Extensions every umnic queue carries, at the offsets fixed in common/shm.h. */
static const struct ext_slot ext_slots[] = {
    {L"ms_fragment_virtualaddress", 1, NetExtensionTypeFragment, UMN_FRAG_EXT_VA_OFF},
    {L"ms_packet_checksum", 1, NetExtensionTypePacket, UMN_PKT_EXT_CHECKSUM_OFF},
    {L"ms_packet_gso", 1, NetExtensionTypePacket, UMN_PKT_EXT_GSO_OFF},
    {L"ms_packet_rsc", 2, NetExtensionTypePacket, UMN_PKT_EXT_RSC_OFF},
    {L"ms_packet_ieee8021q", 1, NetExtensionTypePacket, UMN_PKT_EXT_IEEE8021Q_OFF},
    {L"ms_packet_hash", 1, NetExtensionTypePacket, UMN_PKT_EXT_HASH_OFF},
    {L"ms_packet_rsc_timestamp", 1, NetExtensionTypePacket, UMN_PKT_EXT_RSC_TIMESTAMP_OFF},
};

/* Each extension fits its slot, after the core descriptor and before the next slot. */
_Static_assert(sizeof(NET_PACKET) <= UMN_PKT_EXT_CHECKSUM_OFF,
	       "packet descriptor fits before checksum");
_Static_assert(UMN_PKT_EXT_CHECKSUM_OFF + sizeof(NET_PACKET_CHECKSUM) <= UMN_PKT_EXT_GSO_OFF,
	       "checksum");
_Static_assert(UMN_PKT_EXT_GSO_OFF % _Alignof(NET_PACKET_GSO) == 0 &&
		   UMN_PKT_EXT_GSO_OFF + sizeof(NET_PACKET_GSO) <= UMN_PKT_EXT_RSC_OFF,
	       "gso");
_Static_assert(UMN_PKT_EXT_RSC_OFF % _Alignof(NET_PACKET_RSC) == 0 &&
		   UMN_PKT_EXT_RSC_OFF + sizeof(NET_PACKET_RSC) <= UMN_PKT_EXT_IEEE8021Q_OFF,
	       "rsc");
_Static_assert(UMN_PKT_EXT_IEEE8021Q_OFF % _Alignof(NET_PACKET_IEEE8021Q) == 0 &&
		   UMN_PKT_EXT_IEEE8021Q_OFF + sizeof(NET_PACKET_IEEE8021Q) <= UMN_PKT_EXT_HASH_OFF,
	       "ieee8021q");
_Static_assert(UMN_PKT_EXT_HASH_OFF % _Alignof(NET_PACKET_HASH) == 0 &&
		   UMN_PKT_EXT_HASH_OFF + sizeof(NET_PACKET_HASH) <= UMN_PKT_EXT_RSC_TIMESTAMP_OFF,
	       "hash");
_Static_assert(UMN_PKT_EXT_RSC_TIMESTAMP_OFF % _Alignof(NET_PACKET_RSC_TIMESTAMP) == 0 &&
		   UMN_PKT_EXT_RSC_TIMESTAMP_OFF + sizeof(NET_PACKET_RSC_TIMESTAMP) <=
		       UMN_PKT_STRIDE,
	       "rsc timestamp");
_Static_assert(UMN_FRAG_EXT_VA_OFF + sizeof(NET_FRAGMENT_VIRTUAL_ADDRESS) <= UMN_FRAG_STRIDE, "va");

static void get_extension(struct umn_pqueue *q, const NET_EXTENSION_QUERY *query,
			  NET_EXTENSION *ext)
{
	memset(ext, 0, sizeof(*ext));
	if (!q || !query || query->Size != sizeof(*query) || !query->Name)
		return;
	for (size_t i = 0; i < sizeof(ext_slots) / sizeof(ext_slots[0]); i++) {
		const struct ext_slot *s = &ext_slots[i];
		NET_RING *r;

		if (s->type != query->Type || query->Version > s->version ||
		    wcscmp(s->name, query->Name))
			continue;
		r = s->type == NetExtensionTypeFragment ? q->frag : q->pkt;
		ext->Reserved[0] = r->Buffer + s->offset;
		ext->Reserved[1] = (void *)(uintptr_t)r->ElementStride;
		ext->Enabled = TRUE;
		return;
	}
}

void NetTxQueueGetExtension(NETPACKETQUEUE NetTxQueue, const NET_EXTENSION_QUERY *Query,
			    NET_EXTENSION *Extension)
{
	if (Extension)
		get_extension(pqueue_from(NetTxQueue, "NetTxQueueGetExtension"), Query, Extension);
}

void NetRxQueueGetExtension(NETPACKETQUEUE NetRxQueue, const NET_EXTENSION_QUERY *Query,
			    NET_EXTENSION *Extension)
{
	if (Extension)
		get_extension(pqueue_from(NetRxQueue, "NetRxQueueGetExtension"), Query, Extension);
}

void NetTxQueueNotifyMoreCompletedPacketsAvailable(NETPACKETQUEUE NetTxQueue)
{
	struct umn_pqueue *q =
	    pqueue_from(NetTxQueue, "NetTxQueueNotifyMoreCompletedPacketsAvailable");

	if (q)
		umn_ec_notify(q);
}

void NetRxQueueNotifyMoreReceivedPacketsAvailable(NETPACKETQUEUE NetRxQueue)
{
	struct umn_pqueue *q =
	    pqueue_from(NetRxQueue, "NetRxQueueNotifyMoreReceivedPacketsAvailable");

	if (q)
		umn_ec_notify(q);
}
