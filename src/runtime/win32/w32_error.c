// SPDX-License-Identifier: MIT
/*
 * The error-reporting side of the Win32 subset (errhandlingapi.h,
 * stringapiset.h, winbase.h's messages and local memory): fail fast,
 * debugger output, modules, message texts and code page conversions.
 */
#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "common/utf8.h"
#include "runtime/rt.h"
#include "runtime/wdf/verifier.h"
#include "runtime/win32/w32_int.h"

const char *umn_rt_status_name(NTSTATUS status);

/* ---- Fail fast and the debugger ---------------------------------------------------------- */

VOID RaiseFailFastException(PEXCEPTION_RECORD pExceptionRecord, PCONTEXT pContextRecord,
			    DWORD dwFlags)
{
	char text[UMN_TEXT_MAX];

	(void)pContextRecord;
	if (pExceptionRecord)
		snprintf(
		    text, sizeof(text),
		    "the driver failed fast: exception 0x%08X (flags 0x%x) at %p, %u parameters",
		    pExceptionRecord->ExceptionCode, pExceptionRecord->ExceptionFlags,
		    pExceptionRecord->ExceptionAddress, pExceptionRecord->NumberParameters);
	else
		snprintf(text, sizeof(text),
			 "the driver failed fast (no exception record, flags 0x%x)", dwFlags);
	umn_log(UMN_LOG_ERR, "%s", text);
	if (umn_rt.ops && umn_rt.ops->report)
		umn_rt.ops->report(NULL, UMN_LOG_ERR, text);
	if (umn_rt.ops && umn_rt.ops->device_failed)
		umn_rt.ops->device_failed(NULL, STATUS_DRIVER_INTERNAL_ERROR, text);
	fflush(stderr);
	/* Nothing may run after a fail fast: no handlers, no destructors. */
	_exit(70);
}

BOOL IsDebuggerPresent(VOID)
{
	return umn_debugger_attached();
}

VOID DebugBreak(VOID)
{
	if (umn_debugger_attached())
		raise(SIGTRAP);
	else
		umn_log(UMN_LOG_WARN, "DebugBreak called without a debugger attached");
}

static void debug_line(const char *s)
{
	size_t n = strlen(s);

	/* Callers end their lines with a newline; the log adds its own. */
	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	umn_log(UMN_LOG_DEBUG, "%.*s", (int)(n > 1000 ? 1000 : n), s);
}

VOID OutputDebugStringA(LPCSTR lpOutputString)
{
	if (lpOutputString)
		debug_line(lpOutputString);
}

VOID OutputDebugStringW(LPCWSTR lpOutputString)
{
	char buf[1024];

	if (!lpOutputString)
		return;
	if (!WideCharToMultiByte(CP_UTF8, 0, lpOutputString, -1, buf, sizeof(buf), NULL, NULL))
		buf[sizeof(buf) - 1] = 0; /* too long: what fitted */
	debug_line(buf);
}

/* ---- Modules ---------------------------------------------------------------------------- */

HMODULE GetModuleHandleW(LPCWSTR lpModuleName)
{
	if (lpModuleName) {
		SetLastError(ERROR_MOD_NOT_FOUND);
		return NULL;
	}
	return (HMODULE)dlopen(NULL, RTLD_NOW);
}

HMODULE GetModuleHandleA(LPCSTR lpModuleName)
{
	if (lpModuleName) {
		SetLastError(ERROR_MOD_NOT_FOUND);
		return NULL;
	}
	return (HMODULE)dlopen(NULL, RTLD_NOW);
}

