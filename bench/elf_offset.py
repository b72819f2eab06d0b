#!/usr/bin/env python3
"""Prints the file offset of a dynamic symbol in an ELF shared object (for a uprobe)."""
import subprocess
import sys

lib, name = sys.argv[1], sys.argv[2]
syms = subprocess.run(["readelf", "-W", "--dyn-syms", lib], capture_output=True, text=True).stdout
addr = None
for line in syms.splitlines():
    f = line.split()
    if len(f) >= 8 and f[3] == "FUNC" and f[7].split("@")[0] == name:
        addr = int(f[1], 16)
        break
if addr is None:
    sys.exit(f"{name} not found in {lib}")
phdrs = subprocess.run(["readelf", "-W", "-l", lib], capture_output=True, text=True).stdout
for line in phdrs.splitlines():
    f = line.split()
    if f and f[0] == "LOAD":
        off, vaddr, filesz = int(f[1], 16), int(f[2], 16), int(f[4], 16)
        if vaddr <= addr < vaddr + filesz:
            print(hex(addr - vaddr + off))
            sys.exit(0)
sys.exit(f"{name} at {addr:#x} is in no LOAD segment of {lib}")
