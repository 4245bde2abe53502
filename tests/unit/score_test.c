/* Scoring, case by case: English, Chinese, full-width forms. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

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

/* score_extract's answer, or NULL when it returns err. */
static void
extract_is(const char *output, const char *pattern, unsigned flags, em_err err,
    const char *want)
{
	char *got = NULL;
	em_err e = score_extract(output, pattern, flags, &got);

	if (e != err)
		fail_msg("/%s/ on '%.40s': %d, not %d", pattern, output, e, err);
	if (want != NULL && (got == NULL || strcmp(got, want) != 0))
		fail_msg("/%s/ on '%.40s': '%s', not '%s'", pattern, output, got, want);
	free(got);
}

static void
test_regex_check(void **state)
{
	char why[256], big[SCORE_PATTERN_MAX + 2];

	(void)state;
	assert_int_equal(score_regex_check("answer: ([0-9]+)", why, sizeof why), EM_OK);
	/* PCRE2's own message, with where */
	assert_int_equal(score_regex_check("([0-9]+", why, sizeof why), EM_EFORMAT);
	assert_string_equal(why, "missing closing parenthesis at offset 7");
	assert_int_equal(score_regex_check("a{2}+++", why, sizeof why), EM_EFORMAT);
	assert_string_equal(why, "quantifier does not follow a repeatable item at offset 5");
	assert_int_equal(score_regex_check("\xff", why, sizeof why), EM_EFORMAT);
	assert_non_null(strstr(why, "UTF-8"));
	assert_int_equal(score_regex_check("a\\Cb", why, sizeof why), EM_EFORMAT);
	/* what glibc refused and PCRE2 compiles to a bounded size */
	assert_int_equal(score_regex_check("x{2,}y{3}z{0,4}a{300}", why, sizeof why), EM_OK);
	assert_int_equal(score_regex_check("(((((((((((((a+)+)+)+)+)+)+)+)+)+)+)+)+)", why,
	    sizeof why), EM_OK);
	assert_int_equal(score_regex_check("x{2,5}[]a+*]{3}([[:digit:]]+|\\.)?", why, sizeof why),
	    EM_OK);
	/* ... and what PCRE2 refuses to compile: too large */
	assert_int_equal(score_regex_check("((x{99}){99}){99}", why, sizeof why), EM_EFORMAT);
	assert_non_null(strstr(why, "too large"));
	/* back-references: matching them has no bound; conditions are not them */
	assert_int_equal(score_regex_check("(a*)b\\1", why, sizeof why), EM_EFORMAT);
	assert_non_null(strstr(why, "back-references"));
	assert_int_equal(score_regex_check("(?<n>a)\\k<n>", why, sizeof why), EM_EFORMAT);
	assert_int_equal(score_regex_check("(?P<n>a)(?P=n)", why, sizeof why), EM_EFORMAT);
	assert_int_equal(score_regex_check("(a)\\g{-1}", why, sizeof why), EM_EFORMAT);
	assert_int_equal(score_regex_check("(a)(?(1)b|c)", why, sizeof why), EM_OK);
	assert_int_equal(score_regex_check("(a)\\g<1>", why, sizeof why), EM_OK);	/* a call */
	assert_int_equal(score_regex_check("(a)[\\1]", why, sizeof why), EM_OK);	/* octal */
	/* one \X may span the whole output: repeated as one item it is not metered */
	assert_int_equal(score_regex_check("\\X{2}", why, sizeof why), EM_EFORMAT);
	assert_non_null(strstr(why, "(?:\\X){2}"));
	assert_int_equal(score_regex_check("(?:\\X){2}\\X+\\\\X{2}", why, sizeof why), EM_OK);
	/* at most SCORE_PATTERN_MAX bytes, as a manifest's "extract" */
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_int_equal(score_regex_check(big, why, sizeof why), EM_EFORMAT);
	assert_string_equal(why, "longer than 1024 bytes");
	big[SCORE_PATTERN_MAX] = '\0';
	assert_int_equal(score_regex_check(big, why, sizeof why), EM_OK);
}

