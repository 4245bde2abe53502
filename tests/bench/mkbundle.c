/* tests/bench/mkbundle — N signed result records by fresh authors, for
 * the open network, as a bundle: input for benchmarks and tests that need
 * many records (or many authors) at once.
 *
 *   usage: mkbundle N FILE [AUTHORS (1)]
 *
 * The records are spread over AUTHORS authors as evenly as they go (the
 * first N % AUTHORS get one more), each author's numbered from seq 1, one
 * author after another (an identity holds its key in guarded memory: one
 * at a time, not AUTHORS of them). */
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
	long n = argc == 3 || argc == 4 ? strtol(argv[1], NULL, 10) : 0;
	long authors = argc == 4 ? strtol(argv[3], NULL, 10) : 1;
	long made = 0;
	FILE *f;

	if (n < 1 || n > 10000000 || authors < 1 || authors > n) {
		fprintf(stderr, "usage: mkbundle N FILE [AUTHORS]   (1 <= AUTHORS <= N <= 10000000)\n");
		return 2;
	}
	hash_init();
	netkey_open(key);
	netkey_id(key, netid);
	if ((f = fopen(argv[2], "wb")) == NULL) {
		perror(argv[2]);
		return 1;
	}
	bundle_header(hdr, netid);
	fwrite(hdr, 1, sizeof hdr, f);
	for (long a = 0; a < authors; a++) {
		long mine = n / authors + (a < n % authors);
		ident *me;

		if (ident_generate(&me) != EM_OK) {
			fprintf(stderr, "mkbundle: cannot make an identity\n");
			return 1;
		}
		for (long s = 0; s < mine; s++, made++) {
			uint8_t *rec;
			size_t len;

			tu_record(me, netid, (uint64_t)s + 1, (uint32_t)made, &rec, &len);
			bundle_frame(fr, (uint32_t)len);
			fwrite(fr, 1, sizeof fr, f);
			fwrite(rec, 1, len, f);
			free(rec);
		}
		ident_free(me);
	}
	bundle_trailer(tr, (uint64_t)n);
	fwrite(tr, 1, sizeof tr, f);
	return fclose(f) == 0 ? 0 : 1;
}
