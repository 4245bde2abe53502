/* evalmesh leaderboard — who is best at a task, and how sure are we. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "cli.h"
#include "clock.h"
#include "hex.h"
#include "home.h"
#include "task.h"
#include "task_audit.h"

static const char help[] =
"usage: evalmesh leaderboard [TASK] [--json | --csv] [--trusted]\n"
"           [--min-reporters K] [--all] [--home DIR]\n\n"
"With TASK (an id, prefix, NAME or NAME@VERSION): one row per model (name\n"
"and revision) combining every reporter of it (each reporter's latest\n"
"unrevoked result by sequence number) — the metric, a 95% interval,\n"
"items, independent reporters and whether their intervals agree, open or\n"
"closed weights, and flags (equivocating-author, disputed, revoked, and\n"
"the audit words of 'evalmesh results': failed-audit, audited, ...). Ranks\n"
"are tie groups: one plus the number of models whose interval lies wholly\n"
"above. Computed from this node's own copy of the records; every node that\n"
"holds the same records prints the same bytes. Without TASK: the tasks and\n"
"how many results each has.\n\n"
"With TASK only:\n"
"  --trusted          only results by authors in 'evalmesh trust list', and\n"
"                     this node's own\n"
"  --min-reporters K  only models with at least K reporters\n"
"  --all              also show revoked results (marked, unranked)\n"
"  --json, --csv      for programs\n\n"
"The records digest covers what was ranked: each result's id and flags\n"
"(revoked, equivocating-author, disputed) and, with --trusted, the trust set;\n"
"two nodes that print the same digest ranked the same results.\n";

static const opt opts[] = {
	{ "home", OPT_VALUE, 0 }, { "json", OPT_FLAG, 0 }, { "csv", OPT_FLAG, 0 },
	{ "trusted", OPT_FLAG, 0 }, { "min-reporters", OPT_VALUE, 0 }, { "all", OPT_FLAG, 0 },
};

static const char *
agree_text(int agree)
{
	return agree < 0 ? "-" : agree ? "yes" : "no";
}

/* NAME@REVISION as printed (cli_show). buf: 2 * CLI_SHOW_CAP bytes. */
static void
model_text(const board_row *r, char *buf, size_t cap)
{
	char m[CLI_SHOW_CAP], v[CLI_SHOW_CAP];

	snprintf(buf, cap, "%s%s%s", cli_show(r->model, m, sizeof m), r->revision[0] ? "@" : "",
	    cli_show(r->revision, v, sizeof v));
}

/* A CSV field, quoted when it must be. A text that comes from a record
 * (theirs: a model's name and revision, other labs') is shown as every
 * name is (cli_show), and one a spreadsheet would take for a formula
 * ("=cmd|...", "+", "-", "@") is written with a leading apostrophe, as
 * spreadsheets themselves write such text. */
static void
csv_field(const char *s, int last, int theirs)
{
	char buf[CLI_SHOW_CAP];
	int quote;

	if (theirs)
		s = cli_show(s, buf, sizeof buf);
	quote = strpbrk(s, ",\"\n\r") != NULL;

	if (quote)
		putchar('"');
	if (theirs && s[0] != '\0' && strchr("=+-@", s[0]) != NULL)
		putchar('\'');
	for (; *s; s++) {
		if (*s == '"')
			putchar('"');
		putchar(*s);
	}
	if (quote)
		putchar('"');
	putchar(last ? '\n' : ',');
}

static json_t *
row_json(const board_row *r)
{
	json_t *fl = json_array(), *ids = json_array();
	const char *words[BOARD_FLAG_WORDS];
	size_t n = board_flag_words(r->flags, words);

	for (size_t i = 0; i < n; i++)
		json_array_append_new(fl, json_string(words[i]));
	for (unsigned i = 0; i < r->reporters && r->result_ids != NULL; i++)
		json_array_append_new(ids, cli_json_id(r->result_ids + 32 * i));
	return json_pack("{s:o, s:s, s:s, s:o, s:[o,o], s:I, s:I, s:s, s:s, s:o, s:o, "
	    "s:{s:I, s:I, s:I, s:I, s:I}}",
	    "rank", r->ranked ? json_integer(r->rank) : json_null(),
	    "model", r->model, "revision", r->revision, "value", cli_json_num(r->value),
	    "ci95", cli_json_num(r->lo), cli_json_num(r->hi), "items", (json_int_t)r->n_items,
	    "reporters", (json_int_t)r->reporters, "agree", agree_text(r->agree),
	    "access", r->closed ? "closed" : "open", "flags", fl, "results", ids,
	    "item_counts", "of", (json_int_t)r->items_sum,
	    "truncated", (json_int_t)r->cut[CUT_TRUNCATED], "empty", (json_int_t)r->cut[CUT_EMPTY],
	    "refused", (json_int_t)r->cut[CUT_REFUSED], "failed", (json_int_t)r->cut[CUT_FAILED]);
}

