/* evalmesh results — list stored results. */
#include <stdio.h>
#include <string.h>

#include "board.h"
#include "clock.h"
#include "cli.h"
#include "hex.h"
#include "home.h"
#include "task_audit.h"

static const char help[] =
"usage: evalmesh results [--task TASK] [--author ID] [--home DIR] [--json]\n\n"
"Lists the results in this node's store, by task, then model, then arrival:\n"
"author, model, task, metrics, items, time and flags (equivocating-author,\n"
"disputed, revoked, and what audits came to: failed-audit, audited,\n"
"audit-unverified, audit-unanswered, audit-pending; see 'evalmesh audit').\n"
"Ids may be given as unique prefixes of at least 8 hex digits; a task also\n"
"by NAME or NAME@VERSION.\n";

static const opt opts[] = {
	{ "home", OPT_VALUE, 0 }, { "json", OPT_FLAG, 0 },
	{ "task", OPT_VALUE, 0 }, { "author", OPT_VALUE, 0 },
};

struct listing {
	json_t		*arr;	/* NULL for text output */
	uint64_t	 n;
	store		*st;
	uint64_t	 now;	/* ms: audits' times are read against it */
};

/* The signed harness settings: params as the JSON they are (or the text,
 * if a record holds something else), and the run's item counts when it
 * gave them. */
static json_t *
harness_json(const body_result *r)
{
	json_t *params = json_loads(r->params, JSON_DECODE_ANY, NULL);
	json_t *h = json_pack("{s:s, s:s, s:o}", "adapter", r->adapter, "version",
	    r->harness_version, "params", params ? params : json_string(r->params));

	if (h != NULL && r->has_items)
		json_object_set_new(h, "items", json_pack("{s:I, s:I, s:I, s:I, s:s}",
		    "truncated", (json_int_t)r->items.truncated, "empty", (json_int_t)r->items.empty,
		    "refused", (json_int_t)r->items.refused, "failed", (json_int_t)r->items.failed,
		    "notes", r->items.notes));
	return h;
}

static json_t *
result_json(const rec_env *env, const body_result *r, uint32_t flags)
{
	json_t *o, *metrics = json_object(), *fl = json_array();
	const char *words[BOARD_FLAG_WORDS];
	size_t n = board_flag_words(flags, words);
	char t[32];

	for (uint32_t i = 0; i < r->n_metrics; i++)
		json_object_set_new(metrics, r->metrics[i].name, cli_json_num(r->metrics[i].value));
	for (size_t i = 0; i < n; i++)
		json_array_append_new(fl, json_string(words[i]));
	o = json_pack("{s:o, s:o, s:I, s:o, s:s, s:s, s:s, s:o, s:I, s:s, s:o}",
	    "id", cli_json_id(env->id), "author", cli_json_id(env->author),
	    "seq", (json_int_t)env->seq, "task", cli_json_id(r->task),
	    "model", r->model, "revision", r->revision,
	    "access", r->access == ACCESS_CLOSED ? "closed" : "open",
	    "metrics", metrics, "n", (json_int_t)r->n_items,
	    "time", em_time_iso(r->t_end, t, sizeof t), "flags", fl);
	if (o != NULL && r->has_stderr)
		json_object_set_new(o, "stderr", cli_json_num(r->std_err));
	if (o != NULL && r->has_ci)
		json_object_set_new(o, "ci95", json_pack("[o, o]", cli_json_num(r->ci_lo),
		    cli_json_num(r->ci_hi)));
	if (o != NULL)
		json_object_set_new(o, "harness", harness_json(r));
	return o;
}

/* The author's texts as printed (cli_show). */
static void
result_text(const rec_env *env, const body_result *r, uint32_t flags)
{
	char hex[ID_HEX_LEN + 1], t[32], fl[BOARD_FLAGS_LEN], a[CLI_SHOW_CAP], b[CLI_SHOW_CAP];
	char text[NAME_SHOW_CAP(BODY_TEXT_MAX)];

	hex_encode(hex, env->id, 32);
	printf("result   %s\n", hex);
	hex_encode(hex, env->author, 32);
	printf("  author   %s (seq %llu)\n", hex, (unsigned long long)env->seq);
	hex_encode(hex, r->task, 32);
	printf("  task     %s\n", hex);
	printf("  model    %s%s%s (%s)\n", cli_show(r->model, a, sizeof a), r->revision[0] ? "@" : "",
	    cli_show(r->revision, b, sizeof b), r->access == ACCESS_CLOSED ? "closed" : "open");
	printf("  metrics ");
	for (uint32_t i = 0; i < r->n_metrics; i++)
		printf(" %s=%.6g", cli_show(r->metrics[i].name, a, sizeof a), cli_num(r->metrics[i].value));
	if (r->has_ci)
		printf("  95%% [%.4g, %.4g]", cli_num(r->ci_lo), cli_num(r->ci_hi));
	printf("\n  n        %llu\n  time     %s\n  flags    %s\n",
	    (unsigned long long)r->n_items, em_time_iso(r->t_end, t, sizeof t),
	    board_flags(flags, fl, sizeof fl));
	printf("  harness  %s, %s, ", cli_show(r->adapter, a, sizeof a),
	    cli_show(r->harness_version, b, sizeof b));
	printf("%s\n", cli_show(r->params, text, sizeof text));
	if (r->has_items && (r->items.truncated || r->items.empty || r->items.refused ||
	    r->items.failed))
		printf("  items    %u truncated, %u empty, %u refused, %u failed (scored 0)%s%s\n",
		    r->items.truncated, r->items.empty, r->items.refused, r->items.failed,
		    r->items.notes[0] ? ": " : "", cli_show(r->items.notes, text, sizeof text));
}

static int
visit(void *ctx, const rec_env *env, const body_any *b, uint32_t flags)
{
	struct listing *l = ctx;

	flags |= task_audit_flags(l->st, env->id, flags, l->now);
	if (l->arr != NULL)
		json_array_append_new(l->arr, result_json(env, &b->u.result, flags));
	else
		result_text(env, &b->u.result, flags);
	l->n++;
	return 0;
}

int
cmd_results(int argc, char **argv)
{
	uint8_t task[32], author[32];
	const char *t, *au;
	struct listing l = { NULL, 0, NULL, 0 };
	args_parsed a;
	home_ctx h;
	em_err err;
	int rc;

	if ((rc = cli_args("results", &a, opts, sizeof opts / sizeof opts[0], argc, argv, 0)) != 0)
		return rc;
	if (args_help(&a))
		return cli_help(help);
	t = args_get(&a, "task");
	au = args_get(&a, "author");
	if ((t && (rc = cli_task("results", "--task", t)) != 0) ||
	    (au && (rc = cli_id("results", "--author", au, "node")) != 0))
		return rc;
	if (home_open_read(&h, &a))
		return 1;
	if ((t && home_task(&h, t, task)) ||
	    (au && home_resolve(&h, SPACE_AUTHOR, au, author, "author"))) {
		home_close(&h);
		return 1;
	}
	if (args_get(&a, "json"))
		l.arr = json_array();
	l.st = h.st;
	l.now = em_wall_ms(em_clock_system());
	err = store_results(h.st, t ? task : NULL, au ? author : NULL, visit, &l);
	home_close(&h);
	if (err != EM_OK) {
		json_decref(l.arr);
		return cli_fail("cannot read the store: %s", em_strerror(err));
	}
	if (l.arr != NULL)
		return cli_json_print(l.arr);
	if (l.n == 0)
		printf("no results\n");
	return 0;
}
