/* SPDX-License-Identifier: MIT */
/*
 * The offload features of a TAP interface as ethtool -k shows them
 * (tap_features.c), read through the ethtool ioctls by name, so umnicd can
 * follow ethtool -K and hand the driver what is in force.
 */
#ifndef UMNIC_HOST_TAP_FEATURES_H
#define UMNIC_HOST_TAP_FEATURES_H

#include <stdbool.h>
#include <stdint.h>

/* The features umnicd follows, as bits of tap_features_get's answer. */
enum { TAPF_CSUM, TAPF_TSO4, TAPF_TSO6, TAPF_USO, TAPF_GRO, TAPF_VLAN_TX, TAPF_COUNT };
#define TAPF_MAX_BLOCKS 8

struct tap_features {
	bool resolved;
	unsigned nblocks;
	int bit[TAPF_COUNT]; /* position in the kernel's feature set, -1: unknown */
};

/* The features in force on ifname (in sock's namespace): 1u << TAPF_* bits; 0 or -errno. */
int tap_features_get(int sock, const char *ifname, struct tap_features *tf, uint32_t *ret);

#endif
