#!/bin/sh
# Per-frame cost of the steady-state datapath under an iperf3 TCP load over
# vpair: system calls made by the driver host process per frame, against the
# system calls umnicd makes per frame in the same window (its TAP read/writev,
# one per frame by the kernel's TAP interface), and heap allocations in the
# driver host (counted with gdb breakpoints on malloc/calloc/realloc).
set -eu
UMNIC_BUILD=$(cd "${1:-build}" && pwd)
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/scripts/lib.sh"
umn_need_root "$0" "$@"

tag=umcost$$
work=$(mktemp -d /tmp/umnic-cost.XXXXXX)
trap 'umn_cleanup; rm -rf "$work"' EXIT INT TERM
umn_netns_add "$tag-a"
umn_netns_add "$tag-b"
umn_start_daemon "$work"
umn_vpair_up "$tag-a" "$tag-b"
umn_bg ip netns exec "$tag-b" iperf3 -s -B 10.77.0.2 -p 5402 >/dev/null 2>&1
server=$UMN_BG_PID
sleep 0.3
umn_bg ip netns exec "$tag-a" iperf3 -c 10.77.0.2 -p 5402 -t 12 >/dev/null 2>&1
client=$UMN_BG_PID
sleep 1.5

frames() { umn_cli status --json | jq '.[0].queues.tx.packets + .[0].queues.rx.packets'; }
hp=$(umn_cli status --json | jq -r '.[0].host_pid')

T=/sys/kernel/tracing
[ -f "$T/uprobe_events" ] || mount -t tracefs nodev "$T" 2>/dev/null || true
tids() { ls "/proc/$1/task" | tr '\n' ' '; }
sum_tids() { # sum_tids HISTFILE TID... : system calls counted for those threads
	f=$1; shift
	for t in "$@"; do awk -v t="$t" '$1 == "{" && $2 == "common_pid:" && $3 == t {print $NF}' "$f"; done |
		awk '{s += $1} END {print s + 0}'
}

# System calls of both processes over the same second, recorded in the kernel
# by the raw_syscalls:sys_enter event (no ptrace, so nothing slows down).
if [ -w "$T/events/raw_syscalls/sys_enter/enable" ]; then
	echo "$(tids "$hp") $(tids "$UMN_DAEMON_PID")" >"$T/set_event_pid"
	old_kb=$(cat "$T/buffer_size_kb")
	echo 65536 >"$T/buffer_size_kb"
	: >"$T/trace"
	f0=$(frames)
	echo 1 >"$T/events/raw_syscalls/sys_enter/enable"
	sleep 1
	echo 0 >"$T/events/raw_syscalls/sys_enter/enable"
	f1=$(frames)
	sys_host=$(grep -c '^ *umnic-host-' "$T/trace" || true)
	sys_daemon=$(grep -c '^ *umnicd-' "$T/trace" || true)
	lost=$(cat "$T"/per_cpu/cpu*/stats | awk '/^overrun:/ {s += $2} END {print s + 0}')
	: >"$T/trace"
	: >"$T/set_event_pid"
	echo "$old_kb" >"$T/buffer_size_kb"
	n=$((f1 - f0))
	[ "$n" -gt 0 ] || umn_die "no frames moved while measuring"
	[ "$lost" -eq 0 ] || echo "# warning: $lost trace events lost; counts are low" >&2
	awk -v h="$sys_host" -v d="$sys_daemon" -v n="$n" 'BEGIN {
		printf "RESULT name=driver_syscalls_per_frame value=%.4f unit=syscalls/frame baseline=%.4f ratio=%.4f\n", h / n, d / n, (d > 0 ? h / d : 0) }'
	echo "# $n frames in 1 s; driver host: $sys_host system calls; umnicd (baseline: its TAP read/writev per frame): $sys_daemon" >&2
else
	echo "# tracefs syscall events unavailable; syscall count skipped" >&2
fi

# Heap allocations in the driver host while frames flow, counted by uprobes on
# libc's malloc/calloc/realloc for the threads of the driver host and umnicd.
# umnicd allocates for each CLI request, so asking it for status during the
# window proves the probes fire.
libc=$(ldd "$UMNIC_BUILD/src/drvhost/umnic-host" | awk '/libc\.so/ {print $3}')
if [ -w "$T/uprobe_events" ] && [ -n "$libc" ]; then
	for fn in malloc calloc realloc; do
		off=$(python3 "$ROOT/bench/elf_offset.py" "$libc" "$fn")
		echo "p:umnic_alloc/$fn $libc:$off" >>"$T/uprobe_events"
	done
	echo "$(ls /proc/"$hp"/task) $(ls /proc/"$UMN_DAEMON_PID"/task)" | tr '\n' ' ' >"$T/set_event_pid"
	: >"$T/trace"
	f0=$(frames)
	echo 1 >"$T/events/umnic_alloc/enable"
	for _ in 1 2 3 4 5 6 7 8 9 10; do umn_cli status >/dev/null; sleep 0.3; done
	echo 0 >"$T/events/umnic_alloc/enable"
	f1=$(frames)
	host_allocs=$(grep -c '^ *umnic-host-' "$T/trace" || true)
	daemon_allocs=$(grep -c '^ *umnicd-' "$T/trace" || true)
	: >"$T/set_event_pid"
	for fn in malloc calloc realloc; do echo "-:umnic_alloc/$fn" >>"$T/uprobe_events"; done
	n=$((f1 - f0))
	if [ "$daemon_allocs" -gt 0 ]; then
		awk -v a="$host_allocs" -v n="$n" 'BEGIN {
			printf "RESULT name=driver_allocs_per_frame value=%.6f unit=allocs/frame baseline=0 ratio=0\n", (n > 0 ? a / n : 0) }'
		echo "# $host_allocs allocations in the driver host while $n frames moved; umnicd made $daemon_allocs for 10 status requests (the probes work)" >&2
	else
		echo "# allocation probes did not fire (umnicd made none either); no result" >&2
	fi
else
	echo "# tracefs uprobes unavailable; allocation count skipped" >&2
fi
# The load is no longer needed, whether or not its 12 s are over.
umn_stop "$client"
umn_stop "$server"
umn_stop_daemon || true
