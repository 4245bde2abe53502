/* task import (node/task/task_import.h): public benchmarks' layouts, as the
 * team wrote small files in each — MMLU's headerless CSV, C-Eval's and
 * CMMLU's headers, GSM8K's "#### N", generic JSONL and CSV — with Chinese
 * text, quoted commas, quotes and line breaks, CRLF and a byte order mark;
 * every refusal names its row or line; the same bytes give the same items;
 * and a jansson allocation that fails is EM_ENOMEM, said, nothing leaked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "json_oom.h"
#include "task_import.h"

#define BOM	"\xef\xbb\xbf"

struct row {
	enum task_format fmt;
	const char	*in;
	const char	*items;		/* the items file wanted, or NULL: an error */
	const char	*why;		/* part of the error wanted */
	const char	*question, *answer, *id, *metric;
	const char	*choices[5];
};

static const struct row rows[] = {
	/* MMLU: no header; a BOM, CRLF, quoted commas and doubled quotes */
	{ TASK_FMT_MMLU, BOM "\"What is 2+2, roughly?\",3,4,5,\"six, or \"\"6\"\"\",B\r\n"
	    "Which is prime?,4,6,7,9,c\r\n",
	  "{\"answer\": \"B\", \"choices\": [\"3\", \"4\", \"5\", \"six, or \\\"6\\\"\"], \"id\": 1, "
	  "\"question\": \"What is 2+2, roughly?\"}\n"
	  "{\"answer\": \"C\", \"choices\": [\"4\", \"6\", \"7\", \"9\"], \"id\": 2, "
	  "\"question\": \"Which is prime?\"}\n", NULL, NULL, NULL, NULL, NULL, { NULL } },
	/* a header some exports add is skipped; a line break inside quotes */
	{ TASK_FMT_MMLU, "question,A,B,C,D,answer\n\"two\nlines\",a,b,c,d,D\n",
	  "{\"answer\": \"D\", \"choices\": [\"a\", \"b\", \"c\", \"d\"], \"id\": 1, "
	  "\"question\": \"two\\nlines\"}\n", NULL, NULL, NULL, NULL, NULL, { NULL } },
	{ TASK_FMT_MMLU, "q,a,b,c,d,E\n", NULL, "row 1: answer 'E' is not a letter from A to D",
	  NULL, NULL, NULL, NULL, { NULL } },
	{ TASK_FMT_MMLU, "q,a,b,c,d,A\nq2,a,b,c,A\n", NULL, "row 2: 5 columns; MMLU's rows have 6",
	  NULL, NULL, NULL, NULL, { NULL } },
	{ TASK_FMT_MMLU, "\"q,a,b,c,d,A\n", NULL, "row 1: not CSV as RFC 4180 has it",
	  NULL, NULL, NULL, NULL, { NULL } },
	{ TASK_FMT_MMLU, "q,a,\xff,c,d,A\n", NULL, "row 1, option B: not UTF-8", NULL, NULL, NULL,
	  NULL, { NULL } },
	{ TASK_FMT_MMLU, "", NULL, "no items", NULL, NULL, NULL, NULL, { NULL } },
	{ TASK_FMT_MMLU, "\"\",a,b,c,d,A\n", NULL, "item 1: the question is empty", NULL, NULL,
	  NULL, NULL, { NULL } },
	/* C-Eval: its header, Chinese, an explanation ignored, ids kept */
	{ TASK_FMT_CEVAL, "id,question,A,B,C,D,answer,explanation\n"
	    "0,中国的首都是哪里？,上海,北京,广州,深圳,B,\"北京，首都\"\n",
	  "{\"answer\": \"B\", \"choices\": [\"上海\", \"北京\", \"广州\", \"深圳\"], \"id\": 0, "
	  "\"question\": \"中国的首都是哪里？\"}\n", NULL, NULL, NULL, NULL, NULL, { NULL } },
	/* CMMLU: an unnamed index column, capitalised names */
	{ TASK_FMT_CEVAL, BOM ",Question,A,B,C,D,Answer\r\n7,一加一？,1,2,3,4,B\r\n",
	  "{\"answer\": \"B\", \"choices\": [\"1\", \"2\", \"3\", \"4\"], \"id\": 7, "
	  "\"question\": \"一加一？\"}\n", NULL, NULL, NULL, NULL, NULL, { NULL } },
	{ TASK_FMT_CEVAL, "id,question,A,B,C,D,answer\n1,q,a,b,c,d,\n", NULL,
	  "row 2: no answer (the test splits", NULL, NULL, NULL, NULL, { NULL } },
	{ TASK_FMT_CEVAL, "id,question,A,B,C,answer\n1,q,a,b,c,A\n", NULL,
	  "row 1 (the header): no column 'D'", NULL, NULL, NULL, NULL, { NULL } },
	{ TASK_FMT_CEVAL, "id,question,A,B,C,D,answer\n", NULL, "no items (only a header)",
	  NULL, NULL, NULL, NULL, { NULL } },
	/* GSM8K: the number after the last ####, commas dropped */
	{ TASK_FMT_GSM8K, "{\"question\": \"How many?\", \"answer\": \"48/2 = 24\\n#### 1,072\"}\r\n"
	    "\n{\"question\": \"Owed?\", \"answer\": \"#### 2\\n#### -3.5\"}\n",
	  "{\"answer\": 1072, \"id\": 1, \"question\": \"How many?\"}\n"
	  "{\"answer\": \"-3.5\", \"id\": 2, \"question\": \"Owed?\"}\n", NULL, NULL, NULL, NULL,
	  NULL, { NULL } },
	{ TASK_FMT_GSM8K, "{\"question\": \"q\", \"answer\": \"so 12\"}\n", NULL,
	  "line 1: answer: no '#### N' line", NULL, NULL, NULL, NULL, { NULL } },
	{ TASK_FMT_GSM8K, "\n{\"question\": \"q\", \"answer\": \"#### 12 apples\"}\n", NULL,
	  "line 2: answer: '#### 12apples' is not one number", NULL, NULL, NULL, NULL, { NULL } },
	{ TASK_FMT_GSM8K, "[1]\n", NULL, "line 1: not a JSON object", NULL, NULL, NULL, NULL,
	  { NULL } },
	{ TASK_FMT_GSM8K, "{\"question\": \"q\",\n", NULL, "line 1: not JSON", NULL, NULL, NULL,
	  NULL, { NULL } },
	{ TASK_FMT_GSM8K, "{\"question\": \"q\", \"question\": \"r\", \"answer\": \"#### 1\"}\n",
	  NULL, "line 1: not JSON", NULL, NULL, NULL, NULL, { NULL } },
	/* generic JSONL: fields named, options as a list, an index answer */
	{ TASK_FMT_JSONL, "{\"q\": \"Capital?\", \"opts\": [\"Lyon\", \"Paris\"], \"gold\": 1, "
	    "\"uid\": \"fr-1\"}\n{\"q\": \"Sea?\", \"opts\": [\"a\", \"b\", \"c\"], \"gold\": \"c\", "
	    "\"uid\": \"fr-2\"}\n",
	  "{\"answer\": \"B\", \"choices\": [\"Lyon\", \"Paris\"], \"id\": \"fr-1\", "
	  "\"question\": \"Capital?\"}\n"
	  "{\"answer\": \"C\", \"choices\": [\"a\", \"b\", \"c\"], \"id\": \"fr-2\", "
	  "\"question\": \"Sea?\"}\n", NULL, "q", "gold", "uid", NULL, { "opts" } },
	{ TASK_FMT_JSONL, "{\"question\": \"2+2\", \"answer\": 4}\n",
	  "{\"answer\": 4, \"id\": 1, \"question\": \"2+2\"}\n", NULL, NULL, NULL, NULL, "numeric",
	  { NULL } },
	{ TASK_FMT_JSONL, "{\"q\": \"x\"}\n", NULL, "line 1: no field 'a'", "q", "a", NULL, NULL,
	  { NULL } },
	{ TASK_FMT_JSONL, "{\"question\": \"x\", \"answer\": \"a\", \"o\": [\"only\"]}\n", NULL,
	  "line 1: 'o' is not a list of 2 to 26 options", NULL, NULL, NULL, NULL, { "o" } },
	/* generic CSV: columns named, one per option */
	{ TASK_FMT_CSV, "prompt,o1,o2,o3,key\n\"Pick, please\",x,y,z,b\n",
	  "{\"answer\": \"B\", \"choices\": [\"x\", \"y\", \"z\"], \"id\": 1, "
	  "\"question\": \"Pick, please\"}\n", NULL, "prompt", "key", NULL, NULL,
	  { "o1", "o2", "o3" } },
	{ TASK_FMT_CSV, "question,answer\n翻译：猫,cat\n",
	  "{\"answer\": \"cat\", \"id\": 1, \"question\": \"翻译：猫\"}\n", NULL, NULL, NULL, NULL,
	  NULL, { NULL } },
	{ TASK_FMT_CSV, "question,answer\nq\n", NULL, "row 2: 1 columns, the header has more",
	  NULL, NULL, NULL, NULL, { NULL } },
	/* a comma outside quotes shifts every later column (a fresh attacker's
	 * '1,000 plus 1?' became the answer '000 plus 1?') */
	{ TASK_FMT_CSV, "q,a\nWhat is 1,000 plus 1?,1001\n", NULL,
	  "row 2: 3 columns, the header has 2 (a comma in a field without quotes?)", "q", "a",
	  NULL, NULL, { NULL } },
	{ TASK_FMT_CEVAL, "id,question,A,B,C,D,answer\n1,q,a,b,c,d,A,extra\n", NULL,
	  "row 2: 8 columns, the header has 7", NULL, NULL, NULL, NULL, { NULL } },
};

