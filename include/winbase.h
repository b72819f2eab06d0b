/* SPDX-License-Identifier: MIT */
/*
 * The Win32 subset user-mode drivers use, over POSIX: kernel object handles
 * (events, mutexes, semaphores, threads) and the waits on them, slim
 * reader/writer locks, critical sections and condition variables, time,
 * the per-thread last error, and the process heap. <windows.h> brings it.
 *
 * Everything works inside the driver host's sandbox: waits are futexes and
 * condition variables, threads are clone()d threads. The sandbox allows no
 * scheduler changes, so thread priorities and group affinities are
 * validated and recorded per thread, and reported back, but the kernel's
 * scheduling of the thread does not change (docs/wdk-surface.md).
 *
 * Functions that fail set the thread's last error (GetLastError), as on
 * Windows. Names are those of Windows' Unicode build when UNICODE is defined
 * (CreateEvent is CreateEventW), otherwise the ANSI ones.
 */
#ifndef UMNIC_WINBASE_H
#define UMNIC_WINBASE_H
/* The name Windows' own header guards itself with; libraries (WIL) test it. */
#define _WINBASE_

#include <stdarg.h>
#include <ntdef.h>
#include <winerror.h>
#include <winnt.h>

UMNIC_EXTERN_C_BEGIN

typedef struct _SECURITY_ATTRIBUTES {
	DWORD nLength;
	LPVOID lpSecurityDescriptor;
	BOOL bInheritHandle;
} SECURITY_ATTRIBUTES, *PSECURITY_ATTRIBUTES, *LPSECURITY_ATTRIBUTES;

typedef struct _FILETIME {
	DWORD dwLowDateTime;
	DWORD dwHighDateTime;
} FILETIME, *PFILETIME, *LPFILETIME;

typedef DWORD(WINAPI *PTHREAD_START_ROUTINE)(LPVOID lpThreadParameter);
typedef PTHREAD_START_ROUTINE LPTHREAD_START_ROUTINE;

#define INVALID_HANDLE_VALUE ((HANDLE)(LONG_PTR)-1)

/* ---- Waits --------------------------------------------------------------------------------- */

#define INFINITE 0xFFFFFFFF
#define MAXIMUM_WAIT_OBJECTS 64
#define WAIT_OBJECT_0 0x00000000L
#define WAIT_ABANDONED 0x00000080L
#define WAIT_ABANDONED_0 WAIT_ABANDONED
#define WAIT_IO_COMPLETION 0x000000C0L
#ifndef WAIT_TIMEOUT
#define WAIT_TIMEOUT 258L
#endif
#define WAIT_FAILED ((DWORD)0xFFFFFFFF)

/*
 * Waits until hHandle is signalled or dwMilliseconds (INFINITE: no limit)
 * pass. WAIT_OBJECT_0, WAIT_ABANDONED (a mutex whose owner thread ended
 * without releasing it; the caller now owns it), WAIT_TIMEOUT, or
 * WAIT_FAILED with the last error set (ERROR_INVALID_HANDLE).
 */
DWORD WaitForSingleObject(HANDLE hHandle, DWORD dwMilliseconds);
DWORD WaitForSingleObjectEx(HANDLE hHandle, DWORD dwMilliseconds, BOOL bAlertable);

/*
 * bWaitAll FALSE: returns WAIT_OBJECT_0 + i for the lowest i signalled (or
 * WAIT_ABANDONED_0 + i). TRUE: returns once all are signalled at the same
 * time, and takes them all at once. nCount is 1..MAXIMUM_WAIT_OBJECTS; the
 * same object twice in a wait-all fails with ERROR_INVALID_PARAMETER.
 */
DWORD WaitForMultipleObjects(DWORD nCount, const HANDLE *lpHandles, BOOL bWaitAll,
			     DWORD dwMilliseconds);
DWORD WaitForMultipleObjectsEx(DWORD nCount, const HANDLE *lpHandles, BOOL bWaitAll,
			       DWORD dwMilliseconds, BOOL bAlertable);

/* Ends this handle; the object goes when its last handle closes (and a thread when it ends). */
BOOL CloseHandle(HANDLE hObject);
/*
 * A second handle to the same object, within this process (both process
 * handles GetCurrentProcess(), else ERROR_INVALID_PARAMETER); a thread's
 * pseudo handle gives a real one. Access masks are not checked.
 */
