#!/bin/sh
# The message rings beside umnicd's sockets (src/common/chan.h): a client
# written from the layout alone (io_rings.py) exchanges requests with the
# echo driver on them; hostile clients that corrupt their ring or break the
# offer handshake are disconnected while umnicd and everyone else go on; a
# waiting client and the driver host poll their rings instead of sleeping
# for each request; and with the rings turned off, on either side, requests
# still work. host_order.py plays umnicd for a driver host to check the
# order of a ring message and a socket message that arrive in one wake-up.
. "$(dirname "$0")/lib.sh"
umn_need_root "$0" "$@"

inf="$UMNIC_BUILD/drivers/echo/echo.inf"
B=0x81232000

# run_tap SCRIPT ARGS...: a Python script's checks, counted as this suite's.
run_tap() {
	py=$1
	shift
	python3 "$UMNIC_SRC/tests/integration/$py" "$@" >"$T_WORK/py.txt" 2>&1
	grep -E '^(not )?ok - ' "$T_WORK/py.txt"
	T_CHECKS=$((T_CHECKS + $(grep -c -E '^(not )?ok - ' "$T_WORK/py.txt")))
	T_FAILS=$((T_FAILS + $(grep -c '^not ok - ' "$T_WORK/py.txt")))
	grep -q 'checks passed' "$T_WORK/py.txt" || { t_fail "$py $* ran to the end"; cat "$T_WORK/py.txt"; }
}

# run_py CASE: an io_rings.py case against the running umnicd.
run_py() {
	run_tap io_rings.py "$UMN_RUN_DIR" "$1"
}

echo_ioctl() {
	umn_cli ioctl UmnicEcho $B --in-hex 0a0b0c0d --out-len 4 2>&1
}

# sleeps N: N echo IOCTLs in a row from one client; prints its output, then
# "sleeps S": how often it slept (voluntary context switches, from rusage).
sleeps() {
	python3 -c 'import resource, subprocess, sys
r = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
print(r.stdout, "sleeps", resource.getrusage(resource.RUSAGE_CHILDREN).ru_nvcsw)' \
		"$UMNIC_BUILD/src/cli/umnic" --run-dir "$UMN_RUN_DIR" ioctl UmnicEcho $B \
		--in-hex 0a0b0c0d --out-len 4 --repeat "$1"
}

run_tap host_order.py "$UMNIC_BUILD/src/drvhost/umnic-host"

# The longest polling window: round trips in a sanitizer build on a busy machine often
# outlast the default 50 us, and then the windows adapt down to no polling at all. No
# trials either: in a sanitizer build polling may rightly be judged not to pay, and
# what is checked here is the polling itself.
umn_start_daemon "$T_WORK/d1" --busy-poll-us 1000 --no-poll-trials
umn_cli install "$inf" >/dev/null
run_py ring
run_py no-ack
run_py corrupt
t_contains "umnicd says why it disconnected the client" "$(cat "$T_WORK/d1/umnicd.log")" \
	"its request ring is inconsistent (an index or a length out of range); disconnecting it"
run_py second-offer
t_contains "and why it disconnected the one that offered twice" "$(cat "$T_WORK/d1/umnicd.log")" \
	"a second message ring offer; disconnecting it"
t_check "umnicd is up after the hostile clients" t_daemon_alive
t_contains "libumnic's IOCTL (rings) still works" "$(echo_ioctl)" "0a 0b 0c 0d"
t_contains "libumnic with UMNIC_NO_RINGS=1 (socket only) works" "$(UMNIC_NO_RINGS=1 echo_ioctl)" "0a 0b 0c 0d"

# Polling: umnicd polls (with two CPUs or more), and tells the host and the
# client to poll their rings too, so synchronous requests rarely sleep.
# Without the client's polling it sleeps once a request at least.
out=$(sleeps 2000)
t_contains "2,000 IOCTLs in a row with polling complete" "$out" "2000 round trips: p50"
n=$(echo "$out" | sed -n 's/.*sleeps \([0-9]*\).*/\1/p')
if [ "$(nproc)" -ge 2 ]; then
	t_check "a client that polls its ring sleeps for fewer than half of 2,000 IOCTLs ($n)" \
		[ "${n:-99999}" -lt 1000 ]
