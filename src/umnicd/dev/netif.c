/* SPDX-License-Identifier: MIT */
/*
 * The OS side of a NetAdapterCx adapter in umnicd: checking what the driver
 * declared, the TAP interface that stands for it, and the queues. What the
 * OS changes on the interface (flags, multicast list) arrives as rtnetlink
 * events (net/rtnl.c) and goes on to the driver from netif_on_link_event.
 * It is a step of the device's start and restart (it moves the device's
 * state), so it lives with the device manager; the mechanisms it uses, the
 * TAP, rtnetlink and the datapath thread, are net/'s.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <ntstatus.h>

#include "common/log.h"
#include "common/segment.h"
#include "umnicd/dev/device.h"
#include "umnicd/hosts/hostproc.h"
#include "umnicd/dev/netif.h"
#include "umnicd/net/adapter_caps.h"
#include "umnicd/dev/rss.h"
#include "umnicd/net/rtnl.h"
#include "umnicd/net/tap.h"
#include "umnicd/base/config.h"
#include "umnicd/base/loop.h"

_Static_assert(RTNL_MCAST_MAX >= UMN_MCAST_MAX,
	       "rtnl keeps every multicast address a driver may take");

/* A stable locally administered unicast MAC for a driver that reports none. */
static void default_mac(const struct device *dev, uint8_t mac[6])
{
	uint32_t h = 2166136261u;

	for (const char *p = dev->instance_id; *p; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	mac[0] = 0x02;
	mac[1] = 0x75;
	mac[2] = (uint8_t)(h >> 24);
	mac[3] = (uint8_t)(h >> 16);
	mac[4] = (uint8_t)(h >> 8);
	mac[5] = (uint8_t)h;
}

/* rtnl.c's callback: the interface changed, or a batch of events named it. */
static void link_event(struct rtnl_link *l, unsigned what, void *obj)
{
	netif_on_link_event(obj, l, what);
}

/*
 * The datapath thread gave up on the driver's rings (a rule broken, a
 * stall): the device manager decides what follows. It may free the
 * device; later events of the batch may name it.
 */
static unsigned dp_fail_event(struct watch *w, uint32_t events)
{
	uint64_t v;

	(void)events;
	if (read(w->fd, &v, sizeof(v)) > 0)
		dev_on_dp_fail(w->obj);
	return WATCH_FREED;
}

/* What the driver does on receive: umnicd must accept it as soon as the driver may start. */
#define OFL_RX (UMN_OFL_RXCSUM | UMN_OFL_RSC)

NTSTATUS adapter_on_start(struct device *dev, const struct umn_adapter_caps *m, char *err,
			  size_t cap)
{
	struct adapter_caps caps;
	struct umn_queue_layout tl, rl;
	uint32_t max_frame, cur_mtu, nq;
	char nspath[PATH_MAX];
	int fd, r;

	dev_restart_step(dev, "NetAdapterStart");
	if (!dev_starting(dev) || dev->has_adapter) {
		snprintf(err, cap, "NetAdapterStart is only allowed once, while the device starts");
		return STATUS_INVALID_DEVICE_STATE;
	}
	if (adapter_caps_check(m, &caps, err, cap) < 0)
		return STATUS_INVALID_PARAMETER;
	max_frame = caps.max_frame;
	tl = caps.tx;
	rl = caps.rx;
	if (caps.has_addr)
		memcpy(dev->mac, caps.addr, 6);
	else
		default_mac(dev, dev->mac);

	dev->caps = *m;
	dev->caps.rx_max_frame = max_frame;
	dev->caps.offload.can = caps.offload_can;

	dev_netns_path(dev, nspath, sizeof(nspath));
	if (dev->has_tap) {
		/*
		 * A restarted driver: the interface, its addresses and routes stayed. What the OS
		 * set on it (its MAC, its MTU) wins over what the driver declares, as after a
		 * reset.
		 */
		if (tap_get_mtu(dev->ns_sock, dev->tap_fd, &cur_mtu) == 0 &&
		    cur_mtu + UMN_ETH_HLEN > max_frame) {
			snprintf(err, cap,
				 "the interface MTU is %u but the driver's maximum frame is %u",
				 cur_mtu, max_frame);
			return STATUS_INVALID_PARAMETER;
		}
		tap_get_mac(dev->tap_fd, dev->mac);
		fd = dev->tap_fd;
	} else {
		fd = tap_create(dev->ifname_req, nspath[0] ? nspath : NULL, dev->mac, m->mtu,
				dev->ifname, &dev->ifindex, err, cap);
		if (fd < 0)
			return STATUS_INSUFFICIENT_RESOURCES;
		dev->ns_sock = tap_netns_socket(nspath[0] ? nspath : NULL);
		if (dev->ns_sock < 0) {
			snprintf(err, cap, "socket in the interface's namespace: %s",
				 strerror(-dev->ns_sock));
			close(fd);
			return STATUS_INSUFFICIENT_RESOURCES;
		}
		dev->tap_fd = fd;
		dev->has_tap = true;
		r = rtnl_link_add(&dev->link, nspath, dev->ifindex, link_event, dev, err, cap);
		if (r < 0)
			umn_log(UMN_LOG_WARN,
				"%s: %s: changes to %s (promiscuous mode, multicast) will not "
				"reach the driver",
				dev->instance_id, err, dev->ifname);
		/* A name the kernel chose (umnic%d) is kept, so the device comes back under it. */
		if (strcmp(dev->ifname_req, dev->ifname)) {
			umn_strlcpy(dev->ifname_req, dev->ifname, sizeof(dev->ifname_req));
			dev_persist(dev);
		}
	}

	nq = rss_queues_for(dev, m);
	/* One TAP queue per pair: open what is missing, close what a smaller driver leaves over. */
	while (dev->ntapq > nq && dev->ntapq > 1)
		close(dev->tapq_fd[--dev->ntapq]);
	if (!dev->ntapq)
		dev->ntapq = 1;
	while (dev->ntapq < nq) {
		int qfd = tap_attach_queue(dev->tap_fd, nspath[0] ? nspath : NULL, err, cap);
		if (qfd < 0)
			return STATUS_INSUFFICIENT_RESOURCES;
		dev->tapq_fd[dev->ntapq++] = qfd;
	}

	memset(&dev->dp, 0, sizeof(dev->dp));
	dev->dp.nq = nq;
	dev->dp.max_frame = max_frame;
	dev->dp.index_base = cfg->index_base;
	dev->dp.ocfg.max_frame = max_frame;
	dev->dp.ocfg.max_frags = m->tx_max_frags ? m->tx_max_frags : 1;
	dev->dp.ocfg.caps = dev->caps.offload;
	/*
	 * Until its answer to the first set, a driver may use any RX offload it advertised: one
	 * started again after a PnP stop, in the same host, still holds the set it was last told.
	 */
	atomic_store(&dev->dp.active, dev->caps.offload.can & OFL_RX);
	/* A new driver knows no offload yet: the first sync sends what is in force (a replay after
	 * a crash). */
	dev->ofl_sent = UINT32_MAX;
	dev->ofl_acked = 0;
	dev->ofl_inflight = false;
	dev->ofl_again = false;
	rss_adapter_started(dev);
	dev->dp.ctl_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	dev->dp.fail_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	for (uint32_t i = 0; i < DP_MAX_QUEUES; i++) {
		struct dp_qpair *qp = &dev->dp.qp[i];

		qp->tx.memfd = qp->rx.memfd = -1;
		qp->tx.ec_efd = qp->rx.ec_efd = -1;
		qp->os_efd = -1;
	}
	if (dev->dp.ctl_efd < 0 || dev->dp.fail_efd < 0) {
		snprintf(err, cap, "eventfd: %s", strerror(errno));
		goto fail;
	}
	for (uint32_t i = 0; i < nq; i++) {
		struct dp_qpair *qp = &dev->dp.qp[i];

		qp->tap_fd = i ? dev->tapq_fd[i] : fd;
		qp->cpu_plus1 = config_dp_cpu_plus1(i);
		qp->os_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (qp->os_efd < 0) {
			snprintf(err, cap, "eventfd: %s", strerror(errno));
			goto fail;
		}
		tl.queue_id = rl.queue_id = i;
		r = dp_queue_init(&qp->tx, &tl, cfg->index_base);
		if (r == 0)
			r = dp_queue_init(&qp->rx, &rl, cfg->index_base);
		if (r < 0) {
			snprintf(err, cap, "memory of queue %u: %s", i, strerror(-r));
			goto fail;
		}
	}
	watch_add(&dev->w_fail, dev->dp.fail_efd, dp_fail_event, dev);
	dev->has_adapter = true;
	dev->dp_ready = true;
	/* A new driver knows no filter yet: once started it gets the interface's (a replay after a
	 * crash). */
	dev->filter_sent = UINT32_MAX;
	dev->mcast_sent_count = 0;
	dev->filter_inflight = false;
	dev->filter_again = false;
	rtnl_link_want_mcast(&dev->link, dev->caps.filter_flags != 0);
	umn_log(UMN_LOG_INFO,
		"%s: adapter %s (mtu %u, %02x:%02x:%02x:%02x:%02x:%02x, %u queue pair%s)",
		dev->instance_id, dev->ifname, m->mtu, dev->mac[0], dev->mac[1], dev->mac[2],
		dev->mac[3], dev->mac[4], dev->mac[5], nq, nq > 1 ? "s" : "");
	return STATUS_SUCCESS;

fail:
	dev->dp_ready = true;
	adapter_stop_datapath(dev);
	return STATUS_INSUFFICIENT_RESOURCES;
}

static void on_started(struct device *dev, NTSTATUS st, const char *text)
{
	int r;

	if (!NT_SUCCESS(st)) {
		dev_fail(dev, "starting the packet queues failed: %s", text);
		return;
	}
	dev_restart_step(dev, "queues started");
	r = dp_adapter_start(&dev->dp);
	if (r < 0) {
		dev_fail(dev, "cannot start the datapath thread: %s", strerror(-r));
		return;
	}
	dev->state = DEV_STARTED;
	/* The interface's flags and multicast list, as events left them: the replay after a
	 * restart. */
	adapter_sync_filter(dev);
	dev_settled(dev);
	adapter_sync_offload(dev);
	adapter_sync_rss(dev);
}

static void send_create(struct device *dev, hreq_done_fn done)
{
	struct dp_qpair *qp = &dev->dp.qp[dev->q_creating / 2];
	struct dp_queue *q = dev->q_creating % 2 ? &qp->rx : &qp->tx;
	struct umn_msg_create_queue m;
	int fds[3] = {q->memfd, q->ec_efd, qp->os_efd};

	umn_msg_init(&m, UMN_MSG_CREATE_QUEUE, sizeof(m), 0);
	m.dev = dev->id;
	m.cpu_plus1 = qp->cpu_plus1;
	m.layout = q->l;
	host_request(dev->host, dev, &m, sizeof(m), fds, 3, done);
}

/* TX 0, RX 0, TX 1, RX 1, ...: then the RX buffers are posted and the queues start. */
static void on_created(struct device *dev, NTSTATUS st, const char *text)
{
	struct umn_msg_dev m;

	if (!NT_SUCCESS(st)) {
		dev_fail(dev, "creating the %s queue %u failed: %s",
			 dev->q_creating % 2 ? "RX" : "TX", dev->q_creating / 2, text);
		return;
	}
	if (++dev->q_creating < 2 * dev->dp.nq) {
		send_create(dev, on_created);
		return;
	}
	dev_restart_step(dev, "queues created");
	dp_rx_prime(&dev->dp);
	umn_msg_init(&m, UMN_MSG_START_QUEUES, sizeof(m), 0);
	m.dev = dev->id;
	host_request(dev->host, dev, &m, sizeof(m), NULL, 0, on_started);
}

void adapter_create_queues(struct device *dev)
{
	dev->q_creating = 0;
	send_create(dev, on_created);
}

void adapter_on_link_state(struct device *dev, const struct umn_link_state *m)
{
	bool up;

	if (!dev->has_tap)
		return;
	if (m->media_state > 2) {
		dev_fail(dev, "NetAdapterSetLinkState with MediaConnectState %u", m->media_state);
		return;
	}
	up = m->media_state == 1;
	dev->carrier_held = false;
	if (tap_set_carrier(dev->tap_fd, up) < 0)
		umn_log(UMN_LOG_WARN, "%s: setting carrier: %m", dev->ifname);
	dev->carrier = up;
}

void adapter_stop_datapath(struct device *dev)
{
	if (dev->dp_ready) {
		/* From here until a driver starts again, nobody reads the TAP: the kernel queues.
		 */
		dp_adapter_stop(&dev->dp);
		watch_del(&dev->w_fail);
		for (uint32_t i = 0; i < DP_MAX_QUEUES; i++) {
			struct dp_qpair *qp = &dev->dp.qp[i];

			if (qp->tx.base || qp->tx.memfd > 0)
				dp_queue_fini(&qp->tx);
			if (qp->rx.base || qp->rx.memfd > 0)
				dp_queue_fini(&qp->rx);
			if (qp->os_efd > 0)
				close(qp->os_efd);
		}
		if (dev->dp.ctl_efd > 0)
			close(dev->dp.ctl_efd);
		if (dev->dp.fail_efd > 0)
			close(dev->dp.fail_efd);
		memset(&dev->dp, 0, sizeof(dev->dp));
		dev->dp_ready = false;
	}
	dev->has_adapter = false;
}

void adapter_teardown(struct device *dev)
{
	adapter_stop_datapath(dev);
	rtnl_link_del(&dev->link);
	if (dev->has_tap) {
		while (dev->ntapq > 1)
			close(dev->tapq_fd[--dev->ntapq]);
		close(dev->tap_fd);
		close(dev->ns_sock);
	}
	dev->ntapq = 0;
	dev->tap_fd = dev->ns_sock = -1;
	dev->has_tap = false;
	dev->carrier = false;
	dev->carrier_held = false;
}

/* NET_PACKET_FILTER_FLAGS values (netreceivefilter.h). */
#define FILTER_DIRECTED	     0x1u
#define FILTER_MULTICAST     0x2u
#define FILTER_ALL_MULTICAST 0x4u
#define FILTER_BROADCAST     0x8u
#define FILTER_PROMISCUOUS   0x20u

static void on_filter_done(struct device *dev, NTSTATUS st, const char *text)
{
	bool again = dev->filter_again;

	(void)text;
	dev->filter_inflight = false;
	dev->filter_again = false;
	if (NT_SUCCESS(st) && dev->host) {
		dev->filter_acked = dev->filter_sent;
		dev->mcast_acked_count = dev->mcast_sent_count;
		dev->filter_acked_pid = dev->host->pid;
		/* Changes while this one was with the driver: one request carries them all. */
		if (again && dev->state == DEV_STARTED)
			adapter_sync_filter(dev);
	} else if (!NT_SUCCESS(st)) {
		/* The driver has no EvtSetReceiveFilter: nothing to replay either. */
		dev->filter_acked = 0;
		dev->filter_acked_pid = 0;
	}
}

/*
 * What the OS has set on the interface, as the last events said, goes to
 * the driver's EvtSetReceiveFilter if it differs from what was sent. At
 * most one request is with the driver: a change meanwhile is sent once it
 * answers, so a flapping interface costs one request per round trip.
 */
void adapter_sync_filter(struct device *dev)
{
	struct umn_msg_rx_filter m;
	const struct rtnl_link *l = &dev->link;
	unsigned nmc, cap;
	uint32_t want;

	if (!dev->has_adapter || !dev->host || !dev->caps.filter_flags || !l->known)
		return;
	if (dev->filter_inflight) {
		dev->filter_again = true;
		return;
	}
	want = FILTER_DIRECTED | FILTER_MULTICAST | FILTER_BROADCAST;
	if (l->flags & IFF_ALLMULTI)
		want |= FILTER_ALL_MULTICAST;
	if (l->flags & IFF_PROMISC)
		want |= FILTER_PROMISCUOUS;
	want &= dev->caps.filter_flags;
	cap = dev->caps.max_mcast < UMN_MCAST_MAX ? dev->caps.max_mcast : UMN_MCAST_MAX;
	nmc = l->nmcast < cap ? l->nmcast : cap;
	if (want == dev->filter_sent && nmc == dev->mcast_sent_count &&
	    !memcmp(l->mcast, dev->mcast_sent, (size_t)nmc * 6))
		return;
	umn_msg_init(&m, UMN_MSG_SET_RX_FILTER, sizeof(m), 0);
	m.dev = dev->id;
	m.flags = want;
	m.mcast_count = nmc;
	memcpy(m.mcast, l->mcast, (size_t)nmc * 6);
	dev->filter_sent = want;
	dev->mcast_sent_count = nmc;
	memcpy(dev->mcast_sent, l->mcast, (size_t)nmc * 6);
	dev->filter_inflight = true;
	host_request(dev->host, dev, &m, sizeof(m), NULL, 0, on_filter_done);
}

void netif_on_link_event(struct device *dev, const struct rtnl_link *l, unsigned what)
{
	(void)what;
	if (l->gone)
		umn_log(UMN_LOG_DEBUG, "%s: interface %s left its namespace", dev->instance_id,
			dev->ifname);
	/*
	 * Other state the OS sets on the interface is read here, on its event, not polled:
	 * a feature change (NETDEV_FEAT_CHANGE) arrives as an RTM_NEWLINK too.
	 */
	if (dev->state == DEV_STARTED) {
		adapter_sync_filter(dev);
		adapter_sync_offload(dev);
	}
}

/* Linux features to the driver's offloads; receive checksums have no switch on a TAP. */
static uint32_t offloads_for(uint32_t feats)
{
	uint32_t v = UMN_OFL_RXCSUM;

	if (feats & (1u << TAPF_CSUM)) {
		v |= UMN_OFL_TXCSUM;
		/* Segmentation needs the checksum offload: Linux turns TSO off with it. */
		if (feats & (1u << TAPF_TSO4))
			v |= UMN_OFL_LSO_IPV4;
		if (feats & (1u << TAPF_TSO6))
			v |= UMN_OFL_LSO_IPV6;
		if (feats & (1u << TAPF_USO))
			v |= UMN_OFL_USO_IPV4 | UMN_OFL_USO_IPV6;
	}
	/* Coalescing in hardware is GRO's hardware form: Linux ties rx-gro-hw to rx-gro. */
	if (feats & (1u << TAPF_GRO))
		v |= UMN_OFL_RSC;
	/* A tag the stack leaves to "hardware" still reaches the TAP inside the frame: umnicd moves
	 * it. */
	if (feats & (1u << TAPF_VLAN_TX))
		v |= UMN_OFL_IEEE8021Q;
	return v;
}

static void on_offload_done(struct device *dev, NTSTATUS st, const char *text)
{
	uint32_t stopped;

	dev->ofl_inflight = false;
	if (!dev->dp_ready)
		return;
	/* RX offloads the driver stopped: what it returned before its answer may still use them. */
	stopped = atomic_load(&dev->dp.active) & OFL_RX & ~dev->ofl_sent;
	if (!NT_SUCCESS(st)) {
		umn_log(UMN_LOG_WARN, "%s: setting offloads: %s", dev->instance_id, text);
		atomic_fetch_and(&dev->dp.active, dev->ofl_sent);
		dp_rx_grace(&dev->dp, stopped);
		return;
	}
	dev->ofl_acked = dev->ofl_sent;
	/*
	 * Release: pairs with the datapath threads' acquire of active in tx_post() and rx_harvest()
	 * (net/datapath.c): from now on they may hand the work on.
	 */
	atomic_store_explicit(&dev->dp.active, dev->ofl_sent, memory_order_release);
	dp_rx_grace(&dev->dp, stopped);
	/* What changed meanwhile goes out now, as one more request. */
	if (dev->ofl_again) {
		dev->ofl_again = false;
		adapter_sync_offload(dev);
	}
}

static void clamp_mtu(struct device *dev)
{
	uint32_t mtu, max = dev->dp.max_frame - UMN_ETH_HLEN;

	if (tap_get_mtu(dev->ns_sock, dev->tap_fd, &mtu) < 0 || mtu <= max)
		return;
	/* A TAP takes any MTU; frames beyond the driver's MaximumFrameSize could not be sent. */
	if (!dev->mtu_warned)
		umn_log(UMN_LOG_WARN,
			"%s: MTU %u exceeds the driver's maximum frame (%u bytes); set back to %u",
			dev->ifname, mtu, dev->dp.max_frame, max);
	dev->mtu_warned = true;
	tap_set_mtu(dev->ns_sock, dev->tap_fd, max);
}

void adapter_sync_offload(struct device *dev)
{
	struct umn_msg_offload m;
	char name[IFNAMSIZ];
	uint32_t feats = 0, want, cur;

	if (!dev->has_adapter || !dev->dp_ready || !dev->host)
		return;
	if (dev->ofl_inflight) {
		dev->ofl_again = true;
		return;
	}
	clamp_mtu(dev);
	if (tap_get_name(dev->tap_fd, name) < 0 ||
	    tap_features_get(dev->ns_sock, name, &dev->tapf, &feats) < 0)
		feats = 0;
	want = offloads_for(feats) & dev->caps.offload.can;
	if (want == dev->ofl_sent)
		return;
	/*
	 * Until the driver has answered, the datapath takes the safe side of both sets: a TX
	 * offload that stops, stops now (umnicd does that work itself), one that starts waits
	 * for the answer; an RX offload that starts is accepted at once (the driver may use it
	 * from inside its callback), one that stops is accepted until the answer.
	 */
	cur = atomic_load(&dev->dp.active);
	/*
	 * Release: pairs with the datapath threads' acquire of active in tx_post() and rx_harvest()
	 * (net/datapath.c).
	 */
	atomic_store_explicit(&dev->dp.active, (cur & want & ~OFL_RX) | ((cur | want) & OFL_RX),
			      memory_order_release);
	dev->ofl_sent = want;
	if (!dev->caps.offload.can)
		return; /* nothing advertised, no callback to call */
	umn_msg_init(&m, UMN_MSG_SET_OFFLOAD, sizeof(m), 0);
	m.dev = dev->id;
	m.active = want;
	dev->ofl_inflight = true;
	host_request(dev->host, dev, &m, sizeof(m), NULL, 0, on_offload_done);
}
