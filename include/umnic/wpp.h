/* SPDX-License-Identifier: MIT */
/*
 * WPP software tracing: what the .tmh files umnic-tracewpp generates expand
 * to. A trace call becomes umn_wpp_trace() with the message's level, its
 * flag (bit and name), the calling function, file and line; the runtime
 * formats the message (WPP's %!NAME! types and the Windows printf rules)
 * and sends it to umnicd, where `umnic trace DEVICE` shows it.
 *
 * Drivers do not include this header themselves: their generated .tmh does.
 */
#ifndef UMNIC_WPP_H
#define UMNIC_WPP_H

#include <stdarg.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Levels as event tracing numbers them (a message shows at its level and the more verbose ones). */
#ifndef TRACE_LEVEL_NONE
#define TRACE_LEVEL_NONE	0
#define TRACE_LEVEL_CRITICAL	1
#define TRACE_LEVEL_FATAL	1
#define TRACE_LEVEL_ERROR	2
#define TRACE_LEVEL_WARNING	3
#define TRACE_LEVEL_INFORMATION 4
#define TRACE_LEVEL_VERBOSE	5
#define TRACE_LEVEL_RESERVED6	6
#define TRACE_LEVEL_RESERVED7	7
#define TRACE_LEVEL_RESERVED8	8
#define TRACE_LEVEL_RESERVED9	9
#endif

/* WPP_INIT_TRACING(...) and WPP_CLEANUP(...): the provider's name, then the driver's arguments. */
void umn_wpp_init(const char *provider, ...);
void umn_wpp_cleanup(const char *provider, ...);

/*
 * One trace message. level: TRACE_LEVEL_*; flagbit: the flag's bit within its
 * control GUID (0: none) and flagname its name (NULL: none); fmt: WPP's
 * format, with %!STATUS!, %!HRESULT!, %!FUNC!, %!s! etc. and printf conversions
 * read with the Windows rules (%d is 32 bits, %I64d 64, %S/%ws wide).
 */
void umn_wpp_trace(unsigned level, unsigned flagbit, const char *flagname, const char *func,
		   const char *file, int line, const char *fmt, ...);
/*
 * The same after a prefix (WPP's USEPREFIX): the arguments are the prefix's,
 * then the message's format, then the message's arguments.
 */
void umn_wpp_trace_prefixed(unsigned level, unsigned flagbit, const char *flagname,
			    const char *func, const char *file, int line, const char *prefix, ...);
/*
 * A message format written as a wide literal (L"..."), which WPP accepts as
 * well as a narrow one: the format as UTF-8, in a buffer of the calling
 * thread that the next call reuses. Its conversions keep WPP's meaning (%s
 * narrow, %S and %ws wide).
 */
const char *umn_wpp_wide_format(const wchar_t *fmt);
void umn_wpp_tracev(unsigned level, unsigned flagbit, const char *flagname, const char *func,
		    const char *file, int line, const char *fmt, va_list ap);

/* What a trace header's enabling macros look at: every level and flag is on (umnicd filters). */
struct umn_wpp_control {
	unsigned char Level;
	unsigned Flags[1];
};
extern const struct umn_wpp_control umn_wpp_control_all;

#ifdef __cplusplus
}

/* The message format as the runtime takes it, whichever width it was written in. */
static inline const char *umn_wpp_format(const char *fmt)
{
	return fmt;
}
static inline const char *umn_wpp_format(const wchar_t *fmt)
{
	return umn_wpp_wide_format(fmt);
}
#define UMN_WPP_FORMAT(fmt) umn_wpp_format(fmt)
#else
static inline const char *umn_wpp_narrow_format(const char *fmt)
{
	return fmt;
}
#define UMN_WPP_FORMAT(fmt)                                                                   \
	_Generic((fmt), wchar_t *: umn_wpp_wide_format, const wchar_t *: umn_wpp_wide_format, \
		 default: umn_wpp_narrow_format)(fmt)
#endif

#endif
