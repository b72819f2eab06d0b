#!/bin/sh
# I/O requests from applications to a user-mode driver (drivers/echo) through
# umnicd, each outcome asserted with its exact status.
. "$(dirname "$0")/lib.sh"
umn_need_root "$0" "$@"

# Non-root clients must reach the socket; devices decide who may open them.
chmod 755 "$T_WORK"
umn_start_daemon "$T_WORK"
inf="$UMNIC_BUILD/drivers/echo/echo.inf"
t_check "the echo device installs" sh -c "umn_cli() { \"$UMNIC_BUILD/src/cli/umnic\" --run-dir \"$UMN_RUN_DIR\" \"\$@\"; }; umn_cli install '$inf' >/dev/null"
io() { umn_cli "$@" 2>&1; }
B=0x81232000 IND=0x81232005 OUTD=0x8123200a NEITHER=0x8123200f NEEDW=0x8123a010 WHO=0x81232014
DELAY=0x81232018 LIE=0x8123201c

out=$(io write UmnicEcho --hex 68656c6c6f)
t_contains "write: STATUS_SUCCESS, Information 5" "$out" "STATUS_SUCCESS (0x00000000)
information: 5"
t_contains "read returns what was written" "$(io read UmnicEcho 16)" "|hello|"
t_contains "read of 3 bytes returns 3" "$(io read UmnicEcho 3)" "information: 3"
for m in "$B buffered" "$IND in-direct" "$OUTD out-direct" "$NEITHER neither-with-Copy"; do
	set -- $m
	out=$(io ioctl UmnicEcho "$1" --in-hex 0a0b0c0d --out-len 4)
	t_contains "IOCTL $2: echoed" "$out" "0a 0b 0c 0d"
	t_contains "IOCTL $2: STATUS_SUCCESS" "$out" "STATUS_SUCCESS"
done
out=$(io ioctl UmnicEcho $WHO --out-len 20)
t_contains "the driver sees an application as UserMode, not from a user-mode driver" "$out" "00000000  01 00 00 00 00 00 00 00"
t_contains "requests carry the file object created at open" "$out" "00000010  01 00 00 00"
out=$(io ioctl UmnicEcho $LIE --out-len 4)
t_contains "Information beyond the output buffer fails the request" "$out" "STATUS_DRIVER_INTERNAL_ERROR (0xC0000183)"
t_contains "and no data reaches the client" "$out" "information: 0"
t_contains "an IOCTL needing write access on a read-only handle: STATUS_ACCESS_DENIED" \
	"$(io ioctl UmnicEcho $NEEDW --access r --out-len 4)" "STATUS_ACCESS_DENIED"
t_contains "the same IOCTL on a read-write handle works" "$(io ioctl UmnicEcho $NEEDW --access rw --out-len 4)" "STATUS_SUCCESS"
t_contains "a write on a read-only handle: STATUS_ACCESS_DENIED" "$(io write UmnicEcho --hex 00 --access r)" "STATUS_ACCESS_DENIED"
t_contains "an IOCTL the driver does not handle: STATUS_INVALID_DEVICE_REQUEST" \
	"$(io ioctl UmnicEcho 0x81232ffc --out-len 4)" "STATUS_INVALID_DEVICE_REQUEST"
t_contains "a name nobody registered: STATUS_OBJECT_NAME_NOT_FOUND" "$(io open NoSuchDevice)" "STATUS_OBJECT_NAME_NOT_FOUND"
# Buffers over 48 KiB travel in memfds: the input mapped by the driver, the output written in place.
python3 -c "import sys; open(sys.argv[1], 'wb').write(bytes(range(256)) * 200)" "$T_WORK/big.bin"
t_contains "a 51200-byte write (input in a memfd): STATUS_SUCCESS" "$(io write UmnicEcho --file "$T_WORK/big.bin")" \
	"information: 51200"
out=$(io ioctl UmnicEcho $B --in-file "$T_WORK/big.bin" --out-len 60000)
t_contains "a 51200-byte IOCTL into a 60000-byte output memfd returns the bytes" "$out" "0000c7f0  f0 f1 f2 f3"
t_contains "and says how many" "$out" "information: 51200"
out=$(io ioctl UmnicEcho $NEITHER --in-file "$T_WORK/big.bin" --out-len 60000)
t_contains "a 51200-byte METHOD_NEITHER IOCTL (copies in memfds, as buffered) returns the bytes" "$out" \
	"0000c7f0  f0 f1 f2 f3"
t_contains "and says how many" "$out" "information: 51200"
t_contains "a request completed from the driver's timer" "$(io ioctl UmnicEcho $DELAY --in-hex 32000000)" "STATUS_SUCCESS"

