#!/bin/sh
# Supervision: a hung driver is restarted by the watchdog; a driver that
# crashes at every start ends failed after the restart limit with the reason
# shown; `umnic restart` brings a failed device back.
. "$(dirname "$0")/lib.sh"
umn_need_root "$0" "$@"

umn_netns_add "$T_TAG"
umn_start_daemon "$T_WORK"
inf="$UMNIC_BUILD/tests/drivers/testdrv.inf"

# Hangs in Advance: the watchdog (2 s) kills it, umnicd restarts it, it hangs again.
out=$(umn_cli install "$inf" --netns "$T_TAG" --ifname hang0 --param Mode=10 --param UmnicRestartLimit=1 2>&1)
dev=$(printf '%s\n' "$out" | awk '{print $1}')
for _ in $(seq 1 100); do
	[ "$(umn_cli status "$dev" --json | jq -r .failures)" -ge 1 ] && break
	sleep 0.1
done
st=$(umn_cli status "$dev" --json)
t_contains "a driver hung in Advance is stopped by the watchdog" "$(printf '%s' "$st" | jq -r .last_failure)" \
	"watchdog: the execution context of queue 0 made no progress for 2000 ms"
for _ in $(seq 1 100); do
	[ "$(umn_cli status "$dev" --json | jq -r .state)" = failed ] && break
	sleep 0.1
done
st=$(umn_cli status "$dev" --json)
t_eq "after its one allowed restart it hangs again and is failed" "$(printf '%s' "$st" | jq -r .state)" "failed"
t_contains "the reason is shown" "$(printf '%s' "$st" | jq -r .last_error)" "not restarted again"
t_eq "its interface stays, without carrier" "$(printf '%s' "$st" | jq -r .link)" "down"
t_check "the interface still exists" sh -c "ip -n $T_TAG link show hang0 >/dev/null"
umn_cli uninstall "$dev" >/dev/null

# Crashes in EvtDevicePrepareHardware every time: restarted 5 times (the default), then failed.
out=$(umn_cli install "$inf" --netns "$T_TAG" --param Mode=6 2>&1)
rc=$?
dev=$(printf '%s\n' "$out" | awk '{print $1}')
t_eq "a driver that crashes at every start: install reports failure" "$rc" "1"
t_contains "it failed after the default limit of 5 restarts" "$out" "the driver failed 6 times within 30 minutes"
t_contains "with the crash named" "$out" "killed by signal 11"
t_eq "6 failures recorded" "$(umn_cli status "$dev" --json | jq -r .failures)" "6"

# By hand: restart the failed device after fixing its configuration (Mode is in its registry;
# the test re-installs with a good mode instead, then exercises `restart` on a stopped one).
out=$(umn_cli restart "$dev" 2>&1)
t_contains "umnic restart tries again (and reports the same crash)" "$out" "killed by signal 11"
out=$(umn_cli install "$inf" --netns "$T_TAG" --param Mode=0 --param UmnicRestartLimit=0 --ifname good0 2>&1)
good=$(printf '%s\n' "$out" | awk '{print $1}')
hp=$(umn_cli status "$good" --json | jq -r .host_pid)
t_kill_host "$hp"
for _ in $(seq 1 50); do
	[ "$(umn_cli status "$good" --json | jq -r .state)" = failed ] && break
	sleep 0.05
done
t_eq "with a limit of 0 a killed driver stays down" "$(umn_cli status "$good" --json | jq -r .state)" "failed"
out=$(umn_cli restart "$good" 2>&1)
t_contains "umnic restart brings it back" "$out" "$good good0"
t_eq "running again" "$(umn_cli status "$good" --json | jq -r .state)" "started"
out=$(umn_cli restart "$good" 2>&1)
t_contains "restarting a running device is refused" "$out" "only a failed device"
t_check "umnicd is alive" t_daemon_alive
t_finish
