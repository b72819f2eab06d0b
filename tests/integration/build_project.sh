#!/bin/sh
# umnic-build: Windows driver projects (tests/drivers/wpptrace's .vcxproj and
# .inx, C and C++ with WPP, and tests/drivers/wppc's, C only) build with one
# command into a .so and a stamped .inf that install and trace, their
# messages filtered by level and flag; errors name the project file and line.
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
w=$(umn_cli trace UmnicWppTrace --level warning 2>&1)
t_contains "--level warning: critical" "$w" "CRITICAL TRACE_QUEUE EvtIoDeviceControl: call 1: critical"
t_contains "--level warning: warning" "$w" "WARNING TRACE_DRIVER EvtIoDeviceControl: call 1: warning"
t_contains "--level warning: a message without a level" "$w" "NONE TRACE_QUEUE EvtIoDeviceControl: call 1: plain message"
t_lacks "--level warning: no information" "$w" "call 1: values"
t_lacks "--level warning: no verbose" "$w" "call 1: verbose"
q=$(umn_cli trace UmnicWppTrace --flags TRACE_QUEUE 2>&1)
t_contains "--flags TRACE_QUEUE: the queue's messages" "$q" "INFORMATION TRACE_QUEUE EvtIoDeviceControl: call 1: values"
t_lacks "--flags TRACE_QUEUE: none of the driver's" "$q" "TRACE_DRIVER"
t_check "the device uninstalls" umn_cli uninstall UmnicWppTrace

# tests/drivers/wppc: C only, two sources with their .tmh, TraceIo declared by
# the project's WppAdditionalOptions and trace.h found through its
# WppScanConfigurationData; each message is checked whole, then filtered.
WPPC="$T_WORK/wppc"
r=$(python3 "$BUILD" "$UMNIC_SRC/tests/drivers/wppc/wppc.vcxproj" -o "$WPPC" 2>&1)
t_eq "wppc builds without a word" "$r" "$WPPC/wppc.inf
$WPPC/wppc.so"
t_check "with a .tmh for each source" test -f "$WPPC/obj/driver.tmh" -a -f "$WPPC/obj/queue.tmh"
t_contains "wppc installs" "$(umn_cli install "$WPPC/wppc.inf" 2>&1)" "WPPC"
t_contains "its IOCTL completes" "$(umn_cli ioctl UmnicWppC 0x81262400 --out-len 16 2>&1)" "OK"
# wppc_trace ARGS...: the device's messages without their sequence numbers and times.
wppc_trace() {
	umn_cli trace UmnicWppC "$@" 2>&1 | cut -d' ' -f3-
}
L_ENTRY="VERBOSE WPPC_INIT DriverEntry: DriverEntry: tracing started"
L_ADD="INFORMATION WPPC_INIT EvtDeviceAdd: EvtDeviceAdd: device ready, STATUS_SUCCESS"
L_CRIT="CRITICAL WPPC_EXTRA EvtIoDeviceControl: c1 critical STATUS_DEVICE_NOT_READY in EvtIoDeviceControl"
L_ERR="ERROR WPPC_IO EvtIoDeviceControl: c1 error E_OUTOFMEMORY then 0x8007ABCD"
L_WARN="WARNING WPPC_IO EvtIoDeviceControl: c1 warning from TraceIo, 16 bytes out, 0xC0DE0002"
L_INFO="INFORMATION WPPC_INIT EvtIoDeviceControl: c1 information -1234567890123 narrow wide"
L_VERB="VERBOSE WPPC_IO EvtIoDeviceControl: c1 verbose from EvtIoDeviceControl"
L_NONE="NONE WPPC_EXTRA EvtIoDeviceControl: c1 plain S_OK"
L_ODD="VERBOSE WPPC_EXTRA EvtIoDeviceControl: c1 odd %!XYZ! (unknown WPP type)"
t_eq "wppc's messages: %!FUNC!, %!STATUS!, %!HRESULT!, TraceIo, DoTraceMessage, an unknown type" \
	"$(wppc_trace)" "$L_ENTRY
$L_ADD
$L_CRIT
$L_ERR
$L_WARN
$L_INFO
$L_VERB
$L_NONE
$L_ODD"
t_eq "--level warning: warning and more severe, and no level" "$(wppc_trace --level warning)" "$L_CRIT
$L_ERR
$L_WARN
$L_NONE"
t_eq "--flags WPPC_EXTRA" "$(wppc_trace --flags WPPC_EXTRA)" "$L_CRIT
$L_NONE
$L_ODD"
t_eq "--flags 0x4 is WPPC_EXTRA's bit" "$(wppc_trace --flags 0x4)" "$(wppc_trace --flags WPPC_EXTRA)"
t_eq "--flags WPPC_IO --level error: the one error" "$(wppc_trace --flags WPPC_IO --level error)" "$L_ERR"
t_eq "--flags WPPC_INIT,WPPC_IO --level information" \
	"$(wppc_trace --flags WPPC_INIT,WPPC_IO --level information)" "$L_ADD
