/* The LMDB store: duplicates, equivocation, prefixes, growth, queries,
 * two processes publishing at once, and the peers (with what an older
 * build stored). kill -9 in the middle of writes: store_crash_test.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hash.h"
#include "hex.h"
#include "netkey.h"
#include "store.h"
#include "store_fixture.h"
#include "testutil.h"

static void
test_dup_and_equivocation(void **state)
{
	char dir[512];
	store *st = fresh(dir, 0);
	ident *me;
	uint8_t *a, *b;
	size_t alen, blen;
	rec_env ea, eb;
	store_author au;

	(void)state;
	ident_generate(&me);
	tu_record(me, netid, 1, 1, &a, &alen);
	tu_record(me, netid, 1, 2, &b, &blen);	/* same seq, other body */
	open_rec(a, alen, &ea);
	open_rec(b, blen, &eb);
	assert_int_equal(store_put(st, &ea), EM_OK);
	assert_int_equal(store_put(st, &ea), EM_EDUP);
	assert_int_equal(store_author_get(st, ident_pk(me), &au), EM_OK);
	assert_int_equal(au.flags, 0);
	assert_int_equal(store_put(st, &eb), EM_EEQUIV);
	assert_true(store_has(st, ea.id) && store_has(st, eb.id));	/* both kept */
	assert_int_equal(store_author_get(st, ident_pk(me), &au), EM_OK);
	assert_true(au.flags & AUTHOR_EQUIVOCATED);
	assert_int_equal(au.count, 2);
	assert_int_equal(store_put(st, &eb), EM_EDUP);
	free(a);
	free(b);
	ident_free(me);
	store_free(st);
	tu_rmtree(dir);
}

static void
test_contiguous_and_feed(void **state)
{
	char dir[512];
	store *st = fresh(dir, 0);
	ident *me;
	store_author au;
	uint64_t order[] = { 1, 2, 4, 5, 3 }, expect_contig[] = { 1, 2, 2, 2, 5 };

	(void)state;
	ident_generate(&me);
	for (int i = 0; i < 5; i++) {
		uint8_t *r;
		size_t len;
		rec_env env;

		tu_record(me, netid, order[i], (uint32_t)i, &r, &len);
		open_rec(r, len, &env);
		assert_int_equal(store_put(st, &env), EM_OK);
		assert_int_equal(store_author_get(st, ident_pk(me), &au), EM_OK);
		assert_int_equal(au.contiguous, expect_contig[i]);
		free(r);
	}
	assert_int_equal(au.max_seq, 5);
	ident_free(me);
	store_free(st);
	tu_rmtree(dir);
}

struct seen { uint64_t n, last_seq; uint32_t flags_or; };

static int
count_visit(void *ctx, const rec_env *env, const body_any *b, uint32_t flags)
{
	struct seen *s = ctx;

	(void)b;
	s->n++;
	s->last_seq = env->seq;
	s->flags_or |= flags;
	return 0;
}

