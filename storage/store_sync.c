/* What replication needs from the store: the ids to reconcile, digests,
 * arrivals (the peers we know are in store_peer.c). */
#include "store_impl.h"

#include <stdlib.h>
#include <string.h>

#include "hash.h"

struct store_ids {
	MDB_txn		*txn;
	MDB_cursor	*cur;
	enum { IDS_START, IDS_ON, IDS_END } at;	/* where the cursor stands */
};

em_err
store_ids_open(store *st, store_ids **out)
{
	store_ids *v;
	em_err err;

	*out = NULL;
	if ((v = calloc(1, sizeof *v)) == NULL)
		return EM_ENOMEM;
	if ((err = st_cursor(st, st->ids, &v->txn, &v->cur)) != EM_OK) {
		free(v);
		return err;
	}
	*out = v;
	return EM_OK;
}

void
store_ids_close(store_ids *v)
{
	if (v == NULL)
		return;
	st_cursor_end(v->txn, v->cur);
	free(v);
}

/* One cursor step: 1 with the id copied, 0 past the end, or an error. */
static int
ids_step(store_ids *v, MDB_val *k, MDB_cursor_op op, uint8_t id[static 32])
{
	MDB_val val;
	int rc = mdb_cursor_get(v->cur, k, &val, op);

	v->at = IDS_END;
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc != 0)
		return st_rc(rc) == ST_FULL ? EM_ESTORE : st_rc(rc);
	if (k->mv_size != 32)
		return st_bad("a record id of the wrong size");
	memcpy(id, k->mv_data, 32);
	v->at = IDS_ON;
	return 1;
}

int
store_ids_seek(store_ids *v, const uint8_t from[static 32], uint8_t id[static 32])
{
	MDB_val k = { 32, (void *)(uintptr_t)from };

	return ids_step(v, &k, MDB_SET_RANGE, id);
}

int
store_ids_next(store_ids *v, uint8_t id[static 32])
{
	MDB_val k;

	if (v->at == IDS_END)
		return 0;
	return ids_step(v, &k, v->at == IDS_START ? MDB_FIRST : MDB_NEXT, id);
}

em_err
store_ids_count(store_ids *v, uint64_t *n)
{
	MDB_stat ms;
	MDB_dbi dbi = mdb_cursor_dbi(v->cur);

	*n = 0;
	if (mdb_stat(v->txn, dbi, &ms) != 0)
		return EM_ESTORE;
	*n = ms.ms_entries;
	return EM_OK;
}

em_err
store_digest(store *st, uint8_t out[static 32])
{
	hash_state hs;
	MDB_txn *txn;
	MDB_cursor *cur;
	MDB_val k, v;
	int rc, err;

	if ((err = st_cursor(st, st->ids, &txn, &cur)) != EM_OK)
		return err;
	hash_start(&hs);
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT))
		hash_update(&hs, k.mv_data, k.mv_size);
	hash_finish(&hs, out);
	st_cursor_end(txn, cur);
	return rc == MDB_NOTFOUND ? EM_OK : st_rc(rc);
}

em_err
store_since(store *st, uint64_t after, uint32_t max, store_visit fn, void *ctx,
    uint64_t *last)
{
	uint8_t kb[8];
	MDB_txn *txn;
	MDB_cursor *cur;
	MDB_val k = { 8, kb }, v;
	int rc, err;

	*last = after;
	if ((err = st_cursor(st, st->records, &txn, &cur)) != EM_OK)
		return err;
	be_put(kb, after + 1, 8);
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0 && max > 0;
	    rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT), max--) {
		rec_env env;
		body_any b;

		if (k.mv_size != 8 || (err = st_parse(&v, &env, &b)) != EM_OK)
			break;
		*last = be_get(k.mv_data, 8);
		if (fn(ctx, &env, &b, 0))
			break;
	}
	st_cursor_end(txn, cur);
	if (err != EM_OK)
		return err;
	return rc == 0 || rc == MDB_NOTFOUND ? EM_OK : st_rc(rc);
}
