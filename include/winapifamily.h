/* SPDX-License-Identifier: MIT */
/*
 * API families and partitions: which parts of the Win32 API a build may
 * use. Windows sources test them with WINAPI_FAMILY_PARTITION(...).
 *
 * A build that sets no family gets the app family (WINAPI_FAMILY_APP), not
 * the desktop one the Windows SDK defaults to: a umnic driver runs in a
 * sandbox with no files, windows, registry API or other processes, so the
 * desktop-only half of Win32 is not there, and code that tests for it
 * (WIL's desktop helpers) takes its other path. Define WINAPI_FAMILY to
 * choose another family (docs/decisions.md).
 */
#ifndef UMNIC_WINAPIFAMILY_H
#define UMNIC_WINAPIFAMILY_H

#define WINAPI_FAMILY_PC_APP 2
#define WINAPI_FAMILY_PHONE_APP 3
#define WINAPI_FAMILY_SYSTEM 4
#define WINAPI_FAMILY_SERVER 5
#define WINAPI_FAMILY_GAMES 6
#define WINAPI_FAMILY_DESKTOP_APP 100
#define WINAPI_FAMILY_APP WINAPI_FAMILY_PC_APP

#ifndef WINAPI_FAMILY
#define WINAPI_FAMILY WINAPI_FAMILY_APP
#endif

/* Each partition is 1 when the family includes it, so partitions can be or-ed. */
#define WINAPI_PARTITION_DESKTOP (WINAPI_FAMILY == WINAPI_FAMILY_DESKTOP_APP)
#define WINAPI_PARTITION_APP                                                        \
	(WINAPI_FAMILY == WINAPI_FAMILY_DESKTOP_APP || WINAPI_FAMILY == WINAPI_FAMILY_PC_APP || \
	 WINAPI_FAMILY == WINAPI_FAMILY_PHONE_APP)
#define WINAPI_PARTITION_PC_APP \
	(WINAPI_FAMILY == WINAPI_FAMILY_DESKTOP_APP || WINAPI_FAMILY == WINAPI_FAMILY_PC_APP)
#define WINAPI_PARTITION_PHONE_APP (WINAPI_FAMILY == WINAPI_FAMILY_PHONE_APP)
#define WINAPI_PARTITION_GAMES \
	(WINAPI_FAMILY == WINAPI_FAMILY_GAMES || WINAPI_FAMILY == WINAPI_FAMILY_DESKTOP_APP)
#define WINAPI_PARTITION_SYSTEM \
	(WINAPI_FAMILY == WINAPI_FAMILY_SYSTEM || WINAPI_FAMILY == WINAPI_FAMILY_SERVER)
#define WINAPI_PARTITION_PHONE WINAPI_PARTITION_PHONE_APP
#define WINAPI_PARTITION_SERVER (WINAPI_FAMILY == WINAPI_FAMILY_SERVER)

#define WINAPI_FAMILY_PARTITION(partitions) (partitions)
#define WINAPI_FAMILY_ONE_PARTITION(family, partition) ((family) == (partition))

#endif
