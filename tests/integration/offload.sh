#!/bin/sh
# Offloads across vpair: TCP and UDP byte integrity with every offload on and
# off, ethtool -K reaching the driver's EvtAdapterOffloadSet* callbacks, the
# MTU limit, and the
# offloads in force replayed to a restarted driver. The runtime logs, after
# the EvtAdapterOffloadSet* callbacks ran, what the NetOffloadIs*Enabled
# queries answered.
. "$(dirname "$0")/lib.sh"
umn_need_root "$0" "$@"

A="$T_TAG-a"
B="$T_TAG-b"
FEAT="$UMNIC_SRC/tests/integration/features.py"
umn_netns_add "$A"
umn_netns_add "$B"
umn_start_daemon "$T_WORK"
LOG="$T_WORK/umnicd.log"

tcp_ok() { t_tcp_ok "$A" "$B" 10.77.0.2 "$1" "$2"; } # PORT BYTES

# UDP_SEGMENT sends: the kernel hands over USO frames when the interface offers it.
# Each 1400-byte datagram carries its number and bytes derived from it: UDP may
# lose datagrams on a busy machine, but none may arrive altered or cut.
udp_ok() { # PORT
	ip netns exec "$B" python3 - "$1" >"$T_WORK/udp.out" <<'PY' &
import socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
s.bind(("10.77.0.2", int(sys.argv[1])))
s.settimeout(5)
good = bad = 0
try:
    while good + bad < 2000:
        d = s.recv(65536)
        k = struct.unpack_from("!I", d)[0] if len(d) >= 4 else 0
        if d == struct.pack("!I", k) + bytes((k + i) & 0xff for i in range(1396)):
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
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_UDP, 103, 1400)  # UDP_SEGMENT
for i in range(200):
    buf = b"".join(struct.pack("!I", k) + bytes((k + j) & 0xff for j in range(1396))
                   for k in range(i * 10, i * 10 + 10))
    s.sendto(buf, ("10.77.0.2", int(sys.argv[1])))
    time.sleep(0.002)
PY
	wait $srv
	read -r good bad <"$T_WORK/udp.out"
	echo "UDP: $good datagrams intact, $bad altered" >&2
	[ "$bad" -eq 0 ] && [ "$good" -ge 1000 ]
}

# USO sends of 40 x 1400 bytes from A to B at full speed, for SECONDS.
uso_flood() { # PORT SECONDS
	ip netns exec "$A" python3 - "$1" "$2" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_UDP, 103, 1400)  # UDP_SEGMENT
buf = bytes(40 * 1400)
end = time.monotonic() + float(sys.argv[2])
while time.monotonic() < end:
    try:
        s.sendto(buf, ("10.77.0.2", int(sys.argv[1])))
    except OSError:
        pass
PY
}

# A flood for 2 s, faster than the receiving side writes to its TAP: the
# wire between the two sides fills up, and the receiving driver runs out of
# RX fragments (a coalesced frame takes up to 43) while it still holds
# plenty of packets. Then a ping must still pass.
flood_then_ping() { # PORT
	uso_flood "$1" 2
	t_ping_ok "$A" 10.77.0.2 3
}

# rx-gro off and on, again and again, under a USO flood: the driver answers
# each change between two Advance turns, and what it coalesced before its
# answer is still accepted; it is never stopped for it.
gro_churn() { # PORT
	umn_bg uso_flood "$1" 4
	flood=$UMN_BG_PID
	for _ in $(seq 1 8); do
		ip netns exec "$B" python3 "$FEAT" vpb rx-gro off
		sleep 0.15
		ip netns exec "$B" python3 "$FEAT" vpb rx-gro on
		sleep 0.15
	done
	wait "$flood"
	umn_forget "$flood"
	! grep "stopping driver host" "$LOG" >&2 && [ "$(st | jq -r '.[1].state')" = started ] &&
		t_ping_ok "$A" 10.77.0.2 3
}

st() { umn_cli status --json; }
logged() { # PATTERN: waits up to 5 s for a line in umnicd's log
	for _ in $(seq 1 50); do
		grep -q "$1" "$LOG" && return 0
		sleep 0.1
	done
	return 1
}

t_check "two vpair devices install and get addresses" t_pair "$A" "$B"
t_check "ping across the pair" t_ping_ok "$A" 10.77.0.2 5
t_check "the driver is told the offloads in force (LSO on)" \
	logged "VPAIR.0000: offloads in force: tx-checksum 111 rx-checksum 111 lso 11 uso 11 rsc 111"
# vpair offers wake-on-LAN and the ARP/NS power offloads as a NIC does; the
# runtime records them and names the call in a complaint when one is malformed
# (Size) or comes after NetAdapterStart.
t_check "the wake and power-offload capabilities are taken without complaint" \
	sh -c "! grep -E 'NetAdapter(Wake|PowerOffload)Set' '$LOG' >&2"

t_check "TCP: 30 MB arrive intact with every offload on" tcp_ok 5401 30000000
t_contains "umnic status lists the offloads in force" "$(umn_cli status vpa)" \
	"offloads in force: tx-csum-ipv4 tx-csum-tcp tx-csum-udp rx-csum-ipv4 rx-csum-tcp rx-csum-udp lso-ipv4 lso-ipv6 uso-ipv4 uso-ipv6 rsc-tcp-ipv4 rsc-tcp-ipv6 rsc-udp"
