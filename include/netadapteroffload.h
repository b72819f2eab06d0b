/* SPDX-License-Identifier: MIT */
/*
 * Hardware offloads. The driver advertises what its hardware can do with a
 * NetAdapterOffloadSet*Capabilities call before NetAdapterStart; later the
 * system says which of those are in use by calling the matching EvtAdapter-
 * OffloadSet* callback with a NETOFFLOAD, which the driver reads with the
 * NetOffloadIs*Enabled queries (valid only during the callback).
 *
 * On Linux the active offloads follow the interface's features (ethtool -K):
 * umnicd calls the callbacks once after NetAdapterStart with the initial
 * set, then whenever it changes, and does in software what the driver does
 * not offer or has not been asked to do.
 */
#ifndef UMNIC_NETADAPTEROFFLOAD_H
#define UMNIC_NETADAPTEROFFLOAD_H

#include <netadaptercxtypes.h>

UMNIC_EXTERN_C_BEGIN

typedef enum _NET_ADAPTER_OFFLOAD_LAYER3_FLAGS {
	NetAdapterOffloadLayer3FlagIPv4NoOptions = 0x1,
	NetAdapterOffloadLayer3FlagIPv4WithOptions = 0x2,
	NetAdapterOffloadLayer3FlagIPv6NoExtensions = 0x4,
	NetAdapterOffloadLayer3FlagIPv6WithExtensions = 0x8,
} NET_ADAPTER_OFFLOAD_LAYER3_FLAGS;

DEFINE_ENUM_FLAG_OPERATORS(NET_ADAPTER_OFFLOAD_LAYER3_FLAGS)

typedef enum _NET_ADAPTER_OFFLOAD_LAYER4_FLAGS {
	NetAdapterOffloadLayer4FlagTcpNoOptions = 0x1,
	NetAdapterOffloadLayer4FlagTcpWithOptions = 0x2,
	NetAdapterOffloadLayer4FlagUdp = 0x4,
} NET_ADAPTER_OFFLOAD_LAYER4_FLAGS;

DEFINE_ENUM_FLAG_OPERATORS(NET_ADAPTER_OFFLOAD_LAYER4_FLAGS)

/* ---- Checksum ------------------------------------------------------------------------------- */

typedef void EVT_NET_ADAPTER_OFFLOAD_SET_TX_CHECKSUM(NETADAPTER Adapter, NETOFFLOAD Offload);
typedef EVT_NET_ADAPTER_OFFLOAD_SET_TX_CHECKSUM *PFN_NET_ADAPTER_OFFLOAD_SET_TX_CHECKSUM;

typedef void EVT_NET_ADAPTER_OFFLOAD_SET_RX_CHECKSUM(NETADAPTER Adapter, NETOFFLOAD Offload);
typedef EVT_NET_ADAPTER_OFFLOAD_SET_RX_CHECKSUM *PFN_NET_ADAPTER_OFFLOAD_SET_RX_CHECKSUM;

/*
 * The header offset limits are the largest offset from the start of the
 * frame at which the hardware still finds the layer 3 / layer 4 header;
 * zero means no limit.
 */
typedef struct _NET_ADAPTER_OFFLOAD_TX_CHECKSUM_CAPABILITIES {
	ULONG Size;
	NET_ADAPTER_OFFLOAD_LAYER3_FLAGS Layer3Flags;
	NET_ADAPTER_OFFLOAD_LAYER4_FLAGS Layer4Flags;
	UINT16 Layer3HeaderOffsetLimit;
	UINT16 Layer4HeaderOffsetLimit;
	PFN_NET_ADAPTER_OFFLOAD_SET_TX_CHECKSUM EvtAdapterOffloadSetTxChecksum;
} NET_ADAPTER_OFFLOAD_TX_CHECKSUM_CAPABILITIES;

/* Layer 4 flags and the offset limits start at zero; set them after this call. */
FORCEINLINE void NET_ADAPTER_OFFLOAD_TX_CHECKSUM_CAPABILITIES_INIT(
    NET_ADAPTER_OFFLOAD_TX_CHECKSUM_CAPABILITIES *Capabilities,
    NET_ADAPTER_OFFLOAD_LAYER3_FLAGS Layer3Flags,
    PFN_NET_ADAPTER_OFFLOAD_SET_TX_CHECKSUM EvtAdapterOffloadSetTxChecksum)
{
	__builtin_memset(Capabilities, 0, sizeof(*Capabilities));
	Capabilities->Size = sizeof(*Capabilities);
	Capabilities->Layer3Flags = Layer3Flags;
	Capabilities->EvtAdapterOffloadSetTxChecksum = EvtAdapterOffloadSetTxChecksum;
}

