#!/bin/sh
# The driver host dies 20 times (SIGKILL, SIGSEGV, SIGABRT) at random moments
# during a verified TCP stream: the stream completes, every byte intact, no
# reset; the interface and its address stay; each restart is recorded.
. "$(dirname "$0")/lib.sh"
umn_need_root "$0" "$@"

umn_netns_add "$T_TAG-a"
umn_netns_add "$T_TAG-b"
umn_start_daemon "$T_WORK"
# 20 kills must not hit the restart limit.
umn_cli install "$UMNIC_BUILD/drivers/vpair/vpair.inf" --netns "$T_TAG-a" --ifname vpa \
	--param UmnicRestartLimit=100 >/dev/null
umn_cli install "$UMNIC_BUILD/drivers/vpair/vpair.inf" --netns "$T_TAG-b" --ifname vpb \
	--param UmnicRestartLimit=100 >/dev/null
ip -n "$T_TAG-a" addr add 10.77.0.1/24 dev vpa
ip -n "$T_TAG-b" addr add 10.77.0.2/24 dev vpb
ip -n "$T_TAG-a" link set vpa up
ip -n "$T_TAG-b" link set vpb up
t_check "pair up" t_ping_ok "$T_TAG-a" 10.77.0.2 3
ip -n "$T_TAG-a" link set vpa promisc on
filter_ok() {
	s=$(umn_cli status --json)
	[ "$(printf '%s' "$s" | jq -r '.[0].rx_filter.applied')" = "$1" ] &&
		[ "$(printf '%s' "$s" | jq -r '.[0].rx_filter.applied_by_pid')" = "$(printf '%s' "$s" | jq -r '.[0].host_pid')" ]
}
for _ in $(seq 1 30); do filter_ok 43 && break; sleep 0.1; done
t_check "ip link promisc on reaches the driver's EvtSetReceiveFilter (flags 0x2b)" filter_ok 43
mc_base=$(umn_cli status --json | jq -r '.[0].rx_filter.multicast_applied')
ip -n "$T_TAG-a" maddr add 01:00:5e:01:02:03 dev vpa
mc_ok() { [ "$(umn_cli status --json | jq -r '.[0].rx_filter.multicast_applied')" = "$((mc_base + 1))" ]; }
for _ in $(seq 1 30); do mc_ok && break; sleep 0.1; done
t_check "a multicast address joined on the interface reaches the driver's list" mc_ok
ifindex_before=$(ip -n "$T_TAG-a" -o link show vpa | cut -d: -f1)

py="$UMNIC_SRC/tests/integration/tcpcheck.py"
ip netns exec "$T_TAG-b" python3 "$py" serve 10.77.0.2 5500 &
srv=$!
sleep 0.5
# Big enough to still be running after 20 kills spaced 50-250 ms apart, even when TCP
# hardly stalls at them (about 14 s at full speed).
ip netns exec "$T_TAG-a" python3 "$py" send 10.77.0.2 5500 4000000000 >"$T_WORK/send.txt" 2>&1 &
cli=$!

kills=0
for i in $(seq 1 20); do
	sleep "0.$(( (i * 7919) % 20 + 5 ))"
	sig=$(echo "KILL SEGV ABRT" | cut -d' ' -f$(( i % 3 + 1 )))
	# A signal that lands while the new host is still starting up may find no handler yet
	# (it is pid 1 of its namespace): then try again, so each round is one real death.
	for _ in 1 2 3; do
		hp=$(umn_cli status --json | jq -r '.[0].host_pid')
		kill -"$sig" "$hp" 2>/dev/null || { sleep 0.05; continue; }
		died=no
		# Up to 10 s: under the sanitizer build on a busy machine a restart can be slow.
		for _ in $(seq 1 500); do
			if [ "$(umn_cli status --json | jq -r '[.[].state] | join(",")')" = "started,started" ] &&
				[ "$(umn_cli status --json | jq -r '.[0].host_pid')" != "$hp" ]; then
				died=yes
				break
			fi
			sleep 0.02
		done
		[ $died = yes ] && { kills=$((kills + 1)); break; }
	done
done
t_eq "20 driver deaths, each followed by a restart" "$kills" "20"
t_check "the stream was still flowing after the last kill" kill -0 $cli
wait $cli
rc=$?
wait $srv
t_eq "the TCP stream completed with every byte intact" "$rc:$(cat "$T_WORK/send.txt")" "0:OK 4000000000 bytes intact"

st=$(umn_cli status --json)
t_eq "both devices are running again" "$(printf '%s' "$st" | jq -r '[.[].state] | join(",")')" "started,started"
t_check "every death was recorded (>= 20 per device)" [ "$(printf '%s' "$st" | jq -r '.[0].failures')" -ge 20 ]
t_contains "the last failure names the signal" "$(printf '%s' "$st" | jq -r '.[0].last_failure')" "killed by signal"
t_eq "the interface is the same one (ifindex)" "$(ip -n "$T_TAG-a" -o link show vpa | cut -d: -f1)" "$ifindex_before"
t_contains "its address stayed" "$(ip -n "$T_TAG-a" addr show vpa)" "10.77.0.1/24"
t_check "and it still pings" t_ping_ok "$T_TAG-a" 10.77.0.2 3
for _ in $(seq 1 30); do filter_ok 43 && break; sleep 0.1; done
t_check "promiscuous mode set before the crashes is in force in the new driver process" filter_ok 43
t_check "and so is the multicast list" mc_ok
ip -n "$T_TAG-a" link set vpa promisc off
for _ in $(seq 1 30); do filter_ok 11 && break; sleep 0.1; done
t_check "and switching it off reaches the driver too (flags 0xb)" filter_ok 11
t_finish
