/* The board: per task, one compact row per result, with its flags kept up
 * to date as revocations, disputes and equivocations arrive, so that a
 * leaderboard is one cursor scan and never decodes a record.
 *
 * board: task id -> rows (dup-sorted). A row, big-endian, field by field
 * as enum row_at below names them (offset from the row's start, size):
 *   0   name id(8): the store's number for the model name and revision
 *       (the `names` table), equal in two rows exactly when their names are
 *       one (their keys are equal, name_key: NFC, nothing that does not
 *       show; so a peer's "cafe\u0301" or "gpt\u00ad4" is the row of
 *       "café" or "gpt4", not a second row that looks the same)
 *   8   local number(8): the record's, in the `records` table
 *   16  record id(32)  48 author(32)  80 seq(8)  88 n_items(8)  96 t_end(8)
 *   104 value(8)  112 std_err(8)  120 lo(8)  128 hi(8)     IEEE-754 bits
 *   136 flags(1: RESULT_*)  137 access(1: enum body_access)
 *   138 has(1: ROW_HAS_*: 1 stderr, 2 ci, 4 scores, 8 item counts,
 *       16 some item count above 0)
 *   139 truncated(4)  143 empty(4)  147 refused(4)  151 failed(4): the
 *       run's item counts
 *   155 metric_len(1) metric  model_len(1) model  revision_len(1) revision
 * The layout is on disk: changing it means a new STORE_SCHEMA (store.c),
 * which rebuilds every board. The first sixteen bytes are the sort key.
 * Rows sort by name id, then by the record's local number: a task's
 * results for one model and revision lie together, in arrival order, and
 * a new result lands at the end of its model's run (not on a random page). The order differs from store to store; nothing computed
 * from it depends on it. */
#include "store_impl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "name.h"

/* Where each field of a row starts; each is the one before plus its size. */
enum row_at {
	ROW_NAME_ID	= 0,			/* u64 */
	ROW_LOCAL	= ROW_NAME_ID + 8,	/* u64 */
	ROW_NUM		= ROW_LOCAL + 8,	/* the sort key ends here */
	ROW_ID		= ROW_NUM,		/* 32 bytes */
	ROW_AUTHOR	= ROW_ID + 32,		/* 32 bytes */
	ROW_SEQ		= ROW_AUTHOR + 32,	/* u64 */
	ROW_N_ITEMS	= ROW_SEQ + 8,		/* u64 */
	ROW_T_END	= ROW_N_ITEMS + 8,	/* u64 */
	ROW_VALUE	= ROW_T_END + 8,	/* f64 */
	ROW_STDERR	= ROW_VALUE + 8,	/* f64 */
	ROW_LO		= ROW_STDERR + 8,	/* f64 */
	ROW_HI		= ROW_LO + 8,		/* f64 */
	ROW_FLAGS	= ROW_HI + 8,		/* u8 */
	ROW_ACCESS	= ROW_FLAGS + 1,	/* u8 */
	ROW_HAS		= ROW_ACCESS + 1,	/* u8: ROW_HAS_* */
	ROW_TRUNCATED	= ROW_HAS + 1,		/* u32 */
	ROW_EMPTY	= ROW_TRUNCATED + 4,	/* u32 */
	ROW_REFUSED	= ROW_EMPTY + 4,	/* u32 */
	ROW_FAILED	= ROW_REFUSED + 4,	/* u32 */
	ROW_TEXT	= ROW_FAILED + 4,	/* metric, model, revision: each a
						 * length byte, then that many */
};

/* The bits of the has byte. */
enum row_has {
	ROW_HAS_STDERR	= 1,
	ROW_HAS_CI	= 2,
	ROW_HAS_SCORES	= 4,
	ROW_HAS_ITEMS	= 8,	/* the result gave its item counts */
	ROW_HAS_CUT	= 16,	/* ... and one of them is above 0 */
};

#define ROW_MIN		(ROW_TEXT + 3)		/* three empty texts */
#define ROW_MAX		(ROW_TEXT + 3 + BODY_SHORT_MAX + 2 * BODY_NAME_MAX)