static void
opts_of(const struct row *r, task_import_opts *o)
{
	memset(o, 0, sizeof *o);
	o->format = r->fmt;
	o->name = "t";
	o->version = "1";
	o->question = r->question;
	o->answer = r->answer;
	o->id = r->id;
	o->metric = r->metric;
	o->choices = r->choices;
	while (o->n_choices < 5 && r->choices[o->n_choices] != NULL)
		o->n_choices++;
}

static void
test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		const struct row *r = &rows[i];
		task_import_opts o;
		task_import_out out, again;
		char why[256] = "";
		em_err err;

		opts_of(r, &o);
		err = task_import((const uint8_t *)r->in, strlen(r->in), &o, &out, why, sizeof why);
		if (r->items == NULL) {
			if (err == EM_OK || strstr(why, r->why) == NULL)
				fail_msg("row %zu: error %d '%s', wanted '%s'", i, err, why, r->why);
			assert_null(out.manifest);
			assert_null(out.items);
			continue;
		}
		if (err != EM_OK)
			fail_msg("row %zu: %s", i, why);
		if (strcmp(out.items, r->items) != 0)
			fail_msg("row %zu: items\n%s\nwanted\n%s", i, out.items, r->items);
		/* the same bytes, the same items and manifest */
		assert_int_equal(task_import((const uint8_t *)r->in, strlen(r->in), &o, &again, why,
		    sizeof why), EM_OK);
		assert_string_equal(again.items, out.items);
		assert_true(json_equal(again.manifest, out.manifest));
		task_import_free(&again);
		task_import_free(&out);
	}
}

