/* SPDX-License-Identifier: MIT */
/*
 * A driver host's transport to umnicd (transport.c): sending in one order
 * over the message ring or the socket, holding a worker's completions to
 * leave together, and reading what umnicd sends.
 */
#ifndef UMNIC_DRVHOST_TRANSPORT_H
#define UMNIC_DRVHOST_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ntstatus.h>

/* Where each message from umnicd goes. */
struct transport_handlers {
	/* One message (a private copy) and the fds that came with it, which the handler takes. */
	void (*message)(unsigned char *buf, size_t n, int *fds, unsigned nfds);
	/*
	 * A message whose descriptors the kernel dropped because this host has no
	 * room for them: its bytes are whole, and it is to be answered with an error.
	 */
	void (*lost_fds)(const unsigned char *buf);
};

/* Talks to umnicd over sock (one end of a SOCK_SEQPACKET socketpair). */
void transport_init(int sock);
/* Readies the receive buffers and sets who gets each message: 0 or -ENOMEM. */
int transport_start(const struct transport_handlers *h);
/*
 * The runtime's reading worker (umn_io_serve): takes what umnicd sent, the
 * ring's messages before the socket's, and hands each to the handlers.
 * False once umnicd is gone.
 */
bool transport_read_batch(void);
/*
 * Sends one message to umnicd (no descriptors): on the message ring when it
 * can, else on the socket, always in order. 0 or -errno.
 */
int transport_send(const void *msg, size_t len);
/*
 * Sends an IO_COMPLETE: built where it goes (the ring, or the batch held
 * while a worker runs what it read, umn_io_may_hold), else sent at once.
 */
void transport_send_complete(uint64_t id, NTSTATUS status, uint64_t information, const void *data,
			     uint32_t len);
/* Sends what is held, and the kick umnicd is owed (the runtime's ops->flush). */
void transport_flush(void);
void transport_close_fds(const int *fds, unsigned n);

#endif
