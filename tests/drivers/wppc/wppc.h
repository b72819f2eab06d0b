/* SPDX-License-Identifier: MIT */
/* wppc: a WDK-style driver in C that logs through WPP, built from its .vcxproj by umnic-build. */
#ifndef WPPC_H
#define WPPC_H

#include <wdf.h>
#include <windows.h>

#include "trace.h"

#define WPPC_DEVICE_TYPE 0x8126u
/* Each call writes the same set of trace messages, numbered by the call; the output says "OK". */
#define IOCTL_WPPC_TRACE CTL_CODE(WPPC_DEVICE_TYPE, 0x900, METHOD_BUFFERED, FILE_ANY_ACCESS)

NTSTATUS WppcQueueCreate(WDFDEVICE Device);

#endif
