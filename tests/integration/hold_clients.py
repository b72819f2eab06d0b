#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Connects N raw clients to umnicd's I/O socket and holds them open.
Prints "held H dropped D": how many umnicd kept, and how many it closed
within a second (refused, or dropped when out of descriptors). Then waits
until its standard input closes or it is killed.

usage: hold_clients.py RUN_DIR N
"""
import os
import select
import socket
import sys
import time

run_dir, n = sys.argv[1], int(sys.argv[2])
socks = []
for _ in range(n):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(os.path.join(run_dir, "umnic-io.sock"))
    socks.append(s)
dropped = set()
end = time.monotonic() + 1.0
while time.monotonic() < end:
    live = [s for s in socks if s not in dropped]
    r, _, _ = select.select(live, [], [], max(0.0, end - time.monotonic()))
    for s in r:
        try:
            if not s.recv(64):
                dropped.add(s)
        except OSError:
            dropped.add(s)
print("held %d dropped %d" % (n - len(dropped), len(dropped)), flush=True)
sys.stdin.read()
