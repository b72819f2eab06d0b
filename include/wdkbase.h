/* SPDX-License-Identifier: MIT */
/*
 * The helpers Windows gives every driver through <wdm.h> and <winnt.h>, in
 * both modes: memory macros, page arithmetic, interlocked operations and
 * barriers, byte swaps, debug output and assertions, list heads. Included by
 * <ntdef.h>, so <wdf.h>, <windows.h> and <ntddk.h> all bring it.
 *
 * Interlocked operations are full barriers, as on Windows; the NoFence,
 * Acquire and Release variants use the matching C11 orders.
 */
#ifndef UMNIC_WDKBASE_H
#define UMNIC_WDKBASE_H

#include <ntdef.h>
#include <string.h>

UMNIC_EXTERN_C_BEGIN

#ifndef DBG
#define DBG 0
#endif

/* ---- Memory ------------------------------------------------------------------------------- */

#define RtlCopyMemory(d, s, n) memcpy((d), (s), (n))
#define RtlMoveMemory(d, s, n) memmove((d), (s), (n))
#define RtlFillMemory(d, n, v) memset((d), (v), (n))
#define RtlZeroMemory(d, n) memset((d), 0, (n))
#define RtlSecureZeroMemory(d, n) RtlZeroMemory((d), (n))
#define RtlEqualMemory(a, b, n) (memcmp((a), (b), (n)) == 0)
#define CopyMemory RtlCopyMemory
#define MoveMemory RtlMoveMemory
#define FillMemory RtlFillMemory
#define ZeroMemory RtlZeroMemory
#define SecureZeroMemory RtlSecureZeroMemory

/* Number of leading bytes that are equal. */
FORCEINLINE SIZE_T RtlCompareMemory(const VOID *Source1, const VOID *Source2, SIZE_T Length)
{
	const UCHAR *a = (const UCHAR *)Source1, *b = (const UCHAR *)Source2;
	SIZE_T i = 0;

	while (i < Length && a[i] == b[i])
		i++;
	return i;
}

#define PAGE_SIZE 0x1000
#define PAGE_SHIFT 12L
#define BYTE_OFFSET(va) ((ULONG)((LONG_PTR)(va) & (PAGE_SIZE - 1)))
#define PAGE_ALIGN(va) ((PVOID)((ULONG_PTR)(va) & ~(PAGE_SIZE - 1)))
#define ROUND_TO_PAGES(n) (((ULONG_PTR)(n) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1))
#define BYTES_TO_PAGES(n) (((n) >> PAGE_SHIFT) + (((n) & (PAGE_SIZE - 1)) != 0))
#define ADDRESS_AND_SIZE_TO_SPAN_PAGES(va, size) \
	((BYTE_OFFSET(va) + ((SIZE_T)(size)) + (PAGE_SIZE - 1)) >> PAGE_SHIFT)
/* Alignment must be a power of two. */
#define ALIGN_DOWN_BY(length, alignment) ((ULONG_PTR)(length) & ~((ULONG_PTR)(alignment) - 1))
#define ALIGN_UP_BY(length, alignment) \
	(ALIGN_DOWN_BY(((ULONG_PTR)(length) + (alignment) - 1), (alignment)))
#define ALIGN_DOWN_POINTER_BY(p, alignment) ((PVOID)ALIGN_DOWN_BY((p), (alignment)))
#define ALIGN_UP_POINTER_BY(p, alignment) ((PVOID)ALIGN_UP_BY((p), (alignment)))
#define ALIGN_DOWN(length, type) ALIGN_DOWN_BY((length), sizeof(type))
#define ALIGN_UP(length, type) ALIGN_UP_BY((length), sizeof(type))
#define TYPE_ALIGNMENT(t) __alignof__(t)
#define RTL_BITS_OF(t) (sizeof(t) * 8)
#define RTL_NUMBER_OF_V1(a) ARRAYSIZE(a)
#define RTL_NUMBER_OF_V2(a) ARRAYSIZE(a)
#define RTL_SIZEOF_THROUGH_FIELD(t, f) (FIELD_OFFSET(t, f) + RTL_FIELD_SIZE(t, f))
#define FlagOn(flags, bit) ((flags) & (bit))
#define BooleanFlagOn(flags, bit) ((BOOLEAN)(((flags) & (bit)) != 0))
#define SetFlag(flags, bit) ((flags) |= (bit))
#define ClearFlag(flags, bit) ((flags) &= ~(bit))
#define DBG_UNREFERENCED_PARAMETER(p) ((void)(p))
#define DBG_UNREFERENCED_LOCAL_VARIABLE(v) ((void)(v))
#define UNREFERENCED_LOCAL_VARIABLE(v) ((void)(v))

