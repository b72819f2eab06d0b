#!/bin/sh
# The UMDF rules for requests reaching a user-mode driver, as a matrix over
# requestor (application, user-mode driver, kernel-mode driver) x the echo
# device's policies (UmdfKernelModeClientPolicy, UmdfFileObjectPolicy,
# UmdfMethodNeitherAction) x file object x buffer method x major function,
# plus the IRQL, Information, access-bit and device access rules
# (io_matrix.py asserts each status; docs/io-requests.md lists them).
. "$(dirname "$0")/lib.sh"
umn_need_root "$0" "$@"

umn_start_daemon "$T_WORK"
B="$UMNIC_BUILD/drivers"
LIB="$UMNIC_BUILD/src/client/libumnic.so"
t_check "kmclient installs as a kernel-mode driver inside umnicd" \
	sh -c "'$UMNIC_BUILD/src/cli/umnic' --run-dir '$UMN_RUN_DIR' install '$B/kmclient/kmclient.inf' >/dev/null"
t_check "kmclient_um installs as a user-mode driver" \
	sh -c "'$UMNIC_BUILD/src/cli/umnic' --run-dir '$UMN_RUN_DIR' install '$B/kmclient/kmclient_um.inf' >/dev/null"
status=$(umn_cli status --json)
km=$(printf "%s" "$status" | jq -c '.[] | select(.driver == "KmClient")')
t_eq "kmclient is a kernel-mode device" "$(printf "%s" "$km" | jq -r .mode)" kernel
t_eq "it runs in umnicd's own process" "$(printf "%s" "$km" | jq -r .host_pid)" "$UMN_DAEMON_PID"

# A sanitizer build's libumnic needs its runtime loaded first, before Python's own libraries.
PRELOAD=$(ldd "$LIB" | awk '/libasan|libubsan/ { printf "%s%s", sep, $3; sep = ":" }')

# run_py NAME ARGS...: io_matrix.py's checks, counted as this suite's.
run_py() {
	n=$1; shift
	LD_PRELOAD="$PRELOAD" ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" \
		python3 "$UMNIC_SRC/tests/integration/io_matrix.py" "$UMN_RUN_DIR" "$LIB" "$@" >"$T_WORK/py.txt" 2>&1
	grep -E '^(not )?ok - ' "$T_WORK/py.txt" | sed "s/^\(not \)\{0,1\}ok - /&$n/"
	T_CHECKS=$((T_CHECKS + $(grep -c -E '^(not )?ok - ' "$T_WORK/py.txt")))
	T_FAILS=$((T_FAILS + $(grep -c '^not ok - ' "$T_WORK/py.txt")))
	grep -q 'checks passed' "$T_WORK/py.txt" || { t_fail "${n}ran to the end"; cat "$T_WORK/py.txt"; }
}

# echo_variant KM FO NEITHER: an echo package whose INF says those policies.
echo_variant() {
	d="$T_WORK/echo-$1-$2-$3"
	mkdir -p "$d"
	cp "$B/echo/echo.so" "$d/"
	grep -v -e UmdfMethodNeitherAction -e UmdfKernelModeClientPolicy -e UmdfFileObjectPolicy \
		"$B/echo/echo.inf" | sed '/^UmdfServiceOrder/a\
UmdfKernelModeClientPolicy = '"$([ "$1" = allow ] && echo Allow || echo Reject)"'KernelModeClients\
UmdfFileObjectPolicy = '"$([ "$2" = allow ] && echo Allow || echo Reject)"'NullAndUnknownFileObjects\
UmdfMethodNeitherAction = '"$([ "$3" = copy ] && echo Copy || echo Reject)" >"$d/echo.inf"
	echo "$d/echo.inf"
}

for km in allow reject; do
	for fo in allow reject; do
		for neither in copy reject; do
			# The user-mode driver's host runs as its own uid: the device must let it in.
			umn_cli install "$(echo_variant $km $fo $neither)" --param UmnicMode=0x1b6 >/dev/null
			run_py "[KM=$km FO=$fo NEITHER=$neither] " KM=$km FO=$fo NEITHER=$neither
			umn_cli uninstall UmnicEcho >/dev/null
		done
	done
done

# The rules beyond the matrix, on an echo that allows kernel-mode clients and copies METHOD_NEITHER.
umn_cli install "$(echo_variant allow allow copy)" --param UmnicMode=0x1b6 >/dev/null
run_py "" rules
umn_cli uninstall UmnicEcho >/dev/null
# Device access control applies to drivers too (default mode 0600).
umn_cli install "$(echo_variant allow allow copy)" >/dev/null
run_py "" access
t_check "umnicd is alive" t_daemon_alive
# In a sanitizer build a leak makes umnicd's exit status non-zero.
t_check "umnicd exits cleanly, nothing leaked" umn_stop_daemon
t_finish
