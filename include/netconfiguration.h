/* SPDX-License-Identifier: MIT */
/*
 * NETCONFIGURATION: a key of the device registry, opened with
 * NetAdapterOpenConfiguration or NetDeviceOpenConfiguration. Values come
 * from the INF's HKR lines and from `umnic` device parameters. The queries
 * fail with STATUS_OBJECT_NAME_NOT_FOUND when the value is absent and
 * STATUS_OBJECT_TYPE_MISMATCH when it has another type; all run at
 * PASSIVE_LEVEL.
 */
#ifndef UMNIC_NETCONFIGURATION_H
#define UMNIC_NETCONFIGURATION_H

#include <netadaptercxtypes.h>
#include <netadapter.h>

UMNIC_EXTERN_C_BEGIN

typedef enum _NET_CONFIGURATION_QUERY_ULONG_FLAGS {
	NET_CONFIGURATION_QUERY_ULONG_NO_FLAGS = 0,
	/* Also accept a string value holding hexadecimal digits (INF files often store those). */
	NET_CONFIGURATION_QUERY_ULONG_MAY_BE_STORED_AS_HEX_STRING = 1,
} NET_CONFIGURATION_QUERY_ULONG_FLAGS;

void NetConfigurationClose(NETCONFIGURATION Configuration);

NTSTATUS NetConfigurationOpenSubConfiguration(NETCONFIGURATION Configuration,
					      PCUNICODE_STRING SubConfigurationName,
					      PWDF_OBJECT_ATTRIBUTES SubConfigurationAttributes,
					      NETCONFIGURATION *SubConfiguration);

NTSTATUS NetConfigurationQueryUlong(NETCONFIGURATION Configuration,
				    NET_CONFIGURATION_QUERY_ULONG_FLAGS Flags,
				    PCUNICODE_STRING ValueName, ULONG *Value);

/* Returns a new WDFSTRING, parented to the configuration unless the attributes say otherwise. */
NTSTATUS NetConfigurationQueryString(NETCONFIGURATION Configuration, PCUNICODE_STRING ValueName,
				     PWDF_OBJECT_ATTRIBUTES StringAttributes, WDFSTRING *WdfString);

/* Appends one WDFSTRING per element to Collection. */
NTSTATUS NetConfigurationQueryMultiString(NETCONFIGURATION Configuration,
					  PCUNICODE_STRING ValueName,
					  PWDF_OBJECT_ATTRIBUTES StringsAttributes,
					  WDFCOLLECTION Collection);

NTSTATUS NetConfigurationQueryBinary(NETCONFIGURATION Configuration, PCUNICODE_STRING ValueName,
				     POOL_TYPE PoolType, PWDF_OBJECT_ATTRIBUTES MemoryAttributes,
				     WDFMEMORY *WdfMemory);

/*
 * Reads the administrator's override of the MAC address (the
 * "NetworkAddress" value, a string of hex digits). STATUS_NOT_FOUND when
 * unset or malformed.
 */
NTSTATUS NetConfigurationQueryLinkLayerAddress(NETCONFIGURATION Configuration,
					       NET_ADAPTER_LINK_LAYER_ADDRESS *LinkLayerAddress);

NTSTATUS NetConfigurationAssignUlong(NETCONFIGURATION Configuration, PCUNICODE_STRING ValueName,
				     ULONG Value);

NTSTATUS NetConfigurationAssignUnicodeString(NETCONFIGURATION Configuration,
					     PCUNICODE_STRING ValueName, PCUNICODE_STRING Value);

NTSTATUS NetConfigurationAssignMultiString(NETCONFIGURATION Configuration,
					   PCUNICODE_STRING ValueName,
					   WDFCOLLECTION StringsCollection);

NTSTATUS NetConfigurationAssignBinary(NETCONFIGURATION Configuration, PCUNICODE_STRING ValueName,
				      void const *Buffer, ULONG BufferLength);

UMNIC_EXTERN_C_END

#endif
