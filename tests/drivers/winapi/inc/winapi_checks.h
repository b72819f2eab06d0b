/* SPDX-License-Identifier: MIT */
/* Found through the project's IncludePath (VC++ Directories), with angle brackets. */
#pragma once
#define WINAPI_SELFTEST_IOCTL 0x81262400
