/* SPDX-License-Identifier: MIT */
/*
 * The Linux side of an adapter (tap.h): creating the TAP interface in the
 * device's network namespace, its MAC, MTU, carrier and flags, and reading
 * its multicast list, all through descriptors umnicd keeps.
 */
#include "umnicd/net/tap.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if_arp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef TUN_F_USO4
#define TAP_F_USO4 0x20
#define TAP_F_USO6 0x40
#else
#define TAP_F_USO4 TUN_F_USO4
#define TAP_F_USO6 TUN_F_USO6
#endif

#define TAP_FLAGS (IFF_TAP | IFF_NO_PI | IFF_VNET_HDR | IFF_MULTI_QUEUE)

static int configure(int tap, const char *name, const uint8_t mac[6], uint32_t mtu,
		     int *ret_ifindex, char *err, size_t errcap)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int r = 0;

	if (s < 0) {
		int e = errno;

		snprintf(err, errcap, "socket: %s", strerror(e));
		return -e;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	ifr.ifr_mtu = (int)mtu;
	if (ioctl(s, SIOCSIFMTU, &ifr) < 0) {
		r = -errno;
		snprintf(err, errcap, "setting MTU %u on %s: %s", mtu, name, strerror(errno));
		goto out;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
	memcpy(ifr.ifr_hwaddr.sa_data, mac, 6);
	/* The TAP fd takes the address even after the interface moves to another namespace. */
	if (ioctl(tap, SIOCSIFHWADDR, &ifr) < 0) {
		r = -errno;
		snprintf(err, errcap, "setting MAC on %s: %s", name, strerror(errno));
		goto out;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	if (ioctl(s, SIOCGIFINDEX, &ifr) == 0)
		*ret_ifindex = ifr.ifr_ifindex;
out:
	close(s);
	return r;
}

int tap_create(const char *name_template, const char *netns_path, const uint8_t mac[6],
	       uint32_t mtu, char ret_name[IFNAMSIZ], int *ret_ifindex, char *err, size_t errcap)
{
	struct ifreq ifr;
	int self_ns = -1, target_ns = -1, fd = -1, r;

	if (netns_path && *netns_path) {
		self_ns = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
		target_ns = open(netns_path, O_RDONLY | O_CLOEXEC);
		if (self_ns < 0 || target_ns < 0) {
			r = -errno;
			snprintf(err, errcap, "network namespace %s: %s", netns_path,
				 strerror(errno));
			goto out;
		}
		/* Only this thread changes namespace, and only for the duration of the creation. */
		if (setns(target_ns, CLONE_NEWNET) < 0) {
			r = -errno;
			snprintf(err, errcap, "entering network namespace %s: %s", netns_path,
				 strerror(errno));
			goto out;
		}
	}
	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		r = -errno;
		snprintf(err, errcap, "/dev/net/tun: %s", strerror(errno));
		goto back;
	}
	memset(&ifr, 0, sizeof(ifr));
	/*
	 * Every frame carries a virtio-net header: offload metadata travels in it
	 * (tap_set_offload). Multi-queue always, so that a restarted driver may use another number
	 * of queues.
	 */
	ifr.ifr_flags = TAP_FLAGS;
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s",
		 name_template && *name_template ? name_template : "umnic%d");
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		r = -errno;
		snprintf(err, errcap, "creating TAP %s: %s", ifr.ifr_name, strerror(errno));
		close(fd);
		fd = -1;
		goto back;
	}
	memcpy(ret_name, ifr.ifr_name, IFNAMSIZ);
	ret_name[IFNAMSIZ - 1] = '\0';
	r = configure(fd, ret_name, mac, mtu, ret_ifindex, err, errcap);
	if (r == 0 && (r = tap_set_offload(fd)) < 0)
		snprintf(err, errcap, "TUNSETOFFLOAD on %s: %s", ret_name, strerror(-r));
	if (r < 0) {
		close(fd);
		fd = -1;
	}
	/* No carrier until the driver reports its link state. */
	if (fd >= 0)
		tap_set_carrier(fd, false);
back:
	if (self_ns >= 0 && setns(self_ns, CLONE_NEWNET) < 0) {
		/* Cannot happen with a valid fd; carrying on in the wrong namespace would be worse.
		 */
		snprintf(err, errcap, "returning to umnicd's network namespace: %s",
			 strerror(errno));
		abort();
	}
out:
	if (self_ns >= 0)
		close(self_ns);
	if (target_ns >= 0)
		close(target_ns);
	return fd >= 0 ? fd : r;
}

