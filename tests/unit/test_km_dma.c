/* SPDX-License-Identifier: MIT */
/* KMDF-only objects of in-host drivers: DMA enablers, common buffers, DPCs. */
#define _KERNEL_MODE 1
#include "io_harness.h"

#include <time.h>

#include <wdm.h>

static void test_dma_enabler_and_common_buffer(void **state)
{
	WDF_DMA_ENABLER_CONFIG cfg;
	WDF_COMMON_BUFFER_CONFIG cbc;
	WDFDMAENABLER dma;
	WDFCOMMONBUFFER cb, cb2;
	unsigned char *va;

	(void)state;
	ioh_start(NULL);
	WDF_DMA_ENABLER_CONFIG_INIT(&cfg, WdfDmaProfileScatterGather64, 65536);
	assert_int_equal(WdfDmaEnablerCreate(ioh_device, &cfg, NULL, &dma), STATUS_SUCCESS);
	assert_int_equal(WdfDmaEnablerGetMaximumLength(dma), 65536);
	assert_int_equal(WdfDmaEnablerGetMaximumScatterGatherElements(dma), (size_t)(ULONG)-1);
	WdfDmaEnablerSetMaximumScatterGatherElements(dma, 16);
	assert_int_equal(WdfDmaEnablerGetMaximumScatterGatherElements(dma), 16);
	cfg.MaximumLength = 0;
	assert_int_equal(WdfDmaEnablerCreate(ioh_device, &cfg, NULL, &dma), STATUS_INVALID_PARAMETER);

	assert_int_equal(WdfCommonBufferCreate(dma, 3000, NULL, &cb), STATUS_SUCCESS);
	va = WdfCommonBufferGetAlignedVirtualAddress(cb);
	assert_non_null(va);
	assert_int_equal(WdfCommonBufferGetLength(cb), 3000);
	assert_int_equal(va[0] | va[2999], 0);
	memset(va, 0xab, 3000);
	/* No IOMMU: the device sees the buffer at its virtual address. */
	assert_true(WdfCommonBufferGetAlignedLogicalAddress(cb).QuadPart == (LONGLONG)(uintptr_t)va);

	WDF_COMMON_BUFFER_CONFIG_INIT(&cbc, 4095);
	assert_int_equal(WdfCommonBufferCreateWithConfig(dma, 100, &cbc, NULL, &cb2), STATUS_SUCCESS);
	assert_int_equal((uintptr_t)WdfCommonBufferGetAlignedVirtualAddress(cb2) % 4096, 0);
	WDF_COMMON_BUFFER_CONFIG_INIT(&cbc, 1000);
	assert_int_equal(WdfCommonBufferCreateWithConfig(dma, 100, &cbc, NULL, &cb2),
			 STATUS_INVALID_PARAMETER);
	/* The buffers go with the enabler, the enabler with the device (ioh_stop checks). */
	ioh_stop();
}

static atomic_int dpc_runs;
static atomic_int dpc_irql;
static WDFDPC dpc_seen;

static VOID evt_dpc(WDFDPC Dpc)
{
	dpc_seen = Dpc;
	atomic_store(&dpc_irql, KeGetCurrentIrql());
	atomic_fetch_add(&dpc_runs, 1);
}

static void test_dpc(void **state)
{
	WDF_OBJECT_ATTRIBUTES attrs;
	WDF_DPC_CONFIG cfg;
	WDFDPC dpc;

	(void)state;
	ioh_start(NULL);
	WDF_DPC_CONFIG_INIT(&cfg, evt_dpc);
	WDF_OBJECT_ATTRIBUTES_INIT(&attrs);
	assert_int_equal(WdfDpcCreate(&cfg, &attrs, &dpc), STATUS_INVALID_PARAMETER);
	attrs.ParentObject = ioh_device;
	assert_int_equal(WdfDpcCreate(&cfg, &attrs, &dpc), STATUS_SUCCESS);
	assert_ptr_equal(WdfDpcGetParentObject(dpc), ioh_device);

	atomic_store(&dpc_irql, -1);
	assert_true(WdfDpcEnqueue(dpc));
	assert_int_equal(ioh_wait_int(&dpc_runs, 1, 10000), 1);
	assert_ptr_equal(dpc_seen, dpc);
	assert_int_equal(atomic_load(&dpc_irql), DISPATCH_LEVEL);
	/* Not queued any more: cancelling finds nothing. */
	assert_false(WdfDpcCancel(dpc, TRUE));
	assert_true(WdfDpcEnqueue(dpc));
	assert_int_equal(ioh_wait_int(&dpc_runs, 2, 10000), 2);
	ioh_stop();
}

static atomic_int slow_runs;

static VOID evt_dpc_slow(WDFDPC Dpc)
{
	struct timespec t = { 0, 200 * 1000000 };

	(void)Dpc;
	nanosleep(&t, NULL);
	atomic_fetch_add(&slow_runs, 1);
}

static atomic_bool blocker_running, blocker_release;

/* Holds the DPC thread until released, so that what is queued behind it stays queued. */
static VOID evt_dpc_blocker(WDFDPC Dpc)
{
	struct timespec t = { 0, 1000000 };

	(void)Dpc;
	atomic_store(&blocker_running, true);
	while (!atomic_load(&blocker_release))
		nanosleep(&t, NULL);
}

/* KeFlushQueuedDpcs returns once the DPCs queued before it ran, and not before. */
static void test_flush_queued_dpcs(void **state)
{
	WDF_OBJECT_ATTRIBUTES attrs;
	WDF_DPC_CONFIG cfg, block_cfg;
	WDFDPC dpc, other, blocker;
	struct timespec t = { 0, 1000000 };

	(void)state;
	ioh_start(NULL);
	WDF_DPC_CONFIG_INIT(&cfg, evt_dpc_slow);
	WDF_DPC_CONFIG_INIT(&block_cfg, evt_dpc_blocker);
	WDF_OBJECT_ATTRIBUTES_INIT(&attrs);
	attrs.ParentObject = ioh_device;
	assert_int_equal(WdfDpcCreate(&cfg, &attrs, &dpc), STATUS_SUCCESS);
	assert_int_equal(WdfDpcCreate(&cfg, &attrs, &other), STATUS_SUCCESS);
	assert_int_equal(WdfDpcCreate(&block_cfg, &attrs, &blocker), STATUS_SUCCESS);
	KeFlushQueuedDpcs(); /* nothing queued: returns at once */
	/* With the DPC thread held, dpc stays queued: a second enqueue finds it there. */
	assert_true(WdfDpcEnqueue(blocker));
	while (!atomic_load(&blocker_running))
		nanosleep(&t, NULL);
	assert_true(WdfDpcEnqueue(dpc));
	assert_false(WdfDpcEnqueue(dpc)); /* already queued */
	atomic_store(&blocker_release, true);
	KeFlushQueuedDpcs();
	assert_int_equal(atomic_load(&slow_runs), 1);
	/* A cancelled DPC no longer counts. */
	assert_true(WdfDpcEnqueue(dpc));
	assert_true(WdfDpcEnqueue(other));
	WdfDpcCancel(other, TRUE);
	KeFlushQueuedDpcs();
	assert_true(atomic_load(&slow_runs) >= 2);
	/* Nor does one deleted with its device while queued. */
	assert_true(WdfDpcEnqueue(dpc));
	ioh_stop();
	KeFlushQueuedDpcs();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dma_enabler_and_common_buffer),
		cmocka_unit_test(test_dpc),
		cmocka_unit_test(test_flush_queued_dpcs),
	};

	return cmocka_run_group_tests(tests, ioh_group_setup, NULL);
}
