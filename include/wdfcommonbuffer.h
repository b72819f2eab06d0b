/* SPDX-License-Identifier: MIT */
/*
 * Common buffers: memory shared with a (simulated) DMA device, in-host
 * ("kernel mode") drivers only; not declared in a user-mode build.
 */
#ifndef UMNIC_WDFCOMMONBUFFER_H
#define UMNIC_WDFCOMMONBUFFER_H

#include <wdfdmaenabler.h>

UMNIC_EXTERN_C_BEGIN

#ifdef _KERNEL_MODE

typedef struct _WDF_COMMON_BUFFER_CONFIG {
	ULONG Size;
	/* Alignment mask: FILE_QUAD_ALIGNMENT-style, i.e. alignment minus one. */
	ULONG AlignmentRequirement;
} WDF_COMMON_BUFFER_CONFIG, *PWDF_COMMON_BUFFER_CONFIG;

FORCEINLINE VOID WDF_COMMON_BUFFER_CONFIG_INIT(PWDF_COMMON_BUFFER_CONFIG Config,
					       ULONG AlignmentRequirement)
{
	memset(Config, 0, sizeof(*Config));
	Config->Size = sizeof(*Config);
	Config->AlignmentRequirement = AlignmentRequirement;
}

NTSTATUS WdfCommonBufferCreate(WDFDMAENABLER DmaEnabler, size_t Length,
			       PWDF_OBJECT_ATTRIBUTES Attributes, WDFCOMMONBUFFER *CommonBuffer);
NTSTATUS WdfCommonBufferCreateWithConfig(WDFDMAENABLER DmaEnabler, size_t Length,
					 PWDF_COMMON_BUFFER_CONFIG Config,
					 PWDF_OBJECT_ATTRIBUTES Attributes,
					 WDFCOMMONBUFFER *CommonBuffer);
PVOID WdfCommonBufferGetAlignedVirtualAddress(WDFCOMMONBUFFER CommonBuffer);
PHYSICAL_ADDRESS WdfCommonBufferGetAlignedLogicalAddress(WDFCOMMONBUFFER CommonBuffer);
size_t WdfCommonBufferGetLength(WDFCOMMONBUFFER CommonBuffer);

#endif /* _KERNEL_MODE */

UMNIC_EXTERN_C_END

#endif