_Static_assert(ROW_MAX <= 511, "a dup-sorted value must fit LMDB's key size");
/* The rows on disk are laid out so: moving a field needs a new schema. */
_Static_assert(ROW_FLAGS == 136 && ROW_HAS == 138 && ROW_TEXT == 155,
    "the board row layout changed without a new STORE_SCHEMA");
_Static_assert(ROW_LOCAL == ST_BOARD_NUM_AT, "store_query.c reads the local number there");

/* A name's number: the first eight bytes of its BLAKE2b-256, or, if
 * another name holds that (by chance 2^-64 a pair; no one can aim at a
 * given name's), the next free number after it. The names are the keys
 * (name_key) of model 0xff revision (neither holds 0xff: both are UTF-8). */
#define NAME_PROBES	64

/* The key of s into out (NAME_KEY_CAP(BODY_NAME_MAX) bytes): its length.
 * A text whose key cannot be had (no memory) is its own key. */
static size_t
key_of(const char *s, uint8_t *out)
{
	if (name_key(s, (char *)out, NAME_KEY_CAP(BODY_NAME_MAX)) != EM_OK)
		snprintf((char *)out, NAME_KEY_CAP(BODY_NAME_MAX), "%s", s);
	return strlen((char *)out);
}

static int
name_id(store *st, MDB_txn *txn, const char *model, const char *rev, uint64_t *out)
{
	uint8_t name[2 * NAME_KEY_CAP(BODY_NAME_MAX)], h[32], kb[8];
	size_t ml = key_of(model, name), rl, nl;
	uint64_t id;
	int rc;

	name[ml] = 0xff;
	rl = key_of(rev, name + ml + 1);
	nl = ml + 1 + rl;
	hash_blake2b(h, name, nl);
	id = be_get(h, 8);
	for (unsigned i = 0; i < NAME_PROBES; i++, id++) {
		MDB_val k = { 8, kb }, v;

		be_put(kb, id, 8);
		if ((rc = mdb_get(txn, st->names, &k, &v)) == MDB_NOTFOUND) {
			v = (MDB_val){ nl, name };
			if ((rc = mdb_put(txn, st->names, &k, &v, 0)) != 0)
				return st_rc(rc);
			*out = id;
			return EM_OK;
		}
		if (rc != 0)
			return st_rc(rc);
		if (v.mv_size == nl && memcmp(v.mv_data, name, nl) == 0) {
			*out = id;
			return EM_OK;
		}
	}
	return st_bad("the names table holds 64 other names where one was looked for");
}

static void
put_f64(uint8_t *p, double d)
{
	uint64_t u;

	memcpy(&u, &d, 8);
	be_put(p, u, 8);
}

static double
get_f64(const uint8_t *p)
{
	uint64_t u = be_get(p, 8);
	double d;

	memcpy(&d, &u, 8);
	return d;
}

static size_t
put_text(uint8_t *p, const char *s)
{
	size_t n = strlen(s);

	p[0] = (uint8_t)n;
	memcpy(p + 1, s, n);
	return n + 1;
}

/* Writes result r's row (the layout above) to row, which holds ROW_MAX
 * bytes; returns its length. */
static size_t
row_encode(uint8_t *row, const uint8_t num[static 8], const rec_env *env,
    const body_result *r, uint32_t flags, uint64_t nid)
{
	size_t n;

	be_put(row + ROW_NAME_ID, nid, 8);
	memcpy(row + ROW_LOCAL, num, 8);
	memcpy(row + ROW_ID, env->id, 32);
	memcpy(row + ROW_AUTHOR, env->author, 32);
	be_put(row + ROW_SEQ, env->seq, 8);
	be_put(row + ROW_N_ITEMS, r->n_items, 8);
	be_put(row + ROW_T_END, r->t_end, 8);
	put_f64(row + ROW_VALUE, r->n_metrics ? r->metrics[0].value : 0);
	put_f64(row + ROW_STDERR, r->has_stderr ? r->std_err : 0);
	put_f64(row + ROW_LO, r->has_ci ? r->ci_lo : 0);
	put_f64(row + ROW_HI, r->has_ci ? r->ci_hi : 0);
	row[ROW_FLAGS] = (uint8_t)flags;
	row[ROW_ACCESS] = r->access;
	row[ROW_HAS] = (uint8_t)((r->has_stderr ? ROW_HAS_STDERR : 0) |
	    (r->has_ci ? ROW_HAS_CI : 0) | (r->scores ? ROW_HAS_SCORES : 0) |
	    (r->has_items ? ROW_HAS_ITEMS : 0) | (r->items.truncated || r->items.empty ||
	    r->items.refused || r->items.failed ? ROW_HAS_CUT : 0));
	be_put(row + ROW_TRUNCATED, r->items.truncated, 4);
	be_put(row + ROW_EMPTY, r->items.empty, 4);
	be_put(row + ROW_REFUSED, r->items.refused, 4);
	be_put(row + ROW_FAILED, r->items.failed, 4);
	n = ROW_TEXT;
	n += put_text(row + n, r->n_metrics ? r->metrics[0].name : "");
	n += put_text(row + n, r->model);
	n += put_text(row + n, r->revision);
	return n;
}

