/* SPDX-License-Identifier: MIT */
/*
 * Messages between a client process (libumnic) and umnicd, over
 * SOCK_SEQPACKET on RUN_DIR/umnic-io.sock: one message per packet, at most
 * UMN_IOMSG_MAX bytes, file descriptors as SCM_RIGHTS.
 *
 * Every message is a fixed struct starting with umn_iomsg_hdr, optionally
 * followed by an inline payload whose length a field of the struct names;
 * the packet must be exactly struct + payload. Buffers over
 * UMN_IOMSG_INLINE_MAX travel in a memfd instead:
 *   - input (write data, IOCTL input): the client copies it into a memfd,
 *     seals it against shrinking, growing and writing, and passes it;
 *   - output (read data, IOCTL output): the client creates a memfd of the
 *     output size, seals it against shrinking and growing, and passes it;
 *     umnicd fills it and COMPLETE says UMN_IOMSG_F_OUT_MEMFD.
 * A request carrying both has fds [in, out] in that order. METHOD_NEITHER
 * IOCTLs travel the same way: the client library copies the caller's buffers
 * in its own address space, so no message ever carries a pointer (umnicd,
 * which runs as root, never reads or writes a process's memory: the pid it
 * knows could be reused once the process exits).
 *
 * The header's req_id is chosen by the client, never 0, never reused on a
 * connection; replies echo it. CANCEL's req_id names the request to cancel
 * (no reply; that request completes, with STATUS_CANCELLED unless it
 * completed first). CLOSE gets CLOSE_DONE after umnicd ran cleanup and close
 * on the file object; requests still pending on the handle complete first.
 *
 * The same machine is on both ends: fields are in host byte order.
 */
#ifndef UMNIC_COMMON_IOPROTO_H
#define UMNIC_COMMON_IOPROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <ntdef.h>

#define UMN_IOMSG_SOCK_NAME  "umnic-io.sock"
#define UMN_IOMSG_MAX	     (64 * 1024)
#define UMN_IOMSG_INLINE_MAX (48 * 1024)
/* Largest read, write or IOCTL buffer. */
#define UMN_IOMSG_LEN_MAX (64u * 1024 * 1024)
/* Longest OPEN name (symbolic link or reference string), terminating NUL included. */
#define UMN_IOMSG_NAME_MAX 256
#define UMN_IOMSG_MAX_FDS  2
/* Size of the buffer the decoders write their reason into. */
#define UMN_IOMSG_REASON_MAX 96

enum umn_iomsg_type {
	/* client -> umnicd */
	UMN_IOMSG_OPEN = 1,
	UMN_IOMSG_READ,
	UMN_IOMSG_WRITE,
	UMN_IOMSG_IOCTL,
	UMN_IOMSG_CANCEL,
	UMN_IOMSG_CLOSE,

	/* umnicd -> client */
	UMN_IOMSG_OPEN_DONE = 100,
	UMN_IOMSG_COMPLETE,
	UMN_IOMSG_CLOSE_DONE,
};

/* Request flags (READ, WRITE, IOCTL) and COMPLETE flags. */
#define UMN_IOMSG_F_IN_MEMFD  0x1 /* input in a memfd, not inline */
#define UMN_IOMSG_F_OUT_MEMFD 0x2 /* output in a memfd (COMPLETE: in the request's memfd) */

/* OPEN flags. */
#define UMN_IOMSG_OPEN_INTERFACE 0x1 /* by interface GUID; the name is the reference string */

/* Access bits an OPEN may ask for. */
#define UMN_IOMSG_ACCESS_VALID                                                                     \
	(FILE_READ_DATA | FILE_WRITE_DATA | SYNCHRONIZE | READ_CONTROL | GENERIC_READ |            \
	 GENERIC_WRITE | GENERIC_ALL)

/* Same layout as umn_msg_hdr, so umn_msg_send/umn_msg_recv carry these packets too. */
struct umn_iomsg_hdr {
	uint32_t type;
	uint32_t len; /* whole packet, header included */
	uint64_t req_id;
};

