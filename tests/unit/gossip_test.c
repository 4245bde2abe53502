/* The gossip core's limits on what a peer's asks make us send
 * (proto/gossip.c, gossip_sync.c) and the token bucket they count with
 * (proto/bucket.h), on a fake clock: the core takes its time as an
 * argument, so seconds of refill run in microseconds. The host here holds
 * one author's records in memory and counts what the core sends. */
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
	uint32_t	 summaries;	/* summaries sent */
	uint32_t	 drops, bans;
	uint64_t	 rng;
} fhost;

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
h_ingest(void *ctx, const rec_env *env)
{
	(void)ctx;
	(void)env;
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

static uint32_t
h_summary(void *ctx, uint8_t *entries, uint32_t cap)
{
	fhost *h = ctx;

	assert_true(cap >= 1);
	wire_entry_put(entries, 0, h->author, NREC, NREC);
	return 1;
}

static void
h_feed(void *ctx, const uint8_t author[static 32], uint64_t from, uint64_t to,
    uint32_t max, void (*fn)(void *arg, const uint8_t *rec, size_t len), void *arg)
{
	fhost *h = ctx;

	assert_memory_equal(author, h->author, 32);
	for (uint64_t s = from; s <= to && s <= NREC && max > 0; s++, max--)
		fn(arg, h->rec[s - 1], h->len[s - 1]);
}

static void
h_send(void *ctx, uint32_t peer, const uint8_t *msg, size_t len)
{
	fhost *h = ctx;
	static wire_msg m;	/* large for the stack */

	assert_int_equal(peer, PEER);
	assert_int_equal(wire_decode(msg, len, &m), EM_OK);
	if (m.type == WIRE_SUMMARY)
		h->summaries++;
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

typedef struct fx {
	fhost	 h;
	gossip	*g;
	ident	*who;
} fx;

/* A core with opts (NULL: the defaults) whose host holds NREC records of
 * one author, seqs 1..NREC, and one peer, PEER, up at T0. */
static fx *
fx_new(const gossip_opts *opts)
{
	fx *f = calloc(1, sizeof *f);
	gossip_host gh = { .has = h_has, .ingest = h_ingest, .get = h_get,
	    .summary = h_summary, .feed = h_feed, .send = h_send, .drop = h_drop,
	    .rand = h_rand };
	uint8_t netid[32];

	assert_non_null(f);
	tu_netid(netid);
	assert_int_equal(ident_generate(&f->who), EM_OK);
	memcpy(f->h.author, ident_pk(f->who), 32);
	for (int i = 0; i < NREC; i++) {
		tu_record(f->who, netid, (uint64_t)i + 1, (uint32_t)i, &f->h.rec[i], &f->h.len[i]);
		hash_blake2b(f->h.id[i], f->h.rec[i], f->h.len[i]);
	}
	gh.ctx = &f->h;
	assert_int_equal(gossip_new(&gh, opts, &f->g), EM_OK);
	assert_int_equal(gossip_peer_up(f->g, PEER, T0), EM_OK);
	return f;
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

/* A summary from PEER at now saying it holds the author's first held
 * records (0: an empty summary, "I hold nothing, send me all"). */
static void
summary(fx *f, uint32_t held, uint64_t now)
{
	wire_msg m = { .type = WIRE_SUMMARY };
	uint8_t e[WIRE_SUMMARY_ENTRY];

	wire_entry_put(e, 0, f->h.author, held, held);
	m.u.summary.n = held > 0;
	m.u.summary.entries = e;
	gossip_recv(f->g, PEER, &m, now);
}

static void
empty_summary(fx *f, uint64_t now)
{
	summary(f, 0, now);
}

/* How many of the author's records, from the first on, PEER was sent. */
static uint32_t
prefix_sent(fx *f)
{
	uint32_t n = 0;

	while (n < NREC && f->h.sent[n] > 0)
		n++;
	return n;
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
	.ae_records = 512, .msg_rate = 2000, .msg_burst = 8000, .author_rate = 20000,
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

/* A summary of a few bytes asks for every record we hold: anti-entropy
 * pushes only what the peer's budget holds, and the rest at its later
 * summaries, as the budget refills — without scoring it, since a node
 * that is catching up honestly asks for a lot. */
static void
test_sync_push_within_budget(void **state)
{
	fx *f = fx_new(&small);
	uint64_t t = T0, prev;
	int rounds = 0;

	(void)state;
	empty_summary(f, t);
	assert_true(f->h.rec_bytes <= 8000);
	assert_true(f->h.rec_bytes + f->h.len[0] > 8000);	/* what fit went */
	empty_summary(f, t + 100);	/* 100 ms later, 800 bytes more */
	assert_true(f->h.rec_bytes <= 8000 + 800);
	prev = f->h.rec_bytes;
	t += 60000;			/* a quiet minute: a full burst */
	empty_summary(f, t);
	assert_true(f->h.rec_bytes - prev <= 16000);
	assert_true(f->h.rec_bytes - prev + f->h.len[0] > 16000);
	/* a round a second, the peer saying what it got: 8000 bytes a round
	 * (and what the burst left) until it holds them all */
	while (prefix_sent(f) < NREC && rounds++ < 50) {
		t += 1000;
		summary(f, prefix_sent(f), t);
		assert_true(f->h.rec_bytes <= prev + 16000 + 8000 * (uint64_t)rounds);
	}
	assert_true(rounds > 5 && rounds < 20);
	assert_int_equal(score(f), 0);
	assert_int_equal(f->h.drops, 0);
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
	assert_int_equal(score(f), 0);
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

/* An honest node sends a summary every 0.5-1.5 rounds and one in reply to
 * each of ours: four a round, with a burst of eight, leave room for
 * jitter. More cost PENALTY_FLOOD each and are not answered. */
static void
test_summaries_rate(void **state)
{
	fx *f = fx_new(&small);
	uint64_t t = T0 + 60000, before;

	(void)state;
	for (int i = 0; i < 8; i++)
		empty_summary(f, t);
	assert_int_equal(score(f), 0);
	before = f->h.rec_bytes;
	empty_summary(f, t);
	assert_int_equal(score(f), PENALTY_FLOOD);
	assert_int_equal(f->h.rec_bytes, before);
	empty_summary(f, t + 249);
	assert_int_equal(score(f), 2 * PENALTY_FLOOD);
	empty_summary(f, t + 250);		/* one per 250 ms again */
	assert_int_equal(score(f), 2 * PENALTY_FLOOD);
	/* the honest pace, a summary every half round for a minute: free */
	for (int i = 0; i < 120; i++) {
		t += 500;
		empty_summary(f, t);
		gossip_tick(f->g, t);
	}
	assert_int_equal(score(f), 0);		/* faded, a point a second */
	assert_int_equal(f->h.drops, 0);
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
		cmocka_unit_test(test_summaries_rate),
	};

	hash_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
