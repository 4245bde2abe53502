/* Chunk fetching (node/daemon/fetch.c) on a fake clock: a chunk asked and
 * not answered is asked elsewhere after FETCH_TIMEOUT_MS, and one a peer
 * says it lacks waits FETCH_AGAIN_MS, both on the monotonic clock, through
 * the daemon's own functions and a real store; the asks a peer may make
 * of us, bounded and scored; one no peer has rests after
 * FETCH_GIVE_UP_TRIES asks. What is fetched: the tasks this node uses
 * (its own, trusted authors', asked for), within each author's quota, the
 * tasks held in full counting first.
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
#include "ident.h"

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

/* c's score in the gossip core. */
static int
score_of(fixture *fx, uint32_t handle)
{
	gossip_peer_info info[8];
	uint32_t n = gossip_peers(fx->d->g, info, 8);

	for (uint32_t i = 0; i < n && i < 8; i++)
		if (info[i].peer == handle)
			return info[i].score;
	fail();
	return -1;
}

/* A chunk-want from c for n hashes. */
static void
ask(fixture *fx, conn *c, const uint8_t *hashes, uint32_t n)
{
	wire_msg m = { .type = WIRE_CHUNK_WANT };

	m.u.ids.n = n;
	m.u.ids.ids = hashes;
	fetch_on_want(fx->d, c, &m);
}

/* Chunks a peer asks for wait while its answer budget is spent, each
 * once, in order. An honest fetcher keeps at most FETCH_PER_PEER asked of
 * a peer: asks past CHUNK_ASKS_MAX waiting cost PENALTY_FLOOD, once a
 * message; so does asking again, within CHUNK_REPEAT_MS, for a chunk it
 * was sent — and neither is answered. Nothing is sent here: the budget
 * is spent (there is no connection to send on). */
static void
test_chunk_asks_bounded(void **state)
{
	fixture *fx = *state;
	conn c = { .d = fx->d, .handle = 7 };
	uint8_t h[CHUNK_ASKS_MAX + 2][32], twice[64];
	static uint8_t big[64 * 1024];	/* more than a few ms of budget */
	uint64_t t = 50000;

	fx->f.mono = t;
	memset(big, 'x', sizeof big);
	hash_blake2b(h[0], big, sizeof big);
	assert_int_equal(store_blob_put(fx->d->st, h[0], big, sizeof big), EM_OK);
	for (int i = 1; i < CHUNK_ASKS_MAX + 2; i++)
		memset(h[i], i, 32);
	assert_int_equal(gossip_peer_up(fx->d->g, 7, t), EM_OK);
	assert_true(gossip_answer(fx->d->g, 7, 4u << 20, t));	/* spent */

	ask(fx, &c, h[0], 1);
	assert_int_equal(c.n_asks, 1);
	memcpy(twice, h[0], 32);
	memcpy(twice + 32, h[0], 32);
	ask(fx, &c, twice, 2);		/* asked again while it waits: once */
	assert_int_equal(c.n_asks, 1);
	ask(fx, &c, h[1], CHUNK_ASKS_MAX - 1);
	assert_int_equal(c.n_asks, CHUNK_ASKS_MAX);
	assert_memory_equal(c.asks[0], h[0], 32);
	assert_memory_equal(c.asks[CHUNK_ASKS_MAX - 1], h[CHUNK_ASKS_MAX - 1], 32);
	assert_int_equal(score_of(fx, 7), 0);
	ask(fx, &c, h[CHUNK_ASKS_MAX], 2);	/* two past the limit: once */
	assert_int_equal(c.n_asks, CHUNK_ASKS_MAX);
	assert_int_equal(score_of(fx, 7), PENALTY_FLOOD);

	/* a chunk it was sent CHUNK_REPEAT_MS - 1 ago: it has it */
	memcpy(c.served[0].hash, h[CHUNK_ASKS_MAX + 1], 32);
	c.served[0].at = t - (CHUNK_REPEAT_MS - 1);
	c.n_served = c.next_served = 1;
	ask(fx, &c, h[CHUNK_ASKS_MAX + 1], 1);
	assert_int_equal(score_of(fx, 7), 2 * PENALTY_FLOOD);
	/* a millisecond later it may have lost it: no repeat, but still no
	 * room for it */
	fx->f.mono = t + 1;
	ask(fx, &c, h[CHUNK_ASKS_MAX + 1], 1);
	assert_int_equal(score_of(fx, 7), 3 * PENALTY_FLOOD);
	assert_int_equal(c.n_asks, CHUNK_ASKS_MAX);
	assert_int_equal(fx->d->chunks_out, 0);
}

