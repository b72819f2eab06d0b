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

#endif
