/* SPDX-License-Identifier: MIT */
/*
 * Queue pairs and receive side scaling of an adapter in umnicd. The number
 * of queue pairs is fixed when the driver starts its adapter; the RSS key
 * and indirection table go to the driver after its queues start and on
 * every `umnic set`, one request at a time, and again to a restarted
 * driver. Which TX queue a frame the stack sends takes is the kernel's
 * choice (the TAP's flow steering), not the driver's.
 */
#include "umnicd/dev/rss.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <ntstatus.h>

#include "common/ascii.h"
#include "umnicd/dev/device.h"
#include "umnicd/hosts/hostproc.h"

/* NET_ADAPTER_RECEIVE_SCALING_HASH_TYPE: the one hash there is. */
#define RSS_HASH_TOEPLITZ 0x1u

uint32_t rss_queues_for(struct device *dev, const struct umn_adapter_caps *m)
{
	uint32_t n = m->tx_queues < m->rx_queues ? m->tx_queues : m->rx_queues;

	if (n > DP_MAX_QUEUES)
		n = DP_MAX_QUEUES;
	if (dev->rss.want_queues && dev->rss.want_queues < n)
		n = dev->rss.want_queues;
	return n ? n : 1;
}

void rss_adapter_started(struct device *dev)
{
	struct netif_rss *r = &dev->rss;

	r->sent_gen = UINT32_MAX;
	r->acked_gen = 0;
	r->acked_on = false;
	r->inflight = false;
	r->again = false;
	r->error[0] = 0;
	if (!r->key_len && getrandom(r->key, UMN_RSS_KEY_MAX, GRND_NONBLOCK) == UMN_RSS_KEY_MAX)
		r->key_len = UMN_RSS_KEY_MAX;
}

bool rss_offered(const struct device *dev)
{
	return dev->caps.rss.queues && (dev->caps.rss.hash_types & RSS_HASH_TOEPLITZ) &&
	       dev->caps.rss.table_size;
}

static void on_rss_done(struct device *dev, NTSTATUS st, const char *text)
{
	struct netif_rss *r = &dev->rss;

	r->inflight = false;
	if (!NT_SUCCESS(st)) {
		snprintf(r->error, sizeof(r->error), "%s", text && *text ? text : "refused");
		umn_log(UMN_LOG_WARN, "%s: setting receive scaling: %s", dev->instance_id,
			r->error);
	} else {
		r->error[0] = 0;
		r->acked_gen = r->sent_gen;
		r->acked_on = !r->off;
	}
	if (r->again && dev->has_adapter) {
		r->again = false;
		adapter_sync_rss(dev);
	}
}

void adapter_sync_rss(struct device *dev)
{
	struct netif_rss *r = &dev->rss;
	struct umn_msg_rss msg;
	struct umn_rss_setting *m = &msg.rss;
	uint32_t n;

	if (!dev->has_adapter || !dev->dp_ready || !dev->host || !rss_offered(dev))
		return;
	if (r->inflight) {
		r->again = true;
		return;
	}
	if (r->sent_gen == r->gen)
		return;
	umn_msg_init(&msg, UMN_MSG_SET_RSS, sizeof(msg), 0);
	m->dev = dev->id;
	m->enable = !r->off && r->key_len;
	m->hash_types = RSS_HASH_TOEPLITZ;
	m->protocol_types = dev->caps.rss.protocol_types;
	m->key_len = r->key_len;
	memcpy(m->key, r->key, sizeof(m->key));
	/* The pattern repeats over the driver's table; a queue no longer in use folds back. */
	n = dev->caps.rss.table_size;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t q = r->pattern_len ? r->pattern[i % r->pattern_len] : i;
		m->table[i] = (uint8_t)(q % dev->dp.nq);
	}
	m->table_len = n;
	memcpy(r->table, m->table, sizeof(r->table));
	r->table_len = n;
	r->sent_gen = r->gen;
	r->inflight = true;
	host_request(dev->host, dev, &msg, sizeof(msg), NULL, 0, on_rss_done);
}

/* 40 bytes as hex, with or without ':' between bytes. */
static int parse_key(const char *s, uint8_t key[UMN_RSS_KEY_MAX])
{
	uint32_t n = 0;

	while (*s) {
		int hi, lo;

		if (*s == ':') {
			s++;
			continue;
		}
		hi = ascii_hexval(s[0]);
		lo = hi < 0 ? -1 : ascii_hexval(s[1]);
		if (lo < 0 || n == UMN_RSS_KEY_MAX)
			return -EINVAL;
		key[n++] = (uint8_t)(hi << 4 | lo);
		s += 2;
	}
	return n == UMN_RSS_KEY_MAX ? 0 : -EINVAL;
}

