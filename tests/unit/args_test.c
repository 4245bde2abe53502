/* The option parser: every way a command line can be wrong. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "args.h"

static const opt opts[] = {
	{ "home", OPT_VALUE, 0 }, { "json", OPT_FLAG, 0 },
	{ "metric", OPT_MULTI, 0 }, { "output", OPT_VALUE, 'o' },
};

static em_err
parse(args_parsed *a, char *why, int argc, char **argv)
{
	return args_parse(a, opts, 4, argc, argv, 1, why, 256);
}

static void
test_good(void **state)
{
	char why[256];
	char *argv[] = { "--home", "/x", "--json", "--metric=a=1", "--metric", "b=2",
	    "-o", "out.bundle", "pos", "--", "--notanoption" };
	const char *const *m;
	args_parsed a;

	(void)state;
	assert_int_equal(parse(&a, why, 9, argv), EM_OK);
	assert_string_equal(args_get(&a, "home"), "/x");
	assert_string_equal(args_get(&a, "json"), "1");
	assert_string_equal(args_get(&a, "output"), "out.bundle");
	assert_int_equal(args_all(&a, "metric", &m), 2);
	assert_string_equal(m[0], "a=1");
	assert_string_equal(m[1], "b=2");
	assert_int_equal(a.n_pos, 1);
	assert_false(args_help(&a));
	/* after "--" everything is positional */
	assert_int_equal(args_parse(&a, opts, 4, 2, argv + 9, 2, why, sizeof why), EM_OK);
	assert_string_equal(a.pos[0], "--notanoption");
}

static void
test_bad(void **state)
{
	char why[256];
	args_parsed a;
	struct { int argc; char *argv[3]; const char *msg; } cases[] = {
		{ 1, { "--bogus" }, "unknown option '--bogus'" },
		{ 1, { "-x" }, "unknown option '-x'" },
		{ 1, { "--home" }, "option --home needs a value" },
		{ 1, { "--json=yes" }, "option --json takes no value" },
		{ 2, { "--json", "--json" }, "option --json given more than once" },
		{ 2, { "one", "two" }, "unexpected argument 'two'" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_int_equal(parse(&a, why, cases[i].argc, cases[i].argv), EM_EINVAL);
		assert_string_equal(why, cases[i].msg);
	}
	{
		char *help[] = { "-h" };

		assert_int_equal(parse(&a, why, 1, help), EM_OK);
		assert_true(args_help(&a));
	}
}

/* Where a verb is: the first word that is neither an option nor the value
 * of one ("trust --name list add ID": add). */
static void
test_first_pos(void **state)
{
	struct { int argc; char *argv[6]; int want; } cases[] = {
		{ 2, { "add", "ID" }, 0 },
		{ 4, { "--home", "/x", "add", "ID" }, 2 },
		{ 3, { "--home=/x", "add", "ID" }, 1 },
		{ 3, { "--json", "list", "--home" }, 1 },		/* a flag takes no value */
		{ 4, { "--metric", "list", "-o", "add" }, -1 },		/* values, both */
		{ 3, { "--bogus", "list", "x" }, 1 },			/* unknown: a flag */
		{ 3, { "--", "--add", "x" }, 1 },
		{ 1, { "--" }, -1 },
		{ 2, { "-", "x" }, 0 },					/* "-" is a word */
		{ 2, { "--home", "/x" }, -1 },
		{ 1, { "--home" }, -1 },				/* its value missing */
		{ 0, { NULL }, -1 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_int_equal(args_first_pos(cases[i].argc, cases[i].argv, opts, 4),
		    cases[i].want);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_first_pos),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
