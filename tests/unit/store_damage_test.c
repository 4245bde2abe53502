/* A damaged or lost store (storage/store.h: Damage, Sequence numbers, the
 * trust list's file, store_check, store_salvage). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"
#include "hash.h"
#include "hex.h"
#include "store_impl.h"
#include "store_fixture.h"

static char told[512];
static int n_told;

static void
hook(const char *what, int fatal)
{
	(void)fatal;
	snprintf(told, sizeof told, "%s", what);
	n_told++;
}

/* A home-like directory: dir/store, dir/seq, dir/trust. */
struct home {
	char	dir[512], store[600], seq[600], trust[600], data[700];
	store_opts o;
};

static void
home_new(struct home *h)
{
	snprintf(h->dir, sizeof h->dir, "%s", tu_tmpdir());
	snprintf(h->store, sizeof h->store, "%s/store", h->dir);
	snprintf(h->seq, sizeof h->seq, "%s/seq", h->dir);
	snprintf(h->trust, sizeof h->trust, "%s/trust", h->dir);
	snprintf(h->data, sizeof h->data, "%s/data.mdb", h->store);
	h->o = (store_opts){ .seq_file = h->seq, .trust_file = h->trust };
}

static store *
home_open(struct home *h)
{
	store *st = NULL;

	assert_int_equal(store_open(h->store, netid, &h->o, &st), EM_OK);
	return st;
}

/* n results by me; the last seq into *last */
static void
publish(store *st, const ident *me, uint32_t n, uint64_t *last)
{
	uint8_t id[32], *enc;
	size_t elen;

	for (uint32_t i = 0; i < n; i++) {
		body_any b;

		tu_result(&b, i);
		assert_int_equal(body_encode(&b, &enc, &elen), EM_OK);
		assert_int_equal(store_publish(st, me, REC_RESULT, enc, elen, 1, id, last), EM_OK);
		free(enc);
	}
}

static off_t
size_of(const char *path)
{
	struct stat sb;

	assert_int_equal(stat(path, &sb), 0);
	return sb.st_size;
}

/* Cut short anywhere past the meta pages, a store is refused before any
 * page is read, and the hook says how; none of it may crash (main's
 * SIGBUS in mdb_cursor_get). Below two pages LMDB finds no meta page. */
static void
test_cut_short(void **state)
{
	struct home h;
	ident *me;
	store *st;
	off_t full;

	(void)state;
	ident_generate(&me);
	home_new(&h);
	st = home_open(&h);
	publish(st, me, 40, NULL);
	store_free(st);
	full = size_of(h.data);
	store_on_damage(hook);
	for (off_t cut = 8192; cut < full; cut += full / 7 > 4096 ? full / 7 : 4096) {
		struct home c = h;
		char cmd[2048];

		home_new(&c);
		snprintf(cmd, sizeof cmd, "cp -r '%s' '%s' && truncate -s %lld '%s'", h.store,
		    c.dir, (long long)cut, c.data);
		assert_int_equal(system(cmd), 0);
		n_told = 0;
		st = NULL;
		assert_int_equal(store_open(c.store, netid, &c.o, &st), EM_EDAMAGED);
		assert_null(st);
		assert_int_equal(n_told, 1);
		assert_non_null(strstr(told, "cut short"));
		c.o.flags = STORE_RDONLY;
		assert_int_equal(store_open(c.store, netid, &c.o, &st), EM_EDAMAGED);
		tu_rmtree(c.dir);
	}
	/* a few bytes: no meta page */
	assert_int_equal(truncate(h.data, 100), 0);
	assert_int_equal(store_open(h.store, netid, &h.o, &st), EM_EDAMAGED);
	assert_non_null(strstr(told, "meta page"));
	/* empty: a new store to LMDB, but damage to a reader */
	assert_int_equal(truncate(h.data, 0), 0);
	h.o.flags = STORE_RDONLY;
	assert_int_equal(store_open(h.store, netid, &h.o, &st), EM_EDAMAGED);
	assert_non_null(strstr(told, "empty"));
	h.o.flags = 0;
	st = home_open(&h);
	store_free(st);
	store_on_damage(NULL);
	ident_free(me);
	tu_rmtree(h.dir);
}

/* The seq a lost store would hand out again is never signed: the file
 * outside the store is ahead of it. */
