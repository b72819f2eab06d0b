/* SPDX-License-Identifier: MIT */
/* What a UMDF driver source gets from <windows.h>: the basic types and status codes. */
#ifndef UMNIC_WINDOWS_H
#define UMNIC_WINDOWS_H
#include <ntdef.h>
#include <ntstatus.h>
#endif
