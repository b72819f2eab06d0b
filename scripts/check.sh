#!/bin/sh
# make check: every test, built with AddressSanitizer and UBSan, clang-tidy
# and cppcheck over src/, the concurrent unit tests under ThreadSanitizer,
# then each fuzz target for a fixed time. Ends with "N passed, N failed".
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
ASAN_BUILD=${ASAN_BUILD:-build-asan}
FUZZ_BUILD=${FUZZ_BUILD:-build-fuzz}
TSAN_BUILD=${TSAN_BUILD:-build-tsan}
FUZZ_SECONDS=${FUZZ_SECONDS:-20}
passed=0
failed=0

count() { # count NAME RC
	if [ "$2" -eq 0 ]; then passed=$((passed + 1)); echo "PASS $1"
	else failed=$((failed + 1)); echo "FAIL $1"; fi
}

finish() {
	echo
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit $?
}

scripts/install-deps || { failed=1; finish; }

if [ "$(id -u)" -ne 0 ] && [ -z "${UMNIC_IN_USERNS:-}" ]; then
	echo "note: not root; integration tests run inside a user namespace (unshare -Urnm)" >&2
fi

# 1. Everything under ASan + UBSan, warnings as errors.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:strict_string_checks=1}
# Threads of the in-host driver keep dynamic TLS of dlopen()ed modules, where LeakSanitizer's
# thread scan faults (a fatal error, not a report); heap roots are still scanned.
export LSAN_OPTIONS=${LSAN_OPTIONS:-use_tls=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
if [ ! -f "$ASAN_BUILD/build.ninja" ]; then
	meson setup "$ASAN_BUILD" --werror -Dbuildtype=debug -Db_sanitize=address,undefined \
		-Db_lundef=false >"$ASAN_BUILD.setup.log" 2>&1 || { cat "$ASAN_BUILD.setup.log"; count "configure ($ASAN_BUILD)" 1; finish; }
fi
if ! ninja -C "$ASAN_BUILD" >"$ASAN_BUILD.build.log" 2>&1; then
	cat "$ASAN_BUILD.build.log"
	count "build ($ASAN_BUILD, -Werror)" 1
	finish
fi
count "build ($ASAN_BUILD, -Werror)" 0

meson test -C "$ASAN_BUILD" --print-errorlogs --num-processes 2 >"$ASAN_BUILD.test.log" 2>&1
tail -n 40 "$ASAN_BUILD.test.log"
log="$ASAN_BUILD/meson-logs/testlog.json"
if [ -f "$log" ]; then
	ok=$(grep -c '"result": "OK"' "$log")
	bad=$(grep -c '"result": "\(FAIL\|TIMEOUT\|ERROR\|UNEXPECTEDPASS\)"' "$log")
	passed=$((passed + ok))
	failed=$((failed + bad))
else
	count "meson test" 1
fi

# Static analysis of src/ (scripts/lint.sh): clang-tidy over the ASan build's compile
# commands, and cppcheck.
scripts/lint.sh tidy "$ASAN_BUILD" >"$ASAN_BUILD.tidy.log" 2>&1
rc=$?
[ $rc -eq 0 ] || tail -n 60 "$ASAN_BUILD.tidy.log"
count "clang-tidy" $rc
scripts/lint.sh cppcheck >"$ASAN_BUILD.cppcheck.log" 2>&1
rc=$?
[ $rc -eq 0 ] || tail -n 60 "$ASAN_BUILD.cppcheck.log"
count "cppcheck" $rc
# src/ is as .clang-format formats it (scripts/check-format.sh; `make format` fixes it).
scripts/check-format.sh >"$ASAN_BUILD.format.log" 2>&1
rc=$?
[ $rc -eq 0 ] || cat "$ASAN_BUILD.format.log"
count "clang-format" $rc

# 2. The concurrent code under ThreadSanitizer: the in-process tests of the
# channels, the client library, and the runtime's I/O queues, requests and
# targets (worker pools, the reader hand-over, completions from any thread).
TSAN_TESTS="test_chan test_client test_io_queue test_io_request test_io_target"
if command -v clang >/dev/null; then
	if [ ! -f "$TSAN_BUILD/build.ninja" ]; then
		CC=clang CXX=clang++ meson setup "$TSAN_BUILD" -Dbuildtype=debug -Db_sanitize=thread \
			-Db_lundef=false >"$TSAN_BUILD.setup.log" 2>&1 || cat "$TSAN_BUILD.setup.log"
	fi
	targets=""
	for t in $TSAN_TESTS; do targets="$targets tests/unit/$t"; done
	# shellcheck disable=SC2086
	if ninja -C "$TSAN_BUILD" $targets >"$TSAN_BUILD.build.log" 2>&1; then
		for t in $TSAN_TESTS; do
			TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 "$TSAN_BUILD/tests/unit/$t" \
				>"$TSAN_BUILD/$t.log" 2>&1
			rc=$?
			[ $rc -eq 0 ] || tail -n 40 "$TSAN_BUILD/$t.log"
			count "tsan $t" $rc
		done
	else
		cat "$TSAN_BUILD.build.log"
		count "tsan build" 1
	fi
else
	# scripts/install-deps installs clang: without it the TSan tests would be skipped unseen.
	echo "clang is missing: the ThreadSanitizer tests cannot be built (apt-get install clang libclang-rt-14-dev)"
	count "tsan toolchain (clang)" 1
fi

# 3. Fuzz targets (libFuzzer, clang), each for a fixed time.
if command -v clang >/dev/null; then
	if [ ! -f "$FUZZ_BUILD/build.ninja" ]; then
		CC=clang CXX=clang++ meson setup "$FUZZ_BUILD" -Dfuzz=true -Dtests=false -Dbuildtype=debugoptimized \
			>"$FUZZ_BUILD.setup.log" 2>&1 || cat "$FUZZ_BUILD.setup.log"
	fi
	if ninja -C "$FUZZ_BUILD" >"$FUZZ_BUILD.build.log" 2>&1; then
		for f in "$FUZZ_BUILD"/tests/fuzz/fuzz_*; do
			[ -f "$f" ] && [ -x "$f" ] || continue
			name=$(basename "$f")
			corpus="$ROOT/tests/fuzz/corpus/${name#fuzz_}"
			work=$(mktemp -d)
			[ -d "$corpus" ] && cp -r "$corpus"/. "$work"/ 2>/dev/null
			"$f" -max_total_time="$FUZZ_SECONDS" -rss_limit_mb=2048 -print_final_stats=1 "$work" \
				>"$FUZZ_BUILD/$name.log" 2>&1
			rc=$?
			[ $rc -eq 0 ] || tail -n 30 "$FUZZ_BUILD/$name.log"
			count "fuzz $name (${FUZZ_SECONDS}s, $(grep -o 'stat::number_of_executed_units: *[0-9]*' "$FUZZ_BUILD/$name.log" | grep -o '[0-9]*$') runs)" $rc
			rm -rf "$work"
		done
	else
		cat "$FUZZ_BUILD.build.log"
		count "fuzz build" 1
	fi
else
	# scripts/install-deps installs clang: without it the fuzzers would be skipped unseen.
	echo "clang is missing: the fuzz targets cannot be built (apt-get install clang libclang-rt-14-dev)"
	count "fuzz toolchain (clang)" 1
fi
finish
