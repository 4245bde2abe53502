/* Content-addressed blobs (task item chunks) and the evaluation cache. */
#define _DEFAULT_SOURCE	/* madvise: glibc's posix_madvise ignores DONTNEED */
#include "store_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "hash.h"

#define EVAL_KEY_LEN	36	/* run key || item index */
#define EVAL_HEAD_LEN	35	/* score || flags || output hash, then the output */
#define EVAL_EACH_RELEASE	4096	/* entries read between two st_map_release */

void
st_map_release(store *st)
{
	mdb_filehandle_t fd;
	struct stat sb;
	char line[512];
	int whole = 1;
	FILE *f;

	if (mdb_env_get_fd(st->env, &fd) != 0 || fstat(fd, &sb) != 0 ||
	    (f = fopen("/proc/self/maps", "r")) == NULL)
		return;
	while (fgets(line, sizeof line, f) != NULL) {
		unsigned long lo, hi, ino;
		unsigned maj, min;
		char perms[8];
		int start = whole;

		/* a line longer than the buffer comes in pieces: only a whole
		 * line's start is read as a mapping */
		whole = strchr(line, '\n') != NULL;
		if (!start || sscanf(line, "%lx-%lx %7s %*s %x:%x %lu", &lo, &hi, perms, &maj, &min,
		    &ino) != 6)
			continue;
		/* the store's file, mapped read-only and shared: nothing else */
		if (ino == (unsigned long)sb.st_ino && makedev(maj, min) == sb.st_dev &&
		    strcmp(perms, "r--s") == 0 && hi > lo)
			(void)madvise((void *)lo, hi - lo, MADV_DONTNEED);
	}
	fclose(f);
}

struct blob_put { const uint8_t *hash, *bytes; size_t len; };

static int
blob_put_fn(store *st, MDB_txn *txn, void *ctx)
{
	const struct blob_put *bp = ctx;
	MDB_val k = { 32, (void *)(uintptr_t)bp->hash };
	MDB_val v = { bp->len, (void *)(uintptr_t)bp->bytes };
	int rc = mdb_put(txn, st->blobs, &k, &v, MDB_NOOVERWRITE);

	return rc == MDB_KEYEXIST ? EM_OK : st_rc(rc);
}

em_err
store_blob_put(store *st, const uint8_t hash[static 32], const uint8_t *bytes,
    size_t len)
{
	struct blob_put bp = { hash, bytes, len };
	uint8_t h[32];

	if (len > STORE_BLOB_MAX)
		return EM_ETOOBIG;
	hash_blake2b(h, bytes, len);
	if (memcmp(h, hash, 32) != 0)
		return EM_EFORMAT;
	if (store_blob_has(st, hash))
		return EM_OK;
	return st_write(st, blob_put_fn, &bp);
}

/* Copies a blob out of the map, then lets go of the map's pages under it
 * (MADV_DONTNEED). The map is a read-only view of the file, so nothing is
 * lost: a page touched again is read back from the page cache. Without
 * it, every chunk read stays counted in this process's resident memory —
 * 256 MiB, read twice, for a task of a million items that is checked and
 * then evaluated one chunk at a time. A value of a page or more has pages
 * of its own (LMDB's overflow pages), from the one it starts in to the
 * one it ends in. */
static em_err
blob_copy_out(const MDB_val *v, void *ctx)
{
	em_err err = st_copy_out(v, ctx);
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE), lo, hi;

	if (page == 0 || (page & (page - 1)) != 0 || v->mv_size < page)
		return err;
	lo = (uintptr_t)v->mv_data & ~(page - 1);
	hi = ((uintptr_t)v->mv_data + v->mv_size + page - 1) & ~(page - 1);
	(void)madvise((void *)lo, hi - lo, MADV_DONTNEED);	/* advice: may be ignored */
	return err;
}

em_err
store_blob_get(store *st, const uint8_t hash[static 32], uint8_t **bytes,
    size_t *len)
{
	struct st_copy c = { NULL, 0, 0 };
	MDB_val k = { 32, (void *)(uintptr_t)hash };
	em_err err = st_lookup(st, st->blobs, &k, blob_copy_out, &c);

	*bytes = c.buf;
	*len = c.len;
	return err;
}

int
store_blob_has(store *st, const uint8_t hash[static 32])
{
	MDB_val k = { 32, (void *)(uintptr_t)hash };

	return st_lookup(st, st->blobs, &k, NULL, NULL) == EM_OK;
}

