#include "body.h"

#include <math.h>
#include <msgpack.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "body_audit.h"
#include "hash.h"
#include "mpr.h"
#include "utf8.h"


const char *
body_kind_name(uint8_t kind)
{
	switch (kind) {
	case REC_NODE:		return "node";
	case REC_TASK:		return "task";
	case REC_RESULT:	return "result";
	case REC_ATTEST:	return "attest";
	case REC_REVOKE:	return "revoke";
	case REC_CHALLENGE:	return "challenge";
	case REC_RESPONSE:	return "response";
	}
	return NULL;
}

static em_err
opt_hash(mpr *r, int *has, uint8_t out[static 32])
{
	*has = !mpr_nil(r);
	return *has ? mpr_bin_fixed(r, out, 32) : EM_OK;
}

/* A text every node prints: UTF-8 with nothing that rewrites a terminal
 * line (utf8_printable), so a peer cannot forge rows or clear screens. */
static em_err
text(mpr *r, char *out, size_t cap)
{
	em_err err = mpr_str(r, out, cap);

	if (err == EM_OK && !utf8_printable((const uint8_t *)out, strlen(out)))
		err = EM_EFORMAT;
	return err;
}

static em_err
u32(mpr *r, uint32_t *out)
{
	uint64_t v;
	em_err err = mpr_uint(r, &v, UINT32_MAX);

	*out = (uint32_t)v;
	return err;
}

static em_err
decode_node(mpr *r, body_node *n)
{
	em_err err;

	TRY(r, "node", mpr_array_exact(r, 3));
	TRY(r, "node.name", text(r, n->name, sizeof n->name));
	TRY(r, "node.org", text(r, n->org, sizeof n->org));
	TRY(r, "node.addrs", mpr_array(r, &n->n_addrs, BODY_ADDRS_MAX));
	for (uint32_t i = 0; i < n->n_addrs; i++)
		TRY(r, "node.addrs[]", text(r, n->addrs[i], sizeof n->addrs[i]));
	return EM_OK;
}

static em_err
decode_task(mpr *r, body_task *t)
{
	size_t chunks_len;
	em_err err;

	TRY(r, "task", mpr_array_exact(r, 6));
	TRY(r, "task.name", text(r, t->name, sizeof t->name));
	TRY(r, "task.version", text(r, t->version, sizeof t->version));
	TRY(r, "task.items_root", mpr_bin_fixed(r, t->items_root, 32));
	TRY(r, "task.n_items", mpr_uint(r, &t->n_items, BODY_ITEMS_MAX));
	TRY(r, "task.manifest", mpr_bin(r, &t->manifest, &t->manifest_len,
	    BODY_MANIFEST_MAX));
	TRY(r, "task.chunks", mpr_bin(r, &t->chunks, &chunks_len,
	    BODY_CHUNKS_MAX * 32));
	if (chunks_len % 32 != 0)
		return EM_EFORMAT;
	t->n_chunks = (uint32_t)(chunks_len / 32);
	if (t->name[0] == '\0') {
		r->field = "task.name";
		return EM_EFORMAT;
	}
	/* the record against itself: every chunk holds an item at least,
	 * and no more items than its bytes have lines */
	r->field = "task.n_items";
	if (t->n_items == 0 || t->n_chunks == 0 || t->n_items < t->n_chunks ||
	    t->n_items > (uint64_t)t->n_chunks * (BODY_CHUNK_BYTES / BODY_ITEM_LINE_MIN))
		return EM_ERANGE;
	return EM_OK;
}

static em_err
decode_model(mpr *r, body_result *res)
{
	uint64_t access;
	em_err err;

	TRY(r, "result.model", mpr_array_exact(r, 4));
	TRY(r, "result.model.name", text(r, res->model, sizeof res->model));
	TRY(r, "result.model.revision", text(r, res->revision, sizeof res->revision));
	TRY(r, "result.model.access", mpr_uint(r, &access, ACCESS_CLOSED));
	res->access = (uint8_t)access;
	TRY(r, "result.model.weights", opt_hash(r, &res->has_weights, res->weights));
	r->field = "result.model.name";
	return res->model[0] ? EM_OK : EM_EFORMAT;
}

