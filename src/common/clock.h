/* clock.h -- the two clocks fleetd uses.
 *
 * clock_now_ms() is wall-clock time in milliseconds since the epoch: job
 * deadlines are stored in SQLite as absolute wall-clock times so that they
 * survive a restart, and the loop's timers use the same clock.
 * clock_mono_ns() is for measuring durations only (latency, turn time). */
#ifndef FLEETD_CLOCK_H
#define FLEETD_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline int64_t clock_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline int64_t clock_mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

#endif
