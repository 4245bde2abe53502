/* node/daemon/timing.h — the daemon's timing rules, as arithmetic.
 *
 * Each rule is a pure function: it takes times in ms (on the em_clock's
 * monotonic clock, daemon_mono, unless it says otherwise) and, for
 * jitter, a random number (em_rand), and returns a decision (1 or 0), a
 * wait in ms or a due time on the clock its now was read on. None fails,
 * keeps anything or reads a clock; sums that would pass 2^64 ms (half a
 * billion years) are not guarded. The loop's callbacks (dial.c, conn.c,
 * daemon.c, fetch.c, auto.c, control.c) read the clock and act on the
 * answer; tests/unit/timing_test.c runs the rules on a fake clock, in
 * milliseconds.
 *
 * Private to the daemon's files and their tests. */
#ifndef EM_DAEMON_TIMING_H
#define EM_DAEMON_TIMING_H

#include <stdint.h>

#include "clock.h"

#define DIAL_AGAIN_MS		1000	/* after a connection that worked closes */
#define DIAL_BACKOFF_MS		1000	/* after the first failure, doubling... */
#define DIAL_BACKOFF_MAX_MS	60000	/* ... up to this, before jitter */
#define DIAL_FAILS_MAX		16	/* failures counted (and stored) at most */
#define BAN_MS			(10 * 60 * 1000)
#define IDLE_PING_MS		30000	/* silent this long: pinged */
#define IDLE_DROP_MS		90000	/* silent this long: closed */
#define EXCHANGE_EVERY		10	/* maintenance rounds between peer exchanges */
#define FETCH_SCAN_EVERY	5	/* maintenance rounds between chunk scans */
#define FETCH_TIMEOUT_MS	10000	/* a chunk asked and unanswered: asked of another peer */
#define FETCH_AGAIN_MS		500	/* after a peer said it lacks a chunk */
#define CHUNK_REPEAT_MS		(FETCH_TIMEOUT_MS / 2)	/* a chunk asked again this
							 * soon after it was sent */
#define CONTROL_IDLE_MS		5000	/* a control connection silent this long: closed */
#define FETCH_GIVE_UP_TRIES	64	/* asks of one chunk before it rests */
#define FETCH_REST_MS		60000	/* a chunk given up on: not asked again before */
#define FETCH_RESCAN_EVERY	60	/* maintenance rounds between chunk scans
					 * when nothing changed */
#define STORE_RETRY_MS		1000	/* a store that failed a commit (a full
					 * disk): records from peers refused
					 * this long, doubling... */
#define STORE_RETRY_MAX_MS	30000	/* ... up to this, before jitter */
#define AUTO_RETRY_MS		60000	/* auto-eval: after a failed run, doubling... */
#define AUTO_RETRY_MAX_MS	3600000	/* ... up to this, before jitter */

/* The count of failures in a row after one more: at most
 * DIAL_FAILS_MAX, never wrapping. */
static inline uint32_t
timing_dial_fails(uint32_t fails)
{
	return fails < DIAL_FAILS_MAX ? fails + 1 : DIAL_FAILS_MAX;
}

/* When to dial a peer again, a due time after now: DIAL_AGAIN_MS after a
 * connection that worked (ok; r unused), else after fails failures in a
 * row (counted with this one) a backoff from DIAL_BACKOFF_MS doubling
 * to DIAL_BACKOFF_MAX_MS, jittered by r (em_backoff_ms). */
static inline uint64_t
timing_dial_next(uint64_t now, int ok, uint32_t fails, uint64_t r)
{
	if (ok)
		return now + DIAL_AGAIN_MS;
	return now + em_backoff_ms(DIAL_BACKOFF_MS, fails, DIAL_BACKOFF_MAX_MS, r);
}

/* Whether a peer whose next dial is at next_dial may be dialed now (0 is
 * "at once"). */
static inline int
timing_dial_due(uint64_t next_dial, uint64_t now)
{
	return next_dial <= now;
}

/* A ban made at now ends at the returned time, on the clock now was read
 * on (monotonic to decide, wall to show). */
static inline uint64_t
timing_ban_end(uint64_t now)
{
	return now + BAN_MS;
}

/* Whether a ban ending at end still holds at now: it lasts BAN_MS to the
 * millisecond, and not one more. */
static inline int
timing_ban_holds(uint64_t end, uint64_t now)
{
	return now < end;
}

enum timing_idle {
	TIMING_IDLE_OK,		/* heard from lately */
	TIMING_IDLE_PING,	/* silent over IDLE_PING_MS: ask it for a pong */
	TIMING_IDLE_DROP,	/* silent over IDLE_DROP_MS: close it */
};

/* What to do with a connected peer last heard from at last_rx. A last_rx
 * after now (a clock that stepped back) counts as just heard. */
static inline enum timing_idle
timing_idle(uint64_t last_rx, uint64_t now)
{
	if (now <= last_rx || now - last_rx <= IDLE_PING_MS)
		return TIMING_IDLE_OK;
	return now - last_rx > IDLE_DROP_MS ? TIMING_IDLE_DROP : TIMING_IDLE_PING;
}

/* ms left before the handshake of a connection opened at since must have
 * finished, with deadline_ms allowed; 0 when the deadline has passed. */
static inline uint64_t
timing_handshake_left(uint64_t since, uint64_t now, uint32_t deadline_ms)
{
	uint64_t end = since + deadline_ms;

	return now < end ? end - now : 0;
}

/* Whether maintenance round n (counted from 1) sends a peer exchange to
 * every connected peer, besides the one at each handshake. */
