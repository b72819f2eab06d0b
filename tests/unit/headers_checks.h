/* SPDX-License-Identifier: MIT */
/*
 * Checks of the WDF headers shared by the C and the C++ build (headers_c.c,
 * headers_cpp.cpp): documented enum values, _INIT defaults, time-out helpers
 * and the context-type macros across two translation units. Each failed
 * check prints its line; run_wdf_header_checks() returns the failure count.
 */
#ifndef UMNIC_TESTS_HEADERS_CHECKS_H
#define UMNIC_TESTS_HEADERS_CHECKS_H

#include <wdf.h>

/* Every public header the project ships, the ones not there yet skipped. */
#if __has_include(<netadaptercx.h>)
#include <netadaptercx.h>
#endif
#if __has_include(<net/ring.h>)
#include <net/ring.h>
#endif
#if __has_include(<net/ringcollection.h>)
#include <net/ringcollection.h>
#endif
#if __has_include(<net/packet.h>)
#include <net/packet.h>
#endif
#if __has_include(<net/fragment.h>)
#include <net/fragment.h>
#endif
#if __has_include(<net/extension.h>)
#include <net/extension.h>
#endif
#if __has_include(<net/checksum.h>)
#include <net/checksum.h>
#endif
#if __has_include(<net/gso.h>)
#include <net/gso.h>
#endif
#if __has_include(<net/rsc.h>)
#include <net/rsc.h>
#endif
#if __has_include(<net/virtualaddress.h>)
#include <net/virtualaddress.h>
#endif
#if __has_include(<net/logicaladdress.h>)
#include <net/logicaladdress.h>
#endif
#if __has_include(<net/ieee8021q.h>)
#include <net/ieee8021q.h>
#endif
#if __has_include(<net/packethash.h>)
#include <net/packethash.h>
#endif
#if __has_include(<net/returncontext.h>)
#include <net/returncontext.h>
#endif
#if __has_include(<wdm.h>)
#include <wdm.h>
#endif
#if __has_include(<ntddk.h>)
#include <ntddk.h>
#endif
#if __has_include(<windows.h>)
#include <windows.h>
#endif

#include <stdio.h>

#include "headers_ctx.h"

#define HCHECK(cond)                                                                       \
	do {                                                                               \
		if (!(cond)) {                                                             \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
			failures++;                                                        \
		}                                                                          \
	} while (0)

