#!/bin/sh
# `umnic read` waiting for a read the driver never completes ends at SIGINT, promptly, with the
# shell's status for it (130) and a message, also when started as a background job of a script
# (which starts it ignoring SIGINT).
. "$(dirname "$0")/lib.sh"
umn_need_root "$0" "$@"

umn_netns_add "$T_TAG"
umn_start_daemon "$T_WORK"
out=$(umn_cli install "$UMNIC_BUILD/tests/drivers/testdrv.inf" --netns "$T_TAG" --param Mode=44 2>&1)
t_check "a device whose reads never complete installs ($out)" [ $? -eq 0 ]

for round in 1 2; do
	# The program itself, so $! is its pid (not a subshell's).
	"$UMNIC_BUILD/src/cli/umnic" --run-dir "$UMN_RUN_DIR" read UmnicTestPending 16 \
		>"$T_WORK/out" 2>"$T_WORK/err" &
	pid=$!
	UMN_PIDS="$UMN_PIDS $pid"
	# Until the request is in the driver's queue: still waiting after a second.
	sleep 1
	t_check "round $round: umnic read waits for the read" kill -0 "$pid"
	kill -INT "$pid"
	gone=no
	for _ in $(seq 1 40); do
		kill -0 "$pid" 2>/dev/null || { gone=yes; break; }
		sleep 0.05
	done
	t_eq "round $round: umnic read ends within 2 s of SIGINT" "$gone" yes
	[ "$gone" = yes ] || kill -KILL "$pid" 2>/dev/null
	wait "$pid"
	t_eq "round $round: with exit status 130" "$?" 130
	t_contains "round $round: and says it was interrupted" "$(cat "$T_WORK/err")" \
		"umnic read: interrupted while waiting for UmnicTestPending"
done

t_check "umnicd still serves requests" t_daemon_alive
t_contains "the device is still started" "$(umn_cli status --json | jq -r '.[0].state')" "started"
t_finish
