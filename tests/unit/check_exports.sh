#!/bin/sh
# SPDX-License-Identifier: MIT
# Every function the driver headers declare must be exported by
# libumnic-driver: a driver that calls a declared-but-missing function
# compiles, then fails to load ("undefined symbol"). Checked for the
# user-mode build and for the kernel-mode (_KERNEL_MODE) build.
#
# The declarations come from the compiler itself (gcc -aux-info lists every
# prototype it saw, with its file), so macros, typedef'd function types and
# #ifdef _KERNEL_MODE sections are handled as a driver build sees them.
#
# And nothing else is exported: every symbol the library exports must be
# declared there (include/umnic/wpp.h counts: the WPP headers call it) or
# named in the driver host's list of libumnic-driver.map, so no internal
# function or global leaks to drivers.
#
# usage: check_exports.sh <gcc> <include-dir> <libumnic-driver.so> [<libumnic-driver.map>]
set -u
gcc=$1
inc=$(cd "$2" && pwd)
lib=$3
map=${4:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# Functions the driver supplies, not the framework.
supplied_by_driver="DriverEntry"

# One translation unit with every driver-facing header (umnic/ is the client library's).
{
	echo '#include <wdf.h>'
	echo '#include <netadaptercx.h>'
	(cd "$inc" && find . -name '*.h' ! -path './umnic/*' | sed 's|^\./||' | sort) |
		while read -r h; do echo "#include <$h>"; done
} >"$tmp/all.c"

nm -D --defined-only "$lib" | awk '$2 ~ /^[TWi]$/ { print $3 }' | sort -u >"$tmp/exports"
if [ ! -s "$tmp/exports" ]; then
	echo "no exported functions found in $lib" >&2
	exit 1
fi

status=0
for mode in user kernel; do
	def=""
	[ "$mode" = kernel ] && def="-D_KERNEL_MODE"
	if ! $gcc -std=gnu11 -fsyntax-only -I"$inc" $def -aux-info "$tmp/aux" "$tmp/all.c" \
		2>"$tmp/err"; then
		echo "$mode mode: the headers do not compile together:" >&2
		cat "$tmp/err" >&2
		status=1
		continue
	fi
	# Lines look like: /* <file>:<line>:NC */ extern <type> <name> (<params>);
	# (NC: a prototype that is only declared; NF would be an inline definition.)
	grep -F "/* $inc/" "$tmp/aux" | grep -E ':[0-9]+:[NO]C \*/ extern ' |
		sed -E 's|^/\* [^ ]+ \*/ extern ||; s/\(.*//; s/[ ;]*$//; s/.*[^A-Za-z0-9_]//' |
		sort -u >"$tmp/decl.$mode"
	for f in $supplied_by_driver; do
		sed -i "/^$f\$/d" "$tmp/decl.$mode"
	done
	n=$(wc -l <"$tmp/decl.$mode")
	if [ "$n" -lt 100 ]; then
		echo "$mode mode: only $n declarations found; the extraction is broken" >&2
		status=1
		continue
	fi
	comm -23 "$tmp/decl.$mode" "$tmp/exports" >"$tmp/missing.$mode"
	m=$(wc -l <"$tmp/missing.$mode")
	if [ "$m" -ne 0 ]; then
		echo "$mode mode: $m of $n declared functions are not exported by $lib:" >&2
		sed 's/^/  /' "$tmp/missing.$mode" >&2
		status=1
	else
		echo "$mode mode: all $n declared functions are exported"
	fi
done

if [ -n "$map" ]; then
	# Declared in either mode, data the headers declare, the WPP entry points, and the host's list.
	{
		cat "$tmp"/decl.*
		grep -ohE '^extern [A-Za-z_][A-Za-z0-9_ *]* \*?([A-Za-z_][A-Za-z0-9_]*);' $(find "$inc" -name '*.h') |
			sed -E 's/;$//; s/.*[^A-Za-z0-9_]//'
		grep -ohE '\bumn_wpp_[a-z_]+' "$inc/umnic/wpp.h"
		sed -n '/(host list)/,/^local:/p' "$map" | sed -n 's/^\t\([A-Za-z_][A-Za-z0-9_]*\);$/\1/p'
	} | sort -u >"$tmp/allowed"
	nm -D --defined-only "$lib" | awk '$2 ~ /^[TWiDBRVG]$/ { print $3 }' | sort -u >"$tmp/all_exports"
	comm -23 "$tmp/all_exports" "$tmp/allowed" >"$tmp/leaked"
	if [ -s "$tmp/leaked" ]; then
		echo "$(wc -l <"$tmp/leaked") exported symbols are neither declared in $inc nor in the host's list of $map:" >&2
		sed 's/^/  /' "$tmp/leaked" >&2
		status=1
	else
		echo "nothing else is exported ($(wc -l <"$tmp/all_exports") symbols)"
	fi
fi
exit $status
