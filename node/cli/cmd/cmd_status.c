/* evalmesh status — what this node holds and who it talks to. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "ctl.h"
#include "hex.h"
#include "home.h"

static const char help[] =
"usage: evalmesh status [--home DIR] [--json]\n\n"
"Asks the running node for its id, network, listen address, peers\n"
"(connected and known), the records it holds, a digest of that record set\n"
"(two nodes holding the same records show the same digest) and the time\n"
"of its last sync. Without a running node, answers from the store.\n\n"
"A node that evaluates by itself also shows its budget (what it spent today\n"
"and what is left) and its tasks: those waiting for items, queued, held\n"
"(the day's requests are spent), running or failed, and those done, refused\n"
"or put off lately, each refused or put off one with the limit that stopped\n"
"it and how to raise that limit. With --json: auto_eval.budget has the\n"
"limits and the spend so far today, auto_eval.counts the tasks by state.\n\n"
"Task records from peers are taken in up to --task-records-per-author a day\n"
"for each author (this node's own and trusted authors' aside); those put off\n"
"and those refused as inconsistent are counted (--json: task_records).\n";

static const opt opts[] = { { "home", OPT_VALUE, 0 }, { "json", OPT_FLAG, 0 } };

/* The same fields, read from the store when no node runs. */
static json_t *
offline(home_ctx *h)
{
	static store_peer list[1024];
	uint8_t digest[32];
	uint64_t records = 0;
	size_t known = 0;

	store_count(h->st, &records);
	store_digest(h->st, digest);
	store_peer_list(h->st, list, 1024, &known);
	return json_pack("{s:o, s:o, s:n, s:b, s:i, s:I, s:I, s:o, s:n}",
	    "id", cli_json_id(h->pk), "network", cli_json_id(h->netid), "listen",
	    "running", 0, "peers_connected", 0, "peers_known", (json_int_t)known,
	    "records", (json_int_t)records, "digest", cli_json_id(digest), "last_sync");
}

/* Task records refused from peers, when there are any. */
static void
intake_text(json_t *t)
{
	long long over = json_integer_value(json_object_get(t, "refused_over_cap"));
	long long bad = json_integer_value(json_object_get(t, "refused_inconsistent"));

	if (over > 0)
		printf("tasks     %lld task records put off to a later day: %lld authors sent more "
		    "than %lld today (raise --task-records-per-author N or "
		    "task_records_per_author in node.json, or trust the author)\n", over,
		    (long long)json_integer_value(json_object_get(t, "authors_over_cap_today")),
		    (long long)json_integer_value(json_object_get(t, "per_author_day")));
	if (bad > 0)
		printf("tasks     %lld task records refused: each disagrees with itself (its "
		    "name or version is not its manifest's; the node's log says which)\n", bad);
}

/* A budget's limit (by its node.json key): what it limits, and the flag. */
static const struct limit_name {
	const char	*key, *what, *flag;
} limit_names[] = {
	{ "budget_requests", "requests per day", "--budget-requests" },
	{ "budget_prompt_bytes", "prompt bytes per request", "--budget-prompt-bytes" },
	{ "budget_max_tokens", "max_tokens per request", "--budget-max-tokens" },
	{ "budget_items", "items per task", "--budget-items" },
	{ "budget_tasks_per_author", "tasks per author per day", "--budget-tasks-per-author" },
};

/* " (requests per day: WHY; raise --budget-requests N or budget_requests
 * in node.json[, or wait for the next day])" for a task a limit stops. */
static void
limit_text(json_t *t)
{
	const char *key = json_string_value(json_object_get(t, "limit"));
	const char *why = json_string_value(json_object_get(t, "why"));
	const char *state = json_string_value(json_object_get(t, "state"));
	int later = state != NULL && strcmp(state, "refused") != 0;

	if (why == NULL)
		return;
	for (size_t i = 0; key != NULL && i < sizeof limit_names / sizeof limit_names[0]; i++)
		if (strcmp(key, limit_names[i].key) == 0) {
			printf(" (%s: %s; raise %s N or \"%s\" in node.json%s)", limit_names[i].what,
			    why, limit_names[i].flag, key, later ? ", or wait for the next day" : "");
			return;
		}
	printf(" (%s%s)", why, later ? "; wait for the next day" : "");
}

