/* SPDX-License-Identifier: MIT */
/* Placement new and the nothrow allocation forms, for C++ drivers. */
#ifndef UMNIC_NEW_H
#define UMNIC_NEW_H
#ifdef __cplusplus
#include <new>
#endif
#endif
