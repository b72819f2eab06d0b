/* SPDX-License-Identifier: MIT */
/* Kernel-mode driver sources include <ntddk.h>; as in the WDK it brings <wdm.h>. */
#ifndef UMNIC_NTDDK_H
#define UMNIC_NTDDK_H
#include <ntdef.h>
#include <ntstatus.h>
#include <wdm.h>
#endif
