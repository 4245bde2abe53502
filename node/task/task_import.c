/* Benchmarks in the layouts they ship in, made into our tasks (see
 * task_import.h). CSV is read by libcsv (strict mode): a well-kept RFC
 * 4180 parser rather than our own, since quoting rules are where hand
 * parsers go wrong. */
#include "task_import.h"

#include <csv.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "task.h"
#include "utf8.h"

static const char prompt_en[] =
    "The following is a multiple choice question. Answer with the letter of the "
    "correct option.\n\n{question}\n{choices}";
static const char prompt_zh[] =
    "以下是单项选择题，请直接给出正确答案的选项字母。\n\n{question}\n{choices}";
static const char prompt_math[] =
    "Solve the problem. End your answer with \"The answer is N.\"\n\n{question}";

/* The parts of an item, as columns of a CSV row (-1: absent). */
enum { P_QUESTION, P_ANSWER, P_ID, P_CHOICE0 };
#define PARTS	(P_CHOICE0 + TASK_IMPORT_CHOICES_MAX)

struct ctx {
	const task_import_opts	*o;
	char		**f;		/* the row's fields (copies, NUL-terminated) */
	size_t		 *fl, nf, capf;
	size_t		  row;		/* rows read, a header included */
	int		  col[PARTS];	/* the column of each part */
	size_t		  header_n;	/* the header's columns (ceval, csv) */
	size_t		  n_choices;
	char		 *buf;		/* the items file */
	size_t		  len, cap_buf, n;
	em_err		  err;
	char		 *why;
	size_t		  cap;
};

