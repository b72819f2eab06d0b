/* SPDX-License-Identifier: MIT */
/*
 * KMDF-only objects for in-host drivers: DMA enablers, common buffers and
 * DPCs. The headers declare them with _KERNEL_MODE only, so this file is
 * built with it (it must not include rt.h, whose structs are laid out for
 * the default build).
 *
 * There is no bus and no IOMMU behind an in-host driver: device-visible
 * ("logical") addresses are the virtual addresses of the process, which is
 * what umnicd's simulated devices use. A common buffer is zeroed, aligned
 * memory owned by the object.
 *
 * A DPC runs on the framework's timer thread at DISPATCH_LEVEL, one callback
 * at a time, like a DPC queued on one processor.
 */
#define _KERNEL_MODE 1
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <wdf.h>
#include <wdm.h>

#include "common/log.h"
#include "runtime/wdf/irql.h"
#include "runtime/wdf/object.h"

/* ---- DMA enablers -----------------------------------------------------------------------------
 */

struct umn_dma_enabler {
	struct umn_object obj;
	WDF_DMA_ENABLER_CONFIG config;
	size_t max_sg;
};

/* WDF's default: no limit on the number of scatter/gather elements. */
#define UMN_DMA_UNLIMITED_FRAGMENTS ((size_t)(ULONG)-1)

static struct umn_dma_enabler *enabler_get(const char *fn, WDFDMAENABLER h)
{
	struct umn_object *o = umn_object_from_handle(h, UMN_OBJ_DMAENABLER);

	if (!o)
		umn_log(UMN_LOG_ERR, "%s: %p is not a WDFDMAENABLER", fn, (void *)h);
	return (struct umn_dma_enabler *)o;
}

NTSTATUS WdfDmaEnablerCreate(WDFDEVICE Device, PWDF_DMA_ENABLER_CONFIG Config,
			     PWDF_OBJECT_ATTRIBUTES Attributes, WDFDMAENABLER *DmaEnablerHandle)
{
	struct umn_object *dev = umn_object_from_handle(Device, UMN_OBJ_DEVICE), *o;
	struct umn_dma_enabler *e;
	NTSTATUS st;

	if (!dev || !Config || !DmaEnablerHandle) {
		umn_log(UMN_LOG_ERR, "WdfDmaEnablerCreate: %s",
			!dev ? "Device is not a WDFDEVICE" : "Config or DmaEnablerHandle is NULL");
		return STATUS_INVALID_PARAMETER;
	}
	if (Config->Size != sizeof(*Config) || Config->MaximumLength == 0 ||
	    Config->Profile <= WdfDmaProfileInvalid ||
	    Config->Profile > WdfDmaProfileSystemDuplex) {
		umn_log(UMN_LOG_ERR,
			"WdfDmaEnablerCreate: bad config (Size %u, Profile %d, "
			"MaximumLength %zu)",
			Config->Size, (int)Config->Profile, Config->MaximumLength);
		return STATUS_INVALID_PARAMETER;
	}
	if (umn_irql_current() > PASSIVE_LEVEL) {
		umn_log(UMN_LOG_ERR,
			"WdfDmaEnablerCreate: called at IRQL %u; requires PASSIVE_LEVEL",
			umn_irql_current());
		return STATUS_INVALID_DEVICE_REQUEST;
	}
	/* Always a child of the device, whatever the attributes say. */
	if (Attributes && Attributes->ParentObject &&
	    Attributes->ParentObject != (WDFOBJECT)Device) {
		umn_log(UMN_LOG_ERR, "WdfDmaEnablerCreate: the parent must be the device");
		return STATUS_INVALID_PARAMETER;
	}
	st = umn_object_create(UMN_OBJ_DMAENABLER, sizeof(*e), Attributes, dev, NULL, &o);
	if (!NT_SUCCESS(st))
		return st;
	e = (struct umn_dma_enabler *)o;
	e->config = *Config;
	e->max_sg = UMN_DMA_UNLIMITED_FRAGMENTS;
	*DmaEnablerHandle = (WDFDMAENABLER)umn_object_handle(o);
	return STATUS_SUCCESS;
}

