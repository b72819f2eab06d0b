/* SPDX-License-Identifier: MIT */
/*
 * The compiler intrinsics Windows sources take from <intrin.h>.
 *
 * clang with -fms-extensions knows the Microsoft ones as built-ins
 * (_ReturnAddress, __debugbreak, __fastfail, __noop, __annotation,
 * __iso_volatile_load32...), but its own <intrin.h> provides them only
 * when it targets Windows. Here the few built-ins clang wants declared are
 * declared, and gcc gets macros over its own built-ins. The processor's
 * own intrinsics (_mm_*) are the compiler's <immintrin.h>; __rdtsc and
 * YieldProcessor come with <wdm.h> and <windows.h>.
 *
 * __fastfail ends the process at once, as on Windows: the driver host
 * dies and umnicd restarts its devices under their restart policy.
 */
#ifndef UMNIC_INTRIN_H
#define UMNIC_INTRIN_H

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__has_builtin) && __has_builtin(_ReturnAddress)
/* clang -fms-extensions: built-ins; this one must be declared to be used without a warning. */
void *_AddressOfReturnAddress(void);
#else
#define _ReturnAddress() __builtin_return_address(0)
#define _AddressOfReturnAddress() ((void *)((char *)__builtin_frame_address(0) + sizeof(void *)))
#define __debugbreak() __builtin_trap()
#define __fastfail(code) ((void)(code), __builtin_trap())
#define __noop(...) ((void)0)
#define __annotation(...) ((void)0)
#define __iso_volatile_load8(p) (*(const volatile char *)(p))
#define __iso_volatile_load16(p) (*(const volatile short *)(p))
#define __iso_volatile_load32(p) (*(const volatile int *)(p))
#define __iso_volatile_load64(p) (*(const volatile long long *)(p))
#define __iso_volatile_store8(p, v) ((void)(*(volatile char *)(p) = (v)))
#define __iso_volatile_store16(p, v) ((void)(*(volatile short *)(p) = (v)))
#define __iso_volatile_store32(p, v) ((void)(*(volatile int *)(p) = (v)))
#define __iso_volatile_store64(p, v) ((void)(*(volatile long long *)(p) = (v)))
#endif

#ifdef __cplusplus
}
#endif

#endif
