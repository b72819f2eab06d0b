/* SPDX-License-Identifier: MIT */
/*
 * The interface's offload features as ethtool -k shows them and ethtool -K
 * sets them, read with the ethtool ioctls. Feature bits are numbered per
 * kernel, so their positions are looked up by name once per interface.
 */
#include "umnicd/net/tap_features.h"

#include <errno.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

static const char *const names[TAPF_COUNT] = {
    [TAPF_CSUM] = "tx-checksum-ip-generic",
    [TAPF_TSO4] = "tx-tcp-segmentation",
    [TAPF_TSO6] = "tx-tcp6-segmentation",
    [TAPF_USO] = "tx-udp-segmentation",
    [TAPF_GRO] = "rx-gro",
    [TAPF_VLAN_TX] = "tx-vlan-hw-insert",
};

static int ethtool(int sock, const char *ifname, void *data)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", ifname);
	ifr.ifr_data = data;
	return ioctl(sock, SIOCETHTOOL, &ifr) < 0 ? -errno : 0;
}

static int resolve(int sock, const char *ifname, struct tap_features *tf)
{
	struct {
		struct ethtool_sset_info hdr;
		uint32_t count;
	} info = {.hdr = {.cmd = ETHTOOL_GSSET_INFO, .sset_mask = 1ull << ETH_SS_FEATURES}};
	struct ethtool_gstrings *gs;
	uint32_t n;
	int r;

	r = ethtool(sock, ifname, &info);
	if (r < 0)
		return r;
	n = info.hdr.sset_mask ? info.count : 0;
	if (!n || n > 1024)
		return -ENOTSUP;
	gs = calloc(1, sizeof(*gs) + (size_t)n * ETH_GSTRING_LEN);
	if (!gs)
		return -ENOMEM;
	gs->cmd = ETHTOOL_GSTRINGS;
	gs->string_set = ETH_SS_FEATURES;
	gs->len = n;
	r = ethtool(sock, ifname, gs);
	for (int f = 0; f < TAPF_COUNT; f++)
		tf->bit[f] = -1;
	for (uint32_t i = 0; r == 0 && i < n; i++) {
		const char *s = (const char *)gs->data + (size_t)i * ETH_GSTRING_LEN;
		for (int f = 0; f < TAPF_COUNT; f++)
			if (!strncmp(s, names[f], ETH_GSTRING_LEN))
				tf->bit[f] = (int)i;
	}
	free(gs);
	if (r < 0)
		return r;
	tf->nblocks = (n + 31) / 32;
	tf->resolved = true;
	return 0;
}

int tap_features_get(int sock, const char *ifname, struct tap_features *tf, uint32_t *ret)
{
	struct {
		struct ethtool_gfeatures hdr;
		struct ethtool_get_features_block b[TAPF_MAX_BLOCKS];
	} gf;
	uint32_t v = 0;
	int r;

	if (!tf->resolved && (r = resolve(sock, ifname, tf)) < 0)
		return r;
	if (tf->nblocks > TAPF_MAX_BLOCKS)
		return -ENOTSUP;
	memset(&gf, 0, sizeof(gf));
	gf.hdr.cmd = ETHTOOL_GFEATURES;
	gf.hdr.size = tf->nblocks;
	r = ethtool(sock, ifname, &gf);
	if (r < 0)
		return r;
	for (int f = 0; f < TAPF_COUNT; f++) {
		int b = tf->bit[f];
		if (b >= 0 && (gf.b[b / 32].active >> (b % 32)) & 1)
			v |= 1u << f;
	}
	*ret = v;
	return 0;
}
