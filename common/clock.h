/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * clock.h - the clocks every folder reads, as plain numbers.
 *
 * Monotonic time is for deadlines, timeouts and durations (it is also what
 * the kernel's bpf_ktime_get_ns() returns, so BPF map timestamps compare
 * with hwall_mono_ns()); real time is for timestamps that leave the process
 * (events, logs).  Seconds as a double are for rates and durations shown to
 * people, never for deadlines.
 */
#ifndef HASHWALL_COMMON_CLOCK_H
#define HASHWALL_COMMON_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Nanoseconds on clock @id (CLOCK_MONOTONIC, CLOCK_REALTIME, ...). */
static inline uint64_t hwall_clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Seconds on clock @id, with the nanoseconds as a fraction. */
static inline double hwall_clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CLOCK_MONOTONIC in nanoseconds, microseconds and milliseconds. */
static inline uint64_t hwall_mono_ns(void)
{
	return hwall_clock_ns(CLOCK_MONOTONIC);
}

static inline uint64_t hwall_mono_us(void)
{
	return hwall_mono_ns() / 1000;
}

static inline uint64_t hwall_mono_ms(void)
{
	return hwall_mono_ns() / 1000000;
}

/* CLOCK_MONOTONIC in seconds, for durations and rates shown to people. */
static inline double hwall_mono_s(void)
{
	return hwall_clock_s(CLOCK_MONOTONIC);
}

/* CLOCK_REALTIME in nanoseconds since the epoch. */
static inline uint64_t hwall_real_ns(void)
{
	return hwall_clock_ns(CLOCK_REALTIME);
}

#endif