static em_err
decode_harness(mpr *r, body_result *res)
{
	em_err err;

	uint32_t n;

	/* four elements: a result from before the item counts */
	TRY(r, "result.harness", mpr_array(r, &n, 5));
	if (n < 4)
		return EM_EFORMAT;
	TRY(r, "result.harness.adapter", text(r, res->adapter, sizeof res->adapter));
	TRY(r, "result.harness.version", text(r, res->harness_version,
	    sizeof res->harness_version));
	TRY(r, "result.harness.prompt_hash", opt_hash(r, &res->has_prompt_hash,
	    res->prompt_hash));
	TRY(r, "result.harness.params", text(r, res->params, sizeof res->params));
	memset(&res->items, 0, sizeof res->items);
	if (!(res->has_items = n == 5))
		return EM_OK;
	TRY(r, "result.harness.items", mpr_array_exact(r, 5));
	TRY(r, "result.harness.items.truncated", u32(r, &res->items.truncated));
	TRY(r, "result.harness.items.empty", u32(r, &res->items.empty));
	TRY(r, "result.harness.items.refused", u32(r, &res->items.refused));
	TRY(r, "result.harness.items.failed", u32(r, &res->items.failed));
	TRY(r, "result.harness.items.notes", text(r, res->items.notes,
	    sizeof res->items.notes));
	return EM_OK;
}

static em_err
decode_metrics(mpr *r, body_result *res)
{
	em_err err;

	TRY(r, "result.metrics", mpr_array(r, &res->n_metrics, BODY_METRICS_MAX));
	if (res->n_metrics == 0)
		return EM_EFORMAT;
	for (uint32_t i = 0; i < res->n_metrics; i++) {
		body_metric *m = &res->metrics[i];

		TRY(r, "result.metrics[]", mpr_array_exact(r, 2));
		TRY(r, "result.metrics[].name", text(r, m->name, sizeof m->name));
		TRY(r, "result.metrics[].value", mpr_f64(r, &m->value));
		if (m->name[0] == '\0' || !isfinite(m->value))
			return EM_ERANGE;
		for (uint32_t k = 0; k < i; k++)
			if (strcmp(res->metrics[k].name, m->name) == 0) {
				r->field = "result.metrics[].name (repeated)";
				return EM_EFORMAT;
			}
	}
	return EM_OK;
}

static em_err
decode_stats(mpr *r, body_result *res)
{
	em_err err;

	TRY(r, "result.n_items", mpr_uint(r, &res->n_items, BODY_ITEMS_MAX));
	r->field = "result.stderr";
	if ((res->has_stderr = !mpr_nil(r))) {
		TRY(r, "result.stderr", mpr_f64(r, &res->std_err));
		if (!isfinite(res->std_err) || res->std_err < 0)
			return EM_ERANGE;
	}
	r->field = "result.ci95";
	if ((res->has_ci = !mpr_nil(r))) {
		TRY(r, "result.ci95", mpr_array_exact(r, 2));
		TRY(r, "result.ci95.lo", mpr_f64(r, &res->ci_lo));
		TRY(r, "result.ci95.hi", mpr_f64(r, &res->ci_hi));
		if (!isfinite(res->ci_lo) || !isfinite(res->ci_hi) ||
		    res->ci_lo > res->ci_hi)
			return EM_ERANGE;
	}
	return EM_OK;
}

static em_err
decode_result(mpr *r, body_result *res)
{
	em_err err;

	TRY(r, "result", mpr_array_exact(r, 11));
	TRY(r, "result.task", mpr_bin_fixed(r, res->task, 32));
	if ((err = decode_model(r, res)) != EM_OK ||
	    (err = decode_harness(r, res)) != EM_OK ||
	    (err = decode_metrics(r, res)) != EM_OK ||
	    (err = decode_stats(r, res)) != EM_OK)
		return err;
	r->field = "result.harness.items";
	if (res->items.truncated > res->n_items || res->items.empty > res->n_items ||
	    res->items.refused > res->n_items || res->items.failed > res->n_items)
		return EM_ERANGE;
	TRY(r, "result.merkle_root", opt_hash(r, &res->has_merkle, res->merkle));
	res->scores = NULL;
	res->scores_len = 0;
	r->field = "result.scores";
	if (!mpr_nil(r)) {
		TRY(r, "result.scores", mpr_bin(r, &res->scores, &res->scores_len,
		    2 * BODY_SCORES_MAX));
		/* one big-endian u16 per item, each at most the scale */
		if (res->scores_len != 2 * res->n_items)
			return EM_EFORMAT;
		for (size_t i = 0; i < res->scores_len; i += 2)
			if ((res->scores[i] << 8 | res->scores[i + 1]) > BODY_SCORE_SCALE)
				return EM_ERANGE;
	}
	TRY(r, "result.t_start", mpr_uint(r, &res->t_start, UINT64_MAX));
	TRY(r, "result.t_end", mpr_uint(r, &res->t_end, UINT64_MAX));
	return res->t_end >= res->t_start ? EM_OK : EM_ERANGE;
}

