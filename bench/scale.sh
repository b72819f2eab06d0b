#!/bin/sh
# Scale benchmarks over vpair, for 64 devices in one shared driver host and
# for 64 devices each in a host of its own (vpair_solo.inf, pairs joined by
# UDP sockets over a veth):
#  - install time of the 64 devices, against the 5 s goal;
#  - RSS and PSS of a driver host (smaps_rollup; the largest of the 64 for
#    one host each), against one host running a single pair, measured in
#    the same run (the goal is at most 8 MiB RSS);
#  - umnicd's RSS with the 64 devices, against umnicd with none.
# Every pair has passed a few pings before memory is read. Everything the
# benchmark starts is stopped by pid; its namespaces are removed.
set -eu
UMNIC_BUILD=$(cd "${1:-build}" && pwd)
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/scripts/lib.sh"
umn_need_root "$0" "$@"
N=64
P=$((N / 2))

tag=umscl$$
work=$(mktemp -d /tmp/umnic-scale.XXXXXX)
trap 'umn_cleanup; rm -rf "$work"' EXIT INT TERM

now_ms() { echo $(($(date +%s%N) / 1000000)); }
# kib PID FIELD: a field (Rss, Pss) of the process's smaps_rollup, in KiB.
kib() {
	v=$(awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/smaps_rollup" 2>/dev/null || true)
	echo "${v:-0}"
}
mib() { awk -v k="$1" 'BEGIN { printf "%.2f", k / 1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "NA" }'; }
result() { printf 'RESULT name=%s value=%s unit=%s baseline=%s ratio=%s\n' "$1" "$2" "$3" "$4" "$(ratio "$2" "$4")"; }

A="$tag-a"
B="$tag-b"
umn_netns_add "$A"
umn_netns_add "$B"
umn_vpair_underlay "$A" "$B" "$tag"

# install_pair KIND I: the two ends of pair I, A in $A as a$I, B in $B as b$I.
install_pair() { umn_vpair_install "$1" "$2" "$A" "a$2" "$B" "b$2"; }

# traffic COUNT: addresses on pairs 0..COUNT-1 and three pings across each.
traffic() {
	i=0
	while [ "$i" -lt "$1" ]; do
		ip -n "$A" addr add "10.77.$i.1/24" dev "a$i"
		ip -n "$B" addr add "10.77.$i.2/24" dev "b$i"
		ip -n "$A" link set "a$i" up
		ip -n "$B" link set "b$i" up
		i=$((i + 1))
	done
	i=0
	while [ "$i" -lt "$1" ]; do
		ip netns exec "$A" ping -c 3 -i 0.05 -W 2 -q "10.77.$i.2" >/dev/null ||
			echo "# pair $i passed no traffic" >&2
		i=$((i + 1))
	done
}

host_pids() { umn_cli status --json | jq -r '[.[].host_pid] | unique | .[]'; }

# run KIND: installs N devices of KIND into a fresh umnicd and reports.
run() {
	rm -rf "$work/d"
	umn_start_daemon "$work/d"
	idle_rss=$(kib "$UMN_DAEMON_PID" Rss)
	# Baseline host: one pair alone.
	install_pair "$1" 0
	traffic 1
	base_rss=0
	base_pss=0
	for p in $(host_pids); do
		[ "$(kib "$p" Rss)" -gt "$base_rss" ] && base_rss=$(kib "$p" Rss) && base_pss=$(kib "$p" Pss)
	done
	umn_stop_daemon || true
	rm -rf "$work/d"
	umn_start_daemon "$work/d"

	t0=$(now_ms)
	i=0
	while [ "$i" -lt "$P" ]; do
		install_pair "$1" "$i"
		i=$((i + 1))
	done
	ms=$(($(now_ms) - t0))
	started=$(umn_cli status --json | jq '[.[] | select(.state == "started")] | length')
	[ "$started" -eq "$N" ] || echo "# $1: only $started of $N devices started" >&2
	traffic "$P"
	rss=0
	pss=0
	for p in $(host_pids); do
		r=$(kib "$p" Rss)
		[ "$r" -gt "$rss" ] && rss=$r && pss=$(kib "$p" Pss)
	done
	drss=$(kib "$UMN_DAEMON_PID" Rss)
	result "scale_install_${1}_64" "$ms" ms 5000
	result "scale_host_rss_$1" "$(mib "$rss")" MiB "$(mib "$base_rss")"
	result "scale_host_pss_$1" "$(mib "$pss")" MiB "$(mib "$base_pss")"
	result "scale_umnicd_rss_$1" "$(mib "$drss")" MiB "$(mib "$idle_rss")"
	echo "# $1: $N devices in $(host_pids | wc -l) driver host(s); host RSS/PSS: the largest host, baseline one host with one pair; umnicd baseline: no devices" >&2
	umn_stop_daemon || true
}

run shared
run solo
echo "# install: 64 devices one after the other with the CLI; baseline the 5 s goal" >&2
umn_cleanup
