/* An author's node answers an audit of its result from its evaluation
 * cache (task_audit.h). */
#include "task_audit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "hash.h"
#include "hex.h"
#include "merkle.h"
#include "task.h"

/* meta key: "run/" and the result id's first 30 bytes in hex (64 bytes,
 * the most a meta key takes; 240 bits tell results apart) */
static void
run_meta_key(char key[65], const uint8_t result[static 32])
{
	char hex[65];

	hex_encode(hex, result, 32);
	snprintf(key, 65, "run/%.60s", hex);
}

em_err
task_audit_remember(store *st, const uint8_t result[static 32], const uint8_t run_key[static 32])
{
	char key[65], val[65];

	run_meta_key(key, result);
	hex_encode(val, run_key, 32);
	return store_meta_set(st, key, val);
}

/* What the answer is built from: the run's cache and the task's items. */
typedef struct answer {
	uint64_t	 n;
	uint8_t		(*oh)[32];		/* per item: H(output) */
	uint16_t	*score;
	uint8_t		*have;
	uint8_t		(*leaf)[32];
	uint32_t	 idx[BODY_AUDIT_K_MAX], k;
	uint8_t		 item_hash[BODY_AUDIT_K_MAX][32];
	uint8_t		*out[BODY_AUDIT_K_MAX];	/* opened outputs (owned); NULL:
						 * withheld */
	size_t		 out_len[BODY_AUDIT_K_MAX];
	uint8_t		 proof[BODY_AUDIT_K_MAX][32 * MERKLE_PROOF_MAX];
	size_t		 proof_len[BODY_AUDIT_K_MAX];
	int		 nomem;
} answer;

static int
cached(void *ctx, const store_eval *e)
{
	answer *a = ctx;
	uint8_t h[32], none[32];

	if (e->index >= a->n)
		return 0;
	memcpy(a->oh[e->index], e->output_hash, 32);
	a->score[e->index] = e->score;
	a->have[e->index] = 1;
	for (uint32_t j = 0; j < a->k; j++) {
		if (a->idx[j] != e->index)
			continue;
		hash_blake2b(h, (const uint8_t *)e->output, e->output_len);
		hash_blake2b(none, (const uint8_t *)"", 0);
		free(a->out[j]);
		a->out[j] = NULL;
		if (memcmp(h, e->output_hash, 32) == 0 && e->output_len <= BODY_AUDIT_OUT_MAX) {
			if ((a->out[j] = malloc(e->output_len + 1)) == NULL)
				a->nomem = 1;
			else
				memcpy(a->out[j], e->output, e->output_len);
			a->out_len[j] = e->output_len;
		} else if (memcmp(none, e->output_hash, 32) == 0) {
			/* refused or failed: the leaf commits to no output */
			if ((a->out[j] = malloc(1)) == NULL)
				a->nomem = 1;
			a->out_len[j] = 0;
		}
	}
	return 0;
}

/* The leaves of the run, from the task's items and the cache. */
static em_err
leaves(store *st, const body_result *res, answer *a, char *why, size_t cap)
{
	task_rec t = { 0 };
	task_reader *rd = NULL;
	task_item it;
	char tw[TASK_WHY_MAX];
	uint64_t i = 0;
	em_err err;

	if ((err = task_rec_load(st, NULL, res->task, &t, tw, sizeof tw)) != EM_OK)
		return task_why(err, why, cap, "the result's task: %s", tw);
	if ((err = task_reader_open(st, &t.spec, &t.body, &rd)) != EM_OK)
		goto out;
	for (i = 0; i < a->n; i++) {
		if ((err = task_reader_next(rd, &it, tw, sizeof tw)) != EM_OK) {
			task_why(err, why, cap, "the task's items: %s", tw);
			goto out;
		}
		if (it.item == NULL)
			break;
		if (!a->have[i]) {
			err = task_why(EM_ENOTFOUND, why, cap, "the run's cache lacks item %llu",
			    (unsigned long long)i);
			goto out;
		}
		merkle_result_leaf(a->leaf[i], (uint32_t)i, it.hash, a->oh[i], a->score[i]);
		for (uint32_t j = 0; j < a->k; j++)
			if (a->idx[j] == i)
				memcpy(a->item_hash[j], it.hash, 32);
	}
	if (i < a->n)
		err = task_why(EM_ENOTFOUND, why, cap, "the task has fewer items than the result");
out:
	task_reader_free(rd);
	task_rec_free(&t);
	return err;
}

/* The run's tree, checked against the result's root, and the proofs. */
static em_err
prove(const body_result *res, answer *a, char *why, size_t cap)
{
	merkle_tree *tree = NULL;
	uint8_t root[32];
	em_err err;

	if ((err = merkle_tree_new(&a->leaf[0][0], a->n, &tree)) != EM_OK)
		return task_why(err, why, cap, "%s", em_strerror(err));
	merkle_tree_root(tree, root);
	if (memcmp(root, res->merkle, 32) != 0)
		err = task_why(EM_EMISMATCH, why, cap, "the cached run does not give the result's "
		    "Merkle root (the cache was changed or cleared since)");
	for (uint32_t j = 0; j < a->k && err == EM_OK; j++)
		err = merkle_tree_proof(tree, a->idx[j], a->proof[j], &a->proof_len[j]);
	merkle_tree_free(tree);
	return err;
}

