/* common/keysort: the order and the counts against a plain comparison
 * sort and a count by hand, on value sets chosen to reach every path —
 * spread values, ties, all equal, bunched into one bucket, the infinities,
 * NaNs and the two zeros. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "keysort.h"
#include "testutil.h"

static uint64_t rng = 0x243f6a8885a308d3ULL;

static int
cmp_ref(const void *pa, const void *pb)
{
	const ks_item *a = pa, *b = pb;
	uint64_t x = keysort_key(a->v), y = keysort_key(b->v);

	if (x != y)
		return x < y ? -1 : 1;
	return (a->idx > b->idx) - (a->idx < b->idx);
}

/* Sorts v[0..n) both ways and compares; then counts at each value, just
 * below and above it, and at the ends — in the buckets, and searching the
 * sorted items out from every place. */
static void
check(const double *v, size_t n)
{
	ks_item *in = calloc(n + 1, sizeof *in), *ref = calloc(n + 1, sizeof *ref);
	double probes[] = { -INFINITY, -1e300, -1, -0.0, 0, 0.5, 1, 1e300, INFINITY };
	keysort ks;

	assert_non_null(in);
	assert_non_null(ref);
	for (size_t i = 0; i < n; i++)
		in[i] = (ks_item){ 0, v[i], (uint32_t)(n - 1 - i) };
	memcpy(ref, in, n * sizeof *in);
	qsort(ref, n, sizeof *ref, cmp_ref);
	assert_int_equal(keysort_build(&ks, in, n), EM_OK);
	assert_int_equal(ks.n, n);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(ks.a[i].idx, ref[i].idx);
		assert_memory_equal(&ks.a[i].v, &ref[i].v, sizeof(double));
	}
	for (size_t i = 0; i < n + sizeof probes / sizeof probes[0]; i++) {
		double x = i < n ? v[i] : probes[i - n];
		double near[3] = { x, nextafter(x, -INFINITY), nextafter(x, INFINITY) };

		for (int k = 0; k < 3; k++) {
			size_t want = 0;

			for (size_t j = 0; j < n; j++)
				want += keysort_key(v[j]) <= keysort_key(near[k]);
			for (size_t from = 0; from <= n + 1; from++)	/* from anywhere */
				assert_int_equal(keysort_count_from(ks.a, n, from, near[k]), want);
		}
	}
	keysort_free(&ks);
	free(in);
	free(ref);
}

static void
test_spread(void **state)
{
	double v[300];

	(void)state;
	for (size_t i = 0; i < 300; i++)
		v[i] = (double)(tu_next(&rng) % 501) / 500.0 - 0.04;	/* accuracies' lows */
	check(v, 300);
	for (size_t i = 0; i < 300; i++)
		v[i] = (double)(int64_t)tu_next(&rng) / 1e3;		/* the whole range */
	check(v, 300);
}

static void
test_ties_and_bunches(void **state)
{
	double v[500];

	(void)state;
	for (size_t i = 0; i < 500; i++)
		v[i] = 0.75;				/* all one value */
	check(v, 500);
	for (size_t i = 0; i < 500; i++)	/* one far value: the rest in one bucket */
		v[i] = i == 0 ? 1e300 : 0.5 + (double)(tu_next(&rng) % 1000) * 1e-12;
	check(v, 500);
	for (size_t i = 0; i < 500; i++)	/* sorted, reversed, sawtooth */
		v[i] = (double)i;
	check(v, 500);
	for (size_t i = 0; i < 500; i++)
		v[i] = (double)(500 - i);
	check(v, 500);
	for (size_t i = 0; i < 500; i++)
		v[i] = (double)(i % 7);
	check(v, 500);
}

static void
test_special_values(void **state)
{
	double v[] = { NAN, -NAN, INFINITY, -INFINITY, 0.0, -0.0, 1, -1, 2.2250738585072014e-308, -5e-324,
	    5e-324, 1.7976931348623157e308, -1.7976931348623157e308, NAN, 0.0 };

	(void)state;
	check(v, sizeof v / sizeof v[0]);
	check(v, 1);
	check(v, 0);
	assert_true(keysort_key(-0.0) == keysort_key(0.0));
	assert_true(keysort_key(-1) < keysort_key(-0.5));
	assert_true(keysort_key(-INFINITY) < keysort_key(-1.7976931348623157e308));
	assert_true(keysort_key(INFINITY) < keysort_key(NAN));
	assert_true(keysort_key(-NAN) < keysort_key(-INFINITY));
}

static void
test_random_sizes(void **state)
{
	(void)state;
	for (size_t n = 0; n < 70; n++) {
		double v[70];

		for (size_t i = 0; i < n; i++)
			v[i] = (tu_next(&rng) & 3) == 0 ? (double)(tu_next(&rng) % 4) : (double)(tu_next(&rng) % 100000) / 7.0;
		check(v, n);
	}
}

/* keysort_nearly: in order (or nearly) it sorts, by value, equal ones
 * kept in their order; out of order it gives up and leaves a permutation. */
static void
test_nearly(void **state)
{
	ks_item a[400], b[400];
	size_t moved = 0;

	(void)state;
	for (size_t i = 0; i < 400; i++)	/* a few neighbours swapped, some equal */
		a[i] = (ks_item){ 0, (double)(i / 2) + ((i % 50) == 7 ? 3.5 : 0), (uint32_t)i };
	memcpy(b, a, sizeof a);
	assert_true(keysort_nearly(a, 400));
	for (size_t i = 1; i < 400; i++) {
		assert_true(a[i - 1].v <= a[i].v);
		if (a[i - 1].v == a[i].v)
			assert_true(a[i - 1].idx < a[i].idx);	/* equal: as they came */
	}
	for (size_t i = 0; i < 400; i++)
		moved += a[i].idx != i;
	assert_true(moved > 0 && moved < 100);
	for (size_t i = 0; i < 400; i++)	/* reversed: far from nearly */
		a[i] = (ks_item){ 0, (double)(400 - i), (uint32_t)i };
	assert_false(keysort_nearly(a, 400));
	{
		int seen[400] = { 0 };

		for (size_t i = 0; i < 400; i++)
			seen[a[i].idx]++;
		for (size_t i = 0; i < 400; i++)
			assert_int_equal(seen[i], 1);
	}
	assert_true(keysort_nearly(a, 0));
	assert_true(keysort_nearly(b, 1));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spread),
		cmocka_unit_test(test_ties_and_bunches),
		cmocka_unit_test(test_special_values),
		cmocka_unit_test(test_random_sizes),
		cmocka_unit_test(test_nearly),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
