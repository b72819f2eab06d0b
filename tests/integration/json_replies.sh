#!/bin/sh
# `umnic install --json` and `umnic restart --json` answer valid JSON whatever the error text
# holds: here a driver's report with quotes, backslashes, control characters and non-UTF-8
# bytes, and an INF whose file name has quotes and a backslash.
. "$(dirname "$0")/lib.sh"
umn_need_root "$0" "$@"

umn_netns_add "$T_TAG"
umn_start_daemon "$T_WORK"
B="$UMNIC_BUILD/tests/drivers"

# json_field KEY: reads one JSON document (strict UTF-8) from stdin, prints KEY's value.
json_field() {
	python3 -c 'import json, sys
print(json.loads(sys.stdin.buffer.read().decode("utf-8"))[sys.argv[1]])' "$1"
}

# json_ok TEXT: TEXT is one JSON document in UTF-8.
json_ok() { printf "%s" "$1" | json_field state >/dev/null 2>&1 || printf "%s" "$1" | json_field error >/dev/null; }

out=$(umn_cli install "$B/testdrv.inf" --netns "$T_TAG" --param Mode=32 --json 2>&1)
t_eq "install of a failing driver: exit status 1" "$?" "1"
t_check "install --json: the answer parses ($out)" json_ok "$out"
err=$(printf "%s" "$out" | json_field error)
t_contains "install --json: the error keeps the driver's quotes" "$err" '"no"'
t_contains "install --json: and its backslashes" "$err" 'C:\odd\path'
t_contains "install --json: and its new line" "$err" "path
second line"
t_eq "install --json: state failed" "$(printf "%s" "$out" | json_field state)" "failed"
dev=$(printf "%s" "$out" | json_field instance_id)

out=$(umn_cli restart "$dev" --json 2>&1)
t_eq "restart of the failing driver: exit status 1" "$?" "1"
t_check "restart --json: the answer parses ($out)" json_ok "$out"
err=$(printf "%s" "$out" | json_field error)
t_contains "restart --json: the answer parses and keeps the driver's text" "$err" '"no" to C:\odd\path'

# Errors before a device exists answer JSON too, escaped.
odd="$T_WORK/we\"ird\\dir"
mkdir -p "$odd"
printf '[Version]\nSignature = "$WINDOWS NT$"\n[Strings]\nM = "unterminated\n' >"$odd/bro\"ken.inf"
out=$(umn_cli install "$odd/bro\"ken.inf" --json 2>&1)
t_eq "malformed INF with --json: exit status 1" "$?" "1"
t_contains "malformed INF with --json: the error names the file" "$(printf "%s" "$out" | json_field error)" \
	"bro\"ken.inf:4:"
out=$(umn_cli restart "no\"such" --json 2>&1)
t_contains "restart of an unknown device with --json: an error object" \
	"$(printf "%s" "$out" | json_field error)" "no device 'no\"such'"

t_check "umnicd is still up" t_daemon_alive
t_finish
