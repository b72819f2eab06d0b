#!/bin/sh
# umnicd speaks the service manager's notify protocol, as the installed unit
# (Type=notify, WatchdogSec) expects: READY=1 once its control socket
# listens, WATCHDOG=1 at half the interval WATCHDOG_USEC gives, STOPPING=1 on
# SIGTERM; and the driver hosts it starts do not inherit the variables.
. "$(dirname "$0")/lib.sh"
umn_need_root "$0" "$@"

sock="$T_WORK/notify.sock"
msgs="$T_WORK/notify.txt"
umn_bg python3 "$UMNIC_SRC/tests/integration/sdnotify.py" "$sock" "$T_WORK/run" "$msgs"
listener=$UMN_BG_PID
for _ in $(seq 1 100); do
	[ -S "$sock" ] && break
	sleep 0.05
done
t_check "the notify listener is up" test -S "$sock"

NOTIFY_SOCKET=$sock WATCHDOG_USEC=400000 umn_start_daemon "$T_WORK"
ready=no
for _ in $(seq 1 40); do
	grep -q "READY=1" "$msgs" && { ready=yes; break; }
	sleep 0.05
done
t_eq "READY=1 arrives" "$ready" yes
t_contains "the control socket listened before READY=1" "$(grep READY=1 "$msgs")" "sock=yes"

t_check "echo installs" umn_cli install "$UMNIC_BUILD/drivers/echo/echo.inf"
hp=$(umn_cli status --json | jq -r '.[] | select(.mode == "user") | .host_pid' | head -n 1)
t_check "echo's driver host runs" test -r "/proc/$hp/environ"
if tr '\0' '\n' <"/proc/$hp/environ" | grep -q "^\(NOTIFY_SOCKET\|WATCHDOG_USEC\|WATCHDOG_PID\)="; then
	t_fail "the driver host inherited the service manager's variables"
else
	t_pass "the driver host has none of the service manager's variables"
fi

# 400 ms interval: a ping every 200 ms, so at least 5 in 2 s on a busy machine.
before=$(grep -c "WATCHDOG=1" "$msgs")
sleep 2
after=$(grep -c "WATCHDOG=1" "$msgs")
pings=$((after - before))
if [ "$pings" -ge 5 ] && [ "$pings" -le 12 ]; then
	t_pass "watchdog pings at half the interval ($pings in 2 s)"
else
	t_fail "watchdog pings: $pings in 2 s, expected about 10"
fi

t_check "umnicd stops cleanly" umn_stop_daemon
stopping=no
for _ in $(seq 1 40); do
	grep -q "STOPPING=1" "$msgs" && { stopping=yes; break; }
	sleep 0.05
done
t_eq "STOPPING=1 arrives on SIGTERM" "$stopping" yes

# A watchdog meant for another process (WATCHDOG_PID) is not umnicd's.
: >"$msgs"
NOTIFY_SOCKET=$sock WATCHDOG_USEC=100000 WATCHDOG_PID=1 umn_start_daemon "$T_WORK"
sleep 1
t_eq "no pings for another process's watchdog" "$(grep -c "WATCHDOG=1" "$msgs")" 0
t_check "umnicd stops cleanly again" umn_stop_daemon
umn_stop "$listener"
t_finish
