#!/bin/sh
# A hostile driver tries each forbidden thing from inside its sandbox: each is
# refused (EPERM) or the driver is stopped; umnicd and the other devices carry on.
. "$(dirname "$0")/lib.sh"
umn_need_root "$0" "$@"

umn_netns_add "$T_TAG-a"
umn_netns_add "$T_TAG-b"
umn_netns_add "$T_TAG-c"
umn_start_daemon "$T_WORK"
t_check "vpair pair up" t_pair "$T_TAG-a" "$T_TAG-b"
inf="$UMNIC_BUILD/tests/drivers/testdrv.inf"

st=$(umn_cli status --json)
hp=$(printf '%s' "$st" | jq -r '.[0].host_pid')
t_contains "status shows the sandbox in force" "$(printf '%s' "$st" | jq -r '.[0].sandbox')" "seccomp allowlist"
t_eq "the driver host runs as the unprivileged host uid" "$(awk '/^Uid:/ {print $2}' /proc/"$hp"/status)" "61234"
t_eq "with no capabilities" "$(awk '/^CapEff:/ {print $2}' /proc/"$hp"/status)" "0000000000000000"
t_eq "no_new_privs" "$(awk '/^NoNewPrivs:/ {print $2}' /proc/"$hp"/status)" "1"
t_eq "seccomp filter mode" "$(awk '/^Seccomp:/ {print $2}' /proc/"$hp"/status)" "2"
t_eq "its own PID namespace (it is pid 1 there)" "$(awk '/^NSpid:/ {print $3}' /proc/"$hp"/status)" "1"
for ns in net mnt pid ipc uts user; do
	t_check "its own $ns namespace" [ "$(readlink /proc/"$hp"/ns/$ns)" != "$(readlink /proc/self/ns/$ns)" ]
done
t_eq "its root holds only the driver" "$(cd /proc/"$hp"/root && find . | sort | tr '\n' ' ')" ". ./driver ./driver/vpair.so "

# mode | what it tries
while IFS='|' read -r mode what; do
	[ -n "$mode" ] || continue
	out=$(umn_cli install "$inf" --netns "$T_TAG-c" --param "Mode=$mode" --param UmnicRestartLimit=0 2>&1)
	t_contains "$what: refused with EPERM (STATUS_ACCESS_DENIED from the driver)" "$out" "0xc0000022"
	umn_cli uninstall "$(printf '%s\n' "$out" | awk '{print $1}')" >/dev/null 2>&1
done <<'CASES'
20|open a file
21|create a socket
22|exec a program
23|ptrace another process
24|kill every other process
25|map memory executable
26|make memory executable
27|write into another process
28|mount a file system
33|set another thread's CPUs
CASES

out=$(umn_cli install "$inf" --netns "$T_TAG-c" --param Mode=29 --param UmnicRestartLimit=0 2>&1)
t_contains "flooding umnicd with messages: the driver is stopped" "$out" "flooding umnicd"
out=$(umn_cli install "$inf" --netns "$T_TAG-c" --param Mode=30 --param UmnicRestartLimit=0 2>&1)
t_contains "sending umnicd garbage: the driver is stopped" "$out" "malformed message"
# Completions are the I/O path's own (no message rate limit): 20,000 for requests umnicd never
# sent are ignored, the first logged and the rest counted, and the driver goes on.
out=$(umn_cli install "$inf" --netns "$T_TAG-c" --param Mode=31 --param UmnicRestartLimit=0 2>&1)
t_check "20,000 stray completions: the driver is installed and runs ($out)" \
	sh -c "printf '%s' '$out' | grep -q '^ROOT' && ! printf '%s' '$out' | grep -q failed"
t_eq "umnicd logs the first stray completion once" \
	"$(grep -c 'completion of unknown request 4611686018427387904 ignored$' "$T_WORK/umnicd.log")" 1
t_contains "and the rest as a count" "$(cat "$T_WORK/umnicd.log")" \
	"19999 more completions of unknown requests ignored in the last"
t_check "in at most three lines" \
	[ "$(grep -c 'unknown request' "$T_WORK/umnicd.log")" -le 3 ]
umn_cli uninstall "$(printf '%s\n' "$out" | awk '{print $1}')" >/dev/null 2>&1

# Hardware is what umnicd opens and hands over: a UDP socket as a WDFCMRESLIST entry.
# The listener says when it is bound (udp.ready): a datagram sent before would be lost.
python3 -c 'import socket,sys
s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.bind(("127.0.0.1",5731)); s.settimeout(10)
open(sys.argv[1], "w").close()
print(s.recv(100).decode())' "$T_WORK/udp.ready" >"$T_WORK/udp.txt" 2>&1 &
listener=$!
for _ in $(seq 1 100); do [ -e "$T_WORK/udp.ready" ] && break; sleep 0.05; done
out=$(umn_cli install "$inf" --param Mode=40 --param UmnicRestartLimit=0 \
	--param 'UmnicResources=udp:127.0.0.1:0>127.0.0.1:5731' 2>&1)
wait $listener
t_check "a socket umnicd opened reaches the sandboxed driver in EvtDevicePrepareHardware ($out)" \
	sh -c "printf '%s' '$out' | grep -q '^ROOT' && ! printf '%s' '$out' | grep -q failed"
t_eq "and the driver can use it (datagram received)" "$(cat "$T_WORK/udp.txt")" "granted socket works"
t_check "umnicd is alive" t_daemon_alive
t_check "the pair still forwards" t_ping_ok "$T_TAG-a" 10.77.0.2 5
t_eq "the pair's host was never touched" "$(umn_cli status --json | jq -r '.[0].host_pid')" "$hp"
t_finish
