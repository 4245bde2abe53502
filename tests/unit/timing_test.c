/* The timing rules of the daemon (node/daemon/timing.h) and the
 * evaluation runner (node/eval/eval_timing.h), and the backoff they share
 * (common/clock.h), on a fake clock: hours of backoff, bans and patience
 * in milliseconds, without sleeping. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "eval_timing.h"
#include "fake_clock.h"
#include "timing.h"

#define DRAWS	20000	/* random draws per jitter check */

/* The wait before jitter after n failures: base doubled n times, capped. */
static uint64_t
full_wait(uint64_t base, unsigned n, uint64_t cap)
{
	uint64_t w = base;

	for (unsigned i = 0; i < n && w < cap; i++)
		w *= 2;
	return w < cap ? w : cap;
}

/* r = 0 gives the fixed half of the wait, r = half the wait all of it: the
 * two ends, exactly, for every count of failures up to and past the cap. */
static void
test_backoff_doubles_to_cap(void **state)
{
	/* dial: 1, 2, 4 ... 32 s, then 60 s; eval: 0.5, 1 ... 16 s, then 30 s */
	static const uint64_t dial[] = { 1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000 };
	static const uint64_t eval[] = { 500, 1000, 2000, 4000, 8000, 16000, 30000, 30000 };

	(void)state;
	for (unsigned n = 0; n < 8; n++) {
		assert_int_equal(em_backoff_ms(1000, n, 60000, 0), dial[n] / 2);
		assert_int_equal(em_backoff_ms(1000, n, 60000, dial[n] / 2), dial[n]);
		assert_int_equal(em_backoff_ms(500, n, 30000, 0), eval[n] / 2);
		assert_int_equal(em_backoff_ms(500, n, 30000, eval[n] / 2), eval[n]);
	}
	/* one past the top wraps to the bottom: never over the wait */
	assert_int_equal(em_backoff_ms(1000, 3, 60000, 8000 / 2 + 1), 8000 / 2);
	/* counts far past the cap stop doubling at it */
	assert_int_equal(em_backoff_ms(1000, 1000, 60000, 30000), 60000);
	assert_int_equal(em_backoff_ms(1000, UINT_MAX, 60000, UINT64_MAX), 30000 + UINT64_MAX % 30001);
	/* a base over the cap is the cap */
	assert_int_equal(em_backoff_ms(90000, 0, 60000, 30000), 60000);
}

/* Random draws land between half the wait and all of it, reach both ends
 * (the jitter spans the range, not a corner of it), and two peers drawing
 * from different streams do not retry in lockstep. */
static void
test_backoff_jitter_within_bounds(void **state)
{
	fake_clock a, b;
	unsigned same = 0;

	(void)state;
	fake_clock_init(&a, 0, 0, 1);
	fake_clock_init(&b, 0, 0, 2);
	for (unsigned n = 0; n < 9; n++) {
		uint64_t w = full_wait(1000, n, 60000), lo = UINT64_MAX, hi = 0;

		for (unsigned i = 0; i < DRAWS; i++) {
			uint64_t x = em_backoff_ms(1000, n, 60000, em_rand(&a.c));
			uint64_t y = em_backoff_ms(1000, n, 60000, em_rand(&b.c));

			assert_in_range(x, w / 2, w);
			lo = x < lo ? x : lo;
			hi = x > hi ? x : hi;
			same += x == y;
		}
		assert_true(lo - w / 2 <= w / 200);	/* within 1% of each end */
		assert_true(w - hi <= w / 200);
	}
	assert_true(same < 9 * DRAWS / 100);
}

