/* SPDX-License-Identifier: MIT */
/*
 * The framework object model: attributes given at creation, parent/child
 * lifetime, reference counts and typed context areas.
 *
 * Every framework object has a parent (the driver when nothing else is
 * given). Deleting an object deletes its children first, most recent first,
 * then runs its EvtCleanupCallback. EvtDestroyCallback runs later, when the
 * last reference to the object is released; after that the handle is dead.
 */
#ifndef UMNIC_WDFOBJECT_H
#define UMNIC_WDFOBJECT_H

#include <string.h>
#include <wdftypes.h>

UMNIC_EXTERN_C_BEGIN

#ifndef STATUS_OBJECT_NAME_EXISTS
/* Informational: WdfObjectAllocateContext found the context type already there. */
#define STATUS_OBJECT_NAME_EXISTS ((NTSTATUS)0x40000000L)
#endif
#ifndef STATUS_DELETE_PENDING
/* The parent named in the attributes is being deleted. */
#define STATUS_DELETE_PENDING ((NTSTATUS)0xC0000056L)
#endif

/* IRQL at which the object's callbacks run. */
typedef enum _WDF_EXECUTION_LEVEL {
	WdfExecutionLevelInvalid = 0,
	WdfExecutionLevelInheritFromParent,
	WdfExecutionLevelPassive,
	WdfExecutionLevelDispatch,
} WDF_EXECUTION_LEVEL;

/* Which lock, if any, the framework holds around the object's callbacks. */
typedef enum _WDF_SYNCHRONIZATION_SCOPE {
	WdfSynchronizationScopeInvalid = 0,
	WdfSynchronizationScopeInheritFromParent,
	WdfSynchronizationScopeDevice,
	WdfSynchronizationScopeQueue,
	WdfSynchronizationScopeNone,
} WDF_SYNCHRONIZATION_SCOPE;

typedef VOID EVT_WDF_OBJECT_CONTEXT_CLEANUP(WDFOBJECT Object);
typedef EVT_WDF_OBJECT_CONTEXT_CLEANUP *PFN_WDF_OBJECT_CONTEXT_CLEANUP;

typedef VOID EVT_WDF_OBJECT_CONTEXT_DESTROY(WDFOBJECT Object);
typedef EVT_WDF_OBJECT_CONTEXT_DESTROY *PFN_WDF_OBJECT_CONTEXT_DESTROY;

/*
 * Older per-object names for the same two callback types, still used by
 * driver sources (a cleanup or destroy callback of a device, queue, file...).
 */
#define UMNIC_LEGACY_CONTEXT_CALLBACKS(cleanup, destroy)            \
	typedef EVT_WDF_OBJECT_CONTEXT_CLEANUP cleanup, *PFN_##cleanup; \
	typedef EVT_WDF_OBJECT_CONTEXT_DESTROY destroy, *PFN_##destroy
UMNIC_LEGACY_CONTEXT_CALLBACKS(EVT_WDF_DEVICE_CONTEXT_CLEANUP, EVT_WDF_DEVICE_CONTEXT_DESTROY);
UMNIC_LEGACY_CONTEXT_CALLBACKS(EVT_WDF_IO_QUEUE_CONTEXT_CLEANUP_CALLBACK,
			       EVT_WDF_IO_QUEUE_CONTEXT_DESTROY_CALLBACK);
UMNIC_LEGACY_CONTEXT_CALLBACKS(EVT_WDF_FILE_CONTEXT_CLEANUP_CALLBACK,
			       EVT_WDF_FILE_CONTEXT_DESTROY_CALLBACK);
UMNIC_LEGACY_CONTEXT_CALLBACKS(EVT_WDF_DRIVER_CONTEXT_CLEANUP, EVT_WDF_DRIVER_CONTEXT_DESTROY);
UMNIC_LEGACY_CONTEXT_CALLBACKS(EVT_WDF_REQUEST_CONTEXT_CLEANUP, EVT_WDF_REQUEST_CONTEXT_DESTROY);
UMNIC_LEGACY_CONTEXT_CALLBACKS(EVT_WDF_TIMER_CONTEXT_CLEANUP, EVT_WDF_TIMER_CONTEXT_DESTROY);
UMNIC_LEGACY_CONTEXT_CALLBACKS(EVT_WDF_WORKITEM_CONTEXT_CLEANUP, EVT_WDF_WORKITEM_CONTEXT_DESTROY);
UMNIC_LEGACY_CONTEXT_CALLBACKS(EVT_WDF_INTERRUPT_CONTEXT_CLEANUP,
			       EVT_WDF_INTERRUPT_CONTEXT_DESTROY);
