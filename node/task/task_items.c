/* Task items: from a JSONL file, from chunks, checked against the record. */
#include "task_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hash.h"
#include "merkle.h"
#include "score.h"
#include "utf8.h"

#define ID_TEXT_MAX	BODY_NAME_MAX

/* Writes a one-line reason to why and returns err. */
static int
scalar(const json_t *v)
{
	return json_is_string(v) || json_is_number(v);
}

/* The target's option and another that a response could not tell apart:
 * a model that picks the other would be scored wrong for as good an
 * answer (score_choice_clash). */
static em_err
clash_why(const task_spec *s, const char *const *opts, int idx, int other,
    int letter, char *why, size_t cap)
{
	int a = idx < other ? idx : other, b = idx < other ? other : idx;
	int text = letter == 1 ? other : idx, label = letter == 1 ? idx : other;

	if (letter)
		return task_why(EM_EFORMAT, why, cap, "%s: option %c's text '%.40s' is option %c's "
		    "letter, and the target is one of the two: a response '%c' could mean either",
		    s->choices, 'A' + text, opts[text], 'A' + label, 'A' + label);
	return task_why(EM_EFORMAT, why, cap, "%s: options %c and %c read as the same text "
	    "('%.40s'), and the target is one of them: a model that picks the other would "
	    "be scored wrong", s->choices, 'A' + a, 'A' + b, opts[a]);
}

/* A target the metric can match fairly: a number for numeric (as
 * score_numeric reads numbers: "x", "inf" or "3 + 4" never match
 * anything), an option for multiple choice (a letter in range or an
 * option's text: "E" of four, "Rome", "" never match) that no other option
 * reads like. A task with such an item would score every model 0 on it,
 * whatever it answers. For exact, regex and f1, a target that normalizes
 * to nothing ("", "  ", "..." under strip_punct) would reward an empty
 * answer instead. */
static em_err
target_ok(const task_spec *s, const json_t *item, char *why, size_t cap)
{
	const json_t *v = json_object_get(item, s->target), *ch, *c;
	const char *opts[TASK_CHOICES_MAX];
	char *t = json_is_string(v) ? NULL : json_dumps(v, JSON_ENCODE_ANY);
	const char *text = t ? t : json_string_value(v);
	size_t n = 0, i;
	int idx, other, letter;
	double d;
	em_err err = EM_OK;

	if (text == NULL)
		return task_why(EM_ENOMEM, why, cap, "out of memory");
	if ((s->metric == METRIC_EXACT || s->metric == METRIC_REGEX) ?
	    score_exact("", text, s->norm) > 0 :
	    s->metric == METRIC_F1 && score_f1("", text, s->norm) > 0) {
		err = task_why(EM_EFORMAT, why, cap, "%s: '%.40s' is nothing once normalized, so "
		    "an empty answer would match it", s->target, text);
	} else if (s->metric == METRIC_NUMERIC && !score_number_read(text, &d)) {
		err = task_why(EM_EFORMAT, why, cap, "%s: '%.40s' is not one number (the numeric "
		    "metric could never match it)", s->target, text);
	} else if (s->metric == METRIC_CHOICE) {
		ch = json_object_get(item, s->choices);
		json_array_foreach(ch, i, c)
			opts[n++] = json_string_value(c);
		if ((idx = score_choice_target(text, opts, n)) < 0)
			err = task_why(EM_EFORMAT, why, cap, "%s: '%.40s' names none of the %zu options "
			    "(a letter from A to %c, or an option's text)", s->target, text, n,
			    (int)('A' + n - 1));
		else if ((other = score_choice_clash(opts, n, (size_t)idx, &letter)) >= 0)
			err = clash_why(s, opts, idx, other, letter, why, cap);
	}
	free(t);
	return err;
}

/* One item against the manifest: an id, the target, every placeholder,
 * and the options when the task has them. */
static em_err
check_item(const task_spec *s, json_t *item, char *why, size_t cap)
{
	json_t *id, *v, *c;
	size_t i;

	if (!json_is_object(item))
		return task_why(EM_EFORMAT, why, cap, "not a JSON object");
	id = json_object_get(item, "id");
	if (!(json_is_integer(id) || (json_is_string(id) && json_string_length(id) > 0 &&
	    json_string_length(id) <= ID_TEXT_MAX)))
		return task_why(EM_EFORMAT, why, cap, "id: missing, or not a whole number or a string of 1 to %d bytes",
		    ID_TEXT_MAX);
	if (!scalar(v = json_object_get(item, s->target)))
		return task_why(EM_EFORMAT, why, cap, "%s: the target field is missing or not a string or number",
		    s->target);
	for (i = 0; i < s->n_fields; i++) {
		v = json_object_get(item, s->fields[i]);
		if (v == NULL || (!scalar(v) && strcmp(s->fields[i], s->choices) != 0))
			return task_why(EM_EFORMAT, why, cap, "%s: used by the prompt but missing or not a string or number",
			    s->fields[i]);
	}
	if (s->choices[0] == '\0')
		return target_ok(s, item, why, cap);
	v = json_object_get(item, s->choices);
	if (!json_is_array(v) || json_array_size(v) < 2 || json_array_size(v) > TASK_CHOICES_MAX)
		return task_why(EM_EFORMAT, why, cap, "%s: expected a list of 2 to %d options", s->choices,
		    TASK_CHOICES_MAX);
	json_array_foreach(v, i, c)
		if (!json_is_string(c) || json_string_length(c) == 0)
			return task_why(EM_EFORMAT, why, cap, "%s: option %zu is not a non-empty string", s->choices, i + 1);
	return target_ok(s, item, why, cap);
}

