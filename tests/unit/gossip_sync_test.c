/* The gossip core's reconciliation rules, on two real cores joined by a
 * queue, or one core and a scripted peer: sessions reach every record of
 * any number of authors, pushes stay within the budget, a slow answer is
 * dropped and costs the peer, a second session too soon is not answered,
 * malformed messages are scored, a peer's work share runs out, and rounds
 * back off while nothing is found. The clock is the test's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gossip.h"
#include "hash.h"
#include "recon.h"
#include "testutil.h"

#define RAW	100		/* the scripted peer's handle */
#define QMAX	100000

typedef struct tnode {
	int		 idx;
	gossip		*g;
	recon_array	 arr;		/* over ids */
	uint8_t		*ids;		/* sorted */
	uint8_t		**rec;		/* in the order of ids */
	size_t		*len, n, cap;
	int		 drops, bans;
	char		 why[256];
	uint64_t	 rng;
} tnode;

typedef struct qmsg {
	int		 src, dst;
	uint8_t		*bytes;
	size_t		 len;
} qmsg;

static tnode nodes[3];
static qmsg queue[QMAX];
static size_t q_head, q_tail;
static uint64_t now;
static uint8_t netid[32];

/* the pool: n records by n authors */
static uint8_t **pool;
static size_t *pool_len, pool_n;

static int
cmp_key(const void *a, const void *b)
{
	return memcmp(a, b, 32);
}

static ssize_t
find(const tnode *t, const uint8_t id[static 32])
{
	uint8_t *p = t->n > 0 ? bsearch(id, t->ids, t->n, 32, cmp_key) : NULL;

	return p == NULL ? -1 : (p - t->ids) / 32;
}

static void
hold(tnode *t, const uint8_t *rec, size_t len)
{
	uint8_t id[32];
	size_t at = 0;

	hash_blake2b(id, rec, len);
	if (find(t, id) >= 0)
		return;
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 64;
		t->ids = realloc(t->ids, t->cap * 32);
		t->rec = realloc(t->rec, t->cap * sizeof *t->rec);
		t->len = realloc(t->len, t->cap * sizeof *t->len);
		assert_true(t->ids && t->rec && t->len);
	}
	while (at < t->n && memcmp(t->ids + at * 32, id, 32) < 0)
		at++;
	memmove(t->ids + (at + 1) * 32, t->ids + at * 32, (t->n - at) * 32);
	memmove(t->rec + at + 1, t->rec + at, (t->n - at) * sizeof *t->rec);
	memmove(t->len + at + 1, t->len + at, (t->n - at) * sizeof *t->len);
	memcpy(t->ids + at * 32, id, 32);
	t->rec[at] = malloc(len);
	memcpy(t->rec[at], rec, len);
	t->len[at] = len;
	t->n++;
	t->arr.keys = t->ids;
	t->arr.n = t->n;
}

/* --- the host */

static int
h_has(void *ctx, const uint8_t id[static 32])
{
	return find(ctx, id) >= 0;
}

static int
h_ingest(void *ctx, const rec_env *env, int how)
{
	tnode *t = ctx;

	(void)how;
	if (rec_verify(env, netid) != EM_OK)
		return GOSSIP_INVALID;
	if (find(t, env->id) >= 0)
		return GOSSIP_DUP;
	hold(t, env->bytes, env->len);
	return GOSSIP_NEW;
}

