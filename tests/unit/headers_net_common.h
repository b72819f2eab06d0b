/* SPDX-License-Identifier: MIT */
/*
 * Checks of the NetAdapterCx headers shared by the C and the C++ build of
 * the test (headers_net_c.c, headers_net_cpp.cpp): layouts that must match
 * Windows x64, documented enum values and _INIT defaults, the extension
 * getters, and the ring iterators across 32-bit index wrap-around.
 *
 * Each check that fails prints its file and line; the runner returns the
 * number of failures.
 */
#ifndef UMNIC_TESTS_HEADERS_NET_COMMON_H
#define UMNIC_TESTS_HEADERS_NET_COMMON_H

#include <netadaptercx.h>
#include <net/iterator.h>
#include <net/hash.h>
#include <net/rsctimestamp.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

static int g_failures;

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);   \
			g_failures++;                                                              \
		}                                                                                  \
	} while (0)

#define SA(e) UMNIC_STATIC_ASSERT(e, #e)

/* ---- Layouts (identical to Windows x64: no `long` anywhere, enums are 4 bytes) ------------- */

SA(sizeof(NET_PACKET) == 12);
SA(sizeof(NET_FRAGMENT) == 8);
SA(offsetof(NET_RING, Buffer) == 64);
SA(sizeof(NET_RING_COLLECTION) == 3 * sizeof(void *));

SA(sizeof(NET_PACKET_CHECKSUM) == 1);
SA(sizeof(NET_PACKET_GSO) == 4);
SA(sizeof(NET_PACKET_RSC) == 4);
SA(offsetof(NET_PACKET_RSC, TCP.DuplicateAckCount) == 2);
SA(offsetof(NET_PACKET_RSC, UDP.CoalescedSegmentSize) == 2);
SA(sizeof(NET_PACKET_RSC_TIMESTAMP) == 4);
SA(sizeof(NET_PACKET_HASH) == 8);
SA(offsetof(NET_PACKET_HASH, ProtocolType) == 4);
SA(sizeof(NET_PACKET_IEEE8021Q) == 4);
SA(sizeof(NET_FRAGMENT_VIRTUAL_ADDRESS) == 8);
SA(sizeof(NET_FRAGMENT_LOGICAL_ADDRESS) == 8);
SA(sizeof(NET_FRAGMENT_RETURN_CONTEXT) == 8);

SA(sizeof(NET_LUID) == 8);
SA(sizeof(NET_EUI48_ADDRESS) == 6);
SA(sizeof(NET_ADAPTER_LINK_LAYER_ADDRESS) == 34);
SA(offsetof(NET_ADAPTER_LINK_LAYER_ADDRESS, Address) == 2);

SA(sizeof(NET_ADAPTER_DATAPATH_CALLBACKS) == 24);
SA(offsetof(NET_ADAPTER_DATAPATH_CALLBACKS, EvtAdapterCreateRxQueue) == 16);

SA(sizeof(NET_ADAPTER_LINK_LAYER_CAPABILITIES) == 24);
SA(offsetof(NET_ADAPTER_LINK_STATE, TxLinkSpeed) == 8);
SA(offsetof(NET_ADAPTER_LINK_STATE, MediaConnectState) == 24);
SA(offsetof(NET_ADAPTER_LINK_STATE, AutoNegotiationFlags) == 36);
SA(sizeof(NET_ADAPTER_LINK_STATE) == 40);

SA(offsetof(NET_ADAPTER_TX_CAPABILITIES, MappingRequirement) == 4);
SA(offsetof(NET_ADAPTER_TX_CAPABILITIES, PayloadBackfill) == 8);
SA(offsetof(NET_ADAPTER_TX_CAPABILITIES, MaximumNumberOfFragments) == 16);
SA(offsetof(NET_ADAPTER_TX_CAPABILITIES, FragmentBufferAlignment) == 24);
SA(offsetof(NET_ADAPTER_TX_CAPABILITIES, FragmentRingNumberOfElementsHint) == 32);
SA(offsetof(NET_ADAPTER_TX_CAPABILITIES, MaximumNumberOfQueues) == 40);
SA(offsetof(NET_ADAPTER_TX_CAPABILITIES, DmaCapabilities) == 48);
SA(sizeof(NET_ADAPTER_TX_CAPABILITIES) == 56);

SA(offsetof(NET_ADAPTER_RX_CAPABILITIES, AllocationMode) == 4);
SA(offsetof(NET_ADAPTER_RX_CAPABILITIES, AttachmentMode) == 8);
SA(offsetof(NET_ADAPTER_RX_CAPABILITIES, FragmentRingNumberOfElementsHint) == 12);
SA(offsetof(NET_ADAPTER_RX_CAPABILITIES, MaximumFrameSize) == 16);
SA(offsetof(NET_ADAPTER_RX_CAPABILITIES, MaximumNumberOfQueues) == 24);
SA(offsetof(NET_ADAPTER_RX_CAPABILITIES, EvtAdapterReturnRxBuffer) == 32);
SA(offsetof(NET_ADAPTER_RX_CAPABILITIES, MappingRequirement) == 32);
SA(offsetof(NET_ADAPTER_RX_CAPABILITIES, FragmentBufferAlignment) == 40);
SA(offsetof(NET_ADAPTER_RX_CAPABILITIES, DmaCapabilities) == 48);
SA(sizeof(NET_ADAPTER_RX_CAPABILITIES) == 56);

