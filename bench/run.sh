#!/bin/sh
# make bench: each benchmark prints
#   RESULT name=<n> value=<v> unit=<u> baseline=<b> ratio=<r>
# with its baseline measured in the same run on the same machine.
set -eu
UMNIC_BUILD=$(cd "${1:-build}" && pwd)
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/scripts/lib.sh"
umn_need_root "$0" "$@"
SECONDS_PER_RUN=${BENCH_SECONDS:-5}
REPEAT=${BENCH_REPEAT:-3}

tag=umbench$$
work=$(mktemp -d /tmp/umnic-bench.XXXXXX)
trap 'umn_cleanup; rm -rf "$work"' EXIT INT TERM

# iperf3 TCP from namespace $1 to address $3 served in namespace $2; prints Gbit/s.
iperf_gbps() {
	umn_bg ip netns exec "$2" iperf3 -s -1 -B "$3" -p 5400 >/dev/null 2>&1
	server=$UMN_BG_PID
	sleep 0.3
	ip netns exec "$1" iperf3 -c "$3" -p 5400 -t "$SECONDS_PER_RUN" -J >"$work/iperf.json" 2>/dev/null || true
	# It ends after one test; a test that never came leaves it waiting.
	umn_stop "$server"
	jq -r '.end.sum_received.bits_per_second / 1e9' "$work/iperf.json"
}


umn_netns_add "$tag-a"
umn_netns_add "$tag-b"

# Baseline: the kernel's own veth pair between the same two namespaces.
ip link add "$tag-va" netns "$tag-a" type veth peer name "$tag-vb" netns "$tag-b"
ip -n "$tag-a" addr add 10.78.0.1/24 dev "$tag-va"
ip -n "$tag-b" addr add 10.78.0.2/24 dev "$tag-vb"
ip -n "$tag-a" link set "$tag-va" up
ip -n "$tag-b" link set "$tag-vb" up

umn_start_daemon "$work"
umn_vpair_up "$tag-a" "$tag-b"
sleep 0.2

# Alternate the two so drift on a noisy machine hits both alike.
: >"$work/veth"
: >"$work/vpair"
for _ in $(seq 1 "$REPEAT"); do
	iperf_gbps "$tag-a" "$tag-b" 10.78.0.2 >>"$work/veth"
	iperf_gbps "$tag-a" "$tag-b" 10.77.0.2 >>"$work/vpair"
done
veth=$(umn_median <"$work/veth")
vpair=$(umn_median <"$work/vpair")
ratio=$(echo "$vpair $veth" | awk '{printf "%.3f", $1 / $2}')
printf 'RESULT name=vpair_tcp_throughput value=%.2f unit=Gbit/s baseline=%.2f ratio=%s\n' "$vpair" "$veth" "$ratio"
echo "# baseline: iperf3 over a kernel veth pair; median of $REPEAT runs of ${SECONDS_PER_RUN}s each" >&2
umn_stop_daemon || true
umn_cleanup

# Per-frame system calls and allocations of the driver process.
"$ROOT/bench/datapath_cost.sh" "$UMNIC_BUILD"

# Restart latency and TCP under repeated driver deaths.
"$ROOT/bench/restart.sh" "$UMNIC_BUILD"
