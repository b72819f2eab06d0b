/* SPDX-License-Identifier: MIT */
/*
 * vpair: a virtual Ethernet pair written as a user-mode NetAdapterCx driver.
 *
 * Two devices of one driver host with the same "Pair" value (default 0) are
 * the two ends of a cable; a host holds as many pairs as it has devices for.
 * Each device has an adapter with one TX and one RX queue. A frame
 * transmitted on one side is copied into a bounded wire queue, and the TX
 * Advance that copied it wakes the other side's RX queue, whose Advance
 * copies it into a buffer the system posted. No thread of its own stands in
 * between: every hop is a wake-up, and a ping pays for each one twice.
 *
 * Devices in hosts of their own (UmdfHostProcessSharing disabled) cannot
 * share memory: such an end is given a connected UDP socket as hardware
 * (UmnicResources) and its wire is that socket, one datagram per frame.
 * Apart from finding that socket, the driver is written against the WDK
 * interface only.
 *
 * Offloads: like a NIC pair on a cable, vpair takes checksum and
 * segmentation work (LSO, USO) on transmit and coalesces on receive (RSC),
 * carrying a GSO frame across the wire whole. When the receiving side does
 * not coalesce, or a side computes no checksums, the wire does that work
 * (common/segment.c, shared with umnicd's software fallback). The registry
 * values OffloadChecksum, OffloadLso and OffloadRsc set to 0 turn each off.
 *
 * Queues: the registry value Queues (1 to 4, default 1) sets how many TX and
 * RX queues each side offers. The wire of each direction has one ring per
 * (sending TX queue, receiving RX queue), so every ring has one producer and
 * one consumer. Like a NIC, the receiving side hashes each frame (Toeplitz,
 * with the key the OS gave it) and its indirection table picks the RX queue;
 * the hash reaches the driver's RX packet in ms_packet_hash. The sender
 * computes it with the receiver's key and table, as the receiving NIC would.
 * OffloadRss = 0 turns receive side scaling off (everything lands on RX
 * queue 0).
 *
 * 802.1Q: vpair inserts the tag the OS hands over in ms_packet_ieee8021q
 * into the frame it sends, and takes the tag off a frame it receives into
 * that extension, like a NIC with tag offload. It is off unless the
 * registry value OffloadVlan is 1, so a plain pair offers what it always did.
 *
 * This file brings a device up: its registry values, the pair or socket it
 * joins, the capabilities it offers, and the adapter's start. The wire is
 * in wire.c, the packet queues in datapath.c, and what the OS sets in
 * offload.c; vpair.h holds what they share.
 */
#include "vpair.h"

