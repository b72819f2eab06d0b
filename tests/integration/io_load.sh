#!/bin/sh
# Load: 64 client processes x 2,000 I/O requests each against drivers/echo through one umnicd,
# a quarter of them cancelled, while more clients die with requests pending and 4 more send
# 1,000 requests at once and read nothing for a second (their replies wait in umnicd; none
# may be lost). io_load.c makes the requests and checks each one. Afterwards umnicd, the device and its driver host must be
# the same ones, still serving. Then 8 clients x 20,000 requests again while the driver host is
# killed: each request still completes exactly once, as sent, cancelled or with
# STATUS_DRIVER_PROCESS_TERMINATED, and the device comes back. umnicd must exit cleanly (no
# sanitizer report).
. "$(dirname "$0")/lib.sh"
umn_need_root "$0" "$@"

CLIENTS=64 REQUESTS=2000 LATE=4 LATE_REQUESTS=1000 LOAD_TIMEOUT=120
TOTAL=$((CLIENTS * REQUESTS + LATE * LATE_REQUESTS))
B=0x81232000

# -v: umnicd then logs each reply it could not deliver to a client.
umn_start_daemon "$T_WORK" -v
umn_cli install "$UMNIC_BUILD/drivers/echo/echo.inf" >"$T_WORK/install.txt" 2>&1
t_eq "the echo device installs" "$?" 0
host=$(umn_cli status --json | jq -r '.[0].host_pid')

# io_load kills its own clients after LOAD_TIMEOUT; the outer bound is for io_load itself.
timeout -s KILL $((LOAD_TIMEOUT + 60)) "$UMNIC_BUILD/tests/integration/io_load" -d "$UMN_RUN_DIR" \
	-c $CLIENTS -n $REQUESTS -o 16 -x 25 -a 8 -L $LATE -t $LOAD_TIMEOUT >"$T_WORK/io_load.txt" 2>&1
rc=$?
# All but the failures of single requests, then the first 40 of those (a client names ten at most).
grep -v ': request [0-9]* (' "$T_WORK/io_load.txt"
grep ': request [0-9]* (' "$T_WORK/io_load.txt" | head -40
out=$(cat "$T_WORK/io_load.txt")
t_eq "io_load: every request completed exactly once, as sent or cancelled (exit status)" "$rc" 0
t_contains "io_load: $TOTAL requests, as many completions, late readers' included" "$out" \
	"requests=$TOTAL completions=$TOTAL "
t_contains "io_load: no failure" "$out" "failures=0 "
t_contains "io_load: a fresh client is served after the load" "$out" "a fresh client is served"

# The CLI gives up on umnicd only after 300 s by default; a wedged umnicd must fail this sooner.
cli() { timeout -s KILL 10 "$UMNIC_BUILD/src/cli/umnic" --run-dir "$UMN_RUN_DIR" "$@"; }
t_check "umnicd is alive after the load" sh -c "kill -0 $UMN_DAEMON_PID && \
	timeout -s KILL 10 '$UMNIC_BUILD/src/cli/umnic' --run-dir '$UMN_RUN_DIR' ping >/dev/null 2>&1"
st=$(cli status --json 2>&1)
t_eq "the device is still started" "$(printf "%s" "$st" | jq -r '.[0].state' 2>&1)" started
t_eq "its driver host is the one from before the load (never stopped or restarted)" \
	"$(printf "%s" "$st" | jq -r '.[0].host_pid' 2>&1)" "$host"
t_eq "no failure was counted against the device" "$(printf "%s" "$st" | jq -r '.[0].failures' 2>&1)" 0
t_contains "umnic status shows the device started" "$(cli status 2>&1)" "started"
out=$(cli ioctl UmnicEcho $B --in-hex 0a0b0c0d --out-len 4 2>&1)
t_contains "a fresh request from the CLI is echoed" "$out" "0a 0b 0c 0d"
t_contains "and completes with STATUS_SUCCESS" "$out" "STATUS_SUCCESS"
t_eq "no completion of a request umnicd or the host did not know (a double completion)" \
	"$(grep -c 'completion of unknown request' "$T_WORK/umnicd.log")" 0
t_eq "no verifier report from the driver host" "$(grep -c 'verifier:' "$T_WORK/umnicd.log")" 0
# A sanitizer build: reports that do not stop the process still count.
t_eq "no sanitizer report from umnicd or the driver host" \
	"$(grep -c -e 'runtime error:' -e 'Sanitizer' "$T_WORK/umnicd.log")" 0
# Replies to the clients that died may be lost; io_load catches any other.
echo "# umnicd could not deliver $(grep -c 'reply to client pid .* lost' "$T_WORK/umnicd.log") replies"

# The driver host killed in the middle of a run (0.3 s into about 1.5 s here).
timeout -s KILL 120 "$UMNIC_BUILD/tests/integration/io_load" -d "$UMN_RUN_DIR" -c 8 -n 20000 -o 16 \
	-x 25 -a 0 -L 0 -K -t 60 >"$T_WORK/io_kill.txt" 2>&1 &
load=$!
sleep 0.3
t_kill_host "$host"
wait $load
rc=$?
grep -v ': request [0-9]* (' "$T_WORK/io_kill.txt"
grep ': request [0-9]* (' "$T_WORK/io_kill.txt" | head -40
out=$(cat "$T_WORK/io_kill.txt")
t_eq "host killed: every request completed exactly once (exit status)" "$rc" 0
t_contains "host killed: 160000 requests, as many completions" "$out" "requests=160000 completions=160000 "
t_contains "host killed: no failure" "$out" "failures=0 "
ok=$(echo "$out" | sed -n 's/.* successes=\([0-9]*\) .*/\1/p')
term=$(echo "$out" | sed -n 's/.* terminated=\([0-9]*\) .*/\1/p')
t_check "the kill came mid-run: requests succeeded before it ($ok) and were terminated by it ($term)" \
	[ "${ok:-0}" -gt 0 -a "${term:-0}" -gt 0 ]
t_contains "a fresh client is served after the restart" "$out" "a fresh client is served"
st=$(cli status --json 2>&1)
t_eq "the device is started again" "$(printf "%s" "$st" | jq -r '.[0].state' 2>&1)" started
t_check "by a new driver host" [ "$(printf "%s" "$st" | jq -r '.[0].host_pid' 2>&1)" != "$host" ]
t_eq "and one failure was counted" "$(printf "%s" "$st" | jq -r '.[0].failures' 2>&1)" 1
t_eq "still no sanitizer report from umnicd" \
	"$(grep -c -e 'runtime error:' -e 'Sanitizer' "$T_WORK/umnicd.log")" 0

# A wedged umnicd does not act on SIGTERM: give it 20 s, then kill it rather than hang here.
# Until we wait for it, it stays our zombie, so its pid cannot name another process.
kill -TERM "$UMN_DAEMON_PID"
for _ in $(seq 1 200); do
	case $(cut -d' ' -f3 "/proc/$UMN_DAEMON_PID/stat" 2>/dev/null) in Z | "") break ;; esac
	sleep 0.1
done
kill -KILL "$UMN_DAEMON_PID" 2>/dev/null
wait "$UMN_DAEMON_PID"
rc=$?
UMN_DAEMON_PID=""
# In a sanitizer build a leak makes umnicd's exit status non-zero; 137 is the kill above.
t_eq "umnicd exits cleanly on SIGTERM, nothing leaked" "$rc" 0
t_finish
