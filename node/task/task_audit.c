/* What a result's audits come to (task_audit.h): each response checked
 * against its result and challenge (audit.h), then its outputs scored
 * again against the task's items held here. */
#include "task_audit.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "score.h"
#include "task.h"

typedef struct collected {
	const uint8_t	*result;
	task_audit	*out;
	uint8_t		 resp[TASK_AUDIT_MAX][32];
	size_t		 n_resp;
} collected;

static int
collect(void *ctx, const rec_env *env, const body_any *b, uint32_t flags)
{
	collected *c = ctx;
	task_audit_one *o;

	(void)flags;
	if (env->kind == REC_RESPONSE && c->n_resp < TASK_AUDIT_MAX &&
	    memcmp(b->u.response.result, c->result, 32) == 0)
		memcpy(c->resp[c->n_resp++], env->id, 32);
	if (env->kind != REC_CHALLENGE || c->out->n == TASK_AUDIT_MAX ||
	    memcmp(b->u.challenge.result, c->result, 32) != 0)
		return 0;
	o = &c->out->one[c->out->n++];
	memset(o, 0, sizeof *o);
	memcpy(o->challenge, env->id, 32);
	memcpy(o->challenger, env->author, 32);
	o->ts = env->ts;
	o->due = env->ts + 1000ull * b->u.challenge.within_s;
	o->k = b->u.challenge.k;
	return 0;
}

/* A stored record by id, parsed: *bytes is yours (free()). */
static em_err
load(store *st, const uint8_t id[static 32], uint8_t kind, uint8_t **bytes, rec_env *env,
    body_any *b)
{
	size_t len;
	em_err err;

	if ((err = store_get(st, id, bytes, &len)) != EM_OK)
		return err;
	if (rec_parse(*bytes, len, env, NULL) != EM_OK || env->kind != kind ||
	    rec_body(env, b) != EM_OK) {
		free(*bytes);
		*bytes = NULL;
		return EM_EFORMAT;
	}
	return EM_OK;
}

