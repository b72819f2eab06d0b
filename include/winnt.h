/* SPDX-License-Identifier: MIT */
/*
 * The processor context and exception records of Win32 (what a fail-fast
 * report carries), module handles, language identifiers and the other
 * <winnt.h> types user-mode sources and libraries such as WIL refer to.
 *
 * Layouts are the Windows ones for the processor (x64 or ARM64), so code
 * that fills or reads them field by field keeps working; umnic itself
 * never fills a CONTEXT.
 */
#ifndef UMNIC_WINNT_H
#define UMNIC_WINNT_H
#include <ntdef.h>
#include <ntstatus.h>
#include <winapifamily.h>

UMNIC_EXTERN_C_BEGIN

/* Strings that may lack a terminator (NZ) or hold several (ZZ). */
typedef CHAR *PNZCH;
typedef const CHAR *PCNZCH;
typedef WCHAR *PNZWCH;
typedef const WCHAR *PCNZWCH;
typedef CHAR *PZZSTR;
typedef const CHAR *PCZZSTR;
typedef WCHAR *PZZWSTR;
typedef const WCHAR *PCZZWSTR;

/* Module handles: the address a module is loaded at, as on Windows. */
DECLARE_HANDLE(HINSTANCE);
typedef HINSTANCE HMODULE;
typedef HANDLE HLOCAL;
typedef INT_PTR(WINAPI *FARPROC)(void);

/* 128-bit register contents, low half first. */
typedef struct DECLSPEC_ALIGN(16) _M128A {
	ULONGLONG Low;
	LONGLONG High;
} M128A, *PM128A;

#if defined(__x86_64__)
/* The FXSAVE area: x87 and SSE state. */
typedef struct DECLSPEC_ALIGN(16) _XSAVE_FORMAT {
	WORD ControlWord;
	WORD StatusWord;
	BYTE TagWord;
	BYTE Reserved1;
	WORD ErrorOpcode;
	DWORD ErrorOffset;
	WORD ErrorSelector;
	WORD Reserved2;
	DWORD DataOffset;
	WORD DataSelector;
	WORD Reserved3;
	DWORD MxCsr;
	DWORD MxCsr_Mask;
	M128A FloatRegisters[8];
	M128A XmmRegisters[16];
	BYTE Reserved4[96];
} XSAVE_FORMAT, *PXSAVE_FORMAT, XMM_SAVE_AREA32, *PXMM_SAVE_AREA32;

typedef struct DECLSPEC_ALIGN(16) _CONTEXT {
	DWORD64 P1Home, P2Home, P3Home, P4Home, P5Home, P6Home;
	DWORD ContextFlags;
	DWORD MxCsr;
	WORD SegCs, SegDs, SegEs, SegFs, SegGs, SegSs;
	DWORD EFlags;
	DWORD64 Dr0, Dr1, Dr2, Dr3, Dr6, Dr7;
	DWORD64 Rax, Rcx, Rdx, Rbx, Rsp, Rbp, Rsi, Rdi;
	DWORD64 R8, R9, R10, R11, R12, R13, R14, R15;
	DWORD64 Rip;
	union {
		XMM_SAVE_AREA32 FltSave;
		struct {
			M128A Header[2];
			M128A Legacy[8];
			M128A Xmm0, Xmm1, Xmm2, Xmm3, Xmm4, Xmm5, Xmm6, Xmm7;
			M128A Xmm8, Xmm9, Xmm10, Xmm11, Xmm12, Xmm13, Xmm14, Xmm15;
		};
	};
	M128A VectorRegister[26];
	DWORD64 VectorControl;
	DWORD64 DebugControl;
	DWORD64 LastBranchToRip, LastBranchFromRip;
	DWORD64 LastExceptionToRip, LastExceptionFromRip;
} CONTEXT, *PCONTEXT;
C_ASSERT(sizeof(CONTEXT) == 1232);
#define CONTEXT_AMD64 0x00100000L
#define CONTEXT_CONTROL (CONTEXT_AMD64 | 0x1L)
#define CONTEXT_INTEGER (CONTEXT_AMD64 | 0x2L)
#define CONTEXT_SEGMENTS (CONTEXT_AMD64 | 0x4L)
#define CONTEXT_FLOATING_POINT (CONTEXT_AMD64 | 0x8L)
#define CONTEXT_DEBUG_REGISTERS (CONTEXT_AMD64 | 0x10L)
#define CONTEXT_FULL (CONTEXT_CONTROL | CONTEXT_INTEGER | CONTEXT_FLOATING_POINT)
#elif defined(__aarch64__)
typedef union _NEON128 {
	struct {
		ULONGLONG Low;
		LONGLONG High;
	};
	double D[2];
	float S[4];
	WORD H[8];
	BYTE B[16];
} NEON128, *PNEON128;

