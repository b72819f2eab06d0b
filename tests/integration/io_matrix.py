#!/usr/bin/env python3
# The request matrix of the UMDF rules for I/O reaching a user-mode driver
# (drivers/echo), run against a real umnicd with real driver hosts:
#
#   requestor   application (libumnic), user-mode driver (kmclient_um in a
#               driver host), kernel-mode driver (kmclient inside umnicd)
#   x file object    created by an open, none, one the target never saw
#   x method    buffered, in-direct, out-direct, neither
#   x major     read, write, IOCTL, internal IOCTL
#
# under the echo device's policies given on the command line (its INF was
# written with them). Each case asserts the exact status; successful ones
# also assert the data and what the driver saw about the requestor.
#
# usage: io_matrix.py RUN_DIR LIBUMNIC KM=allow|reject FO=allow|reject NEITHER=copy|reject
#        io_matrix.py RUN_DIR LIBUMNIC rules     (IRQL, Information, access bits, forwarding)
#        io_matrix.py RUN_DIR LIBUMNIC access    (device access control for driver clients)
import ctypes
import struct
import sys

run_dir, libpath = sys.argv[1], sys.argv[2]
lib = ctypes.CDLL(libpath)
lib.umnic_connect.restype = ctypes.c_void_p
lib.umnic_connect.argtypes = [ctypes.c_char_p]
lib.umnic_open.restype = ctypes.c_int32
lib.umnic_open.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_uint32,
                           ctypes.POINTER(ctypes.c_uint64)]
lib.umnic_close.argtypes = [ctypes.c_void_p, ctypes.c_uint64]


class Result(ctypes.Structure):
    _fields_ = [("status", ctypes.c_int32), ("information", ctypes.c_uint64)]


for fn in ("umnic_read", "umnic_write"):
    getattr(lib, fn).restype = ctypes.c_int32
    getattr(lib, fn).argtypes = [ctypes.c_void_p, ctypes.c_uint64, ctypes.c_void_p, ctypes.c_size_t,
                                 ctypes.c_uint64, ctypes.POINTER(Result)]
lib.umnic_ioctl.restype = ctypes.c_int32
lib.umnic_ioctl.argtypes = [ctypes.c_void_p, ctypes.c_uint64, ctypes.c_uint32, ctypes.c_void_p,
                            ctypes.c_size_t, ctypes.c_void_p, ctypes.c_size_t, ctypes.POINTER(Result)]
lib.umnic_status_name.restype = ctypes.c_char_p
lib.umnic_status_name.argtypes = [ctypes.c_int32]

S = {
    "SUCCESS": 0x00000000, "INVALID_HANDLE": 0xC0000008, "INVALID_PARAMETER": 0xC000000D,
    "INVALID_DEVICE_REQUEST": 0xC0000010, "ACCESS_DENIED": 0xC0000022,
    "NOT_SUPPORTED": 0xC00000BB, "INVALID_DEVICE_STATE": 0xC0000184,
    "DRIVER_INTERNAL_ERROR": 0xC0000183,
}
NAME = {v: k for k, v in S.items()}


def ctl(dev, func, method, access=0):
    return (dev << 16) | (access << 14) | (func << 2) | method


METHODS = {"buffered": 0, "in-direct": 1, "out-direct": 2, "neither": 3}
ECHO = 0x8123
WHOAMI = ctl(ECHO, 0x805, 0)
NEEDS_WRITE = ctl(ECHO, 0x804, 0, 2)
LIE = ctl(ECHO, 0x807, 0)
KMCLIENT_SEND = ctl(0x8124, 0x900, 0)
MAJOR = {"read": 3, "write": 4, "IOCTL": 0x0E, "internal IOCTL": 0x0F}
OPEN = {"created": 0, "none": 1, "unknown": 2}
KMOPEN = {"created": 2, "none": 1, "unknown": 3}  # kmclient's UseExistingDevice modes
AT_DISPATCH, READ_ONLY = 0x1, 0x2
FILE_READ_DATA, FILE_WRITE_DATA = 1, 2

checks = fails = 0


