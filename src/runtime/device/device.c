/* SPDX-License-Identifier: MIT */
/* WDFDEVICE_INIT, WdfDeviceCreate and the PnP/power sequence of a device. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "runtime/io/io.h"
#include "runtime/rt.h"

/* The device EvtDriverDeviceAdd is creating right now (one add at a time). */
static struct {
	uint32_t id;
	const char *instance;
	const char *hwid;
	struct devreg *registry;
	struct umn_device *created;
} adding;

static struct umn_device *device_from(WDFDEVICE h, const char *fn)
{
	struct umn_object *o = umn_object_from_handle(h, UMN_OBJ_DEVICE);

	if (!o)
		umn_log(UMN_LOG_ERR, "%s: %p is not a WDFDEVICE handle", fn, (void *)h);
	return (struct umn_device *)o;
}

VOID WdfDeviceInitSetPnpPowerEventCallbacks(PWDFDEVICE_INIT DeviceInit,
					    PWDF_PNPPOWER_EVENT_CALLBACKS PnpPowerEventCallbacks)
{
	if (!DeviceInit || !PnpPowerEventCallbacks)
		return;
	if (PnpPowerEventCallbacks->Size != sizeof(*PnpPowerEventCallbacks)) {
		umn_log(UMN_LOG_ERR,
			"WdfDeviceInitSetPnpPowerEventCallbacks: Size is %u, expected %zu",
			PnpPowerEventCallbacks->Size, sizeof(*PnpPowerEventCallbacks));
		return;
	}
	DeviceInit->pnp = *PnpPowerEventCallbacks;
	DeviceInit->pnp_set = true;
}

VOID WdfDeviceInitSetIoType(PWDFDEVICE_INIT DeviceInit, WDF_DEVICE_IO_TYPE IoType)
{
	if (DeviceInit)
		DeviceInit->io_type = IoType;
}

VOID WdfDeviceInitSetRequestAttributes(PWDFDEVICE_INIT DeviceInit,
				       PWDF_OBJECT_ATTRIBUTES RequestAttributes)
{
	if (DeviceInit && RequestAttributes)
		DeviceInit->request_attrs = *RequestAttributes;
}

VOID WdfDeviceInitSetDeviceType(PWDFDEVICE_INIT DeviceInit, DEVICE_TYPE DeviceType)
{
	(void)DeviceInit;
	(void)DeviceType;
}

VOID WdfDeviceInitSetExclusive(PWDFDEVICE_INIT DeviceInit, BOOLEAN IsExclusive)
{
	(void)DeviceInit;
	(void)IsExclusive;
}

static void device_on_delete(struct umn_object *o)
{
	struct umn_device *dev = (struct umn_device *)o;

	pthread_mutex_lock(&umn_rt.lock);
	if (dev->id < UMN_MAX_DEVICES && umn_rt.devices[dev->id] == dev)
		umn_rt.devices[dev->id] = NULL;
	pthread_mutex_unlock(&umn_rt.lock);
	devreg_free(dev->registry);
	dev->registry = NULL;
	for (unsigned i = 0; i < dev->nresources; i++)
		close(dev->resource_fd[i]);
	dev->nresources = 0;
}

static void device_on_destroy(struct umn_object *o)
{
	umn_io_device_fini((struct umn_device *)o);
}

static const struct umn_object_ops device_ops = {
    .on_delete = device_on_delete,
    .on_destroy = device_on_destroy,
};

