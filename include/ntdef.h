/* SPDX-License-Identifier: MIT */
/*
 * Basic Windows types as an LP64 Linux compiler sees them.
 *
 * Widths follow the Windows ABI (ULONG is 32 bits, ULONG_PTR is pointer
 * sized), because driver code and the struct layouts it shares with the
 * framework depend on them. WCHAR is wchar_t, so L"..." literals in driver
 * sources keep compiling; on Linux that is 32 bits wide, and umnic converts
 * to UTF-8 at every boundary that leaves the process.
 */
#ifndef UMNIC_NTDEF_H
#define UMNIC_NTDEF_H

#include <stddef.h>
#include <stdint.h>
#include <wchar.h>
#include <sal.h>
#include <guiddef.h>

#ifdef __cplusplus
#define UMNIC_EXTERN_C_BEGIN extern "C" {
#define UMNIC_EXTERN_C_END }
#define UMNIC_STATIC_ASSERT(e, m) static_assert(e, m)
#else
#define UMNIC_EXTERN_C_BEGIN
#define UMNIC_EXTERN_C_END
#define UMNIC_STATIC_ASSERT(e, m) _Static_assert(e, m)
#endif

/*
 * The target macros the Microsoft compiler predefines, which Windows headers
 * and libraries test to pick processor-specific code (_M_AMD64, _M_ARM64).
 * _WIN64 (pointers are 64 bits) comes from the build flags, as in the WDK's
 * own builds (pkg-config umnic-driver).
 */
#if defined(__x86_64__) && !defined(_M_AMD64)
#define _M_AMD64 100
#define _M_X64 100
#elif defined(__aarch64__) && !defined(_M_ARM64)
#define _M_ARM64 1
#endif
#if defined(__x86_64__) && !defined(_AMD64_)
#define _AMD64_
#elif defined(__aarch64__) && !defined(_ARM64_)
#define _ARM64_
#endif

#ifndef VOID
#define VOID void
#endif
#define CONST const
#define IN
#define OUT
#define OPTIONAL
#define NTAPI
#define WINAPI
#define CALLBACK
/*
 * FORCEINLINE marks functions defined in headers. It must not say "static":
 * a driver may put it on a C++ member function, where static would change
 * the meaning; "inline" alone gives one definition shared by every unit.
 * In C, C99 inline rules would need an external definition somewhere, so C
 * keeps static inline there.
 */
#ifdef __cplusplus
#define FORCEINLINE inline __attribute__((always_inline))
#else
#define FORCEINLINE static inline __attribute__((always_inline))
#endif
#ifndef EXTERN_C
#ifdef __cplusplus
#define EXTERN_C extern "C"
#define EXTERN_C_START extern "C" {
#define EXTERN_C_END }
#else
#define EXTERN_C extern
#define EXTERN_C_START
#define EXTERN_C_END
#endif
#endif
/*
 * clang (with -fms-extensions) knows __declspec; gcc does not, so the common
 * forms are mapped to attributes: __declspec(x) becomes UMNIC_DECLSPEC_x.
 */
