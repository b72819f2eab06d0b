/* SPDX-License-Identifier: MIT */
/* Makes DEFINE_GUID in the headers that follow define their GUIDs instead of declaring them. */
#ifndef INITGUID
#define INITGUID
#endif
#include <guiddef.h>
