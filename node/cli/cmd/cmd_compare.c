/* evalmesh compare — two models on one task: the difference, and whether
 * it is real. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "bytes.h"
#include "cli.h"
#include "hex.h"
#include "home.h"
#include "stats.h"
#include "task.h"

static const char help[] =
"usage: evalmesh compare TASK MODEL_A MODEL_B [--trusted] [--json] [--home DIR]\n\n"
"The difference between two models on one task, with a 95% interval. A model\n"
"is NAME or NAME@REVISION. When both have a result carrying per-item scores\n"
"for this task, the comparison is paired (item by item, with McNemar's exact\n"
"test on right/wrong, a score of 0.5 or more counting as right); otherwise\n"
"it is unpaired (the two values and their standard errors). The output says\n"
"which. Each model's result is its latest unrevoked one with per-item\n"
"scores, else its latest unrevoked one.\n";

static const opt opts[] = {
	{ "home", OPT_VALUE, 0 }, { "json", OPT_FLAG, 0 }, { "trusted", OPT_FLAG, 0 },
};

/* The result that speaks for a model: scores first, then the latest. */
static int
better(const store_row *a, const store_row *b)
{
	if (a->has_scores != b->has_scores)
		return a->has_scores > b->has_scores;
	if (a->t_end != b->t_end)
		return a->t_end > b->t_end;
	return memcmp(a->id, b->id, 32) > 0;
}

static int
pick(const store_row *rows, const uint8_t *trusted, size_t n, const char *metric,
    const char *spec, int trusted_only, const store_row **out)
{
	char name[BODY_NAME_MAX + 1];
	const char *at = strchr(spec, '@'), *rev = at ? at + 1 : NULL;
	const store_row *best = NULL;

	snprintf(name, sizeof name, "%.*s", at ? (int)(at - spec) : (int)strlen(spec), spec);
	for (size_t i = 0; i < n; i++) {
		const store_row *r = &rows[i];

		/* names are one when their keys are (name_same) */
		if ((r->flags & RESULT_REVOKED) || strcmp(r->metric, metric) != 0 ||
		    (trusted_only && !trusted[i]) || !name_same(r->model, name) ||
		    (rev && !name_same(r->revision, rev)))
			continue;
		if (best != NULL && !rev && !name_same(best->revision, r->revision))
			return cli_fail("model '%.128s' has results for revisions '%s' and '%s'; "
			    "say NAME@REVISION", name, best->revision, r->revision);
		if (best == NULL || better(r, best))
			best = r;
	}
	if (best == NULL)
		return cli_fail("no %sresult for model '%.128s' on this task",
		    trusted_only ? "trusted, unrevoked " : "unrevoked ", spec);
	*out = best;
	return 0;
}

/* The per-item scores of a stored result, or NULL. */
static double *
scores_of(store *st, const store_row *r, size_t *n)
{
	uint8_t *bytes;
	size_t len;
	rec_env env;
	body_any b;
	double *s = NULL;

	*n = 0;
	if (!r->has_scores || store_get(st, r->id, &bytes, &len) != EM_OK)
		return NULL;
	if (rec_parse(bytes, len, &env, NULL) == EM_OK && rec_body(&env, &b) == EM_OK &&
	    b.u.result.scores != NULL &&
	    (s = malloc(b.u.result.scores_len / 2 * sizeof *s + 1)) != NULL) {
		*n = b.u.result.scores_len / 2;
		for (size_t i = 0; i < *n; i++)
			s[i] = (double)be_get(b.u.result.scores + 2 * i, 2) / BODY_SCORE_SCALE;
	}
	free(bytes);
	return s;
}

static double
se_of(const store_row *r)
{
	double v = r->value < 0 ? 0 : r->value > 1 ? 1 : r->value;

	if (r->has_stderr)
		return r->std_err;
	return r->n_items ? sqrt(v * (1 - v) / (double)r->n_items) : 0;
}

struct cmp {
	int		 paired;
	size_t		 n;
	double		 diff, se, lo, hi, p;
	unsigned long	 a_only, b_only;	/* paired: right/wrong discordant pairs */
};

static void
compute(store *st, const store_row *a, const store_row *b, struct cmp *c)
{
	size_t na, nb;
	double *sa = scores_of(st, a, &na), *sb = scores_of(st, b, &nb);

	memset(c, 0, sizeof *c);
	if (sa != NULL && sb != NULL && na == nb && na > 0) {
		c->paired = 1;
		c->n = na;
		stats_paired(sa, sb, na, &c->diff, &c->se, &c->lo, &c->hi);
		for (size_t i = 0; i < na; i++) {
			int ra = sa[i] >= 0.5, rb = sb[i] >= 0.5;

			c->a_only += ra && !rb;
			c->b_only += rb && !ra;
		}
		c->p = stats_mcnemar(c->a_only, c->b_only);
	} else {
		c->diff = a->value - b->value;
		c->se = sqrt(se_of(a) * se_of(a) + se_of(b) * se_of(b));
		c->lo = c->diff - STATS_Z95 * c->se;
		c->hi = c->diff + STATS_Z95 * c->se;
		c->p = c->se > 0 ? stats_normal_p(c->diff / c->se) : (c->diff == 0 ? 1 : 0);
	}
	free(sa);
	free(sb);
}

