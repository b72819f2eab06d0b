/* SPDX-License-Identifier: MIT */
/*
 * Between the parts of umnicd's driver host code: hostproc.c (the
 * processes and which devices each serves), hostreq.c (what umnicd asks a
 * host, and its answers) and hostmsg.c (what a host sends). Not for the
 * rest of umnicd.
 */
#ifndef UMNIC_UMNICD_HOSTS_HOST_INT_H
#define UMNIC_UMNICD_HOSTS_HOST_INT_H

#include "common/proto.h"
#include "umnicd/hosts/hostproc.h"
#include "umnicd/hosts/outbox.h"
#include "umnicd/base/config.h"
#include "umnicd/base/loop.h"

/* Every driver host (hostproc.c owns the list). */
extern struct hostproc *host_list;

/* The events registered with hostproc.h's host_events_*, for hostmsg.c to route messages to. */
const struct host_dev_events *host_dev_ev(void);
const struct host_io_events *host_io_ev(void);
host_trace_fn host_trace_ev(void);

/* The device numbered id that h serves, or NULL. */
const struct host_member *host_member(const struct hostproc *h, uint32_t id);

/* The host's answer to the request in flight (hostreq.c): its completion runs, the next goes. */
void host_on_reply(struct hostproc *h, const struct umn_msg_reply *m);
/*
 * dev leaves h (hostreq.c): what was queued for it never goes, and the
 * answer to a request of it in flight is dropped.
 */
void host_req_forget(struct hostproc *h, const struct device *dev);
/* h is dead: its queue and the request in flight go without completing (hostreq.c). */
void host_req_drop_all(struct hostproc *h);
/* Every host's log of stray completions, then the watchdog on its request in flight. */
void host_req_tick(uint64_t now_ns);

/* Who handles what the host sends, on its socket and its ring (hostmsg.c). */
void host_reader_init(struct hostproc *h);

/* Up to max messages from the host's message ring (hostmsg.c); the outbox's drain callback. */
unsigned host_drain(struct outbox *o, unsigned max);

#endif
