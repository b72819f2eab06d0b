/* SPDX-License-Identifier: MIT */
/* `umnic status` and `umnic list`: the state of every device, as text or JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/ioproto.h"
#include "umnicd/dev/device.h"
#include "umnicd/hosts/hostproc.h"
#include "umnicd/dev/names.h"
#include "umnicd/sbuf.h"
#include "umnicd/base/config.h"
#include "umnicd/base/loop.h"

#define LD(x) ((unsigned long long)atomic_load_explicit(&(x), memory_order_relaxed))

static void counters_json(struct sbuf *b, const char *name, const struct dp_counters *c,
			  uint32_t ring)
{
	sb_printf(b,
		  "\"%s\":{\"packets\":%llu,\"bytes\":%llu,\"drops\":%llu,\"kicks\":%llu,"
		  "\"wakeups\":%llu,\"advance_calls\":%llu,\"ring\":%u,\"offloaded\":%llu,"
		  "\"sw_segments\":%llu,\"sw_checksums\":%llu,\"hashed\":%llu,\"tagged\":%llu}",
		  name, LD(c->packets), LD(c->bytes), LD(c->drops), LD(c->kicks), LD(c->wakeups),
		  LD(c->advance_calls), ring, LD(c->offloaded), LD(c->sw_segments),
		  LD(c->sw_checksums), LD(c->hashed), LD(c->tagged));
}

static void counters_text(struct sbuf *b, const char *name, const struct dp_counters *c)
{
	sb_printf(b,
		  "  %s: packets %llu, bytes %llu, drops %llu, kicks %llu, wakeups %llu, Advance "
		  "calls %llu\n",
		  name, LD(c->packets), LD(c->bytes), LD(c->drops), LD(c->kicks), LD(c->wakeups),
		  LD(c->advance_calls));
}

/* "tx" and "rx" sum every queue pair; "per_queue" has each. */
static void queues_json(struct sbuf *b, const struct dp_adapter *a)
{
	struct dp_counters sum;

	dp_counters_sum(a, true, &sum);
	counters_json(b, "tx", &sum, a->qp[0].tx.l.pkt_count);
	sb_printf(b, ",");
	dp_counters_sum(a, false, &sum);
	counters_json(b, "rx", &sum, a->qp[0].rx.l.pkt_count);
	sb_printf(b, ",\"count\":%u,\"per_queue\":[", a->nq);
	for (uint32_t i = 0; i < a->nq; i++) {
		sb_printf(b, "%s{\"id\":%u,", i ? "," : "", i);
		counters_json(b, "tx", &a->qp[i].tx.c, a->qp[i].tx.l.pkt_count);
		sb_printf(b, ",");
		counters_json(b, "rx", &a->qp[i].rx.c, a->qp[i].rx.l.pkt_count);
		sb_printf(b, "}");
	}
	sb_printf(b, "]");
}

static void queues_text(struct sbuf *b, const struct dp_adapter *a)
{
	struct dp_counters sum;
	char name[32];

	if (a->nq == 1) {
		counters_text(b, "TX queue", &a->qp[0].tx.c);
		counters_text(b, "RX queue", &a->qp[0].rx.c);
		return;
	}
	dp_counters_sum(a, true, &sum);
	counters_text(b, "TX (all queues)", &sum);
	dp_counters_sum(a, false, &sum);
	counters_text(b, "RX (all queues)", &sum);
	for (uint32_t i = 0; i < a->nq; i++) {
		snprintf(name, sizeof(name), "  TX queue %u", i);
		counters_text(b, name, &a->qp[i].tx.c);
		snprintf(name, sizeof(name), "  RX queue %u", i);
		counters_text(b, name, &a->qp[i].rx.c);
	}
}

/* The names clients open the device by: its links, and the paths of its interfaces. */
static void names_list(struct sbuf *b, const struct device *d, bool json)
{
	for (unsigned k = 0; k < d->nnames; k++) {
		char path[UMN_NAME_MAX + UMN_GUID_STR_MAX + 8];

		if (d->names[k].kind == UMN_NAME_SYMLINK)
			umn_strlcpy(path, d->names[k].name, sizeof(path));
		else
			names_interface_path(d, k, path, sizeof(path));
		if (json) {
			sb_printf(b, "%s", k ? "," : "");
			sb_json_str(b, path);
		} else {
			sb_printf(b, "%s%s", k ? ", " : "", path);
		}
		if (d->names[k].kind == UMN_NAME_INTERFACE && d->names[k].name[0])
			sb_printf(b, json ? "" : " (reference %s)", d->names[k].name);
	}
}

