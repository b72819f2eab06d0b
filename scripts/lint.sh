#!/bin/sh
# Static analysis of src/: clang-tidy (.clang-tidy) and cppcheck (scripts/cppcheck.supp).
#   scripts/lint.sh [tidy|cppcheck|all] [BUILD_DIR]
# clang-tidy reads the compile commands of BUILD_DIR (default build-asan, configured by
# make check); each file of src/ is analysed once, two at a time. Exits non-zero on any finding.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
what=${1:-all}
BUILD=${2:-build-asan}
JOBS=${LINT_JOBS:-2}
rc=0

tidy() {
	db="$BUILD/compile_commands.json"
	[ -f "$db" ] || { echo "lint: $db is missing (meson setup $BUILD first)" >&2; return 1; }
	# One entry per source file of src/ (the same file may be compiled into several targets).
	files=$(python3 -c '
import json, os, sys
seen = set()
for e in json.load(open(sys.argv[1])):
    f = os.path.normpath(os.path.join(e["directory"], e["file"]))
    if f.startswith(sys.argv[2] + "/src/") and f.endswith(".c") and f not in seen:
        seen.add(f)
        print(f)
' "$db" "$ROOT") || return 1
	# The compile commands are gcc's: clang does not know some of its warning options.
	out=$(mktemp)
	# shellcheck disable=SC2086
	printf '%s\n' $files | xargs -P "$JOBS" -n 4 clang-tidy -p "$BUILD" --quiet \
		--extra-arg=-Wno-unknown-warning-option >"$out" 2>&1
	st=$? # xargs: 123 when a clang-tidy call found something
	grep -v -e '^[0-9]* warnings\{0,1\} \(and [0-9]* errors\{0,1\} \)\{0,1\}generated\.$' \
		-e '^Suppressed [0-9]* warnings' -e '^Use -header-filter' -e '^Error while processing' \
		"$out"
	rm -f "$out"
	return $st
}

cppcheck_src() {
	# --library=posix knows the libc and POSIX calls; include/ is searched for the WDK-shaped
	# types. cppcheck defines no architecture: the build's (x86-64) is given, as gcc would.
	cppcheck --quiet --error-exitcode=1 -j "$JOBS" --std=c11 --library=posix \
		--enable=warning,performance,portability --inline-suppr \
		--suppressions-list=scripts/cppcheck.supp \
		-D_GNU_SOURCE -D__linux__ -D__x86_64__ -DUMN_LIBDIR_FROM_LIBEXEC='"lib"' \
		-DUMN_DRIVER_LIB_SONAME='"libumnic-driver.so.0"' \
		-I include -I src src/
}

case $what in
tidy) tidy || rc=1 ;;
cppcheck) cppcheck_src || rc=1 ;;
all) tidy || rc=1; cppcheck_src || rc=1 ;;
*) echo "usage: $0 [tidy|cppcheck|all] [BUILD_DIR]" >&2; exit 2 ;;
esac
exit $rc