static void ReadConfiguration(VPAIR_ADAPTER *a)
{
	DECLARE_CONST_UNICODE_STRING(mtuName, L"MTU");
	DECLARE_CONST_UNICODE_STRING(speedName, L"LinkSpeedMbps");
	DECLARE_CONST_UNICODE_STRING(pairName, L"Pair");
	DECLARE_CONST_UNICODE_STRING(sideName, L"Side");
	DECLARE_CONST_UNICODE_STRING(slotsName, L"WireQueueLength");
	DECLARE_CONST_UNICODE_STRING(checksumName, L"OffloadChecksum");
	DECLARE_CONST_UNICODE_STRING(lsoName, L"OffloadLso");
	DECLARE_CONST_UNICODE_STRING(rscName, L"OffloadRsc");
	DECLARE_CONST_UNICODE_STRING(rssName, L"OffloadRss");
	DECLARE_CONST_UNICODE_STRING(vlanName, L"OffloadVlan");
	DECLARE_CONST_UNICODE_STRING(queuesName, L"Queues");
	DECLARE_CONST_UNICODE_STRING(holdName, L"RssUpdateHoldMs");
	NETCONFIGURATION configuration;
	ULONG value;

	a->Mtu = 1500;
	a->LinkSpeed = 10000ull * 1000 * 1000;
	a->PairId = 0;
	/* Prepared again after a stop: it stays on the side of the pair it took. */
	if (!a->Pair)
		a->Side = 0;
	a->WireSlots = VPAIR_WIRE_SLOTS_DEFAULT;
	a->CanChecksum = a->CanLso = a->CanRsc = a->CanRss = TRUE;
	a->CanVlan = FALSE;
	a->Queues = 1;
	a->RssHoldMs = 0;
	if (!NT_SUCCESS(NetAdapterOpenConfiguration(a->Adapter, WDF_NO_OBJECT_ATTRIBUTES, &configuration)))
		return;
	if (NT_SUCCESS(NetConfigurationQueryUlong(configuration, NET_CONFIGURATION_QUERY_ULONG_NO_FLAGS,
						  &mtuName, &value)) &&
	    value >= 576 && value <= VPAIR_MAX_FRAME - 14)
		a->Mtu = value;
	if (NT_SUCCESS(NetConfigurationQueryUlong(configuration, NET_CONFIGURATION_QUERY_ULONG_NO_FLAGS,
						  &speedName, &value)) &&
	    value)
		a->LinkSpeed = (ULONG64)value * 1000 * 1000;
	if (NT_SUCCESS(NetConfigurationQueryUlong(configuration, NET_CONFIGURATION_QUERY_ULONG_NO_FLAGS,
						  &pairName, &value)) &&
	    value <= 0xFFFF)
		a->PairId = value;
	/* Only a socket end says which side it is; in a host the order of arrival decides. */
	if (!a->Pair &&
	    NT_SUCCESS(NetConfigurationQueryUlong(configuration, NET_CONFIGURATION_QUERY_ULONG_NO_FLAGS,
						  &sideName, &value)) &&
	    value <= 1)
		a->Side = value;
	if (NT_SUCCESS(NetConfigurationQueryUlong(configuration, NET_CONFIGURATION_QUERY_ULONG_NO_FLAGS,
						  &slotsName, &value)) &&
	    value >= VPAIR_WIRE_SLOTS_MIN && value <= VPAIR_WIRE_SLOTS_MAX && !(value & (value - 1)))
		a->WireSlots = value;
	if (NT_SUCCESS(NetConfigurationQueryUlong(configuration, NET_CONFIGURATION_QUERY_ULONG_NO_FLAGS,
						  &checksumName, &value)))
		a->CanChecksum = value != 0;
	if (NT_SUCCESS(NetConfigurationQueryUlong(configuration, NET_CONFIGURATION_QUERY_ULONG_NO_FLAGS,
						  &lsoName, &value)))
		a->CanLso = value != 0;
	if (NT_SUCCESS(NetConfigurationQueryUlong(configuration, NET_CONFIGURATION_QUERY_ULONG_NO_FLAGS,
						  &rscName, &value)))
		a->CanRsc = value != 0;
	if (NT_SUCCESS(NetConfigurationQueryUlong(configuration, NET_CONFIGURATION_QUERY_ULONG_NO_FLAGS,
						  &rssName, &value)))
		a->CanRss = value != 0;
	if (NT_SUCCESS(NetConfigurationQueryUlong(configuration, NET_CONFIGURATION_QUERY_ULONG_NO_FLAGS,
						  &vlanName, &value)))
		a->CanVlan = value != 0;
	if (NT_SUCCESS(NetConfigurationQueryUlong(configuration, NET_CONFIGURATION_QUERY_ULONG_NO_FLAGS,
						  &queuesName, &value)) &&
	    value >= 1 && value <= VPAIR_MAX_QUEUES)
		a->Queues = value;
	if (NT_SUCCESS(NetConfigurationQueryUlong(configuration, NET_CONFIGURATION_QUERY_ULONG_NO_FLAGS,
						  &holdName, &value)) &&
	    value <= 100)
		a->RssHoldMs = value;
	NetConfigurationClose(configuration);
}

/* The UDP socket umnicd granted as the device's hardware, or -1: then the wire is in memory. */
static int GrantedSocket(WDFCMRESLIST Translated)
{
	for (ULONG i = 0; i < WdfCmResourceListGetCount(Translated); i++) {
		PCM_PARTIAL_RESOURCE_DESCRIPTOR r = WdfCmResourceListGetDescriptor(Translated, i);
		if (r && UmnicResourceIsFileDescriptor(r) &&
		    r->u.DevicePrivate.Data[1] == UMNIC_RESOURCE_FD_UDP_SOCKET)
			return (int)r->u.DevicePrivate.Data[0];
	}
	return -1;
}