#define DUPLICATE_CLOSE_SOURCE 0x00000001
#define DUPLICATE_SAME_ACCESS 0x00000002
BOOL DuplicateHandle(HANDLE hSourceProcessHandle, HANDLE hSourceHandle,
		     HANDLE hTargetProcessHandle, LPHANDLE lpTargetHandle, DWORD dwDesiredAccess,
		     BOOL bInheritHandle, DWORD dwOptions);

/* ---- Events, mutexes, semaphores ------------------------------------------------------------ */

#define CREATE_EVENT_MANUAL_RESET 0x00000001
#define CREATE_EVENT_INITIAL_SET 0x00000002
#define CREATE_MUTEX_INITIAL_OWNER 0x00000001
#define EVENT_MODIFY_STATE 0x0002
#define EVENT_ALL_ACCESS 0x1F0003
#define MUTEX_MODIFY_STATE 0x0001
#define MUTEX_ALL_ACCESS 0x1F0001
#define SEMAPHORE_MODIFY_STATE 0x0002
#define SEMAPHORE_ALL_ACCESS 0x1F0003

/*
 * A manual-reset event stays signalled until ResetEvent; an auto-reset event
 * lets one wait through and resets. A name makes the object findable by
 * that name within this process (OpenEvent, or a second create, which
 * returns the existing event and sets ERROR_ALREADY_EXISTS); names are not
 * shared with other processes.
 */
HANDLE CreateEventW(LPSECURITY_ATTRIBUTES lpEventAttributes, BOOL bManualReset,
		    BOOL bInitialState, LPCWSTR lpName);
HANDLE CreateEventA(LPSECURITY_ATTRIBUTES lpEventAttributes, BOOL bManualReset,
		    BOOL bInitialState, LPCSTR lpName);
HANDLE CreateEventExW(LPSECURITY_ATTRIBUTES lpEventAttributes, LPCWSTR lpName, DWORD dwFlags,
		      DWORD dwDesiredAccess);
HANDLE CreateEventExA(LPSECURITY_ATTRIBUTES lpEventAttributes, LPCSTR lpName, DWORD dwFlags,
		      DWORD dwDesiredAccess);
HANDLE OpenEventW(DWORD dwDesiredAccess, BOOL bInheritHandle, LPCWSTR lpName);
HANDLE OpenEventA(DWORD dwDesiredAccess, BOOL bInheritHandle, LPCSTR lpName);
BOOL SetEvent(HANDLE hEvent);
BOOL ResetEvent(HANDLE hEvent);

/* Recursive, owned by a thread; released by its owner only (else ERROR_NOT_OWNER). */
HANDLE CreateMutexW(LPSECURITY_ATTRIBUTES lpMutexAttributes, BOOL bInitialOwner, LPCWSTR lpName);
HANDLE CreateMutexA(LPSECURITY_ATTRIBUTES lpMutexAttributes, BOOL bInitialOwner, LPCSTR lpName);
/* dwFlags: CREATE_MUTEX_INITIAL_OWNER. OpenMutex finds a mutex this process named. */
HANDLE CreateMutexExW(LPSECURITY_ATTRIBUTES lpMutexAttributes, LPCWSTR lpName, DWORD dwFlags,
		      DWORD dwDesiredAccess);
HANDLE CreateMutexExA(LPSECURITY_ATTRIBUTES lpMutexAttributes, LPCSTR lpName, DWORD dwFlags,
		      DWORD dwDesiredAccess);
HANDLE OpenMutexW(DWORD dwDesiredAccess, BOOL bInheritHandle, LPCWSTR lpName);
HANDLE OpenMutexA(DWORD dwDesiredAccess, BOOL bInheritHandle, LPCSTR lpName);
BOOL ReleaseMutex(HANDLE hMutex);

/* Past lMaximumCount, ReleaseSemaphore fails with ERROR_TOO_MANY_POSTS and changes nothing. */
HANDLE CreateSemaphoreW(LPSECURITY_ATTRIBUTES lpSemaphoreAttributes, LONG lInitialCount,
			LONG lMaximumCount, LPCWSTR lpName);
HANDLE CreateSemaphoreA(LPSECURITY_ATTRIBUTES lpSemaphoreAttributes, LONG lInitialCount,
			LONG lMaximumCount, LPCSTR lpName);
/* dwFlags is reserved (0). */
HANDLE CreateSemaphoreExW(LPSECURITY_ATTRIBUTES lpSemaphoreAttributes, LONG lInitialCount,
			  LONG lMaximumCount, LPCWSTR lpName, DWORD dwFlags, DWORD dwDesiredAccess);
HANDLE CreateSemaphoreExA(LPSECURITY_ATTRIBUTES lpSemaphoreAttributes, LONG lInitialCount,
			  LONG lMaximumCount, LPCSTR lpName, DWORD dwFlags, DWORD dwDesiredAccess);
