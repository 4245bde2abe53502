/* Task items: the rules one item must keep, and reading one item line. */
#include "task_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
