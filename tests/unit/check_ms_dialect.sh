#!/bin/sh
# SPDX-License-Identifier: MIT
# The flags of umnic-driver.pc must make the Microsoft dialect compile with
# clang++: __declspec, extra qualification, a backslash in #include,
# FORCEINLINE on member functions.
#
# usage: check_ms_dialect.sh <pkg-config-dir> <source>
set -u
dir=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
if ! command -v clang++ >/dev/null; then
	echo "clang++ is needed" >&2
	exit 1
fi
flags=$(PKG_CONFIG_PATH="$dir" pkg-config --cflags umnic-driver) || exit 1
echo "pkg-config --cflags umnic-driver: $flags"
# shellcheck disable=SC2086
clang++ -std=c++17 -Wall -Werror -Wno-microsoft-extra-qualification $flags \
	-I"$(dirname "$src")" "$src" -o "$tmp/ms" || exit 1
"$tmp/ms"
