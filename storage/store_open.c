/* Opening a store: the environment, the checks made before any page is
 * read (store_damage.c), the tables, the network, the layout. */
#include "store_impl.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hex.h"

#define MAP_DEFAULT	((size_t)64 << 20)

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
	{ "names", 0, offsetof(store, names) },
};

size_t
st_tables(const char **names, MDB_dbi *dbis, size_t cap, const store *st)
{
	size_t n = sizeof dbs / sizeof dbs[0];

	for (size_t i = 0; i < n && i < cap; i++) {
		names[i] = dbs[i].name;
		dbis[i] = *(const MDB_dbi *)((const char *)st + dbs[i].off);
	}
	return n < cap ? n : cap;
}

/* What a table's record in the main tree says of it, checked before the
 * table is read: LMDB 0.9 takes a table's flags from that record without
 * comparing them with those it is opened with, and a flipped flag makes
 * it treat plain values as sub-trees (a write through a NULL pointer in
 * mdb_get). Its depth and page counts must fit the file. */
static int
table_sane(MDB_txn *txn, MDB_dbi dbi, const char *name, unsigned want)
{
	const unsigned kinds = MDB_REVERSEKEY | MDB_DUPSORT | MDB_INTEGERKEY | MDB_DUPFIXED |
	    MDB_INTEGERDUP | MDB_REVERSEDUP;
	MDB_envinfo info;
	MDB_stat ms;
	unsigned flags;
	char what[160];
	int rc;

	if ((rc = mdb_dbi_flags(txn, dbi, &flags)) != 0 || (rc = mdb_stat(txn, dbi, &ms)) != 0 ||
	    (rc = mdb_env_info(mdb_txn_env(txn), &info)) != 0)
		return st_rc(rc);
	if ((flags & kinds) != want)
		snprintf(what, sizeof what, "table '%s' has flags 0x%x, not 0x%x", name,
		    flags & kinds, want);
	else if (ms.ms_depth > 32 || (uint64_t)ms.ms_branch_pages + ms.ms_leaf_pages +
	    ms.ms_overflow_pages > info.me_last_pgno)
		snprintf(what, sizeof what, "table '%s' claims depth %u and %llu pages in a file "
		    "of %llu", name, ms.ms_depth, (unsigned long long)ms.ms_branch_pages +
		    ms.ms_leaf_pages + ms.ms_overflow_pages,
		    (unsigned long long)info.me_last_pgno + 1);
	else
		return EM_OK;
	return st_bad(what);
}

static int
open_dbis(store *st, MDB_txn *txn, void *ctx)
{
	const uint8_t *netid = ctx;
	char hex[ID_HEX_LEN + 1], what[96];
	MDB_val k = { 7, "network" }, v;
	int rc, err;

	for (size_t i = 0; i < sizeof dbs / sizeof dbs[0]; i++) {
		MDB_dbi *dbi = (MDB_dbi *)((char *)st + dbs[i].off);
		unsigned create = st->rdonly ? 0 : MDB_CREATE;

		if ((rc = mdb_dbi_open(txn, dbs[i].name, dbs[i].flags | create, dbi)) == 0) {
			if ((err = table_sane(txn, *dbi, dbs[i].name, dbs[i].flags)) != EM_OK)
				return err;
			continue;
		}
		if (rc != MDB_NOTFOUND)
			return st_rc(rc);
		/* only a store opened to read can lack one: every open
		 * that may write creates them */
		snprintf(what, sizeof what, "its table '%s' is missing", dbs[i].name);
		st_damage(what, 0);
		return EM_EDAMAGED;
	}
	/* A store belongs to one network: its records verify only there. */
	hex_encode(hex, netid, 32);
	if ((rc = mdb_get(txn, st->meta, &k, &v)) == MDB_NOTFOUND && !st->rdonly) {
		v.mv_size = ID_HEX_LEN;
		v.mv_data = hex;
		return st_rc(mdb_put(txn, st->meta, &k, &v, 0));
	}
	if (rc == MDB_NOTFOUND) {
		st_damage("it names no network", 0);
		return EM_EDAMAGED;
	}
	if (rc != 0)
		return st_rc(rc);
	if (v.mv_size != ID_HEX_LEN || memcmp(v.mv_data, hex, ID_HEX_LEN) != 0)
		return EM_ENETWORK;
	return EM_OK;
}

