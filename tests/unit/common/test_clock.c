/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for common/clock.h: the units agree and the clocks are the
 * ones named. */
#include "common/clock.h"
#include "hwall_test.h"

static void test_monotonic_units(void)
{
	uint64_t ms = hwall_mono_ms(), us = hwall_mono_us(), ns = hwall_mono_ns();
	double s = hwall_mono_s();
	uint64_t ms2 = hwall_mono_ms();

	CU_ASSERT_TRUE(ms * 1000 <= us);
	CU_ASSERT_TRUE(us * 1000 <= ns);
	CU_ASSERT_TRUE((double)ns / 1e9 <= s + 1e-6);
	CU_ASSERT_TRUE(s * 1e3 <= (double)ms2 + 1.0);
	CU_ASSERT_TRUE(ms <= ms2);
}

static void test_monotonic_is_clock_monotonic(void)
{
	struct timespec a, b;
	uint64_t ns;

	clock_gettime(CLOCK_MONOTONIC, &a);
	ns = hwall_mono_ns();
	clock_gettime(CLOCK_MONOTONIC, &b);
	CU_ASSERT_TRUE((uint64_t)a.tv_sec * 1000000000ull + (uint64_t)a.tv_nsec <= ns);
	CU_ASSERT_TRUE(ns <= (uint64_t)b.tv_sec * 1000000000ull + (uint64_t)b.tv_nsec);
}

static void test_realtime_is_epoch(void)
{
	time_t before = time(NULL);
	uint64_t ns = hwall_real_ns();
	time_t after = time(NULL);

	CU_ASSERT_TRUE((uint64_t)before <= ns / 1000000000ull);
	CU_ASSERT_TRUE(ns / 1000000000ull <= (uint64_t)after);
}

static void test_thread_cpu_advances(void)
{
	double t0 = hwall_clock_s(CLOCK_THREAD_CPUTIME_ID);
	volatile uint64_t x = 1;

	for (int i = 0; i < 1000000; i++)
		x = x * 6364136223846793005ull + 1442695040888963407ull;
	CU_ASSERT_TRUE(hwall_clock_s(CLOCK_THREAD_CPUTIME_ID) > t0);
	CU_ASSERT_TRUE(hwall_clock_ns(CLOCK_THREAD_CPUTIME_ID) > 0);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "monotonic units agree", test_monotonic_units },
		{ "hwall_mono_ns is CLOCK_MONOTONIC", test_monotonic_is_clock_monotonic },
		{ "hwall_real_ns is the epoch clock", test_realtime_is_epoch },
		{ "thread CPU time advances", test_thread_cpu_advances },
		CU_TEST_INFO_NULL,
	};
	return hwall_test_main("common/clock", tests);
}