SA(offsetof(NET_ADAPTER_RECEIVE_FILTER_CAPABILITIES, MaximumMulticastAddresses) == 8);
SA(sizeof(NET_ADAPTER_RECEIVE_FILTER_CAPABILITIES) == 24);

SA(offsetof(NET_ADAPTER_OFFLOAD_TX_CHECKSUM_CAPABILITIES, Layer3HeaderOffsetLimit) == 12);
SA(offsetof(NET_ADAPTER_OFFLOAD_TX_CHECKSUM_CAPABILITIES, EvtAdapterOffloadSetTxChecksum) == 16);
SA(offsetof(NET_ADAPTER_OFFLOAD_GSO_CAPABILITIES, MaximumOffloadSize) == 16);
SA(sizeof(NET_ADAPTER_OFFLOAD_GSO_CAPABILITIES) == 40);
SA(offsetof(NET_ADAPTER_OFFLOAD_RSC_CAPABILITIES, TcpTimestampOption) == 12);
SA(sizeof(NET_ADAPTER_OFFLOAD_RSC_CAPABILITIES) == 24);

SA(offsetof(NET_ADAPTER_RECEIVE_SCALING_CAPABILITIES, UnhashedTargetType) == 32);
SA(offsetof(NET_ADAPTER_RECEIVE_SCALING_CAPABILITIES, ReceiveScalingEncapsulationTypes) == 44);
SA(offsetof(NET_ADAPTER_RECEIVE_SCALING_CAPABILITIES, SynchronizeSetIndirectionEntries) == 52);
SA(offsetof(NET_ADAPTER_RECEIVE_SCALING_CAPABILITIES, EvtAdapterReceiveScalingEnable) == 56);
SA(sizeof(NET_ADAPTER_RECEIVE_SCALING_CAPABILITIES) == 88);
SA(sizeof(NET_ADAPTER_RECEIVE_SCALING_INDIRECTION_ENTRY) == 16);

SA(offsetof(NET_PACKET_QUEUE_CONFIG, EvtStart) == 8);
SA(offsetof(NET_PACKET_QUEUE_CONFIG, ExecutionContext) == 48);
SA(sizeof(NET_PACKET_QUEUE_CONFIG) == 56);

/* ---- Enum values -------------------------------------------------------------------------- */

SA(NET_ADAPTER_LINK_SPEED_UNKNOWN == 0xFFFFFFFFFFFFFFFFull);
SA(NET_ADAPTER_FRAGMENT_DEFAULT_ALIGNMENT == 1);
SA(NetPacketFilterFlagDirected == 0x1 && NetPacketFilterFlagMulticast == 0x2);
SA(NetPacketFilterFlagAllMulticast == 0x4 && NetPacketFilterFlagBroadcast == 0x8);
SA(NetPacketFilterFlagPromiscuous == 0x20);
SA(MediaConnectStateUnknown == 0 && MediaConnectStateConnected == 1);
SA(MediaConnectStateDisconnected == 2);
SA(MediaDuplexStateUnknown == 0 && MediaDuplexStateHalf == 1 && MediaDuplexStateFull == 2);
SA(NetAdapterPauseFunctionTypeUnsupported == 0 && NetAdapterPauseFunctionTypeSendOnly == 1);
SA(NetAdapterPauseFunctionTypeReceiveOnly == 2);
SA(NetAdapterPauseFunctionTypeSendAndReceive == 3 && NetAdapterPauseFunctionTypeUnknown == 4);
SA(NetAdapterAutoNegotiationFlagNone == 0);
SA(NetAdapterAutoNegotiationFlagXmitLinkSpeedAutoNegotiated == 1);
SA(NetAdapterAutoNegotiationFlagRcvLinkSpeedautoNegotiated == 2);
SA(NetAdapterAutoNegotiationFlagDuplexAutoNegotiated == 4);
SA(NetAdapterAutoNegotiationFlagPauseFunctionsAutoNegotiated == 8);
SA(NetMemoryMappingRequirementNone == 0 && NetMemoryMappingRequirementDmaMapped == 1);
SA(NetRxFragmentBufferAllocationModeSystem == 0);
SA(NetRxFragmentBufferAttachmentModeSystem == 0 && NetRxFragmentBufferAttachmentModeDriver == 1);
SA(NetAdapterOffloadLayer3FlagIPv4NoOptions == 1 &&
   NetAdapterOffloadLayer3FlagIPv4WithOptions == 2);
SA(NetAdapterOffloadLayer3FlagIPv6NoExtensions == 4);
SA(NetAdapterOffloadLayer3FlagIPv6WithExtensions == 8);
SA(NetAdapterOffloadLayer4FlagTcpNoOptions == 1 && NetAdapterOffloadLayer4FlagTcpWithOptions == 2);
SA(NetAdapterOffloadLayer4FlagUdp == 4);
SA(NetAdapterReceiveScalingHashTypeToeplitz == 1);
SA(NetAdapterReceiveScalingProtocolTypeIPv4 == 1 &&
   NetAdapterReceiveScalingProtocolTypeIPv4Options == 2);
SA(NetAdapterReceiveScalingProtocolTypeIPv6 == 4);
SA(NetAdapterReceiveScalingProtocolTypeIPv6Extensions == 8);
SA(NetAdapterReceiveScalingProtocolTypeTcp == 0x10 &&
   NetAdapterReceiveScalingProtocolTypeUdp == 0x20);
