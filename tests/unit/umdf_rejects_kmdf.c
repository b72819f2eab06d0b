/* SPDX-License-Identifier: MIT */
/*
 * Negative compile test: a user-mode (UMDF-style) build must reject the
 * kernel-mode-only parts of NetAdapterCx, as the WDK does. This file must
 * FAIL to compile without _KERNEL_MODE and compile cleanly with it (the
 * control that proves the failure comes from the hidden declaration and not
 * from a typo here).
 *
 * UMNIC_REJECT_CASE picks the construct; without it, case 1 (the DMA TX
 * helper). Build with -Werror=implicit-function-declaration so a call to a
 * hidden helper is an error on every GCC and Clang version.
 */
#include <netadaptercx.h>

#ifndef UMNIC_REJECT_CASE
#define UMNIC_REJECT_CASE 1
#endif

#if UMNIC_REJECT_CASE == 1 || UMNIC_REJECT_CASE == 5
/* A driver-provided pointer keeps these cases free of the (also hidden) struct type. */
struct _NET_ADAPTER_DMA_CAPABILITIES *driver_dma_capabilities;
#endif

#if UMNIC_REJECT_CASE == 4 || UMNIC_REJECT_CASE == 6
static void return_rx_buffer(NETADAPTER Adapter, NET_FRAGMENT_RETURN_CONTEXT_HANDLE Context)
{
	UNREFERENCED_PARAMETER(Adapter);
	UNREFERENCED_PARAMETER(Context);
}
#endif

int umdf_rejects_kmdf(void);

int umdf_rejects_kmdf(void)
{
	NET_ADAPTER_TX_CAPABILITIES tx;
	NET_ADAPTER_RX_CAPABILITIES rx;

	NET_ADAPTER_TX_CAPABILITIES_INIT(&tx, 1);
	NET_ADAPTER_RX_CAPABILITIES_INIT_SYSTEM_MANAGED(&rx, 1514, 1);
#if UMNIC_REJECT_CASE == 1
	NET_ADAPTER_TX_CAPABILITIES_INIT_FOR_DMA(&tx, driver_dma_capabilities, 1);
#elif UMNIC_REJECT_CASE == 2
	NET_ADAPTER_DMA_CAPABILITIES dma;

	NET_ADAPTER_DMA_CAPABILITIES_INIT(&dma, (WDFDMAENABLER)NULL);
	tx.DmaCapabilities = &dma;
#elif UMNIC_REJECT_CASE == 3
	rx.AllocationMode = NetRxFragmentBufferAllocationModeDriver;
#elif UMNIC_REJECT_CASE == 4
	NET_ADAPTER_RX_CAPABILITIES_INIT_DRIVER_MANAGED(&rx, return_rx_buffer, 1514, 1);
#elif UMNIC_REJECT_CASE == 5
	NET_ADAPTER_RX_CAPABILITIES_INIT_SYSTEM_MANAGED_DMA(&rx, driver_dma_capabilities, 1514, 1);
#elif UMNIC_REJECT_CASE == 6
	PFN_NET_ADAPTER_RETURN_RX_BUFFER pfn = return_rx_buffer;

	rx.EvtAdapterReturnRxBuffer = pfn;
#elif UMNIC_REJECT_CASE == 7
	NET_EXTENSION ext;

	__builtin_memset(&ext, 0, sizeof(ext));
	return NetExtensionGetFragmentMdl(&ext, 0) != NULL;
#else
#error "unknown UMNIC_REJECT_CASE"
#endif
	return (int)(tx.Size + rx.Size);
}
