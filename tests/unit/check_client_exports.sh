#!/bin/sh
# SPDX-License-Identifier: MIT
# libumnic's ABI is deliberate: the functions include/umnic/client.h
# declares, the names src/client/libumnic.sym lists and the symbols the
# library exports are the same three sets. A function added to the header
# but not to the list fails to link for applications; one exported but not
# declared is an internal leaking into the ABI.
#
# usage: check_client_exports.sh <gcc> <include-dir> <libumnic.so> <libumnic.sym>
set -u
gcc=$1
inc=$2
lib=$3
sym=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

echo '#include <umnic/client.h>' >"$tmp/c.c"
"$gcc" -I"$inc" -fsyntax-only -aux-info "$tmp/aux" "$tmp/c.c" || exit 1
grep '/umnic/client.h:' "$tmp/aux" | grep -o 'umnic_[a-z0-9_]* *(' | tr -d ' (' | sort -u \
	>"$tmp/declared"
sed -n 's/^[[:space:]]*\(umnic_[a-z0-9_]*\);.*/\1/p' "$sym" | sort -u >"$tmp/listed"
nm -D --defined-only "$lib" | awk '$2 ~ /^[TWi]$/ { sub(/@.*/, "", $3); print $3 }' | sort -u \
	>"$tmp/exported"

rc=0
for f in declared listed exported; do
	if [ ! -s "$tmp/$f" ]; then
		echo "no functions found ($f)" >&2
		exit 1
	fi
done
report() { # report WHAT A B: names in A missing from B
	comm -23 "$tmp/$2" "$tmp/$3" >"$tmp/diff"
	if [ -s "$tmp/diff" ]; then
		echo "$1:"
		sed 's/^/  /' "$tmp/diff"
		rc=1
	fi
}
report "declared in client.h but not listed in libumnic.sym" declared listed
report "listed in libumnic.sym but not declared in client.h" listed declared
report "exported by libumnic but not declared" exported declared
report "declared but not exported by libumnic" declared exported
[ $rc -eq 0 ] && echo "libumnic: $(wc -l <"$tmp/declared") functions declared, listed and exported"
exit $rc