typedef struct _NET_ADAPTER_OFFLOAD_RX_CHECKSUM_CAPABILITIES {
	ULONG Size;
	PFN_NET_ADAPTER_OFFLOAD_SET_RX_CHECKSUM EvtAdapterOffloadSetRxChecksum;
} NET_ADAPTER_OFFLOAD_RX_CHECKSUM_CAPABILITIES;

FORCEINLINE void NET_ADAPTER_OFFLOAD_RX_CHECKSUM_CAPABILITIES_INIT(
    NET_ADAPTER_OFFLOAD_RX_CHECKSUM_CAPABILITIES *Capabilities,
    PFN_NET_ADAPTER_OFFLOAD_SET_RX_CHECKSUM EvtAdapterOffloadSetRxChecksum)
{
	__builtin_memset(Capabilities, 0, sizeof(*Capabilities));
	Capabilities->Size = sizeof(*Capabilities);
	Capabilities->EvtAdapterOffloadSetRxChecksum = EvtAdapterOffloadSetRxChecksum;
}

void NetAdapterOffloadSetTxChecksumCapabilities(
    NETADAPTER Adapter, NET_ADAPTER_OFFLOAD_TX_CHECKSUM_CAPABILITIES const *Capabilities);

void NetAdapterOffloadSetRxChecksumCapabilities(
    NETADAPTER Adapter, NET_ADAPTER_OFFLOAD_RX_CHECKSUM_CAPABILITIES const *Capabilities);

BOOLEAN NetOffloadIsTxChecksumIPv4Enabled(NETOFFLOAD Offload);
BOOLEAN NetOffloadIsTxChecksumTcpEnabled(NETOFFLOAD Offload);
BOOLEAN NetOffloadIsTxChecksumUdpEnabled(NETOFFLOAD Offload);
BOOLEAN NetOffloadIsRxChecksumIPv4Enabled(NETOFFLOAD Offload);
BOOLEAN NetOffloadIsRxChecksumTcpEnabled(NETOFFLOAD Offload);
BOOLEAN NetOffloadIsRxChecksumUdpEnabled(NETOFFLOAD Offload);

/* ---- Generic segmentation (LSO for TCP, USO for UDP) ---------------------------------------- */

typedef void EVT_NET_ADAPTER_OFFLOAD_SET_GSO(NETADAPTER Adapter, NETOFFLOAD Offload);
typedef EVT_NET_ADAPTER_OFFLOAD_SET_GSO *PFN_NET_ADAPTER_OFFLOAD_SET_GSO;

typedef struct _NET_ADAPTER_OFFLOAD_GSO_CAPABILITIES {
	ULONG Size;
	NET_ADAPTER_OFFLOAD_LAYER3_FLAGS Layer3Flags;
	NET_ADAPTER_OFFLOAD_LAYER4_FLAGS Layer4Flags;
	UINT16 Layer4HeaderOffsetLimit;
	/* Largest packet, headers included, the hardware will segment. */
	SIZE_T MaximumOffloadSize;
	/* Fewest segments a packet must produce to be handed over for segmentation. */
	SIZE_T MinimumSegmentCount;
	PFN_NET_ADAPTER_OFFLOAD_SET_GSO EvtAdapterOffloadSetGso;
} NET_ADAPTER_OFFLOAD_GSO_CAPABILITIES;

/* Layer4HeaderOffsetLimit starts at zero (no limit). */
FORCEINLINE void
NET_ADAPTER_OFFLOAD_GSO_CAPABILITIES_INIT(NET_ADAPTER_OFFLOAD_GSO_CAPABILITIES *Capabilities,
					  NET_ADAPTER_OFFLOAD_LAYER3_FLAGS Layer3Flags,
					  NET_ADAPTER_OFFLOAD_LAYER4_FLAGS Layer4Flags,
					  SIZE_T MaximumOffloadSize, SIZE_T MinimumSegmentCount,
					  PFN_NET_ADAPTER_OFFLOAD_SET_GSO EvtAdapterOffloadSetGso)
{
	__builtin_memset(Capabilities, 0, sizeof(*Capabilities));
	Capabilities->Size = sizeof(*Capabilities);
	Capabilities->Layer3Flags = Layer3Flags;
	Capabilities->Layer4Flags = Layer4Flags;
	Capabilities->MaximumOffloadSize = MaximumOffloadSize;
	Capabilities->MinimumSegmentCount = MinimumSegmentCount;
	Capabilities->EvtAdapterOffloadSetGso = EvtAdapterOffloadSetGso;
}

void NetAdapterOffloadSetGsoCapabilities(NETADAPTER Adapter,
					 NET_ADAPTER_OFFLOAD_GSO_CAPABILITIES const *Capabilities);

