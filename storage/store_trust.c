/* The reader's trust list: a table, and the file outside the store that
 * it is a copy of (store.h). */
#include "store_impl.h"

#include <stdlib.h>
#include <string.h>

#include "file.h"
#include "hex.h"

/* a line: id, space, a name of which every byte may take 3, newline */
#define LINE_LEN_MAX	(ID_HEX_LEN + 1 + 3 * STORE_TRUST_NAME_MAX + 1)
#define FILE_MAX	((size_t)STORE_TRUST_MAX * LINE_LEN_MAX)

struct trust_op { const uint8_t *id; const char *name; };

struct entry {
	uint8_t	id[32];
	char	name[STORE_TRUST_NAME_MAX + 1];
};

static int
escaped(unsigned char c)
{
	return c < 0x20 || c == 0x7f || c == '%';
}

/* Appends one line for id and name (len bytes) to buf at *len. */
static void
line_put(char *buf, size_t *len, const uint8_t id[static 32], const char *name, size_t n)
{
	static const char digits[] = "0123456789ABCDEF";
	char *p = buf + *len;

	hex_encode(p, id, 32);
	p += ID_HEX_LEN;
	*p++ = ' ';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];

		if (escaped(c)) {
			*p++ = '%';
			*p++ = digits[c >> 4];
			*p++ = digits[c & 15];
		} else {
			*p++ = (char)c;
		}
	}
	*p++ = '\n';
	*len = (size_t)(p - buf);
}

/* Writes the file from the table as txn sees it. */
static int
file_write(store *st, MDB_txn *txn)
{
	MDB_cursor *cur;
	MDB_stat ms;
	MDB_val k, v;
	char *buf;
	size_t len = 0, n = 0;
	int rc, err;

	if ((rc = mdb_stat(txn, st->trust, &ms)) != 0)
		return st_rc(rc);
	if (ms.ms_entries > STORE_TRUST_MAX)
		return st_bad("the trust table holds more than a trust list may");
	if ((buf = malloc(ms.ms_entries * LINE_LEN_MAX + 1)) == NULL)
		return EM_ENOMEM;
	if ((rc = mdb_cursor_open(txn, st->trust, &cur)) != 0) {
		free(buf);
		return st_rc(rc);
	}
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0 && n < ms.ms_entries;
	    rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT), n++)
		if (k.mv_size == 32 && v.mv_size <= STORE_TRUST_NAME_MAX &&
		    memchr(v.mv_data, 0, v.mv_size) == NULL)
			line_put(buf, &len, k.mv_data, v.mv_data, v.mv_size);
	mdb_cursor_close(cur);
	err = rc == 0 || rc == MDB_NOTFOUND ? EM_OK : st_rc(rc);
	if (err == EM_OK && ((err = file_replace(st->trust_file, 0600, (uint8_t *)buf, len)) !=
	    EM_OK || (err = file_sync_dir(st->trust_file)) != EM_OK))
		err = err == EM_ENOMEM || err == EM_ENOSPC ? err : EM_EIO;
	free(buf);
	return err;
}

static int
put_fn(store *st, MDB_txn *txn, void *ctx)
{
	const struct trust_op *op = ctx;
	MDB_val k = { 32, (void *)(uintptr_t)op->id }, old;
	MDB_val v = { strlen(op->name), (void *)(uintptr_t)op->name };
	MDB_stat ms;
	int rc;

	if ((rc = mdb_get(txn, st->trust, &k, &old)) == MDB_NOTFOUND) {
		if ((rc = mdb_stat(txn, st->trust, &ms)) != 0)
			return st_rc(rc);
		if (ms.ms_entries >= STORE_TRUST_MAX)
			return EM_ETOOBIG;
	} else if (rc != 0) {
		return st_rc(rc);
	}
	if ((rc = mdb_put(txn, st->trust, &k, &v, 0)) != 0)
		return st_rc(rc);
	return st->trust_file ? file_write(st, txn) : EM_OK;
}