/* min and max as the WDK defines them for C; C++ code uses std::min and std::max. */
#if !defined(__cplusplus) && !defined(NOMINMAX)
#ifndef min
#define min(a, b) (((a) < (b)) ? (a) : (b))
#endif
#ifndef max
#define max(a, b) (((a) > (b)) ? (a) : (b))
#endif
#endif

/* ---- Interlocked operations and barriers ------------------------------------------------- */

#define UMNIC_SEQ __ATOMIC_SEQ_CST

#define InterlockedIncrement(p) __atomic_add_fetch((p), 1, UMNIC_SEQ)
#define InterlockedDecrement(p) __atomic_sub_fetch((p), 1, UMNIC_SEQ)
#define InterlockedIncrement16 InterlockedIncrement
#define InterlockedDecrement16 InterlockedDecrement
#define InterlockedIncrement64 InterlockedIncrement
#define InterlockedDecrement64 InterlockedDecrement
#define InterlockedIncrementNoFence(p) __atomic_add_fetch((p), 1, __ATOMIC_RELAXED)
#define InterlockedDecrementNoFence(p) __atomic_sub_fetch((p), 1, __ATOMIC_RELAXED)
#define InterlockedIncrementAcquire(p) __atomic_add_fetch((p), 1, __ATOMIC_ACQUIRE)
#define InterlockedDecrementRelease(p) __atomic_sub_fetch((p), 1, __ATOMIC_RELEASE)
#define InterlockedIncrementNoFence64 InterlockedIncrementNoFence
#define InterlockedDecrementNoFence64 InterlockedDecrementNoFence
#define InterlockedExchange(p, v) __atomic_exchange_n((p), (v), UMNIC_SEQ)
#define InterlockedExchange8 InterlockedExchange
#define InterlockedExchange16 InterlockedExchange
#define InterlockedExchange64 InterlockedExchange
#define InterlockedExchangeNoFence(p, v) __atomic_exchange_n((p), (v), __ATOMIC_RELAXED)
#define InterlockedExchangeAcquire(p, v) __atomic_exchange_n((p), (v), __ATOMIC_ACQUIRE)
#define InterlockedExchangeAdd(p, v) __atomic_fetch_add((p), (v), UMNIC_SEQ)
#define InterlockedExchangeAdd64 InterlockedExchangeAdd
#define InterlockedExchangeAddNoFence(p, v) __atomic_fetch_add((p), (v), __ATOMIC_RELAXED)
#define InterlockedExchangeAddNoFence64 InterlockedExchangeAddNoFence
#define InterlockedAdd(p, v) __atomic_add_fetch((p), (v), UMNIC_SEQ)
#define InterlockedAdd64 InterlockedAdd
#define InterlockedAddNoFence(p, v) __atomic_add_fetch((p), (v), __ATOMIC_RELAXED)
#define InterlockedAddNoFence64 InterlockedAddNoFence
#define InterlockedOr(p, v) __atomic_fetch_or((p), (v), UMNIC_SEQ)
#define InterlockedOr8 InterlockedOr
#define InterlockedOr16 InterlockedOr
#define InterlockedOr64 InterlockedOr
#define InterlockedOrNoFence(p, v) __atomic_fetch_or((p), (v), __ATOMIC_RELAXED)
#define InterlockedAnd(p, v) __atomic_fetch_and((p), (v), UMNIC_SEQ)
#define InterlockedAnd8 InterlockedAnd
#define InterlockedAnd16 InterlockedAnd
#define InterlockedAnd64 InterlockedAnd
#define InterlockedAndNoFence(p, v) __atomic_fetch_and((p), (v), __ATOMIC_RELAXED)
#define InterlockedXor(p, v) __atomic_fetch_xor((p), (v), UMNIC_SEQ)
#define InterlockedXor8 InterlockedXor
#define InterlockedXor16 InterlockedXor
#define InterlockedXor64 InterlockedXor

/* Returns the value *Destination held before; stores Exchange only if it equalled Comperand. */
#define UMNIC_CMPXCHG(p, x, c, order)                                                   \
	__extension__({                                                                 \
		__typeof__(*(p)) umnic_expected_ = (c);                                 \
		__atomic_compare_exchange_n((p), &umnic_expected_, (x), 0, (order),     \
					    __ATOMIC_RELAXED);                          \
		umnic_expected_;                                                        \
	})
