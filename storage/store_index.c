/* Writing one record and its index entries (see store.h for the layout). */
#include "store_impl.h"

#include <stdio.h>
#include <string.h>

int
st_author_read(store *st, MDB_txn *txn, const uint8_t author[static 32],
    store_author *out)
{
	MDB_val k = { 32, (void *)(uintptr_t)author }, v;
	int err = st_rc(mdb_get(txn, st->authors, &k, &v));
	const uint8_t *p = v.mv_data;

	if (err != EM_OK)
		return err;
	if (v.mv_size != AUTHOR_VAL_LEN)
		return st_bad("an author's summary of the wrong size");
	out->max_seq = be_get(p, 8);
	out->contiguous = be_get(p + 8, 8);
	out->count = be_get(p + 16, 8);
	out->flags = (uint32_t)be_get(p + 24, 4);
	return EM_OK;
}

static int
author_write(store *st, MDB_txn *txn, const uint8_t author[static 32],
    const store_author *a)
{
	uint8_t buf[AUTHOR_VAL_LEN];
	MDB_val k = { 32, (void *)(uintptr_t)author }, v = { AUTHOR_VAL_LEN, buf };

	be_put(buf, a->max_seq, 8);
	be_put(buf + 8, a->contiguous, 8);
	be_put(buf + 16, a->count, 8);
	be_put(buf + 24, a->flags, 4);
	return st_rc(mdb_put(txn, st->authors, &k, &v, 0));
}

static int
has_key(store *st, MDB_txn *txn, MDB_dbi dbi, const uint8_t *key, size_t len)
{
	MDB_val k = { len, (void *)(uintptr_t)key }, v;

	(void)st;
	return st_told(mdb_get(txn, dbi, &k, &v)) == 0;
}

/* Updates the author's summary for a new record at seq; an author caught
 * equivocating for the first time has every result row flagged. */
static int
author_update(store *st, MDB_txn *txn, const rec_env *env, int equiv)
{
	store_author a = { 0, 0, 0, 0 };
	uint8_t key[FEED_KEY_LEN];
	int err = st_author_read(st, txn, env->author, &a);

	if (err != EM_OK && err != EM_ENOTFOUND)
		return err;
	if (env->seq > a.max_seq)
		a.max_seq = env->seq;
	a.count++;
	if (equiv && !(a.flags & AUTHOR_EQUIVOCATED)) {
		a.flags |= AUTHOR_EQUIVOCATED;
		if ((err = st_board_author(st, txn, env->author)) != EM_OK)
			return err;
	}
	/* Advance over the gap this record may have closed: bounded by the
	 * records held, and usually a single step. */
	for (;;) {
		st_feed_key(key, env->author, a.contiguous + 1);
		if (!has_key(st, txn, st->feeds, key, sizeof key))
			break;
		a.contiguous++;
	}
	return author_write(st, txn, env->author, &a);
}

/* Adds val (len bytes) under key in a dup-sorted index. */
static int
index_add(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen,
    const uint8_t *val, size_t len)
{
	MDB_val k = { klen, (void *)(uintptr_t)key }, v = { len, (void *)(uintptr_t)val };
	int rc = mdb_put(txn, dbi, &k, &v, MDB_NODUPDATA);

	return rc == MDB_KEYEXIST ? EM_OK : st_rc(rc);
}

int
st_task_index(store *st, MDB_txn *txn, const body_task *t, const uint8_t num[static 8])
{
	uint8_t task_id[32];

	body_task_id(t, task_id);
	return index_add(txn, st->tasks, task_id, 32, num, 8);
}

/* The kind's own indexes. Their values are local numbers, which only grow,
 * so each lands at the end of its key's list. */