static void
test_queries_and_revoke(void **state)
{
	char dir[512], hex[65];
	store *st = fresh(dir, 0);
	ident *me, *other;
	uint8_t id[32], target[32], task[32], *enc;
	size_t elen;
	struct seen s = { 0, 0, 0 };
	body_any rv = { .kind = REC_REVOKE };

	(void)state;
	ident_generate(&me);
	ident_generate(&other);
	for (uint32_t i = 0; i < 14; i++) {	/* tasks i % 7: two results each */
		body_any b;

		tu_result(&b, i);
		assert_int_equal(body_encode(&b, &enc, &elen), EM_OK);
		assert_int_equal(store_publish(st, me, REC_RESULT, enc, elen, 1, id, NULL), EM_OK);
		if (i == 3)
			memcpy(target, id, 32);
		free(enc);
	}
	memset(task, 3, 32);
	assert_int_equal(store_results(st, task, NULL, count_visit, &s), EM_OK);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.flags_or, 0);
	/* someone else's revoke changes nothing; the author's own does */
	memcpy(rv.u.ref.target, target, 32);
	strcpy(rv.u.ref.text, "bad template");
	assert_int_equal(body_encode(&rv, &enc, &elen), EM_OK);
	assert_int_equal(store_publish(st, other, REC_REVOKE, enc, elen, 2, id, NULL), EM_OK);
	memset(&s, 0, sizeof s);
	store_results(st, task, NULL, count_visit, &s);
	assert_int_equal(s.flags_or, 0);
	assert_int_equal(store_publish(st, me, REC_REVOKE, enc, elen, 3, id, NULL), EM_OK);
	memset(&s, 0, sizeof s);
	store_results(st, task, NULL, count_visit, &s);
	assert_int_equal(s.flags_or, RESULT_REVOKED);
	free(enc);
	/* all results, one author's records from a seq on */
	memset(&s, 0, sizeof s);
	store_results(st, NULL, ident_pk(other), count_visit, &s);
	assert_int_equal(s.n, 0);
	memset(&s, 0, sizeof s);
	store_results(st, NULL, NULL, count_visit, &s);
	assert_int_equal(s.n, 14);
	memset(&s, 0, sizeof s);
	store_records(st, ident_pk(me), 10, count_visit, &s);
	assert_int_equal(s.n, 6);	/* seqs 10..15: 14 results and a revoke */
	assert_int_equal(s.last_seq, 15);
	/* prefixes: tasks 0303..03 and 0404..04 share no 8-digit prefix;
	 * task ids from results resolve even without a task record */
	assert_int_equal(store_resolve(st, SPACE_TASK, "03030303", id), EM_OK);
	assert_memory_equal(id, task, 32);
	assert_int_equal(store_resolve(st, SPACE_TASK, "0303030", id), EM_EFORMAT);
	assert_int_equal(store_resolve(st, SPACE_TASK, "09090909", id), EM_ENOTFOUND);
	hex_encode(hex, target, 32);
	hex[12] = 0;
	assert_int_equal(store_resolve(st, SPACE_RECORD, hex, id), EM_OK);
	assert_memory_equal(id, target, 32);
	hex_encode(hex, ident_pk(me), 32);
	assert_int_equal(store_resolve(st, SPACE_AUTHOR, hex, id), EM_OK);
	ident_free(me);
	ident_free(other);
	store_free(st);
	tu_rmtree(dir);
}

static void
test_ambiguous_prefix(void **state)
{
	char dir[512];
	store *st = fresh(dir, 0);
	ident *me;
	uint8_t id[32], *enc;
	size_t elen;

	(void)state;
	ident_generate(&me);
	for (int i = 0; i < 2; i++) {
		body_any b;

		tu_result(&b, 0);
		memset(b.u.result.task, 0xaa, 32);
		b.u.result.task[31] = (uint8_t)i;	/* differ only at the end */
		assert_int_equal(body_encode(&b, &enc, &elen), EM_OK);
		assert_int_equal(store_publish(st, me, REC_RESULT, enc, elen, 1, id, NULL), EM_OK);
		free(enc);
	}
	assert_int_equal(store_resolve(st, SPACE_TASK, "aaaaaaaa", id), EM_EAMBIGUOUS);
	ident_free(me);
	store_free(st);
	tu_rmtree(dir);
}

static void
test_map_grows_and_network(void **state)
{
	char dir[512];
	store *st = fresh(dir, 64 * 1024);	/* far too small: must grow */
	ident *me;
	uint64_t n;
	uint8_t key[32], other[32];

	(void)state;
	ident_generate(&me);
	for (uint64_t s = 1; s <= 3000; s++) {
		uint8_t *r;
		size_t len;
		rec_env env;

		tu_record(me, netid, s, (uint32_t)s, &r, &len);
		open_rec(r, len, &env);
		assert_int_equal(store_put(st, &env), EM_OK);
		free(r);
	}
	assert_int_equal(store_count(st, &n), EM_OK);
	assert_int_equal(n, 3000);
	store_free(st);
	netkey_generate(key);
	netkey_id(key, other);
	assert_int_equal(store_open(dir, other, NULL, &st), EM_ENETWORK);
	assert_int_equal(store_open(dir, netid, NULL, &st), EM_OK);
	assert_int_equal(store_count(st, &n), EM_OK);
	assert_int_equal(n, 3000);
	ident_free(me);
	store_free(st);
	tu_rmtree(dir);
}