size_t WdfDmaEnablerGetMaximumLength(WDFDMAENABLER DmaEnabler)
{
	struct umn_dma_enabler *e = enabler_get("WdfDmaEnablerGetMaximumLength", DmaEnabler);

	return e ? e->config.MaximumLength : 0;
}

size_t WdfDmaEnablerGetMaximumScatterGatherElements(WDFDMAENABLER DmaEnabler)
{
	struct umn_dma_enabler *e =
	    enabler_get("WdfDmaEnablerGetMaximumScatterGatherElements", DmaEnabler);

	return e ? e->max_sg : 0;
}

VOID WdfDmaEnablerSetMaximumScatterGatherElements(WDFDMAENABLER DmaEnabler, size_t MaximumFragments)
{
	struct umn_dma_enabler *e =
	    enabler_get("WdfDmaEnablerSetMaximumScatterGatherElements", DmaEnabler);

	if (!e)
		return;
	if (MaximumFragments == 0) {
		umn_log(UMN_LOG_ERR,
			"WdfDmaEnablerSetMaximumScatterGatherElements: 0 is not allowed");
		return;
	}
	e->max_sg = MaximumFragments;
}

/* ---- Common buffers ---------------------------------------------------------------------------
 */

struct umn_common_buffer {
	struct umn_object obj;
	void *va;
	size_t length;
};

static void common_buffer_on_destroy(struct umn_object *o)
{
	struct umn_common_buffer *b = (struct umn_common_buffer *)o;

	free(b->va);
	b->va = NULL;
}

static const struct umn_object_ops common_buffer_ops = {.on_destroy = common_buffer_on_destroy};

static struct umn_common_buffer *common_buffer_get(const char *fn, WDFCOMMONBUFFER h)
{
	struct umn_object *o = umn_object_from_handle(h, UMN_OBJ_COMMONBUFFER);

	if (!o)
		umn_log(UMN_LOG_ERR, "%s: %p is not a WDFCOMMONBUFFER", fn, (void *)h);
	return (struct umn_common_buffer *)o;
}

NTSTATUS WdfCommonBufferCreateWithConfig(WDFDMAENABLER DmaEnabler, size_t Length,
					 PWDF_COMMON_BUFFER_CONFIG Config,
					 PWDF_OBJECT_ATTRIBUTES Attributes,
					 WDFCOMMONBUFFER *CommonBuffer)
{
	struct umn_dma_enabler *e = enabler_get("WdfCommonBufferCreate", DmaEnabler);
	struct umn_common_buffer *b;
	struct umn_object *o;
	size_t align = 64, rounded;
	NTSTATUS st;

	if (!e || !CommonBuffer || Length == 0)
		return STATUS_INVALID_PARAMETER;
	if (Config) {
		ULONG mask = Config->AlignmentRequirement;

		if (Config->Size != sizeof(*Config) || (mask & (mask + 1)) != 0) {
			umn_log(UMN_LOG_ERR,
				"WdfCommonBufferCreateWithConfig: AlignmentRequirement "
				"0x%x is not a power of two minus one",
				mask);
			return STATUS_INVALID_PARAMETER;
		}
		if ((size_t)mask + 1 > align)
			align = (size_t)mask + 1;
	}
	if (umn_irql_current() > PASSIVE_LEVEL)
		return STATUS_INVALID_DEVICE_REQUEST;
	if (Length > SIZE_MAX - align)
		return STATUS_INSUFFICIENT_RESOURCES;
	st = umn_object_create(UMN_OBJ_COMMONBUFFER, sizeof(*b), Attributes, &e->obj,
			       &common_buffer_ops, &o);
	if (!NT_SUCCESS(st))
		return st;
	b = (struct umn_common_buffer *)o;
	rounded = (Length + align - 1) & ~(align - 1);
	b->va = aligned_alloc(align, rounded);
	if (!b->va) {
		umn_object_delete(o);
		return STATUS_INSUFFICIENT_RESOURCES;
	}
	memset(b->va, 0, rounded);
	b->length = Length;
	*CommonBuffer = (WDFCOMMONBUFFER)umn_object_handle(o);
	return STATUS_SUCCESS;
}

