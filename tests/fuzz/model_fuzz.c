/* libFuzzer: what a model endpoint or a model program sends back. The
 * first byte chooses the reader: chat, completions, an exec line, or an
 * error body as the adapter quotes it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A quoted line is one line, NUL-terminated within its buffer. */
static void
check_line(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);

	if (n == cap || memchr(s, '\n', n) != NULL || memchr(s, '\r', n) != NULL)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char why[MODEL_WHY_MAX], *text = NULL;
	const char *body = (const char *)data + 1;
	int trunc = 0;
	long status = 0;
	em_err err = EM_OK;

	if (size < 1)
		return 0;
	why[0] = '\0';
	switch (data[0] % 4) {
	case 0:
	case 1:
		err = model_parse_openai(data[0] % 4 ? MODEL_COMPLETIONS : MODEL_CHAT, body, size - 1,
		    &text, &trunc, &status, why, sizeof why);
		if ((err == EM_OK) != (text != NULL) || (status != 0 && (status < 400 ||
		    status > 599)) || (err != EM_OK && why[0] == '\0'))
			abort();
		break;
	case 2: {
		model_reply r = { .retry_after_ms = -1 };

		err = model_parse_exec(body, size - 1, &r, &text);
		/* an answer has text; an error or refusal has none, and a reason */
		if ((err == EM_OK && (r.fail == MF_NONE) != (text != NULL)) ||
		    (err != EM_OK && (text != NULL || r.why[0] == '\0')) ||
		    (r.fail != MF_NONE && r.fail != MF_SERVER && r.fail != MF_REFUSED))
			abort();
		check_line(r.why, sizeof r.why);
		break;
	}
	default:
		model_error_quote(body, size - 1, why, 1 + data[0] % sizeof why, &status);
		check_line(why, 1 + data[0] % sizeof why);
		break;
	}
	check_line(why, sizeof why);
	if (text != NULL && strlen(text) > size)
		abort();
	free(text);
	return 0;
}
