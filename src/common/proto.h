/* SPDX-License-Identifier: MIT */
/*
 * Messages between umnicd and a umnic-host process, over a SOCK_SEQPACKET
 * socketpair (one message per packet, file descriptors as SCM_RIGHTS).
 *
 * Every message is a fixed struct starting with umn_msg_hdr, optionally
 * followed by a variable blob whose length the struct names. Strings are
 * fixed arrays; the receiver forces termination. The receiver copies the
 * packet into private memory before it looks at any field, and umnicd checks
 * every value it gets from a host (the host is not trusted).
 */
#ifndef UMNIC_COMMON_PROTO_H
#define UMNIC_COMMON_PROTO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "common/shm.h"

#define UMN_PROTO_VERSION 1
#define UMN_MSG_MAX	  (128 * 1024)
#define UMN_MSG_MAX_FDS	  8
#define UMN_NAME_MAX	  128
#define UMN_TEXT_MAX	  512
#define UMN_MAC_MAX	  32
#define UMN_MCAST_MAX	  64
/* Queue pairs per adapter: each has its TAP queue, its rings and its threads on both sides. */
#define UMN_QUEUES_MAX 4
/*
 * I/O requests a driver host holds at once (its slot table; one slot stays
 * free). umnicd sends no more than that and shares them out between users.
 */
#define UMN_HOST_IO_SLOTS 4096u

/* Devices umnicd runs at most; device numbers (dev fields) are below it. */
#define UMN_MAX_DEVICES 1024
/*
 * Devices one driver host runs at most (UmdfHostProcessSharing): umnicd
 * refuses to install more into a shared host. A host's descriptor limit
 * follows from it: the sandbox sets RLIMIT_NOFILE to UMN_HOST_NOFILE, room
 * for every device's queue eventfds and hardware resources plus the host's
 * own (its socket, message ring, I/O buffers in flight, the driver's own).
 */
#define UMN_HOST_MAX_DEVICES	256
#define UMN_HOST_FDS_PER_DEVICE 24
#define UMN_HOST_FDS_BASE	256
#define UMN_HOST_NOFILE		(UMN_HOST_FDS_BASE + UMN_HOST_MAX_DEVICES * UMN_HOST_FDS_PER_DEVICE)

enum umn_msg_type {
	/* umnicd -> host; each is answered by UMN_MSG_REPLY with the same seq. */
	UMN_MSG_LOAD_DRIVER = 1,
	UMN_MSG_ADD_DEVICE,
	UMN_MSG_CREATE_QUEUE,
	UMN_MSG_START_QUEUES,
	UMN_MSG_STOP_QUEUES,
	UMN_MSG_SET_RX_FILTER,
	UMN_MSG_REMOVE_DEVICE,
	UMN_MSG_IO_REQUEST, /* not answered by REPLY: the driver completes it with IO_COMPLETE */
	UMN_MSG_IO_CANCEL,
	UMN_MSG_TARGET_OPENED,	 /* answers TARGET_OPEN */
	UMN_MSG_TARGET_COMPLETE, /* completes TARGET_SEND; struct umn_msg_io_complete, id = cookie
				  */
	UMN_MSG_NAME_REGISTERED, /* answers REGISTER_NAME */
	UMN_MSG_SET_OFFLOAD,	 /* struct umn_msg_offload: the offloads in force changed */
	UMN_MSG_STOP_DEVICE,	 /* a PnP stop: struct umn_msg_dev; the device stays, out of D0 */
	UMN_MSG_START_DEVICE,	 /* the start after it */
	UMN_MSG_SET_RSS,	 /* struct umn_msg_rss: receive side scaling, whole */

