/* The runner and the task's items: where the next item to ask comes
 * from, the items being asked, the cache read back against its items,
 * the prompts' sizes checked before a run. The items are read from the
 * store's chunks as the run goes (task_reader), one chunk at a time: what
 * a run keeps of every item is its score, flags and result leaf. */
#include "eval_impl.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "log.h"
#include "merkle.h"
#include "score.h"

/* Reads the cache back: the items are read alongside, in the cache's
 * order (item order), for their scores and leaves. */
struct cached {
	eval_runner	*r;
	task_reader	*rd;
	task_item	 cur;		/* the item read last; item NULL: none yet */
	em_err		 err;
	char		*why;
	size_t		 cap;
};

/* The reader brought to item i. */
static em_err
cached_item(struct cached *c, size_t i)
{
	while (c->cur.item == NULL || c->cur.index < i) {
		if ((c->err = task_reader_next(c->rd, &c->cur, c->why, c->cap)) != EM_OK)
			return c->err;
		if (c->cur.item == NULL) {	/* checked: the task has out->n items */
			snprintf(c->why, c->cap, "the task's items ended before the cache's");
			return c->err = EM_EFORMAT;
		}
	}
	return EM_OK;
}

/* A cached item. Its kept output is scored again by today's rules when
 * it is whole (its hash matches); a refused item stays refused. */
static int
cached_fn(void *ctx, const store_eval *e)
{
	struct cached *c = ctx;
	eval_runner *r = c->r;
	eval_out *out = r->out;
	uint16_t s = e->score;
	uint8_t flags = e->flags, h[32];
	char *text;

	if (e->index >= out->n)
		return 1;	/* in item order: none of the rest is in the run */
	/* a score above the scale is no score of ours: asked again */
	if (out->have[e->index] || s > BODY_SCORE_SCALE)
		return 0;
	if (flags & STORE_EVAL_FAILED) {	/* not scored: asked again */
		r->mark[e->index] |= EVAL_MARK_FAILED_BEFORE;
		return 0;
	}
	if (cached_item(c, e->index) != EM_OK)
		return 1;
	if ((text = malloc(e->output_len + 1)) == NULL)
		return 1;
	memcpy(text, e->output, e->output_len);
	text[e->output_len] = '\0';
	if (flags & STORE_EVAL_REFUSED) {
		s = 0;
		eval_note(out, text);
	} else {
		r->answered++;
		hash_blake2b(h, (const uint8_t *)text, e->output_len);
		if (memcmp(h, e->output_hash, 32) == 0 && strlen(text) == e->output_len) {
			s = score_units(task_score(&r->o->task->spec, c->cur.item, text));
			flags = (uint8_t)((flags & STORE_EVAL_TRUNCATED) | eval_text_flags(text));
		}
	}
	free(text);
	out->have[e->index] = 1;
	out->score[e->index] = s;
	out->flags[e->index] = flags;
	merkle_result_leaf(out->leaf[e->index], (uint32_t)e->index, c->cur.hash, e->output_hash,
	    s);
	eval_count(out, flags);
	out->scored++;
	out->cached++;
	return 0;
}

/* The cache read back; a cache that cannot be read is logged and every
 * item asked, items that cannot be read fail the run. */
static em_err
read_cache(eval_runner *r, char *why, size_t cap)
{
	struct cached c = { .r = r, .why = why, .cap = cap };
	em_err err;

	if (task_reader_open(r->st, &r->o->task->spec, &r->o->task->body, &c.rd) != EM_OK)
		return EM_ENOMEM;
	err = store_eval_each(r->st, r->out->run_key, cached_fn, &c);
	task_reader_free(c.rd);
	if (c.err != EM_OK)
		return c.err;
	if (err != EM_OK)
		log_warn("eval: cannot read the evaluation cache; asking for every item");
	return EM_OK;
}

static em_err
alloc_arrays(eval_runner *r, eval_out *out, size_t n)
{
	r->n_slots = r->o->model.concurrency + 1;	/* a reply's slot is freed
							 * after the next is sent */
	out->score = calloc(n ? n : 1, sizeof *out->score);
	out->have = calloc(n ? n : 1, 1);
	out->flags = calloc(n ? n : 1, 1);
	out->leaf = calloc(n ? n : 1, sizeof *out->leaf);
	r->mark = calloc(n ? n : 1, 1);
	r->slot_of = calloc(n ? n : 1, sizeof *r->slot_of);
	r->slots = calloc(r->n_slots, sizeof *r->slots);
	r->retries = calloc(r->n_slots, sizeof *r->retries);
	r->batch = calloc(EVAL_FLUSH_BATCH, sizeof *r->batch);
	if (!out->score || !out->have || !out->flags || !out->leaf || !r->mark ||
	    !r->slot_of || !r->slots || !r->retries || !r->batch)
		return EM_ENOMEM;
	return EM_OK;
}

