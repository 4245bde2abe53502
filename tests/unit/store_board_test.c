/* The store's board: rows, their flags as revocations, disputes and
 * equivocations arrive, each model's rows together with one number per
 * name; and the trust list. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "store.h"
#include "store_impl.h"	/* to squat a name number (test_board_names) */
#include "store_fixture.h"
#include "testutil.h"

struct rows { uint32_t n, flags_or; char model[BODY_NAME_MAX + 1]; };

static int
rows_fn(void *ctx, const store_view *rows, size_t n)
{
	struct rows *x = ctx;

	assert_true(n <= 16);
	for (size_t i = 0; i < n; i++) {
		const store_view *r = &rows[i];

		x->n++;
		x->flags_or |= r->flags;
		snprintf(x->model, sizeof x->model, "%.*s", (int)r->model_len, r->model);
	}
	return 0;
}

static void
put_ref(store *st, ident *who, uint8_t kind, const uint8_t target[32], uint8_t verdict)
{
	body_any b = { .kind = kind };
	uint8_t *enc, id[32];
	size_t elen;

	memcpy(b.u.ref.target, target, 32);
	b.u.ref.verdict = verdict;
	strcpy(b.u.ref.text, "because");
	assert_int_equal(body_encode(&b, &enc, &elen), EM_OK);
	assert_int_equal(store_publish(st, who, kind, enc, elen, 5, id, NULL), EM_OK);
	free(enc);
}

static int
trust_fn(void *ctx, const uint8_t id[static 32], const char *name)
{
	(void)id;
	strcpy(ctx, name);
	return 0;
}

/* The board: rows in id order, flags that follow revocations (before and
 * after the result arrives), disputes and equivocations; the trust list. */
static void
test_board_and_trust(void **state)
{
	char dir[512], dir2[512], name[STORE_TRUST_NAME_MAX + 1] = "";
	store *st = fresh(dir, 0), *st2 = fresh(dir2, 0);
	ident *me, *other;
	uint8_t id[32], task[32], *rec, *rec2;
	size_t len, len2;
	struct rows x = { 0 };
	rec_env env, env2;
	body_any b;

	(void)state;
	ident_generate(&me);
	ident_generate(&other);
	memset(task, 2, 32);
	for (uint32_t i = 0; i < 3; i++) {	/* tu_result 2, 9, 16: task 0202.. */
		uint8_t *enc;
		size_t elen;

		tu_result(&b, 2 + 7 * i);
		assert_int_equal(body_encode(&b, &enc, &elen), EM_OK);
		assert_int_equal(store_publish(st, i == 2 ? other : me, REC_RESULT, enc, elen, 1, id,
		    NULL), EM_OK);
		free(enc);
	}
	assert_int_equal(store_board_view(st, task, rows_fn, &x), EM_OK);
	assert_int_equal(x.n, 3);
	assert_int_equal(x.flags_or, 0);
	/* the last result (other's) disputed, then revoked by someone else: only disputed */
	put_ref(st, me, REC_ATTEST, id, VERDICT_DISPUTED);
	put_ref(st, me, REC_REVOKE, id, 0);
	memset(&x, 0, sizeof x);
	store_board_view(st, task, rows_fn, &x);
	assert_int_equal(x.flags_or, RESULT_DISPUTED);
	put_ref(st, other, REC_REVOKE, id, 0);
	memset(&x, 0, sizeof x);
	store_board_view(st, task, rows_fn, &x);
	assert_int_equal(x.flags_or, RESULT_DISPUTED | RESULT_REVOKED);

	/* a revocation that arrives before its result still counts */
	tu_record(other, netid, 1, 4, &rec, &len);
	open_rec(rec, len, &env);
	{
		body_any rv = { .kind = REC_REVOKE };
		uint8_t *enc, *rrec;
		size_t elen, rlen;
		rec_env renv;

		memcpy(rv.u.ref.target, env.id, 32);
		assert_int_equal(body_encode(&rv, &enc, &elen), EM_OK);
		assert_int_equal(rec_seal(other, netid, REC_REVOKE, 2, 2, enc, elen, &rrec, &rlen,
		    NULL), EM_OK);
		open_rec(rrec, rlen, &renv);
		assert_int_equal(store_put(st2, &renv), EM_OK);
		assert_int_equal(store_put(st2, &env), EM_OK);
		memset(task, 4, 32);
		memset(&x, 0, sizeof x);
		store_board_view(st2, task, rows_fn, &x);
		assert_int_equal(x.n, 1);
		assert_int_equal(x.flags_or, RESULT_REVOKED);
		free(enc);
		free(rrec);
	}
	/* an author caught equivocating has its rows flagged, old and new */
	tu_record(other, netid, 1, 11, &rec2, &len2);	/* seq 1 again, task 4 */
	open_rec(rec2, len2, &env2);
	assert_int_equal(store_put(st2, &env2), EM_EEQUIV);
	memset(&x, 0, sizeof x);
	store_board_view(st2, task, rows_fn, &x);
	assert_int_equal(x.n, 2);
	assert_int_equal(x.flags_or, RESULT_EQUIVOCATED | RESULT_REVOKED);
	free(rec);
	free(rec2);

	/* trust */
	assert_false(store_trusted(st, ident_pk(other)));
	assert_int_equal(store_trust_put(st, ident_pk(other), "Lab B"), EM_OK);
	assert_true(store_trusted(st, ident_pk(other)));
	assert_int_equal(store_trust_list(st, trust_fn, name), EM_OK);
	assert_string_equal(name, "Lab B");
	assert_int_equal(store_trust_del(st, ident_pk(other)), EM_OK);
	assert_int_equal(store_trust_del(st, ident_pk(other)), EM_ENOTFOUND);
	assert_false(store_trusted(st, ident_pk(other)));
	ident_free(me);
	ident_free(other);
	store_free(st);
	store_free(st2);
	tu_rmtree(dir);
	tu_rmtree(dir2);
}


