/* libFuzzer: what a model endpoint or a model program sends back. The
 * first byte chooses the reader: chat, completions or an exec line. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char why[MODEL_WHY_MAX], *text = NULL;
	uint32_t id;

	if (size < 1)
		return 0;
	switch (data[0] % 3) {
	case 0:
		model_parse_openai(MODEL_CHAT, (const char *)data + 1, size - 1, &text, why,
		    sizeof why);
		break;
	case 1:
		model_parse_openai(MODEL_COMPLETIONS, (const char *)data + 1, size - 1, &text, why,
		    sizeof why);
		break;
	default:
		model_parse_exec((const char *)data + 1, size - 1, &id, &text, why, sizeof why);
		break;
	}
	if (text != NULL && strlen(text) > size)
		abort();
	free(text);
	return 0;
}
