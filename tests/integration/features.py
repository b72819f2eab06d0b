#!/usr/bin/env python3
"""Reads or sets an interface's offload features the way ethtool -k / -K does
(SIOCETHTOOL with ETHTOOL_GFEATURES / ETHTOOL_SFEATURES), for machines
without the ethtool program.

features.py IFNAME                  prints "name on|off" for every feature
features.py IFNAME NAME on|off ...  sets the named features
"""
import fcntl
import socket
import struct
import sys

SIOCETHTOOL = 0x8946
ETHTOOL_GSSET_INFO = 0x37
ETHTOOL_GSTRINGS = 0x1b
ETHTOOL_GFEATURES = 0x3a
ETHTOOL_SFEATURES = 0x3b
ETH_SS_FEATURES = 4
ETH_GSTRING_LEN = 32


def ioctl(sock, ifname, buf):
    b = bytearray(buf)
    addr = (ctypes_addr := __import__("ctypes")).addressof(
        (ctypes_addr.c_char * len(b)).from_buffer(b))
    ifr = struct.pack("16sP", ifname.encode(), addr)
    fcntl.ioctl(sock, SIOCETHTOOL, ifr)
    return b


def names(sock, ifname):
    info = ioctl(sock, ifname, struct.pack("IIQI", ETHTOOL_GSSET_INFO, 0, 1 << ETH_SS_FEATURES, 0))
    count = struct.unpack_from("I", info, 16)[0]
    gs = ioctl(sock, ifname, struct.pack("III", ETHTOOL_GSTRINGS, ETH_SS_FEATURES, count)
               + bytes(count * ETH_GSTRING_LEN))
    return [gs[12 + i * 32:12 + (i + 1) * 32].split(b"\0")[0].decode() for i in range(count)]


def main():
    ifname = sys.argv[1]
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    feats = names(sock, ifname)
    blocks = (len(feats) + 31) // 32
    if len(sys.argv) == 2:
        g = ioctl(sock, ifname, struct.pack("II", ETHTOOL_GFEATURES, blocks) + bytes(16 * blocks))
        for i, n in enumerate(feats):
            active = struct.unpack_from("I", g, 8 + 16 * (i // 32) + 8)[0]
            print(n, "on" if active >> (i % 32) & 1 else "off")
        return
    valid = [0] * blocks
    req = [0] * blocks
    args = sys.argv[2:]
    for n, v in zip(args[::2], args[1::2]):
        i = feats.index(n)
        valid[i // 32] |= 1 << (i % 32)
        if v == "on":
            req[i // 32] |= 1 << (i % 32)
    body = b"".join(struct.pack("II", valid[k], req[k]) for k in range(blocks))
    ioctl(sock, ifname, struct.pack("II", ETHTOOL_SFEATURES, blocks) + body)


if __name__ == "__main__":
    main()