else
	echo "# one CPU: umnicd does not poll, so nobody polls; the count is not checked ($n)"
fi
out=$(UMNIC_SPIN_US=0 sleeps 2000)
n=$(echo "$out" | sed -n 's/.*sleeps \([0-9]*\).*/\1/p')
t_check "with UMNIC_SPIN_US=0 it sleeps for each of 2,000 IOCTLs ($n)" [ "${n:-0}" -ge 2000 ]
umn_stop_daemon

# Too many clients: past --max-clients umnicd refuses new ones (and says so); out of
# descriptors it drops the connection waiting instead of spinning on its listening socket.
umn_start_daemon "$T_WORK/d3" --max-clients 4
umn_cli install "$inf" >/dev/null
mkfifo "$T_WORK/hold"
python3 "$UMNIC_SRC/tests/integration/hold_clients.py" "$UMN_RUN_DIR" 6 <"$T_WORK/hold" >"$T_WORK/held.txt" &
holder=$!
exec 7>"$T_WORK/hold"
for _ in $(seq 1 50); do [ -s "$T_WORK/held.txt" ] && break; sleep 0.1; done
t_contains "with --max-clients 4, umnicd keeps 4 of 6 clients and closes 2" "$(cat "$T_WORK/held.txt")" \
	"held 4 dropped 2"
t_check "and refuses one more" sh -c "! '$UMNIC_BUILD/src/cli/umnic' --run-dir '$UMN_RUN_DIR' \
	ioctl UmnicEcho $B --in-hex 0a --out-len 1 >/dev/null 2>&1"
t_contains "saying why" "$(cat "$T_WORK/d3/umnicd.log")" \
	"refusing a new I/O client: 4 are connected, the most --max-clients allows"
exec 7>&-
wait $holder
for _ in $(seq 1 50); do echo_ioctl | grep -q "0a 0b 0c 0d" && break; sleep 0.1; done
t_contains "once they leave, a client is served again" "$(echo_ioctl)" "0a 0b 0c 0d"
umn_stop_daemon

umn_start_daemon "$T_WORK/d4"
umn_cli install "$inf" >/dev/null
prlimit --nofile=64:64 --pid "$UMN_DAEMON_PID"
python3 "$UMNIC_SRC/tests/integration/hold_clients.py" "$UMN_RUN_DIR" 100 <"$T_WORK/hold" >"$T_WORK/held.txt" &
holder=$!
exec 7>"$T_WORK/hold"
for _ in $(seq 1 50); do [ -s "$T_WORK/held.txt" ] && break; sleep 0.1; done
t0=$(umn_cpu_ticks "$UMN_DAEMON_PID")
sleep 1
t1=$(umn_cpu_ticks "$UMN_DAEMON_PID")
t_contains "out of descriptors (limit 64), umnicd drops what it cannot take" "$(cat "$T_WORK/held.txt")" "dropped"
t_contains "and logs it" "$(cat "$T_WORK/d4/umnicd.log")" \
	"out of file descriptors: a connection to umnic-io.sock was dropped"
t_check "without spinning: under 20% of a CPU while 100 connections wait ($((t1 - t0)) ticks in 1 s)" \
	[ $((t1 - t0)) -lt $(($(getconf CLK_TCK) / 5)) ]
exec 7>&-
wait $holder
for _ in $(seq 1 50); do echo_ioctl | grep -q "0a 0b 0c 0d" && break; sleep 0.1; done
t_check "once they leave, umnicd is up and answers" t_daemon_alive
t_contains "and serves a client again" "$(echo_ioctl)" "0a 0b 0c 0d"
umn_stop_daemon

umn_start_daemon "$T_WORK/d2" --no-io-rings
umn_cli install "$inf" >/dev/null
run_py refused
t_contains "libumnic against umnicd --no-io-rings works on the socket" "$(echo_ioctl)" "0a 0b 0c 0d"
t_finish
