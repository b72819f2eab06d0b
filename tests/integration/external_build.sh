#!/bin/sh
# The interface for outside driver authors: build a driver with cc and
# pkg-config from the build tree, put its INF beside it, install, use it.
. "$(dirname "$0")/lib.sh"
umn_need_root "$0" "$@"

pkg="$T_WORK/pkg"
mkdir -p "$pkg"
# vpair's sources: its own files and the checksum and segmentation code it shares with umnicd.
cp "$UMNIC_SRC"/drivers/vpair/*.[ch] "$UMNIC_SRC/drivers/vpair/vpair.inf" \
	"$UMNIC_SRC/src/common/segment.c" "$UMNIC_SRC/src/common/segment.h" "$pkg/"
flags=$(PKG_CONFIG_PATH="$UMNIC_BUILD/meson-uninstalled" pkg-config --cflags --libs umnic-driver)
t_check "pkg-config knows umnic-driver in the build tree" [ -n "$flags" ]
# shellcheck disable=SC2086
t_check "a driver builds with cc -shared -fPIC and pkg-config" \
	cc -std=c11 -Wall -Wextra -Werror -shared -fPIC "$pkg"/*.c $flags -o "$pkg/vpair.so"
t_check "the same driver source compiles as C++17" \
	sh -c "c++ -std=c++17 -fsyntax-only -x c++ $(PKG_CONFIG_PATH="$UMNIC_BUILD/meson-uninstalled" pkg-config --cflags umnic-driver) - <'$UMNIC_SRC/tests/integration/cxx_driver_tu.cpp'"

umn_netns_add "$T_TAG-a"
umn_netns_add "$T_TAG-b"
umn_start_daemon "$T_WORK"
out=$(umn_cli install "$pkg/vpair.inf" --netns "$T_TAG-a" --ifname exa 2>&1)
t_contains "install prints the instance id and the interface" "$out" "ROOT\\VPAIR\\0000 exa"
umn_cli install "$pkg/vpair.inf" --netns "$T_TAG-b" --ifname exb >/dev/null
ip -n "$T_TAG-a" addr add 10.77.0.1/24 dev exa
ip -n "$T_TAG-b" addr add 10.77.0.2/24 dev exb
ip -n "$T_TAG-a" link set exa up
ip -n "$T_TAG-b" link set exb up
t_check "the externally built pair pings" t_ping_ok "$T_TAG-a" 10.77.0.2 5
t_contains "status shows the .so beside the INF" "$(umn_cli status --json | jq -r '.[0].inf')" "$pkg/vpair.inf"
t_finish