HANDLE OpenSemaphoreW(DWORD dwDesiredAccess, BOOL bInheritHandle, LPCWSTR lpName);
HANDLE OpenSemaphoreA(DWORD dwDesiredAccess, BOOL bInheritHandle, LPCSTR lpName);
BOOL ReleaseSemaphore(HANDLE hSemaphore, LONG lReleaseCount, LPLONG lpPreviousCount);

#ifdef UNICODE
#define CreateEvent CreateEventW
#define CreateEventEx CreateEventExW
#define OpenEvent OpenEventW
#define CreateMutex CreateMutexW
#define CreateMutexEx CreateMutexExW
#define OpenMutex OpenMutexW
#define CreateSemaphore CreateSemaphoreW
#define CreateSemaphoreEx CreateSemaphoreExW
#define OpenSemaphore OpenSemaphoreW
#else
#define CreateEvent CreateEventA
#define CreateEventEx CreateEventExA
#define OpenEvent OpenEventA
#define CreateMutex CreateMutexA
#define CreateMutexEx CreateMutexExA
#define OpenMutex OpenMutexA
#define CreateSemaphore CreateSemaphoreA
#define CreateSemaphoreEx CreateSemaphoreExA
#define OpenSemaphore OpenSemaphoreA
#endif

/* ---- Threads ------------------------------------------------------------------------------- */

#define CREATE_SUSPENDED 0x00000004
#define STACK_SIZE_PARAM_IS_A_RESERVATION 0x00010000
#define STILL_ACTIVE 259
#define THREAD_ALL_ACCESS 0x1FFFFF
#define THREAD_SET_INFORMATION 0x0020
#define THREAD_QUERY_INFORMATION 0x0040

#define THREAD_PRIORITY_IDLE (-15)
#define THREAD_PRIORITY_LOWEST (-2)
#define THREAD_PRIORITY_BELOW_NORMAL (-1)
#define THREAD_PRIORITY_NORMAL 0
#define THREAD_PRIORITY_ABOVE_NORMAL 1
#define THREAD_PRIORITY_HIGHEST 2
#define THREAD_PRIORITY_TIME_CRITICAL 15
#define THREAD_PRIORITY_ERROR_RETURN (MAXLONG)
#define ALL_PROCESSOR_GROUPS 0xffff

/*
 * Starts lpStartAddress(lpParameter) on a new thread (with every signal
 * blocked, as the framework's threads are). The handle is signalled when
 * the thread ends; GetExitCodeThread gives its return value.
 * CREATE_SUSPENDED holds it until ResumeThread. dwStackSize 0 is the default.
 */
HANDLE CreateThread(LPSECURITY_ATTRIBUTES lpThreadAttributes, SIZE_T dwStackSize,
		    LPTHREAD_START_ROUTINE lpStartAddress, LPVOID lpParameter,
		    DWORD dwCreationFlags, LPDWORD lpThreadId);
DWORD ResumeThread(HANDLE hThread);
__attribute__((noreturn)) VOID ExitThread(DWORD dwExitCode);
BOOL GetExitCodeThread(HANDLE hThread, LPDWORD lpExitCode);

/* Pseudo handles: they need no CloseHandle and mean "the calling thread/process". */
HANDLE GetCurrentThread(VOID);
HANDLE GetCurrentProcess(VOID);
DWORD GetCurrentThreadId(VOID);
DWORD GetCurrentProcessId(VOID);
DWORD GetThreadId(HANDLE Thread);

/* Recorded (see the top of this file). nPriority must be one of THREAD_PRIORITY_*. */
BOOL SetThreadPriority(HANDLE hThread, int nPriority);
int GetThreadPriority(HANDLE hThread);

/*
 * Group 0 only; the mask must be non-empty and within the processors this
 * process may run on (ERROR_INVALID_PARAMETER otherwise). Recorded.
 */
BOOL SetThreadGroupAffinity(HANDLE hThread, const GROUP_AFFINITY *GroupAffinity,
			    PGROUP_AFFINITY PreviousGroupAffinity);
BOOL GetThreadGroupAffinity(HANDLE hThread, PGROUP_AFFINITY GroupAffinity);
DWORD GetActiveProcessorCount(WORD GroupNumber);
WORD GetActiveProcessorGroupCount(VOID);

/* ---- Slim reader/writer locks, condition variables, critical sections ---------------------- */

