// SPDX-License-Identifier: MIT
/*
 * File objects: one per handle a client opened on a device, keyed by the OS
 * side's file id. CREATE makes the WDFFILEOBJECT and runs
 * EvtDeviceFileCreate (or a queue configured for creates); CLEANUP cancels
 * the file's queued requests and runs EvtFileCleanup; CLOSE waits until no
 * request on the file is outstanding, runs EvtFileClose and deletes the
 * object. Also the device's names: interfaces and symbolic links.
 */
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/utf8.h"
#include "runtime/io/io_int.h"
#include "runtime/wdf/irql.h"

/* The most WCHARs a UNICODE_STRING can count, with room for a terminator. */
#define IO_NAME_MAX_CHARS (0xfffe / sizeof(WCHAR) - 1)

VOID WdfDeviceInitSetFileObjectConfig(PWDFDEVICE_INIT DeviceInit,
				      PWDF_FILEOBJECT_CONFIG FileObjectConfig,
				      PWDF_OBJECT_ATTRIBUTES FileObjectAttributes)
{
	static const char fn[] = "WdfDeviceInitSetFileObjectConfig";

	if (!DeviceInit || !FileObjectConfig) {
		umn_log(UMN_LOG_ERR, "%s: %s is NULL", fn,
			!DeviceInit ? "DeviceInit" : "FileObjectConfig");
		return;
	}
	if (DeviceInit->created) {
		umn_log(UMN_LOG_ERR, "%s: called after WdfDeviceCreate", fn);
		return;
	}
	if (FileObjectConfig->Size != sizeof(*FileObjectConfig)) {
		umn_log(UMN_LOG_ERR,
			"%s: WDF_FILEOBJECT_CONFIG.Size is %u, expected %zu (use "
			"WDF_FILEOBJECT_CONFIG_INIT)",
			fn, FileObjectConfig->Size, sizeof(*FileObjectConfig));
		return;
	}
	if (FileObjectAttributes) {
		if (!NT_SUCCESS(umn_object_check_attributes(fn, FileObjectAttributes)))
			return;
		if (FileObjectAttributes->ParentObject) {
			umn_log(UMN_LOG_ERR,
				"%s: file objects belong to the device; ParentObject must be NULL",
				fn);
			return;
		}
		DeviceInit->file_attrs = *FileObjectAttributes;
		DeviceInit->file_attrs_set = true;
	}
	DeviceInit->file_config = *FileObjectConfig;
	DeviceInit->file_config_set = true;
}

struct umn_fileobj *io_file_lookup(struct umn_device *dev, uint64_t id)
{
	struct umn_idnode *n;

	if (!id)
		return NULL;
	n = umn_idtab_find(&umn_io.files, dev, id);
	return n ? umn_list_entry(n, struct umn_fileobj, hn) : NULL;
}

static void file_on_delete(struct umn_object *o)
{
	struct umn_fileobj *f = (struct umn_fileobj *)o;

	umn_io_lock();
	umn_idtab_del(&f->hn);
	umn_io_unlock();
}

static void file_on_destroy(struct umn_object *o)
{
	struct umn_fileobj *f = (struct umn_fileobj *)o;

	free(f->name.Buffer);
	f->name.Buffer = NULL;
}

static const struct umn_object_ops file_ops = {
    .on_delete = file_on_delete,
    .on_destroy = file_on_destroy,
};

/* UTF-8 to a NUL-terminated WCHAR string; invalid bytes become U+FFFD, the rest is cut. */
static WCHAR *utf8_to_wide(const char *s, USHORT *ret_bytes)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), n = 0, i = 0;
	WCHAR *w = malloc((len + 1) * sizeof(WCHAR));

	if (!w)
		return NULL;
	while (i < len && n < IO_NAME_MAX_CHARS) {
		uint32_t cp;
		size_t k = utf8_decode(p + i, len - i, &cp);

		if (!k) {
			cp = 0xfffd;
			k = 1;
		}
		w[n++] = (WCHAR)cp;
		i += k;
	}
	w[n] = 0;
	*ret_bytes = (USHORT)(n * sizeof(WCHAR));
	return w;
}