t_check "TX handed GSO frames to the driver (LSO)" [ "$(st | jq '.[0].queues.tx.offloaded')" -gt 0 ]
t_check "RX passed coalesced packets to the kernel (RSC)" [ "$(st | jq '.[1].queues.rx.offloaded')" -gt 0 ]
t_eq "umnicd did no segmentation of its own" "$(st | jq '.[0].queues.tx.sw_segments')" "0"
t_check "UDP with USO: datagrams arrive intact" udp_ok 5402
t_check "a USO flood that fills the wire leaves the pair working (RX fragments run out first)" \
	flood_then_ping 5403
t_check "rx-gro toggled 16 times under a USO flood: the driver is never stopped" gro_churn 5409

# ethtool -K: each toggle reaches the driver.
ip netns exec "$A" python3 "$FEAT" vpa tx-tcp-segmentation off tx-tcp6-segmentation off
t_check "tso off reaches EvtAdapterOffloadSetGso" \
	logged "VPAIR.0000: offloads in force: tx-checksum 111 rx-checksum 111 lso 00 uso 11 rsc 111"
t_eq "status shows LSO no longer in force" "$(st | jq '.[0].offload.in_force / 64 | floor % 4')" "0"
t_contains "umnic status names LSO among the offloads the driver has that are off" \
	"$(umn_cli status vpa)" "offloads the driver has, off: lso-ipv4 lso-ipv6"
ip netns exec "$B" python3 "$FEAT" vpb rx-gro off
t_check "gro off reaches EvtAdapterOffloadSetRsc" \
	logged "VPAIR.0001: offloads in force: tx-checksum 111 rx-checksum 111 lso 11 uso 11 rsc 000"
t_check "TCP intact with LSO and RSC off" tcp_ok 5403 10000000
ip netns exec "$A" python3 "$FEAT" vpa tx-checksum-ip-generic off
t_check "tx checksum off reaches EvtAdapterOffloadSetTxChecksum" \
	logged "VPAIR.0000: offloads in force: tx-checksum 000 rx-checksum 111 lso 00 uso 00"
t_check "TCP intact with the kernel doing checksums and segmentation" tcp_ok 5404 10000000
t_check "UDP intact without USO" udp_ok 5405

# The MTU follows the interface up to the driver's maximum frame (1514: MTU 1500).
ip -n "$A" link set vpa mtu 1400
t_check "ping with MTU 1400" t_ping_ok "$A" 10.77.0.2 3
ip -n "$A" link set vpa mtu 9000
t_check "an MTU beyond the maximum frame is set back" logged "MTU 9000 exceeds the driver's maximum frame"
sleep 0.3
t_eq "MTU is 1500 again" "$(ip -n "$A" -j link show vpa | jq '.[0].mtu')" "1500"

# A restarted driver gets the offloads in force replayed (tx checksum still off on A).
n=$(grep -c "VPAIR.0000: offloads in force: tx-checksum 000 rx-checksum 111 lso 00 uso 00" "$LOG")
t_kill_host "$(st | jq '.[0].host_pid')"
for _ in $(seq 1 100); do
	[ "$(grep -c "VPAIR.0000: offloads in force: tx-checksum 000 rx-checksum 111 lso 00 uso 00" "$LOG")" -gt "$n" ] && break
	sleep 0.1
done
t_check "after a crash the new driver is told tx checksum is off" \
	[ "$(grep -c "VPAIR.0000: offloads in force: tx-checksum 000 rx-checksum 111 lso 00 uso 00" "$LOG")" -gt "$n" ]
ip netns exec "$A" python3 "$FEAT" vpa tx-checksum-ip-generic on tx-tcp-segmentation on
t_check "TCP intact after the restart" tcp_ok 5406 10000000

# Software fallback: a driver that offers nothing; umnicd segments and checksums.
umn_cli uninstall vpa >/dev/null
umn_cli uninstall vpb >/dev/null
umn_cli install "$UMNIC_BUILD/drivers/vpair/vpair.inf" --netns "$A" --ifname vpa --param Pair=1 \
	--param OffloadChecksum=0 --param OffloadLso=0 --param OffloadRsc=0 >/dev/null
umn_cli install "$UMNIC_BUILD/drivers/vpair/vpair.inf" --netns "$B" --ifname vpb --param Pair=1 \
	--param OffloadChecksum=0 --param OffloadLso=0 --param OffloadRsc=0 >/dev/null
ip -n "$A" addr add 10.77.0.1/24 dev vpa
ip -n "$B" addr add 10.77.0.2/24 dev vpb
ip -n "$A" link set vpa up
ip -n "$B" link set vpb up
t_check "ping without offloads" t_ping_ok "$A" 10.77.0.2 5
t_eq "the driver can do nothing" "$(st | jq '.[0].offload.driver_can')" "0"
t_check "TCP intact with umnicd segmenting in software" tcp_ok 5407 20000000
t_check "umnicd cut the GSO frames itself" [ "$(st | jq '.[0].queues.tx.sw_segments')" -gt 0 ]
t_check "UDP intact with umnicd segmenting in software" udp_ok 5408
t_finish
