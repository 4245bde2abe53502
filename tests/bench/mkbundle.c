/* tests/bench/mkbundle — N signed result records by one fresh author, for
 * the open network, as a bundle: input for benchmarks that need many
 * records at once.   usage: mkbundle N FILE */
#include <stdio.h>
#include <stdlib.h>

#include "bundle.h"
#include "hash.h"
#include "netkey.h"
#include "testutil.h"

int
main(int argc, char **argv)
{
	uint8_t key[32], netid[32], hdr[BUNDLE_HDR_LEN], fr[BUNDLE_FRAME_LEN];
	uint8_t tr[BUNDLE_TRAILER_LEN];
	long n = argc == 3 ? strtol(argv[1], NULL, 10) : 0;
	ident *me;
	FILE *f;

	if (n < 1 || n > 10000000) {
		fprintf(stderr, "usage: mkbundle N FILE   (1 <= N <= 10000000)\n");
		return 2;
	}
	hash_init();
	netkey_open(key);
	netkey_id(key, netid);
	ident_generate(&me);
	if ((f = fopen(argv[2], "wb")) == NULL) {
		perror(argv[2]);
		return 1;
	}
	bundle_header(hdr, netid);
	fwrite(hdr, 1, sizeof hdr, f);
	for (long i = 0; i < n; i++) {
		uint8_t *rec;
		size_t len;

		tu_record(me, netid, (uint64_t)i + 1, (uint32_t)i, &rec, &len);
		bundle_frame(fr, (uint32_t)len);
		fwrite(fr, 1, sizeof fr, f);
		fwrite(rec, 1, len, f);
		free(rec);
	}
	bundle_trailer(tr, (uint64_t)n);
	fwrite(tr, 1, sizeof tr, f);
	ident_free(me);
	return fclose(f) == 0 ? 0 : 1;
}