struct umn_iomsg_open {
	struct umn_iomsg_hdr h;
	uint32_t desired_access; /* UMN_IOMSG_ACCESS_VALID bits */
	uint32_t share_access;	 /* reserved, 0 */
	uint32_t flags;		 /* UMN_IOMSG_OPEN_* */
	uint16_t name_len;	 /* bytes after the struct, terminating NUL included; may be 0 */
	uint16_t reserved;
	GUID interface_guid; /* UMN_IOMSG_OPEN_INTERFACE only, otherwise all zero */
	/* char name[name_len]: "\??\UmnicEcho", "UmnicEcho", "UmnicEcho\path", or the ref string */
};

struct umn_iomsg_read {
	struct umn_iomsg_hdr h;
	uint64_t handle;
	uint64_t offset; /* at most INT64_MAX */
	uint32_t length;
	uint32_t flags; /* UMN_IOMSG_F_OUT_MEMFD */
};

struct umn_iomsg_write {
	struct umn_iomsg_hdr h;
	uint64_t handle;
	uint64_t offset; /* at most INT64_MAX */
	uint32_t length;
	uint32_t flags; /* UMN_IOMSG_F_IN_MEMFD */
			/* uint8_t data[length] unless UMN_IOMSG_F_IN_MEMFD */
};

struct umn_iomsg_ioctl {
	struct umn_iomsg_hdr h;
	uint64_t handle;
	uint32_t code;
	uint32_t flags; /* UMN_IOMSG_F_*, whatever the method */
	uint32_t in_len;
	uint32_t out_len;
	uint64_t reserved[2]; /* 0 */
			      /* uint8_t input[in_len] unless UMN_IOMSG_F_IN_MEMFD */
};

struct umn_iomsg_cancel {
	struct umn_iomsg_hdr h; /* h.req_id: the request to cancel */
};

struct umn_iomsg_close {
	struct umn_iomsg_hdr h;
	uint64_t handle;
};

struct umn_iomsg_open_done {
	struct umn_iomsg_hdr h;
	int32_t status;		 /* NTSTATUS */
	uint32_t granted_access; /* FILE_READ_DATA | FILE_WRITE_DATA */
	uint64_t handle;	 /* non-zero on success */
};

struct umn_iomsg_complete {
	struct umn_iomsg_hdr h;
	int32_t status;	      /* NTSTATUS, never STATUS_PENDING */
	uint32_t flags;	      /* UMN_IOMSG_F_OUT_MEMFD */
	uint64_t information; /* IO_STATUS_BLOCK.Information */
	uint32_t data_len;    /* output bytes, inline or in the request's output memfd */
	uint32_t reserved;
	/* uint8_t data[data_len] unless UMN_IOMSG_F_OUT_MEMFD */
};

struct umn_iomsg_close_done {
	struct umn_iomsg_hdr h;
	int32_t status;
	uint32_t reserved;
};

_Static_assert(sizeof(struct umn_iomsg_hdr) == 16, "iomsg header");
_Static_assert(sizeof(struct umn_iomsg_open) == 48, "iomsg open");
_Static_assert(sizeof(struct umn_iomsg_read) == 40, "iomsg read");
_Static_assert(sizeof(struct umn_iomsg_write) == 40, "iomsg write");
_Static_assert(sizeof(struct umn_iomsg_ioctl) == 56, "iomsg ioctl");
_Static_assert(sizeof(struct umn_iomsg_cancel) == 16, "iomsg cancel");
_Static_assert(sizeof(struct umn_iomsg_close) == 24, "iomsg close");
_Static_assert(sizeof(struct umn_iomsg_open_done) == 32, "iomsg open_done");
_Static_assert(sizeof(struct umn_iomsg_complete) == 40, "iomsg complete");
_Static_assert(sizeof(struct umn_iomsg_close_done) == 24, "iomsg close_done");
_Static_assert(offsetof(struct umn_iomsg_open, interface_guid) == 32, "iomsg open guid");
_Static_assert(sizeof(struct umn_iomsg_ioctl) + UMN_IOMSG_INLINE_MAX <= UMN_IOMSG_MAX,
	       "inline payloads fit a packet");

/*
 * One message, typed. The encoder reads it; the decoders fill it. Pointers
 * (name, data, in) point into the packet buffer the message was decoded
 * from; fds are the values received, still owned by the caller.
 */
