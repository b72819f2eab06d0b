// SPDX-License-Identifier: MIT
/*
 * winapi: a user-mode C++ driver whose IOCTL runs the checks of the Win32
 * surface that header libraries such as WIL are built on: the headers as
 * Windows spells them, the compiler's target macros, the exception and
 * context types, message texts, code pages, the C runtime's bounded and
 * counting functions, the strsafe Ex forms, handle duplication and
 * modules. It answers "PASS" or "FAIL: <what>".
 */
#include <Windows.h>
#include <intrin.h>
#include <new>
#include <type_traits>

#include <wdf.h>
#include <winapi_checks.h>

#include "trace.h"
#include "winapi.tmh"

// Header libraries pick their code with these; all must be there.
#if !defined(_M_AMD64) && !defined(_M_ARM64)
#error "no _M_AMD64 or _M_ARM64"
#endif
#ifndef _WIN64
#error "no _WIN64"
#endif
#ifndef _WINBASE_
#error "no _WINBASE_"
#endif
#ifndef __NOTHROW_T_DEFINED
#error "no __NOTHROW_T_DEFINED"
#endif
#if !WINAPI_FAMILY_PARTITION(WINAPI_PARTITION_APP | WINAPI_PARTITION_SYSTEM)
#error "the app partition is not there"
#endif
#if WINAPI_FAMILY_PARTITION(WINAPI_PARTITION_DESKTOP)
#error "the desktop partition is there by default"
#endif

// As WIL does it: a template that only accepts the Windows type of an HRESULT ("long");
// the 32-bit int these are here must find the overload <windows.h> provides.
namespace wil {
template <typename T> constexpr long verify_hresult(T hr) noexcept
{
	static_assert(std::is_same<T, long>::value, "Wrong Type: HRESULT expected");
	return hr;
}
template <typename T> inline long verify_ntstatus(T status) noexcept
{
	static_assert(std::is_same<T, long>::value, "Wrong Type: NTSTATUS expected");
	return status;
}
} // namespace wil

static_assert(wil::verify_hresult(E_FAIL) == E_FAIL, "verify_hresult");
#if defined(__x86_64__)
static_assert(sizeof(CONTEXT) == 1232 && offsetof(CONTEXT, Rip) == 0xf8, "x64 CONTEXT layout");
static_assert(offsetof(CONTEXT, VectorRegister) == 0x300, "x64 CONTEXT layout");
#endif
static_assert(sizeof(EXCEPTION_RECORD) == 152 && offsetof(EXCEPTION_RECORD, ExceptionInformation) == 32,
	      "EXCEPTION_RECORD layout");
static_assert(sizeof(EXCEPTION_POINTERS) == 2 * sizeof(void *), "EXCEPTION_POINTERS");
static_assert(MAKELANGID(LANG_NEUTRAL, SUBLANG_DEFAULT) == 0x400, "MAKELANGID");
static_assert(HRESULT_FROM_NT(STATUS_STACK_BUFFER_OVERRUN) == (HRESULT)0xD0000409L, "HRESULT_FROM_NT");

static int count_w(const wchar_t *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = _vscwprintf(fmt, ap);
	va_end(ap);
	return n;
}

