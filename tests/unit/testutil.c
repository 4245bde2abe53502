#define _XOPEN_SOURCE 700
#include "testutil.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hash.h"
#include "netkey.h"
#include "record.h"
#include "store.h"

const char *
tu_tmpdir(void)
{
	static char path[512];
	const char *base = getenv("TMPDIR");

	snprintf(path, sizeof path, "%s/evalmesh-test-XXXXXX", base && *base ? base : "/tmp");
	if (mkdtemp(path) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
	return path;
}

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void
tu_rmtree(const char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

void
tu_result(body_any *b, uint32_t i)
{
	static uint8_t scores[2 * 200];
	body_result *r = &b->u.result;

	memset(b, 0, sizeof *b);
	b->kind = REC_RESULT;
	memset(r->task, (int)(i % 7), 32);
	snprintf(r->model, sizeof r->model, "model-%u", i % 5);
	snprintf(r->revision, sizeof r->revision, "rev-%u", i % 3);
	r->access = (uint8_t)(i % 2);
	r->has_weights = 1;
	memset(r->weights, 0xab, 32);
	strcpy(r->adapter, "openai-chat");
	strcpy(r->harness_version, "evalmesh 0.1.0");
	r->has_prompt_hash = 1;
	memset(r->prompt_hash, 0xcd, 32);
	strcpy(r->params, "{\"temperature\":0,\"max_tokens\":64}");
	if ((r->has_items = i % 2)) {	/* both shapes of the harness settings */
		r->items = (body_items){ .truncated = i % 11, .empty = 1, .refused = i % 3 };
		strcpy(r->items.notes, "HTTP 400: request (3009 tokens) exceeds the context");
	}
	r->n_metrics = 2;
	strcpy(r->metrics[0].name, "accuracy");
	r->metrics[0].value = (double)(i % 100) / 100.0;
	strcpy(r->metrics[1].name, "f1");
	r->metrics[1].value = 0.5;
	r->n_items = 200;
	r->has_stderr = 1;
	r->std_err = 0.03;
	r->has_ci = 1;
	r->ci_lo = r->metrics[0].value - 0.06;
	r->ci_hi = r->metrics[0].value + 0.06;
	r->has_merkle = 1;
	memset(r->merkle, (int)(i & 0xff), 32);
	for (size_t k = 0; k < sizeof scores; k += 2) {
		scores[k] = (uint8_t)((k / 2 + i) % 2 ? BODY_SCORE_SCALE >> 8 : 0);
		scores[k + 1] = (uint8_t)((k / 2 + i) % 2 ? BODY_SCORE_SCALE & 0xff : 0);
	}
	r->scores = scores;
	r->scores_len = sizeof scores;
	r->t_start = 1700000000000ULL + i;
	r->t_end = r->t_start + 5000;
}

void
tu_record(const ident *author, const uint8_t netid[static 32], uint64_t seq,
    uint32_t i, uint8_t **out, size_t *len)
{
	body_any b;
	uint8_t *enc;
	size_t elen;

	tu_result(&b, i);
	if (body_encode(&b, &enc, &elen) != EM_OK ||
	    rec_seal(author, netid, REC_RESULT, seq, 1700000000000ULL + seq, enc,
	    elen, out, len, NULL) != EM_OK) {
		fprintf(stderr, "tu_record: cannot build a record\n");
		exit(1);
	}
	free(enc);
}

uint64_t
tu_next(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *state = x;
}

void
tu_netid(uint8_t out[static 32])
{
	uint8_t key[32];

	if (hash_init() != EM_OK) {
		fprintf(stderr, "tu_netid: hashing does not start\n");
		exit(1);
	}
	netkey_open(key);
	netkey_id(key, out);
}

store *
tu_store(char *dir, size_t map, const uint8_t netid[static 32])
{
	store_opts o = { .map_size = map };
	store *st;

	snprintf(dir, 512, "%s", tu_tmpdir());
	if (store_open(dir, netid, &o, &st) != EM_OK) {
		fprintf(stderr, "tu_store: cannot open a store in %s\n", dir);
		exit(1);
	}
	return st;
}

void
tu_open(const uint8_t *buf, size_t len, const uint8_t netid[static 32], rec_env *env)
{
	if (rec_open(buf, len, netid, env, NULL) != EM_OK) {
		fprintf(stderr, "tu_open: the record does not open\n");
		exit(1);
	}
}