SA(NetPacketTxChecksumActionPassthrough == 0 && NetPacketTxChecksumActionRequired == 2);
SA(NetPacketRxChecksumEvaluationNotChecked == 0 && NetPacketRxChecksumEvaluationValid == 1);
SA(NetPacketRxChecksumEvaluationInvalid == 2);
SA(NetPacketHashProtocolTypeTcp == 0x10 && NetPacketHashProtocolTypeUdp == 0x20);
SA(NetPacketTxIeee8021qActionFlagPriorityRequired == 1);
SA(NetPacketTxIeee8021qActionFlagVlanRequired == 2);
SA(NET_CONFIGURATION_QUERY_ULONG_NO_FLAGS == 0);
SA(NET_CONFIGURATION_QUERY_ULONG_MAY_BE_STORED_AS_HEX_STRING == 1);
SA(NET_PACKET_EXTENSION_CHECKSUM_VERSION_1 == 1 && NET_PACKET_EXTENSION_GSO_VERSION_1 == 1);
SA(NET_PACKET_EXTENSION_RSC_VERSION_2 == 2 && NET_PACKET_EXTENSION_HASH_VERSION_1 == 1);
SA(NET_PACKET_EXTENSION_IEEE8021Q_VERSION_1 == 1);
SA(NET_FRAGMENT_EXTENSION_VIRTUAL_ADDRESS_VERSION_1 == 1);

/* ---- Callbacks to hand to the _INIT helpers ----------------------------------------------- */

static NTSTATUS test_create_txqueue(NETADAPTER Adapter, NETTXQUEUE_INIT *Init)
{
	UNREFERENCED_PARAMETER(Adapter);
	UNREFERENCED_PARAMETER(Init);
	return STATUS_SUCCESS;
}

static NTSTATUS test_create_rxqueue(NETADAPTER Adapter, NETRXQUEUE_INIT *Init)
{
	UNREFERENCED_PARAMETER(Adapter);
	UNREFERENCED_PARAMETER(Init);
	return STATUS_SUCCESS;
}

static void test_set_receive_filter(NETADAPTER Adapter, NETRECEIVEFILTER Filter)
{
	UNREFERENCED_PARAMETER(Adapter);
	UNREFERENCED_PARAMETER(Filter);
}

static void test_offload(NETADAPTER Adapter, NETOFFLOAD Offload)
{
	UNREFERENCED_PARAMETER(Adapter);
	UNREFERENCED_PARAMETER(Offload);
}

static NTSTATUS test_rss_enable(NETADAPTER Adapter, NET_ADAPTER_RECEIVE_SCALING_HASH_TYPE Hash,
				NET_ADAPTER_RECEIVE_SCALING_PROTOCOL_TYPE Protocol)
{
	UNREFERENCED_PARAMETER(Adapter);
	UNREFERENCED_PARAMETER(Hash);
	UNREFERENCED_PARAMETER(Protocol);
	return STATUS_SUCCESS;
}

static void test_rss_disable(NETADAPTER Adapter)
{
	UNREFERENCED_PARAMETER(Adapter);
}

static NTSTATUS test_rss_key(NETADAPTER Adapter,
			     NET_ADAPTER_RECEIVE_SCALING_HASH_SECRET_KEY const *Key)
{
	UNREFERENCED_PARAMETER(Adapter);
	UNREFERENCED_PARAMETER(Key);
	return STATUS_SUCCESS;
}

static NTSTATUS test_rss_table(NETADAPTER Adapter,
			       NET_ADAPTER_RECEIVE_SCALING_INDIRECTION_ENTRIES *Entries)
{
	UNREFERENCED_PARAMETER(Adapter);
	UNREFERENCED_PARAMETER(Entries);
	return STATUS_SUCCESS;
}

static void test_queue_advance(NETPACKETQUEUE Queue)
{
	UNREFERENCED_PARAMETER(Queue);
}

static void test_queue_notify(NETPACKETQUEUE Queue, BOOLEAN Enabled)
{
	UNREFERENCED_PARAMETER(Queue);
	UNREFERENCED_PARAMETER(Enabled);
}

static void test_queue_cancel(NETPACKETQUEUE Queue)
{
	UNREFERENCED_PARAMETER(Queue);
}

/* Every _INIT must overwrite whatever was there; start from garbage to prove it. */
#define POISON(s) memset(&(s), 0xA5, sizeof(s))

