#!/usr/bin/env python3
"""A TCP stream with content verification.

  tcpcheck.py serve ADDR PORT          accept one connection, read to EOF, reply with
                                       "<bytes> <sha256>" and exit
  tcpcheck.py send ADDR PORT BYTES     send BYTES of a deterministic pseudo-random stream,
                                       then check the server's count and digest

The sender knows what the receiver must have seen, so a lost, duplicated,
reordered or corrupted byte, or a reset connection, fails the check.
"""
import hashlib
import random
import socket
import sys

CHUNK = 64 * 1024


def stream(total):
    rng = random.Random(0x756D6E6963)
    sent = 0
    while sent < total:
        n = min(CHUNK, total - sent)
        yield rng.randbytes(n)
        sent += n


def serve(addr, port):
    srv = socket.create_server((addr, port))
    srv.settimeout(120)
    conn, _ = srv.accept()
    conn.settimeout(120)
    digest = hashlib.sha256()
    count = 0
    while True:
        data = conn.recv(CHUNK)
        if not data:
            break
        digest.update(data)
        count += len(data)
    conn.sendall(f"{count} {digest.hexdigest()}\n".encode())
    conn.close()


def send(addr, port, total):
    digest = hashlib.sha256()
    conn = socket.create_connection((addr, port), timeout=120)
    for chunk in stream(total):
        digest.update(chunk)
        conn.sendall(chunk)
    conn.shutdown(socket.SHUT_WR)
    reply = b""
    while not reply.endswith(b"\n"):
        data = conn.recv(256)
        if not data:
            break
        reply += data
    conn.close()
    want = f"{total} {digest.hexdigest()}"
    got = reply.decode().strip()
    if got != want:
        print(f"MISMATCH: sent {want}, server saw {got}")
        return 1
    print(f"OK {total} bytes intact")
    return 0


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit(send(sys.argv[2], int(sys.argv[3]), int(sys.argv[4])))