static void
budget_text(json_t *b)
{
	long long left = json_integer_value(json_object_get(b, "resets_in_s"));

	if (b == NULL)
		return;
	printf("budget    %lld of %lld requests spent today (%lld reserved by runs going on), "
	    "%lld left; next day in %lldh%02lldm\n",
	    (long long)json_integer_value(json_object_get(b, "requests_spent")),
	    (long long)json_integer_value(json_object_get(b, "requests_per_day")),
	    (long long)json_integer_value(json_object_get(b, "requests_reserved")),
	    (long long)json_integer_value(json_object_get(b, "requests_left")),
	    left / 3600, left / 60 % 60);
}

/* What the node evaluates by itself, if it does. */
static void
auto_text(json_t *au)
{
	const char *mode = json_string_value(json_object_get(au, "mode"));
	const char *rev = json_string_value(json_object_get(au, "revision"));
	char a[CLI_SHOW_CAP], b[CLI_SHOW_CAP], e[NAME_SHOW_CAP(256)];
	json_t *t;
	size_t i;

	if (mode == NULL || strcmp(mode, "off") == 0)
		return;
	printf("auto-eval %s tasks with %s%s%s\n", mode,
	    cli_show(json_string_value(json_object_get(au, "model")), a, sizeof a),
	    rev && *rev ? "@" : "", rev ? cli_show(rev, b, sizeof b) : "");
	budget_text(json_object_get(au, "budget"));
	json_array_foreach(json_object_get(au, "tasks"), i, t) {
		const char *err = json_string_value(json_object_get(t, "error"));

		/* a peer's task name, and what its run met */
		printf("  %-24s %s", cli_show(json_string_value(json_object_get(t, "name")), a,
		    sizeof a), json_string_value(json_object_get(t, "state")));
		if (json_object_get(t, "result"))
			printf(", result %.16s", json_string_value(json_object_get(t, "result")));
		if (err != NULL)
			printf(" (attempt %lld: %s; again in %lld s)",
			    (long long)json_integer_value(json_object_get(t, "attempts")),
			    cli_show(err, e, sizeof e),
			    (long long)json_integer_value(json_object_get(t, "retry_in_s")));
		limit_text(t);
		printf("\n");
	}
	if (json_integer_value(json_object_get(au, "jobs_not_listed")) > 0)
		printf("  ... and %lld more (see --json: auto_eval.counts)\n",
		    (long long)json_integer_value(json_object_get(au, "jobs_not_listed")));
}

static void
text(json_t *s)
{
	const char *listen = json_string_value(json_object_get(s, "listen"));
	const char *sync = json_string_value(json_object_get(s, "last_sync"));

	printf("node      %s\n", json_string_value(json_object_get(s, "id")));
	printf("network   %s\n", json_string_value(json_object_get(s, "network")));
	if (json_is_true(json_object_get(s, "running")))
		printf("running   yes, listening on %s, up %lld s\n", listen ? listen : "?",
		    (long long)json_integer_value(json_object_get(s, "uptime_s")));
	else
		printf("running   no\n");
	printf("peers     %lld connected, %lld known\n",
	    (long long)json_integer_value(json_object_get(s, "peers_connected")),
	    (long long)json_integer_value(json_object_get(s, "peers_known")));
	printf("records   %lld\n", (long long)json_integer_value(json_object_get(s, "records")));
	printf("digest    %s\n", json_string_value(json_object_get(s, "digest")));
	printf("last sync %s\n", sync ? sync : "never");
	intake_text(json_object_get(s, "task_records"));
	auto_text(json_object_get(s, "auto_eval"));
}

int
cmd_status(int argc, char **argv)
{
	args_parsed a;
	home_ctx h;
	int rc;

	if ((rc = cli_args("status", &a, opts, sizeof opts / sizeof opts[0], argc, argv, 0)) != 0)
		return rc;
	if (args_help(&a))
		return cli_help(help);
	if (home_open_read(&h, &a))
		return 1;
	return ctl_show(&h, "status", offline, text, args_get(&a, "json") != NULL);
}