NTSTATUS WdfCommonBufferCreate(WDFDMAENABLER DmaEnabler, size_t Length,
			       PWDF_OBJECT_ATTRIBUTES Attributes, WDFCOMMONBUFFER *CommonBuffer)
{
	return WdfCommonBufferCreateWithConfig(DmaEnabler, Length, NULL, Attributes, CommonBuffer);
}

PVOID WdfCommonBufferGetAlignedVirtualAddress(WDFCOMMONBUFFER CommonBuffer)
{
	struct umn_common_buffer *b =
	    common_buffer_get("WdfCommonBufferGetAlignedVirtualAddress", CommonBuffer);

	return b ? b->va : NULL;
}

PHYSICAL_ADDRESS WdfCommonBufferGetAlignedLogicalAddress(WDFCOMMONBUFFER CommonBuffer)
{
	struct umn_common_buffer *b =
	    common_buffer_get("WdfCommonBufferGetAlignedLogicalAddress", CommonBuffer);
	PHYSICAL_ADDRESS a;

	a.QuadPart = b ? (LONGLONG)(uintptr_t)b->va : 0;
	return a;
}

size_t WdfCommonBufferGetLength(WDFCOMMONBUFFER CommonBuffer)
{
	struct umn_common_buffer *b = common_buffer_get("WdfCommonBufferGetLength", CommonBuffer);

	return b ? b->length : 0;
}

/* ---- DPCs -------------------------------------------------------------------------------------
 */

struct umn_dpc {
	struct umn_object obj;
	PFN_WDF_DPC func;
	WDFTIMER timer; /* a one-shot dispatch-level timer, child of the DPC */
	bool queued;	/* under dpcs.lock */
};

/* DPCs queued and not yet run (or running), for KeFlushQueuedDpcs. */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t idle;
	unsigned pending;
} dpcs = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0};

/* Under dpcs.lock: d leaves the queue without running (cancelled or deleted) or after running. */
static void dpc_done_locked(void)
{
	if (!--dpcs.pending)
		pthread_cond_broadcast(&dpcs.idle);
}

static struct umn_dpc *dpc_get(const char *fn, WDFDPC h)
{
	struct umn_object *o = umn_object_from_handle(h, UMN_OBJ_DPC);

	if (!o)
		umn_log(UMN_LOG_ERR, "%s: %p is not a WDFDPC", fn, (void *)h);
	return (struct umn_dpc *)o;
}

static VOID dpc_timer_func(WDFTIMER Timer)
{
	WDFDPC h = (WDFDPC)WdfTimerGetParentObject(Timer);
	struct umn_dpc *d = dpc_get("DPC", h);

	if (!d)
		return;
	pthread_mutex_lock(&dpcs.lock);
	d->queued = false; /* from here an enqueue queues it again */
	pthread_mutex_unlock(&dpcs.lock);
	d->func(h);
	pthread_mutex_lock(&dpcs.lock);
	dpc_done_locked();
	pthread_mutex_unlock(&dpcs.lock);
}

static void dpc_on_delete(struct umn_object *o)
{
	struct umn_dpc *d = (struct umn_dpc *)o;

	pthread_mutex_lock(&dpcs.lock);
	if (d->queued) {
		d->queued = false;
		dpc_done_locked();
	}
	pthread_mutex_unlock(&dpcs.lock);
}

static const struct umn_object_ops dpc_ops = {.on_delete = dpc_on_delete};