/* Pointer sized and statically initializable, as on Windows; never recursive. */
typedef struct _RTL_SRWLOCK {
	PVOID Ptr;
} RTL_SRWLOCK, SRWLOCK, *PSRWLOCK;
#define RTL_SRWLOCK_INIT { 0 }
#define SRWLOCK_INIT RTL_SRWLOCK_INIT

typedef struct _RTL_CONDITION_VARIABLE {
	PVOID Ptr;
} RTL_CONDITION_VARIABLE, CONDITION_VARIABLE, *PCONDITION_VARIABLE;
#define RTL_CONDITION_VARIABLE_INIT { 0 }
#define CONDITION_VARIABLE_INIT RTL_CONDITION_VARIABLE_INIT
#define CONDITION_VARIABLE_LOCKMODE_SHARED 0x1

/* A recursive lock owned by a thread. LockCount is the word waiters sleep on. */
typedef struct _RTL_CRITICAL_SECTION {
	PVOID DebugInfo;
	LONG LockCount;
	LONG RecursionCount;
	HANDLE OwningThread;
	HANDLE LockSemaphore;
	ULONG_PTR SpinCount;
} RTL_CRITICAL_SECTION, CRITICAL_SECTION, *PRTL_CRITICAL_SECTION, *PCRITICAL_SECTION,
	*LPCRITICAL_SECTION;
#define CRITICAL_SECTION_NO_DEBUG_INFO 0x01000000

VOID InitializeSRWLock(PSRWLOCK SRWLock);
VOID AcquireSRWLockExclusive(PSRWLOCK SRWLock);
VOID AcquireSRWLockShared(PSRWLOCK SRWLock);
VOID ReleaseSRWLockExclusive(PSRWLOCK SRWLock);
VOID ReleaseSRWLockShared(PSRWLOCK SRWLock);
BOOLEAN TryAcquireSRWLockExclusive(PSRWLOCK SRWLock);
BOOLEAN TryAcquireSRWLockShared(PSRWLOCK SRWLock);

VOID InitializeConditionVariable(PCONDITION_VARIABLE ConditionVariable);
VOID WakeConditionVariable(PCONDITION_VARIABLE ConditionVariable);
VOID WakeAllConditionVariable(PCONDITION_VARIABLE ConditionVariable);
/* FALSE with ERROR_TIMEOUT when dwMilliseconds pass; the lock is held again either way. */
BOOL SleepConditionVariableSRW(PCONDITION_VARIABLE ConditionVariable, PSRWLOCK SRWLock,
			       DWORD dwMilliseconds, ULONG Flags);
BOOL SleepConditionVariableCS(PCONDITION_VARIABLE ConditionVariable,
			      PCRITICAL_SECTION CriticalSection, DWORD dwMilliseconds);

VOID InitializeCriticalSection(LPCRITICAL_SECTION lpCriticalSection);
BOOL InitializeCriticalSectionAndSpinCount(LPCRITICAL_SECTION lpCriticalSection,
					   DWORD dwSpinCount);
BOOL InitializeCriticalSectionEx(LPCRITICAL_SECTION lpCriticalSection, DWORD dwSpinCount,
				 DWORD Flags);
VOID EnterCriticalSection(LPCRITICAL_SECTION lpCriticalSection);
BOOL TryEnterCriticalSection(LPCRITICAL_SECTION lpCriticalSection);
VOID LeaveCriticalSection(LPCRITICAL_SECTION lpCriticalSection);
VOID DeleteCriticalSection(LPCRITICAL_SECTION lpCriticalSection);

/* ---- Time ---------------------------------------------------------------------------------- */

/* Sleep(0) yields the processor. */
VOID Sleep(DWORD dwMilliseconds);
DWORD SleepEx(DWORD dwMilliseconds, BOOL bAlertable);
/* Milliseconds since boot, counting time suspended. */
ULONGLONG GetTickCount64(VOID);
DWORD GetTickCount(VOID);
/* A monotonic counter at 10 MHz (100 ns units), the frequency current Windows reports. */
BOOL QueryPerformanceCounter(LARGE_INTEGER *lpPerformanceCount);
BOOL QueryPerformanceFrequency(LARGE_INTEGER *lpFrequency);
/* 100 ns units since 1601-01-01 UTC. */
VOID GetSystemTimeAsFileTime(LPFILETIME lpSystemTimeAsFileTime);
VOID GetSystemTimePreciseAsFileTime(LPFILETIME lpSystemTimeAsFileTime);

/* ---- Errors -------------------------------------------------------------------------------- */

DWORD GetLastError(VOID);
VOID SetLastError(DWORD dwErrCode);

/* ---- Heap ---------------------------------------------------------------------------------- */

