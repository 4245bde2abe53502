/* tests/integration/tamper — a dishonest author, for the audit test: from
 * one of its honest results, signs a result whose scores do not match
 * its outputs, and makes its evaluation cache agree with it, so that its
 * node's answer to an audit proves against the forged root and shows the
 * forged scores, which the outputs, scored again, do not give.
 *
 *   tamper --home DIR RESULT_ID
 *
 * Every cached score s of the result's run becomes BODY_SCORE_SCALE - s
 * (outputs kept as they are); the new result carries those scores, their
 * mean, and the Merkle root over their leaves; it is signed by the home's
 * identity and remembered as coming from the same run. Prints the new
 * result's id. Exits 1 with a line on stderr on any failure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "clock.h"
#include "hash.h"
#include "hex.h"
#include "home.h"
#include "merkle.h"
#include "task.h"
#include "task_audit.h"

typedef struct forge {
	store		*st;
	const uint8_t	*run;
	uint64_t	 n;
	uint8_t		*scores;	/* 2 per item, big-endian */
	uint8_t		(*oh)[32];
	store_eval	*e;		/* the cache's entries, flipped, to write
					 * back once the read is over */
	size_t		 n_e;
} forge;

static int
flip(void *ctx, const store_eval *e)
{
	forge *f = ctx;
	uint16_t s = (uint16_t)(BODY_SCORE_SCALE - e->score);

	char *out;

	if (e->index >= f->n || f->n_e == f->n || (out = malloc(e->output_len + 1)) == NULL)
		return 0;
	f->scores[2 * e->index] = (uint8_t)(s >> 8);
	f->scores[2 * e->index + 1] = (uint8_t)s;
	memcpy(f->oh[e->index], e->output_hash, 32);
	memcpy(out, e->output, e->output_len);
	f->e[f->n_e] = *e;
	f->e[f->n_e].output = out;
	f->e[f->n_e++].score = s;
	return 0;
}

static int
die(const char *what)
{
	fprintf(stderr, "tamper: %s\n", what);
	return 1;
}

int
main(int argc, char **argv)
{
	static const opt opts[] = { { "home", OPT_VALUE, 0 } };
	args_parsed a;
	home_ctx h;
	char why[512], key[65], hex[65];
	uint8_t rid[32], run[32], *bytes, *enc, nid[32], (*leaf)[32];
	size_t len;
	rec_env env;
	body_any b;
	task_rec t;
	task_reader *rd = NULL;
	task_item it;
	forge f = { 0 };
	double sum = 0;

	if (argc != 4 || args_parse(&a, opts, 1, argc - 1, argv + 1, 1, why, sizeof why) != EM_OK ||
	    a.n_pos != 1)
		return die("usage: tamper --home DIR RESULT_ID");
	hash_init();
	if (home_open(&h, &a, 1) || hex_decode(rid, 32, a.pos[0]) != EM_OK ||
	    store_get(h.st, rid, &bytes, &len) != EM_OK ||
	    rec_parse(bytes, len, &env, NULL) != EM_OK || rec_body(&env, &b) != EM_OK ||
	    env.kind != REC_RESULT)
		return die("cannot read the result");
	hex_encode(hex, rid, 32);
	snprintf(key, sizeof key, "run/%.60s", hex);
	if (store_meta_get(h.st, key, hex, sizeof hex) != EM_OK || hex_decode(run, 32, hex) != EM_OK)
		return die("no run known for the result");
	f.st = h.st;
	f.run = run;
	f.n = b.u.result.n_items;
	f.scores = calloc(f.n, 2);
	f.oh = calloc(f.n, 32);
	leaf = calloc(f.n, 32);
	f.e = calloc(f.n, sizeof *f.e);
	if (f.scores == NULL || f.oh == NULL || leaf == NULL || f.e == NULL ||
	    store_eval_each(h.st, run, flip, &f) != EM_OK)
		return die("cannot read the cache");
	if (task_rec_load(h.st, NULL, b.u.result.task, &t, why, sizeof why) != EM_OK ||
	    task_reader_open(h.st, &t.spec, &t.body, &rd) != EM_OK)
		return die(why);
	for (uint64_t i = 0; i < f.n; i++) {
		uint16_t s = (uint16_t)(f.scores[2 * i] << 8 | f.scores[2 * i + 1]);

		if (task_reader_next(rd, &it, why, sizeof why) != EM_OK || it.item == NULL)
			return die("cannot read the task's items");
		merkle_result_leaf(leaf[i], (uint32_t)i, it.hash, f.oh[i], s);
		sum += s;
	}
	if (f.n_e != f.n || store_eval_put(h.st, run, f.e, f.n_e) != EM_OK)
		return die("cannot rewrite the cache");
	for (size_t i = 0; i < f.n_e; i++)
		free((char *)f.e[i].output);
	free(f.e);
	b.u.result.scores = f.scores;
	b.u.result.metrics[0].value = sum / BODY_SCORE_SCALE / (double)f.n;
	b.u.result.has_stderr = b.u.result.has_ci = 0;
	b.u.result.t_end++;
	if (merkle_root(b.u.result.merkle, &leaf[0][0], f.n) != EM_OK ||
	    body_encode(&b, &enc, &len) != EM_OK ||
	    store_publish(h.st, h.me, REC_RESULT, enc, len, em_wall_ms(em_clock_system()), nid,
	    NULL) != EM_OK || task_audit_remember(h.st, nid, run) != EM_OK)
		return die("cannot sign the forged result");
	hex_encode(hex, nid, 32);
	printf("%s\n", hex);
	task_reader_free(rd);
	task_rec_free(&t);
	free(enc);
	free(bytes);
	free(f.scores);
	free(f.oh);
	free(leaf);
	home_close(&h);
	return 0;
}
