/* SPDX-License-Identifier: MIT */
/*
 * Interface state from rtnetlink (see rtnl.h). A namespace's interfaces may
 * belong to a user who flaps them as fast as the kernel lets them: each
 * wake-up reads at most RTNL_BATCH datagrams, events for interfaces nobody
 * watches cost a list walk, and an owner hears once per batch whatever
 * came. When the socket overruns (ENOBUFS: events were lost) the state of
 * every interface comes again from an RTM_GETLINK dump (docs/decisions.md
 * says why a dump and when it is sent). The multicast list has no events:
 * it is re-read from a dev_mcast descriptor opened inside the namespace,
 * which stays bound to it, from offset 0 each time.
 */
#include "umnicd/net/rtnl.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/ascii.h"
#include "common/log.h"
#include "umnicd/base/loop.h"

/* Datagrams read per wake-up: then the loop serves everyone else before the next batch. */
#define RTNL_BATCH 64
/* The receive buffer asked for; UMNIC_RTNL_RCVBUF overrides it (tests make it overrun). */
#define RTNL_RCVBUF	     (1u << 20)
#define RTNL_MCAST_PERIOD_NS 1000000000ull
/* After events, the list is re-read at most this often: a flapping interface does not drive it. */
#define RTNL_MCAST_EVENT_GAP_NS 100000000ull
/* dev_mcast lists every interface of the namespace: read no more than this of it. */
#define RTNL_MCAST_READ_MAX (1u << 20)
#define NS_NAME_MAX	    128

struct rtnl_ns {
	struct rtnl_ns *next;
	dev_t ns_dev; /* which namespace: its nsfs inode */
	ino_t ns_ino;
	char name[NS_NAME_MAX]; /* for messages */
	int nl;			/* -1: closed, the struct waits to be reused */
	int mcast_fd;
	struct watch w;
	struct rtnl_link *links;
	unsigned nlinks, nwant_mcast;
	uint32_t seq;
	uint64_t mcast_due_ns;	/* the next re-read (rtnl_tick) */
	uint64_t mcast_read_ns; /* the last one */
	bool resync;		/* events were lost: a dump is due once the socket is drained */
	bool dumping;		/* a dump is under way (one per socket at a time) */
	uint32_t dump_seq;
	uint64_t resync_after_ns; /* a failed dump is tried again after this */
	struct umn_log_limit overrun_log;
	union {
		struct nlmsghdr h;
		char b[32768];
	} buf;
};

/*
 * Open and closed namespaces. A closed one is kept (and reused) rather than
 * freed: an event of the loop's current batch may still point at its watch.
 */
static struct rtnl_ns *all_ns;

static struct rtnl_link *find_link(struct rtnl_ns *ns, int ifindex)
{
	for (struct rtnl_link *l = ns->links; l; l = l->next)
		if (l->ifindex == ifindex)
			return l;
	return NULL;
}

static void request_link(struct rtnl_ns *ns, int ifindex)
{
	struct {
		struct nlmsghdr h;
		struct ifinfomsg i;
	} req;
	struct sockaddr_nl to = {.nl_family = AF_NETLINK};

	memset(&req, 0, sizeof(req));
	req.h.nlmsg_len = sizeof(req);
	req.h.nlmsg_type = RTM_GETLINK;
	req.h.nlmsg_flags = NLM_F_REQUEST;
	req.h.nlmsg_seq = ++ns->seq;
	req.i.ifi_family = AF_UNSPEC;
	req.i.ifi_index = ifindex;
	/*
	 * A reply lost to a full socket is covered: either its ENOBUFS is still to come,
	 * or one came and the dump it asks for waits until the socket is drained.
	 */
	if (sendto(ns->nl, &req, sizeof(req), 0, (struct sockaddr *)&to, sizeof(to)) < 0) {
		umn_log(UMN_LOG_WARN, "rtnetlink in %s: asking for interface %d: %m", ns->name,
			ifindex);
		ns->resync = true;
	}
}

/*
 * Events were lost. The kernel stops reporting further losses (its
 * "congested" state) until the socket has been read empty, so a dump asked
 * for earlier could miss a later silent loss: the caller sends it only
 * once drained. A dump itself is never lost: the kernel fills the socket
 * only as it is read.
 */
