#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A client of umnicd's message rings written from the layout in
src/common/chan.h, not with libumnic: it asks for a channel on the raw
socket, maps the memfd, and sends requests on the ring; then it breaks the
rules as a hostile client would. Prints TAP-style lines.

usage: io_rings.py RUN_DIR CASE
  CASE: ring | no-ack | corrupt | second-offer | refused
"""
import mmap
import os
import select
import socket
import struct
import sys

from cells import Cells
from tap import check, finish

KICK, OFFER = 0x4B01, 0x4B02
OPEN, IOCTL = 1, 4
OPEN_DONE, COMPLETE = 100, 101
HDR_BYTES, RING_BYTES = 4096, 64 * 1024
CHAN_BYTES = HDR_BYTES + 2 * RING_BYTES
# Ring A (umnicd -> client): producer cell at 0, consumer cell at 64.
# Ring B (client -> umnicd): producer cell at 128, consumer cell at 192.
A_TAIL, A_HEAD, A_SLEEPING, A_SEEN, A_READY = 0, 64, 68, 72, 76
B_TAIL, B_SENT, B_HEAD, B_READY = 128, 132, 192, 204
A_DATA, B_DATA = HDR_BYTES, HDR_BYTES + RING_BYTES
FILE_RW = 0x3
IOCTL_ECHO_BUFFERED = 0x81232000

class Client:
    def __init__(self, run_dir):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.s.connect(os.path.join(run_dir, "umnic-io.sock"))
        self.m = None
        self.b_tail = 0  # our producer index on ring B
        self.a_head = 0  # our consumer index on ring A

    def u32(self, off):
        return self.cells[off]

    def put_u32(self, off, v):
        self.cells[off] = v

    def offer(self):
        """Asks for a channel; returns the memfd umnicd answered with, or None."""
        self.s.send(struct.pack("<IIQ", OFFER, 16, 0))
        msg, fds, _, _ = socket.recv_fds(self.s, 64, 4)
        t, ln, _ = struct.unpack_from("<IIQ", msg)
        check("umnicd answers the offer with an OFFER of 16 bytes", t == OFFER and ln == 16 and len(msg) == 16,
              "type %#x len %d" % (t, ln))
        return fds[0] if fds else None

    def attach(self, fd, use=True):
        check("the channel is %d bytes" % CHAN_BYTES, os.fstat(fd).st_size == CHAN_BYTES, str(os.fstat(fd).st_size))
        self.m = mmap.mmap(fd, CHAN_BYTES)
        self.cells = Cells(self.m)
        os.close(fd)
        if use:
            self.put_u32(A_READY, 1)
            self.put_u32(A_SEEN, 1)  # the OFFER with the memfd is the first message counted
            self.s.send(struct.pack("<IIQ", OFFER, 16, 0))

    def ring_put(self, msg):
        rec = struct.pack("<II", len(msg), 0) + msg
        rec += b"\0" * (-len(rec) % 8)
        off = self.b_tail % RING_BYTES
        assert off + len(rec) <= RING_BYTES  # a few small messages never wrap
        self.m[B_DATA + off:B_DATA + off + len(rec)] = rec
        self.b_tail += len(rec)
        self.put_u32(B_TAIL, self.b_tail)
        self.s.send(struct.pack("<IIQ", KICK, 16, 0))

    def ring_get(self, timeout=5.0):
        """The next message on ring A, waiting for kicks on the socket."""
        while self.u32(A_TAIL) == self.a_head:
            self.put_u32(A_SLEEPING, 1)
            if self.u32(A_TAIL) != self.a_head:
                break
            r, _, _ = select.select([self.s], [], [], timeout)
            if not r:
                return None
            pkt = self.s.recv(65536)
            if not pkt:
                return None
        off = self.a_head % RING_BYTES
        ln, pad = struct.unpack_from("<II", self.m, A_DATA + off)
        msg = bytes(self.m[A_DATA + off + 8:A_DATA + off + 8 + ln])
        self.a_head += (8 + ln + 7) & ~7
        self.put_u32(A_HEAD, self.a_head)
        return msg

    def sock_get(self, timeout=5.0):
        r, _, _ = select.select([self.s], [], [], timeout)
        return self.s.recv(65536) if r else None

    def closed(self, timeout=5.0):
        """True if umnicd hung up (kicks it may still send are skipped)."""
        while True:
            r, _, _ = select.select([self.s], [], [], timeout)
            if not r:
                return False
            try:
                pkt = self.s.recv(65536)
            except ConnectionResetError:
                return True
            if not pkt:
                return True


def open_msg(req_id, name="UmnicEcho"):
    n = name.encode() + b"\0"
    return struct.pack("<IIQIIIHH16s", OPEN, 48 + len(n), req_id, FILE_RW, 0, 0, len(n), 0, b"\0" * 16) + n


def ioctl_msg(req_id, handle, data, out_len):
    return struct.pack("<IIQQIIIIQQ", IOCTL, 56 + len(data), req_id, handle, IOCTL_ECHO_BUFFERED, 0,
                       len(data), out_len, 0, 0) + data


def open_done(msg):
    t, ln, rid, st, granted, handle = struct.unpack_from("<IIQiIQ", msg)
    return t, rid, st & 0xFFFFFFFF, handle


def complete(msg):
    t, ln, rid, st, flags, info, dlen, _ = struct.unpack_from("<IIQiIQII", msg)
    return t, rid, st & 0xFFFFFFFF, info, msg[40:40 + dlen]


def case_ring(c):
    c.attach(c.offer())
    c.ring_put(open_msg(1))
    msg = c.ring_get()
    check("OPEN on the ring is answered on the ring", msg is not None and open_done(msg)[:3] == (OPEN_DONE, 1, 0),
          repr(msg and open_done(msg)))
    check("umnicd reads our ring once we acknowledged", c.u32(B_READY) == 1)
    handle = open_done(msg)[3]
    for i in range(50):
        c.ring_put(ioctl_msg(2 + i, handle, bytes([i]) * 64, 64))
    got = [c.ring_get() for _ in range(50)]
    ok = all(g is not None and complete(g)[:4] == (COMPLETE, 2 + i, 0, 64) and complete(g)[4] == bytes([i]) * 64
             for i, g in enumerate(got))
    check("50 IOCTLs on the ring complete on the ring, in order, with their data", ok)
    check("umnicd consumed everything we put there", c.u32(B_HEAD) == c.b_tail)


def case_no_ack(c):
    fd = c.offer()
    c.attach(fd, use=False)
    # Mapped, but neither marked as read nor acknowledged: umnicd uses no ring, the socket it is.
    c.s.send(open_msg(1))
    pkt = c.sock_get()
    check("unacknowledged: OPEN on the socket is answered on the socket",
          pkt is not None and open_done(pkt)[:3] == (OPEN_DONE, 1, 0), repr(pkt and open_done(pkt)))
    check("and nothing was put on the ring", c.u32(A_TAIL) == 0)
    check("umnicd does not read our ring before we acknowledge it", c.u32(B_READY) == 0)


def case_corrupt(c):
    c.attach(c.offer())
    c.ring_put(open_msg(1))
    c.ring_get()
    # A tail past everything, then a kick.
    c.put_u32(B_TAIL, c.b_tail + RING_BYTES * 3)
    c.s.send(struct.pack("<IIQ", KICK, 16, 0))
    check("a client whose ring indices are out of range is disconnected", c.closed())


def case_second_offer(c):
    c.attach(c.offer())
    c.s.send(struct.pack("<IIQ", OFFER, 16, 0))
    check("a client offering again after its acknowledgement is disconnected", c.closed())


def case_refused(c):
    fd = c.offer()
    check("umnicd --no-io-rings answers the offer without a memfd", fd is None)
    c.s.send(open_msg(1))
    pkt = c.sock_get()
    check("and serves the client on the socket", pkt is not None and open_done(pkt)[:3] == (OPEN_DONE, 1, 0))


def main():
    run_dir, case = sys.argv[1], sys.argv[2]
    c = Client(run_dir)
    {"ring": case_ring, "no-ack": case_no_ack, "corrupt": case_corrupt,
     "second-offer": case_second_offer, "refused": case_refused}[case](c)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
