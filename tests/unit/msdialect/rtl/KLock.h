// SPDX-License-Identifier: MIT
// Reached through "rtl\KLock.h", the way Windows sources spell include paths.
#pragma once
class KLock {
public:
	// Extra qualification, which MSVC accepts and clang accepts with -fms-extensions.
	FORCEINLINE void KLock::Acquire()
	{
		held_ = true;
	}
	__declspec(noinline) bool Held() const
	{
		return held_;
	}

private:
	bool held_ = false;
};
