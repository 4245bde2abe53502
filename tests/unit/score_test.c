/* Scoring, case by case: English, Chinese, full-width forms. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>

#include "score.h"

#define ALL (NORM_NFKC | NORM_LOWER | NORM_STRIP_PUNCT | NORM_COLLAPSE_SPACE)

static void
test_normalize(void **state)
{
	char *out;

	(void)state;
	assert_int_equal(score_normalize("ＡＢＣ　１２３！", NORM_NFKC, &out), EM_OK);
	assert_string_equal(out, "ABC 123!");
	free(out);
	assert_int_equal(score_normalize("  Hello,\tWORLD!  ", ALL, &out), EM_OK);
	assert_string_equal(out, "hello world");
	free(out);
	assert_int_equal(score_normalize("答案是：４２。", ALL, &out), EM_OK);
	assert_string_equal(out, "答案是42");
	free(out);
	assert_int_equal(score_normalize("bad \xff", NORM_NFKC, &out), EM_EUTF8);
	assert_int_equal(score_norm_flag("strip_punct"), NORM_STRIP_PUNCT);
	assert_int_equal(score_norm_flag("shout"), 0);
}

static void
test_exact(void **state)
{
	(void)state;
	assert_true(score_exact("Paris", "paris", NORM_LOWER) == 1);
	assert_true(score_exact("Paris.", "paris", NORM_LOWER) == 0);
	assert_true(score_exact(" Paris. ", "paris", ALL) == 1);
	assert_true(score_exact("北京", "北京", 0) == 1);
	assert_true(score_exact("ＰＡＲＩＳ", "paris", NORM_NFKC | NORM_LOWER) == 1);
	assert_true(score_exact("ＰＡＲＩＳ", "paris", NORM_LOWER) == 0);
}

static void
test_numeric(void **state)
{
	(void)state;
	assert_true(score_numeric("The answer is 42.", "42", 0) == 1);
	assert_true(score_numeric("答案是４２。", "42", 0) == 1);	/* full-width */
	assert_true(score_numeric("It costs 1,234.50 dollars", "1234.5", 1e-9) == 1);
	assert_true(score_numeric("From 3 to 7, the answer is -12", "-12", 0) == 1);
	assert_true(score_numeric("The answer is −12", "-12", 0) == 1);	/* U+2212 */
	assert_true(score_numeric("about 3.14159", "3.14", 0.01) == 1);
	assert_true(score_numeric("about 3.2", "3.14", 0.01) == 0);
	assert_true(score_numeric("no number here", "3", 0) == 0);
	assert_true(score_numeric("1,23", "23", 0) == 1);	/* not a thousands comma */
	assert_true(score_numeric("共有１，０００个", "1000", 0) == 1);
	assert_true(score_numeric("42", "forty-two", 0) == 0);
}

static void
test_choice(void **state)
{
	const char *choices[] = { "red", "green", "blue", "yellow" };

	(void)state;
	assert_true(score_choice("The answer is B.", "B", choices, 4) == 1);
	assert_true(score_choice("(c)", "C", choices, 4) == 1);	/* a bare letter, any case */
	assert_true(score_choice("A good guess: C", "C", choices, 4) == 1);
	assert_true(score_choice("答案是Ｃ。", "C", choices, 4) == 1);	/* full-width */
	assert_true(score_choice("I think it is green", "B", choices, 4) == 1);
	assert_true(score_choice("I think it is green", "green", choices, 4) == 1);
	assert_true(score_choice("The answer is E", "B", choices, 4) == 0);	/* no option E */
	assert_true(score_choice("B", "A", choices, 4) == 0);
	assert_true(score_choice("B", "purple", choices, 4) == 0);
}

