/* The gossip core's limits on what a peer's asks make us send
 * (proto/gossip.c, gossip_sync.c) and the token bucket they count with
 * (proto/bucket.h), on a fake clock: the core takes its time as an
 * argument, so seconds of refill run in microseconds. The host here holds
 * one author's records in memory and counts what the core sends; the peer
 * is scripted, its reconciliation sessions real ones (proto/recon.h).
 * Also the late binding of pushes to a peer slow to take them (the
 * host's backlog). The rules of the sessions themselves:
 * gossip_sync_test.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bucket.h"
#include "gossip.h"
#include "hash.h"
#include "recon.h"
#include "testutil.h"

#define NREC	100
#define PEER	7
#define T0	5000ull		/* where the fake clock starts, in ms */

typedef struct fhost {
	uint8_t		*rec[NREC];
	size_t		 len[NREC];
	uint8_t		 id[NREC][32];
	uint8_t		 author[32];
	uint32_t	 sent[NREC];	/* copies of each record sent */
	uint64_t	 rec_bytes;	/* record bytes sent, all records messages */
	uint8_t		 keys[NREC * 32];	/* the ids, sorted: the key set */
	recon_array	 arr;
	uint8_t		 recon[WIRE_RECON_MAX];	/* the last recon message sent */
	size_t		 recon_len;
	uint32_t	 recons;	/* recon messages sent */
	uint32_t	 drops, bans;
	uint64_t	 rng;
	uint32_t	 haves;		/* ids announced */
	size_t		 backlog;	/* what the backlog callback says */
} fhost;

static int
cmp_key(const void *a, const void *b)
{
	return memcmp(a, b, 32);
}

static int
find(fhost *h, const uint8_t id[static 32])
{
	for (int i = 0; i < NREC; i++)
		if (memcmp(h->id[i], id, 32) == 0)
			return i;
	return -1;
}

static int
h_has(void *ctx, const uint8_t id[static 32])
{
	return find(ctx, id) >= 0;
}

static int
h_ingest(void *ctx, const rec_env *env, int how)
{
	(void)ctx;
	(void)env;
	(void)how;
	return GOSSIP_NEW;
}

static int
h_get(void *ctx, const uint8_t id[static 32], uint8_t **rec, size_t *len)
{
	fhost *h = ctx;
	int i = find(h, id);

	if (i < 0 || (*rec = malloc(h->len[i])) == NULL)
		return -1;
	memcpy(*rec, h->rec[i], h->len[i]);
	*len = h->len[i];
	return 0;
}

static int
h_keys_open(void *ctx)
{
	(void)ctx;
	return 0;
}

static void
h_keys_close(void *ctx)
{
	(void)ctx;
}

static int
h_seek(void *ctx, const uint8_t from[static 32], uint8_t key[static 32])
{
	return recon_array_seek(&((fhost *)ctx)->arr, from, key);
}

static int
h_next(void *ctx, uint8_t key[static 32])
{
	return recon_array_next(&((fhost *)ctx)->arr, key);
}

static int
h_count(void *ctx, uint64_t *n)
{
	return recon_array_count(&((fhost *)ctx)->arr, n);
}

static void
h_send(void *ctx, uint32_t peer, const uint8_t *msg, size_t len)
{
	fhost *h = ctx;
	static wire_msg m;	/* large for the stack */

	assert_int_equal(peer, PEER);
	assert_int_equal(wire_decode(msg, len, &m), EM_OK);
	if (m.type == WIRE_RECON) {
		h->recons++;
		memcpy(h->recon, m.u.recon.data, m.u.recon.len);
		h->recon_len = m.u.recon.len;
	}
	if (m.type == WIRE_HAVE)
		h->haves += m.u.ids.n;
	if (m.type != WIRE_RECORDS)
		return;
	for (uint32_t i = 0; i < m.u.records.n; i++) {
		uint8_t id[32];
		int k;

		hash_blake2b(id, m.u.records.rec[i], m.u.records.len[i]);
		assert_true((k = find(h, id)) >= 0);
		h->sent[k]++;
		h->rec_bytes += m.u.records.len[i];
	}
}

