#!/bin/sh
# The Win32 subset and the kernel-mode subset inside real driver processes:
# tests/drivers/wdksubset runs its self-test in a sandboxed user-mode host and
# in umnicd as an in-host driver, each in C and in C++, and reports its PnP and
# self-managed I/O callbacks through a start, a PnP stop and start (umnic
# stop/start), a crash and restart, and removal, in WDF's order: D0Exit goes
# to D3Final for a stop as for a removal, SelfManagedIoSuspend runs while the
# queues still dispatch and SelfManagedIoRestart once they dispatch again.
# The driver is a filter (its manual queue, not power-managed, dispatches
# through the stop), sets power policy, device state and a WMI instance and
# fails EvtDriverDeviceAdd if any of them answers otherwise than WDF says.
# umnicd hosts one kernel-mode driver in its life: the C one, then, in a new
# umnicd, the C++ one.
# Its INF includes wudfrd.inf and uses %REG_SZ% undefined, as Microsoft's do.
. "$(dirname "$0")/lib.sh"
umn_need_root "$0" "$@"

umn_start_daemon "$T_WORK"
B="$UMNIC_BUILD/tests/drivers"
SELFTEST=0x81242400 HISTORY=0x81242404
io() { umn_cli "$@" 2>&1; }
# The text of an IOCTL's output: the bytes between the |...| columns of the dump.
text_of() { io ioctl "$1" "$2" --out-len 1024 | sed -n 's/^[0-9a-f]\{8\} .*|\(.*\)|$/\1/p' | tr -d '\n'; }

start="PrepareHardware D0Entry(D3Final) SelfManagedIoInit"
stopstart="$start SelfManagedIoSuspend(queue:on) D0Exit(D3Final,queue:off,manual:on) ReleaseHardware"
stopstart="$stopstart PrepareHardware D0Entry(D3Final) SelfManagedIoRestart(queue:on)"

# pnp_stop_start SERVICE: a PnP stop and start (as for a resource rebalance) keeps the
# device in the same host.
pnp_stop_start() {
	inst=$(umn_cli status --json | jq -r ".[] | select(.driver == \"$1\") | .instance_id")
	pid=$(umn_cli status --json | jq -r ".[] | select(.driver == \"$1\") | .host_pid")
	t_check "$1: umnic stop" umn_cli stop "$inst"
	t_eq "$1: stopped" "$(umn_cli status "$inst" --json | jq -r .state)" stopped
	t_check "$1: umnic start" umn_cli start "$inst"
	t_eq "$1: started again, same host" \
		"$(umn_cli status "$inst" --json | jq -r '"\(.state) \(.host_pid)"')" "started $pid"
}

# kernel_mode SERVICE NAME: the in-host driver's self-test, its start and stop/start
# history, and its removal, whose callbacks (DbgPrintEx) land in umnicd's log.
kernel_mode() {
	t_check "$2: the kernel-mode driver installs" umn_cli install "$B/$1.inf"
	r=$(text_of "$2" $SELFTEST)
	t_contains "$2: the kernel-mode subset works in umnicd ($r)" "$r" "PASS"
	t_eq "$2: start in WDF's order" "$(text_of "$2" $HISTORY)" "$start"
	pnp_stop_start "$1"
	t_eq "$2: stop and start in WDF's order" "$(text_of "$2" $HISTORY)" "$stopstart"
	r=$(text_of "$2" $SELFTEST)
	t_contains "$2: the kernel-mode subset works after the start" "$r" "PASS"
	t_check "$2: the kernel-mode device uninstalls" umn_cli uninstall "$2"
	# The log reaches umnicd's log through a pipe: wait for its last lines.
	for _ in $(seq 1 100); do
		grep -q "$2: DeviceContextCleanup" "$T_WORK/umnicd.log" &&
			grep -q "$2: QueueContextDestroy" "$T_WORK/umnicd.log" && break
		sleep 0.05
	done
	seq=$(sed -n "s/.*$2: \\([A-Za-z0-9():,]*\\).*/\\1/p" "$T_WORK/umnicd.log" | tr '\n' ' ')
	case "$seq" in
	"$stopstart SelfManagedIoSuspend(queue:on) D0Exit(D3Final,"*") ReleaseHardware SelfManagedIoFlush SelfManagedIoCleanup "*)
		t_pass "$2: start, stop, start, removal in WDF's order" ;;
	*) t_fail "$2: start, stop, start, removal in WDF's order: $seq" ;;
	esac
	# The device's cleanup and its queue's destroy callback, declared with the legacy EVT_ names.
	for cb in DeviceContextCleanup QueueContextDestroy; do
		case "$seq" in
		*" SelfManagedIoCleanup "*"$cb "*) t_pass "$2: $cb after the removal" ;;
		*) t_fail "$2: $cb after the removal: $seq" ;;
		esac
	done
	# umnic has no idle, wake or WMI client: the power policy and WMI callbacks never run.
	case "$seq" in
	*Wake* | *Wmi*) t_fail "$2: no power policy or WMI callback runs: $seq" ;;
	*) t_pass "$2: no power policy or WMI callback runs" ;;
	esac
}

