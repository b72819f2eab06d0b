#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Plays umnicd for a real umnic-host process, from the layouts in
src/common/chan.h and src/common/proto.h: offers it a message channel,
waits until it sleeps on its socket, then puts one request on its ring
(without a kick) and sends the next on the socket with a descriptor, so
both arrive in one wake-up. The host must handle them in the order they
were sent: the ring's first (chan.h, "Order"). Both are of a type the host
does not know, so its PnP thread answers each, in the order it got them,
with a REPLY naming the request. Prints TAP-style lines.

usage: host_order.py UMNIC_HOST_BINARY
"""
import fcntl
import mmap
import os
import select
import socket
import struct
import subprocess
import sys
import time

from cells import Cells
from tap import check, finish

KICK, OFFER = 0x4B01, 0x4B02
REPLY = 100
HDR_BYTES, RING_BYTES = 4096, 64 * 1024
CHAN_BYTES = HDR_BYTES + 2 * RING_BYTES
# Ring A (umnicd -> host): producer cell at 0, consumer cell at 64; info line at 256.
A_TAIL, A_SENT, A_HEAD, A_SLEEPING, A_SEEN, A_READY = 0, 4, 64, 68, 72, 76
INFO_SPIN_US = 256
A_DATA = HDR_BYTES
F_ADD_SEALS = getattr(fcntl, "F_ADD_SEALS", 1033)
F_SEAL_SHRINK, F_SEAL_GROW = 2, 4
STATUS_INVALID_PARAMETER = 0xC000000D
TYPE_X, TYPE_Y = 0x7001, 0x7002


def wait_for(cond, seconds):
    end = time.monotonic() + seconds
    while not cond():
        if time.monotonic() > end:
            return False
        time.sleep(0.001)
    return True


def recv_until(s, want, seconds=5.0):
    """Packets from the host until one of type want; returns it (or None)."""
    end = time.monotonic() + seconds
    while True:
        r, _, _ = select.select([s], [], [], max(0.0, end - time.monotonic()))
        if not r:
            return None
        msg, fds, _, _ = socket.recv_fds(s, 65536, 4)
        for fd in fds:
            os.close(fd)
        if not msg:
            return None
        if struct.unpack_from("<I", msg)[0] == want:
            return msg


def main():
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    host = subprocess.Popen([sys.argv[1], "-f", str(theirs.fileno())], pass_fds=[theirs.fileno()])
    theirs.close()
    try:
        run(ours)
    finally:
        ours.close()  # the host leaves when its umnicd goes away
        try:
            host.wait(timeout=10)
        except subprocess.TimeoutExpired:
            host.kill()
            check("umnic-host leaves when its socket closes", False, "still running after 10 s")


def run(s):
    fd = os.memfd_create("umnic-chan", os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
    os.ftruncate(fd, CHAN_BYTES)
    fcntl.fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW)
    m = mmap.mmap(fd, CHAN_BYTES)
    cell = Cells(m)
    cell[INFO_SPIN_US] = 0  # no polling: the host sleeps at once
    # The OFFER with the memfd is the first message counted on umnicd's side.
    socket.send_fds(s, [struct.pack("<IIQ", OFFER, 16, 0)], [fd])
    cell[A_SENT] = 1
    os.close(fd)
    ack = recv_until(s, OFFER)
    check("the host acknowledges the channel", ack is not None and len(ack) == 16)
    check("and reads its ring, having counted the offer",
          wait_for(lambda: cell[A_READY] == 1 and cell[A_SEEN] == 1, 5), "ready %d seen %d" %
          (cell[A_READY], cell[A_SEEN]))
    check("the host says it sleeps on its socket", wait_for(lambda: cell[A_SLEEPING] == 1, 5))
    time.sleep(0.05)  # and it is inside recvmmsg by now

    # X on the ring, without the kick a sleeping reader is owed ...
    rec = struct.pack("<II", 16, 0) + struct.pack("<IIQ", TYPE_X, 16, 1)
    m[A_DATA:A_DATA + len(rec)] = rec
    cell[A_TAIL] = len(rec)
    # ... then Y on the socket with a descriptor: it wakes the host, which finds both.
    with open("/dev/null", "rb") as f:
        socket.send_fds(s, [struct.pack("<IIQ", TYPE_Y, 16, 2)], [f.fileno()])
    cell[A_SENT] = 2

    seqs = []
    for _ in range(2):
        r = recv_until(s, REPLY)
        if r is None:
            break
        _, ln, _, req_seq, status = struct.unpack_from("<IIQQi", r)
        text = r[32:].split(b"\0")[0].decode(errors="replace")
        check("request %d is refused as unknown (%s)" % (req_seq, text),
              (status & 0xFFFFFFFF) == STATUS_INVALID_PARAMETER and "unknown request type" in text,
              "status %#x" % (status & 0xFFFFFFFF))
        seqs.append(req_seq)
    check("the ring's request is handled before the socket's that followed it", seqs == [1, 2],
          "replies in the order %s" % seqs)
    check("the host took the ring's message and counted the socket's",
          wait_for(lambda: cell[A_HEAD] == len(rec) and cell[A_SEEN] == 2, 5),
          "head %d seen %d" % (cell[A_HEAD], cell[A_SEEN]))


main()
sys.exit(finish())
