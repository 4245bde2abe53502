/* The leaderboard's rules (node/board/board.h) on hand-made results, and the
 * board against another written from the rules alone (quadratic, in
 * another order), on a few thousand random results: ties in value, names
 * sharing a prefix, authors reporting a model many times, intervals of
 * their own or Wilson's, some revoked. */
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
#include "hash.h"
#include "stats.h"
#include "testutil.h"

#define NEAR(a, b) assert_true((a) - (b) < 1e-9 && (b) - (a) < 1e-9)

static store_row
row(int id, int author, uint64_t seq, const char *model, double v, double lo, double hi,
    uint64_t n)
{
	store_row r;

	memset(&r, 0, sizeof r);
	r.id[0] = (uint8_t)id;
	r.id[31] = (uint8_t)(id * 7);
	r.author[0] = (uint8_t)author;
	r.seq = seq;
	snprintf(r.model, sizeof r.model, "%s", model);
	strcpy(r.revision, "r1");
	strcpy(r.metric, "exact_match");
	r.value = v;
	r.lo = lo;
	r.hi = hi;
	r.has_ci = lo != hi;
	r.n_items = n;
	return r;
}

/* A number per distinct model and revision, as the store gives them:
 * the order they are first met. */
static uint64_t
name_id(const char *model, const char *revision)
{
	static char seen[128][2 * BODY_NAME_MAX + 2];
	static size_t n;
	char name[sizeof seen[0]];

	snprintf(name, sizeof name, "%s\xff%s", model, revision);
	for (size_t i = 0; i < n; i++)
		if (strcmp(seen[i], name) == 0)
			return 1000 + i;
	assert_true(n < 128);
	strcpy(seen[n], name);
	return 1000 + n++;
}

/* The rows as the store would lend them. */
static em_err
build(const store_row *r, size_t n, const uint8_t *trusted, const board_opts *o, board *b)
{
	store_view v[16];

	assert_true(n <= 16);
	for (size_t i = 0; i < n; i++) {
		v[i] = (store_view){ .id = r[i].id, .author = r[i].author, .seq = r[i].seq,
		    .n_items = r[i].n_items, .t_end = r[i].t_end, .value = r[i].value,
		    .std_err = r[i].std_err, .lo = r[i].lo, .hi = r[i].hi, .flags = (uint8_t)r[i].flags,
		    .access = r[i].access, .has_stderr = (uint8_t)r[i].has_stderr,
		    .has_ci = (uint8_t)r[i].has_ci, .has_scores = (uint8_t)r[i].has_scores,
		    .has_items = r[i].has_items, .truncated = r[i].truncated, .empty = r[i].empty,
		    .refused = r[i].refused, .failed = r[i].failed,
		    .metric = r[i].metric, .metric_len = (uint8_t)strlen(r[i].metric),
		    .model = r[i].model, .model_len = (uint8_t)strlen(r[i].model),
		    .revision = r[i].revision, .revision_len = (uint8_t)strlen(r[i].revision),
		    .name_id = name_id(r[i].model, r[i].revision) };
	}
	/* the board keeps its own copies: the views may go now */
	em_err err = board_build(v, n, trusted, o, b);

	memset(v, 0xee, sizeof v);
	return err;
}

static const board_row *
find(const board *b, const char *model)
{
	for (size_t i = 0; i < b->n_rows; i++)
		if (strcmp(b->rows[i].model, model) == 0)
			return &b->rows[i];
	fail_msg("no row for %s", model);
	return NULL;
}

static void
test_ranks_are_tie_groups(void **state)
{
	store_row r[4] = {
		row(1, 1, 1, "A", 0.90, 0.85, 0.95, 200), row(2, 2, 1, "B", 0.88, 0.83, 0.93, 200),
		row(3, 3, 1, "C", 0.50, 0.45, 0.55, 200), row(4, 4, 1, "D", 0.40, 0.0, 0.0, 10),
	};
	board_opts o = { 0 };
	board b;

	(void)state;
	assert_int_equal(hash_init(), EM_OK);
	assert_int_equal(build(r, 4, NULL, &o, &b), EM_OK);
	assert_int_equal(b.n_rows, 4);
	assert_string_equal(b.rows[0].model, "A");
	assert_string_equal(b.rows[3].model, "D");
	assert_int_equal(find(&b, "A")->rank, 1);
	assert_int_equal(find(&b, "B")->rank, 1);	/* cannot be told from A */
	assert_int_equal(find(&b, "C")->rank, 3);	/* A and B lie wholly above */
	/* D has no interval of its own: Wilson over 10 items, 0.4 -> [0.168, 0.687],
	 * overlapping C's: only A and B lie above it */
	NEAR(find(&b, "D")->lo, 0.16818032970623614);
	assert_int_equal(find(&b, "D")->rank, 3);
	assert_int_equal(find(&b, "A")->agree, -1);
	board_free(&b);
}

