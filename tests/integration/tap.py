# SPDX-License-Identifier: MIT
"""TAP-style checks for the integration tests written in Python: one
"ok - ..." or "not ok - ...: detail" line per check, then a summary line
the shell side looks for ("N of M checks passed")."""

checks = fails = 0


def check(desc, ok, detail=""):
    global checks, fails
    checks += 1
    if not ok:
        fails += 1
    print(("ok - " if ok else "not ok - ") + desc + ("" if ok else ": " + detail), flush=True)
    return ok


def finish():
    """Prints the summary; returns the exit status (1 if any check failed)."""
    print("%d of %d checks passed" % (checks - fails, checks))
    return 1 if fails else 0