/* The queues and receive scaling of an adapter (dev/rss.h), in JSON or as a text line. */
static void rss_status(struct sbuf *b, const struct device *dev, bool json)
{
	const struct netif_rss *r = &dev->rss;

	if (json) {
		sb_printf(
		    b, ",\"rss\":{\"offered\":%s,\"enabled\":%s,\"queues_wanted\":%u,\"key\":\"",
		    rss_offered(dev) ? "true" : "false",
		    r->acked_on && r->acked_gen == r->sent_gen ? "true" : "false", r->want_queues);
		for (uint32_t i = 0; i < r->key_len; i++)
			sb_printf(b, "%02x", r->key[i]);
		sb_printf(b, "\",\"indirection\":[");
		for (uint32_t i = 0; i < r->table_len; i++)
			sb_printf(b, "%s%u", i ? "," : "", r->table[i]);
		sb_printf(b, "],\"error\":");
		sb_json_str(b, r->error);
		sb_printf(b, "}");
		return;
	}
	if (!rss_offered(dev))
		return;
	sb_printf(b, "  receive scaling: %s",
		  r->acked_on && r->acked_gen == r->sent_gen ? "on" : "off");
	if (r->table_len) {
		uint32_t per[DP_MAX_QUEUES] = {0};

		for (uint32_t i = 0; i < r->table_len; i++)
			per[r->table[i] % DP_MAX_QUEUES]++;
		sb_printf(b, ", %u indirection entries:", r->table_len);
		for (uint32_t q = 0; q < dev->dp.nq; q++)
			sb_printf(b, " %u to queue %u%s", per[q], q, q + 1 < dev->dp.nq ? "," : "");
	}
	if (r->error[0])
		sb_printf(b, " (driver refused: %s)", r->error);
	sb_printf(b, "\n");
}

static void one_json(struct sbuf *b, const struct device *d)
{
	static const struct inf_driver none;
	const struct inf_driver *drv = d->drv ? d->drv : &none;

	sb_printf(b, "{\"id\":%u,\"instance_id\":", d->id);
	sb_json_str(b, d->instance_id);
	sb_printf(b, ",\"hwid\":");
	sb_json_str(b, d->hwid);
	sb_printf(b, ",\"inf\":");
	sb_json_str(b, d->inf_path);
	sb_printf(b, ",\"driver\":");
	sb_json_str(b, d->drv ? drv->service_name : "");
	sb_printf(b, ",\"mode\":\"%s\",\"state\":\"%s\",\"host_pid\":%d,",
		  !d->drv		       ? ""
		  : drv->mode == INF_MODE_USER ? "user"
					       : "kernel",
		  dev_state_name(d->state), d->host ? (int)d->host->pid : 0);
	sb_printf(b, "\"interface\":");
	sb_json_str(b, d->has_tap ? d->ifname : "");
	sb_printf(b, ",\"link\":\"%s\"", d->has_tap ? (d->carrier ? "up" : "down") : "none");
	sb_printf(b,
		  ",\"failures\":%u,\"restarts_in_window\":%u,\"last_restart_us\":%llu,\"last_"
		  "failure_time_ms\":%llu,\"last_failure\":",
		  d->failures_total, d->restarts, (unsigned long long)(d->restart_ns / 1000),
		  (unsigned long long)d->last_failure_ms);
	sb_json_str(b, d->last_failure);
	if (d->has_adapter) {
		sb_printf(b, ",\"mtu\":%u,\"mac\":\"%02x:%02x:%02x:%02x:%02x:%02x\",\"queues\":{",
			  d->caps.mtu, d->mac[0], d->mac[1], d->mac[2], d->mac[3], d->mac[4],
			  d->mac[5]);
		queues_json(b, &d->dp);
		sb_printf(b,
			  "},\"rx_filter\":{\"wanted\":%u,\"applied\":%u,\"multicast_applied\":%u,"
			  "\"applied_by_pid\":%d}",
			  d->filter_sent == UINT32_MAX ? 0 : d->filter_sent, d->filter_acked,
			  d->mcast_acked_count, (int)d->filter_acked_pid);
		sb_printf(b, ",\"offload\":{\"driver_can\":%u,\"wanted\":%u,\"in_force\":%u}",
			  d->caps.offload.can, d->ofl_sent == UINT32_MAX ? 0 : d->ofl_sent,
			  (unsigned)atomic_load(&d->dp.active));
		rss_status(b, d, true);
	}
	sb_printf(b, ",\"sandbox\":");
	sb_json_str(b, d->host ? (d->host->sandboxed ? d->host->sandbox
						     : "off (UmnicSandbox=0 or --no-sandbox)")
			       : "");
	sb_printf(b, ",\"host_uid\":%u",
		  d->host && d->host->sandboxed ? (unsigned)cfg->host_uid : 0);
	sb_printf(b, ",\"verifier\":%s,\"names\":[", drv->verifier ? "true" : "false");
	names_list(b, d, true);
	sb_printf(b, "],\"last_error\":");
	sb_json_str(b, d->last_error);
	sb_printf(b, "}");
}

