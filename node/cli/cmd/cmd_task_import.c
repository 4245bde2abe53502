/* evalmesh task import — a public benchmark's files, as a task to publish. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "file.h"
#include "hex.h"
#include "home.h"
#include "task.h"
#include "task_import.h"

const opt cmd_task_import_opts[CMD_TASK_IMPORT_N_OPTS] = {
	{ "format", OPT_VALUE, 0 }, { "name", OPT_VALUE, 0 }, { "version", OPT_VALUE, 0 },
	{ "question", OPT_VALUE, 0 }, { "answer", OPT_VALUE, 0 }, { "id", OPT_VALUE, 0 },
	{ "choices", OPT_MULTI, 0 }, { "metric", OPT_VALUE, 0 }, { "out", OPT_VALUE, 'o' },
	{ "json", OPT_FLAG, 0 },
};

const char cmd_task_import_usage[] =
    "FILE --format mmlu|ceval|gsm8k|jsonl|csv --name NAME --version V -o DIR\n"
    "           [--question FIELD] [--answer FIELD] [--id FIELD] [--choices FIELD]...\n"
    "           [--metric M] [--json]";

const char cmd_task_import_about[] =
    "Writes DIR/manifest.json and DIR/items.jsonl from a benchmark in the layout\n"
    "it ships in, checks them as 'task publish' will and prints the task id\n"
    "they make (the same file always makes the same id). Nothing is signed or\n"
    "stored: read and edit the manifest (its prompt, max_tokens), then publish.\n"
    "FILE is CSV (RFC 4180: quoted commas, quotes and line breaks; CRLF) or\n"
    "JSONL, UTF-8; a byte order mark is skipped.\n\n"
    "  --format mmlu    CSV without a header: question,A,B,C,D,answer (MMLU's\n"
    "                   data/ CSV files); multiple choice\n"
    "  --format ceval   CSV whose header names id,question,A,B,C,D,answer\n"
    "                   (C-Eval; CMMLU's unnamed index and Question...Answer too;\n"
    "                   other columns ignored); a Chinese prompt\n"
    "  --format gsm8k   JSONL {\"question\", \"answer\"}, the answer ending\n"
    "                   '#### N': the target is N; metric numeric\n"
    "  --format jsonl   JSONL objects; --question, --answer, --id name their\n"
    "                   fields (default question, answer, id if present);\n"
    "                   --choices FIELD: a list of options, the answer a letter\n"
    "                   or an option's index from 0\n"
    "  --format csv     CSV with a header; the same flags name columns, and\n"
    "                   --choices once per option column, in order\n"
    "  --metric M       without choices: exact_match (default), numeric, f1 or\n"
    "                   regex (which then needs an \"extract\" in the manifest)\n"
    "  -o, --out DIR    made if missing; files already there are not replaced\n";

/* The two files, new: items first; either failing removes both. */
static int
write_task(const char *dir, const task_import_out *t, char *mpath, size_t cap)
{
	char ipath[HOME_PATH_MAX + 16];
	size_t n = strlen(t->manifest_text);
	char *m = malloc(n + 2);
	em_err err;

	if (m == NULL)
		return cli_fail("out of memory");
	memcpy(m, t->manifest_text, n);
	memcpy(m + n, "\n", 2);
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		free(m);
		return cli_fail("cannot make '%s': %s", dir, strerror(errno));
	}
	snprintf(ipath, sizeof ipath, "%s/items.jsonl", dir);
	snprintf(mpath, cap, "%s/manifest.json", dir);
	if ((err = file_create(ipath, 0644, (const uint8_t *)t->items, t->len)) != EM_OK) {
		free(m);
		return cli_fail("cannot write '%s': %s", ipath, err == EM_EEXIST ?
		    "it exists (choose another -o DIR, or remove it)" : em_strerror(err));
	}
	err = file_create(mpath, 0644, (const uint8_t *)m, strlen(m));
	free(m);
	if (err != EM_OK) {
		unlink(ipath);
		return cli_fail("cannot write '%s': %s", mpath, err == EM_EEXIST ?
		    "it exists (choose another -o DIR, or remove it)" : em_strerror(err));
	}
	return 0;
}