static void test_adapter_inits(void)
{
	NET_ADAPTER_DATAPATH_CALLBACKS cb;
	NET_ADAPTER_LINK_LAYER_ADDRESS addr;
	NET_ADAPTER_LINK_LAYER_CAPABILITIES llc;
	NET_ADAPTER_LINK_STATE ls;
	NET_ADAPTER_TX_CAPABILITIES tx;
	NET_ADAPTER_RX_CAPABILITIES rx;
	NET_ADAPTER_RECEIVE_FILTER_CAPABILITIES rf;
	static const UCHAR mac[6] = {0x02, 0x00, 0x5e, 0x10, 0x20, 0x30};
	UCHAR big[40];
	unsigned i;

	POISON(cb);
	NET_ADAPTER_DATAPATH_CALLBACKS_INIT(&cb, test_create_txqueue, test_create_rxqueue);
	CHECK(cb.Size == sizeof(cb));
	CHECK(cb.EvtAdapterCreateTxQueue == test_create_txqueue);
	CHECK(cb.EvtAdapterCreateRxQueue == test_create_rxqueue);

	POISON(addr);
	NET_ADAPTER_LINK_LAYER_ADDRESS_INIT(&addr, sizeof(mac), mac);
	CHECK(addr.Length == 6);
	CHECK(memcmp(addr.Address, mac, 6) == 0);
	for (i = 6; i < sizeof(addr.Address); i++)
		CHECK(addr.Address[i] == 0);

	/* An oversized length is kept for the runtime to reject, but the copy stays in bounds. */
	memset(big, 0x77, sizeof(big));
	NET_ADAPTER_LINK_LAYER_ADDRESS_INIT(&addr, sizeof(big), big);
	CHECK(addr.Length == sizeof(big));
	CHECK(addr.Address[31] == 0x77);

	POISON(llc);
	NET_ADAPTER_LINK_LAYER_CAPABILITIES_INIT(&llc, 10000000000ull, 1000000000ull);
	CHECK(llc.Size == sizeof(llc));
	CHECK(llc.MaxTxLinkSpeed == 10000000000ull);
	CHECK(llc.MaxRxLinkSpeed == 1000000000ull);

	POISON(ls);
	NET_ADAPTER_LINK_STATE_INIT(&ls, 1000000000ull, MediaConnectStateConnected,
				    MediaDuplexStateFull, NetAdapterPauseFunctionTypeSendAndReceive,
				    NetAdapterAutoNegotiationFlagDuplexAutoNegotiated);
	CHECK(ls.Size == sizeof(ls));
	CHECK(ls.TxLinkSpeed == 1000000000ull && ls.RxLinkSpeed == 1000000000ull);
	CHECK(ls.MediaConnectState == MediaConnectStateConnected);
	CHECK(ls.MediaDuplexState == MediaDuplexStateFull);
	CHECK(ls.SupportedPauseFunctions == NetAdapterPauseFunctionTypeSendAndReceive);
	CHECK(ls.AutoNegotiationFlags == NetAdapterAutoNegotiationFlagDuplexAutoNegotiated);

	POISON(ls);
	NET_ADAPTER_LINK_STATE_INIT_DISCONNECTED(&ls);
	CHECK(ls.Size == sizeof(ls));
	CHECK(ls.TxLinkSpeed == NET_ADAPTER_LINK_SPEED_UNKNOWN);
	CHECK(ls.RxLinkSpeed == NET_ADAPTER_LINK_SPEED_UNKNOWN);
	CHECK(ls.MediaConnectState == MediaConnectStateDisconnected);
	CHECK(ls.MediaDuplexState == MediaDuplexStateUnknown);
	CHECK(ls.SupportedPauseFunctions == NetAdapterPauseFunctionTypeUnknown);
	CHECK(ls.AutoNegotiationFlags == NetAdapterAutoNegotiationFlagNone);

	POISON(tx);
	NET_ADAPTER_TX_CAPABILITIES_INIT(&tx, 4);
	CHECK(tx.Size == sizeof(tx));
	CHECK(tx.MappingRequirement == NetMemoryMappingRequirementNone);
	CHECK(tx.PayloadBackfill == 0);
	CHECK(tx.MaximumNumberOfFragments == (SIZE_T)-1);
	CHECK(tx.FragmentBufferAlignment == NET_ADAPTER_FRAGMENT_DEFAULT_ALIGNMENT);
	CHECK(tx.FragmentRingNumberOfElementsHint == 0);
	CHECK(tx.MaximumNumberOfQueues == 4);
	CHECK(tx.DmaCapabilities == NULL);

	POISON(rx);
	NET_ADAPTER_RX_CAPABILITIES_INIT_SYSTEM_MANAGED(&rx, 1514, 2);
	CHECK(rx.Size == sizeof(rx));
	CHECK(rx.AllocationMode == NetRxFragmentBufferAllocationModeSystem);
	CHECK(rx.AttachmentMode == NetRxFragmentBufferAttachmentModeSystem);
	CHECK(rx.FragmentRingNumberOfElementsHint == 0);
	CHECK(rx.MaximumFrameSize == 1514);
	CHECK(rx.MaximumNumberOfQueues == 2);
	CHECK(rx.MappingRequirement == NetMemoryMappingRequirementNone);
	CHECK(rx.FragmentBufferAlignment == NET_ADAPTER_FRAGMENT_DEFAULT_ALIGNMENT);
	CHECK(rx.DmaCapabilities == NULL);

	POISON(rf);
	NET_ADAPTER_RECEIVE_FILTER_CAPABILITIES_INIT(&rf, test_set_receive_filter);
	CHECK(rf.Size == sizeof(rf));
	CHECK(rf.SupportedPacketFilters == 0);
	CHECK(rf.MaximumMulticastAddresses == 0);
	CHECK(rf.EvtSetReceiveFilter == test_set_receive_filter);
}

