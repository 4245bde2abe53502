/* tests/integration/signer — a peer that signs whatever it is told, for
 * the names test: records whose names a node's own CLI would refuse to
 * sign but the record decoder accepts, by one fresh author on the open
 * network, written as a bundle for 'evalmesh import'.
 *
 *   signer OUT.bundle RECORD...
 *
 * Each RECORD is one argument of fields joined by '|':
 *   node|NAME|ORG
 *   task|NAME|VERSION|MANIFEST_JSON        (two items in one chunk that
 *                                           nobody holds)
 *   result|TASK_ID|MODEL|REVISION|METRIC|VALUE|N[|T_END]
 *     (T_END: the run's end the result claims, ms since the epoch;
 *     1700000000000 when absent)
 *   copy|BUNDLE|N_ITEMS|NAME|VERSION
 *     the first task record in BUNDLE (`evalmesh export`), signed again
 *     by this author: N_ITEMS, NAME and VERSION replace the record's
 *     when not empty — a member taking over a lab's task (issue 13)
 * Records get seq 1, 2, ... in order. Prints "author ID" and, for each task,
 * "task ID". Exits 1 with a line on stderr if a record cannot be built
 * (body_encode refuses what the decoder would). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "hash.h"
#include "hex.h"
#include "netkey.h"
#include "testutil.h"

#define FIELDS_MAX	8

/* Splits s in place at '|': the fields' count, at most max. */
static int
split(char *s, char **f, int max)
{
	int n = 0;

	f[n++] = s;
	for (char *p = s; *p && n < max; p++)
		if (*p == '|') {
			*p = '\0';
			f[n++] = p + 1;
		}
	return n;
}

static int
text(char *dst, size_t cap, const char *s)
{
	if (strlen(s) >= cap)
		return -1;
	strcpy(dst, s);
	return 0;
}

/* The first task record's body in the bundle at path, into b: its
 * pointers into a buffer kept until exit. 0, or -1. */
static int
first_task(const char *path, body_any *b)
{
	static uint8_t *buf;
	const uint8_t *netid, *rec;
	bundle_reader br;
	size_t len = 0, rlen;
	rec_env env;
	FILE *f = fopen(path, "rb");

	if (f == NULL)
		return -1;
	free(buf);
	if ((buf = malloc(1 << 24)) != NULL)
		len = fread(buf, 1, 1 << 24, f);
	fclose(f);
	if (buf == NULL || bundle_open(&br, buf, len, &netid) != EM_OK)
		return -1;
	while (bundle_next(&br, &rec, &rlen) == EM_OK && rec != NULL)
		if (rec_parse(rec, rlen, &env, NULL) == EM_OK && env.kind == REC_TASK)
			return rec_body(&env, b) == EM_OK ? 0 : -1;
	return -1;
}

/* The body a record argument describes: 0, or -1 if it describes none. */
static int
build(char *arg, body_any *b)
{
	static const uint8_t root[32], chunk[32] = { 1 };
	char *f[FIELDS_MAX];
	int n = split(arg, f, FIELDS_MAX);

	memset(b, 0, sizeof *b);
	if (strcmp(f[0], "node") == 0 && n == 3) {
		b->kind = REC_NODE;
		return text(b->u.node.name, sizeof b->u.node.name, f[1]) ||
		    text(b->u.node.org, sizeof b->u.node.org, f[2]) ? -1 : 0;
	}
	if (strcmp(f[0], "task") == 0 && n == 4) {
		b->kind = REC_TASK;
		memcpy(b->u.task.items_root, root, 32);
		b->u.task.n_items = 2;
		b->u.task.n_chunks = 1;
		b->u.task.chunks = chunk;
		b->u.task.manifest = (const uint8_t *)f[3];
		b->u.task.manifest_len = strlen(f[3]);
		return text(b->u.task.name, sizeof b->u.task.name, f[1]) ||
		    text(b->u.task.version, sizeof b->u.task.version, f[2]) ? -1 : 0;
	}
	if (strcmp(f[0], "copy") == 0 && n == 5) {
		if (first_task(f[1], b) != 0)
			return -1;
		if (f[2][0] != '\0')
			b->u.task.n_items = strtoull(f[2], NULL, 10);
		return (f[3][0] != '\0' && text(b->u.task.name, sizeof b->u.task.name, f[3])) ||
		    (f[4][0] != '\0' && text(b->u.task.version, sizeof b->u.task.version, f[4])) ?
		    -1 : 0;
	}
	if (strcmp(f[0], "result") == 0 && (n == 7 || n == 8)) {
		body_result *r = &b->u.result;

		b->kind = REC_RESULT;
		if (hex_decode(r->task, 32, f[1]) != EM_OK ||
		    text(r->model, sizeof r->model, f[2]) || text(r->revision, sizeof r->revision, f[3]) ||
		    text(r->metrics[0].name, sizeof r->metrics[0].name, f[4]))
			return -1;
		strcpy(r->adapter, "manual");
		strcpy(r->harness_version, "signer");
		strcpy(r->params, "{}");
		r->n_metrics = 1;
		r->metrics[0].value = strtod(f[5], NULL);
		r->n_items = strtoull(f[6], NULL, 10);
		r->t_start = r->t_end = n == 8 ? strtoull(f[7], NULL, 10) : 1700000000000ULL;
		return 0;
	}
	return -1;
}

int
main(int argc, char **argv)
{
	uint8_t key[32], netid[32], hdr[BUNDLE_HDR_LEN], fr[BUNDLE_FRAME_LEN];
	uint8_t tr[BUNDLE_TRAILER_LEN], tid[32];
	char hex[ID_HEX_LEN + 1];
	ident *me = NULL;
	FILE *f;
	int rc = 1;

	if (argc < 3) {
		fprintf(stderr, "usage: signer OUT.bundle RECORD...\n");
		return 2;
	}
	hash_init();
	netkey_open(key);
	netkey_id(key, netid);
	if (ident_generate(&me) != EM_OK || (f = fopen(argv[1], "wb")) == NULL) {
		perror(argv[1]);
		ident_free(me);
		return 1;
	}
	hex_encode(hex, ident_pk(me), 32);
	printf("author %s\n", hex);
	bundle_header(hdr, netid);
	fwrite(hdr, 1, sizeof hdr, f);
	for (int i = 2; i < argc; i++) {
		uint8_t *enc = NULL, *rec = NULL;
		size_t elen, len;
		body_any b;
		em_err err;

		if (build(argv[i], &b) != 0) {
			fprintf(stderr, "signer: record %d: not one this tool builds\n", i - 1);
			goto out;
		}
		if ((err = body_encode(&b, &enc, &elen)) != EM_OK ||
		    (err = rec_seal(me, netid, b.kind, (uint64_t)(i - 1), 1700000000000ULL + (uint64_t)i,
		    enc, elen, &rec, &len, NULL)) != EM_OK) {
			fprintf(stderr, "signer: record %d: %s\n", i - 1, em_strerror(err));
			free(enc);
			goto out;
		}
		if (b.kind == REC_TASK) {
			body_task_id(&b.u.task, tid);
			hex_encode(hex, tid, 32);
			printf("task %s\n", hex);
		}
		bundle_frame(fr, (uint32_t)len);
		fwrite(fr, 1, sizeof fr, f);
		fwrite(rec, 1, len, f);
		free(enc);
		free(rec);
	}
	bundle_trailer(tr, (uint64_t)(argc - 2));
	fwrite(tr, 1, sizeof tr, f);
	rc = 0;
out:
	ident_free(me);
	return fclose(f) == 0 ? rc : 1;
}