#define InterlockedCompareExchange(p, x, c) UMNIC_CMPXCHG((p), (x), (c), UMNIC_SEQ)
#define InterlockedCompareExchange16 InterlockedCompareExchange
#define InterlockedCompareExchange64 InterlockedCompareExchange
#define InterlockedCompareExchangeNoFence(p, x, c) UMNIC_CMPXCHG((p), (x), (c), __ATOMIC_RELAXED)
#define InterlockedCompareExchangeAcquire(p, x, c) UMNIC_CMPXCHG((p), (x), (c), __ATOMIC_ACQUIRE)
#define InterlockedCompareExchangeRelease(p, x, c) UMNIC_CMPXCHG((p), (x), (c), __ATOMIC_RELEASE)

FORCEINLINE PVOID InterlockedExchangePointer(PVOID volatile *Target, PVOID Value)
{
	return __atomic_exchange_n(Target, Value, UMNIC_SEQ);
}

FORCEINLINE PVOID InterlockedCompareExchangePointer(PVOID volatile *Destination, PVOID Exchange,
						    PVOID Comperand)
{
	__atomic_compare_exchange_n(Destination, &Comperand, Exchange, 0, UMNIC_SEQ,
				    __ATOMIC_RELAXED);
	return Comperand;
}

FORCEINLINE PVOID InterlockedExchangePointerNoFence(PVOID volatile *Target, PVOID Value)
{
	return __atomic_exchange_n(Target, Value, __ATOMIC_RELAXED);
}

FORCEINLINE PVOID InterlockedCompareExchangePointerAcquire(PVOID volatile *Destination,
							   PVOID Exchange, PVOID Comperand)
{
	__atomic_compare_exchange_n(Destination, &Comperand, Exchange, 0, __ATOMIC_ACQUIRE,
				    __ATOMIC_RELAXED);
	return Comperand;
}

FORCEINLINE PVOID InterlockedCompareExchangePointerRelease(PVOID volatile *Destination,
							   PVOID Exchange, PVOID Comperand)
{
	__atomic_compare_exchange_n(Destination, &Comperand, Exchange, 0, __ATOMIC_RELEASE,
				    __ATOMIC_RELAXED);
	return Comperand;
}

/* Single-copy-atomic loads and stores with the named ordering. */
#define UMNIC_RW(Name, T)                                                    \
	FORCEINLINE T Read##Name##NoFence(T const volatile *Source)           \
	{                                                                    \
		return __atomic_load_n(Source, __ATOMIC_RELAXED);            \
	}                                                                    \
	FORCEINLINE T Read##Name##Acquire(T const volatile *Source)           \
	{                                                                    \
		return __atomic_load_n(Source, __ATOMIC_ACQUIRE);            \
	}                                                                    \
	FORCEINLINE T Read##Name(T const volatile *Source)                    \
	{                                                                    \
		return __atomic_load_n(Source, UMNIC_SEQ);                   \
	}                                                                    \
	FORCEINLINE VOID Write##Name##NoFence(T volatile *Destination, T Value) \
	{                                                                    \
		__atomic_store_n(Destination, Value, __ATOMIC_RELAXED);      \
	}                                                                    \
	FORCEINLINE VOID Write##Name##Release(T volatile *Destination, T Value) \
	{                                                                    \
		__atomic_store_n(Destination, Value, __ATOMIC_RELEASE);      \
	}                                                                    \
	FORCEINLINE VOID Write##Name(T volatile *Destination, T Value)        \
	{                                                                    \
		__atomic_store_n(Destination, Value, UMNIC_SEQ);             \
	}

UMNIC_RW(Boolean, BOOLEAN)
UMNIC_RW(UChar, UCHAR)
UMNIC_RW(Short, SHORT)
UMNIC_RW(UShort, USHORT)
UMNIC_RW(Int, INT)
UMNIC_RW(ULong, ULONG)
UMNIC_RW(Long, LONG)
UMNIC_RW(Long64, LONG64)
UMNIC_RW(ULong64, ULONG64)
UMNIC_RW(Pointer, PVOID)
UMNIC_RW(SizeT, SIZE_T)
UMNIC_RW(LongPtr, LONG_PTR)
UMNIC_RW(ULongPtr, ULONG_PTR)
#undef UMNIC_RW

