// SPDX-License-Identifier: MIT
/* WdfObject* entry points: argument checks and handle resolution in front of object.c. */
#include <wdf.h>

#include "common/log.h"
#include "runtime/wdf/irql.h"
#include "runtime/wdf/object.h"

NTSTATUS WdfObjectCreate(PWDF_OBJECT_ATTRIBUTES Attributes, WDFOBJECT *Object)
{
	struct umn_object *o;
	NTSTATUS st;

	if (!Object) {
		umn_log(UMN_LOG_ERR, "WdfObjectCreate: Object is NULL");
		return STATUS_INVALID_PARAMETER;
	}
	st = umn_object_create(UMN_OBJ_GENERIC, sizeof(*o), Attributes, umn_object_driver(), NULL,
			       &o);
	if (!NT_SUCCESS(st))
		return st;
	*Object = umn_object_handle(o);
	return STATUS_SUCCESS;
}

VOID WdfObjectDelete(WDFOBJECT Object)
{
	struct umn_object *o = umn_object_from_handle(Object, UMN_OBJ__MAX);

	if (!o) {
		umn_log(UMN_LOG_ERR, "WdfObjectDelete: %p is not a valid framework object", Object);
		return;
	}
	if (!umn_object_driver_may_delete(o)) {
		umn_log(UMN_LOG_ERR,
			"WdfObjectDelete: %s %p belongs to the framework and cannot be deleted by "
			"the driver",
			umn_object_type_name(o->type), Object);
		return;
	}
	umn_object_delete(o);
}

VOID WdfObjectReferenceActual(WDFOBJECT Handle, PVOID Tag, LONG Line, PCSTR File)
{
	struct umn_object *o = umn_object_from_handle(Handle, UMN_OBJ__MAX);

	if (!o) {
		umn_log(UMN_LOG_ERR,
			"WdfObjectReference at %s:%d: %p is not a valid framework object",
			File ? File : "?", (int)Line, Handle);
		return;
	}
	(void)Tag;
	umn_object_reference(o);
}

VOID WdfObjectDereferenceActual(WDFOBJECT Handle, PVOID Tag, LONG Line, PCSTR File)
{
	struct umn_object *o = umn_object_from_handle(Handle, UMN_OBJ__MAX);

	if (!o) {
		umn_log(UMN_LOG_ERR,
			"WdfObjectDereference at %s:%d: %p is not a valid framework object",
			File ? File : "?", (int)Line, Handle);
		return;
	}
	(void)Tag;
	umn_object_dereference(o);
}

NTSTATUS WdfObjectAllocateContext(WDFOBJECT Handle, PWDF_OBJECT_ATTRIBUTES ContextAttributes,
				  PVOID *Context)
{
	struct umn_object *o = umn_object_from_handle(Handle, UMN_OBJ__MAX);
	NTSTATUS st;

	if (!o) {
		umn_log(UMN_LOG_ERR, "WdfObjectAllocateContext: %p is not a valid framework object",
			Handle);
		return STATUS_INVALID_PARAMETER;
	}
	if (!ContextAttributes || !ContextAttributes->ContextTypeInfo) {
		umn_log(UMN_LOG_ERR,
			"WdfObjectAllocateContext: ContextAttributes must name a context type");
		return STATUS_INVALID_PARAMETER;
	}
	st = umn_object_check_attributes("WdfObjectAllocateContext", ContextAttributes);
	if (!NT_SUCCESS(st))
		return st;
	if (ContextAttributes->ParentObject) {
		umn_log(UMN_LOG_ERR,
			"WdfObjectAllocateContext: ContextAttributes.ParentObject must be NULL");
		return STATUS_INVALID_PARAMETER;
	}
	return umn_object_add_context(o, ContextAttributes, Context);
}

PVOID WdfObjectGetTypedContextWorker(WDFOBJECT Handle, PCWDF_OBJECT_CONTEXT_TYPE_INFO TypeInfo)
{
	struct umn_object *o = umn_object_from_handle(Handle, UMN_OBJ__MAX);
	void *ctx;

	if (!o) {
		umn_log(UMN_LOG_ERR, "context accessor: %p is not a valid framework object",
			Handle);
		return NULL;
	}
	if (!TypeInfo) {
		umn_log(UMN_LOG_ERR, "WdfObjectGetTypedContextWorker: TypeInfo is NULL");
		return NULL;
	}
	ctx = umn_object_context(o, TypeInfo);
	if (!ctx)
		umn_log(UMN_LOG_DEBUG, "%s %p has no context of type %s",
			umn_object_type_name(o->type), Handle,
			TypeInfo->ContextName ? TypeInfo->ContextName : "?");
	return ctx;
}

WDFOBJECT WdfObjectContextGetObject(PVOID ContextPointer)
{
	struct umn_object *o = umn_object_from_context(ContextPointer);

	if (!o) {
		umn_log(UMN_LOG_ERR, "WdfObjectContextGetObject: %p is not an object context area",
			ContextPointer);
		return NULL;
	}
	return umn_object_handle(o);
}

VOID WdfObjectAcquireLock(WDFOBJECT Object)
{
	struct umn_object *o = umn_object_from_handle(Object, UMN_OBJ__MAX);

	if (!o) {
		umn_log(UMN_LOG_ERR, "WdfObjectAcquireLock: %p is not a valid framework object",
			Object);
		return;
	}
	umn_object_lock(o);
}

VOID WdfObjectReleaseLock(WDFOBJECT Object)
{
	struct umn_object *o = umn_object_from_handle(Object, UMN_OBJ__MAX);

	if (!o) {
		umn_log(UMN_LOG_ERR, "WdfObjectReleaseLock: %p is not a valid framework object",
			Object);
		return;
	}
	umn_object_unlock(o);
}
