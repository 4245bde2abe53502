/* How the commands print numbers (node/cli/cli.h, cli_num): a table of
 * Wilson intervals over many n and k, printed as CSV and JSON print them,
 * shows exact ends at 0 and 1 and never arithmetic's noise. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "stats.h"

/* v as CSV prints it, into buf. */
static const char *
csv(double v, char *buf, size_t cap)
{
	snprintf(buf, cap, CLI_NUM_FMT, cli_num(v));
	return buf;
}

/* v as cli_json_print prints it, into buf (free()). */
static char *
json(double v)
{
	json_t *a = json_pack("[o]", cli_json_num(v));
	char *s;

	assert_non_null(a);
	assert_non_null(s = json_dumps(a, JSON_COMPACT | JSON_REAL_PRECISION(12)));
	json_decref(a);
	return s;
}

/* A number printed for people or programs: digits, at most one point, no
 * exponent (every interval end of n <= 1000 items is 0, 1 or above 1e-4,
 * where %.12g would switch to one), and it reads back as cli_num(v),
 * itself within half a unit of the 12th place of v (and an ulp). */
static void
plain(double v, const char *text)
{
	char *end;

	assert_null(strpbrk(text, "eE"));
	assert_true(strtod(text, &end) == cli_num(v) && *end == '\0');
	assert_true(fabs(cli_num(v) - v) <= 5.001e-13);
}

static void
test_wilson_printed(void **state)
{
	char a[64], b[64], *j;
	double lo, hi;

	(void)state;
	for (size_t n = 1; n <= 1000; n += n < 50 ? 1 : 7)
		for (size_t k = 0; k <= n; k++) {
			stats_wilson((double)k / (double)n, n, STATS_Z95, &lo, &hi);
			plain(lo, csv(lo, a, sizeof a));
			plain(hi, csv(hi, b, sizeof b));
			if (k == 0)
				assert_string_equal(a, "0");
			if (k == n)
				assert_string_equal(b, "1");
			if (k == 0 || k == n) {
				j = json(k == 0 ? lo : hi);
				assert_string_equal(j, k == 0 ? "[0.0]" : "[1.0]");
				free(j);
			}
		}
}

/* The rounding itself: noise goes, what is there stays. */
static void
test_num(void **state)
{
	static const struct { double v; const char *csv, *json; } rows[] = {
		{ 2.77555756156e-17, "0", "[0.0]" },	/* Wilson's 0 of 6, computed */
		{ -2.77555756156e-17, "0", "[0.0]" },	/* and never "-0" */
		{ -0.0, "0", "[0.0]" },
		{ 0.1 + 0.2, "0.3", "[0.3]" },
		{ 0.99999999999999989, "1", "[1.0]" },
		{ 2.0 / 3, "0.666666666667", "[0.666666666667]" },
		{ 1e-12, "1e-12", "[1e-12]" },		/* a 12th place is kept */
		{ 4e-13, "0", "[0.0]" },
		{ 0.8, "0.8", "[0.8]" },
		{ -0.25, "-0.25", "[-0.25]" },
		{ 12345.5, "12345.5", "[12345.5]" },	/* too large to round: as it is */
	};
	char buf[64], *j;

	(void)state;
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		assert_string_equal(csv(rows[i].v, buf, sizeof buf), rows[i].csv);
		j = json(rows[i].v);
		assert_string_equal(j, rows[i].json);
		free(j);
	}
	assert_true(isnan(cli_num(NAN)) && isinf(cli_num(INFINITY)));
	assert_true(signbit(cli_num(-0.0)) == 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_num),
		cmocka_unit_test(test_wilson_printed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