int tap_set_carrier(int fd, bool up)
{
	int on = up ? 1 : 0;

	return ioctl(fd, TUNSETCARRIER, &on) < 0 ? -errno : 0;
}

int tap_netns_socket(const char *netns_path)
{
	int self_ns = -1, target_ns = -1, s, r;

	if (!netns_path || !*netns_path) {
		s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		// cppcheck-suppress resourceLeak ; the caller owns the socket returned
		return s < 0 ? -errno : s;
	}
	self_ns = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	target_ns = open(netns_path, O_RDONLY | O_CLOEXEC);
	if (self_ns < 0 || target_ns < 0 || setns(target_ns, CLONE_NEWNET) < 0) {
		r = -errno;
		goto out;
	}
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	r = s < 0 ? -errno : s;
	if (setns(self_ns, CLONE_NEWNET) < 0)
		abort();
out:
	if (self_ns >= 0)
		close(self_ns);
	if (target_ns >= 0)
		close(target_ns);
	return r;
}

int tap_get_mac(int tap_fd, uint8_t mac[6])
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	if (ioctl(tap_fd, SIOCGIFHWADDR, &ifr) < 0)
		return -errno;
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	return 0;
}

/* The interface's current name (the OS may have renamed it). */
static int tap_name(int tap_fd, struct ifreq *ifr)
{
	memset(ifr, 0, sizeof(*ifr));
	return ioctl(tap_fd, TUNGETIFF, ifr) < 0 ? -errno : 0;
}

int tap_get_name(int tap_fd, char ret[IFNAMSIZ])
{
	struct ifreq ifr;
	int r = tap_name(tap_fd, &ifr);

	if (r < 0)
		return r;
	memcpy(ret, ifr.ifr_name, IFNAMSIZ);
	ret[IFNAMSIZ - 1] = 0;
	return 0;
}

int tap_set_mtu(int ns_sock, int tap_fd, uint32_t mtu)
{
	struct ifreq ifr;
	int r = tap_name(tap_fd, &ifr);

	if (r < 0)
		return r;
	ifr.ifr_mtu = (int)mtu;
	return ioctl(ns_sock, SIOCSIFMTU, &ifr) < 0 ? -errno : 0;
}

int tap_get_mtu(int ns_sock, int tap_fd, uint32_t *ret_mtu)
{
	struct ifreq ifr;
	int r = tap_name(tap_fd, &ifr);

	if (r < 0)
		return r;
	if (ioctl(ns_sock, SIOCGIFMTU, &ifr) < 0)
		return -errno;
	*ret_mtu = (uint32_t)ifr.ifr_mtu;
	return 0;
}

int tap_set_offload(int fd)
{
	unsigned flags = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN;

	/* UDP segmentation needs Linux 6.2; without it the kernel cuts UDP frames itself. */
	if (ioctl(fd, TUNSETOFFLOAD, flags | TAP_F_USO4 | TAP_F_USO6) == 0)
		return 0;
	return ioctl(fd, TUNSETOFFLOAD, flags) < 0 ? -errno : 0;
}

int tap_attach_queue(int tap_fd, const char *netns_path, char *err, size_t errcap)
{
	struct ifreq ifr;
	int self_ns = -1, target_ns = -1, fd = -1, r;

	r = tap_name(tap_fd, &ifr);
	if (r < 0) {
		snprintf(err, errcap, "TUNGETIFF: %s", strerror(-r));
		return r;
	}
	/* The TAP is found by name in the namespace /dev/net/tun is opened in: open it there. */
	if (netns_path && *netns_path) {
		self_ns = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
		target_ns = open(netns_path, O_RDONLY | O_CLOEXEC);
		if (self_ns < 0 || target_ns < 0 || setns(target_ns, CLONE_NEWNET) < 0) {
			r = -errno;
			snprintf(err, errcap, "network namespace %s: %s", netns_path,
				 strerror(errno));
			goto out;
		}
	}
	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		r = -errno;
		snprintf(err, errcap, "/dev/net/tun: %s", strerror(errno));
	} else {
		ifr.ifr_flags = TAP_FLAGS;
		if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
			r = -errno;
			snprintf(err, errcap, "attaching a queue to %s: %s", ifr.ifr_name,
				 strerror(errno));
			close(fd);
			fd = -1;
		}
	}
	if (self_ns >= 0 && setns(self_ns, CLONE_NEWNET) < 0)
		abort(); /* as in tap_create: carrying on in the wrong namespace would be worse */
out:
	if (self_ns >= 0)
		close(self_ns);
	if (target_ns >= 0)
		close(target_ns);
	return fd >= 0 ? fd : r;
}