NTSTATUS WdfDeviceCreate(PWDFDEVICE_INIT *DeviceInit, PWDF_OBJECT_ATTRIBUTES DeviceAttributes,
			 WDFDEVICE *Device)
{
	struct umn_object *o;
	struct umn_device *dev;
	NTSTATUS st;

	if (!DeviceInit || !*DeviceInit || !Device)
		return STATUS_INVALID_PARAMETER;
	if ((*DeviceInit)->created || adding.created) {
		umn_log(UMN_LOG_ERR, "WdfDeviceCreate: this WDFDEVICE_INIT was already used");
		return STATUS_INVALID_DEVICE_STATE;
	}
	st = umn_object_create(UMN_OBJ_DEVICE, sizeof(*dev), DeviceAttributes, &umn_rt.driver->obj,
			       &device_ops, &o);
	if (!NT_SUCCESS(st))
		return st;
	dev = (struct umn_device *)o;
	dev->id = adding.id;
	dev->wdm = (struct _DEVICE_OBJECT){.magic = UMN_WDM_DEVICE_MAGIC, .os_device = adding.id};
	dev->driver = umn_rt.driver;
	umn_strlcpy(dev->instance_id, adding.instance, sizeof(dev->instance_id));
	umn_strlcpy(dev->hwid, adding.hwid, sizeof(dev->hwid));
	if ((*DeviceInit)->pnp_set)
		dev->pnp = (*DeviceInit)->pnp;
	st = umn_io_device_init(dev, *DeviceInit);
	if (!NT_SUCCESS(st)) {
		umn_object_delete(o);
		return st;
	}
	dev->registry = adding.registry;
	adding.registry = NULL;
	(*DeviceInit)->created = true;
	adding.created = dev;
	pthread_mutex_lock(&umn_rt.lock);
	umn_rt.devices[dev->id] = dev;
	pthread_mutex_unlock(&umn_rt.lock);
	/* As on Windows, the init structure belongs to the framework from here on. */
	*DeviceInit = NULL;
	*Device = (WDFDEVICE)umn_object_handle(o);
	return STATUS_SUCCESS;
}

WDFDRIVER WdfDeviceGetDriver(WDFDEVICE Device)
{
	struct umn_device *dev = device_from(Device, "WdfDeviceGetDriver");

	return dev ? (WDFDRIVER)umn_object_handle(&dev->driver->obj) : NULL;
}

VOID WdfDeviceSetFailed(WDFDEVICE Device, WDF_DEVICE_FAILED_ACTION FailedAction)
{
	struct umn_device *dev = device_from(Device, "WdfDeviceSetFailed");
	char text[128];

	if (!dev)
		return;
	snprintf(text, sizeof(text), "the driver called WdfDeviceSetFailed (%s)",
		 FailedAction == WdfDeviceFailedAttemptRestart ? "attempt restart" : "no restart");
	if (umn_rt.ops && umn_rt.ops->device_failed)
		umn_rt.ops->device_failed(dev, STATUS_UNSUCCESSFUL, text);
}

uint32_t umn_rt_device_id(const struct umn_device *dev)
{
	return dev->id;
}

struct umn_device *umn_rt_device(uint32_t id)
{
	struct umn_device *dev = NULL;

	pthread_mutex_lock(&umn_rt.lock);
	if (id < UMN_MAX_DEVICES)
		dev = umn_rt.devices[id];
	pthread_mutex_unlock(&umn_rt.lock);
	return dev;
}

/*
 * Resource lists: the file descriptors umnicd opened for the device, as
 * CmResourceTypeDevicePrivate entries (wdfresource.h). Raw and translated
 * lists carry the same entries.
 */
struct umn_cmreslist {
	struct umn_object obj;
	ULONG count;
	CM_PARTIAL_RESOURCE_DESCRIPTOR d[UMN_MAX_RESOURCES];
};

ULONG WdfCmResourceListGetCount(WDFCMRESLIST List)
{
	struct umn_cmreslist *l =
	    (struct umn_cmreslist *)umn_object_from_handle(List, UMN_OBJ_CMRESLIST);

	return l ? l->count : 0;
}

PCM_PARTIAL_RESOURCE_DESCRIPTOR WdfCmResourceListGetDescriptor(WDFCMRESLIST List, ULONG Index)
{
	struct umn_cmreslist *l =
	    (struct umn_cmreslist *)umn_object_from_handle(List, UMN_OBJ_CMRESLIST);

	return l && Index < l->count ? &l->d[Index] : NULL;
}

static void fill_resources(struct umn_cmreslist *l, const struct umn_device *dev)
{
	l->count = dev->nresources;
	for (ULONG i = 0; i < l->count; i++) {
		memset(&l->d[i], 0, sizeof(l->d[i]));
		l->d[i].Type = CmResourceTypeDevicePrivate;
		l->d[i].ShareDisposition = CmResourceShareDeviceExclusive;
		l->d[i].u.DevicePrivate.Data[0] = (ULONG)dev->resource_fd[i];
		l->d[i].u.DevicePrivate.Data[1] = dev->resource_kind[i];
	}
}

/*
 * Leaves D0 and releases the hardware, undoing what the start sequence
 * reached: the part a PnP stop and a removal share, in WDF's order. The
 * packet queues go first (NetAdapterCx creates them last when a device
 * starts), then SelfManagedIoSuspend, the I/O queues, D0Exit,
 * ReleaseHardware with the translated list PrepareHardware got. A removal
 * purges the I/O queues; a stop only stops the power-managed ones. D0Exit
 * gets WdfPowerDeviceD3Final for both: WDF passes it for the last D3 before
 * a removal and for a stop (resource rebalance) alike.
 */
