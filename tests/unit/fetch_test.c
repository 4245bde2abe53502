/* Chunk fetching (node/daemon/fetch.c) on a fake clock: a chunk asked and
 * not answered is asked elsewhere after FETCH_TIMEOUT_MS, and one a peer
 * says it lacks waits FETCH_AGAIN_MS, both on the monotonic clock, through
 * the daemon's own functions and a real store.
 *
 * There are no connections here, so nothing is sent: a want that comes
 * due is taken back from the peer it was asked of (peer 0) and waits for
 * one, which is what these tests watch. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "daemon_fixture.h"
#include "hash.h"

#define DAY_MS	86400000ull

static const uint8_t bytes[] = "the items of a task, or some of them";

/* A want for the chunk of bytes, asked of peer at the clock's now. */
static chunk_want *
asked(fixture *fx, uint32_t peer)
{
	chunk_want *w = &fx->d->wants[0];

	memset(w, 0, sizeof *w);
	w->used = 1;
	hash_blake2b(w->hash, bytes, sizeof bytes);
	w->peer = peer;
	w->tries = 1;
	w->asked_at = fx->f.mono;
	fx->d->n_wants = 1;
	return w;
}

/* Unanswered, a chunk stays with the peer it was asked of for
 * FETCH_TIMEOUT_MS to the millisecond, whatever the wall clock does;
 * then it is asked elsewhere. */
static void
test_timeout_on_mono(void **state)
{
	fixture *fx = *state;
	uint64_t t0 = 40000;
	chunk_want *w;

	fx->f.mono = t0;
	w = asked(fx, 7);
	fx->f.wall = WALL0 + DAY_MS;	/* a day ahead: no timeout for that */
	fx->f.mono = t0 + FETCH_TIMEOUT_MS - 1;
	fetch_send(fx->d);
	assert_int_equal(w->peer, 7);
	fx->f.wall = WALL0 - 3600000;	/* an hour back: the timeout all the same */
	fx->f.mono = t0 + FETCH_TIMEOUT_MS;
	fetch_send(fx->d);
	assert_int_equal(w->peer, 0);
	assert_true(w->used);
	assert_int_equal(w->tries, 1);	/* not asked: no peer to ask */
	assert_int_equal(fx->d->n_wants, 1);
}

/* "I lack it" from the peer it was asked of: asked again FETCH_AGAIN_MS
 * later on the monotonic clock. The same words from a peer it was not
 * asked of change nothing. */
static void
test_lack_waits_on_mono(void **state)
{
	fixture *fx = *state;
	conn other = { .d = fx->d, .handle = 8 }, c = { .d = fx->d, .handle = 7 };
	wire_msg m = { .type = WIRE_CHUNK };
	chunk_want *w;

	fx->f.mono = 90000;
	w = asked(fx, 7);
	memcpy(m.u.chunk.hash, w->hash, 32);
	m.u.chunk.data = bytes;
	m.u.chunk.len = 0;
	fx->f.mono += 123;
	fx->f.wall = WALL0 + 365 * DAY_MS;
	fetch_on_chunk(fx->d, &other, &m);
	assert_int_equal(w->peer, 7);
	assert_int_equal(w->again_at, 0);
	fetch_on_chunk(fx->d, &c, &m);
	assert_int_equal(w->peer, 0);
	assert_int_equal(w->again_at, 90000 + 123 + FETCH_AGAIN_MS);
	assert_true(w->used);
	assert_int_equal(fx->d->chunks_in, 0);
}

/* A chunk that matches its hash is stored and no longer wanted; one that
 * does not is not stored, and asked elsewhere. */
static void
test_chunk_kept_by_hash(void **state)
{
	fixture *fx = *state;
	conn c = { .d = fx->d, .handle = 7 };
	wire_msg m = { .type = WIRE_CHUNK };
	chunk_want *w = asked(fx, 7);
	uint8_t *got = NULL;
	size_t len = 0;

	memcpy(m.u.chunk.hash, w->hash, 32);
	m.u.chunk.data = (const uint8_t *)"not those bytes";
	m.u.chunk.len = 15;
	fetch_on_chunk(fx->d, &c, &m);
	assert_true(w->used);
	assert_int_equal(w->peer, 0);
	assert_false(store_blob_has(fx->d->st, w->hash));
	w->peer = 7;
	m.u.chunk.data = bytes;
	m.u.chunk.len = sizeof bytes;
	fetch_on_chunk(fx->d, &c, &m);
	assert_false(w->used);
	assert_int_equal(fx->d->n_wants, 0);
	assert_int_equal(fx->d->chunks_in, 1);
	assert_int_equal(store_blob_get(fx->d->st, m.u.chunk.hash, &got, &len), EM_OK);
	assert_int_equal(len, sizeof bytes);
	assert_memory_equal(got, bytes, len);
	free(got);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_timeout_on_mono, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_lack_waits_on_mono, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_chunk_kept_by_hash, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