/* Values fixed by the WDF interface. */
#define HSA(e) UMNIC_STATIC_ASSERT(e, #e)
HSA(WdfDeviceIoNeither == 1 && WdfDeviceIoBuffered == 2 && WdfDeviceIoDirect == 3);
HSA(WdfDeviceIoBufferedOrDirect == 4);
HSA(WdfIoQueueDispatchSequential == 1 && WdfIoQueueDispatchParallel == 2);
HSA(WdfIoQueueDispatchManual == 3);
/* WDF_REQUEST_TYPE values are the IRP major function numbers. */
HSA(WdfRequestTypeCreate == 0 && WdfRequestTypeClose == 2 && WdfRequestTypeRead == 3);
HSA(WdfRequestTypeWrite == 4 && WdfRequestTypeDeviceControl == 0x0E);
HSA(WdfRequestTypeDeviceControlInternal == 0x0F && WdfRequestTypeCleanup == 0x12);
HSA(WdfRequestTypeOther == 0x1C && WdfRequestTypeNoFormat == 0xFF);
HSA(WdfRequestStopActionSuspend == 1 && WdfRequestStopActionPurge == 2);
HSA(WdfRequestStopRequestCancelable == 0x10000000);
HSA(WDF_REQUEST_SEND_OPTION_TIMEOUT == 1 && WDF_REQUEST_SEND_OPTION_SYNCHRONOUS == 2);
HSA(WDF_REQUEST_SEND_OPTION_IGNORE_TARGET_STATE == 4);
HSA(WDF_REQUEST_SEND_OPTION_SEND_AND_FORGET == 8);
HSA(WdfIoTargetOpenUseExistingDevice == 1 && WdfIoTargetOpenByName == 2);
HSA(WdfIoTargetOpenReopen == 3 && WdfIoTargetOpenLocalTargetByFile == 4);
HSA(WdfFileObjectNotRequired == 1 && WdfFileObjectWdfCanUseFsContext == 2);
HSA(WdfFileObjectWdfCanUseFsContext2 == 3 && WdfFileObjectWdfCannotUseFsContexts == 4);
HSA((ULONG)WdfFileObjectCanBeOptional == 0x80000000u);
HSA(WdfPowerDeviceD0 == 1 && WdfPowerDeviceD3 == 4 && WdfPowerDeviceD3Final == 5);
HSA(REG_SZ == 1 && REG_EXPAND_SZ == 2 && REG_BINARY == 3 && REG_DWORD == 4);
HSA(REG_MULTI_SZ == 7 && REG_QWORD == 11);
HSA(KEY_QUERY_VALUE == 1 && KEY_SET_VALUE == 2 && KEY_READ == 0x20019 && KEY_WRITE == 0x20006);
HSA(PLUGPLAY_REGKEY_DEVICE == 1 && PLUGPLAY_REGKEY_DRIVER == 2);
HSA(PLUGPLAY_REGKEY_CURRENT_HWPROFILE == 4);
HSA(NonPagedPool == 0 && PagedPool == 1 && NonPagedPoolNx == 512);
HSA(CmResourceTypePort == 1 && CmResourceTypeInterrupt == 2 && CmResourceTypeMemory == 3);
HSA(CmResourceTypeDevicePrivate == 129);
HSA(CTL_CODE(0x8000, 0x801, METHOD_OUT_DIRECT, FILE_READ_ACCESS | FILE_WRITE_ACCESS) ==
    0x8000E006u);
/* The callbacks follow Size, seventeen of them in the documented order. */
HSA(offsetof(WDF_PNPPOWER_EVENT_CALLBACKS, EvtDeviceD0Entry) == sizeof(void *));
HSA(offsetof(WDF_PNPPOWER_EVENT_CALLBACKS, EvtDeviceD0Exit) == 3 * sizeof(void *));
HSA(offsetof(WDF_PNPPOWER_EVENT_CALLBACKS, EvtDevicePrepareHardware) == 5 * sizeof(void *));
HSA(offsetof(WDF_PNPPOWER_EVENT_CALLBACKS, EvtDeviceUsageNotificationEx) == 17 * sizeof(void *));

