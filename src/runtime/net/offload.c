/* SPDX-License-Identifier: MIT */
/*
 * Offload and receive-scaling capabilities. The minimal form: what the
 * driver advertises is checked (Size) and recorded on the adapter; umnic
 * does not yet turn any hardware offload on, so it never calls the
 * EvtAdapterOffloadSet* callbacks and every NetOffloadIs*Enabled query
 * answers FALSE. umnicd does checksums and segmentation in software.
 */
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "runtime/rt.h"
#include "runtime/wdf/verifier.h"

struct umn_offload {
	struct umn_object obj;
	NET_ADAPTER_OFFLOAD_TX_CHECKSUM_CAPABILITIES tx_checksum;
	NET_ADAPTER_OFFLOAD_RX_CHECKSUM_CAPABILITIES rx_checksum;
	NET_ADAPTER_OFFLOAD_GSO_CAPABILITIES gso;
	NET_ADAPTER_OFFLOAD_RSC_CAPABILITIES rsc;
	NET_ADAPTER_RECEIVE_SCALING_CAPABILITIES rss;
	NET_ADAPTER_WAKE_BITMAP_CAPABILITIES wake_bitmap;
	NET_ADAPTER_WAKE_MAGIC_PACKET_CAPABILITIES wake_magic;
	NET_ADAPTER_WAKE_MEDIA_CHANGE_CAPABILITIES wake_media;
	NET_ADAPTER_WAKE_PACKET_FILTER_CAPABILITIES wake_filter;
	NET_ADAPTER_WAKE_EAPOL_PACKET_CAPABILITIES wake_eapol;
	NET_ADAPTER_POWER_OFFLOAD_ARP_CAPABILITIES pm_arp;
	NET_ADAPTER_POWER_OFFLOAD_NS_CAPABILITIES pm_ns;
	unsigned set;	/* OFFLOAD_* bits */
};

enum {
	OFFLOAD_TX_CHECKSUM = 1u << 0,
	OFFLOAD_RX_CHECKSUM = 1u << 1,
	OFFLOAD_GSO = 1u << 2,
	OFFLOAD_RSC = 1u << 3,
	OFFLOAD_RSS = 1u << 4,
	OFFLOAD_WAKE = 1u << 5,
	OFFLOAD_POWER = 1u << 6,
};

/* The adapter's capability record, created on first use as a child of the adapter. */
static struct umn_offload *offload_of(NETADAPTER h, const char *fn, const void *caps, ULONG size,
				      size_t expected)
{
	struct umn_adapter *a = (struct umn_adapter *)umn_object_from_handle(h, UMN_OBJ_ADAPTER);
	struct umn_object *o;

	if (!a || !caps) {
		umn_log(UMN_LOG_ERR, "%s: %s", fn, !a ? "not a NETADAPTER" : "Capabilities is NULL");
		return NULL;
	}
	if (size != expected) {
		umn_verifier_violation(a->device, UMN_RULE_CAPS_SIZE, STATUS_INVALID_PARAMETER,
				       "%s: Size is %u, expected %zu", fn, size, expected);
		return NULL;
	}
	if (a->started) {
		umn_verifier_violation(a->device, UMN_RULE_INIT_ORDER, STATUS_INVALID_DEVICE_STATE,
				       "%s: called after NetAdapterStart", fn);
		return NULL;
	}
	if (!a->offload) {
		if (!NT_SUCCESS(umn_object_create(UMN_OBJ_OFFLOAD, sizeof(struct umn_offload), NULL,
						  &a->obj, NULL, &o)))
			return NULL;
		a->offload = (struct umn_offload *)o;
	}
	return a->offload;
}

#define RECORD(fn, field, bit)                                                                  \
	do {                                                                                    \
		struct umn_offload *r = offload_of(Adapter, fn, Capabilities,                  \
						   Capabilities ? Capabilities->Size : 0,       \
						   sizeof(*Capabilities));                      \
		if (r) {                                                                        \
			r->field = *Capabilities;                                               \
			r->set |= (bit);                                                        \
		}                                                                               \
	} while (0)

void NetAdapterOffloadSetTxChecksumCapabilities(
	NETADAPTER Adapter, NET_ADAPTER_OFFLOAD_TX_CHECKSUM_CAPABILITIES const *Capabilities)
{
	RECORD("NetAdapterOffloadSetTxChecksumCapabilities", tx_checksum, OFFLOAD_TX_CHECKSUM);
}

void NetAdapterOffloadSetRxChecksumCapabilities(
	NETADAPTER Adapter, NET_ADAPTER_OFFLOAD_RX_CHECKSUM_CAPABILITIES const *Capabilities)
{
	RECORD("NetAdapterOffloadSetRxChecksumCapabilities", rx_checksum, OFFLOAD_RX_CHECKSUM);
}

