#!/bin/sh
# IOCTL round trip through umnicd to the sandboxed echo driver (drivers/echo):
# latency p50/p99 against a SOCK_SEQPACKET ping-pong between two processes,
# and throughput with 8 requests outstanding against the same ping-pong with
# 8 messages in flight, both measured by bench/ioctl_bench.c in the same run.
set -eu
UMNIC_BUILD=$(cd "${1:-build}" && pwd)
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/scripts/lib.sh"
umn_need_root "$0" "$@"
SECONDS_PER_RUN=${BENCH_SECONDS:-3}
COUNT=${BENCH_IOCTL_COUNT:-20000}

work=$(mktemp -d /tmp/umnic-ioctl.XXXXXX)
trap 'umn_cleanup; rm -rf "$work"' EXIT INT TERM

umn_start_daemon "$work"
if ! umn_cli install "$UMNIC_BUILD/drivers/echo/echo.inf" >/dev/null; then
	tail -20 "$work/umnicd.log" >&2
	umn_die "cannot install $UMNIC_BUILD/drivers/echo/echo.inf (umnicd log above)"
fi
if ! "$UMNIC_BUILD/bench/ioctl_bench" -d "$UMN_RUN_DIR" -n "$COUNT" -s "$SECONDS_PER_RUN"; then
	tail -20 "$work/umnicd.log" >&2
	umn_die "ioctl_bench failed (umnicd log above)"
fi
umn_stop_daemon || true
