#include "store_impl.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hex.h"

#define MAP_DEFAULT	((size_t)64 << 20)
#define MAP_LIMIT	((size_t)1 << 40)
#define WRITE_TRIES	40	/* map doublings before a write gives up */

int
st_rc(int rc)
{
	switch (rc) {
	case MDB_SUCCESS:	return EM_OK;
	case MDB_NOTFOUND:	return EM_ENOTFOUND;
	case MDB_MAP_FULL:	return ST_FULL;
	case ENOMEM:		return EM_ENOMEM;
	case EACCES:
	case EIO:
	case ENOSPC:		return EM_EIO;
	default:		return EM_ESTORE;
	}
}

void
st_feed_key(uint8_t key[static FEED_KEY_LEN], const uint8_t author[static 32],
    uint64_t seq)
{
	memcpy(key, author, 32);
	be_put(key + 32, seq, 8);
}

static int
begin(store *st, unsigned flags, MDB_txn **txn)
{
	int rc = mdb_txn_begin(st->env, NULL, flags, txn);

	/* Another process grew the map: adopt its size and try again. */
	if (rc == MDB_MAP_RESIZED) {
		if ((rc = mdb_env_set_mapsize(st->env, 0)) == 0)
			rc = mdb_txn_begin(st->env, NULL, flags, txn);
	}
	return rc;
}

em_err
st_read_begin(store *st, MDB_txn **txn)
{
	int rc = begin(st, MDB_RDONLY, txn);

	return rc == 0 ? EM_OK : (em_err)(st_rc(rc) == ST_FULL ? EM_ESTORE : st_rc(rc));
}

em_err
st_cursor(store *st, MDB_dbi dbi, MDB_txn **txn, MDB_cursor **cur)
{
	em_err err;
	int rc;

	if ((err = st_read_begin(st, txn)) != EM_OK)
		return err;
	if ((rc = mdb_cursor_open(*txn, dbi, cur)) != 0) {
		mdb_txn_abort(*txn);
		return (em_err)st_rc(rc);
	}
	return EM_OK;
}

void
st_cursor_end(MDB_txn *txn, MDB_cursor *cur)
{
	mdb_cursor_close(cur);
	mdb_txn_abort(txn);
}

static int
grow(store *st)
{
	MDB_envinfo info;

	if (mdb_env_info(st->env, &info) == 0 && info.me_mapsize > st->map_size)
		st->map_size = info.me_mapsize;
	if (st->map_size >= MAP_LIMIT)
		return EM_ETOOBIG;
	st->map_size *= 2;
	return st_rc(mdb_env_set_mapsize(st->env, st->map_size));
}

em_err
st_write(store *st, int (*fn)(store *, MDB_txn *, void *), void *ctx)
{
	for (int tries = 0; tries < WRITE_TRIES; tries++) {
		MDB_txn *txn = NULL;
		int err = st_rc(begin(st, 0, &txn));

		st->next_num = 0;

		if (err == EM_OK && (err = fn(st, txn, ctx)) == EM_OK)
			err = st_rc(mdb_txn_commit(txn));	/* frees txn */
		else if (txn != NULL)
			mdb_txn_abort(txn);
		if (err != ST_FULL)
			return (em_err)err;
		if ((err = grow(st)) != EM_OK)
			return (em_err)err;
	}
	return EM_ETOOBIG;
}

static int
open_dbis(store *st, MDB_txn *txn, void *ctx)
{
	static const struct { const char *name; unsigned flags; size_t off; } dbs[] = {
		{ "meta", 0, offsetof(store, meta) },
		{ "records", 0, offsetof(store, records) },
		{ "ids", 0, offsetof(store, ids) },
		{ "feeds", MDB_DUPSORT | MDB_DUPFIXED, offsetof(store, feeds) },
		{ "authors", 0, offsetof(store, authors) },
		{ "board", MDB_DUPSORT, offsetof(store, board) },
		{ "by_model", MDB_DUPSORT | MDB_DUPFIXED, offsetof(store, by_model) },
		{ "tasks", MDB_DUPSORT | MDB_DUPFIXED, offsetof(store, tasks) },
		{ "targets", MDB_DUPSORT | MDB_DUPFIXED, offsetof(store, targets) },
		{ "peers", 0, offsetof(store, peers) },
		{ "blobs", 0, offsetof(store, blobs) },
		{ "evals", 0, offsetof(store, evals) },
		{ "trust", 0, offsetof(store, trust) },
		{ "digests", 0, offsetof(store, digests) },
		{ "names", 0, offsetof(store, names) },
	};
	const uint8_t *netid = ctx;
	char hex[ID_HEX_LEN + 1];
	MDB_val k = { 7, "network" }, v;
	int rc;

	for (size_t i = 0; i < sizeof dbs / sizeof dbs[0]; i++) {
		MDB_dbi *dbi = (MDB_dbi *)((char *)st + dbs[i].off);

		if ((rc = mdb_dbi_open(txn, dbs[i].name, dbs[i].flags | MDB_CREATE, dbi)) != 0)
			return st_rc(rc);
	}
	/* A store belongs to one network: its records verify only there. */
	hex_encode(hex, netid, 32);
	if ((rc = mdb_get(txn, st->meta, &k, &v)) == MDB_NOTFOUND) {
		v.mv_size = ID_HEX_LEN;
		v.mv_data = hex;
		return st_rc(mdb_put(txn, st->meta, &k, &v, 0));
	}
	if (rc != 0)
		return st_rc(rc);
	if (v.mv_size != ID_HEX_LEN || memcmp(v.mv_data, hex, ID_HEX_LEN) != 0)
		return EM_ENETWORK;
	return EM_OK;
}

