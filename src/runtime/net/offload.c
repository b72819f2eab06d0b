/* SPDX-License-Identifier: MIT */
/*
 * Offload and receive-scaling capabilities. What the driver advertises is
 * checked (Size) and recorded on the adapter, and sent to umnicd with
 * NetAdapterStart. umnicd decides what is in force (the interface's
 * features, within what the driver can do) and sends it after the start
 * and on every change; umn_rt_set_offload then calls the
 * EvtAdapterOffloadSet* callbacks of the groups that changed, with the
 * offload object as NETOFFLOAD, whose queries answer from that set.
 */
#include <stdio.h>
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
	NET_ADAPTER_OFFLOAD_IEEE8021Q_TAG_CAPABILITIES ieee8021q;
	NET_ADAPTER_RECEIVE_SCALING_CAPABILITIES rss;
	NET_ADAPTER_WAKE_BITMAP_CAPABILITIES wake_bitmap;
	NET_ADAPTER_WAKE_MAGIC_PACKET_CAPABILITIES wake_magic;
	NET_ADAPTER_WAKE_MEDIA_CHANGE_CAPABILITIES wake_media;
	NET_ADAPTER_WAKE_PACKET_FILTER_CAPABILITIES wake_filter;
	NET_ADAPTER_WAKE_EAPOL_PACKET_CAPABILITIES wake_eapol;
	NET_ADAPTER_POWER_OFFLOAD_ARP_CAPABILITIES pm_arp;
	NET_ADAPTER_POWER_OFFLOAD_NS_CAPABILITIES pm_ns;
	unsigned set;	 /* OFFLOAD_* bits */
	uint32_t active; /* UMN_OFL_* in force, as umnicd last said */
	bool informed;	 /* the callbacks saw a first set */
};

enum {
	OFFLOAD_TX_CHECKSUM = 1u << 0,
	OFFLOAD_RX_CHECKSUM = 1u << 1,
	OFFLOAD_GSO = 1u << 2,
	OFFLOAD_RSC = 1u << 3,
	OFFLOAD_RSS = 1u << 4,
	OFFLOAD_WAKE = 1u << 5,
	OFFLOAD_POWER = 1u << 6,
	OFFLOAD_IEEE8021Q = 1u << 7,
};

