/* SPDX-License-Identifier: MIT */
/*
 * WDFCOLLECTION: an ordered list of framework objects. The collection holds a
 * reference on each item until the item is removed or the collection deleted.
 */
#ifndef UMNIC_WDFCOLLECTION_H
#define UMNIC_WDFCOLLECTION_H

#include <wdfobject.h>

UMNIC_EXTERN_C_BEGIN

NTSTATUS WdfCollectionCreate(PWDF_OBJECT_ATTRIBUTES CollectionAttributes,
			     WDFCOLLECTION *Collection);
ULONG WdfCollectionGetCount(WDFCOLLECTION Collection);

/* Appends Object. STATUS_INVALID_PARAMETER, STATUS_INSUFFICIENT_RESOURCES. */
NTSTATUS WdfCollectionAdd(WDFCOLLECTION Collection, WDFOBJECT Object);

/* Removes the first occurrence of Item. */
VOID WdfCollectionRemove(WDFCOLLECTION Collection, WDFOBJECT Item);
VOID WdfCollectionRemoveItem(WDFCOLLECTION Collection, ULONG Index);

/* NULL when Index is out of range or the collection is empty. */
WDFOBJECT WdfCollectionGetItem(WDFCOLLECTION Collection, ULONG Index);
WDFOBJECT WdfCollectionGetFirstItem(WDFCOLLECTION Collection);
WDFOBJECT WdfCollectionGetLastItem(WDFCOLLECTION Collection);

UMNIC_EXTERN_C_END

#endif
