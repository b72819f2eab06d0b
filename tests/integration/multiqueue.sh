#!/bin/sh
# Multiple queues across vpair (Queues=2): the TAP has a queue per pair and
# the kernel spreads what it sends over them; the receiving driver's RSS
# (the key and indirection table umnicd gave it) spreads what it receives,
# with the hash in ms_packet_hash. Asserted with the per-queue counters of
# `umnic status`; TCP and UDP arrive intact; `umnic set` reaches the driver
# and is replayed to a restarted one.
. "$(dirname "$0")/lib.sh"
umn_need_root "$0" "$@"

A="$T_TAG-a"
B="$T_TAG-b"
TCP="$UMNIC_SRC/tests/integration/tcpcheck.py"
umn_netns_add "$A"
umn_netns_add "$B"
umn_start_daemon "$T_WORK"
LOG="$T_WORK/umnicd.log"

st() { umn_cli status --json; }
logged_more() { # PATTERN COUNT: waits up to 10 s for more than COUNT lines
	for _ in $(seq 1 100); do
		[ "$(grep -c "$1" "$LOG")" -gt "$2" ] && return 0
		sleep 0.1
	done
	return 1
}
# RX packets of device $1's queue $2
rxq() { st | jq ".[$1].queues.per_queue[$2].rx.packets"; }
txq() { st | jq ".[$1].queues.per_queue[$2].tx.packets"; }

fails() { ! "$@" >/dev/null 2>&1; }

tcp2_ok() { # PORT1 PORT2 BYTES: two streams at once
	ip netns exec "$B" python3 "$TCP" serve 10.77.0.2 "$1" &
	s1=$!
	ip netns exec "$B" python3 "$TCP" serve 10.77.0.2 "$2" &
	s2=$!
	sleep 0.3
	ip netns exec "$A" timeout 60 python3 "$TCP" send 10.77.0.2 "$1" "$3" &
	c1=$!
	ip netns exec "$A" timeout 60 python3 "$TCP" send 10.77.0.2 "$2" "$3"
	r=$?
	wait $c1 || r=1
	wait $s1
	wait $s2
	return $r
}

tcp_ok() { t_tcp_ok "$A" "$B" 10.77.0.2 "$1" "$2"; } # PORT BYTES

# UDP from 16 source ports to one server: 16 flows. Each datagram carries its
# flow, its number and bytes derived from both; none may arrive altered.
udp_flows() { # PORT
	ip netns exec "$B" python3 - "$1" >"$T_WORK/udp.out" <<'PY' &
import socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
s.bind(("10.77.0.2", int(sys.argv[1])))
s.settimeout(5)
good = bad = 0
try:
    while good + bad < 3200:
        d = s.recv(65536)
        f, k = struct.unpack_from("!II", d) if len(d) >= 8 else (0, 0)
        if d == struct.pack("!II", f, k) + bytes((f * 7 + k + i) & 0xff for i in range(1000)):
            good += 1
        else:
            bad += 1
except socket.timeout:
    pass
print(good, bad)
PY
	srv=$!
	sleep 0.3
	ip netns exec "$A" python3 - "$1" <<'PY'
import socket, struct, sys, time
socks = []
for f in range(16):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("10.77.0.1", 20000 + f * 2741 % 40000))  # ports differing in many bits
    socks.append(s)
for k in range(200):
    for f, s in enumerate(socks):
        s.sendto(struct.pack("!II", f, k) + bytes((f * 7 + k + i) & 0xff for i in range(1000)),
                 ("10.77.0.2", int(sys.argv[1])))
    time.sleep(0.002)
PY
	wait $srv
	read -r good bad <"$T_WORK/udp.out"
	echo "UDP: $good datagrams intact, $bad altered" >&2
	[ "$bad" -eq 0 ] && [ "$good" -ge 1600 ]
}

umn_cli install "$UMNIC_BUILD/drivers/vpair/vpair.inf" --netns "$A" --ifname vpa --param Queues=2 >/dev/null
# B's table changes take 20 ms (RssUpdateHoldMs), long enough for an Advance to come.
umn_cli install "$UMNIC_BUILD/drivers/vpair/vpair.inf" --netns "$B" --ifname vpb --param Queues=2 \
	--param RssUpdateHoldMs=20 >/dev/null
ip -n "$A" addr add 10.77.0.1/24 dev vpa
ip -n "$B" addr add 10.77.0.2/24 dev vpb
ip -n "$A" link set vpa up
ip -n "$B" link set vpb up
t_check "ping across a pair with two queues" t_ping_ok "$A" 10.77.0.2 5
t_eq "A uses two queue pairs" "$(st | jq '.[0].queues.count')" "2"
t_eq "B uses two queue pairs" "$(st | jq '.[1].queues.count')" "2"
t_eq "the TAP has two queues" "$(ls /proc/$UMN_DAEMON_PID/fdinfo | while read -r f; do
	grep -l "^iff:.*vpb" "/proc/$UMN_DAEMON_PID/fdinfo/$f" 2>/dev/null; done | wc -l)" "2"
