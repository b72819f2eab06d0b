#!/bin/sh
# Interface state reaches drivers from rtnetlink events, not from polling:
# `ip link set promisc on` reaches EvtSetReceiveFilter within 1 s; an idle
# umnicd with 8 interfaces in 2 namespaces enters no namespace and makes few
# system calls; a promiscuous-mode flapping storm (which overruns umnicd's
# netlink socket, made small for the test) leaves umnicd answering and the
# final state in force in the driver.
. "$(dirname "$0")/lib.sh"
umn_need_root "$0" "$@"
command -v strace >/dev/null || umn_die "strace is needed (scripts/install-deps)"

# An idle umnicd wakes up 10 times a second (its tick: epoll_wait and a timer read) and
# re-reads each namespace's multicast list once a second (2 preads); its datapath threads
# sleep: about 24 calls a second. 60 leaves room for a stray wake-up on a busy machine, and is
# far below polling, which cost about 12 calls per device per tick (two setns among them),
# over 1000 a second here.
MAX_PER_S=60

A="$T_TAG-a"
B="$T_TAG-b"
umn_netns_add "$A"
umn_netns_add "$B"
# Idle means no frames either: without IPv6 the kernel sends nothing on interfaces that have
# no address (no MLD reports, no router solicitations for the datapath threads to carry).
for ns in "$A" "$B"; do
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
# 4 KiB: a burst of link events overruns the socket, so the resync path runs too.
UMNIC_RTNL_RCVBUF=4096 umn_start_daemon "$T_WORK"
for i in 0 1 2 3; do
	umn_vpair_install shared "$i" "$A" "la$i" "$B" "lb$i" || umn_die "install pair $i"
	ip -n "$A" link set "la$i" up
	ip -n "$B" link set "lb$i" up
done
t_eq "8 devices started" "$(umn_cli status --json | jq -r '[.[] | select(.state == "started")] | length')" "8"

# applied IFNAME: the filter flags the driver of IFNAME took, and whether that driver runs now.
applied() {
	umn_cli status --json | jq -r --arg i "$1" \
		'.[] | select(.interface == $i) | "\(.rx_filter.applied) \(.rx_filter.applied_by_pid == .host_pid)"'
}
# wait_applied IFNAME WANT TENTHS: polls until the driver took WANT, at most TENTHS / 10 s.
wait_applied() {
	n=0
	while [ $n -lt "$3" ]; do
		[ "$(applied "$1")" = "$2 true" ] && return 0
		sleep 0.1
		n=$((n + 1))
	done
	return 1
}
t_check "the initial filter (0xb) reached every driver" wait_applied lb3 11 50

# (a) One change, one event: in the driver within a second (polling at 100 ms did that too;
# events must not make it slower).
ip -n "$A" link set la1 promisc on
t_check "promisc on reaches the driver's EvtSetReceiveFilter within 1 s (0x2b)" wait_applied la1 43 10
ip -n "$B" link set lb2 allmulticast on
t_check "allmulticast on reaches it too (0xf)" wait_applied lb2 15 10
mc_base=$(umn_cli status --json | jq -r '.[] | select(.interface == "la0") | .rx_filter.multicast_applied')
ip -n "$A" maddr add 01:00:5e:01:02:03 dev la0
mc_ok() {
	[ "$(umn_cli status --json | jq -r '.[] | select(.interface == "la0") | .rx_filter.multicast_applied')" = \
		"$((mc_base + 1))" ]
}
# The kernel sends no event for a link-layer multicast join: the slow re-read (1 s) finds it.
for _ in $(seq 1 30); do mc_ok && break; sleep 0.1; done
t_check "a multicast join reaches the driver's list without an event" mc_ok

# (b) Idle: no namespace switch, few system calls. strace counts every thread's calls.
sleep 1
strace -f -c -o "$T_WORK/strace.txt" -p "$UMN_DAEMON_PID" 2>"$T_WORK/strace.err" &
st_pid=$!
UMN_PIDS="$UMN_PIDS $st_pid"
sleep 2
kill -INT "$st_pid"
wait "$st_pid" 2>/dev/null
umn_forget "$st_pid"
calls() { awk -v s="$1" '$NF == s { print ($4 ~ /^[0-9]+$/) ? $4 : $3 }' "$T_WORK/strace.txt"; }
total=$(calls total)
setns=$(calls setns)
echo "# idle over 2 s: ${total:-?} system calls, ${setns:-0} setns"
grep -E '^ *[0-9.]+ ' "$T_WORK/strace.txt" | sort -k4 -n -r | head -8 | sed 's/^/# /'
t_check "strace measured umnicd ($(cat "$T_WORK/strace.err" | head -1))" [ -n "$total" ]
t_eq "an idle umnicd enters no network namespace (setns calls)" "${setns:-0}" "0"
t_check "an idle umnicd makes fewer than $MAX_PER_S system calls a second (${total:-?} in 2 s)" \
	[ "${total:-999999}" -lt $((MAX_PER_S * 2)) ]

# (c) Flapping, 200 times as fast as ip can: umnicd keeps answering, the last state wins.
i=0
: >"$T_WORK/flap.batch"
while [ $i -lt 200 ]; do
	printf 'link set la0 promisc on\nlink set la0 promisc off\n' >>"$T_WORK/flap.batch"
	i=$((i + 1))
done
echo "link set la0 promisc on" >>"$T_WORK/flap.batch"
umn_bg ip -n "$A" -batch "$T_WORK/flap.batch"
flap=$UMN_BG_PID
t_check "umnicd answers during the storm" timeout 10 "${UMNIC_CLI:-$UMNIC_BUILD/src/cli/umnic}" \
	--run-dir "$UMN_RUN_DIR" status
wait "$flap"
umn_forget "$flap"
t_check "after 401 changes the last one (promisc on) is in force in the driver" wait_applied la0 43 50
t_check "umnicd still answers" t_daemon_alive
ip -n "$A" link set la0 promisc off
t_check "and the next change still gets through (0xb)" wait_applied la0 11 50
t_check "devices in the other namespace kept their state (lb2 all-multicast)" wait_applied lb2 15 10
grep -q "netlink overrun" "$T_WORK/umnicd.log" &&
	echo "# the storm overran the netlink socket; the devices were asked for again"
t_finish
