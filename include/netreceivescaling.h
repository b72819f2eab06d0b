/* SPDX-License-Identifier: MIT */
/*
 * Receive side scaling: the hardware hashes each received frame and uses
 * the hash to pick one of several RX queues through an indirection table.
 * The system programs it through the callbacks below; on Linux they follow
 * the RSS settings of the multi-queue TAP interface.
 */
#ifndef UMNIC_NETRECEIVESCALING_H
#define UMNIC_NETRECEIVESCALING_H

#include <netadaptercxtypes.h>

UMNIC_EXTERN_C_BEGIN

/* Where frames that could not be hashed go. */
typedef enum _NET_ADAPTER_RECEIVE_SCALING_UNHASHED_TARGET_TYPE {
	NetAdapterReceiveScalingUnhashedTargetTypeUnspecified = 0,
	/* To the queue the table entry UnhashedTargetIndex names. */
	NetAdapterReceiveScalingUnhashedTargetTypeHashIndex = 1,
} NET_ADAPTER_RECEIVE_SCALING_UNHASHED_TARGET_TYPE;

typedef enum _NET_ADAPTER_RECEIVE_SCALING_HASH_TYPE {
	NetAdapterReceiveScalingHashTypeNone = 0x0,
	NetAdapterReceiveScalingHashTypeToeplitz = 0x1,
} NET_ADAPTER_RECEIVE_SCALING_HASH_TYPE;

DEFINE_ENUM_FLAG_OPERATORS(NET_ADAPTER_RECEIVE_SCALING_HASH_TYPE)

typedef enum _NET_ADAPTER_RECEIVE_SCALING_PROTOCOL_TYPE {
	NetAdapterReceiveScalingProtocolTypeNone = 0x00,
	NetAdapterReceiveScalingProtocolTypeIPv4 = 0x01,
	NetAdapterReceiveScalingProtocolTypeIPv4Options = 0x02,
	NetAdapterReceiveScalingProtocolTypeIPv6 = 0x04,
	NetAdapterReceiveScalingProtocolTypeIPv6Extensions = 0x08,
	NetAdapterReceiveScalingProtocolTypeTcp = 0x10,
	NetAdapterReceiveScalingProtocolTypeUdp = 0x20,
} NET_ADAPTER_RECEIVE_SCALING_PROTOCOL_TYPE;

DEFINE_ENUM_FLAG_OPERATORS(NET_ADAPTER_RECEIVE_SCALING_PROTOCOL_TYPE)

/* Encapsulations the hardware can look through to hash the inner headers. */
typedef enum _NET_ADAPTER_RECEIVE_SCALING_ENCAPSULATION_TYPE {
	NetAdapterReceiveScalingEncapsulationTypeNone = 0x0,
	NetAdapterReceiveScalingEncapsulationTypeNVGre = 0x1,
	NetAdapterReceiveScalingEncapsulationTypeVXLan = 0x2,
	NetAdapterReceiveScalingEncapsulationTypeVLan = 0x4,
} NET_ADAPTER_RECEIVE_SCALING_ENCAPSULATION_TYPE;

DEFINE_ENUM_FLAG_OPERATORS(NET_ADAPTER_RECEIVE_SCALING_ENCAPSULATION_TYPE)

typedef struct _NET_ADAPTER_RECEIVE_SCALING_HASH_SECRET_KEY {
	UINT8 const *Key;
	SIZE_T Length;
} NET_ADAPTER_RECEIVE_SCALING_HASH_SECRET_KEY;

/* Points table entry Index at PacketQueue; the driver reports the outcome in Status. */
typedef struct _NET_ADAPTER_RECEIVE_SCALING_INDIRECTION_ENTRY {
	NETPACKETQUEUE PacketQueue;
	NTSTATUS Status;
	UINT32 Index;
} NET_ADAPTER_RECEIVE_SCALING_INDIRECTION_ENTRY;

typedef struct _NET_ADAPTER_RECEIVE_SCALING_INDIRECTION_ENTRIES {
	NET_ADAPTER_RECEIVE_SCALING_INDIRECTION_ENTRY *Entries;
	SIZE_T Length;
} NET_ADAPTER_RECEIVE_SCALING_INDIRECTION_ENTRIES;

typedef NTSTATUS
EVT_NET_ADAPTER_RECEIVE_SCALING_ENABLE(NETADAPTER Adapter,
				       NET_ADAPTER_RECEIVE_SCALING_HASH_TYPE HashType,
				       NET_ADAPTER_RECEIVE_SCALING_PROTOCOL_TYPE ProtocolType);
typedef EVT_NET_ADAPTER_RECEIVE_SCALING_ENABLE *PFN_NET_ADAPTER_RECEIVE_SCALING_ENABLE;

typedef void EVT_NET_ADAPTER_RECEIVE_SCALING_DISABLE(NETADAPTER Adapter);
typedef EVT_NET_ADAPTER_RECEIVE_SCALING_DISABLE *PFN_NET_ADAPTER_RECEIVE_SCALING_DISABLE;

typedef NTSTATUS EVT_NET_ADAPTER_RECEIVE_SCALING_SET_HASH_SECRET_KEY(
    NETADAPTER Adapter, NET_ADAPTER_RECEIVE_SCALING_HASH_SECRET_KEY const *HashSecretKey);
typedef EVT_NET_ADAPTER_RECEIVE_SCALING_SET_HASH_SECRET_KEY
    *PFN_NET_ADAPTER_RECEIVE_SCALING_SET_HASH_SECRET_KEY;

