#!/bin/sh
# Offloads: vpair TCP against a TAP forwarder with the virtio-net header and
# TSO/checksum offload (bench/tap_fwd.c, built here) and against a kernel
# veth pair; UDP with USO against the same forwarder; ping RTT against veth
# and the forwarder, 5 ms apart and paced 100 ms apart;
# system calls per MB moved by umnicd and the driver host. Baselines are
# measured in the same run. Prints RESULT lines like bench/run.sh.
set -eu
UMNIC_BUILD=$(cd "${1:-build}" && pwd)
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/scripts/lib.sh"
umn_need_root "$0" "$@"
SECONDS_PER_RUN=${BENCH_SECONDS:-5}
REPEAT=${BENCH_REPEAT:-3}

tag=umoff$$
work=$(mktemp -d /tmp/umnic-bench.XXXXXX)
trap 'umn_cleanup; rm -rf "$work"' EXIT INT TERM


iperf_gbps() { # NS_CLIENT NS_SERVER ADDR
	umn_iperf_gbps "$1" "$2" "$3" 5410 "$SECONDS_PER_RUN" "$work"
}

# UDP_SEGMENT sends of 40 x 1400 bytes for a few seconds; prints what arrived, in Gbit/s.
udp_gbps() { # NS_CLIENT NS_SERVER ADDR
	umn_bg ip netns exec "$2" python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
s.bind((sys.argv[1], 5411)); s.settimeout(2)
n = 0; t0 = None
try:
    while True:
        n += len(s.recv(65536)); t0 = t0 or time.monotonic(); t1 = time.monotonic()
except socket.timeout:
    pass
print(n * 8 / max(t1 - t0, 1e-6) / 1e9 if t0 else 0)' "$3" >"$work/udp.out"
	sleep 0.3
	ip netns exec "$1" python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_UDP, 103, 1400)
buf = bytes(40 * 1400); end = time.monotonic() + float(sys.argv[2])
while time.monotonic() < end:
    try: s.sendto(buf, (sys.argv[1], 5411))
    except OSError: pass' "$3" "$SECONDS_PER_RUN"
	wait "$UMN_BG_PID" 2>/dev/null || true
	cat "$work/udp.out"
}

rtt_ms() { # NS ADDR [COUNT INTERVAL]: average RTT of 200 pings 5 ms apart, or as given
	ip netns exec "$1" ping -c "${3:-200}" -i "${4:-0.005}" -q "$2" 2>/dev/null | awk -F/ '/^rtt/ {print $5}'
}

for n in a b c d e f; do umn_netns_add "$tag-$n"; done
ip link add "$tag-va" netns "$tag-a" type veth peer name "$tag-vb" netns "$tag-b"
ip -n "$tag-a" addr add 10.78.0.1/24 dev "$tag-va"
ip -n "$tag-b" addr add 10.78.0.2/24 dev "$tag-vb"
ip -n "$tag-a" link set "$tag-va" up
ip -n "$tag-b" link set "$tag-vb" up

umn_bg "$UMNIC_BUILD/bench/tap_fwd" "$tag-c" fwa "$tag-d" fwb >"$work/fwd.out"
for _ in $(seq 1 50); do grep -q ready "$work/fwd.out" && break; sleep 0.1; done
ip -n "$tag-c" addr add 10.79.0.1/24 dev fwa
ip -n "$tag-d" addr add 10.79.0.2/24 dev fwb
ip -n "$tag-c" link set fwa up
ip -n "$tag-d" link set fwb up

umn_start_daemon "$work"
umn_vpair_up "$tag-e" "$tag-f"
sleep 0.5

: >"$work/veth"; : >"$work/fwd"; : >"$work/vpair"
for _ in $(seq 1 "$REPEAT"); do
	iperf_gbps "$tag-a" "$tag-b" 10.78.0.2 >>"$work/veth"
	iperf_gbps "$tag-c" "$tag-d" 10.79.0.2 >>"$work/fwd"
	iperf_gbps "$tag-e" "$tag-f" 10.77.0.2 >>"$work/vpair"
