# SPDX-License-Identifier: MIT
"""The 32-bit cells of a channel in shared memory (src/common/chan.h), read
and written whole: struct.pack_into and unpack_from go a byte at a time, so
the other side could see half of an index that crosses a byte boundary (and
rightly call the ring inconsistent)."""


class Cells:
    def __init__(self, m):
        self.words = memoryview(m).cast("I")

    def __getitem__(self, off):
        return self.words[off // 4]

    def __setitem__(self, off, value):
        self.words[off // 4] = value & 0xFFFFFFFF