def check(desc, ok, detail=""):
    global checks, fails
    checks += 1
    if ok:
        print("ok - " + desc)
    else:
        fails += 1
        print("not ok - %s%s" % (desc, ": " + detail if detail else ""))


def sname(st):
    st &= 0xFFFFFFFF
    n = lib.umnic_status_name(ctypes.c_int32(st - (1 << 32) if st & 0x80000000 else st).value)
    return n.decode() if n else "0x%08X" % st


client = lib.umnic_connect(run_dir.encode())
other = lib.umnic_connect(run_dir.encode())
if not client or not other:
    sys.exit("cannot connect to umnicd in " + run_dir)


def app_open(link, access=FILE_READ_DATA | FILE_WRITE_DATA, c=None):
    h = ctypes.c_uint64(0)
    st = lib.umnic_open(c or client, link.encode(), access, ctypes.byref(h)) & 0xFFFFFFFF
    return st, h.value


def app_request(handle, major, code, data, out_len):
    """One request as an application; returns (status, information, output bytes)."""
    res = Result()
    out = ctypes.create_string_buffer(max(out_len, 1))
    inb = ctypes.create_string_buffer(data, max(len(data), 1))
    if major == "read":
        lib.umnic_read(client, handle, out, out_len, 0, ctypes.byref(res))
    elif major == "write":
        lib.umnic_write(client, handle, inb, len(data), 0, ctypes.byref(res))
    else:
        lib.umnic_ioctl(client, handle, code, inb, len(data), out, out_len, ctypes.byref(res))
    n = min(res.information, out_len)
    return res.status & 0xFFFFFFFF, res.information, out.raw[:n]


def driver_request(link, mode, major, code, data, out_len, flags=0, target="\\DosDevices\\UmnicEcho"):
    """One request sent by kmclient from its own context; returns (open status, status, info, data)."""
    st, h = app_open(link)
    if st:
        return st, None, 0, b""
    send = struct.pack("<6I64s", mode, MAJOR[major], code, len(data), out_len, flags,
                       target.encode()) + data
    res = Result()
    out = ctypes.create_string_buffer(24 + out_len)
    lib.umnic_ioctl(client, h, KMCLIENT_SEND, send, len(send), out, 24 + out_len, ctypes.byref(res))
    lib.umnic_close(client, h)
    if res.status & 0xFFFFFFFF:
        sys.exit("IOCTL_KMCLIENT_SEND to %s failed: %s" % (link, sname(res.status)))
    open_st, st, info, dlen, _ = struct.unpack_from("<iiQII", out.raw)
    return open_st & 0xFFFFFFFF, st & 0xFFFFFFFF, info, out.raw[24:24 + dlen]


def expected(req, pol, fo, method, major):
    """The rules, in the order docs/io-requests.md lists them. Returns (where, status name)."""
    if req == "application" and fo != "created":
        return "request", "INVALID_HANDLE"       # no handle, or one that is not the caller's
    if req == "user-mode driver" and fo != "created":
        return "open", "NOT_SUPPORTED"           # UMDF has no WDM objects: UseExistingDevice
    if req == "kernel-mode driver":
        if pol["KM"] == "reject":
            return "open", "ACCESS_DENIED"       # opening it already counts as a client
        if fo != "created" and pol["FO"] == "reject":
            return "request", "INVALID_HANDLE"
        if major == "internal IOCTL":
            return "request", "INVALID_DEVICE_REQUEST"
    if major in ("IOCTL", "internal IOCTL") and method == "neither":
        if pol["NEITHER"] == "reject":
            return "request", "INVALID_DEVICE_REQUEST"
        if req != "application":
            return "request", "INVALID_PARAMETER"  # built in the driver's context, not an app's
    return "request", "SUCCESS"


def whoami_expected(req, fo):
    mode, umd = {"application": (1, 0), "user-mode driver": (1, 1), "kernel-mode driver": (0, 0)}[req]
    return mode, umd, 1 if fo == "created" else 0