static void fail(struct ctx *c, em_err err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
fail(struct ctx *c, em_err err, const char *fmt, ...)
{
	va_list ap;

	if (c->err != EM_OK)
		return;
	c->err = err;
	va_start(ap, fmt);
	vsnprintf(c->why, c->cap, fmt, ap);
	va_end(ap);
}

static void
append(struct ctx *c, const char *s, size_t n)
{
	if (c->len + n + 1 > c->cap_buf) {
		size_t cap = c->cap_buf ? c->cap_buf : 4096;
		char *nb;

		while (cap < c->len + n + 1)
			cap *= 2;
		if ((nb = realloc(c->buf, cap)) == NULL) {
			fail(c, EM_ENOMEM, "out of memory");
			return;
		}
		c->buf = nb;
		c->cap_buf = cap;
	}
	memcpy(c->buf + c->len, s, n);
	c->len += n;
	c->buf[c->len] = '\0';
}

/* A text from the input as a JSON string: UTF-8 without NUL. where names
 * it in the message ("row 3, column 'B'"). NULL after fail(). */
static json_t *
text(struct ctx *c, const char *s, size_t n, const char *where)
{
	json_t *j;

	if (!utf8_valid((const uint8_t *)s, n)) {
		fail(c, EM_EUTF8, "%s: not UTF-8 text (or holds a NUL byte)", where);
		return NULL;
	}
	if ((j = json_stringn(s, n)) == NULL)
		fail(c, EM_ENOMEM, "out of memory");
	return j;
}

/* An id as the file wrote it: a whole number stays one. */
static json_t *
id_of(struct ctx *c, const char *s, size_t n, const char *where)
{
	size_t i = 0;

	while (i < n && i < 18 && isdigit((unsigned char)s[i]))
		i++;
	if (n > 0 && i == n)
		return json_integer(strtoll(s, NULL, 10));
	return text(c, s, n, where);
}

/* A multiple-choice answer: one letter of the n options, any case, spaces
 * around it ignored. */
static json_t *
letter(struct ctx *c, const char *s, size_t len, size_t n, const char *where)
{
	char l[2] = { 0, 0 };

	while (len > 0 && isspace((unsigned char)*s))
		s++, len--;
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	if (len == 0) {
		fail(c, EM_EFORMAT, "%s: no answer (the test splits of C-Eval and CMMLU ship "
		    "none: import the dev or val split)", where);
		return NULL;
	}
	l[0] = (char)toupper((unsigned char)s[0]);
	if (len != 1 || l[0] < 'A' || l[0] >= (char)('A' + n)) {
		fail(c, EM_EFORMAT, "%s: answer '%.*s' is not a letter from A to %c", where,
		    (int)(len > 16 ? 16 : len), s, (int)('A' + n - 1));
		return NULL;
	}
	return json_string(l);
}

/* Appends one item (takes every reference, NULLs included). */
static void
emit(struct ctx *c, json_t *id, json_t *q, json_t *answer, json_t *choices)
{
	json_t *item = NULL;
	char *line = NULL;

	c->n++;
	if (c->err == EM_OK && json_is_string(q) && json_string_length(q) == 0)
		fail(c, EM_EFORMAT, "item %zu: the question is empty", c->n);
	if (c->err == EM_OK && (id == NULL || q == NULL || answer == NULL))
		fail(c, EM_ENOMEM, "out of memory");
	if (c->err == EM_OK && ((item = json_pack("{s:O, s:O, s:O}", "id", id, "question", q,
	    "answer", answer)) == NULL || (choices != NULL &&
	    json_object_set(item, "choices", choices) != 0) ||
	    task_json_dump(item, JSON_SORT_KEYS, &line) != EM_OK))
		fail(c, EM_ENOMEM, "out of memory");
	if (c->err == EM_OK) {
		append(c, line, strlen(line));
		append(c, "\n", 1);
	}
	free(line);
	json_decref(item);
	json_decref(id);
	json_decref(q);
	json_decref(answer);
	json_decref(choices);
}

/* --- CSV */

static int
header_is(const char *f, const char *name)
{
	return strcasecmp(f, name) == 0;
}

/* The header row: each part's column, by name. */
static void
map_header(struct ctx *c)
{
	const task_import_opts *o = c->o;
	static const char *const letters[] = { "A", "B", "C", "D" };
	const char *want[PARTS] = { 0 };
	size_t i, p;

	if (o->format == TASK_FMT_CEVAL) {
		want[P_QUESTION] = "question";
		want[P_ANSWER] = "answer";
		want[P_ID] = "id";
		for (i = 0; i < 4; i++)
			want[P_CHOICE0 + i] = letters[i];
		c->n_choices = 4;
	} else {
		want[P_QUESTION] = o->question ? o->question : "question";
		want[P_ANSWER] = o->answer ? o->answer : "answer";
		want[P_ID] = o->id ? o->id : "id";
		for (i = 0; i < o->n_choices && i < TASK_IMPORT_CHOICES_MAX; i++)
			want[P_CHOICE0 + i] = o->choices[i];
		c->n_choices = o->n_choices;
	}
	c->header_n = c->nf;
	for (p = 0; p < PARTS; p++) {
		c->col[p] = -1;
		for (i = 0; want[p] != NULL && i < c->nf && c->col[p] < 0; i++)
			if (header_is(c->f[i], want[p]))
				c->col[p] = (int)i;
		/* CMMLU's index column has no name */
		if (p == P_ID && c->col[p] < 0 && o->format == TASK_FMT_CEVAL && c->nf > 0 &&
		    c->f[0][0] == '\0')
			c->col[p] = 0;
		if (want[p] != NULL && c->col[p] < 0 && (p != P_ID || o->id != NULL))
			fail(c, EM_EFORMAT, "row 1 (the header): no column '%s'%s", want[p],
			    o->format == TASK_FMT_CEVAL ? " (C-Eval's: id,question,A,B,C,D,answer,"
			    "explanation)" : "");
	}
}

static void
csv_item(struct ctx *c)
{
	char where[96];
	json_t *choices = json_array(), *id, *q, *a;
	size_t i;

	if (c->header_n > 0 && c->nf > c->header_n) {	/* every later column shifted */
		fail(c, EM_EFORMAT, "row %zu: %zu columns, the header has %zu (a comma in a field "
		    "without quotes?)", c->row, c->nf, c->header_n);
		json_decref(choices);
		return;
	}
	for (i = 0; i < PARTS; i++)
		if (c->col[i] >= 0 && (size_t)c->col[i] >= c->nf) {
			fail(c, EM_EFORMAT, "row %zu: %zu columns, the header has more", c->row, c->nf);
			json_decref(choices);
			return;
		}
	for (i = 0; i < c->n_choices && c->err == EM_OK; i++) {
		size_t k = (size_t)c->col[P_CHOICE0 + i];

		snprintf(where, sizeof where, "row %zu, option %c", c->row, (int)('A' + i));
		if (json_array_append_new(choices, text(c, c->f[k], c->fl[k], where)) != 0)
			fail(c, EM_ENOMEM, "out of memory");
	}
	snprintf(where, sizeof where, "row %zu, the id", c->row);
	id = c->col[P_ID] >= 0 && c->fl[c->col[P_ID]] > 0 ?
	    id_of(c, c->f[c->col[P_ID]], c->fl[c->col[P_ID]], where) :
	    json_integer((json_int_t)c->n + 1);
	snprintf(where, sizeof where, "row %zu, the question", c->row);
	q = text(c, c->f[c->col[P_QUESTION]], c->fl[c->col[P_QUESTION]], where);
	snprintf(where, sizeof where, "row %zu", c->row);
	a = c->n_choices ? letter(c, c->f[c->col[P_ANSWER]], c->fl[c->col[P_ANSWER]],
	    c->n_choices, where) : text(c, c->f[c->col[P_ANSWER]], c->fl[c->col[P_ANSWER]], where);
	if (c->n_choices == 0) {
		json_decref(choices);
		choices = NULL;
	}
	emit(c, id, q, a, choices);
}

static void
on_field(void *s, size_t n, void *data)
{
	struct ctx *c = data;
	char *copy;

	if (c->err != EM_OK)
		return;
	if (c->nf == c->capf) {
		size_t cap = c->capf ? 2 * c->capf : 16;
		char **f = realloc(c->f, cap * sizeof *f);
		size_t *fl = f ? realloc(c->fl, cap * sizeof *fl) : NULL;

		if (f != NULL)
			c->f = f;
		if (fl == NULL) {
			fail(c, EM_ENOMEM, "out of memory");
			return;
		}
		c->fl = fl;
		c->capf = cap;
	}
	if ((copy = malloc(n + 1)) == NULL) {
		fail(c, EM_ENOMEM, "out of memory");
		return;
	}
	memcpy(copy, s, n);
	copy[n] = '\0';
	c->f[c->nf] = copy;
	c->fl[c->nf++] = n;
}

static void
clear_row(struct ctx *c)
{
	for (size_t i = 0; i < c->nf; i++)
		free(c->f[i]);
	c->nf = 0;
}

static void
on_row(int term, void *data)
{
	struct ctx *c = data;

	(void)term;
	c->row++;
	if (c->err != EM_OK || (c->nf == 1 && c->fl[0] == 0)) {	/* a blank line */
		clear_row(c);
		return;
	}
	if (c->o->format == TASK_FMT_MMLU) {
		if (c->row == 1 && c->nf == 6 && header_is(c->f[0], "question") &&
		    header_is(c->f[1], "A") && header_is(c->f[5], "answer")) {
			clear_row(c);
			return;
		}
		if (c->nf != 6)
			fail(c, EM_EFORMAT, "row %zu: %zu columns; MMLU's rows have 6 (question, "
			    "A, B, C, D, answer)", c->row, c->nf);
		for (int i = 0; i < 4; i++)
			c->col[P_CHOICE0 + i] = 1 + i;
		c->col[P_QUESTION] = 0;
		c->col[P_ANSWER] = 5;
		c->col[P_ID] = -1;
		c->n_choices = 4;
		if (c->err == EM_OK)
			csv_item(c);
	} else if (c->row == 1) {
		map_header(c);
	} else {
		csv_item(c);
	}
	clear_row(c);
}

static void
read_csv(struct ctx *c, const uint8_t *in, size_t len)
{
	struct csv_parser p;

	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0) {
		fail(c, EM_ENOMEM, "out of memory");
		return;
	}
	if (csv_parse(&p, in, len, on_field, on_row, c) != len ||
	    csv_fini(&p, on_field, on_row, c) != 0)
		fail(c, csv_error(&p) == CSV_ENOMEM ? EM_ENOMEM : EM_EFORMAT,
		    "row %zu: not CSV as RFC 4180 has it (%s)", c->row + 1,
		    csv_strerror(csv_error(&p)));
	csv_free(&p);
	clear_row(c);
}

