/* SPDX-License-Identifier: MIT */
/*
 * What a UMDF driver source gets from <windows.h>: the basic types, status
 * codes, Win32 error codes, the Win32 subset of <winbase.h> and the api-set
 * headers beside it, and the Microsoft C runtime additions (<corecrt_ms.h>).
 */
#ifndef UMNIC_WINDOWS_H
#define UMNIC_WINDOWS_H
#include <winapifamily.h>
#include <ntdef.h>
#include <ntstatus.h>
#include <winerror.h>
#include <winnt.h>
#include <winbase.h>
#include <errhandlingapi.h>
#include <threadpoolapiset.h>
#include <stringapiset.h>
#include <corecrt_ms.h>
#endif
