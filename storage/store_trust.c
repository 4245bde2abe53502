/* The reader's trust list. */
#include "store_impl.h"

#include <string.h>

struct trust_op { const uint8_t *id; const char *name; };

static int
put_fn(store *st, MDB_txn *txn, void *ctx)
{
	const struct trust_op *op = ctx;
	MDB_val k = { 32, (void *)(uintptr_t)op->id };
	MDB_val v = { strlen(op->name), (void *)(uintptr_t)op->name };

	return st_rc(mdb_put(txn, st->trust, &k, &v, 0));
}

static int
del_fn(store *st, MDB_txn *txn, void *ctx)
{
	const struct trust_op *op = ctx;
	MDB_val k = { 32, (void *)(uintptr_t)op->id };

	return st_rc(mdb_del(txn, st->trust, &k, NULL));
}

em_err
store_trust_put(store *st, const uint8_t id[static 32], const char *name)
{
	struct trust_op op = { id, name };

	if (strlen(name) > STORE_TRUST_NAME_MAX)
		return EM_ETOOBIG;
	return st_write(st, put_fn, &op);
}

em_err
store_trust_del(store *st, const uint8_t id[static 32])
{
	struct trust_op op = { id, NULL };

	return st_write(st, del_fn, &op);
}

em_err
store_trust_list(store *st, store_trust_visit fn, void *ctx)
{
	MDB_txn *txn;
	MDB_cursor *cur;
	MDB_val k, v;
	int rc, err;

	if ((err = st_cursor(st, st->trust, &txn, &cur)) != EM_OK)
		return err;
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		char name[STORE_TRUST_NAME_MAX + 1];

		if (k.mv_size != 32 || v.mv_size > STORE_TRUST_NAME_MAX)
			continue;
		memcpy(name, v.mv_data, v.mv_size);
		name[v.mv_size] = '\0';
		if (fn(ctx, k.mv_data, name))
			break;
	}
	st_cursor_end(txn, cur);
	return rc == 0 || rc == MDB_NOTFOUND ? EM_OK : st_rc(rc);
}

int
store_trusted(store *st, const uint8_t id[static 32])
{
	MDB_val k = { 32, (void *)(uintptr_t)id };

	return st_lookup(st, st->trust, &k, NULL, NULL) == EM_OK;
}