typedef struct DECLSPEC_ALIGN(16) _CONTEXT {
	DWORD ContextFlags;
	DWORD Cpsr;
	union {
		struct {
			DWORD64 X0, X1, X2, X3, X4, X5, X6, X7, X8, X9, X10, X11, X12, X13, X14;
			DWORD64 X15, X16, X17, X18, X19, X20, X21, X22, X23, X24, X25, X26, X27, X28;
			DWORD64 Fp;
			DWORD64 Lr;
		};
		DWORD64 X[31];
	};
	DWORD64 Sp;
	DWORD64 Pc;
	NEON128 V[32];
	DWORD Fpcr;
	DWORD Fpsr;
	DWORD Bcr[8];
	DWORD64 Bvr[8];
	DWORD Wcr[2];
	DWORD64 Wvr[2];
} CONTEXT, *PCONTEXT;
C_ASSERT(sizeof(CONTEXT) == 912);
#define CONTEXT_ARM64 0x00400000L
#define CONTEXT_CONTROL (CONTEXT_ARM64 | 0x1L)
#define CONTEXT_INTEGER (CONTEXT_ARM64 | 0x2L)
#define CONTEXT_FLOATING_POINT (CONTEXT_ARM64 | 0x4L)
#define CONTEXT_DEBUG_REGISTERS (CONTEXT_ARM64 | 0x8L)
#define CONTEXT_FULL (CONTEXT_CONTROL | CONTEXT_INTEGER | CONTEXT_FLOATING_POINT)
#else
#error "umnic's CONTEXT knows x64 and ARM64 only"
#endif

/* What an exception (or a fail-fast report) says happened, and where. */
#define EXCEPTION_MAXIMUM_PARAMETERS 15
#define EXCEPTION_NONCONTINUABLE 0x1
#define EXCEPTION_EXECUTE_HANDLER 1
#define EXCEPTION_CONTINUE_SEARCH 0
#define EXCEPTION_CONTINUE_EXECUTION (-1)
typedef struct _EXCEPTION_RECORD {
	DWORD ExceptionCode;
	DWORD ExceptionFlags;
	struct _EXCEPTION_RECORD *ExceptionRecord;
	PVOID ExceptionAddress;
	DWORD NumberParameters;
	ULONG_PTR ExceptionInformation[EXCEPTION_MAXIMUM_PARAMETERS];
} EXCEPTION_RECORD, *PEXCEPTION_RECORD;
typedef struct _EXCEPTION_POINTERS {
	PEXCEPTION_RECORD ExceptionRecord;
	PCONTEXT ContextRecord;
} EXCEPTION_POINTERS, *PEXCEPTION_POINTERS;