struct eval_put { const uint8_t *run; const store_eval *e; size_t n; };

static int
eval_put_fn(store *st, MDB_txn *txn, void *ctx)
{
	const struct eval_put *ep = ctx;
	uint8_t key[EVAL_KEY_LEN];
	int rc;

	memcpy(key, ep->run, 32);
	for (size_t i = 0; i < ep->n; i++) {
		const store_eval *e = &ep->e[i];
		size_t olen = e->output_len < STORE_EVAL_OUT_MAX ? e->output_len : STORE_EVAL_OUT_MAX;
		MDB_val k = { sizeof key, key }, v = { EVAL_HEAD_LEN + olen, NULL };
		uint8_t *p;

		be_put(key + 32, e->index, 4);
		if ((rc = mdb_put(txn, st->evals, &k, &v, MDB_RESERVE)) != 0)
			return st_rc(rc);
		p = v.mv_data;
		be_put(p, e->score, 2);
		p[2] = e->flags;
		memcpy(p + 3, e->output_hash, 32);
		if (olen)
			memcpy(p + EVAL_HEAD_LEN, e->output, olen);
	}
	return EM_OK;
}

em_err
store_eval_put(store *st, const uint8_t run[static 32], const store_eval *e,
    size_t n)
{
	struct eval_put ep = { run, e, n };

	em_err err;

	if (n == 0)
		return EM_OK;
	err = st_write(st, eval_put_fn, &ep);
	/* each write reads the tree's right edge back through the map, and
	 * the kernel maps the pages around each page read (fault-around): a
	 * run of a million items would end with its whole cache resident */
	st_map_release(st);
	return err;
}

static int
eval_clear_fn(store *st, MDB_txn *txn, void *ctx)
{
	const uint8_t *run = ctx;
	uint8_t key[EVAL_KEY_LEN] = { 0 };
	MDB_cursor *cur;
	MDB_val k = { sizeof key, key }, v;
	int rc;

	memcpy(key, run, 32);
	if ((rc = mdb_cursor_open(txn, st->evals, &cur)) != 0)
		return st_rc(rc);
	/* found again from the run's first key after each delete: no
	 * reliance on where a deleting cursor stands */
	for (;;) {
		k = (MDB_val){ sizeof key, key };
		if ((rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE)) != 0)
			break;
		if (k.mv_size != EVAL_KEY_LEN || memcmp(k.mv_data, run, 32) != 0)
			break;
		if ((rc = mdb_cursor_del(cur, 0)) != 0)
			break;
	}
	mdb_cursor_close(cur);
	return rc == 0 || rc == MDB_NOTFOUND ? EM_OK : st_rc(rc);
}

em_err
store_eval_clear(store *st, const uint8_t run[static 32])
{
	return st_write(st, eval_clear_fn, (void *)(uintptr_t)run);
}

em_err
store_eval_each(store *st, const uint8_t run[static 32], store_eval_visit fn,
    void *ctx)
{
	uint8_t key[EVAL_KEY_LEN] = { 0 };
	MDB_txn *txn;
	MDB_cursor *cur;
	MDB_val k = { sizeof key, key }, v;
	size_t seen = 0;
	int rc, err;

	memcpy(key, run, 32);
	if ((err = st_cursor(st, st->evals, &txn, &cur)) != EM_OK)
		return err;
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0;
	    rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		const uint8_t *p = v.mv_data;
		store_eval e;

		if (k.mv_size != EVAL_KEY_LEN || memcmp(k.mv_data, run, 32) != 0)
			break;
		if (v.mv_size < EVAL_HEAD_LEN)
			continue;	/* not ours: skip rather than fail */
		e.index = (uint32_t)be_get((const uint8_t *)k.mv_data + 32, 4);
		e.score = (uint16_t)be_get(p, 2);
		e.flags = p[2];
		memcpy(e.output_hash, p + 3, 32);
		e.output = (const char *)p + EVAL_HEAD_LEN;
		e.output_len = v.mv_size - EVAL_HEAD_LEN;
		if (fn(ctx, &e))
			break;
		if (++seen % EVAL_EACH_RELEASE == 0)
			st_map_release(st);	/* what is read stays in the page cache */
	}
	st_cursor_end(txn, cur);
	st_map_release(st);
	return rc == 0 || rc == MDB_NOTFOUND ? EM_OK : st_rc(rc);
}
