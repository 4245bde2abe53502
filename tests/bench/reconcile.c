/* tests/bench/reconcile — what range-based reconciliation (proto/recon)
 * costs between two nodes.
 *
 *   reconcile [--keys N (1000000)] [--authors A (100000)] [--seed S]
 *             [--frame BYTES (61440)]
 *
 * Two in-memory key sets stand for two stores of N records by A authors
 * (N / A each). A key is what the store reconciles, a record id: here
 * BLAKE2b-256(author || seq), uniform as real ids are (signing a million
 * records would only slow the set-up). One session runs per case, the
 * first set starting, messages handed across in memory; printed per
 * case: bytes both ways, messages, round trips (a message each way; an
 * odd last message counts as one), and the time the two sides spent.
 * Cases: identical sets; 10 records differing (5 missing on each side,
 * and all 10 on one side); 10 records of each of 10 authors missing on
 * one side (a node that missed their latest). Each session's findings
 * are checked: every id one side lacks reported, nothing else. The
 * targets are evalmesh issue 13's: <= 1 KiB for identical sets, <= 16 KiB
 * and <= 3 round trips for 10 differences.
 * Exit status: 0; 1 if a session found a wrong difference; 2 usage; 3 if
 * a target was missed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "bytes.h"
#include "hash.h"
#include "recon.h"

typedef struct side {
	recon_array	 arr;		/* first: the host's ctx is the side */
	uint8_t		*keys;
	size_t		 n;
	size_t		 told;		/* lacks calls */
	size_t		 wrong;		/* ... for a key the peer holds */
	const struct side *peer;
} side;

static int
cmp_key(const void *a, const void *b)
{
	return memcmp(a, b, RECON_KEY);
}

static int
holds(const side *s, const uint8_t *key)
{
	return bsearch(key, s->keys, s->n, RECON_KEY, cmp_key) != NULL;
}

static void
on_lacks(void *ctx, const uint8_t key[static RECON_KEY])
{
	side *s = ctx;

	s->told++;
	s->wrong += holds(s->peer, key);
}

static void *
must_alloc(size_t n)
{
	void *p = malloc(n);

	if (p == NULL) {
		fprintf(stderr, "reconcile: out of memory\n");
		exit(1);
	}
	return p;
}

/* Record r of the base set: author r / per, seq r % per + 1. */
static void
make_key(uint8_t key[static RECON_KEY], uint64_t author, uint64_t seq)
{
	uint8_t in[16];

	be_put(in, author, 8);
	be_put(in + 8, seq, 8);
	hash_blake2b(key, in, sizeof in);
}

/* The base set minus the records whose index drop[] marks for this side
 * (drop[i] & bit), sorted. */
static void
side_make(side *s, const uint8_t *all, size_t n, const uint8_t *drop, uint8_t bit)
{
	memset(s, 0, sizeof *s);
	s->keys = must_alloc(n * RECON_KEY + 1);
	for (size_t i = 0; i < n; i++)
		if (!(drop[i] & bit))
			memcpy(s->keys + s->n++ * RECON_KEY, all + i * RECON_KEY, RECON_KEY);
	qsort(s->keys, s->n, RECON_KEY, cmp_key);
	s->arr.keys = s->keys;
	s->arr.n = s->n;
}

#define SIZES_MAX 8

typedef struct result {
	size_t	bytes, msgs;
	size_t	sizes[SIZES_MAX];	/* of the first messages */
	double	secs;
	int	exact;
} result;

static void
session(side *a, side *b, uint32_t frame, result *res)
{
	recon_host ha = { a, recon_array_seek, recon_array_next, recon_array_count, on_lacks };
	recon_host hb = { b, recon_array_seek, recon_array_next, recon_array_count, on_lacks };
	recon_opts o = { .frame_max = frame, .rounds_max = 64, .split = 16, .ids_max = 32 };
	uint8_t *buf[2] = { must_alloc(frame), must_alloc(frame) };
	size_t len, want_a = 0, want_b = 0;
	recon *r[2];
	int turn = 1;
	double t = bench_now();

	a->peer = b;
	b->peer = a;
	a->told = a->wrong = b->told = b->wrong = 0;
	memset(res, 0, sizeof *res);
	if (recon_new(&ha, &o, &r[0]) != EM_OK || recon_new(&hb, &o, &r[1]) != EM_OK ||
	    recon_start(r[0], buf[0], frame, &len) != EM_OK) {
		fprintf(stderr, "reconcile: cannot start a session\n");
		exit(1);
	}
	while (len > 0) {
		if (res->msgs < SIZES_MAX)
			res->sizes[res->msgs] = len;
		res->msgs++;
		res->bytes += len;
		if (recon_recv(r[turn], buf[!turn], len, buf[turn], frame, &len) != EM_OK) {
			fprintf(stderr, "reconcile: %s\n", recon_why(r[turn]));
			exit(1);
		}
		turn = !turn;
	}
	res->secs = bench_now() - t;
	for (size_t i = 0; i < a->n; i++)
		want_a += !holds(b, a->keys + i * RECON_KEY);
	for (size_t i = 0; i < b->n; i++)
		want_b += !holds(a, b->keys + i * RECON_KEY);
	res->exact = recon_done(r[0]) && recon_done(r[1]) && a->wrong == 0 &&
	    b->wrong == 0 && a->told == want_a && b->told == want_b;
	recon_free(r[0]);
	recon_free(r[1]);
	free(buf[0]);
	free(buf[1]);
}

