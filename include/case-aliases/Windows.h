/* SPDX-License-Identifier: MIT */
/* <Windows.h>: Windows finds headers whatever the case; Linux does not (docs/decisions.md). */
#include <windows.h>