static void
test_seq_survives_the_store(void **state)
{
	struct home h;
	ident *me;
	store *st;
	uint64_t seq = 0, filed = 0;
	store_author a;
	FILE *f;

	(void)state;
	ident_generate(&me);
	home_new(&h);
	st = home_open(&h);
	publish(st, me, 3, &seq);
	assert_int_equal(seq, 3);
	assert_int_equal(store_seq_file(st, ident_pk(me), &filed), EM_OK);
	assert_int_equal(filed, 3);
	store_free(st);
	/* a store cut to nothing opens as a new one... */
	assert_int_equal(truncate(h.data, 0), 0);
	st = home_open(&h);
	assert_int_equal(store_author_get(st, ident_pk(me), &a), EM_ENOTFOUND);
	/* ...and still signs above what was signed */
	publish(st, me, 1, &seq);
	assert_int_equal(seq, 4);
	store_free(st);
	/* the file ahead of the store by hand: the store follows it */
	f = fopen(h.seq, "w");
	assert_non_null(f);
	{
		char hex[ID_HEX_LEN + 1];

		hex_encode(hex, ident_pk(me), 32);
		fprintf(f, "%s 41\n", hex);
	}
	fclose(f);
	st = home_open(&h);
	publish(st, me, 1, &seq);
	assert_int_equal(seq, 42);
	store_free(st);
	/* its own records that come back from a peer, signed before what the
	 * file remembers (a file from an old copy), raise it; another's not */
	{
		ident *other;
		uint8_t *rec;
		size_t rlen;
		rec_env env;

		ident_generate(&other);
		st = home_open(&h);
		tu_record(me, netid, 50, 1, &rec, &rlen);
		tu_open(rec, rlen, netid, &env);
		assert_int_equal(store_put(st, &env), EM_OK);
		free(rec);
		tu_record(other, netid, 70, 2, &rec, &rlen);
		tu_open(rec, rlen, netid, &env);
		assert_int_equal(store_put(st, &env), EM_OK);
		free(rec);
		assert_int_equal(store_seq_file(st, ident_pk(me), &filed), EM_OK);
		assert_int_equal(filed, 50);
		assert_int_equal(store_seq_file(st, ident_pk(other), &filed), EM_OK);
		assert_int_equal(filed, 0);
		store_free(st);
		ident_free(other);
	}
	/* a file not of its form signs nothing */
	f = fopen(h.seq, "w");
	fputs("not a seq file\n", f);
	fclose(f);
	st = home_open(&h);
	{
		uint8_t id[32], *enc;
		size_t elen;
		body_any b;
		uint64_t n0, n1;

		tu_result(&b, 9);
		assert_int_equal(body_encode(&b, &enc, &elen), EM_OK);
		assert_int_equal(store_count(st, &n0), EM_OK);
		assert_int_equal(store_publish(st, me, REC_RESULT, enc, elen, 1, id, NULL),
		    EM_EFORMAT);
		assert_int_equal(store_count(st, &n1), EM_OK);
		assert_int_equal(n0, n1);
		free(enc);
	}
	store_free(st);
	ident_free(me);
	tu_rmtree(h.dir);
}

static int
collect(void *ctx, const uint8_t id[static 32], const char *name)
{
	char *out = ctx;
	char hex[ID_HEX_LEN + 1];

	hex_encode(hex, id, 32);
	snprintf(out + strlen(out), 4096 - strlen(out), "%.8s=%s;", hex, name);
	return 0;
}

/* The trust list lives in its file: a lost store gets it back, the
 * table follows the file, an older home's table makes the file. */