static em_err
publish(store *st, const ident *me, const uint8_t chal_id[static 32],
    const uint8_t result_id[static 32], answer *a, uint64_t now_ms, uint8_t resp_id[static 32],
    char *why, size_t cap)
{
	body_any *b = calloc(1, sizeof *b);
	uint8_t *enc = NULL;
	size_t len;
	em_err err = EM_ENOMEM;

	if (b == NULL)
		return task_why(err, why, cap, "out of memory");
	b->kind = REC_RESPONSE;
	memcpy(b->u.response.challenge, chal_id, 32);
	memcpy(b->u.response.result, result_id, 32);
	b->u.response.n = a->k;
	for (uint32_t j = 0; j < a->k; j++) {
		body_opened *o = &b->u.response.items[j];

		o->index = a->idx[j];
		memcpy(o->item_hash, a->item_hash[j], 32);
		o->has_output = a->out[j] != NULL;
		o->output = a->out[j];
		o->output_len = a->out[j] ? a->out_len[j] : 0;
		memcpy(o->output_hash, a->oh[a->idx[j]], 32);
		o->score = a->score[a->idx[j]];
		o->proof = a->proof[j];
		o->proof_len = a->proof_len[j];
	}
	if ((err = body_encode(b, &enc, &len)) == EM_OK)
		err = store_publish(st, me, REC_RESPONSE, enc, len, now_ms, resp_id, NULL);
	if (err != EM_OK)
		task_why(err, why, cap, "cannot publish the response: %s", em_strerror(err));
	free(enc);
	free(b);
	return err;
}

typedef struct answered {
	const uint8_t	*me, *chal;
	int		 found;
} answered;

static int
find_answer(void *ctx, const rec_env *env, const body_any *b, uint32_t flags)
{
	answered *x = ctx;

	(void)flags;
	if (env->kind == REC_RESPONSE && memcmp(env->author, x->me, 32) == 0 &&
	    memcmp(b->u.response.challenge, x->chal, 32) == 0)
		x->found = 1;
	return x->found;
}

/* The challenge and its result, loaded: both ours to answer. */
static em_err
load_pair(store *st, const ident *me, const uint8_t chal_id[static 32], uint8_t **cbytes,
    uint8_t **rbytes, body_any *cb, rec_env *renv, body_any *rb, char *why, size_t cap)
{
	rec_env cenv;
	size_t len;
	answered x = { ident_pk(me), chal_id, 0 };
	em_err err;

	if (store_get(st, chal_id, cbytes, &len) != EM_OK ||
	    rec_parse(*cbytes, len, &cenv, NULL) != EM_OK || cenv.kind != REC_CHALLENGE ||
	    rec_body(&cenv, cb) != EM_OK)
		return task_why(EM_EINVAL, why, cap, "no such challenge here");
	if (store_get(st, cb->u.challenge.result, rbytes, &len) != EM_OK ||
	    rec_parse(*rbytes, len, renv, NULL) != EM_OK || renv->kind != REC_RESULT ||
	    rec_body(renv, rb) != EM_OK || memcmp(renv->author, ident_pk(me), 32) != 0)
		return task_why(EM_EINVAL, why, cap, "the challenged result is not ours");
	if (!rb->u.result.has_merkle || rb->u.result.n_items == 0)
		return task_why(EM_EFORMAT, why, cap, "the result has no Merkle root");
	if ((err = store_targets(st, cb->u.challenge.result, find_answer, &x)) != EM_OK)
		return task_why(err, why, cap, "%s", em_strerror(err));
	return x.found ? task_why(EM_EEXIST, why, cap, "answered already") : EM_OK;
}

em_err
task_audit_answer(store *st, const ident *me, const uint8_t chal_id[static 32],
    uint64_t now_ms, uint8_t resp_id[static 32], char *why, size_t cap)
{
	uint8_t *cbytes = NULL, *rbytes = NULL, run[32];
	body_any cb, rb;
	rec_env renv;
	answer a = { 0 };
	char key[65], hex[65];
	em_err err;

	if ((err = load_pair(st, me, chal_id, &cbytes, &rbytes, &cb, &renv, &rb, why,
	    cap)) != EM_OK)
		goto out;
	run_meta_key(key, renv.id);
	if (store_meta_get(st, key, hex, sizeof hex) != EM_OK ||
	    hex_decode(run, 32, hex) != EM_OK) {
		err = task_why(EM_ENOTFOUND, why, cap, "no run of this node is known for the result");
		goto out;
	}
	a.n = rb.u.result.n_items;
	a.k = audit_draw(chal_id, renv.id, a.n, cb.u.challenge.k, a.idx);
	if ((a.oh = calloc(a.n, 32)) == NULL || (a.score = calloc(a.n, 2)) == NULL ||
	    (a.have = calloc(a.n, 1)) == NULL || (a.leaf = calloc(a.n, 32)) == NULL) {
		err = task_why(EM_ENOMEM, why, cap, "out of memory");
		goto out;
	}
	if ((err = store_eval_each(st, run, cached, &a)) != EM_OK || a.nomem) {
		err = task_why(err ? err : EM_ENOMEM, why, cap, "the run's cache: %s",
		    em_strerror(err ? err : EM_ENOMEM));
		goto out;
	}
	if ((err = leaves(st, &rb.u.result, &a, why, cap)) != EM_OK ||
	    (err = prove(&rb.u.result, &a, why, cap)) != EM_OK)
		goto out;
	err = publish(st, me, chal_id, renv.id, &a, now_ms, resp_id, why, cap);
out:
	for (uint32_t j = 0; j < BODY_AUDIT_K_MAX; j++)
		free(a.out[j]);
	free(a.oh);
	free(a.score);
	free(a.have);
	free(a.leaf);
	free(cbytes);
	free(rbytes);
	return err;
}