static int
index_body(store *st, MDB_txn *txn, const rec_env *env, const uint8_t num[static 8])
{
	char model[2 * BODY_NAME_MAX + 2];
	body_any b;
	size_t n;
	int err;

	if (env->kind == REC_NODE)
		return EM_OK;
	if ((err = rec_body(env, &b)) != EM_OK)
		return err;
	switch (env->kind) {
	case REC_RESULT:
		/* key: name NUL revision */
		n = (size_t)snprintf(model, sizeof model, "%s", b.u.result.model);
		n += 1 + (size_t)snprintf(model + n + 1, sizeof model - n - 1, "%s",
		    b.u.result.revision);
		if ((err = st_board_add(st, txn, env, &b.u.result, num)) != EM_OK)
			return err;
		return index_add(txn, st->by_model, model, n, num, 8);
	case REC_TASK:
		return st_task_index(st, txn, &b.u.task, num);
	case REC_REVOKE:
		err = st_board_flag(st, txn, b.u.ref.target, RESULT_REVOKED, env->author);
		break;
	case REC_ATTEST:
		err = b.u.ref.verdict == VERDICT_DISPUTED ?
		    st_board_flag(st, txn, b.u.ref.target, RESULT_DISPUTED, NULL) : EM_OK;
		break;
	case REC_CHALLENGE:
		if ((err = st_board_flag(st, txn, b.u.challenge.result, RESULT_CHALLENGED,
		    NULL)) != EM_OK)
			return err;
		return index_add(txn, st->targets, b.u.challenge.result, 32, num, 8);
	case REC_RESPONSE:
		return index_add(txn, st->targets, b.u.response.result, 32, num, 8);
	default:
		return EM_OK;
	}
	if (err != EM_OK)
		return err;
	return index_add(txn, st->targets, b.u.ref.target, 32, num, 8);
}

int
st_bytes(store *st, MDB_txn *txn, const uint8_t id[static 32], MDB_val *out)
{
	MDB_val k = { 32, (void *)(uintptr_t)id }, num;
	int err;

	if ((err = st_rc(mdb_get(txn, st->ids, &k, &num))) != EM_OK)
		return err;
	if (num.mv_size != 8)
		return st_bad("a record id indexed with a number of the wrong size");
	err = st_rc(mdb_get(txn, st->records, &num, out));
	return err == EM_ENOTFOUND ? st_bad("a record id indexed without its record") : err;
}

/* The local number for the next record of this write transaction. */
static int
next_num(store *st, MDB_txn *txn, uint64_t *num)
{
	MDB_cursor *cur;
	MDB_val k, v;
	int rc;

	if (st->next_num == 0) {
		if ((rc = mdb_cursor_open(txn, st->records, &cur)) != 0)
			return st_rc(rc);
		rc = mdb_cursor_get(cur, &k, &v, MDB_LAST);
		mdb_cursor_close(cur);
		if (rc == 0 && k.mv_size == 8)
			st->next_num = be_get(k.mv_data, 8) + 1;
		else if (rc == MDB_NOTFOUND)
			st->next_num = 1;
		else
			return rc ? st_rc(rc) : st_bad("a record under a key of the wrong size");
	}
	*num = st->next_num++;
	return EM_OK;
}

int
st_index_put(store *st, MDB_txn *txn, const rec_env *env, int *status)
{
	uint8_t key[FEED_KEY_LEN], nb[8];
	MDB_val k = { 32, (void *)(uintptr_t)env->id }, n = { 8, nb };
	MDB_val v = { env->len, NULL };
	uint64_t num = 0;
	int err, rc, equiv;

	if ((err = next_num(st, txn, &num)) != EM_OK)
		return err;
	be_put(nb, num, 8);
	/* Identical bytes have the same id: a replay, nothing to do. */
	if ((rc = mdb_put(txn, st->ids, &k, &n, MDB_NOOVERWRITE)) == MDB_KEYEXIST) {
		st->next_num--;
		*status = STORE_DUP;
		return EM_OK;
	}
	if (rc != 0 ||
	    (rc = mdb_put(txn, st->records, &n, &v, MDB_APPEND | MDB_RESERVE)) != 0)
		return st_rc(rc);
	memcpy(v.mv_data, env->bytes, env->len);
	/* Another id under the same author and seq is an equivocation: both
	 * stay, as evidence anyone can check. */
	st_feed_key(key, env->author, env->seq);
	equiv = has_key(st, txn, st->feeds, key, sizeof key);
	if ((err = index_add(txn, st->feeds, key, sizeof key, env->id, 32)) != EM_OK ||
	    (err = author_update(st, txn, env, equiv)) != EM_OK ||
	    (err = index_body(st, txn, env, nb)) != EM_OK)
		return err;
	*status = equiv ? STORE_EQUIV : STORE_NEW;
	st_seq_seen(st, env->author, env->seq);
	return EM_OK;
}
