#include "store_impl.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "hex.h"

#define MAP_LIMIT	((size_t)1 << 40)
#define WRITE_TRIES	40	/* map doublings before a write gives up */
#define DISK_FULL_BYTES	(64 * 1024)	/* less room than this: a full disk */

int
st_rc(int rc)
{
	const char *what = st_damage_what(rc);

	if (what != NULL) {
		st_damage(what, 0);
		return EM_EDAMAGED;
	}
	switch (rc) {
	case MDB_SUCCESS:	return EM_OK;
	case MDB_NOTFOUND:	return EM_ENOTFOUND;
	case MDB_MAP_FULL:	return ST_FULL;
	case ENOMEM:		return EM_ENOMEM;
	case ENOSPC:
	case EDQUOT:		return EM_ENOSPC;
	case EACCES:
	case EIO:		return EM_EIO;
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
		rc = mdb_env_set_mapsize(st->env, 0);
		st_map_note(st);	/* mapped anew, maybe elsewhere */
		if (rc == 0)
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
	int rc;

	if (mdb_env_info(st->env, &info) == 0 && info.me_mapsize > st->map_size)
		st->map_size = info.me_mapsize;
	if (st->map_size >= MAP_LIMIT)
		return EM_ETOOBIG;
	st->map_size *= 2;
	rc = mdb_env_set_mapsize(st->env, st->map_size);
	st_map_note(st);
	return st_rc(rc);
}

/* Whether the file system holding st has less room than a write needs.
 * LMDB (0.9.24, mdb_page_flush) turns a short write, what a full file
 * system gives when part of the pages fit, into EIO ("short write,
 * filesystem full?"): an EIO from a commit while this is so was a full
 * disk. */
static int
disk_full(const store *st)
{
	struct statvfs vfs;

	return statvfs(st->dir, &vfs) == 0 &&
	    (uint64_t)vfs.f_bavail * vfs.f_frsize < DISK_FULL_BYTES;
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
		if (err == EM_EIO && disk_full(st))
			err = EM_ENOSPC;
		if (err != ST_FULL)
			return (em_err)err;
		if ((err = grow(st)) != EM_OK)
			return (em_err)err;
	}
	return EM_ETOOBIG;
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
	uint64_t floor;
	int err, err2, status;

	/* The seq comes from what this transaction sees, in the store and in
	 * the file; LMDB admits one writer at a time across processes, so no
	 * other can take it. */
	err = st_author_read(st, txn, ident_pk(p->me), &a);
	if (err != EM_OK && err != EM_ENOTFOUND)
		return err;
	if ((err2 = st_seq_floor(st, ident_pk(p->me), &floor)) != EM_OK)
		return err2;
	p->seq = err == EM_OK && a.max_seq > floor ? a.max_seq : floor;
	if (p->seq == UINT64_MAX)
		return EM_ERANGE;	/* every seq signed */
	p->seq++;
	if ((err = rec_seal(p->me, st->netid, p->kind, p->seq, p->ts, p->body,
	    p->body_len, &bytes, &len, &env)) != EM_OK)
		return err;
	err = st_index_put(st, txn, &env, &status);
	memcpy(p->id, env.id, 32);
	free(bytes);
	/* the file says seq is taken before anyone can see the record */
	if (err == EM_OK)
		err = st_seq_raise(st, ident_pk(p->me), p->seq);
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
