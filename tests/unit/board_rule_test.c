/* Which result speaks for a model (node/board/board.h), on a real store:
 * each author's latest by sequence number, never by the run end it claims
 * (board_standing, what auto-eval asks); compare over the leaderboard's
 * rows with several reporters (board_find, board_compare); and the
 * records digest — flags, trust set, the reader itself, arrival order. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "board.h"
#include "bytes.h"
#include "stats.h"
#include "store_fixture.h"

#define ITEMS	8
#define FAR	4102444800000ULL	/* 2100: a run end no run had */

static const uint8_t task[32] = { 0x7a, 0x5c };

/* What a result says, as far as these tests care. */
struct res {
	const char	*model, *revision;
	double		 value;
	uint64_t	 t_end;
	const uint16_t	*scores;	/* ITEMS of them, or NULL */
	double		 std_err;	/* 0: none */
};

static void
put(store *st, const rec_env *env)
{
	em_err err = store_put(st, env);

	assert_true(err == EM_OK);
}

/* Signs r as author with seq and stores it; its id into id. */
static void
publish(store *st, const ident *author, uint64_t seq, const struct res *r, uint8_t id[32])
{
	uint8_t vec[2 * ITEMS], *enc, *rec;
	size_t elen, len;
	body_any b;
	rec_env env;

	tu_result(&b, 1);
	memcpy(b.u.result.task, task, 32);
	snprintf(b.u.result.model, sizeof b.u.result.model, "%s", r->model);
	snprintf(b.u.result.revision, sizeof b.u.result.revision, "%s", r->revision);
	b.u.result.n_metrics = 1;
	strcpy(b.u.result.metrics[0].name, "exact_match");
	b.u.result.metrics[0].value = r->value;
	b.u.result.n_items = ITEMS;
	b.u.result.has_ci = 0;
	b.u.result.has_stderr = r->std_err > 0;
	b.u.result.std_err = r->std_err;
	b.u.result.scores = NULL;
	b.u.result.scores_len = 0;
	if (r->scores != NULL) {
		for (size_t i = 0; i < ITEMS; i++)
			be_put(vec + 2 * i, r->scores[i], 2);
		b.u.result.scores = vec;
		b.u.result.scores_len = sizeof vec;
	}
	b.u.result.t_start = 1;
	b.u.result.t_end = r->t_end;
	assert_int_equal(body_encode(&b, &enc, &elen), EM_OK);
	assert_int_equal(rec_seal(author, netid, REC_RESULT, seq, 1700000000000ULL + seq, enc, elen,
	    &rec, &len, &env), EM_OK);
	put(st, &env);
	memcpy(id, env.id, 32);
	free(enc);
	free(rec);
}

/* author withdraws its record target, at seq. */
static void
revoke(store *st, const ident *author, uint64_t seq, const uint8_t target[32])
{
	uint8_t *enc, *rec;
	size_t elen, len;
	body_any b;
	rec_env env;

	memset(&b, 0, sizeof b);
	b.kind = REC_REVOKE;
	memcpy(b.u.ref.target, target, 32);
	strcpy(b.u.ref.text, "wrong template");
	assert_int_equal(body_encode(&b, &enc, &elen), EM_OK);
	assert_int_equal(rec_seal(author, netid, REC_REVOKE, seq, 1700000000000ULL + seq, enc, elen,
	    &rec, &len, &env), EM_OK);
	put(st, &env);
	free(enc);
	free(rec);
}

/* A row's reporters' result ids hold id. */
static int
has_id(const board_row *r, const uint8_t id[32])
{
	for (unsigned i = 0; i < r->reporters; i++)
		if (memcmp(r->result_ids + 32 * i, id, 32) == 0)
			return 1;
	return 0;
}