#define MemoryBarrier() __atomic_thread_fence(UMNIC_SEQ)
#define KeMemoryBarrier() MemoryBarrier()
#define KeMemoryBarrierWithoutFence() __atomic_signal_fence(UMNIC_SEQ)
#define _ReadWriteBarrier() __atomic_signal_fence(UMNIC_SEQ)
#define _ReadBarrier() __atomic_signal_fence(UMNIC_SEQ)
#define _WriteBarrier() __atomic_signal_fence(UMNIC_SEQ)
#define PreFetchCacheLine(l, a) __builtin_prefetch((const void *)(a))
#define PF_TEMPORAL_LEVEL_1 0
#define PF_NON_TEMPORAL_LEVEL_ALL 0

#if defined(__x86_64__) || defined(__i386__)
#define YieldProcessor() __builtin_ia32_pause()
#define ReadTimeStampCounter() ((ULONG64)__builtin_ia32_rdtsc())
#define __rdtsc() ((ULONG64)__builtin_ia32_rdtsc())
#else
#define YieldProcessor() __asm__ __volatile__("" ::: "memory")
FORCEINLINE ULONG64 ReadTimeStampCounter(void)
{
	ULONG64 v;

	__asm__ __volatile__("mrs %0, cntvct_el0" : "=r"(v));
	return v;
}
#endif
#define KeYieldProcessor() YieldProcessor()

/* ---- Byte order and bit intrinsics -------------------------------------------------------- */

FORCEINLINE USHORT _byteswap_ushort(USHORT v)
{
	return __builtin_bswap16(v);
}

FORCEINLINE ULONG _byteswap_ulong(ULONG v)
{
	return __builtin_bswap32(v);
}

FORCEINLINE ULONG64 _byteswap_uint64(ULONG64 v)
{
	return __builtin_bswap64(v);
}

#define RtlUshortByteSwap(v) _byteswap_ushort(v)
#define RtlUlongByteSwap(v) _byteswap_ulong(v)
#define RtlUlonglongByteSwap(v) _byteswap_uint64(v)

#ifdef __has_builtin
#if __has_builtin(_BitScanForward)
/* clang with -fms-extensions has the bit scans built in. */
#define UMNIC_HAVE_BITSCAN 1
#endif
#endif
#ifdef UMNIC_HAVE_BITSCAN
/*
 * The built-in bit scans still want a declaration, as <intrin.h> gives on
 * Windows; without one each call is an implicit declaration (a warning).
 * Clang types their ULONG as unsigned int on a 64-bit Linux target.
 */
EXTERN_C unsigned char _BitScanForward(unsigned int *Index, unsigned int Mask);
EXTERN_C unsigned char _BitScanReverse(unsigned int *Index, unsigned int Mask);
EXTERN_C unsigned char _BitScanForward64(unsigned int *Index, unsigned long long Mask);
EXTERN_C unsigned char _BitScanReverse64(unsigned int *Index, unsigned long long Mask);
#else
/* Index of the lowest (highest) set bit; FALSE when Mask is 0. */
FORCEINLINE BOOLEAN _BitScanForward(ULONG *Index, ULONG Mask)
{
	if (!Mask)
		return FALSE;
	*Index = (ULONG)__builtin_ctz(Mask);
	return TRUE;
}

FORCEINLINE BOOLEAN _BitScanReverse(ULONG *Index, ULONG Mask)
{
	if (!Mask)
		return FALSE;
	*Index = 31u - (ULONG)__builtin_clz(Mask);
	return TRUE;
}

FORCEINLINE BOOLEAN _BitScanForward64(ULONG *Index, ULONG64 Mask)
{
	if (!Mask)
		return FALSE;
	*Index = (ULONG)__builtin_ctzll(Mask);
	return TRUE;
}

FORCEINLINE BOOLEAN _BitScanReverse64(ULONG *Index, ULONG64 Mask)
{
	if (!Mask)
		return FALSE;
	*Index = 63u - (ULONG)__builtin_clzll(Mask);
	return TRUE;
}
#endif

#define BitScanForward _BitScanForward
#define BitScanReverse _BitScanReverse
#define BitScanForward64 _BitScanForward64
#define BitScanReverse64 _BitScanReverse64

#define PopulationCount64(v) ((ULONG)__builtin_popcountll(v))
#define RtlNumberOfSetBitsUlongPtr(v) ((ULONG)__builtin_popcountll(v))