static void
test_regex(void **state)
{
	(void)state;
	assert_true(score_regex("Work... answer: 17", "answer: ([0-9]+)", "17", 0) == 1);
	assert_true(score_regex("answer: １７", "answer: ([0-9]+)", "17", NORM_NFKC) == 1);
	assert_true(score_regex("answer: １７", "answer: ([0-9]+)", "17", 0) == 0);
	assert_true(score_regex("nothing", "answer: ([0-9]+)", "17", 0) == 0);
	assert_true(score_regex("Final: YES", "Final: [A-Z]+", "final: yes", NORM_LOWER) == 1);
	assert_true(score_regex("Final: yes", "(?i)final: (yes|no)", "yes", 0) == 1);
	/* a bad pattern scores 0 and does not crash */
	assert_true(score_regex("answer: 17", "(17", "17", 0) == 0);
}

/* Unicode: the brief's full-width digits, scripts, classes under UCP. */
static void
test_regex_unicode(void **state)
{
	char *got;

	(void)state;
	/* NFKC runs first when the task asks: the pattern sees "答案是42。" */
	extract_is("答案是４２。", "([0-9０-９]+)", NORM_NFKC, EM_OK, "42");
	assert_int_equal(score_extract("答案是４２。", "([0-9０-９]+)", NORM_NFKC, &got), EM_OK);
	assert_true(score_numeric(got, "42", 0) == 1);
	free(got);
	/* without it the bracket holds the full-width range as characters */
	extract_is("答案是４２。", "([0-9０-９]+)", 0, EM_OK, "４２");
	extract_is("答案是４２。", "([0-9]+)", 0, EM_ENOTFOUND, NULL);
	/* \d, \w and POSIX classes are Unicode (UCP) */
	extract_is("答案是４２。", "(\\d+)", 0, EM_OK, "４２");
	extract_is("答案是４２。", "([[:digit:]]+)", 0, EM_OK, "４２");
	extract_is("उत्तर ४२", "(\\d+)", 0, EM_OK, "४२");
	extract_is("Ответ: Москва.", "(\\w+)\\.", 0, EM_OK, "Москва");
	extract_is("答案是北京市.", "是(\\p{Han}+)", 0, EM_OK, "北京市");
	/* PCRE2 reads \p{Han} by script extensions: 。 is Common but used by Han */
	extract_is("答案是北京市。", "是(\\p{Han}+)", 0, EM_OK, "北京市。");
	extract_is("The capital is 北京.", "(\\p{Han}+)", 0, EM_OK, "北京");
	extract_is("ÉTÉ", "(?i)(été)", 0, EM_OK, "ÉTÉ");
	/* a dot is one character, not one byte */
	extract_is("答案：甲", "：(.)$", 0, EM_OK, "甲");
	/* the pattern is not folded: a full-width colon no longer matches */
	extract_is("答案：42", "答案：(\\d+)", NORM_NFKC, EM_ENOTFOUND, NULL);
	extract_is("答案：42", "答案:(\\d+)", NORM_NFKC, EM_OK, "42");
	extract_is("bad \xff 1", "(\\d)", 0, EM_EUTF8, NULL);
}

/* The last match: responses end with their answer. */
static void
test_regex_last(void **state)
{
	(void)state;
	extract_is("answer: 12? No, answer: 17", "answer: ([0-9]+)", 0, EM_OK, "17");
	extract_is("3 and 45", "[0-9]+", 0, EM_OK, "45");		/* no group */
	extract_is("12 34", "(\\d)\\d", 0, EM_OK, "3");		/* no overlap */
	extract_is("x y", "(x)|y", 0, EM_OK, "y");			/* group not in it */
	extract_is("#### 72\n... so #### 18", "#### *([0-9]+)", 0, EM_OK, "18");
	/* empty matches, as Python's re.finditer: '', '12', '' */
	extract_is("a12", "(\\d*)", 0, EM_OK, "");
	extract_is("a12b", "(\\d*)b", 0, EM_OK, "12");
	extract_is("", "(x*)", 0, EM_OK, "");
	extract_is("a1b2", "(?=(\\d))", 0, EM_OK, "2");
	/* an empty match steps a character on, never into one */
	extract_is("éé", "(.?)", 0, EM_OK, "");
	extract_is("xé", "(?<=(.))", 0, EM_OK, "é");
	extract_is("a\r\nb", "(*CRLF)(?m)($)", 0, EM_OK, "");
	extract_is("line 7\nline 9\n", "(?m)^line (\\d)$", 0, EM_OK, "9");
	extract_is("no digits", "(\\d)", 0, EM_ENOTFOUND, NULL);
}