struct umn_iomsg {
	uint32_t type;
	uint64_t req_id;
	union {
		struct {
			uint32_t desired_access;
			bool by_interface;
			GUID interface_guid;
			const char *name; /* as sent; NULL encodes as no name */
			/* Filled by the decoder: */
			uint32_t access; /* FILE_READ_DATA | FILE_WRITE_DATA asked for, generic bits
					    mapped */
			char
			    link[UMN_IOMSG_NAME_MAX]; /* bare symbolic link name, "" by interface */
			char file_name[UMN_IOMSG_NAME_MAX]; /* path after the link, or the ref
							       string */
		} open;
		struct {
			uint64_t handle;
			uint64_t offset;
			uint32_t length;
			int out_fd; /* -1: data comes back inline */
		} read;
		struct {
			uint64_t handle;
			uint64_t offset;
			uint32_t length;
			const void *data; /* inline data, NULL when in_fd >= 0 */
			int in_fd;
		} write;
		struct {
			uint64_t handle;
			uint32_t code;
			uint32_t in_len;
			uint32_t out_len;
			const void *in; /* inline input, NULL when in_fd >= 0 */
			int in_fd;
			int out_fd;
		} ioctl;
		struct {
			uint64_t handle;
		} close;
		struct {
			NTSTATUS status;
			uint32_t granted_access;
			uint64_t handle;
		} open_done;
		struct {
			NTSTATUS status;
			uint64_t information;
			uint32_t data_len;
			bool in_memfd;	  /* data is in the request's output memfd */
			const void *data; /* inline data, NULL when in_memfd */
		} complete;
		struct {
			NTSTATUS status;
		} close_done;
	};
};

/* Sets type and req_id, zeroes the rest and sets every fd field to -1. */
void umn_iomsg_init(struct umn_iomsg *m, uint32_t type, uint64_t req_id);

/*
 * Builds the packet for m into buf (cap bytes) and the fds to send with it
 * into ret_fds (UMN_IOMSG_MAX_FDS entries). The encoder checks only what it
 * needs to stay inside buf; the decoders are the judges. Returns the packet
 * length, -EMSGSIZE when it does not fit cap or an inline payload is over
 * UMN_IOMSG_INLINE_MAX, -EINVAL for an unknown type or a name too long.
 */
ssize_t umn_iomsg_encode(const struct umn_iomsg *m, void *buf, size_t cap, int *ret_fds,
			 unsigned *ret_nfds);

/*
 * umnicd's decoder for a client's packet: buf is umnicd's private copy of
 * the packet (len bytes as received; the decoder may write to it), fds the
 * descriptors received with it. Checks every length against the packet,
 * names (NUL-terminated, length-limited, UTF-8, no control characters),
 * flags and reserved fields, each memfd (really a memfd, its seals, its size
 * against the claimed length), and the number of fds. Returns 0 and fills *ret, or -EBADMSG
 * (malformed) / -EBADF (a bad descriptor) with reason (UMN_IOMSG_REASON_MAX bytes) naming the
 * field. Never closes fds.
 */
int umn_iomsg_decode_request(void *buf, size_t len, const int *fds, unsigned nfds,
			     struct umn_iomsg *ret, char *reason);

/* The client's decoder for umnicd's packets; same contract. Replies carry no fds. */
int umn_iomsg_decode_reply(void *buf, size_t len, const int *fds, unsigned nfds,
			   struct umn_iomsg *ret, char *reason);

/* Name of a message type for logs ("OPEN"), or NULL. */
const char *umn_iomsg_type_name(uint32_t type);

/*
 * A GUID in registry form, "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}" (braces
 * optional, hex either case). Returns the number of characters consumed or
 * -EINVAL.
 */
int umn_guid_parse(const char *s, GUID *ret);
/* Formats with braces into buf (at least UMN_GUID_STR_MAX bytes). */
#define UMN_GUID_STR_MAX 39
void umn_guid_format(const GUID *g, char *buf);

/* Desired access as granted on a handle: GENERIC_* folded into FILE_READ_DATA / FILE_WRITE_DATA. */
uint32_t umn_iomsg_map_access(uint32_t desired);

#endif
