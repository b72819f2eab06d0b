#!/bin/sh
# Scale: 64 vpair devices in one shared driver host, then 64 each in a host of
# its own (their pairs joined by UDP sockets over a veth); every pair passes
# traffic, each set installs within a bound, and a shared host refuses its
# 257th device with a message that names the limit.
. "$(dirname "$0")/lib.sh"
umn_need_root "$0" "$@"

N=64
P=$((N / 2))
VP="$UMNIC_BUILD/drivers/vpair"
# Release builds must install 64 devices in 5 s; a sanitizer build starts every process slower.
LIMIT_S=5
if jq -e '.[] | select(.name == "b_sanitize") | .value != "none"' \
	"$UMNIC_BUILD/meson-info/intro-buildoptions.json" >/dev/null 2>&1; then
	LIMIT_S=30
fi

now_ms() { echo $(($(date +%s%N) / 1000000)); }

A="$T_TAG-a"
B="$T_TAG-b"
umn_netns_add "$A"
umn_netns_add "$B"
# The underlay of the one-host-each pairs: their UDP sockets meet over this veth.
umn_vpair_underlay "$A" "$B" "$T_TAG"
umn_start_daemon "$T_WORK"

# install_set KIND: installs N devices (pairs 0..P-1, side A in $A, side B in $B); prints ms taken.
install_set() {
	t0=$(now_ms)
	i=0
	while [ $i -lt $P ]; do
		if [ "$1" = shared ]; then
			umn_vpair_install shared "$i" "$A" "sa$i" "$B" "sb$i" || return 1
		else
			umn_vpair_install solo "$i" "$A" "ua$i" "$B" "ub$i" || return 1
		fi
		i=$((i + 1))
	done
	echo $(($(now_ms) - t0))
}

# address_set PREFIX_A PREFIX_B NET: addresses NET.i.1 and NET.i.2 on the pairs' interfaces, all up.
address_set() {
	i=0
	: >"$T_WORK/a.batch"
	: >"$T_WORK/b.batch"
	while [ $i -lt $P ]; do
		echo "addr add $3.$i.1/24 dev $1$i" >>"$T_WORK/a.batch"
		echo "link set $1$i up" >>"$T_WORK/a.batch"
		echo "addr add $3.$i.2/24 dev $2$i" >>"$T_WORK/b.batch"
		echo "link set $2$i up" >>"$T_WORK/b.batch"
		i=$((i + 1))
	done
	ip -n "$A" -batch "$T_WORK/a.batch" && ip -n "$B" -batch "$T_WORK/b.batch"
}

# ping_all NET: pings every pair once across; prints how many answered.
ping_all() {
	ok=0
	i=0
	while [ $i -lt $P ]; do
		t_ping_ok "$A" "$1.$i.2" 2 && ok=$((ok + 1))
		i=$((i + 1))
	done
	echo $ok
}

ms=$(install_set shared)
t_check "$N vpair devices install into one shared host" [ -n "$ms" ]
echo "# shared: $N devices installed in $ms ms"
t_check "the shared set installed in under $LIMIT_S s ($ms ms)" [ "${ms:-999999}" -lt $((LIMIT_S * 1000)) ]
umn_cli status --json >"$T_WORK/st.json"
t_eq "all $N started" "$(jq '[.[] | select(.state == "started")] | length' "$T_WORK/st.json")" "$N"
t_eq "they share one driver host" "$(jq '[.[].host_pid] | unique | length' "$T_WORK/st.json")" "1"
t_check "status of $N devices arrives whole (more than one reply packet)" \
	[ "$(wc -c <"$T_WORK/st.json")" -gt 40000 ]
address_set sa sb 10.77
t_eq "every shared pair passes traffic" "$(ping_all 10.77)" "$P"
t_check "umnicd is alive" t_daemon_alive

ms=$(install_set solo)
t_check "$N more vpair devices install, each in a host of its own" [ -n "$ms" ]
echo "# one host each: $N devices installed in $ms ms"
t_check "the one-host-each set installed in under $LIMIT_S s ($ms ms)" [ "${ms:-999999}" -lt $((LIMIT_S * 1000)) ]
umn_cli status --json >"$T_WORK/st.json"
t_eq "all $((2 * N)) started" "$(jq '[.[] | select(.state == "started")] | length' "$T_WORK/st.json")" "$((2 * N))"
t_eq "$((N + 1)) driver hosts in all" "$(jq '[.[].host_pid] | unique | length' "$T_WORK/st.json")" "$((N + 1))"
address_set ua ub 10.78
t_eq "every one-host-each pair passes traffic" "$(ping_all 10.78)" "$P"

# Up to the limit of one host: 256 devices (192 more in pairs 100.., without interfaces up).
i=$N
while [ $i -lt 256 ]; do
	umn_cli install "$VP/vpair.inf" --netns "$A" --param Pair=$((100 + i / 2)) >/dev/null || break
	i=$((i + 1))
done
t_eq "a shared host takes 256 devices" "$i" "256"
out=$(umn_cli --timeout 60 install "$VP/vpair.inf" --netns "$A" --param Pair=999 2>&1)
rc=$?
t_eq "the 257th device of a shared host is refused" "$rc" "1"
t_contains "with a message naming the limit" "$out" "already runs 256 devices, the most one host runs (256)"
t_eq "and it is not installed" "$(umn_cli list --json | jq length)" "$((256 + N))"
t_eq "the shared host's devices all still run" \
	"$(umn_cli status --json | jq '[.[] | select(.state == "started")] | length')" "$((256 + N))"
t_check "a shared pair still passes traffic" t_ping_ok "$A" 10.77.$((P - 1)).2 2
t_check "umnicd is alive" t_daemon_alive
t_finish
