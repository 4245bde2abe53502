/* tests/bench/mkbundle — N signed records by fresh authors, for the open
 * network, as a bundle: input for benchmarks and tests that need many
 * records (or many authors) at once.
 *
 *   usage: mkbundle [--tasks] N FILE [AUTHORS (1)]
 *
 * Result records, or with --tasks task records each naming one item chunk
 * that nobody holds (tasks.sh: what such records cost a node). The
 * records are spread over AUTHORS authors as evenly as they go (the first
 * N % AUTHORS get one more), each author's numbered from seq 1, one author
 * after another (an identity holds its key in guarded memory: one at a
 * time, not AUTHORS of them). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "hash.h"
#include "netkey.h"
#include "testutil.h"

/* Task record i (seq seq of its author): one item, one chunk of bytes no
 * one has, so its chunk never comes. */
static void
task_record(const ident *author, const uint8_t netid[static 32], uint64_t seq, long i,
    uint8_t **out, size_t *len)
{
	char manifest[256], text[64];
	uint8_t chunk[32], *enc;
	body_any b = { .kind = REC_TASK };
	size_t elen;

	snprintf(manifest, sizeof manifest, "{\"metric\":\"exact_match\",\"name\":\"t%ld\","
	    "\"prompt\":\"{q}\",\"target\":\"a\",\"version\":\"1\"}", i);
	snprintf(text, sizeof text, "the items of task %ld, which never come", i);
	hash_blake2b(chunk, (const uint8_t *)text, strlen(text));
	snprintf(b.u.task.name, sizeof b.u.task.name, "t%ld", i);
	snprintf(b.u.task.version, sizeof b.u.task.version, "1");
	memcpy(b.u.task.items_root, chunk, 32);
	b.u.task.n_items = 1;
	b.u.task.manifest = (const uint8_t *)manifest;
	b.u.task.manifest_len = strlen(manifest);
	b.u.task.n_chunks = 1;
	b.u.task.chunks = chunk;
	if (body_encode(&b, &enc, &elen) != EM_OK ||
	    rec_seal(author, netid, REC_TASK, seq, 1700000000000ULL + seq, enc, elen, out, len,
	    NULL) != EM_OK) {
		fprintf(stderr, "mkbundle: cannot build a task record\n");
		exit(1);
	}
	free(enc);
}

int
main(int argc, char **argv)
{
	uint8_t key[32], netid[32], hdr[BUNDLE_HDR_LEN], fr[BUNDLE_FRAME_LEN];
	uint8_t tr[BUNDLE_TRAILER_LEN];
	int tasks = argc > 1 && strcmp(argv[1], "--tasks") == 0;
	int k = argc - tasks;
	long n = k == 3 || k == 4 ? strtol(argv[1 + tasks], NULL, 10) : 0;
	long authors = k == 4 ? strtol(argv[3 + tasks], NULL, 10) : 1;
	long made = 0;
	FILE *f;

	if (n < 1 || n > 10000000 || authors < 1 || authors > n) {
		fprintf(stderr, "usage: mkbundle [--tasks] N FILE [AUTHORS]   "
		    "(1 <= AUTHORS <= N <= 10000000)\n");
		return 2;
	}
	hash_init();
	netkey_open(key);
	netkey_id(key, netid);
	if ((f = fopen(argv[2 + tasks], "wb")) == NULL) {
		perror(argv[2 + tasks]);
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

			if (tasks)
				task_record(me, netid, (uint64_t)s + 1, made, &rec, &len);
			else
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