static void
test_trust_file(void **state)
{
	struct home h;
	uint8_t a[32], b[32];
	char list[4096] = "", *text;
	store *st;
	size_t len;

	(void)state;
	memset(a, 0xaa, 32);
	memset(b, 0xbb, 32);
	home_new(&h);
	st = home_open(&h);
	assert_int_equal(store_trust_put(st, a, "lab a"), EM_OK);
	assert_int_equal(store_trust_put(st, b, "100% \"b\"\t"), EM_OK);
	store_free(st);
	assert_int_equal(file_read(h.trust, 1 << 20, (uint8_t **)&text, &len), EM_OK);
	assert_non_null(strstr(text, "100%25 \"b\"%09\n"));
	free(text);
	assert_int_equal(truncate(h.data, 0), 0);
	st = home_open(&h);
	assert_int_equal(store_trust_list(st, collect, list), EM_OK);
	assert_string_equal(list, "aaaaaaaa=lab a;bbbbbbbb=100% \"b\"\t;");
	assert_int_equal(store_trust_del(st, a), EM_OK);
	store_free(st);
	assert_int_equal(file_read(h.trust, 1 << 20, (uint8_t **)&text, &len), EM_OK);
	assert_null(strstr(text, "aaaaaaaa"));
	free(text);
	/* a home from before the file: the table writes it */
	unlink(h.trust);
	st = home_open(&h);
	store_free(st);
	assert_int_equal(file_read(h.trust, 1 << 20, (uint8_t **)&text, &len), EM_OK);
	assert_non_null(strstr(text, "bbbbbbbb"));
	free(text);
	/* a file not of its form: refused, and named by the error */
	assert_int_equal(file_replace(h.trust, 0600, (const uint8_t *)"zz b\n", 5), EM_OK);
	st = NULL;
	assert_int_equal(store_open(h.store, netid, &h.o, &st), EM_EFORMAT);
	assert_null(st);
	tu_rmtree(h.dir);
}

/* store_check: a sound store; a record with one byte changed; a table
 * whose pages were overwritten. */
static void
test_check(void **state)
{
	struct home h;
	store_check_report r;
	ident *me;
	store *st;
	uint8_t *data;
	size_t len;
	char cmd[1400];

	(void)state;
	ident_generate(&me);
	home_new(&h);
	st = home_open(&h);
	publish(st, me, 25, NULL);
	assert_int_equal(store_check(st, &r), EM_OK);
	assert_int_equal(r.records, 25);
	assert_int_equal(r.authors, 1);
	assert_string_equal(r.problem, "");
	assert_true(r.pages_used * r.page_size <= r.file_bytes);
	store_free(st);
	/* one byte of one record's signature: it no longer verifies */
	assert_int_equal(file_read(h.data, 64 << 20, &data, &len), EM_OK);
	{
		uint8_t *sig = NULL;
		uint8_t bytes[512];
		size_t blen;

		/* find the first record's bytes as stored: its first 48 bytes are
		 * unique in the file */
		st = home_open(&h);
		{
			uint8_t id[32], *got;
			size_t glen;

			assert_int_equal(store_feed_id(st, ident_pk(me), 5, id), EM_OK);
			assert_int_equal(store_get(st, id, &got, &glen), EM_OK);
			blen = glen < sizeof bytes ? glen : sizeof bytes;
			memcpy(bytes, got, blen);
			free(got);
		}
		store_free(st);
		for (size_t i = 0; i + blen <= len && sig == NULL; i++)
			if (memcmp(data + i, bytes, blen) == 0)
				sig = data + i + blen - 1;
		assert_non_null(sig);
		*sig ^= 0x01;
		assert_int_equal(file_replace(h.data, 0600, data, len), EM_OK);
	}
	free(data);
	h.o.flags = STORE_RDONLY;
	st = home_open(&h);
	assert_int_equal(store_check(st, &r), EM_EDAMAGED);
	assert_non_null(strstr(r.problem, "no longer verifies"));
	assert_string_equal(r.table, "records");
	store_free(st);
	/* a page of zeros in the middle: LMDB's own checks, or ours, say so */
	snprintf(cmd, sizeof cmd, "dd if=/dev/zero of='%s' bs=4096 seek=5 count=1 "
	    "conv=notrunc 2>/dev/null", h.data);
	assert_int_equal(system(cmd), 0);
	st = NULL;
	if (store_open(h.store, netid, &h.o, &st) == EM_OK) {
		assert_int_equal(store_check(st, &r), EM_EDAMAGED);
		assert_string_not_equal(r.problem, "");
	}
	store_free(st);
	ident_free(me);
	tu_rmtree(h.dir);
}