$L_ERR
$L_WARN
$L_INFO"
t_check "wppc uninstalls" umn_cli uninstall UmnicWppC

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

# Framework versions: the project's own framework's become defines, as the WDK
# makes them, and one newer than umnic provides is refused with its line.
V="$T_WORK/versions"
mkdir -p "$V"
cat >"$V/v.c" <<'X'
#include <wdf.h>
#ifdef _KERNEL_MODE
_Static_assert(KMDF_VERSION_MAJOR == 1 && KMDF_VERSION_MINOR == 31, "KMDF version");
_Static_assert(NETADAPTER_VERSION_MAJOR == 2 && NETADAPTER_VERSION_MINOR == 3, "NetAdapterCx");
#ifdef UMDF_VERSION_MAJOR
#error a KMDF project has no UMDF version
#endif
#else
_Static_assert(UMDF_VERSION_MAJOR == 2 && UMDF_VERSION_MINOR == 33, "UMDF version");
_Static_assert(UMDF_MINIMUM_VERSION_REQUIRED == 33, "UMDF minimum");
_Static_assert(NETADAPTER_VERSION_MAJOR == 2 && NETADAPTER_VERSION_MINOR == 5, "NetAdapterCx");
#ifdef KMDF_VERSION_MAJOR
#error a UMDF project has no KMDF version
#endif
#endif
int umnic_version_probe;
X
# vproj NAME DRIVERTYPE PROPERTY...: a project of v.c; its properties are on lines 4, 5, ...
vproj() {
	n=$1 t=$2
	shift 2
	{
		echo '<Project xmlns="http://schemas.microsoft.com/developer/msbuild/2003">'
		echo '  <PropertyGroup>'
		echo "    <DriverType>$t</DriverType>"
		for p; do echo "    $p"; done
		echo '  </PropertyGroup>'
		echo '  <ItemGroup><ClCompile Include="v.c" /></ItemGroup>'
		echo '</Project>'
	} >"$V/$n.vcxproj"
}
# ubuild PROJECT OUTDIR [ARGS...]: umnic-build's output and exit code.
ubuild() {
	p=$1 o=$2
	shift 2
	out=$(python3 "$BUILD" "$p" -o "$o" "$@" 2>&1)
	echo "$out [exit $?]"
}
# vbuild NAME: the project vproj wrote.
vbuild() {
	ubuild "$V/$1.vcxproj" "$V/out"
}
NET5='<NetAdapterDriver>true</NetAdapterDriver>'
vproj netum UMDF '<UMDF_VERSION_MAJOR>2</UMDF_VERSION_MAJOR>' '<UMDF_VERSION_MINOR>33</UMDF_VERSION_MINOR>' \
	'<UMDF_MINIMUM_VERSION_REQUIRED>33</UMDF_MINIMUM_VERSION_REQUIRED>' "$NET5" \
	'<NETADAPTER_VERSION_MAJOR>2</NETADAPTER_VERSION_MAJOR>' '<NETADAPTER_VERSION_MINOR>5</NETADAPTER_VERSION_MINOR>'
t_eq "UMDF 2.33 with NetAdapterCx 2.5: the versions are defined" "$(vbuild netum)" "$V/out/netum.so [exit 0]"
vproj netkm KMDF '<KMDF_VERSION_MAJOR>1</KMDF_VERSION_MAJOR>' '<KMDF_VERSION_MINOR>31</KMDF_VERSION_MINOR>' "$NET5" \
	'<NETADAPTER_VERSION_MAJOR>2</NETADAPTER_VERSION_MAJOR>' '<NETADAPTER_VERSION_MINOR>3</NETADAPTER_VERSION_MINOR>'
t_eq "KMDF 1.31 with NetAdapterCx 2.3: older versions are taken" "$(vbuild netkm)" "$V/out/netkm.so [exit 0]"
vproj u35 UMDF '<UMDF_VERSION_MAJOR>2</UMDF_VERSION_MAJOR>' '<UMDF_VERSION_MINOR>35</UMDF_VERSION_MINOR>'
t_eq "UMDF 2.35 is refused at its line" "$(vbuild u35)" \
	"umnic-build: $V/u35.vcxproj:5: UMDF 2.35 is not supported (umnic provides UMDF 2.0 to 2.33) [exit 1]"
