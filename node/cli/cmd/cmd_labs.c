/* evalmesh labs — every node this one has records of: who it says it is,
 * and what it published. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "cli.h"
#include "hex.h"
#include "home.h"

static const char help[] =
"usage: evalmesh labs [--home DIR] [--json]\n\n"
"Every node whose records this node holds, one line each: its id, the name\n"
"and organisation of its latest signed profile ('-' when none is here), the\n"
"time its first record says it was signed, and how many tasks, results and\n"
"records of it are here. Marked: this node itself, nodes in the trust list\n"
"(`evalmesh trust`), and equivocating ones (two records signed with one\n"
"sequence number). Read from the store; no node needs to run.\n";

static const opt opts[] = { { "home", OPT_VALUE, 0 }, { "json", OPT_FLAG, 0 } };

typedef struct lab {
	uint8_t		id[32];
	char		name[BODY_NAME_MAX + 1];
	char		org[BODY_ORG_MAX + 1];
	int		has_profile;
	uint64_t	first_ts;	/* ms: the signed time of its lowest seq here */
	uint64_t	tasks, results, records;
} lab;

struct walk {
	lab		*labs;
	size_t		 n, cap;
	int		 oom;
};

/* Records come in feed order (author, then seq): a new author starts a new
 * lab, and its latest profile is the last one seen. */
static int
walk_fn(void *ctx, const rec_env *env, const body_any *b, uint32_t flags)
{
	struct walk *w = ctx;
	lab *l;

	(void)flags;
	if (w->n == 0 || memcmp(w->labs[w->n - 1].id, env->author, 32) != 0) {
		if (w->n == w->cap) {
			size_t cap = w->cap ? 2 * w->cap : 64;
			lab *nl = realloc(w->labs, cap * sizeof *nl);

			if (nl == NULL) {
				w->oom = 1;
				return 1;
			}
			w->labs = nl;
			w->cap = cap;
		}
		l = &w->labs[w->n++];
		memset(l, 0, sizeof *l);
		memcpy(l->id, env->author, 32);
		l->first_ts = env->ts;
	}
	l = &w->labs[w->n - 1];
	l->records++;
	if (env->kind == REC_NODE) {
		snprintf(l->name, sizeof l->name, "%s", b->u.node.name);
		snprintf(l->org, sizeof l->org, "%s", b->u.node.org);
		l->has_profile = 1;
	}
	l->tasks += env->kind == REC_TASK;
	l->results += env->kind == REC_RESULT;
	return 0;
}

static json_t *
lab_json(const lab *l, int self, int trusted, int equiv)
{
	char t[32];

	return json_pack("{s:o, s:s?, s:s?, s:s, s:I, s:I, s:I, s:b, s:b, s:b}", "id",
	    cli_json_id(l->id), "name", l->has_profile ? l->name : NULL, "org",
	    l->has_profile ? l->org : NULL, "first_record", em_time_iso(l->first_ts, t, sizeof t),
	    "tasks", (json_int_t)l->tasks, "results", (json_int_t)l->results, "records",
	    (json_int_t)l->records, "self", self, "trusted", trusted, "equivocating", equiv);
}

static void
lab_line(const lab *l, int self, int trusted, int equiv)
{
	char hex[ID_HEX_LEN + 1], sn[CLI_SHOW_CAP], so[NAME_SHOW_CAP(BODY_ORG_MAX)], t[32];

	hex_encode(hex, l->id, 32);
	em_time_iso(l->first_ts, t, sizeof t);
	t[10] = '\0';	/* the date */
	printf("%.16s  %-20s %-24s %-10s %6llu %8llu %8llu%s%s%s\n", hex,
	    l->has_profile ? cli_show(l->name, sn, sizeof sn) : "-",
	    l->has_profile && l->org[0] ? cli_show(l->org, so, sizeof so) : "-", t,
	    (unsigned long long)l->tasks, (unsigned long long)l->results,
	    (unsigned long long)l->records, self ? "  this node" : "", trusted ? "  trusted" : "",
	    equiv ? "  equivocating" : "");
}

int
cmd_labs(int argc, char **argv)
{
	struct walk w = { 0 };
	json_t *arr = NULL;
	args_parsed a;
	home_ctx h;
	em_err err;
	int rc, json;

	if ((rc = cli_args("labs", &a, opts, sizeof opts / sizeof opts[0], argc, argv, 0)) != 0)
		return rc;
	if (args_help(&a))
		return cli_help(help);
	json = args_get(&a, "json") != NULL;
	if (home_open_read(&h, &a))
		return 1;
	if ((err = store_records(h.st, NULL, 0, walk_fn, &w)) != EM_OK || w.oom) {
		rc = cli_fail("reading the records: %s", w.oom ? "out of memory" : em_strerror(err));
		goto out;
	}
	if (json && (arr = json_array()) == NULL) {
		rc = cli_fail("out of memory");
		goto out;
	}
	if (!json)
		printf("%-16s  %-20s %-24s %-10s %6s %8s %8s\n", "NODE", "NAME", "ORGANISATION",
		    "SINCE", "TASKS", "RESULTS", "RECORDS");
	for (size_t i = 0; i < w.n; i++) {
		store_author sa;
		int self = memcmp(w.labs[i].id, h.pk, 32) == 0;
		int trusted = store_trusted(h.st, w.labs[i].id) > 0;
		int equiv = store_author_get(h.st, w.labs[i].id, &sa) == EM_OK &&
		    (sa.flags & AUTHOR_EQUIVOCATED);

		if (!json)
			lab_line(&w.labs[i], self, trusted, equiv);
		else if (json_array_append_new(arr, lab_json(&w.labs[i], self, trusted, equiv)) != 0) {
			rc = cli_fail("out of memory");
			goto out;
		}
	}
	rc = json ? cli_json_print(arr) : 0;
	arr = NULL;
out:
	json_decref(arr);
	free(w.labs);
	home_close(&h);
	return rc;
}
