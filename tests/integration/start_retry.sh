#!/bin/sh
# A driver host that cannot be started (umnicd out of descriptors) counts as a
# failure under the restart policy and is tried again after a pause: once
# descriptors are back, the device runs again instead of staying failed.
. "$(dirname "$0")/lib.sh"
umn_need_root "$0" "$@"

umn_start_daemon "$T_WORK" --no-warm-spare
umn_cli install "$UMNIC_BUILD/drivers/echo/echo.inf" >/dev/null
st() { umn_cli status --json | jq -r ".[0].$1"; }
t_eq "the echo device runs" "$(st state)" "started"
host=$(st host_pid)

# No descriptor left for umnicd: its next host spawn fails. Restore them after a second.
hard_nofile=$(prlimit --pid "$UMN_DAEMON_PID" --nofile --noheadings --output HARD)
prlimit --pid "$UMN_DAEMON_PID" --nofile=8:
t_kill_host "$host"
sleep 1
prlimit --pid "$UMN_DAEMON_PID" --nofile="$hard_nofile":

state=""
for _ in $(seq 1 100); do
	state=$(st state)
	[ "$state" = "started" ] && [ "$(st host_pid)" != "$host" ] && break
	sleep 0.1
done
t_eq "the device runs again once a host can be started" "$state" "started"
t_contains "status names the failed start" "$(umn_cli status)" "cannot start a driver host"
t_contains "the log shows the retry with its pause" "$(cat "$T_WORK/umnicd.log")" "trying again in"
out=$(umn_cli ioctl UmnicEcho 0x81232000 --in-hex 0a0b0c0d --out-len 4 2>&1)
t_contains "requests reach the restarted driver" "$out" "0a 0b 0c 0d"
t_finish
