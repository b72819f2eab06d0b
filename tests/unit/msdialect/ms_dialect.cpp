// SPDX-License-Identifier: MIT
// The Microsoft dialect Windows driver sources use, compiled with the flags
// `pkg-config --cflags umnic-driver` gives (check_ms_dialect.sh).
#include <wdf.h>
#include "rtl\KLock.h"

__declspec(selectany) int shared_value = 3;
DECLSPEC_CACHEALIGN static long counter;

int main()
{
	KLock l;
	ULONG low, high, high64;

	l.Acquire();
	counter = shared_value;
	// clang's built-in bit scans, declared as <intrin.h> declares them.
	if (!BitScanForward(&low, 0x90) || !BitScanReverse(&high, 0x90) ||
	    !BitScanReverse64(&high64, 1ull << 40) || BitScanForward64(&low, 0))
		return 2;
	return l.Held() && counter == 3 && low == 4 && high == 7 && high64 == 40 ? 0 : 1;
}
