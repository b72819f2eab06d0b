#!/bin/sh
# Restart benchmarks over vpair:
#  - restart latency: from the driver host's death being detected to the first
#    frame forwarded again, over KILLS SIGKILLs during a steady UDP flow;
#    p50 and p99, against the time to spawn a sandboxed driver host that does
#    nothing (the process plumbing alone) measured in the same run;
#  - TCP throughput over 10 s with one kill per second, against the same 10 s
#    without kills.
set -eu
UMNIC_BUILD=$(cd "${1:-build}" && pwd)
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/scripts/lib.sh"
umn_need_root "$0" "$@"
KILLS=${BENCH_KILLS:-50}

tag=umrst$$
work=$(mktemp -d /tmp/umnic-restart.XXXXXX)
trap 'umn_cleanup; rm -rf "$work"' EXIT INT TERM
umn_netns_add "$tag-a"
umn_netns_add "$tag-b"
if [ "${UMNIC_WARM_SPARE:-on}" = off ]; then umn_start_daemon "$work" --no-warm-spare; else umn_start_daemon "$work"; fi
for side in a b; do
	umn_cli install "$UMNIC_BUILD/drivers/vpair/vpair.inf" --netns "$tag-$side" --ifname "vp$side" \
		--param UmnicRestartLimit=1000 >/dev/null
done
ip -n "$tag-a" addr add 10.77.0.1/24 dev vpa
ip -n "$tag-b" addr add 10.77.0.2/24 dev vpb
ip -n "$tag-a" link set vpa up
ip -n "$tag-b" link set vpb up

status() { umn_cli status --json; }
host_pid() { status | jq -r '.[0].host_pid'; }
# Waits until device 0 has recorded failure number $1 and measured its restart.
wait_restart() {
	for _ in $(seq 1 400); do
		s=$(status)
		if [ "$(printf '%s' "$s" | jq -r '.[0].failures')" -ge "$1" ] &&
			[ "$(printf '%s' "$s" | jq -r '[.[].state] | join(",")')" = "started,started" ] &&
			[ "$(printf '%s' "$s" | jq -r '.[0].last_restart_us')" != "$2" ]; then
			printf '%s' "$s" | jq -r '.[0].last_restart_us'
			return 0
		fi
		sleep 0.01
	done
	echo "restart $1 did not complete" >&2
	return 1
}

# A steady flow (about 20k frames/s) so the first frame after a restart is never far away.
umn_bg ip netns exec "$tag-b" iperf3 -s -B 10.77.0.2 -p 5410 >/dev/null 2>&1
flow_server=$UMN_BG_PID
sleep 0.3
umn_bg ip netns exec "$tag-a" iperf3 -u -b 200M -c 10.77.0.2 -p 5410 -t 3600 >/dev/null 2>&1
flow=$UMN_BG_PID
sleep 1
: >"$work/lat"
prev=$(status | jq -r '.[0].last_restart_us')
for i in $(seq 1 "$KILLS"); do
	kill -KILL "$(host_pid)"
	prev=$(wait_restart "$i" "$prev")
	echo "$prev" >>"$work/lat"
	sleep 0.05
done
umn_stop "$flow"
umn_stop "$flow_server"

# Baseline: the process plumbing alone (clone into namespaces, uid maps, exec, loading the
# driver, sandbox, one request answered), measured by spawn_bench in the same run.
read -r b50 b99 <<EOF2
$("$UMNIC_BUILD/bench/spawn_bench" "$UMNIC_BUILD/src/drvhost/umnic-host" "$UMNIC_BUILD/drivers/vpair/vpair.so" 50)
EOF2

pct() { sort -n "$1" | awk -v p="$2" '{a[NR]=$1} END {i=int(NR*p/100+0.999); if(i<1)i=1; print a[i]}'; }
p50=$(pct "$work/lat" 50)
p99=$(pct "$work/lat" 99)
awk -v v="$p50" -v b="$b50" 'BEGIN {printf "RESULT name=restart_latency_p50 value=%.2f unit=ms baseline=%.2f ratio=%.2f\n", v/1000, b/1000, v/b}'
awk -v v="$p99" -v b="$b99" 'BEGIN {printf "RESULT name=restart_latency_p99 value=%.2f unit=ms baseline=%.2f ratio=%.2f\n", v/1000, b/1000, v/b}'
echo "# $KILLS kills; latency = death detected -> first frame forwarded (warm spare ${UMNIC_WARM_SPARE:-on}); baseline = spawning a sandboxed host alone" >&2

# TCP throughput with one kill per second against none.
tcp10() {
	umn_bg ip netns exec "$tag-b" iperf3 -s -1 -B 10.77.0.2 -p 5411 >/dev/null 2>&1
	s=$UMN_BG_PID
	sleep 0.3
	umn_bg ip netns exec "$tag-a" iperf3 -c 10.77.0.2 -p 5411 -t 10 -J >"$work/tcp.json" 2>/dev/null
	c=$UMN_BG_PID
	if [ "$1" = kill ]; then
		for _ in $(seq 1 9); do sleep 1; kill -KILL "$(host_pid)" 2>/dev/null || true; done
	fi
	wait "$c" || true
	umn_forget "$c"
	umn_stop "$s"
	jq -r '.end.sum_received.bits_per_second / 1e9' "$work/tcp.json"
}
base=$(tcp10 none)
withkills=$(tcp10 kill)
awk -v v="$withkills" -v b="$base" 'BEGIN {printf "RESULT name=tcp_throughput_with_kill_per_second value=%.3f unit=Gbit/s baseline=%.3f ratio=%.3f\n", v, b, v/b}'
umn_stop_daemon || true