/* The tables of a store opened to read, in a read transaction whose
 * commit keeps their handles. */
static em_err
open_rdonly(store *st, const uint8_t netid[static 32])
{
	MDB_txn *txn;
	em_err err;

	if ((err = st_read_begin(st, &txn)) != EM_OK)
		return err;
	if ((err = (em_err)open_dbis(st, txn, (void *)(uintptr_t)netid)) != EM_OK) {
		mdb_txn_abort(txn);
		return err;
	}
	return (em_err)st_rc(mdb_txn_commit(txn));
}

/* The layout of the derived databases (the board and its names, the
 * task index). A store whose meta "schema" differs has them built again,
 * once, from the records it holds. */
#define STORE_SCHEMA	"10"	/* 8: names by their keys (name_key); 9: no
				 * digests table (a cache nothing read); 10:
				 * task ids of version 2 (body_task_id) */

/* The tables an older layout had and this one has not: gone. */
static int
drop_old(MDB_txn *txn)
{
	static const char *const old[] = { "digests" };
	MDB_dbi dbi;
	int rc;

	for (size_t i = 0; i < sizeof old / sizeof old[0]; i++) {
		if ((rc = mdb_dbi_open(txn, old[i], 0, &dbi)) == MDB_NOTFOUND)
			continue;
		if (rc != 0 || (rc = mdb_drop(txn, dbi, 1)) != 0)
			return st_rc(rc);
	}
	return EM_OK;
}

static int
upgrade(store *st, MDB_txn *txn, void *ctx)
{
	MDB_val k = { 6, "schema" }, v, num, bytes;
	MDB_cursor *cur;
	int rc, err = EM_OK;

	(void)ctx;
	if ((rc = mdb_get(txn, st->meta, &k, &v)) != 0 && rc != MDB_NOTFOUND)
		return st_rc(rc);
	if (rc == 0 && v.mv_size == sizeof STORE_SCHEMA - 1 &&
	    memcmp(v.mv_data, STORE_SCHEMA, sizeof STORE_SCHEMA - 1) == 0)
		return EM_OK;
	/* the board's rows are derived: drop them and build them again */
	if ((err = drop_old(txn)) != EM_OK)
		return err;
	if ((rc = mdb_drop(txn, st->board, 0)) != 0 || (rc = mdb_drop(txn, st->names, 0)) != 0 ||
	    (rc = mdb_drop(txn, st->tasks, 0)) != 0)
		return st_rc(rc);
	if ((rc = mdb_cursor_open(txn, st->records, &cur)) != 0)
		return st_rc(rc);
	for (rc = mdb_cursor_get(cur, &num, &bytes, MDB_FIRST); rc == 0 && err == EM_OK;
	    rc = mdb_cursor_get(cur, &num, &bytes, MDB_NEXT)) {
		rec_env env;
		body_any b;

		if (st_parse(&bytes, &env, &b) != EM_OK || num.mv_size != 8)
			continue;
		if (env.kind == REC_RESULT)
			err = st_board_add(st, txn, &env, &b.u.result, num.mv_data);
		else if (env.kind == REC_TASK)
			err = st_task_index(st, txn, &b.u.task, num.mv_data);
	}
	mdb_cursor_close(cur);
	if (err != EM_OK)
		return err;
	if (rc != MDB_NOTFOUND)
		return st_rc(rc);
	v.mv_size = sizeof STORE_SCHEMA - 1;
	v.mv_data = STORE_SCHEMA;
	return st_rc(mdb_put(txn, st->meta, &k, &v, 0));
}

/* What opening found before any table: a store opened to read must have
 * a data.mdb with something in it (an empty one LMDB would take for a
 * new store, and write); one opened with STORE_READ is then opened to
 * write instead (ST_REOPEN). */
static int
open_rc(store *st, const char *dir, int rc, int strict)
{
	char path[4096];
	struct stat sb;
	int empty;

	if (rc == MDB_MAP_FULL)
		return EM_ESTORE;
	if (!st->rdonly)
		return st_rc(rc);
	empty = (size_t)snprintf(path, sizeof path, "%s/data.mdb", dir) < sizeof path &&
	    stat(path, &sb) == 0 && sb.st_size == 0;
	if (!strict && (rc == ENOENT || empty))
		return ST_REOPEN;
	if (rc == ENOENT)
		return EM_ENOTFOUND;
	if (empty) {
		st_damage("data.mdb is empty (0 bytes)", 0);
		return EM_EDAMAGED;
	}
	return st_rc(rc);
}

