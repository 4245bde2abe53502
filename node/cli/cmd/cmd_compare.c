/* evalmesh compare — two models on one task: the difference, and whether
 * it is real. */
#include <stdio.h>
#include <string.h>

#include "board.h"
#include "cli.h"
#include "hex.h"
#include "home.h"
#include "task.h"

static const char help[] =
"usage: evalmesh compare TASK MODEL_A MODEL_B [--trusted] [--json] [--home DIR]\n\n"
"The difference between two models on one task, with a 95% interval. A model\n"
"is NAME or NAME@REVISION. Each model is its leaderboard row: every\n"
"reporter's standing result (its latest unrevoked one by sequence number,\n"
"never by the time it claims), combined as the leaderboard combines them;\n"
"with --trusted only the authors you trust, and yourself. When every\n"
"reporter of both published per-item scores, the comparison is paired (item\n"
"by item, a model's item score the mean of its reporters', with McNemar's\n"
"exact test on right/wrong, a score of 0.5 or more counting as right);\n"
"otherwise it is unpaired (the two values and their standard errors). The\n"
"output says which.\n";

static const opt opts[] = {
	{ "home", OPT_VALUE, 0 }, { "json", OPT_FLAG, 0 }, { "trusted", OPT_FLAG, 0 },
};

/* The row of spec (NAME or NAME@REVISION) on b, or 1 after a message. */
static int
pick(const board *b, const char *spec, int trusted_only, const board_row **out)
{
	char name[BODY_NAME_MAX + 1], sa[CLI_SHOW_CAP], sb[CLI_SHOW_CAP];
	const char *at = strchr(spec, '@');
	const board_row *other;
	em_err err;

	snprintf(name, sizeof name, "%.*s", at ? (int)(at - spec) : (int)strlen(spec), spec);
	if ((err = board_find(b, name, at ? at + 1 : NULL, out, &other)) == EM_EAMBIGUOUS)
		return cli_fail("model '%.128s' has results for revisions '%s' and '%s'; say "
		    "NAME@REVISION", name, cli_show((*out)->revision, sa, sizeof sa),
		    cli_show(other->revision, sb, sizeof sb));
	if (err != EM_OK)
		return cli_fail("no %sresult for model '%.128s' on this task",
		    trusted_only ? "trusted, unrevoked " : "unrevoked ", spec);
	return 0;
}

/* A row's side of the JSON output. */
static json_t *
side_json(const board_row *r)
{
	json_t *ids = json_array();

	for (unsigned i = 0; i < r->reporters && ids != NULL; i++)
		json_array_append_new(ids, cli_json_id(r->result_ids + 32 * i));
	return json_pack("{s:s, s:s, s:o, s:[o,o], s:I, s:I, s:o}", "model", r->model,
	    "revision", r->revision, "value", cli_json_num(r->value), "ci95", cli_json_num(r->lo),
	    cli_json_num(r->hi), "items", (json_int_t)r->n_items, "reporters",
	    (json_int_t)r->reporters, "results", ids);
}

static int
report(const char *task, const char *metric, const char *na, const char *nb,
    const board_row *a, const board_row *b, const board_cmp *c, int trusted, int json)
{
	char ha[ID_HEX_LEN + 1], hb[ID_HEX_LEN + 1];
	char sm[CLI_SHOW_CAP], sa[NAME_SHOW_CAP(256)], sb[NAME_SHOW_CAP(256)];

	if (json) {
		json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:[o,o], s:f}",
		    "task", task, "metric", metric, "trust", trusted ? "trusted" : "all",
		    "method", c->paired ? "paired" : "unpaired", "a", side_json(a), "b", side_json(b),
		    "difference", cli_json_num(c->diff), "stderr", cli_json_num(c->se),
		    "ci95", cli_json_num(c->lo), cli_json_num(c->hi), "p", c->p);

		if (o != NULL && c->paired) {
			json_object_set_new(o, "items_paired", json_integer((json_int_t)c->n));
			json_object_set_new(o, "mcnemar", json_pack("{s:I, s:I, s:f}",
			    "a_right_b_wrong", (json_int_t)c->a_only,
			    "a_wrong_b_right", (json_int_t)c->b_only, "p", c->p));
		}
		return cli_json_print(o);
	}
	hex_encode(ha, a->result_ids, 32);
	hex_encode(hb, b->result_ids, 32);
	na = cli_show(na, sa, sizeof sa);
	nb = cli_show(nb, sb, sizeof sb);
	printf("%s  metric %s: %s vs %s%s\n", task, cli_show(metric, sm, sizeof sm), na, nb,
	    trusted ? " (trusted authors only)" : "");
	printf("  %-28s %.4f  (%llu items, %u reporter%s, result %.16s%s)\n", na, cli_num(a->value),
	    (unsigned long long)a->n_items, a->reporters, a->reporters == 1 ? "" : "s", ha,
	    a->reporters > 1 ? ", ..." : "");
	printf("  %-28s %.4f  (%llu items, %u reporter%s, result %.16s%s)\n", nb, cli_num(b->value),
	    (unsigned long long)b->n_items, b->reporters, b->reporters == 1 ? "" : "s", hb,
	    b->reporters > 1 ? ", ..." : "");
	printf("  difference %+.4f  95%% [%+.4f, %+.4f]  ", cli_num(c->diff), cli_num(c->lo),
	    cli_num(c->hi));
	if (c->paired)
		printf("(paired over %zu items)\n  McNemar    p = %.6g  (%lu items only A got right, "
		    "%lu only B)\n", c->n, c->p, c->a_only, c->b_only);
	else
		printf("(unpaired: no per-item scores from every reporter)\n  z test     p = %.6g\n",
		    c->p);
	return 0;
}

