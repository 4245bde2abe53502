/* node/eval/eval_timing.h — the runner's timing rules, as arithmetic.
 *
 * Each rule is a pure function: it takes times in ms on the run's
 * monotonic clock (em_mono_ms of eval_opts.clock) and, for jitter, a
 * random number (em_rand), and returns a wait, a due time or a decision.
 * eval.c reads the clock and acts on the answer; tests/unit/timing_test.c
 * runs the rules on a fake clock, in milliseconds.
 *
 * Private to eval.c and its tests. */
#ifndef EM_EVAL_TIMING_H
#define EM_EVAL_TIMING_H

#include <stdint.h>

#include "clock.h"

#define EVAL_BACKOFF_MS		500	/* the base, doubled once a failed attempt... */
#define EVAL_BACKOFF_MAX_MS	30000	/* ... up to this, before jitter */
#define EVAL_RETRY_AFTER_MAX_MS	60000	/* a server's Retry-After, at most */

/* How long (ms) to wait before sending an item again after its attempt-th
 * attempt failed (attempt counted from 1): the server's Retry-After
 * (retry_after_ms, -1 when it gave none) up to EVAL_RETRY_AFTER_MAX_MS,
 * else EVAL_BACKOFF_MS doubled attempt times, at most EVAL_BACKOFF_MAX_MS,
 * jittered by r to between half of that and all of it (em_backoff_ms):
 * 500-1000 ms after the first failure, 15-30 s from the sixth on. */
static inline uint64_t
eval_retry_wait(unsigned attempt, long retry_after_ms, uint64_t r)
{
	if (retry_after_ms >= 0)
		return retry_after_ms > EVAL_RETRY_AFTER_MAX_MS ? EVAL_RETRY_AFTER_MAX_MS :
		    (uint64_t)retry_after_ms;
	return em_backoff_ms(EVAL_BACKOFF_MS, attempt, EVAL_BACKOFF_MAX_MS, r);
}

/* ms from now until due; 0 when it is due. */
static inline uint64_t
eval_ms_until(uint64_t due, uint64_t now)
{
	return due > now ? due - now : 0;
}

/* The end of the patience: patience_s seconds after busy_since, the
 * first "not now" since the server last answered. */
static inline uint64_t
eval_patience_end(uint64_t busy_since, unsigned patience_s)
{
	return busy_since + (uint64_t)patience_s * 1000;
}

/* Whether a server saying "not now" since busy_since has used up the
 * patience at now: from eval_patience_end on, the run stops. */
static inline int
eval_patience_over(uint64_t busy_since, uint64_t now, unsigned patience_s)
{
	return now >= eval_patience_end(busy_since, patience_s);
}

/* When to send an item again that failed at now and waits wait ms
 * (eval_retry_wait). A "not now" answer (rate) while the server is busy
 * (busy, since busy_since) waits no later than the end of the patience,
 * not even for a Retry-After: there the run is stopped or goes on. */
static inline uint64_t
eval_retry_due(uint64_t now, uint64_t wait, int rate, int busy, uint64_t busy_since,
    unsigned patience_s)
{
	uint64_t due = now + wait;

	if (rate && busy && patience_s > 0 && due > eval_patience_end(busy_since, patience_s))
		due = eval_patience_end(busy_since, patience_s);
	return due;
}

#endif