static const char *selftest()
{
	wil::verify_ntstatus(STATUS_SUCCESS);

	// FormatMessage: a Win32 error through its HRESULT, in an allocated buffer.
	PWSTR text = nullptr;
	DWORD n = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS |
					 FORMAT_MESSAGE_ALLOCATE_BUFFER,
				 nullptr, (DWORD)E_INVALIDARG, MAKELANGID(LANG_NEUTRAL, SUBLANG_DEFAULT),
				 (PWSTR)&text, 0, nullptr);
	if (!n || !text || !wcsstr(text, L"parameter") || text[n - 1] != L'\n')
		return "FormatMessageW(E_INVALIDARG)";
	if (LocalFree(text) != nullptr)
		return "LocalFree";
	wchar_t small[4];
	if (FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM, nullptr, ERROR_ACCESS_DENIED, 0, small, 4,
			   nullptr) != 0 || GetLastError() != ERROR_INSUFFICIENT_BUFFER)
		return "FormatMessageW into a small buffer";
	if (FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM, nullptr, 0x1234567, 0, small, 4, nullptr) != 0 ||
	    GetLastError() != ERROR_MR_MID_NOT_FOUND)
		return "FormatMessageW of an unknown code";

	// The C runtime's bounded copy and counting printf.
	char dst[4] = { 'x', 'x', 'x', 'x' };
	if (memcpy_s(dst, sizeof(dst), "abcdef", 6) != ERANGE || dst[0] != 0)
		return "memcpy_s past the end";
	if (memcpy_s(dst, sizeof(dst), "ab", 3) != 0 || dst[1] != 'b')
		return "memcpy_s";
	if (count_w(L"%ws-%d", L"ab", 42) != 5)
		return "_vscwprintf";

	// strsafe's Ex forms: where the text ends and the room left; failure flags.
	wchar_t buf[16];
	PWSTR end = nullptr;
	size_t left = 0;
	if (FAILED(StringCchPrintfExW(buf, 16, &end, &left, 0, L"%d:%ws", 7, L"xy")) ||
	    wcscmp(buf, L"7:xy") || end != buf + 4 || left != 12)
		return "StringCchPrintfExW";
	if (StringCchCopyNExW(buf, 4, L"abcdef", 6, &end, &left, STRSAFE_NULL_ON_FAILURE) !=
		    STRSAFE_E_INSUFFICIENT_BUFFER || buf[0] != 0 || end != buf || left != 4)
		return "StringCchCopyNExW with STRSAFE_NULL_ON_FAILURE";

	// Code pages are UTF-8.
	char utf8[8];
	if (WideCharToMultiByte(CP_ACP, 0, L"\u00e9t\u00e9", -1, utf8, sizeof(utf8), nullptr, nullptr) != 6 ||
	    strcmp(utf8, "\xc3\xa9t\xc3\xa9"))
		return "WideCharToMultiByte";
	if (MultiByteToWideChar(CP_UTF8, 0, utf8, -1, buf, 16) != 4 || wcscmp(buf, L"\u00e9t\u00e9"))
		return "MultiByteToWideChar";
	if (MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, "\xff", 1, buf, 16) != 0 ||
	    GetLastError() != ERROR_NO_UNICODE_TRANSLATION)
		return "MultiByteToWideChar of invalid UTF-8";

	// A duplicated handle is the same object.
	HANDLE ev = CreateEventW(nullptr, TRUE, FALSE, nullptr), dup = nullptr;
	if (!ev || !DuplicateHandle(GetCurrentProcess(), ev, GetCurrentProcess(), &dup, 0, FALSE,
				    DUPLICATE_SAME_ACCESS))
		return "DuplicateHandle";
	SetEvent(dup);
	CloseHandle(dup);
	if (WaitForSingleObject(ev, 0) != WAIT_OBJECT_0)
		return "an event set through its duplicate";
	CloseHandle(ev);
	HANDLE mx = CreateMutexExW(nullptr, L"winapi-mutex", CREATE_MUTEX_INITIAL_OWNER, 0);
	HANDLE mx2 = OpenMutexW(SYNCHRONIZE, FALSE, L"winapi-mutex");
	if (!mx || !mx2 || !ReleaseMutex(mx2))
		return "CreateMutexExW/OpenMutexW";
	CloseHandle(mx2);
	CloseHandle(mx);

	// Modules: this driver's own, found from one of its addresses.
	HMODULE self = nullptr;
	if (!GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS |
					GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
				(LPCWSTR)(void *)&selftest, &self) || !self)
		return "GetModuleHandleExW(FROM_ADDRESS)";
	if ((void *)GetProcAddress(self, "DriverEntry") == nullptr)
		return "GetProcAddress(DriverEntry)";
	wchar_t path[256];
	DWORD len = GetModuleFileNameW(self, path, 256);
	if (!len || len != wcslen(path))
		return "GetModuleFileNameW";
	if (GetModuleHandleW(L"kernelbase.dll") || GetLastError() != ERROR_MOD_NOT_FOUND)
		return "GetModuleHandleW of a Windows DLL";

	// No thread pool: creation says so.
	if (CreateThreadpoolWork(nullptr, nullptr, nullptr) || GetLastError() != ERROR_NOT_SUPPORTED)
		return "CreateThreadpoolWork";
	WDFVERIFY(TRUE);
	OutputDebugStringW(L"winapi: self-test done\n");
	return nullptr;
}

