/* SPDX-License-Identifier: MIT */
/*
 * wppc's WPP configuration: one control GUID with three flags, TraceEvents
 * declared in the scanned config block; the project adds TraceIo with -func:.
 */
#ifndef WPPC_TRACE_H
#define WPPC_TRACE_H

#define WPP_CONTROL_GUIDS                                                                          \
	WPP_DEFINE_CONTROL_GUID(WppCTraceGuid, (0b5e9a42, 7c13, 4d6f, 8e21, 94a7c3d05f18),         \
				WPP_DEFINE_BIT(WPPC_INIT) WPP_DEFINE_BIT(WPPC_IO)                  \
				    WPP_DEFINE_BIT(WPPC_EXTRA))

#define WPP_FLAG_LEVEL_LOGGER(flag, level)  WPP_LEVEL_LOGGER(flag)
#define WPP_FLAG_LEVEL_ENABLED(flag, level) (WPP_LEVEL_ENABLED(flag) && WPP_CONTROL(WPP_BIT_##flag).Level >= level)

/*
 * begin_wpp config
 * FUNC TraceEvents(LEVEL, FLAGS, MSG, ...);
 * end_wpp
 */

#endif