static int run_wdf_header_checks(void)
{
	int failures = 0;

	{
		WDF_OBJECT_ATTRIBUTES a;

		WDF_OBJECT_ATTRIBUTES_INIT(&a);
		HCHECK(a.Size == sizeof(a));
		HCHECK(a.ExecutionLevel == WdfExecutionLevelInheritFromParent);
		HCHECK(a.SynchronizationScope == WdfSynchronizationScopeInheritFromParent);
		HCHECK(a.ParentObject == NULL && a.ContextTypeInfo == NULL);
		WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&a, TEST_SHARED_CONTEXT);
		HCHECK(a.ContextTypeInfo == WDF_GET_CONTEXT_TYPE_INFO(TEST_SHARED_CONTEXT));
		HCHECK(a.ContextTypeInfo->ContextSize == sizeof(TEST_SHARED_CONTEXT));
		HCHECK(a.ContextTypeInfo->Size == sizeof(WDF_OBJECT_CONTEXT_TYPE_INFO));
		HCHECK(a.ContextTypeInfo->ContextName != NULL);
	}
	{
		WDF_DRIVER_CONFIG c;

		WDF_DRIVER_CONFIG_INIT(&c, NULL);
		HCHECK(c.Size == sizeof(c) && c.EvtDriverDeviceAdd == NULL);
		HCHECK(c.DriverInitFlags == 0);
	}
	{
		WDF_IO_QUEUE_CONFIG q;

		WDF_IO_QUEUE_CONFIG_INIT(&q, WdfIoQueueDispatchParallel);
		HCHECK(q.Size == sizeof(q));
		HCHECK(q.PowerManaged == WdfUseDefault);
		HCHECK(q.Settings.Parallel.NumberOfPresentedRequests == (ULONG)-1);
		HCHECK(!q.DefaultQueue);
		WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&q, WdfIoQueueDispatchSequential);
		HCHECK(q.DefaultQueue && q.DispatchType == WdfIoQueueDispatchSequential);
		HCHECK(q.Settings.Parallel.NumberOfPresentedRequests == 0);
	}
	{
		WDF_FILEOBJECT_CONFIG f;

		WDF_FILEOBJECT_CONFIG_INIT(&f, NULL, NULL, NULL);
		HCHECK(f.Size == sizeof(f) && f.AutoForwardCleanupClose == WdfUseDefault);
#ifdef _KERNEL_MODE
		HCHECK(f.FileObjectClass == WdfFileObjectWdfCanUseFsContext);
#else
		HCHECK(f.FileObjectClass == WdfFileObjectWdfCannotUseFsContexts);
#endif
	}
	{
		WDF_PNPPOWER_EVENT_CALLBACKS p;
		WDF_IO_TYPE_CONFIG io;

		WDF_PNPPOWER_EVENT_CALLBACKS_INIT(&p);
		HCHECK(p.Size == sizeof(p) && p.EvtDeviceD0Entry == NULL);
		WDF_IO_TYPE_CONFIG_INIT(&io);
		HCHECK(io.ReadWriteIoType == WdfDeviceIoBuffered &&
		       io.DeviceControlIoType == WdfDeviceIoBuffered);
	}
	{
		WDF_TIMER_CONFIG t;
		WDF_WORKITEM_CONFIG w;

		WDF_TIMER_CONFIG_INIT_PERIODIC(&t, NULL, 250);
		HCHECK(t.Size == sizeof(t) && t.Period == 250 && t.AutomaticSerialization);
		WDF_TIMER_CONFIG_INIT(&t, NULL);
		HCHECK(t.Period == 0 && t.TolerableDelay == 0);
		WDF_WORKITEM_CONFIG_INIT(&w, NULL);
		HCHECK(w.Size == sizeof(w) && w.AutomaticSerialization);
	}
	{
		HCHECK(WDF_REL_TIMEOUT_IN_MS(5) == -50000);
		HCHECK(WDF_REL_TIMEOUT_IN_SEC(2) == -20000000);
		HCHECK(WDF_REL_TIMEOUT_IN_US(7) == -70);
		HCHECK(WDF_ABS_TIMEOUT_IN_MS(3) == 30000);
	}
	{
		WDF_REQUEST_SEND_OPTIONS o;
		WDF_REQUEST_COMPLETION_PARAMS cp;
		WDF_REQUEST_PARAMETERS rp;
		WDF_REQUEST_REUSE_PARAMS rr;

		WDF_REQUEST_SEND_OPTIONS_INIT(&o, WDF_REQUEST_SEND_OPTION_SYNCHRONOUS);
		WDF_REQUEST_SEND_OPTIONS_SET_TIMEOUT(&o, WDF_REL_TIMEOUT_IN_SEC(1));
		HCHECK(o.Size == sizeof(o));
		HCHECK(o.Flags & WDF_REQUEST_SEND_OPTION_SYNCHRONOUS);
		HCHECK(o.Flags & WDF_REQUEST_SEND_OPTION_TIMEOUT);
		HCHECK(o.Timeout == -10000000);
		WDF_REQUEST_COMPLETION_PARAMS_INIT(&cp);
		HCHECK(cp.Size == sizeof(cp) && cp.Type == WdfRequestTypeNoFormat);
		WDF_REQUEST_PARAMETERS_INIT(&rp);
		HCHECK(rp.Size == sizeof(rp));
		WDF_REQUEST_REUSE_PARAMS_INIT(&rr, WDF_REQUEST_REUSE_NO_FLAGS, STATUS_SUCCESS);
		HCHECK(rr.Size == sizeof(rr) && rr.Flags == 0 && rr.NewIrp == NULL);
	}
	{
		DECLARE_CONST_UNICODE_STRING(name, L"\\DosDevices\\Vpair0");
		WDF_IO_TARGET_OPEN_PARAMS op;
		WDF_MEMORY_DESCRIPTOR md;
		char buf[8];

		WDF_IO_TARGET_OPEN_PARAMS_INIT_OPEN_BY_NAME(&op, &name, GENERIC_READ);
		HCHECK(op.Size == sizeof(op) && op.Type == WdfIoTargetOpenByName);
		HCHECK(op.TargetDeviceName.Buffer == name.Buffer);
		HCHECK(op.DesiredAccess == GENERIC_READ);
		HCHECK(op.CreateDisposition == FILE_OPEN);
		WDF_IO_TARGET_OPEN_PARAMS_INIT_EXISTING_DEVICE(&op, NULL);
		HCHECK(op.Type == WdfIoTargetOpenUseExistingDevice);
		WDF_MEMORY_DESCRIPTOR_INIT_BUFFER(&md, buf, sizeof(buf));
		HCHECK(md.Type == WdfMemoryDescriptorTypeBuffer && md.u.BufferType.Length == 8);
		WDF_MEMORY_DESCRIPTOR_INIT_HANDLE(&md, NULL, NULL);
		HCHECK(md.Type == WdfMemoryDescriptorTypeHandle);
	}
	{
		CM_PARTIAL_RESOURCE_DESCRIPTOR d;

		memset(&d, 0, sizeof(d));
		d.Type = CmResourceTypeDevicePrivate;
		d.u.DevicePrivate.Data[0] = 7;
		d.u.DevicePrivate.Data[1] = UMNIC_RESOURCE_FD_UDP_SOCKET;
		HCHECK(UmnicResourceIsFileDescriptor(&d));
		d.u.DevicePrivate.Data[1] = 2;
		HCHECK(!UmnicResourceIsFileDescriptor(&d));
	}
	HCHECK(WDF_IO_QUEUE_READY((WDF_IO_QUEUE_STATE)(WdfIoQueueAcceptRequests |
							WdfIoQueueDispatchRequests)));
	HCHECK(WDF_IO_QUEUE_IDLE((WDF_IO_QUEUE_STATE)(WdfIoQueueNoRequests |
						       WdfIoQueueDriverNoRequests)));
	HCHECK(KeGetCurrentIrql() == PASSIVE_LEVEL);

	/* The context declaration: one descriptor for the whole program. */
	HCHECK(WDF_GET_CONTEXT_TYPE_INFO(TEST_SHARED_CONTEXT) == ctx_tu2_type_info());
	HCHECK(&WDF_TYPE_NAME_TO_TYPE_INFO(TEST_SHARED_CONTEXT) == ctx_tu2_descriptor_address());
	HCHECK(WDF_GET_CONTEXT_TYPE_INFO(TEST_SHARED_CONTEXT) ==
	       &WDF_TYPE_NAME_TO_TYPE_INFO(TEST_SHARED_CONTEXT));
	{
		WDF_OBJECT_ATTRIBUTES a;
		WDFOBJECT mine = NULL, theirs = NULL;
		PTEST_SHARED_CONTEXT ctx;

		/* Created here, read by the other unit's accessor, and the other way round. */
		WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&a, TEST_SHARED_CONTEXT);
		HCHECK(NT_SUCCESS(WdfObjectCreate(&a, &mine)));
		ctx = TestGetSharedContext(mine);
		HCHECK(ctx != NULL);
		if (ctx) {
			ctx->Magic = 0x1234;
			HCHECK(ctx_tu2_read_magic(mine) == 0x1234);
			HCHECK(WdfObjectGetTypedContext(mine, TEST_SHARED_CONTEXT) == ctx);
			HCHECK(WdfObjectContextGetObject(ctx) == mine);
		}
		HCHECK(NT_SUCCESS(ctx_tu2_create(0xabcd, &theirs)));
		ctx = TestGetSharedContext(theirs);
		HCHECK(ctx != NULL && ctx->Magic == 0xabcd);
		WdfObjectDelete(mine);
		WdfObjectDelete(theirs);
	}
	return failures;
}

#endif
