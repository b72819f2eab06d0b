/* SPDX-License-Identifier: MIT */
/*
 * What a UMDF driver source gets from <windows.h>: the basic types, status
 * codes, Win32 error codes, and the Win32 subset of <winbase.h>.
 */
#ifndef UMNIC_WINDOWS_H
#define UMNIC_WINDOWS_H
#include <ntdef.h>
#include <ntstatus.h>
#include <winerror.h>
#include <winbase.h>
#endif