/* Fail-fast codes (the __fastfail argument) and RaiseFailFastException flags. */
#define FAST_FAIL_LEGACY_GS_VIOLATION 0
#define FAST_FAIL_VTGUARD_CHECK_FAILURE 1
#define FAST_FAIL_STACK_COOKIE_CHECK_FAILURE 2
#define FAST_FAIL_CORRUPT_LIST_ENTRY 3
#define FAST_FAIL_INCORRECT_STACK 4
#define FAST_FAIL_INVALID_ARG 5
#define FAST_FAIL_GS_COOKIE_INIT 6
#define FAST_FAIL_FATAL_APP_EXIT 7
#define FAST_FAIL_RANGE_CHECK_FAILURE 8
#define FAST_FAIL_UNSAFE_REGISTRY_ACCESS 9
#define FAST_FAIL_INVALID_FAST_FAIL_CODE 0xFFFFFFFF
#define FAIL_FAST_GENERATE_EXCEPTION_ADDRESS 0x1
#define FAIL_FAST_NO_HARD_ERROR_DLG 0x2

/* Language identifiers: a primary language and a sublanguage in one WORD. */
#define LANG_NEUTRAL 0x00
#define LANG_ENGLISH 0x09
#define SUBLANG_NEUTRAL 0x00
#define SUBLANG_DEFAULT 0x01
#define SUBLANG_SYS_DEFAULT 0x02
#define SUBLANG_ENGLISH_US 0x01
#define MAKELANGID(p, s) ((((WORD)(s)) << 10) | (WORD)(p))
#define PRIMARYLANGID(l) ((WORD)(l) & 0x3ff)
#define SUBLANGID(l) ((WORD)(l) >> 10)
typedef WORD LANGID;

/* DllMain reasons. */
#define DLL_PROCESS_DETACH 0
#define DLL_PROCESS_ATTACH 1
#define DLL_THREAD_ATTACH 2
#define DLL_THREAD_DETACH 3

typedef struct _TOKEN_LINKED_TOKEN {
	HANDLE LinkedToken;
} TOKEN_LINKED_TOKEN, *PTOKEN_LINKED_TOKEN;

#define MAKEWORD(a, b) ((WORD)(((BYTE)((DWORD_PTR)(a) & 0xff)) | ((WORD)((BYTE)((DWORD_PTR)(b) & 0xff))) << 8))
#define MAKELONG(a, b) ((LONG)(((WORD)((DWORD_PTR)(a) & 0xffff)) | ((DWORD)((WORD)((DWORD_PTR)(b) & 0xffff))) << 16))
#define LOWORD(l) ((WORD)((DWORD_PTR)(l) & 0xffff))
#define HIWORD(l) ((WORD)((DWORD_PTR)(l) >> 16))
#define LOBYTE(w) ((BYTE)((DWORD_PTR)(w) & 0xff))
#define HIBYTE(w) ((BYTE)((DWORD_PTR)(w) >> 8))

UMNIC_EXTERN_C_END

#ifdef __cplusplus
/*
 * std::nothrow_t is defined (<new>, which <sal.h> includes in C++):
 * __NOTHROW_T_DEFINED is the marker the Microsoft library sets for it, and
 * libraries (WIL's make_unique_nothrow) test that marker.
 */
#include <new>
#ifndef __NOTHROW_T_DEFINED
#define __NOTHROW_T_DEFINED
#endif

/*
 * WIL checks at compile time that an HRESULT, an NTSTATUS or a Win32 error
 * is a "long", the type Windows (LLP64) gives them. On Linux (LP64) a long
 * is 64 bits, so these are 32-bit ints here, as the Windows ABI requires.
 * The overloads below take the int that is the right type; WIL's own
 * template remains for every other type and still rejects them.
 */
namespace wil {
inline constexpr HRESULT verify_hresult(HRESULT hr) noexcept
{
	return hr;
}
inline constexpr NTSTATUS verify_ntstatus(NTSTATUS status) noexcept
{
	return status;
}
inline constexpr DWORD verify_win32(DWORD error) noexcept
{
	return error;
}
inline constexpr LONG verify_win32(LONG error) noexcept
{
	return error;
}
} // namespace wil
#endif

#endif