char *io_wide_to_utf8(PCUNICODE_STRING u, const char *fn, const char *what)
{
	size_t count, n = 0;
	char *out;

	if (!u || u->Length % sizeof(WCHAR) || (u->Length && !u->Buffer)) {
		umn_log(UMN_LOG_ERR, "%s: %s is not a valid UNICODE_STRING", fn, what);
		return NULL;
	}
	count = u->Length / sizeof(WCHAR);
	out = malloc(count * 4 + 1);
	if (!out)
		return NULL;
	for (size_t i = 0; i < count; i++) {
		uint32_t c = (uint32_t)u->Buffer[i];

		if (c == 0 || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) {
			umn_log(UMN_LOG_ERR, "%s: %s holds an invalid character (U+%04X)", fn, what,
				c);
			free(out);
			return NULL;
		}
		n += utf8_encode(c, (unsigned char *)out + n);
	}
	out[n] = 0;
	return out;
}

static NTSTATUS file_create(struct umn_io_dev *io, struct umn_request *r, struct umn_fileobj **ret)
{
	struct umn_fileobj *f;
	struct umn_object *o;
	NTSTATUS st;

	st = umn_object_create(UMN_OBJ_FILEOBJECT, sizeof(*f),
			       io->file_attrs_set ? &io->file_attrs : NULL, &io->dev->obj,
			       &file_ops, &o);
	if (!NT_SUCCESS(st))
		return st;
	f = (struct umn_fileobj *)o;
	f->id = r->file_id;
	f->dev = io->dev;
	f->wdm = (struct _FILE_OBJECT){
	    .magic = UMN_WDM_FILE_MAGIC, .os_device = io->dev->id, .os_file = r->file_id};
	f->pid = r->pid;
	f->name.Buffer = utf8_to_wide(r->file_name ? r->file_name : "", &f->name.Length);
	if (!f->name.Buffer) {
		umn_object_delete(o);
		return STATUS_INSUFFICIENT_RESOURCES;
	}
	f->name.MaximumLength = (USHORT)(f->name.Length + sizeof(WCHAR));
	umn_object_set_no_driver_delete(o, true);
	*ret = f;
	return STATUS_SUCCESS;
}

static void deliver_create(struct umn_io_dev *io, struct umn_request *r)
{
	struct umn_fileobj *f = NULL;
	bool to_queue = false;
	NTSTATUS st;

	if (!r->file_id) {
		umn_log(UMN_LOG_ERR, "I/O: device %u: create %llu carries no file object id",
			io->dev->id, (unsigned long long)r->id);
		io_req_complete(r, STATUS_INVALID_PARAMETER, 0, false);
		return;
	}
	st = file_create(io, r, &f);
	if (!NT_SUCCESS(st)) {
		io_req_complete(r, st, 0, false);
		return;
	}
	umn_io_lock();
	if (io_file_lookup(io->dev, r->file_id)) {
		umn_io_unlock();
		umn_log(UMN_LOG_ERR, "I/O: device %u: create %llu reuses open file id %llu",
			io->dev->id, (unsigned long long)r->id, (unsigned long long)r->file_id);
		umn_object_delete(&f->obj);
		io_req_complete(r, STATUS_INVALID_PARAMETER, 0, false);
		return;
	}
	umn_idtab_add(&umn_io.files, &f->hn, f->dev, f->id);
	/* The request's reference; the creation reference is the framework's until close. */
	umn_object_reference(&f->obj);
	r->file = f;
	to_queue = io_queue_route(io, UMN_IO_CREATE) != NULL;
	if (!to_queue)
		io_req_post(r, IO_REV_FILE);
	umn_io_unlock();
	if (to_queue)
		io_deliver_to_queue(io, r);
}

void io_file_deliver(struct umn_io_dev *io, struct umn_request *r)
{
	struct io_batch cancel = {0};
	struct umn_fileobj *f = r->file;

	if (r->major == UMN_IO_CREATE) {
		deliver_create(io, r);
		return;
	}
	if (!f) {
		/* Nothing of ours to clean up or close. */
		io_req_complete(r, STATUS_SUCCESS, 0, false);
		return;
	}
	umn_io_lock();
	if (r->major == UMN_IO_CLEANUP) {
		io_queue_flush_file(io, f, &cancel);
		io_req_post(r, IO_REV_FILE);
	} else if (f->close_req) {
		umn_io_unlock();
		umn_log(UMN_LOG_ERR, "I/O: device %u: second close %llu of file %llu", io->dev->id,
			(unsigned long long)r->id, (unsigned long long)f->id);
		io_req_complete(r, STATUS_INVALID_HANDLE, 0, false);
		return;
	} else if (f->outstanding) {
		/* EvtFileClose once the last request on the file is done (io_file_request_done). */
		f->close_req = r;
	} else {
		f->close_req = r;
		io_req_post(r, IO_REV_FILE);
	}
	umn_io_unlock();
	io_batch_complete(&cancel, STATUS_CANCELLED);
}

