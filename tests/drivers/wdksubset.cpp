/* SPDX-License-Identifier: MIT */
/* The wdksubset test driver built as C++ (the source uses a C++ lock guard there). */
#include "wdksubset.c"
