/* Range-based reconciliation: two in-memory key sets reconciled through
 * real messages, every difference found exactly; fingerprints by hand;
 * frame and round limits. Hostile messages: recon_hostile_test.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hash.h"
#include "recon.h"
#include "testutil.h"
#include "recon_side.h"

/* A copy of src without the keys at the given (sorted) positions. */
static void
side_without(side *dst, const side *src, const size_t *drop, size_t n_drop)
{
	size_t k = 0;

	memset(dst, 0, sizeof *dst);
	dst->keys = malloc(src->n * RECON_KEY + 1);
	assert_non_null(dst->keys);
	for (size_t i = 0; i < src->n; i++) {
		if (k < n_drop && drop[k] == i) {
			k++;
			continue;
		}
		memcpy(dst->keys + dst->n++ * RECON_KEY, src->keys + i * RECON_KEY, RECON_KEY);
	}
	side_sort(dst);
}

/* 1 if the sorted keys of s hold key. */
static int
holds(const side *s, const uint8_t *key)
{
	return bsearch(key, s->keys, s->n, RECON_KEY, cmp_key) != NULL;
}

/* What a told us b lacks is exactly a's keys that b does not hold (each
 * told once when once is set). */
static void
check_told(side *a, const side *b, int once)
{
	size_t want = 0, uniq = 0;

	if (a->n_lack > 0)
		qsort(a->lack, a->n_lack, RECON_KEY, cmp_key);
	for (size_t i = 0; i < a->n_lack; i++) {
		const uint8_t *k = a->lack + i * RECON_KEY;

		assert_true(holds(a, k));
		assert_false(holds(b, k));
		if (i == 0 || memcmp(k - RECON_KEY, k, RECON_KEY) != 0)
			uniq++;
	}
	for (size_t i = 0; i < a->n; i++)
		want += !holds(b, a->keys + i * RECON_KEY);
	assert_int_equal(uniq, want);
	if (once)
		assert_int_equal(a->n_lack, want);
}

typedef struct outcome {
	int		msgs;		/* messages sent, both ways */
	size_t		bytes;
	recon_stats	a, b;
} outcome;

/* One session, a starting; both must end done. */
static void
run(side *a, side *b, const recon_opts *o, outcome *out)
{
	recon_host ha = host_of(a), hb = host_of(b);
	size_t cap = o ? o->frame_max : 60 * 1024, len;
	uint8_t *buf[2] = { malloc(cap), malloc(cap) };
	recon *r[2];
	int turn = 1;

	assert_non_null(buf[0]);
	assert_non_null(buf[1]);
	memset(out, 0, sizeof *out);
	a->n_lack = b->n_lack = 0;
	assert_int_equal(recon_new(&ha, o, &r[0]), EM_OK);
	assert_int_equal(recon_new(&hb, o, &r[1]), EM_OK);
	assert_int_equal(recon_start(r[0], buf[0], cap, &len), EM_OK);
	while (len > 0) {
		out->msgs++;
		out->bytes += len;
		assert_true(out->msgs < 10000);
		assert_int_equal(recon_recv(r[turn], buf[!turn], len, buf[turn], cap, &len),
		    EM_OK);
		turn = !turn;
	}
	assert_true(recon_done(r[0]));
	assert_true(recon_done(r[1]));
	recon_get_stats(r[0], &out->a);
	recon_get_stats(r[1], &out->b);
	recon_free(r[0]);
	recon_free(r[1]);
	free(buf[0]);
	free(buf[1]);
}

/* Both ways of starting, each checked exactly. */
static void
run_both(side *a, side *b, const recon_opts *o, outcome *out)
{
	run(a, b, o, out);
	check_told(a, b, 1);
	check_told(b, a, 1);
	run(b, a, o, out);
	check_told(a, b, 1);
	check_told(b, a, 1);
}

