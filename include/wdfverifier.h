/* SPDX-License-Identifier: MIT */
/*
 * Verifier actions a driver can trigger itself. A bug check ends the driver:
 * its host process, or umnicd for an in-host driver; umnicd then applies the
 * device's restart policy to a user-mode driver.
 */
#ifndef UMNIC_WDFVERIFIER_H
#define UMNIC_WDFVERIFIER_H

#include <wdftypes.h>

UMNIC_EXTERN_C_BEGIN

/* Stops in the debugger if one is attached (SIGTRAP), otherwise does nothing. */
VOID WdfVerifierDbgBreakPoint(VOID);

/*
 * WDFVERIFY checks its expression in every build and breaks into the
 * debugger (WdfVerifierDbgBreakPoint) when it is false; WDFASSERT does the
 * same only in a DBG=1 build, as in the WDK's checked builds.
 */
#define WDFVERIFY(exp)                             \
	do {                                       \
		if (!(exp))                        \
			WdfVerifierDbgBreakPoint(); \
	} while (0)
#if defined(DBG) && DBG
#define WDFASSERT(exp) WDFVERIFY(exp)
#else
#define WDFASSERT(exp) ((void)0)
#endif

/* Logs the code and parameters and terminates the driver; does not return. */
VOID WdfVerifierKeBugCheck(ULONG BugCheckCode, ULONG_PTR BugCheckParameter1,
			   ULONG_PTR BugCheckParameter2, ULONG_PTR BugCheckParameter3,
			   ULONG_PTR BugCheckParameter4) __attribute__((noreturn));

UMNIC_EXTERN_C_END

#endif