/* The board's scan: each model's rows together, in arrival order within;
 * name numbers equal exactly when the names are, even when another name
 * already holds the number a name hashes to. */
struct scan_seen {
	uint64_t	 nid[64], seq[64];
	char		 name[64][2 * BODY_NAME_MAX + 2];
	size_t		 n, done;
};

static int
scan_rows(void *ctx, const store_view *rows, size_t n, size_t count)
{
	struct scan_seen *x = ctx;

	assert_true(count <= 64);
	for (size_t i = 0; i < n; i++) {
		x->nid[x->n] = rows[i].name_id;
		x->seq[x->n] = rows[i].seq;
		snprintf(x->name[x->n], sizeof x->name[0], "%.*s/%.*s", (int)rows[i].model_len,
		    rows[i].model, (int)rows[i].revision_len, rows[i].revision);
		x->n++;
	}
	return 0;
}

static int
scan_done(void *ctx, size_t n)
{
	((struct scan_seen *)ctx)->done = n;
	return 0;
}

struct squat { uint8_t key[8]; };

static int
squat_fn(store *st, MDB_txn *txn, void *ctx)
{
	struct squat *q = ctx;
	MDB_val k = { 8, q->key }, v = { 10, "squat\xffthis" };

	return mdb_put(txn, st->names, &k, &v, 0) == 0 ? EM_OK : EM_ESTORE;
}

static void
publish_result(store *st, ident *who, uint32_t i, const char *model, const char *rev)
{
	uint8_t *enc, id[32];
	size_t elen;
	body_any b;

	tu_result(&b, i);
	if (model != NULL) {
		snprintf(b.u.result.model, sizeof b.u.result.model, "%s", model);
		snprintf(b.u.result.revision, sizeof b.u.result.revision, "%s", rev);
	}
	assert_int_equal(body_encode(&b, &enc, &elen), EM_OK);
	assert_int_equal(store_publish(st, who, REC_RESULT, enc, elen, 1, id, NULL), EM_OK);
	free(enc);
}

