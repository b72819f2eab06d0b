#!/usr/bin/env python3
# Listens on a datagram socket as a service manager would ($NOTIFY_SOCKET)
# and writes one line per message: seconds since start, the message, and,
# for READY=1, whether umnicd's control socket already existed.
import os
import socket
import sys
import time

path, run_dir, out = sys.argv[1], sys.argv[2], sys.argv[3]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
t0 = time.monotonic()
with open(out, "w", buffering=1) as f:
    f.write("listening\n")
    while True:
        msg = s.recv(4096).decode(errors="replace")
        extra = ""
        if "READY=1" in msg:
            extra = " sock=" + ("yes" if os.path.exists(os.path.join(run_dir, "umnicd.sock")) else "no")
        f.write("%.3f %s%s\n" % (time.monotonic() - t0, msg.replace("\n", " "), extra))