static void
test_dial_next(void **state)
{
	(void)state;
	assert_int_equal(timing_dial_fails(0), 1);
	assert_int_equal(timing_dial_fails(15), 16);
	assert_int_equal(timing_dial_fails(16), 16);
	assert_int_equal(timing_dial_fails(UINT32_MAX), 16);
	/* a connection that worked: again in a second, whatever came before */
	assert_int_equal(timing_dial_next(5000, 1, 0, 12345), 6000);
	assert_int_equal(timing_dial_next(5000, 1, 16, 12345), 6000);
	/* the first failure waits 1-2 s, the sixth and later 30-60 s */
	assert_int_equal(timing_dial_next(5000, 0, 1, 0), 5000 + 1000);
	assert_int_equal(timing_dial_next(5000, 0, 1, 1000), 5000 + 2000);
	assert_int_equal(timing_dial_next(5000, 0, 6, 0), 5000 + 30000);
	assert_int_equal(timing_dial_next(5000, 0, 16, 30000), 5000 + 60000);
	assert_true(timing_dial_due(0, 0));
	assert_true(timing_dial_due(7000, 7000));
	assert_false(timing_dial_due(7001, 7000));
}

/* A peer that never answers, dialed whenever due on a clock moving 1 ms
 * at a time: the dials come at the gaps the backoff allows, the count of
 * failures stops at 16 and the waits at a minute. */
static void
test_dial_retry_schedule(void **state)
{
	fake_clock f;
	uint64_t next = 0, last = 0;
	uint32_t fails = 0;
	unsigned dials = 0;

	(void)state;
	fake_clock_init(&f, 1, 1700000000000ull, 7);
	for (; f.mono < 30 * 60 * 1000; f.mono++) {
		uint64_t w;

		if (!timing_dial_due(next, f.mono))
			continue;
		if (dials++ > 0) {
			w = full_wait(1000, fails, 60000);
			assert_in_range(f.mono - last, w / 2, w);
		}
		last = f.mono;
		fails = timing_dial_fails(fails);
		next = timing_dial_next(f.mono, 0, fails, em_rand(&f.c));
		assert_true(next > f.mono);
	}
	assert_int_equal(fails, 16);
	/* 30 minutes: 1+2+...+32 s of early backoff at most, then 30-60 s */
	assert_in_range(dials, 6 + (30 * 60 - 63) / 60, 6 + 30 * 60 / 30 + 1);
	assert_int_equal(f.draws, dials);
}

/* A ban lasts exactly BAN_MS: held at its last millisecond, gone at the
 * next. */
static void
test_ban_length(void **state)
{
	fake_clock f;
	uint64_t end;

	(void)state;
	fake_clock_init(&f, 123456, 0, 1);
	end = timing_ban_end(em_mono_ms(&f.c));
	assert_int_equal(end - 123456, 10 * 60 * 1000);
	for (; f.mono < end; f.mono += 997)
		assert_true(timing_ban_holds(end, em_mono_ms(&f.c)));
	f.mono = end - 1;
	assert_true(timing_ban_holds(end, em_mono_ms(&f.c)));
	f.mono = end;
	assert_false(timing_ban_holds(end, em_mono_ms(&f.c)));
	f.mono = end + 24 * 3600 * 1000ull;
	assert_false(timing_ban_holds(end, em_mono_ms(&f.c)));
}

/* Silent up to 30 s: fine; over it: pinged; over 90 s: dropped. A peer
 * heard "after" now (a clock that stepped back) is not dropped. */
static void
test_idle(void **state)
{
	const uint64_t rx = 50000;

	(void)state;
	assert_int_equal(timing_idle(rx, rx), TIMING_IDLE_OK);
	assert_int_equal(timing_idle(rx, rx + IDLE_PING_MS), TIMING_IDLE_OK);
	assert_int_equal(timing_idle(rx, rx + IDLE_PING_MS + 1), TIMING_IDLE_PING);
	assert_int_equal(timing_idle(rx, rx + IDLE_DROP_MS), TIMING_IDLE_PING);
	assert_int_equal(timing_idle(rx, rx + IDLE_DROP_MS + 1), TIMING_IDLE_DROP);
	assert_int_equal(timing_idle(rx, rx + 3600 * 1000), TIMING_IDLE_DROP);
	assert_int_equal(timing_idle(rx, rx - 1), TIMING_IDLE_OK);
	assert_int_equal(timing_idle(rx, 0), TIMING_IDLE_OK);
	assert_int_equal(IDLE_PING_MS, 30000);
	assert_int_equal(IDLE_DROP_MS, 90000);
}