/* ---- Debug output and assertions ---------------------------------------------------------- */

/* Component ids and levels of DbgPrintEx; levels above 31 are bit masks. */
#define DPFLTR_ERROR_LEVEL 0
#define DPFLTR_WARNING_LEVEL 1
#define DPFLTR_TRACE_LEVEL 2
#define DPFLTR_INFO_LEVEL 3
#define DPFLTR_MASK 0x80000000
#define DPFLTR_IHVVIDEO_ID 74
#define DPFLTR_IHVAUDIO_ID 75
#define DPFLTR_IHVNETWORK_ID 76
#define DPFLTR_IHVSTREAMING_ID 77
#define DPFLTR_IHVBUS_ID 78
#define DPFLTR_IHVDRIVER_ID 77
#define DPFLTR_DEFAULT_ID 101

/*
 * Debug output: to umnicd's log (a driver host's stderr), at debug level for
 * DbgPrint and at the matching level for DbgPrintEx. Returns STATUS_SUCCESS.
 */
ULONG DbgPrint(PCSTR Format, ...) __attribute__((format(printf, 1, 2)));
ULONG DbgPrintEx(ULONG ComponentId, ULONG Level, PCSTR Format, ...)
	__attribute__((format(printf, 3, 4)));

/* Stops in an attached debugger (SIGTRAP); does nothing without one. */
VOID DbgBreakPoint(VOID);

/*
 * Reports a failed assertion: logged as an error with file and line; an
 * attached debugger stops. Execution continues, as it does on Windows when
 * no debugger is attached to a checked build.
 */
VOID RtlAssert(PVOID VoidFailedAssertion, PVOID VoidFileName, ULONG LineNumber,
	       PSTR MutableMessage);

/*
 * NT_VERIFY's value passes through a function, so that a driver may use it
 * as a statement (NT_VERIFY(x);) without an unused-value warning, or as an
 * expression. The checked form reports a FALSE through RtlAssert.
 */
FORCEINLINE BOOLEAN umnic_nt_verify(BOOLEAN Ok, PCSTR Expression, PCSTR File, ULONG Line,
				    PCSTR Message)
{
	if (!Ok)
		RtlAssert((PVOID)Expression, (PVOID)File, Line, (PSTR)Message);
	return Ok;
}

FORCEINLINE BOOLEAN umnic_nt_verified(BOOLEAN Ok)
{
	return Ok;
}

