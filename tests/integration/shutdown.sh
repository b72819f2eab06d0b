#!/bin/sh
# umnicd exits within 2 s of SIGTERM whatever its drivers are doing, and leaves no driver host
# process behind: here with echo under I/O load from 16 clients, a user-mode driver stuck in
# EvtPacketQueueAdvance, and a kernel-mode (in-host) driver that never returns from
# EvtDeviceD0Exit once its device is removed. The hosts are the ones `umnic status --json`
# named, told apart from a later process with the same pid by their start time.
. "$(dirname "$0")/lib.sh"
umn_need_root "$0" "$@"

umn_netns_add "$T_TAG"
umn_start_daemon "$T_WORK"
B="$UMNIC_BUILD/tests/drivers"
t_check "echo installs" umn_cli install "$UMNIC_BUILD/drivers/echo/echo.inf"
t_check "a kernel-mode driver that hangs in EvtDeviceD0Exit installs" \
	umn_cli install "$B/testdrv_km.inf" --netns "$T_TAG" --param Mode=11
"$UMNIC_BUILD/tests/integration/io_load" -d "$UMN_RUN_DIR" -c 16 -n 20000 -o 16 -a 0 -L 0 -t 60 \
	>"$T_WORK/io_load.txt" 2>&1 &
load=$!
UMN_PIDS="$UMN_PIDS $load"
t_check "a user-mode driver that hangs in EvtPacketQueueAdvance installs" \
	umn_cli install "$B/testdrv.inf" --netns "$T_TAG" --param Mode=10
# Under load for a moment, with the user-mode driver's queue stuck (its watchdog waits 2 s).
sleep 1

# state STARTTIME of a process, or nothing once it is gone (fields after the command name).
proc_of() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '{print $1, $20}'; }

st=$(umn_cli status --json)
hosts=$(printf "%s\n" "$st" | jq -r '.[] | select(.mode == "user" and .host_pid > 0) | .host_pid')
t_eq "two user-mode driver hosts run" "$(printf "%s\n" "$hosts" | grep -c .)" 2
t_eq "the kernel-mode device is started" \
	"$(printf "%s\n" "$st" | jq -r '.[] | select(.mode == "kernel") | .state')" started
before=""
for p in $hosts; do
	before="$before $p:$(proc_of "$p" | awk '{print $2}')"
done
t_check "umnicd serves requests under the load" t_daemon_alive

kill -TERM "$UMN_DAEMON_PID"
gone=no
for _ in $(seq 1 40); do
	case "$(proc_of "$UMN_DAEMON_PID")" in
	"" | Z*) gone=yes; break ;;
	esac
	sleep 0.05
done
t_eq "umnicd is gone within 2 s of SIGTERM" "$gone" yes
if [ "$gone" = no ]; then
	kill -KILL "$UMN_DAEMON_PID" 2>/dev/null
	sleep 2
fi
wait "$UMN_DAEMON_PID"
rc=$?
UMN_DAEMON_PID=""
t_eq "umnicd exits with status 0" "$rc" 0
for e in $before; do
	p=${e%%:*} start=${e#*:}
	now=$(proc_of "$p")
	if [ -n "$now" ] && [ "${now#* }" = "$start" ]; then
		t_fail "driver host $p is still there (${now%% *}) after umnicd exited"
		kill -KILL "$p" 2>/dev/null
	else
		t_pass "driver host $p is gone, reaped"
	fi
done
if grep -q "ERROR: \(Address\|Leak\)Sanitizer" "$T_WORK/umnicd.log"; then
	t_fail "umnicd's shutdown is clean (a sanitizer report in umnicd.log)"
else
	t_pass "umnicd's shutdown is clean (no sanitizer report)"
fi
# What umnicd said while it shut down, for the record.
sed -n '/shutting down/,$p' "$T_WORK/umnicd.log" | sed 's/^/# /'
# The load's clients see umnicd go and fail the rest of their requests; io_load then exits.
for _ in $(seq 1 600); do kill -0 "$load" 2>/dev/null || break; sleep 0.1; done
kill -KILL "$load" 2>/dev/null
wait "$load" 2>/dev/null
t_finish
