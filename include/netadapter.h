/* SPDX-License-Identifier: MIT */
/*
 * NETADAPTER: one network interface (a TAP interface on the Linux side).
 *
 * Bring-up, in this order: NetDeviceInitConfig before WdfDeviceCreate, then
 * NetAdapterInitAllocate, NetAdapterInitSetDatapathCallbacks,
 * NetAdapterCreate, NetAdapterInitFree (always, whether Create worked or
 * not), the NetAdapterSet*Capabilities calls, and NetAdapterStart. Start
 * fails with STATUS_UNSUCCESSFUL unless datapath capabilities, link-layer
 * capabilities and the MTU were set first.
 *
 * Build modes: an in-host driver is built with _KERNEL_MODE defined and may
 * use DMA and driver-allocated RX buffers. A user-mode build does not see
 * the helpers and enumerators for those, so such a driver fails to compile.
 * The structs themselves are identical in both builds.
 */
#ifndef UMNIC_NETADAPTER_H
#define UMNIC_NETADAPTER_H

#include <netadaptercxtypes.h>
#include <net/returncontexttypes.h>

UMNIC_EXTERN_C_BEGIN

/* ---- Datapath callbacks --------------------------------------------------------------------- */

/* Called once per queue id when the system wants a queue; the driver calls NetTxQueueCreate. */
typedef NTSTATUS EVT_NET_ADAPTER_CREATE_TXQUEUE(NETADAPTER Adapter, NETTXQUEUE_INIT *TxQueueInit);
typedef EVT_NET_ADAPTER_CREATE_TXQUEUE *PFN_NET_ADAPTER_CREATE_TXQUEUE;

typedef NTSTATUS EVT_NET_ADAPTER_CREATE_RXQUEUE(NETADAPTER Adapter, NETRXQUEUE_INIT *RxQueueInit);
typedef EVT_NET_ADAPTER_CREATE_RXQUEUE *PFN_NET_ADAPTER_CREATE_RXQUEUE;

typedef struct _NET_ADAPTER_DATAPATH_CALLBACKS {
	ULONG Size;
	PFN_NET_ADAPTER_CREATE_TXQUEUE EvtAdapterCreateTxQueue;
	PFN_NET_ADAPTER_CREATE_RXQUEUE EvtAdapterCreateRxQueue;
} NET_ADAPTER_DATAPATH_CALLBACKS;

FORCEINLINE void
NET_ADAPTER_DATAPATH_CALLBACKS_INIT(NET_ADAPTER_DATAPATH_CALLBACKS *Callbacks,
				    PFN_NET_ADAPTER_CREATE_TXQUEUE EvtCreateTxQueue,
				    PFN_NET_ADAPTER_CREATE_RXQUEUE EvtCreateRxQueue)
{
	__builtin_memset(Callbacks, 0, sizeof(*Callbacks));
	Callbacks->Size = sizeof(*Callbacks);
	Callbacks->EvtAdapterCreateTxQueue = EvtCreateTxQueue;
	Callbacks->EvtAdapterCreateRxQueue = EvtCreateRxQueue;
}

/* ---- Link layer ----------------------------------------------------------------------------- */

#ifndef NDIS_MAX_PHYS_ADDRESS_LENGTH
#define NDIS_MAX_PHYS_ADDRESS_LENGTH 32
#endif

/* A hardware address of Length bytes (6 for Ethernet). No Size field: it is not versioned. */
typedef struct _NET_ADAPTER_LINK_LAYER_ADDRESS {
	USHORT Length;
	UCHAR Address[NDIS_MAX_PHYS_ADDRESS_LENGTH];
} NET_ADAPTER_LINK_LAYER_ADDRESS;

UMNIC_STATIC_ASSERT(sizeof(NET_ADAPTER_LINK_LAYER_ADDRESS) == 34,
		    "NET_ADAPTER_LINK_LAYER_ADDRESS is 34 bytes");

