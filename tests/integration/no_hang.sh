#!/bin/sh
# No command hangs because a driver does: a driver that never returns from
# EvtDriverDeviceAdd or EvtDevicePrepareHardware fails its install within
# umnicd's --start-timeout, with a message; while it hangs every control
# command answers, and the I/O commands give up on a request that is never
# completed within umnic's --timeout.
. "$(dirname "$0")/lib.sh"
umn_need_root "$0" "$@"

START_S=4
umn_netns_add "$T_TAG"
umn_start_daemon "$T_WORK" --start-timeout "$START_S"
tdrv="$UMNIC_BUILD/tests/drivers/testdrv.inf"
echo_inf="$UMNIC_BUILD/drivers/echo/echo.inf"

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# timed LIMIT_S COMMAND...: runs the command (output in $T_WORK/out, status in $T_WORK/rc) and
# passes when it returned within LIMIT_S seconds; a stuck one is stopped at 3 x LIMIT_S.
timed() {
	lim=$1
	shift
	t_start=$(now_ms)
	timeout -s KILL $((lim * 3)) "$@" >"$T_WORK/out" 2>&1
	echo $? >"$T_WORK/rc"
	[ $(($(now_ms) - t_start)) -lt $((lim * 1000)) ]
}
rc() { cat "$T_WORK/rc"; }
out() { cat "$T_WORK/out"; }
# The CLI as a program of its own, so timeout(1) can run it.
printf '#!/bin/sh\nexec "%s/src/cli/umnic" --run-dir "%s" --timeout 10 "$@"\n' "$UMNIC_BUILD" "$UMN_RUN_DIR" \
	>"$T_WORK/cli"
chmod +x "$T_WORK/cli"
cli() { "$T_WORK/cli" "$@"; }

t_check "the echo device installs" timed 30 "$T_WORK/cli" install "$echo_inf"

# Installs that hang in the driver, in the background, so the other commands run meanwhile.
t0=$(now_ms)
cli --timeout 60 install "$tdrv" --netns "$T_TAG" --param Mode=12 >"$T_WORK/hang_add" 2>&1 &
p_add=$!
UMN_PIDS="$UMN_PIDS $p_add"
sleep 0.5
cli --timeout 60 install "$tdrv" --netns "$T_TAG" --param Mode=13 >"$T_WORK/hang_prep" 2>&1 &
p_prep=$!
UMN_PIDS="$UMN_PIDS $p_prep"
sleep 1

t_check "ping answers while drivers hang" timed 10 "$T_WORK/cli" ping
t_check "list answers while drivers hang" timed 10 "$T_WORK/cli" list
t_check "status answers while drivers hang" timed 10 "$T_WORK/cli" status
t_eq "two devices are starting" "$(cli status --json | jq '[.[] | select(.state == "starting")] | length')" "2"
add_hp=$(cli status --json | jq -r '[.[] | select(.state == "starting")][0].host_pid')
prep=$(cli status --json | jq -r '[.[] | select(.state == "starting")][1].instance_id')
t_check "restart answers while drivers hang" timed 10 "$T_WORK/cli" restart "$prep"
t_contains "restarting a starting device is refused" "$(out)" "only a failed device"
t_check "open answers while drivers hang" timed 10 "$T_WORK/cli" open UmnicEcho
t_eq "open works" "$(rc)" "0"
t_check "write answers while drivers hang" timed 10 "$T_WORK/cli" write UmnicEcho --hex 0102
t_check "read answers while drivers hang" timed 10 "$T_WORK/cli" read UmnicEcho 2
t_contains "read reads what was written" "$(out)" "01 02"
t_check "open of a missing name answers" timed 10 "$T_WORK/cli" open NoSuchDevice
t_eq "and fails" "$(rc)" "1"
# IOCTL_ECHO_DELAYED for 600 s: the request is not completed within umnic's --timeout.
t_check "an ioctl the driver does not complete gives up within --timeout" \
	timed 10 "$T_WORK/cli" --timeout 2 ioctl UmnicEcho 0x81232018 --in-hex c0270900
t_contains "with STATUS_IO_TIMEOUT" "$(out)" "STATUS_IO_TIMEOUT"
t_eq "and a failure exit" "$(rc)" "1"

# Uninstalling a device whose driver hangs in EvtDevicePrepareHardware answers, and so does its install.
t_check "uninstall answers while its driver hangs" timed 10 "$T_WORK/cli" uninstall "$prep"
t_contains "uninstall removed it" "$(out)" "removed"
wait "$p_prep"
t_eq "the install of the uninstalled device fails" "$?" "1"
t_contains "saying why" "$(cat "$T_WORK/hang_prep")" "uninstalled while starting"

wait "$p_add"
rc_add=$?
ms=$(($(now_ms) - t0))
t_eq "an install whose EvtDriverDeviceAdd never returns fails" "$rc_add" "1"
t_check "within the start time-out ($ms ms, --start-timeout $START_S s)" [ "$ms" -lt $(((START_S + 6) * 1000)) ]
t_contains "with a message naming the time-out" "$(cat "$T_WORK/hang_add")" \
	"did not start within $START_S s (--start-timeout)"
t_contains "and what the driver did not finish" "$(cat "$T_WORK/hang_add")" "EvtDriverDeviceAdd"
dev=$(awk '{print $1; exit}' "$T_WORK/hang_add")
t_eq "the device is failed" "$(cli status "$dev" --json | jq -r .state)" "failed"
gone() {
	for _ in $(seq 1 40); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.05
	done
	return 1
}
t_check "and its stuck host ($add_hp) is stopped" gone "$add_hp"
t_check "umnic restart of it fails the same way, within the time-out" timed $((START_S + 6)) "$T_WORK/cli" restart "$dev"
t_eq "restart reports failure" "$(rc)" "1"
t_contains "restart says why" "$(out)" "did not start within"
t_check "uninstall of it answers" timed 10 "$T_WORK/cli" uninstall "$dev"

# A host that dies in the middle of an install answers the install too (crash in PrepareHardware,
# no restart allowed).
t_check "an install whose host crashes answers" \
	timed 30 "$T_WORK/cli" install "$tdrv" --netns "$T_TAG" --param Mode=6 --param UmnicRestartLimit=0
t_eq "with failure" "$(rc)" "1"
t_contains "naming the crash" "$(out)" "killed by signal 11"
t_check "umnicd is alive" t_daemon_alive
t_finish