static int
print_json(const board *b, const uint8_t task[static 32], const task_rec *tr, int trusted)
{
	json_t *rows = json_array();

	for (size_t i = 0; i < b->n_rows; i++)
		json_array_append_new(rows, row_json(&b->rows[i]));
	return cli_json_print(json_pack("{s:o, s:s?, s:s?, s:s, s:s, s:I, s:I, s:{s:I, s:I, s:I, "
	    "s:I, s:I, s:I, s:I}, s:o, s:o}",
	    "task", cli_json_id(task), "name", tr ? tr->spec.name : NULL,
	    "version", tr ? tr->spec.version : NULL, "metric", b->metric,
	    "trust", trusted ? "trusted" : "all", "results_read", (json_int_t)b->n_results,
	    "results_used", (json_int_t)b->used,
	    "left_out", "untrusted", (json_int_t)b->left_untrusted,
	    "other_metric", (json_int_t)b->left_metric, "superseded", (json_int_t)b->left_superseded,
	    "revoked", (json_int_t)b->left_revoked, "min_reporters", (json_int_t)b->left_min_reporters,
	    "other_item_count", (json_int_t)b->left_items, "out_of_range", (json_int_t)b->left_range,
	    "digest", cli_json_id(b->digest), "rows", rows));
}

static void
print_csv(const board *b)
{
	static const char *const head[] = { "rank", "model", "revision", "value", "ci_lo",
	    "ci_hi", "items", "reporters", "agree", "access", "flags", "items_all", "truncated",
	    "empty", "refused", "failed" };
	char num[64], fl[BOARD_FLAGS_LEN];

	for (size_t i = 0; i < sizeof head / sizeof head[0]; i++)
		csv_field(head[i], i + 1 == sizeof head / sizeof head[0], 0);
	for (size_t i = 0; i < b->n_rows; i++) {
		const board_row *r = &b->rows[i];

		snprintf(num, sizeof num, "%u", r->rank);
		csv_field(r->ranked ? num : "", 0, 0);
		csv_field(r->model, 0, 1);
		csv_field(r->revision, 0, 1);
		printf(CLI_NUM_FMT "," CLI_NUM_FMT "," CLI_NUM_FMT ",%llu,%u,", cli_num(r->value),
		    cli_num(r->lo), cli_num(r->hi),
		    (unsigned long long)r->n_items, r->reporters);
		csv_field(agree_text(r->agree), 0, 0);
		csv_field(r->closed ? "closed" : "open", 0, 0);
		csv_field(board_flags(r->flags, fl, sizeof fl), 0, 0);
		printf("%llu,%llu,%llu,%llu,%llu\n", (unsigned long long)r->items_sum,
		    (unsigned long long)r->cut[CUT_TRUNCATED], (unsigned long long)r->cut[CUT_EMPTY],
		    (unsigned long long)r->cut[CUT_REFUSED], (unsigned long long)r->cut[CUT_FAILED]);
	}
}