/* Intervals that touch: values a/8, two models each, widths 1/16 and
 * 3/16 in turn — exact in binary, so many a low equals other rows' lows
 * and highs, and the highs in the rows' order go up as well as down.
 * Touching is not lying above. Ranks counted here from each row's own
 * numbers. */
static void
test_touching_intervals(void **state)
{
	store_row r[16];
	board_opts o = { 0 };
	char name[16];
	board b;

	(void)state;
	for (int k = 0; k < 16; k++) {
		int at = (k * 7) % 16;	/* not in value order */
		double v = (k / 2) / 8.0, w = (k % 2 ? 3 : 1) / 16.0;

		snprintf(name, sizeof name, "touch-%02d", k);
		r[at] = row(at + 1, k, 1, name, v, v - w, v + w, 100);
	}
	assert_int_equal(build(r, 16, NULL, &o, &b), EM_OK);
	assert_int_equal(b.n_rows, 16);
	for (size_t i = 0; i < b.n_rows; i++) {
		unsigned above = 0;

		for (size_t j = 0; j < b.n_rows; j++)
			above += b.rows[j].lo > b.rows[i].hi;
		assert_int_equal(b.rows[i].rank, 1 + above);
		assert_true(b.rows[i].value == (double)((15 - i) / 2) / 8.0);	/* high first */
	}
	/* touch-00, 0 +- 1/16: above its high the lows from 2/8 - 1/16 up,
	 * eleven of them; then touch-01, 0 +- 3/16, last by name */
	assert_string_equal(b.rows[14].model, "touch-00");
	assert_int_equal(b.rows[14].rank, 12);
	assert_string_equal(b.rows[15].model, "touch-01");
	board_free(&b);
}

static void
test_reporters_combine(void **state)
{
	store_row r[6] = {
		row(1, 1, 1, "A", 0.8, 0.7, 0.9, 100),
		row(2, 2, 1, "A", 0.9, 0.85, 0.95, 300),
		row(3, 1, 2, "B", 0.6, 0.5, 0.7, 100),
		row(4, 1, 5, "B", 0.65, 0.55, 0.75, 100),	/* the same author later: stands */
		row(5, 3, 1, "B", 0.2, 0.1, 0.3, 100),		/* disagrees */
		row(6, 3, 1, "X", 0.99, 0.98, 1.0, 100),	/* another metric */
	};
	board_opts o = { 0 };
	board b;

	(void)state;
	strcpy(r[5].metric, "f1");
	/* what the runs met on their items adds up over the row's reporters;
	 * a superseded result's counts are not in it */
	r[0].truncated = 12;
	r[1].truncated = 3;
	r[1].refused = 2;
	r[2].failed = 50;
	r[3].empty = 1;
	assert_int_equal(build(r, 6, NULL, &o, &b), EM_OK);
	assert_int_equal(find(&b, "A")->items_sum, 400);
	assert_int_equal(find(&b, "A")->cut[CUT_TRUNCATED], 15);
	assert_int_equal(find(&b, "A")->cut[CUT_REFUSED], 2);
	assert_int_equal(find(&b, "B")->items_sum, 200);
	assert_int_equal(find(&b, "B")->cut[CUT_FAILED], 0);
	assert_int_equal(find(&b, "B")->cut[CUT_EMPTY], 1);
	{
		char buf[160];

		assert_string_equal(board_cuts(find(&b, "A"), buf, sizeof buf),
		    "15/400 truncated, 2/400 refused");
		assert_string_equal(board_cuts(find(&b, "B"), buf, sizeof buf), "1/200 empty");
	}
	assert_string_equal(b.metric, "exact_match");	/* the commonest */
	assert_int_equal(b.left_metric, 1);
	assert_int_equal(b.left_superseded, 1);
	assert_int_equal(b.n_rows, 2);
	NEAR(find(&b, "A")->value, (0.8 * 100 + 0.9 * 300) / 400);
	NEAR(find(&b, "A")->lo, 0.7);
	NEAR(find(&b, "A")->hi, 0.95);
	assert_int_equal(find(&b, "A")->reporters, 2);
	assert_int_equal(find(&b, "A")->agree, 1);
	NEAR(find(&b, "B")->value, (0.65 + 0.2) / 2);
	assert_int_equal(find(&b, "B")->agree, 0);
	assert_int_equal(find(&b, "B")->n_items, 100);
	assert_int_equal(b.used, 4);
	board_free(&b);
	/* at least two reporters: both rows still; at least three: none */
	o.min_reporters = 3;
	assert_int_equal(build(r, 6, NULL, &o, &b), EM_OK);
	assert_int_equal(b.n_rows, 0);
	assert_int_equal(b.left_min_reporters, 4);
	board_free(&b);
}