#if defined(__GNUC__) && !defined(__clang__) && !defined(__declspec)
#define __declspec(x) UMNIC_DECLSPEC_##x
#define UMNIC_DECLSPEC_selectany __attribute__((weak))
#define UMNIC_DECLSPEC_noinline __attribute__((noinline))
#define UMNIC_DECLSPEC_noreturn __attribute__((noreturn))
#define UMNIC_DECLSPEC_nothrow
#define UMNIC_DECLSPEC_novtable
#define UMNIC_DECLSPEC_dllimport
#define UMNIC_DECLSPEC_dllexport __attribute__((visibility("default")))
#define UMNIC_DECLSPEC_deprecated __attribute__((deprecated))
#define UMNIC_DECLSPEC_restrict
#define UMNIC_DECLSPEC_noalias
#define UMNIC_DECLSPEC_thread __thread
#define UMNIC_DECLSPEC_align(n) __attribute__((aligned(n)))
#define UMNIC_DECLSPEC_uuid(s)
#define UMNIC_DECLSPEC_code_seg(s)
#define UMNIC_DECLSPEC_allocate(s)
#endif
#define DECLSPEC_CACHEALIGN __attribute__((aligned(64)))
#define DECLSPEC_NOINLINE __attribute__((noinline))
#define DECLSPEC_NORETURN __attribute__((noreturn))
#define DECLSPEC_SELECTANY __attribute__((weak))
#define DECLSPEC_NOTHROW
#define DECLSPEC_IMPORT
#define DECLSPEC_EXPORT __attribute__((visibility("default")))
#define DECLSPEC_NOVTABLE
#define DECLSPEC_UUID(x)
#define DECLSPEC_DEPRECATED
#define SYSTEM_CACHE_ALIGNMENT_SIZE 64
#define UNALIGNED
#define UNALIGNED64
#define RESTRICTED_POINTER
#define NTSYSAPI
#define NTSYSCALLAPI
#define NTKERNELAPI
#define NTHALAPI
#define NTAPI_INLINE
#define FASTCALL
/* The Microsoft C++ library's calling-convention marker on its own members. */
#ifndef __CLR_OR_THIS_CALL
#define __CLR_OR_THIS_CALL
#endif
#define STDMETHODCALLTYPE
#define CDECL
#define __cdecl
#define __stdcall
#define __fastcall
#ifndef __forceinline
#define __forceinline inline __attribute__((always_inline))
#endif
#define DECLARE_HANDLE(name) \
	struct name##__ {    \
		int unused;  \
	};                   \
	typedef struct name##__ *name
#define ANYSIZE_ARRAY 1
#define MAXUCHAR 0xff
#define MAXUSHORT 0xffff
#define MAXULONG 0xffffffffUL
#define MAXLONG 0x7fffffffL
#define MINLONG (-MAXLONG - 1)
#define MAXLONGLONG ((LONGLONG)0x7fffffffffffffffLL)
#define MAXULONG64 ((ULONG64)~((ULONG64)0))
#define MAXSIZE_T ((SIZE_T)~((SIZE_T)0))
#define DECLSPEC_ALIGN(n) __attribute__((aligned(n)))
#define UNREFERENCED_PARAMETER(p) ((void)(p))
#define ARRAYSIZE(a) (sizeof(a) / sizeof((a)[0]))
#define RTL_NUMBER_OF(a) ARRAYSIZE(a)
#define FIELD_OFFSET(t, f) ((LONG)offsetof(t, f))
#define RTL_FIELD_SIZE(t, f) (sizeof(((t *)0)->f))
#define CONTAINING_RECORD(addr, t, f) ((t *)((char *)(addr) - offsetof(t, f)))
#define C_ASSERT(e) UMNIC_STATIC_ASSERT(e, #e)

#ifndef TRUE
#define TRUE 1
#endif
#ifndef FALSE
#define FALSE 0
#endif