static void
test_board_names(void **state)
{
	char dir[512];
	store *st = fresh(dir, 0);
	ident *me;
	uint8_t task[32], h[32];
	struct scan_seen x = { 0 };
	struct squat q;

	(void)state;
	ident_generate(&me);
	for (uint32_t k = 0; k < 35; k++)	/* task 0: fifteen names, met in turn */
		publish_result(st, me, 7 * k, NULL, NULL);
	/* model-9/rev-9 hashes to a number someone else's name now holds */
	hash_blake2b(h, (const uint8_t *)"model-9\xffrev-9", 13);
	memcpy(q.key, h, 8);
	assert_int_equal(st_write(st, squat_fn, &q), EM_OK);
	publish_result(st, me, 0, "model-9", "rev-9");
	publish_result(st, me, 7, "model-9", "rev-9");
	memset(task, 0, 32);
	assert_int_equal(store_board_scan(st, task, 0, scan_rows, scan_done, &x), EM_OK);
	assert_int_equal(x.n, 37);
	assert_int_equal(x.done, 37);
	for (size_t i = 0; i < x.n; i++)
		for (size_t j = i + 1; j < x.n; j++) {
			/* one number, one name */
			assert_int_equal(x.nid[i] == x.nid[j], strcmp(x.name[i], x.name[j]) == 0);
			/* a name's rows together, oldest first */
			if (x.nid[i] == x.nid[j]) {
				for (size_t k = i; k <= j; k++)
					assert_true(x.nid[k] == x.nid[i]);
				assert_true(x.seq[i] < x.seq[j]);
			}
		}
	for (size_t i = 0; i < x.n; i++)
		if (strcmp(x.name[i], "model-9/rev-9") == 0)
			assert_true(x.nid[i] == be_get(h, 8) + 1);	/* the next free one */
	ident_free(me);
	store_free(st);
	tu_rmtree(dir);
}

struct copies { store_row row[16]; size_t n; };

static int
copy_rows(void *ctx, const store_view *rows, size_t n, size_t count)
{
	struct copies *c = ctx;

	assert_true(count <= 16);
	for (size_t i = 0; i < n; i++)
		store_view_copy(&rows[i], &c->row[c->n++]);
	return 0;
}

static int
copies_done(void *ctx, size_t n)
{
	assert_int_equal(((struct copies *)ctx)->n, n);
	return 0;
}

/* A ranking's scan decodes everything a full one does but the four fields
 * no ranking reads, which it leaves zero. */
static void
test_board_scan_ranking(void **state)
{
	char dir[512];
	store *st = fresh(dir, 0);
	ident *me;
	uint8_t task[32];
	struct copies *full = calloc(1, sizeof *full), *lean = calloc(1, sizeof *lean);

	(void)state;
	ident_generate(&me);
	for (uint32_t k = 0; k < 12; k++)
		publish_result(st, me, 7 * k, NULL, NULL);
	memset(task, 0, 32);
	assert_int_equal(store_board_scan(st, task, 0, copy_rows, copies_done, full), EM_OK);
	assert_int_equal(store_board_scan(st, task, STORE_SCAN_RANKING, copy_rows, copies_done, lean),
	    EM_OK);
	assert_int_equal(full->n, 12);
	assert_int_equal(lean->n, 12);
	for (size_t i = 0, with = 0; i < full->n; i++) {
		store_row *f = &full->row[i], *l = &lean->row[i];

		/* tu_result gives the odd ones item counts (empty 1); both scans
		 * read them */
		with += f->has_items;
		assert_int_equal(f->empty, f->has_items);
		assert_true(f->has_items || (f->truncated | f->refused | f->failed) == 0);
		if (i + 1 == full->n)
			assert_int_equal(with, 6);
		assert_true(f->t_end > 0 && f->std_err > 0 && f->has_stderr && f->has_scores);
		assert_true(l->t_end == 0 && l->std_err == 0 && !l->has_stderr && !l->has_scores);
		l->t_end = f->t_end;
		l->std_err = f->std_err;
		l->has_stderr = f->has_stderr;
		l->has_scores = f->has_scores;
		assert_memory_equal(f, l, sizeof *f);	/* all else the same */
	}
	free(full);
	free(lean);
	ident_free(me);
	store_free(st);
	tu_rmtree(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_board_and_trust),
		cmocka_unit_test(test_board_names),
		cmocka_unit_test(test_board_scan_ranking),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