static void
test_handshake_deadline(void **state)
{
	(void)state;
	assert_int_equal(timing_handshake_left(1000, 1000, 10000), 10000);
	assert_int_equal(timing_handshake_left(1000, 4000, 10000), 7000);
	assert_int_equal(timing_handshake_left(1000, 10999, 10000), 1);
	assert_int_equal(timing_handshake_left(1000, 11000, 10000), 0);
	assert_int_equal(timing_handshake_left(1000, 99999, 10000), 0);
	assert_int_equal(timing_handshake_left(1000, 1000, 0), 0);
}

/* Over 100 maintenance rounds (one a second): a peer exchange on every
 * tenth, a chunk scan on the first and every fifth after it. */
static void
test_cadence(void **state)
{
	unsigned ex = 0, scans = 0;

	(void)state;
	for (uint32_t n = 1; n <= 100; n++) {
		ex += timing_exchange_due(n);
		scans += timing_scan_due(n);
		assert_int_equal(timing_exchange_due(n), n % 10 == 0);
		assert_int_equal(timing_scan_due(n), n % 5 == 1);
	}
	assert_int_equal(ex, 10);
	assert_int_equal(scans, 20);
	assert_true(timing_scan_due(1));
	assert_false(timing_exchange_due(1));
}

/* A chunk asked and unanswered is asked again at FETCH_TIMEOUT_MS to the
 * millisecond; after a "lack" answer, not before FETCH_AGAIN_MS. */
static void
test_fetch(void **state)
{
	const uint64_t t = 70000;

	(void)state;
	assert_int_equal(FETCH_TIMEOUT_MS, 10000);
	assert_int_equal(FETCH_AGAIN_MS, 500);
	/* never asked: at once */
	assert_true(timing_fetch_due(0, 0, 0, t));
	assert_true(timing_fetch_due(0, 0, 0, 0));
	/* asked at t: not before the timeout, then yes */
	assert_false(timing_fetch_due(1, t, 0, t));
	assert_false(timing_fetch_due(1, t, 0, t + FETCH_TIMEOUT_MS - 1));
	assert_true(timing_fetch_due(1, t, 0, t + FETCH_TIMEOUT_MS));
	assert_true(timing_fetch_due(1, t, 0, t + 24 * 3600 * 1000ull));
	/* a now before asked_at (a clock that stepped back) is no timeout */
	assert_false(timing_fetch_due(1, t, 0, t - 1));
	assert_false(timing_fetch_due(1, t, 0, 0));
	/* a peer lacked it at t: again at t + 500, not a ms sooner */
	assert_int_equal(timing_fetch_again(t), t + FETCH_AGAIN_MS);
	assert_false(timing_fetch_due(0, 0, timing_fetch_again(t), t + FETCH_AGAIN_MS - 1));
	assert_true(timing_fetch_due(0, 0, timing_fetch_again(t), t + FETCH_AGAIN_MS));
	/* the wait holds even for a timed-out ask */
	assert_false(timing_fetch_due(1, 0, t + 1, t));
}

/* Auto-eval's retries: the shared backoff from a minute doubling to an
 * hour, in whole seconds, jittered to between half and all of it. After
 * the seventh failure the backoff would be 3840 s: the wait is capped at
 * 3600 s, and that is the wait returned (and logged). */