/*
 * Copies at most NDIS_MAX_PHYS_ADDRESS_LENGTH bytes but records Length as
 * given, so an oversized address is refused by the Set call (with a log
 * line naming the rule) instead of being silently cut short.
 */
FORCEINLINE void
NET_ADAPTER_LINK_LAYER_ADDRESS_INIT(NET_ADAPTER_LINK_LAYER_ADDRESS *LinkLayerAddress, USHORT Length,
				    UCHAR const *Address)
{
	SIZE_T copy = Length < NDIS_MAX_PHYS_ADDRESS_LENGTH ? Length : NDIS_MAX_PHYS_ADDRESS_LENGTH;

	__builtin_memset(LinkLayerAddress, 0, sizeof(*LinkLayerAddress));
	LinkLayerAddress->Length = Length;
	if (copy != 0)
		__builtin_memcpy(LinkLayerAddress->Address, Address, copy);
}

/* Link speeds are in bits per second. */
typedef struct _NET_ADAPTER_LINK_LAYER_CAPABILITIES {
	ULONG Size;
	ULONG64 MaxTxLinkSpeed;
	ULONG64 MaxRxLinkSpeed;
} NET_ADAPTER_LINK_LAYER_CAPABILITIES;

FORCEINLINE void
NET_ADAPTER_LINK_LAYER_CAPABILITIES_INIT(NET_ADAPTER_LINK_LAYER_CAPABILITIES *LinkLayerCapabilities,
					 ULONG64 MaxTxLinkSpeed, ULONG64 MaxRxLinkSpeed)
{
	__builtin_memset(LinkLayerCapabilities, 0, sizeof(*LinkLayerCapabilities));
	LinkLayerCapabilities->Size = sizeof(*LinkLayerCapabilities);
	LinkLayerCapabilities->MaxTxLinkSpeed = MaxTxLinkSpeed;
	LinkLayerCapabilities->MaxRxLinkSpeed = MaxRxLinkSpeed;
}

/* ---- Link state ----------------------------------------------------------------------------- */

#define NET_ADAPTER_LINK_SPEED_UNKNOWN ((ULONG64)-1)

typedef enum _NET_IF_MEDIA_CONNECT_STATE {
	MediaConnectStateUnknown = 0,
	MediaConnectStateConnected = 1,
	MediaConnectStateDisconnected = 2,
} NET_IF_MEDIA_CONNECT_STATE;

typedef enum _NET_IF_MEDIA_DUPLEX_STATE {
	MediaDuplexStateUnknown = 0,
	MediaDuplexStateHalf = 1,
	MediaDuplexStateFull = 2,
} NET_IF_MEDIA_DUPLEX_STATE;

typedef enum _NET_ADAPTER_PAUSE_FUNCTION_TYPE {
	NetAdapterPauseFunctionTypeUnsupported = 0,
	NetAdapterPauseFunctionTypeSendOnly = 1,
	NetAdapterPauseFunctionTypeReceiveOnly = 2,
	NetAdapterPauseFunctionTypeSendAndReceive = 3,
	NetAdapterPauseFunctionTypeUnknown = 4,
} NET_ADAPTER_PAUSE_FUNCTION_TYPE;

/*
 * The Windows spelling of the receive flag has a lower-case "a"; drivers use
 * it, so it is the primary name. The regular spelling is an alias.
 */
typedef enum _NET_ADAPTER_AUTO_NEGOTIATION_FLAGS {
	NetAdapterAutoNegotiationFlagNone = 0x0,
	NetAdapterAutoNegotiationFlagXmitLinkSpeedAutoNegotiated = 0x1,
	NetAdapterAutoNegotiationFlagRcvLinkSpeedautoNegotiated = 0x2,
	NetAdapterAutoNegotiationFlagRcvLinkSpeedAutoNegotiated = 0x2,
	NetAdapterAutoNegotiationFlagDuplexAutoNegotiated = 0x4,
	NetAdapterAutoNegotiationFlagPauseFunctionsAutoNegotiated = 0x8,
} NET_ADAPTER_AUTO_NEGOTIATION_FLAGS;