void NetAdapterOffloadSetGsoCapabilities(NETADAPTER Adapter,
					 NET_ADAPTER_OFFLOAD_GSO_CAPABILITIES const *Capabilities)
{
	RECORD("NetAdapterOffloadSetGsoCapabilities", gso, OFFLOAD_GSO);
}

void NetAdapterOffloadSetRscCapabilities(NETADAPTER Adapter,
					 NET_ADAPTER_OFFLOAD_RSC_CAPABILITIES const *Capabilities)
{
	RECORD("NetAdapterOffloadSetRscCapabilities", rsc, OFFLOAD_RSC);
}

void NetAdapterSetReceiveScalingCapabilities(
	NETADAPTER Adapter, NET_ADAPTER_RECEIVE_SCALING_CAPABILITIES const *Capabilities)
{
	RECORD("NetAdapterSetReceiveScalingCapabilities", rss, OFFLOAD_RSS);
}

/* Wake and power-offload capabilities: recorded, never armed (adapters do not sleep). */
VOID NetAdapterWakeSetBitmapCapabilities(NETADAPTER Adapter,
					 NET_ADAPTER_WAKE_BITMAP_CAPABILITIES const *Capabilities)
{
	RECORD("NetAdapterWakeSetBitmapCapabilities", wake_bitmap, OFFLOAD_WAKE);
}

VOID NetAdapterWakeSetMagicPacketCapabilities(
	NETADAPTER Adapter, NET_ADAPTER_WAKE_MAGIC_PACKET_CAPABILITIES const *Capabilities)
{
	RECORD("NetAdapterWakeSetMagicPacketCapabilities", wake_magic, OFFLOAD_WAKE);
}

VOID NetAdapterWakeSetMediaChangeCapabilities(
	NETADAPTER Adapter, NET_ADAPTER_WAKE_MEDIA_CHANGE_CAPABILITIES const *Capabilities)
{
	RECORD("NetAdapterWakeSetMediaChangeCapabilities", wake_media, OFFLOAD_WAKE);
}

VOID NetAdapterWakeSetPacketFilterCapabilities(
	NETADAPTER Adapter, NET_ADAPTER_WAKE_PACKET_FILTER_CAPABILITIES const *Capabilities)
{
	RECORD("NetAdapterWakeSetPacketFilterCapabilities", wake_filter, OFFLOAD_WAKE);
}

VOID NetAdapterWakeSetEapolPacketCapabilities(
	NETADAPTER Adapter, NET_ADAPTER_WAKE_EAPOL_PACKET_CAPABILITIES const *Capabilities)
{
	RECORD("NetAdapterWakeSetEapolPacketCapabilities", wake_eapol, OFFLOAD_WAKE);
}

VOID NetAdapterPowerOffloadSetArpCapabilities(
	NETADAPTER Adapter, NET_ADAPTER_POWER_OFFLOAD_ARP_CAPABILITIES const *Capabilities)
{
	RECORD("NetAdapterPowerOffloadSetArpCapabilities", pm_arp, OFFLOAD_POWER);
}

VOID NetAdapterPowerOffloadSetNSCapabilities(
	NETADAPTER Adapter, NET_ADAPTER_POWER_OFFLOAD_NS_CAPABILITIES const *Capabilities)
{
	RECORD("NetAdapterPowerOffloadSetNSCapabilities", pm_ns, OFFLOAD_POWER);
}

/*
 * NETOFFLOAD handles exist only inside an EvtAdapterOffloadSet* callback,
 * which umnic does not call yet: whatever is passed, nothing is enabled.
 */
#define OFFLOAD_QUERY(name)                \
	BOOLEAN name(NETOFFLOAD Offload)   \
	{                                  \
		(void)Offload;             \
		return FALSE;              \
	}

OFFLOAD_QUERY(NetOffloadIsTxChecksumIPv4Enabled)
OFFLOAD_QUERY(NetOffloadIsTxChecksumTcpEnabled)
OFFLOAD_QUERY(NetOffloadIsTxChecksumUdpEnabled)
OFFLOAD_QUERY(NetOffloadIsRxChecksumIPv4Enabled)
OFFLOAD_QUERY(NetOffloadIsRxChecksumTcpEnabled)
OFFLOAD_QUERY(NetOffloadIsRxChecksumUdpEnabled)
OFFLOAD_QUERY(NetOffloadIsLsoIPv4Enabled)
OFFLOAD_QUERY(NetOffloadIsLsoIPv6Enabled)
OFFLOAD_QUERY(NetOffloadIsUsoIPv4Enabled)
OFFLOAD_QUERY(NetOffloadIsUsoIPv6Enabled)
OFFLOAD_QUERY(NetOffloadIsTcpRscIPv4Enabled)
OFFLOAD_QUERY(NetOffloadIsTcpRscIPv6Enabled)
OFFLOAD_QUERY(NetOffloadIsUdpRscEnabled)

bool umn_offload_recorded(const struct umn_adapter *a, unsigned *ret_bits)
{
	if (!a->offload)
		return false;
	*ret_bits = a->offload->set;
	return true;
}