static void test_offload_inits(void)
{
	NET_ADAPTER_OFFLOAD_TX_CHECKSUM_CAPABILITIES txc;
	NET_ADAPTER_OFFLOAD_RX_CHECKSUM_CAPABILITIES rxc;
	NET_ADAPTER_OFFLOAD_GSO_CAPABILITIES gso;
	NET_ADAPTER_OFFLOAD_RSC_CAPABILITIES rsc;
	NET_ADAPTER_RECEIVE_SCALING_CAPABILITIES rss;

	POISON(txc);
	NET_ADAPTER_OFFLOAD_TX_CHECKSUM_CAPABILITIES_INIT(
	    &txc, NetAdapterOffloadLayer3FlagIPv4NoOptions, test_offload);
	CHECK(txc.Size == sizeof(txc));
	CHECK(txc.Layer3Flags == NetAdapterOffloadLayer3FlagIPv4NoOptions);
	CHECK(txc.Layer4Flags == 0);
	CHECK(txc.Layer3HeaderOffsetLimit == 0 && txc.Layer4HeaderOffsetLimit == 0);
	CHECK(txc.EvtAdapterOffloadSetTxChecksum == test_offload);

	POISON(rxc);
	NET_ADAPTER_OFFLOAD_RX_CHECKSUM_CAPABILITIES_INIT(&rxc, test_offload);
	CHECK(rxc.Size == sizeof(rxc));
	CHECK(rxc.EvtAdapterOffloadSetRxChecksum == test_offload);

	POISON(gso);
	NET_ADAPTER_OFFLOAD_GSO_CAPABILITIES_INIT(&gso, NetAdapterOffloadLayer3FlagIPv6NoExtensions,
						  NetAdapterOffloadLayer4FlagUdp, 65535, 2,
						  test_offload);
	CHECK(gso.Size == sizeof(gso));
	CHECK(gso.Layer3Flags == NetAdapterOffloadLayer3FlagIPv6NoExtensions);
	CHECK(gso.Layer4Flags == NetAdapterOffloadLayer4FlagUdp);
	CHECK(gso.Layer4HeaderOffsetLimit == 0);
	CHECK(gso.MaximumOffloadSize == 65535 && gso.MinimumSegmentCount == 2);
	CHECK(gso.EvtAdapterOffloadSetGso == test_offload);

	POISON(rsc);
	NET_ADAPTER_OFFLOAD_RSC_CAPABILITIES_INIT(&rsc, NetAdapterOffloadLayer3FlagIPv4WithOptions,
						  NetAdapterOffloadLayer4FlagTcpWithOptions,
						  test_offload);
	CHECK(rsc.Size == sizeof(rsc));
	CHECK(rsc.Layer3Flags == NetAdapterOffloadLayer3FlagIPv4WithOptions);
	CHECK(rsc.Layer4Flags == NetAdapterOffloadLayer4FlagTcpWithOptions);
	CHECK(rsc.TcpTimestampOption == FALSE);
	CHECK(rsc.EvtAdapterOffloadSetRsc == test_offload);

	POISON(rss);
	NET_ADAPTER_RECEIVE_SCALING_CAPABILITIES_INIT(
	    &rss, 4, NetAdapterReceiveScalingUnhashedTargetTypeHashIndex,
	    NetAdapterReceiveScalingHashTypeToeplitz, NetAdapterReceiveScalingProtocolTypeTcp,
	    test_rss_enable, test_rss_disable, test_rss_key, test_rss_table);
	CHECK(rss.Size == sizeof(rss));
	CHECK(rss.NumberOfQueues == 4);
	CHECK(rss.IndirectionTableSize == 128);
	CHECK(rss.UnhashedTargetIndex == 0);
	CHECK(rss.UnhashedTargetType == NetAdapterReceiveScalingUnhashedTargetTypeHashIndex);
	CHECK(rss.ReceiveScalingHashTypes == NetAdapterReceiveScalingHashTypeToeplitz);
	CHECK(rss.ReceiveScalingProtocolTypes == NetAdapterReceiveScalingProtocolTypeTcp);
	CHECK(rss.ReceiveScalingEncapsulationTypes.Outer ==
	      NetAdapterReceiveScalingEncapsulationTypeNone);
	CHECK(rss.ReceiveScalingEncapsulationTypes.Inner ==
	      NetAdapterReceiveScalingEncapsulationTypeNone);
	CHECK(rss.SynchronizeSetIndirectionEntries == FALSE);
	CHECK(rss.EvtAdapterReceiveScalingEnable == test_rss_enable);
	CHECK(rss.EvtAdapterReceiveScalingDisable == test_rss_disable);
	CHECK(rss.EvtAdapterReceiveScalingSetHashSecretKey == test_rss_key);
	CHECK(rss.EvtAdapterReceiveScalingSetIndirectionEntries == test_rss_table);
}

static void test_queue_inits(void)
{
	NET_PACKET_QUEUE_CONFIG qc;
	NET_EXTENSION_QUERY q;

	POISON(qc);
	NET_PACKET_QUEUE_CONFIG_INIT(&qc, test_queue_advance, test_queue_notify, test_queue_cancel);
	CHECK(qc.Size == sizeof(qc));
	CHECK(qc.EvtStart == NULL && qc.EvtStop == NULL);
	CHECK(qc.EvtAdvance == test_queue_advance);
	CHECK(qc.EvtSetNotificationEnabled == test_queue_notify);
	CHECK(qc.EvtCancel == test_queue_cancel);
	CHECK(qc.ExecutionContext == NULL);

	POISON(q);
	NET_EXTENSION_QUERY_INIT(&q, NET_PACKET_EXTENSION_CHECKSUM_NAME,
				 NET_PACKET_EXTENSION_CHECKSUM_VERSION_1, NetExtensionTypePacket);
	CHECK(q.Size == sizeof(q));
	CHECK(wcscmp(q.Name, L"ms_packet_checksum") == 0);
	CHECK(q.Version == 1);
	CHECK(q.Type == NetExtensionTypePacket);
}

