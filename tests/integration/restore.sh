#!/bin/sh
# Devices come back from the state directory as they were: after one is
# removed and umnicd restarts, the others keep their instance ids and
# interface names, and a new install takes a free number. State that cannot
# be read (a garbage or over-long device.conf, a truncated registry) is kept
# byte for byte, the device is listed as failed naming the file and line, and
# the other devices come back.
. "$(dirname "$0")/lib.sh"
umn_need_root "$0" "$@"

umn_netns_add "$T_TAG"
umn_start_daemon "$T_WORK"
S="$T_WORK/state/devices"
first() { printf '%s\n' "$1" | awk '{print $1; exit}'; }
# settled: no device starting or restarting (up to 30 s).
settled() {
	for _ in $(seq 1 300); do
		umn_cli status --json | jq -e 'all(.[]; .state == "started" or .state == "failed")' \
			>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
# names: "instance interface" per device, by number.
names() { umn_cli status --json | jq -r 'sort_by(.id)[] | "\(.id) \(.instance_id) \(.interface) \(.state)"'; }

umn_cli install "$UMNIC_BUILD/drivers/vpair/vpair.inf" --netns "$T_TAG" >/dev/null
umn_cli install "$UMNIC_BUILD/drivers/vpair/vpair.inf" --netns "$T_TAG" >/dev/null
umn_cli install "$UMNIC_BUILD/drivers/echo/echo.inf" >/dev/null
umn_cli install "$UMNIC_BUILD/tests/drivers/testdrv.inf" --netns "$T_TAG" --param UmnicMode=0x1b6 >/dev/null
settled
umn_cli uninstall 0 >/dev/null
before=$(names)
t_contains "three devices left" "$before" "3 ROOT\\TESTDRV\\0003 umnic"

umn_stop_daemon
umn_start_daemon "$T_WORK"
t_check "after umnicd restarts, the devices settle" settled
t_eq "instance ids and interface names are unchanged" "$(names)" "$before"
new=$(first "$(umn_cli install "$UMNIC_BUILD/drivers/vpair/vpair.inf" --netns "$T_TAG" 2>&1)")
t_eq "a new install takes the free number" "$new" "ROOT\\VPAIR\\0000"
t_contains "and the restored devices keep theirs" "$(names)" "$before"
settled

# Corrupt the state of devices 1 to 3 while umnicd is down; keep copies to compare.
umn_stop_daemon
printf 'this is not a device\n\001\002\n' >"$S/0001/device.conf"
{ printf 'inf='; head -c 5000 /dev/zero | tr '\0' a; printf '\n'; } >"$S/0002/device.conf"
t_check "the registry holds UmnicMode=0x1b6" grep -q '"UmnicMode" 0x000001b6' "$S/0003/registry"
# Cut inside the quoted name on the UmnicMode line.
line=$(grep -n '"UmnicMode"' "$S/0003/registry" | cut -d: -f1)
cut=$(($(grep -b '"UmnicMode"' "$S/0003/registry" | cut -d: -f1) + 15))
head -c "$cut" "$S/0003/registry" >"$T_WORK/reg.cut" && cat "$T_WORK/reg.cut" >"$S/0003/registry"
for f in 0001/device.conf 0002/device.conf 0003/registry 0003/device.conf; do
	mkdir -p "$T_WORK/orig/${f%/*}"
	cp "$S/$f" "$T_WORK/orig/$f"
done

umn_start_daemon "$T_WORK"
t_check "with corrupt state, umnicd starts and the devices settle" settled
for f in 0001/device.conf 0002/device.conf 0003/registry 0003/device.conf; do
	t_check "$f is kept byte for byte" cmp -s "$S/$f" "$T_WORK/orig/$f"
done
st=$(umn_cli status --json)
t_eq "device 0 came back" "$(printf '%s' "$st" | jq -r '.[] | select(.id == 0) | .state')" started
err() { printf '%s' "$st" | jq -r ".[] | select(.id == $1) | .state + \": \" + .last_error"; }
t_contains "garbage device.conf: failed, naming file and line" "$(err 1)" "failed: cannot restore the device: $S/0001/device.conf:1: expected key=value"
t_contains "over-long device.conf: failed, naming file and line" "$(err 2)" "$S/0002/device.conf:1: line longer than"
t_contains "truncated registry: failed, naming file and line" "$(err 3)" "$S/0003/registry:$line: unterminated string"
t_contains "it keeps its instance id" "$(printf '%s' "$st" | jq -r '.[] | select(.id == 3) | .instance_id')" \
	"ROOT\\TESTDRV\\0003"
t_contains "umnic status (text) shows it failed with the reason" "$(umn_cli status 3)" \
	"ROOT\\TESTDRV\\0003  failed"
t_contains "restarting it by hand says why not" "$(umn_cli restart 3 2>&1)" "0003/registry:$line:"
new=$(first "$(umn_cli install "$UMNIC_BUILD/drivers/echo/echo.inf" 2>&1)")
t_eq "a new install does not take a number whose state is kept" "$new" "ROOT\\ECHO\\0004"
t_check "its state is still there" cmp -s "$S/0003/registry" "$T_WORK/orig/0003/registry"

# Uninstalling a device whose state is unreadable moves the state aside, bytes intact.
out=$(umn_cli uninstall 3 2>&1)
t_contains "uninstall says where the state went" "$out" "kept in $S/0003.kept-"
kept=$(ls -d "$S"/0003.kept-* 2>/dev/null | head -1)
t_check "the moved registry has the original bytes" cmp -s "$kept/registry" "$T_WORK/orig/0003/registry"
t_check "and device 3's directory is free" test ! -e "$S/0003"
umn_stop_daemon
umn_start_daemon "$T_WORK"
t_check "umnicd restarts once more and the devices settle" settled
t_check "the device.conf files are still kept byte for byte" sh -c \
	"cmp -s '$S/0001/device.conf' '$T_WORK/orig/0001/device.conf' && cmp -s '$S/0002/device.conf' '$T_WORK/orig/0002/device.conf'"
t_check "the moved state is left alone" cmp -s "$kept/registry" "$T_WORK/orig/0003/registry"
t_check "umnicd is alive" t_daemon_alive
t_check "umnicd exits cleanly, nothing leaked" umn_stop_daemon
t_finish