static em_err
opts_copy(store *st, const store_opts *opts)
{
	if (opts == NULL)
		return EM_OK;
	if ((opts->seq_file != NULL && (st->seq_file = strdup(opts->seq_file)) == NULL) ||
	    (opts->trust_file != NULL && (st->trust_file = strdup(opts->trust_file)) == NULL))
		return EM_ENOMEM;
	return EM_OK;
}

/* Whether a store opened to read has a layout to build (upgrade). */
static int
layout_old(store *st)
{
	char v[8];
	em_err err = store_meta_get(st, "schema", v, sizeof v);

	if (err == EM_OK || err == EM_ENOTFOUND || err == EM_ETOOBIG)
		return err != EM_OK || strcmp(v, STORE_SCHEMA) != 0 ? ST_REOPEN : EM_OK;
	return err;
}

/* One try: to read (rdonly; strict: never ST_REOPEN) or to write. */
static int
open_one(const char *dir, const uint8_t netid[static 32], const store_opts *opts,
    int rdonly, int strict, store **out)
{
	store *st;
	int err, rc, dead;

	*out = NULL;
	if (!rdonly && mkdir(dir, 0700) != 0 && errno != EEXIST)
		return em_errno(errno);
	if ((st = calloc(1, sizeof *st)) == NULL)
		return EM_ENOMEM;
	st->slot = -1;
	st->rdonly = rdonly;
	memcpy(st->netid, netid, 32);
	st->map_size = opts != NULL && opts->map_size ? opts->map_size : MAP_DEFAULT;
	if ((st->dir = strdup(dir)) == NULL) {
		err = EM_ENOMEM;
		goto fail;
	}
	if ((err = opts_copy(st, opts)) != EM_OK)
		goto fail;
	if ((rc = mdb_env_create(&st->env)) != 0 ||
	    (rc = mdb_env_set_maxdbs(st->env, 16)) != 0 ||
	    (rc = mdb_env_set_mapsize(st->env, st->map_size)) != 0 ||
	    (rc = mdb_env_set_assert(st->env, st_assert)) != 0 ||
	    (rc = mdb_env_open(st->env, dir, MDB_NOTLS | (rdonly ? MDB_RDONLY : 0), 0600)) != 0) {
		err = open_rc(st, dir, rc, strict);
		goto fail;
	}
	st_map_note(st);
	if ((err = st_sane(st)) != EM_OK)
		goto fail;
	/* Reader slots left by processes that died (kill -9) are freed. */
	mdb_reader_check(st->env, &dead);
	if (rdonly)
		err = open_rdonly(st, netid);
	else if ((err = st_write(st, open_dbis, (void *)(uintptr_t)netid)) == EM_OK)
		err = st_write(st, upgrade, NULL);
	if (err == EM_OK && rdonly && !strict)
		err = layout_old(st);
	if (err == EM_OK && !(rdonly && strict))
		err = st_trust_sync(st);
	if (err != EM_OK)
		goto fail;
	st_seq_load(st);
	*out = st;
	return EM_OK;
fail:
	store_free(st);
	return err;
}

em_err
store_open(const char *dir, const uint8_t netid[static 32],
    const store_opts *opts, store **out)
{
	unsigned flags = opts != NULL ? opts->flags : 0;
	int err;

	if (flags & STORE_RDONLY)
		return (em_err)open_one(dir, netid, opts, 1, 1, out);
	if ((flags & STORE_READ) && (err = open_one(dir, netid, opts, 1, 0, out)) != ST_REOPEN)
		return (em_err)err;
	return (em_err)open_one(dir, netid, opts, 0, 0, out);
}

void
store_free(store *st)
{
	if (st == NULL)
		return;
	st_map_drop(st);
	if (st->env != NULL)
		mdb_env_close(st->env);
	free(st->dir);
	free(st->seq_file);
	free(st->trust_file);
	free(st);
}

const char *
store_dir(const store *st)
{
	return st->dir;
}