/* The task's label and metric, and its item count, when its record is
 * here; else its id's prefix, and the metric the results report most. */
static void
task_of(home_ctx *h, const uint8_t id[static 32], char *label, size_t cap, board_opts *o,
    char *metric, size_t mcap)
{
	char why[TASK_WHY_MAX], hex[ID_HEX_LEN + 1], tn[CLI_SHOW_CAP], tv[CLI_SHOW_CAP];
	task_rec tr;

	hex_encode(hex, id, 32);
	snprintf(label, cap, "task %.16s", hex);
	if (task_rec_load(h->st, h->pk, id, &tr, why, sizeof why) != EM_OK)
		return;
	snprintf(label, cap, "%s@%s", cli_show(tr.spec.name, tn, sizeof tn),
	    cli_show(tr.spec.version, tv, sizeof tv));
	snprintf(metric, mcap, "%s", task_metric_name(tr.spec.metric));
	o->metric = metric;
	o->task_items = tr.body.n_items;
	o->proportion = 1;	/* every task metric scores items 0 to 1 */
	task_rec_free(&tr);
}

int
cmd_compare(int argc, char **argv)
{
	char why[TASK_WHY_MAX], hex[ID_HEX_LEN + 1], label[2 * CLI_SHOW_CAP];
	char metric[BODY_SHORT_MAX + 1];
	const board_row *a = NULL, *b = NULL;
	board_opts o = { .result_ids = 1 };
	uint8_t id[32];
	board_cmp c;
	board bd;
	args_parsed pa;
	home_ctx h;
	int rc;
	em_err err;

	if ((rc = cli_args("compare", &pa, opts, sizeof opts / sizeof opts[0], argc, argv, 3)) != 0)
		return rc;
	if (args_help(&pa))
		return cli_help(help);
	if (pa.n_pos != 3)
		return cli_usage("compare", "give TASK MODEL_A MODEL_B");
	if ((rc = cli_task("compare", "TASK", pa.pos[0])) != 0)
		return rc;
	if (home_open_read(&h, &pa))
		return 1;
	if ((err = task_find(h.st, h.pk, pa.pos[0], id, why, sizeof why)) != EM_OK) {
		home_close(&h);
		return cli_fail("%s", why);
	}
	hex_encode(hex, id, 32);
	task_of(&h, id, label, sizeof label, &o, metric, sizeof metric);
	o.trusted_only = args_get(&pa, "trusted") != NULL;
	o.self = h.pk;
	if ((err = board_compute(h.st, id, &o, &bd)) != EM_OK) {
		home_close(&h);
		return cli_fail("cannot read the results: %s", em_strerror(err));
	}
	if ((rc = pick(&bd, pa.pos[1], o.trusted_only, &a)) == 0 &&
	    (rc = pick(&bd, pa.pos[2], o.trusted_only, &b)) == 0) {
		if (a == b)
			rc = cli_fail("MODEL_A and MODEL_B name the same model");
		else if ((err = board_compare(h.st, a, b, &c)) != EM_OK)
			rc = cli_fail("cannot read the results: %s", em_strerror(err));
		else
			rc = report(args_get(&pa, "json") ? hex : label, bd.metric, pa.pos[1], pa.pos[2],
			    a, b, &c, o.trusted_only, args_get(&pa, "json") != NULL);
	}
	board_free(&bd);
	home_close(&h);
	return rc;
}
