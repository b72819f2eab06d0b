/* SPDX-License-Identifier: MIT */
/*
 * RX queues. The system asks for one with EvtAdapterCreateRxQueue; the driver
 * creates it there with NetRxQueueCreate, then looks up its rings and the
 * extensions it needs once, typically in EvtStart.
 */
#ifndef UMNIC_NETRXQUEUE_H
#define UMNIC_NETRXQUEUE_H

#include <netadaptercxtypes.h>
#include <netpacketqueue.h>
#include <net/ringcollection.h>
#include <net/extension.h>

UMNIC_EXTERN_C_BEGIN

/*
 * Only valid inside EvtAdapterCreateRxQueue. STATUS_INVALID_PARAMETER for a
 * config without the required callbacks, STATUS_INSUFFICIENT_RESOURCES when
 * out of memory; *RxQueue is untouched on failure.
 */
NTSTATUS NetRxQueueCreate(NETRXQUEUE_INIT *RxQueueInit, PWDF_OBJECT_ATTRIBUTES RxQueueAttributes,
			  NET_PACKET_QUEUE_CONFIG const *Configuration, NETPACKETQUEUE *RxQueue);

/* The queue id (0 .. MaximumNumberOfQueues - 1) the system is asking for. */
ULONG NetRxQueueInitGetQueueId(NETRXQUEUE_INIT *RxQueueInit);

/* The queue's rings; the pointer stays valid for the life of the queue. */
NET_RING_COLLECTION const *NetRxQueueGetRingCollection(NETPACKETQUEUE RxQueue);

/*
 * Locates an extension in the queue's rings. Extension->Enabled is FALSE when
 * the extension is not in use on this queue.
 */
void NetRxQueueGetExtension(NETPACKETQUEUE RxQueue, NET_EXTENSION_QUERY const *Query,
			    NET_EXTENSION *Extension);

/*
 * Wakes the queue after EvtSetNotificationEnabled(TRUE) once the hardware received packets.
 * Callable from any thread and, in-host, at any IRQL.
 */
void NetRxQueueNotifyMoreReceivedPacketsAvailable(NETPACKETQUEUE RxQueue);

UMNIC_EXTERN_C_END

#endif