static VOID EvtIoDeviceControl(WDFQUEUE Queue, WDFREQUEST Request, size_t OutputBufferLength,
			       size_t InputBufferLength, ULONG IoControlCode)
{
	UNREFERENCED_PARAMETER(Queue);
	UNREFERENCED_PARAMETER(InputBufferLength);
	char *out;
	size_t room;
	if (IoControlCode != WINAPI_SELFTEST_IOCTL || OutputBufferLength < 64 ||
	    !NT_SUCCESS(WdfRequestRetrieveOutputBuffer(Request, 64, (PVOID *)&out, &room))) {
		WdfRequestComplete(Request, STATUS_INVALID_PARAMETER);
		return;
	}
	const char *what = selftest();
	if (what)
		TraceEvents(TRACE_LEVEL_ERROR, TRACE_WINAPI, "self-test failed: %s", what);
	HRESULT hr = StringCchPrintfA(out, room, what ? "FAIL: %s" : "PASS", what);
	WdfRequestCompleteWithInformation(Request, STATUS_SUCCESS, SUCCEEDED(hr) ? strlen(out) : 0);
}

static NTSTATUS EvtDeviceAdd(WDFDRIVER Driver, PWDFDEVICE_INIT DeviceInit)
{
	DECLARE_CONST_UNICODE_STRING(link, L"\\DosDevices\\UmnicWinapi");
	WDF_IO_QUEUE_CONFIG queue;
	WDFDEVICE device;
	UNREFERENCED_PARAMETER(Driver);
	NTSTATUS status = WdfDeviceCreate(&DeviceInit, WDF_NO_OBJECT_ATTRIBUTES, &device);
	if (!NT_SUCCESS(status))
		return status;
	WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&queue, WdfIoQueueDispatchSequential);
	queue.EvtIoDeviceControl = EvtIoDeviceControl;
	status = WdfIoQueueCreate(device, &queue, WDF_NO_OBJECT_ATTRIBUTES, WDF_NO_HANDLE);
	if (NT_SUCCESS(status))
		status = WdfDeviceCreateSymbolicLink(device, &link);
	return status;
}

static VOID EvtDriverUnload(WDFDRIVER Driver)
{
	// As Windows' user-mode driver templates do: user-mode WPP ignores the argument,
	// and WdfDriverWdmGetDriverObject exists in kernel mode only.
	WPP_CLEANUP(WdfDriverWdmGetDriverObject(Driver));
}

EXTERN_C NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
	WDF_DRIVER_CONFIG config;
	WPP_INIT_TRACING(DriverObject, RegistryPath);
	TraceEvents(TRACE_LEVEL_INFORMATION, TRACE_WINAPI, "%!FUNC! entry");
	WDF_DRIVER_CONFIG_INIT(&config, EvtDeviceAdd);
	config.EvtDriverUnload = EvtDriverUnload;
	return WdfDriverCreate(DriverObject, RegistryPath, WDF_NO_OBJECT_ATTRIBUTES, &config,
			       WDF_NO_HANDLE);
}