DEFINE_ENUM_FLAG_OPERATORS(NET_ADAPTER_AUTO_NEGOTIATION_FLAGS)

typedef struct _NET_ADAPTER_LINK_STATE {
	ULONG Size;
	ULONG64 TxLinkSpeed;
	ULONG64 RxLinkSpeed;
	NET_IF_MEDIA_CONNECT_STATE MediaConnectState;
	NET_IF_MEDIA_DUPLEX_STATE MediaDuplexState;
	NET_ADAPTER_PAUSE_FUNCTION_TYPE SupportedPauseFunctions;
	NET_ADAPTER_AUTO_NEGOTIATION_FLAGS AutoNegotiationFlags;
} NET_ADAPTER_LINK_STATE;

/* LinkSpeed is used for both directions. */
FORCEINLINE void
NET_ADAPTER_LINK_STATE_INIT(NET_ADAPTER_LINK_STATE *LinkState, ULONG64 LinkSpeed,
			    NET_IF_MEDIA_CONNECT_STATE MediaConnectState,
			    NET_IF_MEDIA_DUPLEX_STATE MediaDuplexState,
			    NET_ADAPTER_PAUSE_FUNCTION_TYPE SupportedPauseFunctions,
			    NET_ADAPTER_AUTO_NEGOTIATION_FLAGS AutoNegotiationFlags)
{
	__builtin_memset(LinkState, 0, sizeof(*LinkState));
	LinkState->Size = sizeof(*LinkState);
	LinkState->TxLinkSpeed = LinkSpeed;
	LinkState->RxLinkSpeed = LinkSpeed;
	LinkState->MediaConnectState = MediaConnectState;
	LinkState->MediaDuplexState = MediaDuplexState;
	LinkState->SupportedPauseFunctions = SupportedPauseFunctions;
	LinkState->AutoNegotiationFlags = AutoNegotiationFlags;
}

FORCEINLINE void NET_ADAPTER_LINK_STATE_INIT_DISCONNECTED(NET_ADAPTER_LINK_STATE *LinkState)
{
	NET_ADAPTER_LINK_STATE_INIT(LinkState, NET_ADAPTER_LINK_SPEED_UNKNOWN,
				    MediaConnectStateDisconnected, MediaDuplexStateUnknown,
				    NetAdapterPauseFunctionTypeUnknown,
				    NetAdapterAutoNegotiationFlagNone);
}

/* ---- Datapath capabilities ------------------------------------------------------------------ */

/* Fragment buffers need no particular alignment. */
#define NET_ADAPTER_FRAGMENT_DEFAULT_ALIGNMENT 1

typedef enum _NET_MEMORY_MAPPING_REQUIREMENT {
	NetMemoryMappingRequirementNone = 0,
	NetMemoryMappingRequirementDmaMapped = 1,
} NET_MEMORY_MAPPING_REQUIREMENT;

/* Who allocates RX data buffers. User-mode drivers: always the system. */
typedef enum _NET_RX_FRAGMENT_BUFFER_ALLOCATION_MODE {
	NetRxFragmentBufferAllocationModeSystem = 0,
#ifdef _KERNEL_MODE
	NetRxFragmentBufferAllocationModeDriver = 1,
#endif
} NET_RX_FRAGMENT_BUFFER_ALLOCATION_MODE;

/* Who attaches RX data buffers to fragments. User-mode drivers: always the system. */
typedef enum _NET_RX_FRAGMENT_BUFFER_ATTACHMENT_MODE {
	NetRxFragmentBufferAttachmentModeSystem = 0,
	NetRxFragmentBufferAttachmentModeDriver = 1,
} NET_RX_FRAGMENT_BUFFER_ATTACHMENT_MODE;