	/* host -> umnicd. */
	UMN_MSG_REPLY = 100,
	UMN_MSG_LOG,
	UMN_MSG_ADAPTER_START, /* answered with UMN_MSG_REPLY */
	UMN_MSG_ADAPTER_STOP,
	UMN_MSG_LINK_STATE,
	UMN_MSG_DEVICE_FAILED,
	UMN_MSG_DYING, /* a fatal signal arrived; the host exits next */
	UMN_MSG_IO_COMPLETE,
	UMN_MSG_REGISTER_NAME, /* WdfDeviceCreateSymbolicLink / WdfDeviceCreateDeviceInterface */
	/* The driver as a client of another device (I/O targets), see below. */
	UMN_MSG_TARGET_OPEN,
	UMN_MSG_TARGET_SEND,
	UMN_MSG_TARGET_CANCEL, /* struct umn_msg_io_cancel, id = cookie */
	UMN_MSG_TARGET_CLOSE,  /* struct umn_msg_io_cancel, id = the file from TARGET_OPENED */
	UMN_MSG_TRACE,	       /* a WPP trace message, struct umn_msg_trace */
};

struct umn_msg_hdr {
	uint32_t type;
	uint32_t len; /* whole message, header included */
	uint64_t seq;
};

struct umn_msg_reply {
	struct umn_msg_hdr h;
	uint64_t req_seq;
	int32_t status; /* NTSTATUS */
	uint32_t reserved;
	char text[UMN_TEXT_MAX];
};

struct umn_msg_load_driver {
	struct umn_msg_hdr h;
	uint32_t proto_version;
	uint32_t flags; /* UMN_LOAD_* */
	char service[UMN_NAME_MAX];
	char path[1024]; /* the driver .so */
};
#define UMN_LOAD_VERIFIER 0x1

#define UMN_MAX_RESOURCES 4

/* fds: one per resource, opened by umnicd (hardware the driver may use). */
struct umn_msg_add_device {
	struct umn_msg_hdr h;
	uint32_t dev;
	uint32_t flags; /* UMN_LOAD_* */
	char instance_id[UMN_NAME_MAX];
	char hwid[UMN_NAME_MAX];
	uint32_t registry_len; /* devreg blob follows the struct */
	uint32_t nresources;
	uint32_t resource_kind[UMN_MAX_RESOURCES]; /* UMNIC_RESOURCE_* of each fd */
};

/* fds: [0] queue memfd, [1] execution context eventfd, [2] umnicd's eventfd. */
struct umn_msg_create_queue {
	struct umn_msg_hdr h;
	uint32_t dev;
	uint32_t cpu_plus1; /* the CPU of the queue's execution context, plus one; 0: any */
	struct umn_queue_layout layout;
};

struct umn_msg_dev {
	struct umn_msg_hdr h;
	uint32_t dev;
	uint32_t reserved;
};

struct umn_msg_rx_filter {
	struct umn_msg_hdr h;
	uint32_t dev;
	uint32_t flags; /* NET_PACKET_FILTER_FLAGS */
	uint32_t mcast_count;
	uint32_t reserved;
	uint8_t mcast[UMN_MCAST_MAX][6];
};

struct umn_msg_log {
	struct umn_msg_hdr h;
	uint32_t dev; /* UINT32_MAX: the host itself */
	uint32_t level;
	char text[UMN_TEXT_MAX];
};

/*
 * A WPP trace message (runtime/wdf/wpp.c). The runtime sends at most
 * UMN_TRACE_RATE a second and counts the rest in dropped; umnicd keeps the
 * recent ones per device (umnicd/trace.c).
 */
#define UMN_TRACE_RATE 1000
#define UMN_TRACE_TEXT 400
/*
 * One WPP trace record as the runtime formats it (wpp.c); the driver host
 * puts it in a UMN_MSG_TRACE message, so the runtime never builds a
 * message to umnicd itself.
 */
struct umn_trace_rec {
	uint32_t dev;	  /* UINT32_MAX: the host's devices */
	uint32_t level;	  /* TRACE_LEVEL_*, 0-255 */
	uint32_t flagbit; /* 0: no flag */
	uint32_t line;
	uint32_t dropped; /* messages the runtime held back before this one */
	uint32_t reserved;
	char flag[48];
	char func[64];
	char text[UMN_TRACE_TEXT];
};

struct umn_msg_trace {
	struct umn_msg_hdr h;
	struct umn_trace_rec rec;
};