/* What one record naming a result says of it: revoked by author,
 * disputed, or challenged (an audit). */
static em_err
target_flags(store *st, MDB_txn *txn, MDB_val *ref, const uint8_t author[static 32],
    uint32_t *flags)
{
	MDB_val bytes;
	rec_env env;
	body_any b;
	em_err err;
	int rc;

	if ((rc = mdb_get(txn, st->records, ref, &bytes)) != 0)
		return rc == MDB_NOTFOUND ? st_bad("a target indexed without its record") :
		    (em_err)st_rc(rc);
	if ((err = st_parse(&bytes, &env, &b)) != EM_OK)
		return err;
	if (env.kind == REC_REVOKE && memcmp(env.author, author, 32) == 0)
		*flags |= RESULT_REVOKED;
	if (env.kind == REC_ATTEST && b.u.ref.verdict == VERDICT_DISPUTED)
		*flags |= RESULT_DISPUTED;
	if (env.kind == REC_CHALLENGE)
		*flags |= RESULT_CHALLENGED;
	return EM_OK;
}

int
st_result_flags(store *st, MDB_txn *txn, const uint8_t target[static 32],
    const uint8_t author[static 32], uint32_t *flags)
{
	MDB_cursor *cur;
	MDB_val k = { 32, (void *)(uintptr_t)target }, v;
	store_author a;
	int err, rc;

	*flags = 0;
	if ((err = st_author_read(st, txn, author, &a)) == EM_OK &&
	    (a.flags & AUTHOR_EQUIVOCATED))
		*flags |= RESULT_EQUIVOCATED;
	if (err != EM_OK && err != EM_ENOTFOUND)
		return err;
	if ((rc = mdb_cursor_open(txn, st->targets, &cur)) != 0)
		return st_rc(rc);
	err = EM_OK;
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET); rc == 0 && err == EM_OK;
	    rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT_DUP))
		err = target_flags(st, txn, &v, author, flags);
	if (err == EM_OK && rc != 0 && rc != MDB_NOTFOUND)
		err = st_rc(rc);
	mdb_cursor_close(cur);
	return err;
}

int
st_board_add(store *st, MDB_txn *txn, const rec_env *env, const body_result *r,
    const uint8_t num[static 8])
{
	uint8_t row[ROW_MAX];
	uint32_t flags;
	MDB_val k = { 32, (void *)(uintptr_t)r->task }, v = { 0, row };
	uint64_t nid = 0;
	int rc;

	if ((rc = st_result_flags(st, txn, env->id, env->author, &flags)) != EM_OK ||
	    (rc = name_id(st, txn, r->model, r->revision, &nid)) != EM_OK)
		return rc;
	v.mv_size = row_encode(row, num, env, r, flags, nid);
	rc = mdb_put(txn, st->board, &k, &v, MDB_NODUPDATA);
	return rc == MDB_KEYEXIST ? EM_OK : st_rc(rc);
}

/* Adds flag to the row of result id, if we hold that result; a
 * revocation counts only from the result's own author (by). */