/* store_salvage: what verifies comes across, the rest is counted. */
static void
test_salvage(void **state)
{
	struct home h, n;
	store_salvage_report r;
	store_peer p = { .addr = "127.0.0.1:7400", .table = STORE_PEER_OPERATOR };
	ident *me;
	store *st, *from, *to;
	uint64_t count;
	char v[64];

	(void)state;
	ident_generate(&me);
	home_new(&h);
	st = home_open(&h);
	publish(st, me, 30, NULL);
	assert_int_equal(store_peer_put(st, &p), EM_OK);
	assert_int_equal(store_meta_set(st, "passphrase_env", "MY_PASS"), EM_OK);
	assert_int_equal(store_meta_set(st, "announced", "30"), EM_OK);
	store_free(st);
	h.o.flags = STORE_RDONLY;
	from = home_open(&h);
	home_new(&n);
	to = home_open(&n);
	assert_int_equal(store_salvage(from, to, &r), EM_OK);
	assert_int_equal(r.records, 30);
	assert_int_equal(r.peers, 1);
	assert_int_equal(r.bad, 0);
	assert_int_equal(r.stopped, 0);
	assert_int_equal(store_count(to, &count), EM_OK);
	assert_int_equal(count, 30);
	assert_int_equal(store_meta_get(to, "passphrase_env", v, sizeof v), EM_OK);
	assert_string_equal(v, "MY_PASS");
	assert_int_equal(store_meta_get(to, "announced", v, sizeof v), EM_ENOTFOUND);
	store_free(from);
	store_free(to);
	ident_free(me);
	tu_rmtree(h.dir);
	tu_rmtree(n.dir);
}

/* The map is watched while the store is open, and only then: a value
 * LMDB hands out points into it. */
static void
test_fault_at(void **state)
{
	char dir[512];
	store *st = fresh(dir, 0);
	MDB_txn *txn;
	MDB_val k = { 7, "network" }, v;
	uint64_t page = 0;
	const uint8_t *p;
	size_t map = (size_t)64 << 20;

	(void)state;
	assert_int_equal(st_read_begin(st, &txn), EM_OK);
	assert_int_equal(mdb_get(txn, st->meta, &k, &v), 0);
	p = v.mv_data;
	mdb_txn_abort(txn);
	assert_int_equal(store_fault_at(p, NULL, 1, &page), STORE_FAULT_MAP);
	assert_true(page < 16);		/* a new store has a few pages */
	assert_int_equal(store_fault_at(p, NULL, 0, &page), 0);	/* SIGSEGV inside: ours */
	assert_int_equal(store_fault_at(p + map, NULL, 1, &page), 0);
	assert_int_equal(store_fault_at(p + map, NULL, 0, &page), STORE_FAULT_MAP);
	assert_int_equal(store_fault_at(p + map + (4u << 20), NULL, 0, &page), 0);
	assert_int_equal(store_fault_at(&page, NULL, 1, &page), 0);
	assert_int_equal(store_fault_at(NULL, NULL, 1, &page), 0);
	/* an instruction of LMDB's (a library here), not of ours */
	assert_int_equal(store_fault_at(NULL, (const void *)(uintptr_t)&mdb_get, 0, &page),
	    STORE_FAULT_LMDB);
	assert_int_equal(store_fault_at(NULL, (const void *)(uintptr_t)&store_open, 0, &page), 0);
	store_free(st);
	assert_int_equal(store_fault_at(p, NULL, 1, &page), 0);
	assert_int_equal(store_fault_at(NULL, (const void *)(uintptr_t)&mdb_get, 0, &page), 0);
	tu_rmtree(dir);
}

static int
count_visit(void *ctx, const rec_env *env, const body_any *b, uint32_t flags)
{
	(void)env;
	(void)b;
	(void)flags;
	(*(int *)ctx)++;
	return 0;
}