#if DBG
#define KdPrint(x) DbgPrint x
#define KdPrintEx(x) DbgPrintEx x
#define KdBreakPoint() DbgBreakPoint()
#define ASSERT(e) ((void)((e) ? 1 : (RtlAssert((PVOID) #e, (PVOID)__FILE__, __LINE__, NULL), 0)))
#define ASSERTMSG(m, e) \
	((void)((e) ? 1 : (RtlAssert((PVOID) #e, (PVOID)__FILE__, __LINE__, (PSTR)(m)), 0)))
#define NT_ASSERT(e) ASSERT(e)
#define NT_ASSERTMSG(m, e) ASSERTMSG(m, e)
#define NT_ASSERTMSGW(m, e) ASSERT(e)
#define NT_VERIFY(e) umnic_nt_verify((e) ? TRUE : FALSE, #e, __FILE__, __LINE__, NULL)
#define NT_VERIFYMSG(m, e) umnic_nt_verify((e) ? TRUE : FALSE, #e, __FILE__, __LINE__, (m))
#else
#define KdPrint(x) ((void)0)
#define KdPrintEx(x) ((void)0)
#define KdBreakPoint() ((void)0)
#ifndef ASSERT
#define ASSERT(e) ((void)0)
#endif
#define ASSERTMSG(m, e) ((void)0)
#define NT_ASSERT(e) ((void)0)
#define NT_ASSERTMSG(m, e) ((void)0)
#define NT_ASSERTMSGW(m, e) ((void)0)
#define NT_VERIFY(e) umnic_nt_verified((e) ? TRUE : FALSE)
#define NT_VERIFYMSG(m, e) umnic_nt_verified((e) ? TRUE : FALSE)
#endif
#define NT_ANALYSIS_ASSUME(e) ((void)0)
#define NT_ASSERT_ACTION(e) NT_ASSERT(e)
/* Checked in every build. */
#define NT_FRE_ASSERT(e) \
	((void)((e) ? 1 : (RtlAssert((PVOID) #e, (PVOID)__FILE__, __LINE__, NULL), 0)))
#define NT_FRE_ASSERTMSG(m, e) \
	((void)((e) ? 1 : (RtlAssert((PVOID) #e, (PVOID)__FILE__, __LINE__, (PSTR)(m)), 0)))

/* Pageable code does not exist here; the check is a no-op, as in a free build. */
#define PAGED_CODE() ((void)0)
#define PAGED_CODE_LOCKED() ((void)0)
#define NT_ASSERT_ASSUME(e) NT_ASSERT(e)

/* ---- Doubly linked lists (the inline helpers wdm.h provides) ------------------------------- */

FORCEINLINE VOID InitializeListHead(PLIST_ENTRY ListHead)
{
	ListHead->Flink = ListHead->Blink = ListHead;
}

FORCEINLINE BOOLEAN IsListEmpty(const LIST_ENTRY *ListHead)
{
	return (BOOLEAN)(ListHead->Flink == ListHead);
}

FORCEINLINE BOOLEAN RemoveEntryList(PLIST_ENTRY Entry)
{
	PLIST_ENTRY next = Entry->Flink, prev = Entry->Blink;

	prev->Flink = next;
	next->Blink = prev;
	return (BOOLEAN)(next == prev);
}

FORCEINLINE PLIST_ENTRY RemoveHeadList(PLIST_ENTRY ListHead)
{
	PLIST_ENTRY entry = ListHead->Flink;

	RemoveEntryList(entry);
	return entry;
}

FORCEINLINE PLIST_ENTRY RemoveTailList(PLIST_ENTRY ListHead)
{
	PLIST_ENTRY entry = ListHead->Blink;

	RemoveEntryList(entry);
	return entry;
}

FORCEINLINE VOID InsertTailList(PLIST_ENTRY ListHead, PLIST_ENTRY Entry)
{
	PLIST_ENTRY prev = ListHead->Blink;

	Entry->Flink = ListHead;
	Entry->Blink = prev;
	prev->Flink = Entry;
	ListHead->Blink = Entry;
}

FORCEINLINE VOID InsertHeadList(PLIST_ENTRY ListHead, PLIST_ENTRY Entry)
{
	PLIST_ENTRY next = ListHead->Flink;

	Entry->Flink = next;
	Entry->Blink = ListHead;
	next->Blink = Entry;
	ListHead->Flink = Entry;
}

FORCEINLINE VOID AppendTailList(PLIST_ENTRY ListHead, PLIST_ENTRY ListToAppend)
{
	PLIST_ENTRY end = ListHead->Blink;

	ListHead->Blink->Flink = ListToAppend;
	ListHead->Blink = ListToAppend->Blink;
	ListToAppend->Blink->Flink = ListHead;
	ListToAppend->Blink = end;
}

FORCEINLINE VOID PushEntryList(PSINGLE_LIST_ENTRY ListHead, PSINGLE_LIST_ENTRY Entry)
{
	Entry->Next = ListHead->Next;
	ListHead->Next = Entry;
}

FORCEINLINE PSINGLE_LIST_ENTRY PopEntryList(PSINGLE_LIST_ENTRY ListHead)
{
	PSINGLE_LIST_ENTRY first = ListHead->Next;

	if (first)
		ListHead->Next = first->Next;
	return first;
}

/* ---- Counted strings -------------------------------------------------------------------------- */

/* Describes a NUL-terminated wide string (NULL gives an empty string). */
FORCEINLINE VOID RtlInitUnicodeString(PUNICODE_STRING DestinationString, PCWSTR SourceString)
{
	SIZE_T n = SourceString ? wcslen(SourceString) * sizeof(WCHAR) : 0;

	if (n > 0xfffc)
		n = 0xfffc;
	DestinationString->Length = (USHORT)n;
	DestinationString->MaximumLength = SourceString ? (USHORT)(n + sizeof(WCHAR)) : 0;
	DestinationString->Buffer = (PWSTR)SourceString;
}

FORCEINLINE VOID RtlInitAnsiString(PANSI_STRING DestinationString, PCSTR SourceString)
{
	SIZE_T n = SourceString ? strlen(SourceString) : 0;

	if (n > 0xfffe)
		n = 0xfffe;
	DestinationString->Length = (USHORT)n;
	DestinationString->MaximumLength = SourceString ? (USHORT)(n + 1) : 0;
	DestinationString->Buffer = (PCHAR)SourceString;
}

UMNIC_EXTERN_C_END

#endif
