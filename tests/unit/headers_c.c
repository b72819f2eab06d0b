// SPDX-License-Identifier: MIT
/* The WDF headers (and whatever NetAdapterCx headers exist) compiled as C11 and exercised. */
#include <string.h>

#include "headers_checks.h"

/* Each WDF header must also stand on its own. */
#include <wdfcollection.h>
#include <wdfcore.h>
#include <wdfdevice.h>
#include <wdfdriver.h>
#include <wdffileobject.h>
#include <wdfio.h>
#include <wdfiotarget.h>
#include <wdfmemory.h>
#include <wdfobject.h>
#include <wdfregistry.h>
#include <wdfrequest.h>
#include <wdfresource.h>
#include <wdfstring.h>
#include <wdfsync.h>
#include <wdftimer.h>
#include <wdfverifier.h>
#include <wdfworkitem.h>

/* A user-mode build must not see the KMDF-only parts. */
#ifdef _KERNEL_MODE
#error "headers_c.c is the user-mode build"
#endif
#if defined(WDF_DMA_ENABLER_CONFIG_INIT) || defined(WDF_DPC_CONFIG_INIT)
#error "KMDF-only helper visible in a user-mode build"
#endif

/* In C the generic handle takes any typed handle without a cast, as with the WDK. */
static void delete_device_like(WDFDEVICE d)
{
	if (d)
		WdfObjectDelete(d);
}

int main(void)
{
	int failures = run_wdf_header_checks();

	delete_device_like(NULL);
	if (failures)
		fprintf(stderr, "headers_c: %d check(s) failed\n", failures);
	return failures ? 1 : 0;
}