BOOLEAN NetOffloadIsLsoIPv4Enabled(NETOFFLOAD Offload);
BOOLEAN NetOffloadIsLsoIPv6Enabled(NETOFFLOAD Offload);
BOOLEAN NetOffloadIsUsoIPv4Enabled(NETOFFLOAD Offload);
BOOLEAN NetOffloadIsUsoIPv6Enabled(NETOFFLOAD Offload);

/* ---- Receive segment coalescing ------------------------------------------------------------- */

typedef void EVT_NET_ADAPTER_OFFLOAD_SET_RSC(NETADAPTER Adapter, NETOFFLOAD Offload);
typedef EVT_NET_ADAPTER_OFFLOAD_SET_RSC *PFN_NET_ADAPTER_OFFLOAD_SET_RSC;

typedef struct _NET_ADAPTER_OFFLOAD_RSC_CAPABILITIES {
	ULONG Size;
	NET_ADAPTER_OFFLOAD_LAYER3_FLAGS Layer3Flags;
	NET_ADAPTER_OFFLOAD_LAYER4_FLAGS Layer4Flags;
	/* TRUE if segments carrying the TCP timestamp option can be coalesced. */
	BOOLEAN TcpTimestampOption;
	PFN_NET_ADAPTER_OFFLOAD_SET_RSC EvtAdapterOffloadSetRsc;
} NET_ADAPTER_OFFLOAD_RSC_CAPABILITIES;

/* TcpTimestampOption starts FALSE. */
FORCEINLINE void
NET_ADAPTER_OFFLOAD_RSC_CAPABILITIES_INIT(NET_ADAPTER_OFFLOAD_RSC_CAPABILITIES *Capabilities,
					  NET_ADAPTER_OFFLOAD_LAYER3_FLAGS Layer3Flags,
					  NET_ADAPTER_OFFLOAD_LAYER4_FLAGS Layer4Flags,
					  PFN_NET_ADAPTER_OFFLOAD_SET_RSC EvtAdapterOffloadSetRsc)
{
	__builtin_memset(Capabilities, 0, sizeof(*Capabilities));
	Capabilities->Size = sizeof(*Capabilities);
	Capabilities->Layer3Flags = Layer3Flags;
	Capabilities->Layer4Flags = Layer4Flags;
	Capabilities->EvtAdapterOffloadSetRsc = EvtAdapterOffloadSetRsc;
}

void NetAdapterOffloadSetRscCapabilities(NETADAPTER Adapter,
					 NET_ADAPTER_OFFLOAD_RSC_CAPABILITIES const *Capabilities);

BOOLEAN NetOffloadIsTcpRscIPv4Enabled(NETOFFLOAD Offload);
BOOLEAN NetOffloadIsTcpRscIPv6Enabled(NETOFFLOAD Offload);
/* NetAdapterCx 2.5 and later. */
BOOLEAN NetOffloadIsUdpRscEnabled(NETOFFLOAD Offload);

/* ---- IEEE 802.1Q priority and VLAN tags ------------------------------------------------------ */

/*
 * With these, the tag travels in the ms_packet_ieee8021q extension instead
 * of the frame: on TX the hardware inserts it, on RX it strips it.
 */
typedef enum _NET_ADAPTER_OFFLOAD_IEEE8021Q_TAG_FLAGS {
	NetAdapterOffloadIeee8021PriorityTaggingFlag = 0x1,
	NetAdapterOffloadIeee8021VlanTaggingFlag = 0x2,
} NET_ADAPTER_OFFLOAD_IEEE8021Q_TAG_FLAGS;

DEFINE_ENUM_FLAG_OPERATORS(NET_ADAPTER_OFFLOAD_IEEE8021Q_TAG_FLAGS)

typedef struct _NET_ADAPTER_OFFLOAD_IEEE8021Q_TAG_CAPABILITIES {
	ULONG Size;
	NET_ADAPTER_OFFLOAD_IEEE8021Q_TAG_FLAGS Flags;
} NET_ADAPTER_OFFLOAD_IEEE8021Q_TAG_CAPABILITIES;

FORCEINLINE void NET_ADAPTER_OFFLOAD_IEEE8021Q_TAG_CAPABILITIES_INIT(
    NET_ADAPTER_OFFLOAD_IEEE8021Q_TAG_CAPABILITIES *Ieee8021qCapabilities,
    NET_ADAPTER_OFFLOAD_IEEE8021Q_TAG_FLAGS Flags)
{
	__builtin_memset(Ieee8021qCapabilities, 0, sizeof(*Ieee8021qCapabilities));
	Ieee8021qCapabilities->Size = sizeof(*Ieee8021qCapabilities);
	Ieee8021qCapabilities->Flags = Flags;
}

void NetAdapterOffloadSetIeee8021qTagCapabilities(
    NETADAPTER Adapter, NET_ADAPTER_OFFLOAD_IEEE8021Q_TAG_CAPABILITIES *HardwareCapabilities);

UMNIC_EXTERN_C_END

#endif
