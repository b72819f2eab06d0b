// SPDX-License-Identifier: MIT
/*
 * The WDK headers in C++: the standard library still compiles after them
 * (SAL 1 names such as __in are identifiers inside it), FORCEINLINE member
 * functions stay members, and the checks of headers_wdk.h pass.
 */
#include "headers_wdk.h"

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <tuple>

extern "C" const GUID *umnic_test_guid_elsewhere(void);

class Counter {
public:
	FORCEINLINE int Next()
	{
		return ++value_;
	}
	static FORCEINLINE int Twice(int x)
	{
		return 2 * x;
	}

private:
	int value_ = 0;
};

int main()
{
	int failures = run_wdk_header_checks();
	std::map<std::string, std::tuple<int, int>> m;
	std::mutex mu;
	std::function<int(int)> f = [](int x) { return x + 1; };
	Counter c;
	int seen = 0;

	m["a"] = std::make_tuple(1, 2);
	std::thread t([&] {
		std::lock_guard<std::mutex> g(mu);
		seen = std::get<1>(m["a"]);
	});
	t.join();
	WCHECK(seen == 2 && f(1) == 2);
	WCHECK(c.Next() == 1 && c.Next() == 2 && Counter::Twice(3) == 6);
	WCHECK(umnic_test_guid_elsewhere() == &UMNIC_TEST_GUID);
	WCHECK(IsEqualGUID(UMNIC_TEST_GUID, *umnic_test_guid_elsewhere()));
	return failures ? 1 : 0;
}