static void
print_table(const board *b, const uint8_t task[static 32], const task_rec *tr, int trusted)
{
	char hex[ID_HEX_LEN + 1], m[2 * CLI_SHOW_CAP], fl[BOARD_FLAGS_LEN], rank[16], cuts[160];
	char tn[CLI_SHOW_CAP], tv[CLI_SHOW_CAP], mt[CLI_SHOW_CAP];

	hex_encode(hex, task, 32);
	if (tr != NULL)
		printf("%s@%s  task %.16s  metric %s\n", cli_show(tr->spec.name, tn, sizeof tn),
		    cli_show(tr->spec.version, tv, sizeof tv), hex, cli_show(b->metric, mt, sizeof mt));
	else
		printf("task %.16s  metric %s\n", hex, cli_show(b->metric, mt, sizeof mt));
	printf("%s: %zu results read, %zu used",
	    trusted ? "trusted authors and this node only" : "all authors",
	    b->n_results, b->used);
	if (b->left_untrusted)
		printf(", %zu by untrusted authors left out", b->left_untrusted);
	if (b->left_revoked)
		printf(", %zu revoked left out", b->left_revoked);
	if (b->left_superseded)
		printf(", %zu superseded", b->left_superseded);
	if (b->left_metric)
		printf(", %zu with another metric", b->left_metric);
	if (b->left_min_reporters)
		printf(", %zu below --min-reporters", b->left_min_reporters);
	if (b->left_items)
		printf(", %zu over another number of items than the task's left out", b->left_items);
	if (b->left_range)
		printf(", %zu with values outside [0, 1] left out", b->left_range);
	hex_encode(hex, b->digest, 32);
	printf("\nrecords digest %.16s\n\n", hex);
	if (b->n_rows == 0) {
		printf("(no results to rank)\n");
		return;
	}
	printf("%4s  %-32s %7s  %-17s %6s %4s %5s  %-6s %-19s %s\n", "RANK", "MODEL", "VALUE",
	    "95% INTERVAL", "ITEMS", "REP", "AGREE", "ACCESS", "FLAGS", "ITEMS CUT");
	for (size_t i = 0; i < b->n_rows; i++) {
		const board_row *r = &b->rows[i];

		model_text(r, m, sizeof m);
		snprintf(rank, sizeof rank, "%u", r->rank);
		printf("%4s  %-32s %7.4f  [%.4f, %.4f] %6llu %4u %5s  %-6s %-19s %s\n",
		    r->ranked ? rank : "-", m, cli_num(r->value), cli_num(r->lo), cli_num(r->hi),
		    (unsigned long long)r->n_items, r->reporters, agree_text(r->agree),
		    r->closed ? "closed" : "open", board_flags(r->flags, fl, sizeof fl),
		    board_cuts(r, cuts, sizeof cuts));
	}
}

/* Each row whose results were challenged gets what their audits came to
 * (task_audit.h), worked out now from what this node holds. */
static void
audit_words(store *st, board *b)
{
	uint64_t now = em_wall_ms(em_clock_system());

	for (size_t i = 0; i < b->n_rows; i++) {
		board_row *r = &b->rows[i];

		for (unsigned k = 0; k < r->reporters && r->result_ids != NULL; k++)
			r->flags |= task_audit_flags(st, r->result_ids + 32 * k, r->flags, now);
	}
}

static int
one_task(home_ctx *h, const args_parsed *a, const char *text, unsigned min_reporters)
{
	char why[TASK_WHY_MAX];
	board_opts o = { .trusted_only = args_get(a, "trusted") != NULL,
	    .all = args_get(a, "all") != NULL, .result_ids = 1,
	    .min_reporters = min_reporters, .self = h->pk };
	uint8_t id[32];
	task_rec tr;
	int have_task, rc = 0;
	board b;
	em_err err;

	if ((err = task_find(h->st, h->pk, text, id, why, sizeof why)) != EM_OK)
		return cli_fail("%s", why);
	have_task = task_rec_load(h->st, h->pk, id, &tr, why, sizeof why) == EM_OK;
	if (have_task) {
		o.metric = task_metric_name(tr.spec.metric);
		o.task_items = tr.body.n_items;
		o.proportion = 1;	/* every task metric scores items 0 to 1 */
	}
	if ((err = board_compute(h->st, id, &o, &b)) != EM_OK) {
		rc = cli_fail("cannot read the results: %s", em_strerror(err));
	} else {
		audit_words(h->st, &b);
		if (args_get(a, "json"))
			rc = print_json(&b, id, have_task ? &tr : NULL, o.trusted_only);
		else if (args_get(a, "csv"))
			print_csv(&b);
		else
			print_table(&b, id, have_task ? &tr : NULL, o.trusted_only);
		board_free(&b);
	}
	if (have_task)
		task_rec_free(&tr);
	return rc;
}

/* Without a task: every task with its result count, by name. */
struct entry {
	uint8_t		id[32];
	char		name[BODY_NAME_MAX + 1], version[BODY_SHORT_MAX + 1];
	uint64_t	results;
};

struct listing {
	struct entry	*e;
	size_t		 n, cap;
	store		*st;
};

