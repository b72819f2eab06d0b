/* SPDX-License-Identifier: MIT */
/*
 * The framework rules checked at run time, in one place. A violation fails
 * the call with a status and a line naming the rule; with verifier mode on it
 * also stops the driver, as a UMDF verifier bug check would.
 */
#ifndef UMNIC_RUNTIME_VERIFIER_H
#define UMNIC_RUNTIME_VERIFIER_H

#include <stdbool.h>

#include <ntdef.h>

struct umn_device;

enum umn_rule {
	UMN_RULE_UM_TX_DMA,	      /* TX DmaCapabilities must be NULL in user mode */
	UMN_RULE_UM_RX_DMA,	      /* RX DmaCapabilities must be NULL in user mode */
	UMN_RULE_UM_TX_MAPPING,	      /* TX MappingRequirement must be None in user mode */
	UMN_RULE_UM_RX_MAPPING,	      /* RX MappingRequirement must be None in user mode */
	UMN_RULE_UM_RX_ALLOCATION,    /* RX AllocationMode must be System in user mode */
	UMN_RULE_UM_RX_ATTACHMENT,    /* RX AttachmentMode must be System in user mode */
	UMN_RULE_START_DATAPATH_CAPS, /* NetAdapterStart needs datapath capabilities */
	UMN_RULE_START_LINK_CAPS,     /* NetAdapterStart needs link-layer capabilities */
	UMN_RULE_START_MTU,	      /* NetAdapterStart needs the MTU */
	UMN_RULE_START_TWICE,	      /* NetAdapterStart on a started adapter */
	UMN_RULE_INIT_ORDER,	      /* an init object used out of order or twice */
	UMN_RULE_CAPS_SIZE,	      /* a capability struct with a bad Size */
	UMN_RULE_QUEUE_CREATE,	      /* EvtAdapterCreate*Queue must create exactly one queue */
	UMN_RULE_REQUEST_TWICE,	      /* a request completed twice */
	UMN_RULE_REQUEST_NOT_OWNED,   /* a request used while the framework or a target owns it */
	UMN_RULE_REQUEST_CANCELABLE,  /* completed while still marked cancelable */
	UMN_RULE_REQUEST_INFORMATION, /* Information larger than the output buffer */
	UMN_RULE_IRQL,		      /* a kernel call above the IRQL it allows */
	UMN_RULE_PUSH_LOCK,	      /* a push lock taken with normal kernel APCs enabled */
	UMN_RULE_CRITICAL_REGION,     /* a critical or guarded region left that was not entered */
	UMN_RULE_POOL,		      /* bad pool flags, a zero tag, or a free of non-pool memory */
	UMN_RULE_POOL_TAG,	      /* pool freed with another tag than it was allocated with */
	UMN_RULE__COUNT
};

/* The rule's short name, e.g. "UserModeDmaCapabilities". */
const char *umn_rule_name(enum umn_rule rule);

/*
 * Records a violation of rule by dev (may be NULL): logs "verifier: <name>:
 * <text>", reports it to the OS side, stops the driver in verifier mode, and
 * returns status for the caller to fail with.
 */
NTSTATUS umn_verifier_violation(struct umn_device *dev, enum umn_rule rule, NTSTATUS status,
				const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Same, formatting into buf instead of reporting (used where the report comes later). */
void umn_verifier_format(char *buf, size_t cap, enum umn_rule rule, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Whether a debugger is tracing this process (false when /proc cannot be read). */
bool umn_debugger_attached(void);

#endif