# Device access control: root only by default; UmnicMode opens it to others. The checks run
# the CLI as user nobody, which needs the build directory to be reachable by other users.
as_nobody() { su -s /bin/sh nobody -c "'$UMNIC_BUILD/src/cli/umnic' --run-dir '$UMN_RUN_DIR' $*" 2>&1; }
if su -s /bin/sh nobody -c "test -x '$UMNIC_BUILD/src/cli/umnic'" 2>/dev/null; then
	NOBODY=yes
	t_contains "a non-root client is refused by the default mode 0600" "$(as_nobody open UmnicEcho)" "STATUS_ACCESS_DENIED"
else
	NOBODY=no
	echo "skip - access control as a non-root client: user nobody cannot reach $UMNIC_BUILD"
fi

# A request pending when the driver dies completes with STATUS_DRIVER_PROCESS_TERMINATED.
io ioctl UmnicEcho $DELAY --in-hex 10270000 >"$T_WORK/pending.txt" &
pend=$!
sleep 0.5
t_kill_host "$(umn_cli status --json | jq -r '.[0].host_pid')"
wait $pend
t_contains "a pending IOCTL completes with STATUS_DRIVER_PROCESS_TERMINATED" "$(cat "$T_WORK/pending.txt")" \
	"STATUS_DRIVER_PROCESS_TERMINATED (0xC0000450)"
for _ in $(seq 1 50); do [ "$(umn_cli status --json | jq -r '.[0].state')" = started ] && break; sleep 0.05; done
t_contains "new opens work at once after the restart" "$(io read UmnicEcho 1)" "STATUS_SUCCESS"

# UmdfMethodNeitherAction = Reject (the default) refuses METHOD_NEITHER.
umn_cli uninstall UmnicEcho >/dev/null 2>&1; umn_cli uninstall 0 >/dev/null 2>&1
mkdir -p "$T_WORK/reject"
cp "$UMNIC_BUILD/drivers/echo/echo.so" "$T_WORK/reject/"
grep -v UmdfMethodNeitherAction "$inf" >"$T_WORK/reject/echo.inf"
umn_cli install "$T_WORK/reject/echo.inf" --param UmnicMode=0x1b6 >/dev/null
t_contains "METHOD_NEITHER without Copy: STATUS_INVALID_DEVICE_REQUEST" \
	"$(io ioctl UmnicEcho $NEITHER --in-hex 01 --out-len 1)" "STATUS_INVALID_DEVICE_REQUEST"
[ $NOBODY = yes ] && t_contains "with UmnicMode=0x1b6 (0666) a non-root client may open it" \
	"$(as_nobody open UmnicEcho)" "STATUS_SUCCESS"
# Polling follows traffic only: idle after the requests above, umnicd sleeps.
idle_ticks() {
	t0=$(umn_cpu_ticks "$UMN_DAEMON_PID")
	sleep 1
	t1=$(umn_cpu_ticks "$UMN_DAEMON_PID")
	echo $((t1 - t0))
}
io ioctl UmnicEcho $NEEDW --access rw --out-len 4 >/dev/null
ticks=$(idle_ticks)
t_check "idle, umnicd uses under 5% of a CPU after requests ($ticks ticks in 1 s)" \
	test "$ticks" -lt $(($(getconf CLK_TCK) / 20))
t_contains "--busy-poll-us takes only a number of microseconds" \
	"$("$UMNIC_BUILD/src/umnicd/umnicd" --busy-poll-us 5x 2>&1; echo "rc=$?")" "wants 0 to 10000 microseconds
rc=2"
t_check "umnicd is alive" t_daemon_alive

# A stopped umnicd: the CLI gives up after --timeout and says why.
kill -STOP "$UMN_DAEMON_PID"
t0=$(date +%s%N)
out=$(umn_cli --timeout 1 ping 2>&1; echo "rc=$?")
t1=$(date +%s%N)
kill -CONT "$UMN_DAEMON_PID"
t_contains "a control command to a stopped umnicd gives up after --timeout 1" "$out" \
	"umnicd did not answer within 1 s"
t_contains "with exit status 1" "$out" "rc=1"
t_check "after about a second ($(((t1 - t0) / 1000000)) ms)" \
	[ $(((t1 - t0) / 1000000)) -ge 900 -a $(((t1 - t0) / 1000000)) -lt 10000 ]
t_contains "--timeout takes only a number of seconds" "$(umn_cli --timeout 1s ping 2>&1; echo "rc=$?")" \
	"--timeout takes 0 to 86400 seconds, not '1s'
rc=2"
t_contains "umnicd answers again once it runs" "$(umn_cli --timeout 10 ping 2>&1)" "pong"
t_finish
