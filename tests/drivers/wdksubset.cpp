/* SPDX-License-Identifier: MIT */
/*
 * The wdksubset test driver built as C++, in user mode and in kernel mode
 * (-D_KERNEL_MODE): the source uses C++ lock guards there, whose FORCEINLINE
 * members must stay members.
 */
#include "wdksubset.c"