static em_err
decode_ref(mpr *r, uint8_t kind, body_ref *ref)
{
	uint64_t verdict = 0;
	em_err err;

	if (kind == REC_ATTEST) {
		TRY(r, "attest", mpr_array_exact(r, 3));
		TRY(r, "attest.target", mpr_bin_fixed(r, ref->target, 32));
		TRY(r, "attest.verdict", mpr_uint(r, &verdict, VERDICT_DISPUTED));
		TRY(r, "attest.note", text(r, ref->text, sizeof ref->text));
	} else {
		TRY(r, "revoke", mpr_array_exact(r, 2));
		TRY(r, "revoke.target", mpr_bin_fixed(r, ref->target, 32));
		TRY(r, "revoke.reason", text(r, ref->text, sizeof ref->text));
	}
	ref->verdict = (uint8_t)verdict;
	return EM_OK;
}

em_err
body_decode(uint8_t kind, const uint8_t *buf, size_t len, body_any *out,
    const char **field, size_t *off)
{
	mpr r;
	em_err err;

	mpr_init(&r, buf, len);
	out->kind = kind;
	switch (kind) {
	case REC_NODE:		err = decode_node(&r, &out->u.node); break;
	case REC_TASK:		err = decode_task(&r, &out->u.task); break;
	case REC_RESULT:	err = decode_result(&r, &out->u.result); break;
	case REC_ATTEST:
	case REC_REVOKE:	err = decode_ref(&r, kind, &out->u.ref); break;
	case REC_CHALLENGE:
	case REC_RESPONSE:	err = body_audit_decode(&r, out); break;
	default:		r.field = "kind"; err = EM_EKIND; break;
	}
	if (err == EM_OK && !mpr_done(&r))
		err = EM_ETRAILING;
	if (field != NULL)
		*field = r.field;
	if (off != NULL)
		*off = mpr_offset(&r);
	return err;
}

em_err
body_result_keys(const uint8_t *buf, size_t len, uint8_t task[static 32],
    char *model, char *revision)
{
	mpr r;
	em_err err;

	mpr_init(&r, buf, len);
	if ((err = mpr_array_exact(&r, 11)) != EM_OK ||
	    (err = mpr_bin_fixed(&r, task, 32)) != EM_OK ||
	    (err = mpr_array_exact(&r, 4)) != EM_OK ||
	    (err = mpr_str(&r, model, BODY_NAME_MAX + 1)) != EM_OK)
		return err;
	return mpr_str(&r, revision, BODY_NAME_MAX + 1);
}

/* Version 2. Version 1 hashed only the tag, the manifest's hash and the
 * items root: a member could sign a record with the same id and another
 * n_items, chunk list or name, and which record a node met first decided
 * what it listed, evaluated and ranked. Every field of the body is here
 * now, so records with one id differ only by who signed them and when.
 * Texts are length-prefixed; each part is fixed-size or has its size. */
void
body_task_id(const body_task *t, uint8_t id[static 32])
{
	uint8_t h[32], n[8];
	hash_state st;

	hash_start(&st);
	hash_update(&st, (const uint8_t *)"evalmesh/task/v2", 16);
	hash_blake2b(h, t->manifest, t->manifest_len);
	hash_update(&st, h, 32);
	hash_update(&st, t->items_root, 32);
	be_put(n, t->n_items, 8);
	hash_update(&st, n, 8);
	be_put(n, t->n_chunks, 8);
	hash_update(&st, n, 8);
	hash_blake2b(h, t->chunks, 32 * (size_t)t->n_chunks);
	hash_update(&st, h, 32);
	be_put(n, strlen(t->name), 8);
	hash_update(&st, n, 8);
	hash_update(&st, (const uint8_t *)t->name, strlen(t->name));
	be_put(n, strlen(t->version), 8);
	hash_update(&st, n, 8);
	hash_update(&st, (const uint8_t *)t->version, strlen(t->version));
	hash_finish(&st, id);
}