static void
test_regex(void **state)
{
	char why[128];

	(void)state;
	assert_int_equal(score_regex_check("answer: ([0-9]+)", why, sizeof why), EM_OK);
	assert_int_equal(score_regex_check("([0-9]+", why, sizeof why), EM_EFORMAT);
	/* a peer's pattern must not take all memory when compiled, nor make
	 * matching exponential: the fuzzer's "0+++..." (glibc doubles the tree
	 * at each '+'), nested bounds, back-references */
	assert_int_equal(score_regex_check(" -r0+++++++++++++++++++++++++++++++++++++++++++++++++"
	    "+++++++++++++++++++++++)", why, sizeof why), EM_EFORMAT);
	assert_non_null(strstr(why, "of a repeat"));
	/* the fuzzer again: an unmatched ')' first (glibc: a character) must not
	 * end the check */
	assert_int_equal(score_regex_check(")sp) +++++++++++++++++++++++++++++]+)", why,
	    sizeof why), EM_EFORMAT);
	assert_int_equal(score_regex_check("[a+++++++++++++++++++++++++++++++", why, sizeof why),
	    EM_EFORMAT);
	assert_int_equal(score_regex_check("a{2+++++++++++++++++++++++++++++++", why, sizeof why),
	    EM_EFORMAT);
	assert_int_equal(score_regex_check("a{ +++++++++++++++++++++++++++++++}", why, sizeof why),
	    EM_EFORMAT);	/* not a bound: the '+'s still count */
	assert_int_equal(score_regex_check("x{2,}y{3}z{0,4}", why, sizeof why), EM_OK);
	assert_int_equal(score_regex_check("((x{99}){99}){99}", why, sizeof why), EM_EFORMAT);
	assert_non_null(strstr(why, "too big"));
	assert_int_equal(score_regex_check("a{300}", why, sizeof why), EM_EFORMAT);
	assert_int_equal(score_regex_check("(a*)b\\1", why, sizeof why), EM_EFORMAT);
	assert_int_equal(score_regex_check("(a*)*", why, sizeof why), EM_OK);	/* no copies */
	assert_int_equal(score_regex_check("x{2,5}[]a+*]{3}([[:digit:]]+|\\.)?", why, sizeof why),
	    EM_OK);
	assert_int_equal(score_regex_check("((((((((((((a+)+)+)+)+)+)+)+)+)+)+)+)", why, sizeof why),
	    EM_OK);	/* 2^12 */
	assert_int_equal(score_regex_check("(((((((((((((a+)+)+)+)+)+)+)+)+)+)+)+)+)", why,
	    sizeof why), EM_EFORMAT);	/* 2^13 */
	assert_true(strlen(why) > 0);
	assert_true(score_regex("Work... answer: 17", "answer: ([0-9]+)", "17", 0) == 1);
	assert_true(score_regex("answer: １７", "answer: ([0-9]+)", "17", NORM_NFKC) == 1);
	assert_true(score_regex("answer: １７", "answer: ([0-9]+)", "17", 0) == 0);
	assert_true(score_regex("nothing", "answer: ([0-9]+)", "17", 0) == 0);
	assert_true(score_regex("Final: YES", "Final: [A-Z]+", "final: yes", NORM_LOWER) == 1);
}

static void
test_f1(void **state)
{
	(void)state;
	assert_true(score_f1("the cat sat", "the cat sat", ALL) == 1);
	assert_true(score_f1("", "", ALL) == 1);
	assert_true(score_f1("anything", "", ALL) == 0);
	/* 2 of 3 output tokens, 2 of 2 target tokens: p 2/3, r 1 -> 0.8 */
	assert_true(fabs(score_f1("the black cat", "the cat", ALL) - 0.8) < 1e-12);
	/* each CJK character is a token: 北京 vs 北京市 -> p 1, r 2/3 */
	assert_true(fabs(score_f1("北京", "北京市", ALL) - 0.8) < 1e-12);
	assert_true(score_f1("Ｔｈｅ ＣＡＴ", "the cat", ALL) == 1);
	/* repeated tokens count once each */
	assert_true(fabs(score_f1("cat cat", "cat", ALL) - 2.0 / 3.0) < 1e-12);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_exact),
		cmocka_unit_test(test_numeric),
		cmocka_unit_test(test_choice),
		cmocka_unit_test(test_regex),
		cmocka_unit_test(test_f1),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
