/* The system clock and randomness (common/clock.h). */
#include "clock.h"

#include <stdio.h>
#include <sys/random.h>
#include <sys/types.h>
#include <time.h>

static uint64_t
ms_of(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t
sys_mono(void *ctx)
{
	(void)ctx;
	return ms_of(CLOCK_MONOTONIC);
}

static uint64_t
sys_wall(void *ctx)
{
	(void)ctx;
	return ms_of(CLOCK_REALTIME);
}

static uint64_t
sys_rand(void *ctx)
{
	uint64_t v = 0;
	uint8_t *p = (uint8_t *)&v;
	size_t got = 0;

	(void)ctx;
	/* 8 bytes never come short from getrandom once the pool is ready;
	 * an interrupted call is tried again */
	for (int i = 0; i < 8 && got < sizeof v; i++) {
		ssize_t n = getrandom(p + got, sizeof v - got, 0);

		if (n > 0)
			got += (size_t)n;
	}
	return v;
}

const em_clock *
em_clock_system(void)
{
	static const em_clock sys = { sys_mono, sys_wall, sys_rand, NULL };

	return &sys;
}

const char *
em_time_iso(uint64_t ms, char *buf, size_t cap)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (ms / 1000 > (uint64_t)253402300799 || gmtime_r(&t, &tm) == NULL)
		snprintf(buf, cap, "@%llu", (unsigned long long)ms);
	else
		strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}
