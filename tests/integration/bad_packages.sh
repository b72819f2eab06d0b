#!/bin/sh
# Broken packages and drivers leave a failed device with a clear message; umnicd carries on.
. "$(dirname "$0")/lib.sh"
umn_need_root "$0" "$@"

umn_netns_add "$T_TAG"
umn_start_daemon "$T_WORK"
B="$UMNIC_BUILD/tests/drivers"

# A malformed INF is refused at install with the file and line.
mkdir -p "$T_WORK/pkg"
printf '[Version]\nSignature = "$WINDOWS NT$"\n[Manufacturer]\n%%M%% = Models\n[Strings]\nM = "unterminated\n' \
	>"$T_WORK/pkg/broken.inf"
out=$(umn_cli install "$T_WORK/pkg/broken.inf" 2>&1)
t_eq "malformed INF: install fails" "$?" "1"
t_contains "malformed INF: error names file and line" "$out" "broken.inf:6:"

# An INF whose ServiceBinary does not exist.
sed 's/%13%\\testdrv.dll/%13%\\missing.dll/' "$B/testdrv.inf" >"$T_WORK/pkg/missing.inf"
out=$(umn_cli install "$T_WORK/pkg/missing.inf" --netns "$T_TAG" 2>&1)
t_eq "missing .so: install fails" "$?" "1"
t_contains "missing .so: error names the binary" "$out" "missing.so"
t_eq "missing .so: device is listed as failed" \
	"$(umn_cli status --json | jq -r '[.[] | select(.inf | endswith("missing.inf")) | .state][0]')" "failed"

out=$(umn_cli install "$B/noentry.inf" --netns "$T_TAG" 2>&1)
t_contains "no DriverEntry export: said so" "$out" "does not export DriverEntry"

out=$(umn_cli install "$B/entryfail.inf" --netns "$T_TAG" 2>&1)
t_contains "DriverEntry fails: the status is shown" "$out" "DriverEntry of"
t_contains "DriverEntry fails: with its NTSTATUS" "$out" "0xc0000182"

out=$(umn_cli install "$B/testdrv.inf" --netns "$T_TAG" --param Mode=5 2>&1)
t_contains "EvtDriverDeviceAdd fails: the status is shown" "$out" "EvtDriverDeviceAdd failed with 0xc000009a"

out=$(umn_cli install "$B/testdrv.inf" --netns "$T_TAG" --param Mode=6 2>&1)
t_contains "a driver crashing in PrepareHardware: reported" "$out" "killed by signal 11"

out=$(umn_cli install "$B/testdrv.inf" --netns "$T_TAG" --param Mode=notanumber --param 'Bad' 2>&1)
t_contains "a malformed --param is refused" "$out" "parameter 'Bad'"

t_check "umnicd is still up after all of it" t_daemon_alive
out=$(umn_cli install "$B/testdrv.inf" --netns "$T_TAG" 2>&1)
t_check "and still starts good devices ($out)" [ $? -eq 0 ]
t_finish