static void
test_auto_retry(void **state)
{
	/* the whole backoff after the k-th failure, in s */
	static const uint64_t full[] = { 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600 };
	fake_clock f;

	(void)state;
	for (unsigned k = 1; k <= 9; k++) {
		uint64_t w = full[k - 1] * 1000;

		assert_int_equal(timing_auto_retry(k, 0), w / 2);
		assert_int_equal(timing_auto_retry(k, w / 2000), w);
		assert_int_equal(timing_auto_retry(k, w / 2000 + 1), w / 2);	/* wraps */
	}
	assert_int_equal(timing_auto_retry(0, 0), timing_auto_retry(1, 0));
	assert_int_equal(timing_auto_retry(0, 30), 60000);
	assert_true(timing_auto_retry(7, UINT64_MAX) <= 3600000);
	assert_int_equal(timing_auto_retry(UINT_MAX, 1800), 3600000);
	fake_clock_init(&f, 0, 0, 5);
	for (unsigned k = 1; k <= 12; k++) {
		uint64_t w = full[k < 9 ? k - 1 : 8] * 1000, lo = UINT64_MAX, hi = 0;

		for (unsigned i = 0; i < DRAWS; i++) {
			uint64_t x = timing_auto_retry(k, em_rand(&f.c));

			assert_in_range(x, w / 2, w);
			assert_int_equal(x % 1000, 0);
			lo = x < lo ? x : lo;
			hi = x > hi ? x : hi;
		}
		assert_int_equal(lo, w / 2);	/* both ends reached */
		assert_int_equal(hi, w);
	}
}

/* Uptime and the wall time of a monotonic moment: no wrap, no negative,
 * whichever way the clocks disagree. */
static void
test_uptime_and_wall_of(void **state)
{
	const uint64_t wall = 1764000000000ull;

	(void)state;
	assert_int_equal(timing_left(5000, 3000), 2000);
	assert_int_equal(timing_left(5000, 5000), 0);
	assert_int_equal(timing_left(5000, 9000), 0);
	assert_int_equal(timing_uptime_s(1000, 1000), 0);
	assert_int_equal(timing_uptime_s(1000, 1999), 0);
	assert_int_equal(timing_uptime_s(1000, 2000), 1);
	assert_int_equal(timing_uptime_s(1000, 1000 + 90061000ull), 90061);
	assert_int_equal(timing_uptime_s(5000, 4000), 0);
	assert_int_equal(timing_uptime_s(UINT64_MAX, 0), 0);
	/* a moment 5 s ago on the monotonic clock is 5 s before the wall's now */
	assert_int_equal(timing_wall_of(95000, 100000, wall), wall - 5000);
	assert_int_equal(timing_wall_of(100000, 100000, wall), wall);
	/* one "after" now counts as now; one older than the epoch as 0 */
	assert_int_equal(timing_wall_of(100001, 100000, wall), wall);
	assert_int_equal(timing_wall_of(0, 100000, 99999), 0);
	assert_int_equal(timing_wall_of(0, 100000, 100000), 0);
	assert_int_equal(timing_wall_of(0, 100000, 100001), 1);
}

/* Retry-After is taken as it is, up to a minute, whatever the random
 * number; without one, the backoff. */
static void
test_retry_after(void **state)
{
	fake_clock f;

	(void)state;
	fake_clock_init(&f, 0, 0, 3);
	for (unsigned i = 0; i < 100; i++) {
		uint64_t r = em_rand(&f.c);

		assert_int_equal(eval_retry_wait(1, 0, r), 0);
		assert_int_equal(eval_retry_wait(3, 1500, r), 1500);
		assert_int_equal(eval_retry_wait(9, 60000, r), 60000);
		assert_int_equal(eval_retry_wait(1, 60001, r), 60000);
		assert_int_equal(eval_retry_wait(1, LONG_MAX, r), 60000);
		assert_in_range(eval_retry_wait(1, -1, r), 500, 1000);
		assert_in_range(eval_retry_wait(4, -1, r), 4000, 8000);
		assert_in_range(eval_retry_wait(6, -1, r), 15000, 30000);
		assert_in_range(eval_retry_wait(200, -1, r), 15000, 30000);
	}
	assert_int_equal(eval_retry_wait(1, -1, 0), 500);
	assert_int_equal(eval_retry_wait(1, -1, 500), 1000);
	assert_int_equal(eval_retry_wait(6, -1, 0), 15000);
	assert_int_equal(eval_retry_wait(6, -1, 15000), 30000);
	assert_int_equal(eval_ms_until(5000, 3000), 2000);
	assert_int_equal(eval_ms_until(5000, 5000), 0);
	assert_int_equal(eval_ms_until(5000, 9000), 0);
}

