/* The leaderboard's rules (node/board.h) on hand-made results. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "board.h"
#include "hash.h"

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

/* The rows as the store would lend them. */
static em_err
build(const store_row *r, size_t n, const uint8_t *trusted, const board_opts *o, board *b)
{
	static const uint8_t digest[32] = { 7 };
	store_view v[16];

	assert_true(n <= 16);
	for (size_t i = 0; i < n; i++) {
		v[i] = (store_view){ .id = r[i].id, .author = r[i].author, .seq = r[i].seq,
		    .n_items = r[i].n_items, .t_end = r[i].t_end, .value = r[i].value,
		    .std_err = r[i].std_err, .lo = r[i].lo, .hi = r[i].hi, .flags = (uint8_t)r[i].flags,
		    .access = r[i].access, .has_stderr = (uint8_t)r[i].has_stderr,
		    .has_ci = (uint8_t)r[i].has_ci, .has_scores = (uint8_t)r[i].has_scores,
		    .metric = r[i].metric, .metric_len = (uint8_t)strlen(r[i].metric),
		    .model = r[i].model, .model_len = (uint8_t)strlen(r[i].model),
		    .revision = r[i].revision, .revision_len = (uint8_t)strlen(r[i].revision),
		    .name_hash = store_name_hash(r[i].model, strlen(r[i].model), r[i].revision,
			strlen(r[i].revision)) };
	}
	/* the board keeps its own copies: the views may go now */
	em_err err = board_build(v, n, trusted, digest, o, b);

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
	assert_int_equal(build(r, 6, NULL, &o, &b), EM_OK);
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
	assert_string_equal(board_flags(find(&b, "B")->flags, fl, sizeof fl), "equivocating,disputed");
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ranks_are_tie_groups),
		cmocka_unit_test(test_reporters_combine),
		cmocka_unit_test(test_trust_revocation_flags),
		cmocka_unit_test(test_order_does_not_matter),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
