/* SPDX-License-Identifier: MIT */
/*
 * GUIDs and DEFINE_GUID. As on Windows, DEFINE_GUID declares the GUID
 * (extern) unless INITGUID is defined, in which case it defines it. The
 * definition is weak, so two units that both define it link to one object.
 * Including <initguid.h> defines INITGUID and re-reads the DEFINE_GUID part
 * of this header, so the GUIDs of headers included afterwards are defined.
 */
#ifndef UMNIC_GUIDDEF_H
#define UMNIC_GUIDDEF_H

typedef struct _GUID {
	unsigned int Data1;
	unsigned short Data2;
	unsigned short Data3;
	unsigned char Data4[8];
} GUID, *PGUID, *LPGUID;
typedef const GUID *LPCGUID, *PCGUID;
typedef GUID IID, CLSID, FMTID;
typedef const GUID *REFGUID_PTR;
#ifdef __cplusplus
#define REFGUID const GUID &
#else
#define REFGUID const GUID *
#endif
#ifdef __cplusplus
static_assert(sizeof(GUID) == 16, "GUID is 16 bytes");
#else
_Static_assert(sizeof(GUID) == 16, "GUID is 16 bytes");
#endif

#ifdef __cplusplus
inline bool IsEqualGUID(const GUID &a, const GUID &b)
{
	return __builtin_memcmp(&a, &b, sizeof(GUID)) == 0;
}
inline bool operator==(const GUID &a, const GUID &b)
{
	return IsEqualGUID(a, b);
}
inline bool operator!=(const GUID &a, const GUID &b)
{
	return !IsEqualGUID(a, b);
}
#else
#define IsEqualGUID(a, b) (__builtin_memcmp((a), (b), sizeof(GUID)) == 0)
#endif
#define InlineIsEqualGUID IsEqualGUID

#endif /* UMNIC_GUIDDEF_H */

/* Outside the guard: re-evaluated whenever INITGUID changes meaning (see <initguid.h>). */
#ifdef DEFINE_GUID
#undef DEFINE_GUID
#endif
#ifndef UMNIC_GUID_LINKAGE
#ifdef __cplusplus
#define UMNIC_GUID_LINKAGE extern "C"
/* A C++ namespace-scope const needs extern to be visible to other units. */
#define UMNIC_GUID_DEF_LINKAGE extern "C"
#else
#define UMNIC_GUID_LINKAGE extern
/* In C a file-scope const already has external linkage; extern with an initializer warns. */
#define UMNIC_GUID_DEF_LINKAGE
#endif
#endif
#ifdef INITGUID
#define DEFINE_GUID(name, l, w1, w2, b1, b2, b3, b4, b5, b6, b7, b8)                        \
	UMNIC_GUID_LINKAGE const GUID name __attribute__((weak));                            \
	UMNIC_GUID_DEF_LINKAGE const GUID name __attribute__((weak)) = {                      \
		l, w1, w2, { b1, b2, b3, b4, b5, b6, b7, b8 }                                \
	}
#else
#define DEFINE_GUID(name, l, w1, w2, b1, b2, b3, b4, b5, b6, b7, b8) \
	UMNIC_GUID_LINKAGE const GUID name
#endif