static void
test_standing_is_latest_by_seq(void **state)
{
	char dir[512];
	store *st = fresh(dir, 0);
	ident *a, *b;
	uint8_t a1[32], a2[32], a3[32], b1[32], got[32];
	const board_opts any = { 0 }, other = { .metric = "f1" }, count = { .task_items = 9 };
	const struct res early = { "café", "r1", 0.9, FAR, NULL, 0 };	/* claims 2100 */
	const struct res late = { "café", "r1", 0.5, 1700000001000ULL, NULL, 0 };
	const struct res r2 = { "café", "r2", 0.4, FAR + 5, NULL, 0 };
	const struct res theirs = { "café", "r1", 0.6, FAR + 9, NULL, 0 };

	(void)state;
	assert_int_equal(ident_generate(&a), EM_OK);
	assert_int_equal(ident_generate(&b), EM_OK);
	publish(st, a, 1, &early, a1);
	publish(st, a, 2, &late, a2);
	publish(st, a, 3, &r2, a3);
	publish(st, b, 1, &theirs, b1);
	/* a's second result speaks for it, whatever the first claims */
	assert_int_equal(board_standing(st, task, ident_pk(a), "café", "r1", &any, got), EM_OK);
	assert_memory_equal(got, a2, 32);
	/* names are one when their keys are: a decomposed é asks for it too */
	assert_int_equal(board_standing(st, task, ident_pk(a), "cafe\xcc\x81", "r1", &any, got),
	    EM_OK);
	assert_memory_equal(got, a2, 32);
	assert_int_equal(board_standing(st, task, ident_pk(a), "café", "r2", &any, got), EM_OK);
	assert_memory_equal(got, a3, 32);
	/* another author's result is never ours */
	assert_int_equal(board_standing(st, task, ident_pk(b), "café", "r1", &any, got), EM_OK);
	assert_memory_equal(got, b1, 32);
	assert_int_equal(board_standing(st, task, ident_pk(b), "café", "r2", &any, got),
	    EM_ENOTFOUND);
	assert_int_equal(board_standing(st, task, ident_pk(a), "cafe", "r1", &any, got),
	    EM_ENOTFOUND);
	/* rule 2, when asked: another metric or item count is none */
	assert_int_equal(board_standing(st, task, ident_pk(a), "café", "r1", &other, got),
	    EM_ENOTFOUND);
	assert_int_equal(board_standing(st, task, ident_pk(a), "café", "r1", &count, got),
	    EM_ENOTFOUND);
	/* revoked, the latest no longer speaks: the one before it does */
	revoke(st, a, 4, a2);
	assert_int_equal(board_standing(st, task, ident_pk(a), "café", "r1", &any, got), EM_OK);
	assert_memory_equal(got, a1, 32);
	revoke(st, a, 5, a1);
	assert_int_equal(board_standing(st, task, ident_pk(a), "café", "r1", &any, got),
	    EM_ENOTFOUND);
	ident_free(a);
	ident_free(b);
	store_free(st);
	tu_rmtree(dir);
}

/* compare reads the leaderboard's rows: several reporters, each its
 * latest by seq, per-item scores averaged over a row's reporters. */
static void
test_compare_rows(void **state)
{
	static const uint16_t pa[ITEMS] = { 10000, 10000, 0, 10000, 5000, 0, 10000, 0 };
	static const uint16_t pb[ITEMS] = { 10000, 0, 0, 10000, 5000, 10000, 10000, 0 };
	static const uint16_t q[ITEMS] = { 0, 10000, 0, 0, 10000, 0, 10000, 10000 };
	char dir[512];
	store *st = fresh(dir, 0);
	ident *a, *b, *c;
	uint8_t a1[32], a2[32], b1[32], c1[32], c2[32];
	board_opts o = { .metric = "exact_match", .result_ids = 1, .proportion = 1 };
	const board_row *p, *qr, *other;
	board bd;
	board_cmp cmp;
	double ia[ITEMS], ib[ITEMS], diff, se, lo, hi;
	unsigned long a_only = 0, b_only = 0;

	(void)state;
	assert_int_equal(ident_generate(&a), EM_OK);
	assert_int_equal(ident_generate(&b), EM_OK);
	assert_int_equal(ident_generate(&c), EM_OK);
	publish(st, a, 1, &(struct res){ "p", "r1", 0.1, FAR, q, 0 }, a1);	/* superseded */
	publish(st, a, 2, &(struct res){ "p", "r1", 0.5625, 1700000000000ULL, pa, 0 }, a2);
	publish(st, b, 1, &(struct res){ "p", "r1", 0.5625, 1700000000000ULL, pb, 0 }, b1);
	publish(st, c, 1, &(struct res){ "q", "r1", 0.5, FAR + 1, q, 0 }, c1);
	publish(st, c, 2, &(struct res){ "q", "r2", 0.5, 1, q, 0 }, c2);
	assert_int_equal(board_compute(st, task, &o, &bd), EM_OK);
	assert_int_equal(board_find(&bd, "p", NULL, &p, &other), EM_OK);
	assert_int_equal(p->reporters, 2);
	assert_true(has_id(p, a2) && has_id(p, b1) && !has_id(p, a1));
	assert_int_equal(board_find(&bd, "q", NULL, &qr, &other), EM_EAMBIGUOUS);
	assert_string_not_equal(qr->revision, other->revision);
	assert_int_equal(board_find(&bd, "q", "r1", &qr, &other), EM_OK);
	assert_true(has_id(qr, c1));
	assert_int_equal(board_find(&bd, "nobody", NULL, &qr, &other), EM_ENOTFOUND);
	assert_int_equal(board_find(&bd, "q", "r1", &qr, &other), EM_OK);

	/* paired: p's item scores are its two reporters' means */
	assert_int_equal(board_compare(st, p, qr, &cmp), EM_OK);
	assert_true(cmp.paired);
	assert_int_equal(cmp.n, ITEMS);
	for (size_t i = 0; i < ITEMS; i++) {
		ia[i] = (pa[i] + pb[i]) / 20000.0;
		ib[i] = q[i] / 10000.0;
		a_only += ia[i] >= 0.5 && ib[i] < 0.5;
		b_only += ib[i] >= 0.5 && ia[i] < 0.5;
	}
	stats_paired(ia, ib, ITEMS, &diff, &se, &lo, &hi);
	assert_true(cmp.diff == diff && cmp.se == se && cmp.lo == lo && cmp.hi == hi);
	assert_true(cmp.a_only == a_only && cmp.b_only == b_only);
	assert_true(cmp.p == stats_mcnemar(a_only, b_only));
	board_free(&bd);

	/* a reporter without scores: unpaired, from the rows' values, p's
	 * standard error its reporters' mean (one given, one binomial) */
	publish(st, b, 2, &(struct res){ "p", "r1", 0.5, 1700000000000ULL, NULL, 0.2 }, b1);
	assert_int_equal(board_compute(st, task, &o, &bd), EM_OK);
	assert_int_equal(board_find(&bd, "p", NULL, &p, &other), EM_OK);
	assert_int_equal(board_find(&bd, "q", "r1", &qr, &other), EM_OK);
	assert_true(has_id(p, b1));
	assert_int_equal(board_compare(st, p, qr, &cmp), EM_OK);
	assert_false(cmp.paired);
	assert_true(cmp.diff == p->value - qr->value);
	se = sqrt(pow((0.2 + sqrt(0.5625 * 0.4375 / ITEMS)) / 2, 2) + 0.5 * 0.5 / ITEMS);
	assert_true(fabs(cmp.se - se) < 1e-12);
	board_free(&bd);
	ident_free(a);
	ident_free(b);
	ident_free(c);
	store_free(st);
	tu_rmtree(dir);
}