/*
 * Offloads, one bit each, in the words both sides use: what the driver can
 * do (derived from its NetAdapterOffloadSet*Capabilities) and what is in
 * force (what the interface asks for and the driver can do). The bits in
 * force are what the NetOffloadIs*Enabled queries answer.
 */
enum {
	UMN_OFL_TXCSUM_IPV4 = 1u << 0,
	UMN_OFL_TXCSUM_TCP = 1u << 1,
	UMN_OFL_TXCSUM_UDP = 1u << 2,
	UMN_OFL_RXCSUM_IPV4 = 1u << 3,
	UMN_OFL_RXCSUM_TCP = 1u << 4,
	UMN_OFL_RXCSUM_UDP = 1u << 5,
	UMN_OFL_LSO_IPV4 = 1u << 6,
	UMN_OFL_LSO_IPV6 = 1u << 7,
	UMN_OFL_USO_IPV4 = 1u << 8,
	UMN_OFL_USO_IPV6 = 1u << 9,
	UMN_OFL_RSC_TCP_IPV4 = 1u << 10,
	UMN_OFL_RSC_TCP_IPV6 = 1u << 11,
	UMN_OFL_RSC_UDP = 1u << 12,
	UMN_OFL_IEEE8021Q = 1u << 13,
};
#define UMN_OFL_TXCSUM (UMN_OFL_TXCSUM_IPV4 | UMN_OFL_TXCSUM_TCP | UMN_OFL_TXCSUM_UDP)
#define UMN_OFL_RXCSUM (UMN_OFL_RXCSUM_IPV4 | UMN_OFL_RXCSUM_TCP | UMN_OFL_RXCSUM_UDP)
#define UMN_OFL_GSO    (UMN_OFL_LSO_IPV4 | UMN_OFL_LSO_IPV6 | UMN_OFL_USO_IPV4 | UMN_OFL_USO_IPV6)
#define UMN_OFL_RSC    (UMN_OFL_RSC_TCP_IPV4 | UMN_OFL_RSC_TCP_IPV6 | UMN_OFL_RSC_UDP)
#define UMN_OFL_ALL                                                                                \
	(UMN_OFL_TXCSUM | UMN_OFL_RXCSUM | UMN_OFL_GSO | UMN_OFL_RSC | UMN_OFL_IEEE8021Q)

/* The driver's offload capabilities as declared (layer flags as in netadapteroffload.h). */
struct umn_offload_caps {
	uint32_t can; /* UMN_OFL_* the driver can do */
	uint8_t txcsum_l3;
	uint8_t txcsum_l4;
	uint8_t gso_l3;
	uint8_t gso_l4;
	uint8_t rsc_l3;
	uint8_t rsc_l4;
	uint8_t rsc_timestamp;
	uint8_t ieee8021q;	  /* NET_ADAPTER_OFFLOAD_IEEE8021Q_TAG_FLAGS */
	uint16_t txcsum_l3_limit; /* 0: no limit */
	uint16_t txcsum_l4_limit;
	uint16_t gso_l4_limit;
	uint16_t reserved;
	uint32_t gso_max_size; /* clamped to 32 bits */
	uint32_t gso_min_segs;
};

struct umn_msg_offload {
	struct umn_msg_hdr h;
	uint32_t dev;
	uint32_t active; /* UMN_OFL_* in force from now on */
};

/*
 * Receive side scaling: what the driver declared
 * (NET_ADAPTER_RECEIVE_SCALING_CAPABILITIES; queues 0 when it declared none)
 * and what umnicd asks of it. The indirection table holds RX queue ids.
 */
#define UMN_RSS_KEY_MAX	  40
#define UMN_RSS_TABLE_MAX 128
struct umn_rss_caps {
	uint32_t queues;
	uint32_t table_size;
	uint32_t hash_types;	 /* NET_ADAPTER_RECEIVE_SCALING_HASH_TYPE */
	uint32_t protocol_types; /* NET_ADAPTER_RECEIVE_SCALING_PROTOCOL_TYPE */
};

