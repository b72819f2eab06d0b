# Shell helpers shared by the demo, the integration tests and the benchmarks.
# Source it; it expects UMNIC_BUILD to name the meson build directory
# (UMNIC_UMNICD and UMNIC_CLI name installed programs instead).

umn_die() { echo "error: $*" >&2; exit 1; }

# Root is needed for network namespaces and TAP devices. As a normal user,
# re-run the caller inside a new user + network + mount namespace where we
# are root; /run gets a private tmpfs so `ip netns add` works there.
umn_need_root() {
	[ "$(id -u)" -eq 0 ] && return 0
	[ -n "${UMNIC_IN_USERNS:-}" ] && umn_die "still not root inside the user namespace"
	command -v unshare >/dev/null || umn_die "not root and unshare(1) is missing (util-linux)"
	if [ ! -r /dev/net/tun ] || [ ! -w /dev/net/tun ]; then
		umn_die "not root, and /dev/net/tun is not usable by $(id -un) ($(stat -c %A /dev/net/tun 2>/dev/null || echo missing); a standard Debian install has crw-rw-rw-): run as root, or chmod 0666 /dev/net/tun"
	fi
	if ! unshare -Urnm true 2>/dev/null; then
		umn_die "not root, and unprivileged user namespaces are disabled (sysctl kernel.unprivileged_userns_clone=1 or run as root)"
	fi
	exec env UMNIC_IN_USERNS=1 unshare -Urnm --propagation private \
		sh -c 'mount -t tmpfs tmpfs /run && mkdir -p /run/netns && exec "$0" "$@"' "$@"
}

UMN_PIDS=""
UMN_NETNS=""

umn_netns_add() {
	ip netns add "$1" || umn_die "cannot create network namespace $1"
	UMN_NETNS="$UMN_NETNS $1"
	ip -n "$1" link set lo up
}

# umn_start_daemon DIR [extra umnicd args]: runs umnicd with its state and run
# directories under DIR, logging to DIR/umnicd.log, and waits until it answers.
umn_start_daemon() {
	dir=$1; shift
	mkdir -p "$dir"
	"${UMNIC_UMNICD:-$UMNIC_BUILD/src/umnicd/umnicd}" --state-dir "$dir/state" --run-dir "$dir/run" "$@" \
		>>"$dir/umnicd.log" 2>&1 &
	UMN_DAEMON_PID=$!
	UMN_PIDS="$UMN_PIDS $UMN_DAEMON_PID"
	UMN_RUN_DIR="$dir/run"
	for _ in $(seq 1 100); do
		umn_cli ping >/dev/null 2>&1 && return 0
		kill -0 "$UMN_DAEMON_PID" 2>/dev/null || break
		sleep 0.05
	done
	cat "$dir/umnicd.log" >&2
	umn_die "umnicd did not start"
}

umn_stop_daemon() {
	[ -n "${UMN_DAEMON_PID:-}" ] || return 0
	kill -TERM "$UMN_DAEMON_PID" 2>/dev/null || true
	wait "$UMN_DAEMON_PID" 2>/dev/null
	rc=$?
	umn_forget "$UMN_DAEMON_PID"
	UMN_DAEMON_PID=""
	return $rc
}

# umn_cpu_ticks PID: CPU time (user + system, clock ticks) the process used so far.
umn_cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# umn_vpair_underlay NSA NSB NAME: a veth NAME-ua/NAME-ub between the two
# namespaces (192.168.77.1 and .2), over which the UDP wires of vpair_solo.inf
# ends meet.
umn_vpair_underlay() {
	ip link add "$3-ua" netns "$1" type veth peer name "$3-ub" netns "$2" &&
		ip -n "$1" addr add 192.168.77.1/24 dev "$3-ua" &&
		ip -n "$2" addr add 192.168.77.2/24 dev "$3-ub" &&
		ip -n "$1" link set "$3-ua" up &&
		ip -n "$2" link set "$3-ub" up
}

# umn_vpair_install KIND I NSA IFA NSB IFB: the two ends of vpair pair I, as IFA
# in NSA and IFB in NSB. KIND shared: vpair.inf, every pair in one driver host;
# solo: vpair_solo.inf, each end in a host of its own, wired over the underlay.
umn_vpair_install() {
	if [ "$1" = shared ]; then
		umn_cli install "$UMNIC_BUILD/drivers/vpair/vpair.inf" --netns "$3" --ifname "$4" \
			--param Pair="$2" >/dev/null &&
			umn_cli install "$UMNIC_BUILD/drivers/vpair/vpair.inf" --netns "$5" --ifname "$6" \
				--param Pair="$2" >/dev/null
	else
		port=$((7000 + $2))
		umn_cli install "$UMNIC_BUILD/drivers/vpair/vpair_solo.inf" --netns "$3" --ifname "$4" \
			--param Pair="$2" --param "UmnicResources=udp:192.168.77.1:$port>192.168.77.2:$port" \
			>/dev/null &&
			umn_cli install "$UMNIC_BUILD/drivers/vpair/vpair_solo.inf" --netns "$5" --ifname "$6" \
				--param Pair="$2" --param Side=1 \
				--param "UmnicResources=udp:192.168.77.2:$port>192.168.77.1:$port" >/dev/null
	fi
}