/* The digest of the store's board: of all authors, or (trusted) of the
 * reader's trust set, self (32 bytes, or NULL) in it. */
static void
digest_of(store *st, const uint8_t *self, int trusted, uint8_t out[32])
{
	board_opts o = { .metric = "exact_match", .trusted_only = trusted, .self = self };
	board bd;

	assert_int_equal(board_compute(st, task, &o, &bd), EM_OK);
	memcpy(out, bd.digest, 32);
	board_free(&bd);
}

static void
test_digest(void **state)
{
	char da[512], db[512];
	store *sa = fresh(da, 0), *sb;
	ident *a, *b, *c, *d;
	uint8_t id[4][32], d0[32], d1[32], d2[32], t1[32], t2[32], t3[32], x[32];
	const struct res r = { "m", "r1", 0.5, 1, NULL, 0 };

	(void)state;
	sb = tu_store(db, 0, netid);
	assert_int_equal(ident_generate(&a), EM_OK);
	assert_int_equal(ident_generate(&b), EM_OK);
	assert_int_equal(ident_generate(&c), EM_OK);
	/* the same records on two stores, in other orders: one digest */
	publish(sa, a, 1, &r, id[0]);
	publish(sa, b, 1, &r, id[1]);
	publish(sa, c, 1, &(struct res){ "n", "r1", 0.25, 1, NULL, 0 }, id[2]);
	publish(sb, c, 1, &(struct res){ "n", "r1", 0.25, 1, NULL, 0 }, x);
	publish(sb, b, 1, &r, x);
	publish(sb, a, 1, &r, x);
	digest_of(sa, NULL, 0, d0);
	digest_of(sb, NULL, 0, x);
	assert_memory_equal(d0, x, 32);
	/* a revocation: the same ids, another digest; the same on both once
	 * both hold it */
	revoke(sa, a, 2, id[0]);
	digest_of(sa, NULL, 0, d1);
	assert_memory_not_equal(d0, d1, 32);
	revoke(sb, a, 2, id[0]);
	digest_of(sb, NULL, 0, x);
	assert_memory_equal(d1, x, 32);
	/* trusted: the reader itself is trusted (a's revoked result is read,
	 * b's and c's are not) and its trust set is in the digest */
	digest_of(sa, ident_pk(a), 1, t1);
	assert_memory_not_equal(t1, d1, 32);
	/* a's own id on its trust list: the same set, the same digest */
	assert_int_equal(store_trust_put(sa, ident_pk(a), "me"), EM_OK);
	digest_of(sa, ident_pk(a), 1, x);
	assert_memory_equal(x, t1, 32);
	/* d, who reported nothing here: the same results read, another
	 * trust set, another digest */
	assert_int_equal(ident_generate(&d), EM_OK);
	assert_int_equal(store_trust_put(sa, ident_pk(d), "d"), EM_OK);
	digest_of(sa, ident_pk(a), 1, t2);
	assert_memory_not_equal(t2, t1, 32);
	/* b: b's result is read too */
	assert_int_equal(store_trust_put(sa, ident_pk(b), "b"), EM_OK);
	digest_of(sa, ident_pk(a), 1, t3);
	assert_memory_not_equal(t3, t2, 32);
	assert_memory_not_equal(t3, t1, 32);
	/* a new result of a's own counts under --trusted too */
	publish(sa, a, 3, &(struct res){ "o", "r1", 0.5, 1, NULL, 0 }, id[3]);
	digest_of(sa, ident_pk(a), 1, d2);
	assert_memory_not_equal(d2, t3, 32);
	ident_free(d);
	ident_free(a);
	ident_free(b);
	ident_free(c);
	store_free(sa);
	store_free(sb);
	tu_rmtree(da);
	tu_rmtree(db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_standing_is_latest_by_seq),
		cmocka_unit_test(test_compare_rows),
		cmocka_unit_test(test_digest),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