/* Patterns that backtrack without end, or scan the output once per
 * starting point: each ends by its budget, and finds nothing. */
static void
test_regex_limits(void **state)
{
	size_t n = 40000;
	char *s = malloc(n + 1), *got;

	(void)state;
	assert_non_null(s);
	memset(s, 'a', n);
	s[n - 1] = '!';
	s[n] = '\0';
	extract_is(s, "(a+)+$", 0, EM_ETOOBIG, NULL);
	extract_is(s, "(a|aa)*[!?][^a]", 0, EM_ETOOBIG, NULL);
	extract_is(s, "(?:a*)*\\d", 0, EM_ETOOBIG, NULL);
	/* a repeat of one character runs without PCRE2 counting it */
	extract_is(s, "[ab]*+\\d", 0, EM_ETOOBIG, NULL);
	for (size_t i = 0; i < n; i++)
		s[i] = i % 5000 == 4999 ? '!' : 'a';
	extract_is(s, "a{5000}", 0, EM_ETOOBIG, NULL);
	extract_is(s, "(a{4999})!$", 0, EM_ETOOBIG, NULL);	/* 10^8 compares */
	extract_is(s, "(a{3})!$", 0, EM_OK, "aaa");		/* a small repeat */
	/* a lookbehind steps back before it can fail, each branch again: here
	 * every one fails, having stepped back as far as the output goes */
	memset(s, 'a', n);
	extract_is(s, "(?<=a{60000})\\d", 0, EM_ETOOBIG, NULL);
	extract_is(s, "(?<=a{200}|b{200})\\d", 0, EM_ETOOBIG, NULL);
	extract_is("answer: 42", "(?<=answer: )(\\d+)", 0, EM_OK, "42");
	/* a long output with many matches is still read to its end */
	for (size_t i = 0; i < n; i++)
		s[i] = i % 2 ? ' ' : (char)('0' + i % 10);
	s[n - 2] = '7';
	extract_is(s, "(\\d)", 0, EM_OK, "7");
	assert_int_equal(score_extract(s, "\\d*", 0, &got), EM_OK);	/* empty ones too */
	free(got);
	free(s);
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

#if defined(__SANITIZE_ADDRESS__)
#define EM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define EM_ASAN 1
#endif
#endif

/* Out of memory while splitting tokens, F1 is 0, never 1: main took two
 * failed splits for two texts without tokens. A child with its address
 * space capped has room to normalise two 1 MiB texts (the most scored)
 * that share no token, but not for their token tables (16 bytes a byte). Not under ASan,
 * whose shadow memory a cap on the address space leaves no room for. */
static void
test_f1_oom(void **state)
{
	struct rlimit rl;
	int status;
	pid_t pid;

	(void)state;
#ifdef EM_ASAN
	print_message("skipped: ASan's shadow memory leaves no room for a cap on the "
	    "address space\n");
	skip();
#endif
	if ((pid = fork()) == 0) {
		size_t n = SCORE_TEXT_MAX;
		char *a = malloc(n + 1), *b = malloc(n + 1);
		FILE *f = fopen("/proc/self/statm", "r");
		unsigned long pages = 0;

		if (a == NULL || b == NULL || f == NULL || fscanf(f, "%lu", &pages) != 1)
			_exit(3);
		fclose(f);
		memset(a, 'a', n);
		memset(b, 'b', n);
		a[n] = b[n] = '\0';
		/* normalising takes about 6 n at its peak; a token table 16 n */
		rl.rlim_cur = rl.rlim_max = (rlim_t)pages * (rlim_t)sysconf(_SC_PAGESIZE) + 10 * n;
		if (setrlimit(RLIMIT_AS, &rl) != 0)
			_exit(3);
		_exit(score_f1(a, b, 0) == 0 ? 0 : 1);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_exact),
		cmocka_unit_test(test_numeric),
		cmocka_unit_test(test_choice),
		cmocka_unit_test(test_regex_check),
		cmocka_unit_test(test_regex),
		cmocka_unit_test(test_regex_unicode),
		cmocka_unit_test(test_regex_last),
		cmocka_unit_test(test_regex_limits),
		cmocka_unit_test(test_f1),
		cmocka_unit_test(test_f1_oom),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
