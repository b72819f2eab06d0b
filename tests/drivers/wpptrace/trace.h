/* SPDX-License-Identifier: MIT */
/* wpptrace's WPP configuration: one control GUID with two flags, and TraceEvents. */
#ifndef WPPTRACE_TRACE_H
#define WPPTRACE_TRACE_H

#define WPP_CONTROL_GUIDS                                                                          \
	WPP_DEFINE_CONTROL_GUID(WppTraceTestGuid, (6d3c2a10, 5b7e, 4f21, 9a0c, 3e55d1b7a942),      \
				WPP_DEFINE_BIT(TRACE_DRIVER) WPP_DEFINE_BIT(TRACE_QUEUE))

#define WPP_FLAG_LEVEL_LOGGER(flag, level)  WPP_LEVEL_LOGGER(flag)
#define WPP_FLAG_LEVEL_ENABLED(flag, level) (WPP_LEVEL_ENABLED(flag) && WPP_CONTROL(WPP_BIT_##flag).Level >= level)

/*
 * begin_wpp config
 * FUNC TraceEvents(LEVEL, FLAGS, MSG, ...);
 * end_wpp
 */

/*
 * TraceIfFailed(STATUS, MSG, ...): traces only a failure, after a prefix that
 * names the status and the expression that gave it.
 *
 * begin_wpp config
 * USEPREFIX (TraceIfFailed, "%!STATUS! from %!s! in %!FUNC!: ", fail__st, #STATUS);
 * FUNC TraceIfFailed{FLAGS=TRACE_DRIVER,LEVEL=TRACE_LEVEL_ERROR}(STATUS, MSG, ...);
 * end_wpp
 */
#define WPP_FLAGS_LEVEL_STATUS_PRE(flags, level, status)                                           \
	do {                                                                                       \
		NTSTATUS fail__st = (status);                                                      \
		if (!NT_SUCCESS(fail__st)) {
#define WPP_FLAGS_LEVEL_STATUS_POST(flags, level, status)                                          \
	;                                                                                          \
	}                                                                                          \
	}                                                                                          \
	while (0)

/*
 * Checked(EXPR): a trace function without a message: the prefix is all of it.
 *
 * begin_wpp config
 * USEPREFIX (Checked, "checked %!s!", #EXPR);
 * Checked{FLAGS=TRACE_QUEUE,LEVEL=TRACE_LEVEL_WARNING}(EXPR);
 * end_wpp
 */
#define WPP_FLAGS_LEVEL_EXPR_PRE(flags, level, expr) if (expr) {
#define WPP_FLAGS_LEVEL_EXPR_POST(flags, level, expr) ; }

#endif
