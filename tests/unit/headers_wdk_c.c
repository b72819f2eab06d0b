/* SPDX-License-Identifier: MIT */
#include "headers_wdk.h"

/* A second unit declares the GUID (no INITGUID) and must see the same object. */
extern const GUID *umnic_test_guid_elsewhere(void);

int main(void)
{
	int failures = run_wdk_header_checks();

	WCHECK(umnic_test_guid_elsewhere() == &UMNIC_TEST_GUID);
	WCHECK(min(3, 4) == 3 && max(3, 4) == 4);
	return failures ? 1 : 0;
}