static void
test_trust_revocation_flags(void **state)
{
	store_row r[4] = {
		row(1, 1, 1, "A", 0.8, 0.7, 0.9, 100), row(2, 2, 1, "B", 0.7, 0.6, 0.8, 100),
		row(3, 3, 1, "C", 0.6, 0.5, 0.7, 100), row(4, 4, 1, "D", 0.95, 0.9, 1.0, 100),
	};
	uint8_t trusted[4] = { 1, 1, 0, 1 };
	board_opts o = { 0 };
	board b;
	char fl[64];

	(void)state;
	r[1].flags = RESULT_EQUIVOCATED | RESULT_DISPUTED;
	r[3].flags = RESULT_REVOKED;
	assert_int_equal(build(r, 4, trusted, &o, &b), EM_OK);
	assert_int_equal(b.n_rows, 3);
	assert_int_equal(b.left_revoked, 1);
	assert_string_equal(board_flags(find(&b, "B")->flags, fl, sizeof fl),
	    "equivocating-author,disputed");
	assert_true(find(&b, "B")->ranked);
	board_free(&b);
	o.all = 1;
	o.trusted_only = 1;
	assert_int_equal(build(r, 4, trusted, &o, &b), EM_OK);
	assert_int_equal(b.left_untrusted, 1);
	assert_int_equal(b.n_rows, 3);
	/* the revoked row is shown last, unranked, though its value is highest */
	assert_string_equal(b.rows[2].model, "D");
	assert_false(b.rows[2].ranked);
	assert_string_equal(board_flags(b.rows[2].flags, fl, sizeof fl), "revoked");
	assert_int_equal(find(&b, "A")->rank, 1);
	board_free(&b);
}

/* Rule 2 (issue 13): a result over another number of items than the
 * task's, or a proportion out of [0, 1], is left out and counted; it
 * cannot pull another lab's row (item-weighted, n 1,000,000 at 0 moved a
 * row from 0.1983 to 0.0006), and the author's earlier result stands. */
static void
test_incomparable_results(void **state)
{
	store_row r[8] = {
		row(1, 1, 1, "A", 0.1983, 0.15, 0.25, 240),
		row(2, 2, 1, "A", 0.0, 0.0, 0.0, 1000000),	/* another item count */
		row(3, 3, 1, "B", 1.5, 1.4, 1.6, 240),		/* out of range */
		row(4, 4, 1, "C", 0.5, -0.1, 0.9, 240),		/* a low below 0 */
		row(5, 5, 1, "D", 0.5, 0.6, 0.9, 240),		/* interval misses its value */
		row(6, 6, 1, "E", 0.4, 0.3, 0.5, 240),
		row(7, 6, 2, "E", 0.9, 0.8, 1.0, 239),		/* E's later one, left out */
		row(8, 7, 1, "F", 0.7, 0.7, 0.7, 240),		/* no interval */
	};
	board_opts o = { .task_items = 240, .proportion = 1 };
	board b;

	(void)state;
	r[7].value = NAN;
	assert_int_equal(build(r, 8, NULL, &o, &b), EM_OK);
	assert_int_equal(b.left_items, 2);
	assert_int_equal(b.left_range, 4);
	assert_int_equal(b.n_rows, 2);
	assert_int_equal(find(&b, "A")->reporters, 1);
	assert_true(find(&b, "A")->value == 0.1983);
	assert_true(find(&b, "E")->value == 0.4);	/* the earlier result stands */
	for (size_t i = 0; i < b.n_rows; i++)
		assert_string_not_equal(b.rows[i].model, "B");
	board_free(&b);
	/* unknown task, not a proportion: nothing checked */
	o = (board_opts){ 0 };
	r[7].value = 0.7;
	assert_int_equal(build(r, 8, NULL, &o, &b), EM_OK);
	assert_int_equal(b.left_items + b.left_range, 0);
	assert_int_equal(b.n_rows, 6);
	board_free(&b);
}