static void
test_fingerprint(void **state)
{
	static const char tag[] = "evalmesh/recon/v1";
	uint8_t buf[sizeof tag - 1 + 40] = { 0 }, h[32], fp[RECON_FP], fp2[RECON_FP];
	uint8_t ones[RECON_KEY], one[RECON_KEY] = { 0 }, k[3][RECON_KEY];
	recon_acc a, b;

	(void)state;
	assert_int_equal(hash_init(), EM_OK);
	memcpy(buf, tag, sizeof tag - 1);
	/* empty: the hash of a zero sum and a zero count */
	hash_blake2b(h, buf, sizeof buf);
	recon_acc_init(&a);
	recon_acc_fp(&a, fp);
	assert_memory_equal(fp, h, RECON_FP);
	/* 2^256 - 1 plus 1 wraps to zero: the carry runs through every word */
	memset(ones, 0xff, sizeof ones);
	one[31] = 1;
	recon_acc_add(&a, ones);
	recon_acc_add(&a, one);
	buf[sizeof buf - 1] = 2;
	hash_blake2b(h, buf, sizeof buf);
	recon_acc_fp(&a, fp);
	assert_memory_equal(fp, h, RECON_FP);
	/* a sum in the low word only: big-endian, least significant last */
	recon_acc_init(&a);
	recon_acc_add(&a, one);
	recon_acc_add(&a, one);
	memset(buf + sizeof tag - 1, 0, 40);
	buf[sizeof tag - 1 + 31] = 2;
	buf[sizeof buf - 1] = 2;
	hash_blake2b(h, buf, sizeof buf);
	recon_acc_fp(&a, fp);
	assert_memory_equal(fp, h, RECON_FP);
	/* order does not matter; merging partial sums is adding */
	for (int i = 0; i < 3; i++)
		memset(k[i], 0x31 * (i + 1), RECON_KEY);
	recon_acc_init(&a);
	for (int i = 0; i < 3; i++)
		recon_acc_add(&a, k[i]);
	recon_acc_fp(&a, fp);
	recon_acc_init(&a);
	recon_acc_add(&a, k[2]);
	recon_acc_init(&b);
	recon_acc_add(&b, k[1]);
	recon_acc_add(&b, k[0]);
	recon_acc_merge(&a, &b);
	recon_acc_fp(&a, fp2);
	assert_memory_equal(fp, fp2, RECON_FP);
	/* the count is part of it: {k} and {k, 0} differ */
	memset(one, 0, sizeof one);
	recon_acc_init(&a);
	recon_acc_add(&a, k[0]);
	recon_acc_fp(&a, fp);
	recon_acc_add(&a, one);
	recon_acc_fp(&a, fp2);
	assert_memory_not_equal(fp, fp2, RECON_FP);
}

static void
test_empty_sets(void **state)
{
	uint64_t rng = 11;
	side e, f, e2;
	outcome o;

	(void)state;
	side_random(&e, 0, &rng);
	side_random(&e2, 0, &rng);
	side_random(&f, 5000, &rng);
	run(&e, &e2, NULL, &o);
	assert_int_equal(o.msgs, 1);		/* an empty list asks nothing */
	assert_int_equal(e.n_lack + e2.n_lack, 0);
	run_both(&e, &f, NULL, &o);
	/* empty against full: one round trip whoever starts */
	run(&e, &f, NULL, &o);
	assert_int_equal(o.msgs, 1);
	assert_int_equal(f.n_lack, 5000);
	run(&f, &e, NULL, &o);
	assert_int_equal(o.msgs, 2);
	assert_int_equal(f.n_lack, 5000);
	side_free(&e);
	side_free(&e2);
	side_free(&f);
}

static void
test_identical(void **state)
{
	static const size_t sizes[] = { 1, 31, 32, 33, 1000, 100000 };
	uint64_t rng = 12;

	(void)state;
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		side a, b;
		outcome o;

		side_random(&a, sizes[i], &rng);
		side_without(&b, &a, NULL, 0);
		run(&a, &b, NULL, &o);
		assert_int_equal(o.msgs, 2);
		assert_int_equal(a.n_lack + b.n_lack, 0);
		/* 16 fingerprints out, one byte back */
		assert_true(o.bytes <= 1 + 16 * (1 + 32 + RECON_FP) + 1);
		side_free(&a);
		side_free(&b);
	}
}

/* a and b share base; d keys of it only in a, d only in b (d = 0: b is
 * a subset of a by the keys only a holds). */
static void
differ(size_t n, size_t d, int one_sided, uint64_t seed, const recon_opts *o,
    outcome *out)
{
	uint64_t rng = seed;
	size_t *drop_a, *drop_b, na = 0, nb = 0;
	side all, a, b;

	side_random(&all, n, &rng);
	drop_a = calloc(d + 1, sizeof *drop_a);
	drop_b = calloc(d + 1, sizeof *drop_b);
	assert_true(drop_a && drop_b);
	/* every (n / d)-th key goes from one side or the other, alternately */
	for (size_t i = 0; i < d; i++) {
		size_t at = i * (n / d) + (size_t)(tu_next(&rng) % (n / d));

		if (one_sided || i % 2 == 0)
			drop_b[nb++] = at;
		else
			drop_a[na++] = at;
	}
	side_without(&a, &all, drop_a, na);
	side_without(&b, &all, drop_b, nb);
	run_both(&a, &b, o, out);
	assert_int_equal(a.n_lack, nb);
	assert_int_equal(b.n_lack, na);
	free(drop_a);
	free(drop_b);
	side_free(&all);
	side_free(&a);
	side_free(&b);
}