/* The layout of the derived databases (the board and its names). A store
 * whose meta "schema" differs has them built again, once, from the result
 * records it holds. */
#define STORE_SCHEMA	"8"	/* 8: names by their keys (name_key) */
static int
upgrade(store *st, MDB_txn *txn, void *ctx)
{
	MDB_val k = { 6, "schema" }, v, num, bytes;
	MDB_cursor *cur;
	int rc, err = EM_OK;

	(void)ctx;
	if (mdb_get(txn, st->meta, &k, &v) == 0 && v.mv_size == 1 &&
	    memcmp(v.mv_data, STORE_SCHEMA, 1) == 0)
		return EM_OK;
	/* the board's rows are derived: drop them and build them again */
	if ((rc = mdb_drop(txn, st->board, 0)) != 0 || (rc = mdb_drop(txn, st->digests, 0)) != 0 ||
	    (rc = mdb_drop(txn, st->names, 0)) != 0)
		return st_rc(rc);
	if ((rc = mdb_cursor_open(txn, st->records, &cur)) != 0)
		return st_rc(rc);
	for (rc = mdb_cursor_get(cur, &num, &bytes, MDB_FIRST); rc == 0 && err == EM_OK;
	    rc = mdb_cursor_get(cur, &num, &bytes, MDB_NEXT)) {
		rec_env env;
		body_any b;

		if (st_parse(&bytes, &env, &b) == EM_OK && env.kind == REC_RESULT && num.mv_size == 8)
			err = st_board_add(st, txn, &env, &b.u.result, num.mv_data);
	}
	mdb_cursor_close(cur);
	if (err != EM_OK)
		return err;
	v.mv_size = 1;
	v.mv_data = STORE_SCHEMA;
	return st_rc(mdb_put(txn, st->meta, &k, &v, 0));
}

em_err
store_open(const char *dir, const uint8_t netid[static 32],
    const store_opts *opts, store **out)
{
	store *st;
	em_err err;
	int rc, dead;

	*out = NULL;
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return EM_EIO;
	if ((st = calloc(1, sizeof *st)) == NULL)
		return EM_ENOMEM;
	memcpy(st->netid, netid, 32);
	st->map_size = opts != NULL && opts->map_size ? opts->map_size : MAP_DEFAULT;
	if ((rc = mdb_env_create(&st->env)) != 0 ||
	    (rc = mdb_env_set_maxdbs(st->env, 16)) != 0 ||
	    (rc = mdb_env_set_mapsize(st->env, st->map_size)) != 0 ||
	    (rc = mdb_env_open(st->env, dir, MDB_NOTLS, 0600)) != 0) {
		err = st_rc(rc) == ST_FULL ? EM_ESTORE : (em_err)st_rc(rc);
		goto fail;
	}
	/* Reader slots left by processes that died (kill -9) are freed. */
	mdb_reader_check(st->env, &dead);
	if ((err = st_write(st, open_dbis, (void *)(uintptr_t)netid)) != EM_OK ||
	    (err = st_write(st, upgrade, NULL)) != EM_OK)
		goto fail;
	*out = st;
	return EM_OK;
fail:
	store_free(st);
	return err;
}

void
store_free(store *st)
{
	if (st == NULL)
		return;
	if (st->env != NULL)
		mdb_env_close(st->env);
	free(st);
}

struct batch {
	const rec_env	*envs;
	size_t		 n;
	int		*status;
};

static int
put_batch(store *st, MDB_txn *txn, void *ctx)
{
	struct batch *b = ctx;
	int err, s;

	for (size_t i = 0; i < b->n; i++) {
		if ((err = st_index_put(st, txn, &b->envs[i], &s)) != EM_OK)
			return err;
		if (b->status != NULL)
			b->status[i] = s;
	}
	return EM_OK;
}

em_err
store_put_batch(store *st, const rec_env *envs, size_t n, int *status)
{
	struct batch b = { envs, n, status };

	return n == 0 ? EM_OK : st_write(st, put_batch, &b);
}

em_err
store_put(store *st, const rec_env *env)
{
	int status = STORE_NEW;
	em_err err = store_put_batch(st, env, 1, &status);

	if (err != EM_OK)
		return err;
	return status == STORE_DUP ? EM_EDUP : status == STORE_EQUIV ? EM_EEQUIV : EM_OK;
}

struct publish {
	const ident	*me;
	uint8_t		 kind;
	const uint8_t	*body;
	size_t		 body_len;
	uint64_t	 ts, seq;
	uint8_t		 id[32];
};

