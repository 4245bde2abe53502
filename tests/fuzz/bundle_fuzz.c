/* libFuzzer: the bundle reader, and each framed record in it. */
#include <stdint.h>
#include <stdlib.h>

#include "bundle.h"
#include "hash.h"
#include "record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bundle_reader br;
	const uint8_t *netid, *rec;
	size_t len, steps = 0;
	em_err err;

	hash_init();
	if (bundle_open(&br, data, size, &netid) != EM_OK)
		return 0;
	while ((err = bundle_next(&br, &rec, &len)) == EM_OK && rec != NULL) {
		rec_env env;

		if (len == 0 || rec < data || rec + len > data + size)
			abort();
		(void)rec_open(rec, len, netid, &env, NULL);
		if (++steps > size)	/* each frame takes bytes: must end */
			abort();
	}
	return 0;
}