done
veth=$(umn_median <"$work/veth"); fwd=$(umn_median <"$work/fwd"); vp=$(umn_median <"$work/vpair")
printf 'RESULT name=offload_vpair_tcp_vs_tap_forwarder value=%.2f unit=Gbit/s baseline=%.2f ratio=%s\n' "$vp" "$fwd" "$(umn_ratio "$vp" "$fwd")"
printf 'RESULT name=offload_vpair_tcp_vs_veth value=%.2f unit=Gbit/s baseline=%.2f ratio=%s\n' "$vp" "$veth" "$(umn_ratio "$vp" "$veth")"

ufwd=$(udp_gbps "$tag-c" "$tag-d" 10.79.0.2)
uvp=$(udp_gbps "$tag-e" "$tag-f" 10.77.0.2)
printf 'RESULT name=offload_vpair_udp_uso_vs_tap_forwarder value=%.2f unit=Gbit/s baseline=%.2f ratio=%s\n' "$uvp" "$ufwd" "$(umn_ratio "$uvp" "$ufwd")"

rv=$(rtt_ms "$tag-a" 10.78.0.2); rf=$(rtt_ms "$tag-c" 10.79.0.2); rp=$(rtt_ms "$tag-e" 10.77.0.2)
printf 'RESULT name=offload_vpair_ping_rtt value=%s unit=ms baseline=%s ratio=%s\n' "$rp" "$rv" "$(umn_ratio "$rp" "$rv")"
printf 'RESULT name=offload_tap_forwarder_ping_rtt value=%s unit=ms baseline=%s ratio=%s\n' "$rf" "$rv" "$(umn_ratio "$rf" "$rv")"
# Against the best a process on a TAP can do: one thread, one wake-up each way.
printf 'RESULT name=offload_vpair_ping_rtt_vs_tap_forwarder value=%s unit=ms baseline=%s ratio=%s\n' "$rp" "$rf" "$(umn_ratio "$rp" "$rf")"
# Paced (100 ms apart): every wake-up finds idle CPUs, as an interactive ping does.
rv=$(rtt_ms "$tag-a" 10.78.0.2 20 0.1); rf=$(rtt_ms "$tag-c" 10.79.0.2 20 0.1); rpp=$(rtt_ms "$tag-e" 10.77.0.2 20 0.1)
printf 'RESULT name=offload_vpair_ping_rtt_paced value=%s unit=ms baseline=%s ratio=%s\n' "$rpp" "$rv" "$(umn_ratio "$rpp" "$rv")"
printf 'RESULT name=offload_vpair_ping_rtt_paced_vs_tap_forwarder value=%s unit=ms baseline=%s ratio=%s\n' "$rpp" "$rf" "$(umn_ratio "$rpp" "$rf")"

# A CPU-bound process tied to the CPU --datapath-cpus will name below: what it gets, and TCP
# beside it, with umnicd's default placement (here) and with the datapath tied there (below).
dpcpu=$(python3 -c 'import os; print(min(os.sched_getaffinity(0)))')
hog_run() { # prints "GBIT/S HOG_SHARE"
	umn_bg taskset -c "$dpcpu" sh -c 'while :; do :; done'
	hog=$UMN_BG_PID
	t0=$(umn_cpu_ticks "$hog"); s0=$(date +%s%N)
	g=$(iperf_gbps "$tag-e" "$tag-f" 10.77.0.2)
	t1=$(umn_cpu_ticks "$hog"); s1=$(date +%s%N)
	umn_stop "$hog"
	echo "$g $t0 $t1 $s0 $s1 $(getconf CLK_TCK)" | awk '{printf "%s %.2f\n", $1, ($3 - $2) / $6 / (($5 - $4) / 1e9)}'
}
set -- $(hog_run); hog_tcp=$1; hog_share=$2

# A path that stopped carrying frames is a failure, not a slow number.
for m in "vpair TCP:$vp" "vpair UDP:$uvp" "vpair ping:$rp" "vpair TCP beside a busy CPU:$hog_tcp"; do
	case "${m#*:}" in
	'' | 0 | 0.00*) echo "bench/offload.sh: ${m%%:*} measured nothing: vpair stopped carrying frames" >&2; fail=1 ;;
	esac
done

