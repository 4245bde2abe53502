/* store_check: every page of a store read once, every entry's shape and
 * every record's signature checked (store.h). */
#include "store_impl.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "hash.h"

#define TABLES_MAX	16

struct walk {
	store			*st;
	MDB_txn			*txn;
	store_check_report	*rep;
	uint64_t		 last;		/* the last page in use */
	uint64_t		 counts[TABLES_MAX];
};

static void
at(store_check_report *rep, const char *table)
{
	snprintf(rep->table, sizeof rep->table, "%s", table);
	rep->entries = 0;
}

/* Writes what is wrong and where into rep->problem; EM_EDAMAGED. */
static int __attribute__((format(printf, 2, 3)))
problem(store_check_report *rep, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	snprintf(rep->problem, sizeof rep->problem, "%s (table '%s', after %llu entries)",
	    what, rep->table, (unsigned long long)rep->entries);
	return EM_EDAMAGED;
}

/* An LMDB failure met in the walk: damage, or the store's own error. */
static int
failed(store_check_report *rep, int rc)
{
	const char *what = st_damage_what(rc);

	if (what != NULL)
		return problem(rep, "%s", what);
	return st_rc(rc) == ST_FULL ? EM_ESTORE : st_rc(rc);
}

/* LMDB's free list: each value a count, then that many page numbers, each
 * a page that exists (the layout mdb_stat -f reads). A free list that
 * lies makes the next write put a page over one in use. */
static int
free_entry(struct walk *w, const MDB_val *k, const MDB_val *v)
{
	const size_t *ids = v->mv_data;
	size_t n;

	(void)k;
	if (v->mv_size < sizeof(size_t) || v->mv_size % sizeof(size_t) != 0)
		return problem(w->rep, "a free-list entry of %zu bytes", v->mv_size);
	memcpy(&n, ids, sizeof n);
	if (n != v->mv_size / sizeof(size_t) - 1)
		return problem(w->rep, "a free-list entry counts %zu pages in %zu bytes", n,
		    v->mv_size);
	for (size_t i = 1; i <= n; i++) {
		size_t pg;

		memcpy(&pg, (const uint8_t *)v->mv_data + i * sizeof pg, sizeof pg);
		if (pg < 2 || pg > w->last)
			return problem(w->rep, "the free list names page %zu of %llu", pg,
			    (unsigned long long)w->last + 1);
	}
	return EM_OK;
}

/* A record: it verifies in the store's network, and ids names it. */
static int
record_entry(struct walk *w, const MDB_val *k, const MDB_val *v)
{
	char why[160];
	rec_why rw;
	rec_env env;
	MDB_val ik, num;
	em_err err;
	int rc;

	if (k->mv_size != 8)
		return problem(w->rep, "a record under a key of %zu bytes", k->mv_size);
	if ((err = rec_open(v->mv_data, v->mv_size, w->st->netid, &env, &rw)) != EM_OK)
		return problem(w->rep, "record %llu no longer verifies: %s",
		    (unsigned long long)be_get(k->mv_data, 8), rec_strerror(err, &rw, why,
		    sizeof why));
	ik = (MDB_val){ 32, env.id };
	if ((rc = mdb_get(w->txn, w->st->ids, &ik, &num)) == MDB_NOTFOUND ||
	    (rc == 0 && (num.mv_size != 8 || memcmp(num.mv_data, k->mv_data, 8) != 0)))
		return problem(w->rep, "record %llu is not indexed by its id",
		    (unsigned long long)be_get(k->mv_data, 8));
	if (rc != 0)
		return failed(w->rep, rc);
	w->rep->records++;
	return EM_OK;
}

static int
blob_entry(struct walk *w, const MDB_val *k, const MDB_val *v)
{
	uint8_t h[32];

	if (k->mv_size != 32 || v->mv_size > STORE_BLOB_MAX)
		return problem(w->rep, "a blob of %zu bytes under a key of %zu", v->mv_size,
		    k->mv_size);
	hash_blake2b(h, v->mv_data, v->mv_size);
	if (memcmp(h, k->mv_data, 32) != 0)
		return problem(w->rep, "a blob whose bytes no longer hash to its key");
	return EM_OK;
}

/* The shapes of each table's entries (store.h's layout): key and value
 * sizes, 0 for any, and a check of its own. */
static const struct shape {
	const char	*name;
	size_t		 klen, vlen;
	int		(*fn)(struct walk *, const MDB_val *, const MDB_val *);
} shapes[] = {
	{ "records", 8, 0, record_entry },
	{ "ids", 32, 8, NULL },
	{ "feeds", 40, 32, NULL },
	{ "authors", 32, AUTHOR_VAL_LEN, NULL },
	{ "board", 32, 0, NULL },
	{ "by_model", 0, 8, NULL },
	{ "tasks", 32, 8, NULL },
	{ "targets", 32, 8, NULL },
	{ "blobs", 32, 0, blob_entry },
	{ "trust", 32, 0, NULL },
};