static em_err
items_add(task_items *it, json_t *item, const uint8_t *line, size_t len)
{
	if ((it->n & (it->n - 1)) == 0) {	/* grow at powers of two */
		size_t cap = it->n ? 2 * it->n : 16;
		json_t **ni = realloc(it->item, cap * sizeof *ni);
		uint8_t (*nh)[32];

		if (ni == NULL)
			return EM_ENOMEM;
		it->item = ni;
		if ((nh = realloc(it->hash, cap * sizeof *nh)) == NULL)
			return EM_ENOMEM;
		it->hash = nh;
	}
	it->item[it->n] = item;
	merkle_item(it->hash[it->n], line, len);
	it->n++;
	return EM_OK;
}

em_err
task_line_parse(const task_spec *s, const char *line, size_t len, json_t **out,
    char *why, size_t cap)
{
	json_error_t je;
	json_t *item;
	em_err err;

	*out = NULL;
	if (len > TASK_ITEM_MAX)
		return task_why(EM_EFORMAT, why, cap, "longer than %d bytes", TASK_ITEM_MAX);
	if (!utf8_valid((const uint8_t *)line, len))
		return task_why(EM_EFORMAT, why, cap, "not valid UTF-8");
	if ((item = json_loadb(line, len, JSON_REJECT_DUPLICATES, &je)) == NULL)
		return task_why(EM_EFORMAT, why, cap, "not valid JSON: %s", task_json_why(&je));
	if ((err = check_item(s, item, why, cap)) != EM_OK) {
		json_decref(item);
		return err;
	}
	*out = item;
	return EM_OK;
}

em_err
task_items_parse(const task_spec *s, const uint8_t *chunk, size_t len,
    task_items *items, char *why, size_t cap)
{
	const char *p = (const char *)chunk, *end = p + len;
	char inner[TASK_WHY_MAX];

	if (len == 0 || len > TASK_CHUNK_MAX || chunk[len - 1] != '\n')
		return task_why(EM_EFORMAT, why, cap, "a chunk must be 1 to %d bytes of lines", TASK_CHUNK_MAX);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		json_t *item;
		em_err err;

		if ((err = task_line_parse(s, p, (size_t)(nl - p), &item, inner, sizeof inner)) != EM_OK)
			return task_why(err, why, cap, "item %zu: %s", items->n + 1, inner);
		if ((err = items_add(items, item, (const uint8_t *)p, (size_t)(nl - p))) != EM_OK) {
			json_decref(item);
			return task_why(err, why, cap, "item %zu: out of memory", items->n + 1);
		}
		p = nl + 1;
	}
	return EM_OK;
}

/* The id as text, for messages and uniqueness. */
static void
id_text(const json_t *item, char *buf, size_t cap)
{
	const json_t *id = json_object_get(item, "id");

	if (json_is_string(id))
		snprintf(buf, cap, "s%s", json_string_value(id));
	else
		snprintf(buf, cap, "i%" JSON_INTEGER_FORMAT, json_integer_value(id));
}

static int
cmp_ids(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The first pair of items sharing an id, by position; 0 if none. */
static em_err
find_dup(const task_items *it, size_t *first, size_t *second)
{
	char (*ids)[ID_TEXT_MAX + 24], **ord;
	em_err err = EM_OK;

	*first = *second = 0;
	ids = malloc((it->n ? it->n : 1) * sizeof *ids);
	ord = malloc((it->n ? it->n : 1) * sizeof *ord);
	if (ids == NULL || ord == NULL) {
		free(ids);
		free(ord);
		return EM_ENOMEM;
	}
	for (size_t i = 0; i < it->n; i++) {
		id_text(it->item[i], ids[i], sizeof ids[i]);
		ord[i] = ids[i];
	}
	qsort(ord, it->n, sizeof *ord, cmp_ids);
	for (size_t i = 1; i < it->n; i++)
		if (strcmp(ord[i - 1], ord[i]) == 0) {
			size_t a = (size_t)(ord[i - 1] - ids[0]) / sizeof ids[0];
			size_t b = (size_t)(ord[i] - ids[0]) / sizeof ids[0];

			*first = (a < b ? a : b) + 1;
			*second = (a < b ? b : a) + 1;
			err = EM_EEXIST;
			break;
		}
	free(ids);
	free(ord);
	return err;
}

em_err
task_items_check(const task_items *items, const body_task *t, char *why, size_t cap)
{
	uint8_t root[32];
	size_t a, b;
	em_err err;

	if ((err = find_dup(items, &a, &b)) == EM_EEXIST)
		return task_why(EM_EFORMAT, why, cap, "items %zu and %zu have the same id", a, b);
	if (err != EM_OK)
		return task_why(err, why, cap, "out of memory");
	if (items->n != t->n_items)
		return task_why(EM_EFORMAT, why, cap, "the chunks hold %zu items, the record says %llu", items->n,
		    (unsigned long long)t->n_items);
	if ((err = merkle_root(root, (const uint8_t *)items->hash, items->n)) != EM_OK)
		return task_why(err, why, cap, "out of memory");
	if (memcmp(root, t->items_root, 32) != 0)
		return task_why(EM_EFORMAT, why, cap, "the items do not hash to the record's items root");
	return EM_OK;
}

void
task_items_free(task_items *items)
{
	for (size_t i = 0; i < items->n; i++)
		json_decref(items->item[i]);
	free(items->item);
	free(items->hash);
	memset(items, 0, sizeof *items);
}