static void
h_drop(void *ctx, uint32_t peer, const char *reason, int ban)
{
	fhost *h = ctx;

	(void)peer;
	(void)reason;
	h->drops++;
	h->bans += ban != 0;
}

static uint64_t
h_rand(void *ctx)
{
	return ++((fhost *)ctx)->rng;
}

static size_t
h_backlog(void *ctx, uint32_t peer)
{
	assert_int_equal(peer, PEER);
	return ((fhost *)ctx)->backlog;
}

typedef struct fx {
	fhost	 h;
	gossip	*g;
	ident	*who;
} fx;

/* A core with opts (NULL: the defaults) whose host holds NREC records of
 * one author, seqs 1..NREC, and one peer, PEER, up at T0; late: the host
 * has the backlog callback. */
static fx *
fx_make(const gossip_opts *opts, int late)
{
	fx *f = calloc(1, sizeof *f);
	gossip_host gh = { .has = h_has, .ingest = h_ingest, .get = h_get,
	    .keys_open = h_keys_open, .keys_seek = h_seek, .keys_next = h_next,
	    .keys_count = h_count, .keys_close = h_keys_close, .send = h_send,
	    .drop = h_drop, .rand = h_rand };
	uint8_t netid[32];

	assert_non_null(f);
	tu_netid(netid);
	assert_int_equal(ident_generate(&f->who), EM_OK);
	memcpy(f->h.author, ident_pk(f->who), 32);
	for (int i = 0; i < NREC; i++) {
		tu_record(f->who, netid, (uint64_t)i + 1, (uint32_t)i, &f->h.rec[i], &f->h.len[i]);
		hash_blake2b(f->h.id[i], f->h.rec[i], f->h.len[i]);
		memcpy(f->h.keys + 32 * i, f->h.id[i], 32);
	}
	qsort(f->h.keys, NREC, 32, cmp_key);
	f->h.arr.keys = f->h.keys;
	f->h.arr.n = NREC;
	gh.ctx = &f->h;
	gh.backlog = late ? h_backlog : NULL;
	assert_int_equal(gossip_new(&gh, opts, &f->g), EM_OK);
	assert_int_equal(gossip_peer_up(f->g, PEER, T0), EM_OK);
	return f;
}

static fx *
fx_new(const gossip_opts *opts)
{
	return fx_make(opts, 0);
}

static void
fx_free(fx *f)
{
	gossip_free(f->g);
	for (int i = 0; i < NREC; i++)
		free(f->h.rec[i]);
	ident_free(f->who);
	free(f);
}

static int
score(fx *f)
{
	gossip_peer_info info[4];

	assert_int_equal(gossip_peers(f->g, info, 4), 1);
	return info[0].score;
}

static void
ignore_lacks(void *ctx, const uint8_t key[static RECON_KEY])
{
	(void)ctx;
	(void)key;
}

/* One recon message from PEER at now. */
static void
recon_from_peer(fx *f, int started, const uint8_t *p, size_t len, uint64_t now)
{
	wire_msg m = { .type = WIRE_RECON };

	m.u.recon.started = started;
	m.u.recon.data = p;
	m.u.recon.len = len;
	if (gossip_admit(f->g, PEER, now))
		gossip_recv(f->g, PEER, &m, now);
}

/* A whole session PEER starts at now, over the records it was sent so
 * far (none: "I hold nothing, send me all"), played out to its end: what
 * it lacks is pushed as the budgets allow. */
static void
session(fx *f, int held_none, uint64_t now)
{
	static uint8_t keys[NREC * 32], out[WIRE_RECON_MAX];
	recon_array arr = { keys, 0, 0 };
	recon_host h = { &arr, recon_array_seek, recon_array_next, recon_array_count,
	    ignore_lacks };
	recon *r;
	size_t len;

	for (int i = 0; i < NREC && !held_none; i++)
		if (f->h.sent[i] > 0)
			memcpy(keys + 32 * arr.n++, f->h.id[i], 32);
	qsort(keys, arr.n, 32, cmp_key);
	assert_int_equal(recon_new(&h, NULL, &r), EM_OK);
	assert_int_equal(recon_start(r, out, sizeof out, &len), EM_OK);
	for (int k = 0; len > 0 && k < 70; k++) {
		uint32_t before = f->h.recons;

		recon_from_peer(f, 1, out, len, now);
		if (f->h.recons == before || recon_done(r))
			break;		/* not answered, or nothing more to say */
		assert_int_equal(recon_recv(r, f->h.recon, f->h.recon_len, out,
		    sizeof out, &len), EM_OK);
	}
	recon_free(r);
}