static int
options(const args_parsed *a, task_import_opts *o, const char **in, const char **dir)
{
	const char *f = args_get(a, "format");
	int rc;

	*in = a->pos[0];
	if (f == NULL || args_get(a, "name") == NULL || args_get(a, "version") == NULL ||
	    (*dir = args_get(a, "out")) == NULL)
		return cli_usage("task import", "give --format, --name, --version and -o DIR");
	if (strlen(*dir) > HOME_PATH_MAX)
		return cli_bad("task import", "--out", *dir, "expected a directory's path of at "
		    "most %d bytes", HOME_PATH_MAX);
	if (task_format_parse(f, &o->format) != 0)
		return cli_bad("task import", "--format", f, "expected mmlu, ceval, gsm8k, jsonl "
		    "or csv");
	o->name = args_get(a, "name");
	o->version = args_get(a, "version");
	if ((rc = cli_text("task import", "--name", o->name, BODY_NAME_MAX)) != 0 ||
	    (rc = cli_text("task import", "--version", o->version, BODY_SHORT_MAX)) != 0)
		return rc;
	o->question = args_get(a, "question");
	o->answer = args_get(a, "answer");
	o->id = args_get(a, "id");
	o->n_choices = args_all(a, "choices", &o->choices);
	o->metric = args_get(a, "metric");
	if (o->format != TASK_FMT_JSONL && o->format != TASK_FMT_CSV &&
	    (o->question || o->answer || o->id || o->n_choices || o->metric))
		return cli_usage("task import", "--question, --answer, --id, --choices and --metric "
		    "are for --format jsonl and csv");
	if ((o->format == TASK_FMT_JSONL && o->n_choices > 1) ||
	    (o->format == TASK_FMT_CSV && o->n_choices == 1))
		return cli_usage("task import", o->n_choices > 1 ? "--format jsonl takes one "
		    "--choices (a field holding the list)" : "--format csv takes --choices once "
		    "per option column (at least 2)");
	if (o->metric && (o->n_choices || !task_metric_known(o->metric) ||
	    strcmp(o->metric, "multiple_choice") == 0))
		return cli_bad("task import", "--metric", o->metric, o->n_choices ? "not with "
		    "--choices (multiple_choice)" : "expected exact_match, numeric, f1 or regex");
	return 0;
}

int
cmd_task_import(const args_parsed *a)
{
	char why[TASK_WHY_MAX], mpath[HOME_PATH_MAX + 16], hex[ID_HEX_LEN + 1];
	const char *in, *dir;
	task_import_opts o = { 0 };
	task_import_out t = { 0 };
	task_built b = { 0 };
	body_task bt;
	uint8_t *bytes = NULL, tid[32];
	size_t len;
	em_err err;
	int rc;

	if ((rc = options(a, &o, &in, &dir)) != 0)
		return rc;
	if ((err = file_read(in, TASK_ITEMS_FILE_MAX, &bytes, &len)) != EM_OK)
		return cli_fail("cannot read '%s': %s", in, file_strerror(err));
	err = task_import(bytes, len, &o, &t, why, sizeof why);
	free(bytes);
	if (err != EM_OK)
		return cli_fail("%s: %s", in, err == EM_ENOMEM ? "out of memory" : why);
	if ((rc = write_task(dir, &t, mpath, sizeof mpath)) != 0)
		goto out;
	/* what publish will say, said now */
	if ((err = task_load(mpath, &b, why, sizeof why)) != EM_OK) {
		/* a refused import leaves nothing behind: the files go again */
		rc = cli_fail("'task publish' would refuse it: %s", why);
		unlink(mpath);
		snprintf(mpath, sizeof mpath, "%s/items.jsonl", dir);
		unlink(mpath);
		goto out;
	}
	task_built_body(&b, &bt);
	body_task_id(&bt, tid);
	hex_encode(hex, tid, 32);
	if (args_get(a, "json"))
		rc = cli_json_print(json_pack("{s:s, s:s, s:s, s:I, s:s}", "manifest", mpath,
		    "items", b.items_path, "task", hex, "n", (json_int_t)t.n, "metric",
		    task_metric_name(b.spec.metric)));
	else
		printf("imported %zu items into %s (metric %s)\n  task id %s\n  publish with "
		    "'evalmesh task publish %s'\n", t.n, mpath, task_metric_name(b.spec.metric), hex,
		    mpath);
out:
	task_built_free(&b);
	task_import_free(&t);
	return rc;
}