vproj u1 UMDF '<UMDF_VERSION_MAJOR>1</UMDF_VERSION_MAJOR>' '<UMDF_VERSION_MINOR>11</UMDF_VERSION_MINOR>'
t_eq "UMDF 1 is refused at its major version's line" "$(vbuild u1)" \
	"umnic-build: $V/u1.vcxproj:4: UMDF 1.11 is not supported (umnic provides UMDF 2.0 to 2.33) [exit 1]"
vproj k35 KMDF '<KMDF_VERSION_MAJOR>1</KMDF_VERSION_MAJOR>' '<KMDF_VERSION_MINOR>35</KMDF_VERSION_MINOR>'
t_eq "KMDF 1.35 is refused at its line" "$(vbuild k35)" \
	"umnic-build: $V/k35.vcxproj:5: KMDF 1.35 is not supported (umnic provides KMDF 1.0 to 1.33) [exit 1]"
vproj umin UMDF '<UMDF_VERSION_MINOR>33</UMDF_VERSION_MINOR>' '<UMDF_MINIMUM_VERSION_REQUIRED>35</UMDF_MINIMUM_VERSION_REQUIRED>'
t_eq "a minimum UMDF version newer than umnic's is refused" "$(vbuild umin)" \
	"umnic-build: $V/umin.vcxproj:5: UMDF_MINIMUM_VERSION_REQUIRED '35' is not a minor version umnic provides (at most 33) [exit 1]"
vproj n26 UMDF "$NET5" '<NETADAPTER_VERSION_MAJOR>2</NETADAPTER_VERSION_MAJOR>' '<NETADAPTER_VERSION_MINOR>6</NETADAPTER_VERSION_MINOR>'
t_eq "NetAdapterCx 2.6 is refused at its line" "$(vbuild n26)" \
	"umnic-build: $V/n26.vcxproj:6: NetAdapterCx 2.6 is not supported (umnic provides NetAdapterCx 2.5 to user-mode drivers) [exit 1]"
vproj n24 UMDF "$NET5" '<NETADAPTER_VERSION_MINOR>4</NETADAPTER_VERSION_MINOR>'
t_eq "user-mode NetAdapterCx before 2.5 is refused" "$(vbuild n24)" \
	"umnic-build: $V/n24.vcxproj:5: NetAdapterCx 2.4 is not supported (umnic provides NetAdapterCx 2.5 to user-mode drivers) [exit 1]"
vproj nk26 KMDF "$NET5" '<NETADAPTER_VERSION_MINOR>6</NETADAPTER_VERSION_MINOR>'
t_eq "kernel-mode NetAdapterCx 2.6 is refused" "$(vbuild nk26)" \
	"umnic-build: $V/nk26.vcxproj:5: NetAdapterCx 2.6 is not supported (umnic provides NetAdapterCx 2.0 to 2.5) [exit 1]"
vproj nan KMDF '<KMDF_VERSION_MINOR>3x</KMDF_VERSION_MINOR>'
t_eq "a version that is not a number" "$(vbuild nan)" \
	"umnic-build: $V/nan.vcxproj:4: KMDF_VERSION_MINOR must be a number, not '3x' [exit 1]"
printf 'int umnic_std_probe;\n' >"$V/s.c"
vproj lang UMDF '<LanguageStandard>stdcpp99</LanguageStandard>' '<LanguageStandard_C>stdc89</LanguageStandard_C>'
sed -i 's/"v\.c"/"s.c"/' "$V/lang.vcxproj"
t_eq "unknown language standards: warned about with their lines, and built" "$(vbuild lang)" \
	"umnic-build: warning: $V/lang.vcxproj:5: LanguageStandard_C 'stdc89' is not one umnic-build knows; building with -std=gnu11
umnic-build: warning: $V/lang.vcxproj:4: LanguageStandard 'stdcpp99' is not one umnic-build knows; building with -std=c++17
$V/out/lang.so [exit 0]"

# Stamping the .inx: a missing [Version] section and a broken section header are named.
I="$T_WORK/inx"
mkdir -p "$I"
cp "$UMNIC_SRC/tests/drivers/wppc/"* "$I/"
iline=$(grep -n '<Inf Include=' "$I/wppc.vcxproj" | cut -d: -f1)
ibuild() {
	ubuild "$I/wppc.vcxproj" "$I/out" --driver-ver 12/04/2026,2.0.0.1
}
sed -i 's/^\[Version\]$/[ Version ] ; comment/' "$I/wppc.inx"
t_eq "a section header with spaces and a comment is read" "$(ibuild)" "$I/out/wppc.inf
$I/out/wppc.so [exit 0]"
t_eq "DriverVer is added at the end of [Version] when the .inx has none" \
	"$(sed -n '/= %Provider%$/,/^\[Manufacturer/p' "$I/out/wppc.inf")" "Provider  = %Provider%
