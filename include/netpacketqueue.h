/* SPDX-License-Identifier: MIT */
/*
 * NETPACKETQUEUE: a TX or RX queue and the callbacks the system drives it
 * with. All callbacks of one queue run serially on the queue's execution
 * context, so they need no locks between them:
 *
 *   EvtStart            before the first Advance; every ring index is 0.
 *   EvtAdvance          do the work: post new elements to hardware, return
 *                       finished ones by moving BeginIndex (may run at
 *                       DISPATCH_LEVEL in an in-host driver).
 *   EvtSetNotificationEnabled(TRUE)
 *                       called when Advance made no progress; arm the
 *                       hardware (or a timer) and call Net{Tx,Rx}QueueNotify-
 *                       More... once there is work. Arming is one-shot; FALSE
 *                       disarms it.
 *   EvtCancel           the system stops posting; return everything soon
 *                       (RX: mark the remaining packets Ignore and move
 *                       BeginIndex to EndIndex on both rings). Advance keeps
 *                       being called until the rings are empty.
 *   EvtStop             after every element was returned.
 */
#ifndef UMNIC_NETPACKETQUEUE_H
#define UMNIC_NETPACKETQUEUE_H

#include <netadaptercxtypes.h>

UMNIC_EXTERN_C_BEGIN

typedef void EVT_PACKET_QUEUE_START(NETPACKETQUEUE PacketQueue);
typedef EVT_PACKET_QUEUE_START *PFN_PACKET_QUEUE_START;

typedef void EVT_PACKET_QUEUE_STOP(NETPACKETQUEUE PacketQueue);
typedef EVT_PACKET_QUEUE_STOP *PFN_PACKET_QUEUE_STOP;

typedef void EVT_PACKET_QUEUE_ADVANCE(NETPACKETQUEUE PacketQueue);
typedef EVT_PACKET_QUEUE_ADVANCE *PFN_PACKET_QUEUE_ADVANCE;

typedef void EVT_PACKET_QUEUE_SET_NOTIFICATION_ENABLED(NETPACKETQUEUE PacketQueue,
						       BOOLEAN NotificationEnabled);
typedef EVT_PACKET_QUEUE_SET_NOTIFICATION_ENABLED *PFN_PACKET_QUEUE_SET_NOTIFICATION_ENABLED;

typedef void EVT_PACKET_QUEUE_CANCEL(NETPACKETQUEUE PacketQueue);
typedef EVT_PACKET_QUEUE_CANCEL *PFN_PACKET_QUEUE_CANCEL;

typedef struct _NET_PACKET_QUEUE_CONFIG {
	ULONG Size;
	PFN_PACKET_QUEUE_START EvtStart;
	PFN_PACKET_QUEUE_STOP EvtStop;
	PFN_PACKET_QUEUE_ADVANCE EvtAdvance;
	PFN_PACKET_QUEUE_SET_NOTIFICATION_ENABLED EvtSetNotificationEnabled;
	PFN_PACKET_QUEUE_CANCEL EvtCancel;
	/* NULL: the system picks the execution context for the queue id. */
	NETEXECUTIONCONTEXT ExecutionContext;
} NET_PACKET_QUEUE_CONFIG;

/* Advance, SetNotificationEnabled and Cancel are required; Start and Stop are optional. */
FORCEINLINE void
NET_PACKET_QUEUE_CONFIG_INIT(NET_PACKET_QUEUE_CONFIG *Configuration,
			     PFN_PACKET_QUEUE_ADVANCE EvtAdvance,
			     PFN_PACKET_QUEUE_SET_NOTIFICATION_ENABLED EvtSetNotificationEnabled,
			     PFN_PACKET_QUEUE_CANCEL EvtCancel)
{
	__builtin_memset(Configuration, 0, sizeof(*Configuration));
	Configuration->Size = sizeof(*Configuration);
	Configuration->EvtAdvance = EvtAdvance;
	Configuration->EvtSetNotificationEnabled = EvtSetNotificationEnabled;
	Configuration->EvtCancel = EvtCancel;
}

UMNIC_EXTERN_C_END

#endif