static int
publish_fn(store *st, MDB_txn *txn, void *ctx)
{
	struct publish *p = ctx;
	store_author a;
	uint8_t *bytes = NULL;
	size_t len;
	rec_env env;
	int err, status;

	/* The seq comes from what this transaction sees; LMDB admits one
	 * writer at a time across processes, so no other can take it. */
	err = st_author_read(st, txn, ident_pk(p->me), &a);
	if (err != EM_OK && err != EM_ENOTFOUND)
		return err;
	p->seq = (err == EM_OK ? a.max_seq : 0) + 1;
	if ((err = rec_seal(p->me, st->netid, p->kind, p->seq, p->ts, p->body,
	    p->body_len, &bytes, &len, &env)) != EM_OK)
		return err;
	err = st_index_put(st, txn, &env, &status);
	memcpy(p->id, env.id, 32);
	free(bytes);
	return err;
}

em_err
store_publish(store *st, const ident *me, uint8_t kind, const uint8_t *body_bytes,
    size_t body_len, uint64_t ts_ms, uint8_t id[static 32], uint64_t *seq)
{
	struct publish p = { me, kind, body_bytes, body_len, ts_ms, 0, { 0 } };
	em_err err;

	if ((err = st_write(st, publish_fn, &p)) != EM_OK)
		return err;
	memcpy(id, p.id, 32);
	if (seq != NULL)
		*seq = p.seq;
	return EM_OK;
}

/* Runs a lookup of key in dbi and copies the value out with fn. */
em_err
st_lookup(store *st, MDB_dbi dbi, MDB_val *key,
    em_err (*fn)(const MDB_val *v, void *ctx), void *ctx)
{
	MDB_txn *txn;
	MDB_val v;
	em_err err;

	if ((err = st_read_begin(st, &txn)) != EM_OK)
		return err;
	err = st_rc(mdb_get(txn, dbi, key, &v));
	if (err == EM_OK && fn != NULL)
		err = fn(&v, ctx);
	mdb_txn_abort(txn);
	return err;
}

int
store_has(store *st, const uint8_t id[static 32])
{
	MDB_val k = { 32, (void *)(uintptr_t)id };

	return st_lookup(st, st->ids, &k, NULL, NULL) == EM_OK;
}


em_err
st_copy_out(const MDB_val *v, void *ctx)
{
	struct st_copy *c = ctx;

	if ((c->buf = malloc(v->mv_size ? v->mv_size : 1)) == NULL)
		return EM_ENOMEM;
	memcpy(c->buf, v->mv_data, v->mv_size);
	c->len = v->mv_size;
	return EM_OK;
}

em_err
store_get(store *st, const uint8_t id[static 32], uint8_t **bytes, size_t *len)
{
	struct st_copy c = { NULL, 0, 0 };
	MDB_txn *txn;
	MDB_val v;
	em_err err;

	*bytes = NULL;
	*len = 0;
	if ((err = st_read_begin(st, &txn)) != EM_OK)
		return err;
	if ((err = (em_err)st_bytes(st, txn, id, &v)) == EM_OK &&
	    (err = st_copy_out(&v, &c)) == EM_OK) {
		*bytes = c.buf;
		*len = c.len;
	}
	mdb_txn_abort(txn);
	return err;
}

static em_err
copy_text(const MDB_val *v, void *ctx)
{
	struct st_copy *c = ctx;

	if (v->mv_size >= c->cap)
		return EM_ETOOBIG;
	memcpy(c->buf, v->mv_data, v->mv_size);
	c->buf[v->mv_size] = 0;
	return EM_OK;
}

em_err
store_meta_get(store *st, const char *key, char *buf, size_t cap)
{
	MDB_val k = { strlen(key), (void *)(uintptr_t)key };
	struct st_copy c = { (uint8_t *)buf, 0, cap };

	return st_lookup(st, st->meta, &k, copy_text, &c);
}

struct meta_kv { const char *key, *value; };

static int
meta_set_fn(store *st, MDB_txn *txn, void *ctx)
{
	struct meta_kv *kv = ctx;
	MDB_val k = { strlen(kv->key), (void *)(uintptr_t)kv->key };
	MDB_val v = { strlen(kv->value), (void *)(uintptr_t)kv->value };

	return st_rc(mdb_put(txn, st->meta, &k, &v, 0));
}

em_err
store_meta_set(store *st, const char *key, const char *value)
{
	struct meta_kv kv = { key, value };

	if (strlen(key) == 0 || strlen(key) > 64)
		return EM_EINVAL;
	return st_write(st, meta_set_fn, &kv);
}

em_err
store_count(store *st, uint64_t *n)
{
	MDB_txn *txn;
	MDB_stat ms;
	em_err err;

	if ((err = st_read_begin(st, &txn)) != EM_OK)
		return err;
	err = st_rc(mdb_stat(txn, st->records, &ms));
	*n = err == EM_OK ? ms.ms_entries : 0;
	mdb_txn_abort(txn);
	return err;
}