BOOL GetModuleHandleExW(DWORD dwFlags, LPCWSTR lpModuleName, HMODULE *phModule)
{
	Dl_info info;
	void *h;

	if (!phModule || (dwFlags & ~(DWORD)(GET_MODULE_HANDLE_EX_FLAG_PIN |
					     GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT |
					     GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS))) {
		SetLastError(ERROR_INVALID_PARAMETER);
		return FALSE;
	}
	*phModule = NULL;
	if (!(dwFlags & GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS)) {
		*phModule = GetModuleHandleW(lpModuleName);
		return *phModule != NULL;
	}
	if (!dladdr((const void *)lpModuleName, &info) || !info.dli_fname) {
		SetLastError(ERROR_MOD_NOT_FOUND);
		return FALSE;
	}
	/* Already loaded, so RTLD_NOLOAD finds it by name without opening a file. */
	h = info.dli_fname[0] ? dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD)
			      : dlopen(NULL, RTLD_NOW);
	if (!h) {
		SetLastError(ERROR_MOD_NOT_FOUND);
		return FALSE;
	}
	/* Modules are never unloaded here, so the reference dlopen took need not be kept. */
	if (info.dli_fname[0])
		dlclose(h);
	*phModule = (HMODULE)h;
	return TRUE;
}

FARPROC GetProcAddress(HMODULE hModule, LPCSTR lpProcName)
{
	void *sym;

	if (!hModule || !lpProcName || (uintptr_t)lpProcName < 0x10000) {
		/* Ordinals (names below 64 Ki) do not exist for shared objects. */
		SetLastError(hModule ? ERROR_PROC_NOT_FOUND : ERROR_INVALID_HANDLE);
		return NULL;
	}
	sym = dlsym((void *)hModule, lpProcName);
	if (!sym) {
		SetLastError(ERROR_PROC_NOT_FOUND);
		return NULL;
	}
	FARPROC f;

	memcpy(&f, &sym, sizeof(f));
	return f;
}

BOOL FreeLibrary(HMODULE hLibModule)
{
	if (!hLibModule) {
		SetLastError(ERROR_INVALID_HANDLE);
		return FALSE;
	}
	return TRUE;
}

/* The module's file name in UTF-8 (the program's for NULL), or NULL. */
static const char *module_name(HMODULE h)
{
	struct link_map *lm = NULL;

	if (h && dlinfo((void *)h, RTLD_DI_LINKMAP, &lm) == 0 && lm && lm->l_name && lm->l_name[0])
		return lm->l_name;
	return program_invocation_name;
}

DWORD GetModuleFileNameA(HMODULE hModule, LPSTR lpFilename, DWORD nSize)
{
	const char *name = module_name(hModule);
	size_t n = strlen(name);

	if (!lpFilename || nSize == 0) {
		SetLastError(ERROR_INSUFFICIENT_BUFFER);
		return 0;
	}
	if (n >= nSize) {
		memcpy(lpFilename, name, nSize - 1);
		lpFilename[nSize - 1] = 0;
		SetLastError(ERROR_INSUFFICIENT_BUFFER);
		return nSize;
	}
	memcpy(lpFilename, name, n + 1);
	return (DWORD)n;
}

DWORD GetModuleFileNameW(HMODULE hModule, LPWSTR lpFilename, DWORD nSize)
{
	const char *name = module_name(hModule);
	int n;

	if (!lpFilename || nSize == 0) {
		SetLastError(ERROR_INSUFFICIENT_BUFFER);
		return 0;
	}
	n = MultiByteToWideChar(CP_UTF8, 0, name, -1, lpFilename,
				(int)(nSize > INT32_MAX ? INT32_MAX : nSize));
	if (n > 0)
		return (DWORD)n - 1;
	/* Too long: as much as fits, terminated, and the size given. */
	for (n = 0; (DWORD)n + 1 < nSize && name[n]; n++)
		lpFilename[n] = (unsigned char)name[n];
	lpFilename[n] = 0;
	SetLastError(ERROR_INSUFFICIENT_BUFFER);
	return nSize;
}

/* ---- Code page conversions --------------------------------------------------------------- */

static bool utf8_page(UINT cp)
{
	return cp == CP_ACP || cp == CP_OEMCP || cp == CP_THREAD_ACP || cp == CP_UTF8;
}