/* The names of the UMN_OFL_* bits in mask, space-separated, or "none". */
static void offload_names(struct sbuf *b, uint32_t mask)
{
	static const char *const names[] = {
	    "tx-csum-ipv4", "tx-csum-tcp",  "tx-csum-udp", "rx-csum-ipv4", "rx-csum-tcp",
	    "rx-csum-udp",  "lso-ipv4",	    "lso-ipv6",	   "uso-ipv4",	   "uso-ipv6",
	    "rsc-tcp-ipv4", "rsc-tcp-ipv6", "rsc-udp",	   "802.1q",
	};
	_Static_assert(sizeof(names) / sizeof(names[0]) == 14 && UMN_OFL_ALL == (1u << 14) - 1,
		       "a name for each UMN_OFL_* bit, in order");
	bool any = false;

	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (mask & (1u << i)) {
			sb_printf(b, "%s%s", any ? " " : "", names[i]);
			any = true;
		}
	if (!any)
		sb_printf(b, "none");
}

static void one_text(struct sbuf *b, const struct device *d)
{
	sb_printf(b, "%s  %s\n", d->instance_id, dev_state_name(d->state));
	if (!d->drv) {
		sb_printf(b, "  last error: %s\n", d->last_error);
		return;
	}
	sb_printf(b, "  hardware id: %s\n  inf: %s\n", d->hwid, d->inf_path);
	sb_printf(b, "  driver: %s (%s mode%s), host pid %d\n", d->drv->service_name,
		  d->drv->mode == INF_MODE_USER ? "user" : "kernel",
		  d->drv->verifier ? ", verifier on" : "", d->host ? (int)d->host->pid : 0);
	if (d->host && d->host->sandboxed)
		sb_printf(b, "  sandbox: uid %u; %s\n", (unsigned)cfg->host_uid, d->host->sandbox);
	else if (d->host)
		sb_printf(b, "  sandbox: OFF (UmnicSandbox=0 or --no-sandbox)\n");
	if (d->failures_total)
		sb_printf(b,
			  "  failures: %u (%u counted toward the restart limit), last restart took "
			  "%.2f ms\n  last failure: %s\n",
			  d->failures_total, d->restarts, (double)d->restart_ns / 1e6,
			  d->last_failure);
	if (d->has_tap && !d->has_adapter)
		sb_printf(b, "  interface: %s (kept while the driver is away), link %s\n",
			  d->ifname, d->carrier ? "up" : "down");
	if (d->has_adapter) {
		sb_printf(b,
			  "  interface: %s, link %s, mtu %u, mac %02x:%02x:%02x:%02x:%02x:%02x\n",
			  d->ifname, d->carrier ? "up" : "down", d->caps.mtu, d->mac[0], d->mac[1],
			  d->mac[2], d->mac[3], d->mac[4], d->mac[5]);
		queues_text(b, &d->dp);
		{
			uint32_t on = atomic_load(&d->dp.active) & UMN_OFL_ALL;

			sb_printf(b, "  offloads in force: ");
			offload_names(b, on);
			sb_printf(b, "\n  offloads the driver has, off: ");
			offload_names(b, d->caps.offload.can & ~on);
			sb_printf(b, "\n");
		}
		rss_status(b, d, false);
		if (d->filter_acked_pid)
			sb_printf(b, "  receive filter: 0x%x%s, applied by the driver in host %d\n",
				  d->filter_acked, d->filter_acked & 0x20 ? " (promiscuous)" : "",
				  (int)d->filter_acked_pid);
	}
	if (d->nnames) {
		sb_printf(b, "  names: ");
		names_list(b, d, false);
		sb_printf(b, "\n");
	}
	if (d->last_error[0])
		sb_printf(b, "  last error: %s\n", d->last_error);
}

char *dev_status(struct device *only, bool json)
{
	struct sbuf b = {0};
	bool first = true;

	if (json)
		sb_printf(&b, only ? "" : "[");
	for (int i = 0; i < UMN_MAX_DEVICES; i++) {
		struct device *d = dev_get(i);
		if (!d || (only && d != only))
			continue;
		if (json) {
			sb_printf(&b, "%s", first ? "" : ",");
			one_json(&b, d);
		} else {
			one_text(&b, d);
		}
		first = false;
	}
	if (json)
		sb_printf(&b, only ? "\n" : "]\n");
	else if (first)
		sb_printf(&b, "no devices\n");
	return sb_take(&b);
}
