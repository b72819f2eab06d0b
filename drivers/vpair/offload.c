/* SPDX-License-Identifier: MIT */
/*
 * What the OS sets on a vpair adapter, and what vpair offers it: the
 * offloads (checksums, LSO and USO, RSC, 802.1Q tags) with the
 * EvtAdapterOffloadSet* callbacks that record what is in force for the
 * datapath; receive side scaling (its key, protocols and indirection table,
 * which the peer's TX reads to pick a ring); and the receive filter, which
 * vpair records and does not apply. Each offered group follows the
 * registry values read in vpair.c; a socket end offers none of the
 * offloads, its wire carrying plain frames. Every end also offers the wake
 * and power-offload capabilities of a NIC, which umnic records and never
 * arms.
 */
#include "vpair.h"

/* What vpair advertises for wake patterns and power offloads; nothing ever uses them. */
#define VPAIR_WAKE_PATTERNS 32u
#define VPAIR_WAKE_PATTERN_BYTES 128u
#define VPAIR_ARP_OFFLOADS 1u
#define VPAIR_NS_OFFLOADS 2u

/* What the OS put in force, as the NetOffloadIs*Enabled queries answer it; logged for tests to see. */
static void ShowOffloads(VPAIR_ADAPTER *a, const char *What)
{
	DbgPrintEx(DPFLTR_IHVNETWORK_ID, DPFLTR_INFO_LEVEL,
		   "vpair %s: %s: tx-checksum %d rx-checksum %d lso %d uso %d tcp-rsc %d udp-rsc %d\n",
		   a->Side ? "B" : "A", What, atomic_load(&a->TxChecksum), atomic_load(&a->RxChecksum),
		   atomic_load(&a->Lso), atomic_load(&a->Uso), atomic_load(&a->TcpRsc), atomic_load(&a->UdpRsc));
}

static void EvtSetTxChecksum(NETADAPTER Adapter, NETOFFLOAD Offload)
{
	VPAIR_ADAPTER *a = VPairGetAdapter(Adapter);

	atomic_store(&a->TxChecksum, NetOffloadIsTxChecksumTcpEnabled(Offload) &&
					     NetOffloadIsTxChecksumUdpEnabled(Offload));
	ShowOffloads(a, "EvtAdapterOffloadSetTxChecksum");
}

static void EvtSetRxChecksum(NETADAPTER Adapter, NETOFFLOAD Offload)
{
	VPAIR_ADAPTER *a = VPairGetAdapter(Adapter);

	atomic_store(&a->RxChecksum, NetOffloadIsRxChecksumTcpEnabled(Offload) &&
					     NetOffloadIsRxChecksumUdpEnabled(Offload));
	ShowOffloads(a, "EvtAdapterOffloadSetRxChecksum");
}

static void EvtSetGso(NETADAPTER Adapter, NETOFFLOAD Offload)
{
	VPAIR_ADAPTER *a = VPairGetAdapter(Adapter);

	atomic_store(&a->Lso, NetOffloadIsLsoIPv4Enabled(Offload) || NetOffloadIsLsoIPv6Enabled(Offload));
	atomic_store(&a->Uso, NetOffloadIsUsoIPv4Enabled(Offload) || NetOffloadIsUsoIPv6Enabled(Offload));
	ShowOffloads(a, "EvtAdapterOffloadSetGso");
}

static void EvtSetRsc(NETADAPTER Adapter, NETOFFLOAD Offload)
{
	VPAIR_ADAPTER *a = VPairGetAdapter(Adapter);

	atomic_store(&a->TcpRsc, NetOffloadIsTcpRscIPv4Enabled(Offload) || NetOffloadIsTcpRscIPv6Enabled(Offload));
	atomic_store(&a->UdpRsc, NetOffloadIsUdpRscEnabled(Offload));
	ShowOffloads(a, "EvtAdapterOffloadSetRsc");
}

