/* SPDX-License-Identifier: MIT */
/*
 * Hardware resource lists, as handed to EvtDevicePrepareHardware.
 *
 * umnic devices have no I/O ports or interrupt lines. What umnicd grants a
 * driver is file descriptors it opened with its own privileges (a UDP socket,
 * an AF_PACKET or AF_XDP socket bound to a port, a device node). Each arrives
 * as one descriptor of type CmResourceTypeDevicePrivate:
 *   u.DevicePrivate.Data[0]  the file descriptor, valid in the driver's process
 *   u.DevicePrivate.Data[1]  what it is: one of the UMNIC_RESOURCE_* codes
 *   u.DevicePrivate.Data[2]  kind-specific detail, 0 unless the kind says otherwise
 * The raw and translated lists carry the same entries. The descriptors stay
 * open until EvtDeviceReleaseHardware returns; the framework closes them.
 */
#ifndef UMNIC_WDFRESOURCE_H
#define UMNIC_WDFRESOURCE_H

#include <wdfobject.h>

UMNIC_EXTERN_C_BEGIN

#define CmResourceTypeNull 0
#define CmResourceTypePort 1
#define CmResourceTypeInterrupt 2
#define CmResourceTypeMemory 3
#define CmResourceTypeDma 4
#define CmResourceTypeDeviceSpecific 5
#define CmResourceTypeBusNumber 6
#define CmResourceTypeMemoryLarge 7
#define CmResourceTypeNonArbitrated 128
#define CmResourceTypeConfigData 128
#define CmResourceTypeDevicePrivate 129
#define CmResourceTypePcCardConfig 130
#define CmResourceTypeMfCardConfig 131
#define CmResourceTypeConnection 132

typedef enum _CM_SHARE_DISPOSITION {
	CmResourceShareUndetermined = 0,
	CmResourceShareDeviceExclusive,
	CmResourceShareDriverExclusive,
	CmResourceShareShared,
} CM_SHARE_DISPOSITION;

#define CM_RESOURCE_MEMORY_READ_WRITE 0x0000
#define CM_RESOURCE_MEMORY_READ_ONLY 0x0001
#define CM_RESOURCE_MEMORY_WRITE_ONLY 0x0002
#define CM_RESOURCE_PORT_MEMORY 0x0000
#define CM_RESOURCE_PORT_IO 0x0001
#define CM_RESOURCE_INTERRUPT_LEVEL_SENSITIVE 0x0000
#define CM_RESOURCE_INTERRUPT_LATCHED 0x0001
#define CM_RESOURCE_INTERRUPT_MESSAGE 0x0002

/*
 * Kinds of file descriptor umnicd grants (DevicePrivate.Data[1]). The high
 * half is a tag so a private resource of some other origin is not mistaken
 * for one of these.
 */
#define UMNIC_RESOURCE_TAG 0x554d0000u
#define UMNIC_RESOURCE_TAG_MASK 0xffff0000u
#define UMNIC_RESOURCE_FD_GENERIC (UMNIC_RESOURCE_TAG | 0x0001u)
#define UMNIC_RESOURCE_FD_UDP_SOCKET (UMNIC_RESOURCE_TAG | 0x0002u)
#define UMNIC_RESOURCE_FD_TCP_SOCKET (UMNIC_RESOURCE_TAG | 0x0003u)
#define UMNIC_RESOURCE_FD_PACKET_SOCKET (UMNIC_RESOURCE_TAG | 0x0004u)
#define UMNIC_RESOURCE_FD_XDP_SOCKET (UMNIC_RESOURCE_TAG | 0x0005u)
#define UMNIC_RESOURCE_FD_DEVICE_NODE (UMNIC_RESOURCE_TAG | 0x0006u)
#define UMNIC_RESOURCE_FD_MEMFD (UMNIC_RESOURCE_TAG | 0x0007u)

/*
 * The layout is packed to 4 bytes, as on Windows, which makes the entry 20
 * bytes on LP64. Nothing outside the driver's process depends on it.
 */
#pragma pack(push, 4)
typedef struct _CM_PARTIAL_RESOURCE_DESCRIPTOR {
	UCHAR Type;
	/* A CM_SHARE_DISPOSITION value. */
	UCHAR ShareDisposition;
	/* CM_RESOURCE_* flags, meaning depends on Type. */
	USHORT Flags;
	union {
		struct {
			PHYSICAL_ADDRESS Start;
			ULONG Length;
		} Generic;
		struct {
			PHYSICAL_ADDRESS Start;
			ULONG Length;
		} Port;
		struct {
			USHORT Level;
			USHORT Group;
			ULONG Vector;
			ULONG_PTR Affinity;
		} Interrupt;
		struct {
			PHYSICAL_ADDRESS Start;
			ULONG Length;
		} Memory;
		struct {
			ULONG Channel;
			ULONG Port;
			ULONG Reserved1;
		} Dma;
		struct {
			ULONG Data[3];
		} DevicePrivate;
		struct {
			ULONG Start;
			ULONG Length;
			ULONG Reserved;
		} BusNumber;
		struct {
			ULONG DataSize;
			ULONG Reserved1;
			ULONG Reserved2;
		} DeviceSpecificData;
	} u;
} CM_PARTIAL_RESOURCE_DESCRIPTOR, *PCM_PARTIAL_RESOURCE_DESCRIPTOR;
#pragma pack(pop)

#ifdef __LP64__
UMNIC_STATIC_ASSERT(sizeof(CM_PARTIAL_RESOURCE_DESCRIPTOR) == 20,
		    "CM_PARTIAL_RESOURCE_DESCRIPTOR is 20 bytes on LP64");
#endif
UMNIC_STATIC_ASSERT(offsetof(CM_PARTIAL_RESOURCE_DESCRIPTOR, u) == 4,
		    "CM_PARTIAL_RESOURCE_DESCRIPTOR.u follows the 4-byte header");

/* TRUE if Descriptor is a file descriptor granted by umnicd. */
FORCEINLINE BOOLEAN UmnicResourceIsFileDescriptor(const CM_PARTIAL_RESOURCE_DESCRIPTOR *Descriptor)
{
	ULONG kind = Descriptor->u.DevicePrivate.Data[1];

	return Descriptor->Type == CmResourceTypeDevicePrivate &&
	       (kind & UMNIC_RESOURCE_TAG_MASK) == UMNIC_RESOURCE_TAG;
}

/* Number of entries in the list. */
ULONG WdfCmResourceListGetCount(WDFCMRESLIST List);

/* Entry Index of the list, or NULL if Index is out of range. Framework-owned. */
PCM_PARTIAL_RESOURCE_DESCRIPTOR WdfCmResourceListGetDescriptor(WDFCMRESLIST List, ULONG Index);

UMNIC_EXTERN_C_END

#endif
