#!/bin/sh
# Warm spares: a started user-mode driver has one idle, sandboxed host
# ready before its first crash, the first restart takes it (no spawn on the
# restart path), a new one replaces it, and a driver no device uses any
# more keeps none. --no-warm-spare keeps none at all.
. "$(dirname "$0")/lib.sh"
umn_need_root "$0" "$@"

umn_netns_add "$T_TAG"
umn_start_daemon "$T_WORK"
umn_cli install "$UMNIC_BUILD/drivers/vpair/vpair.inf" --netns "$T_TAG" --ifname vpa >/dev/null

# The processes umnicd started, the device's host first.
children() { pgrep -P "$UMN_DAEMON_PID" | sort -n | tr '\n' ' '; }
nchildren() { pgrep -c -P "$UMN_DAEMON_PID" || true; }
host_pid() { umn_cli status --json | jq -r '.[0].host_pid'; }
# wait_for COMMAND...: up to 10 s for it to succeed.
wait_for() {
	for _ in $(seq 1 100); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}
two_hosts() { [ "$(nchildren)" -eq 2 ]; }
no_hosts() { [ "$(nchildren)" -eq 0 ]; }

t_check "a spare host is ready before the driver ever crashed" wait_for two_hosts
old=$(host_pid)
spare=""
for p in $(children); do [ "$p" != "$old" ] && spare=$p; done
t_kill_host "$old"
restarted() {
	s=$(umn_cli status --json)
	[ "$(printf '%s' "$s" | jq -r '.[0].state')" = started ] &&
		[ "$(printf '%s' "$s" | jq -r '.[0].failures')" = 1 ]
}
t_check "the driver restarts" wait_for restarted
t_eq "the first restart runs in the spare" "$(host_pid)" "$spare"
t_check "a new spare replaces the one taken" wait_for two_hosts
umn_cli uninstall ROOT\\VPAIR\\0000 >/dev/null
t_check "no spare stays for a driver no device uses" wait_for no_hosts
t_check "umnicd exits cleanly" umn_stop_daemon

umn_start_daemon "$T_WORK/nospare" --no-warm-spare
umn_cli install "$UMNIC_BUILD/drivers/vpair/vpair.inf" --netns "$T_TAG" --ifname vpb >/dev/null
sleep 0.5
t_eq "--no-warm-spare: the device's host only" "$(nchildren)" 1
t_finish
