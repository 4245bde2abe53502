/* Means, standard errors and Wilson intervals against values computed by
 * hand (and the textbook 0/10 case: upper bound 0.2775). */
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wilson),
		cmocka_unit_test(test_summary),
		cmocka_unit_test(test_mcnemar_and_paired),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