static const struct shape *
shape_of(const char *name)
{
	for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++)
		if (strcmp(shapes[i].name, name) == 0)
			return &shapes[i];
	return NULL;
}

/* Reads every entry of dbi, checking each with sh (may be NULL); *n gets
 * how many, which must be what the table's own count says. */
static int
walk_one(struct walk *w, const char *name, MDB_dbi dbi, const struct shape *sh, uint64_t *n)
{
	MDB_cursor *cur;
	MDB_stat ms;
	MDB_val k, v;
	int rc, err = EM_OK;

	at(w->rep, name);
	*n = 0;
	if ((rc = mdb_stat(w->txn, dbi, &ms)) != 0 || (rc = mdb_cursor_open(w->txn, dbi, &cur)) != 0)
		return failed(w->rep, rc);
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0 && err == EM_OK;
	    rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (sh != NULL && ((sh->klen && k.mv_size != sh->klen) ||
		    (sh->vlen && v.mv_size != sh->vlen)))
			err = problem(w->rep, "an entry of %zu and %zu bytes", k.mv_size,
			    v.mv_size);
		else if (sh != NULL && sh->fn != NULL)
			err = sh->fn(w, &k, &v);
		w->rep->entries = ++*n;
	}
	mdb_cursor_close(cur);
	if (err != EM_OK)
		return err;
	if (rc != MDB_NOTFOUND)
		return failed(w->rep, rc);
	if (*n != ms.ms_entries)
		return problem(w->rep, "the table counts %llu entries, its pages hold %llu",
		    (unsigned long long)ms.ms_entries, (unsigned long long)*n);
	return EM_OK;
}

/* Each table, then what one table must agree with another on. */
static int
walk_tables(struct walk *w)
{
	const char *names[TABLES_MAX];
	MDB_dbi dbis[TABLES_MAX];
	size_t n = st_tables(names, dbis, TABLES_MAX, w->st);
	uint64_t records = 0, ids = 0, feeds = 0;
	int err;

	for (size_t i = 0; i < n; i++) {
		if ((err = walk_one(w, names[i], dbis[i], shape_of(names[i]), &w->counts[i])) !=
		    EM_OK)
			return err;
		if (strcmp(names[i], "records") == 0)
			records = w->counts[i];
		else if (strcmp(names[i], "ids") == 0)
			ids = w->counts[i];
		else if (strcmp(names[i], "feeds") == 0)
			feeds = w->counts[i];
		else if (strcmp(names[i], "authors") == 0)
			w->rep->authors = w->counts[i];
	}
	at(w->rep, "ids");
	if (ids != records || feeds != records)
		return problem(w->rep, "%llu records, but %llu ids and %llu feed entries",
		    (unsigned long long)records, (unsigned long long)ids,
		    (unsigned long long)feeds);
	return EM_OK;
}

em_err
store_check(store *st, store_check_report *rep)
{
	static const struct shape free_shape = { "free list", 0, 0, free_entry };
	struct walk w = { st, NULL, rep, 0, { 0 } };
	MDB_envinfo info;
	MDB_stat ms;
	MDB_dbi main_dbi;
	mdb_filehandle_t fd;
	struct stat sb;
	uint64_t n;
	int err, rc;

	memset(rep, 0, sizeof *rep);
	if (mdb_env_info(st->env, &info) != 0 || mdb_env_stat(st->env, &ms) != 0 ||
	    mdb_env_get_fd(st->env, &fd) != 0 || fstat(fd, &sb) != 0)
		return EM_EIO;
	if ((err = st_read_begin(st, &w.txn)) != EM_OK)
		return (em_err)err;
	/* the meta page this transaction reads may be newer than the one
	 * mdb_env_info saw: the file only grows, so the size is re-read */
	if (mdb_env_info(st->env, &info) == 0 && fstat(fd, &sb) == 0) {
		w.last = info.me_last_pgno;
		rep->page_size = ms.ms_psize;
		rep->pages_used = w.last + 1;
		rep->file_bytes = (uint64_t)sb.st_size;
	}
	if ((err = walk_one(&w, "free list", 0, &free_shape, &n)) == EM_OK &&
	    (rc = mdb_dbi_open(w.txn, NULL, 0, &main_dbi)) != 0)
		err = failed(rep, rc);
	if (err == EM_OK && (err = walk_one(&w, "main", main_dbi, NULL, &n)) == EM_OK)
		err = walk_tables(&w);
	mdb_txn_abort(w.txn);
	if (err == EM_OK)
		at(rep, "");
	return (em_err)err;
}