static void resync(struct rtnl_ns *ns, bool drained)
{
	struct {
		struct nlmsghdr h;
		struct ifinfomsg i;
	} req;
	struct sockaddr_nl to = {.nl_family = AF_NETLINK};
	uint64_t now;

	if (!ns->resync || !drained || ns->dumping || (now = umn_mono_ns()) < ns->resync_after_ns)
		return;
	memset(&req, 0, sizeof(req));
	req.h.nlmsg_len = sizeof(req);
	req.h.nlmsg_type = RTM_GETLINK;
	req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.h.nlmsg_seq = ns->dump_seq = ++ns->seq;
	req.i.ifi_family = AF_UNSPEC;
	if (sendto(ns->nl, &req, sizeof(req), 0, (struct sockaddr *)&to, sizeof(to)) < 0) {
		umn_log(UMN_LOG_WARN, "rtnetlink in %s: asking for a dump of its interfaces: %m",
			ns->name);
		ns->resync_after_ns = now + 1000000000ull;
		return;
	}
	ns->resync = false;
	ns->dumping = true;
}

/* One dev_mcast line: "ifindex name users global address", the address as 12 hex digits. */
static void mcast_line(struct rtnl_ns *ns, const char *line)
{
	struct rtnl_link *l;
	const char *hex;
	uint8_t a[6];
	char *end;
	long idx = strtol(line, &end, 10);

	if (end == line || idx <= 0 || idx > INT32_MAX || !(l = find_link(ns, (int)idx)) ||
	    !l->want_mcast)
		return;
	hex = strrchr(line, ' ');
	if (!hex || strlen(++hex) != 12)
		return; /* not an Ethernet address */
	for (int i = 0; i < 6; i++) {
		int hi = ascii_hexval(hex[2 * i]), lo = ascii_hexval(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return;
		a[i] = (uint8_t)(hi << 4 | lo);
	}
	if (l->nscan < RTNL_MCAST_MAX)
		memcpy(l->scan[l->nscan++], a, 6);
}

/*
 * Reads dev_mcast from the start (pread at 0 restarts the kernel's
 * listing, so the content is current) and marks each watched interface
 * whose list differs from the one it had.
 */
static void read_mcast(struct rtnl_ns *ns)
{
	char *b = ns->buf.b;
	size_t cap = sizeof(ns->buf.b) - 1, carry = 0;
	off_t off = 0;

	ns->mcast_read_ns = umn_mono_ns();
	for (struct rtnl_link *l = ns->links; l; l = l->next)
		l->nscan = 0;
	while (off < RTNL_MCAST_READ_MAX) {
		ssize_t n = pread(ns->mcast_fd, b + carry, cap - carry, off);
		char *line, *nl;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			umn_log(UMN_LOG_WARN, "reading the multicast addresses of %s: %m",
				ns->name);
			return; /* the lists stay as they were */
		}
		if (n == 0)
			break;
		off += n;
		carry += (size_t)n;
		b[carry] = '\0';
		for (line = b; (nl = strchr(line, '\n')); line = nl + 1) {
			*nl = '\0';
			mcast_line(ns, line);
		}
		/* A partial line waits for the rest; one longer than the buffer is not a line of
		 * ours. */
		carry = carry - (size_t)(line - b);
		if (carry == cap)
			carry = 0;
		memmove(b, line, carry);
	}
	if (carry) {
		b[carry] = '\0';
		mcast_line(ns, b);
	}
	for (struct rtnl_link *l = ns->links; l; l = l->next) {
		if (!l->want_mcast ||
		    (l->nscan == l->nmcast && !memcmp(l->scan, l->mcast, l->nscan * 6u)))
			continue;
		memcpy(l->mcast, l->scan, l->nscan * 6u);
		l->nmcast = l->nscan;
		l->pending |= RTNL_EV_MCAST;
	}
}

static void parse(struct rtnl_ns *ns, int len)
{
	for (struct nlmsghdr *h = &ns->buf.h; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
		const struct ifinfomsg *ifi;
		struct rtnl_link *l;
		struct rtattr *a;
		int alen;

		if ((h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR) && ns->dumping &&
		    h->nlmsg_seq == ns->dump_seq) {
			ns->dumping = false;
			if (h->nlmsg_type == NLMSG_ERROR) {
				/* Tried again, but not in a loop: a second from now at the
				 * earliest. */
				umn_log(UMN_LOG_WARN,
					"rtnetlink in %s: the dump of its interfaces failed",
					ns->name);
				ns->resync = true;
				ns->resync_after_ns = umn_mono_ns() + 1000000000ull;
			}
			continue;
		}
		if ((h->nlmsg_type != RTM_NEWLINK && h->nlmsg_type != RTM_DELLINK) ||
		    h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)))
			continue; /* an error to a single request: a dump or an RTM_DELLINK covers
				     it */
		ifi = NLMSG_DATA(h);
		l = find_link(ns, ifi->ifi_index);
		if (!l)
			continue;
		l->pending |= RTNL_EV_LINK;
		if (h->nlmsg_type == RTM_DELLINK) {
			l->gone = true;
			l->known = false;
			continue;
		}
		l->gone = false;
		l->known = true;
		l->flags = ifi->ifi_flags;
		alen = (int)h->nlmsg_len - (int)NLMSG_LENGTH(sizeof(*ifi));
		for (a = IFLA_RTA(ifi); RTA_OK(a, alen); a = RTA_NEXT(a, alen))
			if (a->rta_type == IFLA_MTU && RTA_PAYLOAD(a) >= sizeof(uint32_t))
				memcpy(&l->mtu, RTA_DATA(a), sizeof(uint32_t));
	}
}

