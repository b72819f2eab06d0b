/* SPDX-License-Identifier: MIT */
/*
 * Kernel-mode driver sources include <wdm.h>. It brings the basic types and
 * status codes and, in an in-host (_KERNEL_MODE) build, the few WDM object
 * calls an in-host driver needs to reach another device without a WDF
 * target name: a device object and a file object to hand to
 * WDF_IO_TARGET_OPEN_PARAMS_INIT_EXISTING_DEVICE.
 */
#ifndef UMNIC_WDM_H
#define UMNIC_WDM_H
#include <ntdef.h>
#include <ntstatus.h>
#include <wdftypes.h>

UMNIC_EXTERN_C_BEGIN

#ifdef _KERNEL_MODE
/*
 * Opens the device named ObjectName (a symbolic link such as
 * L"\\DosDevices\\UmnicEcho") for DesiredAccess: *FileObject is a file
 * object created on that device (its EvtDeviceFileCreate ran), *DeviceObject
 * the device. Release with ObDereferenceObject(*FileObject), which also ends
 * the device object's use.
 */
NTSTATUS IoGetDeviceObjectPointer(PUNICODE_STRING ObjectName, ACCESS_MASK DesiredAccess,
				  PFILE_OBJECT *FileObject, PDEVICE_OBJECT *DeviceObject);
LONG_PTR ObfDereferenceObject(PVOID Object);
#define ObDereferenceObject(o) ObfDereferenceObject(o)
#endif

UMNIC_EXTERN_C_END

#endif