void io_file_request_done(struct umn_fileobj *f)
{
	if (--f->outstanding == 0 && f->close_req)
		io_req_post(f->close_req, IO_REV_FILE);
}

struct umn_fileobj *io_file_create_failed(struct umn_request *r)
{
	struct umn_fileobj *f = r->file;

	if (!f || !umn_idtab_linked(&f->hn))
		return NULL;
	umn_idtab_del(&f->hn);
	umn_object_reference(&f->obj);
	return f;
}

static void call_file_cb(struct umn_fileobj *f, PFN_WDF_FILE_CLEANUP fn)
{
	struct umn_object *owner;

	if (!fn)
		return;
	owner = io_sync_lock(&f->obj);
	fn((WDFFILEOBJECT)umn_object_handle(&f->obj));
	io_sync_unlock(owner);
}

/* EvtFileCleanup, the first time the file is cleaned up (CLEANUP, or CLOSE without one). */
static void cleanup_once(struct umn_fileobj *f, const WDF_FILEOBJECT_CONFIG *c)
{
	bool cleaned;

	umn_io_lock();
	cleaned = f->cleaned;
	f->cleaned = true;
	umn_io_unlock();
	if (!cleaned)
		call_file_cb(f, c ? c->EvtFileCleanup : NULL);
}

void io_file_process(struct umn_request *r)
{
	struct umn_io_dev *io = umn_io_dev_of(r->dev);
	const WDF_FILEOBJECT_CONFIG *c = io->file_config_set ? &io->file_config : NULL;
	struct umn_fileobj *f = r->file;

	switch (r->major) {
	case UMN_IO_CREATE:
		if (c && c->EvtDeviceFileCreate) {
			struct umn_object *owner;

			umn_io_lock();
			r->state = IO_REQ_DRIVER;
			umn_io_unlock();
			owner = io_sync_lock(&f->obj);
			c->EvtDeviceFileCreate((WDFDEVICE)umn_object_handle(&r->dev->obj),
					       io_req_handle(r),
					       (WDFFILEOBJECT)umn_object_handle(&f->obj));
			io_sync_unlock(owner);
		} else {
			io_req_complete(r, STATUS_SUCCESS, 0, false);
		}
		break;
	case UMN_IO_CLEANUP:
		cleanup_once(f, c);
		io_req_complete(r, STATUS_SUCCESS, 0, false);
		break;
	case UMN_IO_CLOSE:
		/* Windows cleans up before closing; do it here if the OS side skipped it. */
		cleanup_once(f, c);
		call_file_cb(f, c ? c->EvtFileClose : NULL);
		umn_io_lock();
		umn_idtab_del(&f->hn);
		f->close_req = NULL;
		umn_io_unlock();
		umn_object_delete(&f->obj);
		io_req_complete(r, STATUS_SUCCESS, 0, false);
		break;
	default:
		break;
	}
}

static struct umn_fileobj *file_get(const char *fn, WDFFILEOBJECT h)
{
	struct umn_object *o = umn_object_from_handle(h, UMN_OBJ_FILEOBJECT);

	if (!o)
		umn_log(UMN_LOG_ERR, "%s: %p is not a WDFFILEOBJECT", fn, (void *)h);
	return (struct umn_fileobj *)o;
}

WDFDEVICE WdfFileObjectGetDevice(WDFFILEOBJECT FileObject)
{
	struct umn_fileobj *f = file_get("WdfFileObjectGetDevice", FileObject);

	return f ? (WDFDEVICE)umn_object_handle(&f->dev->obj) : NULL;
}

