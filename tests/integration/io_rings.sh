#!/bin/sh
# The message rings beside umnicd's sockets (src/common/chan.h): a client
# written from the layout alone (io_rings.py) exchanges requests with the
# echo driver on them; hostile clients that corrupt their ring or break the
# offer handshake are disconnected while umnicd and everyone else go on; and
# with the rings turned off, on either side, requests still work.
. "$(dirname "$0")/lib.sh"
umn_need_root "$0" "$@"

inf="$UMNIC_BUILD/drivers/echo/echo.inf"
B=0x81232000

# run_py CASE: io_rings.py's checks, counted as this suite's.
run_py() {
	python3 "$UMNIC_SRC/tests/integration/io_rings.py" "$UMN_RUN_DIR" "$1" >"$T_WORK/py.txt" 2>&1
	grep -E '^(not )?ok - ' "$T_WORK/py.txt"
	T_CHECKS=$((T_CHECKS + $(grep -c -E '^(not )?ok - ' "$T_WORK/py.txt")))
	T_FAILS=$((T_FAILS + $(grep -c '^not ok - ' "$T_WORK/py.txt")))
	grep -q 'checks passed' "$T_WORK/py.txt" || { t_fail "io_rings.py $1 ran to the end"; cat "$T_WORK/py.txt"; }
}

echo_ioctl() {
	umn_cli ioctl UmnicEcho $B --in-hex 0a0b0c0d --out-len 4 2>&1
}

umn_start_daemon "$T_WORK/d1"
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
umn_stop_daemon

umn_start_daemon "$T_WORK/d2" --no-io-rings
umn_cli install "$inf" >/dev/null
run_py refused
t_contains "libumnic against umnicd --no-io-rings works on the socket" "$(echo_ioctl)" "0a 0b 0c 0d"
t_finish