int
st_board_flag(store *st, MDB_txn *txn, const uint8_t id[static 32], uint32_t flag,
    const uint8_t *by)
{
	uint8_t task[32], row[ROW_MAX], key[ROW_NUM];
	char model[BODY_NAME_MAX + 1], rev[BODY_NAME_MAX + 1];
	MDB_val bytes, k = { 32, (void *)(uintptr_t)id }, v;
	MDB_cursor *cur;
	rec_env env;
	uint64_t nid = 0;
	int err, rc;

	/* the row is found by its sort key, name id and local number, then
	 * checked by id */
	if ((rc = mdb_get(txn, st->ids, &k, &v)) == MDB_NOTFOUND)
		return EM_OK;	/* not here yet: its row will look when it comes */
	if (rc != 0)
		return st_rc(rc);
	if (v.mv_size != 8)
		return st_bad("a record id indexed with a number of the wrong size");
	memcpy(key + ROW_LOCAL, v.mv_data, 8);
	if ((err = st_bytes(st, txn, id, &bytes)) != EM_OK)
		return err;
	if (rec_parse(bytes.mv_data, bytes.mv_size, &env, NULL) != EM_OK)
		return st_bad("a stored record that no longer parses");
	if (env.kind != REC_RESULT ||
	    body_result_keys(env.body, env.body_len, task, model, rev) != EM_OK)
		return EM_OK;	/* no result: nothing on the board to flag */
	if (by != NULL && memcmp(by, env.author, 32) != 0)
		return EM_OK;	/* only an author withdraws its own result */
	if ((err = name_id(st, txn, model, rev, &nid)) != EM_OK)
		return err;
	be_put(key + ROW_NAME_ID, nid, 8);
	k = (MDB_val){ 32, task };
	v = (MDB_val){ ROW_NUM, key };
	if ((rc = mdb_cursor_open(txn, st->board, &cur)) != 0)
		return st_rc(rc);
	rc = mdb_cursor_get(cur, &k, &v, MDB_GET_BOTH_RANGE);
	if (rc == 0 && v.mv_size <= sizeof row && v.mv_size >= ROW_MIN &&
	    memcmp((uint8_t *)v.mv_data + ROW_ID, id, 32) == 0 &&
	    !(((uint8_t *)v.mv_data)[ROW_FLAGS] & flag)) {
		size_t n = v.mv_size;

		memcpy(row, v.mv_data, n);
		row[ROW_FLAGS] |= (uint8_t)flag;
		/* a dup-sorted value is replaced by deleting and adding it */
		if ((rc = mdb_cursor_del(cur, 0)) == 0) {
			MDB_val nv = { n, row };

			rc = mdb_put(txn, st->board, &k, &nv, 0);
		}
	}
	mdb_cursor_close(cur);
	err = rc == 0 || rc == MDB_NOTFOUND ? EM_OK : st_rc(rc);
	return err;
}

/* An author was caught equivocating: flag the rows of all its results. */
int
st_board_author(store *st, MDB_txn *txn, const uint8_t author[static 32])
{
	uint8_t key[FEED_KEY_LEN], ids[64][32];
	MDB_cursor *cur;
	MDB_val k = { sizeof key, key }, v;
	uint64_t next = 0;
	int rc, err = EM_OK;

	/* in rounds, since flagging writes the board while the feed is read */
	for (;;) {
		size_t n = 0;

		st_feed_key(key, author, next);
		if ((rc = mdb_cursor_open(txn, st->feeds, &cur)) != 0)
			return st_rc(rc);
		for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0 && n < 64;
		    rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
			if (k.mv_size != FEED_KEY_LEN || memcmp(k.mv_data, author, 32) != 0) {
				rc = MDB_NOTFOUND;
				break;
			}
			if (v.mv_size == 32)
				memcpy(ids[n++], v.mv_data, 32);
			next = be_get((const uint8_t *)k.mv_data + 32, 8) + 1;
		}
		mdb_cursor_close(cur);
		for (size_t i = 0; i < n && err == EM_OK; i++)
			err = st_board_flag(st, txn, ids[i], RESULT_EQUIVOCATED, NULL);
		if (err != EM_OK || rc != 0)
			break;
	}
	return err != EM_OK ? err : (rc == 0 || rc == MDB_NOTFOUND ? EM_OK : st_rc(rc));
}

/* A row into a view; with lean, what a ranking never reads is left as it
 * was (zero: the scan clears its views once). */