static NTSTATUS EvtPrepareHardware(WDFDEVICE Device, WDFCMRESLIST Raw, WDFCMRESLIST Translated)
{
	NETADAPTER adapter = VPairGetDevice(Device)->Adapter;
	VPAIR_ADAPTER *a = VPairGetAdapter(adapter);
	NET_ADAPTER_TX_CAPABILITIES tx;
	NET_ADAPTER_RX_CAPABILITIES rx;
	NET_ADAPTER_LINK_LAYER_CAPABILITIES link;
	NET_ADAPTER_LINK_LAYER_ADDRESS address;
	NET_ADAPTER_LINK_STATE state;
	UCHAR mac[6];
	NTSTATUS status;
	int sock;

	UNREFERENCED_PARAMETER(Raw);
	ReadConfiguration(a);
	sock = GrantedSocket(Translated);
	status = sock >= 0 ? VPairUseSocket(a, sock) : VPairJoinPair(a);
	if (!NT_SUCCESS(status))
		return status;
	/* Pair 0 keeps the addresses vpair always had: 02:76:70:61:00:01 and :02. */
	mac[0] = 0x02;
	mac[1] = 0x76;
	mac[2] = 0x70;
	mac[3] = (UCHAR)(0x61 + (a->PairId >> 8));
	mac[4] = (UCHAR)a->PairId;
	mac[5] = (UCHAR)(a->Side + 1);
	NET_ADAPTER_TX_CAPABILITIES_INIT(&tx, a->Queues);
	NET_ADAPTER_RX_CAPABILITIES_INIT_SYSTEM_MANAGED(&rx, VPAIR_MAX_FRAME, a->Queues);
	NetAdapterSetDataPathCapabilities(adapter, &tx, &rx);
	NET_ADAPTER_LINK_LAYER_CAPABILITIES_INIT(&link, a->LinkSpeed, a->LinkSpeed);
	NetAdapterSetLinkLayerCapabilities(adapter, &link);
	NetAdapterSetLinkLayerMtuSize(adapter, a->Mtu);
	NET_ADAPTER_LINK_LAYER_ADDRESS_INIT(&address, sizeof(mac), mac);
	NetAdapterSetPermanentLinkLayerAddress(adapter, &address);
	NetAdapterSetCurrentLinkLayerAddress(adapter, &address);
	VPairSetAdapterCapabilities(a);
	status = NetAdapterStart(adapter);
	if (!NT_SUCCESS(status))
		return status;
	NET_ADAPTER_LINK_STATE_INIT(&state, a->LinkSpeed, MediaConnectStateConnected, MediaDuplexStateFull,
				    NetAdapterPauseFunctionTypeUnsupported, NetAdapterAutoNegotiationFlagNone);
	NetAdapterSetLinkState(adapter, &state);
	return STATUS_SUCCESS;
}

/*
 * The device stops (`umnic stop`) or goes: its side of the pair is free
 * until it is prepared again; what the peer sends meanwhile waits on the
 * wire, up to the wire's length. NetAdapterCx stops the adapter, which
 * EvtPrepareHardware started, after this returns.
 */
static NTSTATUS EvtReleaseHardware(WDFDEVICE Device, WDFCMRESLIST Translated)
{
	VPAIR_ADAPTER *a = VPairGetAdapter(VPairGetDevice(Device)->Adapter);

	UNREFERENCED_PARAMETER(Translated);
	if (a->Pair)
		atomic_store(&a->Pair->Side[a->Side], NULL);
	return STATUS_SUCCESS;
}

static NTSTATUS EvtDeviceAdd(WDFDRIVER Driver, PWDFDEVICE_INIT DeviceInit)
{
	WDF_PNPPOWER_EVENT_CALLBACKS pnp;
	WDF_OBJECT_ATTRIBUTES attributes;
	NET_ADAPTER_DATAPATH_CALLBACKS datapath;
	NETADAPTER_INIT *adapterInit;
	NETADAPTER adapter;
	WDFDEVICE device;
	VPAIR_ADAPTER *a;
	NTSTATUS status;

	UNREFERENCED_PARAMETER(Driver);
	status = NetDeviceInitConfig(DeviceInit);
	if (!NT_SUCCESS(status))
		return status;
	WDF_PNPPOWER_EVENT_CALLBACKS_INIT(&pnp);
	pnp.EvtDevicePrepareHardware = EvtPrepareHardware;
	pnp.EvtDeviceReleaseHardware = EvtReleaseHardware;
	WdfDeviceInitSetPnpPowerEventCallbacks(DeviceInit, &pnp);
	WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&attributes, VPAIR_DEVICE);
	status = WdfDeviceCreate(&DeviceInit, &attributes, &device);
	if (!NT_SUCCESS(status))
		return status;

	adapterInit = NetAdapterInitAllocate(device);
	if (!adapterInit)
		return STATUS_INSUFFICIENT_RESOURCES;
	NET_ADAPTER_DATAPATH_CALLBACKS_INIT(&datapath, VPairCreateTxQueue, VPairCreateRxQueue);
	NetAdapterInitSetDatapathCallbacks(adapterInit, &datapath);
	WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&attributes, VPAIR_ADAPTER);
	status = NetAdapterCreate(adapterInit, &attributes, &adapter);
	NetAdapterInitFree(adapterInit);
	if (!NT_SUCCESS(status))
		return status;

	VPairGetDevice(device)->Adapter = adapter;
	a = VPairGetAdapter(adapter);
	a->Adapter = adapter;
	a->Socket = -1;
	return STATUS_SUCCESS;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
	WDF_DRIVER_CONFIG config;

	WDF_DRIVER_CONFIG_INIT(&config, EvtDeviceAdd);
	return WdfDriverCreate(DriverObject, RegistryPath, WDF_NO_OBJECT_ATTRIBUTES, &config, WDF_NO_HANDLE);
}
