/* SPDX-License-Identifier: MIT */
/*
 * DMA enablers: in-host ("kernel mode") drivers only. In a user-mode build
 * nothing here is declared, so a driver using DMA fails to compile as it
 * would against UMDF.
 */
#ifndef UMNIC_WDFDMAENABLER_H
#define UMNIC_WDFDMAENABLER_H

#include <wdfobject.h>

UMNIC_EXTERN_C_BEGIN

#ifdef _KERNEL_MODE

typedef enum _WDF_DMA_PROFILE {
	WdfDmaProfileInvalid = 0,
	WdfDmaProfilePacket,
	WdfDmaProfileScatterGather,
	WdfDmaProfilePacket64,
	WdfDmaProfileScatterGather64,
	WdfDmaProfileScatterGatherDuplex,
	WdfDmaProfileScatterGather64Duplex,
	WdfDmaProfileSystem,
	WdfDmaProfileSystemDuplex,
} WDF_DMA_PROFILE;

typedef enum _WDF_DMA_ENABLER_CONFIG_FLAGS {
	WDF_DMA_ENABLER_CONFIG_NO_SGL_OPTIMIZATION = 0x00000001,
	WDF_DMA_ENABLER_CONFIG_REQUIRE_SINGLE_TRANSFER = 0x00000002,
} WDF_DMA_ENABLER_CONFIG_FLAGS;

typedef NTSTATUS EVT_WDF_DMA_ENABLER_FILL(WDFDMAENABLER DmaEnabler);
typedef EVT_WDF_DMA_ENABLER_FILL *PFN_WDF_DMA_ENABLER_FILL;
typedef NTSTATUS EVT_WDF_DMA_ENABLER_FLUSH(WDFDMAENABLER DmaEnabler);
typedef EVT_WDF_DMA_ENABLER_FLUSH *PFN_WDF_DMA_ENABLER_FLUSH;
typedef NTSTATUS EVT_WDF_DMA_ENABLER_ENABLE(WDFDMAENABLER DmaEnabler);
typedef EVT_WDF_DMA_ENABLER_ENABLE *PFN_WDF_DMA_ENABLER_ENABLE;
typedef NTSTATUS EVT_WDF_DMA_ENABLER_DISABLE(WDFDMAENABLER DmaEnabler);
typedef EVT_WDF_DMA_ENABLER_DISABLE *PFN_WDF_DMA_ENABLER_DISABLE;
typedef NTSTATUS EVT_WDF_DMA_ENABLER_SELFMANAGED_IO_START(WDFDMAENABLER DmaEnabler);
typedef EVT_WDF_DMA_ENABLER_SELFMANAGED_IO_START *PFN_WDF_DMA_ENABLER_SELFMANAGED_IO_START;
typedef NTSTATUS EVT_WDF_DMA_ENABLER_SELFMANAGED_IO_STOP(WDFDMAENABLER DmaEnabler);
typedef EVT_WDF_DMA_ENABLER_SELFMANAGED_IO_STOP *PFN_WDF_DMA_ENABLER_SELFMANAGED_IO_STOP;

typedef struct _WDF_DMA_ENABLER_CONFIG {
	ULONG Size;
	WDF_DMA_PROFILE Profile;
	/* Largest single transfer, in bytes. */
	size_t MaximumLength;
	PFN_WDF_DMA_ENABLER_FILL EvtDmaEnablerFill;
	PFN_WDF_DMA_ENABLER_FLUSH EvtDmaEnablerFlush;
	PFN_WDF_DMA_ENABLER_DISABLE EvtDmaEnablerDisable;
	PFN_WDF_DMA_ENABLER_ENABLE EvtDmaEnablerEnable;
	PFN_WDF_DMA_ENABLER_SELFMANAGED_IO_START EvtDmaEnablerSelfManagedIoStart;
	PFN_WDF_DMA_ENABLER_SELFMANAGED_IO_STOP EvtDmaEnablerSelfManagedIoStop;
	ULONG AddressWidthOverride;
	ULONG WdmDmaVersionOverride;
	/* WDF_DMA_ENABLER_CONFIG_FLAGS bits. */
	ULONG Flags;
} WDF_DMA_ENABLER_CONFIG, *PWDF_DMA_ENABLER_CONFIG;

FORCEINLINE VOID WDF_DMA_ENABLER_CONFIG_INIT(PWDF_DMA_ENABLER_CONFIG Config,
					     WDF_DMA_PROFILE Profile, size_t MaximumLength)
{
	memset(Config, 0, sizeof(*Config));
	Config->Size = sizeof(*Config);
	Config->Profile = Profile;
	Config->MaximumLength = MaximumLength;
}

/* Parent: Device. STATUS_INVALID_PARAMETER, STATUS_INSUFFICIENT_RESOURCES. */
NTSTATUS WdfDmaEnablerCreate(WDFDEVICE Device, PWDF_DMA_ENABLER_CONFIG Config,
			     PWDF_OBJECT_ATTRIBUTES Attributes, WDFDMAENABLER *DmaEnablerHandle);
size_t WdfDmaEnablerGetMaximumLength(WDFDMAENABLER DmaEnabler);
size_t WdfDmaEnablerGetMaximumScatterGatherElements(WDFDMAENABLER DmaEnabler);
VOID WdfDmaEnablerSetMaximumScatterGatherElements(WDFDMAENABLER DmaEnabler,
						  size_t MaximumFragments);

#endif /* _KERNEL_MODE */

UMNIC_EXTERN_C_END

#endif
