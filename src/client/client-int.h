/* SPDX-License-Identifier: MIT */
/*
 * libumnic internals: the connection (conn.c) and the requests built on it
 * (requests.c).
 *
 * Locking: c->lock guards the request table, the ready list and the flags;
 * c->send_lock serialises writes to the socket and the request ring, so a
 * sender blocked on a full socket never stops the reader. Only one thread at a time reads the
 * socket: whoever needs progress and finds c->reading clear claims it
 * (a synchronous caller waiting for its reply, or umnic_dispatch); the
 * others wait on c->cond, which is broadcast whenever a request completes
 * or the reader steps down.
 */
#ifndef UMNIC_CLIENT_INT_H
#define UMNIC_CLIENT_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <umnic/client.h>

#include "common/endpoint.h"
#include "common/idtab.h"
#include "common/ioproto.h"
#include "common/proto.h"

#define UMNIC_EXPORT  __attribute__((visibility("default")))
#define UMNIC_BUCKETS 256

enum umnic_req_state {
	UMNIC_REQ_PENDING,    /* in the table, waiting for umnicd */
	UMNIC_REQ_COMPLETING, /* out of the table; the reader copies its output */
	UMNIC_REQ_DONE,	      /* result final */
};

struct umnic_req {
	uint64_t id;
	uint32_t type; /* UMN_IOMSG_OPEN, READ, WRITE, IOCTL, CLOSE */
	enum umnic_req_state state;
	bool sync;
	/* A timed-out synchronous request: nobody waits, its buffer is gone. */
	bool abandoned;
	struct umn_idnode node; /* in the table by id while pending */
	struct umnic_req *rnext;

	/* Where output goes: the caller's buffer, through out_fd when it is big. */
	void *out;
	size_t out_len;
	int out_fd;

	umnic_result res;
	umnic_handle handle; /* OPEN: the new handle */
	umnic_completion_fn cb;
	void *ctx;
};

/* Packets the reader takes from the socket in one system call. */
#define UMNIC_READ_BATCH 8
/* Submissions held back while callbacks run, and the room they share. */
#define UMNIC_CORK_MAX	 32
#define UMNIC_CORK_BYTES (32 * 1024)

struct umnic_client {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_mutex_t send_lock;
	int evfd; /* readable while the ready list is not empty, or once dead */
	int epfd; /* umnic_fd(): sock + evfd */
	bool dead;
	bool reading;
	uint64_t next_id;
	struct umn_idtab table;
	struct umn_idnode *bucket[UMNIC_BUCKETS];
	struct umnic_req *ready_head, *ready_tail;
	unsigned dispatchers;	  /* threads inside umnic_dispatch */
	bool ev_set;		  /* evfd was written and not read since */
	struct umn_msg_batch *rb; /* the reader's packets */
	/*
	 * The socket and the channel umnicd gave us, if any (common/endpoint.h):
	 * small requests go on its tx ring (send_lock), replies come on its rx
	 * ring (the reader's). Its hold is the cork: requests submitted from
	 * completion callbacks inside umnic_dispatch, sent together when the
	 * callbacks are done (tags: request ids), with the kick owed meanwhile.
	 */
	struct umn_endpoint ep;
	/* The reader's: the request it reads for, and whether it completed. */
	const struct umnic_req *want;
	bool got;
};

struct umnic_req *umnic_req_new(uint32_t type);
void umnic_req_free(struct umnic_req *r);

/*
 * Assigns the request id, enters r in the table and sends m with it.
 * STATUS_PENDING: r now belongs to the table (it completes exactly once);
 * otherwise the caller still owns r.
 */
NTSTATUS umnic_start(struct umnic_client *c, struct umnic_req *r, struct umn_iomsg *m);

/*
 * Waits for a synchronous request started with umnic_start. timeout_ms -1
 * waits forever. Returns the final status (r's result in *ret, an OPEN's
 * handle in *ret_handle) and frees r;
 * on time-out cancels it and returns STATUS_IO_TIMEOUT.
 */
NTSTATUS umnic_wait(struct umnic_client *c, struct umnic_req *r, int timeout_ms, umnic_result *ret,
		    umnic_handle *ret_handle);

/* ---- between the connection (conn.c) and its reader (reader.c) ---- */

/* The request table (c->lock held). */
void umnic_table_insert(struct umnic_client *c, struct umnic_req *r);
struct umnic_req *umnic_table_find(struct umnic_client *c, uint64_t id);
void umnic_table_remove(struct umnic_client *c, struct umnic_req *r);
/* r's result is final: wake its waiter, queue its callback, or drop it (c->lock held). */
void umnic_finish(struct umnic_client *c, struct umnic_req *r);
/* Completes every pending request with status and marks the connection dead (c->lock held). */
void umnic_fail_all(struct umnic_client *c, NTSTATUS status);
/* What the reader does with what umnicd sends (c->ep's hooks). */
extern const struct umn_ep_ops umnic_reader_ops;
/* Sets an absolute deadline ms from now; milliseconds left until it (0 if past, -1: none). */
void umnic_deadline_after(struct timespec *ts, int ms);
int umnic_ms_left(const struct timespec *ts);
/*
 * One step of waiting (c->lock held) for want, or (NULL) for any completion:
 * read if nobody else does, otherwise sleep until something completes or
 * the reader steps down.
 */
void umnic_wait_step(struct umnic_client *c, const struct timespec *deadline,
		     const struct umnic_req *want);
/* Sends a CANCEL for the request with this id (the reader's time-outs, umnic_cancel). */
void umnic_send_cancel(struct umnic_client *c, uint64_t id);

#endif