/* The receive scaling a driver gets: the body of UMN_MSG_SET_RSS, which the runtime applies. */
struct umn_rss_setting {
	uint32_t dev;
	uint32_t enable; /* 0: EvtAdapterReceiveScalingDisable, nothing else counts */
	uint32_t hash_types;
	uint32_t protocol_types;
	uint32_t key_len;
	uint32_t table_len;
	uint8_t key[UMN_RSS_KEY_MAX];
	uint8_t table[UMN_RSS_TABLE_MAX];
};

struct umn_msg_rss {
	struct umn_msg_hdr h;
	struct umn_rss_setting rss;
};

/*
 * What the driver declared before NetAdapterStart, as the runtime collects
 * it; the driver host sends it in UMN_MSG_ADAPTER_START, and umnicd checks
 * every field.
 */
struct umn_adapter_caps {
	uint32_t dev;
	uint32_t mtu;
	uint16_t perm_addr_len;
	uint16_t cur_addr_len;
	uint8_t perm_addr[UMN_MAC_MAX];
	uint8_t cur_addr[UMN_MAC_MAX];
	uint64_t max_tx_speed;
	uint64_t max_rx_speed;
	uint32_t tx_queues;
	uint32_t rx_queues;
	uint32_t tx_frag_hint;
	uint32_t rx_frag_hint;
	uint32_t tx_backfill;
	uint32_t tx_max_frags;
	uint32_t rx_max_frame;
	uint32_t filter_flags; /* supported NET_PACKET_FILTER_FLAGS */
	uint32_t max_mcast;
	uint32_t reserved;
	struct umn_offload_caps offload;
	struct umn_rss_caps rss;
};

struct umn_msg_adapter_start {
	struct umn_msg_hdr h;
	struct umn_adapter_caps caps;
};

/* NetAdapterSetLinkState's link state, as the runtime collects it (body of UMN_MSG_LINK_STATE). */
struct umn_link_state {
	uint32_t dev;
	uint32_t media_state; /* NET_IF_MEDIA_CONNECT_STATE */
	uint64_t tx_speed;
	uint64_t rx_speed;
	uint32_t duplex;
	uint32_t reserved;
};

struct umn_msg_link_state {
	struct umn_msg_hdr h;
	struct umn_link_state ls;
};

struct umn_msg_device_failed {
	struct umn_msg_hdr h;
	uint32_t dev;
	int32_t status;
	char text[UMN_TEXT_MAX];
};

/*
 * The host is init of its PID namespace, where the kernel will not let a
 * signal kill it the ordinary way; it catches fatal signals, says which, and
 * exits with 128 + signo. umnicd reports that as death by the signal.
 */
struct umn_msg_dying {
	struct umn_msg_hdr h;
	int32_t signo;
	uint32_t reserved;
};

/* I/O request flags: where the buffers are. */
#define UMN_IO_IN_INLINE  0x1 /* input bytes follow the struct */
#define UMN_IO_IN_MEMFD	  0x2 /* input in the first fd */
#define UMN_IO_OUT_MEMFD  0x4 /* output space in the next fd (direct I/O, or too big to inline) */
#define UMN_IO_INLINE_MAX (48 * 1024)

/* fds: [input memfd if IN_MEMFD] [output memfd if OUT_MEMFD], each sized exactly to its length. */
struct umn_msg_io_request {
	struct umn_msg_hdr h;
	uint64_t id;
	uint64_t file; /* umnicd's file object id, 0: none */
	uint64_t offset;
	uint32_t dev;
	uint32_t major; /* IRP_MJ_* */
	uint32_t ioctl;
	uint32_t io_type;	 /* WDF_DEVICE_IO_TYPE after method resolution */
	uint32_t requestor_mode; /* KernelMode 0 / UserMode 1 */
	uint32_t from_user_mode_driver;
	uint32_t requestor_pid;
	uint32_t desired_access;
	uint32_t in_len;
	uint32_t out_len;
	uint32_t flags; /* UMN_IO_* */
	uint32_t reserved;
	char file_name[256];
};

struct umn_msg_io_cancel {
	struct umn_msg_hdr h;
	uint64_t id;
};