/* Offloads a side offers: none for a socket end, whose wire carries frames only. */
static void SetOffloadCapabilities(VPAIR_ADAPTER *a)
{
	const NET_ADAPTER_OFFLOAD_LAYER3_FLAGS l3 =
		NetAdapterOffloadLayer3FlagIPv4NoOptions | NetAdapterOffloadLayer3FlagIPv4WithOptions |
		NetAdapterOffloadLayer3FlagIPv6NoExtensions | NetAdapterOffloadLayer3FlagIPv6WithExtensions;
	const NET_ADAPTER_OFFLOAD_LAYER4_FLAGS l4 = NetAdapterOffloadLayer4FlagTcpNoOptions |
						    NetAdapterOffloadLayer4FlagTcpWithOptions |
						    NetAdapterOffloadLayer4FlagUdp;

	if (a->Socket >= 0)
		return;
	if (a->CanVlan) {
		NET_ADAPTER_OFFLOAD_IEEE8021Q_TAG_CAPABILITIES tag;

		NET_ADAPTER_OFFLOAD_IEEE8021Q_TAG_CAPABILITIES_INIT(
			&tag, NetAdapterOffloadIeee8021PriorityTaggingFlag | NetAdapterOffloadIeee8021VlanTaggingFlag);
		NetAdapterOffloadSetIeee8021qTagCapabilities(a->Adapter, &tag);
	}
	if (a->CanChecksum) {
		NET_ADAPTER_OFFLOAD_TX_CHECKSUM_CAPABILITIES tx;
		NET_ADAPTER_OFFLOAD_RX_CHECKSUM_CAPABILITIES rx;

		NET_ADAPTER_OFFLOAD_TX_CHECKSUM_CAPABILITIES_INIT(&tx, l3, EvtSetTxChecksum);
		tx.Layer4Flags = l4;
		NetAdapterOffloadSetTxChecksumCapabilities(a->Adapter, &tx);
		NET_ADAPTER_OFFLOAD_RX_CHECKSUM_CAPABILITIES_INIT(&rx, EvtSetRxChecksum);
		NetAdapterOffloadSetRxChecksumCapabilities(a->Adapter, &rx);
	}
	if (a->CanLso) {
		NET_ADAPTER_OFFLOAD_GSO_CAPABILITIES gso;

		NET_ADAPTER_OFFLOAD_GSO_CAPABILITIES_INIT(&gso, l3, l4, VPAIR_GSO_FRAME, 2, EvtSetGso);
		NetAdapterOffloadSetGsoCapabilities(a->Adapter, &gso);
	}
	if (a->CanRsc) {
		NET_ADAPTER_OFFLOAD_RSC_CAPABILITIES rsc;

		NET_ADAPTER_OFFLOAD_RSC_CAPABILITIES_INIT(&rsc, l3, l4, EvtSetRsc);
		rsc.TcpTimestampOption = TRUE;
		NetAdapterOffloadSetRscCapabilities(a->Adapter, &rsc);
	}
}

static NTSTATUS EvtRssEnable(NETADAPTER Adapter, NET_ADAPTER_RECEIVE_SCALING_HASH_TYPE HashType,
			     NET_ADAPTER_RECEIVE_SCALING_PROTOCOL_TYPE ProtocolType)
{
	VPAIR_ADAPTER *a = VPairGetAdapter(Adapter);

	if (HashType != NetAdapterReceiveScalingHashTypeToeplitz)
		return STATUS_NOT_SUPPORTED;
	atomic_store(&a->RssProtocols, (UINT32)ProtocolType);
	atomic_store(&a->RssOn, TRUE);
	DbgPrintEx(DPFLTR_IHVNETWORK_ID, DPFLTR_INFO_LEVEL, "vpair %s: receive scaling on, protocols 0x%x\n",
		   a->Side ? "B" : "A", (unsigned)ProtocolType);
	return STATUS_SUCCESS;
}