/* --- JSONL */

/* GSM8K's answer: the worked solution, then "#### N". N without commas
 * (and spaces) if it is one number; NULL after fail(). */
static json_t *
gsm8k_target(struct ctx *c, const char *s, size_t line)
{
	const char *mark = NULL, *p;
	char num[64];
	size_t n = 0, i = 0;

	for (p = s; (p = strstr(p, "####")) != NULL; p += 4)
		mark = p;
	if (mark == NULL) {
		fail(c, EM_EFORMAT, "line %zu: answer: no '#### N' line (GSM8K's final answer)",
		    line);
		return NULL;
	}
	for (p = mark + 4; *p != '\0' && n < sizeof num - 1; p++)
		if (*p != ',' && !isspace((unsigned char)*p))
			num[n++] = *p;
	num[n] = '\0';
	if (num[i] == '-')
		i++;
	while (isdigit((unsigned char)num[i]))
		i++;
	if (i < n && num[i] == '.' && isdigit((unsigned char)num[i + 1]))
		for (i++; isdigit((unsigned char)num[i]); i++)
			;
	if (n == 0 || i != n || (num[0] == '-' && n == 1) || *p != '\0') {
		fail(c, EM_EFORMAT, "line %zu: answer: '#### %.20s' is not one number", line, num);
		return NULL;
	}
	if (strchr(num, '.') == NULL && n < 18)
		return json_integer(strtoll(num, NULL, 10));
	return json_string(num);
}