def run_case(req, pol, fo, method, major):
    code = ctl(ECHO, 0x800 + METHODS[method], METHODS[method]) if "IOCTL" in major else 0
    data = b"\x0a\x0b\x0c\x0d"
    out_len = 4 if major != "write" else 0
    where, want = expected(req, pol, fo, method, major)
    label = "%s, file object %s, %s %s" % (req, fo, method if "IOCTL" in major else "", major)
    label = " ".join(label.split())
    if major == "internal IOCTL" and req != "kernel-mode driver":
        # Applications and user-mode drivers have no call that sends one: DeviceIoControl and
        # UMDF targets send IRP_MJ_DEVICE_CONTROL (the KMDF-only sends are absent from a UMDF build).
        return
    if req == "application":
        if fo == "created":
            st, h = app_open("UmnicEcho")
        else:
            st, h = 0, 0
            if fo == "unknown":  # a handle of another client
                _, h = app_open("UmnicEcho", c=other)
        if st:
            check(label, False, "open failed: " + sname(st))
            return
        st, info, out = app_request(h, major, code, data, out_len)
        if fo == "created":
            lib.umnic_close(client, h)
        if fo == "unknown":
            lib.umnic_close(other, h)
        open_st = 0
    else:
        link = "UmnicUmClient" if req == "user-mode driver" else "UmnicKmClient"
        mode = 0 if fo == "created" and req == "user-mode driver" else KMOPEN[fo]
        if req == "kernel-mode driver" and fo == "created":
            mode = 0 if method == "buffered" else KMOPEN["created"]  # both ways to a created one
        open_st, st, info, out = driver_request(link, mode, major, code, data, out_len)
    if where == "open":
        check("%s: open %s" % (label, want), open_st == S[want],
              "got open %s" % sname(open_st))
        return
    if open_st:
        check(label, False, "open failed: " + sname(open_st))
        return
    ok = st == S[want]
    detail = "got %s, expected %s" % (sname(st), want)
    if ok and want == "SUCCESS" and "IOCTL" in major:
        ok = out == data and info == 4
        detail = "echoed %r (Information %d), expected %r" % (out, info, data)
    if ok and want == "SUCCESS" and major == "write":
        ok = info == 4
        detail = "Information %d after a 4-byte write" % info
    check("%s: %s" % (label, want), ok, detail)
    # What the driver saw: requestor mode, from a user-mode driver, file object.
    if want == "SUCCESS" and major == "IOCTL" and method == "buffered":
        if req == "application":
            _, h = app_open("UmnicEcho")
            _, _, who = app_request(h, "IOCTL", WHOAMI, b"", 20)
            lib.umnic_close(client, h)
        else:
            _, _, _, who = driver_request(link, mode, "IOCTL", WHOAMI, b"", 20)
        if len(who) < 20:
            check(label + ": the driver says who sent it", False, "WHOAMI returned %r" % who)
            return
        rm, umd, _pid, _iot, has_fo = struct.unpack("<5I", who[:20])
        check("%s: the driver saw requestor mode %s, IsFromUserModeDriver %d, file object %s"
              % (label, "UserMode" if rm else "KernelMode", umd, "yes" if has_fo else "none"),
              (rm, umd, has_fo) == whoami_expected(req, fo), "saw (%d, %d, %d)" % (rm, umd, has_fo))


def matrix(pol):
    for req in ("application", "user-mode driver", "kernel-mode driver"):
        for fo in ("created", "none", "unknown"):
            for major in ("read", "write", "IOCTL", "internal IOCTL"):
                for method in (METHODS if "IOCTL" in major else ["buffered"]):
                    run_case(req, pol, fo, method, major)