/*
 * Output bytes follow when the output was not in a memfd: min(Information,
 * out_len) of them. information is what the driver said, unchanged, so
 * umnicd can hold it to the rules.
 */
struct umn_msg_io_complete {
	struct umn_msg_hdr h;
	uint64_t id;
	uint64_t information;
	int32_t status;
	uint32_t data_len;
};

/*
 * A driver opens another device by its link name (WdfIoTargetOpen ByName,
 * IoGetDeviceObjectPointer). umnicd opens it as it would for an application,
 * with the driver's requestor mode, and answers with TARGET_OPENED.
 */
struct umn_msg_target_open {
	struct umn_msg_hdr h;
	uint64_t id;	 /* the host's, echoed in TARGET_OPENED */
	uint32_t dev;	 /* the opening driver's device */
	uint32_t access; /* desired access */
	char name[256];	 /* \DosDevices\Name, \??\Name or Name */
};

struct umn_msg_target_opened {
	struct umn_msg_hdr h;
	uint64_t id;
	uint64_t file;	     /* the file object created on the target; names it in sends */
	uint32_t target_dev; /* the target's device, for UseExistingDevice sends */
	int32_t status;
};

/*
 * A request a driver sends to a target (WdfRequestSend and friends). The
 * input bytes follow the struct; the output comes back in TARGET_COMPLETE.
 * Both are at most UMN_IO_INLINE_MAX.
 */
struct umn_msg_target_send {
	struct umn_msg_hdr h;
	uint64_t cookie; /* the host's, echoed in TARGET_COMPLETE */
	uint64_t file;	 /* a file object from TARGET_OPENED, another one, or 0: none */
	uint64_t origin; /* the delivered request this one forwards, 0: built by the driver */
	uint64_t offset;
	uint32_t dev; /* the sending driver's device */
	uint32_t target_dev;
	uint32_t major; /* IRP_MJ_READ, _WRITE, _DEVICE_CONTROL, _INTERNAL_DEVICE_CONTROL */
	uint32_t ioctl;
	uint32_t in_len;
	uint32_t out_len;
	uint32_t irql; /* the sender's IRQL when it sent (in-host drivers) */
	uint32_t reserved;
};

enum { UMN_NAME_SYMLINK = 1, UMN_NAME_INTERFACE = 2 };

struct umn_msg_register_name {
	struct umn_msg_hdr h;
	uint64_t id; /* the host's, echoed in NAME_REGISTERED */
	uint32_t dev;
	uint32_t kind;
	uint8_t guid[16];
	char name[256]; /* symbolic link name, or the interface's reference string */
};

/* The NTSTATUS WdfDeviceCreateSymbolicLink / CreateDeviceInterface return (names.c). */
struct umn_msg_name_registered {
	struct umn_msg_hdr h;
	uint64_t id;
	int32_t status;
	uint32_t reserved;
};

/* Sends one message with optional fds. Returns 0 or a negative errno. */
int umn_msg_send(int sock, const void *msg, size_t len, const int *fds, unsigned nfds);
/*
 * Receives one message into buf (at least UMN_MSG_MAX bytes). Returns its
 * length, 0 on orderly shutdown, or a negative errno; -EMSGSIZE for a
 * truncated or undersized packet, -EBADMSG when hdr.len disagrees with the
 * packet, -EMFILE when the packet is whole but its descriptors were lost
 * (the receiver had no room for them: RLIMIT_NOFILE), so the receiver can
 * still answer it. Received fds are O_CLOEXEC; on error none are left open.
 */