UMNIC_LEGACY_CONTEXT_CALLBACKS(EVT_WDF_DPC_CONTEXT_CLEANUP, EVT_WDF_DPC_CONTEXT_DESTROY);
#undef UMNIC_LEGACY_CONTEXT_CALLBACKS

typedef PCWDF_OBJECT_CONTEXT_TYPE_INFO (*PFN_GET_UNIQUE_CONTEXT_TYPE)(VOID);

/*
 * Describes one context type. The framework identifies a type by the address
 * of the descriptor UniqueType points to, so exactly one such descriptor may
 * exist per type in a driver (see WDF_DECLARE_CONTEXT_TYPE_WITH_NAME).
 */
struct _WDF_OBJECT_CONTEXT_TYPE_INFO {
	ULONG Size;
	PCSTR ContextName;
	size_t ContextSize;
	PCWDF_OBJECT_CONTEXT_TYPE_INFO UniqueType;
	PFN_GET_UNIQUE_CONTEXT_TYPE EvtDriverGetUniqueContextType;
};

/* The typedef names WDF_OBJECT_ATTRIBUTES/PWDF_OBJECT_ATTRIBUTES come from wdftypes.h. */
struct _WDF_OBJECT_ATTRIBUTES {
	ULONG Size;
	PFN_WDF_OBJECT_CONTEXT_CLEANUP EvtCleanupCallback;
	PFN_WDF_OBJECT_CONTEXT_DESTROY EvtDestroyCallback;
	WDF_EXECUTION_LEVEL ExecutionLevel;
	WDF_SYNCHRONIZATION_SCOPE SynchronizationScope;
	/* NULL: the creating function's default parent. */
	WDFOBJECT ParentObject;
	/* If non-zero, the context is this many bytes instead of ContextTypeInfo->ContextSize. */
	size_t ContextSizeOverride;
	PCWDF_OBJECT_CONTEXT_TYPE_INFO ContextTypeInfo;
};

#ifdef __LP64__
UMNIC_STATIC_ASSERT(sizeof(WDF_OBJECT_ATTRIBUTES) == 56,
		    "WDF_OBJECT_ATTRIBUTES is 56 bytes on LP64");
UMNIC_STATIC_ASSERT(sizeof(WDF_OBJECT_CONTEXT_TYPE_INFO) == 40,
		    "WDF_OBJECT_CONTEXT_TYPE_INFO is 40 bytes on LP64");
#endif

FORCEINLINE VOID WDF_OBJECT_ATTRIBUTES_INIT(PWDF_OBJECT_ATTRIBUTES Attributes)
{
	memset(Attributes, 0, sizeof(*Attributes));
	Attributes->Size = sizeof(*Attributes);
	Attributes->ExecutionLevel = WdfExecutionLevelInheritFromParent;
	Attributes->SynchronizationScope = WdfSynchronizationScopeInheritFromParent;
}

/* Name of the one descriptor object a context type gets. */
#define WDF_TYPE_NAME_TO_TYPE_INFO(T) _WDF_##T##_TYPE_INFO

/* The descriptor that identifies context type T. */
#define WDF_GET_CONTEXT_TYPE_INFO(T) (WDF_TYPE_NAME_TO_TYPE_INFO(T).UniqueType)

#define WDF_OBJECT_ATTRIBUTES_SET_CONTEXT_TYPE(Attributes, T) \
	((Attributes)->ContextTypeInfo = WDF_GET_CONTEXT_TYPE_INFO(T))

#define WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(Attributes, T) \
	do {                                                    \
		WDF_OBJECT_ATTRIBUTES_INIT(Attributes);         \
		WDF_OBJECT_ATTRIBUTES_SET_CONTEXT_TYPE(Attributes, T); \
	} while (0)

/*
 * The descriptor must be a single object even when the declaration sits in a
 * header included by many source files of the driver: a weak definition in
 * C, an inline variable in C++. Either way the linker keeps one copy, and its
 * UniqueType points at that copy.
 */
#ifdef __cplusplus
#define UMNIC_WDF_CONTEXT_TYPE_INFO_DEFINITION(T, Name)                                    \
	inline const WDF_OBJECT_CONTEXT_TYPE_INFO WDF_TYPE_NAME_TO_TYPE_INFO(T) = {        \
		sizeof(WDF_OBJECT_CONTEXT_TYPE_INFO), Name, sizeof(T),                     \
		&WDF_TYPE_NAME_TO_TYPE_INFO(T), nullptr,                                   \
	}
