#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""What a hostile local user does to umnicd, written on the raw sockets
(src/common/ioproto.h) rather than with libumnic. Run as an unprivileged
user. Each mode prints its result lines, then, where it says so, keeps what
it holds until its standard input closes.

usage: peer_abuse.py MODE RUN_DIR ARGS...
  hold NCTL NIO          control and I/O connections, as many as umnicd keeps
                         ("ctl held H dropped D", "io held H dropped D"); then,
                         for each line read, "ctl closed C" (how many of the
                         control connections umnicd has closed since) and
                         "io closed C"
  handles N              one connection opens the echo device N times
                         ("handles open O refused R")
  pend NCONN N           NCONN connections each send N delayed IOCTLs that the
                         echo driver keeps pending ("pending P refused R")
  close-flood NCONN SECS PID MAX_MB
                         NCONN connections send CLOSE for a handle that does
                         not exist, never reading a reply, for SECS seconds,
                         until process PID grew by MAX_MB MiB, or until every
                         connection has been blocked for 3 s
                         ("sent S grew G MiB paused P lost L": P connections
                         umnicd stopped reading, L it disconnected); after a
                         line on stdin, reads every reply ("all answered")
  cancel-flood NCONN N   NCONN connections each send N CANCELs of requests
                         that do not exist, then one CLOSE whose reply shows
                         umnicd read them all ("cancels S answered A")