static void EvtRssDisable(NETADAPTER Adapter)
{
	VPAIR_ADAPTER *a = VPairGetAdapter(Adapter);

	atomic_store(&a->RssOn, FALSE);
	DbgPrintEx(DPFLTR_IHVNETWORK_ID, DPFLTR_INFO_LEVEL, "vpair %s: receive scaling off\n", a->Side ? "B" : "A");
}

static NTSTATUS EvtRssSetHashSecretKey(NETADAPTER Adapter, NET_ADAPTER_RECEIVE_SCALING_HASH_SECRET_KEY const *Key)
{
	VPAIR_ADAPTER *a = VPairGetAdapter(Adapter);

	if (Key->Length < VPAIR_RSS_KEY)
		return STATUS_INVALID_PARAMETER;
	for (ULONG i = 0; i < VPAIR_RSS_KEY; i++)
		atomic_store_explicit(&a->RssKey[i], Key->Key[i], memory_order_relaxed);
	return STATUS_SUCCESS;
}

static NTSTATUS EvtRssSetIndirectionEntries(NETADAPTER Adapter,
					    NET_ADAPTER_RECEIVE_SCALING_INDIRECTION_ENTRIES *Entries)
{
	VPAIR_ADAPTER *a = VPairGetAdapter(Adapter);
	ULONG64 begun = atomic_load(&a->Advances);
	BOOLEAN busy = atomic_load(&a->InAdvance) != 0;

	if (a->RssHoldMs)
		Sleep(a->RssHoldMs);
	busy = busy || atomic_load(&a->InAdvance) != 0 || atomic_load(&a->Advances) != begun;
	if (busy)
		DbgPrintEx(DPFLTR_IHVNETWORK_ID, DPFLTR_ERROR_LEVEL,
			   "vpair %s: an Advance ran while the indirection table changed\n", a->Side ? "B" : "A");
	for (SIZE_T i = 0; i < Entries->Length; i++) {
		NET_ADAPTER_RECEIVE_SCALING_INDIRECTION_ENTRY *e = &Entries->Entries[i];
		ULONG j;

		for (j = 0; j < a->Queues; j++) {
			VPAIR_QUEUE *rx = atomic_load(&a->RxQueue[j]);
			if (rx && rx->Queue == e->PacketQueue)
				break;
		}
		if (j == a->Queues || e->Index >= VPAIR_RSS_TABLE) {
			e->Status = STATUS_INVALID_PARAMETER;
			continue;
		}
		atomic_store_explicit(&a->RssTable[e->Index], (UINT8)j, memory_order_relaxed);
		e->Status = STATUS_SUCCESS;
	}
	return STATUS_SUCCESS;
}

/* A wire has no address filter of its own: vpair records the filter and delivers everything. */
static void EvtSetReceiveFilter(NETADAPTER Adapter, NETRECEIVEFILTER ReceiveFilter)
{
	VPairGetAdapter(Adapter)->PacketFilter = NetReceiveFilterGetPacketFilter(ReceiveFilter);
}

/*
 * Wake-on-LAN and the power offloads, as a NIC that can sleep offers them:
 * a wake on a magic packet, on a pattern (bitmap), on a frame the receive
 * filter passes, and on the link going up or down; ARP and IPv6 neighbor
 * solicitation answered while asleep. umnic adapters never sleep, so the
 * runtime only checks and records these, and none is ever armed.
 */