/* Tells owners what changed. A callback may remove links: look again from the start after each. */
static void deliver(struct rtnl_ns *ns)
{
	for (;;) {
		struct rtnl_link *l = ns->links;
		unsigned what;

		while (l && !l->pending)
			l = l->next;
		if (!l)
			return;
		what = l->pending;
		l->pending = 0;
		l->fn(l, what, l->obj);
	}
}

static void overrun(struct rtnl_ns *ns)
{
	unsigned held;

	ns->resync = true;
	if (umn_log_limit_pass(&ns->overrun_log, umn_mono_ns(), 1000000000ull, &held, NULL))
		umn_log(UMN_LOG_INFO,
			"rtnetlink in %s: netlink overrun (events lost; %u more since the last "
			"message): its interfaces are asked for again",
			ns->name, held);
}

/* One batch: read, resync if events were lost, re-read multicast lists if needed, tell owners. */
static void ns_service(struct rtnl_ns *ns)
{
	bool link_event = false, drained = false;

	for (int i = 0; i < RTNL_BATCH; i++) {
		ssize_t n = recv(ns->nl, ns->buf.b, sizeof(ns->buf.b), MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == ENOBUFS) {
			overrun(ns);
			continue;
		}
		if (n < 0) {
			drained = errno == EAGAIN;
			break;
		}
		parse(ns, (int)n);
	}
	resync(ns, drained);
	for (struct rtnl_link *l = ns->links; l; l = l->next)
		if (l->pending && l->want_mcast)
			link_event = true;
	if (link_event) {
		uint64_t next = ns->mcast_read_ns + RTNL_MCAST_EVENT_GAP_NS;

		if (umn_mono_ns() >= next)
			read_mcast(ns);
		else if (ns->mcast_due_ns > next)
			ns->mcast_due_ns = next; /* the tick after next reads it */
	}
	deliver(ns);
}

static unsigned ns_readable(struct watch *w, uint32_t events)
{
	(void)events;
	ns_service(w->obj);
	return 0;
}

