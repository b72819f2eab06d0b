/* SPDX-License-Identifier: MIT */
/*
 * Win32 error codes as GetLastError returns them, and the conversions a
 * driver uses to hand one on as an NTSTATUS or an HRESULT.
 */
#ifndef UMNIC_WINERROR_H
#define UMNIC_WINERROR_H

#include <ntdef.h>

#define ERROR_SUCCESS 0L
#define NO_ERROR 0L
#define ERROR_INVALID_FUNCTION 1L
#define ERROR_FILE_NOT_FOUND 2L
#define ERROR_PATH_NOT_FOUND 3L
#define ERROR_ACCESS_DENIED 5L
#define ERROR_INVALID_HANDLE 6L
#define ERROR_NOT_ENOUGH_MEMORY 8L
#define ERROR_INVALID_DATA 13L
#define ERROR_OUTOFMEMORY 14L
#define ERROR_NOT_READY 21L
#define ERROR_BAD_LENGTH 24L
#define ERROR_GEN_FAILURE 31L
#define ERROR_NOT_SUPPORTED 50L
#define ERROR_INVALID_PARAMETER 87L
#define ERROR_CALL_NOT_IMPLEMENTED 120L
#define ERROR_INSUFFICIENT_BUFFER 122L
#define ERROR_INVALID_NAME 123L
#define ERROR_ALREADY_EXISTS 183L
#define ERROR_MORE_DATA 234L
#define ERROR_NO_MORE_ITEMS 259L
#define ERROR_NOT_OWNER 288L
#define ERROR_TOO_MANY_POSTS 298L
#define ERROR_INVALID_ADDRESS 487L
#define ERROR_OPERATION_ABORTED 995L
#define ERROR_IO_PENDING 997L
#define ERROR_NOT_FOUND 1168L
#define ERROR_INVALID_STATE 5023L
#define ERROR_TIMEOUT 1460L
#ifndef WAIT_TIMEOUT
#define WAIT_TIMEOUT 258L
#endif

/* NTSTATUS facility for Win32 errors: 0xC007xxxx, as the WDK builds it. */
#define FACILITY_NTWIN32 0x7
#define FACILITY_WIN32 7
#define ERROR_SEVERITY_ERROR 0xC0000000
#define NTSTATUS_FROM_WIN32(x)                                                  \
	((NTSTATUS)(x) <= 0 ? (NTSTATUS)(x)                                       \
			    : (NTSTATUS)(((x) & 0x0000FFFF) | (FACILITY_NTWIN32 << 16) | \
					 ERROR_SEVERITY_ERROR))

#define S_OK ((HRESULT)0L)
#define S_FALSE ((HRESULT)1L)
#define E_NOTIMPL ((HRESULT)0x80004001L)
#define E_OUTOFMEMORY ((HRESULT)0x8007000EL)
#define E_INVALIDARG ((HRESULT)0x80070057L)
#define E_POINTER ((HRESULT)0x80004003L)
#define E_UNEXPECTED ((HRESULT)0x8000FFFFL)
#define E_FAIL ((HRESULT)0x80004005L)
#define E_ACCESSDENIED ((HRESULT)0x80070005L)
#define SUCCEEDED(hr) (((HRESULT)(hr)) >= 0)
#define FAILED(hr) (((HRESULT)(hr)) < 0)
#define HRESULT_CODE(hr) ((hr) & 0xFFFF)
#define HRESULT_FACILITY(hr) (((hr) >> 16) & 0x1fff)
#define HRESULT_FROM_WIN32(x)            \
	((HRESULT)(x) <= 0 ? (HRESULT)(x) \
			   : (HRESULT)(((x) & 0x0000FFFF) | (FACILITY_WIN32 << 16) | 0x80000000))
#define HRESULT_FROM_NT(x) ((HRESULT)((x) | 0x10000000))

#endif
