/* SPDX-License-Identifier: MIT */
/*
 * The WDK names driver sources use beyond WDF itself, compiled as C, as C++
 * and in a kernel-mode build (headers_wdk_*.c*): SAL 1 and 2, the wdm.h and
 * winnt.h helpers, GUIDs with INITGUID, strsafe, status codes, legacy
 * callback names, power policy and device state, WMI, NDIS and wake
 * capabilities. Each check prints what failed.
 */
#include <initguid.h>
#include <wdf.h>
#include <netadaptercx.h>
#include <ntstrsafe.h>
#include <strsafe.h>
#include <winioctl.h>
#include <wudfwdm.h>
#include <devpropdef.h>
#include <new.h>
#include <net/databuffer.h>
#include <stdio.h>

#define WCHECK(e)                                                                  \
	do {                                                                       \
		if (!(e)) {                                                        \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #e); \
			failures++;                                                \
		}                                                                  \
	} while (0)

/* Defined here (INITGUID is on) and declared again by a plain DEFINE_GUID elsewhere. */
DEFINE_GUID(UMNIC_TEST_GUID, 0x12345678, 0x1234, 0x5678, 0x9a, 0xbc, 0xde, 0xf0, 0x11, 0x22, 0x33,
	    0x44);
DEFINE_DEVPROPKEY(UMNIC_TEST_KEY, 0x1, 0x2, 0x3, 4, 5, 6, 7, 8, 9, 10, 11, DEVPROPID_FIRST_USABLE);

/* SAL 1 and the SAL 2 forms that appeared late, on a real declaration. */
static NTSTATUS sal_user(__in ULONG a, __in_opt PVOID b, __out_opt PULONG c,
			 _Outptr_result_buffer_(n) PVOID *d, __inout_bcount(n) PUCHAR e, ULONG n)
{
	__analysis_assume(a > 0);
	(void)b;
	(void)d;
	(void)e;
	(void)n;
	if (c)
		*c = a;
	return STATUS_SUCCESS;
}

static EVT_WDF_IO_QUEUE_CONTEXT_DESTROY_CALLBACK legacy_destroy;
static VOID legacy_destroy(WDFOBJECT Object)
{
	(void)Object;
}

static EVT_WDF_DEVICE_CONTEXT_CLEANUP legacy_cleanup;
static VOID legacy_cleanup(WDFOBJECT Object)
{
	(void)Object;
}

