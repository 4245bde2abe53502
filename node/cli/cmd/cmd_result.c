/* evalmesh result publish — sign and store a score summary. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "cli.h"
#include "hex.h"
#include "home.h"
#include "task.h"

#define CMD	"result publish"

static const char usage[] =
"--task TASK --model NAME [--revision R]\n"
"           [--access open|closed] --metric NAME=VALUE [--metric ...] --n N\n"
"           [--stderr S] [--weights-hash HEX] [--home DIR]\n"
"           [--passphrase-env VAR] [--json]";

static const char about[] =
"Signs and stores a result record: the score of a model on a task, computed\n"
"here or elsewhere. The first metric is the headline one; with --stderr its\n"
"95% interval (value +/- 1.96 S) is recorded too.\n\n"
"  --task TASK         the task: its id (64 hex digits), a unique id prefix\n"
"                      of a known task, NAME or NAME@VERSION\n"
"  --model NAME        the model's name, e.g. Qwen2.5-7B-Instruct\n"
"  --revision R        its revision or version (default empty)\n"
"  --access A          open (weights public) or closed (default open)\n"
"  --metric NAME=VAL   a metric value; repeat for several (at most 16)\n"
"  --n N               the number of items scored\n"
"  --stderr S          the standard error of the first metric\n"
"  --weights-hash HEX  a 64-hex commitment to the weights (optional)\n";

static const opt opts[] = {
	{ "home", OPT_VALUE, 0 }, { "passphrase-env", OPT_VALUE, 0 }, { "json", OPT_FLAG, 0 },
	{ "task", OPT_VALUE, 0 }, { "model", OPT_VALUE, 0 }, { "revision", OPT_VALUE, 0 },
	{ "access", OPT_VALUE, 0 }, { "metric", OPT_MULTI, 0 }, { "n", OPT_VALUE, 0 },
	{ "stderr", OPT_VALUE, 0 }, { "weights-hash", OPT_VALUE, 0 },
};

/* A name into the record, in NFC (cli_name). */
static int
copy_text(char *dst, size_t cap, const char *flag, const char *s)
{
	return cli_name(CMD, flag, s, cap - 1, dst, cap);
}

static int
parse_metrics(const args_parsed *a, body_result *r)
{
	const char *const *m;
	size_t n = args_all(a, "metric", &m);

	char why[160];

	if (n == 0)
		return cli_usage(CMD, "at least one --metric NAME=VALUE is required");
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(m[i], '=');
		body_metric *bm = &r->metrics[i];

		if (eq == NULL || eq == m[i] || (size_t)(eq - m[i]) > BODY_SHORT_MAX)
			return cli_bad(CMD, "--metric", m[i],
			    "expected NAME=VALUE with a name of 1 to %d bytes", BODY_SHORT_MAX);
		memcpy(bm->name, m[i], (size_t)(eq - m[i]));
		bm->name[eq - m[i]] = '\0';
		if (cli_text_check(bm->name, BODY_SHORT_MAX, why, sizeof why) != 0)
			return cli_bad(CMD, "--metric", m[i], "its name %s", why);
		if (cli_parse_double(eq + 1, &bm->value))
			return cli_bad(CMD, "--metric", m[i], "expected a finite number after '='");
		if (task_metric_known(bm->name) && !(bm->value >= 0 && bm->value <= 1))
			return cli_bad(CMD, "--metric", m[i],
			    "%s is a proportion of items: expected 0 to 1", bm->name);
		for (size_t k = 0; k < i; k++)
			if (strcmp(r->metrics[k].name, bm->name) == 0)
				return cli_bad(CMD, "--metric", m[i], "metric '%s' given twice",
				    bm->name);
	}
	r->n_metrics = (uint32_t)n;
	return 0;
}

