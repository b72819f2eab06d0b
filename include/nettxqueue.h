/* SPDX-License-Identifier: MIT */
/*
 * TX queues. The system asks for one with EvtAdapterCreateTxQueue; the driver
 * creates it there with NetTxQueueCreate, then looks up its rings and the
 * extensions it needs once, typically in EvtStart.
 */
#ifndef UMNIC_NETTXQUEUE_H
#define UMNIC_NETTXQUEUE_H

#include <netadaptercxtypes.h>
#include <netpacketqueue.h>
#include <net/ringcollection.h>
#include <net/extension.h>

UMNIC_EXTERN_C_BEGIN

/*
 * Only valid inside EvtAdapterCreateTxQueue. STATUS_INVALID_PARAMETER for a
 * config without the required callbacks, STATUS_INSUFFICIENT_RESOURCES when
 * out of memory; *TxQueue is untouched on failure.
 */
NTSTATUS NetTxQueueCreate(NETTXQUEUE_INIT *TxQueueInit, PWDF_OBJECT_ATTRIBUTES TxQueueAttributes,
			  NET_PACKET_QUEUE_CONFIG const *Configuration, NETPACKETQUEUE *TxQueue);

/* The queue id (0 .. MaximumNumberOfQueues - 1) the system is asking for. */
ULONG NetTxQueueInitGetQueueId(NETTXQUEUE_INIT *TxQueueInit);

/* The queue's rings; the pointer stays valid for the life of the queue. */
NET_RING_COLLECTION const *NetTxQueueGetRingCollection(NETPACKETQUEUE TxQueue);

/*
 * Locates an extension in the queue's rings. Extension->Enabled is FALSE when
 * the extension is not in use on this queue.
 */
void NetTxQueueGetExtension(NETPACKETQUEUE TxQueue, NET_EXTENSION_QUERY const *Query,
			    NET_EXTENSION *Extension);

/*
 * Wakes the queue after EvtSetNotificationEnabled(TRUE) once the hardware finished sending packets.
 * Callable from any thread and, in-host, at any IRQL.
 */
void NetTxQueueNotifyMoreCompletedPacketsAvailable(NETPACKETQUEUE TxQueue);

UMNIC_EXTERN_C_END

#endif
