/* SPDX-License-Identifier: MIT */
/*
 * Interface state from the kernel's rtnetlink events, per network namespace.
 * One NETLINK_ROUTE socket (RTMGRP_LINK) and one descriptor of the
 * namespace's dev_mcast file are opened once inside each namespace that
 * holds a watched interface, shared by its interfaces, and kept until the
 * last one goes; nothing enters a namespace afterwards. The owner of an
 * interface hears through its callback what changed, after each batch of
 * events, never more than once per batch.
 */
#ifndef UMNIC_UMNICD_NET_RTNL_H
#define UMNIC_UMNICD_NET_RTNL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Multicast addresses kept per interface (at least UMN_MCAST_MAX). */
#define RTNL_MCAST_MAX 64

/* What changed, the bits of a callback's what. */
#define RTNL_EV_LINK  1u /* an RTM_NEWLINK or RTM_DELLINK: flags, MTU, features, ... */
#define RTNL_EV_MCAST 2u /* its link-layer multicast list */

struct rtnl_ns;
struct rtnl_link;
/* Called from umnicd's loop; it may remove links (its own included). */
typedef void (*rtnl_link_fn)(struct rtnl_link *l, unsigned what, void *obj);

/* One watched interface. The fields up to ifindex are the owner's to read. */
struct rtnl_link {
	bool known;	/* flags and mtu say what the kernel last reported */
	bool gone;	/* RTM_DELLINK: it left the namespace or was deleted */
	unsigned flags; /* IFF_* as SIOCGIFFLAGS reports them */
	uint32_t mtu;
	uint8_t mcast[RTNL_MCAST_MAX][6]; /* only while the owner wants them */
	unsigned nmcast;

	int ifindex;
	bool want_mcast;
	rtnl_link_fn fn;
	void *obj;
	struct rtnl_ns *ns;
	struct rtnl_link *next;
	unsigned pending;		 /* RTNL_EV_* gathered for the end of the batch */
	uint8_t scan[RTNL_MCAST_MAX][6]; /* the list being read */
	unsigned nscan;
};

/*
 * Watches interface ifindex of the namespace at netns_path ("" or NULL:
 * umnicd's own). The first interface of a namespace opens its socket and
 * file there (one setns and back); the kernel is asked for the interface's
 * state at once, so a first callback follows. l may be uninitialised.
 * Returns 0 or a negative errno, err saying what failed.
 */
int rtnl_link_add(struct rtnl_link *l, const char *netns_path, int ifindex, rtnl_link_fn fn,
		  void *obj, char *err, size_t errcap);
/* Stops watching; accepts a link never added or already removed (zeroed memory). */
void rtnl_link_del(struct rtnl_link *l);
/*
 * Whether the owner wants l's multicast list: re-read at once when
 * switched on, after each of l's events and once a second (the kernel
 * sends no event for a link-layer multicast join).
 */
void rtnl_link_want_mcast(struct rtnl_link *l, bool on);
/* From umnicd's tick: the slow multicast re-read, for namespaces that need it. */
void rtnl_tick(uint64_t now_ns);
/* Shutdown, after every link was removed: frees what closed namespaces left. */
void rtnl_free_all(void);

#endif