VOID KeFlushQueuedDpcs(VOID)
{
	if (umn_irql_current() > PASSIVE_LEVEL) {
		umn_log(UMN_LOG_ERR,
			"KeFlushQueuedDpcs: called at IRQL %u; it waits and requires "
			"PASSIVE_LEVEL",
			umn_irql_current());
		return;
	}
	pthread_mutex_lock(&dpcs.lock);
	while (dpcs.pending)
		pthread_cond_wait(&dpcs.idle, &dpcs.lock);
	pthread_mutex_unlock(&dpcs.lock);
}

NTSTATUS WdfDpcCreate(PWDF_DPC_CONFIG Config, PWDF_OBJECT_ATTRIBUTES Attributes, WDFDPC *Dpc)
{
	WDF_OBJECT_ATTRIBUTES ta;
	WDF_TIMER_CONFIG tc;
	struct umn_object *o;
	struct umn_dpc *d;
	NTSTATUS st;

	if (!Config || !Attributes || !Dpc || Config->Size != sizeof(*Config) ||
	    !Config->EvtDpcFunc) {
		umn_log(UMN_LOG_ERR, "WdfDpcCreate: Config (with EvtDpcFunc and a valid Size), "
				     "Attributes and Dpc are required");
		return STATUS_INVALID_PARAMETER;
	}
	if (!Attributes->ParentObject) {
		umn_log(UMN_LOG_ERR,
			"WdfDpcCreate: Attributes->ParentObject is required (a device or queue)");
		return STATUS_INVALID_PARAMETER;
	}
	st = umn_object_create(UMN_OBJ_DPC, sizeof(*d), Attributes, NULL, &dpc_ops, &o);
	if (!NT_SUCCESS(st))
		return st;
	d = (struct umn_dpc *)o;
	d->func = Config->EvtDpcFunc;
	WDF_TIMER_CONFIG_INIT(&tc, dpc_timer_func);
	tc.AutomaticSerialization = Config->AutomaticSerialization;
	WDF_OBJECT_ATTRIBUTES_INIT(&ta);
	ta.ParentObject = (WDFOBJECT)umn_object_handle(o);
	ta.ExecutionLevel = WdfExecutionLevelDispatch;
	st = WdfTimerCreate(&tc, &ta, &d->timer);
	if (!NT_SUCCESS(st)) {
		umn_object_delete(o);
		return st;
	}
	*Dpc = (WDFDPC)umn_object_handle(o);
	return STATUS_SUCCESS;
}

BOOLEAN WdfDpcEnqueue(WDFDPC Dpc)
{
	struct umn_dpc *d = dpc_get("WdfDpcEnqueue", Dpc);

	bool newly;

	if (!d)
		return FALSE;
	/* Counted before the timer can fire, so the callback's decrement never comes first. */
	pthread_mutex_lock(&dpcs.lock);
	newly = !d->queued;
	if (newly) {
		d->queued = true;
		dpcs.pending++;
	}
	pthread_mutex_unlock(&dpcs.lock);
	if (newly)
		WdfTimerStart(d->timer, 0);
	return newly;
}

BOOLEAN WdfDpcCancel(WDFDPC Dpc, BOOLEAN Wait)
{
	struct umn_dpc *d = dpc_get("WdfDpcCancel", Dpc);
	BOOLEAN removed;

	if (!d)
		return FALSE;
	removed = WdfTimerStop(d->timer, Wait);
	/* Taken off the queue before it ran: it no longer counts as queued. */
	pthread_mutex_lock(&dpcs.lock);
	if (removed && d->queued) {
		d->queued = false;
		dpc_done_locked();
	}
	pthread_mutex_unlock(&dpcs.lock);
	return removed;
}

WDFOBJECT WdfDpcGetParentObject(WDFDPC Dpc)
{
	struct umn_dpc *d = dpc_get("WdfDpcGetParentObject", Dpc);
	struct umn_object *p;

	if (!d)
		return NULL;
	p = umn_object_parent(&d->obj);
	return p ? umn_object_handle(p) : NULL;
}