/* Patience runs out at its last millisecond, counted from the first "not
 * now"; no wait set while busy ends after it, not even a Retry-After. */
static void
test_patience(void **state)
{
	const uint64_t busy = 77000, end = busy + 600 * 1000;

	(void)state;
	assert_int_equal(eval_patience_end(busy, 600), end);
	assert_false(eval_patience_over(busy, busy, 600));
	assert_false(eval_patience_over(busy, end - 1, 600));
	assert_true(eval_patience_over(busy, end, 600));
	assert_true(eval_patience_over(busy, end + 1, 600));
	/* a "not now" 1 s before the end that asks for 5 s waits 1 s */
	assert_int_equal(eval_retry_due(end - 1000, 5000, 1, 1, busy, 600), end);
	/* ... and well before the end, all it asks */
	assert_int_equal(eval_retry_due(busy + 10000, 60000, 1, 1, busy, 600), busy + 70000);
	/* other failures, a server not busy, or no patience: the wait as is */
	assert_int_equal(eval_retry_due(end - 1000, 5000, 0, 1, busy, 600), end + 4000);
	assert_int_equal(eval_retry_due(end - 1000, 5000, 1, 0, busy, 600), end + 4000);
	assert_int_equal(eval_retry_due(end - 1000, 5000, 1, 1, busy, 0), end + 4000);
	/* busy since 0 (a clock that starts there) is busy all the same */
	assert_int_equal(eval_retry_due(1000, 5000, 1, 1, 0, 2), 2000);
}

/* A server that says "not now, retry after 30 s" to every request, with
 * 100 s of patience, followed on the fake clock as the runner does
 * (eval.c: failed, then dispatch when due): asked at 0, 30, 60 and 90 s,
 * then once more at 100 s, the end of the patience, where the run
 * stops. */
static void
test_patience_runs_out(void **state)
{
	static const uint64_t asked[] = { 0, 30000, 60000, 90000, 100000 };
	fake_clock f;
	uint64_t t0 = 5000, busy_since = 0, stopped = 0;
	unsigned n = 0;
	int busy = 0;

	(void)state;
	fake_clock_init(&f, t0, 0, 4);
	while (n < 20) {
		uint64_t now = em_mono_ms(&f.c);

		assert_int_equal(now - t0, asked[n]);
		n++;
		if (!busy) {
			busy = 1;
			busy_since = now;
		}
		if (eval_patience_over(busy_since, now, 100)) {
			stopped = now;
			break;
		}
		f.mono = eval_retry_due(now, eval_retry_wait(n, 30000, em_rand(&f.c)), 1, busy,
		    busy_since, 100);
	}
	assert_int_equal(n, 5);
	assert_int_equal(stopped, t0 + 100000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backoff_doubles_to_cap),
		cmocka_unit_test(test_backoff_jitter_within_bounds),
		cmocka_unit_test(test_dial_next),
		cmocka_unit_test(test_dial_retry_schedule),
		cmocka_unit_test(test_ban_length),
		cmocka_unit_test(test_idle),
		cmocka_unit_test(test_handshake_deadline),
		cmocka_unit_test(test_cadence),
		cmocka_unit_test(test_fetch),
		cmocka_unit_test(test_auto_retry),
		cmocka_unit_test(test_uptime_and_wall_of),
		cmocka_unit_test(test_retry_after),
		cmocka_unit_test(test_patience),
		cmocka_unit_test(test_patience_runs_out),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