/* One vocabulary for the flags, in one order, whatever the bits; a short
 * buffer gets a cut, terminated text. */
static void
test_flag_words(void **state)
{
	static const struct { uint32_t flags; const char *text; size_t n; } t[] = {
		{ 0, "-", 0 },
		{ RESULT_EQUIVOCATED, "equivocating-author", 1 },
		{ RESULT_DISPUTED, "disputed", 1 },
		{ RESULT_REVOKED, "revoked", 1 },
		{ RESULT_REVOKED | RESULT_EQUIVOCATED, "equivocating-author,revoked", 2 },
		{ RESULT_REVOKED | RESULT_DISPUTED, "disputed,revoked", 2 },
		{ RESULT_EQUIVOCATED | RESULT_DISPUTED | RESULT_REVOKED,
		    "equivocating-author,disputed,revoked", 3 },
		{ RESULT_CHALLENGED, "-", 0 },		/* a bit without a word */
		{ RESULT_CHALLENGED | RESULT_DISPUTED, "disputed", 1 },
		{ RESULT_FAILED_AUDIT | RESULT_AUDIT_PENDING | RESULT_REVOKED,
		    "revoked,failed-audit,audit-pending", 3 },
		{ 0x1ffu & ~RESULT_CHALLENGED, "equivocating-author,disputed,revoked,"
		    "failed-audit,audited,audit-unverified,audit-unanswered,audit-pending", 8 },
	};
	const char *w[BOARD_FLAG_WORDS];
	char buf[BOARD_FLAGS_LEN], small[12];

	(void)state;
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		size_t n = board_flag_words(t[i].flags, w);
		char joined[BOARD_FLAGS_LEN] = "";

		assert_int_equal(n, t[i].n);
		for (size_t k = 0; k < n; k++)
			snprintf(joined + strlen(joined), sizeof joined - strlen(joined), "%s%s",
			    k ? "," : "", w[k]);
		assert_string_equal(board_flags(t[i].flags, buf, sizeof buf), t[i].text);
		if (n > 0)
			assert_string_equal(joined, t[i].text);
	}
	memset(small, 'x', sizeof small);
	assert_string_equal(board_flags(RESULT_EQUIVOCATED | RESULT_REVOKED, small, sizeof small),
	    "equivocatin");
	small[0] = 'x';
	assert_ptr_equal(board_flags(RESULT_REVOKED, small, 0), small);
	assert_int_equal(small[0], 'x');	/* nothing written */
}

static void
test_order_does_not_matter(void **state)
{
	store_row r[8], s[8];
	board_opts o = { .all = 1 };
	board a, b;

	(void)state;
	for (int i = 0; i < 8; i++)
		r[i] = row(i + 1, i % 3, (uint64_t)i, i % 2 ? "odd" : "even", 0.1 * i, 0.1 * i - 0.05,
		    0.1 * i + 0.05, 50);
	r[5].flags = RESULT_REVOKED;
	for (int i = 0; i < 8; i++)
		s[i] = r[(i * 5 + 3) % 8];	/* another arrival order */
	assert_int_equal(build(r, 8, NULL, &o, &a), EM_OK);
	assert_int_equal(build(s, 8, NULL, &o, &b), EM_OK);
	assert_int_equal(a.n_rows, b.n_rows);
	for (size_t i = 0; i < a.n_rows; i++) {
		assert_string_equal(a.rows[i].model, b.rows[i].model);
		assert_true(a.rows[i].value == b.rows[i].value && a.rows[i].lo == b.rows[i].lo &&
		    a.rows[i].hi == b.rows[i].hi && a.rows[i].rank == b.rows[i].rank &&
		    a.rows[i].reporters == b.rows[i].reporters && a.rows[i].flags == b.rows[i].flags);
	}
	board_free(&a);
	board_free(&b);
}