static enum task_audit_state say(task_audit_one *o, enum task_audit_state s,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static enum task_audit_state
say(task_audit_one *o, enum task_audit_state s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(o->why, sizeof o->why, fmt, ap);
	va_end(ap);
	return s;
}

/* The items the response opens, from the task's chunks held here: their
 * hashes and (references to) the items, in the response's order. */
static enum task_audit_state
read_items(store *st, const task_rec *t, const body_response *r, uint8_t hash[][32],
    json_t **item, task_audit_one *o)
{
	task_reader *rd = NULL;
	task_item it;
	uint32_t left = r->n, max = 0;
	char why[TASK_AUDIT_WHY_MAX];
	enum task_audit_state s = AUDIT_PASSED;
	em_err err;

	for (uint32_t i = 0; i < r->n; i++)
		if (r->items[i].index > max)
			max = r->items[i].index;
	if (task_reader_open(st, &t->spec, &t->body, &rd) != EM_OK)
		return say(o, AUDIT_UNVERIFIED, "out of memory");
	while (left > 0) {
		if ((err = task_reader_next(rd, &it, why, sizeof why)) != EM_OK) {
			s = say(o, AUDIT_UNVERIFIED, err == EM_ENOTFOUND ?
			    "the task's items are not here yet" : "%s",
			    why);
			break;
		}
		if (it.item == NULL || it.index > max)
			break;
		for (uint32_t i = 0; i < r->n; i++)
			if (r->items[i].index == it.index) {
				memcpy(hash[i], it.hash, 32);
				item[i] = json_incref(it.item);
				left--;
			}
	}
	task_reader_free(rd);
	if (s == AUDIT_PASSED && left > 0)
		s = say(o, AUDIT_FAILED, "an opened item is not in the task");
	return s;
}

/* Each opened output scored again by the task's metric. */
static enum task_audit_state
rescore(store *st, const task_rec *t, const body_response *r, task_audit_one *o)
{
	uint8_t hash[BODY_AUDIT_K_MAX][32];
	json_t *item[BODY_AUDIT_K_MAX] = { 0 };
	enum task_audit_state s;
	uint32_t withheld = 0;

	s = read_items(st, t, r, hash, item, o);
	for (uint32_t i = 0; i < r->n && s == AUDIT_PASSED; i++) {
		const body_opened *op = &r->items[i];
		char *text;
		uint16_t got;

		if (memcmp(hash[i], op->item_hash, 32) != 0) {
			s = say(o, AUDIT_FAILED, "item %u: the item it opens is not the task's",
			    op->index);
			break;
		}
		if (!op->has_output) {
			withheld++;
			continue;
		}
		if ((text = malloc(op->output_len + 1)) == NULL) {
			s = say(o, AUDIT_UNVERIFIED, "out of memory");
			break;
		}
		memcpy(text, op->output, op->output_len);
		text[op->output_len] = '\0';
		got = score_units(task_score(&t->spec, item[i], text));
		if (strlen(text) != op->output_len)
			s = say(o, AUDIT_FAILED, "item %u: its output holds a NUL byte, which no "
			    "answer scored here can", op->index);
		else if (got != op->score && !(op->output_len == 0 && op->score == 0))
			s = say(o, AUDIT_FAILED, "item %u: its output scores %.4f by the task's "
			    "metric, not the %.4f committed", op->index,
			    (double)got / BODY_SCORE_SCALE, (double)op->score / BODY_SCORE_SCALE);
		free(text);
	}
	for (uint32_t i = 0; i < r->n; i++)
		json_decref(item[i]);
	if (s == AUDIT_PASSED && withheld > 0)
		s = say(o, AUDIT_UNVERIFIED, "%u of %u outputs withheld (too long "
		    "to open)", withheld, r->n);
	return s;
}

/* One response to challenge o: its state. The task is loaded on first
 * need into *t (*have: 1 loaded, -1 not here). */
static enum task_audit_state
judge(store *st, task_audit_one *o, const rec_env *renv, const body_result *res,
    const body_response *r, task_rec *t, int *have)
{
	body_any cb;
	rec_env cenv;
	uint8_t *cbytes = NULL;
	char why[TASK_AUDIT_WHY_MAX], tw[TASK_WHY_MAX];
	em_err err;
	enum task_audit_state s;

	if (load(st, o->challenge, REC_CHALLENGE, &cbytes, &cenv, &cb) != EM_OK)
		return AUDIT_PENDING;
	err = audit_check(o->challenge, &cb.u.challenge, renv->id, res, r, why, sizeof why);
	free(cbytes);
	if (err == EM_EINVAL)
		return AUDIT_PENDING;	/* not to this challenge */
	if (err != EM_OK)
		return say(o, AUDIT_FAILED, "%s", why);
	if (*have == 0)
		*have = task_rec_load(st, NULL, res->task, t, tw, sizeof tw) == EM_OK ? 1 : -1;
	if (*have < 0)
		return say(o, AUDIT_UNVERIFIED, "the task is not here");
	s = rescore(st, t, r, o);
	return s;
}

/* Which of two states a challenge keeps: a failure over all, then a pass. */
static int
rank(enum task_audit_state s)
{
	static const int r[] = { [AUDIT_PENDING] = 0, [AUDIT_UNANSWERED] = 1,
	    [AUDIT_UNVERIFIED] = 2, [AUDIT_PASSED] = 3, [AUDIT_FAILED] = 4 };

	return r[s];
}

static void
decide(store *st, task_audit_one *o, const collected *c, const rec_env *renv,
    const body_result *res, task_rec *t, int *have, uint64_t now_ms)
{
	o->state = now_ms >= o->due ? AUDIT_UNANSWERED : AUDIT_PENDING;
	for (size_t j = 0; j < c->n_resp; j++) {
		uint8_t *bytes = NULL;
		rec_env env;
		body_any b;
		task_audit_one try = *o;
		enum task_audit_state s;

		if (load(st, c->resp[j], REC_RESPONSE, &bytes, &env, &b) != EM_OK)
			continue;
		/* only the result's author answers for it */
		if (memcmp(env.author, renv->author, 32) == 0 &&
		    memcmp(b.u.response.challenge, o->challenge, 32) == 0) {
			s = judge(st, &try, renv, res, &b.u.response, t, have);
			if (s != AUDIT_PENDING && rank(s) > rank(o->state)) {
				*o = try;
				o->state = s;
				memcpy(o->response, env.id, 32);
			}
		}
		free(bytes);
	}
}

em_err
task_audit_of(store *st, const uint8_t result[static 32], uint64_t now_ms, task_audit *out)
{
	static const uint32_t bit[] = { [AUDIT_PENDING] = RESULT_AUDIT_PENDING,
	    [AUDIT_UNANSWERED] = RESULT_AUDIT_UNANSWERED,
	    [AUDIT_UNVERIFIED] = RESULT_AUDIT_UNVERIFIED, [AUDIT_PASSED] = RESULT_AUDITED,
	    [AUDIT_FAILED] = RESULT_FAILED_AUDIT };
	collected *c = calloc(1, sizeof *c);
	task_rec t = { 0 };
	uint8_t *rbytes = NULL;
	rec_env renv;
	body_any rb;
	int have = 0;
	em_err err = EM_OK;

	out->flags = 0;
	out->n = 0;
	if (c == NULL)
		return EM_ENOMEM;
	if (load(st, result, REC_RESULT, &rbytes, &renv, &rb) != EM_OK)
		goto out;	/* not held, or no result: no audits */
	c->result = result;
	c->out = out;
	if ((err = store_targets(st, result, collect, c)) != EM_OK)
		goto out;
	for (size_t i = 0; i < out->n; i++) {
		decide(st, &out->one[i], c, &renv, &rb.u.result, &t, &have, now_ms);
		out->flags |= bit[out->one[i].state];
	}
	if (out->flags & RESULT_FAILED_AUDIT)
		out->flags &= ~RESULT_AUDITED;
out:
	if (have > 0)
		task_rec_free(&t);
	free(rbytes);
	free(c);
	return err;
}

const char *
task_audit_state_name(enum task_audit_state s)
{
	switch (s) {
	case AUDIT_PENDING:	return "pending";
	case AUDIT_UNANSWERED:	return "unanswered";
	case AUDIT_UNVERIFIED:	return "unverified";
	case AUDIT_PASSED:	return "passed";
	case AUDIT_FAILED:	return "failed";
	}
	return "unknown";
}

uint32_t
task_audit_flags(store *st, const uint8_t result[static 32], uint32_t flags, uint64_t now_ms)
{
	task_audit *a;
	uint32_t f = 0;

	if (!(flags & RESULT_CHALLENGED) || (a = malloc(sizeof *a)) == NULL)
		return 0;
	if (task_audit_of(st, result, now_ms, a) == EM_OK)
		f = a->flags;
	free(a);
	return f;
}
