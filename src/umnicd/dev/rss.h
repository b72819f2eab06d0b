/* SPDX-License-Identifier: MIT */
/*
 * Queues and receive side scaling of an adapter (rss.c): how many queue
 * pairs it uses, and the RSS key and indirection table the driver gets.
 * A TAP has no ethtool channel or RSS operations (ethtool -L and -X answer
 * "not supported"), so `umnic set` sets them; they are kept across driver
 * restarts and replayed to a new driver.
 */
#ifndef UMNIC_UMNICD_NET_RSS_H
#define UMNIC_UMNICD_NET_RSS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/proto.h"

struct device;

struct netif_rss {
	/* What the user set (umnic set); kept while umnicd runs. */
	uint32_t want_queues; /* 0: every queue pair the driver offers */
	bool off;	      /* --rss off */
	uint32_t key_len;     /* 0: none yet; a random key is made at the first start */
	uint8_t key[UMN_RSS_KEY_MAX];
	uint32_t pattern_len; /* 0: spread evenly; else repeated over the driver's table */
	uint8_t pattern[UMN_RSS_TABLE_MAX];
	/* What the driver in the current host has. */
	uint32_t gen;	   /* bumped at every change */
	uint32_t sent_gen; /* UINT32_MAX: nothing sent to this driver yet */
	uint32_t acked_gen;
	bool acked_on; /* the driver took an enabling request */
	bool inflight;
	bool again;
	uint8_t table[UMN_RSS_TABLE_MAX]; /* as last sent */
	uint32_t table_len;
	char error[UMN_TEXT_MAX];
};

/* The number of queue pairs for a driver that declared m (validated). */
uint32_t rss_queues_for(struct device *dev, const struct umn_adapter_caps *m);
/* A new driver knows nothing yet: the next sync sends everything (a replay after a crash). */
void rss_adapter_started(struct device *dev);
/* Sends the setting if it changed; one request at a time, like the receive filter. */
void adapter_sync_rss(struct device *dev);
/*
 * `umnic set DEVICE [--queues N] [--rss on|off] [--rss-key HEX] [--indirection
 * equal|Q,Q,...]`: 0 with what changed in out, or -EINVAL with the reason.
 */
int netif_set(struct device *dev, int argc, char **argv, char *out, size_t cap);
/* Whether the driver declared receive scaling (status shows the state then). */
bool rss_offered(const struct device *dev);

#endif