static NTSTATUS pnp_power_down(struct umn_device *dev, bool removal)
{
	WDFDEVICE h = (WDFDEVICE)umn_object_handle(&dev->obj);
	NTSTATUS st = STATUS_SUCCESS;

	if (dev->adapter) {
		if (removal)
			umn_adapter_stop(dev->adapter);
		else
			umn_adapter_destroy_queues(dev->adapter);
	}
	if (dev->smio_running && dev->pnp.EvtDeviceSelfManagedIoSuspend)
		dev->pnp.EvtDeviceSelfManagedIoSuspend(h);
	dev->smio_running = false;
	/* Requests are purged (or held) before the device leaves D0, as WDF does. */
	if (removal)
		umn_io_device_removed(dev->id);
	else
		umn_io_device_power_down(dev->id);
	if (dev->in_d0 && dev->pnp.EvtDeviceD0Exit)
		st = dev->pnp.EvtDeviceD0Exit(h, WdfPowerDeviceD3Final);
	dev->in_d0 = false;
	/* Called even when PrepareHardware failed, as WDF does. */
	if (dev->prepared && dev->pnp.EvtDeviceReleaseHardware) {
		NTSTATUS rs = dev->pnp.EvtDeviceReleaseHardware(
		    h, (WDFCMRESLIST)umn_object_handle(dev->res_trans));

		if (NT_SUCCESS(st))
			st = rs;
	}
	dev->prepared = false;
	/* NetAdapterCx stops an adapter started in PrepareHardware, so that the next one starts it.
	 */
	if (!removal && dev->adapter && dev->adapter->started_in_prepare)
		dev->adapter->started = false;
	return st;
}

/*
 * Undoes whatever part of the start sequence the device reached, in WDF's
 * order for a removal (orderly or surprise) and for a start that failed:
 * the power-down (pnp_power_down), then SelfManagedIoFlush and
 * SelfManagedIoCleanup. A device a PnP stop left out of D0 gets only these
 * two. The device object's own EvtCleanupCallback and EvtDestroyCallback
 * follow when the caller deletes it.
 */
static void pnp_teardown(struct umn_device *dev)
{
	WDFDEVICE h = (WDFDEVICE)umn_object_handle(&dev->obj);

	pnp_power_down(dev, true);
	if (dev->smio_init) {
		if (dev->pnp.EvtDeviceSelfManagedIoFlush)
			dev->pnp.EvtDeviceSelfManagedIoFlush(h);
		if (dev->pnp.EvtDeviceSelfManagedIoCleanup)
			dev->pnp.EvtDeviceSelfManagedIoCleanup(h);
	}
	dev->smio_init = false;
	dev->pnp_stopped = false;
}

/* EvtDevicePrepareHardware with the device's resource lists, made at the first start. */
static NTSTATUS prepare_hardware(struct umn_device *dev, char *err, size_t cap)
{
	WDFDEVICE h = (WDFDEVICE)umn_object_handle(&dev->obj);
	NTSTATUS st = STATUS_SUCCESS;

	if (!dev->res_raw) {
		st = umn_object_create(UMN_OBJ_CMRESLIST, sizeof(struct umn_cmreslist), NULL,
				       &dev->obj, NULL, &dev->res_raw);
		if (NT_SUCCESS(st))
			st = umn_object_create(UMN_OBJ_CMRESLIST, sizeof(struct umn_cmreslist),
					       NULL, &dev->obj, NULL, &dev->res_trans);
		if (!NT_SUCCESS(st)) {
			snprintf(err, cap, "out of memory creating resource lists");
			return st;
		}
		fill_resources((struct umn_cmreslist *)dev->res_raw, dev);
		fill_resources((struct umn_cmreslist *)dev->res_trans, dev);
	}
	dev->prepared = true;
	if (dev->pnp.EvtDevicePrepareHardware) {
		WDFCMRESLIST raw = (WDFCMRESLIST)umn_object_handle(dev->res_raw);
		WDFCMRESLIST trans = (WDFCMRESLIST)umn_object_handle(dev->res_trans);

		dev->in_prepare = true;
		st = dev->pnp.EvtDevicePrepareHardware(h, raw, trans);
		dev->in_prepare = false;
		if (!NT_SUCCESS(st))
			snprintf(err, cap, "EvtDevicePrepareHardware failed with 0x%08x",
				 (unsigned)st);
	}
	return st;
}

