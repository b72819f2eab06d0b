#!/bin/sh
# The Win32 surface header libraries such as WIL build on: tests/drivers/winapi
# (C++, WPP, <Windows.h>, a header found through the project's IncludePath)
# builds with umnic-build, installs, and its self-test passes in the sandboxed host.
. "$(dirname "$0")/lib.sh"
umn_need_root "$0" "$@"

export PKG_CONFIG_PATH="$UMNIC_BUILD/meson-uninstalled"
out="$T_WORK/out"
r=$(python3 "$UMNIC_SRC/scripts/umnic-build" "$UMNIC_SRC/tests/drivers/winapi/winapi.vcxproj" \
	-o "$out" 2>&1)
t_eq "umnic-build builds it without a warning" "$r" "$out/winapi.inf
$out/winapi.so"

umn_start_daemon "$T_WORK"
t_contains "the driver installs" "$(umn_cli install "$out/winapi.inf" 2>&1)" "ROOT\\WINAPI"
r=$(umn_cli ioctl UmnicWinapi 0x81262400 --out-len 128 2>&1 |
	sed -n 's/^[0-9a-f]\{8\} .*|\(.*\)|$/\1/p' | tr -d '\n')
t_contains "the self-test passes in the sandboxed host ($r)" "$r" "PASS"
t_contains "WPP works beside <Windows.h>" "$(umn_cli trace UmnicWinapi 2>&1)" "DriverEntry entry"
t_check "the device uninstalls (EvtDriverUnload's WPP_CLEANUP)" umn_cli uninstall UmnicWinapi
t_check "umnicd is alive" t_daemon_alive
t_finish
