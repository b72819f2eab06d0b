/* SPDX-License-Identifier: MIT */
/*
 * The TAP interface that is an adapter's Linux side (tap.c): it is created
 * multi-queue in the device's network namespace with virtio-net headers, one
 * queue per queue pair, and its offloads, carrier, MAC and MTU are set and
 * read here through the descriptors umnicd keeps. Flags and the multicast
 * list arrive as rtnetlink events instead (rtnl.h).
 */
#ifndef UMNIC_UMNICD_TAP_H
#define UMNIC_UMNICD_TAP_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

/*
 * Creates a multi-queue TAP interface (IFF_TAP | IFF_NO_PI | IFF_VNET_HDR | IFF_MULTI_QUEUE) named
 * after name_template
 * ("umnic%d" lets the kernel pick) in the network namespace netns_path
 * (NULL: ours), sets its MAC and MTU, and returns the non-blocking fd.
 * ret_name receives the final name. Returns the fd or a negative errno; err
 * says what failed.
 */
int tap_create(const char *name_template, const char *netns_path, const uint8_t mac[6],
	       uint32_t mtu, char ret_name[IFNAMSIZ], int *ret_ifindex, char *err, size_t errcap);
/*
 * Opens one more queue of the multi-queue TAP tap_fd belongs to (created in
 * netns_path): the kernel spreads what it sends over the attached queues by
 * flow. Returns the non-blocking fd or a negative errno; closing it detaches
 * the queue.
 */
int tap_attach_queue(int tap_fd, const char *netns_path, char *err, size_t errcap);
/*
 * Lets the kernel hand over frames with partial checksums and GSO frames
 * (TCP, and UDP where the kernel has it): umnicd passes them to the driver
 * or does the work itself, so the interface offers all of them.
 */
int tap_set_offload(int fd);
/* Drives the carrier (the driver's NetAdapterSetLinkState). */
int tap_set_carrier(int fd, bool up);
/*
 * A datagram socket in the network namespace netns_path (NULL: ours), for
 * interface ioctls after the TAP was created there. Returns it or -errno.
 */
int tap_netns_socket(const char *netns_path);
/* What the OS has set on the interface now (it may have changed it since creation). */
int tap_get_mac(int tap_fd, uint8_t mac[6]);
int tap_get_mtu(int ns_sock, int tap_fd, uint32_t *ret_mtu);
int tap_set_mtu(int ns_sock, int tap_fd, uint32_t mtu);
int tap_get_name(int tap_fd, char ret[IFNAMSIZ]);
/* Its flags and multicast list come from rtnetlink events instead (rtnl.h). */

#endif