t_check "the driver turned receive scaling on" logged_more "VPAIR.0001: receive scaling on" 0
# A fixed key: where each flow lands is the same in every run.
n=$(grep -c "VPAIR.0001: receive scaling on" "$LOG")
t_check "umnic set takes a key" umn_cli set vpb --rss-key 0c334a24bd8eebdadb23009d51d85b68cac2313271f89e954cf49adda42fead1ddbd826ba4cb02a4
t_check "the key reaches the driver" logged_more "VPAIR.0001: receive scaling on" "$n"
t_eq "status shows the key" "$(st | jq -r '.[1].rss.key')" "0c334a24bd8eebdadb23009d51d85b68cac2313271f89e954cf49adda42fead1ddbd826ba4cb02a4"
t_eq "status says receive scaling is on" "$(st | jq '.[1].rss.enabled')" "true"

t_check "UDP: 16 flows arrive intact" udp_flows 5501
t_check "A sent on TX queue 0 (the kernel spreads flows over the TAP queues)" [ "$(txq 0 0)" -gt 0 ]
t_check "A sent on TX queue 1" [ "$(txq 0 1)" -gt 0 ]
t_check "B received on RX queue 0 (the driver's RSS)" [ "$(rxq 1 0)" -gt 100 ]
t_check "B received on RX queue 1" [ "$(rxq 1 1)" -gt 100 ]
t_check "the driver gave B's packets a hash (ms_packet_hash)" [ "$(st | jq '.[1].queues.rx.hashed')" -gt 100 ]
t_check "TCP: 20 MB arrive intact over two queues" tcp_ok 5502 20000000
t_check "TCP: two streams at once, both intact" tcp2_ok 5503 5504 8000000

# The indirection table reaches the driver: everything to queue 1.
t_check "umnic set refuses a queue that does not exist" fails umn_cli set vpb --indirection 0,5
t_check "umnic set refuses a short key" fails umn_cli set vpb --rss-key 0011
t_check "umnic set refuses more queues than there may be" fails umn_cli set vpb --queues 9
n=$(grep -c "VPAIR.0001: receive scaling on" "$LOG")
umn_cli set vpb --indirection 1 >/dev/null
t_check "the new table reaches the driver" logged_more "VPAIR.0001: receive scaling on" "$n"
t_eq "status shows every entry on queue 1" "$(st | jq '[.[1].rss.indirection[] | select(. != 1)] | length')" "0"
before0=$(rxq 1 0)
before1=$(rxq 1 1)
t_check "UDP intact with the new table" udp_flows 5505
t_check "nothing more arrived on RX queue 0" [ "$(rxq 1 0)" -le "$((before0 + 5))" ]
t_check "queue 1 took the flows" [ "$(rxq 1 1)" -gt "$((before1 + 1000))" ]

both_started() {
	for _ in $(seq 1 100); do
		[ "$(st | jq -r '.[1].state')" = started ] && [ "$(st | jq -r '.[0].state')" = started ] && return 0
		sleep 0.1
	done
	return 1
}

# SynchronizeSetIndirectionEntries (vpair asks for it): while frames arrive
# every 2 ms, no Advance of B runs during any of its 20 ms table changes.
n=$(grep -c "VPAIR.0001: receive scaling on" "$LOG")
ip netns exec "$A" ping -i 0.002 -c 600 -q 10.77.0.2 >/dev/null 2>&1 &
pinger=$!
UMN_PIDS="$UMN_PIDS $pinger"
for t in equal 1 equal 1 equal 1; do
	umn_cli set vpb --indirection "$t" >/dev/null
	sleep 0.1
done
wait "$pinger"
umn_forget "$pinger"
t_check "six table changes reached the driver" logged_more "VPAIR.0001: receive scaling on" "$((n + 5))"
t_eq "no Advance ran during one (SynchronizeSetIndirectionEntries)" \
	"$(grep -c "an Advance ran while the indirection table changed" "$LOG")" "0"

# A new queue count applies at once: the device stops and starts again with it.
n=$(grep -c "VPAIR.0001: receive scaling on" "$LOG")
t_contains "umnic set --queues stops and starts the device with them" \
	"$(umn_cli set vpb --queues 1)" "the device stops and starts again with them"