static inline int
view_decode(const MDB_val *v, store_view *out, int lean)
{
	const uint8_t *p = v->mv_data;
	size_t at = ROW_TEXT, len = v->mv_size;

	if (len < ROW_MIN)
		return EM_ESTORE;
	out->id = p + ROW_ID;
	out->author = p + ROW_AUTHOR;
	out->seq = be_get(p + ROW_SEQ, 8);
	out->n_items = be_get(p + ROW_N_ITEMS, 8);
	out->value = get_f64(p + ROW_VALUE);
	out->lo = get_f64(p + ROW_LO);
	out->hi = get_f64(p + ROW_HI);
	out->flags = p[ROW_FLAGS];
	out->access = p[ROW_ACCESS];
	out->has_ci = (p[ROW_HAS] & ROW_HAS_CI) != 0;
	out->has_items = (p[ROW_HAS] & ROW_HAS_ITEMS) != 0;
	if (p[ROW_HAS] & ROW_HAS_CUT) {	/* most runs cut no item: read the counts only then */
		out->truncated = (uint32_t)be_get(p + ROW_TRUNCATED, 4);
		out->empty = (uint32_t)be_get(p + ROW_EMPTY, 4);
		out->refused = (uint32_t)be_get(p + ROW_REFUSED, 4);
		out->failed = (uint32_t)be_get(p + ROW_FAILED, 4);
	} else {
		out->truncated = out->empty = out->refused = out->failed = 0;
	}
	if (!lean) {
		out->t_end = be_get(p + ROW_T_END, 8);
		out->std_err = get_f64(p + ROW_STDERR);
		out->has_stderr = (p[ROW_HAS] & ROW_HAS_STDERR) != 0;
		out->has_scores = (p[ROW_HAS] & ROW_HAS_SCORES) != 0;
	}
	out->name_id = be_get(p + ROW_NAME_ID, 8);
	out->metric_len = p[at];
	out->metric = (const char *)p + at + 1;
	at += 1 + out->metric_len;
	if (at >= len)
		return EM_ESTORE;
	out->model_len = p[at];
	out->model = (const char *)p + at + 1;
	at += 1 + out->model_len;
	if (at >= len)
		return EM_ESTORE;
	out->revision_len = p[at];
	out->revision = (const char *)p + at + 1;
	return at + 1 + out->revision_len <= len ? EM_OK : EM_ESTORE;
}

void
store_view_copy(const store_view *v, store_row *out)
{
	memcpy(out->id, v->id, 32);
	memcpy(out->author, v->author, 32);
	out->seq = v->seq;
	out->n_items = v->n_items;
	out->t_end = v->t_end;
	out->value = v->value;
	out->std_err = v->std_err;
	out->lo = v->lo;
	out->hi = v->hi;
	out->has_stderr = v->has_stderr;
	out->has_ci = v->has_ci;
	out->has_scores = v->has_scores;
	out->access = v->access;
	out->flags = v->flags;
	out->has_items = v->has_items;
	out->truncated = v->truncated;
	out->empty = v->empty;
	out->refused = v->refused;
	out->failed = v->failed;
	snprintf(out->metric, sizeof out->metric, "%.*s", (int)v->metric_len, v->metric);
	snprintf(out->model, sizeof out->model, "%.*s", (int)v->model_len, v->model);
	snprintf(out->revision, sizeof out->revision, "%.*s", (int)v->revision_len, v->revision);
}

em_err
store_board_scan(store *st, const uint8_t task[static 32], unsigned how, store_rows_fn rows,
    store_rows_done done, void *ctx)
{
	store_view batch[STORE_SCAN_BATCH];
	size_t nb = 0;
	MDB_txn *txn;
	MDB_cursor *cur;
	MDB_val k = { 32, (void *)(uintptr_t)task }, v;
	MDB_stat ms;
	size_t n = 0, count = 0;
	int err, rc, stop = 0, lean = (how & STORE_SCAN_RANKING) != 0;

	if (lean)
		memset(batch, 0, sizeof batch);
	if ((err = st_cursor(st, st->board, &txn, &cur)) != EM_OK)
		return err;
	rc = mdb_cursor_get(cur, &k, &v, MDB_SET);
	/* a count no table holds is a damaged page */
	if (rc == 0 && (st_told(mdb_cursor_count(cur, &count)) != 0 ||
	    st_told(mdb_stat(txn, st->board, &ms)) != 0 || count > ms.ms_entries))
		rc = MDB_CORRUPTED;
	for (; rc == 0 && n < count; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT_DUP)) {
		if (view_decode(&v, &batch[nb], lean) != EM_OK &&
		    (err = st_bad("a board row that does not decode")) != EM_OK)
			goto out;
		n++;
		if (++nb == STORE_SCAN_BATCH) {
			if (rows(ctx, batch, nb, count) != 0) {
				stop = 1;
				break;
			}
			nb = 0;
		}
	}
	if (!stop && nb > 0 && (rc == 0 || rc == MDB_NOTFOUND) && rows(ctx, batch, nb, count) != 0)
		stop = 1;
	if (!stop && rc != 0 && rc != MDB_NOTFOUND) {
		err = st_rc(rc);
		goto out;
	}
	if (!stop)
		done(ctx, n);
	err = EM_OK;
