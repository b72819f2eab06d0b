/* SPDX-License-Identifier: MIT */
/*
 * vpair's shared definitions: the wire (rings of slots, one direction per
 * sending side), the pair that joins two devices of one driver host, the
 * adapter and queue contexts, and what each file of the driver offers the
 * others. vpair.c brings a device up, wire.c lays the cable between two
 * sides and picks the ring a frame takes, datapath.c moves frames over it,
 * and offload.c holds what the OS sets: offloads, receive side scaling,
 * the receive filter, and the wake and power-offload capabilities.
 */
#ifndef VPAIR_H
#define VPAIR_H

#include <pthread.h>
#include <stdatomic.h>

#include <windows.h>
#include <wdf.h>
#include <netadaptercx.h>
#include <net/virtualaddress.h>

#define VPAIR_MAX_FRAME 1514u
/* A GSO frame: the largest IP packet, its Ethernet header and a tag. */
#define VPAIR_GSO_FRAME (65535u + 18u)
#define VPAIR_WIRE_SLOTS_DEFAULT 512u /* WireQueueLength: a power of two */
#define VPAIR_WIRE_SLOTS_MIN 16u
#define VPAIR_WIRE_SLOTS_MAX 4096u
#define VPAIR_MAX_QUEUES 4u
#define VPAIR_RSS_KEY 40u
#define VPAIR_RSS_TABLE 128u

/* A slot points at up to this many TX buffers; a packet of more is copied into the slot. */
#define VPAIR_SLOT_SPANS 64u
/* The first bytes of a frame kept in the slot: every header seg_parse and RSS read (at most 92). */
#define VPAIR_SLOT_HEAD 128u

/* One TX buffer's share of a frame that stays where the OS put it. */
typedef struct _VPAIR_SPAN {
	const UCHAR *Va;
	UINT32 Length;
} VPAIR_SPAN;

typedef struct _VPAIR_SLOT {
	UINT32 Length;
	UINT32 Mss;		/* a GSO frame: its segment size; 0 for a frame */
	BOOLEAN ChecksumPending;	/* the sender asked for its checksums */
	UINT16 HashType;	/* NET_PACKET_HASH_PROTOCOL_TYPE of Hash; 0: not hashed */
	UINT16 Tci;		/* the tag RX took off the frame, with TagMoved */
	BOOLEAN TagMoved;
	BOOLEAN Revoked;	/* its sender took its TX buffers back (a cancel): the frame is lost */
	UINT32 Hash;
	/*
	 * Spans > 0: the frame is still in the sender's TX buffers, Span[0..Spans),
	 * with its first bytes in Head; the sender completes those packets only
	 * once the receiver has moved Consumed past the slot (or revoked it
	 * under the ring's Lock). 0: the frame was copied into Data.
	 */
	UINT32 Spans;
	UCHAR *Data;		/* SlotBytes of the wire; pages are touched only when used */
	UCHAR Head[VPAIR_SLOT_HEAD];
	VPAIR_SPAN Span[VPAIR_SLOT_SPANS];
} VPAIR_SLOT;

/*
 * One direction of the wire: TX (or the socket reader) writes at Produced,
 * RX reads at Consumed. The slots are allocated with the pair, and only
 * those a frame passed through take memory.
 */
typedef struct _VPAIR_WIRE {
	_Alignas(64) _Atomic UINT32 Produced;
	_Alignas(64) _Atomic UINT32 Consumed;
	/* Held by the receiver while it reads slots, and by a cancelled sender revoking its spans. */
	pthread_mutex_t Lock;
	UINT32 Mask;
	VPAIR_SLOT *Slot;
	UCHAR *Bytes;
} VPAIR_WIRE;

/* The wire of one direction: a ring per (sending TX queue, receiving RX queue). */
typedef struct _VPAIR_LINKS {
	ULONG TxQueues, RxQueues;
	VPAIR_WIRE Ring[VPAIR_MAX_QUEUES][VPAIR_MAX_QUEUES];
} VPAIR_LINKS;

/* A TX packet on the wire: the slot Seq of the ring to RX queue Ring - 1 (Ring 0: none). */
typedef struct _VPAIR_HELD {
	UINT32 Seq;
	UINT32 Ring;
} VPAIR_HELD;