PUNICODE_STRING WdfFileObjectGetFileName(WDFFILEOBJECT FileObject)
{
	struct umn_fileobj *f = file_get("WdfFileObjectGetFileName", FileObject);

	return f ? &f->name : NULL;
}

ULONG WdfFileObjectGetInitiatorProcessId(WDFFILEOBJECT FileObject)
{
	struct umn_fileobj *f = file_get("WdfFileObjectGetInitiatorProcessId", FileObject);

	return f ? f->pid : 0;
}

static struct umn_device *device_get(const char *fn, WDFDEVICE h)
{
	struct umn_object *o = umn_object_from_handle(h, UMN_OBJ_DEVICE);

	if (!o)
		umn_log(UMN_LOG_ERR, "%s: %p is not a WDFDEVICE", fn, (void *)h);
	return (struct umn_device *)o;
}

NTSTATUS WdfDeviceCreateDeviceInterface(WDFDEVICE Device, CONST GUID *InterfaceClassGUID,
					PCUNICODE_STRING ReferenceString)
{
	static const char fn[] = "WdfDeviceCreateDeviceInterface";
	struct umn_device *dev = device_get(fn, Device);
	const struct umn_io_ops *ops = umn_io_ops();
	char *ref;
	NTSTATUS st;

	if (!dev || !InterfaceClassGUID) {
		if (dev)
			umn_log(UMN_LOG_ERR, "%s: InterfaceClassGUID is NULL", fn);
		return STATUS_INVALID_PARAMETER;
	}
	ref =
	    ReferenceString ? io_wide_to_utf8(ReferenceString, fn, "ReferenceString") : strdup("");
	if (!ref)
		return ReferenceString ? STATUS_INVALID_PARAMETER : STATUS_INSUFFICIENT_RESOURCES;
	if (ops && ops->register_interface) {
		/* umnicd answers whether the interface is ours (through the socket). */
		io_worker_wait_begin();
		st = ops->register_interface(dev, InterfaceClassGUID, ref);
		io_worker_wait_end();
	} else {
		umn_log(UMN_LOG_DEBUG, "%s: no OS side attached; the interface is not published",
			fn);
		st = STATUS_SUCCESS;
	}
	free(ref);
	return st;
}

NTSTATUS WdfDeviceCreateSymbolicLink(WDFDEVICE Device, PCUNICODE_STRING SymbolicLinkName)
{
	static const char fn[] = "WdfDeviceCreateSymbolicLink";
	struct umn_device *dev = device_get(fn, Device);
	const struct umn_io_ops *ops = umn_io_ops();
	char *name;
	NTSTATUS st;

	if (!dev || !SymbolicLinkName) {
		if (dev)
			umn_log(UMN_LOG_ERR, "%s: SymbolicLinkName is NULL", fn);
		return STATUS_INVALID_PARAMETER;
	}
	name = io_wide_to_utf8(SymbolicLinkName, fn, "SymbolicLinkName");
	if (!name)
		return STATUS_INVALID_PARAMETER;
	if (!name[0]) {
		umn_log(UMN_LOG_ERR, "%s: SymbolicLinkName is empty", fn);
		free(name);
		return STATUS_INVALID_PARAMETER;
	}
	if (ops && ops->register_symlink) {
		/* umnicd answers: another device may hold the name (STATUS_OBJECT_NAME_COLLISION).
		 */
		io_worker_wait_begin();
		st = ops->register_symlink(dev, name);
		io_worker_wait_end();
	} else {
		umn_log(UMN_LOG_DEBUG, "%s: no OS side attached; %s is not published", fn, name);
		st = STATUS_SUCCESS;
	}
	free(name);
	return st;
}

/*
 * WDM objects for in-host drivers. They only name an OS device and file
 * object, for WdfIoTargetOpenUseExistingDevice; the headers declare them
 * with _KERNEL_MODE only, and the runtime itself is built without it.
 */
PFILE_OBJECT WdfFileObjectWdmGetFileObject(WDFFILEOBJECT FileObject);
PDEVICE_OBJECT WdfDeviceWdmGetDeviceObject(WDFDEVICE Device);
PDEVICE_OBJECT WdfDeviceWdmGetAttachedDevice(WDFDEVICE Device);
PDEVICE_OBJECT WdfDeviceWdmGetPhysicalDevice(WDFDEVICE Device);
NTSTATUS IoGetDeviceObjectPointer(PUNICODE_STRING ObjectName, ACCESS_MASK DesiredAccess,
				  PFILE_OBJECT *FileObject, PDEVICE_OBJECT *DeviceObject);