static struct entry *
entry_for(struct listing *l, const uint8_t id[static 32])
{
	for (size_t i = 0; i < l->n; i++)
		if (memcmp(l->e[i].id, id, 32) == 0)
			return &l->e[i];
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		struct entry *ne = realloc(l->e, cap * sizeof *ne);

		if (ne == NULL)
			return NULL;
		l->e = ne;
		l->cap = cap;
	}
	memset(&l->e[l->n], 0, sizeof l->e[l->n]);
	memcpy(l->e[l->n].id, id, 32);
	return &l->e[l->n++];
}

static int
task_fn(void *ctx, const rec_env *env, const body_any *b, uint32_t flags)
{
	struct entry *e;
	uint8_t id[32];

	(void)env;
	(void)flags;
	body_task_id(&b->u.task, id);
	if ((e = entry_for(ctx, id)) == NULL)
		return 1;
	if (e->name[0] == '\0') {
		snprintf(e->name, sizeof e->name, "%s", b->u.task.name);
		snprintf(e->version, sizeof e->version, "%s", b->u.task.version);
	}
	return 0;
}

static int
count_fn(void *ctx, const uint8_t task[static 32], uint64_t results)
{
	struct entry *e = entry_for(ctx, task);

	if (e == NULL)
		return 1;
	e->results = results;
	return 0;
}

static int
cmp_entry(const void *pa, const void *pb)
{
	const struct entry *a = pa, *b = pb;
	int c;

	if ((c = strcmp(a->name, b->name)) != 0 || (c = strcmp(a->version, b->version)) != 0)
		return c;
	return memcmp(a->id, b->id, 32);
}

static int
all_tasks(home_ctx *h, const args_parsed *a)
{
	struct listing l = { .st = h->st };
	char hex[ID_HEX_LEN + 1];
	json_t *arr = NULL;
	em_err err;

	if ((err = store_tasks(h->st, NULL, task_fn, &l)) != EM_OK ||
	    (err = store_board_tasks(h->st, count_fn, &l)) != EM_OK) {
		free(l.e);
		return cli_fail("cannot read the tasks: %s", em_strerror(err));
	}
	qsort(l.e, l.n, sizeof *l.e, cmp_entry);
	if (args_get(a, "json"))
		arr = json_array();
	else if (args_get(a, "csv"))
		printf("task,name,version,results\n");
	else
		printf("%-16s  %-24s %-10s %s\n", "TASK", "NAME", "VERSION", "RESULTS");
	for (size_t i = 0; i < l.n; i++) {
		struct entry *e = &l.e[i];

		hex_encode(hex, e->id, 32);
		if (arr != NULL) {
			json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:I}", "task", hex,
			    "name", e->name, "version", e->version, "results", (json_int_t)e->results));
		} else if (args_get(a, "csv")) {
			printf("%s,", hex);
			csv_field(e->name, 0, 1);
			csv_field(e->version, 0, 1);
			printf("%llu\n", (unsigned long long)e->results);
		} else {
			char tn[CLI_SHOW_CAP], tv[CLI_SHOW_CAP];

			printf("%.16s  %-24s %-10s %llu\n", hex, e->name[0] ?
			    cli_show(e->name, tn, sizeof tn) : "(no task record)",
			    cli_show(e->version, tv, sizeof tv), (unsigned long long)e->results);
		}
	}
	free(l.e);
	return arr != NULL ? cli_json_print(arr) : 0;
}

int
cmd_leaderboard(int argc, char **argv)
{
	uint64_t k;
	args_parsed a;
	home_ctx h;
	int rc;

	if ((rc = cli_args("leaderboard", &a, opts, sizeof opts / sizeof opts[0], argc, argv,
	    1)) != 0)
		return rc;
	if (args_help(&a))
		return cli_help(help);
	if (args_get(&a, "json") && args_get(&a, "csv"))
		return cli_usage("leaderboard", "--json and --csv: choose one");
	if (a.n_pos == 0 && (args_get(&a, "trusted") || args_get(&a, "min-reporters") ||
	    args_get(&a, "all")))
		return cli_usage("leaderboard", "--trusted, --min-reporters and --all need a TASK");
	if ((rc = cli_number("leaderboard", &a, "min-reporters", 0, 1000000, 0, &k)) != 0 ||
	    (a.n_pos == 1 && (rc = cli_task("leaderboard", "TASK", a.pos[0])) != 0))
		return rc;
	if (home_open_read(&h, &a))
		return 1;
	rc = a.n_pos == 1 ? one_task(&h, &a, a.pos[0], (unsigned)k) : all_tasks(&h, &a);
	home_close(&h);
	return rc;
}