/* The start sequence; on failure the caller tears down what it reached (pnp_teardown). */
static NTSTATUS prepare_and_enter_d0(struct umn_device *dev, char *err, size_t cap)
{
	WDFDEVICE h = (WDFDEVICE)umn_object_handle(&dev->obj);
	NTSTATUS st;

	st = prepare_hardware(dev, err, cap);
	if (!NT_SUCCESS(st))
		return st;
	if (dev->pnp.EvtDeviceD0Entry) {
		st = dev->pnp.EvtDeviceD0Entry(h, WdfPowerDeviceD3Final);
		if (!NT_SUCCESS(st)) {
			snprintf(err, cap, "EvtDeviceD0Entry failed with 0x%08x", (unsigned)st);
			return st;
		}
	}
	dev->in_d0 = true;
	dev->smio_init = true;
	if (dev->pnp.EvtDeviceSelfManagedIoInit) {
		st = dev->pnp.EvtDeviceSelfManagedIoInit(h);
		if (!NT_SUCCESS(st)) {
			snprintf(err, cap, "EvtDeviceSelfManagedIoInit failed with 0x%08x",
				 (unsigned)st);
			return st;
		}
	}
	dev->smio_running = true;
	if (dev->adapter && !dev->adapter->started) {
		snprintf(err, cap,
			 "the device has an adapter but the driver never called NetAdapterStart");
		return STATUS_INVALID_DEVICE_STATE;
	}
	return STATUS_SUCCESS;
}

NTSTATUS umn_rt_add_device(uint32_t id, const char *instance, const char *hwid, const void *reg,
			   size_t reg_len, const int *fds, const uint32_t *kinds, unsigned nfds,
			   char *err, size_t cap)
{
	struct WDFDEVICE_INIT init = {0};
	PWDFDEVICE_INIT pinit = &init;
	struct umn_device *dev;
	NTSTATUS st;
	int r;

	if (!umn_rt.driver) {
		snprintf(err, cap, "no driver loaded");
		return STATUS_INVALID_DEVICE_STATE;
	}
	if (id >= UMN_MAX_DEVICES || umn_rt_device(id)) {
		snprintf(err, cap, "device number %u is invalid or in use", id);
		return STATUS_INVALID_PARAMETER;
	}
	adding.id = id;
	adding.instance = instance;
	adding.hwid = hwid;
	adding.created = NULL;
	r = devreg_deserialize(reg, reg_len, &adding.registry);
	if (r < 0) {
		snprintf(err, cap, "device registry blob is corrupt");
		return STATUS_INVALID_PARAMETER;
	}
	init.driver = umn_rt.driver;
	st = umn_rt.driver->config.EvtDriverDeviceAdd
		 ? umn_rt.driver->config.EvtDriverDeviceAdd(
		       (WDFDRIVER)umn_object_handle(&umn_rt.driver->obj), pinit)
		 : STATUS_INVALID_DEVICE_REQUEST;
	dev = adding.created;
	adding.created = NULL;
	if (dev) {
		/* The device owns the granted descriptors from here; they close with it. */
		for (unsigned i = 0; i < nfds && i < UMN_MAX_RESOURCES; i++) {
			dev->resource_fd[i] = fds[i];
			dev->resource_kind[i] = kinds[i];
		}
		dev->nresources = nfds < UMN_MAX_RESOURCES ? nfds : UMN_MAX_RESOURCES;
	}
	devreg_free(adding.registry);
	adding.registry = NULL;
	if (!NT_SUCCESS(st)) {
		snprintf(err, cap, "EvtDriverDeviceAdd failed with 0x%08x", (unsigned)st);
		if (dev)
			umn_object_delete(&dev->obj);
		return st;
	}
	if (!dev) {
		snprintf(err, cap,
			 "EvtDriverDeviceAdd returned success without calling WdfDeviceCreate");
		return STATUS_INVALID_DEVICE_STATE;
	}
	st = prepare_and_enter_d0(dev, err, cap);
	if (!NT_SUCCESS(st)) {
		pnp_teardown(dev);
		umn_object_delete(&dev->obj);
		return st;
	}
	return STATUS_SUCCESS;
}