int MultiByteToWideChar(UINT CodePage, DWORD dwFlags, LPCCH lpMultiByteStr, int cbMultiByte,
			LPWSTR lpWideCharStr, int cchWideChar)
{
	const unsigned char *s = (const unsigned char *)lpMultiByteStr;
	size_t len, i = 0;
	int w = 0;

	if (!utf8_page(CodePage) || !s || cbMultiByte == 0 || cbMultiByte < -1 || cchWideChar < 0 ||
	    (cchWideChar && !lpWideCharStr) ||
	    (dwFlags & ~(DWORD)(MB_PRECOMPOSED | MB_ERR_INVALID_CHARS))) {
		SetLastError(ERROR_INVALID_PARAMETER);
		return 0;
	}
	len = cbMultiByte == -1 ? strlen((const char *)s) + 1 : (size_t)cbMultiByte;
	while (i < len) {
		uint32_t cp;
		size_t k = utf8_decode(s + i, len - i, &cp);

		if (!k) {
			if (dwFlags & MB_ERR_INVALID_CHARS) {
				SetLastError(ERROR_NO_UNICODE_TRANSLATION);
				return 0;
			}
			cp = 0xfffd;
			k = 1;
		}
		if (cchWideChar) {
			if (w >= cchWideChar) {
				SetLastError(ERROR_INSUFFICIENT_BUFFER);
				return 0;
			}
			lpWideCharStr[w] = (WCHAR)cp;
		}
		if (w == INT32_MAX) {
			SetLastError(ERROR_INVALID_PARAMETER);
			return 0;
		}
		w++;
		i += k;
	}
	return w;
}

int WideCharToMultiByte(UINT CodePage, DWORD dwFlags, LPCWCH lpWideCharStr, int cchWideChar,
			LPSTR lpMultiByteStr, int cbMultiByte, LPCCH lpDefaultChar,
			LPBOOL lpUsedDefaultChar)
{
	size_t len, out = 0;

	if (!utf8_page(CodePage) || !lpWideCharStr || cchWideChar == 0 || cchWideChar < -1 ||
	    cbMultiByte < 0 || (cbMultiByte && !lpMultiByteStr) || lpDefaultChar ||
	    lpUsedDefaultChar ||
	    (dwFlags & ~(DWORD)(WC_ERR_INVALID_CHARS | WC_NO_BEST_FIT_CHARS))) {
		SetLastError(ERROR_INVALID_PARAMETER);
		return 0;
	}
	len = cchWideChar == -1 ? wcslen(lpWideCharStr) + 1 : (size_t)cchWideChar;
	for (size_t i = 0; i < len; i++) {
		uint32_t cp = (uint32_t)lpWideCharStr[i];
		unsigned char enc[4];
		size_t k;

		if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
			if (dwFlags & WC_ERR_INVALID_CHARS) {
				SetLastError(ERROR_NO_UNICODE_TRANSLATION);
				return 0;
			}
			cp = 0xfffd;
		}
		k = utf8_encode(cp, enc);
		if (cbMultiByte) {
			if (out + k > (size_t)cbMultiByte) {
				SetLastError(ERROR_INSUFFICIENT_BUFFER);
				return 0;
			}
			memcpy(lpMultiByteStr + out, enc, k);
		}
		out += k;
		if (out > INT32_MAX) {
			SetLastError(ERROR_INVALID_PARAMETER);
			return 0;
		}
	}
	return (int)out;
}

/* ---- Local memory ------------------------------------------------------------------------- */

HLOCAL LocalAlloc(UINT uFlags, SIZE_T uBytes)
{
	void *p;

	if (uFlags & ~(UINT)(LMEM_FIXED | LMEM_ZEROINIT)) {
		/* Moveable blocks (LMEM_MOVEABLE) belong to 16-bit Windows. */
		SetLastError(ERROR_INVALID_PARAMETER);
		return NULL;
	}
	p = HeapAlloc(GetProcessHeap(), (uFlags & LMEM_ZEROINIT) ? HEAP_ZERO_MEMORY : 0, uBytes);
	if (!p)
		SetLastError(ERROR_NOT_ENOUGH_MEMORY);
	return p;
}

HLOCAL LocalFree(HLOCAL hMem)
{
	if (hMem && !HeapFree(GetProcessHeap(), 0, hMem))
		return hMem;
	return NULL;
}

/* ---- Closers of objects that cannot exist here ------------------------------------------- */

BOOL VirtualFree(LPVOID lpAddress, SIZE_T dwSize, DWORD dwFreeType)
{
	(void)lpAddress, (void)dwSize, (void)dwFreeType;
	SetLastError(ERROR_INVALID_ADDRESS);
	return FALSE;
}

