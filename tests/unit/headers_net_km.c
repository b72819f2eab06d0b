/* SPDX-License-Identifier: MIT */
/*
 * The NetAdapterCx headers in a kernel-mode (in-host, KMDF-style) build,
 * compiled with -D_KERNEL_MODE: the DMA and driver-managed RX helpers exist,
 * set what they document, and leave the struct layouts exactly as in the
 * user-mode build.
 */
#include <netadaptercx.h>
#include <net/mdl.h>

#include <stdio.h>
#include <string.h>

#ifndef _KERNEL_MODE
#error "build this test with -D_KERNEL_MODE"
#endif

static int g_failures;

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);   \
			g_failures++;                                                              \
		}                                                                                  \
	} while (0)

/* Same offsets as the user-mode build checks in headers_net_common.h. */
C_ASSERT(sizeof(NET_ADAPTER_TX_CAPABILITIES) == 56);
C_ASSERT(offsetof(NET_ADAPTER_TX_CAPABILITIES, DmaCapabilities) == 48);
C_ASSERT(sizeof(NET_ADAPTER_RX_CAPABILITIES) == 56);
C_ASSERT(offsetof(NET_ADAPTER_RX_CAPABILITIES, EvtAdapterReturnRxBuffer) == 32);
C_ASSERT(offsetof(NET_ADAPTER_RX_CAPABILITIES, DmaCapabilities) == 48);
C_ASSERT(NetRxFragmentBufferAllocationModeDriver == 1);
C_ASSERT(sizeof(NET_FRAGMENT_MDL) == sizeof(void *));
C_ASSERT(offsetof(NET_ADAPTER_DMA_CAPABILITIES, DmaEnabler) == 8);
C_ASSERT(offsetof(NET_ADAPTER_DMA_CAPABILITIES, MaximumPhysicalAddress) == 16);
C_ASSERT(offsetof(NET_ADAPTER_DMA_CAPABILITIES, CacheEnabled) == 24);
C_ASSERT(offsetof(NET_ADAPTER_DMA_CAPABILITIES, PreferredNode) == 28);

static void return_rx_buffer(NETADAPTER Adapter, NET_FRAGMENT_RETURN_CONTEXT_HANDLE Context)
{
	UNREFERENCED_PARAMETER(Adapter);
	UNREFERENCED_PARAMETER(Context);
}

/* The callback must also be declarable the WDK way, from its function type. */
static EVT_NET_ADAPTER_RETURN_RX_BUFFER return_rx_buffer_typed;
static void return_rx_buffer_typed(NETADAPTER Adapter, NET_FRAGMENT_RETURN_CONTEXT_HANDLE Context)
{
	UNREFERENCED_PARAMETER(Adapter);
	UNREFERENCED_PARAMETER(Context);
}

int main(void)
{
	NET_ADAPTER_DMA_CAPABILITIES dma;
	NET_ADAPTER_TX_CAPABILITIES tx;
	NET_ADAPTER_RX_CAPABILITIES rx;
	WDFDMAENABLER enabler = (WDFDMAENABLER)&dma;
	PFN_NET_ADAPTER_RETURN_RX_BUFFER pfn = return_rx_buffer_typed;
	NET_EXTENSION ext;
	void *slots[2] = {NULL, NULL};

	memset(&dma, 0xA5, sizeof(dma));
	NET_ADAPTER_DMA_CAPABILITIES_INIT(&dma, enabler);
	CHECK(dma.Size == sizeof(dma));
	CHECK(dma.DmaEnabler == enabler);
	CHECK(dma.MaximumPhysicalAddress.QuadPart == 0);
	CHECK(dma.CacheEnabled == WdfUseDefault);
	CHECK(dma.PreferredNode == (NODE_REQUIREMENT)MM_ANY_NODE_OK);

	memset(&tx, 0xA5, sizeof(tx));
	NET_ADAPTER_TX_CAPABILITIES_INIT_FOR_DMA(&tx, &dma, 2);
	CHECK(tx.Size == sizeof(tx));
	CHECK(tx.MappingRequirement == NetMemoryMappingRequirementDmaMapped);
	CHECK(tx.DmaCapabilities == &dma);
	CHECK(tx.MaximumNumberOfFragments == (SIZE_T)-1);
	CHECK(tx.FragmentBufferAlignment == NET_ADAPTER_FRAGMENT_DEFAULT_ALIGNMENT);
	CHECK(tx.MaximumNumberOfQueues == 2);

	memset(&rx, 0xA5, sizeof(rx));
	NET_ADAPTER_RX_CAPABILITIES_INIT_SYSTEM_MANAGED_DMA(&rx, &dma, 9018, 4);
	CHECK(rx.Size == sizeof(rx));
	CHECK(rx.AllocationMode == NetRxFragmentBufferAllocationModeSystem);
	CHECK(rx.AttachmentMode == NetRxFragmentBufferAttachmentModeSystem);
	CHECK(rx.MappingRequirement == NetMemoryMappingRequirementDmaMapped);
	CHECK(rx.DmaCapabilities == &dma);
	CHECK(rx.FragmentBufferAlignment == NET_ADAPTER_FRAGMENT_DEFAULT_ALIGNMENT);
	CHECK(rx.MaximumFrameSize == 9018 && rx.MaximumNumberOfQueues == 4);

	memset(&rx, 0xA5, sizeof(rx));
	NET_ADAPTER_RX_CAPABILITIES_INIT_DRIVER_MANAGED(&rx, return_rx_buffer, 1514, 1);
	CHECK(rx.Size == sizeof(rx));
	CHECK(rx.AllocationMode == NetRxFragmentBufferAllocationModeDriver);
	CHECK(rx.AttachmentMode == NetRxFragmentBufferAttachmentModeDriver);
	CHECK(rx.EvtAdapterReturnRxBuffer == return_rx_buffer);
	CHECK(rx.MaximumFrameSize == 1514 && rx.MaximumNumberOfQueues == 1);
	CHECK(rx.FragmentRingNumberOfElementsHint == 0);
	/* The rest of the union past the callback pointer is zeroed, not garbage. */
	CHECK(rx.DmaCapabilities == NULL);
	rx.EvtAdapterReturnRxBuffer = pfn;
	CHECK(rx.EvtAdapterReturnRxBuffer == return_rx_buffer_typed);

	memset(&ext, 0, sizeof(ext));
	ext.Reserved[0] = slots;
	ext.Reserved[1] = (void *)(ULONG_PTR)sizeof(void *);
	NetExtensionGetFragmentMdl(&ext, 1)->Mdl = (PMDL)&dma;
	CHECK(slots[1] == (void *)&dma);
	CHECK(wcscmp(NET_FRAGMENT_EXTENSION_MDL_NAME, L"ms_fragment_mdl") == 0);

	if (g_failures != 0)
		fprintf(stderr, "headers_net_km: %d check(s) failed\n", g_failures);
	else
		printf("headers_net_km: all checks passed\n");
	return g_failures != 0;
}
