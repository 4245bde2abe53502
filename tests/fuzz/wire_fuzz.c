/* libFuzzer: the wire message decoder; what decodes must encode again. */
#include <stdint.h>
#include <stdlib.h>

#include "wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static wire_msg m;
	uint8_t *out;
	size_t len;

	if (wire_decode(data, size, &m) != EM_OK)
		return 0;
	if (wire_encode(&m, &out, &len) != EM_OK)
		abort();
	free(out);
	return 0;
}