static int
del_fn(store *st, MDB_txn *txn, void *ctx)
{
	const struct trust_op *op = ctx;
	MDB_val k = { 32, (void *)(uintptr_t)op->id };
	int err;

	if ((err = st_rc(mdb_del(txn, st->trust, &k, NULL))) != EM_OK)
		return err;
	return st->trust_file ? file_write(st, txn) : EM_OK;
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

static int
hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 :
	    c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* One line at p, before e, into x; *next past it. */
static em_err
line_get(const char *p, const char *e, struct entry *x, const char **next)
{
	const char *nl = memchr(p, '\n', (size_t)(e - p));
	char hex[ID_HEX_LEN + 1];
	size_t n = 0;

	if (nl == NULL || nl - p < ID_HEX_LEN + 1 || p[ID_HEX_LEN] != ' ')
		return EM_EFORMAT;
	memcpy(hex, p, ID_HEX_LEN);
	hex[ID_HEX_LEN] = '\0';
	if (hex_decode(x->id, 32, hex) != EM_OK)
		return EM_EFORMAT;
	for (p += ID_HEX_LEN + 1; p < nl; p++) {
		int c = (unsigned char)*p, hi, lo;

		if (c == '%') {
			if (nl - p < 3 || (hi = hexval(p[1])) < 0 || (lo = hexval(p[2])) < 0)
				return EM_EFORMAT;
			c = hi << 4 | lo;
			p += 2;
			if (c == 0)
				return EM_EFORMAT;
		} else if (escaped((unsigned char)c)) {
			return EM_EFORMAT;
		}
		if (n == STORE_TRUST_NAME_MAX)
			return EM_EFORMAT;
		x->name[n++] = (char)c;
	}
	x->name[n] = '\0';
	*next = nl + 1;
	return EM_OK;
}

static int
entry_cmp(const void *a, const void *b)
{
	return memcmp(((const struct entry *)a)->id, ((const struct entry *)b)->id, 32);
}

struct list { struct entry *e; size_t n; };

/* The file's entries, sorted by id; a missing file is no list (e NULL). */
static em_err
list_read(const char *path, struct list *l)
{
	uint8_t *buf = NULL;
	const char *p, *e;
	size_t len;
	em_err err;

	l->e = NULL;
	l->n = 0;
	if ((err = file_read(path, FILE_MAX, &buf, &len)) != EM_OK)
		return err == EM_ETOOBIG || err == EM_EINVAL ? EM_EFORMAT : err;
	if ((l->e = malloc((len / (ID_HEX_LEN + 2) + 1) * sizeof *l->e)) == NULL) {
		free(buf);
		return EM_ENOMEM;
	}
	for (p = (const char *)buf, e = p + len; p < e && err == EM_OK; l->n++)
		err = l->n == STORE_TRUST_MAX ? EM_EFORMAT : line_get(p, e, &l->e[l->n], &p);
	free(buf);
	if (err != EM_OK)
		return err;
	qsort(l->e, l->n, sizeof *l->e, entry_cmp);
	for (size_t i = 1; i < l->n; i++)
		if (memcmp(l->e[i - 1].id, l->e[i].id, 32) == 0)
			return EM_EFORMAT;	/* one line per id */
	return EM_OK;
}

/* Whether the table, in txn, holds exactly l (nothing, for no file).
 * An entry of no form put writes is damage: never rewritten over. */
static int
same(store *st, MDB_txn *txn, const struct list *l, int *eq)
{
	MDB_cursor *cur;
	MDB_val k, v;
	size_t i = 0;
	int rc;

	*eq = 1;
	if ((rc = mdb_cursor_open(txn, st->trust, &cur)) != 0)
		return st_rc(rc);
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT), i++) {
		if (k.mv_size != 32 || v.mv_size > STORE_TRUST_NAME_MAX ||
		    memchr(v.mv_data, 0, v.mv_size) != NULL) {
			mdb_cursor_close(cur);
			return st_bad("the trust table holds an entry of no known form");
		}
		*eq = *eq && i < l->n && memcmp(k.mv_data, l->e[i].id, 32) == 0 &&
		    v.mv_size == strlen(l->e[i].name) &&
		    memcmp(v.mv_data, l->e[i].name, v.mv_size) == 0;
	}
	mdb_cursor_close(cur);
	if (rc != MDB_NOTFOUND)
		return st_rc(rc);
	*eq = *eq && i == l->n;
	return EM_OK;
}

/* The table made the file's list. */
static int
sync_fn(store *st, MDB_txn *txn, void *ctx)
{
	const struct list *l = ctx;
	int rc, err, eq;

	if ((err = same(st, txn, l, &eq)) != EM_OK || eq)
		return err;
	if ((rc = mdb_drop(txn, st->trust, 0)) != 0)
		return st_rc(rc);
	for (size_t i = 0; i < l->n; i++) {
		MDB_val k = { 32, l->e[i].id }, v = { strlen(l->e[i].name), l->e[i].name };

		if ((rc = mdb_put(txn, st->trust, &k, &v, 0)) != 0)
			return st_rc(rc);
	}
	return EM_OK;
}

/* Reads first: the file written from the table when there is none (no
 * write to the store), nothing when the two agree; the table rewritten
 * only when they differ, and then by a store opened to read only when
 * it is opened again to write (ST_REOPEN). */
int
st_trust_sync(store *st)
{
	struct list l;
	MDB_txn *txn = NULL;
	MDB_stat ms;
	em_err err;
	int eq = 1, rc;

	if (st->trust_file == NULL)
		return EM_OK;
	if ((err = list_read(st->trust_file, &l)) != EM_OK && err != EM_ENOTFOUND) {
		free(l.e);
		return err;
	}
	if ((err = st_read_begin(st, &txn)) != EM_OK)
		goto out;
	if (l.e == NULL) {
		if ((rc = mdb_stat(txn, st->trust, &ms)) != 0)
			err = st_rc(rc);
		else if (ms.ms_entries > 0 && (err = same(st, txn, &l, &eq)) == EM_OK)
			err = file_write(st, txn);
		goto out;
	}
	if ((err = same(st, txn, &l, &eq)) != EM_OK || eq)
		goto out;
	mdb_txn_abort(txn);
	txn = NULL;
	err = st->rdonly ? ST_REOPEN : st_write(st, sync_fn, &l);
out:
	if (txn != NULL)
		mdb_txn_abort(txn);
	free(l.e);
	return err;
}