/* Rule 9's edges: -0 is 0 (a tie, broken by name), and touching at -0 and
 * 0 is not lying above. */
static void
test_signed_zero(void **state)
{
	store_row r[3] = {
		row(1, 1, 1, "z-neg-zero", -0.0, 0.0, 0.5, 100),
		row(2, 2, 1, "a-zero", 0.0, -0.5, -0.0, 100),
		row(3, 3, 1, "pos", 0.25, 0.0, 0.5, 100),
	};
	board_opts o = { 0 };
	board b;

	(void)state;
	r[1].has_ci = 1;
	assert_int_equal(build(r, 3, NULL, &o, &b), EM_OK);
	assert_int_equal(b.n_rows, 3);
	assert_string_equal(b.rows[0].model, "pos");
	assert_string_equal(b.rows[1].model, "a-zero");
	assert_string_equal(b.rows[2].model, "z-neg-zero");
	assert_true(signbit(b.rows[2].value));	/* one reporter: its value exactly */
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(b.rows[i].rank, 1);
	board_free(&b);
}

/* Values near the largest double: a mean whose sum overflows is +inf
 * (first) or not a number (first or last by its sign bit). */
static void
test_overflowing_mean(void **state)
{
	store_row r[5] = {
		row(1, 1, 1, "huge", 1e308, 0.0, 1.0, 500),
		row(2, 2, 1, "huge", 1e308, 0.0, 1.0, 500),
		row(3, 1, 1, "nan", 1e308, 0.0, 1.0, 500),
		row(4, 2, 1, "nan", -1e308, 0.0, 1.0, 500),
		row(5, 3, 1, "plain", 0.5, 0.4, 0.6, 500),
	};
	board_opts o = { 0 };
	const board_row *nan_row;
	board b;

	(void)state;
	assert_int_equal(build(r, 5, NULL, &o, &b), EM_OK);
	assert_int_equal(b.n_rows, 3);
	nan_row = find(&b, "nan");
	assert_true(isnan(nan_row->value));
	assert_true(isinf(find(&b, "huge")->value));
	if (signbit(nan_row->value)) {
		assert_ptr_equal(nan_row, &b.rows[2]);
		assert_string_equal(b.rows[0].model, "huge");
	} else {
		assert_ptr_equal(nan_row, &b.rows[0]);
		assert_string_equal(b.rows[1].model, "huge");
	}
	board_free(&b);
}

/* Rule 4's arithmetic: summed by author whatever the arrival order (here
 * the order changes the bits), a count of 0 weighing 1, and one
 * reporter's value kept exactly where w * v / w is not v. */
static void
test_mean_bits(void **state)
{
	store_row r[6] = {
		row(1, 3, 1, "order", -1e16, 0.0, 1.0, 1),
		row(2, 1, 1, "order", 1e16, 0.0, 1.0, 1),
		row(3, 2, 1, "order", 1.0, 0.0, 1.0, 1),
		row(4, 1, 1, "zero-items", 0.2, 0.1, 0.3, 0),
		row(5, 2, 1, "zero-items", 0.8, 0.7, 0.9, 3),
		row(6, 1, 1, "alone", 0, 0.0, 1.0, 0),
	};
	double v = 0, w = 0;
	board_opts o = { 0 };
	board b;

	(void)state;
	for (int k = 1; k < 1000 && w == 0; k++)	/* a value the round trip changes */
		for (int n = 2; n < 1000 && w == 0; n++)
			if ((double)n * (k / 1000.0) / (double)n != k / 1000.0) {
				v = k / 1000.0;
				w = n;
			}
	assert_true(w != 0 && w * v / w != v);
	r[5].value = v;
	r[5].n_items = (uint64_t)w;
	assert_int_equal(build(r, 6, NULL, &o, &b), EM_OK);
	assert_true(find(&b, "order")->value == ((1e16 + 1.0) + -1e16) / 3);
	assert_true(find(&b, "order")->value != ((-1e16 + 1e16) + 1.0) / 3);
	assert_true(find(&b, "zero-items")->value == (1 * 0.2 + 3.0 * 0.8) / 4);
	assert_true(find(&b, "alone")->value == v);
	board_free(&b);
}