static void SetPowerCapabilities(VPAIR_ADAPTER *a)
{
	NET_ADAPTER_WAKE_BITMAP_CAPABILITIES bitmap;
	NET_ADAPTER_WAKE_MAGIC_PACKET_CAPABILITIES magic;
	NET_ADAPTER_WAKE_PACKET_FILTER_CAPABILITIES filter;
	NET_ADAPTER_WAKE_MEDIA_CHANGE_CAPABILITIES media;
	NET_ADAPTER_POWER_OFFLOAD_ARP_CAPABILITIES arp;
	NET_ADAPTER_POWER_OFFLOAD_NS_CAPABILITIES ns;

	NET_ADAPTER_WAKE_BITMAP_CAPABILITIES_INIT(&bitmap);
	bitmap.BitmapPattern = TRUE;
	bitmap.MaximumPatternCount = VPAIR_WAKE_PATTERNS;
	bitmap.MaximumPatternSize = VPAIR_WAKE_PATTERN_BYTES;
	NetAdapterWakeSetBitmapCapabilities(a->Adapter, &bitmap);
	NET_ADAPTER_WAKE_MAGIC_PACKET_CAPABILITIES_INIT(&magic);
	magic.MagicPacket = TRUE;
	NetAdapterWakeSetMagicPacketCapabilities(a->Adapter, &magic);
	NET_ADAPTER_WAKE_PACKET_FILTER_CAPABILITIES_INIT(&filter);
	filter.PacketFilterMatch = TRUE;
	NetAdapterWakeSetPacketFilterCapabilities(a->Adapter, &filter);
	NET_ADAPTER_WAKE_MEDIA_CHANGE_CAPABILITIES_INIT(&media);
	media.MediaConnect = TRUE;
	media.MediaDisconnect = TRUE;
	NetAdapterWakeSetMediaChangeCapabilities(a->Adapter, &media);
	NET_ADAPTER_POWER_OFFLOAD_ARP_CAPABILITIES_INIT(&arp);
	arp.MaximumIPv4Offloads = VPAIR_ARP_OFFLOADS;
	NetAdapterPowerOffloadSetArpCapabilities(a->Adapter, &arp);
	NET_ADAPTER_POWER_OFFLOAD_NS_CAPABILITIES_INIT(&ns);
	ns.MaximumNSOffloads = VPAIR_NS_OFFLOADS;
	NetAdapterPowerOffloadSetNSCapabilities(a->Adapter, &ns);
}

/* Everything of the above the OS may set, offered before NetAdapterStart. */
void VPairSetAdapterCapabilities(VPAIR_ADAPTER *a)
{
	NET_ADAPTER_RECEIVE_FILTER_CAPABILITIES filter;

	NET_ADAPTER_RECEIVE_FILTER_CAPABILITIES_INIT(&filter, EvtSetReceiveFilter);
	filter.SupportedPacketFilters = NetPacketFilterFlagDirected | NetPacketFilterFlagMulticast |
					NetPacketFilterFlagAllMulticast | NetPacketFilterFlagBroadcast |
					NetPacketFilterFlagPromiscuous;
	filter.MaximumMulticastAddresses = 32;
	NetAdapterSetReceiveFilterCapabilities(a->Adapter, &filter);
	SetOffloadCapabilities(a);
	if (a->CanRss && a->Socket < 0) {
		NET_ADAPTER_RECEIVE_SCALING_CAPABILITIES rss;

		NET_ADAPTER_RECEIVE_SCALING_CAPABILITIES_INIT(
			&rss, a->Queues, NetAdapterReceiveScalingUnhashedTargetTypeHashIndex,
			NetAdapterReceiveScalingHashTypeToeplitz,
			NetAdapterReceiveScalingProtocolTypeIPv4 | NetAdapterReceiveScalingProtocolTypeIPv6 |
				NetAdapterReceiveScalingProtocolTypeTcp | NetAdapterReceiveScalingProtocolTypeUdp,
			EvtRssEnable, EvtRssDisable, EvtRssSetHashSecretKey, EvtRssSetIndirectionEntries);
		rss.IndirectionTableSize = VPAIR_RSS_TABLE;
		rss.SynchronizeSetIndirectionEntries = TRUE;
		NetAdapterSetReceiveScalingCapabilities(a->Adapter, &rss);
	}
	SetPowerCapabilities(a);
}