static int
report(const char *task, const char *metric, const char *na, const char *nb,
    const store_row *a, const store_row *b, const struct cmp *c, int json)
{
	char ha[ID_HEX_LEN + 1], hb[ID_HEX_LEN + 1];
	char sm[CLI_SHOW_CAP], sa[NAME_SHOW_CAP(256)], sb[NAME_SHOW_CAP(256)];

	hex_encode(ha, a->id, 32);
	hex_encode(hb, b->id, 32);
	if (json) {
		json_t *o = json_pack("{s:s, s:s, s:s, s:{s:s, s:s, s:f, s:I, s:s}, "
		    "s:{s:s, s:s, s:f, s:I, s:s}, s:f, s:f, s:[f,f], s:f}",
		    "task", task, "metric", metric, "method", c->paired ? "paired" : "unpaired",
		    "a", "model", a->model, "revision", a->revision, "value", a->value,
		    "items", (json_int_t)a->n_items, "result", ha,
		    "b", "model", b->model, "revision", b->revision, "value", b->value,
		    "items", (json_int_t)b->n_items, "result", hb,
		    "difference", c->diff, "stderr", c->se, "ci95", c->lo, c->hi, "p", c->p);

		if (o != NULL && c->paired) {
			json_object_set_new(o, "items_paired", json_integer((json_int_t)c->n));
			json_object_set_new(o, "mcnemar", json_pack("{s:I, s:I, s:f}",
			    "a_right_b_wrong", (json_int_t)c->a_only,
			    "a_wrong_b_right", (json_int_t)c->b_only, "p", c->p));
		}
		return cli_json_print(o);
	}
	na = cli_show(na, sa, sizeof sa);
	nb = cli_show(nb, sb, sizeof sb);
	printf("%s  metric %s: %s vs %s\n", task, cli_show(metric, sm, sizeof sm), na, nb);
	printf("  %-28s %.4f  (%llu items, result %.16s)\n", na, a->value,
	    (unsigned long long)a->n_items, ha);
	printf("  %-28s %.4f  (%llu items, result %.16s)\n", nb, b->value,
	    (unsigned long long)b->n_items, hb);
	printf("  difference %+.4f  95%% [%+.4f, %+.4f]  ", c->diff, c->lo, c->hi);
	if (c->paired)
		printf("(paired over %zu items)\n  McNemar    p = %.6g  (%lu items only A got right, "
		    "%lu only B)\n", c->n, c->p, c->a_only, c->b_only);
	else
		printf("(unpaired: no per-item scores for both)\n  z test     p = %.6g\n", c->p);
	return 0;
}

int
cmd_compare(int argc, char **argv)
{
	char why[TASK_WHY_MAX], hex[ID_HEX_LEN + 1], label[2 * CLI_SHOW_CAP];
	char metric[BODY_SHORT_MAX + 1];
	const store_row *a = NULL, *b = NULL;
	uint8_t id[32], *trusted = NULL;
	store_row *rows = NULL;
	struct cmp c;
	task_rec tr;
	size_t n;
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
	if (home_open_read(&h, &pa))
		return 1;
	if ((err = task_find(h.st, pa.pos[0], id, why, sizeof why)) != EM_OK) {
		home_close(&h);
		return cli_fail("%s", why);
	}
	hex_encode(hex, id, 32);
	snprintf(label, sizeof label, "task %.16s", hex);
	if (task_rec_load(h.st, id, &tr, why, sizeof why) == EM_OK) {
		char tn[CLI_SHOW_CAP], tv[CLI_SHOW_CAP];

		snprintf(label, sizeof label, "%s@%s", cli_show(tr.spec.name, tn, sizeof tn),
		    cli_show(tr.spec.version, tv, sizeof tv));
		snprintf(metric, sizeof metric, "%s", task_metric_name(tr.spec.metric));
		task_rec_free(&tr);
	} else {
		metric[0] = '\0';
	}
	if ((err = board_load(h.st, id, &rows, &trusted, &n)) != EM_OK) {
		home_close(&h);
		return cli_fail("cannot read the results: %s", em_strerror(err));
	}
	if (metric[0] == '\0' && n > 0)
		snprintf(metric, sizeof metric, "%s", rows[0].metric);
	if ((rc = pick(rows, trusted, n, metric, pa.pos[1], args_get(&pa, "trusted") != NULL, &a)) == 0 &&
	    (rc = pick(rows, trusted, n, metric, pa.pos[2], args_get(&pa, "trusted") != NULL, &b)) == 0) {
		if (a == b)
			rc = cli_fail("MODEL_A and MODEL_B name the same result");
		else {
			compute(h.st, a, b, &c);
			rc = report(args_get(&pa, "json") ? hex : label, metric, pa.pos[1], pa.pos[2], a, b,
			    &c, args_get(&pa, "json") != NULL);
		}
	}
	free(rows);
	free(trusted);
	home_close(&h);
	return rc;
}
