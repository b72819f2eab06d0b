#!/bin/sh
# make demo: two vpair devices (one user-mode driver process) carry ping and
# a TCP transfer between two network namespaces.
set -eu
UMNIC_BUILD=$(cd "${1:-build}" && pwd)
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/scripts/lib.sh"
umn_need_root "$0" "$@"

tag=umdemo$$
work=$(mktemp -d /tmp/umnic-demo.XXXXXX)
trap 'umn_cleanup; rm -rf "$work"' EXIT INT TERM

umn_netns_add "$tag-a"
umn_netns_add "$tag-b"
umn_start_daemon "$work"

echo "== installing two vpair devices"
umn_cli install "$UMNIC_BUILD/drivers/vpair/vpair.inf" --netns "$tag-a" --ifname vpair0
umn_cli install "$UMNIC_BUILD/drivers/vpair/vpair.inf" --netns "$tag-b" --ifname vpair1
ip -n "$tag-a" addr add 10.77.0.1/24 dev vpair0
ip -n "$tag-b" addr add 10.77.0.2/24 dev vpair1
ip -n "$tag-a" link set vpair0 up
ip -n "$tag-b" link set vpair1 up

echo "== ping across the pair"
ping_out=$(ip netns exec "$tag-a" ping -c 10 -i 0.05 -W 2 10.77.0.2) || true
echo "$ping_out" | tail -2
loss=$(echo "$ping_out" | sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p')

echo "== iperf3 TCP, 6 s; the driver process is killed (SIGKILL) 2 s in"
umn_bg ip netns exec "$tag-b" iperf3 -s -1 -B 10.77.0.2 -p 5201 >/dev/null
server=$UMN_BG_PID
sleep 0.3
umn_bg ip netns exec "$tag-a" iperf3 -c 10.77.0.2 -p 5201 -t 6 -J >"$work/iperf.json"
iperf=$UMN_BG_PID
sleep 2
victim=$(umn_cli status --json | jq -r '.[0].host_pid')
kill -KILL "$victim"
echo "killed driver host pid $victim"
iperf_rc=0
wait $iperf || iperf_rc=$?
umn_forget "$iperf"
umn_stop "$server"
gbps=$(jq -r '.end.sum_received.bits_per_second / 1e9 | . * 100 | floor / 100' "$work/iperf.json" 2>/dev/null || echo "?")
gbytes=$(jq -r '.end.sum_received.bytes / 1e9 | . * 100 | floor / 100' "$work/iperf.json" 2>/dev/null || echo "?")

umn_cli status --json >"$work/status.json"
echo
echo "== summary"
jq -r '.[] | "\(.instance_id): driver \(.driver), host pid \(.host_pid), interface \(.interface), link \(.link)\n  restarts: \(.failures), last restart \(.last_restart_us / 1000) ms (death detected -> first frame forwarded)\n  tx: \(.queues.tx.packets) packets, \(.queues.tx.bytes) bytes, \(.queues.tx.drops) drops, \(.queues.tx.kicks) kicks, \(.queues.tx.advance_calls) Advance calls\n  rx: \(.queues.rx.packets) packets, \(.queues.rx.bytes) bytes, \(.queues.rx.drops) drops, \(.queues.rx.kicks) kicks, \(.queues.rx.advance_calls) Advance calls"' "$work/status.json"
echo "ping loss: ${loss:-?}%"
echo "TCP transfer across the driver crash: $gbytes GB at $gbps Gbit/s, iperf3 exit status $iperf_rc"
echo "sandbox: $(jq -r '.[0].sandbox' "$work/status.json")"
umn_stop_daemon || true
[ "${loss:-100}" = "0" ] || umn_die "ping lost packets"
[ "$gbps" != "?" ] && [ "$iperf_rc" -eq 0 ] || umn_die "the iperf3 transfer did not complete"