# umn_vpair_up NSA NSB: one vpair pair, vpa (10.77.0.1/24) in NSA and vpb (10.77.0.2/24) in NSB,
# both up.
umn_vpair_up() {
	umn_cli install "$UMNIC_BUILD/drivers/vpair/vpair.inf" --netns "$1" --ifname vpa >/dev/null &&
		umn_cli install "$UMNIC_BUILD/drivers/vpair/vpair.inf" --netns "$2" --ifname vpb >/dev/null &&
		ip -n "$1" addr add 10.77.0.1/24 dev vpa && ip -n "$2" addr add 10.77.0.2/24 dev vpb &&
		ip -n "$1" link set vpa up && ip -n "$2" link set vpb up
}

umn_cli() {
	"${UMNIC_CLI:-$UMNIC_BUILD/src/cli/umnic}" --run-dir "$UMN_RUN_DIR" "$@"
}

# umn_bg CMD...: runs CMD in the background, its pid in UMN_BG_PID; umn_cleanup
# stops it if nothing did before. (`ip netns exec` execs its command, so
# the pid is the command's.) Never daemonize what a script starts: a
# daemon's pid is unknown, so it could only be stopped by a pattern.
umn_bg() {
	"$@" &
	UMN_BG_PID=$!
	UMN_PIDS="$UMN_PIDS $UMN_BG_PID"
}

# umn_alive PID: the process runs (a zombie waiting to be reaped does not).
umn_alive() {
	[ -r "/proc/$1/stat" ] || return 1
	[ "$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)" != Z ]
}

# umn_stop PID: stops a process this script started with umn_bg (TERM, KILL
# after 2 s) and reaps it.
umn_stop() {
	kill -TERM "$1" 2>/dev/null || return 0
	for _ in $(seq 1 40); do
		umn_alive "$1" || break
		sleep 0.05
	done
	kill -KILL "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
	umn_forget "$1"
}

# umn_forget PID: a process umn_cleanup no longer stops (it was reaped: its pid may be reused).
umn_forget() {
	UMN_PIDS=$(echo " $UMN_PIDS " | sed "s/ $1 / /")
}

umn_cleanup() {
	for p in $UMN_PIDS; do kill -KILL "$p" 2>/dev/null || true; done
	for n in $UMN_NETNS; do ip netns del "$n" 2>/dev/null || true; done
	UMN_PIDS=""
	UMN_NETNS=""
}

# umn_json_get FILE|- EXPR: a value out of a JSON document (jq is a test dependency).
umn_json() { jq -r "$@"; }

# umn_median: the median of the numbers on stdin (the middle one of an odd count).
umn_median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# umn_ratio A B: A / B with three decimals (0 when B is 0).
umn_ratio() { echo "$1 $2" | awk '{printf "%.3f", ($2 > 0 ? $1 / $2 : 0)}'; }

# umn_iperf_gbps NS_CLIENT NS_SERVER ADDR PORT SECONDS WORKDIR [iperf3 client options]:
# one iperf3 TCP run from NS_CLIENT to a one-shot server in NS_SERVER; prints
# the Gbit/s received. The server is started with umn_bg and reaped here.
umn_iperf_gbps() {
	_c=$1 _s=$2 _a=$3 _p=$4 _t=$5 _w=$6
	shift 6
	umn_bg ip netns exec "$_s" iperf3 -s -1 -B "$_a" -p "$_p" >/dev/null 2>&1
	sleep 0.3
	# A client that never reached the server leaves it waiting: stop it.
	ip netns exec "$_c" iperf3 -c "$_a" -p "$_p" "$@" -t "$_t" -J >"$_w/iperf.json" 2>/dev/null ||
		kill "$UMN_BG_PID" 2>/dev/null || true
	wait "$UMN_BG_PID" 2>/dev/null || true
	umn_forget "$UMN_BG_PID"
	jq -r '.end.sum_received.bits_per_second // 0 | . / 1e9' "$_w/iperf.json"
}