DriverVer = 12/04/2026,2.0.0.1

[Manufacturer]"
sed -i 's/^\[ Version \] ; comment$/[Version/' "$I/wppc.inx"
t_eq "a broken section header: the .inx file and line" "$(ibuild)" \
	"umnic-build: $I/wppc.inx:2: broken section header '[Version' (a section header is [name], optionally followed by a ; comment) [exit 1]"
sed -i 's/^\[Version$/[Versions]/' "$I/wppc.inx"
t_eq "no [Version] section: the project's Inf line and the .inx" "$(ibuild)" \
	"umnic-build: $I/wppc.vcxproj:$iline: $I/wppc.inx: no [Version] section (where DriverVer is stamped) [exit 1]"

# WPP option errors name the project line of the option that holds the bad value.
W="$T_WORK/wppopt"
mkdir -p "$W"
cp "$UMNIC_SRC/tests/drivers/wppc/"* "$W/"
scanl=$(grep -n '<WppScanConfigurationData>' "$W/wppc.vcxproj" | cut -d: -f1)
optl=$(grep -n '<WppAdditionalOptions>' "$W/wppc.vcxproj" | cut -d: -f1)
wbuild() {
	ubuild "$W/wppc.vcxproj" "$W/out"
}
# wopt OLD NEW: the project with OLD replaced by NEW (from the original each time).
wopt() {
	sed "s|$1|$2|" "$UMNIC_SRC/tests/drivers/wppc/wppc.vcxproj" >"$W/wppc.vcxproj"
}
wopt '-func:TraceIo{FLAGS=WPPC_IO}(LEVEL,MSG,...)' '-func:TraceIo(LEVEL'
t_eq "an unreadable -func: at WppAdditionalOptions' line" "$(wbuild)" \
	"umnic-build: $W/wppc.vcxproj:$optl: WppAdditionalOptions: -func:TraceIo(LEVEL: cannot read trace function 'TraceIo(LEVEL' (Name(LEVEL,FLAGS,MSG,...)) [exit 1]"
wopt '-func:TraceIo{FLAGS=WPPC_IO}(LEVEL,MSG,...)' '-km -func:TraceIo(LEVEL,1x,MSG,...)'
t_eq "a -func: with a bad parameter at WppAdditionalOptions' line" "$(wbuild)" \
	"umnic-build: $W/wppc.vcxproj:$optl: WppAdditionalOptions: -func:TraceIo(LEVEL,1x,MSG,...): trace function TraceIo: bad parameter list 'LEVEL,1x,MSG,...' [exit 1]"
wopt '-func:TraceIo{FLAGS=WPPC_IO}(LEVEL,MSG,...)' '-func:\&quot;TraceIo(LEVEL,MSG)'
t_eq "an unclosed quote at WppAdditionalOptions' line" "$(wbuild)" \
	"umnic-build: $W/wppc.vcxproj:$optl: WppAdditionalOptions: No closing quotation [exit 1]"
wopt '>.\\trace.h<' '>nothere.h<'
t_eq "a missing scan header at WppScanConfigurationData's line" "$(wbuild)" \
	"umnic-build: $W/wppc.vcxproj:$scanl: WppScanConfigurationData: -scan:$W/nothere.h: No such file or directory [exit 1]"
wopt '>.\\trace.h<' '>wppc.h<'
t_eq "a scan header without WPP_CONTROL_GUIDS at WppScanConfigurationData's line" "$(wbuild)" \
	"umnic-build: $W/wppc.vcxproj:$scanl: WppScanConfigurationData: $W/wppc.h: no WPP_DEFINE_CONTROL_GUID in WPP_CONTROL_GUIDS [exit 1]"
wopt x x
sed -i 's/FUNC TraceEvents(LEVEL, FLAGS, MSG, ...);/FUNC TraceEvents(LEVEL, 9, MSG, ...);/' "$W/trace.h"
fl=$(grep -n 'FUNC TraceEvents' "$W/trace.h" | cut -d: -f1)
t_eq "a bad FUNC in the scan header: its line there, and WppScanConfigurationData's" "$(wbuild)" \
	"umnic-build: $W/wppc.vcxproj:$scanl: WppScanConfigurationData: $W/trace.h:$fl: trace function TraceEvents: bad parameter list 'LEVEL, 9, MSG, ...' [exit 1]"
t_check "umnicd is alive" t_daemon_alive
t_finish