typedef void *PVOID, *LPVOID;
typedef const void *PCVOID, *LPCVOID;
typedef char CHAR, CCHAR;
typedef CHAR *PCHAR, *PSTR, *LPSTR;
typedef const CHAR *PCSTR, *LPCSTR;
typedef unsigned char UCHAR, BYTE;
typedef UCHAR *PUCHAR, *PBYTE;
typedef short SHORT;
typedef unsigned short USHORT, WORD;
typedef USHORT *PUSHORT;
typedef int32_t INT, LONG, INT32, BOOL;
typedef uint32_t UINT, ULONG, UINT32, DWORD;
typedef LONG *PLONG;
typedef ULONG *PULONG;
typedef DWORD *PDWORD;
typedef int64_t LONGLONG, LONG64, INT64;
typedef uint64_t ULONGLONG, ULONG64, UINT64, DWORD64;
typedef LONGLONG *PLONGLONG;
typedef ULONGLONG *PULONGLONG;
typedef ULONG64 *PULONG64;
typedef int8_t INT8;
typedef uint8_t UINT8;
typedef int16_t INT16;
typedef uint16_t UINT16;
typedef intptr_t LONG_PTR, INT_PTR;
typedef uintptr_t ULONG_PTR, UINT_PTR, DWORD_PTR;
typedef ULONG_PTR *PULONG_PTR;
typedef size_t SIZE_T;
typedef SIZE_T *PSIZE_T;
typedef intptr_t SSIZE_T;
typedef UCHAR BOOLEAN;
typedef BOOLEAN *PBOOLEAN;
typedef wchar_t WCHAR;
typedef WCHAR *PWCHAR, *PWSTR, *LPWSTR;
typedef const WCHAR *PCWSTR, *LPCWSTR;
typedef LONG NTSTATUS;
typedef NTSTATUS *PNTSTATUS;
typedef void *HANDLE;
typedef HANDLE *PHANDLE, *LPHANDLE;
typedef ULONG ACCESS_MASK;
typedef ACCESS_MASK *PACCESS_MASK;
typedef UCHAR KIRQL;
typedef KIRQL *PKIRQL;
typedef CCHAR KPROCESSOR_MODE;
typedef ULONG DEVICE_TYPE;
typedef ULONG NODE_REQUIREMENT;
typedef ULONG LOGICAL, *PLOGICAL;
typedef float FLOAT;
typedef double DOUBLE;
typedef LONG HRESULT;
typedef short CSHORT;
typedef SHORT *PSHORT;
typedef INT *PINT, *LPINT;
typedef UINT *PUINT;
typedef BOOL *PBOOL, *LPBOOL;
typedef BYTE *LPBYTE;
typedef WORD *PWORD, *LPWORD;
typedef DWORD *LPDWORD;
typedef LONG *LPLONG;
typedef ULONG_PTR KAFFINITY, *PKAFFINITY;
typedef USHORT RTL_ATOM;
typedef const char *PCSZ;
typedef ULONG CLONG;
typedef ULONGLONG DWORDLONG;
typedef LONG KPRIORITY;
typedef DWORD LCID;
typedef void *PVOID64;
typedef PVOID PSECURITY_DESCRIPTOR;
typedef PVOID PSID;
typedef UCHAR *PUINT8;
typedef USHORT *PUINT16;
typedef ULONG *PUINT32;
typedef ULONG64 *PUINT64;
typedef INT32 *PINT32;
typedef INT64 *PINT64;
typedef ULONG64 *PDWORD64;
typedef LONG64 *PLONG64;
typedef UINT_PTR *PUINT_PTR;
typedef LONG_PTR *PLONG_PTR;

/* Processor sets, as KeSetSystemGroupAffinityThread and SetThreadGroupAffinity take them. */
typedef struct _GROUP_AFFINITY {
	KAFFINITY Mask;
	USHORT Group;
	USHORT Reserved[3];
} GROUP_AFFINITY, *PGROUP_AFFINITY;

typedef struct _PROCESSOR_NUMBER {
	USHORT Group;
	UCHAR Number;
	UCHAR Reserved;
} PROCESSOR_NUMBER, *PPROCESSOR_NUMBER;

/* Kinds of kernel event: notification stays signalled, synchronization resets on a wait. */
typedef enum _EVENT_TYPE { NotificationEvent, SynchronizationEvent } EVENT_TYPE;

typedef enum _WAIT_TYPE { WaitAll, WaitAny, WaitNotification, WaitDequeue, WaitDpc } WAIT_TYPE;

typedef struct _SINGLE_LIST_ENTRY {
	struct _SINGLE_LIST_ENTRY *Next;
} SINGLE_LIST_ENTRY, *PSINGLE_LIST_ENTRY;

typedef struct _STRING {
	USHORT Length;
	USHORT MaximumLength;
	PCHAR Buffer;
} STRING, *PSTRING, ANSI_STRING, *PANSI_STRING, OEM_STRING, *POEM_STRING;
typedef const STRING *PCSTRING, *PCANSI_STRING;

#define NT_SUCCESS(s) (((NTSTATUS)(s)) >= 0)
#define NT_INFORMATION(s) ((((ULONG)(s)) >> 30) == 1)
#define NT_WARNING(s) ((((ULONG)(s)) >> 30) == 2)
#define NT_ERROR(s) ((((ULONG)(s)) >> 30) == 3)

/* Processor modes as returned by WdfRequestGetRequestorMode. */
typedef enum _MODE { KernelMode = 0, UserMode = 1, MaximumMode } MODE;

/* Interrupt request levels. Only in-host ("kernel mode") drivers have one. */
#define PASSIVE_LEVEL 0
#define LOW_LEVEL 0
#define APC_LEVEL 1
#define DISPATCH_LEVEL 2
#define HIGH_LEVEL 15