/*
 * Always an incomplete type in a user-mode build: the pointer fields below
 * exist in both builds (same layout) and must be NULL in user mode.
 */
struct _NET_ADAPTER_DMA_CAPABILITIES;

#ifdef _KERNEL_MODE

#ifndef MM_ANY_NODE_OK
#define MM_ANY_NODE_OK 0x80000000
#endif

typedef struct _NET_ADAPTER_DMA_CAPABILITIES {
	ULONG Size;
	WDFDMAENABLER DmaEnabler;
	/* Highest address the device can reach; zero means no limit. */
	PHYSICAL_ADDRESS MaximumPhysicalAddress;
	WDF_TRI_STATE CacheEnabled;
	NODE_REQUIREMENT PreferredNode;
} NET_ADAPTER_DMA_CAPABILITIES;

FORCEINLINE void NET_ADAPTER_DMA_CAPABILITIES_INIT(NET_ADAPTER_DMA_CAPABILITIES *DmaCapabilities,
						   WDFDMAENABLER DmaEnabler)
{
	__builtin_memset(DmaCapabilities, 0, sizeof(*DmaCapabilities));
	DmaCapabilities->Size = sizeof(*DmaCapabilities);
	DmaCapabilities->DmaEnabler = DmaEnabler;
	DmaCapabilities->CacheEnabled = WdfUseDefault;
	DmaCapabilities->PreferredNode = (NODE_REQUIREMENT)MM_ANY_NODE_OK;
}

/* Called when the stack is done with a driver-allocated RX buffer. */
typedef void EVT_NET_ADAPTER_RETURN_RX_BUFFER(NETADAPTER Adapter,
					      NET_FRAGMENT_RETURN_CONTEXT_HANDLE RxReturnContext);
typedef EVT_NET_ADAPTER_RETURN_RX_BUFFER *PFN_NET_ADAPTER_RETURN_RX_BUFFER;

#endif /* _KERNEL_MODE */

typedef struct _NET_ADAPTER_TX_CAPABILITIES {
	ULONG Size;
	NET_MEMORY_MAPPING_REQUIREMENT MappingRequirement;
	/* Bytes the system leaves free in front of each packet's first fragment. */
	SIZE_T PayloadBackfill;
	SIZE_T MaximumNumberOfFragments;
	SIZE_T FragmentBufferAlignment;
	UINT32 FragmentRingNumberOfElementsHint;
	SIZE_T MaximumNumberOfQueues;
	struct _NET_ADAPTER_DMA_CAPABILITIES *DmaCapabilities;
} NET_ADAPTER_TX_CAPABILITIES;

FORCEINLINE void NET_ADAPTER_TX_CAPABILITIES_INIT(NET_ADAPTER_TX_CAPABILITIES *TxCapabilities,
						  SIZE_T MaximumNumberOfQueues)
{
	__builtin_memset(TxCapabilities, 0, sizeof(*TxCapabilities));
	TxCapabilities->Size = sizeof(*TxCapabilities);
	TxCapabilities->MappingRequirement = NetMemoryMappingRequirementNone;
	TxCapabilities->MaximumNumberOfFragments = (SIZE_T)-1;
	TxCapabilities->FragmentBufferAlignment = NET_ADAPTER_FRAGMENT_DEFAULT_ALIGNMENT;
	TxCapabilities->MaximumNumberOfQueues = MaximumNumberOfQueues;
}

/*
 * The second member of the union applies when the system allocates RX
 * buffers, the first when the driver does (in-host drivers only). In a
 * user-mode build the first member has no named function type, but it keeps
 * its place so the layout matches the kernel-mode build.
 */
