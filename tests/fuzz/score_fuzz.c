/* libFuzzer: every scorer on a model output it has never seen. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "score.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const choices[] = { "red", "green", "blue", "４２" };
	char *out = malloc(size + 1), *norm = NULL;
	const char *ans;
	double s = 0;

	if (out == NULL)
		return 0;
	memcpy(out, data, size);
	out[size] = 0;	/* outputs arrive as C strings; a NUL inside ends them */
	if (score_normalize(out, 15, &norm) == EM_OK)
		free(norm);
	s += score_exact(out, "42", 15);
	s += score_numeric(out, "1,234.5", 0.01);
	s += score_choice(out, "B", choices, 4);
	s += score_regex(out, "answer: ([0-9]+)", "42", 15);
	s += score_f1(out, "北京 is the capital", 15);
	if (s < 0 || s > 5)
		abort();
	/* the answer is a suffix of the output, its length within it, and
	 * blank output has a blank answer */
	ans = score_answer(out);
	if (ans < out || ans > out + strlen(out) || score_answer_len(ans) > strlen(ans) ||
	    (score_blank(out) && !score_blank(ans)))
		abort();
	free(out);
	return 0;
}