"""
import errno
import os
import resource
import select
import socket
import struct
import sys
import time

OPEN, IOCTL, CANCEL, CLOSE = 1, 4, 5, 6
OPEN_DONE, COMPLETE, CLOSE_DONE = 100, 101, 102
FILE_RW = 0x3
IOCTL_ECHO_DELAYED = 0x81232018
STATUS_INSUFFICIENT_RESOURCES = 0xC000009A


def raise_nofile():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def connect(run_dir, name, timeout=5.0):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.settimeout(timeout)
    s.connect(os.path.join(run_dir, name))
    return s


def open_msg(req_id, name="UmnicEcho"):
    n = name.encode() + b"\0"
    return struct.pack("<IIQIIIHH16s", OPEN, 48 + len(n), req_id, FILE_RW, 0, 0, len(n), 0, b"\0" * 16) + n


def ioctl_msg(req_id, handle, code, data, out_len):
    return struct.pack("<IIQQIIIIQQ", IOCTL, 56 + len(data), req_id, handle, code, 0,
                       len(data), out_len, 0, 0) + data


def cancel_msg(req_id):
    return struct.pack("<IIQ", CANCEL, 16, req_id)


def close_msg(req_id, handle):
    return struct.pack("<IIQQ", CLOSE, 24, req_id, handle)


def reply(msg):
    t, ln, rid, st = struct.unpack_from("<IIQi", msg)
    return t, rid, st & 0xFFFFFFFF


def closed_by_peer(s):
    """True if the other side hung up (without waiting)."""
    try:
        r, _, _ = select.select([s], [], [], 0)
        if not r:
            return False
        return not s.recv(65536, socket.MSG_PEEK)
    except OSError:
        return True


def held(socks, seconds=1.0):
    """Which of socks umnicd keeps: those it has not closed within seconds."""
    dropped = set()
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for s in socks:
            if s not in dropped and closed_by_peer(s):
                dropped.add(s)
        time.sleep(0.05)
    return [s for s in socks if s not in dropped], len(dropped)


def connect_many(run_dir, name, n):
    """n connections; one that finds umnicd's backlog full (it accepts more
    slowly than this loop connects, on a busy machine) tries again for up to
    half a second, so that umnicd, not the backlog, decides which it keeps."""
    socks, failed = [], 0
    for _ in range(n):
        for attempt in range(50):
            try:
                socks.append(connect(run_dir, name, 10.0))
                break
            except BlockingIOError:
                if attempt == 49:
                    failed += 1
                time.sleep(0.01)
            except OSError:
                failed += 1
                break
    return socks, failed


def mode_hold(run_dir, nctl, nio):
    ctl, ctl_failed = connect_many(run_dir, "umnicd.sock", int(nctl))
    io, io_failed = connect_many(run_dir, "umnic-io.sock", int(nio))
    ctl, ctl_dropped = held(ctl)
    io, io_dropped = held(io)
    print("ctl held %d dropped %d failed %d" % (len(ctl), ctl_dropped, ctl_failed), flush=True)
    print("io held %d dropped %d failed %d" % (len(io), io_dropped, io_failed), flush=True)
    for _ in sys.stdin:
        print("ctl closed %d" % sum(closed_by_peer(s) for s in ctl), flush=True)
        print("io closed %d" % sum(closed_by_peer(s) for s in io), flush=True)


def recv_reply(s, timeout=10.0):
    r, _, _ = select.select([s], [], [], timeout)
    return reply(s.recv(65536)) if r else None


def open_handle(s, req_id):
    s.send(open_msg(req_id))
    while True:
        msg = s.recv(65536)
        t, rid, st = reply(msg)
        if t == OPEN_DONE and rid == req_id:
            return struct.unpack_from("<Q", msg, 24)[0] if st == 0 else None, st


def mode_handles(run_dir, n):
    s = connect(run_dir, "umnic-io.sock", 30.0)
    opened = refused = 0
    for i in range(int(n)):
        h, st = open_handle(s, i + 1)
        if h:
            opened += 1
        elif st == STATUS_INSUFFICIENT_RESOURCES:
            refused += 1
        else:
            print("open failed with status %#x" % st, flush=True)
            break
    print("handles open %d refused %d" % (opened, refused), flush=True)
    sys.stdin.read()


def mode_pend(run_dir, nconn, n):
    pending = refused = other = 0
    conns = []
    # Every handle first: once the user holds its share of the host, an open is refused too.
    for k in range(int(nconn)):
        s = connect(run_dir, "umnic-io.sock", 30.0)
        h, st = open_handle(s, 1)
        if not h:
            print("open failed with status %#x" % st, flush=True)
            return
        conns.append((s, h))
    for s, h in conns:
        sent = done = 0
        # 600 s: they stay pending until the connection closes (and umnicd cancels them).
        msg = lambda i: ioctl_msg(i, h, IOCTL_ECHO_DELAYED, struct.pack("<I", 600000), 0)
        while sent < int(n):
            s.send(msg(2 + sent))
            sent += 1
            # Replies come only for refused requests: take them as they come.
            while select.select([s], [], [], 0)[0]:
                t, rid, st = reply(s.recv(65536))
                done += 1
                if st == STATUS_INSUFFICIENT_RESOURCES:
                    refused += 1
                else:
                    other += 1
        # Let umnicd and the driver catch up, then count the refusals that are still coming.
        end = time.monotonic() + 2.0
        while time.monotonic() < end:
            r = recv_reply(s, max(0.0, end - time.monotonic()))
            if r is None:
                break
            done += 1
            if r[2] == STATUS_INSUFFICIENT_RESOURCES:
                refused += 1
            else:
                other += 1
        pending += sent - done
    print("pending %d refused %d other %d" % (pending, refused, other), flush=True)
    sys.stdin.read()


def rss_mib(pid):
    with open("/proc/%s/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def mode_close_flood(run_dir, nconn, secs, pid, max_mb):
    socks = [connect(run_dir, "umnic-io.sock") for _ in range(int(nconn))]
    for s in socks:
        s.setblocking(False)
    base = rss_mib(pid)
    msgs = [close_msg(1 + i, 0xDEAD0000 + i) for i in range(64)]
    sent = dict((s, 0) for s in socks)
    grew = 0
    full, lost = set(), set()
    end = time.monotonic() + float(secs)
    blocked_since = None
    while time.monotonic() < end:
        busy = False
        for s in socks:
            if s in lost:
                continue
            try:
                for m in msgs:
                    s.send(m)
                    sent[s] += 1
                busy = True
                full.discard(s)
            except BlockingIOError:
                full.add(s)
            except OSError as e:
                if e.errno not in (errno.EPIPE, errno.ECONNRESET):
                    raise
                lost.add(s)
                full.discard(s)
        grew = max(grew, rss_mib(pid) - base)
        if grew > float(max_mb):
            break
        # Every connection blocked for 3 s: umnicd has stopped reading them all.
        if len(full) + len(lost) == len(socks):
            blocked_since = blocked_since or time.monotonic()
            if time.monotonic() - blocked_since > 3.0:
                break
        else:
            blocked_since = None
        if not busy:
            time.sleep(0.05)
    # What umnicd queued last is counted too.
    time.sleep(0.5)
    grew = max(grew, rss_mib(pid) - base)
    print("sent %d grew %d MiB paused %d lost %d" % (sum(sent.values()), grew, len(full), len(lost)),
          flush=True)
    sys.stdin.readline()
    # Now read every reply: umnicd goes on with the requests it had not read.
    got = dict((s, 0) for s in socks)
    live = [s for s in socks if s not in lost]
    for s in live:
        s.setblocking(True)
        s.settimeout(30.0)
    try:
        for s in live:
            while got[s] < sent[s]:
                if not s.recv(65536):
                    break
                got[s] += 1
    except OSError:
        pass
    total, answered = sum(sent.values()), sum(got.values())
    print("all answered" if answered == total else "answered %d of %d" % (answered, total), flush=True)
    sys.stdin.read()


def mode_cancel_flood(run_dir, nconn, n):
    socks = [connect(run_dir, "umnic-io.sock", 60.0) for _ in range(int(nconn))]
    msgs = [cancel_msg(0xC0000000 + i) for i in range(256)]
    sent = 0
    for _ in range(int(n) // len(msgs)):
        for s in socks:
            for m in msgs:
                s.send(m)
            sent += len(msgs)
    answered = 0
    for s in socks:
        s.send(close_msg(7, 0xDEAD))
        r = recv_reply(s, 120.0)
        if r and r[0] == CLOSE_DONE and r[1] == 7:
            answered += 1
    print("cancels %d answered %d" % (sent, answered), flush=True)


def main():
    raise_nofile()
    mode, run_dir, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    {"hold": mode_hold, "handles": mode_handles, "pend": mode_pend, "close-flood": mode_close_flood,
     "cancel-flood": mode_cancel_flood}[mode](run_dir, *args)


if __name__ == "__main__":
    main()