typedef NTSTATUS EVT_NET_ADAPTER_RECEIVE_SCALING_SET_INDIRECTION_ENTRIES(
    NETADAPTER Adapter, NET_ADAPTER_RECEIVE_SCALING_INDIRECTION_ENTRIES *IndirectionEntries);
typedef EVT_NET_ADAPTER_RECEIVE_SCALING_SET_INDIRECTION_ENTRIES
    *PFN_NET_ADAPTER_RECEIVE_SCALING_SET_INDIRECTION_ENTRIES;

/* Largest indirection table the system programs (the NDIS revision 1 limit). */
#define NET_ADAPTER_RECEIVE_SCALING_DEFAULT_INDIRECTION_TABLE_SIZE 128

typedef struct _NET_ADAPTER_RECEIVE_SCALING_CAPABILITIES {
	ULONG Size;
	SIZE_T NumberOfQueues;
	SIZE_T IndirectionTableSize;
	SIZE_T UnhashedTargetIndex;
	NET_ADAPTER_RECEIVE_SCALING_UNHASHED_TARGET_TYPE UnhashedTargetType;
	NET_ADAPTER_RECEIVE_SCALING_HASH_TYPE ReceiveScalingHashTypes;
	NET_ADAPTER_RECEIVE_SCALING_PROTOCOL_TYPE ReceiveScalingProtocolTypes;
	struct _RECEIEVE_SCALING_ENCAPSULATION {
		/* Transport (outer) encapsulations the hardware sees through. */
		NET_ADAPTER_RECEIVE_SCALING_ENCAPSULATION_TYPE Outer;
		/* Tunnel (inner) encapsulations the hardware sees through. */
		NET_ADAPTER_RECEIVE_SCALING_ENCAPSULATION_TYPE Inner;
	} ReceiveScalingEncapsulationTypes;
	/* TRUE to have the system serialize SetIndirectionEntries with the datapath. */
	BOOLEAN SynchronizeSetIndirectionEntries;
	PFN_NET_ADAPTER_RECEIVE_SCALING_ENABLE EvtAdapterReceiveScalingEnable;
	PFN_NET_ADAPTER_RECEIVE_SCALING_DISABLE EvtAdapterReceiveScalingDisable;
	PFN_NET_ADAPTER_RECEIVE_SCALING_SET_HASH_SECRET_KEY
	    EvtAdapterReceiveScalingSetHashSecretKey;
	PFN_NET_ADAPTER_RECEIVE_SCALING_SET_INDIRECTION_ENTRIES
	EvtAdapterReceiveScalingSetIndirectionEntries;
} NET_ADAPTER_RECEIVE_SCALING_CAPABILITIES;

/*
 * IndirectionTableSize starts at 128 entries, encapsulation types at None
 * and SynchronizeSetIndirectionEntries at FALSE.
 */
FORCEINLINE void NET_ADAPTER_RECEIVE_SCALING_CAPABILITIES_INIT(
    NET_ADAPTER_RECEIVE_SCALING_CAPABILITIES *Capabilities, SIZE_T NumberOfQueues,
    NET_ADAPTER_RECEIVE_SCALING_UNHASHED_TARGET_TYPE UnhashedTargetType,
    NET_ADAPTER_RECEIVE_SCALING_HASH_TYPE HashTypes,
    NET_ADAPTER_RECEIVE_SCALING_PROTOCOL_TYPE ProtocolTypes,
    PFN_NET_ADAPTER_RECEIVE_SCALING_ENABLE EvtEnable,
    PFN_NET_ADAPTER_RECEIVE_SCALING_DISABLE EvtDisable,
    PFN_NET_ADAPTER_RECEIVE_SCALING_SET_HASH_SECRET_KEY EvtSetHashSecretKey,
    PFN_NET_ADAPTER_RECEIVE_SCALING_SET_INDIRECTION_ENTRIES EvtSetIndirectionEntries)
{
	__builtin_memset(Capabilities, 0, sizeof(*Capabilities));
	Capabilities->Size = sizeof(*Capabilities);
	Capabilities->NumberOfQueues = NumberOfQueues;
	Capabilities->IndirectionTableSize =
	    NET_ADAPTER_RECEIVE_SCALING_DEFAULT_INDIRECTION_TABLE_SIZE;
	Capabilities->UnhashedTargetType = UnhashedTargetType;
	Capabilities->ReceiveScalingHashTypes = HashTypes;
	Capabilities->ReceiveScalingProtocolTypes = ProtocolTypes;
	Capabilities->ReceiveScalingEncapsulationTypes.Outer =
	    NetAdapterReceiveScalingEncapsulationTypeNone;
	Capabilities->ReceiveScalingEncapsulationTypes.Inner =
	    NetAdapterReceiveScalingEncapsulationTypeNone;
	Capabilities->SynchronizeSetIndirectionEntries = FALSE;
	Capabilities->EvtAdapterReceiveScalingEnable = EvtEnable;
	Capabilities->EvtAdapterReceiveScalingDisable = EvtDisable;
	Capabilities->EvtAdapterReceiveScalingSetHashSecretKey = EvtSetHashSecretKey;
	Capabilities->EvtAdapterReceiveScalingSetIndirectionEntries = EvtSetIndirectionEntries;
}

void NetAdapterSetReceiveScalingCapabilities(
    NETADAPTER Adapter, NET_ADAPTER_RECEIVE_SCALING_CAPABILITIES const *Capabilities);

UMNIC_EXTERN_C_END

#endif
