/* tests/bench/leaderboard — what a leaderboard costs beside reading its rows.
 *
 * Builds a store of R signed results over K tasks (default 1,000,000 over
 * 1,000) from A authors, M model names a task (default 100, each in up to
 * three revisions), then measures in one run, for
 * one task: (a) a raw LMDB cursor scan over that task's board rows,
 * touching every byte (store_board_raw), and (b) the leaderboard as
 * `evalmesh leaderboard TASK` computes it: the same rows read in one scan,
 * each result placed in its model's group as it is read, then the rows
 * combined per model, intervals, tie-group ranks, sorted (board_compute).
 * The two alternate, 2,000 rounds (a fifth of a second), and each is
 * timed as its best round: the first few hundred after the store is built
 * run slower, both but not alike (up to a tenth on the ratio here).
 * Prints both and b/a; the target is b/a <= 2. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "bench.h"
#include "hash.h"
#include "netkey.h"
#include "record.h"
#include "store.h"
#include "testutil.h"

/* The scan a leaderboard makes, with nothing done with the rows. */
static int
count_rows(void *ctx, const store_view *rows, size_t n, size_t count)
{
	(void)rows;
	(void)count;
	*(size_t *)ctx += n;
	return 0;
}

static int
count_done(void *ctx, size_t n, const uint8_t digest[static 32])
{
	(void)ctx;
	(void)n;
	(void)digest;
	return 0;
}

/* A result's accuracy, spread over all 501 values (i * 7919 % 1000 gave a
 * task only ten distinct values, and its rows long runs of ties). */
static uint64_t
spread(uint64_t x)
{
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* Result i: task i % K, author and model from i / K. */
static void
make(body *b, long i, long k, long models, uint8_t task[32])
{
	body_result *r = &b->u.result;
	long round = i / k;

	memset(b, 0, sizeof *b);
	b->kind = REC_RESULT;
	memcpy(r->task, task, 32);
	snprintf(r->model, sizeof r->model, "model-%ld", round % models);
	snprintf(r->revision, sizeof r->revision, "r%ld", round / models % 3);
	strcpy(r->adapter, "openai-chat");
	strcpy(r->harness_version, "evalmesh bench");
	strcpy(r->params, "{}");
	r->n_metrics = 1;
	strcpy(r->metrics[0].name, "exact_match");
	r->metrics[0].value = (double)(spread((uint64_t)i) % 501) / 500.0;	/* k of 500 items */
	r->n_items = 500;
	r->has_stderr = r->has_ci = 1;
	r->std_err = 0.02;
	r->ci_lo = r->metrics[0].value - 0.04;
	r->ci_hi = r->metrics[0].value + 0.04;
	r->t_start = r->t_end = 1700000000000ULL + (uint64_t)i;
}

int
main(int argc, char **argv)
{
	long n = bench_opt(argc, argv, "--results", 1000000);
	long k = bench_opt(argc, argv, "--tasks", 1000);
	long na = bench_opt(argc, argv, "--authors", 100);
	long rounds = bench_opt(argc, argv, "--rounds", 2000);
	long models = bench_opt(argc, argv, "--models", 100);
	uint8_t key[32], netid[32], task[32], *enc, *rec;
	size_t elen, rlen, nrows = 0;
	uint64_t *seq;
	ident **authors;
	store_opts so = { (size_t)4 << 30 };
	store *st;
	const char *dir;
	double t0, build_s, raw_best = 1e9, board_best = 1e9, view_best = 1e9;
	rec_env *envs;
	uint8_t **bufs;
	long batch = 4096, in_batch = 0;
	uint64_t rows = 0, sum = 0;

	if (n < 1 || k < 1 || na < 1 || rounds < 1 || k > n || models < 1) {
		fprintf(stderr, "usage: leaderboard [--results R] [--tasks K] [--authors A] "
		    "[--models M] [--rounds N]\n");
		return 2;
	}
	hash_init();
	netkey_open(key);
	netkey_id(key, netid);
	dir = tu_tmpdir();
	if (store_open(dir, netid, &so, &st) != EM_OK)
		return 1;
	authors = calloc((size_t)na, sizeof *authors);
	seq = calloc((size_t)na, sizeof *seq);
	envs = calloc((size_t)batch, sizeof *envs);
	bufs = calloc((size_t)batch, sizeof *bufs);
	for (long a = 0; a < na; a++)
		ident_generate(&authors[a]);
	t0 = bench_now();
	for (long i = 0; i < n; i++) {
		long a = (i / k) % na;
		body b;

		memset(task, 0, 32);
		task[0] = (uint8_t)(i % k >> 8);
		task[1] = (uint8_t)(i % k);
		make(&b, i, k, models, task);
		if (body_encode(&b, &enc, &elen) != EM_OK ||
		    rec_seal(authors[a], netid, REC_RESULT, ++seq[a], 1700000000000ULL, enc, elen,
		    &rec, &rlen, NULL) != EM_OK || rec_parse(rec, rlen, &envs[in_batch], NULL) != EM_OK)
			return 1;
		free(enc);
		bufs[in_batch++] = rec;
		if (in_batch == batch || i == n - 1) {
			if (store_put_batch(st, envs, (size_t)in_batch, NULL) != EM_OK)
				return 1;
			for (long j = 0; j < in_batch; j++)
				free(bufs[j]);
			in_batch = 0;
		}
		if (i > 0 && i % 200000 == 0)
			fprintf(stderr, "  %ld results stored...\n", i);
	}
	build_s = bench_now() - t0;
	memset(task, 0, 32);
	task[0] = (uint8_t)((k / 2) >> 8);
	task[1] = (uint8_t)(k / 2);
	for (long r = 0; r < rounds; r++) {
		board_opts o = { .metric = "exact_match" };	/* the task's, as the CLI passes it */
		board bd;
		size_t nviews = 0;
		double t;

		t = bench_now();
		if (store_board_raw(st, task, &rows, &sum) != EM_OK)
			return 1;
		t = bench_now() - t;
		raw_best = t < raw_best ? t : raw_best;
		t = bench_now();
		if (store_board_scan(st, task, STORE_SCAN_RANKING, count_rows, count_done, &nviews) != EM_OK)
			return 1;
		t = bench_now() - t;
		view_best = t < view_best ? t : view_best;
		t = bench_now();
		if (board_compute(st, task, &o, &bd) != EM_OK)
			return 1;
		t = bench_now() - t;
		nrows = bd.n_results;
		board_best = t < board_best ? t : board_best;
		if (r == 0)
			printf("leaderboard: %ld results over %ld tasks from %ld authors (store built in "
			    "%.1f s); task %ld: %zu results, %zu rows (models)\n",
			    n, k, na, build_s, k / 2, nrows, bd.n_rows);
		board_free(&bd);
	}
	printf("  raw cursor scan   %9.3f ms\n", raw_best * 1e3);
	printf("  leaderboard       %9.3f ms (the scan alone, decoding the rows: %.3f ms)\n",
	    board_best * 1e3, view_best * 1e3);
	printf("  ratio             %9.2f (target <= 2; best of %ld rounds each)\n",
	    board_best / raw_best, rounds);
	store_free(st);
	tu_rmtree(dir);
	for (long a = 0; a < na; a++)
		ident_free(authors[a]);
	free(authors);
	free(seq);
	free(envs);
	free(bufs);
	return rows == nrows ? 0 : 1;
}