static int
parse_stats(const args_parsed *a, body_result *r)
{
	const char *n = args_get(a, "n"), *se = args_get(a, "stderr");
	const char *access = args_get(a, "access"), *wh = args_get(a, "weights-hash");
	int rc;

	if (n == NULL)
		return cli_usage(CMD, "--n N is required");
	if ((rc = cli_number(CMD, a, "n", 1, BODY_ITEMS_MAX, 0, &r->n_items)) != 0)
		return rc;
	if (se != NULL) {
		if (cli_parse_double(se, &r->std_err) || r->std_err < 0)
			return cli_bad(CMD, "--stderr", se, "expected a non-negative number");
		r->has_stderr = r->has_ci = 1;
		r->ci_lo = r->metrics[0].value - 1.96 * r->std_err;
		r->ci_hi = r->metrics[0].value + 1.96 * r->std_err;
		if (task_metric_known(r->metrics[0].name)) {	/* a proportion's */
			r->ci_lo = r->ci_lo < 0 ? 0 : r->ci_lo;
			r->ci_hi = r->ci_hi > 1 ? 1 : r->ci_hi;
		}
	}
	if (access == NULL || strcmp(access, "open") == 0)
		r->access = ACCESS_OPEN;
	else if (strcmp(access, "closed") == 0)
		r->access = ACCESS_CLOSED;
	else
		return cli_bad(CMD, "--access", access, "expected open or closed");
	if (wh != NULL) {
		if (hex_decode(r->weights, 32, wh) != EM_OK)
			return cli_bad(CMD, "--weights-hash", wh, "expected 64 hex digits");
		r->has_weights = 1;
	}
	return 0;
}

/* Every flag into b; 0, or 2 after the usage line. The task is resolved
 * once the home is open. */
static int
build(const args_parsed *a, body_any *b)
{
	body_result *r = &b->u.result;
	const char *task = args_get(a, "task"), *model = args_get(a, "model");
	const char *rev = args_get(a, "revision");
	int rc;

	memset(b, 0, sizeof *b);
	b->kind = REC_RESULT;
	if (task == NULL)
		return cli_usage(CMD, "--task TASK is required");
	if (model == NULL || *model == '\0')
		return cli_usage(CMD, "--model NAME is required");
	if ((rc = cli_task(CMD, "--task", task)) ||
	    (rc = copy_text(r->model, sizeof r->model, "--model", model)) ||
	    (rc = copy_text(r->revision, sizeof r->revision, "--revision", rev ? rev : "")) ||
	    (rc = parse_metrics(a, r)) || (rc = parse_stats(a, r)))
		return rc;
	strcpy(r->adapter, "manual");
	snprintf(r->harness_version, sizeof r->harness_version, "evalmesh %s", EM_VERSION);
	strcpy(r->params, "{}");
	r->t_start = r->t_end = em_wall_ms(em_clock_system());
	return 0;
}

/* A result for a task held here is over all its items: a leaderboard
 * leaves out one over another number (board.h rule 2). 0, or 1 after the
 * message. */
static int
task_fits(home_ctx *h, const body_result *r)
{
	char why[TASK_WHY_MAX];
	task_rec tr;
	int rc = 0;

	if (task_rec_load(h->st, h->pk, r->task, &tr, why, sizeof why) != EM_OK)
		return 0;	/* not held: nothing to compare with */
	if (r->n_items != tr.body.n_items)
		rc = cli_fail("--n %llu: task %s@%s has %llu items; a result over another "
		    "number of items is not ranked", (unsigned long long)r->n_items,
		    tr.spec.name, tr.spec.version, (unsigned long long)tr.body.n_items);
	task_rec_free(&tr);
	return rc;
}

static int
publish(const args_parsed *a)
{
	char hex[ID_HEX_LEN + 1], why[HOME_PATH_MAX + 64];
	uint8_t *enc = NULL, id[32];
	uint64_t seq = 0;
	size_t len;
	home_ctx h;
	body_any b;
	em_err err;
	int rc;

	if ((rc = build(a, &b)) != 0)
		return rc;
	if (home_open(&h, a, 1))
		return 1;
	if (home_task(&h, args_get(a, "task"), b.u.result.task) ||
	    (rc = task_fits(&h, &b.u.result)) != 0) {
		home_close(&h);
		return 1;
	}
	if ((err = body_encode(&b, &enc, &len)) == EM_OK)
		err = store_publish(h.st, h.me, REC_RESULT, enc, len, em_wall_ms(em_clock_system()), id, &seq);
	free(enc);
	if (err != EM_OK) {
		cli_fail("cannot publish the result: %s", home_write_why(&h, err, why,
		    sizeof why));
		home_close(&h);
		return 1;
	}
	home_close(&h);
	hex_encode(hex, id, 32);
	if (args_get(a, "json"))
		return cli_json_print(json_pack("{s:s, s:I}", "id", hex, "seq", (json_int_t)seq));
	printf("published result %s (seq %llu)\n", hex, (unsigned long long)seq);
	return 0;
}

static const cli_verb verbs[] = {
	{ "publish", opts, sizeof opts / sizeof opts[0], 0, NULL, usage, about, publish },
};

int
cmd_result(int argc, char **argv)
{
	static const cli_verbs c = { "result", verbs, 1, about, "expected 'publish'" };

	return cli_verbs_run(&c, argc, argv);
}
