#!/bin/sh
# IOCTL round trip through umnicd to the sandboxed echo driver (drivers/echo):
# latency p50/p99 against a SOCK_SEQPACKET ping-pong between two processes,
# and throughput with 8 requests outstanding against the same ping-pong with
# 8 messages in flight, both measured by bench/ioctl_bench.c in the same run.
#
# Three times: with umnicd as it starts by default (message rings beside the
# sockets, polling 50 us after each request or completion it relays), then
# with --busy-poll-us 0 (results named ..._nopoll), then with --no-io-rings
# (everything on the sockets, results named ..._norings). Each run also
# reports the CPU time umnicd used while it ran, as a share of one CPU
# (umnicd_cpu), and so do umnicd's driver hosts together (hosts_cpu), so
# what the polling costs shows. (The client's polling shows in ioctl_bench's
# own CPU time, which the shell does not see; it is at most one CPU.)
set -eu
UMNIC_BUILD=$(cd "${1:-build}" && pwd)
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/scripts/lib.sh"
umn_need_root "$0" "$@"
SECONDS_PER_RUN=${BENCH_SECONDS:-3}
COUNT=${BENCH_IOCTL_COUNT:-20000}

work=$(mktemp -d /tmp/umnic-ioctl.XXXXXX)
trap 'umn_cleanup; rm -rf "$work"' EXIT INT TERM

# hosts_ticks: CPU ticks umnicd's driver host processes used so far, together.
hosts_ticks() {
	t=0
	for p in $(pgrep -P "$UMN_DAEMON_PID" -x umnic-host); do
		t=$((t + $(umn_cpu_ticks "$p" 2>/dev/null || echo 0)))
	done
	echo "$t"
}

# run_mode TAG [umnicd options]
run_mode() {
	tag=$1; shift
	umn_start_daemon "$work/d$tag" "$@"
	if ! umn_cli install "$UMNIC_BUILD/drivers/echo/echo.inf" >/dev/null; then
		tail -20 "$work/d$tag/umnicd.log" >&2
		umn_die "cannot install $UMNIC_BUILD/drivers/echo/echo.inf (umnicd log above)"
	fi
	d0=$(umn_cpu_ticks "$UMN_DAEMON_PID")
	h0=$(hosts_ticks)
	s0=$(date +%s%N)
	if ! "$UMNIC_BUILD/bench/ioctl_bench" -d "$UMN_RUN_DIR" -n "$COUNT" -s "$SECONDS_PER_RUN" \
		-t "$tag"; then
		tail -20 "$work/d$tag/umnicd.log" >&2
		umn_die "ioctl_bench failed (umnicd log above)"
	fi
	d1=$(umn_cpu_ticks "$UMN_DAEMON_PID")
	h1=$(hosts_ticks)
	s1=$(date +%s%N)
	# Both halves of the run (the ping-pong too): what umnicd costs while serving it.
	awk -v d=$((d1 - d0)) -v h=$((h1 - h0)) -v hz="$(getconf CLK_TCK)" -v ns=$((s1 - s0)) -v t="$tag" 'BEGIN {
		share = d / hz / (ns / 1e9)
		printf "RESULT name=umnicd_cpu%s value=%.2f unit=cpus baseline=1 ratio=%.2f\n", t, share, share
		share = h / hz / (ns / 1e9)
		printf "RESULT name=hosts_cpu%s value=%.2f unit=cpus baseline=1 ratio=%.2f\n", t, share, share }'
	umn_stop_daemon || true
}

run_mode ""
run_mode _nopoll --busy-poll-us 0
run_mode _norings --no-io-rings