out:
	st_cursor_end(txn, cur);
	return (em_err)err;
}

struct views {
	store_view	*rows;
	size_t		 n;
	int		 oom;
	store_board_fn	 fn;
	void		*ctx;
};

static int
views_rows(void *ctx, const store_view *rows, size_t n, size_t count)
{
	struct views *vs = ctx;

	if (vs->rows == NULL && (vs->rows = malloc((count ? count : 1) * sizeof *vs->rows)) == NULL) {
		vs->oom = 1;
		return 1;
	}
	memcpy(vs->rows + vs->n, rows, n * sizeof *rows);
	vs->n += n;
	return 0;
}

static int
views_done(void *ctx, size_t n)
{
	struct views *vs = ctx;

	return vs->fn(vs->ctx, vs->rows, n);
}

em_err
store_board_view(store *st, const uint8_t task[static 32], store_board_fn fn, void *ctx)
{
	struct views vs = { NULL, 0, 0, fn, ctx };
	em_err err = store_board_scan(st, task, 0, views_rows, views_done, &vs);

	if (err == EM_OK && vs.oom)
		err = EM_ENOMEM;
	free(vs.rows);
	return err;
}

em_err
store_board_raw(store *st, const uint8_t task[static 32], uint64_t *n, uint64_t *sum)
{
	MDB_txn *txn;
	MDB_cursor *cur;
	MDB_val k = { 32, (void *)(uintptr_t)task }, v;
	int err, rc;

	*n = *sum = 0;
	if ((err = st_cursor(st, st->board, &txn, &cur)) != EM_OK)
		return err;
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET); rc == 0;
	    rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT_DUP)) {
		const uint8_t *p = v.mv_data;
		uint64_t w, x, a = 0, b = 0, c = 0, d = 0;
		size_t i = 0;

		/* every byte read, four words then one at a time: the cheapest way
		 * to touch them (four chains, so no load waits on the last) */
		for (; i + 32 <= v.mv_size; i += 32) {
			memcpy(&w, p + i, 8);
			a ^= w;
			memcpy(&w, p + i + 8, 8);
			b ^= w;
			memcpy(&w, p + i + 16, 8);
			c ^= w;
			memcpy(&w, p + i + 24, 8);
			d ^= w;
		}
		x = a ^ b ^ c ^ d;
		for (; i + 8 <= v.mv_size; i += 8) {
			memcpy(&w, p + i, 8);
			x ^= w;
		}
		for (; i < v.mv_size; i++)
			x ^= p[i];
		*sum += x;
		(*n)++;
	}
	st_cursor_end(txn, cur);
	return rc == MDB_NOTFOUND ? EM_OK : st_rc(rc);
}

em_err
store_board_tasks(store *st, store_task_visit fn, void *ctx)
{
	MDB_txn *txn;
	MDB_cursor *cur;
	MDB_val k, v;
	int err, rc;

	if ((err = st_cursor(st, st->board, &txn, &cur)) != EM_OK)
		return err;
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT_NODUP)) {
		size_t n = 0;

		if (k.mv_size != 32 || st_told(mdb_cursor_count(cur, &n)) != 0)
			continue;
		if (fn(ctx, k.mv_data, (uint64_t)n))
			break;
	}
	err = rc == 0 || rc == MDB_NOTFOUND ? EM_OK : st_rc(rc);
	st_cursor_end(txn, cur);
	return (em_err)err;
}
