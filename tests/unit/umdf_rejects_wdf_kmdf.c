/* SPDX-License-Identifier: MIT */
/*
 * Negative compile test for the WDF headers: a user-mode (UMDF-style) build
 * must not see the KMDF-only functions, so each case below must FAIL to
 * compile without _KERNEL_MODE and compile cleanly with it (the control that
 * proves the failure comes from the missing declaration). Build with
 * -Werror=implicit-function-declaration. UMNIC_REJECT_CASE picks the case.
 */
#include <wdf.h>

#ifndef UMNIC_REJECT_CASE
#define UMNIC_REJECT_CASE 1
#endif

int umdf_rejects_wdf_kmdf(WDFDEVICE device, WDFIOTARGET target, WDFREQUEST request);

int umdf_rejects_wdf_kmdf(WDFDEVICE device, WDFIOTARGET target, WDFREQUEST request)
{
	UNREFERENCED_PARAMETER(device);
	UNREFERENCED_PARAMETER(target);
	UNREFERENCED_PARAMETER(request);
#if UMNIC_REJECT_CASE == 1
	WDFDMAENABLER enabler;

	return (int)WdfDmaEnablerCreate(device, NULL, WDF_NO_OBJECT_ATTRIBUTES, &enabler);
#elif UMNIC_REJECT_CASE == 2
	WDFCOMMONBUFFER buffer;

	return (int)WdfCommonBufferCreate((WDFDMAENABLER)NULL, 4096, WDF_NO_OBJECT_ATTRIBUTES,
					  &buffer);
#elif UMNIC_REJECT_CASE == 3
	WDFDPC dpc;

	return (int)WdfDpcCreate(NULL, WDF_NO_OBJECT_ATTRIBUTES, &dpc);
#elif UMNIC_REJECT_CASE == 4
	return (int)WdfIoTargetSendInternalIoctlSynchronously(target, request, 0, NULL, NULL, NULL,
							      NULL);
#elif UMNIC_REJECT_CASE == 5
	return (int)WdfIoTargetFormatRequestForInternalIoctl(target, request, 0, NULL, NULL, NULL,
							     NULL);
#elif UMNIC_REJECT_CASE == 6
	return WdfDeviceWdmGetDeviceObject(device) != NULL;
#elif UMNIC_REJECT_CASE == 7
	return WdfRequestWdmGetIrp(request) != NULL;
#else
#error "unknown UMNIC_REJECT_CASE"
#endif
}