ssize_t umn_msg_recv(int sock, void *buf, size_t cap, int *fds, unsigned *nfds);
/* Room for one message's descriptors (SCM_RIGHTS), aligned for a cmsghdr. */
union umn_msg_ctl {
	struct cmsghdr c;
	char buf[CMSG_SPACE(sizeof(int) * UMN_MSG_MAX_FDS)];
};
/* Makes mh carry nfds (<= UMN_MSG_MAX_FDS, 0 for none) descriptors, in ctl. */
void umn_msg_set_fds(struct msghdr *mh, union umn_msg_ctl *ctl, const int *fds, unsigned nfds);
/* umn_msg_recv with recvmsg flags (MSG_DONTWAIT: -EAGAIN rather than waiting). */
ssize_t umn_msg_recv_flags(int sock, void *buf, size_t cap, int *fds, unsigned *nfds, int flags);
void umn_msg_init(void *msg, uint32_t type, uint32_t len, uint64_t seq);
/*
 * Several messages in one recvmmsg call: a reader that wakes for one message
 * takes what else arrived in the same system call, and finds the socket empty
 * without another. Each message is checked like umn_msg_recv's.
 */
#define UMN_MSG_BATCH_MAX 32

struct umn_msg_in {
	unsigned char *buf; /* inside the batch's buffer, 8-byte aligned */
	ssize_t len;	    /* as umn_msg_recv returns: length, 0 at shutdown, or -errno */
	int fds[UMN_MSG_MAX_FDS];
	unsigned nfds;
};

struct umn_msg_batch {
	unsigned max, count;
	size_t cap;	     /* bytes per message buffer */
	unsigned char *data; /* max * cap bytes; pages are touched only as used */
	struct umn_msg_in msg[UMN_MSG_BATCH_MAX];
	union umn_msg_ctl ctl[UMN_MSG_BATCH_MAX];
};

/* Buffers for max (at most UMN_MSG_BATCH_MAX) messages of cap bytes (a multiple of 8); 0 or -errno.
 */
int umn_msg_batch_init(struct umn_msg_batch *b, unsigned max, size_t cap);
void umn_msg_batch_fini(struct umn_msg_batch *b);
/*
 * Receives up to b->max messages into b->msg[0..count). flags as for
 * recvmmsg: MSG_DONTWAIT returns what is there (-EAGAIN if nothing),
 * MSG_WAITFORONE waits for the first only. Returns count (>= 1), or a
 * negative errno when nothing was received. Every entry's fds are the
 * caller's to close; a shutdown (len 0) is the last entry.
 */
int umn_msg_recv_batch(int sock, struct umn_msg_batch *b, int flags);

/*
 * Messages (without descriptors) held back to leave together with one
 * sendmmsg: a peer then wakes once for them. Each sits 8-byte aligned in
 * buf, so a sender may build it in place (umn_msg_hold_reserve).
 */
#define UMN_MSG_HOLD_MAX 32

struct umn_msg_hold {
	unsigned max, n;    /* messages: limit (<= UMN_MSG_HOLD_MAX), held */
	size_t cap, used;   /* bytes of buf: size, taken */
	unsigned char *buf; /* cap bytes, 8-byte aligned */
	size_t len[UMN_MSG_HOLD_MAX];
	uint64_t tag[UMN_MSG_HOLD_MAX]; /* the sender's name for each message */
};

/* Room for max messages in cap bytes; 0 or -errno. */
int umn_msg_hold_init(struct umn_msg_hold *h, unsigned max, size_t cap);
void umn_msg_hold_fini(struct umn_msg_hold *h);
/* Where a message of len bytes goes, or NULL when it does not fit beside the held ones. */
void *umn_msg_hold_reserve(struct umn_msg_hold *h, size_t len);
/* Keeps the message just built at umn_msg_hold_reserve's address. */
void umn_msg_hold_commit(struct umn_msg_hold *h, size_t len, uint64_t tag);
/*
 * Sends everything held, waiting for room, and empties h. Returns how many
 * went; on a shortfall *err (if not NULL) is the negative errno, as every
 * internal function reports it, and tag[ret..n) as they were name the
 * messages that did not go, until the next commit.
 */
unsigned umn_msg_hold_send(int sock, struct umn_msg_hold *h, int *err);

/* Copies src into a fixed string field, truncating; always terminated. */
void umn_strlcpy(char *dst, const char *src, size_t cap);
/* Forces termination of a received fixed string field; returns dst. */
const char *umn_str_fix(char *dst, size_t cap);

#endif
