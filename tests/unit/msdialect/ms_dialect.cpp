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

	l.Acquire();
	counter = shared_value;
	return l.Held() && counter == 3 ? 0 : 1;
}