#else
#define UMNIC_WDF_CONTEXT_TYPE_INFO_DEFINITION(T, Name)                                    \
	__attribute__((weak)) const WDF_OBJECT_CONTEXT_TYPE_INFO WDF_TYPE_NAME_TO_TYPE_INFO(T) = { \
		sizeof(WDF_OBJECT_CONTEXT_TYPE_INFO), Name, sizeof(T),                     \
		&WDF_TYPE_NAME_TO_TYPE_INFO(T), NULL,                                      \
	}
#endif

/*
 * Declares context type T and an accessor returning the T attached to any
 * framework object (NULL if the object has no context of that type).
 */
#define WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(T, Accessor)                                   \
	UMNIC_WDF_CONTEXT_TYPE_INFO_DEFINITION(T, #T);                                    \
	FORCEINLINE T *Accessor(WDFOBJECT Handle)                                         \
	{                                                                                 \
		return (T *)WdfObjectGetTypedContextWorker(Handle, WDF_GET_CONTEXT_TYPE_INFO(T)); \
	}

#define WDF_DECLARE_CONTEXT_TYPE(T) WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(T, WdfObjectGet_##T)

#define WdfObjectGetTypedContext(Handle, T) \
	((T *)WdfObjectGetTypedContextWorker((WDFOBJECT)(Handle), WDF_GET_CONTEXT_TYPE_INFO(T)))

/*
 * Creates a generic object, parented to the driver unless
 * Attributes->ParentObject says otherwise. STATUS_INVALID_PARAMETER for bad
 * attributes or a NULL Object, STATUS_INSUFFICIENT_RESOURCES.
 */
NTSTATUS WdfObjectCreate(PWDF_OBJECT_ATTRIBUTES Attributes, WDFOBJECT *Object);

/* Deletes the object and its children. Some framework-owned objects refuse (logged). */
VOID WdfObjectDelete(WDFOBJECT Object);

/* Tag, Line and File identify the caller in diagnostics; Tag may be NULL. */
VOID WdfObjectReferenceActual(WDFOBJECT Handle, PVOID Tag, LONG Line, PCSTR File);
VOID WdfObjectDereferenceActual(WDFOBJECT Handle, PVOID Tag, LONG Line, PCSTR File);

#define WdfObjectReference(Handle) \
	WdfObjectReferenceActual((WDFOBJECT)(Handle), NULL, __LINE__, __FILE__)
#define WdfObjectDereference(Handle) \
	WdfObjectDereferenceActual((WDFOBJECT)(Handle), NULL, __LINE__, __FILE__)
#define WdfObjectReferenceWithTag(Handle, Tag) \
	WdfObjectReferenceActual((WDFOBJECT)(Handle), (Tag), __LINE__, __FILE__)
#define WdfObjectDereferenceWithTag(Handle, Tag) \
	WdfObjectDereferenceActual((WDFOBJECT)(Handle), (Tag), __LINE__, __FILE__)

/*
 * Adds a context of the type in ContextAttributes->ContextTypeInfo to an
 * existing object. Its cleanup/destroy callbacks run with the object's.
 * STATUS_OBJECT_NAME_EXISTS (and *Context set to the existing area) if the
 * object already has that type; STATUS_INVALID_PARAMETER,
 * STATUS_INSUFFICIENT_RESOURCES, STATUS_DELETE_PENDING.
 */
NTSTATUS WdfObjectAllocateContext(WDFOBJECT Handle, PWDF_OBJECT_ATTRIBUTES ContextAttributes,
				  PVOID *Context);

/* The context of type TypeInfo on Handle, or NULL. Use the declared accessors instead. */
PVOID WdfObjectGetTypedContextWorker(WDFOBJECT Handle, PCWDF_OBJECT_CONTEXT_TYPE_INFO TypeInfo);

/* The object a context area belongs to. */
WDFOBJECT WdfObjectContextGetObject(PVOID ContextPointer);

/* The lock the framework uses to serialize the object's callbacks (devices and queues). */
VOID WdfObjectAcquireLock(WDFOBJECT Object);
VOID WdfObjectReleaseLock(WDFOBJECT Object);

UMNIC_EXTERN_C_END

#endif
