#!/bin/sh
# umnic runs wherever it is put: a copy of the build under a folder only root
# may enter (as a clone in /root is), and an installation (meson install into a
# temporary DESTDIR, also under such a folder), each moving real traffic across
# a vpair pair. A host that cannot be executed is named with its cause. The
# installed umnic-build builds a driver project with the installed .pc file.
. "$(dirname "$0")/lib.sh"
umn_need_root "$0" "$@"

PRIV=$(mktemp -d)
trap 'umn_cleanup; rm -rf "$PRIV"' EXIT INT TERM
t_eq "the private folder is mode 0700" "$(stat -c %a "$PRIV")" "700"

# pair_traffic NAME: a vpair pair in two namespaces, ping and a TCP stream across it.
pair_traffic() {
	umn_netns_add "$T_TAG-$1a"
	umn_netns_add "$T_TAG-$1b"
	umn_cli install "$VPAIR_INF" --netns "$T_TAG-$1a" --ifname vpa >"$T_WORK/$1.install" 2>&1 &&
		umn_cli install "$VPAIR_INF" --netns "$T_TAG-$1b" --ifname vpb >>"$T_WORK/$1.install" 2>&1
	t_check "$1: two vpair devices install ($(tr '\n' ' ' <"$T_WORK/$1.install"))" \
		[ "$(umn_cli status --json | jq -r '[.[].state] | join(",")')" = "started,started" ]
	ip -n "$T_TAG-$1a" addr add 10.77.0.1/24 dev vpa && ip -n "$T_TAG-$1b" addr add 10.77.0.2/24 dev vpb &&
		ip -n "$T_TAG-$1a" link set vpa up && ip -n "$T_TAG-$1b" link set vpb up
	t_check "$1: ping across the pair" t_ping_ok "$T_TAG-$1a" 10.77.0.2 5
	ip netns exec "$T_TAG-$1b" iperf3 -s -1 -B 10.77.0.2 -p 5302 >/dev/null 2>&1 &
	srv=$!
	UMN_PIDS="$UMN_PIDS $srv"
	sleep 0.3
	ip netns exec "$T_TAG-$1a" iperf3 -c 10.77.0.2 -p 5302 -t 1 -J >"$T_WORK/$1.iperf" 2>/dev/null
	bytes=$(jq -r '.end.sum_received.bytes // 0' "$T_WORK/$1.iperf" 2>/dev/null || echo 0)
	t_check "$1: a TCP stream moved data ($bytes bytes)" [ "${bytes:-0}" -gt 1000000 ]
	kill "$srv" 2>/dev/null
	wait "$srv" 2>/dev/null
	t_eq "$1: the driver host runs sandboxed as uid 61234" \
		"$(awk '/^Uid:/ {print $2}' "/proc/$(umn_cli status --json | jq -r '.[0].host_pid')/status")" "61234"
}

# wait_failed: the one device's last error, once its host has failed to start.
wait_error() {
	for _ in $(seq 1 100); do
		e=$(umn_cli status --json | jq -r '.[0].last_error // ""')
		[ -n "$e" ] && { echo "$e"; return 0; }
		sleep 0.1
	done
	echo "no error reported"
}

# 1. A copy of the build under the 0700 folder.
mkdir "$PRIV/build"
cp -a "$UMNIC_BUILD/src" "$UMNIC_BUILD/drivers" "$PRIV/build/"
VPAIR_INF=$PRIV/build/drivers/vpair/vpair.inf
UMNIC_BUILD=$PRIV/build umn_start_daemon "$T_WORK/copy"
UMNIC_BUILD=$PRIV/build pair_traffic copy
umn_stop_daemon
umn_cleanup

# 2. A host that cannot be executed, or cannot load its libraries, is named with the cause.
chmod 0700 "$PRIV/build/src/drvhost/umnic-host"
UMNIC_BUILD=$PRIV/build umn_start_daemon "$T_WORK/noexec" --no-warm-spare
UMNIC_BUILD=$PRIV/build umn_cli install "$VPAIR_INF" --ifname vpx >/dev/null 2>&1
err=$(UMNIC_BUILD=$PRIV/build wait_error)
t_contains "a host that cannot be executed is named with the cause" "$err" \
	"umnic-host cannot be executed as uid 61234: permission denied on $PRIV/build/src/drvhost/umnic-host"