/* A task record by author naming n chunks (of bytes made from seed; the
 * first `held` of them stored), published in the fixture's store and
 * opened into env (its bytes into *buf, yours); the task id into id. */
static void
task_by(fixture *fx, const ident *author, uint32_t n, uint32_t held, uint32_t seed,
    uint8_t id[static 32], rec_env *env, uint8_t **buf)
{
	static const char manifest[] = "{\"name\":\"t\"}";
	uint8_t chunks[8 * 32], rid[32], *enc;
	body_any b = { .kind = REC_TASK };
	char text[64];
	size_t len;

	assert_true(n <= 8);
	for (uint32_t i = 0; i < n; i++) {
		snprintf(text, sizeof text, "chunk %u of task %u", i, seed);
		hash_blake2b(chunks + 32 * i, (const uint8_t *)text, strlen(text));
		if (i < held)
			assert_int_equal(store_blob_put(fx->d->st, chunks + 32 * i, (const uint8_t *)text,
			    strlen(text)), EM_OK);
	}
	snprintf(b.u.task.name, sizeof b.u.task.name, "t%u", seed);
	snprintf(b.u.task.version, sizeof b.u.task.version, "1");
	b.u.task.n_items = 10;
	b.u.task.items_root[0] = (uint8_t)seed;
	b.u.task.manifest = (const uint8_t *)manifest;
	b.u.task.manifest_len = sizeof manifest - 1;
	b.u.task.n_chunks = n;
	b.u.task.chunks = chunks;
	body_task_id(&b.u.task, id);
	assert_int_equal(body_encode(&b, &enc, &len), EM_OK);
	assert_int_equal(store_publish(fx->d->st, author, REC_TASK, enc, len, WALL0, rid, NULL), EM_OK);
	free(enc);
	assert_int_equal(store_get(fx->d->st, rid, buf, &len), EM_OK);
	open_rec(*buf, len, env);
}

/* What a new task record makes the node want: nothing for an author it
 * neither is nor trusts; every missing chunk for its own and a trusted
 * author's; and for any task the operator asks for. */
static void
test_only_tasks_used(void **state)
{
	fixture *fx = *state;
	ident *stranger, *friend, *me;
	uint8_t id[32], *buf;
	rec_env env;
	json_t *r;

	assert_int_equal(ident_generate(&stranger), EM_OK);
	assert_int_equal(ident_generate(&friend), EM_OK);
	assert_int_equal(ident_generate(&me), EM_OK);
	memcpy(fx->d->pk, ident_pk(me), 32);
	assert_int_equal(store_trust_put(fx->d->st, ident_pk(friend), "friend"), EM_OK);
	task_by(fx, stranger, 3, 0, 1, id, &env, &buf);
	fetch_task(fx->d, &env, 0);
	free(buf);
	assert_int_equal(fx->d->n_wants, 0);
	/* asked for: every chunk, whoever wrote it */
	r = fetch_ask(fx->d, id);
	assert_int_equal(json_integer_value(json_object_get(r, "chunks")), 3);
	assert_int_equal(json_integer_value(json_object_get(r, "held")), 0);
	json_decref(r);
	assert_int_equal(fx->d->n_wants, 3);
	task_by(fx, friend, 2, 1, 2, id, &env, &buf);	/* one of two held */
	fetch_task(fx->d, &env, 0);
	free(buf);
	assert_int_equal(fx->d->n_wants, 4);
	task_by(fx, me, 2, 0, 3, id, &env, &buf);
	fetch_task(fx->d, &env, 0);
	free(buf);
	assert_int_equal(fx->d->n_wants, 6);
	memset(id, 0xee, 32);
	r = fetch_ask(fx->d, id);
	assert_string_equal(json_string_value(json_object_get(r, "error")), "no such task here");
	json_decref(r);
	ident_free(stranger);
	ident_free(friend);
	ident_free(me);
}

