#!/bin/sh
# What one unprivileged local user (uid 65534) can take from umnicd, and what
# it must leave to root and to everyone else (docs/io-requests.md, "Limits"):
# descriptors (control and I/O connections held open), memory (replies it
# never reads), a driver host's request slots (requests it keeps pending),
# and CPU (a CANCEL flood). The attacks are written on the raw sockets in
# peer_abuse.py.
. "$(dirname "$0")/lib.sh"
umn_need_root "$0" "$@"
chmod 755 "$T_WORK"
# A write to the fifo of an attacker that died fails instead of ending the test without cleanup.
trap '' PIPE

inf="$UMNIC_BUILD/drivers/echo/echo.inf"
B=0x81232000
ABUSE="$UMNIC_SRC/tests/integration/peer_abuse.py"
# The other user's python: a per-user install (pyenv's shims) may be closed to it.
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3

as_user() {
	u=$1
	shift
	setpriv --reuid="$u" --regid="$u" --clear-groups "$@"
}

echo_ioctl() {
	umn_cli ioctl UmnicEcho $B --in-hex 0a0b0c0d --out-len 4 2>&1
}

# abuse OUT ARGS...: peer_abuse.py as uid 65534 in the background, holding what it took
# until fd 7 (a fifo) closes; waits up to 60 s for its first result line in OUT.
abuse() {
	out=$1
	shift
	rm -f "$T_WORK/fifo"
	mkfifo "$T_WORK/fifo"
	as_user 65534 "$PY" "$ABUSE" "$@" <"$T_WORK/fifo" >"$out" 2>&1 &
	abuser=$!
	UMN_PIDS="$UMN_PIDS $abuser"
	exec 7>"$T_WORK/fifo"
	for _ in $(seq 1 600); do
		[ -s "$out" ] && break
		kill -0 $abuser 2>/dev/null || break
		sleep 0.1
	done
}

abuse_end() {
	exec 7>&-
	wait $abuser
}

