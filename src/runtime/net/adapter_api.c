/* SPDX-License-Identifier: MIT */
/*
 * NetAdapterCx adapter entry points: check arguments and resolve handles,
 * then hand over to adapter.c. Capability setters return nothing on Windows,
 * so a rule they break is remembered and makes NetAdapterStart fail.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "runtime/rt.h"
#include "runtime/wdf/verifier.h"

static struct umn_adapter *adapter_from(NETADAPTER h, const char *fn)
{
	struct umn_object *o = umn_object_from_handle(h, UMN_OBJ_ADAPTER);

	if (!o)
		umn_log(UMN_LOG_ERR, "%s: %p is not a NETADAPTER handle", fn, (void *)h);
	return (struct umn_adapter *)o;
}

NTSTATUS NetDeviceInitConfig(PWDFDEVICE_INIT DeviceInit)
{
	if (!DeviceInit)
		return STATUS_INVALID_PARAMETER;
	DeviceInit->net_configured = true;
	return STATUS_SUCCESS;
}

NETADAPTER_INIT *NetAdapterInitAllocate(WDFDEVICE Device)
{
	struct umn_device *dev =
	    (struct umn_device *)umn_object_from_handle(Device, UMN_OBJ_DEVICE);
	NETADAPTER_INIT *init;

	if (!dev) {
		umn_log(UMN_LOG_ERR, "NetAdapterInitAllocate: %p is not a WDFDEVICE",
			(void *)Device);
		return NULL;
	}
	init = calloc(1, sizeof(*init));
	if (init)
		init->device = dev;
	return init;
}

void NetAdapterInitFree(NETADAPTER_INIT *AdapterInit)
{
	free(AdapterInit);
}

void NetAdapterInitSetDatapathCallbacks(NETADAPTER_INIT *AdapterInit,
					const NET_ADAPTER_DATAPATH_CALLBACKS *DatapathCallbacks)
{
	if (!AdapterInit || !DatapathCallbacks)
		return;
	if (DatapathCallbacks->Size != sizeof(*DatapathCallbacks)) {
		umn_verifier_violation(AdapterInit->device, UMN_RULE_CAPS_SIZE,
				       STATUS_INVALID_PARAMETER,
				       "NET_ADAPTER_DATAPATH_CALLBACKS.Size is %u, expected %zu",
				       DatapathCallbacks->Size, sizeof(*DatapathCallbacks));
		return;
	}
	AdapterInit->datapath = *DatapathCallbacks;
	AdapterInit->datapath_set = true;
}

static void adapter_on_delete(struct umn_object *o)
{
	struct umn_adapter *a = (struct umn_adapter *)o;

	umn_adapter_stop(a);
	if (a->device && a->device->adapter == a)
		a->device->adapter = NULL;
}

static const struct umn_object_ops adapter_ops = {.on_delete = adapter_on_delete};

NTSTATUS NetAdapterCreate(NETADAPTER_INIT *AdapterInit, PWDF_OBJECT_ATTRIBUTES AdapterAttributes,
			  NETADAPTER *Adapter)
{
	struct umn_object *o;
	struct umn_adapter *a;
	NTSTATUS st;

	if (!AdapterInit || !Adapter)
		return STATUS_INVALID_PARAMETER;
	if (AdapterInit->used)
		return umn_verifier_violation(
		    AdapterInit->device, UMN_RULE_INIT_ORDER, STATUS_INVALID_DEVICE_STATE,
		    "NetAdapterCreate called twice with the same NETADAPTER_INIT");
	if (AdapterInit->device->adapter)
		return umn_verifier_violation(
		    AdapterInit->device, UMN_RULE_INIT_ORDER, STATUS_NOT_SUPPORTED,
		    "this device already has an adapter (one per device)");
	if (!AdapterInit->datapath_set)
		return umn_verifier_violation(
		    AdapterInit->device, UMN_RULE_INIT_ORDER, STATUS_INVALID_PARAMETER,
		    "NetAdapterCreate needs NetAdapterInitSetDatapathCallbacks first");
	st = umn_object_create(UMN_OBJ_ADAPTER, sizeof(*a), AdapterAttributes,
			       &AdapterInit->device->obj, &adapter_ops, &o);
	if (!NT_SUCCESS(st))
		return st;
	a = (struct umn_adapter *)o;
	a->device = AdapterInit->device;
	a->datapath = AdapterInit->datapath;
	AdapterInit->used = true;
	a->device->adapter = a;
	*Adapter = (NETADAPTER)umn_object_handle(o);
	return STATUS_SUCCESS;
}

void NetAdapterSetDataPathCapabilities(NETADAPTER Adapter,
				       const NET_ADAPTER_TX_CAPABILITIES *TxCapabilities,
				       const NET_ADAPTER_RX_CAPABILITIES *RxCapabilities)
{
	struct umn_adapter *a = adapter_from(Adapter, "NetAdapterSetDataPathCapabilities");
	NTSTATUS st = STATUS_SUCCESS;
	enum umn_rule rule = UMN_RULE__COUNT;
	char why[UMN_RULE_TEXT] = "";

	if (!a || !TxCapabilities || !RxCapabilities)
		return;
	if (TxCapabilities->Size != sizeof(*TxCapabilities) ||
	    RxCapabilities->Size != sizeof(*RxCapabilities)) {
		rule = UMN_RULE_CAPS_SIZE;
		snprintf(why, sizeof(why), "TX/RX capabilities Size %u/%u, expected %zu/%zu",
			 TxCapabilities->Size, RxCapabilities->Size, sizeof(*TxCapabilities),
			 sizeof(*RxCapabilities));
	} else if (umn_rt.user_mode) {
		if (TxCapabilities->DmaCapabilities) {
			rule = UMN_RULE_UM_TX_DMA;
			snprintf(why, sizeof(why),
				 "DmaCapabilities must be NULL for a user-mode driver (TX "
				 "capabilities)");
		} else if (RxCapabilities->AllocationMode !=
			   NetRxFragmentBufferAllocationModeSystem) {
			rule = UMN_RULE_UM_RX_ALLOCATION;
			snprintf(
			    why, sizeof(why),
			    "RX AllocationMode must be NetRxFragmentBufferAllocationModeSystem for "
			    "a user-mode driver (got %d)",
			    (int)RxCapabilities->AllocationMode);
		} else if (RxCapabilities->AttachmentMode !=
			   NetRxFragmentBufferAttachmentModeSystem) {
			rule = UMN_RULE_UM_RX_ATTACHMENT;
			snprintf(
			    why, sizeof(why),
			    "RX AttachmentMode must be NetRxFragmentBufferAttachmentModeSystem for "
			    "a user-mode driver (got %d)",
			    (int)RxCapabilities->AttachmentMode);
		} else if (RxCapabilities->DmaCapabilities) {
			rule = UMN_RULE_UM_RX_DMA;
			snprintf(why, sizeof(why),
				 "DmaCapabilities must be NULL for a user-mode driver (RX "
				 "capabilities)");
		} else if (TxCapabilities->MappingRequirement != NetMemoryMappingRequirementNone) {
			rule = UMN_RULE_UM_TX_MAPPING;
			snprintf(why, sizeof(why),
				 "TX MappingRequirement must be NetMemoryMappingRequirementNone "
				 "for a user-mode driver");
		} else if (RxCapabilities->MappingRequirement != NetMemoryMappingRequirementNone) {
			rule = UMN_RULE_UM_RX_MAPPING;
			snprintf(why, sizeof(why),
				 "RX MappingRequirement must be NetMemoryMappingRequirementNone "
				 "for a user-mode driver");
		}
	}
	if (rule != UMN_RULE__COUNT) {
		st = umn_verifier_violation(a->device, rule, STATUS_NOT_SUPPORTED, "%s", why);
		if (!a->caps_violation) {
			a->caps_violation = st;
			umn_verifier_format(a->caps_violation_text, sizeof(a->caps_violation_text),
					    rule, "%s", why);
		}
		return;
	}
	a->tx_caps = *TxCapabilities;
	a->rx_caps = *RxCapabilities;
	a->datapath_caps_set = true;
}

void NetAdapterSetLinkLayerCapabilities(
    NETADAPTER Adapter, const NET_ADAPTER_LINK_LAYER_CAPABILITIES *LinkLayerCapabilities)
{
	struct umn_adapter *a = adapter_from(Adapter, "NetAdapterSetLinkLayerCapabilities");

	if (!a || !LinkLayerCapabilities)
		return;
	if (LinkLayerCapabilities->Size != sizeof(*LinkLayerCapabilities)) {
		umn_verifier_violation(a->device, UMN_RULE_CAPS_SIZE, STATUS_INVALID_PARAMETER,
				       "NET_ADAPTER_LINK_LAYER_CAPABILITIES.Size is %u",
				       LinkLayerCapabilities->Size);
		return;
	}
	a->link_caps = *LinkLayerCapabilities;
	a->link_caps_set = true;
}

void NetAdapterSetLinkLayerMtuSize(NETADAPTER Adapter, ULONG MtuSize)
{
	struct umn_adapter *a = adapter_from(Adapter, "NetAdapterSetLinkLayerMtuSize");

	if (!a)
		return;
	if (MtuSize < 68 || MtuSize > 65535) {
		umn_log(UMN_LOG_ERR, "NetAdapterSetLinkLayerMtuSize: MTU %u is outside 68..65535",
			MtuSize);
		return;
	}
	a->mtu = MtuSize;
	a->mtu_set = true;
}

static bool address_ok(const NET_ADAPTER_LINK_LAYER_ADDRESS *addr)
{
	return addr && addr->Length <= sizeof(addr->Address);
}

void NetAdapterSetPermanentLinkLayerAddress(NETADAPTER Adapter,
					    const NET_ADAPTER_LINK_LAYER_ADDRESS *LinkLayerAddress)
{
	struct umn_adapter *a = adapter_from(Adapter, "NetAdapterSetPermanentLinkLayerAddress");

	if (a && address_ok(LinkLayerAddress))
		a->perm_addr = *LinkLayerAddress;
}

void NetAdapterSetCurrentLinkLayerAddress(NETADAPTER Adapter,
					  const NET_ADAPTER_LINK_LAYER_ADDRESS *LinkLayerAddress)
{
	struct umn_adapter *a = adapter_from(Adapter, "NetAdapterSetCurrentLinkLayerAddress");

	if (a && address_ok(LinkLayerAddress))
		a->cur_addr = *LinkLayerAddress;
}

void NetAdapterSetReceiveFilterCapabilities(
    NETADAPTER Adapter, const NET_ADAPTER_RECEIVE_FILTER_CAPABILITIES *Capabilities)
{
	struct umn_adapter *a = adapter_from(Adapter, "NetAdapterSetReceiveFilterCapabilities");

	if (!a || !Capabilities)
		return;
	a->filter_caps = *Capabilities;
	a->filter_caps_set = true;
}

void NetAdapterSetLinkState(NETADAPTER Adapter, const NET_ADAPTER_LINK_STATE *LinkState)
{
	struct umn_adapter *a = adapter_from(Adapter, "NetAdapterSetLinkState");
	struct umn_link_state m;

	if (!a || !LinkState || LinkState->Size != sizeof(*LinkState))
		return;
	a->link_state = *LinkState;
	a->link_state_set = true;
	if (!a->started)
		return;
	memset(&m, 0, sizeof(m));
	m.dev = a->device->id;
	m.media_state = (uint32_t)LinkState->MediaConnectState;
	m.tx_speed = LinkState->TxLinkSpeed;
	m.rx_speed = LinkState->RxLinkSpeed;
	m.duplex = (uint32_t)LinkState->MediaDuplexState;
	if (umn_rt.ops && umn_rt.ops->link_state)
		umn_rt.ops->link_state(a->device, &m);
}

NTSTATUS NetAdapterStart(NETADAPTER Adapter)
{
	struct umn_adapter *a = adapter_from(Adapter, "NetAdapterStart");

	if (!a)
		return STATUS_INVALID_PARAMETER;
	return umn_adapter_start(a);
}

void NetAdapterStop(NETADAPTER Adapter)
{
	struct umn_adapter *a = adapter_from(Adapter, "NetAdapterStop");

	if (a)
		umn_adapter_stop(a);
}

NET_LUID NetAdapterGetNetLuid(NETADAPTER Adapter)
{
	struct umn_adapter *a = adapter_from(Adapter, "NetAdapterGetNetLuid");
	NET_LUID luid;

	memset(&luid, 0, sizeof(luid));
	if (a) {
		luid.Info.NetLuidIndex = a->device->id;
		luid.Info.IfType = 6;
	}
	return luid;
}