static void test_extension_names(void)
{
	CHECK(wcscmp(NET_PACKET_EXTENSION_GSO_NAME, L"ms_packet_gso") == 0);
	CHECK(wcscmp(NET_PACKET_EXTENSION_RSC_NAME, L"ms_packet_rsc") == 0);
	CHECK(wcscmp(NET_PACKET_EXTENSION_RSC_TIMESTAMP_NAME, L"ms_packet_rsc_timestamp") == 0);
	CHECK(wcscmp(NET_PACKET_EXTENSION_HASH_NAME, L"ms_packet_hash") == 0);
	CHECK(wcscmp(NET_PACKET_EXTENSION_IEEE8021Q_NAME, L"ms_packet_ieee8021q") == 0);
	CHECK(wcscmp(NET_FRAGMENT_EXTENSION_VIRTUAL_ADDRESS_NAME, L"ms_fragment_virtualaddress") ==
	      0);
	CHECK(wcscmp(NET_FRAGMENT_EXTENSION_LOGICAL_ADDRESS_NAME, L"ms_fragment_logicaladdress") ==
	      0);
	CHECK(wcscmp(NET_FRAGMENT_EXTENSION_RETURN_CONTEXT_NAME, L"ms_fragment_returncontext") ==
	      0);
}

/* Bit positions as Windows lays them out (LSB first); the system reads these bytes. */
static void test_extension_getters(void)
{
	enum { STRIDE = 24, COUNT = 4 };
	unsigned char *mem = (unsigned char *)calloc(COUNT, STRIDE);
	NET_EXTENSION ext;
	unsigned char *slot;
	UINT32 u32;
	UINT16 u16;

	CHECK(mem != NULL);
	if (mem == NULL)
		return;
	memset(&ext, 0, sizeof(ext));
	ext.Reserved[0] = mem;
	ext.Reserved[1] = (void *)(ULONG_PTR)STRIDE;
	ext.Enabled = TRUE;
	slot = mem + 3 * STRIDE;

	CHECK((unsigned char *)NetExtensionGetPacketChecksum(&ext, 3) == slot);
	NetExtensionGetPacketChecksum(&ext, 3)->Layer4 = NetPacketRxChecksumEvaluationInvalid;
	NetExtensionGetPacketChecksum(&ext, 3)->Layer3 = NetPacketRxChecksumEvaluationValid;
	CHECK(slot[0] == 0x24);

	memset(mem, 0, COUNT * STRIDE);
	NetExtensionGetPacketGso(&ext, 3)->TCP.Mss = 1448;
	memcpy(&u32, slot, 4);
	CHECK(u32 == 1448);
	CHECK(NetExtensionGetPacketGso(&ext, 3)->UDP.Mss == 1448);

	memset(mem, 0, COUNT * STRIDE);
	NetExtensionGetPacketRsc(&ext, 3)->TCP.CoalescedSegmentCount = 5;
	NetExtensionGetPacketRsc(&ext, 3)->TCP.DuplicateAckCount = 7;
	CHECK(NetExtensionGetPacketRsc(&ext, 3)->UDP.CoalescedSegmentSize == 7);
	NetExtensionGetPacketRscTimestamp(&ext, 2)->TCP.RscTcpTimestampDelta = 9;
	memcpy(&u32, mem + 2 * STRIDE, 4);
	CHECK(u32 == 9);

	memset(mem, 0, COUNT * STRIDE);
	NetExtensionGetPacketHash(&ext, 3)->HashValue = 0xdeadbeef;
	NetExtensionGetPacketHash(&ext, 3)->ProtocolType =
	    NetPacketHashProtocolTypeIPv4 | NetPacketHashProtocolTypeTcp;
	memcpy(&u16, slot + 4, 2);
	CHECK(u16 == 0x11);

	memset(mem, 0, COUNT * STRIDE);
	NetExtensionGetPacketIeee8021Q(&ext, 3)->PriorityCodePoint = 5;
	NetExtensionGetPacketIeee8021Q(&ext, 3)->VlanIdentifier = 0xABC;
	NetExtensionGetPacketIeee8021Q(&ext, 3)->TxTagging = 3;
	memcpy(&u16, slot, 2);
	CHECK(u16 == (5 | (0xABC << 3)));
	CHECK(slot[2] == 3);

	memset(mem, 0, COUNT * STRIDE);
	NetExtensionGetFragmentVirtualAddress(&ext, 1)->VirtualAddress = mem;
	CHECK(*(void **)(mem + STRIDE) == (void *)mem);
	NetExtensionGetFragmentLogicalAddress(&ext, 2)->LogicalAddress = 0x1234;
	CHECK(*(UINT64 *)(mem + 2 * STRIDE) == 0x1234);
	NetExtensionGetFragmentReturnContext(&ext, 0)->Handle =
	    (NET_FRAGMENT_RETURN_CONTEXT_HANDLE)slot;
	CHECK(*(void **)mem == (void *)slot);

	free(mem);
}

/* ---- Ring iterators ----------------------------------------------------------------------- */

/*
 * A fake queue: 16 packet slots (stride 16: descriptor plus a checksum
 * extension at offset 12) and 32 fragment slots (stride 16: descriptor plus
 * a virtual address extension at offset 8). Indices are set just below the
 * 32-bit wrap, as they would be on a long-running queue with free-running
 * indices.
 */
enum {
	PKT_COUNT = 16,
	PKT_STRIDE = 16,
	FRAG_COUNT = 32,
	FRAG_STRIDE = 16,
	NPACKETS = 9,
};

static const UINT32 PKT_BEGIN = 0xFFFFFFFAu;  /* masked: 10 */
static const UINT32 PKT_NEXT = 0xFFFFFFFEu;   /* masked: 14 */
static const UINT32 PKT_END = 0x00000003u;    /* masked: 3, nine packets after Begin */
static const UINT32 FRAG_BEGIN = 0xFFFFFFF0u; /* masked: 16 */