#define HEAP_NO_SERIALIZE 0x00000001
#define HEAP_GENERATE_EXCEPTIONS 0x00000004
#define HEAP_ZERO_MEMORY 0x00000008
#define HEAP_REALLOC_IN_PLACE_ONLY 0x00000010

/*
 * The process heap is the C library's, blocks aligned to 16 bytes. HeapSize
 * gives the size asked for. A handle other than GetProcessHeap()'s fails
 * with ERROR_INVALID_HANDLE.
 */
HANDLE GetProcessHeap(VOID);
LPVOID HeapAlloc(HANDLE hHeap, DWORD dwFlags, SIZE_T dwBytes);
LPVOID HeapReAlloc(HANDLE hHeap, DWORD dwFlags, LPVOID lpMem, SIZE_T dwBytes);
BOOL HeapFree(HANDLE hHeap, DWORD dwFlags, LPVOID lpMem);
SIZE_T HeapSize(HANDLE hHeap, DWORD dwFlags, LPCVOID lpMem);

/* ---- Messages and local memory ------------------------------------------------------------ */
#define FORMAT_MESSAGE_MAX_WIDTH_MASK 0x000000FF
#define FORMAT_MESSAGE_ALLOCATE_BUFFER 0x00000100
#define FORMAT_MESSAGE_IGNORE_INSERTS 0x00000200
#define FORMAT_MESSAGE_FROM_STRING 0x00000400
#define FORMAT_MESSAGE_FROM_HMODULE 0x00000800
#define FORMAT_MESSAGE_FROM_SYSTEM 0x00001000
#define FORMAT_MESSAGE_ARGUMENT_ARRAY 0x00002000
/*
 * FROM_SYSTEM: a one-line description of a Win32 error, of an HRESULT that
 * carries one (FACILITY_WIN32) or of an NTSTATUS (or one carried with
 * FACILITY_NT_BIT), in English whatever the language asked; a code umnic
 * has no text for fails with ERROR_MR_MID_NOT_FOUND, as Windows does.
 * FROM_STRING takes lpSource as the text, which needs IGNORE_INSERTS
 * unless it has no %1-style inserts. ALLOCATE_BUFFER stores a LocalAlloc'ed
 * buffer in *(LPWSTR *)lpBuffer. Returns the characters written, without
 * the terminator; 0 with the last error set on failure.
 */
DWORD FormatMessageW(DWORD dwFlags, LPCVOID lpSource, DWORD dwMessageId, DWORD dwLanguageId,
		     LPWSTR lpBuffer, DWORD nSize, va_list *Arguments);
DWORD FormatMessageA(DWORD dwFlags, LPCVOID lpSource, DWORD dwMessageId, DWORD dwLanguageId,
		     LPSTR lpBuffer, DWORD nSize, va_list *Arguments);
#ifdef UNICODE
#define FormatMessage FormatMessageW
#else
#define FormatMessage FormatMessageA
#endif
#define LMEM_FIXED 0x0000
#define LMEM_ZEROINIT 0x0040
#define LPTR (LMEM_FIXED | LMEM_ZEROINIT)
/* Fixed blocks from the process heap; LocalFree gives NULL on success. */
HLOCAL LocalAlloc(UINT uFlags, SIZE_T uBytes);
HLOCAL LocalFree(HLOCAL hMem);
/*
 * Closers for objects a driver cannot get here (no VirtualAlloc or file
 * mappings; the sandbox has no file search, change notifications, SIDs or
 * private namespaces): declared so
 * that code wrapping them compiles; they fail with ERROR_INVALID_HANDLE
 * (ERROR_INVALID_ADDRESS for memory; FreeSid returns its argument, its
 * failure value).
 */
#define PRIVATE_NAMESPACE_FLAG_DESTROY 0x00000001
#define MEM_COMMIT 0x00001000
#define MEM_RESERVE 0x00002000
#define MEM_DECOMMIT 0x00004000
#define MEM_RELEASE 0x00008000
BOOL VirtualFree(LPVOID lpAddress, SIZE_T dwSize, DWORD dwFreeType);
BOOL UnmapViewOfFile(LPCVOID lpBaseAddress);
BOOL FindClose(HANDLE hFindFile);
BOOL FindCloseChangeNotification(HANDLE hChangeHandle);
PVOID FreeSid(PSID pSid);
VOID DeleteBoundaryDescriptor(HANDLE BoundaryDescriptor);
BOOLEAN ClosePrivateNamespace(HANDLE Handle, ULONG Flags);

UMNIC_EXTERN_C_END

#endif
