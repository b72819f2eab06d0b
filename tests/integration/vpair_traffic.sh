#!/bin/sh
# vpair between two namespaces: ping, a TCP stream, counters, persistence.
. "$(dirname "$0")/lib.sh"
umn_need_root "$0" "$@"

umn_netns_add "$T_TAG-a"
umn_netns_add "$T_TAG-b"
# Start ring counters just below 2^32 so this run crosses the wrap-around.
UMNIC_INDEX_BASE=0xFFFF0000 umn_start_daemon "$T_WORK"

t_check "two vpair devices install and get addresses" t_pair "$T_TAG-a" "$T_TAG-b"
t_check "ping across the pair" t_ping_ok "$T_TAG-a" 10.77.0.2 10

# The voluntary context switches of the host's execution context threads.
ec_switches() {
	hp=$(umn_cli status --json | jq '.[0].host_pid')
	for t in /proc/"$hp"/task/*; do
		case "$(cat "$t/comm" 2>/dev/null)" in
		umnic-ec*) awk '/^voluntary_ctxt_switches/ {print $2}' "$t/status" ;;
		esac
	done | awk '{n += $1} END {print n + 0}'
}
# A ping wakes the sending side's execution context, which runs the
# receiving side's turn itself, and the same for the reply: 2 wake-ups a
# ping. Waking the receiving context too would take 4.
sw0=$(ec_switches)
ip netns exec "$T_TAG-a" ping -c 200 -i 0.005 -q 10.77.0.2 >/dev/null 2>&1
sw1=$(ec_switches)
t_check "execution contexts woke at most 3 times a ping ($((sw1 - sw0)) for 200)" \
	[ $((sw1 - sw0)) -gt 0 -a $((sw1 - sw0)) -le 600 ]

# This run counts frames: the kernel cuts them to the MTU itself (no TSO), so there are many.
ip netns exec "$T_TAG-a" python3 "$UMNIC_SRC/tests/integration/features.py" vpa \
	tx-tcp-segmentation off tx-tcp6-segmentation off
# The server runs in the foreground of a child whose pid is known: stopped by pid if the client
# never reaches it (a daemonized one would outlive the test).
umn_bg ip netns exec "$T_TAG-b" iperf3 -s -1 -B 10.77.0.2 -p 5301 >/dev/null 2>&1
srv=$UMN_BG_PID
sleep 0.3
ip netns exec "$T_TAG-a" iperf3 -c 10.77.0.2 -p 5301 -t 3 -J >"$T_WORK/iperf.json" 2>/dev/null
umn_stop "$srv"
bytes=$(jq -r '.end.sum_received.bytes // 0' "$T_WORK/iperf.json" 2>/dev/null || echo 0)
t_check "iperf3 TCP stream moved data ($bytes bytes)" [ "${bytes:-0}" -gt 10000000 ]

umn_cli status --json >"$T_WORK/st.json"
t_eq "both devices started" "$(jq -r '[.[].state] | join(",")' "$T_WORK/st.json")" "started,started"
t_eq "both links up" "$(jq -r '[.[].link] | join(",")' "$T_WORK/st.json")" "up,up"
t_eq "the devices share one driver host" "$(jq -r '[.[].host_pid] | unique | length' "$T_WORK/st.json")" "1"
pkts=$(jq -r '.[0].queues.tx.packets' "$T_WORK/st.json")
t_check "TX counters crossed the 32-bit wrap ($pkts packets from base 0xFFFF0000)" [ "$pkts" -gt 65536 ]
t_eq "what A sent, B received" "$(jq -r '.[0].queues.tx.packets - .[1].queues.rx.packets - .[1].queues.rx.drops | . <= 0' "$T_WORK/st.json")" "true"
# A driver that drops what arrives while every buffer is in flight (as
# netvadapter's link does) needs room for a burst: 4096 packets, not 256
# (umnicd posts them as the driver uses them).
t_eq "an RX queue has room for 4096 packets" "$(jq -r '.[1].queues.rx.ring' "$T_WORK/st.json")" "4096"
t_check "Advance calls are counted" [ "$(jq -r '.[0].queues.tx.advance_calls' "$T_WORK/st.json")" -gt 0 ]
text=$(umn_cli status)
t_contains "status names the interface" "$text" "interface: vpa, link up"

# Installed devices come back when umnicd starts again.
umn_stop_daemon
t_check "TAP interfaces go away with umnicd" sh -c "! ip -n $T_TAG-a link show vpa >/dev/null 2>&1"
UMNIC_INDEX_BASE=0xFFFF0000 umn_start_daemon "$T_WORK"
for _ in $(seq 1 50); do
	[ "$(umn_cli status --json | jq -r '[.[].state] | join(",")')" = "started,started" ] && break
	sleep 0.1
done
ip -n "$T_TAG-a" addr add 10.77.0.1/24 dev vpa 2>/dev/null
ip -n "$T_TAG-b" addr add 10.77.0.2/24 dev vpb 2>/dev/null
ip -n "$T_TAG-a" link set vpa up
ip -n "$T_TAG-b" link set vpb up
t_check "after a umnicd restart the pair works again" t_ping_ok "$T_TAG-a" 10.77.0.2 5

out=$(umn_cli uninstall vpa)
t_contains "uninstall by interface name" "$out" "removed ROOT\\VPAIR"
t_eq "one device left" "$(umn_cli list --json | jq length)" "1"
t_finish