# System calls per MB: strace counts them in umnicd and the driver host over a short TCP run.
if command -v strace >/dev/null; then
	dpid=$UMN_DAEMON_PID
	hpid=$(umn_cli status --json | jq '.[0].host_pid')
	if [ -n "$dpid" ] && [ "$hpid" -gt 1 ]; then
		umn_bg strace -c -f -p "$dpid" -p "$hpid" -o "$work/strace.txt"
		spid=$UMN_BG_PID
		sleep 0.5
		bytes0=$(umn_cli status --json | jq '.[0].queues.tx.bytes')
		SECONDS_PER_RUN=2 iperf_gbps "$tag-e" "$tag-f" 10.77.0.2 >/dev/null
		bytes1=$(umn_cli status --json | jq '.[0].queues.tx.bytes')
		kill -INT "$spid"; wait "$spid" 2>/dev/null || true
		calls=$(awk '/total/ {print $4}' "$work/strace.txt")
		echo "$calls $bytes0 $bytes1" | awk '{mb = ($3 - $2) / 1e6; printf "RESULT name=offload_syscalls_per_mb value=%.1f unit=calls/MB baseline=0 ratio=0\n", (mb > 0 ? $1 / mb : 0)}'
		echo "# syscalls of umnicd and the driver host under strace (which slows the run), per MB vpair moved" >&2
	fi
fi
umn_stop_daemon || true

# The same pair with --datapath-cpus: each side's umnicd thread and execution context on one CPU.
umn_start_daemon "$work/pinned" --datapath-cpus "$dpcpu"
umn_vpair_up "$tag-e" "$tag-f"
sleep 0.5
: >"$work/pinned.tcp"
for _ in $(seq 1 "$REPEAT"); do
	iperf_gbps "$tag-e" "$tag-f" 10.77.0.2 >>"$work/pinned.tcp"
done
pp=$(umn_median <"$work/pinned.tcp")
printf 'RESULT name=offload_vpair_tcp_datapath_cpus_vs_veth value=%.2f unit=Gbit/s baseline=%.2f ratio=%s\n' "$pp" "$veth" "$(umn_ratio "$pp" "$veth")"
printf 'RESULT name=offload_vpair_tcp_datapath_cpus_vs_tap_forwarder value=%.2f unit=Gbit/s baseline=%.2f ratio=%s\n' "$pp" "$fwd" "$(umn_ratio "$pp" "$fwd")"
printf 'RESULT name=offload_vpair_tcp_datapath_cpus_vs_default value=%.2f unit=Gbit/s baseline=%.2f ratio=%s\n' "$pp" "$vp" "$(umn_ratio "$pp" "$vp")"
rq=$(rtt_ms "$tag-e" 10.77.0.2); rqp=$(rtt_ms "$tag-e" 10.77.0.2 20 0.1)
printf 'RESULT name=offload_vpair_ping_rtt_datapath_cpus value=%s unit=ms baseline=%s ratio=%s\n' "$rq" "$rp" "$(umn_ratio "$rq" "$rp")"
printf 'RESULT name=offload_vpair_ping_rtt_paced_datapath_cpus value=%s unit=ms baseline=%s ratio=%s\n' "$rqp" "$rpp" "$(umn_ratio "$rqp" "$rpp")"
set -- $(hog_run)
printf 'RESULT name=offload_vpair_tcp_beside_hog_datapath_cpus value=%.2f unit=Gbit/s baseline=%.2f ratio=%s\n' "$1" "$hog_tcp" "$(umn_ratio "$1" "$hog_tcp")"
printf 'RESULT name=offload_hog_cpu_share_datapath_cpus value=%s unit=share baseline=%s ratio=%s\n' "$2" "$hog_share" "$(umn_ratio "$2" "$hog_share")"
case "$pp" in '' | 0 | 0.00*) echo "bench/offload.sh: vpair TCP with --datapath-cpus measured nothing" >&2; fail=1 ;; esac
echo "# a CPU-bound process tied to CPU $dpcpu, beside vpair TCP: baseline with umnicd's default placement, value with --datapath-cpus $dpcpu" >&2
umn_stop_daemon || true
exit "${fail:-0}"
