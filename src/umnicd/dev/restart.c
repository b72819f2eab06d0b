// SPDX-License-Identifier: MIT
/*
 * What happens to a device after its start: a crash of its driver and the
 * restart policy (UmdfHostProcessSharing aside, the INF's or the device's
 * RestartLimit and RestartWindow), a restart by hand, and a PnP stop and
 * the start after it, which keep the WDFDEVICE. The device table and the
 * first start are devmgr.c's.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <ntstatus.h>

#include "common/clock.h"
#include "common/log.h"
#include "umnicd/dev/device.h"
#include "umnicd/dev/names.h"
#include "umnicd/dev/netif.h"
#include "umnicd/hosts/hostproc.h"
#include "umnicd/net/tap.h"
#include "umnicd/base/config.h"

static uint64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* A policy value: the device registry overrides the INF (install --param sets the registry). */
static unsigned policy_value(const struct device *dev, const char *name, unsigned inf_value)
{
	uint32_t v;

	return devreg_get_dword(dev->reg, "", name, &v) == 0 ? v : inf_value;
}

/* The first retry after a host could not be started; each next one waits twice as long, up to 64x.
 */
#define START_RETRY_FIRST_NS (100ull * 1000000ull)

void dev_crashed(struct device *dev, const char *why, uint64_t detected_ns)
{
	unsigned limit = policy_value(dev, "UmnicRestartLimit", dev->drv->restart_limit);
	uint64_t window_ns = (uint64_t)policy_value(dev, "UmnicRestartResetMinutes",
						    dev->drv->restart_reset_minutes) *
			     60 * 1000000000ull;
	bool was_running = dev->state == DEV_STARTED || dev_starting(dev);

	/* The host's own last words (e.g. why its sandbox failed) explain an exit status. */
	if (dev->last_report[0])
		snprintf(dev->last_failure, sizeof(dev->last_failure), "%s (%.200s)", why,
			 dev->last_report);
	else
		umn_strlcpy(dev->last_failure, why, sizeof(dev->last_failure));
	dev->last_report[0] = '\0';
	dev->last_failure_ms = wall_ms();
	dev->failures_total++;
	dev->host_died = false;
	adapter_stop_datapath(dev);
	tell_driver_gone(dev, STATUS_DRIVER_PROCESS_TERMINATED, false);
	/* Its names wait for the restarted driver (names.c); dev_fail lets them go. */
	names_hold(dev);
	dev->pnp_kept = false;
	if (dev->state == DEV_PNP_STOPPING || dev->state == DEV_PNP_STOPPED) {
		/* Stopped by hand, it stays stopped; `umnic start` starts it in a new host. */
		if (dev->state == DEV_PNP_STOPPING)
			snprintf(dev->last_error, sizeof(dev->last_error),
				 "the driver host died while the device stopped (%s); `umnic start "
				 "%s` starts it again",
				 dev->last_failure, dev->instance_id);
		dev->state = DEV_PNP_STOPPED;
		dev_settled(dev);
		return;
	}
	if (!was_running)
		return;
	if (!dev->restarts || detected_ns - dev->window_start_ns > window_ns) {
		dev->restarts = 0;
		dev->window_start_ns = detected_ns;
	}
	if (dev->restarts >= limit) {
		dev->state = DEV_STARTING;
		dev_fail(dev,
			 "the driver failed %u time%s within %u minutes, so it is not restarted "
			 "again (last failure: %s); `umnic restart %s` starts it by hand",
			 dev->restarts + 1, dev->restarts ? "s" : "",
			 (unsigned)(window_ns / 60000000000ull), dev->last_failure,
			 dev->instance_id);
		return;
	}
	dev->restarts++;
	dev->died_ns = detected_ns;
	/* The link stays up through a short restart, so the stack keeps its routes and sockets. */
	if (dev->has_tap && dev->carrier)
		dev->carrier_held = true;
	dev->state = DEV_RESTARTING;
	if (dev->start_failed) {
		/*
		 * No host could be started (out of descriptors or memory, say): starting one again
		 * at once would likely fail the same way, so wait, longer each time.
		 */
		uint64_t pause = START_RETRY_FIRST_NS
				 << (dev->restarts - 1 < 6 ? dev->restarts - 1 : 6);
		dev->retry_ns = detected_ns + pause;
		umn_log(UMN_LOG_WARN, "%s: %s; trying again in %llu ms (restart %u of at most %u)",
			dev->instance_id, why, (unsigned long long)(pause / 1000000), dev->restarts,
			limit);
		return;
	}
	umn_log(UMN_LOG_INFO, "%s: restarting the driver (restart %u of at most %u)",
		dev->instance_id, dev->restarts, limit);
	dev_start(dev);
}

