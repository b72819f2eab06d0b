/* SPDX-License-Identifier: MIT */
/*
 * The names of the framework rules (verifier.h) and what a violation does:
 * a log line naming the rule, and with verifier mode on, the driver stopped
 * as a UMDF verifier bug check would stop it.
 */
#include "runtime/wdf/verifier.h"

#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/log.h"
#include "runtime/rt.h"

static const char *const rule_names[UMN_RULE__COUNT] = {
    [UMN_RULE_UM_TX_DMA] = "UserModeTxDmaCapabilities",
    [UMN_RULE_UM_RX_DMA] = "UserModeRxDmaCapabilities",
    [UMN_RULE_UM_TX_MAPPING] = "UserModeTxMappingRequirement",
    [UMN_RULE_UM_RX_MAPPING] = "UserModeRxMappingRequirement",
    [UMN_RULE_UM_RX_ALLOCATION] = "UserModeRxAllocationMode",
    [UMN_RULE_UM_RX_ATTACHMENT] = "UserModeRxAttachmentMode",
    [UMN_RULE_START_DATAPATH_CAPS] = "StartWithoutDatapathCapabilities",
    [UMN_RULE_START_LINK_CAPS] = "StartWithoutLinkLayerCapabilities",
    [UMN_RULE_START_MTU] = "StartWithoutMtu",
    [UMN_RULE_START_TWICE] = "StartTwice",
    [UMN_RULE_INIT_ORDER] = "InitObjectOrder",
    [UMN_RULE_CAPS_SIZE] = "StructureSize",
    [UMN_RULE_QUEUE_CREATE] = "QueueCreateContract",
    [UMN_RULE_REQUEST_TWICE] = "RequestCompletedTwice",
    [UMN_RULE_REQUEST_NOT_OWNED] = "RequestNotOwnedByDriver",
    [UMN_RULE_REQUEST_CANCELABLE] = "RequestCompletedWhileCancelable",
    [UMN_RULE_REQUEST_INFORMATION] = "RequestInformationTooLarge",
    [UMN_RULE_IRQL] = "IrqlTooHigh",
    [UMN_RULE_PUSH_LOCK] = "PushLockOutsideCriticalRegion",
    [UMN_RULE_CRITICAL_REGION] = "CriticalRegionMismatch",
    [UMN_RULE_POOL] = "PoolCallerError",
    [UMN_RULE_POOL_TAG] = "PoolTagMismatch",
};

const char *umn_rule_name(enum umn_rule rule)
{
	return rule < UMN_RULE__COUNT && rule_names[rule] ? rule_names[rule] : "UnknownRule";
}

static void vformat(char *buf, size_t cap, enum umn_rule rule, const char *fmt, va_list ap)
{
	int n = snprintf(buf, cap, "verifier: %s: ", umn_rule_name(rule));

	if (n >= 0 && (size_t)n < cap)
		vsnprintf(buf + n, cap - (size_t)n, fmt, ap);
}

void umn_verifier_format(char *buf, size_t cap, enum umn_rule rule, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vformat(buf, cap, rule, fmt, ap);
	va_end(ap);
}

NTSTATUS umn_verifier_violation(struct umn_device *dev, enum umn_rule rule, NTSTATUS status,
				const char *fmt, ...)
{
	char text[UMN_TEXT_MAX];
	va_list ap;

	va_start(ap, fmt);
	vformat(text, sizeof(text), rule, fmt, ap);
	va_end(ap);

	umn_log(UMN_LOG_ERR, "%s", text);
	if (umn_rt.ops && umn_rt.ops->report)
		umn_rt.ops->report(dev, UMN_LOG_ERR, text);
	if (umn_rt.verifier) {
		/* Like a verifier bug check: the driver stops here, the OS side restarts or fails
		 * it. */
		if (umn_rt.ops && umn_rt.ops->device_failed)
			umn_rt.ops->device_failed(dev, status, text);
		fflush(stderr);
		_exit(70);
	}
	return status;
}

VOID WdfVerifierDbgBreakPoint(VOID)
{
	umn_log(UMN_LOG_WARN, "WdfVerifierDbgBreakPoint called");
	if (umn_debugger_attached())
		raise(SIGTRAP);
}

VOID WdfVerifierKeBugCheck(ULONG BugCheckCode, ULONG_PTR BugCheckParameter1,
			   ULONG_PTR BugCheckParameter2, ULONG_PTR BugCheckParameter3,
			   ULONG_PTR BugCheckParameter4)
{
	char text[UMN_TEXT_MAX];

	snprintf(text, sizeof(text),
		 "the driver called WdfVerifierKeBugCheck(0x%x, 0x%lx, 0x%lx, 0x%lx, 0x%lx)",
		 BugCheckCode, (unsigned long)BugCheckParameter1, (unsigned long)BugCheckParameter2,
		 (unsigned long)BugCheckParameter3, (unsigned long)BugCheckParameter4);
	umn_log(UMN_LOG_ERR, "%s", text);
	if (umn_rt.ops && umn_rt.ops->report)
		umn_rt.ops->report(NULL, UMN_LOG_ERR, text);
	if (umn_rt.ops && umn_rt.ops->device_failed)
		umn_rt.ops->device_failed(NULL, STATUS_DRIVER_INTERNAL_ERROR, text);
	fflush(stderr);
	/* A bug check ends the driver: its host, or umnicd for an in-host driver. */
	_exit(70);
}