BOOL UnmapViewOfFile(LPCVOID lpBaseAddress)
{
	(void)lpBaseAddress;
	SetLastError(ERROR_INVALID_ADDRESS);
	return FALSE;
}

BOOL FindClose(HANDLE hFindFile)
{
	(void)hFindFile;
	SetLastError(ERROR_INVALID_HANDLE);
	return FALSE;
}

BOOL FindCloseChangeNotification(HANDLE hChangeHandle)
{
	(void)hChangeHandle;
	SetLastError(ERROR_INVALID_HANDLE);
	return FALSE;
}

PVOID FreeSid(PSID pSid)
{
	SetLastError(ERROR_INVALID_HANDLE);
	return pSid;
}

VOID DeleteBoundaryDescriptor(HANDLE BoundaryDescriptor)
{
	(void)BoundaryDescriptor;
}

BOOLEAN ClosePrivateNamespace(HANDLE Handle, ULONG Flags)
{
	(void)Handle;
	(void)Flags;
	SetLastError(ERROR_INVALID_HANDLE);
	return FALSE;
}

PTP_WAIT CreateThreadpoolWait(PTP_WAIT_CALLBACK pfnwa, PVOID pv, PTP_CALLBACK_ENVIRON pcbe)
{
	(void)pfnwa, (void)pv, (void)pcbe;
	SetLastError(ERROR_NOT_SUPPORTED);
	return NULL;
}

PTP_WORK CreateThreadpoolWork(PTP_WORK_CALLBACK pfnwk, PVOID pv, PTP_CALLBACK_ENVIRON pcbe)
{
	(void)pfnwk, (void)pv, (void)pcbe;
	SetLastError(ERROR_NOT_SUPPORTED);
	return NULL;
}

PTP_TIMER CreateThreadpoolTimer(PTP_TIMER_CALLBACK pfnti, PVOID pv, PTP_CALLBACK_ENVIRON pcbe)
{
	(void)pfnti, (void)pv, (void)pcbe;
	SetLastError(ERROR_NOT_SUPPORTED);
	return NULL;
}

static void no_pool_object(const char *fn, const void *obj)
{
	if (obj)
		umn_log(UMN_LOG_WARN, "%s(%p): there is no thread pool here, so no such object", fn,
			obj);
}

VOID CloseThreadpoolWork(PTP_WORK pwk)
{
	no_pool_object(__func__, pwk);
}

VOID WaitForThreadpoolWorkCallbacks(PTP_WORK pwk, BOOL fCancelPendingCallbacks)
{
	(void)fCancelPendingCallbacks;
	no_pool_object(__func__, pwk);
}

VOID SetThreadpoolTimer(PTP_TIMER pti, PFILETIME pftDueTime, DWORD msPeriod, DWORD msWindowLength)
{
	(void)pftDueTime, (void)msPeriod, (void)msWindowLength;
	no_pool_object(__func__, pti);
}

VOID CloseThreadpoolTimer(PTP_TIMER pti)
{
	no_pool_object(__func__, pti);
}

VOID WaitForThreadpoolTimerCallbacks(PTP_TIMER pti, BOOL fCancelPendingCallbacks)
{
	(void)fCancelPendingCallbacks;
	no_pool_object(__func__, pti);
}

VOID SetThreadpoolWait(PTP_WAIT pwa, HANDLE h, PFILETIME pftTimeout)
{
	(void)h, (void)pftTimeout;
	no_pool_object(__func__, pwa);
}

VOID CloseThreadpoolWait(PTP_WAIT pwa)
{
	no_pool_object(__func__, pwa);
}

VOID WaitForThreadpoolWaitCallbacks(PTP_WAIT pwa, BOOL fCancelPendingCallbacks)
{
	(void)fCancelPendingCallbacks;
	no_pool_object(__func__, pwa);
}

VOID CloseThreadpoolIo(PTP_IO pio)
{
	no_pool_object(__func__, pio);
}

VOID WaitForThreadpoolIoCallbacks(PTP_IO pio, BOOL fCancelPendingCallbacks)
{
	(void)fCancelPendingCallbacks;
	no_pool_object(__func__, pio);
}