LONG_PTR ObfDereferenceObject(PVOID Object);

PFILE_OBJECT WdfFileObjectWdmGetFileObject(WDFFILEOBJECT FileObject)
{
	struct umn_fileobj *f = file_get("WdfFileObjectWdmGetFileObject", FileObject);

	return f ? &f->wdm : NULL;
}

PDEVICE_OBJECT WdfDeviceWdmGetDeviceObject(WDFDEVICE Device)
{
	struct umn_device *dev = device_get("WdfDeviceWdmGetDeviceObject", Device);

	return dev ? &dev->wdm : NULL;
}

/* Devices here are not stacked: nothing is attached below. */
PDEVICE_OBJECT WdfDeviceWdmGetAttachedDevice(WDFDEVICE Device)
{
	(void)device_get("WdfDeviceWdmGetAttachedDevice", Device);
	return NULL;
}

PDEVICE_OBJECT WdfDeviceWdmGetPhysicalDevice(WDFDEVICE Device)
{
	return WdfDeviceWdmGetDeviceObject(Device);
}

NTSTATUS IoGetDeviceObjectPointer(PUNICODE_STRING ObjectName, ACCESS_MASK DesiredAccess,
				  PFILE_OBJECT *FileObject, PDEVICE_OBJECT *DeviceObject)
{
	static const char fn[] = "IoGetDeviceObjectPointer";
	const struct umn_io_ops *ops = umn_io_ops();
	struct _FILE_OBJECT *f;
	char *name;
	NTSTATUS st;

	if (!FileObject || !DeviceObject) {
		umn_log(UMN_LOG_ERR, "%s: FileObject and DeviceObject must not be NULL", fn);
		return STATUS_INVALID_PARAMETER;
	}
	*FileObject = NULL;
	*DeviceObject = NULL;
	if (umn_irql_current() > PASSIVE_LEVEL) {
		umn_log(UMN_LOG_ERR, "%s: called at IRQL %u; it waits and requires PASSIVE_LEVEL",
			fn, umn_irql_current());
		return STATUS_INVALID_DEVICE_STATE;
	}
	name = io_wide_to_utf8(ObjectName, fn, "ObjectName");
	if (!name)
		return STATUS_INVALID_PARAMETER;
	f = calloc(1, sizeof(*f));
	if (!f) {
		free(name);
		return STATUS_INSUFFICIENT_RESOURCES;
	}
	st = STATUS_OBJECT_NAME_NOT_FOUND;
	if (ops && ops->open_target) {
		/* umnicd answers once the target's driver ran its create, maybe in this host. */
		io_worker_wait_begin();
		st = ops->open_target(NULL, name, DesiredAccess, &f->os_file, &f->os_device);
		io_worker_wait_end();
	}
	free(name);
	if (!NT_SUCCESS(st)) {
		free(f);
		return st;
	}
	f->magic = UMN_WDM_FILE_MAGIC;
	f->opened = true;
	f->device =
	    (struct _DEVICE_OBJECT){.magic = UMN_WDM_DEVICE_MAGIC, .os_device = f->os_device};
	*FileObject = f;
	*DeviceObject = &f->device;
	return STATUS_SUCCESS;
}

/*
 * Only a file object from IoGetDeviceObjectPointer holds anything: the
 * reference ends its open (cleanup and close on the target). Device objects
 * and the framework's own file objects are not counted here.
 */
bool umn_km_deref_object(PVOID Object);

LONG_PTR ObfDereferenceObject(PVOID Object)
{
	struct _FILE_OBJECT *f = Object;
	const struct umn_io_ops *ops = umn_io_ops();

	/* Thread objects (km_sync.c) are recognized by address, before f is read. */
	if (umn_km_deref_object(Object))
		return 0;
	if (!f || f->magic != UMN_WDM_FILE_MAGIC || !f->opened)
		return 0;
	if (ops && ops->close_target)
		ops->close_target(NULL, f->os_file);
	f->magic = 0;
	free(f);
	return 0;
}
