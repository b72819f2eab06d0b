#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs a negative compile test (umdf_rejects_kmdf.c, umdf_rejects_wdf_kmdf.c):
# every UMNIC_REJECT_CASE in it must compile with -D_KERNEL_MODE (control) and
# fail without it. Exit status 0 on success.
#
# usage: check_umdf_rejects_kmdf.sh <c-compiler> <include-dir> <source>
set -u
cc=$1
inc=$2
src=$3
flags="-std=c11 -Wall -Wextra -Werror -Werror=implicit-function-declaration -fsyntax-only"
status=0
cases=$(grep -o 'UMNIC_REJECT_CASE == [0-9]*' "$src" | awk '{print $3}' | sort -un)
[ -n "$cases" ] || { echo "no UMNIC_REJECT_CASE cases in $src" >&2; exit 1; }
for n in $cases; do
	if ! $cc $flags -I"$inc" -D_KERNEL_MODE -DUMNIC_REJECT_CASE=$n "$src" 2>/tmp/umdf_rejects_$$; then
		echo "case $n: control build with -D_KERNEL_MODE failed:" >&2
		cat /tmp/umdf_rejects_$$ >&2
		status=1
	fi
	if $cc $flags -I"$inc" -DUMNIC_REJECT_CASE=$n "$src" 2>/dev/null; then
		echo "case $n: user-mode build compiled but must be rejected" >&2
		status=1
	else
		echo "case $n: rejected in user mode, as required"
	fi
done
rm -f /tmp/umdf_rejects_$$
exit $status
