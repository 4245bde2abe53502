/* What replication needs from the store: summaries, digests, arrivals
 * (the peers we know are in store_peer.c). */
#include "store_impl.h"

#include <string.h>

#include "hash.h"
#include "wire.h"

em_err
store_summary(store *st, uint8_t *entries, uint32_t cap, uint32_t *n)
{
	MDB_txn *txn;
	MDB_cursor *cur;
	MDB_val k, v;
	int rc, err;

	*n = 0;
	if ((err = st_cursor(st, st->authors, &txn, &cur)) != EM_OK)
		return err;
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0 && *n < cap;
	    rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		store_author a;

		if (k.mv_size != 32 || st_author_read(st, txn, k.mv_data, &a) != EM_OK)
			continue;
		wire_entry_put(entries, (*n)++, k.mv_data, a.contiguous, a.max_seq);
	}
	st_cursor_end(txn, cur);
	return rc == 0 || rc == MDB_NOTFOUND ? EM_OK : st_rc(rc);
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