/* Two results alike in author, seq and id: the first given stands. */
static void
test_alike_results(void **state)
{
	store_row r[2] = {
		row(1, 1, 4, "m", 0.3, 0.2, 0.4, 100), row(1, 1, 4, "m", 0.7, 0.6, 0.8, 100),
	};
	store_row s[2] = { r[1], r[0] };
	board_opts o = { 0 };
	board b;

	(void)state;
	assert_int_equal(build(r, 2, NULL, &o, &b), EM_OK);
	assert_true(b.n_rows == 1 && b.rows[0].value == 0.3 && b.left_superseded == 1);
	board_free(&b);
	assert_int_equal(build(s, 2, NULL, &o, &b), EM_OK);
	assert_true(b.n_rows == 1 && b.rows[0].value == 0.7 && b.left_superseded == 1);
	board_free(&b);
}

static void
same_board(const board *a, const board *b)
{
	assert_int_equal(a->n_rows, b->n_rows);
	assert_int_equal(a->n_results, b->n_results);
	assert_int_equal(a->used, b->used);
	assert_int_equal(a->left_superseded, b->left_superseded);
	assert_int_equal(a->left_revoked, b->left_revoked);
	assert_int_equal(a->left_metric, b->left_metric);
	assert_memory_equal(a->digest, b->digest, 32);
	for (size_t i = 0; i < a->n_rows; i++) {
		const board_row *x = &a->rows[i], *y = &b->rows[i];

		assert_string_equal(x->model, y->model);
		assert_string_equal(x->revision, y->revision);
		assert_memory_equal(&x->value, &y->value, sizeof x->value);
		assert_memory_equal(&x->lo, &y->lo, sizeof x->lo);
		assert_memory_equal(&x->hi, &y->hi, sizeof x->hi);
		assert_true(x->rank == y->rank && x->reporters == y->reporters &&
		    x->flags == y->flags && x->items_sum == y->items_sum && x->agree == y->agree);
		assert_memory_equal(x->result_ids, y->result_ids, 32 * (size_t)x->reporters);
	}
}

/* The batch API takes results in any order and batches of any size (a
 * model's results need not come together), and ignores what comes beyond
 * the count announced. */
static void
test_batches_any_order(void **state)
{
	enum { N = 300 };
	static store_row r[N];
	static store_view v[N];
	board_opts o = { .all = 1, .metric = "exact_match", .result_ids = 1 };
	uint64_t seed = 12345;
	board a, b;
	board_acc *acc;

	(void)state;
	for (size_t i = 0; i < N; i++) {
		uint64_t x = tu_next(&seed);
		double value = (double)(x >> 16 & 15) / 16;
		char model[16];

		snprintf(model, sizeof model, "model-%u", (unsigned)(x % 23));
		r[i] = row((int)i + 1, (int)(x >> 8 & 15), x >> 12 & 3, model, value, 0, 0,
		    20 + (x >> 20 & 63));
		r[i].id[1] = (uint8_t)(i >> 8);
		r[i].flags = (x >> 28 & 15) == 0 ? RESULT_REVOKED : 0;
		v[i] = (store_view){ .id = r[i].id, .author = r[i].author, .seq = r[i].seq,
		    .n_items = r[i].n_items, .value = r[i].value, .flags = (uint8_t)r[i].flags,
		    .metric = r[i].metric, .metric_len = (uint8_t)strlen(r[i].metric),
		    .model = r[i].model, .model_len = (uint8_t)strlen(r[i].model),
		    .revision = r[i].revision, .revision_len = (uint8_t)strlen(r[i].revision),
		    .name_id = name_id(r[i].model, r[i].revision) };
	}
	for (size_t cut = 0; cut <= 5; cut += 5) {	/* all of them; five fewer announced */
		assert_int_equal(board_build(v, N - cut, NULL, &o, &a), EM_OK);
		assert_int_equal(board_begin(N - cut, o.metric, &o, &acc), EM_OK);
		for (size_t at = 0; at < N; at += 7)
			board_add(acc, v + at, N - at < 7 ? N - at : 7, NULL);
		assert_int_equal(board_end(acc, &b), EM_OK);
		assert_int_equal(b.n_results, N - cut);
		same_board(&a, &b);
		board_free(&a);
		board_free(&b);
	}
}


/* The plain board: the rules of board.h done the obvious way, O(n^2). */
struct ref_row {
	const char	*model, *revision;
	double		 value, lo, hi;
	unsigned	 reporters, rank;
	int		 agree, ranked;
	uint32_t	 flags;
};