static void
empty_session(fx *f, uint64_t now)
{
	session(f, 1, now);
}

/* A want from PEER for n ids: record k % NREC for k from first on. */
static void
want(fx *f, uint32_t first, uint32_t n, uint64_t now)
{
	wire_msg m = { .type = WIRE_WANT };
	uint8_t *ids = malloc((size_t)n * 32);

	assert_non_null(ids);
	for (uint32_t i = 0; i < n; i++)
		memcpy(ids + 32 * i, f->h.id[(first + i) % NREC], 32);
	m.u.ids.n = n;
	m.u.ids.ids = ids;
	gossip_recv(f->g, PEER, &m, now);
	free(ids);
}

/* --- the bucket */

/* Tokens come back by the millisecond at rate per second, up to burst and
 * no further; a clock read out of order adds nothing. */
static void
test_bucket_refills_to_burst(void **state)
{
	bucket b;

	(void)state;
	bucket_start(&b, 0, 1000);
	assert_int_equal(bucket_level(&b, 1000, 5000, 1000), 0);
	assert_int_equal(bucket_level(&b, 1000, 5000, 1001), 1);
	assert_int_equal(bucket_level(&b, 1000, 5000, 1500), 500);
	assert_int_equal(bucket_level(&b, 1000, 5000, 1400), 500);	/* back in time */
	assert_int_equal(bucket_level(&b, 1000, 5000, 6000), 5000);
	assert_int_equal(bucket_level(&b, 1000, 5000, 60000), 5000);
	/* a rate of a few a second keeps its fractions: 4/s is one per 250 ms */
	bucket_start(&b, 0, 0);
	for (uint64_t t = 1; t < 250; t++)
		assert_int_equal(bucket_level(&b, 4, 8, t), 0);
	assert_int_equal(bucket_level(&b, 4, 8, 250), 1);
	assert_int_equal(bucket_level(&b, 4, 8, 1999), 7);
	assert_int_equal(bucket_level(&b, 4, 8, 2000), 8);
	/* half a billion years of silence: full, and no overflow on the way */
	bucket_start(&b, 0, 0);
	assert_int_equal(bucket_level(&b, 8u << 20, 16u << 20, UINT64_MAX / 2), 16u << 20);
	assert_int_equal(bucket_level(&b, UINT32_MAX, 1ull << 40, UINT64_MAX), 1ull << 40);
}

/* A cost is taken whole or not at all; one over the burst waits for a full
 * bucket, then leaves it in debt for as long as the excess takes to come
 * back. */
static void
test_bucket_takes_whole_costs(void **state)
{
	bucket b;

	(void)state;
	bucket_start(&b, 5000, 0);
	assert_true(bucket_take(&b, 1000, 5000, 3000, 0));
	assert_false(bucket_take(&b, 1000, 5000, 2001, 0));
	assert_int_equal(bucket_level(&b, 1000, 5000, 0), 2000);
	assert_true(bucket_take(&b, 1000, 5000, 2000, 0));
	assert_false(bucket_take(&b, 1000, 5000, 1, 0));
	assert_true(bucket_take(&b, 1000, 5000, 1, 1));
	/* 9000 at a burst of 5000: not until full (5 s), then 4 s of debt */
	assert_false(bucket_take(&b, 1000, 5000, 9000, 4999));
	assert_true(bucket_take(&b, 1000, 5000, 9000, 5001));
	assert_int_equal(bucket_level(&b, 1000, 5000, 9000), 0);
	assert_int_equal(bucket_level(&b, 1000, 5000, 9001), 0);
	assert_int_equal(bucket_level(&b, 1000, 5000, 9002), 1);
	assert_int_equal(bucket_level(&b, 1000, 5000, 14001), 5000);
}

/* --- the answer budget */

