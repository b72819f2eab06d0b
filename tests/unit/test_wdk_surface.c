/* SPDX-License-Identifier: MIT */
/*
 * The less common WDF and NetAdapterCx calls a real driver makes: registry
 * strings, multi-strings and binary values (WDFKEY and NETCONFIGURATION), the
 * service's Parameters key, the framework version string, offload and RSS
 * capabilities, and the verifier break point.
 */
#include "io_harness.h"

#include "runtime/wdf/string_obj.h"

static UNICODE_STRING us(const WCHAR *w)
{
	UNICODE_STRING u = { (USHORT)(wcslen(w) * sizeof(WCHAR)), (USHORT)(wcslen(w) * sizeof(WCHAR)),
			     (PWSTR)w };

	return u;
}

static bool string_is(WDFSTRING s, const WCHAR *want)
{
	UNICODE_STRING u;

	WdfStringGetUnicodeString(s, &u);
	return u.Length == wcslen(want) * sizeof(WCHAR) && !wmemcmp(u.Buffer, want, wcslen(want));
}

static void test_registry_strings(void **state)
{
	static const WCHAR multi[] = L"one\0two\0three\0";
	UNICODE_STRING name = us(L"Greeting"), mname = us(L"List"), dname = us(L"Number");
	WCHAR small[3], big[32];
	UNICODE_STRING out = { 0, sizeof(small), small };
	WDFCOLLECTION coll;
	WDFSTRING s;
	USHORT need = 0;
	ULONG v = 0, dw = 7;
	WDFKEY key;

	(void)state;
	ioh_start(NULL);
	assert_int_equal(WdfDeviceOpenRegistryKey(ioh_device, PLUGPLAY_REGKEY_DEVICE, KEY_ALL_ACCESS,
						  NULL, &key),
			 STATUS_SUCCESS);

	/* REG_SZ written as WCHARs with the terminator, read back three ways. */
	assert_int_equal(WdfRegistryAssignValue(key, &name, REG_SZ, sizeof(L"h\u00e9llo"),
						(PVOID)L"h\u00e9llo"),
			 STATUS_SUCCESS);
	assert_int_equal(WdfStringCreate(NULL, NULL, &s), STATUS_SUCCESS);
	assert_int_equal(WdfRegistryQueryString(key, &name, s), STATUS_SUCCESS);
	assert_true(string_is(s, L"h\u00e9llo"));
	assert_int_equal(WdfRegistryQueryUnicodeString(key, &name, &need, NULL), STATUS_BUFFER_OVERFLOW);
	assert_int_equal(need, 5 * sizeof(WCHAR));
	assert_int_equal(WdfRegistryQueryUnicodeString(key, &name, NULL, &out), STATUS_BUFFER_OVERFLOW);
	out = (UNICODE_STRING){ 0, sizeof(big), big };
	assert_int_equal(WdfRegistryQueryUnicodeString(key, &name, NULL, &out), STATUS_SUCCESS);
	assert_int_equal(out.Length, 5 * sizeof(WCHAR));
	assert_int_equal(wmemcmp(big, L"h\u00e9llo", 6), 0);

	/* REG_MULTI_SZ into a collection, one string object per element. */
	assert_int_equal(WdfRegistryAssignValue(key, &mname, REG_MULTI_SZ, sizeof(multi),
						(PVOID)multi),
			 STATUS_SUCCESS);
	assert_int_equal(WdfCollectionCreate(NULL, &coll), STATUS_SUCCESS);
	assert_int_equal(WdfRegistryQueryMultiString(key, &mname, NULL, coll), STATUS_SUCCESS);
	assert_int_equal(WdfCollectionGetCount(coll), 3);
	assert_true(string_is((WDFSTRING)WdfCollectionGetItem(coll, 2), L"three"));

	/* Type checks: a DWORD is not a string, a string is not a DWORD, bad lengths fail. */
	assert_int_equal(WdfRegistryAssignValue(key, &dname, REG_DWORD, sizeof(dw), &dw),
			 STATUS_SUCCESS);
	assert_int_equal(WdfRegistryQueryULong(key, &dname, &v), STATUS_SUCCESS);
	assert_int_equal(v, 7);
	assert_int_equal(WdfRegistryQueryString(key, &dname, s), STATUS_OBJECT_TYPE_MISMATCH);
	assert_int_equal(WdfRegistryQueryULong(key, &name, &v), STATUS_OBJECT_TYPE_MISMATCH);
	assert_int_equal(WdfRegistryAssignValue(key, &dname, REG_DWORD, 3, &dw),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(WdfRegistryAssignValue(key, &name, REG_SZ, 3, (PVOID)L"x"),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(WdfRegistryQueryString(key, &mname, s), STATUS_OBJECT_TYPE_MISMATCH);
	name = us(L"Absent");
	assert_int_equal(WdfRegistryQueryString(key, &name, s), STATUS_OBJECT_NAME_NOT_FOUND);

	WdfObjectDelete(coll);
	WdfObjectDelete(s);
	WdfRegistryClose(key);
	ioh_stop();
}

static void test_net_configuration(void **state)
{
	UNICODE_STRING name = us(L"Mode"), bname = us(L"Blob"), mname = us(L"Names"),
		       sub = us(L"Ndi"), val = us(L"fast");
	static const unsigned char blob[] = { 1, 2, 3, 0, 5 };
	NETCONFIGURATION cfg, subcfg;
	WDFCOLLECTION coll, back;
	WDFSTRING s, a, b;
	WDFMEMORY mem;
	size_t len = 0;
	unsigned char *p;

	(void)state;
	ioh_start(NULL);
	assert_int_equal(NetDeviceOpenConfiguration(ioh_device, NULL, &cfg), STATUS_SUCCESS);

	assert_int_equal(NetConfigurationAssignUnicodeString(cfg, &name, &val), STATUS_SUCCESS);
	assert_int_equal(NetConfigurationQueryString(cfg, &name, NULL, &s), STATUS_SUCCESS);
	assert_true(string_is(s, L"fast"));

	assert_int_equal(NetConfigurationAssignBinary(cfg, &bname, blob, sizeof(blob)), STATUS_SUCCESS);
	assert_int_equal(NetConfigurationQueryBinary(cfg, &bname, NonPagedPoolNx, NULL, &mem),
			 STATUS_SUCCESS);
	p = WdfMemoryGetBuffer(mem, &len);
	assert_int_equal(len, sizeof(blob));
	assert_memory_equal(p, blob, sizeof(blob));
	assert_int_equal(NetConfigurationQueryBinary(cfg, &name, NonPagedPoolNx, NULL, &mem),
			 STATUS_OBJECT_TYPE_MISMATCH);

	/* A multi-string written from a collection of strings comes back element by element. */
	assert_int_equal(WdfCollectionCreate(NULL, &coll), STATUS_SUCCESS);
	val = us(L"alpha");
	assert_int_equal(WdfStringCreate(&val, NULL, &a), STATUS_SUCCESS);
	val = us(L"beta");
	assert_int_equal(WdfStringCreate(&val, NULL, &b), STATUS_SUCCESS);
	assert_int_equal(WdfCollectionAdd(coll, a), STATUS_SUCCESS);
	assert_int_equal(WdfCollectionAdd(coll, b), STATUS_SUCCESS);
	assert_int_equal(NetConfigurationAssignMultiString(cfg, &mname, coll), STATUS_SUCCESS);
	assert_int_equal(WdfCollectionCreate(NULL, &back), STATUS_SUCCESS);
	assert_int_equal(NetConfigurationQueryMultiString(cfg, &mname, NULL, back), STATUS_SUCCESS);
	assert_int_equal(WdfCollectionGetCount(back), 2);
	assert_true(string_is((WDFSTRING)WdfCollectionGetItem(back, 0), L"alpha"));
	assert_true(string_is((WDFSTRING)WdfCollectionGetItem(back, 1), L"beta"));

	/* A sub-configuration is its own key: its values are not the parent's. */
	assert_int_equal(NetConfigurationOpenSubConfiguration(cfg, &sub, NULL, &subcfg),
			 STATUS_SUCCESS);
	assert_int_equal(NetConfigurationQueryString(subcfg, &name, NULL, &s),
			 STATUS_OBJECT_NAME_NOT_FOUND);
	val = us(L"slow");
	assert_int_equal(NetConfigurationAssignUnicodeString(subcfg, &name, &val), STATUS_SUCCESS);
	assert_int_equal(NetConfigurationQueryString(subcfg, &name, NULL, &s), STATUS_SUCCESS);
	assert_true(string_is(s, L"slow"));
	assert_int_equal(NetConfigurationQueryString(cfg, &name, NULL, &s), STATUS_SUCCESS);
	assert_true(string_is(s, L"fast"));

	WdfObjectDelete(coll);
	WdfObjectDelete(back);
	WdfObjectDelete(a);
	WdfObjectDelete(b);
	/* Closing the configuration also closes the sub-configuration and frees the strings. */
	NetConfigurationClose(cfg);
	ioh_stop();
}

static void test_driver_calls(void **state)
{
	WDFDRIVER drv;
	UNICODE_STRING name = us(L"Tuning");
	WDFSTRING s;
	UNICODE_STRING u;
	ULONG v = 0;
	WDFKEY key, key2;

	(void)state;
	ioh_start(NULL);
	drv = WdfGetDriver();
	assert_non_null(drv);

	assert_int_equal(WdfStringCreate(NULL, NULL, &s), STATUS_SUCCESS);
	assert_int_equal(WdfDriverRetrieveVersionString(drv, s), STATUS_SUCCESS);
	WdfStringGetUnicodeString(s, &u);
	assert_true(u.Length > 0);
	assert_non_null(wcsstr(u.Buffer, L"UMDF 2.33"));
	assert_int_equal(WdfDriverRetrieveVersionString(NULL, s), STATUS_INVALID_PARAMETER);
	WdfObjectDelete(s);

	/* The Parameters key opens empty and keeps what is written while it is open. */
	assert_int_equal(WdfDriverOpenParametersRegistryKey(drv, KEY_READ, NULL, &key),
			 STATUS_SUCCESS);
	assert_int_equal(WdfRegistryQueryULong(key, &name, &v), STATUS_OBJECT_NAME_NOT_FOUND);
	assert_int_equal(WdfRegistryAssignULong(key, &name, 9), STATUS_SUCCESS);
	assert_int_equal(WdfRegistryQueryULong(key, &name, &v), STATUS_SUCCESS);
	assert_int_equal(v, 9);
	/* A subkey of it stays usable after the Parameters key is closed. */
	name = us(L"Sub");
	assert_int_equal(WdfRegistryOpenKey(key, &name, KEY_READ, NULL, &key2), STATUS_SUCCESS);
	WdfRegistryClose(key2);
	WdfRegistryClose(key);

	assert_null(WdfDriverGetRegistryPath(NULL));
	WdfVerifierDbgBreakPoint(); /* no debugger: returns */
	ioh_stop();
}

static NTSTATUS create_txq(NETADAPTER a, NETTXQUEUE_INIT *i)
{
	(void)a;
	(void)i;
	return STATUS_SUCCESS;
}

static NTSTATUS create_rxq(NETADAPTER a, NETRXQUEUE_INIT *i)
{
	(void)a;
	(void)i;
	return STATUS_SUCCESS;
}

static struct {
	bool recorded_before;
	unsigned bits_after_tx, bits_after_bad_gso, bits_after_gso, bits_after_start;
	bool size_logged;
} off;

static NTSTATUS fake_adapter_start(struct umn_device *dev, const struct umn_adapter_caps *caps,
				   char *text, size_t cap)
{
	(void)dev;
	(void)caps;
	(void)text;
	(void)cap;
	return STATUS_SUCCESS;
}

static const struct umn_rt_ops fake_rt_ops = { .adapter_start = fake_adapter_start };

/* EvtDriverDeviceAdd of an adapter that advertises offloads before NetAdapterStart. */
static void adapter_hook(WDFDEVICE dev)
{
	NET_ADAPTER_OFFLOAD_TX_CHECKSUM_CAPABILITIES tx;
	NET_ADAPTER_OFFLOAD_GSO_CAPABILITIES gso;
	NET_ADAPTER_DATAPATH_CALLBACKS dp;
	NET_ADAPTER_TX_CAPABILITIES txc;
	NET_ADAPTER_RX_CAPABILITIES rxc;
	NET_ADAPTER_LINK_LAYER_CAPABILITIES link;
	NETADAPTER_INIT *init = NetAdapterInitAllocate(dev);
	struct umn_adapter *a;
	NETADAPTER adapter;

	assert_non_null(init);
	NET_ADAPTER_DATAPATH_CALLBACKS_INIT(&dp, create_txq, create_rxq);
	NetAdapterInitSetDatapathCallbacks(init, &dp);
	assert_int_equal(NetAdapterCreate(init, NULL, &adapter), STATUS_SUCCESS);
	NetAdapterInitFree(init);
	a = (struct umn_adapter *)umn_object_from_handle(adapter, UMN_OBJ_ADAPTER);
	assert_non_null(a);
	off.recorded_before = umn_offload_recorded(a, &off.bits_after_tx);

	NET_ADAPTER_OFFLOAD_TX_CHECKSUM_CAPABILITIES_INIT(&tx, NetAdapterOffloadLayer3FlagIPv4NoOptions,
							 NULL);
	NetAdapterOffloadSetTxChecksumCapabilities(adapter, &tx);
	umn_offload_recorded(a, &off.bits_after_tx);
	/* A wrong Size is a verifier violation and records nothing. */
	NET_ADAPTER_OFFLOAD_GSO_CAPABILITIES_INIT(&gso, NetAdapterOffloadLayer3FlagIPv4NoOptions,
						  NetAdapterOffloadLayer4FlagTcpNoOptions, 65536, 2,
						  NULL);
	gso.Size = 4;
	NetAdapterOffloadSetGsoCapabilities(adapter, &gso);
	off.size_logged = ioh_log_has("StructureSize");
	umn_offload_recorded(a, &off.bits_after_bad_gso);
	gso.Size = sizeof(gso);
	NetAdapterOffloadSetGsoCapabilities(adapter, &gso);
	umn_offload_recorded(a, &off.bits_after_gso);

	NET_ADAPTER_TX_CAPABILITIES_INIT(&txc, 1);
	NET_ADAPTER_RX_CAPABILITIES_INIT_SYSTEM_MANAGED(&rxc, 1514, 1);
	NetAdapterSetDataPathCapabilities(adapter, &txc, &rxc);
	NET_ADAPTER_LINK_LAYER_CAPABILITIES_INIT(&link, 1000000000, 1000000000);
	NetAdapterSetLinkLayerCapabilities(adapter, &link);
	NetAdapterSetLinkLayerMtuSize(adapter, 1500);
	assert_int_equal(NetAdapterStart(adapter), STATUS_SUCCESS);
	/* After the start, capabilities can no longer change. */
	NetAdapterOffloadSetRscCapabilities(adapter, NULL);
	{
		NET_ADAPTER_OFFLOAD_RSC_CAPABILITIES rsc;

		NET_ADAPTER_OFFLOAD_RSC_CAPABILITIES_INIT(&rsc, NetAdapterOffloadLayer3FlagIPv4NoOptions,
							  NetAdapterOffloadLayer4FlagTcpNoOptions,
							  NULL);
		NetAdapterOffloadSetRscCapabilities(adapter, &rsc);
	}
	umn_offload_recorded(a, &off.bits_after_start);
}

static void test_offload_minimal(void **state)
{
	(void)state;
	umn_rt.ops = &fake_rt_ops;
	ioh_start(adapter_hook);
	assert_false(off.recorded_before);
	assert_int_equal(off.bits_after_tx, 1);
	assert_true(off.size_logged);
	assert_int_equal(off.bits_after_bad_gso, 1);
	assert_int_equal(off.bits_after_gso, 1 | 4);
	assert_int_equal(off.bits_after_start, 1 | 4);
	assert_true(ioh_log_has("called after NetAdapterStart"));

	/* umnic enables no hardware offload yet. */
	assert_false(NetOffloadIsTxChecksumIPv4Enabled(NULL));
	assert_false(NetOffloadIsLsoIPv4Enabled(NULL));
	assert_false(NetOffloadIsUdpRscEnabled(NULL));
	ioh_stop();
	umn_rt.ops = NULL;
}

static void test_power_policy_and_wmi(void **state)
{
	WDF_DEVICE_POWER_POLICY_IDLE_SETTINGS idle;
	WDF_DEVICE_POWER_POLICY_WAKE_SETTINGS wake;
	WDF_DEVICE_STATE ds;
	WDF_WMI_PROVIDER_CONFIG pc;
	WDF_WMI_INSTANCE_CONFIG ic;
	WDFWMIINSTANCE inst;
	struct umn_device *dev;
	static const GUID g = { 1, 2, 3, { 4, 5, 6, 7, 8, 9, 10, 11 } };

	(void)state;
	ioh_start(NULL);
	dev = (struct umn_device *)umn_object_from_handle(ioh_device, UMN_OBJ_DEVICE);
	WDF_DEVICE_POWER_POLICY_IDLE_SETTINGS_INIT(&idle, IdleCannotWakeFromS0);
	idle.IdleTimeout = 1234;
	assert_int_equal(WdfDeviceAssignS0IdleSettings(ioh_device, &idle), STATUS_SUCCESS);
	assert_true(dev->power.idle_set);
	assert_int_equal(dev->power.idle.IdleTimeout, 1234);
	idle.Size = 8;
	assert_int_equal(WdfDeviceAssignS0IdleSettings(ioh_device, &idle), STATUS_INFO_LENGTH_MISMATCH);
	WDF_DEVICE_POWER_POLICY_IDLE_SETTINGS_INIT(&idle, IdleUsbSelectiveSuspend);
	assert_int_equal(WdfDeviceAssignS0IdleSettings(ioh_device, &idle), STATUS_POWER_STATE_INVALID);
	WDF_DEVICE_POWER_POLICY_WAKE_SETTINGS_INIT(&wake);
	wake.DxState = PowerDeviceD0;
	assert_int_equal(WdfDeviceAssignSxWakeSettings(ioh_device, &wake), STATUS_INVALID_PARAMETER);
	wake.DxState = PowerDeviceD3;
	assert_int_equal(WdfDeviceAssignSxWakeSettings(ioh_device, &wake), STATUS_SUCCESS);
	assert_true(dev->power.wake_set);

	/* Power references only count; an unmatched resume is reported. */
	assert_int_equal(WdfDeviceStopIdle(ioh_device, TRUE), STATUS_SUCCESS);
	WdfDeviceResumeIdle(ioh_device);
	WdfDeviceResumeIdle(ioh_device);
	assert_true(ioh_log_has("without a matching WdfDeviceStopIdle"));
	assert_int_equal(dev->power.idle_refs, 0);

	WDF_DEVICE_STATE_INIT(&ds);
	ds.DontDisplayInUI = WdfTrue;
	WdfDeviceSetDeviceState(ioh_device, &ds);
	WDF_DEVICE_STATE_INIT(&ds);
	WdfDeviceGetDeviceState(ioh_device, &ds);
	assert_int_equal(ds.DontDisplayInUI, WdfTrue);
	assert_non_null(WdfGetTriageInfo());

	/* WMI: an instance with its own provider, registered, firing into the void. */
	WDF_WMI_PROVIDER_CONFIG_INIT(&pc, &g);
	WDF_WMI_INSTANCE_CONFIG_INIT_PROVIDER_CONFIG(&ic, &pc);
	ic.Register = TRUE;
	assert_int_equal(WdfWmiInstanceCreate(ioh_device, &ic, NULL, &inst), STATUS_SUCCESS);
	assert_ptr_equal(WdfWmiInstanceGetDevice(inst), ioh_device);
	assert_false(WdfWmiProviderIsEnabled(WdfWmiInstanceGetProvider(inst), WdfWmiEventControl));
	assert_int_equal(WdfWmiInstanceFireEvent(inst, 0, NULL), STATUS_SUCCESS);
	ioh_stop();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registry_strings),
		cmocka_unit_test(test_net_configuration),
		cmocka_unit_test(test_driver_calls),
		cmocka_unit_test(test_offload_minimal),
		cmocka_unit_test(test_power_policy_and_wmi),
	};

	return cmocka_run_group_tests(tests, ioh_group_setup, NULL);
}
