#!/bin/sh
# The names clients open devices by. A symbolic link belongs to one device: a
# second driver creating it (in any letter case) gets
# STATUS_OBJECT_NAME_COLLISION and the first device keeps it, through restarts
# of its driver and of umnicd, against a driver that retries all the while; once
# the device is removed the name is free. An open by interface GUID that several
# devices expose is refused as ambiguous; the interface path names one of them.
. "$(dirname "$0")/lib.sh"
umn_need_root "$0" "$@"

umn_netns_add "$T_TAG"
umn_start_daemon "$T_WORK"
echo_inf="$UMNIC_BUILD/drivers/echo/echo.inf"
inf="$UMNIC_BUILD/tests/drivers/testdrv.inf"
B=0x81232000
GUID="{5e0a8c1d-7b3f-4c2a-9d61-0f4b2a7c9e13}"
echo_ok() { umn_cli ioctl UmnicEcho $B --in-hex 0a0b0c0d --out-len 4 2>&1 | grep -q "0a 0b 0c 0d"; }
first() { printf '%s\n' "$1" | awk '{print $1; exit}'; }
# wait_state DEV STATE: up to 30 s.
wait_state() {
	for _ in $(seq 1 300); do
		[ "$(umn_cli status "$1" --json 2>/dev/null | jq -r .state)" = "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

# Slot 0 is taken for now, so the echo device gets slot 1 and a squatter later slot 0: a lookup
# that went by slot order would find the squatter first.
place=$(first "$(umn_cli install "$inf" --netns "$T_TAG" --param Mode=0 2>&1)")
echo_dev=$(first "$(umn_cli install "$echo_inf" 2>&1)")
umn_cli uninstall "$place" >/dev/null
t_check "the echo device serves UmnicEcho" echo_ok

out=$(umn_cli install "$inf" --netns "$T_TAG" --param Mode=41 2>&1)
t_contains "a second driver creating \\DosDevices\\UMNICECHO gets STATUS_OBJECT_NAME_COLLISION" \
	"$(printf '%s' "$out" | tr a-f A-F)" "C0000035"
t_check "UmnicEcho still reaches the echo driver" echo_ok
umn_cli uninstall "$(first "$out")" >/dev/null

# A squatter that goes on retrying every 20 ms, in the slot before the echo device.
squat=$(first "$(umn_cli install "$inf" --netns "$T_TAG" --param Mode=42 --ifname sq0 2>&1)")
t_eq "the retrying squatter took slot 0" "$squat" "ROOT\\TESTDRV\\0000"
t_check "it runs" wait_state "$squat" started
sleep 0.3
t_check "UmnicEcho reaches the echo driver, not the squatter" echo_ok
t_eq "the squatter holds no name" "$(umn_cli status "$squat" --json | jq -c .names)" "[]"
for i in 1 2 3; do
	hp=$(umn_cli status "$echo_dev" --json | jq -r .host_pid)
	t_kill_host "$hp"
	for _ in $(seq 1 300); do
		st=$(umn_cli status "$echo_dev" --json)
		[ "$(printf '%s' "$st" | jq -r .state)" = started ] &&
			[ "$(printf '%s' "$st" | jq -r .host_pid)" != "$hp" ] && break
		sleep 0.1
	done
	t_eq "echo driver killed ($i): it restarts and gets its link back" \
		"$(umn_cli status "$echo_dev" --json | jq -r '.state + " " + (.names | join(","))')" "started UmnicEcho"
	t_check "echo driver killed ($i): UmnicEcho reaches it" echo_ok
done

# umnicd restarts: both devices come back, the squatter (slot 0) first; the name is the echo's.
umn_stop_daemon
umn_start_daemon "$T_WORK"
t_check "after umnicd restarts, the echo device starts" wait_state "$echo_dev" started
t_check "and the squatter" wait_state "$squat" started
sleep 0.3
t_check "UmnicEcho still reaches the echo driver" echo_ok
t_eq "the squatter still holds no name" "$(umn_cli status "$squat" --json | jq -c .names)" "[]"

# Removed, the echo device lets the name go, and the squatter's retry takes it.
umn_cli uninstall "$echo_dev" >/dev/null
for _ in $(seq 1 100); do
	[ "$(umn_cli status "$squat" --json | jq -c .names)" = '["UMNICECHO"]' ] && break
	sleep 0.05
done
t_eq "once the echo device is removed, the retrying driver gets the name" \
	"$(umn_cli status "$squat" --json | jq -c .names)" '["UMNICECHO"]'
out=$(umn_cli install "$echo_inf" 2>&1)
t_contains "now the echo driver is the one refused" "$(printf '%s' "$out" | tr a-f A-F)" "C0000035"
umn_cli uninstall "$(first "$out")" >/dev/null
umn_cli uninstall "$squat" >/dev/null

# Device interfaces: unambiguous or refused.
a=$(first "$(umn_cli install "$inf" --netns "$T_TAG" --param Mode=43 2>&1)")
t_contains "one device exposes the interface: an open by GUID finds it" "$(umn_cli open "$GUID" 2>&1)" \
	"STATUS_SUCCESS"
b=$(first "$(umn_cli install "$inf" --netns "$T_TAG" --param Mode=43 2>&1)")
t_contains "two devices expose it: an open by GUID alone is refused as ambiguous" \
	"$(umn_cli open "$GUID" 2>&1)" "STATUS_OBJECT_NAME_COLLISION"
t_contains "and the CLI says what to do" "$(umn_cli open "$GUID" 2>&1)" "name one by its interface path"
path=$(umn_cli status "$b" --json | jq -r '.names[0]')
t_eq "status lists the second device's interface path" "$path" \
	"$(printf '%s' "$b" | tr '\\' '#')#{5E0A8C1D-7B3F-4C2A-9D61-0F4B2A7C9E13}"
t_contains "the interface path opens that device" "$(umn_cli open "$path" 2>&1)" "STATUS_SUCCESS"
umn_cli uninstall "$a" >/dev/null
t_contains "with one of them removed, an open by GUID finds the other" "$(umn_cli open "$GUID" 2>&1)" \
	"STATUS_SUCCESS"
t_check "umnicd is alive" t_daemon_alive
t_check "umnicd exits cleanly, nothing leaked" umn_stop_daemon
t_finish