static const gossip_opts small = {
	.eager_max = 4, .graft_ms = 150, .want_ms = 1000, .ae_ms = 1000,
	.msg_rate = 2000, .msg_burst = 8000, .author_rate = 20000,
	.answer_rate = 8000, .answer_burst = 16000,
};

static uint32_t
records_sent(fx *f)
{
	uint32_t n = 0;

	for (int i = 0; i < NREC; i++)
		n += f->h.sent[i];
	return n;
}

/* The defaults: a new peer may ask for one second's worth (4 MiB) at once,
 * and then for 4 MiB a second, up to a burst of 8 MiB after a quiet
 * spell; one answer larger than that goes once the budget is full. A peer
 * the core does not know gets nothing. */
static void
test_default_budget(void **state)
{
	fx *f = fx_new(NULL);

	(void)state;
	assert_true(gossip_answer(f->g, PEER, 4u << 20, T0));
	assert_false(gossip_answer(f->g, PEER, 1, T0));
	assert_true(gossip_answer(f->g, PEER, 1u << 20, T0 + 250));
	assert_false(gossip_answer(f->g, PEER, 8u << 20, T0 + 2249));
	assert_true(gossip_answer(f->g, PEER, 8u << 20, T0 + 2251));
	assert_true(gossip_answer(f->g, PEER, 9u << 20, T0 + 5000));
	assert_false(gossip_answer(f->g, PEER, 1, T0 + 5250));
	assert_false(gossip_answer(f->g, PEER + 1, 1, T0 + 60000));
	assert_int_equal(score(f), 0);
	fx_free(f);
}

/* How many of the author's records PEER was sent at least once. */
static uint32_t
held_by_peer(fx *f)
{
	uint32_t n = 0;

	for (int i = 0; i < NREC; i++)
		n += f->h.sent[i] > 0;
	return n;
}

/* A reconciliation message of a few bytes asks for every record we hold:
 * a session pushes only what the peer's budget holds, and is stopped
 * there; later sessions push the rest as the budget refills — without
 * scoring the peer, since a node that is catching up honestly asks for a
 * lot. */
static void
test_sync_push_within_budget(void **state)
{
	fx *f = fx_new(&small);
	uint64_t t = T0, prev;
	size_t most = 0;
	int rounds = 0;

	(void)state;
	for (int i = 0; i < NREC; i++)	/* records are pushed in any order */
		most = f->h.len[i] > most ? f->h.len[i] : most;
	empty_session(f, t);
	assert_true(f->h.rec_bytes <= 8000);
	assert_true(f->h.rec_bytes + most > 8000);	/* what fit went */
	empty_session(f, t + 600);	/* 600 ms later, 4800 bytes more */
	assert_true(f->h.rec_bytes <= 8000 + 4800);
	assert_true(f->h.rec_bytes + most > 8000 + 4800);
	prev = f->h.rec_bytes;
	t += 60000;			/* a quiet minute: a full burst */
	empty_session(f, t);
	assert_true(f->h.rec_bytes - prev <= 16000);
	assert_true(f->h.rec_bytes - prev + most > 16000);
	/* a session a second, over what the peer got: 8000 bytes a round
	 * (and what the burst left) until it holds them all */
	while (held_by_peer(f) < NREC && rounds++ < 50) {
		t += 1000;
		session(f, 0, t);
		assert_true(f->h.rec_bytes <= prev + 16000 + 8000 * (uint64_t)rounds);
	}
	assert_int_equal(held_by_peer(f), NREC);
	assert_true(rounds > 5 && rounds < 20);
	assert_int_equal(score(f), 0);
	assert_int_equal(f->h.drops, 0);
	fx_free(f);
}

/* Our messages in a session the peer started are answers too: when its
 * budget runs out, the session is stopped (one byte, asking nothing). */
