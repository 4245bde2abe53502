/* tests/bench/ingest — how close full ingest comes to raw verification.
 *
 * Makes N signed result records from A authors in memory, each for one of
 * T tasks and one of M models (a name and revision), both drawn at random
 * (default 1,000 of each: a network's spread, so that the store's lookups
 * of a task's rows and of a model's name number do not all stay in cache),
 * then measures in the same run (a) crypto_sign_verify_detached (through
 * ident_verify) over exactly those records' signed messages, and (b) full
 * ingest: decode, verify and store in batched LMDB transactions. Prints
 * both rates and b/a. Verification is most of the work; the target is
 * b/a >= 0.8 on one core. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "hash.h"
#include "netkey.h"
#include "record.h"
#include "store.h"
#include "testutil.h"

/* Record i: a full result body (tu_result's) for task and model drawn
 * from rng; *out is yours. */
static void
make(const ident *author, const uint8_t netid[static 32], uint64_t seq, uint32_t i,
    long tasks, long models, uint64_t *rng, uint8_t **out, size_t *len)
{
	uint64_t t = tu_next(rng) % (uint64_t)tasks, m = tu_next(rng) % (uint64_t)models;
	uint8_t *enc;
	size_t elen;
	body_any b;

	tu_result(&b, i);
	hash_blake2b(b.u.result.task, (const uint8_t *)&t, sizeof t);
	snprintf(b.u.result.model, sizeof b.u.result.model, "org%02u/model-%03u-instruct",
	    (unsigned)(m / 3 % 100), (unsigned)(m / 3));
	snprintf(b.u.result.revision, sizeof b.u.result.revision, "v%u", (unsigned)(m % 3));
	if (body_encode(&b, &enc, &elen) != EM_OK ||
	    rec_seal(author, netid, REC_RESULT, seq, 1700000000000ULL + seq, enc, elen, out, len,
	    NULL) != EM_OK) {
		fprintf(stderr, "ingest: cannot build a record\n");
		exit(1);
	}
	free(enc);
}

/* Bytes this process has had written to storage (Linux's /proc/self/io),
 * or -1 where that is not known. */
static long long
written(void)
{
	FILE *f = fopen("/proc/self/io", "r");
	char line[128];
	long long v = -1;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "write_bytes: %lld", &v) == 1)
			break;
	fclose(f);
	return v;
}