static void
test_differ(void **state)
{
	outcome o;

	(void)state;
	differ(100000, 1, 0, 21, NULL, &o);
	assert_true(o.msgs <= 6);
	differ(100000, 10, 0, 22, NULL, &o);
	assert_true(o.msgs <= 6);
	differ(100000, 1000, 0, 23, NULL, &o);
	differ(100000, 1000, 1, 24, NULL, &o);	/* b a subset of a */
	differ(20, 3, 0, 25, NULL, &o);		/* lists from the start */
	assert_int_equal(o.msgs, 2);
}

/* Random sets, overlaps and options: always exact. */
static void
test_random(void **state)
{
	uint64_t rng = 31;

	(void)state;
	for (int t = 0; t < 40; t++) {
		size_t n = tu_next(&rng) % 6000, keep = tu_next(&rng) % 101;
		recon_opts o = {
			.frame_max = RECON_FRAME_MIN + (uint32_t)(tu_next(&rng) % 30000),
			.rounds_max = 10000,
			.split = 2 + (uint32_t)(tu_next(&rng) % (RECON_SPLIT_MAX - 1)),
			.ids_max = 1 + (uint32_t)(tu_next(&rng) % RECON_IDS_MAX),
		};
		side all, a, b;
		outcome out;

		/* a takes some keys, b others, each of keep% of all */
		side_random(&all, n, &rng);
		memset(&a, 0, sizeof a);
		memset(&b, 0, sizeof b);
		a.keys = malloc(n * RECON_KEY + 1);
		b.keys = malloc(n * RECON_KEY + 1);
		assert_true(a.keys && b.keys);
		for (size_t i = 0; i < n; i++) {
			if (tu_next(&rng) % 100 < keep)
				memcpy(a.keys + a.n++ * RECON_KEY, all.keys + i * RECON_KEY, RECON_KEY);
			if (tu_next(&rng) % 100 < keep)
				memcpy(b.keys + b.n++ * RECON_KEY, all.keys + i * RECON_KEY, RECON_KEY);
		}
		side_sort(&a);
		side_sort(&b);
		run(&a, &b, &o, &out);
		check_told(&a, &b, out.a.folded + out.b.folded == 0);
		check_told(&b, &a, out.a.folded + out.b.folded == 0);
		side_free(&all);
		side_free(&a);
		side_free(&b);
	}
}

/* The smallest frame and a large difference: answers are cut and folded,
 * and the session still finds everything. */
static void
test_small_frame(void **state)
{
	recon_opts o = { .frame_max = RECON_FRAME_MIN, .rounds_max = 10000,
	    .split = 16, .ids_max = 32 };
	uint64_t rng = 41;
	side a, b;
	outcome out;

	(void)state;
	side_random(&a, 20000, &rng);
	side_random(&b, 15000, &rng);
	run(&a, &b, &o, &out);
	assert_true(out.a.folded + out.b.folded > 0);
	check_told(&a, &b, 0);
	check_told(&b, &a, 0);
	assert_true(out.a.bytes_out <= (uint64_t)out.a.sent * RECON_FRAME_MIN);
	side_free(&a);
	side_free(&b);
}

/* Adds to s the keys its peer told it lacks. */
static void
side_take(side *s, const side *peer)
{
	s->keys = realloc(s->keys, (s->n + peer->n_lack) * RECON_KEY + 1);
	assert_non_null(s->keys);
	for (size_t i = 0; i < peer->n_lack; i++)
		if (!holds(s, peer->lack + i * RECON_KEY))
			memcpy(s->keys + s->n++ * RECON_KEY, peer->lack + i * RECON_KEY,
			    RECON_KEY);
	side_sort(s);
}

/* At the round limit a session ends cleanly with part of the work done;
 * sessions over and over, each moving what it found, converge. */
