/* The peers we know: "host:port" -> what we know of it (store.h).
 *
 * A value is has_id(1) id(32) last_ok(8) ban_until(8) fails(4), then
 * table(1) source(17) heard(8); an older evalmesh wrote the first 53
 * bytes only, and those still read (table STORE_PEER_UNKNOWN). */
#include "store_impl.h"

#include <string.h>

#define PEER_OLD_LEN	(1 + 32 + 8 + 8 + 4)
#define PEER_VAL_LEN	(PEER_OLD_LEN + 1 + STORE_PEER_SOURCE_LEN + 8)

const char *
store_peer_table_name(uint8_t table)
{
	switch (table) {
	case STORE_PEER_NEW:		return "new";
	case STORE_PEER_TRIED:		return "tried";
	case STORE_PEER_OPERATOR:	return "operator";
	default:			return "unknown";
	}
}

static int
addr_ok(const char *addr)
{
	size_t n = strnlen(addr, 256);

	return n > 0 && n < 256;
}

static void
encode(const store_peer *p, uint8_t val[static PEER_VAL_LEN])
{
	val[0] = (uint8_t)(p->has_id != 0);
	memcpy(val + 1, p->id, 32);
	be_put(val + 33, p->last_ok, 8);
	be_put(val + 41, p->ban_until, 8);
	be_put(val + 49, p->fails, 4);
	val[53] = p->table;
	memcpy(val + 54, p->source, STORE_PEER_SOURCE_LEN);
	be_put(val + 54 + STORE_PEER_SOURCE_LEN, p->heard, 8);
}

/* 0, or -1 if k, v are no peer entry of either form. */
static int
decode(const MDB_val *k, const MDB_val *v, store_peer *p)
{
	const uint8_t *b = v->mv_data;

	if (k->mv_size == 0 || k->mv_size >= sizeof p->addr ||
	    (v->mv_size != PEER_VAL_LEN && v->mv_size != PEER_OLD_LEN))
		return -1;
	memset(p, 0, sizeof *p);
	memcpy(p->addr, k->mv_data, k->mv_size);
	p->addr[k->mv_size] = 0;
	if (strlen(p->addr) != k->mv_size)
		return -1;	/* a NUL inside: not a key we wrote */
	p->has_id = b[0] != 0;
	memcpy(p->id, b + 1, 32);
	p->last_ok = be_get(b + 33, 8);
	p->ban_until = be_get(b + 41, 8);
	p->fails = (uint32_t)be_get(b + 49, 4);
	if (v->mv_size == PEER_VAL_LEN) {
		p->table = b[53] <= STORE_PEER_OPERATOR ? b[53] : STORE_PEER_UNKNOWN;
		memcpy(p->source, b + 54, STORE_PEER_SOURCE_LEN);
		p->heard = be_get(b + 54 + STORE_PEER_SOURCE_LEN, 8);
	}
	return 0;
}

static int
put_one(store *st, MDB_txn *txn, const store_peer *p)
{
	uint8_t val[PEER_VAL_LEN];
	MDB_val k = { strlen(p->addr), (void *)(uintptr_t)p->addr };
	MDB_val v = { sizeof val, val };

	encode(p, val);
	return st_rc(mdb_put(txn, st->peers, &k, &v, 0));
}

struct peer_write {
	const store_peer *const *put;
	size_t		 n_put;
	const char *const *del;
	size_t		 n_del;
};

static int
write_fn(store *st, MDB_txn *txn, void *ctx)
{
	struct peer_write *w = ctx;
	int err;

	for (size_t i = 0; i < w->n_del; i++) {
		MDB_val k = { strlen(w->del[i]), (void *)(uintptr_t)w->del[i] };
		int rc = mdb_del(txn, st->peers, &k, NULL);

		if (rc != 0 && rc != MDB_NOTFOUND)
			return st_rc(rc);
	}
	for (size_t i = 0; i < w->n_put; i++)
		if ((err = put_one(st, txn, w->put[i])) != EM_OK)
			return err;
	return EM_OK;
}

em_err
store_peer_write(store *st, const store_peer *const *put, size_t n_put,
    const char *const *del, size_t n_del)
{
	struct peer_write w = { put, n_put, del, n_del };

	for (size_t i = 0; i < n_put; i++)
		if (!addr_ok(put[i]->addr))
			return EM_EINVAL;
	for (size_t i = 0; i < n_del; i++)
		if (!addr_ok(del[i]))
			return EM_EINVAL;
	if (n_put == 0 && n_del == 0)
		return EM_OK;
	return st_write(st, write_fn, &w);
}

em_err
store_peer_put(store *st, const store_peer *p)
{
	return store_peer_write(st, &p, 1, NULL, 0);
}

em_err
store_peer_each(store *st, int (*fn)(void *ctx, const store_peer *p), void *ctx)
{
	MDB_txn *txn;
	MDB_cursor *cur;
	MDB_val k, v;
	store_peer p;
	int rc, err;

	if ((err = st_cursor(st, st->peers, &txn, &cur)) != EM_OK)
		return err;
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT))
		if (decode(&k, &v, &p) == 0 && fn(ctx, &p))
			break;
	st_cursor_end(txn, cur);
	return rc == 0 || rc == MDB_NOTFOUND ? EM_OK : st_rc(rc);
}

struct peer_list { store_peer *out; size_t cap, *n; };

static int
list_fn(void *ctx, const store_peer *p)
{
	struct peer_list *l = ctx;

	if (*l->n == l->cap)
		return 1;
	l->out[(*l->n)++] = *p;
	return 0;
}

em_err
store_peer_list(store *st, store_peer *out, size_t cap, size_t *n)
{
	struct peer_list l = { out, cap, n };

	*n = 0;
	return cap == 0 ? EM_OK : store_peer_each(st, list_fn, &l);
}

struct peer_prune {
	int	(*keep)(void *ctx, const char *addr);
	void	*ctx;
	size_t	 gone;
};

static int
prune_fn(store *st, MDB_txn *txn, void *ctx)
{
	struct peer_prune *pr = ctx;
	MDB_cursor *cur;
	MDB_val k, v;
	store_peer p;
	int rc;

	pr->gone = 0;	/* this may run again after the map grew */
	if ((rc = mdb_cursor_open(txn, st->peers, &cur)) != 0)
		return st_rc(rc);
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (decode(&k, &v, &p) == 0 && pr->keep(pr->ctx, p.addr))
			continue;
		if ((rc = mdb_cursor_del(cur, 0)) != 0)
			break;
		pr->gone++;
	}
	mdb_cursor_close(cur);
	return rc == 0 || rc == MDB_NOTFOUND ? EM_OK : st_rc(rc);
}

em_err
store_peer_prune(store *st, int (*keep)(void *ctx, const char *addr), void *ctx,
    size_t *n_gone)
{
	struct peer_prune pr = { keep, ctx, 0 };
	em_err err = st_write(st, prune_fn, &pr);

	if (n_gone != NULL)
		*n_gone = err == EM_OK ? pr.gone : 0;
	return err;
}
