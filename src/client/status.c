/* SPDX-License-Identifier: MIT */
/* Names of the NTSTATUS values in <ntstatus.h>, for messages. */
#include <stddef.h>

#include "client/client-int.h"

struct status_name {
	NTSTATUS status;
	const char *name;
};

#define S(x)                                                                                       \
	{                                                                                          \
		x, #x                                                                              \
	}
/* STATUS_WAIT_0 is STATUS_SUCCESS under another name; the table says STATUS_SUCCESS. */
static const struct status_name names[] = {
    S(STATUS_SUCCESS),
    S(STATUS_TIMEOUT),
    S(STATUS_PENDING),
    S(STATUS_REPARSE),
    S(STATUS_MORE_ENTRIES),
    S(STATUS_BUFFER_OVERFLOW),
    S(STATUS_NO_MORE_ENTRIES),
    S(STATUS_UNSUCCESSFUL),
    S(STATUS_NOT_IMPLEMENTED),
    S(STATUS_INVALID_INFO_CLASS),
    S(STATUS_INFO_LENGTH_MISMATCH),
    S(STATUS_ACCESS_VIOLATION),
    S(STATUS_INVALID_HANDLE),
    S(STATUS_INVALID_PARAMETER),
    S(STATUS_NO_SUCH_DEVICE),
    S(STATUS_NO_SUCH_FILE),
    S(STATUS_INVALID_DEVICE_REQUEST),
    S(STATUS_END_OF_FILE),
    S(STATUS_NO_MEMORY),
    S(STATUS_ACCESS_DENIED),
    S(STATUS_BUFFER_TOO_SMALL),
    S(STATUS_OBJECT_TYPE_MISMATCH),
    S(STATUS_OBJECT_NAME_INVALID),
    S(STATUS_OBJECT_NAME_NOT_FOUND),
    S(STATUS_OBJECT_NAME_COLLISION),
    S(STATUS_OBJECT_PATH_NOT_FOUND),
    S(STATUS_INSUFFICIENT_RESOURCES),
    S(STATUS_DEVICE_NOT_READY),
    S(STATUS_IO_TIMEOUT),
    S(STATUS_NOT_SUPPORTED),
    S(STATUS_INTERNAL_ERROR),
    S(STATUS_INVALID_PARAMETER_1),
    S(STATUS_INVALID_PARAMETER_2),
    S(STATUS_INVALID_PARAMETER_3),
    S(STATUS_CANCELLED),
    S(STATUS_FILE_CLOSED),
    S(STATUS_DEVICE_DOES_NOT_EXIST),
    S(STATUS_INVALID_DEVICE_STATE),
    S(STATUS_DEVICE_CONFIGURATION_ERROR),
    S(STATUS_NOT_FOUND),
    S(STATUS_DEVICE_REMOVED),
    S(STATUS_DRIVER_INTERNAL_ERROR),
    S(STATUS_DRIVER_ENTRYPOINT_NOT_FOUND),
    S(STATUS_DRIVER_UNABLE_TO_LOAD),
    S(STATUS_INVALID_BUFFER_SIZE),
    S(STATUS_DRIVER_PROCESS_TERMINATED),
    S(STATUS_WDF_PAUSED),
    S(STATUS_WDF_BUSY),
};
#undef S

UMNIC_EXPORT const char *umnic_status_name(NTSTATUS status)
{
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].status == status)
			return names[i].name;
	return NULL;
}