static void
test_session_answers_charged(void **state)
{
	gossip_opts tiny = small;
	static uint8_t keys[300 * 32], out[WIRE_RECON_MAX];
	static const uint8_t fp_all[2 + RECON_FP] = { 1, 1 << 6 | 63, 42 };
	recon_array arr = { keys, 300, 0 };
	recon_host h = { &arr, recon_array_seek, recon_array_next, recon_array_count,
	    ignore_lacks };
	uint64_t rng = 3;
	fx *f;
	recon *r;
	size_t len;

	(void)state;
	tiny.answer_rate = tiny.answer_burst = 200;
	f = fx_new(&tiny);
	/* all of ours, and 200 more: it lacks nothing, we push nothing */
	memcpy(keys, f->h.keys, NREC * 32);
	for (size_t i = NREC * 4; i < sizeof keys / 8; i++) {
		uint64_t x = tu_next(&rng);

		memcpy(keys + 8 * i, &x, 8);
	}
	qsort(keys, 300, 32, cmp_key);
	assert_int_equal(recon_new(&h, NULL, &r), EM_OK);
	assert_int_equal(recon_start(r, out, sizeof out, &len), EM_OK);
	recon_from_peer(f, 1, out, len, T0);	/* sixteen fingerprints */
	assert_int_equal(f->h.recons, 1);
	assert_true(f->h.recon_len > 200);	/* over the burst: once, when full */
	/* the session is open (our lists ask): a message that asks again, a
	 * fingerprint of the whole key space that matches nothing */
	recon_from_peer(f, 1, fp_all, sizeof fp_all, T0 + 10);
	assert_int_equal(f->h.recons, 2);
	assert_int_equal(f->h.recon_len, 1);	/* stopped */
	assert_int_equal(records_sent(f), 0);
	assert_int_equal(score(f), 0);
	recon_free(r);
	fx_free(f);
}

/* Wanted records go at once while the budget holds them; the rest wait,
 * in the order asked, and go as the budget refills, each once. */
static void
test_wants_wait_for_budget(void **state)
{
	fx *f = fx_new(&small);
	uint64_t t = T0;
	uint32_t first;
	int i;

	(void)state;
	want(f, 0, 40, t);
	first = records_sent(f);
	assert_true(first >= 1 && first < 40);
	assert_true(f->h.rec_bytes <= 8000);
	for (i = 0; i < (int)first; i++)
		assert_int_equal(f->h.sent[i], 1);
	assert_int_equal(f->h.sent[first], 0);	/* in order */
	gossip_tick(f->g, t);
	assert_int_equal(records_sent(f), first);	/* no time, no budget */
	gossip_tick(f->g, t + 500);
	assert_true(records_sent(f) > first);
	assert_true(f->h.rec_bytes <= 8000 + 4000);
	for (int k = 0; k < 20 && records_sent(f) < 40; k++)
		gossip_tick(f->g, t += 500);
	assert_int_equal(records_sent(f), 40);
	for (i = 0; i < NREC; i++)
		assert_int_equal(f->h.sent[i], i < 40);
	gossip_tick(f->g, t + 60000);
	assert_int_equal(records_sent(f), 40);
	/* nothing for its wants; the scripted peer answers none of our
	 * reconciliation sessions, which costs it that much at most */
	assert_true(score(f) <= PENALTY_UNANSWERED);
	fx_free(f);
}

/* An honest peer wants what it was told of and waits for it. One whose
 * wants pile up past what may wait (WIRE_IDS_MAX ids) asks for more than
 * it can receive: each such message costs it PENALTY_FLOOD, and a steady
 * stream of them gets it dropped and banned. */
static void
test_wants_beyond_waiting_scored(void **state)
{
	fx *f = fx_new(&small);

	(void)state;
	assert_true(gossip_answer(f->g, PEER, 8000, T0));	/* spent */
	want(f, 0, WIRE_IDS_MAX, T0);
	assert_int_equal(records_sent(f), 0);
	assert_int_equal(score(f), 0);		/* all of it may wait */
	want(f, 0, 1, T0);
	assert_int_equal(score(f), PENALTY_FLOOD);
	want(f, 5, 3, T0);			/* once a message, not an id */
	assert_int_equal(score(f), 2 * PENALTY_FLOOD);
	for (int i = 0; i < 8; i++)
		want(f, 1, 1, T0);
	assert_int_equal(f->h.drops, 1);
	assert_int_equal(f->h.bans, 1);
	assert_int_equal(records_sent(f), 0);
	fx_free(f);
}

/* --- late binding */