static int
h_get(void *ctx, const uint8_t id[static 32], uint8_t **rec, size_t *len)
{
	tnode *t = ctx;
	ssize_t i = find(t, id);

	if (i < 0)
		return -1;
	*rec = malloc(t->len[i]);
	memcpy(*rec, t->rec[i], t->len[i]);
	*len = t->len[i];
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

static void
h_send(void *ctx, uint32_t peer, const uint8_t *msg, size_t len)
{
	tnode *t = ctx;
	qmsg *q = &queue[q_tail++ % QMAX];

	assert_true(q_tail - q_head <= QMAX);
	q->src = t->idx;
	q->dst = (int)peer;
	q->bytes = malloc(len);
	memcpy(q->bytes, msg, len);
	q->len = len;
}

static void
h_drop(void *ctx, uint32_t peer, const char *reason, int ban)
{
	tnode *t = ctx;

	(void)peer;
	t->drops++;
	t->bans += ban;
	snprintf(t->why, sizeof t->why, "%s", reason);
}

static uint64_t
h_rand(void *ctx)
{
	return tu_next(&((tnode *)ctx)->rng);
}

static void
node_free(tnode *t)
{
	gossip_free(t->g);
	for (size_t i = 0; i < t->n; i++)
		free(t->rec[i]);
	free(t->ids);
	free(t->rec);
	free(t->len);
}

static void
make_pool(size_t n)
{
	pool = calloc(n, sizeof *pool);
	pool_len = calloc(n, sizeof *pool_len);
	pool_n = n;
	for (size_t i = 0; i < n; i++) {
		ident *a;

		assert_int_equal(ident_generate(&a), EM_OK);
		tu_record(a, netid, 1, (uint32_t)i, &pool[i], &pool_len[i]);
		ident_free(a);
	}
}

static void
free_pool(void)
{
	for (size_t i = 0; i < pool_n; i++)
		free(pool[i]);
	free(pool);
	free(pool_len);
	pool = NULL;
	pool_n = 0;
}

/* Delivers queued messages (those to RAW are handed to raw, if set) until
 * none is left. */
static void
pump(void (*raw)(const wire_msg *m))
{
	wire_msg *m = malloc(sizeof *m);

	while (q_head < q_tail) {
		qmsg q = queue[q_head++ % QMAX];

		assert_int_equal(wire_decode(q.bytes, q.len, m), EM_OK);
		if (q.dst == RAW) {
			if (raw != NULL)
				raw(m);
		} else if (gossip_admit(nodes[q.dst].g, (uint32_t)q.src, now)) {
			gossip_recv(nodes[q.dst].g, (uint32_t)q.src, m, now);
			gossip_flush(nodes[q.dst].g);
		}
		free(q.bytes);
	}
	free(m);
}

static void
drain(void)
{
	while (q_head < q_tail)
		free(queue[q_head++ % QMAX].bytes);
}

/* Ticks both (or one) nodes every 50 ms for ms, delivering as it goes. */
static void
run(int n_nodes, uint64_t ms, void (*raw)(const wire_msg *m))
{
	for (uint64_t end = now + ms; now < end; now += 50) {
		for (int i = 0; i < n_nodes; i++)
			gossip_tick(nodes[i].g, now);
		pump(raw);
	}
}

static int
score_of(tnode *t, uint32_t peer)
{
	gossip_peer_info info[8];
	uint32_t n = gossip_peers(t->g, info, 8);

	for (uint32_t i = 0; i < n && i < 8; i++)
		if (info[i].peer == peer)
			return info[i].score;
	return -1;
}

static int
setup(void **state)
{
	(void)state;
	tu_netid(netid);
	now = 1000;
	q_head = q_tail = 0;
	return 0;
}

/* recon_array's functions take the array as ctx; the host's ctx is the
 * node, so route them. */
static int
seek_of(void *ctx, const uint8_t from[static 32], uint8_t key[static 32])
{
	return recon_array_seek(&((tnode *)ctx)->arr, from, key);
}

static int
next_of(void *ctx, uint8_t key[static 32])
{
	return recon_array_next(&((tnode *)ctx)->arr, key);
}

static int
count_of(void *ctx, uint64_t *n)
{
	return recon_array_count(&((tnode *)ctx)->arr, n);
}

static void
nodes_init(int k, const gossip_opts *o)
{
	for (int i = 0; i < k; i++) {
		tnode *t = &nodes[i];
		gossip_host h = { t, h_has, h_ingest, h_get, h_keys_open, seek_of, next_of,
		    count_of, h_keys_close, h_send, h_drop, h_rand, NULL };

		memset(t, 0, sizeof *t);
		t->idx = i;
		t->rng = 1234567 + (uint64_t)i;
		assert_int_equal(gossip_new(&h, o, &t->g), EM_OK);
	}
}

static void
connect(int a, int b)
{
	assert_int_equal(gossip_peer_up(nodes[a].g, (uint32_t)b, now), EM_OK);
	assert_int_equal(gossip_peer_up(nodes[b].g, (uint32_t)a, now), EM_OK);
}

/* A recon payload as RAW sends it, wrapped in a wire message to node 0. */
static void
raw_send(int started, const uint8_t *p, size_t len)
{
	wire_msg m = { .type = WIRE_RECON };

	m.u.recon.started = started;
	m.u.recon.data = p;
	m.u.recon.len = len;
	if (gossip_admit(nodes[0].g, RAW, now))
		gossip_recv(nodes[0].g, RAW, &m, now);
}

/* What RAW was sent: recon messages (the last kept) and record bytes. */
static uint8_t raw_last[WIRE_RECON_MAX];
static size_t raw_last_len, raw_recons, raw_records, raw_bytes;

static void
raw_take(const wire_msg *m)
{
	if (m->type == WIRE_RECON) {
		raw_recons++;
		memcpy(raw_last, m->u.recon.data, m->u.recon.len);
		raw_last_len = m->u.recon.len;
	} else if (m->type == WIRE_RECORDS) {
		raw_records += m->u.records.n;
		for (uint32_t i = 0; i < m->u.records.n; i++)
			raw_bytes += m->u.records.len[i];
	}
}

static void
raw_reset(void)
{
	raw_last_len = raw_recons = raw_records = raw_bytes = 0;
}

static void
ignore_lacks(void *ctx, const uint8_t key[static RECON_KEY])
{
	(void)ctx;
	(void)key;
}

/* The first message of a session over nothing: a list of no keys, which
 * asks nothing (the peer pushes what it has and the session ends). */
static size_t
empty_start(uint8_t *out)
{
	recon_array arr = { NULL, 0, 0 };
	recon_host h = { &arr, recon_array_seek, recon_array_next, recon_array_count,
	    ignore_lacks };
	recon *r;
	size_t len;

	assert_int_equal(recon_new(&h, NULL, &r), EM_OK);
	assert_int_equal(recon_start(r, out, WIRE_RECON_MAX, &len), EM_OK);
	recon_free(r);
	return len;
}

/* A node that joins late gets every record, whatever the number of
 * authors (the summaries this replaces stopped at 8,192 of them). */
static void
test_late_joiner(void **state)
{
	gossip_stats st;

	(void)state;
	make_pool(300);
	nodes_init(2, NULL);
	for (size_t i = 0; i < pool_n; i++)
		hold(&nodes[0], pool[i], pool_len[i]);
	connect(0, 1);
	for (int k = 0; k < 200 && nodes[1].n < pool_n; k++)
		run(2, 100, NULL);
	assert_int_equal(nodes[1].n, pool_n);
	assert_memory_equal(nodes[0].ids, nodes[1].ids, pool_n * 32);
	gossip_get_stats(nodes[1].g, &st);
	assert_int_equal(st.received[WIRE_SYNC] - st.duplicates[WIRE_SYNC], pool_n);
	assert_int_equal(st.received[WIRE_PUSH], 0);
	assert_true(gossip_last_sync(nodes[1].g) > 0);
	print_message("late joiner: %zu records by %zu authors in %llu ms, %llu duplicates\n",
	    pool_n, pool_n, (unsigned long long)(now - 1000),
	    (unsigned long long)st.duplicates[WIRE_SYNC]);
	node_free(&nodes[0]);
	node_free(&nodes[1]);
	free_pool();
}

/* One session pushes at most ae_bytes (and the first record always). */
static void
test_push_budget(void **state)
{
	gossip_opts o = { .ae_bytes = 40000 };
	uint8_t start[64];
	size_t len = empty_start(start), most = 0;
	gossip_stats st;

	(void)state;
	make_pool(200);
	nodes_init(1, &o);
	for (size_t i = 0; i < pool_n; i++) {
		hold(&nodes[0], pool[i], pool_len[i]);
		most = pool_len[i] > most ? pool_len[i] : most;
	}
	assert_int_equal(gossip_peer_up(nodes[0].g, RAW, now), EM_OK);
	raw_reset();
	raw_send(1, start, len);
	pump(raw_take);
	assert_true(raw_records > 0);
	assert_true(raw_bytes <= 40000 + most);
	assert_true(raw_bytes + most > 40000);	/* and it used it */
	gossip_get_stats(nodes[0].g, &st);
	assert_int_equal(st.sessions_answered, 1);
	assert_int_equal(st.sync_pushed, raw_records);
	node_free(&nodes[0]);
	free_pool();
}

/* A session of ours left unanswered is dropped after 10 s, and the peer
 * pays PENALTY_UNANSWERED; an answer after that is ignored. */
static void
test_unanswered(void **state)
{
	gossip_stats st;

	(void)state;
	nodes_init(1, NULL);
	hold(&nodes[0], (const uint8_t *)"not a record", 12);	/* some key */
	assert_int_equal(gossip_peer_up(nodes[0].g, RAW, now), EM_OK);
	raw_reset();
	run(1, 50, raw_take);			/* the first round: to RAW */
	assert_int_equal(raw_recons, 1);
	run(1, GOSSIP_RECON_IDLE_MS - 100, raw_take);
	gossip_get_stats(nodes[0].g, &st);
	assert_int_equal(st.sessions_unanswered, 0);
	assert_int_equal(score_of(&nodes[0], RAW), 0);
	run(1, 200, raw_take);
	gossip_get_stats(nodes[0].g, &st);
	assert_int_equal(st.sessions_unanswered, 1);
	assert_int_equal(score_of(&nodes[0], RAW), PENALTY_UNANSWERED);
	assert_int_equal(gossip_last_sync(nodes[0].g), 0);
	node_free(&nodes[0]);
}

/* The peer's sessions: one begins at most every ae_ms/2; one sooner is
 * not answered (and not penalized); a late answer to nothing is ignored;
 * a record pushed to the peer is not pushed to it again for a while. */
static void
test_theirs_too_soon(void **state)
{
	uint8_t start[64];
	size_t len = empty_start(start);
	gossip_stats st;

	(void)state;
	make_pool(3);
	nodes_init(1, NULL);
	for (size_t i = 0; i < pool_n; i++)
		hold(&nodes[0], pool[i], pool_len[i]);
	assert_int_equal(gossip_peer_up(nodes[0].g, RAW, now), EM_OK);
	raw_reset();
	raw_send(1, start, len);
	pump(raw_take);
	assert_int_equal(raw_records, 3);
	now += 100;
	raw_send(1, start, len);
	pump(raw_take);
	assert_int_equal(raw_records, 3);
	raw_send(0, start, len);		/* an answer to no session of ours */
	pump(raw_take);
	gossip_get_stats(nodes[0].g, &st);
	assert_int_equal(st.sessions_answered, 1);
	assert_int_equal(st.sessions_refused, 1);
	assert_int_equal(score_of(&nodes[0], RAW), 0);
	now += 400;				/* ae_ms / 2 after the first */
	raw_send(1, start, len);
	pump(raw_take);
	gossip_get_stats(nodes[0].g, &st);
	assert_int_equal(st.sessions_answered, 2);
	assert_int_equal(raw_records, 3);	/* pushed to it a moment ago */
	now += 10000;
	raw_send(1, start, len);
	pump(raw_take);
	assert_int_equal(raw_records, 6);	/* not for that long: again */
	node_free(&nodes[0]);
	free_pool();
}

/* A message the reader refuses costs PENALTY_MALFORMED, whether a session
 * takes it or not; the second bans, with the reader's reason. */
static void
test_malformed(void **state)
{
	static const uint8_t zero_bound[] = { 1, 0x41, 0x00 }, version[] = { 9 };

	(void)state;
	nodes_init(1, NULL);
	assert_int_equal(gossip_peer_up(nodes[0].g, RAW, now), EM_OK);
	raw_send(1, zero_bound, sizeof zero_bound);
	assert_int_equal(score_of(&nodes[0], RAW), PENALTY_MALFORMED);
	assert_int_equal(nodes[0].drops, 0);
	raw_send(0, version, sizeof version);	/* no session of ours takes it */
	assert_int_equal(nodes[0].bans, 1);
	assert_string_equal(nodes[0].why,
	    "malformed reconciliation message: unknown reconciliation version");
	assert_int_equal(score_of(&nodes[0], RAW), -1);	/* gone */
	drain();
	node_free(&nodes[0]);
}

/* A peer that makes us walk the set over and over (fingerprints that never
 * match) runs out of work: its session is stopped, new ones refused until
 * the bucket refills. A new peer starts with one round's work. */
static void
test_work_share(void **state)
{
	uint8_t fp_all[2 + RECON_FP] = { 1, 1 << 6 | 63 };
	uint64_t rng = 5, refused;
	gossip_stats st;
	tnode *t;
	int k;

	(void)state;
	nodes_init(1, NULL);
	t = &nodes[0];
	t->n = t->cap = 70000;		/* keys only: more than WORK_MIN_SET */
	t->ids = malloc(t->n * 32);
	for (size_t i = 0; i < t->n * 4; i++) {
		uint64_t x = tu_next(&rng);

		memcpy(t->ids + 8 * i, &x, 8);
	}
	qsort(t->ids, t->n, 32, cmp_key);
	t->arr.keys = t->ids;
	t->arr.n = t->n;
	t->n = 0;			/* node_free frees no records */
	assert_int_equal(gossip_peer_up(t->g, RAW, now), EM_OK);
	/* a new peer has one round's work: its first session goes no
	 * further than that */
	raw_reset();
	for (k = 0; k < 40 && raw_last_len != 1; k++) {
		memset(fp_all + 2, k, RECON_FP);
		raw_send(1, fp_all, sizeof fp_all);
		pump(raw_take);
	}
	assert_true(k >= 1 && k <= 2);
	drain();
	now += 30000;			/* the session times out; the bucket fills */
	run(1, 50, NULL);
	drain();
	raw_reset();
	for (k = 0; k < 40; k++) {	/* at once: no refill */
		memset(fp_all + 2, k, RECON_FP);
		raw_send(1, fp_all, sizeof fp_all);
		pump(raw_take);
		if (raw_last_len == 1)
			break;		/* stopped */
	}
	gossip_get_stats(t->g, &st);
	refused = st.sessions_refused;
	print_message("work share: stopped after %d messages, %.1f walks\n", k + 1,
	    st.walks_milli / 1000.0);
	assert_true(k >= 4 && k < 40);
	assert_int_equal(st.sessions_stopped, 2);
	now += 500;				/* half a walk's refill: not enough */
	raw_send(1, fp_all, sizeof fp_all);	/* refused: the bucket is empty */
	gossip_get_stats(t->g, &st);
	assert_int_equal(st.sessions_refused, refused + 1);
	now += 20000;				/* refilled */
	raw_recons = 0;
	raw_send(1, fp_all, sizeof fp_all);
	pump(raw_take);
	assert_int_equal(raw_recons, 1);
	assert_true(raw_last_len > 1);
	t->arr.n = 0;
	node_free(t);
}

/* Rounds back off while sessions find nothing, to ae_max_ms, and a
 * difference found brings them back to ae_ms; a new peer brings the next
 * round to within ae_ms. */
static void
test_backoff(void **state)
{
	gossip_stats st;
	uint32_t least = UINT32_MAX;

	(void)state;
	make_pool(51);
	nodes_init(2, NULL);
	for (size_t i = 0; i < 50; i++) {
		hold(&nodes[0], pool[i], pool_len[i]);
		hold(&nodes[1], pool[i], pool_len[i]);
	}
	connect(0, 1);
	run(2, 200000, NULL);
	gossip_get_stats(nodes[0].g, &st);
	assert_int_equal(st.ae_period_ms, 30000);
	print_message("backoff: %llu sessions in 200 s, %.1f walks\n",
	    (unsigned long long)st.sessions_started, st.walks_milli / 1000.0);
	assert_true(st.sessions_started < 30);
	hold(&nodes[0], pool[50], pool_len[50]);	/* not published: only a session finds it */
	for (int k = 0; k < 1300 && nodes[1].n < 51; k++) {
		run(2, 50, NULL);
	}
	assert_int_equal(nodes[1].n, 51);
	for (int k = 0; k < 100; k++) {
		run(2, 50, NULL);
		gossip_get_stats(nodes[0].g, &st);
		least = st.ae_period_ms < least ? st.ae_period_ms : least;
		gossip_get_stats(nodes[1].g, &st);
		least = st.ae_period_ms < least ? st.ae_period_ms : least;
	}
	assert_int_equal(least, 1000);
	/* backed off again, a peer comes up: it is synced with within ae_ms */
	run(2, 200000, NULL);
	gossip_get_stats(nodes[0].g, &st);
	assert_int_equal(st.ae_period_ms, 30000);
	assert_int_equal(gossip_peer_up(nodes[0].g, RAW, now), EM_OK);
	raw_reset();
	run(2, 1050, raw_take);
	assert_int_equal(raw_recons, 1);
	node_free(&nodes[0]);
	node_free(&nodes[1]);
	free_pool();
}

/* What a session brought is announced onwards, not pushed. */
static void
test_sync_announced(void **state)
{
	gossip_stats st;

	(void)state;
	make_pool(20);
	nodes_init(3, NULL);
	for (size_t i = 0; i < pool_n; i++)
		hold(&nodes[0], pool[i], pool_len[i]);
	connect(0, 1);
	connect(1, 2);
	for (int k = 0; k < 200 && nodes[2].n < pool_n; k++)
		run(3, 100, NULL);
	assert_int_equal(nodes[2].n, pool_n);
	for (int i = 1; i < 3; i++) {
		gossip_get_stats(nodes[i].g, &st);
		assert_int_equal(st.received[WIRE_PUSH], 0);
	}
	for (int i = 0; i < 3; i++)
		node_free(&nodes[i]);
	free_pool();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_late_joiner, setup),
		cmocka_unit_test_setup(test_push_budget, setup),
		cmocka_unit_test_setup(test_unanswered, setup),
		cmocka_unit_test_setup(test_theirs_too_soon, setup),
		cmocka_unit_test_setup(test_malformed, setup),
		cmocka_unit_test_setup(test_work_share, setup),
		cmocka_unit_test_setup(test_backoff, setup),
		cmocka_unit_test_setup(test_sync_announced, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