static inline int
timing_exchange_due(uint32_t n)
{
	return n % EXCHANGE_EVERY == 0;
}

/* Whether maintenance round n (counted from 1) scans the store for task
 * chunks we lack; the other rounds send what is due of the wants. */
static inline int
timing_scan_due(uint32_t n)
{
	return n % FETCH_SCAN_EVERY == 1;
}

/* Whether a chunk we want may be asked (again) at now: not asked yet
 * (asked 0), or asked at asked_at and unanswered for FETCH_TIMEOUT_MS;
 * and not before again_at (0: no such wait; timing_fetch_again). */
static inline int
timing_fetch_due(int asked, uint64_t asked_at, uint64_t again_at, uint64_t now)
{
	if (now < again_at)
		return 0;
	return !asked || now >= asked_at + FETCH_TIMEOUT_MS;
}

/* Whether a peer that asks at now for a chunk we sent it at served_at is
 * asking for what it has: it is, within CHUNK_REPEAT_MS. An honest
 * fetcher asks a peer again only when FETCH_TIMEOUT_MS have passed since
 * its ask without an answer; the chunk was sent after that ask came, so
 * half the timeout leaves the rest for the time the ask and the answer
 * took on the way. A served_at after now (a clock out of order) counts
 * as now. */
static inline int
timing_chunk_repeat(uint64_t served_at, uint64_t now)
{
	return now < served_at + CHUNK_REPEAT_MS;
}

/* When to ask again for a chunk that a peer, at now, said it lacks: it
 * may be fetching the chunk itself, or another peer may have it. */
static inline uint64_t
timing_fetch_again(uint64_t now)
{
	return now + FETCH_AGAIN_MS;
}

/* Whether a chunk asked tries times without coming is given up on for
 * now: no peer had it after FETCH_GIVE_UP_TRIES asks (tens of seconds
 * of "I lack it", or many timeouts), so its slot goes to another chunk
 * and it rests until timing_fetch_rest_end. */
static inline int
timing_fetch_give_up(uint32_t tries)
{
	return tries >= FETCH_GIVE_UP_TRIES;
}

/* When a chunk given up on at now may be wanted again. */
static inline uint64_t
timing_fetch_rest_end(uint64_t now)
{
	return now + FETCH_REST_MS;
}

/* Whether the chunk scan of maintenance round n (timing_scan_due) reads
 * the stored tasks: when something changed since the last that did
 * (changed), or FETCH_RESCAN_EVERY rounds after it (last_scan: its
 * round; 0: none yet). */
static inline int
timing_fetch_rescan(int changed, uint32_t n, uint32_t last_scan)
{
	return last_scan == 0 || changed || n - last_scan >= FETCH_RESCAN_EVERY;
}

/* How long auto-eval waits, in ms, before running a task's evaluation
 * again after its attempts-th failed run in a row (counted from 1; 0
 * counts as 1): a backoff from AUTO_RETRY_MS doubling to
 * AUTO_RETRY_MAX_MS, jittered by r (em_backoff_ms, counted in whole
 * seconds) to between half of it and all of it: a whole number of
 * seconds, so what the log line says is the wait used. 30-60 s after the
 * first failure, 30-60 minutes from the seventh on. */
static inline uint64_t
timing_auto_retry(unsigned attempts, uint64_t r)
{
	unsigned n = attempts > 0 ? attempts - 1 : 0;

	return em_backoff_ms(AUTO_RETRY_MS / 1000, n, AUTO_RETRY_MAX_MS / 1000, r) * 1000;
}

/* When a store that failed fails commits in a row (counted with this
 * one) may be tried again: a due time after now, from STORE_RETRY_MS
 * doubling to STORE_RETRY_MAX_MS, jittered by r (em_backoff_ms). */
static inline uint64_t
timing_store_retry(uint64_t now, unsigned fails, uint64_t r)
{
	return now + em_backoff_ms(STORE_RETRY_MS, fails > 0 ? fails - 1 : 0,
	    STORE_RETRY_MAX_MS, r);
}

/* ms from now until due, on one clock; 0 when due is now or past. */
static inline uint64_t
timing_left(uint64_t due, uint64_t now)
{
	return due > now ? due - now : 0;
}

/* ms left before a control connection that connected at last is closed
 * (its request not whole, or its answer not written), CONTROL_IDLE_MS
 * after it; 0 when that time has come.
 * Never more than CONTROL_IDLE_MS: a last after now (a clock out of
 * order) counts as now. */
static inline uint64_t
timing_control_left(uint64_t last, uint64_t now)
{
	uint64_t left = timing_left(last + CONTROL_IDLE_MS, now);

	return left < CONTROL_IDLE_MS ? left : CONTROL_IDLE_MS;
}

/* Whole seconds the node has run, started and now both read on
 * daemon_mono; 0 if now is before started (it cannot be on that clock,
 * but the answer is never a wrapped count). */
static inline uint64_t
timing_uptime_s(uint64_t started, uint64_t now)
{
	return timing_left(now, started) / 1000;
}

/* The wall time of a moment t read on daemon_mono, for display: wall_now
 * less how long ago t was (mono_now - t). A t after mono_now counts as
 * now; an age over wall_now gives 0. It moves with the wall clock: after
 * a step, the same moment shows as a different time. */
static inline uint64_t
timing_wall_of(uint64_t t, uint64_t mono_now, uint64_t wall_now)
{
	uint64_t age = timing_left(mono_now, t);

	return age < wall_now ? wall_now - age : 0;
}

#endif