/* A result's interval: its own, else Wilson's. */
static void
ref_interval(const store_row *r, double *lo, double *hi)
{
	if (r->has_ci) {
		*lo = r->lo;
		*hi = r->hi;
		return;
	}
	stats_wilson(r->value < 0 ? 0 : r->value > 1 ? 1 : r->value, (size_t)r->n_items,
	    STATS_Z95, lo, hi);
}

static int
same_group_ref(const store_row *a, const store_row *b)
{
	return strcmp(a->model, b->model) == 0 && strcmp(a->revision, b->revision) == 0 &&
	    !!(a->flags & RESULT_REVOKED) == !!(b->flags & RESULT_REVOKED);
}

static int
ref_cmp(const void *pa, const void *pb)
{
	const struct ref_row *a = pa, *b = pb;
	int c;

	if (a->ranked != b->ranked)
		return b->ranked - a->ranked;
	if (a->value != b->value)
		return a->value > b->value ? -1 : 1;
	if ((c = strcmp(a->model, b->model)) != 0)
		return c;
	return strcmp(a->revision, b->revision);
}

static size_t
ref_board(const store_row *r, size_t n, struct ref_row *out)
{
	size_t m = 0;
	char *stand = calloc(n, 1), *done = calloc(n, 1);

	assert_non_null(stand);
	assert_non_null(done);
	for (size_t i = 0; i < n; i++) {	/* an author's latest in its group stands */
		stand[i] = 1;
		for (size_t j = 0; j < n; j++)
			if (j != i && same_group_ref(&r[i], &r[j]) &&
			    memcmp(r[i].author, r[j].author, 32) == 0 &&
			    (r[j].seq > r[i].seq || (r[j].seq == r[i].seq &&
			    memcmp(r[j].id, r[i].id, 32) > 0)))
				stand[i] = 0;
	}
	for (size_t i = 0; i < n; i++) {
		size_t idx[4096], k = 0;
		double wsum = 0, w = 0, max_lo, min_hi;
		struct ref_row *o;

		if (!stand[i] || done[i])
			continue;
		for (size_t j = 0; j < n; j++)
			if (stand[j] && same_group_ref(&r[i], &r[j])) {
				done[j] = 1;
				idx[k++] = j;
			}
		for (size_t x = 1; x < k; x++)	/* by author: the order of the sum */
			for (size_t y = x; y > 0 && memcmp(r[idx[y - 1]].author, r[idx[y]].author,
			    32) > 0; y--) {
				size_t t = idx[y];

				idx[y] = idx[y - 1];
				idx[y - 1] = t;
			}
		o = &out[m++];
		memset(o, 0, sizeof *o);
		o->model = r[i].model;
		o->revision = r[i].revision;
		o->ranked = !(r[i].flags & RESULT_REVOKED);
		o->reporters = (unsigned)k;
		ref_interval(&r[idx[0]], &o->lo, &o->hi);
		max_lo = o->lo;
		min_hi = o->hi;
		for (size_t x = 0; x < k; x++) {
			const store_row *q = &r[idx[x]];
			double weight = q->n_items ? (double)q->n_items : 1, lo, hi;

			ref_interval(q, &lo, &hi);
			wsum += weight * q->value;
			w += weight;
			o->lo = lo < o->lo ? lo : o->lo;
			o->hi = hi > o->hi ? hi : o->hi;
			max_lo = lo > max_lo ? lo : max_lo;
			min_hi = hi < min_hi ? hi : min_hi;
			o->flags |= q->flags;
		}
		o->value = k == 1 ? r[idx[0]].value : wsum / w;
		o->agree = k == 1 ? -1 : max_lo <= min_hi;
	}
	for (size_t i = 0; i < m; i++) {
		out[i].rank = 1;
		for (size_t j = 0; j < m && out[i].ranked; j++)
			out[i].rank += out[j].ranked && out[j].lo > out[i].hi;
		if (!out[i].ranked)
			out[i].rank = 0;
	}
	qsort(out, m, sizeof *out, ref_cmp);
	free(stand);
	free(done);
	return m;
}

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

/* Random results: models whose names share their first eight bytes, two
 * revisions, authors reporting some models many times, ties in value,
 * intervals of their own width or none (Wilson's), some revoked, in a
 * random order. */
