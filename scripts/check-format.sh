#!/bin/sh
# src/ is formatted as .clang-format says: lists every file clang-format would
# change and fails if there is one. `make format` rewrites them in place.
# (include/ mirrors the WDK's layout and is not held to it.)
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
CLANG_FORMAT=${CLANG_FORMAT:-clang-format}
files=$(find src -name '*.[ch]' | sort)
bad=0
for f in $files; do
	if ! "$CLANG_FORMAT" --dry-run --Werror "$f" >/dev/null 2>&1; then
		echo "not formatted: $f ($("$CLANG_FORMAT" --dry-run "$f" 2>&1 | grep -c 'warning:') lines; run make format)"
		bad=$((bad + 1))
	fi
done
[ "$bad" -eq 0 ] && echo "clang-format: $(echo "$files" | wc -l) files in src/ formatted"
[ "$bad" -eq 0 ]