t_check "it is started again" both_started
t_eq "B uses the one queue set for it, at once" "$(st | jq '.[1].queues.count')" "1"
t_eq "A still uses two" "$(st | jq '.[0].queues.count')" "2"
t_check "the driver gets receive scaling again at its start" logged_more "VPAIR.0001: receive scaling on" "$n"
t_check "ping with one queue" t_ping_ok "$A" 10.77.0.2 3

# A crashed driver keeps the count and gets the same table again.
n=$(grep -c "VPAIR.0001: receive scaling on" "$LOG")
t_kill_host "$(st | jq '.[1].host_pid')"
t_check "the restarted driver gets receive scaling again" logged_more "VPAIR.0001: receive scaling on" "$n"
both_started
t_eq "B still uses one queue after the crash" "$(st | jq '.[1].queues.count')" "1"
umn_cli set vpb --queues 2 >/dev/null
both_started
t_eq "B has two queues again" "$(st | jq '.[1].queues.count')" "2"
t_eq "the replayed table still sends everything to queue 1" \
	"$(st | jq '[.[1].rss.indirection[] | select(. != 1)] | length')" "0"
t_check "ping after the restarts" t_ping_ok "$A" 10.77.0.2 5
t_check "UDP intact after the restarts" udp_flows 5506
t_check "RX queue 0 of the new driver took none of the flows" [ "$(rxq 1 0)" -le 5 ]
t_check "RX queue 1 of the new driver took them" [ "$(rxq 1 1)" -gt 1000 ]

# 802.1Q (OffloadVlan=1 on both ends): a tagged frame read from A's TAP has its
# tag moved into ms_packet_ieee8021q, vpair puts it on the wire, the other vpair
# takes it off into the extension and umnicd puts it back into the frame that
# reaches B's stack. Raw frames, since this kernel may have no 802.1Q module.
umn_cli uninstall vpa >/dev/null
umn_cli uninstall vpb >/dev/null
umn_cli install "$UMNIC_BUILD/drivers/vpair/vpair.inf" --netns "$A" --ifname vpa --param Pair=1 \
	--param Queues=2 --param OffloadVlan=1 >/dev/null
umn_cli install "$UMNIC_BUILD/drivers/vpair/vpair.inf" --netns "$B" --ifname vpb --param Pair=1 \
	--param Queues=2 --param OffloadVlan=1 >/dev/null
ip -n "$A" link set vpa up
ip -n "$B" link set vpb up
t_eq "the driver offers 802.1Q tag offload" "$(st | jq '.[0].offload.driver_can / 8192 | floor % 2')" "1"
for _ in $(seq 1 50); do
	[ "$(st | jq '.[0].offload.in_force / 8192 | floor % 2')" = 1 ] && break
	sleep 0.1
done
tagged_ok() {
	ip netns exec "$B" python3 - >"$T_WORK/vlan.out" <<'PY' &
import socket, struct
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
s.bind(("vpb", 0))
s.setsockopt(263, 8, 1)  # SOL_PACKET, PACKET_AUXDATA
s.settimeout(5)
good = bad = 0
try:
    while good + bad < 50:
        data, anc, _, _ = s.recvmsg(4096, socket.CMSG_SPACE(32))
        if len(data) < 14 or data[12:14] != b"\x88\xb5":
            continue
        tci = None
        for level, typ, d in anc:
            if level == 263 and typ == 8:
                status, _, _, _, _, tci = struct.unpack_from("IIIHHH", d)
                tci = tci if status & 0x10 else None  # TP_STATUS_VLAN_VALID
        k = data[14]
        if tci == (3 << 13 | 5) and data[14:] == bytes((k + i) & 0xff for i in range(200)):
            good += 1
        else:
            bad += 1
except socket.timeout:
    pass
print(good, bad)
PY
	rx=$!
	sleep 0.5
	ip netns exec "$A" python3 - "$(ip -n "$B" -j link show vpb | jq -r '.[0].address')" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("vpa", 0))
dst = bytes.fromhex(sys.argv[1].replace(":", ""))
src = s.getsockname()[4]
for k in range(50):
    s.send(dst + src + b"\x81\x00" + (3 << 13 | 5).to_bytes(2, "big") + b"\x88\xb5" +
           bytes((k + i) & 0xff for i in range(200)))
    time.sleep(0.01)
PY
	wait $rx
	read -r good bad <"$T_WORK/vlan.out"
	echo "802.1Q: $good frames with their tag, $bad without or altered" >&2
	[ "$bad" -eq 0 ] && [ "$good" -ge 45 ]
}
t_check "tagged frames arrive with their tag and payload" tagged_ok
t_check "A moved tags into the extension" [ "$(st | jq '.[0].queues.tx.tagged')" -ge 45 ]
t_check "B put tags from the extension back into frames" [ "$(st | jq '.[1].queues.rx.tagged')" -ge 45 ]
t_finish
