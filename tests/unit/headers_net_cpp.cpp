// SPDX-License-Identifier: MIT
// The NetAdapterCx headers compiled as C++17: the same checks as the C build,
// plus what only C++ drivers rely on (enum flag operators, extern "C" linkage).
#include "headers_net_common.h"

#include <type_traits>

static_assert(std::is_standard_layout<NET_ADAPTER_RX_CAPABILITIES>::value,
	      "capability structs stay plain C structs");
static_assert(std::is_trivially_copyable<NET_RING_PACKET_ITERATOR>::value,
	      "iterators are plain values");
static_assert(!std::is_same<NETADAPTER, NETOFFLOAD>::value, "handles are distinct types");
static_assert(!std::is_same<NETPACKETQUEUE, NETRECEIVEFILTER>::value, "handles are distinct types");

// Flag enumerators combine into the enum type, as C++ drivers write them.
static constexpr NET_PACKET_FILTER_FLAGS kFilters =
    NetPacketFilterFlagDirected | NetPacketFilterFlagMulticast | NetPacketFilterFlagPromiscuous;
static_assert(kFilters == 0x23, "NET_PACKET_FILTER_FLAGS operators");

// The exported functions have C linkage: the same symbol serves C and C++ drivers.
extern "C" NTSTATUS NetAdapterStart(NETADAPTER Adapter);

int main()
{
	NET_ADAPTER_AUTO_NEGOTIATION_FLAGS an = NetAdapterAutoNegotiationFlagNone;
	NET_ADAPTER_OFFLOAD_LAYER3_FLAGS l3 =
	    NetAdapterOffloadLayer3FlagIPv4NoOptions | NetAdapterOffloadLayer3FlagIPv6NoExtensions;
	NET_ADAPTER_RECEIVE_SCALING_PROTOCOL_TYPE proto = NetAdapterReceiveScalingProtocolTypeIPv4;

	an |= NetAdapterAutoNegotiationFlagXmitLinkSpeedAutoNegotiated |
	      NetAdapterAutoNegotiationFlagRcvLinkSpeedautoNegotiated;
	proto |= NetAdapterReceiveScalingProtocolTypeTcp;
	l3 &= ~NetAdapterOffloadLayer3FlagIPv4NoOptions;
	CHECK(an == 3);
	CHECK(proto == 0x11);
	CHECK(l3 == NetAdapterOffloadLayer3FlagIPv6NoExtensions);
	return run_all_tests("headers_net_cpp");
}
