#!/bin/sh
# A driver that returns garbage indices or corrupt descriptors is stopped;
# another device's traffic is not disturbed and umnicd forwards no garbage.
. "$(dirname "$0")/lib.sh"
umn_need_root "$0" "$@"

umn_netns_add "$T_TAG-a"
umn_netns_add "$T_TAG-b"
umn_netns_add "$T_TAG-c"
umn_start_daemon "$T_WORK"
t_check "vpair pair up" t_pair "$T_TAG-a" "$T_TAG-b"

# Keep traffic flowing on the pair while the hostile drivers misbehave.
ip netns exec "$T_TAG-a" ping -i 0.01 -c 300 -q 10.77.0.2 >"$T_WORK/ping.txt" 2>&1 &
ping_pid=$!

while IFS='|' read -r mode text; do
	[ -n "$mode" ] || continue
	out=$(umn_cli install "$UMNIC_BUILD/tests/drivers/testdrv.inf" --netns "$T_TAG-c" --ifname bad$mode \
		--param "Mode=$mode" 2>&1)
	dev=$(printf "%s\n" "$out" | awk '{print $1}')
	st=""
	for _ in $(seq 1 50); do
		st=$(umn_cli status "$dev" --json)
		[ "$(printf "%s\n" "$st" | jq -r .state)" = failed ] && break
		sleep 0.05
	done
	t_eq "mode $mode: the hostile device is stopped" "$(printf "%s\n" "$st" | jq -r .state)" "failed"
	t_contains "mode $mode: the reason names the broken rule" "$(printf "%s\n" "$st" | jq -r .last_error)" "$text"
	rx=$(ip -n "$T_TAG-c" -s link show "bad$mode" 2>/dev/null | awk '/RX:/{getline; print $2}')
	t_eq "mode $mode: no frame from it reached the interface" "${rx:-0}" "0"
done <<'CASES'
7|packet ring BeginIndex 3735928559 is outside the posted range
8|Offset 1000 + ValidLength 2048 exceeds Capacity 2048
CASES

wait $ping_pid
t_contains "the pair kept forwarding: no loss" "$(cat "$T_WORK/ping.txt")" " 0% packet loss"
t_check "umnicd is alive" t_daemon_alive
t_eq "the pair is still started" "$(umn_cli status --json | jq -r '[.[] | select(.driver == "VPair") | .state] | join(",")')" "started,started"
t_finish
