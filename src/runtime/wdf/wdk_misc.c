/* SPDX-License-Identifier: MIT */
/* Debug output, break points and assertions (wdkbase.h). */
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <stdarg.h>
#include <stdio.h>

#include <strsafe.h>

#include "common/log.h"
#include "runtime/wdf/verifier.h"

/* DbgPrintEx levels to log levels; the mask form (above 31) counts as trace output. */
static int log_level(ULONG level)
{
	switch (level) {
	case DPFLTR_ERROR_LEVEL:
		return UMN_LOG_ERR;
	case DPFLTR_WARNING_LEVEL:
		return UMN_LOG_WARN;
	case DPFLTR_INFO_LEVEL:
		return UMN_LOG_INFO;
	default:
		return UMN_LOG_DEBUG;
	}
}

static void vprint(int level, PCSTR format, va_list ap)
{
	char text[1024];
	size_t n;

	if (!format || umnic_format_ms(text, sizeof(text), format, 0, ap) < 0) {
		umn_log(UMN_LOG_ERR, "DbgPrint: format %s%s%s is not supported", format ? "\"" : "",
			format ? format : "NULL", format ? "\"" : "");
		return;
	}
	/* Drivers end their lines with a newline; the log adds its own. */
	n = strlen(text);
	while (n && (text[n - 1] == '\n' || text[n - 1] == '\r'))
		text[--n] = 0;
	umn_log(level, "%s", text);
}

ULONG DbgPrint(PCSTR Format, ...)
{
	va_list ap;

	va_start(ap, Format);
	vprint(UMN_LOG_DEBUG, Format, ap);
	va_end(ap);
	return STATUS_SUCCESS;
}

ULONG DbgPrintEx(ULONG ComponentId, ULONG Level, PCSTR Format, ...)
{
	va_list ap;

	(void)ComponentId;
	va_start(ap, Format);
	vprint(log_level(Level), Format, ap);
	va_end(ap);
	return STATUS_SUCCESS;
}

/*
 * A debugger is attached when TracerPid in /proc/self/status is not 0. In the
 * sandbox /proc cannot be opened, so there the break point does nothing, as
 * on Windows without a debugger.
 */
bool umn_debugger_attached(void)
{
	char buf[2048];
	const char *p;
	ssize_t n;
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	p = strstr(buf, "TracerPid:");
	if (!p)
		return false;
	p += strlen("TracerPid:");
	while (*p == ' ' || *p == '\t')
		p++;
	return *p && *p != '0';
}

VOID DbgBreakPoint(VOID)
{
	if (umn_debugger_attached())
		raise(SIGTRAP);
}

VOID RtlAssert(PVOID VoidFailedAssertion, PVOID VoidFileName, ULONG LineNumber, PSTR MutableMessage)
{
	umn_log(UMN_LOG_ERR, "assertion failed at %s:%u: %s%s%s",
		VoidFileName ? (const char *)VoidFileName : "?", LineNumber,
		VoidFailedAssertion ? (const char *)VoidFailedAssertion : "?",
		MutableMessage ? ": " : "", MutableMessage ? MutableMessage : "");
	DbgBreakPoint();
}
