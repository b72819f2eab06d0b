#!/bin/sh
# `umnic stop` and `umnic start`: a PnP stop keeps the driver's device (same
# host process, no failure counted), stops the datapath and drops the carrier
# while the interface keeps its address; ping fails while stopped and works
# after the start, and a TCP connection opened before the stop carries data
# after it. Refusals name the state; a host that dies while its device is
# stopped leaves it stopped; a stopped device uninstalls.
. "$(dirname "$0")/lib.sh"
umn_need_root "$0" "$@"

umn_netns_add "$T_TAG-a"
umn_netns_add "$T_TAG-b"
umn_start_daemon "$T_WORK"
t_pair "$T_TAG-a" "$T_TAG-b"
dev=$(umn_cli status vpa --json | jq -r .instance_id)
t_check "pair up" t_ping_ok "$T_TAG-a" 10.77.0.2 3
t_no_ping() { ! t_ping_ok "$@"; }
hp=$(umn_cli status vpa --json | jq -r .host_pid)
ifindex=$(ip -n "$T_TAG-a" -o link show vpa | cut -d: -f1)

out=$(umn_cli stop vpa 2>&1)
t_eq "umnic stop answers once the device is stopped" "$?:$out" "0:$dev stopped"
st=$(umn_cli status vpa --json)
t_eq "status shows it stopped" "$(printf '%s' "$st" | jq -r .state)" "stopped"
t_eq "without carrier" "$(printf '%s' "$st" | jq -r .link)" "down"
t_eq "in the same driver host" "$(printf '%s' "$st" | jq -r .host_pid)" "$hp"
t_contains "the text status says stopped too" "$(umn_cli status vpa)" "stopped"
t_check "ping fails while it is stopped" t_no_ping "$T_TAG-a" 10.77.0.2 2
t_eq "the interface stays (same ifindex)" "$(ip -n "$T_TAG-a" -o link show vpa | cut -d: -f1)" "$ifindex"
t_contains "with its address" "$(ip -n "$T_TAG-a" addr show vpa)" "10.77.0.1/24"
out=$(umn_cli stop vpa 2>&1)
t_eq "stopping a stopped device fails" "$?" "1"
t_contains "and names its state" "$out" "$dev is stopped; only a started device can be stopped"
out=$(umn_cli restart vpa 2>&1)
t_contains "umnic restart points to umnic start" "$out" "is stopped; \`umnic start $dev\`"
out=$(umn_cli start vpb 2>&1)
t_contains "starting a started device fails and names its state" "$out" "is started; only a stopped device can be started"

out=$(umn_cli start vpa 2>&1)
t_eq "umnic start answers once it runs" "$?:$out" "0:$dev vpa"
st=$(umn_cli status vpa --json)
t_eq "started again" "$(printf '%s' "$st" | jq -r .state)" "started"
t_eq "in the same driver host, not a restart" \
	"$(printf '%s' "$st" | jq -r '"\(.host_pid) \(.failures)"')" "$hp 0"
t_check "ping works again" t_ping_ok "$T_TAG-a" 10.77.0.2 3
t_eq "the carrier is back" "$(umn_cli status vpa --json | jq -r .link)" "up"

# A connection opened before the stop carries data after the start (the client runs both).
py="$UMNIC_SRC/tests/integration/pnp_stop.py"
cli="${UMNIC_CLI:-$UMNIC_BUILD/src/cli/umnic} --run-dir $UMN_RUN_DIR"
umn_bg ip netns exec "$T_TAG-b" python3 "$py" serve 10.77.0.2 5600
srv=$UMN_BG_PID
sleep 0.5
out=$(ip netns exec "$T_TAG-a" python3 "$py" client 10.77.0.2 5600 "$cli stop vpa" "$cli start vpa" 2>&1)
t_eq "a TCP connection survives stop and start" "$out" "OK"
umn_stop "$srv"
t_eq "still no failure counted" "$(umn_cli status vpa --json | jq -r .failures)" "0"

# Frames waiting on the wire for a stopped peer are sent from the sender's own TX buffers: a
# sender stopped meanwhile takes them back at once (no 2 s wait for its queue to drain), and the
# peer started later skips them instead of reading buffers that are gone.
umn_cli stop vpb >/dev/null
sent=$(umn_cli status vpa --json | jq '.queues.tx.packets')
ip netns exec "$T_TAG-a" python3 -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
end = time.monotonic() + 1
while time.monotonic() < end:
    try: s.sendto(bytes(1200), ("10.77.0.2", 5601))
    except OSError: pass'
held=$(($(umn_cli status vpa --json | jq '.queues.tx.packets') - sent))
t_check "frames went to the wire while the peer was stopped ($held)" test "$held" -ge 200
t0=$(date +%s%N)
umn_cli stop vpa >/dev/null
ms=$((($(date +%s%N) - t0) / 1000000))
t_check "the sender stops at once with frames on the wire (${ms} ms)" test "$ms" -lt 1500
t_lacks "its queue gave every buffer back" "$(cat "$T_WORK/umnicd.log")" "did not return every element"
umn_cli start vpb >/dev/null
umn_cli start vpa >/dev/null
t_check "both ends ping after it" t_ping_ok "$T_TAG-a" 10.77.0.2 3
t_eq "in the same driver host, nothing failed" \
	"$(umn_cli status vpa --json | jq -r '"\(.host_pid) \(.failures)"')" "$hp 0"

# The host dies while the device is stopped: it stays stopped; start runs it in a new host.
umn_cli stop vpa >/dev/null
hp=$(umn_cli status vpa --json | jq -r .host_pid)
t_kill_host "$hp"
for _ in $(seq 1 100); do
	[ "$(umn_cli status vpb --json | jq -r .state)" = started ] &&
		[ "$(umn_cli status vpb --json | jq -r .host_pid)" != "$hp" ] && break
	sleep 0.05
done
t_eq "a stopped device stays stopped when its host dies" "$(umn_cli status vpa --json | jq -r .state)" "stopped"
out=$(umn_cli start vpa 2>&1)
t_eq "umnic start brings it up in a new host" "$?:$out" "0:$dev vpa"
t_check "and it pings" t_ping_ok "$T_TAG-a" 10.77.0.2 3

# A stopped device uninstalls; its peer goes on.
umn_cli stop vpa >/dev/null
out=$(umn_cli uninstall vpa 2>&1)
t_eq "a stopped device uninstalls" "$?:$out" "0:removed $dev"
t_check "its interface is gone" sh -c "! ip -n $T_TAG-a link show vpa >/dev/null 2>&1"
t_eq "its peer runs" "$(umn_cli status vpb --json | jq -r .state)" "started"
t_check "umnicd is alive" t_daemon_alive
t_finish
