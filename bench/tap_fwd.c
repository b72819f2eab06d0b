/* SPDX-License-Identifier: MIT */
/*
 * The offload benchmark's baseline: a plain user-space forwarder between two
 * TAP interfaces with the virtio-net header and checksum/TSO/USO offloads,
 * the best a process can do with a TAP: one read and one write per frame,
 * super-frames passed whole, no rings and no second process.
 *
 *   tap_fwd NETNS_A IFNAME_A NETNS_B IFNAME_B   (runs until killed)
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static int tap_in(const char *ns, const char *name)
{
	char path[256];
	struct ifreq ifr;
	int nsfd, fd;

	snprintf(path, sizeof(path), "/run/netns/%s", ns);
	nsfd = open(path, O_RDONLY | O_CLOEXEC);
	if (nsfd < 0 || setns(nsfd, CLONE_NEWNET) < 0) {
		perror(path);
		exit(1);
	}
	close(nsfd);
	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	if (fd < 0 || ioctl(fd, TUNSETIFF, &ifr) < 0) {
		perror("TUNSETIFF");
		exit(1);
	}
	/* TUN_F_USO4/6 (0x20, 0x40) where the kernel has them. */
	if (ioctl(fd, TUNSETOFFLOAD, TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN | 0x20 | 0x40) < 0 &&
	    ioctl(fd, TUNSETOFFLOAD, TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN) < 0) {
		perror("TUNSETOFFLOAD");
		exit(1);
	}
	return fd;
}

int main(int argc, char **argv)
{
	static unsigned char buf[65536 + 64];
	struct pollfd p[2];
	int fd[2];

	if (argc != 5) {
		fprintf(stderr, "usage: tap_fwd NETNS_A IFNAME_A NETNS_B IFNAME_B\n");
		return 2;
	}
	fd[0] = tap_in(argv[1], argv[2]);
	fd[1] = tap_in(argv[3], argv[4]);
	puts("ready");
	fflush(stdout);
	for (;;) {
		int moved = 0;

		for (int s = 0; s < 2; s++) {
			for (int k = 0; k < 64; k++) {
				ssize_t n = read(fd[s], buf, sizeof(buf));
				if (n <= 0)
					break;
				/* The header goes along: the other side's kernel takes the GSO frame whole. */
				if (write(fd[s ^ 1], buf, (size_t)n) < 0 && errno != EAGAIN)
					perror("write");
				moved = 1;
			}
		}
		if (moved)
			continue;
		p[0] = (struct pollfd){ .fd = fd[0], .events = POLLIN };
		p[1] = (struct pollfd){ .fd = fd[1], .events = POLLIN };
		poll(p, 2, -1);
	}
}