static NET_RING *make_ring(UINT32 count, UINT16 stride)
{
	SIZE_T size = offsetof(NET_RING, Buffer) + (SIZE_T)count * stride;
	NET_RING *ring;

	size = (size + 63) & ~(SIZE_T)63;
	ring = (NET_RING *)aligned_alloc(64, size);
	if (ring == NULL)
		return NULL;
	memset(ring, 0, size);
	ring->ElementStride = stride;
	ring->NumberOfElements = count;
	ring->ElementIndexMask = count - 1;
	return ring;
}

static UINT16 frag_count_of(UINT32 k)
{
	return (UINT16)(k % 3 + 1);
}

/* Packet k holds k % 3 + 1 fragments; fragment j of packet k has ValidLength 100k + j. */
static void fill_queue(NET_RING *pr, NET_RING *fr)
{
	UINT32 frag = FRAG_BEGIN;
	UINT32 k;

	pr->BeginIndex = PKT_BEGIN;
	pr->NextIndex = PKT_NEXT;
	pr->EndIndex = PKT_END;
	for (k = 0; k < NPACKETS; k++) {
		NET_PACKET *p = NetRingGetPacketAtIndex(pr, PKT_BEGIN + k);
		UINT16 j;

		p->FragmentIndex = frag; /* deliberately unmasked */
		p->FragmentCount = frag_count_of(k);
		for (j = 0; j < p->FragmentCount; j++)
			NetRingGetFragmentAtIndex(fr, frag + j)->ValidLength = 100 * k + j;
		frag += p->FragmentCount;
	}
	fr->BeginIndex = FRAG_BEGIN;
	fr->NextIndex = FRAG_BEGIN;
	fr->EndIndex = frag;
}

