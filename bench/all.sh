#!/bin/sh
# make bench: every benchmark, then a check that none of them left a
# process running (bench/leftovers.sh). Fails if a benchmark failed or
# left something behind.
set -eu
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)

# Every process a benchmark starts inherits this mark, a token new to this
# run, also one that daemonizes, changes namespaces or loses its parent;
# nothing else on the machine carries it.
UMNIC_BENCH_MARK=$(cat /proc/sys/kernel/random/uuid)
export UMNIC_BENCH_MARK

rc=0
"$ROOT/bench/run.sh" "$BUILD" || rc=$?
"$ROOT/bench/offload.sh" "$BUILD" || rc=$?
"$ROOT/bench/multiqueue.sh" "$BUILD" || rc=$?
"$ROOT/bench/ioctl.sh" "$BUILD" || rc=$?
"$ROOT/bench/scale.sh" "$BUILD" || rc=$?
if [ -x "$BUILD/bench/loop_cost" ]; then
	echo "== event loop: own loop against sd-event (ratio: sd-event / own)"
	"$BUILD/bench/loop_cost" || rc=$?
else
	echo "== event loop: skipped, libsystemd-dev is not installed"
fi
# The check itself runs without the mark; only this shell is excluded.
env -u UMNIC_BENCH_MARK "$ROOT/bench/leftovers.sh" "$UMNIC_BENCH_MARK" $$ || rc=1
exit "$rc"