/* A field of a JSONL object; NULL after fail() when it must be there. */
static json_t *
field(struct ctx *c, json_t *o, const char *name, size_t line, int must)
{
	json_t *v = json_object_get(o, name);

	if (v == NULL && must)
		fail(c, EM_EFORMAT, "line %zu: no field '%s'", line, name);
	return v;
}

static void
jsonl_item(struct ctx *c, json_t *obj, size_t line)
{
	const task_import_opts *o = c->o;
	int gsm = o->format == TASK_FMT_GSM8K;
	json_t *q = field(c, obj, gsm || !o->question ? "question" : o->question, line, 1);
	json_t *a = field(c, obj, gsm || !o->answer ? "answer" : o->answer, line, 1);
	json_t *id = gsm ? NULL : field(c, obj, o->id ? o->id : "id", line, o->id != NULL);
	json_t *ch = !gsm && o->n_choices ? field(c, obj, o->choices[0], line, 1) : NULL;
	json_t *answer = NULL;

	if (c->err != EM_OK)
		return;
	if (!json_is_string(q)) {
		fail(c, EM_EFORMAT, "line %zu: the question is not a string", line);
		return;
	}
	if (id != NULL && !json_is_string(id) && !json_is_integer(id)) {
		fail(c, EM_EFORMAT, "line %zu: the id is not a string or a whole number", line);
		return;
	}
	if (ch != NULL) {
		size_t i, n = json_array_size(ch);
		char where[48];

		if (!json_is_array(ch) || n < 2 || n > TASK_IMPORT_CHOICES_MAX) {
			fail(c, EM_EFORMAT, "line %zu: '%s' is not a list of 2 to 26 options", line,
			    o->choices[0]);
			return;
		}
		for (i = 0; i < n; i++)
			if (!json_is_string(json_array_get(ch, i))) {
				fail(c, EM_EFORMAT, "line %zu: option %zu is not a string", line, i + 1);
				return;
			}
		snprintf(where, sizeof where, "line %zu", line);
		if (json_is_integer(a) && json_integer_value(a) >= 0 &&
		    (size_t)json_integer_value(a) < n)
			answer = json_sprintf("%c", (int)('A' + json_integer_value(a)));
		else if (json_is_string(a))
			answer = letter(c, json_string_value(a), json_string_length(a), n, where);
		else
			fail(c, EM_EFORMAT, "line %zu: the answer is not a letter or an option's index",
			    line);
		if (c->err != EM_OK)
			return;
		json_incref(ch);
	} else if (gsm) {
		if (!json_is_string(a)) {
			fail(c, EM_EFORMAT, "line %zu: the answer is not a string", line);
			return;
		}
		if ((answer = gsm8k_target(c, json_string_value(a), line)) == NULL)
			return;
	} else if (json_is_string(a) || json_is_number(a)) {
		answer = json_incref(a);
	} else {
		fail(c, EM_EFORMAT, "line %zu: the answer is not a string or a number", line);
		return;
	}
	emit(c, id ? json_incref(id) : json_integer((json_int_t)c->n + 1), json_incref(q),
	    answer, ch);
}