/* The socket and the dev_mcast descriptor, opened in the calling thread's namespace. */
static int open_here(struct rtnl_ns *ns, char *err, size_t errcap)
{
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK};
	const char *env = getenv("UMNIC_RTNL_RCVBUF");
	int rcvbuf = env ? atoi(env) : (int)RTNL_RCVBUF;

	ns->nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
	if (ns->nl < 0 || bind(ns->nl, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;

		snprintf(err, errcap, "rtnetlink socket in %s: %s", ns->name, strerror(e));
		return -e;
	}
	/* Past rmem_max only with CAP_NET_ADMIN; a smaller buffer only overruns sooner. */
	if (rcvbuf > 0 &&
	    setsockopt(ns->nl, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		(void)setsockopt(ns->nl, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	/* /proc/thread-self/net is this thread's namespace now; the open file stays bound to it. */
	ns->mcast_fd = open("/proc/thread-self/net/dev_mcast", O_RDONLY | O_CLOEXEC);
	if (ns->mcast_fd < 0) {
		int e = errno;

		snprintf(err, errcap, "dev_mcast of %s: %s", ns->name, strerror(e));
		return -e;
	}
	return 0;
}

static void ns_close(struct rtnl_ns *ns)
{
	watch_del(&ns->w);
	if (ns->nl >= 0)
		close(ns->nl);
	if (ns->mcast_fd >= 0)
		close(ns->mcast_fd);
	ns->nl = ns->mcast_fd = -1;
	ns->links = NULL;
	ns->nlinks = ns->nwant_mcast = 0;
}

/* The open namespace at path, or a new one opened there; NULL with err. */
static struct rtnl_ns *ns_get(const char *path, char *err, size_t errcap)
{
	const char *p = path && *path ? path : "/proc/thread-self/ns/net";
	struct rtnl_ns *ns, *spare = NULL;
	int target, self = -1, r;
	struct stat st;

	target = open(p, O_RDONLY | O_CLOEXEC);
	if (target < 0 || fstat(target, &st) < 0) {
		snprintf(err, errcap, "network namespace %s: %s", p, strerror(errno));
		if (target >= 0)
			close(target);
		return NULL;
	}
	for (ns = all_ns; ns; ns = ns->next) {
		if (ns->nl >= 0 && ns->ns_dev == st.st_dev && ns->ns_ino == st.st_ino) {
			close(target);
			return ns;
		}
		if (ns->nl < 0 && !spare)
			spare = ns;
	}
	ns = spare;
	if (!ns) {
		ns = calloc(1, sizeof(*ns));
		if (!ns) {
			snprintf(err, errcap, "out of memory");
			close(target);
			return NULL;
		}
		ns->next = all_ns;
		all_ns = ns;
	}
	ns->ns_dev = st.st_dev;
	ns->ns_ino = st.st_ino;
	ns->nl = ns->mcast_fd = -1;
	ns->resync = ns->dumping = false;
	ns->mcast_due_ns = ns->mcast_read_ns = ns->resync_after_ns = 0;
	snprintf(ns->name, sizeof(ns->name), "%s", path && *path ? path : "umnicd's namespace");
	if (path && *path) {
		/* Once per namespace: this thread enters it, opens both, and comes back. */
		self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
		if (self < 0 || setns(target, CLONE_NEWNET) < 0) {
			snprintf(err, errcap, "entering network namespace %s: %s", path,
				 strerror(errno));
			r = -1;
			goto out;
		}
	}
	r = open_here(ns, err, errcap);
	if (self >= 0 && setns(self, CLONE_NEWNET) < 0) {
		/* Cannot happen with a valid fd; carrying on in the wrong namespace would be worse.
		 */
		umn_log(UMN_LOG_ERR, "returning to umnicd's network namespace: %m");
		abort();
	}
	if (r == 0)
		r = watch_add(&ns->w, ns->nl, ns_readable, ns);
out:
	if (self >= 0)
		close(self);
	close(target);
	if (r < 0) {
		ns_close(ns);
		return NULL;
	}
	return ns;
}

int rtnl_link_add(struct rtnl_link *l, const char *netns_path, int ifindex, rtnl_link_fn fn,
		  void *obj, char *err, size_t errcap)
{
	struct rtnl_ns *ns;

	if (ifindex <= 0) {
		snprintf(err, errcap, "the interface's index is unknown");
		return -EINVAL;
	}
	ns = ns_get(netns_path, err, errcap);
	if (!ns)
		return -EIO;
	memset(l, 0, sizeof(*l));
	l->ifindex = ifindex;
	l->fn = fn;
	l->obj = obj;
	l->ns = ns;
	l->next = ns->links;
	ns->links = l;
	ns->nlinks++;
	request_link(ns, ifindex);
	return 0;
}

void rtnl_link_del(struct rtnl_link *l)
{
	struct rtnl_ns *ns = l->ns;

	if (!ns)
		return;
	for (struct rtnl_link **pp = &ns->links; *pp; pp = &(*pp)->next) {
		if (*pp == l) {
			*pp = l->next;
			break;
		}
	}
	rtnl_link_want_mcast(l, false);
	l->ns = NULL;
	l->next = NULL;
	l->pending = 0;
	if (--ns->nlinks == 0)
		ns_close(ns);
}

void rtnl_link_want_mcast(struct rtnl_link *l, bool on)
{
	struct rtnl_ns *ns = l->ns;

	if (!ns || l->want_mcast == on)
		return;
	l->want_mcast = on;
	l->nmcast = 0;
	if (!on) {
		ns->nwant_mcast--;
		return;
	}
	ns->nwant_mcast++;
	/* Seldom (an adapter starts): the list is current before the owner first uses it. */
	read_mcast(ns);
	l->pending &= ~RTNL_EV_MCAST;
}

void rtnl_tick(uint64_t now_ns)
{
	for (struct rtnl_ns *ns = all_ns; ns; ns = ns->next) {
		/* A dump that could not be sent, tried again without an event to wait for. */
		if (ns->nl >= 0 && ns->resync && !ns->dumping && now_ns >= ns->resync_after_ns)
			ns_service(ns);
		if (ns->nl < 0 || !ns->nwant_mcast || now_ns < ns->mcast_due_ns)
			continue;
		ns->mcast_due_ns = now_ns + RTNL_MCAST_PERIOD_NS;
		read_mcast(ns);
		deliver(ns);
	}
}

void rtnl_free_all(void)
{
	while (all_ns) {
		struct rtnl_ns *ns = all_ns;

		all_ns = ns->next;
		if (ns->nl >= 0)
			ns_close(ns);
		free(ns);
	}
}
