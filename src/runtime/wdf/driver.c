/* SPDX-License-Identifier: MIT */
/* Loading a driver package and the WDFDRIVER object. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "runtime/rt.h"
#include "runtime/wdf/string_obj.h"

struct umn_rt umn_rt = {.lock = PTHREAD_MUTEX_INITIALIZER, .user_mode = true};

void umn_rt_set_host(const struct umn_rt_ops *ops, bool user_mode)
{
	umn_rt.ops = ops;
	umn_rt.user_mode = user_mode;
}

/* What DriverEntry receives; drivers only pass it back to WdfDriverCreate. */
struct _DRIVER_OBJECT {
	uint32_t magic;
	void *dl;
	struct umn_driver *wdf;
};

#define DRIVER_OBJECT_MAGIC 0x64727672u

static UNICODE_STRING make_unicode(const char *s)
{
	size_t n = strlen(s);
	UNICODE_STRING u = {0};
	WCHAR *w = calloc(n + 1, sizeof(WCHAR));

	if (!w)
		return u;
	for (size_t i = 0; i < n; i++)
		w[i] = (WCHAR)(unsigned char)s[i];
	u.Buffer = w;
	u.Length = (USHORT)(n * sizeof(WCHAR));
	u.MaximumLength = (USHORT)((n + 1) * sizeof(WCHAR));
	return u;
}

NTSTATUS umn_rt_load_driver(const char *path, const char *service, uint32_t flags, char *err,
			    size_t cap)
{
	static DRIVER_OBJECT drvobj;
	PDRIVER_INITIALIZE entry;
	UNICODE_STRING regpath;
	char reg[256];
	void *dl;
	NTSTATUS st;

	if (umn_rt.driver) {
		snprintf(err, cap, "a driver is already loaded in this host");
		return STATUS_INVALID_DEVICE_STATE;
	}
	umn_rt.verifier = (flags & UMN_LOAD_VERIFIER) != 0;
	if (umn_rt.preload_error[0]) {
		snprintf(err, cap, "cannot load %s: %s", path, umn_rt.preload_error);
		return STATUS_DRIVER_UNABLE_TO_LOAD;
	}
	dl = umn_rt.preloaded ? umn_rt.preloaded : dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!dl) {
		snprintf(err, cap, "cannot load %s: %s", path, dlerror());
		return STATUS_DRIVER_UNABLE_TO_LOAD;
	}
	*(void **)&entry = dlsym(dl, "DriverEntry");
	if (!entry) {
		snprintf(err, cap, "%s does not export DriverEntry", path);
		dlclose(dl);
		return STATUS_DRIVER_ENTRYPOINT_NOT_FOUND;
	}
	drvobj = (DRIVER_OBJECT){.magic = DRIVER_OBJECT_MAGIC, .dl = dl};
	snprintf(reg, sizeof(reg), "\\Registry\\Machine\\System\\CurrentControlSet\\Services\\%s",
		 service);
	regpath = make_unicode(reg);
	st = entry(&drvobj, &regpath);
	if (!NT_SUCCESS(st)) {
		snprintf(err, cap, "DriverEntry of %s failed with 0x%08x", path, (unsigned)st);
		return st;
	}
	if (!drvobj.wdf) {
		snprintf(err, cap,
			 "DriverEntry of %s returned success without calling WdfDriverCreate",
			 path);
		return STATUS_INVALID_DEVICE_STATE;
	}
	drvobj.wdf->registry_path = regpath;
	umn_strlcpy(drvobj.wdf->service, service, sizeof(drvobj.wdf->service));
	umn_rt.driver = drvobj.wdf;
	return STATUS_SUCCESS;
}

void umn_rt_preload_driver(const char *path)
{
	umn_rt.preloaded = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!umn_rt.preloaded)
		snprintf(umn_rt.preload_error, sizeof(umn_rt.preload_error), "%s", dlerror());
}