/* Puts key -> val into dbi, in a transaction of its own. */
static void
raw_put(store *st, MDB_dbi dbi, const void *key, size_t klen, const void *val, size_t vlen)
{
	MDB_txn *txn;
	MDB_val k = { klen, (void *)(uintptr_t)key }, v = { vlen, (void *)(uintptr_t)val };

	assert_int_equal(mdb_txn_begin(st->env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_put(txn, dbi, &k, &v, 0), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
}

/* st_result_flags of result id by author, in a read transaction. */
static int
flags_of(store *st, const uint8_t id[static 32], const uint8_t author[static 32],
    uint32_t *flags)
{
	MDB_txn *txn;
	int err;

	assert_int_equal(st_read_begin(st, &txn), EM_OK);
	err = st_result_flags(st, txn, id, author, flags);
	mdb_txn_abort(txn);
	return err;
}

/* A record that names a result (a revocation, an attestation) and is gone
 * from the records, or no longer parses: the result's flags cannot be
 * known, and reading it says so (EM_EDAMAGED), never a result with
 * flags missing. */
static void
test_flags_damaged(void **state)
{
	static const uint8_t gone[8] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t junk_at[8] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe };
	static const char junk[] = "not a record";
	char dir[512];
	store *st = fresh(dir, 0);
	uint8_t id[32], *enc;
	size_t elen;
	body_any b;
	ident *me;
	uint32_t flags = 0;
	int n = 0;

	(void)state;
	store_on_damage(hook);
	assert_int_equal(ident_generate(&me), EM_OK);
	tu_result(&b, 0);
	assert_int_equal(body_encode(&b, &enc, &elen), EM_OK);
	assert_int_equal(store_publish(st, me, REC_RESULT, enc, elen, 1, id, NULL), EM_OK);
	free(enc);
	assert_int_equal(flags_of(st, id, ident_pk(me), &flags), EM_OK);
	assert_int_equal(flags, 0);
	assert_int_equal(store_results(st, NULL, NULL, count_visit, &n), EM_OK);
	assert_int_equal(n, 1);
	/* indexed as naming it, and not there */
	n_told = 0;
	raw_put(st, st->targets, id, 32, gone, 8);
	assert_int_equal(flags_of(st, id, ident_pk(me), &flags), EM_EDAMAGED);
	assert_non_null(strstr(told, "without its record"));
	assert_int_equal(store_results(st, NULL, NULL, count_visit, &n), EM_EDAMAGED);
	assert_int_equal(n, 1);
	/* there, and not a record */
	store_free(st);
	tu_rmtree(dir);
	st = fresh(dir, 0);
	tu_result(&b, 0);
	assert_int_equal(body_encode(&b, &enc, &elen), EM_OK);
	assert_int_equal(store_publish(st, me, REC_RESULT, enc, elen, 1, id, NULL), EM_OK);
	free(enc);
	raw_put(st, st->records, junk_at, 8, junk, sizeof junk);
	raw_put(st, st->targets, id, 32, junk_at, 8);
	assert_int_equal(flags_of(st, id, ident_pk(me), &flags), EM_EDAMAGED);
	assert_non_null(strstr(told, "no longer parses"));
	assert_int_equal(store_results(st, NULL, NULL, count_visit, &n), EM_EDAMAGED);
	assert_true(n_told >= 2);
	store_on_damage(NULL);
	ident_free(me);
	store_free(st);
	tu_rmtree(dir);
}

/* A store of the layout before 9 (a `digests` table, a cache nothing
 * read) opened now: the table is gone, the layout is this one, and the
 * board is built again with its result. */
static void
test_upgrade_drops_digests(void **state)
{
	char dir[512], v[8];
	store *st = fresh(dir, 0);
	store_opts o = { .flags = STORE_READ };
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k = { 32, dir }, val = { 40, dir };
	uint8_t id[32], *enc;
	size_t elen;
	body_any b;
	ident *me;
	int n = 0;

	(void)state;
	assert_int_equal(ident_generate(&me), EM_OK);
	tu_result(&b, 0);
	assert_int_equal(body_encode(&b, &enc, &elen), EM_OK);
	assert_int_equal(store_publish(st, me, REC_RESULT, enc, elen, 1, id, NULL), EM_OK);
	free(enc);
	assert_int_equal(mdb_txn_begin(st->env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, "digests", MDB_CREATE, &dbi), 0);
	assert_int_equal(mdb_put(txn, dbi, &k, &val, 0), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	assert_int_equal(store_meta_set(st, "schema", "8"), EM_OK);
	store_free(st);
	/* a reader opens it to write, once, to build the layout */
	assert_int_equal(store_open(dir, netid, &o, &st), EM_OK);
	assert_int_equal(store_meta_get(st, "schema", v, sizeof v), EM_OK);
	assert_string_equal(v, "10");
	assert_int_equal(st_read_begin(st, &txn), EM_OK);
	assert_int_equal(mdb_dbi_open(txn, "digests", 0, &dbi), MDB_NOTFOUND);
	mdb_txn_abort(txn);
	assert_int_equal(store_results(st, NULL, NULL, count_visit, &n), EM_OK);
	assert_int_equal(n, 1);
	ident_free(me);
	store_free(st);
	tu_rmtree(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cut_short),
		cmocka_unit_test(test_seq_survives_the_store),
		cmocka_unit_test(test_trust_file),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_salvage),
		cmocka_unit_test(test_fault_at),
		cmocka_unit_test(test_flags_damaged),
		cmocka_unit_test(test_upgrade_drops_digests),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