umn_stop_daemon
chmod 0755 "$PRIV/build/src/drvhost/umnic-host"
mkdir "$PRIV/moved"
mv "$PRIV/build/src/runtime/"libumnic-driver.so* "$PRIV/moved/"
UMNIC_BUILD=$PRIV/build umn_start_daemon "$T_WORK/nolib" --no-warm-spare
UMNIC_BUILD=$PRIV/build umn_cli install "$VPAIR_INF" --ifname vpx >/dev/null 2>&1
err=$(UMNIC_BUILD=$PRIV/build wait_error)
t_contains "a host whose libraries cannot be loaded says so" "$err" "umnic-host could not load its libraries as uid 61234"
umn_stop_daemon
umn_cleanup

# 3. meson install into a temporary DESTDIR under the 0700 folder, run from the installed files.
DEST=$PRIV/root
meson install -C "$UMNIC_BUILD" --destdir "$DEST" --no-rebuild --quiet >"$T_WORK/install.log" 2>&1
t_check "meson install into $DEST" [ $? -eq 0 ]
UMNIC_UMNICD=$(find "$DEST" -path '*/sbin/umnicd' -type f | head -n 1)
UMNIC_CLI=$(find "$DEST" -path '*/bin/umnic' -type f | head -n 1)
VPAIR_INF=$(find "$DEST" -path '*/umnic/drivers/vpair/vpair.inf' | head -n 1)
t_check "umnicd, umnic and the vpair package are installed" [ -x "$UMNIC_UMNICD" ] && [ -x "$UMNIC_CLI" ] && [ -f "$VPAIR_INF" ]
t_check "umnic-host is installed under libexec" [ -x "$(dirname "$UMNIC_UMNICD")/../libexec/umnic-host" ]
unit=$(find "$DEST" -name umnicd.service | head -n 1)
exec_path=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$unit")
t_check "the systemd unit starts the installed umnicd ($exec_path)" [ -x "$DEST$exec_path" ]
pc=$(find "$DEST" -name umnic-driver.pc | head -n 1)
pc_libdir=$(sed -n 's/^libdir=\${prefix}//p' "$pc")
pc_prefix=$(sed -n 's/^prefix=//p' "$pc")
t_check "umnic-driver.pc points at the installed library ($pc_prefix$pc_libdir)" \
	[ -e "$DEST$pc_prefix$pc_libdir/libumnic-driver.so" ]
export UMNIC_UMNICD UMNIC_CLI
umn_start_daemon "$T_WORK/installed"
pair_traffic installed

# The installed umnic-build builds a driver project with the installed
# umnic-driver.pc, which it finds beside itself (<bindir>/../lib*/pkgconfig):
# no PKG_CONFIG_PATH, and a pkg-config search path without umnic-driver.
BUILD_CMD=$(dirname "$UMNIC_CLI")/umnic-build
t_check "umnic-build and umnic-tracewpp are installed beside umnic" \
	[ -x "$BUILD_CMD" ] && [ -x "$(dirname "$UMNIC_CLI")/umnic-tracewpp" ]
mkdir "$PRIV/nopc"
r=$(env -u PKG_CONFIG_PATH PKG_CONFIG_LIBDIR="$PRIV/nopc" "$BUILD_CMD" \
	"$UMNIC_SRC/tests/drivers/wppc/wppc.vcxproj" -o "$PRIV/wppc" 2>&1)
t_eq "the installed umnic-build builds wppc with the installed .pc file" "$r" "$PRIV/wppc/wppc.inf
$PRIV/wppc/wppc.so"
t_contains "the package installs in the installed umnicd" "$(umn_cli install "$PRIV/wppc/wppc.inf" 2>&1)" "WPPC"
t_contains "its IOCTL completes" "$(umn_cli ioctl UmnicWppC 0x81262400 --out-len 16 2>&1)" "OK"
t_contains "its trace messages arrive" "$(umn_cli trace UmnicWppC --flags WPPC_IO --level error 2>&1)" \
	"ERROR WPPC_IO EvtIoDeviceControl: c1 error E_OUTOFMEMORY then 0x8007ABCD"
cp "$BUILD_CMD" "$PRIV/umnic-build"
r=$(env -u PKG_CONFIG_PATH PKG_CONFIG_LIBDIR="$PRIV/nopc" python3 "$PRIV/umnic-build" \
	"$UMNIC_SRC/tests/drivers/wppc/wppc.vcxproj" -o "$PRIV/wppc2" 2>&1)
t_eq "away from an installation, the missing .pc file is named" "$r" \
	"umnic-build: pkg-config cannot find umnic-driver on its search path, nor in $(dirname "$PRIV")/lib*/pkgconfig; set PKG_CONFIG_PATH"
umn_stop_daemon
t_finish