# wait_restart OLD_PID: up to 20 s for the device to run again in a new host.
wait_restart() {
	for _ in $(seq 1 200); do
		st=$(umn_cli status --json 2>/dev/null)
		if [ "$(printf '%s' "$st" | jq -r '.[0].state')" = started ] &&
			[ "$(printf '%s' "$st" | jq -r '.[0].host_pid')" != "$1" ]; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

if ! as_user 65534 "$PY" -c "open('$ABUSE')" || ! as_user 65534 test -x "$UMNIC_BUILD/src/cli/umnic"; then
	echo "skip - uid 65534 cannot run $PY on $ABUSE or reach $UMNIC_BUILD"
	t_finish
	exit $?
fi

# 1. Descriptors. umnicd's limit is cut to 512; the user opens 600 control and 400 I/O
# connections and keeps them idle. It keeps 8 control connections (for 5 s), and I/O
# clients only while a reserve of descriptors stays free for root and for restarts.
umn_start_daemon "$T_WORK/d1"
umn_cli install "$inf" --param UmnicMode=0x1b6 >/dev/null
prlimit --nofile=512:512 --pid "$UMN_DAEMON_PID"
abuse "$T_WORK/held.txt" hold "$UMN_RUN_DIR" 600 400
for _ in $(seq 1 100); do [ "$(wc -l <"$T_WORK/held.txt")" -ge 2 ] && break; sleep 0.1; done
cat "$T_WORK/held.txt"
ctl=$(sed -n 's/^ctl held \([0-9]*\) .*/\1/p' "$T_WORK/held.txt")
io=$(sed -n 's/^io held \([0-9]*\) .*/\1/p' "$T_WORK/held.txt")
t_check "uid 65534 keeps at most 8 idle control connections (kept ${ctl:-?} of 600)" [ "${ctl:-999}" -le 8 ]
t_check "and fewer I/O connections than 512 descriptors would hold (kept ${io:-?} of 400)" \
	[ "${io:-999}" -lt 250 ]
t_contains "umnicd says why it refused them" "$(cat "$T_WORK/d1/umnicd.log")" \
	"umnicd keeps its last file descriptors for root and its own work"
t_contains "root's ping is answered meanwhile" "$(umn_cli ping 2>&1)" "pong"
t_contains "root's IOCTL is served meanwhile" "$(echo_ioctl)" "0a 0b 0c 0d"
hp=$(umn_cli status --json | jq -r '.[0].host_pid')
t_kill_host "$hp"
t_check "a driver host killed meanwhile is restarted" wait_restart "$hp"
t_contains "and serves IOCTLs" "$(echo_ioctl)" "0a 0b 0c 0d"
sleep 6
echo >&7
for _ in $(seq 1 100); do [ "$(wc -l <"$T_WORK/held.txt")" -ge 4 ] && break; sleep 0.1; done
t_contains "after 5 s umnicd closed the idle control connections" "$(cat "$T_WORK/held.txt")" \
	"ctl closed ${ctl:-?}"
abuse_end
t_check "umnicd is up" t_daemon_alive
umn_stop_daemon

# 2. Memory. 16 connections send CLOSE requests for a handle that does not exist and
# never read a reply. umnicd stops reading them once their replies pile up (none is
# dropped), so its memory stays bounded and root is served.
umn_start_daemon "$T_WORK/d2"
umn_cli install "$inf" >/dev/null
abuse "$T_WORK/flood.txt" close-flood "$UMN_RUN_DIR" 16 20 "$UMN_DAEMON_PID" 300
cat "$T_WORK/flood.txt"
grew=$(sed -n 's/^sent [0-9]* grew \([0-9]*\) MiB.*/\1/p' "$T_WORK/flood.txt")
t_check "16 connections flooding CLOSE grow umnicd's memory by under 200 MiB (${grew:-?} MiB)" \
	[ "${grew:-999}" -lt 200 ]
t_contains "umnicd stops reading all 16, and disconnects none" "$(cat "$T_WORK/flood.txt")" "paused 16 lost 0"
t_contains "root's IOCTL is served meanwhile" "$(echo_ioctl)" "0a 0b 0c 0d"
echo >&7
for _ in $(seq 1 600); do [ "$(wc -l <"$T_WORK/flood.txt")" -ge 2 ] && break; sleep 0.1; done
t_contains "once they read, every request is answered" "$(cat "$T_WORK/flood.txt")" "all answered"
abuse_end
t_check "umnicd is up" t_daemon_alive
umn_stop_daemon

# 3. A driver host's request slots. With the device open to everyone, uid 65534
# keeps as many requests pending as it can (delayed IOCTLs, on 4 connections): a
# quarter of the host's 4096 slots. Another user and root are still served.
umn_start_daemon "$T_WORK/d3"
umn_cli install "$inf" --param UmnicMode=0x1b6 >/dev/null
abuse "$T_WORK/pend.txt" pend "$UMN_RUN_DIR" 4 1500
cat "$T_WORK/pend.txt"
n=$(sed -n 's/^pending \([0-9]*\) .*/\1/p' "$T_WORK/pend.txt")
t_check "uid 65534 keeps 1024 requests pending on one host, no more (${n:-?} of 6000)" [ "${n:-0}" -eq 1024 ]
t_contains "another user's IOCTL is served meanwhile" \
	"$(as_user 65533 "$UMNIC_BUILD/src/cli/umnic" --run-dir "$UMN_RUN_DIR" ioctl UmnicEcho $B \
		--in-hex 0a0b0c0d --out-len 4 2>&1)" "0a 0b 0c 0d"
t_contains "and root's" "$(echo_ioctl)" "0a 0b 0c 0d"
abuse_end
abuse "$T_WORK/handles.txt" handles "$UMN_RUN_DIR" 1100
t_contains "one connection may open 1024 handles" "$(cat "$T_WORK/handles.txt")" "handles open 1024 refused 76"
abuse_end
t_check "umnicd is up" t_daemon_alive
umn_stop_daemon

# 4. CPU. Two connections send 102,400 CANCELs each, of requests that do not exist, while
# 1,000 of the user's requests are pending. umnicd finds a client's request by the
# client's id: a CANCEL costs it the same whatever else is pending (it used to look
# at all 65,536 slots of its table). Busy polling is off, so umnicd's CPU time is its
# work alone.
umn_start_daemon "$T_WORK/d4" --busy-poll-us 0
umn_cli install "$inf" --param UmnicMode=0x1b6 >/dev/null
abuse "$T_WORK/pend.txt" pend "$UMN_RUN_DIR" 1 1000
t_contains "1,000 requests pending" "$(cat "$T_WORK/pend.txt")" "pending 1000 "
t0=$(umn_cpu_ticks "$UMN_DAEMON_PID")
as_user 65534 "$PY" "$ABUSE" cancel-flood "$UMN_RUN_DIR" 2 102400 >"$T_WORK/cancel.txt" 2>&1 &
flooder=$!
UMN_PIDS="$UMN_PIDS $flooder"
t_contains "root's 500 IOCTLs complete during the flood" \
	"$(umn_cli ioctl UmnicEcho $B --in-hex 0a0b0c0d --out-len 4 --repeat 500 2>&1)" "500 round trips"
wait $flooder
t1=$(umn_cpu_ticks "$UMN_DAEMON_PID")
cat "$T_WORK/cancel.txt"
t_contains "umnicd read all 204,800 CANCELs" "$(cat "$T_WORK/cancel.txt")" "cancels 204800 answered 2"
us=$(( (t1 - t0) * 1000000 / $(getconf CLK_TCK) / 204800 ))
t_check "umnicd spent under 10 us of CPU per CANCEL ($us us; $((t1 - t0)) ticks)" [ "$us" -lt 10 ]
abuse_end
t_check "umnicd is up" t_daemon_alive
t_finish
