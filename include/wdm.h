/* SPDX-License-Identifier: MIT */
/* Kernel-mode driver sources include <wdm.h>; here it brings the basic types and status codes. */
#ifndef UMNIC_WDM_H
#define UMNIC_WDM_H
#include <ntdef.h>
#include <ntstatus.h>
#endif