static void
check_random(size_t n, int constant_width, int dyadic)
{
	store_row *r = calloc(n, sizeof *r);
	store_view *v = calloc(n, sizeof *v);
	struct ref_row *want = calloc(n, sizeof *want);
	board_opts o = { .all = 1, .metric = "exact_match" };
	size_t m;
	board b;

	assert_non_null(r);
	assert_non_null(v);
	assert_non_null(want);
	for (size_t i = 0; i < n; i++) {
		uint64_t x = tu_next(&rng);
		double val = dyadic ? (double)(x % 9) / 8.0 : (double)(x % 21) / 20.0;
		double wd = constant_width ? 0.04 : dyadic ? (double)(x >> 8 & 3) / 16.0 :
		    (double)(x >> 8 & 15) / 100.0;

		r[i] = row((int)(i + 1), (int)(x >> 16 & 31), x >> 24 & 7, "", val, val - wd,
		    val + wd, 50 + (x >> 32 & 255));
		r[i].id[1] = (uint8_t)(i >> 8);	/* ids unique */
		r[i].author[1] = (uint8_t)(x >> 40 & 1);
		snprintf(r[i].model, sizeof r[i].model, "shared-prefix-%u", (unsigned)(x >> 44 & 15));
		snprintf(r[i].revision, sizeof r[i].revision, "v%u", (unsigned)(x >> 50 & 1));
		r[i].has_ci = (x >> 52 & 3) != 0 || constant_width;
		if ((x >> 56 & 31) == 0)
			r[i].flags = RESULT_REVOKED;
		if ((x >> 61) == 0)
			r[i].flags |= RESULT_DISPUTED;
	}
	m = ref_board(r, n, want);
	for (size_t i = 0; i < n; i++)
		v[i] = (store_view){ .id = r[i].id, .author = r[i].author, .seq = r[i].seq,
		    .n_items = r[i].n_items, .value = r[i].value, .lo = r[i].lo, .hi = r[i].hi,
		    .flags = (uint8_t)r[i].flags, .has_ci = (uint8_t)r[i].has_ci,
		    .metric = r[i].metric, .metric_len = (uint8_t)strlen(r[i].metric),
		    .model = r[i].model, .model_len = (uint8_t)strlen(r[i].model),
		    .revision = r[i].revision, .revision_len = (uint8_t)strlen(r[i].revision),
		    .name_id = name_id(r[i].model, r[i].revision) };
	assert_int_equal(board_build(v, n, NULL, &o, &b), EM_OK);
	assert_int_equal(b.n_rows, m);
	for (size_t i = 0; i < m; i++) {
		assert_string_equal(b.rows[i].model, want[i].model);
		assert_string_equal(b.rows[i].revision, want[i].revision);
		assert_true(b.rows[i].value == want[i].value);
		assert_true(b.rows[i].lo == want[i].lo && b.rows[i].hi == want[i].hi);
		assert_int_equal(b.rows[i].reporters, want[i].reporters);
		assert_int_equal(b.rows[i].rank, want[i].rank);
		assert_int_equal(b.rows[i].agree, want[i].agree);
		assert_int_equal(b.rows[i].flags, want[i].flags);
	}
	board_free(&b);
	free(r);
	free(v);
	free(want);
}

static void
test_against_plain_board(void **state)
{
	(void)state;
	check_random(3000, 0, 0);	/* intervals of any width */
	check_random(3000, 1, 0);	/* one width: the lows in the values' order */
	for (int k = 0; k < 20; k++)	/* exact ends: many a low equals a high */
		check_random(300, 0, 1);
	check_random(40, 0, 0);
	check_random(1, 0, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ranks_are_tie_groups),
		cmocka_unit_test(test_touching_intervals),
		cmocka_unit_test(test_reporters_combine),
		cmocka_unit_test(test_trust_revocation_flags),
		cmocka_unit_test(test_flag_words),
		cmocka_unit_test(test_order_does_not_matter),
		cmocka_unit_test(test_signed_zero),
		cmocka_unit_test(test_overflowing_mean),
		cmocka_unit_test(test_mean_bits),
		cmocka_unit_test(test_alike_results),
		cmocka_unit_test(test_incomparable_results),
		cmocka_unit_test(test_batches_any_order),
		cmocka_unit_test(test_against_plain_board),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
