/* SPDX-License-Identifier: MIT */
/*
 * Handle types and small value types shared by every NetAdapterCx header.
 *
 * Handles are pointers to distinct incomplete structs, like the WDF ones, so
 * a NETOFFLOAD passed where a NETADAPTER is expected fails to compile. The
 * *_INIT types are opaque: the framework hands them to the driver and takes
 * them back, the driver never looks inside.
 */
#ifndef UMNIC_NETADAPTERCXTYPES_H
#define UMNIC_NETADAPTERCXTYPES_H

#include <ntdef.h>
#include <ntstatus.h>
#include <wdftypes.h>

/*
 * C++ drivers combine flag enumerators with | and store the result in the
 * enum type, which C++ only allows through overloaded operators. This
 * belongs with the basic types; it is guarded so that a later definition
 * there (or in the WDF headers) takes precedence without a clash.
 */
#ifndef DEFINE_ENUM_FLAG_OPERATORS
#ifdef __cplusplus
#define DEFINE_ENUM_FLAG_OPERATORS(T)                                                              \
	extern "C++" {                                                                             \
	inline constexpr T operator|(T a, T b)                                                     \
	{                                                                                          \
		return T(((__underlying_type(T))a) | ((__underlying_type(T))b));                   \
	}                                                                                          \
	inline constexpr T operator&(T a, T b)                                                     \
	{                                                                                          \
		return T(((__underlying_type(T))a) & ((__underlying_type(T))b));                   \
	}                                                                                          \
	inline constexpr T operator^(T a, T b)                                                     \
	{                                                                                          \
		return T(((__underlying_type(T))a) ^ ((__underlying_type(T))b));                   \
	}                                                                                          \
	inline T operator~(T a)                                                                    \
	{                                                                                          \
		return T(~((__underlying_type(T))a));                                              \
	}                                                                                          \
	inline T &operator|=(T &a, T b)                                                            \
	{                                                                                          \
		return a = a | b;                                                                  \
	}                                                                                          \
	inline T &operator&=(T &a, T b)                                                            \
	{                                                                                          \
		return a = a & b;                                                                  \
	}                                                                                          \
	inline T &operator^=(T &a, T b)                                                            \
	{                                                                                          \
		return a = a ^ b;                                                                  \
	}                                                                                          \
	}
#else
#define DEFINE_ENUM_FLAG_OPERATORS(T)
#endif
#endif

UMNIC_EXTERN_C_BEGIN

WDF_DECLARE_HANDLE(NETADAPTER);
WDF_DECLARE_HANDLE(NETCONFIGURATION);
WDF_DECLARE_HANDLE(NETOFFLOAD);
WDF_DECLARE_HANDLE(NETPACKETQUEUE);
WDF_DECLARE_HANDLE(NETRECEIVEFILTER);
WDF_DECLARE_HANDLE(NETWAKESOURCE);
WDF_DECLARE_HANDLE(NETPOWEROFFLOAD);
WDF_DECLARE_HANDLE(NETEXECUTIONCONTEXT);

typedef struct _NETADAPTER_INIT NETADAPTER_INIT;
typedef struct _NETTXQUEUE_INIT NETTXQUEUE_INIT;
typedef struct _NETRXQUEUE_INIT NETRXQUEUE_INIT;

/*
 * Locally unique interface identifier. On Linux umnicd derives it from the
 * TAP interface: NetLuidIndex is the ifindex and IfType the IANA type
 * (6, ethernetCsmacd, for Ethernet adapters).
 */
typedef union _NET_LUID_LH {
	ULONG64 Value;
	struct {
		ULONG64 Reserved : 24;
		ULONG64 NetLuidIndex : 24;
		ULONG64 IfType : 16;
	} Info;
} NET_LUID_LH, *PNET_LUID_LH;

typedef NET_LUID_LH NET_LUID, *PNET_LUID;

UMNIC_STATIC_ASSERT(sizeof(NET_LUID) == 8, "NET_LUID is 8 bytes");

/* A 48-bit IEEE MAC address, in wire order. */
typedef union _NET_EUI48_ADDRESS {
	UINT8 Value[6];
} NET_EUI48_ADDRESS;

UMNIC_STATIC_ASSERT(sizeof(NET_EUI48_ADDRESS) == 6, "NET_EUI48_ADDRESS is 6 bytes");

UMNIC_EXTERN_C_END

#endif
