/* libFuzzer: every scorer on a model output it has never seen. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "score.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const choices[] = { "red", "green", "blue", "４２" };
	static const char *const ten[] = { "red", "dark red", "1,234", "3/4",
		"\\frac{1}{2}", "vitamin C", "A", "I", "答案", NULL };
	static const char *const letters[] = { "zq0", "zq1", "zq2", "zq3", "zq4",
		"zq5", "zq6", "zq7", "zq8", "zq9", "zq10", "zq11", "zq12", "zq13",
		"zq14", "zq15", "zq16", "zq17", "zq18", "zq19", "zq20", "zq21",
		"zq22", "zq23", "zq24", "zq25" };
	char *out = malloc(size + 1), *norm = NULL;
	double s = 0;

	if (out == NULL)
		return 0;
	memcpy(out, data, size);
	out[size] = 0;	/* outputs arrive as C strings; a NUL inside ends them */
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
	one_pick(out, ten, 10);
	one_pick(out, letters, size > 0 && data[0] < 0x80 ? 26 : 16);
	free(out);
	return 0;
}