int dev_restart(struct device *dev, dev_done_fn done, void *done_ctx, char *err, size_t cap)
{
	if (dev->broken) {
		snprintf(err, cap, "%s\n", dev->last_error);
		return -EINVAL;
	}
	if (dev->state == DEV_PNP_STOPPED || dev->state == DEV_PNP_STOPPING) {
		snprintf(err, cap, "%s is %s; `umnic start %s` starts a stopped device\n",
			 dev->instance_id, dev_state_name(dev->state), dev->instance_id);
		return -EBUSY;
	}
	if (dev->state != DEV_FAILED && dev->state != DEV_STOPPED) {
		snprintf(err, cap, "%s is %s; only a failed device is restarted by hand\n",
			 dev->instance_id, dev->state == DEV_STARTED ? "running" : "starting");
		return -EBUSY;
	}
	dev->restarts = 0;
	dev->done = done;
	dev->done_ctx = done_ctx;
	dev_start(dev);
	return 0;
}

static void on_pnp_stopped(struct device *dev, NTSTATUS st, const char *text)
{
	if (dev->state != DEV_PNP_STOPPING)
		return;
	if (!NT_SUCCESS(st)) {
		dev_fail(dev, "stopping the device failed: %s",
			 text && *text ? text : "no reason given");
		return;
	}
	umn_log(UMN_LOG_INFO, "%s: stopped", dev->instance_id);
	dev->state = DEV_PNP_STOPPED;
	if (dev->pnp_restart) {
		char err[UMN_TEXT_MAX];

		dev->pnp_restart = false;
		if (dev_pnp_start(dev, err, sizeof(err)) < 0)
			dev_fail(dev, "starting the device again failed: %s", err);
		return;
	}
	dev_settled(dev);
}

/*
 * `umnic stop` (docs/decisions.md): the device leaves D0 and gives its
 * hardware back, as Windows stops one for a resource rebalance, and the
 * driver keeps its WDFDEVICE. The datapath goes as at a crash: the packet
 * queues are deleted, nobody reads the interface, which stays with its
 * addresses and routes, without carrier, until `umnic start`.
 */
int dev_pnp_stop(struct device *dev, char *err, size_t cap)
{
	struct umn_msg_dev m;

	if (dev->state != DEV_STARTED || !dev->host) {
		snprintf(err, cap, "%s is %s; only a started device can be stopped\n",
			 dev->instance_id, dev_state_name(dev->state));
		return -EBUSY;
	}
	dev->state = DEV_PNP_STOPPING;
	dev->pnp_kept = true;
	dev->last_error[0] = '\0';
	adapter_stop_datapath(dev);
	if (dev->has_tap)
		tap_set_carrier(dev->tap_fd, false);
	dev->carrier = dev->carrier_held = false;
	umn_msg_init(&m, UMN_MSG_STOP_DEVICE, sizeof(m), 0);
	m.dev = dev->id;
	host_request(dev->host, dev, &m, sizeof(m), NULL, 0, on_pnp_stopped);
	return 0;
}

/*
 * `umnic start` of a stopped device: the driver prepares the same hardware
 * and returns to D0 (EvtDeviceSelfManagedIoRestart), then the packet queues
 * are created again as at a start. A device whose host died while it was
 * stopped has no driver left to return: it starts anew.
 */
int dev_pnp_start(struct device *dev, char *err, size_t cap)
{
	struct umn_msg_dev m;

	if (dev->state != DEV_PNP_STOPPED) {
		snprintf(err, cap, "%s is %s; only a stopped device can be started%s\n",
			 dev->instance_id, dev_state_name(dev->state),
			 dev->state == DEV_FAILED ? " (`umnic restart` starts a failed one)" : "");
		return -EBUSY;
	}
	dev->last_error[0] = '\0';
	if (!dev->host) {
		dev->restarts = 0;
		dev_start(dev);
		return 0;
	}
	dev->state = DEV_STARTING;
	dev->start_deadline_ns = umn_mono_ns() + cfg->start_timeout_ns;
	dev->last_report[0] = '\0';
	umn_msg_init(&m, UMN_MSG_START_DEVICE, sizeof(m), 0);
	m.dev = dev->id;
	/* What follows is a start's: NetAdapterStart comes, then the queues (on_added). */
	host_request(dev->host, dev, &m, sizeof(m), NULL, 0, on_added);
	return 0;
}