static int run_wdk_header_checks(void)
{
	int failures = 0;
	LONG v = 5;
	LONG64 v64 = 1;
	BOOLEAN flag = FALSE;
	PVOID p = NULL, q = &v;
	ULONG idx = 0, out = 0;
	char a[8];
	WCHAR w[16];
	UNICODE_STRING us = RTL_CONSTANT_STRING(L"unit");
	WDF_OBJECT_ATTRIBUTES attrs;
	WDF_POWER_POLICY_EVENT_CALLBACKS pp;
	WDF_DEVICE_POWER_POLICY_IDLE_SETTINGS idle;
	WDF_DEVICE_POWER_POLICY_WAKE_SETTINGS wake;
	WDF_DEVICE_STATE state;
	WDF_WMI_PROVIDER_CONFIG wmi;
	NET_ADAPTER_WAKE_PACKET_FILTER_CAPABILITIES wpf;
	NDIS_STATISTICS_INFO stats;
	GROUP_AFFINITY ga;
	PROCESSOR_NUMBER pn;
	KAFFINITY aff = 3;
	EVENT_TYPE et = SynchronizationEvent;
	LIST_ENTRY head, e1, e2;

	WCHECK(sal_user(3, NULL, &out, &p, NULL, 0) == STATUS_SUCCESS && out == 3);

	/* Interlocked family: return values as Windows documents them. */
	WCHECK(InterlockedIncrement(&v) == 6);
	WCHECK(InterlockedExchange(&v, 9) == 6 && v == 9);
	WCHECK(InterlockedCompareExchange(&v, 1, 9) == 9 && v == 1);
	WCHECK(InterlockedCompareExchange(&v, 7, 9) == 1 && v == 1);
	WCHECK(InterlockedExchangeAdd(&v, 4) == 1 && v == 5);
	WCHECK(InterlockedOr(&v, 8) == 5 && v == 13);
	WCHECK(InterlockedAnd(&v, 4) == 13 && v == 4);
	WCHECK(InterlockedDecrement64(&v64) == 0);
	WCHECK(InterlockedCompareExchangePointer(&p, q, NULL) == NULL && p == q);
	WCHECK(InterlockedExchangePointer(&p, NULL) == q && p == NULL);
	WriteBooleanNoFence(&flag, TRUE);
	WCHECK(ReadBooleanNoFence(&flag) == TRUE);
	WriteULongRelease((ULONG *)&v, 42);
	WCHECK(ReadULongAcquire((ULONG *)&v) == 42 && ReadLongNoFence(&v) == 42);
	MemoryBarrier();
	KeMemoryBarrier();
	WCHECK(ReadTimeStampCounter() != 0);

	/* Memory and alignment helpers. */
	RtlZeroMemory(a, sizeof(a));
	RtlFillMemory(a, 3, 'x');
	WCHECK(RtlCompareMemory(a, "xxx", 3) == 3 && RtlEqualMemory(a, "xxx\0", 4));
	RtlCopyMemory(a, "abc", 4);
	RtlMoveMemory(a + 1, a, 3);
	WCHECK(a[0] == 'a' && a[1] == 'a' && a[3] == 'c');
	WCHECK(ALIGN_UP_BY(13, 8) == 16 && ALIGN_DOWN_BY(13, 8) == 8 && PAGE_SIZE == 4096);
	WCHECK(ROUND_TO_PAGES(1) == PAGE_SIZE && BYTES_TO_PAGES(4097) == 2);
	WCHECK(_byteswap_ushort(0x1234) == 0x3412 && _byteswap_ulong(0x12345678) == 0x78563412);
	WCHECK(_byteswap_uint64(0x0102030405060708ull) == 0x0807060504030201ull);
	WCHECK(_BitScanForward(&idx, 0x10) && idx == 4 && !_BitScanReverse(&idx, 0));

	/* Lists. */
	InitializeListHead(&head);
	WCHECK(IsListEmpty(&head));
	InsertTailList(&head, &e1);
	InsertHeadList(&head, &e2);
	WCHECK(RemoveHeadList(&head) == &e2 && RemoveTailList(&head) == &e1 && IsListEmpty(&head));

	/* GUIDs: the definition above is one object, equal to its value. */
	WCHECK(UMNIC_TEST_GUID.Data1 == 0x12345678 && UMNIC_TEST_GUID.Data4[7] == 0x44);
	WCHECK(UMNIC_TEST_KEY.pid == 2 && UMNIC_TEST_KEY.fmtid.Data2 == 2);

	/* strsafe: truncation is reported and the text stays terminated; Windows printf rules. */
	WCHECK(StringCchCopyA(a, sizeof(a), "0123456789") == STRSAFE_E_INSUFFICIENT_BUFFER);
	WCHECK(strcmp(a, "0123456") == 0);
	WCHECK(RtlStringCchPrintfA(a, sizeof(a), "%lu-%I64d", (ULONG)7, (LONG64)-2) == STATUS_SUCCESS);
	WCHECK(strcmp(a, "7--2") == 0);
	WCHECK(RtlStringCchPrintfW(w, ARRAYSIZE(w), L"%s|%wZ|%hs", L"wide", &us, "nar") ==
	       STATUS_SUCCESS);
	WCHECK(wcscmp(w, L"wide|unit|nar") == 0);
	WCHECK(StringCchPrintfA(a, sizeof(a), "%ls", L"toolongtext") == STRSAFE_E_INSUFFICIENT_BUFFER);
	WCHECK(RtlStringCchCatW(w, ARRAYSIZE(w), L"!") == STATUS_SUCCESS &&
	       wcscmp(w, L"wide|unit|nar!") == 0);

	/* Status codes, NDIS values, types. */
	WCHECK(STATUS_INVALID_ADDRESS == (NTSTATUS)0xC0000141 &&
	       STATUS_REQUEST_NOT_ACCEPTED == (NTSTATUS)0xC00000D0 &&
	       STATUS_BAD_DATA == (NTSTATUS)0xC000090B);
	WCHECK(NDIS_PACKET_TYPE_PROMISCUOUS == 0x20 && NDIS_LINK_SPEED_UNKNOWN == ~0ull &&
	       ETH_LENGTH_OF_ADDRESS == 6);
	WCHECK(sizeof(stats) == 4 + 4 + 18 * 8 && sizeof(ga) == 16 && sizeof(pn) == 4);
	WCHECK(aff == 3 && et == SynchronizationEvent && sizeof(KAFFINITY) == sizeof(void *));
	WCHECK(CTL_CODE(FILE_DEVICE_UNKNOWN, 0x900, METHOD_BUFFERED, FILE_ANY_ACCESS) == 0x222400);

	/* WDF: legacy names, power policy and device state initializers, WMI config. */
	WDF_OBJECT_ATTRIBUTES_INIT(&attrs);
	attrs.EvtDestroyCallback = legacy_destroy;
	attrs.EvtCleanupCallback = legacy_cleanup;
	WDF_POWER_POLICY_EVENT_CALLBACKS_INIT(&pp);
	WCHECK(pp.Size == sizeof(pp) && !pp.EvtDeviceArmWakeFromS0);
	WDF_DEVICE_POWER_POLICY_IDLE_SETTINGS_INIT(&idle, IdleCannotWakeFromS0);
	WCHECK(idle.DxState == PowerDeviceD3 && idle.Enabled == WdfUseDefault &&
	       idle.UserControlOfIdleSettings == IdleAllowUserControl);
	WDF_DEVICE_POWER_POLICY_WAKE_SETTINGS_INIT(&wake);
	WCHECK(wake.DxState == PowerDeviceMaximum && wake.Enabled == WdfUseDefault);
	WDF_DEVICE_STATE_INIT(&state);
	WCHECK(state.Failed == WdfUseDefault && state.Size == sizeof(state));
	WDF_WMI_PROVIDER_CONFIG_INIT(&wmi, &UMNIC_TEST_GUID);
	WCHECK(memcmp(&wmi.Guid, &UMNIC_TEST_GUID, sizeof(GUID)) == 0);
	NET_ADAPTER_WAKE_PACKET_FILTER_CAPABILITIES_INIT(&wpf);
	WCHECK(wpf.Size == sizeof(wpf));

	NT_ASSERT(v == 42);
	WCHECK(NT_VERIFY(v == 42));
	WCHECK(NT_VERIFYMSG("v is 42", v == 42));
	/* As statements, as drivers write them: no unused-value warning under -Werror. */
	NT_VERIFY(v == 42);
	NT_VERIFYMSG("v is 42", v == 42);
	NT_FRE_ASSERT(v == 42);
	PAGED_CODE();
	KdPrint(("not printed in a free build %d\n", 1));
	UNREFERENCED_PARAMETER(et);
	return failures;
}
