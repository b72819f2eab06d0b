/* SPDX-License-Identifier: MIT */
/* wpptrace: a WDK-style driver that logs through WPP (driver.c in C, queue.cpp in C++). */
#ifndef WPPTRACE_H
#define WPPTRACE_H

#include <wdf.h>
#include <windows.h>

#include "trace.h"

#define WPPT_DEVICE_TYPE 0x8125u
/* Each IOCTL writes a known set of trace messages; the output says "OK". */
#define IOCTL_WPPT_TRACE CTL_CODE(WPPT_DEVICE_TYPE, 0x900, METHOD_BUFFERED, FILE_ANY_ACCESS)
/* Writes 5000 verbose messages at once, far more than may go out in a second. */
#define IOCTL_WPPT_FLOOD CTL_CODE(WPPT_DEVICE_TYPE, 0x901, METHOD_BUFFERED, FILE_ANY_ACCESS)
/*
 * What a tampered runtime could send: raw trace messages written on the host's
 * socket (fd 3), one with odd text, or as many as the socket takes.
 */
#define IOCTL_WPPT_RAW_ODD   CTL_CODE(WPPT_DEVICE_TYPE, 0x902, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_WPPT_RAW_FLOOD CTL_CODE(WPPT_DEVICE_TYPE, 0x903, METHOD_BUFFERED, FILE_ANY_ACCESS)

EXTERN_C NTSTATUS WpptRawTrace(ULONG IoControlCode);
EXTERN_C NTSTATUS WpptQueueCreate(WDFDEVICE Device);

#endif