typedef struct _VPAIR_QUEUE {
	NETPACKETQUEUE Queue;
	ULONG Index;		/* the queue id */
	ULONG RingNext;		/* RX: the sending queue whose ring is read first */
	const NET_RING_COLLECTION *Rings;
	NET_EXTENSION VirtualAddress;
	NET_EXTENSION Checksum;
	NET_EXTENSION Gso;
	NET_EXTENSION Rsc;
	NET_EXTENSION Hash;
	NET_EXTENSION Vlan;
	UINT32 SegNext;	/* RX: the next segment of the wire slot being cut */
	ULONG HeldOn;		/* TX: 1 + the RX queue whose full ring holds it back; 0: none */
	/*
	 * TX: per packet ring element, where a packet sent without a copy waits
	 * on the wire until the receiver has read it (Ring 0: nothing to wait for).
	 * Packets from BeginIndex to NextIndex are on the wire.
	 */
	VPAIR_HELD *Held;
	BOOLEAN Starved;	/* RX: the last Advance ran out of buffers with frames left */
	BOOLEAN Tx;
	_Atomic BOOLEAN NotificationEnabled;
	_Atomic BOOLEAN Cancelled;
	struct _VPAIR_ADAPTER *Adapter;
} VPAIR_QUEUE;
WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(VPAIR_QUEUE, VPairGetQueue);

struct _VPAIR_PAIR;

typedef struct _VPAIR_ADAPTER {
	NETADAPTER Adapter;
	ULONG Side;
	ULONG PairId;
	ULONG WireSlots;
	ULONG Mtu;
	ULONG64 LinkSpeed;
	struct _VPAIR_PAIR *Pair;	/* NULL for an end whose wire is a socket */
	int Socket;			/* the UDP socket granted as hardware, or -1 */
	VPAIR_LINKS *SocketIn;	/* a socket end's one ring, filled by its reader thread */
	ULONG Queues;		/* TX and RX queues offered */
	_Atomic(VPAIR_QUEUE *) TxQueue[VPAIR_MAX_QUEUES];
	_Atomic(VPAIR_QUEUE *) RxQueue[VPAIR_MAX_QUEUES];
	/* Receive side scaling as the OS set it; read by the sending side's TX. */
	BOOLEAN CanRss, CanVlan;
	_Atomic BOOLEAN RssOn;
	_Atomic UINT32 RssProtocols;	/* NET_ADAPTER_RECEIVE_SCALING_PROTOCOL_TYPE */
	_Atomic UINT8 RssKey[VPAIR_RSS_KEY];
	_Atomic UINT8 RssTable[VPAIR_RSS_TABLE];	/* RX queue ids */
	/*
	 * Advance calls of this side running now, and begun so far. vpair asks
	 * for SynchronizeSetIndirectionEntries and checks that none runs while
	 * its table changes; RssUpdateHoldMs (registry, for tests) makes a
	 * change take that long, as a NIC's table write might.
	 */
	_Atomic LONG InAdvance;
	_Atomic ULONG64 Advances;
	ULONG RssHoldMs;
	NET_PACKET_FILTER_FLAGS PacketFilter;	/* as the OS last set it */
	BOOLEAN CanChecksum, CanLso, CanRsc;	/* registry: offered to the OS */
	/* What the OS has in force, from the EvtAdapterOffloadSet* callbacks. */
	_Atomic BOOLEAN TxChecksum, RxChecksum, Lso, Uso, TcpRsc, UdpRsc;
} VPAIR_ADAPTER;
WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(VPAIR_ADAPTER, VPairGetAdapter);

typedef struct _VPAIR_DEVICE {
	NETADAPTER Adapter;
} VPAIR_DEVICE;
WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(VPAIR_DEVICE, VPairGetDevice);

/* Two devices of one driver host with the same Pair value: what one sends, the other receives. */
typedef struct _VPAIR_PAIR {
	struct _VPAIR_PAIR *Next;
	ULONG Id;
	ULONG Devices;
	VPAIR_ADAPTER *_Atomic Side[2];
	/* Wire[s] carries frames sent by side s; both made when the second side joins. */
	VPAIR_LINKS *_Atomic Wire[2];
} VPAIR_PAIR;

/* wire.c: the two ends of a cable, the wake-ups between them, and the ring a frame takes. */
void VPairNotifyRx(VPAIR_ADAPTER *Adapter, ULONG Queue);
void VPairNotifyTx(VPAIR_ADAPTER *Adapter, ULONG Queue);
NTSTATUS VPairJoinPair(VPAIR_ADAPTER *a);
NTSTATUS VPairUseSocket(VPAIR_ADAPTER *a, int Socket);
VPAIR_ADAPTER *VPairPeer(VPAIR_ADAPTER *a);
ULONG VPairRssTarget(VPAIR_ADAPTER *Rx, const UCHAR *Head, UINT32 Len, UINT32 *Hash, UINT16 *Type);

/* datapath.c: the packet queues. */
NTSTATUS VPairCreateTxQueue(NETADAPTER Adapter, NETTXQUEUE_INIT *TxQueueInit);
NTSTATUS VPairCreateRxQueue(NETADAPTER Adapter, NETRXQUEUE_INIT *RxQueueInit);

/* offload.c: what the OS may set on the adapter, offered before NetAdapterStart. */
void VPairSetAdapterCapabilities(VPAIR_ADAPTER *a);

#endif