typedef struct _NET_ADAPTER_RX_CAPABILITIES {
	ULONG Size;
	NET_RX_FRAGMENT_BUFFER_ALLOCATION_MODE AllocationMode;
	NET_RX_FRAGMENT_BUFFER_ATTACHMENT_MODE AttachmentMode;
	UINT32 FragmentRingNumberOfElementsHint;
	SIZE_T MaximumFrameSize;
	SIZE_T MaximumNumberOfQueues;
	union {
		struct {
			void (*EvtAdapterReturnRxBuffer)(
			    NETADAPTER Adapter, NET_FRAGMENT_RETURN_CONTEXT_HANDLE Context);
		};
		struct {
			NET_MEMORY_MAPPING_REQUIREMENT MappingRequirement;
			SIZE_T FragmentBufferAlignment;
			struct _NET_ADAPTER_DMA_CAPABILITIES *DmaCapabilities;
		};
	};
} NET_ADAPTER_RX_CAPABILITIES;

FORCEINLINE void
NET_ADAPTER_RX_CAPABILITIES_INIT_SYSTEM_MANAGED(NET_ADAPTER_RX_CAPABILITIES *RxCapabilities,
						SIZE_T MaximumFrameSize,
						SIZE_T MaximumNumberOfQueues)
{
	__builtin_memset(RxCapabilities, 0, sizeof(*RxCapabilities));
	RxCapabilities->Size = sizeof(*RxCapabilities);
	RxCapabilities->AllocationMode = NetRxFragmentBufferAllocationModeSystem;
	RxCapabilities->AttachmentMode = NetRxFragmentBufferAttachmentModeSystem;
	RxCapabilities->MaximumFrameSize = MaximumFrameSize;
	RxCapabilities->MaximumNumberOfQueues = MaximumNumberOfQueues;
	RxCapabilities->MappingRequirement = NetMemoryMappingRequirementNone;
	RxCapabilities->FragmentBufferAlignment = NET_ADAPTER_FRAGMENT_DEFAULT_ALIGNMENT;
}

#ifdef _KERNEL_MODE

FORCEINLINE void
NET_ADAPTER_TX_CAPABILITIES_INIT_FOR_DMA(NET_ADAPTER_TX_CAPABILITIES *TxCapabilities,
					 NET_ADAPTER_DMA_CAPABILITIES *DmaCapabilities,
					 SIZE_T MaximumNumberOfQueues)
{
	NET_ADAPTER_TX_CAPABILITIES_INIT(TxCapabilities, MaximumNumberOfQueues);
	TxCapabilities->MappingRequirement = NetMemoryMappingRequirementDmaMapped;
	TxCapabilities->DmaCapabilities = DmaCapabilities;
}

FORCEINLINE void NET_ADAPTER_RX_CAPABILITIES_INIT_SYSTEM_MANAGED_DMA(
    NET_ADAPTER_RX_CAPABILITIES *RxCapabilities, NET_ADAPTER_DMA_CAPABILITIES *DmaCapabilities,
    SIZE_T MaximumFrameSize, SIZE_T MaximumNumberOfQueues)
{
	NET_ADAPTER_RX_CAPABILITIES_INIT_SYSTEM_MANAGED(RxCapabilities, MaximumFrameSize,
							MaximumNumberOfQueues);
	RxCapabilities->MappingRequirement = NetMemoryMappingRequirementDmaMapped;
	RxCapabilities->DmaCapabilities = DmaCapabilities;
}

FORCEINLINE void NET_ADAPTER_RX_CAPABILITIES_INIT_DRIVER_MANAGED(
    NET_ADAPTER_RX_CAPABILITIES *RxCapabilities,
    PFN_NET_ADAPTER_RETURN_RX_BUFFER EvtAdapterReturnRxBuffer, SIZE_T MaximumFrameSize,
    SIZE_T MaximumNumberOfQueues)
{
	__builtin_memset(RxCapabilities, 0, sizeof(*RxCapabilities));
	RxCapabilities->Size = sizeof(*RxCapabilities);
	RxCapabilities->AllocationMode = NetRxFragmentBufferAllocationModeDriver;
	RxCapabilities->AttachmentMode = NetRxFragmentBufferAttachmentModeDriver;
	RxCapabilities->MaximumFrameSize = MaximumFrameSize;
	RxCapabilities->MaximumNumberOfQueues = MaximumNumberOfQueues;
	RxCapabilities->EvtAdapterReturnRxBuffer = EvtAdapterReturnRxBuffer;
}

