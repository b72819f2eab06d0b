/* SPDX-License-Identifier: MIT */
/*
 * Fail-fast and debugger calls (<errhandlingapi.h>, <debugapi.h> and
 * <libloaderapi.h> of Windows, one header here; each of those names
 * includes it).
 *
 * RaiseFailFastException logs the exception code, flags and address and
 * ends the process at once, as Windows does: a driver host dies and umnicd
 * restarts its devices under their restart policy. There is no structured
 * exception handling, so nothing can catch it.
 */
#ifndef UMNIC_ERRHANDLINGAPI_H
#define UMNIC_ERRHANDLINGAPI_H
#include <ntdef.h>
#include <winnt.h>

UMNIC_EXTERN_C_BEGIN

__attribute__((noreturn)) VOID RaiseFailFastException(PEXCEPTION_RECORD pExceptionRecord,
						      PCONTEXT pContextRecord, DWORD dwFlags);

/* TRUE when a tracer (debugger) is attached to the process. */
BOOL IsDebuggerPresent(VOID);
/* Breaks into an attached debugger (SIGTRAP); without one, logs and continues. */
VOID DebugBreak(VOID);
/* The text goes to the driver's log, as DbgPrint's does. */
VOID OutputDebugStringA(LPCSTR lpOutputString);
VOID OutputDebugStringW(LPCWSTR lpOutputString);
#ifdef UNICODE
#define OutputDebugString OutputDebugStringW
#else
#define OutputDebugString OutputDebugStringA
#endif

/*
 * Modules. A driver is a shared object the driver host loads, and nothing
 * is loaded or unloaded later (the sandbox has no files to load). An
 * HMODULE is the dynamic loader's handle, not a load address.
 * GetModuleHandle(NULL) is the program; any name fails with
 * ERROR_MOD_NOT_FOUND. GetModuleHandleEx(FROM_ADDRESS) finds the module
 * holding an address (the driver's own, from one of its functions).
 * GetProcAddress looks the name up in that module and what it depends on
 * (ERROR_PROC_NOT_FOUND). FreeLibrary has nothing to unload and succeeds
 * for any handle but NULL. GetModuleFileName gives the module's file name
 * (NULL: the program's), truncated and terminated as on Windows
 * (ERROR_INSUFFICIENT_BUFFER).
 */
#define GET_MODULE_HANDLE_EX_FLAG_PIN 0x00000001
#define GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT 0x00000002
#define GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS 0x00000004
HMODULE GetModuleHandleW(LPCWSTR lpModuleName);
HMODULE GetModuleHandleA(LPCSTR lpModuleName);
/* FROM_ADDRESS: the module holding that address, found through the dynamic loader. */
BOOL GetModuleHandleExW(DWORD dwFlags, LPCWSTR lpModuleName, HMODULE *phModule);
FARPROC GetProcAddress(HMODULE hModule, LPCSTR lpProcName);
BOOL FreeLibrary(HMODULE hLibModule);
DWORD GetModuleFileNameW(HMODULE hModule, LPWSTR lpFilename, DWORD nSize);
DWORD GetModuleFileNameA(HMODULE hModule, LPSTR lpFilename, DWORD nSize);
#ifdef UNICODE
#define GetModuleHandle GetModuleHandleW
#define GetModuleHandleEx GetModuleHandleExW
#define GetModuleFileName GetModuleFileNameW
#else
#define GetModuleHandle GetModuleHandleA
#define GetModuleFileName GetModuleFileNameA
#endif

UMNIC_EXTERN_C_END

#endif
