# Integration test helpers: real umnicd, real driver hosts, real namespaces.
# Usage: . lib.sh (UMNIC_BUILD and UMNIC_SRC are set by meson).
set -u
. "$UMNIC_SRC/scripts/lib.sh"

T_FAILS=0
T_CHECKS=0
T_NAME=$(basename "$0" .sh)
T_TAG="ut$$"
T_WORK=$(mktemp -d "/tmp/umnic-$T_NAME.XXXXXX")

t_pass() { T_CHECKS=$((T_CHECKS + 1)); echo "ok - $*"; }
t_fail() { T_CHECKS=$((T_CHECKS + 1)); T_FAILS=$((T_FAILS + 1)); echo "not ok - $*"; }

# t_check DESCRIPTION COMMAND...: passes when the command succeeds.
t_check() {
	d=$1; shift
	if "$@"; then t_pass "$d"; else t_fail "$d"; fi
}

# t_contains DESCRIPTION HAYSTACK NEEDLE
t_contains() {
	case "$2" in
	*"$3"*) t_pass "$1" ;;
	*) t_fail "$1: expected to find '$3' in: $2" ;;
	esac
}

# t_lacks DESCRIPTION HAYSTACK NEEDLE: NEEDLE is not in HAYSTACK.
t_lacks() {
	case "$2" in
	*"$3"*) t_fail "$1: did not expect '$3' in: $2" ;;
	*) t_pass "$1" ;;
	esac
}

t_eq() {
	if [ "$2" = "$3" ]; then t_pass "$1"; else t_fail "$1: expected '$3', got '$2'"; fi
}

t_finish() {
	umn_stop_daemon >/dev/null 2>&1 || true
	umn_cleanup
	if [ "$T_FAILS" -ne 0 ] && [ -f "$T_WORK/umnicd.log" ]; then
		echo "--- umnicd.log"
		tail -50 "$T_WORK/umnicd.log"
	fi
	[ "$T_FAILS" -eq 0 ] && rm -rf "$T_WORK"
	echo "$T_NAME: $((T_CHECKS - T_FAILS)) of $T_CHECKS checks passed"
	[ "$T_FAILS" -eq 0 ]
}

trap 'umn_cleanup' EXIT INT TERM

# t_pair NSA NSB: installs the two vpair devices into NSA and NSB with addresses.
t_pair() { umn_vpair_up "$@"; }

t_ping_ok() {
	ip netns exec "$1" ping -c "${3:-5}" -i 0.05 -W 2 -q "$2" >/dev/null 2>&1
}

# t_kill_host PID: SIGKILL to a driver host whose pid `umnic status` gave. A
# pid that is not a number above 1 (no host: 0 or null) would signal this
# test's own process group, which would die before its clean-up: fail instead.
t_kill_host() {
	case "$1" in
	"" | *[!0-9]* | 0 | 1)
		t_fail "no driver host pid to kill ('$1')"
		return 1
		;;
	esac
	kill -KILL "$1"
}

t_daemon_alive() {
	kill -0 "$UMN_DAEMON_PID" 2>/dev/null && umn_cli ping >/dev/null 2>&1
}

# t_tcp_ok NS_CLIENT NS_SERVER ADDR PORT BYTES: BYTES sent over TCP from
# NS_CLIENT to a server on ADDR:PORT in NS_SERVER arrive intact (tcpcheck.py).
t_tcp_ok() {
	ip netns exec "$2" python3 "$UMNIC_SRC/tests/integration/tcpcheck.py" serve "$3" "$4" &
	_srv=$!
	sleep 0.3
	ip netns exec "$1" timeout 60 python3 "$UMNIC_SRC/tests/integration/tcpcheck.py" send "$3" "$4" "$5"
	_r=$?
	wait $_srv
	return $_r
}