#endif /* _KERNEL_MODE */

/* ---- Adapter object ------------------------------------------------------------------------- */

/* Returns NULL when out of memory. Free it with NetAdapterInitFree after NetAdapterCreate. */
NETADAPTER_INIT *NetAdapterInitAllocate(WDFDEVICE Device);

void NetAdapterInitFree(NETADAPTER_INIT *AdapterInit);

void NetAdapterInitSetDatapathCallbacks(NETADAPTER_INIT *AdapterInit,
					NET_ADAPTER_DATAPATH_CALLBACKS const *DatapathCallbacks);

/*
 * The adapter is a child of the device. Fails with STATUS_INVALID_PARAMETER
 * for a bad init or missing datapath callbacks, STATUS_INSUFFICIENT_RESOURCES
 * when out of memory. *Adapter is untouched on failure.
 */
NTSTATUS NetAdapterCreate(NETADAPTER_INIT *AdapterInit, PWDF_OBJECT_ATTRIBUTES AdapterAttributes,
			  NETADAPTER *Adapter);

/*
 * Makes the interface visible and starts creating queues. STATUS_UNSUCCESSFUL
 * if the datapath or link-layer capabilities or the MTU were not set;
 * STATUS_INVALID_DEVICE_STATE if already started.
 */
NTSTATUS NetAdapterStart(NETADAPTER Adapter);

/* Stops and destroys the queues, then hides the interface. */
void NetAdapterStop(NETADAPTER Adapter);

/*
 * Both required before NetAdapterStart. In a user-mode build the verifier
 * rejects any DMA capabilities, driver allocation or attachment, and
 * mapping requirements other than None.
 */
void NetAdapterSetDataPathCapabilities(NETADAPTER Adapter,
				       NET_ADAPTER_TX_CAPABILITIES const *TxCapabilities,
				       NET_ADAPTER_RX_CAPABILITIES const *RxCapabilities);

void NetAdapterSetLinkLayerCapabilities(
    NETADAPTER Adapter, NET_ADAPTER_LINK_LAYER_CAPABILITIES const *LinkLayerCapabilities);

/* Largest layer-3 payload of a frame, in bytes (1500 for standard Ethernet). */
void NetAdapterSetLinkLayerMtuSize(NETADAPTER Adapter, ULONG MtuSize);

void NetAdapterSetPermanentLinkLayerAddress(NETADAPTER Adapter,
					    NET_ADAPTER_LINK_LAYER_ADDRESS const *LinkLayerAddress);

void NetAdapterSetCurrentLinkLayerAddress(NETADAPTER Adapter,
					  NET_ADAPTER_LINK_LAYER_ADDRESS const *LinkLayerAddress);

/* Callable at or below DISPATCH_LEVEL; drives the carrier of the Linux interface. */
void NetAdapterSetLinkState(NETADAPTER Adapter, NET_ADAPTER_LINK_STATE const *LinkState);

NET_LUID NetAdapterGetNetLuid(NETADAPTER Adapter);

/*
 * Opens the adapter's configuration (its key in the device registry).
 * Close it with NetConfigurationClose; it is also closed with the adapter.
 */
NTSTATUS NetAdapterOpenConfiguration(NETADAPTER Adapter,
				     PWDF_OBJECT_ATTRIBUTES ConfigurationAttributes,
				     NETCONFIGURATION *Configuration);

UMNIC_EXTERN_C_END

#endif
