/* common/clock.h — time and randomness, passed in.
 *
 * The daemon and the evaluation runner take an em_clock instead of asking
 * the system, as the gossip core takes its time and random numbers from
 * its host: a test gives them a fake one and runs backoff, bans and retry
 * timing in milliseconds, without sleeping. Production code passes
 * em_clock_system(). */
#ifndef EM_CLOCK_H
#define EM_CLOCK_H

#include <stddef.h>
#include <stdint.h>

typedef struct em_clock {
	/* Milliseconds on a clock that never steps back (CLOCK_MONOTONIC),
	 * from an arbitrary origin: for timers, deadlines and backoff. */
	uint64_t	(*mono_ms)(void *ctx);
	/* Milliseconds since the Unix epoch (CLOCK_REALTIME): for what is
	 * written down for others, record and result timestamps. May step. */
	uint64_t	(*wall_ms)(void *ctx);
	/* 64 uniform random bits, for jitter and choices among peers (not
	 * for keys: those come from crypto/). */
	uint64_t	(*rand)(void *ctx);
	void		*ctx;
} em_clock;

/* The system's clocks and the kernel's random numbers (getrandom(2)). A
 * static object: never NULL, lives for the process. */
const em_clock	*em_clock_system(void);

/* Shorthands: c's reading of each. */
static inline uint64_t em_mono_ms(const em_clock *c) { return c->mono_ms(c->ctx); }
static inline uint64_t em_wall_ms(const em_clock *c) { return c->wall_ms(c->ctx); }
static inline uint64_t em_rand(const em_clock *c) { return c->rand(c->ctx); }

/* A wait before trying again after n failures in a row (n = 0: the
 * first): base_ms doubled n times, at most cap_ms, then jittered by r
 * (a random number, em_rand) to between half of it and all of it —
 * half fixed, half jitter — so that peers restarting together do not
 * retry in lockstep. Pure: the same arguments give the same wait. The
 * arithmetic holds in any unit: given seconds, it jitters in whole
 * seconds (auto-eval's retries, timing_auto_retry). */
static inline uint64_t
em_backoff_ms(uint64_t base_ms, unsigned n, uint64_t cap_ms, uint64_t r)
{
	uint64_t wait = base_ms < cap_ms ? base_ms : cap_ms;

	for (unsigned i = 0; i < n && wait < cap_ms; i++)
		wait *= 2;
	if (wait > cap_ms)
		wait = cap_ms;
	return wait / 2 + r % (wait / 2 + 1);
}

/* ms since the epoch as "2026-11-28T16:00:00Z" (UTC) in buf, which should
 * hold at least 32 bytes; a time past the year 9999 as "@<ms>". Returns
 * buf. */
const char	*em_time_iso(uint64_t ms, char *buf, size_t cap);

#endif