static void
read_jsonl(struct ctx *c, const uint8_t *in, size_t len)
{
	size_t off = 0, line = 0;

	while (off < len && c->err == EM_OK) {
		const uint8_t *nl = memchr(in + off, '\n', len - off);
		size_t end = nl ? (size_t)(nl - in) : len, n = end - off;
		json_error_t je;
		json_t *obj;

		size_t blank = 0;

		line++;
		if (n > 0 && in[off + n - 1] == '\r')
			n--;
		while (blank < n && (in[off + blank] == ' ' || in[off + blank] == '\t'))
			blank++;
		if (blank == n) {	/* an empty line */
			off = end + 1;
			continue;
		}
		obj = json_loadb((const char *)in + off, n, JSON_REJECT_DUPLICATES, &je);
		/* jansson says nothing when it cannot allocate its lexer */
		if (obj == NULL && (json_error_code(&je) == json_error_out_of_memory ||
		    je.text[0] == '\0'))
			fail(c, EM_ENOMEM, "out of memory");
		else if (obj == NULL)
			fail(c, EM_EFORMAT, "line %zu: not JSON (column %d)", line, je.column);
		else if (!json_is_object(obj))
			fail(c, EM_EFORMAT, "line %zu: not a JSON object", line);
		else
			jsonl_item(c, obj, line);
		json_decref(obj);
		off = end + 1;
	}
}

/* --- the manifest */

static json_t *
manifest(const task_import_opts *o, size_t n_choices)
{
	const char *metric = "multiple_choice", *prompt = prompt_en, *lang = "en";
	json_t *m;

	switch (o->format) {
	case TASK_FMT_CEVAL:
		prompt = prompt_zh;
		lang = "zh";
		break;
	case TASK_FMT_GSM8K:
		metric = "numeric";
		prompt = prompt_math;
		break;
	case TASK_FMT_JSONL:
	case TASK_FMT_CSV:
		lang = NULL;
		if (n_choices == 0) {
			metric = o->metric ? o->metric : "exact_match";
			prompt = "{question}";
		}
		break;
	default:
		break;
	}
	m = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:s}", "name", o->name, "version",
	    o->version, "metric", metric, "prompt", prompt, "target", "answer", "items",
	    "items.jsonl", "temperature", 0, "description", "Imported with 'evalmesh task import'.");
	if (m != NULL && ((lang != NULL && json_object_set_new(m, "language", json_string(lang))) ||
	    (n_choices > 0 && json_object_set_new(m, "choices", json_string("choices"))))) {
		json_decref(m);
		m = NULL;
	}
	return m;
}

int
task_format_parse(const char *s, enum task_format *out)
{
	static const char *const names[] = { "mmlu", "ceval", "gsm8k", "jsonl", "csv" };

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(s, names[i]) == 0) {
			*out = (enum task_format)i;
			return 0;
		}
	return -1;
}

em_err
task_import(const uint8_t *in, size_t len, const task_import_opts *o, task_import_out *out,
    char *why, size_t cap)
{
	struct ctx c = { .o = o, .why = why, .cap = cap };

	memset(out, 0, sizeof *out);
	if (len >= 3 && memcmp(in, "\xef\xbb\xbf", 3) == 0) {	/* a byte order mark */
		in += 3;
		len -= 3;
	}
	for (size_t p = 0; p < PARTS; p++)
		c.col[p] = -1;
	if (o->format == TASK_FMT_GSM8K || o->format == TASK_FMT_JSONL)
		read_jsonl(&c, in, len);
	else
		read_csv(&c, in, len);
	if (c.err == EM_OK && c.n == 0)
		fail(&c, EM_EFORMAT, "no items%s", c.row == 1 ? " (only a header)" : "");
	if (c.err == EM_OK && ((out->manifest = manifest(o, o->format == TASK_FMT_GSM8K ? 0 :
	    o->format == TASK_FMT_MMLU || o->format == TASK_FMT_CEVAL ? 4 : o->n_choices)) == NULL ||
	    task_json_dump(out->manifest, JSON_SORT_KEYS | JSON_INDENT(2), &out->manifest_text) !=
	    EM_OK))
		fail(&c, EM_ENOMEM, "out of memory");
	free(c.f);
	free(c.fl);
	if (c.err != EM_OK) {
		json_decref(out->manifest);
		free(out->manifest_text);
		free(c.buf);
		memset(out, 0, sizeof *out);
		return c.err;
	}
	out->items = c.buf;
	out->len = c.len;
	out->n = c.n;
	return EM_OK;
}

void
task_import_free(task_import_out *out)
{
	json_decref(out->manifest);
	free(out->manifest_text);
	free(out->items);
	memset(out, 0, sizeof *out);
}