/* "equal" or queue ids separated by commas, each below the queues in use. */
static int parse_pattern(const char *s, uint32_t nq, uint8_t *pat, uint32_t *ret_len)
{
	uint32_t n = 0;

	if (!strcmp(s, "equal")) {
		*ret_len = 0;
		return 0;
	}
	while (*s) {
		char *end;
		unsigned long v = strtoul(s, &end, 10);

		if (end == s || v >= nq || n == UMN_RSS_TABLE_MAX)
			return -EINVAL;
		pat[n++] = (uint8_t)v;
		s = end;
		if (*s == ',')
			s++;
		else if (*s)
			return -EINVAL;
	}
	if (!n)
		return -EINVAL;
	*ret_len = n;
	return 0;
}

int netif_set(struct device *dev, int argc, char **argv, char *out, size_t cap)
{
	struct netif_rss next = dev->rss;
	uint32_t nq = dev->has_adapter ? dev->dp.nq : DP_MAX_QUEUES;
	bool queues = false, rss = false;
	size_t o = 0;

	out[0] = 0;
	if (argc < 1) {
		snprintf(out, cap,
			 "set: nothing to set (--queues N, --rss on|off, --rss-key HEX, "
			 "--indirection equal|Q,Q,...)\n");
		return -EINVAL;
	}
	for (int i = 0; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		char *end;

		if (!v) {
			snprintf(out, cap, "set: %s needs a value\n", argv[i]);
			return -EINVAL;
		}
		if (!strcmp(argv[i], "--queues")) {
			unsigned long q = strtoul(v, &end, 10);
			if (end == v || *end || q < 1 || q > DP_MAX_QUEUES) {
				snprintf(out, cap, "set: --queues takes 1 to %u, not '%s'\n",
					 (unsigned)DP_MAX_QUEUES, v);
				return -EINVAL;
			}
			next.want_queues = (uint32_t)q;
			queues = true;
		} else if (!strcmp(argv[i], "--rss")) {
			if (strcmp(v, "on") && strcmp(v, "off")) {
				snprintf(out, cap, "set: --rss takes on or off, not '%s'\n", v);
				return -EINVAL;
			}
			next.off = !strcmp(v, "off");
			rss = true;
		} else if (!strcmp(argv[i], "--rss-key")) {
			if (parse_key(v, next.key) < 0) {
				snprintf(out, cap,
					 "set: --rss-key takes %u bytes in hex (%u digits, ':' "
					 "allowed between bytes)\n",
					 (unsigned)UMN_RSS_KEY_MAX, 2u * UMN_RSS_KEY_MAX);
				return -EINVAL;
			}
			next.key_len = UMN_RSS_KEY_MAX;
			rss = true;
		} else if (!strcmp(argv[i], "--indirection")) {
			if (parse_pattern(v, nq, next.pattern, &next.pattern_len) < 0) {
				snprintf(out, cap,
					 "set: --indirection takes 'equal' or up to %u queue ids "
					 "below %u, comma-separated, not '%s'\n",
					 (unsigned)UMN_RSS_TABLE_MAX, nq, v);
				return -EINVAL;
			}
			rss = true;
		} else {
			snprintf(out, cap, "set: unknown option '%s'\n", argv[i]);
			return -EINVAL;
		}
		i++;
	}
	if (rss && dev->has_adapter && !rss_offered(dev)) {
		snprintf(out, cap, "set: the driver of %s declared no receive side scaling\n",
			 dev->instance_id);
		return -EINVAL;
	}
	dev->rss = next;
	if (rss) {
		dev->rss.gen++;
		o += (size_t)snprintf(
		    out + o, cap - o, "receive scaling of %s: %s\n", dev->instance_id,
		    dev->has_adapter ? "sent to the driver" : "sent when the driver starts");
		adapter_sync_rss(dev);
	}
	if (!queues || o >= cap)
		return 0;
	/*
	 * New queues need a new adapter start: the device goes through a PnP stop
	 * and start (as `umnic stop` and `umnic start`), and its interface stays
	 * with its addresses and connections. A device that is not running takes
	 * the count at its next start.
	 */
	if (dev->state == DEV_STARTED && dev->has_adapter && next.want_queues != dev->dp.nq) {
		char err[UMN_TEXT_MAX];

		if (dev_pnp_stop(dev, err, sizeof(err)) == 0) {
			dev->pnp_restart = true;
			snprintf(out + o, cap - o,
				 "queues of %s: %u; the device stops and starts again with them\n",
				 dev->instance_id, next.want_queues);
			return 0;
		}
	}
	snprintf(out + o, cap - o, "queues of %s: %u%s\n", dev->instance_id, next.want_queues,
		 dev->has_adapter && next.want_queues != dev->dp.nq
		     ? " from the driver's next start (the queues in use stay until then)"
		     : "");
	return 0;
}