/* What each format's manifest says. */
static void
test_manifest(void **state)
{
	static const struct { size_t row; const char *metric, *lang, *prompt_has; int mc; } m[] = {
		{ 0, "multiple_choice", "en", "letter of the correct option", 1 },
		{ 8, "multiple_choice", "zh", "单项选择题", 1 },
		{ 13, "numeric", "en", "The answer is N.", 0 },
		{ 20, "numeric", NULL, "{question}", 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) {
		const struct row *r = &rows[m[i].row];
		task_import_opts o;
		task_import_out out;
		char why[256];
		json_t *j;

		opts_of(r, &o);
		assert_int_equal(task_import((const uint8_t *)r->in, strlen(r->in), &o, &out, why,
		    sizeof why), EM_OK);
		j = out.manifest;
		assert_string_equal(json_string_value(json_object_get(j, "metric")), m[i].metric);
		assert_string_equal(json_string_value(json_object_get(j, "items")), "items.jsonl");
		assert_string_equal(json_string_value(json_object_get(j, "target")), "answer");
		assert_non_null(strstr(json_string_value(json_object_get(j, "prompt")), m[i].prompt_has));
		if (m[i].lang != NULL)
			assert_string_equal(json_string_value(json_object_get(j, "language")), m[i].lang);
		else
			assert_null(json_object_get(j, "language"));
		assert_int_equal(json_object_get(j, "choices") != NULL, m[i].mc);
		task_import_free(&out);
	}
}

/* Every jansson allocation, failed in turn: EM_ENOMEM and said, or (an
 * allocation the import could do without) the same items; never a crash
 * or a leak (under ASan). */
static void
test_oom(void **state)
{
	const struct row *r = &rows[19];	/* JSONL with options: the most allocations */
	task_import_opts o;
	task_import_out out;
	unsigned k, failed = 0;

	(void)state;
	opts_of(r, &o);
	for (k = 1; k < 400; k++) {
		char why[256] = "";
		em_err err;

		arm(k);
		err = task_import((const uint8_t *)r->in, strlen(r->in), &o, &out, why, sizeof why);
		disarm();
		if (json_oom_calls < k) {	/* nothing was failed: every allocation has been */
			assert_int_equal(err, EM_OK);
			task_import_free(&out);
			break;
		}
		if (err == EM_OK) {
			assert_string_equal(out.items, r->items);
			task_import_free(&out);
			continue;
		}
		/* jansson's lexer reports a string it could not allocate as a
		 * syntax error ("invalid token near ..."): nothing to tell them
		 * apart by, so that one is a refusal of the line, not a crash */
		if (err == EM_EFORMAT && strstr(why, ": not JSON") != NULL)
			continue;
		failed++;
		if (err != EM_ENOMEM)
			fail_msg("allocation %u failed: error %d '%s'", k, err, why);
		assert_string_equal(why, "out of memory");
	}
	assert_true(k < 400);
	assert_true(failed > 10);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_manifest),
		cmocka_unit_test(test_oom),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
