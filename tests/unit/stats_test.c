/* Means, standard errors and Wilson intervals against values computed by
 * hand (and the textbook 0/10 case: upper bound 0.2775), and the Wilson
 * interval against its formula over a table of n and k. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>

#include "stats.h"

#define NEAR(a, b) assert_true((a) - (b) < 1e-9 && (b) - (a) < 1e-9)

static void
test_wilson(void **state)
{
	double lo, hi;

	(void)state;
	stats_wilson(0.8, 200, STATS_Z95, &lo, &hi);
	NEAR(lo, 0.7391448134346212);
	NEAR(hi, 0.8495479907390189);
	stats_wilson(0, 10, STATS_Z95, &lo, &hi);	/* not the empty [0, 0] */
	NEAR(lo, 0);
	NEAR(hi, 0.2775327998628892);
	stats_wilson(1, 10, STATS_Z95, &lo, &hi);
	NEAR(lo, 0.7224672001371107);
	assert_true(hi <= 1);
	stats_wilson(0.5, 0, STATS_Z95, &lo, &hi);
	NEAR(lo, 0);
	NEAR(hi, 1);
}

static void
test_summary(void **state)
{
	uint16_t s[5] = { 10000, 0, 10000, 10000, 0 };
	stats_summary out;

	(void)state;
	stats_summarize(s, 5, 10000, &out);
	NEAR(out.mean, 0.6);
	/* sample variance 0.3, so SE = sqrt(0.3 / 5) */
	NEAR(out.std_err, 0.24494897427831780);
	assert_true(out.lo < 0.6 && out.hi > 0.6);
	stats_summarize(s, 1, 10000, &out);
	NEAR(out.mean, 1);
	NEAR(out.std_err, 0);
	stats_summarize(s, 0, 10000, &out);
	NEAR(out.mean, 0);
}

static void
test_mcnemar_and_paired(void **state)
{
	double a[4] = { 1, 1, 0, 1 }, b[4] = { 0, 1, 0, 0 };
	double m, se, lo, hi;

	(void)state;
	/* hand-computed: 2 * sum_{k<=2} C(12,k) / 2^12 = 2 * 79 / 4096 */
	NEAR(stats_mcnemar(10, 2), 158.0 / 4096);
	NEAR(stats_mcnemar(2, 10), 158.0 / 4096);
	NEAR(stats_mcnemar(5, 5), 1);
	NEAR(stats_mcnemar(0, 6), 2.0 / 64);
	NEAR(stats_mcnemar(0, 0), 1);
	NEAR(stats_mcnemar(1, 0), 1);
	assert_true(fabs(stats_mcnemar(30, 15) - 0.035697803555194696) < 1e-9);
	/* large counts stay finite and sensible */
	assert_true(stats_mcnemar(20000, 20000) > 0.99);
	assert_true(stats_mcnemar(21000, 19000) < 1e-15);
	/* differences 1, 0, 0, 1: mean 0.5, sd sqrt(1/3), SE sqrt(1/12) */
	stats_paired(a, b, 4, &m, &se, &lo, &hi);
	NEAR(m, 0.5);
	NEAR(se, sqrt(1.0 / 12));
	NEAR(lo, 0.5 - STATS_Z95 * sqrt(1.0 / 12));
	NEAR(hi, 0.5 + STATS_Z95 * sqrt(1.0 / 12));
	assert_true(fabs(stats_normal_p(STATS_Z95) - 0.05) < 1e-9);
	NEAR(stats_normal_p(0), 1);
}

/* The Wilson interval against the formula in long double, over every k of
 * n items right for n up to 400 (through stats_summarize, as a result
 * gets it: k scores of 1, the others 0) and some k for larger n. Its ends
 * are exact where the formula is: 0 right gives a low end of 0, all
 * right a high end of 1, not the 2.8e-17 (0 of 6) or 0.99999999999999989
 * the arithmetic makes of them. */
static void
wilson_case(size_t k, size_t n, double p, double lo, double hi)
{
	long double z = STATS_Z95, nn = (long double)n, pp = (long double)k / nn;
	long double denom = 1 + z * z / nn, centre = (pp + z * z / (2 * nn)) / denom;
	long double half = z * sqrtl(pp * (1 - pp) / nn + z * z / (4 * nn * nn)) / denom;
	double mlo, mhi;

	assert_true(p == (double)k / (double)n);
	assert_true(0 <= lo && lo <= p && p <= hi && hi <= 1);
	if (k == 0)
		assert_true(lo == 0 && hi > 0);
	else
		assert_true(fabsl(lo - (centre - half)) < 1e-12L && lo > 0);
	if (k == n)
		assert_true(hi == 1 && lo < 1);
	else
		assert_true(fabsl(hi - (centre + half)) < 1e-12L && hi < 1);
	/* k right is n - k wrong: the interval mirrored */
	stats_wilson((double)(n - k) / (double)n, n, STATS_Z95, &mlo, &mhi);
	assert_true(fabs(lo - (1 - mhi)) < 1e-12 && fabs(hi - (1 - mlo)) < 1e-12);
	assert_true((k == 0) == (mhi == 1) && (k == n) == (mlo == 0));
}

static void
test_wilson_table(void **state)
{
	static const size_t big[] = { 1000, 4096, 10007, 100000, 1000000, 1u << 20 };
	static uint16_t u[400];
	stats_summary s;
	double lo, hi;

	(void)state;
	for (size_t n = 1; n <= 400; n++)
		for (size_t k = 0; k <= n; k++) {
			for (size_t i = 0; i < n; i++)
				u[i] = i < k ? 10000 : 0;
			stats_summarize(u, n, 10000, &s);
			wilson_case(k, n, s.mean, s.lo, s.hi);
		}
	for (size_t b = 0; b < sizeof big / sizeof big[0]; b++) {
		size_t n = big[b], ks[] = { 0, 1, 2, 7, n / 3, n / 2, n - 7, n - 2, n - 1, n };

		for (size_t i = 0; i < sizeof ks / sizeof ks[0]; i++) {
			stats_wilson((double)ks[i] / (double)n, n, STATS_Z95, &lo, &hi);
			wilson_case(ks[i], n, (double)ks[i] / (double)n, lo, hi);
		}
	}
	/* what is no proportion is taken as the nearest end */
	stats_wilson(-0.5, 10, STATS_Z95, &lo, &hi);
	assert_true(lo == 0 && hi < 0.3);
	stats_wilson(NAN, 10, STATS_Z95, &lo, &hi);
	assert_true(lo == 0 && hi < 0.3);
	stats_wilson(1.5, 10, STATS_Z95, &lo, &hi);
	assert_true(hi == 1 && lo > 0.7);
}

/* The mean of scores in units is their whole sum over n * scale: the
 * same bits whatever the order, and what anyone holding the vector gets. */
static void
test_summary_units(void **state)
{
	uint16_t u[7] = { 6667, 2857, 1, 10000, 0, 3333, 5000 }, r[7];
	stats_summary a, b;

	(void)state;
	for (size_t i = 0; i < 7; i++)
		r[i] = u[6 - i];
	stats_summarize(u, 7, 10000, &a);
	stats_summarize(r, 7, 10000, &b);
	assert_true(a.mean == 27858.0 / 70000.0 && a.mean == b.mean);
	NEAR(a.std_err, b.std_err);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wilson),
		cmocka_unit_test(test_summary),
		cmocka_unit_test(test_summary_units),
		cmocka_unit_test(test_wilson_table),
		cmocka_unit_test(test_mcnemar_and_paired),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