/* Two processes publish as one identity at the same moment: every seq
 * is taken once, none twice. */
static void
test_two_processes_publish(void **state)
{
	char dir[512], kp[600];
	store *st = fresh(dir, 0);
	ident *me;
	pid_t kids[2];
	store_author au;
	struct seen s = { 0, 0, 0 };

	(void)state;
	ident_generate(&me);
	store_free(st);		/* each process opens its own environment */
	snprintf(kp, sizeof kp, "%s", dir);
	for (int k = 0; k < 2; k++) {
		if ((kids[k] = fork()) == 0) {
			store *cs;
			int bad = 0;

			if (store_open(kp, netid, NULL, &cs) != EM_OK)
				_exit(2);
			for (uint32_t i = 0; i < 150; i++) {
				body_any b;
				uint8_t *enc, id[32];
				size_t elen;

				tu_result(&b, i);
				bad |= body_encode(&b, &enc, &elen) != EM_OK;
				bad |= store_publish(cs, me, REC_RESULT, enc, elen, i, id, NULL) != EM_OK;
				free(enc);
			}
			store_free(cs);
			_exit(bad);
		}
	}
	for (int k = 0; k < 2; k++) {
		int status;

		assert_int_equal(waitpid(kids[k], &status, 0), kids[k]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	assert_int_equal(store_open(kp, netid, NULL, &st), EM_OK);
	assert_int_equal(store_author_get(st, ident_pk(me), &au), EM_OK);
	assert_int_equal(au.count, 300);
	assert_int_equal(au.max_seq, 300);
	assert_int_equal(au.contiguous, 300);
	assert_int_equal(au.flags & AUTHOR_EQUIVOCATED, 0);
	store_records(st, ident_pk(me), 1, count_visit, &s);
	assert_int_equal(s.n, 300);
	ident_free(me);
	store_free(st);
	tu_rmtree(dir);
}

static int
since_visit(void *ctx, const rec_env *env, const body_any *b, uint32_t flags)
{
	uint64_t *seqs = ctx;

	(void)b;
	(void)flags;
	seqs[seqs[0]++ + 1] = env->seq;
	return 0;
}

/* Summary, digest, arrivals and peers: what replication reads. */
static void
test_replication_reads(void **state)
{
	char d1[512], d2[512];
	store *s1 = fresh(d1, 0), *s2 = fresh(d2, 0);
	ident *a, *b;
	uint8_t *recs[6], dig1[32], dig2[32];
	size_t lens[6], n;
	uint64_t seqs[8] = { 0 }, last;
	store_peer p = { .addr = "127.0.0.1:7400", .has_id = 1, .last_ok = 5, .fails = 3 }, out[4];

	(void)state;
	ident_generate(&a);
	ident_generate(&b);
	for (int i = 0; i < 6; i++)
		tu_record(i < 4 ? a : b, netid, i < 4 ? (uint64_t)i + 1 : (uint64_t)i - 3,
		    (uint32_t)i, &recs[i], &lens[i]);
	for (int i = 0; i < 6; i++) {	/* s1 in order, s2 backwards, skipping a's seq 2 */
		rec_env e1, e2;

		open_rec(recs[i], lens[i], &e1);
		open_rec(recs[5 - i], lens[5 - i], &e2);
		assert_int_equal(store_put(s1, &e1), EM_OK);
		if (5 - i != 1)
			assert_int_equal(store_put(s2, &e2), EM_OK);
	}
	assert_int_equal(store_digest(s1, dig1), EM_OK);
	assert_int_equal(store_digest(s2, dig2), EM_OK);
	assert_memory_not_equal(dig1, dig2, 32);
	{
		rec_env e;

		open_rec(recs[1], lens[1], &e);
		assert_int_equal(store_put(s2, &e), EM_OK);
	}
	assert_int_equal(store_digest(s2, dig2), EM_OK);
	assert_memory_equal(dig1, dig2, 32);	/* same records, any order */
	assert_int_equal(store_since(s1, 3, 10, since_visit, seqs, &last), EM_OK);
	assert_int_equal(seqs[0], 3);		/* numbers 4, 5, 6 */
	assert_int_equal(last, 6);
	assert_true(seqs[1] == 4 && seqs[2] == 1 && seqs[3] == 2);
	memset(p.id, 0x42, 32);
	assert_int_equal(store_peer_put(s1, &p), EM_OK);
	p.fails = 0;
	assert_int_equal(store_peer_put(s1, &p), EM_OK);	/* replaces */
	assert_int_equal(store_peer_list(s1, out, 4, &n), EM_OK);
	assert_int_equal(n, 1);
	assert_string_equal(out[0].addr, "127.0.0.1:7400");
	assert_int_equal(out[0].fails, 0);
	assert_true(out[0].has_id && out[0].last_ok == 5 && out[0].id[31] == 0x42);
	for (int i = 0; i < 6; i++)
		free(recs[i]);
	ident_free(a);
	ident_free(b);
	store_free(s1);
	store_free(s2);
	tu_rmtree(d1);
	tu_rmtree(d2);
}

static int
cmp_id(const void *a, const void *b)
{
	return memcmp(a, b, 32);
}

/* k + 1, as a 256-bit big-endian number */
static void
id_inc(uint8_t k[static 32])
{
	for (int i = 31; i >= 0 && ++k[i] == 0; i--)
		;
}

/* The ids view reconciliation walks: ascending, seek lands on the first
 * id at or above, count without a walk, and a view sees the store as it
 * was when it opened. */
static void
test_ids_view(void **state)
{
	enum { N = 40 };
	char dir[512];
	store *st = fresh(dir, 0);
	store_ids *v;
	ident *a;
	uint8_t ids[N + 1][32], id[32], from[32];
	uint64_t n;

	(void)state;
	ident_generate(&a);
	assert_int_equal(store_ids_open(st, &v), EM_OK);	/* empty */
	assert_int_equal(store_ids_count(v, &n), EM_OK);
	assert_int_equal(n, 0);
	assert_int_equal(store_ids_next(v, id), 0);
	memset(from, 0, 32);
	assert_int_equal(store_ids_seek(v, from, id), 0);
	store_ids_close(v);
	for (int i = 0; i < N + 1; i++) {
		uint8_t *rec;
		size_t len;
		rec_env e;

		tu_record(a, netid, (uint64_t)i + 1, (uint32_t)i, &rec, &len);
		open_rec(rec, len, &e);
		memcpy(ids[i], e.id, 32);
		if (i < N)
			assert_int_equal(store_put(st, &e), EM_OK);
		else	/* the last one arrives while a view is open */
			assert_int_equal(store_ids_open(st, &v), EM_OK);
		if (i == N)
			assert_int_equal(store_put(st, &e), EM_OK);
		free(rec);
	}
	qsort(ids, N, 32, cmp_id);
	assert_int_equal(store_ids_count(v, &n), EM_OK);
	assert_int_equal(n, N);		/* not the one put after open */
	for (int i = 0; i < N; i++) {	/* next before any seek starts at the first */
		assert_int_equal(store_ids_next(v, id), 1);
		assert_memory_equal(id, ids[i], 32);
	}
	assert_int_equal(store_ids_next(v, id), 0);
	assert_int_equal(store_ids_next(v, id), 0);	/* and stays at the end */
	memcpy(from, ids[N / 2], 32);		/* an id itself */
	assert_int_equal(store_ids_seek(v, from, id), 1);
	assert_memory_equal(id, ids[N / 2], 32);
	id_inc(from);				/* just above it */
	assert_int_equal(store_ids_seek(v, from, id), 1);
	assert_memory_equal(id, ids[N / 2 + 1], 32);
	assert_int_equal(store_ids_next(v, id), 1);
	assert_memory_equal(id, ids[N / 2 + 2], 32);
	memcpy(from, ids[N - 1], 32);
	id_inc(from);
	assert_int_equal(store_ids_seek(v, from, id), 0);	/* above them all */
	assert_int_equal(store_ids_next(v, id), 0);
	store_ids_close(v);
	assert_int_equal(store_ids_open(st, &v), EM_OK);	/* a new view sees it */
	assert_int_equal(store_ids_count(v, &n), EM_OK);
	assert_int_equal(n, N + 1);
	store_ids_close(v);
	store_ids_close(NULL);
	ident_free(a);
	store_free(st);
	tu_rmtree(dir);
}

struct eval_seen { uint32_t n, last; size_t out_len; uint16_t score; uint8_t flags, hash0; };

static int
eval_seen_fn(void *ctx, const store_eval *e)
{
	struct eval_seen *s = ctx;

	assert_true(s->n == 0 || e->index > s->last);	/* item order */
	s->last = e->index;
	s->out_len = e->output_len;
	s->score = e->score;
	s->flags = e->flags;
	s->hash0 = e->output_hash[0];
	s->n++;
	return 0;
}

static void
test_blobs_and_eval_cache(void **state)
{
	static uint8_t big[STORE_BLOB_MAX + 1];
	uint8_t h[32], run[32], other[32], *got;
	char dir[512], out[100];
	store_eval e[3];
	struct eval_seen seen = { 0 };
	size_t len;
	store *st = fresh(dir, 0);

	(void)state;
	hash_blake2b(h, (const uint8_t *)"chunk", 5);
	assert_false(store_blob_has(st, h));
	assert_int_equal(store_blob_get(st, h, &got, &len), EM_ENOTFOUND);
	/* the hash must be the bytes' hash */
	assert_int_equal(store_blob_put(st, h, (const uint8_t *)"chunK", 5), EM_EFORMAT);
	assert_int_equal(store_blob_put(st, h, (const uint8_t *)"chunk", 5), EM_OK);
	assert_int_equal(store_blob_put(st, h, (const uint8_t *)"chunk", 5), EM_OK);
	assert_true(store_blob_has(st, h));
	assert_int_equal(store_blob_get(st, h, &got, &len), EM_OK);
	assert_int_equal(len, 5);
	assert_memory_equal(got, "chunk", 5);
	free(got);
	hash_blake2b(h, big, sizeof big);
	assert_int_equal(store_blob_put(st, h, big, sizeof big), EM_ETOOBIG);

	/* the cache: per run, in item order, last write wins */
	memset(run, 7, 32);
	memset(other, 8, 32);
	memset(out, 'x', sizeof out);
	for (int i = 0; i < 3; i++) {
		e[i] = (store_eval){ .index = (uint32_t)(10 - 3 * i), .score = (uint16_t)(i * 5000),
		    .flags = (uint8_t)(i == 0 ? STORE_EVAL_TRUNCATED | STORE_EVAL_REFUSED : 0),
		    .output = out, .output_len = (size_t)(10 * i) };
		memset(e[i].output_hash, i + 1, 32);
	}
	assert_int_equal(store_eval_put(st, run, e, 3), EM_OK);
	assert_int_equal(store_eval_put(st, other, e, 1), EM_OK);
	e[0].output_len = 99;
	assert_int_equal(store_eval_put(st, run, e, 1), EM_OK);
	assert_int_equal(store_eval_each(st, run, eval_seen_fn, &seen), EM_OK);
	assert_int_equal(seen.n, 3);
	assert_int_equal(seen.last, 10);
	assert_int_equal(seen.out_len, 99);
	assert_int_equal(seen.score, 0);
	assert_int_equal(seen.flags, STORE_EVAL_TRUNCATED | STORE_EVAL_REFUSED);
	assert_int_equal(seen.hash0, 1);	/* the flags byte is not the hash's */
	/* a run asked afresh forgets its own answers, not another run's */
	assert_int_equal(store_eval_clear(st, run), EM_OK);
	memset(&seen, 0, sizeof seen);
	assert_int_equal(store_eval_each(st, run, eval_seen_fn, &seen), EM_OK);
	assert_int_equal(seen.n, 0);
	assert_int_equal(store_eval_each(st, other, eval_seen_fn, &seen), EM_OK);
	assert_int_equal(seen.n, 1);
	assert_int_equal(store_eval_clear(st, run), EM_OK);	/* nothing left: fine */
	store_free(st);
	tu_rmtree(dir);
}

/* This process's resident pages of mapped files (RssFile), in KiB. */
static long
rss_file_kib(void)
{
	char line[256];
	long kib = -1;
	FILE *f = fopen("/proc/self/status", "r");

	assert_non_null(f);
	while (fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "RssFile: %ld", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

/* Reading 16 MiB of chunks leaves none of them resident in the map: a
 * task of a million items is checked and evaluated chunk by chunk, and
 * its 256 MiB must not stay counted against the process. */
static void
test_blob_reads_leave_no_pages(void **state)
{
	enum { N = 64 };
	static uint8_t chunk[STORE_BLOB_MAX];
	uint8_t h[N][32], *got;
	char dir[512];
	size_t len;
	long before, after;
	store *st = fresh(dir, (size_t)64 << 20);

	(void)state;
	for (int i = 0; i < N; i++) {
		memset(chunk, 'a' + i % 26, sizeof chunk);
		chunk[0] = (uint8_t)i;
		hash_blake2b(h[i], chunk, sizeof chunk);
		assert_int_equal(store_blob_put(st, h[i], chunk, sizeof chunk), EM_OK);
	}
	before = rss_file_kib();
	assert_true(before >= 0);
	for (int i = 0; i < N; i++) {
		assert_int_equal(store_blob_get(st, h[i], &got, &len), EM_OK);
		assert_int_equal(len, sizeof chunk);
		assert_int_equal(got[0], i);
		free(got);
	}
	after = rss_file_kib();
	/* 16 MiB were read through the map; a few pages of the tree stay */
	assert_true(after - before < 2048);
	store_free(st);
	tu_rmtree(dir);
}

static int
count_fn(void *ctx, const store_eval *e)
{
	(void)e;
	++*(size_t *)ctx;
	return 0;
}

/* Writing an evaluation cache batch after batch, and reading it back,
 * leaves no pages of it resident: each write reads the tree's right edge
 * back through the map and the kernel maps the pages around each page
 * read, so a run of a million items would end with its whole cache
 * resident (150 MB). */
static void
test_eval_cache_leaves_no_pages(void **state)
{
	enum { BATCHES = 400, PER = 100 };
	static store_eval e[PER];
	uint8_t run[32];
	char dir[512], out[120];
	size_t seen = 0;
	long before, after;
	store *st = fresh(dir, (size_t)64 << 20);

	(void)state;
	memset(run, 3, 32);
	memset(out, 'o', sizeof out);
	before = rss_file_kib();
	for (uint32_t b = 0; b < BATCHES; b++) {
		for (uint32_t i = 0; i < PER; i++) {
			e[i] = (store_eval){ .index = b * PER + i, .score = 1, .output = out,
			    .output_len = sizeof out };
			memset(e[i].output_hash, (int)i, 32);
		}
		assert_int_equal(store_eval_put(st, run, e, PER), EM_OK);
	}
	after = rss_file_kib();
	assert_true(after - before < 2048);
	before = after;
	assert_int_equal(store_eval_each(st, run, count_fn, &seen), EM_OK);
	assert_int_equal(seen, BATCHES * PER);
	after = rss_file_kib();
	assert_true(after - before < 2048);
	store_free(st);
	tu_rmtree(dir);
}

/* Writes the value an older evalmesh stored for a peer (53 bytes: no
 * table, no source, no heard) straight into the closed store at dir —
 * the one place a test speaks LMDB, to forge what only an old build
 * wrote. */
static void
put_old_peer(const char *dir, const char *addr, uint64_t last_ok)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	uint8_t val[53] = { 0 };
	MDB_val k = { strlen(addr), (void *)(uintptr_t)addr }, v = { sizeof val, val };

	for (int i = 0; i < 8; i++)
		val[33 + i] = (uint8_t)(last_ok >> (56 - 8 * i));
	val[52] = 3;	/* fails */
	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 16), 0);
	assert_int_equal(mdb_env_set_mapsize(env, (size_t)64 << 20), 0);
	assert_int_equal(mdb_env_open(env, dir, MDB_NOTLS, 0600), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, "peers", 0, &dbi), 0);
	assert_int_equal(mdb_put(txn, dbi, &k, &v, 0), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
}

static int
peer_count_fn(void *ctx, const store_peer *p)
{
	(void)p;
	return ++*(size_t *)ctx == 2;	/* stops at the second */
}

static int
keep_odd_fn(void *ctx, const char *addr)
{
	(void)ctx;
	return (addr[strlen(addr) - 1] - '0') % 2;
}

/* Peers: written and deleted in one call, listed with their table and
 * source, pruned by a rule, and an older build's entries read. */
static void
test_peers(void **state)
{
	static store_peer p[10], out[12];
	const store_peer *put[10];
	const char *del[2] = { "10.0.0.1:7002", "10.0.0.9:1" };
	char dir[512];
	size_t n, seen = 0;
	store *st = fresh(dir, 0);

	(void)state;
	for (int i = 0; i < 10; i++) {
		snprintf(p[i].addr, sizeof p[i].addr, "10.0.0.1:700%d", i);
		p[i].table = (uint8_t)(i % 4);
		p[i].source[0] = 1;
		p[i].source[16] = (uint8_t)i;
		p[i].heard = 1000 + (uint64_t)i;
		put[i] = &p[i];
	}
	assert_int_equal(store_peer_write(st, put, 10, del, 2), EM_OK);
	assert_int_equal(store_peer_write(st, NULL, 0, del, 1), EM_OK);	/* 7002 goes */
	assert_int_equal(store_peer_list(st, out, 12, &n), EM_OK);
	assert_int_equal(n, 9);
	assert_string_equal(out[2].addr, "10.0.0.1:7003");
	assert_int_equal(out[2].table, STORE_PEER_OPERATOR);
	assert_int_equal(out[2].source[16], 3);
	assert_int_equal(out[2].heard, 1003);
	assert_string_equal(store_peer_table_name(out[2].table), "operator");
	assert_string_equal(store_peer_table_name(9), "unknown");
	assert_int_equal(store_peer_each(st, peer_count_fn, &seen), EM_OK);
	assert_int_equal(seen, 2);
	/* nothing is written if one address is bad */
	snprintf(p[0].addr, sizeof p[0].addr, "%s", "");
	assert_int_equal(store_peer_write(st, put, 10, NULL, 0), EM_EINVAL);
	assert_int_equal(store_peer_prune(st, keep_odd_fn, NULL, &n), EM_OK);
	assert_int_equal(n, 4);		/* 7000, 7004, 7006, 7008 */
	assert_int_equal(store_peer_list(st, out, 12, &n), EM_OK);
	assert_int_equal(n, 5);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(keep_odd_fn(NULL, out[i].addr), 1);
	store_free(st);
	put_old_peer(dir, "192.0.2.1:7400", 5);
	assert_int_equal(store_open(dir, netid, &(store_opts){ 0 }, &st), EM_OK);
	assert_int_equal(store_peer_list(st, out, 12, &n), EM_OK);
	assert_int_equal(n, 6);
	assert_string_equal(out[5].addr, "192.0.2.1:7400");
	assert_int_equal(out[5].table, STORE_PEER_UNKNOWN);
	assert_int_equal(out[5].last_ok, 5);
	assert_int_equal(out[5].fails, 3);
	assert_int_equal(out[5].heard, 0);
	store_free(st);
	tu_rmtree(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dup_and_equivocation),
		cmocka_unit_test(test_contiguous_and_feed),
		cmocka_unit_test(test_queries_and_revoke),
		cmocka_unit_test(test_ambiguous_prefix),
		cmocka_unit_test(test_map_grows_and_network),
		cmocka_unit_test(test_two_processes_publish),
		cmocka_unit_test(test_replication_reads),
		cmocka_unit_test(test_ids_view),
		cmocka_unit_test(test_blobs_and_eval_cache),
		cmocka_unit_test(test_blob_reads_leave_no_pages),
		cmocka_unit_test(test_eval_cache_leaves_no_pages),
		cmocka_unit_test(test_peers),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