em_err
eval_prepare(eval_runner *r, store *st, const eval_opts *o, eval_out *out, char *why,
    size_t cap)
{
	size_t n = o->shots->n;
	em_err err;

	if (o->limit && o->limit < n)
		n = o->limit;
	memset(out, 0, sizeof *out);
	out->n = n;
	r->st = st;
	r->o = o;
	r->out = out;
	if ((err = eval_run_key(o, out->run_key)) != EM_OK ||
	    (err = alloc_arrays(r, out, n)) != EM_OK ||
	    task_reader_open(st, &o->task->spec, &o->task->body, &r->feed) != EM_OK) {
		snprintf(why, cap, "%s", em_strerror(err ? err : EM_ENOMEM));
		return err ? err : EM_ENOMEM;
	}
	/* a fresh run forgets the old answers, so that it goes on from where
	 * it stops, never mixing them with its own */
	if (o->fresh && (err = store_eval_clear(st, out->run_key)) != EM_OK) {
		snprintf(why, cap, "%s", em_strerror(err));
		return err;
	}
	if (!o->fresh && (err = read_cache(r, why, cap)) != EM_OK)
		return err;
	r->left = n - out->scored;
	return EM_OK;
}

eval_slot *
eval_take(eval_runner *r, em_err *err, char *why, size_t cap)
{
	eval_slot *sl = NULL;
	task_item it;

	*err = EM_OK;
	for (size_t k = 0; k < r->n_slots && sl == NULL; k++)
		if (r->slots[k].item == NULL)
			sl = &r->slots[k];
	if (sl == NULL || r->left == 0)
		return NULL;
	do {
		if ((*err = task_reader_next(r->feed, &it, why, cap)) != EM_OK)
			return NULL;
		if (it.item == NULL || it.index >= r->out->n) {
			snprintf(why, cap, "the task's items ended before the run's");
			*err = EM_EFORMAT;
			return NULL;
		}
	} while (r->out->have[it.index]);
	*sl = (eval_slot){ .item = json_incref(it.item), .index = it.index };
	memcpy(sl->hash, it.hash, 32);
	r->slot_of[it.index] = (uint16_t)(sl - r->slots + 1);
	r->left--;
	return sl;
}

eval_slot *
eval_slot_of(const eval_runner *r, size_t i)
{
	return i < r->out->n && r->slot_of[i] ? &r->slots[r->slot_of[i] - 1] : NULL;
}

void
eval_release(eval_runner *r, eval_slot *sl)
{
	r->slot_of[sl->index] = 0;
	json_decref(sl->item);
	memset(sl, 0, sizeof *sl);
}

em_err
eval_prompts_fit(const eval_runner *r, char *why, size_t cap)
{
	const eval_opts *o = r->o;
	task_reader *rd;
	task_item it;
	em_err err;

	if (o->max_prompt_bytes == 0)
		return EM_OK;
	if (task_reader_open(r->st, &o->task->spec, &o->task->body, &rd) != EM_OK) {
		snprintf(why, cap, "out of memory");
		return EM_ENOMEM;
	}
	while ((err = task_reader_next(rd, &it, why, cap)) == EM_OK && it.item != NULL &&
	    it.index < r->out->n) {
		size_t n;

		if (r->out->have[it.index])
			continue;
		if ((n = task_prompt_size(&o->task->spec, o->shots, it.item, it.index)) ==
		    SIZE_MAX) {
			snprintf(why, cap, "out of memory");
			err = EM_ENOMEM;
			break;
		}
		if (n > o->max_prompt_bytes) {
			snprintf(why, cap, "item %zu's prompt is %zu bytes, over the limit of %zu "
			    "(--max-prompt-bytes); nothing was sent", it.index + 1, n,
			    o->max_prompt_bytes);
			err = EM_ETOOBIG;
			break;
		}
	}
	task_reader_free(rd);
	return err;
}

void
eval_runner_free(eval_runner *r)
{
	for (size_t i = 0; i < r->n_batch; i++)
		free((char *)(uintptr_t)r->batch[i].output);
	for (size_t k = 0; r->slots != NULL && k < r->n_slots; k++)
		json_decref(r->slots[k].item);
	task_reader_free(r->feed);
	free(r->slots);
	free(r->slot_of);
	free(r->retries);
	free(r->mark);
	free(r->batch);
}
