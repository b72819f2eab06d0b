#!/bin/sh
# umnicd, which runs as root, never touches a process's memory by pid, so a
# client cannot make it write into another process by passing its connection
# on and letting its own pid be reused. In a private PID namespace a client
# sends a METHOD_NEITHER IOCTL (echoed right), forks, and exits; its child
# keeps the connection while a victim process takes the client's old pid
# (ns_last_pid). The child then sends METHOD_NEITHER IOCTLs, through libumnic
# and as raw packets that carry addresses inside the victim, where a known
# pattern lives; the victim finds its memory unchanged. (neither_reuse.c has
# the processes.)
. "$UMNIC_SRC/scripts/lib.sh"
umn_need_root "$0" "$@"
# This script becomes the namespace's init; when it ends, everything in it ends.
if [ -z "${UMNIC_IN_PIDNS:-}" ]; then
	exec env UMNIC_IN_PIDNS=1 unshare --pid --mount-proc --kill-child "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"

prog="$UMNIC_BUILD/tests/integration/neither_reuse"

# wait_line FILE PREFIX: waits up to 30 s for a line starting with PREFIX; prints the rest.
wait_line() {
	for _ in $(seq 1 300); do
		if grep -q "^$2" "$1" 2>/dev/null; then
			sed -n "s/^$2//p" "$1" | head -1
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# No warm spare: spawned on a tick of its own, it could take the very pid
# the victim is after, and keep it.
umn_start_daemon "$T_WORK" --no-warm-spare
umn_cli install "$UMNIC_BUILD/drivers/echo/echo.inf" >/dev/null
mkfifo "$T_WORK/attacker.in" "$T_WORK/victim.in"
exec 7<>"$T_WORK/attacker.in" 8<>"$T_WORK/victim.in"

# Replies on the socket only, where the raw packets read them.
UMNIC_NO_RINGS=1 "$prog" client "$UMN_RUN_DIR" <"$T_WORK/attacker.in" >"$T_WORK/client.txt" 2>&1 7>&- 8>&-
t_contains "a live client's METHOD_NEITHER IOCTL echoes its input" "$(cat "$T_WORK/client.txt")" "live: ok"
client=$(wait_line "$T_WORK/client.txt" "client: ")
attacker=$(wait_line "$T_WORK/client.txt" "attacker: ")
UMN_PIDS="$UMN_PIDS $attacker"
t_check "the client exited ($client) and its child ($attacker) holds the connection" \
	sh -c "[ -n '$client' ] && [ -n '$attacker' ] && ! kill -0 '$client' && kill -0 '$attacker'" 2>/dev/null

# The victim's lines come through a FIFO that the shell reads with its builtin
# read: a command substitution here would fork, and the forked shell could
# take the very pid the victim is after and keep it while it waits.
mkfifo "$T_WORK/victim.out"
"$prog" victim "$client" <"$T_WORK/victim.in" >"$T_WORK/victim.out" 2>&1 7>&- 8>&- &
helper=$!
UMN_PIDS="$UMN_PIDS $helper"
exec 9<"$T_WORK/victim.out"
IFS= read -r victim_line <&9 || victim_line=
set -- ${victim_line#victim: }
t_eq "the victim took the client's pid" "${1:-none}" "$client"

echo "${2:-0}" >&7
wait_line "$T_WORK/client.txt" "attack: done" >/dev/null
echo check >&8
IFS= read -r victim_result <&9 || victim_result=
wait "$helper"
out=$(cat "$T_WORK/client.txt")
t_contains "the connection's holder still gets its METHOD_NEITHER IOCTLs echoed" "$out" "reused: ok"
t_contains "umnicd drops a connection whose IOCTL carries addresses" "$out" "attack: connection closed by umnicd"
t_contains "and says why" "$(cat "$T_WORK/umnicd.log")" "malformed request (ioctl.reserved: not 0)"
t_eq "the victim's memory, where the addresses pointed, is unchanged" "$victim_result" "victim: intact"
t_check "umnicd is up" t_daemon_alive
exec 7>&- 8>&- 9<&-
echo "# client:"; sed 's/^/#   /' "$T_WORK/client.txt"
echo "# victim: $victim_line / $victim_result"
t_finish
