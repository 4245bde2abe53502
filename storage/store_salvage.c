/* store_salvage: what a damaged store still holds, copied into a new one
 * (store.h). Everything copied is checked first: records verify, blobs
 * hash to their keys; the rest is copied only if it has its table's
 * form. */
#include "store_impl.h"

#include <stdlib.h>
#include <string.h>

#include "hash.h"

#define BATCH_N		256
#define BATCH_BYTES	((size_t)16 << 20)

struct item { uint8_t *k, *v; size_t klen, vlen; rec_env env; };

struct batch {
	struct item	 it[BATCH_N];
	size_t		 n, bytes;
	MDB_dbi		 dbi;		/* the table of to written raw */
};

static void
batch_clear(struct batch *b)
{
	for (size_t i = 0; i < b->n; i++) {
		free(b->it[i].k);
		free(b->it[i].v);
	}
	b->n = 0;
	b->bytes = 0;
}

static em_err
batch_add(struct batch *b, const MDB_val *k, const MDB_val *v)
{
	struct item *it = &b->it[b->n];

	if ((it->k = malloc(k->mv_size ? k->mv_size : 1)) == NULL ||
	    (it->v = malloc(v->mv_size ? v->mv_size : 1)) == NULL) {
		free(it->k);
		return EM_ENOMEM;
	}
	memcpy(it->k, k->mv_data, k->mv_size);
	memcpy(it->v, v->mv_data, v->mv_size);
	it->klen = k->mv_size;
	it->vlen = v->mv_size;
	b->n++;
	b->bytes += k->mv_size + v->mv_size;
	return EM_OK;
}

static int
raw_put_fn(store *st, MDB_txn *txn, void *ctx)
{
	struct batch *b = ctx;

	(void)st;
	for (size_t i = 0; i < b->n; i++) {
		MDB_val k = { b->it[i].klen, b->it[i].k }, v = { b->it[i].vlen, b->it[i].v };
		int rc = mdb_put(txn, b->dbi, &k, &v, MDB_NOOVERWRITE);

		if (rc != 0 && rc != MDB_KEYEXIST)
			return st_rc(rc);
	}
	return EM_OK;
}

/* The batch into to: raw into b->dbi, or as records (indexed). */
static em_err
batch_flush(store *to, struct batch *b, int records, uint64_t *count)
{
	rec_env envs[BATCH_N];
	em_err err = EM_OK;

	if (b->n == 0)
		return EM_OK;
	if (records) {
		for (size_t i = 0; i < b->n; i++)
			envs[i] = b->it[i].env;
		err = store_put_batch(to, envs, b->n, NULL);
	} else {
		err = st_write(to, raw_put_fn, b);
	}
	if (err == EM_OK)
		*count += b->n;
	batch_clear(b);
	return err;
}

/* What is worth copying of one entry: 1 yes, 0 no (counted bad), -1 not
 * meant to be copied. */
typedef int (*keep_fn)(store *to, struct item *it, const MDB_val *k, const MDB_val *v);

static int
keep_record(store *to, struct item *it, const MDB_val *k, const MDB_val *v)
{
	(void)k;
	(void)v;
	/* the copy is what is checked, and what the env points into */
	return rec_open(it->v, it->vlen, to->netid, &it->env, NULL) == EM_OK;
}

static int
keep_blob(store *to, struct item *it, const MDB_val *k, const MDB_val *v)
{
	uint8_t h[32];

	(void)to;
	(void)it;
	if (k->mv_size != 32 || v->mv_size > STORE_BLOB_MAX)
		return 0;
	hash_blake2b(h, v->mv_data, v->mv_size);
	return memcmp(h, k->mv_data, 32) == 0;
}

/* meta: the settings, not what described the old store */
static int
keep_meta(store *to, struct item *it, const MDB_val *k, const MDB_val *v)
{
	static const char *const own[] = { "network", "schema", "announced" };

	(void)to;
	(void)it;
	(void)v;
	if (k->mv_size == 0 || k->mv_size > 64 || memchr(k->mv_data, 0, k->mv_size) != NULL)
		return 0;
	for (size_t i = 0; i < sizeof own / sizeof own[0]; i++)
		if (k->mv_size == strlen(own[i]) && memcmp(k->mv_data, own[i], k->mv_size) == 0)
			return -1;
	return 1;
}

static int
keep_peer(store *to, struct item *it, const MDB_val *k, const MDB_val *v)
{
	(void)to;
	(void)it;
	/* store_peer.c's two forms: 53 bytes (older), 79 */
	return k->mv_size > 0 && k->mv_size < 256 && memchr(k->mv_data, 0, k->mv_size) == NULL &&
	    (v->mv_size == 53 || v->mv_size == 79);
}

/* Copies one table of from as far as it reads. */
static em_err
copy_table(store *from, MDB_dbi src, store *to, MDB_dbi dst, keep_fn keep, int records,
    uint64_t *count, store_salvage_report *rep)
{
	struct batch *b = calloc(1, sizeof *b);
	MDB_txn *txn = NULL;
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	em_err err;
	int rc, kept;

	if (b == NULL)
		return EM_ENOMEM;
	b->dbi = dst;
	if ((err = st_cursor(from, src, &txn, &cur)) != EM_OK) {
		rep->stopped = 1;
		free(b);
		return EM_OK;
	}
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if ((err = batch_add(b, &k, &v)) != EM_OK)
			break;
		if ((kept = keep(to, &b->it[b->n - 1], &k, &v)) != 1) {
			free(b->it[--b->n].k);
			free(b->it[b->n].v);
			b->bytes -= k.mv_size + v.mv_size;
			rep->bad += kept == 0;
			continue;
		}
		if ((b->n == BATCH_N || b->bytes >= BATCH_BYTES) &&
		    (err = batch_flush(to, b, records, count)) != EM_OK)
			break;
	}
	st_cursor_end(txn, cur);
	if (err == EM_OK && rc != MDB_NOTFOUND)
		rep->stopped = 1;	/* a damaged page: the rest of the table is lost */
	if (err == EM_OK)
		err = batch_flush(to, b, records, count);
	batch_clear(b);
	free(b);
	return err;
}

struct trust_copy { store *to; store_salvage_report *rep; em_err err; };

static int
trust_one(void *ctx, const uint8_t id[static 32], const char *name)
{
	struct trust_copy *tc = ctx;

	if (store_trusted(tc->to, id))
		return 0;
	if ((tc->err = store_trust_put(tc->to, id, name)) != EM_OK)
		return 1;
	tc->rep->trusted++;
	return 0;
}

em_err
store_salvage(store *from, store *to, store_salvage_report *rep)
{
	struct trust_copy tc = { to, rep, EM_OK };
	em_err err;

	memset(rep, 0, sizeof *rep);
	/* settings and peers first: small, and what the node needs to find
	 * its peers again; records and blobs after */
	if ((err = copy_table(from, from->meta, to, to->meta, keep_meta, 0, &rep->settings,
	    rep)) != EM_OK ||
	    (err = copy_table(from, from->peers, to, to->peers, keep_peer, 0, &rep->peers,
	    rep)) != EM_OK)
		return err;
	if (store_trust_list(from, trust_one, &tc) != EM_OK)
		rep->stopped = 1;
	if (tc.err != EM_OK)
		return tc.err;
	if ((err = copy_table(from, from->records, to, 0, keep_record, 1, &rep->records,
	    rep)) != EM_OK)
		return err;
	return copy_table(from, from->blobs, to, to->blobs, keep_blob, 0, &rep->blobs, rep);
}