def rules():
    """Rules beyond the matrix; the echo device allows kernel-mode clients and METHOD_NEITHER copies."""
    km, um = "UmnicKmClient", "UmnicUmClient"
    buf = ctl(ECHO, 0x800, 0)
    neither = ctl(ECHO, 0x803, 3)
    # IRQL: a kernel-mode client must send at PASSIVE_LEVEL.
    _, st, _, _ = driver_request(km, 0, "IOCTL", buf, b"ab", 2, AT_DISPATCH)
    check("a kernel-mode client sending at DISPATCH_LEVEL: INVALID_DEVICE_STATE",
          st == S["INVALID_DEVICE_STATE"], sname(st))
    _, st, _, out = driver_request(km, 0, "IOCTL", buf, b"ab", 2)
    check("the same request at PASSIVE_LEVEL: SUCCESS", st == 0 and out == b"ab", sname(st))
    # Information beyond the output buffer: the request fails and no data arrives.
    for req, link in (("kernel-mode", km), ("user-mode", um)):
        _, st, info, out = driver_request(link, 0, "IOCTL", LIE, b"", 4)
        check("a %s client gets DRIVER_INTERNAL_ERROR and no data when the driver overstates Information"
              % req, st == S["DRIVER_INTERNAL_ERROR"] and out == b"" and info == 0,
              "%s, Information %d, %r" % (sname(st), info, out))
    # Forwarded application requests: kmclient passes them on through its I/O target.
    for req, link in (("kernel-mode", km), ("user-mode", um)):
        st, h = app_open(link)
        st2, info, out = app_request(h, "IOCTL", buf, b"fwd!", 4)
        check("an application's buffered IOCTL forwarded by a %s driver comes back" % req,
              st == 0 and st2 == 0 and out == b"fwd!", sname(st2))
        st2, info, out = app_request(h, "IOCTL", neither, b"ctx1", 4)
        check("an application's METHOD_NEITHER IOCTL forwarded by a %s driver (its context): SUCCESS" % req,
              st2 == 0 and out == b"ctx1", "%s, %r" % (sname(st2), out))
        st2, info, out = app_request(h, "IOCTL", LIE, b"", 4)
        check("a forwarded request whose target overstates Information fails with no data (%s driver)" % req,
              st2 == S["DRIVER_INTERNAL_ERROR"] and out == b"", "%s, %r" % (sname(st2), out))
        lib.umnic_close(client, h)
    # Access bits: checked against the handle for user-mode requestors only.
    st, h = app_open("UmnicEcho", FILE_READ_DATA)
    st2, _, _ = app_request(h, "IOCTL", NEEDS_WRITE, b"", 4)
    lib.umnic_close(client, h)
    check("an application's write-access IOCTL on a read-only handle: ACCESS_DENIED",
          st2 == S["ACCESS_DENIED"], sname(st2))
    _, st, _, _ = driver_request(um, 0, "IOCTL", NEEDS_WRITE, b"", 4, READ_ONLY)
    check("a user-mode driver's write-access IOCTL on a target opened read-only: ACCESS_DENIED",
          st == S["ACCESS_DENIED"], sname(st))
    _, st, _, _ = driver_request(um, 0, "IOCTL", NEEDS_WRITE, b"", 4)
    check("the same from a target opened for writing: SUCCESS", st == 0, sname(st))
    _, st, _, _ = driver_request(km, 0, "IOCTL", NEEDS_WRITE, b"", 4, READ_ONLY)
    check("a kernel-mode driver's write-access IOCTL on a read-only target: SUCCESS (not checked)",
          st == 0, sname(st))


def access():
    """The echo device keeps the default mode 0600 (root only)."""
    buf = ctl(ECHO, 0x800, 0)
    open_st, _, _, _ = driver_request("UmnicUmClient", 0, "IOCTL", buf, b"x", 1)
    check("a user-mode driver, whose host runs as its own uid, may not open a 0600 device: ACCESS_DENIED",
          open_st == S["ACCESS_DENIED"], sname(open_st))
    open_st, st, _, out = driver_request("UmnicKmClient", 0, "IOCTL", buf, b"x", 1)
    check("a kernel-mode driver, the system, may: SUCCESS", open_st == 0 and st == 0 and out == b"x",
          "%s, %s" % (sname(open_st), sname(st or 0)))


if sys.argv[3] == "rules":
    rules()
elif sys.argv[3] == "access":
    access()
else:
    matrix(dict(a.split("=") for a in sys.argv[3:]))
print("%d of %d checks passed" % (checks - fails, checks))
sys.exit(1 if fails else 0)