/* Seconds of CPU this process has used. */
static double
cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	long n = bench_opt(argc, argv, "--records", 100000);
	long na = bench_opt(argc, argv, "--authors", 100);
	long batch = bench_opt(argc, argv, "--batch", 4096);
	long tasks = bench_opt(argc, argv, "--tasks", 1000);
	long models = bench_opt(argc, argv, "--models", 1000);
	uint64_t rng = 0x9e3779b97f4a7c15ULL;
	uint8_t key[32], netid[32], **recs, **msgs;
	size_t *lens, *mlens;
	ident **authors;
	rec_env *envs;
	store *st;
	const char *dir;
	double t0, t1, c0, verify_s, ingest_s, open_s = 0, store_cpu = 0;
	long long w0, w1, bytes = 0;
	long ok = 0, commits = 0;

	if (n < 1 || na < 1 || na > n || batch < 1 || tasks < 1 || models < 1) {
		fprintf(stderr, "usage: ingest [--records N] [--authors A] [--batch B] [--tasks T]"
		    " [--models M]\n  (1 <= A <= N; B, T, M >= 1)\n");
		return 2;
	}
	hash_init();
	netkey_open(key);
	netkey_id(key, netid);
	recs = calloc((size_t)n, sizeof *recs);
	msgs = calloc((size_t)n, sizeof *msgs);
	lens = calloc((size_t)n, sizeof *lens);
	mlens = calloc((size_t)n, sizeof *mlens);
	envs = calloc((size_t)batch, sizeof *envs);
	authors = calloc((size_t)na, sizeof *authors);
	if (!recs || !msgs || !lens || !mlens || !envs || !authors)
		return 1;
	for (long a = 0; a < na; a++)
		ident_generate(&authors[a]);
	printf("making %ld signed result records from %ld authors over %ld tasks and %ld "
	    "models...\n", n, na, tasks, models);
	for (long i = 0; i < n; i++) {
		rec_env env;

		make(authors[i % na], netid, (uint64_t)(i / na) + 1, (uint32_t)i, tasks, models, &rng,
		    &recs[i], &lens[i]);
		rec_parse(recs[i], lens[i], &env, NULL);
		msgs[i] = malloc(lens[i] + 64);
		mlens[i] = rec_message(&env, netid, msgs[i], lens[i] + 64);
	}

	/* (a) raw signature verification over exactly these records, and
	 * (b) full ingest: decode, verify, store in batched transactions.
	 * They alternate batch by batch, so a change of clock speed or a
	 * neighbour on the other core weighs on both alike. */
	dir = tu_tmpdir();
	if (store_open(dir, netid, NULL, &st) != EM_OK)
		return 1;
	verify_s = ingest_s = 0;
	for (long i = 0; i < n; i += batch) {
		long m = n - i < batch ? n - i : batch;

		/* which goes first alternates too: neither gets warm caches */
		for (int pass = 0; pass < 2; pass++) {
			if ((pass == 0) == ((i / batch) % 2 == 0)) {
				t0 = bench_now();
				for (long k = i; k < i + m; k++) {
					/* the author key and signature sit at fixed
					 * places; parsing the envelope for them would
					 * add decode cost to (a) */
					ok += ident_verify(recs[k] + 5, msgs[k], mlens[k],
					    recs[k] + lens[k] - 64) == EM_OK;
				}
				verify_s += bench_now() - t0;
				continue;
			}
			t0 = bench_now();
			for (long k = 0; k < m; k++)
				if (rec_open(recs[i + k], lens[i + k], netid, &envs[k], NULL) != EM_OK)
					return 1;
			t1 = bench_now();
			open_s += t1 - t0;
			c0 = cpu_now();
			w0 = written();
			if (store_put_batch(st, envs, (size_t)m, NULL) != EM_OK)
				return 1;
			ingest_s += bench_now() - t0;
			store_cpu += cpu_now() - c0;
			w1 = written();
			bytes = w0 < 0 || w1 < 0 || bytes < 0 ? -1 : bytes + (w1 - w0);
			commits++;
		}
	}
	if (ok != n) {
		fprintf(stderr, "raw verification failed for %ld records\n", n - ok);
		return 1;
	}
	{
		uint64_t count;

		store_count(st, &count);
		if (count != (uint64_t)n) {
			fprintf(stderr, "store holds %llu records, expected %ld\n",
			    (unsigned long long)count, n);
			return 1;
		}
	}
	printf("raw verify:  %10.0f records/s  (%.3f s)\n", n / verify_s, verify_s);
	printf("full ingest: %10.0f records/s  (%.3f s, batches of %ld)\n", n / ingest_s,
	    ingest_s, batch);
	printf("  of which decode+verify %.3f s, store %.3f s (%.3f s of it on the CPU; %ld "
	    "commits", open_s, ingest_s - open_s, store_cpu, commits);
	if (bytes >= 0)
		printf(", %.1f KiB written a record", (double)bytes / n / 1024);
	printf(")\n");
	printf("ratio ingest/verify: %.3f  (target >= 0.80: %s)\n", verify_s / ingest_s,
	    verify_s / ingest_s >= 0.8 ? "met" : "NOT met");
	store_free(st);
	tu_rmtree(dir);
	for (long i = 0; i < n; i++) {
		free(recs[i]);
		free(msgs[i]);
	}
	for (long a = 0; a < na; a++)
		ident_free(authors[a]);
	free(recs); free(msgs); free(lens); free(mlens); free(envs); free(authors);
	return 0;
}
