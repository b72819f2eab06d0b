/* SPDX-License-Identifier: MIT */
/*
 * The part of the WDM definitions a user-mode driver may use: types, status
 * codes, IRP major function numbers and the device power states.
 */
#ifndef UMNIC_WUDFWDM_H
#define UMNIC_WUDFWDM_H

#include <ntdef.h>
#include <ntstatus.h>
#include <winioctl.h>

#define IRP_MJ_CREATE_NAMED_PIPE 0x01
#define IRP_MJ_QUERY_INFORMATION 0x05
#define IRP_MJ_SET_INFORMATION 0x06
#define IRP_MJ_FLUSH_BUFFERS 0x09
#define IRP_MJ_SHUTDOWN 0x10
#define IRP_MJ_POWER 0x16
#define IRP_MJ_SYSTEM_CONTROL 0x17
#define IRP_MJ_PNP 0x1b
#define IRP_MJ_MAXIMUM_FUNCTION 0x1b

typedef enum _SYSTEM_POWER_STATE {
	PowerSystemUnspecified = 0,
	PowerSystemWorking = 1,
	PowerSystemSleeping1 = 2,
	PowerSystemSleeping2 = 3,
	PowerSystemSleeping3 = 4,
	PowerSystemHibernate = 5,
	PowerSystemShutdown = 6,
	PowerSystemMaximum = 7
} SYSTEM_POWER_STATE, *PSYSTEM_POWER_STATE;

#endif
