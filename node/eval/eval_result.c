/* A complete run as a result body: the numbers and the commitments. */
#include "eval.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "merkle.h"
#include "name.h"
#include "stats.h"

em_err
eval_result_body(const eval_opts *o, const eval_out *r, int access, body_any *b,
    uint8_t **scores)
{
	body_result *res = &b->u.result;
	merkle_acc acc;
	stats_summary sum;
	json_t *params;
	char *p;
	em_err err;

	*scores = NULL;
	if (r->scored != r->n || r->n != o->shots->n)
		return EM_EINVAL;	/* never publish a partial run */
	memset(b, 0, sizeof *b);
	b->kind = REC_RESULT;
	memcpy(res->task, o->task->id, 32);
	/* names are signed in NFC (name.h); the CLI checked that they fit so */
	if ((err = name_nfc(o->model_name, res->model, sizeof res->model)) != EM_OK ||
	    (err = name_nfc(o->revision, res->revision, sizeof res->revision)) != EM_OK)
		return err;
	res->access = (uint8_t)access;
	snprintf(res->adapter, sizeof res->adapter, "%s", model_api_name(o->model.api));
	snprintf(res->harness_version, sizeof res->harness_version, "evalmesh %s", EM_VERSION);
	res->has_prompt_hash = 1;
	if ((err = task_prompt_hash(&o->task->spec, res->prompt_hash)) != EM_OK)
		return err;
	/* what was asked, as the run key has it: the max_tokens in force and
	 * the extra request fields, which model_extra_body_check keeps small */
	params = json_pack("{s:I, s:f, s:I}", "max_tokens", (json_int_t)eval_max_tokens(o),
	    "temperature", o->task->spec.temperature, "fewshot", (json_int_t)o->task->spec.fewshot);
	if (params != NULL && json_object_size(o->model.extra_body) > 0 &&
	    json_object_set(params, "extra_body", (json_t *)(uintptr_t)o->model.extra_body) != 0) {
		json_decref(params);
		params = NULL;
	}
	p = params ? json_dumps(params, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(params);
	if (p == NULL)
		return EM_ENOMEM;
	if (strlen(p) >= sizeof res->params) {
		free(p);
		return EM_ETOOBIG;
	}
	snprintf(res->params, sizeof res->params, "%s", p);
	free(p);
	res->has_items = 1;
	res->items.truncated = (uint32_t)r->truncated;
	res->items.empty = (uint32_t)r->empty;
	res->items.refused = (uint32_t)r->refused;
	res->items.failed = (uint32_t)r->failed_scored;
	snprintf(res->items.notes, sizeof res->items.notes, "%s", r->notes);

	/* the mean of the vector published below, from the same numbers */
	stats_summarize(r->score, r->n, BODY_SCORE_SCALE, &sum);
	res->n_metrics = 1;
	snprintf(res->metrics[0].name, sizeof res->metrics[0].name, "%s",
	    task_metric_name(o->task->spec.metric));
	res->metrics[0].value = sum.mean;
	res->n_items = r->n;
	res->has_stderr = res->has_ci = 1;
	res->std_err = sum.std_err;
	res->ci_lo = sum.lo;
	res->ci_hi = sum.hi;
	res->t_start = r->t_start;
	res->t_end = r->t_end;

	/* leaves H(index, item hash, H(output), score), made as each item
	 * was scored */
	merkle_acc_start(&acc);
	for (size_t i = 0; i < r->n; i++)
		merkle_acc_add(&acc, r->leaf[i]);
	merkle_acc_root(&acc, res->merkle);
	res->has_merkle = 1;
	if (r->n <= BODY_SCORES_MAX) {
		if ((*scores = malloc(2 * r->n)) == NULL)
			return EM_ENOMEM;
		for (size_t i = 0; i < r->n; i++)
			be_put(*scores + 2 * i, r->score[i], 2);
		res->scores = *scores;
		res->scores_len = 2 * r->n;
	}
	return EM_OK;
}