static int missed, wrong;

/* Runs a case and prints it against its targets (0: none). */
static void
report(const char *name, side *a, side *b, uint32_t frame, size_t max_bytes,
    size_t max_trips)
{
	result res;
	size_t trips;

	session(a, b, frame, &res);
	trips = (res.msgs + 1) / 2;
	printf("%-44s %7zu bytes (%5.1f KiB) in %zu messages = %zu round trips, %.2f s\n",
	    name, res.bytes, res.bytes / 1024.0, res.msgs, trips, res.secs);
	printf("%-44s message sizes:", "");
	for (size_t i = 0; i < res.msgs && i < SIZES_MAX; i++)
		printf(" %zu", res.sizes[i]);
	printf("%s\n", res.msgs > SIZES_MAX ? " ..." : "");
	if (max_bytes)
		printf("%-44s bytes %zu <= %zu: %s\n", "", res.bytes, max_bytes,
		    res.bytes <= max_bytes ? "ok" : "MISSED");
	if (max_trips)
		printf("%-44s round trips %zu <= %zu: %s\n", "", trips, max_trips,
		    trips <= max_trips ? "ok" : "MISSED");
	if (!res.exact)
		printf("%-44s WRONG: the difference found is not the real one\n", "");
	missed += (max_bytes && res.bytes > max_bytes) || (max_trips && trips > max_trips);
	wrong += !res.exact;
}

/* Marks k random records of the base set as missing on side bit (and
 * not already missing anywhere). */
static void
mark_random(uint8_t *drop, size_t n, size_t k, uint8_t bit, uint64_t *rng)
{
	while (k > 0) {
		size_t i;

		*rng = *rng * 6364136223846793005ULL + 1442695040888963407ULL;
		i = (size_t)(*rng >> 17) % n;
		if (drop[i] == 0) {
			drop[i] = bit;
			k--;
		}
	}
}

static void
run_case(const char *name, const uint8_t *all, size_t n, const uint8_t *drop,
    uint32_t frame, size_t max_bytes, size_t max_trips)
{
	side a, b;

	side_make(&a, all, n, drop, 1);
	side_make(&b, all, n, drop, 2);
	report(name, &a, &b, frame, max_bytes, max_trips);
	free(a.keys);
	free(b.keys);
}

int
main(int argc, char **argv)
{
	long keys = bench_opt(argc, argv, "--keys", 1000000);
	long authors = bench_opt(argc, argv, "--authors", 100000);
	long seed = bench_opt(argc, argv, "--seed", 7);
	long frame = bench_opt(argc, argv, "--frame", 60 * 1024);
	uint64_t rng = (uint64_t)seed * 2 + 1;
	size_t n, per;
	uint8_t *all, *drop;
	double t;

	if (keys < 1000 || authors < 10 || authors > keys || frame < RECON_FRAME_MIN ||
	    frame > 16 * 1024 * 1024) {
		fprintf(stderr, "usage: reconcile [--keys N>=1000] [--authors 10..N] "
		    "[--seed S] [--frame %d..16777216]\n", RECON_FRAME_MIN);
		return 2;
	}
	if (hash_init() != EM_OK)
		return 1;
	per = (size_t)(keys / authors);
	n = per * (size_t)authors;
	all = must_alloc(n * RECON_KEY);
	drop = calloc(n, 1);
	if (drop == NULL)
		return 1;
	t = bench_now();
	for (size_t i = 0; i < n; i++)
		make_key(all + i * RECON_KEY, i / per, i % per + 1);
	printf("reconcile: two sets of %zu record ids by %ld authors (%zu each), "
	    "frame %ld bytes, seed %ld (set-up %.1f s)\n", n, authors, per, frame, seed,
	    bench_now() - t);
	run_case("identical", all, n, drop, (uint32_t)frame, 1024, 0);
	mark_random(drop, n, 5, 1, &rng);
	mark_random(drop, n, 5, 2, &rng);
	run_case("10 differ (5 missing on each side)", all, n, drop, (uint32_t)frame,
	    16 * 1024, 3);
	memset(drop, 0, n);
	mark_random(drop, n, 10, 2, &rng);
	run_case("10 differ (all missing on one side)", all, n, drop, (uint32_t)frame,
	    16 * 1024, 3);
	/* the latest min(10, per) records of 10 authors spread over the ids */
	memset(drop, 0, n);
	for (size_t a = 0; a < 10; a++) {
		size_t author = a * (size_t)authors / 10 + 3;

		for (size_t s = per > 10 ? per - 10 : 0; s < per; s++)
			drop[author * per + s] = 2;
	}
	run_case("10 authors x 10 latest missing on one side", all, n, drop,
	    (uint32_t)frame, 0, 0);
	printf("the per-author summary this replaces: %ld authors x 48 bytes = %.0f KiB "
	    "per exchange", authors, authors * 48 / 1024.0);
	if (authors > 8192)
		printf(", cut at 8,192 authors (%.0f KiB): the other %ld never sync",
		    8192 * 48 / 1024.0, authors - 8192);
	printf("\n");
	free(all);
	free(drop);
	if (wrong)
		return 1;
	return missed ? 3 : 0;
}