static void test_iterators(void)
{
	NET_RING *pr = make_ring(PKT_COUNT, PKT_STRIDE);
	NET_RING *fr = make_ring(FRAG_COUNT, FRAG_STRIDE);
	NET_RING_COLLECTION rings;
	NET_RING_PACKET_ITERATOR pi;
	NET_RING_FRAGMENT_ITERATOR fi;
	NET_EXTENSION csum;
	UINT32 k;
	UINT32 total;

	CHECK(pr != NULL && fr != NULL);
	if (pr == NULL || fr == NULL)
		goto out;
	rings.Rings[NetRingTypePacket] = pr;
	rings.Rings[NetRingTypeFragment] = fr;
	rings.Rings[NetRingTypeDataBuffer] = NULL;
	fill_queue(pr, fr);
	CHECK(fr->EndIndex == 0x00000002u); /* the fragment indices wrapped too */

	memset(&csum, 0, sizeof(csum));
	csum.Reserved[0] = pr->Buffer + sizeof(NET_PACKET);
	csum.Reserved[1] = (void *)(ULONG_PTR)PKT_STRIDE;

	/* All: nine packets, in order, crossing the end of the ring and the 32-bit wrap. */
	pi = NetRingGetAllPackets(&rings);
	CHECK(NetPacketIteratorHasAny(&pi));
	CHECK(NetPacketIteratorGetCount(&pi) == NPACKETS);
	total = 0;
	for (k = 0; NetPacketIteratorHasAny(&pi); k++) {
		UINT32 idx = NetPacketIteratorGetIndex(&pi);
		NET_PACKET *p = NetPacketIteratorGetPacket(&pi);
		NET_PACKET_CHECKSUM *c = NetExtensionGetPacketChecksum(&csum, idx);
		UINT32 j;

		CHECK(idx == ((PKT_BEGIN + k) & (PKT_COUNT - 1)));
		CHECK(idx < PKT_COUNT);
		CHECK((unsigned char *)p == pr->Buffer + (SIZE_T)idx * PKT_STRIDE);
		CHECK((unsigned char *)c == (unsigned char *)p + sizeof(NET_PACKET));
		CHECK(NetPacketIteratorGetCount(&pi) == NPACKETS - k);
		CHECK(p->FragmentCount == frag_count_of(k));

		fi = NetPacketIteratorGetFragments(&pi);
		CHECK(NetFragmentIteratorGetCount(&fi) == frag_count_of(k));
		for (j = 0; NetFragmentIteratorHasAny(&fi); j++) {
			CHECK(NetFragmentIteratorGetIndex(&fi) < FRAG_COUNT);
			CHECK(NetFragmentIteratorGetFragment(&fi)->ValidLength == 100 * k + j);
			NetFragmentIteratorAdvance(&fi);
			total++;
		}
		CHECK(j == frag_count_of(k));
		NetPacketIteratorAdvance(&pi);
	}
	CHECK(k == NPACKETS);
	CHECK(total == 18);
	CHECK(NetPacketIteratorGetCount(&pi) == 0);
	/* Advancing an exhausted iterator must not wrap around into foreign elements. */
	NetPacketIteratorAdvance(&pi);
	CHECK(!NetPacketIteratorHasAny(&pi));

	pi = NetRingGetDrainPackets(&rings);
	CHECK(NetPacketIteratorGetCount(&pi) == 4);
	pi = NetRingGetPostPackets(&rings);
	CHECK(NetPacketIteratorGetCount(&pi) == 5);
	fi = NetRingGetAllFragments(&rings);
	CHECK(NetFragmentIteratorGetCount(&fi) == 18);
	fi = NetRingGetPostFragments(&rings);
	CHECK(NetFragmentIteratorGetCount(&fi) == 18);
	fi = NetRingGetDrainFragments(&rings);
	CHECK(!NetFragmentIteratorHasAny(&fi));

	/* Post two packets to "hardware": packet Next and fragment Next move, Begin stays. */
	pi = NetRingGetPostPackets(&rings);
	for (k = 0; k < 2; k++) {
		NET_RING_FRAGMENT_ITERATOR pf = NetPacketIteratorGetFragments(&pi);

		NetFragmentIteratorAdvanceToTheEnd(&pf);
		CHECK(!NetFragmentIteratorHasAny(&pf));
		NetFragmentIteratorSet(&pf);
		NetPacketIteratorAdvance(&pi);
	}
	NetPacketIteratorSet(&pi);
	CHECK((pr->NextIndex & (PKT_COUNT - 1)) == 0);
	CHECK(pr->BeginIndex == PKT_BEGIN);
	/* Fragment Next is where the last posted packet's fragments end: packet 5 ends at
	 * 16 + (1 + 2 + 3 + 1 + 2 + 3) = 28. */
	CHECK((fr->NextIndex & (FRAG_COUNT - 1)) == 28);
	CHECK(fr->BeginIndex == FRAG_BEGIN);
	pi = NetRingGetPostPackets(&rings);
	CHECK(NetPacketIteratorGetCount(&pi) == 3);
	pi = NetRingGetDrainPackets(&rings);
	CHECK(NetPacketIteratorGetCount(&pi) == 6);

	/* Drain (return) everything posted: packet Begin and fragment Begin reach the Nexts. */
	total = 0;
	while (NetPacketIteratorHasAny(&pi)) {
		NET_RING_FRAGMENT_ITERATOR df = NetPacketIteratorGetFragments(&pi);

		total += NetFragmentIteratorGetCount(&df);
		NetFragmentIteratorAdvanceToTheEnd(&df);
		NetFragmentIteratorSet(&df);
		NetPacketIteratorAdvance(&pi);
	}
	NetPacketIteratorSet(&pi);
	CHECK(total == 12);
	CHECK((pr->BeginIndex & (PKT_COUNT - 1)) == 0);
	CHECK(pr->NextIndex == pr->BeginIndex);
	CHECK((fr->BeginIndex & (FRAG_COUNT - 1)) == 28);
	pi = NetRingGetAllPackets(&rings);
	CHECK(NetPacketIteratorGetCount(&pi) == 3);
	fi = NetRingGetAllFragments(&rings);
	CHECK(NetFragmentIteratorGetCount(&fi) == 6);

	/* The last packet's fragments straddle the end of the fragment ring (31, 0, 1). */
	NetPacketIteratorAdvance(&pi);
	NetPacketIteratorAdvance(&pi);
	fi = NetPacketIteratorGetFragments(&pi);
	CHECK(NetFragmentIteratorGetIndex(&fi) == 31);
	NetFragmentIteratorAdvance(&fi);
	CHECK(NetFragmentIteratorGetIndex(&fi) == 0);
	CHECK(NetFragmentIteratorGetCount(&fi) == 2);

	/* A packet with no fragments gives an empty iterator whose Set changes nothing. */
	NetPacketIteratorGetPacket(&pi)->FragmentCount = 0;
	NetPacketIteratorGetPacket(&pi)->FragmentIndex = 0x12345;
	{
		UINT32 before = fr->BeginIndex;
		NET_RING_FRAGMENT_ITERATOR ef = NetPacketIteratorGetFragments(&pi);

		CHECK(!NetFragmentIteratorHasAny(&ef));
		CHECK(NetFragmentIteratorGetCount(&ef) == 0);
		NetFragmentIteratorSet(&ef);
		CHECK((fr->BeginIndex & (FRAG_COUNT - 1)) == (before & (FRAG_COUNT - 1)));
	}

	/* An empty ring: nothing to visit, Set is harmless. */
	pr->BeginIndex = pr->NextIndex = pr->EndIndex = 0xFFFFFFFFu;
	pi = NetRingGetAllPackets(&rings);
	CHECK(!NetPacketIteratorHasAny(&pi));
	CHECK(NetPacketIteratorGetCount(&pi) == 0);
	NetPacketIteratorAdvance(&pi);
	CHECK(!NetPacketIteratorHasAny(&pi));

	/* EndIndex exactly at the wrap: [0xFFFFFFFF, 0x00000000) is one packet. */
	pr->EndIndex = 0;
	pi = NetRingGetAllPackets(&rings);
	CHECK(NetPacketIteratorGetCount(&pi) == 1);
	CHECK(NetPacketIteratorGetIndex(&pi) == PKT_COUNT - 1);
	NetPacketIteratorAdvance(&pi);
	CHECK(!NetPacketIteratorHasAny(&pi));
	NetPacketIteratorSet(&pi);
	CHECK(pr->BeginIndex == 0);

	/* The largest range the system can post: all slots but one. */
	pr->BeginIndex = 0xFFFFFFF8u;
	pr->NextIndex = pr->BeginIndex;
	pr->EndIndex = pr->BeginIndex + PKT_COUNT - 1;
	pi = NetRingGetAllPackets(&rings);
	CHECK(NetPacketIteratorGetCount(&pi) == PKT_COUNT - 1);
	for (k = 0; NetPacketIteratorHasAny(&pi); k++)
		NetPacketIteratorAdvance(&pi);
	CHECK(k == PKT_COUNT - 1);

out:
	free(pr);
	free(fr);
}

static int run_all_tests(const char *name)
{
	test_adapter_inits();
	test_offload_inits();
	test_queue_inits();
	test_extension_names();
	test_extension_getters();
	test_iterators();
	if (g_failures != 0)
		fprintf(stderr, "%s: %d check(s) failed\n", name, g_failures);
	else
		printf("%s: all checks passed\n", name);
	return g_failures != 0;
}

#endif
