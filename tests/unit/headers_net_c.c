/* SPDX-License-Identifier: MIT */
/* The NetAdapterCx headers compiled as C11: layouts, _INIT defaults, iterators. */
#include "headers_net_common.h"

/* Every public header on its own, to catch a missing include in any of them. */
#include <netdevice.h>
#include <netconfiguration.h>
#include <net/checksumtypes.h>
#include <net/gsotypes.h>
#include <net/rsctypes.h>
#include <net/packethashtypes.h>
#include <net/ieee8021qtypes.h>
#include <net/virtualaddresstypes.h>
#include <net/logicaladdresstypes.h>
#include <net/returncontexttypes.h>
#include <net/mdl.h>

/* A user-mode build keeps the KMDF-only helpers and enumerators out of sight. */
#ifdef NET_ADAPTER_TX_CAPABILITIES_INIT_FOR_DMA
#error "macro form of a KMDF-only helper leaked into a user-mode build"
#endif
#ifdef NET_FRAGMENT_EXTENSION_MDL_NAME
#error "ms_fragment_mdl is KMDF-only"
#endif

int main(void)
{
	/* The flag enums combine with | and compare like plain integers in C. */
	NET_PACKET_FILTER_FLAGS f = NetPacketFilterFlagDirected | NetPacketFilterFlagPromiscuous;

	CHECK(f == 0x21);
	return run_all_tests("headers_net_c");
}
