/* Prompts from templates, few-shot examples, and scoring an output. */
#include "task.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "score.h"

/* A growing text buffer; on allocation failure it stays NULL. One that
 * only counts (count) keeps no bytes, only their length. */
typedef struct sbuf {
	char	*p;
	size_t	 len, cap;
	int	 oom, count;
} sbuf;

static void
sb_add(sbuf *b, const char *s, size_t n)
{
	if (b->count) {
		b->len += n;
		return;
	}
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *np;

		while (cap < b->len + n + 1)
			cap *= 2;
		if ((np = realloc(b->p, cap)) == NULL) {
			b->oom = 1;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
sb_str(sbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

static char *
sb_take(sbuf *b)
{
	if (b->oom) {
		free(b->p);
		return NULL;
	}
	if (b->p == NULL)
		return strdup("");
	return b->p;
}

/* A scalar field's text: strings as they are, numbers as JSON writes them. */
static void
sb_value(sbuf *b, const json_t *v)
{
	char *num;

	if (json_is_string(v)) {
		sb_add(b, json_string_value(v), json_string_length(v));
	} else if ((num = json_dumps(v, JSON_ENCODE_ANY)) != NULL) {
		sb_str(b, num);
		free(num);
	} else {
		b->oom = 1;
	}
}

/* Fills a template checked by task_spec_parse into b; the options field
 * renders as lettered lines ("A. ...\nB. ..."). */
static void
fill(sbuf *bp, const task_spec *s, const char *t, const json_t *item)
{
	sbuf b = *bp;

	for (const char *p = t; *p; p++) {
		const char *end;
		char field[TASK_FIELD_MAX + 1];
		const json_t *v, *c;
		size_t i;

		if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
			sb_add(&b, p++, 1);
			continue;
		}
		if (*p != '{' || (end = strchr(p + 1, '}')) == NULL ||
		    (size_t)(end - p - 1) > TASK_FIELD_MAX) {
			sb_add(&b, p, 1);
			continue;
		}
		memcpy(field, p + 1, (size_t)(end - p - 1));
		field[end - p - 1] = '\0';
		v = json_object_get(item, field);
		if (json_is_array(v) && strcmp(field, s->choices) == 0) {
			json_array_foreach(v, i, c) {
				char letter[4] = { (char)('A' + i), '.', ' ', 0 };

				if (i > 0)
					sb_add(&b, "\n", 1);
				sb_str(&b, letter);
				sb_value(&b, c);
			}
		} else if (v != NULL) {
			sb_value(&b, v);
		}
		p = end;
	}
	*bp = b;
}

static char *
render(const task_spec *s, const char *t, const json_t *item)
{
	sbuf b = { 0 };

	fill(&b, s, t, item);
	return sb_take(&b);
}

static char *
target_text(const task_spec *s, const json_t *item)
{
	sbuf b = { 0 };

	sb_value(&b, json_object_get(item, s->target));
	return sb_take(&b);
}

static int
add_msg(json_t *msgs, const char *role, char *content)
{
	json_t *m;

	if (content == NULL)
		return -1;
	m = json_pack("{s:s,s:s}", "role", role, "content", content);
	free(content);
	return m == NULL ? -1 : json_array_append_new(msgs, m);
}

/* The examples for item i: the first fewshot of sh's, skipping i itself
 * (sh keeps one more than fewshot for that). Returns how many went into
 * ex. */
static size_t
pick_examples(const task_spec *s, const task_shots *sh, size_t i,
    const json_t *ex[static TASK_FEWSHOT_MAX])
{
	size_t n = 0;

	for (size_t k = 0; k < sh->n_kept && n < s->fewshot; k++)
		if (sh->kept[k].index != i)
			ex[n++] = sh->kept[k].item;
	return n;
}

json_t *
task_messages(const task_spec *s, const task_shots *sh, const json_t *item, size_t i)
{
	const json_t *ex[TASK_FEWSHOT_MAX];
	size_t n = pick_examples(s, sh, i, ex);
	json_t *msgs = json_array();
	int bad = msgs == NULL;

	if (!bad && s->system != NULL)
		bad = add_msg(msgs, "system", render(s, s->system, item));
	for (size_t k = 0; k < n && !bad; k++)
		bad = add_msg(msgs, "user", render(s, s->prompt, ex[k])) ||
		    add_msg(msgs, "assistant", target_text(s, ex[k]));
	if (!bad)
		bad = add_msg(msgs, "user", render(s, s->prompt, item));
	if (bad) {
		json_decref(msgs);
		return NULL;
	}
	return msgs;
}

char *
task_flatten(const json_t *messages)
{
	sbuf b = { 0 };
	const json_t *m;
	size_t i;

	json_array_foreach(messages, i, m) {
		const char *role = json_string_value(json_object_get(m, "role"));
		const char *text = json_string_value(json_object_get(m, "content"));

		if (role == NULL || text == NULL)
			continue;
		sb_str(&b, text);
		if (i + 1 == json_array_size(messages))
			break;
		/* system and example answers end a block; a question runs into its answer */
		sb_str(&b, strcmp(role, "user") == 0 ? " " : "\n\n");
	}
	return sb_take(&b);
}

size_t
task_prompt_size(const task_spec *s, const task_shots *sh, const json_t *item, size_t i)
{
	const json_t *ex[TASK_FEWSHOT_MAX];
	size_t n = pick_examples(s, sh, i, ex);
	sbuf b = { .count = 1 };

	if (s->system != NULL)
		fill(&b, s, s->system, item);
	for (size_t k = 0; k < n; k++) {
		fill(&b, s, s->prompt, ex[k]);
		sb_value(&b, json_object_get(ex[k], s->target));
	}
	fill(&b, s, s->prompt, item);
	return b.oom ? SIZE_MAX : b.len;
}

size_t
task_prompt_bytes(const json_t *messages)
{
	const json_t *m;
	size_t i, n = 0;

	json_array_foreach(messages, i, m)
		n += json_string_length(json_object_get(m, "content"));
	return n;
}

/* The answer part of output (score.h, score_answer): a pointer into
 * output, or into *cut (yours) when its end had to be cut off; NULL when
 * out of memory. */
static const char *
answer_of(const char *output, char **cut)
{
	const char *a = score_answer(output);
	size_t n = score_answer_len(a);

	*cut = NULL;
	if (a[n] == '\0')
		return a;
	return *cut = strndup(a, n);
}

double
task_score(const task_spec *s, const json_t *item, const char *output)
{
	const char *opts[TASK_CHOICES_MAX];
	char *target = target_text(s, item), *got = NULL, *cut = NULL;
	const char *o;
	const json_t *ch, *c;
	double score = 0;
	size_t n = 0, i;

	/* Every metric scores the answer, never the reasoning before it. */
	if (target == NULL || (o = answer_of(output, &cut)) == NULL)
		goto out;
	if (s->metric == METRIC_REGEX) {
		score = score_regex(o, s->extract, target, s->norm);
		goto out;
	}
	if (s->extract != NULL) {
		if (score_extract(o, s->extract, s->norm, &got) != EM_OK)
			goto out;	/* the answer was not where the task says */
		o = got;
	}
	switch (s->metric) {
	case METRIC_EXACT:
		score = score_exact(o, target, s->norm);
		break;
	case METRIC_NUMERIC:
		score = score_numeric(o, target, s->tolerance);
		break;
	case METRIC_CHOICE:
		ch = json_object_get(item, s->choices);
		json_array_foreach(ch, i, c)
			if (n < TASK_CHOICES_MAX)
				opts[n++] = json_string_value(c);
		score = score_choice(o, target, opts, n);
		break;
	case METRIC_F1:
		score = score_f1(o, target, s->norm);
		break;
	case METRIC_REGEX:
		break;
	}
out:
	free(got);
	free(cut);
	free(target);
	return score;
}

em_err
task_prompt_hash(const task_spec *s, uint8_t out[static 32])
{
	static const char tag[] = "evalmesh/prompt/v1";
	char *m;
	hash_state hs;

	if (task_json_dump(s->manifest, JSON_COMPACT | JSON_SORT_KEYS, &m) != EM_OK)
		return EM_ENOMEM;	/* never a hash of the tag alone, signed */
	hash_start(&hs);
	hash_update(&hs, (const uint8_t *)tag, sizeof tag - 1);
	hash_update(&hs, (const uint8_t *)m, strlen(m));
	hash_finish(&hs, out);
	free(m);
	return EM_OK;
}
