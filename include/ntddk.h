/* SPDX-License-Identifier: MIT */
/* Kernel-mode driver sources include <ntddk.h>; here it brings the basic types and status codes. */
#ifndef UMNIC_NTDDK_H
#define UMNIC_NTDDK_H
#include <ntdef.h>
#include <ntstatus.h>
#endif