typedef union _LARGE_INTEGER {
	struct {
		ULONG LowPart;
		LONG HighPart;
	};
	struct {
		ULONG LowPart;
		LONG HighPart;
	} u;
	LONGLONG QuadPart;
} LARGE_INTEGER, *PLARGE_INTEGER;

typedef LARGE_INTEGER PHYSICAL_ADDRESS, *PPHYSICAL_ADDRESS;

/* Counted string; Length and MaximumLength are in bytes, as on Windows. */
typedef struct _UNICODE_STRING {
	USHORT Length;
	USHORT MaximumLength;
	PWSTR Buffer;
} UNICODE_STRING, *PUNICODE_STRING;
typedef const UNICODE_STRING *PCUNICODE_STRING;

#define DECLARE_CONST_UNICODE_STRING(name, lit) \
	const UNICODE_STRING name = { sizeof(lit) - sizeof(WCHAR), sizeof(lit), (PWSTR)(lit) }
#define DECLARE_UNICODE_STRING_SIZE(name, n) \
	WCHAR name##_buffer[n];                  \
	UNICODE_STRING name = { 0, (USHORT)((n) * sizeof(WCHAR)), name##_buffer }
#define RTL_CONSTANT_STRING(lit) { sizeof(lit) - sizeof((lit)[0]), sizeof(lit), (PWSTR)(lit) }

typedef struct _LIST_ENTRY {
	struct _LIST_ENTRY *Flink;
	struct _LIST_ENTRY *Blink;
} LIST_ENTRY, *PLIST_ENTRY;

typedef enum _DEVICE_POWER_STATE {
	PowerDeviceUnspecified = 0,
	PowerDeviceD0,
	PowerDeviceD1,
	PowerDeviceD2,
	PowerDeviceD3,
	PowerDeviceMaximum
} DEVICE_POWER_STATE, *PDEVICE_POWER_STATE;

typedef struct _IO_STATUS_BLOCK {
	union {
		NTSTATUS Status;
		PVOID Pointer;
	};
	ULONG_PTR Information;
} IO_STATUS_BLOCK, *PIO_STATUS_BLOCK;

/* Device I/O control codes. */
#define CTL_CODE(type, function, method, access) \
	(((ULONG)(type) << 16) | ((ULONG)(access) << 14) | ((ULONG)(function) << 2) | (ULONG)(method))
#define DEVICE_TYPE_FROM_CTL_CODE(c) (((ULONG)(c) & 0xffff0000) >> 16)
#define METHOD_FROM_CTL_CODE(c) ((ULONG)(c) & 3)
#define METHOD_BUFFERED 0
#define METHOD_IN_DIRECT 1
#define METHOD_OUT_DIRECT 2
#define METHOD_NEITHER 3
#define METHOD_DIRECT_TO_HARDWARE METHOD_IN_DIRECT
#define METHOD_DIRECT_FROM_HARDWARE METHOD_OUT_DIRECT
#define FILE_ANY_ACCESS 0
#define FILE_SPECIAL_ACCESS FILE_ANY_ACCESS
#define FILE_READ_ACCESS 0x0001
#define FILE_WRITE_ACCESS 0x0002
#define FILE_DEVICE_UNKNOWN 0x00000022
#define FILE_DEVICE_NETWORK 0x00000012

/* Access rights a client asks for when it opens a device. */
#define FILE_READ_DATA 0x0001
#define FILE_WRITE_DATA 0x0002
#define DELETE 0x00010000
#define READ_CONTROL 0x00020000
#define SYNCHRONIZE 0x00100000
#define GENERIC_ALL 0x10000000
#define GENERIC_EXECUTE 0x20000000
#define GENERIC_WRITE 0x40000000
#define GENERIC_READ 0x80000000

/* IRP major function codes (the values WDF_REQUEST_TYPE mirrors). */
#define IRP_MJ_CREATE 0x00
#define IRP_MJ_CLOSE 0x02
#define IRP_MJ_READ 0x03
#define IRP_MJ_WRITE 0x04
#define IRP_MJ_DEVICE_CONTROL 0x0e
#define IRP_MJ_INTERNAL_DEVICE_CONTROL 0x0f
#define IRP_MJ_CLEANUP 0x12

#ifndef MAX_PATH
#define MAX_PATH 260
#endif

#endif

#include <wdkbase.h>
