/* SPDX-License-Identifier: MIT */
/* Without INITGUID, DEFINE_GUID only declares: the object is the one headers_wdk defines. */
#include <wdf.h>

DEFINE_GUID(UMNIC_TEST_GUID, 0x12345678, 0x1234, 0x5678, 0x9a, 0xbc, 0xde, 0xf0, 0x11, 0x22, 0x33,
	    0x44);

const GUID *umnic_test_guid_elsewhere(void);
const GUID *umnic_test_guid_elsewhere(void)
{
	return &UMNIC_TEST_GUID;
}
