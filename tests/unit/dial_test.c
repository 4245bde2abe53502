/* The daemon's peer table (node/daemon/dial.c) on a fake clock: dial
 * backoff after failures, what is stored, and bans, through the daemon's
 * own functions and a real store, hours of waiting in milliseconds.
 *
 * The peers here have names for hosts ("peer.invalid:7000"), which the
 * daemon does not resolve: dial_maintain counts a due dial to one as a
 * failure at once, so the schedule runs without a socket. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "daemon_fixture.h"

/* The stored copy of the peer at addr (it must be there). */
static store_peer
stored(fixture *fx, const char *addr)
{
	static store_peer list[KNOWN_MAX];
	size_t n = 0;

	assert_int_equal(store_peer_list(fx->d->st, list, KNOWN_MAX, &n), EM_OK);
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i].addr, addr) == 0)
			return list[i];
	fail_msg("%s is not stored", addr);
	return list[0];
}

/* With r fixed at 0 every wait is its fixed half: after the k-th failure
 * in a row the next dial comes 2^k / 2 s later, up to 30 s from the sixth
 * on; never a millisecond early, and the count stops at 16. */
static void
test_backoff_after_failures(void **state)
{
	static const uint64_t half[] = { 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000 };
	fixture *fx = *state;
	known *k = dial_learn(fx->d, "peer.invalid:7000", NULL);

	assert_non_null(k);
	assert_int_equal(k->next_dial, 0);
	fx->f.fixed = 1;
	fx->f.r = 0;
	dial_maintain(fx->d);		/* due at once: fails */
	assert_int_equal(k->p.fails, 1);
	for (uint32_t n = 1; n < 20; n++) {
		uint32_t fails = n < 16 ? n : 16;
		uint64_t gap = half[fails - 1 < 7 ? fails - 1 : 7];

		assert_int_equal(k->next_dial, fx->f.mono + gap);
		fx->f.mono = k->next_dial - 1;
		dial_maintain(fx->d);
		assert_int_equal(k->p.fails, fails);	/* not yet */
		fx->f.mono = k->next_dial;
		dial_maintain(fx->d);
		assert_int_equal(k->p.fails, fails < 16 ? fails + 1 : 16);
		assert_int_equal(stored(fx, "peer.invalid:7000").fails, k->p.fails);
	}
	assert_int_equal(fx->f.draws, 20);	/* one random number a failure */
	assert_int_equal(stored(fx, "peer.invalid:7000").last_ok, 0);
}

/* With random jitter, each wait lies between half and all of its backoff,
 * read on the monotonic clock: the wall clock stepping back a day or on
 * a year changes nothing. */
static void
test_backoff_jitter_on_mono(void **state)
{
	fixture *fx = *state;
	known *k = dial_learn(fx->d, "peer.invalid:7000", NULL);
	uint64_t w = 2000;

	assert_non_null(k);
	dial_maintain(fx->d);
	for (int i = 0; i < 40; i++) {
		assert_in_range(k->next_dial - fx->f.mono, w / 2, w);
		fx->f.wall = i % 2 ? WALL0 - 86400000ull : WALL0 + 365 * 86400000ull;
		fx->f.mono = k->next_dial;
		dial_maintain(fx->d);
		w = w * 2 < 60000 ? w * 2 : 60000;
	}
	assert_int_equal(k->p.fails, 16);
}

/* A dial that worked: failures forgotten, last_ok stored as a wall time
 * (it outlives the process), the next dial a second later on the
 * monotonic clock. */
static void
test_success(void **state)
{
	fixture *fx = *state;
	known *k = dial_learn(fx->d, "peer.invalid:7000", NULL);

	assert_non_null(k);
	dial_maintain(fx->d);
	dial_maintain(fx->d);	/* not due: unchanged */
	assert_int_equal(k->p.fails, 1);
	fx->f.mono = 5000;
	fx->f.wall = WALL0 + 42;
	dial_result(fx->d, k, 1, NULL);
	assert_int_equal(k->p.fails, 0);
	assert_int_equal(k->p.last_ok, WALL0 + 42);
	assert_int_equal(k->next_dial, 6000);
	assert_int_equal(stored(fx, "peer.invalid:7000").last_ok, WALL0 + 42);
	assert_int_equal(stored(fx, "peer.invalid:7000").fails, 0);
	/* and the next failure starts the backoff over: 1-2 s */
	dial_result(fx->d, k, 0, NULL);
	assert_int_equal(k->p.fails, 1);
	assert_in_range(k->next_dial, 6000, 7000);
}

/* A ban by host and id lasts exactly BAN_MS on the monotonic clock,
 * whatever the wall clock does meanwhile; its end as shown is a wall
 * time. A banned peer is not dialed; once the ban ends it is. */
static void
test_ban(void **state)
{
	fixture *fx = *state;
	uint8_t id[32], other[32];
	known *k = dial_learn(fx->d, "peer.invalid:7000", NULL);
	uint64_t t0 = 250000;

	assert_non_null(k);
	memset(id, 0xab, sizeof id);
	memset(other, 0xcd, sizeof other);
	fx->f.mono = t0;
	dial_ban(fx->d, "peer.invalid:9999", id);
	assert_int_equal(fx->d->n_bans, 1);
	assert_int_equal(fx->d->bans[0].until, WALL0 + BAN_MS);
	assert_true(dial_banned(fx->d, "peer.invalid:1", NULL));	/* the host */
	assert_true(dial_banned(fx->d, "peer.invalid", NULL));
	assert_true(dial_banned(fx->d, NULL, id));
	assert_true(dial_banned(fx->d, "10.0.0.1:7000", id));
	assert_false(dial_banned(fx->d, "10.0.0.1:7000", other));
	assert_false(dial_banned(fx->d, NULL, NULL));
	/* the wall clock jumps a day ahead: the ban holds to its last ms */
	fx->f.wall = WALL0 + 86400000ull;
	fx->f.mono = t0 + BAN_MS - 1;
	assert_true(dial_banned(fx->d, NULL, id));
	assert_true(dial_ban_holds(fx->d, &fx->d->bans[0]));
	dial_maintain(fx->d);
	assert_int_equal(k->p.fails, 0);	/* banned: not dialed */
	fx->f.mono = t0 + BAN_MS;
	fx->f.wall = WALL0 - 3600000ull;	/* and an hour back: ends all the same */
	assert_false(dial_banned(fx->d, NULL, id));
	assert_false(dial_banned(fx->d, "peer.invalid:1", NULL));
	assert_false(dial_ban_holds(fx->d, &fx->d->bans[0]));
	dial_maintain(fx->d);
	assert_int_equal(k->p.fails, 1);	/* dialed */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_backoff_after_failures, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_backoff_jitter_on_mono, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_success, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_ban, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
