/* SPDX-License-Identifier: MIT */
/*
 * The Windows Driver Frameworks API as umnic provides it. Driver sources
 * include this one header. Define _KERNEL_MODE for an in-host (KMDF-style)
 * build; without it the KMDF-only parts are absent, as in a UMDF build.
 */
#ifndef UMNIC_WDF_H
#define UMNIC_WDF_H

#include <ntdef.h>
#include <ntstatus.h>
#include <wdftypes.h>

#include <wdfcore.h>
#include <wdfobject.h>
#include <wdfmemory.h>
#include <wdfstring.h>
#include <wdfcollection.h>
#include <wdfsync.h>
#include <wdfdriver.h>
#include <wdfresource.h>
#include <wdffileobject.h>
#include <wdfrequest.h>
#include <wdfdevice.h>
#include <wdfio.h>
#include <wdfiotarget.h>
#include <wdfregistry.h>
#include <wdftimer.h>
#include <wdfworkitem.h>
#include <wdfverifier.h>
#include <wdfdmaenabler.h>
#include <wdfcommonbuffer.h>
#include <wdfdpc.h>
#include <wdfwmi.h>

#endif