NTSTATUS WdfDriverCreate(PDRIVER_OBJECT DriverObject, PCUNICODE_STRING RegistryPath,
			 PWDF_OBJECT_ATTRIBUTES DriverAttributes, PWDF_DRIVER_CONFIG DriverConfig,
			 WDFDRIVER *Driver)
{
	struct umn_object *o;
	struct umn_driver *d;
	NTSTATUS st;

	if (!DriverObject || DriverObject->magic != DRIVER_OBJECT_MAGIC || !DriverConfig) {
		umn_log(UMN_LOG_ERR,
			"WdfDriverCreate: DriverObject must be the one passed to DriverEntry");
		return STATUS_INVALID_PARAMETER;
	}
	if (DriverConfig->Size != sizeof(*DriverConfig)) {
		umn_log(UMN_LOG_ERR, "WdfDriverCreate: WDF_DRIVER_CONFIG.Size is %u, expected %zu",
			DriverConfig->Size, sizeof(*DriverConfig));
		return STATUS_INFO_LENGTH_MISMATCH;
	}
	if (DriverObject->wdf) {
		umn_log(UMN_LOG_ERR, "WdfDriverCreate: called twice");
		return STATUS_INVALID_DEVICE_STATE;
	}
	st = umn_object_create(UMN_OBJ_DRIVER, sizeof(*d), DriverAttributes, NULL, NULL, &o);
	if (!NT_SUCCESS(st))
		return st;
	d = (struct umn_driver *)o;
	d->config = *DriverConfig;
	d->wdm = DriverObject;
	/* Borrowed: the string passed to DriverEntry lives as long as the driver. */
	if (RegistryPath)
		d->registry_path = *RegistryPath;
	DriverObject->wdf = d;
	if (Driver)
		*Driver = (WDFDRIVER)umn_object_handle(o);
	return STATUS_SUCCESS;
}

WDFDRIVER WdfGetDriver(void)
{
	return umn_rt.driver ? (WDFDRIVER)umn_object_handle(&umn_rt.driver->obj) : NULL;
}

BOOLEAN WdfDriverIsVersionAvailable(WDFDRIVER Driver,
				    PWDF_DRIVER_VERSION_AVAILABLE_PARAMS VersionAvailableParams)
{
	(void)Driver;
	if (!VersionAvailableParams)
		return FALSE;
	/* This runtime implements UMDF 2.33 / KMDF 1.33. */
	return VersionAvailableParams->MajorVersion < 2 ||
	       (VersionAvailableParams->MajorVersion == 2 &&
		VersionAvailableParams->MinorVersion <= 33) ||
	       (VersionAvailableParams->MajorVersion == 1 &&
		VersionAvailableParams->MinorVersion <= 33);
}

PDRIVER_OBJECT WdfDriverWdmGetDriverObject(WDFDRIVER Driver)
{
	struct umn_driver *d = (struct umn_driver *)umn_object_from_handle(Driver, UMN_OBJ_DRIVER);

	return d ? d->wdm : NULL;
}

WDFDRIVER WdfWdmDriverGetWdfDriverHandle(PDRIVER_OBJECT DriverObject)
{
	if (!DriverObject || DriverObject->magic != DRIVER_OBJECT_MAGIC || !DriverObject->wdf)
		return NULL;
	return (WDFDRIVER)umn_object_handle(&DriverObject->wdf->obj);
}

PWSTR WdfDriverGetRegistryPath(WDFDRIVER Driver)
{
	struct umn_driver *d = (struct umn_driver *)umn_object_from_handle(Driver, UMN_OBJ_DRIVER);

	if (!d) {
		umn_log(UMN_LOG_ERR, "WdfDriverGetRegistryPath: %p is not a WDFDRIVER",
			(void *)Driver);
		return NULL;
	}
	return d->registry_path.Buffer;
}

/* What the framework reports about itself, as the WDF loader's version string does. */
#define UMN_VERSION_STRING "umnic driver runtime: UMDF 2.33, KMDF 1.33, NetAdapterCx 2.5"

NTSTATUS WdfDriverRetrieveVersionString(WDFDRIVER Driver, WDFSTRING String)
{
	struct umn_string *s = umn_string_get("WdfDriverRetrieveVersionString", String);

	if (!umn_object_from_handle(Driver, UMN_OBJ_DRIVER) || !s) {
		umn_log(UMN_LOG_ERR, "WdfDriverRetrieveVersionString: %s is not valid",
			s ? "Driver" : "String");
		return STATUS_INVALID_PARAMETER;
	}
	return umn_string_assign_utf8(s, UMN_VERSION_STRING, strlen(UMN_VERSION_STRING));
}
