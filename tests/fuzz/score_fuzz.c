/* libFuzzer: every scorer on a model output it has never seen, the
 * checks a task's target gets, and extraction patterns a task author
 * could write on it. The input is an
 * output, then optionally a NUL and a pattern (up to another NUL):
 * "answer: 42\0answer: (\d+)". Without a pattern a fixed one is used. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "score.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The pattern against the output: it compiles or says why; what it finds
 * is part of the (folded) output; it ends, whatever it is (libFuzzer's
 * -timeout is the judge). */
static void
pattern(const char *out, const char *pat, unsigned flags)
{
	char why[256], *got = NULL, *norm = NULL;
	em_err err;

	why[0] = '\0';
	if ((err = score_regex_check(pat, why, sizeof why)) != EM_OK) {
		if (why[0] == '\0' || score_extract(out, pat, flags, &got) != err)
			abort();
		return;
	}
	err = score_extract(out, pat, flags, &got);
	if (err == EM_OK) {
		if (score_normalize(out, flags & NORM_NFKC, &norm) != EM_OK ||
		    strstr(norm, got) == NULL)
			abort();
	} else if (err != EM_ENOTFOUND && err != EM_ETOOBIG && err != EM_EUTF8 &&
	    err != EM_ENOMEM) {
		abort();
	}
	free(norm);
	free(got);
	if (score_regex(out, pat, "42", flags) < 0)
		abort();
}

/* A response picks at most one option: one target letter scores 1, or
 * none does. */
static void
one_pick(const char *out, const char *const *choices, size_t n)
{
	int hits = 0;

	for (size_t i = 0; i < n; i++) {
		char target[2] = { (char)('A' + i), 0 };
		double s = score_choice(out, target, choices, n);

		if (s != 0 && s != 1)
			abort();
		hits += s == 1;
	}
	if (hits > 1)
		abort();
}

/* The two checks a task's target gets: a number that reads is finite and
 * scores 1 against itself; the option a target names is the one a stated
 * pick of it scores against. */
static void
targets(const char *out, const char *const *ten)
{
	double v = 0;
	int idx;

	if (score_number_read(out, &v) && (!isfinite(v) ||
	    score_numeric(out, out, 0) != 1))
		abort();
	idx = score_choice_target(out, ten, 10);
	if (idx < -1 || idx > 9 ||
	    score_choice("The answer is (C).", out, ten, 10) != (idx == 2))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const choices[] = { "red", "green", "blue", "４２" };
	static const char *const ten[] = { "red", "dark red", "1,234", "3/4",
		"\\frac{1}{2}", "vitamin C", "A", "I", "答案", NULL };
	static const char *const nums[] = { "2", "4", "1,234", "\\frac{1}{2}",
		"25%", "-3" };
	static const char *const letters[] = { "zq0", "zq1", "zq2", "zq3", "zq4",
		"zq5", "zq6", "zq7", "zq8", "zq9", "zq10", "zq11", "zq12", "zq13",
		"zq14", "zq15", "zq16", "zq17", "zq18", "zq19", "zq20", "zq21",
		"zq22", "zq23", "zq24", "zq25" };
	char *out = malloc(size + 2), *norm = NULL;
	const char *ans, *pat;
	size_t len;
	double s = 0;

	if (out == NULL)
		return 0;
	memcpy(out, data, size);
	out[size] = out[size + 1] = 0;	/* outputs arrive as C strings */
	len = strlen(out);
	pat = len < size ? out + len + 1 : "answer: ([0-9]+)";
	if (score_normalize(out, 15, &norm) == EM_OK)
		free(norm);
	s += score_exact(out, "42", 15);
	s += score_numeric(out, "1,234.5", 0.01);
	s += score_numeric(out, "25%", 0);
	s += score_numeric("The answer is \\boxed{\\frac{3}{4}}", out, 0);
	s += score_choice(out, "B", choices, 4);
	s += score_choice("The answer is (C).", out, ten, 10);
	s += score_regex(out, "answer: ([0-9]+)", "42", 15);
	s += score_f1(out, "北京 is the capital", 15);
	if (s < 0 || s > 8)
		abort();
	/* the answer is a suffix of the output, its length within it, and
	 * blank output has a blank answer */
	ans = score_answer(out);
	if (ans < out || ans > out + len || score_answer_len(ans) > strlen(ans) ||
	    (score_blank(out) && !score_blank(ans)))
		abort();
	pattern(out, pat, size % 2 ? NORM_NFKC : 0);
	one_pick(out, ten, 10);
	one_pick(out, nums, 6);
	targets(out, ten);
	one_pick(out, letters, size > 0 && data[0] < 0x80 ? 26 : 16);
	free(out);
	return 0;
}
