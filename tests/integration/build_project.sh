#!/bin/sh
# umnic-build: a Windows driver project (tests/drivers/wpptrace's .vcxproj
# and .inx, C and C++ with WPP) builds with one command into a .so and a
# stamped .inf that install and trace; errors name the project file and line.
. "$(dirname "$0")/lib.sh"
umn_need_root "$0" "$@"

SRC="$UMNIC_SRC/tests/drivers/wpptrace"
BUILD="$UMNIC_SRC/scripts/umnic-build"
export PKG_CONFIG_PATH="$UMNIC_BUILD/meson-uninstalled"
out="$T_WORK/out"

r=$(python3 "$BUILD" "$SRC/wpptrace.vcxproj" -o "$out" --driver-ver 12/03/2026,1.2.3.4 2>&1)
t_eq "umnic-build names the .inf and .so it made" "$r" "$out/wpptrace.inf
$out/wpptrace_built.so"
t_check "the .so is there" [ -f "$out/wpptrace_built.so" ]
inf=$(cat "$out/wpptrace.inf" 2>/dev/null)
t_contains "DriverVer is stamped" "$inf" "DriverVer = 12/03/2026,1.2.3.4"
t_contains "\$ARCH\$ is amd64" "$inf" "[Models.NTamd64]"
t_contains "\$UMDFVERSION\$: the project's UMDF major version, the runtime's minor" "$inf" "UmdfLibraryVersion = 2.33.0"
t_contains "\$WINDOWS NT\$ stays" "$inf" 'Signature = "$WINDOWS NT$"'
t_check "the .tmh headers were generated, the library's in its own folder" \
	test -f "$out/obj/driver.tmh" -a -f "$out/obj/wpptracelib/queue.tmh"

umn_start_daemon "$T_WORK"
t_contains "the built package installs" "$(umn_cli install "$out/wpptrace.inf" 2>&1)" "WPPTRACE"
t_contains "its IOCTL completes" "$(umn_cli ioctl UmnicWppTrace 0x81252400 --out-len 16 2>&1)" "OK"
all=$(umn_cli trace UmnicWppTrace 2>&1)
t_contains "the project's preprocessor definitions reached the source" "$all" "built from its project file"
t_contains "WPP in the referenced static library (C++)" "$all" \
	"CRITICAL TRACE_QUEUE EvtIoDeviceControl: call 1: critical STATUS_INSUFFICIENT_RESOURCES"
t_contains "the project's -func: trace function" "$all" \
	"WARNING TRACE_DRIVER EvtIoDeviceControl: call 1: custom function in EvtIoDeviceControl"
t_check "the device uninstalls" umn_cli uninstall UmnicWppTrace

# Errors name the project file and line.
line=$(grep -n 'missing.c' "$SRC/wpptrace.vcxproj" | cut -d: -f1)
r=$(python3 "$BUILD" "$SRC/wpptrace.vcxproj" -o "$T_WORK/dbg" --configuration Debug 2>&1)
t_contains "a missing source: file and line" "$r" "$SRC/wpptrace.vcxproj:$line: source 'missing.c' does not exist"
bad="$T_WORK/bad"
mkdir -p "$bad"
sed '5a\    <Broken attr=unquoted />' "$SRC/wpptrace.vcxproj" >"$bad/broken.vcxproj"
r=$(python3 "$BUILD" "$bad/broken.vcxproj" -o "$bad/out" 2>&1)
t_contains "malformed XML: file and line" "$r" "$bad/broken.vcxproj:6: not a valid project file"
printf 'int f(void) { return }\n' >"$bad/bad.c"
cat >"$bad/bad.vcxproj" <<'X'
<Project xmlns="http://schemas.microsoft.com/developer/msbuild/2003">
  <ItemGroup>
    <ClCompile Include="bad.c" />
  </ItemGroup>
</Project>
X
r=$(python3 "$BUILD" "$bad/bad.vcxproj" -o "$bad/out" 2>&1)
t_contains "a compile error: the project line of its source" "$r" "$bad/bad.vcxproj:3: compiling bad.c failed"
t_contains "and the compiler's message" "$r" "bad.c:1"
t_check "umnicd is alive" t_daemon_alive
t_finish
