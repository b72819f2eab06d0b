#!/bin/sh
# Multiple queues: vpair TCP with 4 parallel flows (iperf3 -P 4) over two
# queue pairs against the same over one queue pair, both measured in this
# run, with umnicd's default thread placement and with --datapath-cpus.
# Prints RESULT lines like bench/run.sh.
set -eu
UMNIC_BUILD=$(cd "${1:-build}" && pwd)
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/scripts/lib.sh"
umn_need_root "$0" "$@"
SECONDS_PER_RUN=${BENCH_SECONDS:-5}
REPEAT=${BENCH_REPEAT:-3}

tag=ummq$$
work=$(mktemp -d /tmp/umnic-bench.XXXXXX)
trap 'umn_cleanup; rm -rf "$work"' EXIT INT TERM


iperf4_gbps() { # NS_CLIENT NS_SERVER ADDR
	umn_iperf_gbps "$1" "$2" "$3" 5420 "$SECONDS_PER_RUN" "$work" -P 4
}
# idle and total jiffies of all CPUs so far (/proc/stat)
cpu_jiffies() { awk '/^cpu / {print $5 + $6, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9}' /proc/stat; }
# run NS_CLIENT NS_SERVER ADDR RESULT_FILE: one run; its Gbit/s into RESULT_FILE, the share of
# the machine's CPU time that was busy meanwhile into RESULT_FILE.busy
run() {
	j0=$(cpu_jiffies)
	iperf4_gbps "$1" "$2" "$3" >>"$4"
	j1=$(cpu_jiffies)
	echo "$j0 $j1" | awk '{t = $4 - $2; printf "%.2f\n", (t > 0 ? 1 - ($3 - $1) / t : 0)}' >>"$4.busy"
}

for n in a b c d; do umn_netns_add "$tag-$n"; done
# measure DAEMON_ARGS DIR SUFFIX: a daemon with DAEMON_ARGS, a one-queue and a two-queue pair,
# four TCP flows over each; RESULT lines named with SUFFIX.
measure() {
	dargs=$1 dir=$2 sfx=$3
	umn_start_daemon "$work/$dir" $dargs
	# Pair 0: one queue pair per side; pair 1: two.
	umn_cli install "$UMNIC_BUILD/drivers/vpair/vpair.inf" --netns "$tag-a" --ifname vpa >/dev/null
	umn_cli install "$UMNIC_BUILD/drivers/vpair/vpair.inf" --netns "$tag-b" --ifname vpb >/dev/null
	umn_cli install "$UMNIC_BUILD/drivers/vpair/vpair.inf" --netns "$tag-c" --ifname vpa --param Pair=1 \
		--param Queues=2 >/dev/null
	umn_cli install "$UMNIC_BUILD/drivers/vpair/vpair.inf" --netns "$tag-d" --ifname vpb --param Pair=1 \
		--param Queues=2 >/dev/null
	for p in "a 1" "b 2" "c 1" "d 2"; do
		set -- $p
		dev=$([ "$2" = 1 ] && echo vpa || echo vpb)
		ip -n "$tag-$1" addr add "10.77.0.$2/24" dev "$dev"
		ip -n "$tag-$1" link set "$dev" up
	done
	sleep 0.5

	: >"$work/one"; : >"$work/two"; : >"$work/one.busy"; : >"$work/two.busy"
	for _ in $(seq 1 "$REPEAT"); do
		run "$tag-a" "$tag-b" 10.77.0.2 "$work/one"
		run "$tag-c" "$tag-d" 10.77.0.2 "$work/two"
	done
	one=$(umn_median <"$work/one"); two=$(umn_median <"$work/two")
	printf 'RESULT name=multiqueue_vpair_tcp_4_flows_2_queues_vs_1%s value=%.2f unit=Gbit/s baseline=%.2f ratio=%s\n' "$sfx" "$two" "$one" "$(umn_ratio "$two" "$one")"
	# More queues can only help while a CPU is left over: how busy the machine was during each.
	b1=$(umn_median <"$work/one.busy"); b2=$(umn_median <"$work/two.busy")
	printf 'RESULT name=multiqueue_cpu_busy_2_queues_vs_1%s value=%s unit=share baseline=%s ratio=%s\n' "$sfx" "$b2" "$b1" "$(umn_ratio "$b2" "$b1")"
	echo "# $(nproc) CPUs: each queue pair adds a thread in umnicd and an execution context in the driver host on each side; with one queue the CPUs were busy $b1 of the time" >&2
	umn_stop_daemon || true
}

measure "" default ""
# Queue pair i of each side on CPU i (both sides' queue 0 on the first CPU, queue 1 on the second).
measure "--datapath-cpus $(python3 -c 'import os; print(",".join(map(str, sorted(os.sched_getaffinity(0)))))')" pinned _datapath_cpus

