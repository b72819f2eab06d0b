/* SPDX-License-Identifier: MIT */
#ifndef UMNIC_HOST_TAP_H
#define UMNIC_HOST_TAP_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

/*
 * Creates a TAP interface (IFF_TAP | IFF_NO_PI) named after name_template
 * ("umnic%d" lets the kernel pick) in the network namespace netns_path
 * (NULL: ours), sets its MAC and MTU, and returns the non-blocking fd.
 * ret_name receives the final name. Returns the fd or a negative errno; err
 * says what failed.
 */
int tap_create(const char *name_template, const char *netns_path, const uint8_t mac[6], uint32_t mtu,
	       char ret_name[IFNAMSIZ], int *ret_ifindex, char *err, size_t errcap);
/* Drives the carrier (the driver's NetAdapterSetLinkState). */
int tap_set_carrier(int fd, bool up);

#endif
