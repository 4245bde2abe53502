/* Reading: id prefixes, author summaries, ordered iterations. */
#include "store_impl.h"

#include <string.h>

#include "hex.h"

/* The one key in dbi (32-byte keys) that starts with the prefix. */
static int
resolve_in(MDB_txn *txn, MDB_dbi dbi, const uint8_t pfx[static 32],
    size_t nibbles, uint8_t id[static 32], int *found)
{
	MDB_cursor *cur;
	MDB_val k = { 32, (void *)(uintptr_t)pfx }, v;
	int rc;

	if ((rc = mdb_cursor_open(txn, dbi, &cur)) != 0)
		return st_rc(rc);
	/* The prefix padded with zeros is the least key that has it. */
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0;
	    rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT_NODUP)) {
		if (k.mv_size != 32 || !hex_prefix_match(k.mv_data, pfx, nibbles))
			break;
		if (*found && memcmp(id, k.mv_data, 32) != 0) {
			mdb_cursor_close(cur);
			return EM_EAMBIGUOUS;
		}
		memcpy(id, k.mv_data, 32);
		*found = 1;
	}
	mdb_cursor_close(cur);
	return rc == 0 || rc == MDB_NOTFOUND ? EM_OK : st_rc(rc);
}

em_err
store_resolve(store *st, enum store_space space, const char *prefix,
    uint8_t id[static 32])
{
	uint8_t pfx[32];
	size_t nibbles;
	MDB_txn *txn;
	int found = 0, err;

	if ((err = hex_prefix(prefix, pfx, &nibbles)) != EM_OK)
		return EM_EFORMAT;
	if ((err = st_read_begin(st, &txn)) != EM_OK)
		return err;
	switch (space) {
	case SPACE_RECORD:
		err = resolve_in(txn, st->ids, pfx, nibbles, id, &found);
		break;
	case SPACE_AUTHOR:
		err = resolve_in(txn, st->authors, pfx, nibbles, id, &found);
		break;
	case SPACE_TASK:
		/* a task we hold, or one that results we hold name */
		if ((err = resolve_in(txn, st->tasks, pfx, nibbles, id, &found)) == EM_OK)
			err = resolve_in(txn, st->board, pfx, nibbles, id, &found);
		break;
	}
	mdb_txn_abort(txn);
	if (err == EM_OK && !found)
		err = EM_ENOTFOUND;
	return (em_err)err;
}

em_err
store_feed_id(store *st, const uint8_t author[static 32], uint64_t seq,
    uint8_t id[static 32])
{
	uint8_t key[FEED_KEY_LEN];
	MDB_val k = { sizeof key, key }, v;
	MDB_txn *txn;
	em_err err;

	st_feed_key(key, author, seq);
	if ((err = st_read_begin(st, &txn)) != EM_OK)
		return err;
	if ((err = (em_err)st_rc(mdb_get(txn, st->feeds, &k, &v))) == EM_OK) {
		if (v.mv_size == 32)
			memcpy(id, v.mv_data, 32);
		else
			err = st_bad("a feed entry of the wrong size");
	}
	mdb_txn_abort(txn);
	return err;
}

em_err
store_author_get(store *st, const uint8_t author[static 32], store_author *out)
{
	MDB_txn *txn;
	em_err err;

	if ((err = st_read_begin(st, &txn)) != EM_OK)
		return err;
	err = (em_err)st_author_read(st, txn, author, out);
	mdb_txn_abort(txn);
	return err;
}

/* Loads and parses a stored record inside txn, named by its id (32 bytes)
 * or by its local number (8 bytes), as the indexes hold them. */
static int
load(store *st, MDB_txn *txn, const MDB_val *ref, rec_env *env, body_any *b)
{
	MDB_val v;
	int err;

	if (ref->mv_size == 32)
		err = st_bytes(st, txn, ref->mv_data, &v);
	else
		err = st_rc(mdb_get(txn, st->records, (MDB_val *)(uintptr_t)ref, &v));
	if (err != EM_OK)
		return err == EM_ENOTFOUND ? st_bad("an index entry without its record") : err;
	return st_parse(&v, env, b);
}

int
st_parse(const MDB_val *v, rec_env *env, body_any *b)
{
	if (rec_parse(v->mv_data, v->mv_size, env, NULL) != EM_OK ||
	    rec_body(env, b) != EM_OK)
		return st_bad("a stored record that no longer parses");
	return EM_OK;
}

/* Visits the records an index lists under key (or under every key): its
 * values hold their local numbers at num_at. */
static em_err
visit_index(store *st, MDB_dbi dbi, size_t num_at, const uint8_t *key, const uint8_t *author,
    store_visit fn, void *ctx)
{
	MDB_txn *txn;
	MDB_cursor *cur;
	MDB_val k = { 32, (void *)(uintptr_t)key }, v;
	int err, rc;

	if ((err = st_cursor(st, dbi, &txn, &cur)) != EM_OK)
		return err;
	rc = mdb_cursor_get(cur, &k, &v, key ? MDB_SET : MDB_FIRST);
	for (; rc == 0; rc = mdb_cursor_get(cur, &k, &v, key ? MDB_NEXT_DUP : MDB_NEXT)) {
		MDB_val ref = { v.mv_size >= num_at + 8 ? 8 : 0, (uint8_t *)v.mv_data + num_at };
		rec_env env;
		body_any b;
		uint32_t flags;

		if ((err = load(st, txn, &ref, &env, &b)) != EM_OK)
			goto out;
		if (author != NULL && memcmp(env.author, author, 32) != 0)
			continue;
		if ((err = st_result_flags(st, txn, env.id, env.author, &flags)) != EM_OK)
			goto out;
		if (fn(ctx, &env, &b, flags))
			break;
	}
	err = rc == 0 || rc == MDB_NOTFOUND ? EM_OK : st_rc(rc);
out:
	st_cursor_end(txn, cur);
	return (em_err)err;
}

em_err
store_results(store *st, const uint8_t *task, const uint8_t *author,
    store_visit fn, void *ctx)
{
	return visit_index(st, st->board, ST_BOARD_NUM_AT, task, author, fn, ctx);
}

em_err
store_tasks(store *st, const uint8_t *task, store_visit fn, void *ctx)
{
	return visit_index(st, st->tasks, 0, task, NULL, fn, ctx);
}

em_err
store_targets(store *st, const uint8_t target[static 32], store_visit fn, void *ctx)
{
	return visit_index(st, st->targets, 0, target, NULL, fn, ctx);
}

em_err
store_records(store *st, const uint8_t *author, uint64_t since,
    store_visit fn, void *ctx)
{
	uint8_t key[FEED_KEY_LEN];
	MDB_txn *txn;
	MDB_cursor *cur;
	MDB_val k = { sizeof key, key }, v;
	int err, rc;

	if ((err = st_cursor(st, st->feeds, &txn, &cur)) != EM_OK)
		return err;
	if (author != NULL) {
		st_feed_key(key, author, since);
		rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
	} else {
		rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
	}
	for (; rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		rec_env env;
		body_any b;

		if (author != NULL && memcmp(k.mv_data, author, 32) != 0)
			break;
		if ((err = load(st, txn, &v, &env, &b)) != EM_OK)
			goto out;
		if (fn(ctx, &env, &b, 0))
			break;
	}
	err = rc == 0 || rc == MDB_NOTFOUND ? EM_OK : st_rc(rc);
out:
	st_cursor_end(txn, cur);
	return (em_err)err;
}
