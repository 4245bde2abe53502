/* tests/bench/ingest — how close full ingest comes to raw verification.
 *
 * Makes N signed result records from A authors in memory, then measures in
 * the same run (a) crypto_sign_verify_detached (through ident_verify) over
 * exactly those records' signed messages, and (b) full ingest: decode,
 * verify and store in batched LMDB transactions. Prints both rates and b/a.
 * Verification is most of the work; the target is b/a >= 0.8 on one core. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "hash.h"
#include "netkey.h"
#include "record.h"
#include "store.h"
#include "testutil.h"


int
main(int argc, char **argv)
{
	long n = bench_opt(argc, argv, "--records", 100000);
	long na = bench_opt(argc, argv, "--authors", 100);
	long batch = bench_opt(argc, argv, "--batch", 4096);
	uint8_t key[32], netid[32], **recs, **msgs;
	size_t *lens, *mlens;
	ident **authors;
	rec_env *envs;
	store *st;
	const char *dir;
	double t0, t1, verify_s, ingest_s, open_s = 0;
	long ok = 0;

	if (n < 1 || na < 1 || na > n || batch < 1) {
		fprintf(stderr, "usage: ingest [--records N] [--authors A] [--batch B]"
		    "  (1 <= A <= N, B >= 1)\n");
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
	printf("making %ld signed result records from %ld authors...\n", n, na);
	for (long i = 0; i < n; i++) {
		rec_env env;

		tu_record(authors[i % na], netid, (uint64_t)(i / na) + 1, (uint32_t)i,
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
			if (store_put_batch(st, envs, (size_t)m, NULL) != EM_OK)
				return 1;
			ingest_s += bench_now() - t0;
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
	printf("  of which decode+verify %.3f s, store %.3f s\n", open_s, ingest_s - open_s);
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