/* A scan wants what a new record would, and counts the tasks it leaves. */
static void
test_scan_skips_unused(void **state)
{
	fixture *fx = *state;
	ident *stranger, *friend;
	uint8_t id[32], *buf;
	rec_env env;
	json_t *st;

	assert_int_equal(ident_generate(&stranger), EM_OK);
	assert_int_equal(ident_generate(&friend), EM_OK);
	task_by(fx, stranger, 4, 0, 1, id, &env, &buf);
	free(buf);
	task_by(fx, friend, 2, 0, 2, id, &env, &buf);
	free(buf);
	fx->d->maints = 1;
	fetch_scan(fx->d);
	assert_int_equal(fx->d->n_wants, 0);	/* nobody trusted yet */
	assert_int_equal(store_trust_put(fx->d->st, ident_pk(friend), "friend"), EM_OK);
	fx->d->maints = 6;	/* the trust list changed: the next scan reads the tasks */
	fetch_scan(fx->d);
	assert_int_equal(fx->d->n_wants, 2);
	st = fetch_status(fx->d);
	assert_int_equal(json_integer_value(json_object_get(st, "tasks_not_used")), 1);
	json_decref(st);
	ident_free(stranger);
	ident_free(friend);
}

/* A trusted author's chunks count against its quota, each as
 * STORE_BLOB_MAX, the tasks held in full first: a task that would pass it
 * is not fetched, unless asked for; the node's own tasks are not counted
 * against it. */
static void
test_quota_per_author(void **state)
{
	fixture *fx = *state;
	ident *friend, *other;
	uint8_t id[32], big[32], *buf;
	rec_env env;
	json_t *st;

	assert_int_equal(ident_generate(&friend), EM_OK);
	assert_int_equal(ident_generate(&other), EM_OK);
	assert_int_equal(store_trust_put(fx->d->st, ident_pk(friend), "friend"), EM_OK);
	assert_int_equal(store_trust_put(fx->d->st, ident_pk(other), "other"), EM_OK);
	fx->d->o.autocfg.fetch_quota = 4 * STORE_BLOB_MAX;
	task_by(fx, friend, 3, 3, 1, id, &env, &buf);	/* held in full: 3 of the 4 */
	free(buf);
	task_by(fx, friend, 2, 0, 2, big, &env, &buf);	/* 3 + 2 > 4 */
	free(buf);
	task_by(fx, other, 4, 0, 3, id, &env, &buf);	/* another author: its own 4 */
	free(buf);
	fx->d->maints = 1;
	fetch_scan(fx->d);
	assert_int_equal(fx->d->n_wants, 4);
	st = fetch_status(fx->d);
	assert_int_equal(json_integer_value(json_object_get(st, "tasks_over_quota")), 1);
	assert_int_equal(json_integer_value(json_object_get(st, "quota_mb")), 1);
	json_decref(st);
	task_by(fx, friend, 1, 0, 4, id, &env, &buf);	/* 3 + 1 = 4: fits */
	fetch_task(fx->d, &env, 0);
	free(buf);
	assert_int_equal(fx->d->n_wants, 5);
	json_decref(fetch_ask(fx->d, big));	/* asked for: the quota is the operator's */
	assert_int_equal(fx->d->n_wants, 7);
	ident_free(friend);
	ident_free(other);
}

/* A chunk no peer had after FETCH_GIVE_UP_TRIES asks leaves its slot and
 * is not wanted again for FETCH_REST_MS, on the monotonic clock. */
static void
test_give_up_and_rest(void **state)
{
	fixture *fx = *state;
	ident *me;
	uint8_t id[32], *buf;
	rec_env env;
	json_t *st;

	assert_int_equal(ident_generate(&me), EM_OK);
	memcpy(fx->d->pk, ident_pk(me), 32);
	task_by(fx, me, 1, 0, 1, id, &env, &buf);
	fetch_task(fx->d, &env, 0);
	assert_int_equal(fx->d->n_wants, 1);
	fx->d->wants[0].tries = FETCH_GIVE_UP_TRIES - 1;
	fetch_send(fx->d);	/* no peer: nothing asked, nothing given up */
	assert_int_equal(fx->d->n_wants, 1);
	fx->d->wants[0].tries = FETCH_GIVE_UP_TRIES;
	fx->f.mono = 50000;
	fetch_send(fx->d);
	assert_int_equal(fx->d->n_wants, 0);
	st = fetch_status(fx->d);
	assert_int_equal(json_integer_value(json_object_get(st, "chunks_resting")), 1);
	json_decref(st);
	fx->f.mono = 50000 + FETCH_REST_MS - 1;
	fetch_task(fx->d, &env, 0);
	assert_int_equal(fx->d->n_wants, 0);
	fx->f.mono = 50000 + FETCH_REST_MS;
	fetch_task(fx->d, &env, 0);
	assert_int_equal(fx->d->n_wants, 1);
	free(buf);
	ident_free(me);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_timeout_on_mono, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_lack_waits_on_mono, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_chunk_kept_by_hash, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_chunk_asks_bounded, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_only_tasks_used, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_scan_skips_unused, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_quota_per_author, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_give_up_and_rest, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
