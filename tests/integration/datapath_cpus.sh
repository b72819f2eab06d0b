#!/bin/sh
# --datapath-cpus: umnicd's thread of queue pair i and the driver's execution
# context of the same queue run on the (i mod count)-th CPU listed, both
# sides of a pair carry traffic that way, and a list naming a CPU umnicd may
# not run on (or anything but CPU numbers) is refused before it starts.
. "$(dirname "$0")/lib.sh"
umn_need_root "$0" "$@"

umnicd=${UMNIC_UMNICD:-$UMNIC_BUILD/src/umnicd/umnicd}
# Refusals name what was wrong and start nothing.
refused() { # LIST EXPECTED
	out=$("$umnicd" --state-dir "$T_WORK/r/state" --run-dir "$T_WORK/r/run" --datapath-cpus "$1" 2>&1)
	t_eq "--datapath-cpus $1 is refused" "$?" "2"
	t_contains "and says why" "$out" "$2"
}
refused 4096 "4096: not a CPU umnicd may run on"
refused 0,0 "0: listed twice"
refused 0, "wants CPU numbers separated by commas"
refused x "wants CPU numbers separated by commas, not \"x\""
t_check "nothing was left listening" test ! -S "$T_WORK/r/run/umnicd.sock"

# The CPUs this test may use, lowest first; the second is the first again on a one-CPU machine.
set -- $(python3 -c 'import os; print(*sorted(os.sched_getaffinity(0)))')
c0=$1
c1=${2:-$1}

# Each thread's CPUs, by name: "NAME LIST" lines of a process's threads.
cpus_of() { # PID NAME
	for t in /proc/"$1"/task/*; do
		[ "$(cat "$t/comm" 2>/dev/null)" = "$2" ] && awk '/^Cpus_allowed_list/ {print $2}' "$t/status"
	done | sort -u | tr '\n' ' '
}

umn_netns_add "$T_TAG-a"
umn_netns_add "$T_TAG-b"
umn_start_daemon "$T_WORK" --datapath-cpus "$c1,$c0"
umn_cli install "$UMNIC_BUILD/drivers/vpair/vpair.inf" --netns "$T_TAG-a" --ifname vpa --param Queues=2 >/dev/null
umn_cli install "$UMNIC_BUILD/drivers/vpair/vpair.inf" --netns "$T_TAG-b" --ifname vpb --param Queues=2 >/dev/null
ip -n "$T_TAG-a" addr add 10.77.0.1/24 dev vpa
ip -n "$T_TAG-b" addr add 10.77.0.2/24 dev vpb
ip -n "$T_TAG-a" link set vpa up
ip -n "$T_TAG-b" link set vpb up
hp=$(umn_cli status vpa --json | jq -r .host_pid)
t_eq "umnicd's queue 0 threads run on the first CPU listed" "$(cpus_of "$UMN_DAEMON_PID" umnicd-dp0)" "$c1 "
t_eq "umnicd's queue 1 threads run on the second" "$(cpus_of "$UMN_DAEMON_PID" umnicd-dp1)" "$c0 "
t_eq "the driver's queue 0 execution contexts run on the first CPU" "$(cpus_of "$hp" umnic-ec0)" "$c1 "
t_eq "the driver's queue 1 execution contexts run on the second" "$(cpus_of "$hp" umnic-ec1)" "$c0 "
all="$(awk '/^Cpus_allowed_list/ {print $2}' /proc/self/status) "
t_eq "umnicd's other threads are not tied" "$(cpus_of "$UMN_DAEMON_PID" umnicd)" "$all"
t_check "ping across the pair" t_ping_ok "$T_TAG-a" 10.77.0.2 10
t_check "4 MB of TCP arrive intact" t_tcp_ok "$T_TAG-a" "$T_TAG-b" 10.77.0.2 5610 4000000

# A restarted driver's execution contexts follow the same list.
t_kill_host "$hp"
for _ in $(seq 1 100); do
	hp2=$(umn_cli status vpa --json | jq -r .host_pid)
	[ "$hp2" != "$hp" ] && [ "$(umn_cli status vpa --json | jq -r .state)" = started ] && break
	sleep 0.05
done
t_eq "after a crash the new host's queue 0 contexts are on the first CPU again" \
	"$(cpus_of "$hp2" umnic-ec0)" "$c1 "
t_check "and the pair carries traffic" t_ping_ok "$T_TAG-a" 10.77.0.2 5

# Without the option nothing is tied to a CPU.
umn_stop_daemon
umn_start_daemon "$T_WORK"
for _ in $(seq 1 100); do
	[ "$(umn_cli status vpa --json 2>/dev/null | jq -r .state)" = started ] && break
	sleep 0.05
done
hp=$(umn_cli status vpa --json | jq -r .host_pid)
t_eq "by default umnicd's datapath threads may run anywhere" "$(cpus_of "$UMN_DAEMON_PID" umnicd-dp0)" "$all"
t_eq "and so may the execution contexts" "$(cpus_of "$hp" umnic-ec0)" "$all"
t_finish
