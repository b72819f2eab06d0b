#!/bin/sh
# Each user-mode NetAdapterCx rule, broken by a driver, is refused with the rule named.
. "$(dirname "$0")/lib.sh"
umn_need_root "$0" "$@"

umn_netns_add "$T_TAG"
umn_start_daemon "$T_WORK"
inf="$UMNIC_BUILD/tests/drivers/testdrv.inf"

# mode  expected text in the device's error
while IFS='|' read -r mode rule text; do
	[ -n "$mode" ] || continue
	out=$(umn_cli install "$inf" --netns "$T_TAG" --param "Mode=$mode" 2>&1)
	rc=$?
	t_eq "mode $mode: install reports failure" "$rc" "1"
	t_contains "mode $mode: error names the rule $rule" "$out" "$rule"
	t_contains "mode $mode: error says what is wrong" "$out" "$text"
	dev=$(printf "%s\n" "$out" | awk '{print $1}')
	st=$(umn_cli status "$dev" --json)
	t_eq "mode $mode: device is failed" "$(printf "%s\n" "$st" | jq -r .state)" "failed"
	t_contains "mode $mode: umnic status shows the rule" "$(printf "%s\n" "$st" | jq -r .last_error)" "$rule"
	umn_cli uninstall "$dev" >/dev/null
done <<'CASES'
1|UserModeTxDmaCapabilities|DmaCapabilities must be NULL for a user-mode driver
2|UserModeRxAllocationMode|AllocationMode must be NetRxFragmentBufferAllocationModeSystem
3|UserModeTxMappingRequirement|MappingRequirement must be NetMemoryMappingRequirementNone
4|StartWithoutMtu|NetAdapterStart needs NetAdapterSetLinkLayerMtuSize first
9|StartTwice|already started
CASES

t_check "umnicd still serves requests" t_daemon_alive
out=$(umn_cli install "$inf" --netns "$T_TAG" --param Mode=0 2>&1)
t_check "a well-behaved device of the same driver still starts ($out)" [ $? -eq 0 ]
t_finish