NTSTATUS umn_rt_remove_device(uint32_t id, char *err, size_t cap)
{
	struct umn_device *dev = umn_rt_device(id);

	if (!dev) {
		snprintf(err, cap, "no device %u", id);
		return STATUS_NO_SUCH_DEVICE;
	}
	pnp_teardown(dev);
	umn_object_delete(&dev->obj);
	return STATUS_SUCCESS;
}

/*
 * A PnP stop (IRP_MN_STOP_DEVICE, as for a resource rebalance): the device
 * leaves D0 for D3Final and gives its hardware back, and keeps its WDFDEVICE,
 * queues, file objects and adapter for umn_rt_start_device.
 */
NTSTATUS umn_rt_stop_device(uint32_t id, char *err, size_t cap)
{
	struct umn_device *dev = umn_rt_device(id);
	NTSTATUS st;

	if (!dev) {
		snprintf(err, cap, "no device %u", id);
		return STATUS_NO_SUCH_DEVICE;
	}
	if (dev->pnp_stopped || !dev->in_d0) {
		snprintf(err, cap, "device %u is %s", id,
			 dev->pnp_stopped ? "stopped already" : "not started");
		return STATUS_INVALID_DEVICE_STATE;
	}
	st = pnp_power_down(dev, false);
	dev->pnp_stopped = true;
	if (!NT_SUCCESS(st))
		snprintf(err, cap, "EvtDeviceD0Exit or EvtDeviceReleaseHardware failed with 0x%08x",
			 (unsigned)st);
	return st;
}

/*
 * The start after a PnP stop (IRP_MN_START_DEVICE): PrepareHardware with the
 * same resources, D0Entry from D3Final (where the stop left it), the I/O
 * queues present requests again, then SelfManagedIoRestart (Init ran at the
 * first start), as WDF restarts the power-managed queues before it; the
 * adapter's queues are created anew by the OS side. On failure the device is left
 * stopped, as far as it got undone.
 */
NTSTATUS umn_rt_start_device(uint32_t id, char *err, size_t cap)
{
	struct umn_device *dev = umn_rt_device(id);
	WDFDEVICE h;
	NTSTATUS st;

	if (!dev) {
		snprintf(err, cap, "no device %u", id);
		return STATUS_NO_SUCH_DEVICE;
	}
	if (!dev->pnp_stopped) {
		snprintf(err, cap, "device %u is started; only a stopped device can be started",
			 id);
		return STATUS_INVALID_DEVICE_STATE;
	}
	h = (WDFDEVICE)umn_object_handle(&dev->obj);
	st = prepare_hardware(dev, err, cap);
	/* An adapter that stayed started (not started in PrepareHardware) is announced again. */
	if (NT_SUCCESS(st) && dev->adapter && !dev->adapter->started_in_prepare) {
		st = umn_adapter_restart(dev->adapter);
		if (!NT_SUCCESS(st))
			snprintf(err, cap, "the OS side refused the adapter again (0x%08x)",
				 (unsigned)st);
	}
	if (NT_SUCCESS(st) && dev->pnp.EvtDeviceD0Entry) {
		st = dev->pnp.EvtDeviceD0Entry(h, WdfPowerDeviceD3Final);
		if (!NT_SUCCESS(st))
			snprintf(err, cap, "EvtDeviceD0Entry failed with 0x%08x", (unsigned)st);
	}
	if (NT_SUCCESS(st)) {
		dev->in_d0 = true;
		/* The power-managed queues run again before self-managed I/O restarts. */
		umn_io_device_power_up(dev->id);
		if (dev->smio_init && dev->pnp.EvtDeviceSelfManagedIoRestart) {
			st = dev->pnp.EvtDeviceSelfManagedIoRestart(h);
			if (!NT_SUCCESS(st))
				snprintf(err, cap,
					 "EvtDeviceSelfManagedIoRestart failed with 0x%08x",
					 (unsigned)st);
		}
	}
	if (NT_SUCCESS(st)) {
		dev->smio_running = dev->smio_init;
		if (dev->adapter && !dev->adapter->started) {
			snprintf(err, cap,
				 "the device has an adapter but the driver never called "
				 "NetAdapterStart");
			st = STATUS_INVALID_DEVICE_STATE;
		}
	}
	if (!NT_SUCCESS(st)) {
		pnp_power_down(dev, false);
		return st;
	}
	dev->pnp_stopped = false;
	return STATUS_SUCCESS;
}
