#!/usr/bin/env python3
"""One TCP connection across `umnic stop` and `umnic start`.

  pnp_stop.py serve ADDR PORT               echo one connection's lines back until EOF
  pnp_stop.py client ADDR PORT STOP START   connect and exchange a line; run the shell
                                            command STOP; send a line, which must not come
                                            back while the device is stopped; run START; the
                                            line sent while stopped and one sent after must
                                            come back on the same connection

Prints OK, or what went wrong (exit status 1).
"""
import socket
import subprocess
import sys


def serve(addr, port):
    srv = socket.create_server((addr, port))
    srv.settimeout(120)
    conn, _ = srv.accept()
    conn.settimeout(180)
    while True:
        data = conn.recv(4096)
        if not data:
            break
        conn.sendall(data)
    conn.close()


def expect(conn, want, timeout):
    conn.settimeout(timeout)
    got = b""
    while len(got) < len(want):
        data = conn.recv(4096)
        if not data:
            raise RuntimeError(f"connection closed waiting for {want!r} (got {got!r})")
        got += data
    if got != want:
        raise RuntimeError(f"expected {want!r}, got {got!r}")


def run(cmd):
    r = subprocess.run(cmd, shell=True, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"{cmd!r} failed ({r.returncode}): {r.stdout}{r.stderr}")


def client(addr, port, stop, start):
    conn = socket.create_connection((addr, port), timeout=30)
    conn.sendall(b"before\n")
    expect(conn, b"before\n", 30)
    run(stop)
    conn.sendall(b"during\n")
    try:
        expect(conn, b"during\n", 1.5)
        raise RuntimeError("a line came back while the device was stopped")
    except socket.timeout:
        pass
    run(start)
    # TCP retransmits what the stopped interface did not carry (its back-off may take seconds).
    expect(conn, b"during\n", 90)
    conn.sendall(b"after\n")
    expect(conn, b"after\n", 30)
    conn.close()


def main():
    try:
        if sys.argv[1] == "serve":
            serve(sys.argv[2], int(sys.argv[3]))
        else:
            client(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5])
    except (OSError, RuntimeError) as e:
        print(f"FAILED: {e}")
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