static void
test_round_limit(void **state)
{
	recon_opts o = { .frame_max = 60 * 1024, .rounds_max = 3,
	    .split = 16, .ids_max = 32 };
	uint64_t rng = 51;
	side a, b;
	outcome out;
	int sessions = 0, abandoned = 0;

	(void)state;
	side_random(&a, 30000, &rng);
	side_random(&b, 3000, &rng);
	for (;;) {
		run(&a, &b, &o, &out);
		sessions++;
		abandoned += out.a.abandoned + out.b.abandoned;
		assert_true(out.a.received <= 3 && out.b.received <= 3);
		if (a.n_lack + b.n_lack == 0)
			break;
		side_take(&b, &a);
		side_take(&a, &b);
		assert_true(sessions < 200);
	}
	assert_true(abandoned > 0);
	assert_int_equal(a.n, 33000);
	assert_int_equal(b.n, 33000);
	assert_memory_equal(a.keys, b.keys, a.n * RECON_KEY);
	side_free(&a);
	side_free(&b);
}

/* Adds k random keys to s (records arriving while a session runs). */
static void
side_grow(side *s, size_t k, uint64_t *rng)
{
	s->keys = realloc(s->keys, (s->n + k) * RECON_KEY + 1);
	assert_non_null(s->keys);
	for (size_t i = 0; i < k * RECON_KEY / 8; i++) {
		uint64_t x = tu_next(rng);

		memcpy(s->keys + s->n * RECON_KEY + 8 * i, &x, 8);
	}
	s->n += k;
	side_sort(s);
}

/* Both sets change between messages, as live stores do: sessions still
 * end cleanly, tell only keys the teller holds, and sessions over and
 * over (each moving what it found) converge once the changes stop. */
static void
test_changing_sets(void **state)
{
	static uint8_t buf[2][60 * 1024];
	uint64_t rng = 111;
	side s[2];
	int sessions = 0;

	(void)state;
	side_random(&s[0], 20000, &rng);
	side_without(&s[1], &s[0], (size_t[]){ 5, 500, 5000 }, 3);
	for (;; sessions++) {
		recon_host h[2] = { host_of(&s[0]), host_of(&s[1]) };
		recon *r[2];
		size_t len;
		int turn = 1, msgs = 0;

		assert_true(sessions < 20);
		s[0].n_lack = s[1].n_lack = 0;
		assert_int_equal(recon_new(&h[0], NULL, &r[0]), EM_OK);
		assert_int_equal(recon_new(&h[1], NULL, &r[1]), EM_OK);
		assert_int_equal(recon_start(r[0], buf[0], sizeof buf[0], &len), EM_OK);
		for (; len > 0; turn = !turn, msgs++) {
			if (sessions < 3)	/* new keys on one side or the other */
				side_grow(&s[msgs % 2], 1 + msgs % 5, &rng);
			assert_int_equal(recon_recv(r[turn], buf[!turn], len, buf[turn],
			    sizeof buf[turn], &len), EM_OK);
		}
		assert_true(recon_done(r[0]) && recon_done(r[1]));
		recon_free(r[0]);
		recon_free(r[1]);
		for (int i = 0; i < 2; i++)
			for (size_t k = 0; k < s[i].n_lack; k++)
				assert_true(holds(&s[i], s[i].lack + k * RECON_KEY));
		if (sessions >= 3 && s[0].n_lack + s[1].n_lack == 0)
			break;
		side_take(&s[1], &s[0]);
		side_take(&s[0], &s[1]);
	}
	assert_int_equal(s[0].n, s[1].n);
	assert_memory_equal(s[0].keys, s[1].keys, s[0].n * RECON_KEY);
	side_free(&s[0]);
	side_free(&s[1]);
}

/* Keys that share their first 16 bytes go into lists once; the protocol
 * stays well formed (it cannot tell them apart: recon.h). */
static void
test_shared_prefix(void **state)
{
	uint64_t rng = 61;
	side a, b;
	outcome out;

	(void)state;
	side_random(&a, 10, &rng);
	memcpy(a.keys + RECON_KEY, a.keys, RECON_PREFIX);	/* key 1 = key 0's prefix */
	a.keys[RECON_KEY + 31] ^= 1;
	side_sort(&a);
	side_without(&b, &a, (size_t[]){ 0 }, 1);
	run(&a, &b, NULL, &out);
	run(&b, &a, NULL, &out);
	side_free(&a);
	side_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fingerprint),
		cmocka_unit_test(test_empty_sets),
		cmocka_unit_test(test_identical),
		cmocka_unit_test(test_differ),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_small_frame),
		cmocka_unit_test(test_round_limit),
		cmocka_unit_test(test_changing_sets),
		cmocka_unit_test(test_shared_prefix),
	};

	assert_int_equal(hash_init(), EM_OK);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