/* Record i published here at now (as the host found it stored). */
static void
publish(fx *f, int i, uint64_t now)
{
	rec_env env;

	assert_int_equal(rec_parse(f->h.rec[i], f->h.len[i], &env, NULL), EM_OK);
	gossip_publish(f->g, &env, now);
}

/* ids of records first..first+n-1 from PEER, as type (have, want). */
static void
ids_from_peer(fx *f, uint8_t type, int first, int n, uint64_t now)
{
	wire_msg m = { .type = type };
	uint8_t ids[NREC * 32];

	for (int i = 0; i < n; i++)
		memcpy(ids + 32 * i, f->h.id[first + i], 32);
	m.u.ids.n = (uint32_t)n;
	m.u.ids.ids = ids;
	gossip_recv(f->g, PEER, &m, now);
}

static uint32_t
sent_total(fx *f)
{
	uint32_t n = 0;

	for (int i = 0; i < NREC; i++)
		n += f->h.sent[i];
	return n;
}

/* A peer the host holds little for is pushed to at once, with or
 * without the callback. */
static void
test_pushes_go_at_once_with_room(void **state)
{
	(void)state;
	for (int late = 0; late < 2; late++) {
		fx *f = fx_make(NULL, late);

		f->h.backlog = 100;
		publish(f, 0, T0 + 10);
		assert_int_equal(f->h.sent[0], 1);
		gossip_flush(f->g);
		assert_int_equal(sent_total(f), 1);
		assert_int_equal(f->h.haves, 0);
		fx_free(f);
	}
}

/* While the host holds GOSSIP_PUSH_BACKLOG bytes for the peer, pushes wait as
 * ids; they go as room comes (a record per flush when there is room for
 * one), and one the peer announced meanwhile is never sent. */
static void
test_pushes_wait_for_room(void **state)
{
	fx *f = fx_make(NULL, 1);

	(void)state;
	f->h.backlog = 1 << 20;
	for (int i = 0; i < 10; i++)
		publish(f, i, T0 + 10);
	gossip_flush(f->g);
	assert_int_equal(sent_total(f), 0);
	ids_from_peer(f, WIRE_HAVE, 3, 1, T0 + 20);	/* it holds record 3 */
	f->h.backlog = GOSSIP_PUSH_BACKLOG - 1;		/* room for one record */
	gossip_flush(f->g);
	assert_int_equal(sent_total(f), 1);
	assert_int_equal(f->h.sent[0], 1);	/* in order */
	f->h.backlog = 0;
	gossip_tick(f->g, T0 + 70);		/* the tick drains too */
	assert_int_equal(sent_total(f), 9);
	assert_int_equal(f->h.sent[3], 0);
	assert_int_equal(f->h.haves, 0);
	publish(f, 10, T0 + 80);		/* the queue is empty: at once */
	assert_int_equal(f->h.sent[10], 1);
	fx_free(f);
}

/* Pushes still waiting when the peer prunes the link are announced
 * instead: it wants them if it lacks them. */
static void
test_waiting_pushes_pruned_announced(void **state)
{
	fx *f = fx_make(NULL, 1);
	wire_msg m = { .type = WIRE_PRUNE };

	(void)state;
	f->h.backlog = 1 << 20;
	for (int i = 0; i < 5; i++)
		publish(f, i, T0 + 10);
	memcpy(m.u.author, f->h.author, 32);
	gossip_recv(f->g, PEER, &m, T0 + 20);
	f->h.backlog = 0;
	gossip_flush(f->g);
	assert_int_equal(sent_total(f), 0);
	assert_int_equal(f->h.haves, 5);
	fx_free(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bucket_refills_to_burst),
		cmocka_unit_test(test_bucket_takes_whole_costs),
		cmocka_unit_test(test_default_budget),
		cmocka_unit_test(test_sync_push_within_budget),
		cmocka_unit_test(test_wants_wait_for_budget),
		cmocka_unit_test(test_wants_beyond_waiting_scored),
		cmocka_unit_test(test_session_answers_charged),
		cmocka_unit_test(test_pushes_go_at_once_with_room),
		cmocka_unit_test(test_pushes_wait_for_room),
		cmocka_unit_test(test_waiting_pushes_pruned_announced),
	};

	hash_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