/* The adapter's capability record, created on first use as a child of the adapter. */
static struct umn_offload *offload_of(NETADAPTER h, const char *fn, const void *caps, ULONG size,
				      size_t expected)
{
	struct umn_adapter *a = (struct umn_adapter *)umn_object_from_handle(h, UMN_OBJ_ADAPTER);
	struct umn_object *o;

	if (!a || !caps) {
		umn_log(UMN_LOG_ERR, "%s: %s", fn,
			!a ? "not a NETADAPTER" : "Capabilities is NULL");
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

#define RECORD(fn, field, bit)                                                                     \
	do {                                                                                       \
		struct umn_offload *r =                                                            \
		    offload_of(Adapter, fn, Capabilities, Capabilities ? Capabilities->Size : 0,   \
			       sizeof(*Capabilities));                                             \
		if (r) {                                                                           \
			r->field = *Capabilities;                                                  \
			r->set |= (bit);                                                           \
		}                                                                                  \
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

void NetAdapterOffloadSetIeee8021qTagCapabilities(
    NETADAPTER Adapter, NET_ADAPTER_OFFLOAD_IEEE8021Q_TAG_CAPABILITIES *HardwareCapabilities)
{
	const NET_ADAPTER_OFFLOAD_IEEE8021Q_TAG_CAPABILITIES *Capabilities = HardwareCapabilities;

	RECORD("NetAdapterOffloadSetIeee8021qTagCapabilities", ieee8021q, OFFLOAD_IEEE8021Q);
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

static struct umn_offload *offload_from(NETOFFLOAD h)
{
	return (struct umn_offload *)umn_object_from_handle(h, UMN_OBJ_OFFLOAD);
}

/* The queries answer from the set in force; a handle that is not a NETOFFLOAD answers FALSE. */
#define OFFLOAD_QUERY(name, bit)                                                                   \
	BOOLEAN name(NETOFFLOAD Offload)                                                           \
	{                                                                                          \
		struct umn_offload *o = offload_from(Offload);                                     \
		return o && (o->active & (bit)) ? TRUE : FALSE;                                    \
	}

OFFLOAD_QUERY(NetOffloadIsTxChecksumIPv4Enabled, UMN_OFL_TXCSUM_IPV4)
OFFLOAD_QUERY(NetOffloadIsTxChecksumTcpEnabled, UMN_OFL_TXCSUM_TCP)
OFFLOAD_QUERY(NetOffloadIsTxChecksumUdpEnabled, UMN_OFL_TXCSUM_UDP)
OFFLOAD_QUERY(NetOffloadIsRxChecksumIPv4Enabled, UMN_OFL_RXCSUM_IPV4)
OFFLOAD_QUERY(NetOffloadIsRxChecksumTcpEnabled, UMN_OFL_RXCSUM_TCP)
OFFLOAD_QUERY(NetOffloadIsRxChecksumUdpEnabled, UMN_OFL_RXCSUM_UDP)
OFFLOAD_QUERY(NetOffloadIsLsoIPv4Enabled, UMN_OFL_LSO_IPV4)
OFFLOAD_QUERY(NetOffloadIsLsoIPv6Enabled, UMN_OFL_LSO_IPV6)
OFFLOAD_QUERY(NetOffloadIsUsoIPv4Enabled, UMN_OFL_USO_IPV4)
OFFLOAD_QUERY(NetOffloadIsUsoIPv6Enabled, UMN_OFL_USO_IPV6)
OFFLOAD_QUERY(NetOffloadIsTcpRscIPv4Enabled, UMN_OFL_RSC_TCP_IPV4)
OFFLOAD_QUERY(NetOffloadIsTcpRscIPv6Enabled, UMN_OFL_RSC_TCP_IPV6)
OFFLOAD_QUERY(NetOffloadIsUdpRscEnabled, UMN_OFL_RSC_UDP)

static uint8_t u8_flags(unsigned v)
{
	return (uint8_t)(v & 0xff);
}

static uint16_t u16_limit(unsigned v)
{
	return (uint16_t)v;
}

#define L3_IPV4                                                                                    \
	(NetAdapterOffloadLayer3FlagIPv4NoOptions | NetAdapterOffloadLayer3FlagIPv4WithOptions)
#define L3_IPV6                                                                                    \
	(NetAdapterOffloadLayer3FlagIPv6NoExtensions |                                             \
	 NetAdapterOffloadLayer3FlagIPv6WithExtensions)
#define L4_TCP (NetAdapterOffloadLayer4FlagTcpNoOptions | NetAdapterOffloadLayer4FlagTcpWithOptions)
#define L4_UDP NetAdapterOffloadLayer4FlagUdp

void umn_offload_fill_caps(const struct umn_adapter *a, struct umn_offload_caps *c)
{
	const struct umn_offload *o = a->offload;
	uint32_t can = 0;

	memset(c, 0, sizeof(*c));
	if (!o)
		return;
	if (o->set & OFFLOAD_TX_CHECKSUM) {
		unsigned l3 = o->tx_checksum.Layer3Flags, l4 = o->tx_checksum.Layer4Flags;
		c->txcsum_l3 = u8_flags(l3);
		c->txcsum_l4 = u8_flags(l4);
		c->txcsum_l3_limit = u16_limit(o->tx_checksum.Layer3HeaderOffsetLimit);
		c->txcsum_l4_limit = u16_limit(o->tx_checksum.Layer4HeaderOffsetLimit);
		if (l3 & L3_IPV4)
			can |= UMN_OFL_TXCSUM_IPV4;
		if (l4 & L4_TCP)
			can |= UMN_OFL_TXCSUM_TCP;
		if (l4 & L4_UDP)
			can |= UMN_OFL_TXCSUM_UDP;
	}
	if (o->set & OFFLOAD_RX_CHECKSUM)
		can |= UMN_OFL_RXCSUM;
	if (o->set & OFFLOAD_GSO) {
		unsigned l3 = o->gso.Layer3Flags, l4 = o->gso.Layer4Flags;
		c->gso_l3 = u8_flags(l3);
		c->gso_l4 = u8_flags(l4);
		c->gso_l4_limit = u16_limit(o->gso.Layer4HeaderOffsetLimit);
		c->gso_max_size = o->gso.MaximumOffloadSize > UINT32_MAX
				      ? UINT32_MAX
				      : (uint32_t)o->gso.MaximumOffloadSize;
		c->gso_min_segs = o->gso.MinimumSegmentCount > UINT32_MAX
				      ? UINT32_MAX
				      : (uint32_t)o->gso.MinimumSegmentCount;
		if ((l4 & L4_TCP) && (l3 & L3_IPV4))
			can |= UMN_OFL_LSO_IPV4;
		if ((l4 & L4_TCP) && (l3 & L3_IPV6))
			can |= UMN_OFL_LSO_IPV6;
		if ((l4 & L4_UDP) && (l3 & L3_IPV4))
			can |= UMN_OFL_USO_IPV4;
		if ((l4 & L4_UDP) && (l3 & L3_IPV6))
			can |= UMN_OFL_USO_IPV6;
	}
	if (o->set & OFFLOAD_RSC) {
		unsigned l3 = o->rsc.Layer3Flags, l4 = o->rsc.Layer4Flags;
		c->rsc_l3 = u8_flags(l3);
		c->rsc_l4 = u8_flags(l4);
		c->rsc_timestamp = o->rsc.TcpTimestampOption ? 1 : 0;
		if ((l4 & L4_TCP) && (l3 & L3_IPV4))
			can |= UMN_OFL_RSC_TCP_IPV4;
		if ((l4 & L4_TCP) && (l3 & L3_IPV6))
			can |= UMN_OFL_RSC_TCP_IPV6;
		if ((l4 & L4_UDP) && (l3 & (L3_IPV4 | L3_IPV6)))
			can |= UMN_OFL_RSC_UDP;
	}
	if (o->set & OFFLOAD_IEEE8021Q) {
		c->ieee8021q = u8_flags(o->ieee8021q.Flags);
		if (c->ieee8021q & 3)
			can |= UMN_OFL_IEEE8021Q;
	}
	c->can = can;
}

NTSTATUS umn_rt_set_offload(uint32_t id, uint32_t active)
{
	struct umn_device *dev = umn_rt_device(id);
	struct umn_adapter *a = dev ? dev->adapter : NULL;
	struct umn_offload *o;
	NETADAPTER ah;
	NETOFFLOAD oh;
	uint32_t changed;

	if (!a)
		return STATUS_INVALID_DEVICE_STATE;
	o = a->offload;
	if (!o)
		return STATUS_NOT_SUPPORTED;
	/* Only what the driver advertised can be in force, whatever the message says. */
	struct umn_offload_caps c;
	umn_offload_fill_caps(a, &c);
	active &= c.can;
	/* The first set reaches every callback, so the driver starts from a known state. */
	changed = o->informed ? (o->active ^ active) : UMN_OFL_ALL;
	o->active = active;
	o->informed = true;
	ah = (NETADAPTER)umn_object_handle(&a->obj);
	oh = (NETOFFLOAD)umn_object_handle(&o->obj);
	/*
	 * No Advance runs beside the callbacks: every packet returned after the answer reaches
	 * umnicd was made under the new set, which is what umnicd holds the driver to.
	 */
	umn_ec_pause(a);
	if ((changed & UMN_OFL_TXCSUM) && (o->set & OFFLOAD_TX_CHECKSUM) &&
	    o->tx_checksum.EvtAdapterOffloadSetTxChecksum)
		o->tx_checksum.EvtAdapterOffloadSetTxChecksum(ah, oh);
	if ((changed & UMN_OFL_RXCSUM) && (o->set & OFFLOAD_RX_CHECKSUM) &&
	    o->rx_checksum.EvtAdapterOffloadSetRxChecksum)
		o->rx_checksum.EvtAdapterOffloadSetRxChecksum(ah, oh);
	if ((changed & UMN_OFL_GSO) && (o->set & OFFLOAD_GSO) && o->gso.EvtAdapterOffloadSetGso)
		o->gso.EvtAdapterOffloadSetGso(ah, oh);
	if ((changed & UMN_OFL_RSC) && (o->set & OFFLOAD_RSC) && o->rsc.EvtAdapterOffloadSetRsc)
		o->rsc.EvtAdapterOffloadSetRsc(ah, oh);
	umn_ec_resume(a);
	/* One line per change, in the words the driver's queries answered: for `umnic` logs and
	 * tests. */
	if (umn_rt.ops && umn_rt.ops->report) {
		char text[160];
		snprintf(text, sizeof(text),
			 "offloads in force: tx-checksum %d%d%d rx-checksum %d%d%d lso %d%d uso "
			 "%d%d rsc %d%d%d",
			 NetOffloadIsTxChecksumIPv4Enabled(oh),
			 NetOffloadIsTxChecksumTcpEnabled(oh), NetOffloadIsTxChecksumUdpEnabled(oh),
			 NetOffloadIsRxChecksumIPv4Enabled(oh),
			 NetOffloadIsRxChecksumTcpEnabled(oh), NetOffloadIsRxChecksumUdpEnabled(oh),
			 NetOffloadIsLsoIPv4Enabled(oh), NetOffloadIsLsoIPv6Enabled(oh),
			 NetOffloadIsUsoIPv4Enabled(oh), NetOffloadIsUsoIPv6Enabled(oh),
			 NetOffloadIsTcpRscIPv4Enabled(oh), NetOffloadIsTcpRscIPv6Enabled(oh),
			 NetOffloadIsUdpRscEnabled(oh));
		umn_rt.ops->report(dev, UMN_LOG_INFO, text);
	}
	return STATUS_SUCCESS;
}

bool umn_offload_recorded(const struct umn_adapter *a, unsigned *ret_bits)
{
	if (!a->offload)
		return false;
	*ret_bits = a->offload->set;
	return true;
}

const NET_ADAPTER_RECEIVE_SCALING_CAPABILITIES *umn_offload_rss(const struct umn_adapter *a)
{
	return a->offload && (a->offload->set & OFFLOAD_RSS) ? &a->offload->rss : NULL;
}
