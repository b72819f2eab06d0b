/* SPDX-License-Identifier: MIT */
/* winapi's WPP configuration: one control GUID, one flag, TraceEvents. */
#ifndef WINAPI_TRACE_H
#define WINAPI_TRACE_H

#define WPP_CONTROL_GUIDS                                                                          \
	WPP_DEFINE_CONTROL_GUID(WinapiTestGuid, (2f6a1c44, 8d03, 4b7e, a51c, 90e2b4d6c317),        \
				WPP_DEFINE_BIT(TRACE_WINAPI))

#define WPP_FLAG_LEVEL_LOGGER(flag, level)  WPP_LEVEL_LOGGER(flag)
#define WPP_FLAG_LEVEL_ENABLED(flag, level) (WPP_LEVEL_ENABLED(flag) && WPP_CONTROL(WPP_BIT_##flag).Level >= level)

/*
 * begin_wpp config
 * FUNC TraceEvents(LEVEL, FLAGS, MSG, ...);
 * end_wpp
 */
#endif