out=$(io install "$B/wdksubset.inf")
t_contains "the C driver installs" "$out" "ROOT\\WDKSUBSET"
case "$out" in
*WUDFRD* | *wudfrd*) t_fail "no word about the system INF it includes: $out" ;;
*) t_pass "no word about the system INF it includes" ;;
esac
t_contains "%REG_SZ% undefined: a warning naming the value used" "$(cat "$T_WORK/umnicd.log") $out" \
	"%REG_SZ% is not in [Strings]; using 0x00000000"
t_check "the C++ driver installs" umn_cli install "$B/wdksubset_cpp.inf"

for d in UmnicWdkSubset UmnicWdkSubsetCpp; do
	r=$(text_of $d $SELFTEST)
	t_contains "$d: the Win32 subset works in the sandboxed host ($r)" "$r" "PASS"
done
r=$(text_of UmnicWdkSubset $SELFTEST)
t_contains "the self-test passes a second time in the same host" "$r" "PASS"

t_eq "start: WDF's order" "$(text_of UmnicWdkSubset $HISTORY)" "$start"
t_eq "start (C++): WDF's order" "$(text_of UmnicWdkSubsetCpp $HISTORY)" "$start"
pnp_stop_start wdksubset
pnp_stop_start wdksubset_cpp
t_eq "stop and start: WDF's order" "$(text_of UmnicWdkSubset $HISTORY)" "$stopstart"
t_eq "stop and start (C++): WDF's order" "$(text_of UmnicWdkSubsetCpp $HISTORY)" "$stopstart"
r=$(text_of UmnicWdkSubset $SELFTEST)
t_contains "the Win32 subset works after the start" "$r" "PASS"

# A crash: the restarted host is a new device stack, started from the beginning.
st=$(umn_cli status --json)
pid=$(printf '%s' "$st" | jq -r '.[] | select(.driver == "wdksubset") | .host_pid')
t_kill_host "$pid"
for _ in $(seq 1 100); do
	st=$(umn_cli status --json)
	new=$(printf '%s' "$st" | jq -r '.[] | select(.driver == "wdksubset") | "\(.state) \(.host_pid)"')
	[ "${new%% *}" = started ] && [ "${new#* }" != "$pid" ] && break
	sleep 0.1
done
t_eq "after a crash the device runs in a new host" "${new%% *}" started
t_eq "restart after a crash: a fresh start in WDF's order" "$(text_of UmnicWdkSubset $HISTORY)" "$start"
r=$(text_of UmnicWdkSubset $SELFTEST)
t_contains "the Win32 subset works in the restarted host" "$r" "PASS"

kernel_mode wdksubset_km UmnicWdkSubsetKm
# A kernel-mode driver stays loaded until umnicd exits: a new umnicd for the C++ one.
t_check "umnicd exits cleanly" umn_stop_daemon
umn_start_daemon "$T_WORK"
kernel_mode wdksubset_km_cpp UmnicWdkSubsetKmCpp
t_check "umnicd is alive" t_daemon_alive
t_finish
