// SPDX-License-Identifier: MIT
/* The WDF headers in a kernel-mode (-D_KERNEL_MODE) build: the KMDF-only parts are declared. */
#include <string.h>

#include "headers_checks.h"

#ifndef _KERNEL_MODE
#error "build headers_km.c with -D_KERNEL_MODE"
#endif

int main(void)
{
	int failures = run_wdf_header_checks();
	WDF_DMA_ENABLER_CONFIG dma;
	WDF_COMMON_BUFFER_CONFIG cb;
	WDF_DPC_CONFIG dpc;
	WDF_MEMORY_DESCRIPTOR md;
	WDFDMAENABLER enabler = NULL;

	WDF_DMA_ENABLER_CONFIG_INIT(&dma, WdfDmaProfileScatterGather64, 65536);
	HCHECK(dma.Size == sizeof(dma) && dma.Profile == WdfDmaProfileScatterGather64);
	HCHECK(dma.MaximumLength == 65536);
	WDF_COMMON_BUFFER_CONFIG_INIT(&cb, 63);
	HCHECK(cb.Size == sizeof(cb) && cb.AlignmentRequirement == 63);
	WDF_DPC_CONFIG_INIT(&dpc, NULL);
	HCHECK(dpc.Size == sizeof(dpc) && dpc.AutomaticSerialization);
	WDF_MEMORY_DESCRIPTOR_INIT_MDL(&md, NULL, 0);
	HCHECK(md.Type == WdfMemoryDescriptorTypeMdl);

	/* Type-check calls to KMDF-only functions without evaluating (or linking) them. */
	HCHECK(sizeof(WdfDmaEnablerCreate(NULL, &dma, WDF_NO_OBJECT_ATTRIBUTES, &enabler)) ==
	       sizeof(NTSTATUS));
	HCHECK(sizeof(WdfIoTargetSendInternalIoctlSynchronously(NULL, NULL, 0, NULL, NULL, NULL,
								NULL)) == sizeof(NTSTATUS));
	HCHECK(sizeof(WdfDeviceWdmGetDeviceObject(NULL)) == sizeof(PDEVICE_OBJECT));
	HCHECK(sizeof(WdfRequestWdmGetIrp(NULL)) == sizeof(PIRP));
	if (failures)
		fprintf(stderr, "headers_km: %d check(s) failed\n", failures);
	return failures ? 1 : 0;
}
