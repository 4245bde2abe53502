/* evalmesh eval — run a task against your own model and publish the result. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "board.h"
#include "clock.h"
#include "cli.h"
#include "eval.h"
#include "hex.h"
#include "home.h"
#include "modelcfg.h"
#include "task_audit.h"

static const char help[] =
"usage: evalmesh eval TASK --model NAME [--revision R] [--access open|closed]\n"
"           (--endpoint URL [--endpoint URL...] | --exec CMD)\n"
"           [--api chat|completions] [--served-model NAME] [--api-key-env VAR]\n"
"           [--api-key-header NAME] [--max-tokens N] [--extra-body JSON]\n"
"           [--concurrency N] [--timeout SEC] [--retries N] [--patience SEC]\n"
"           [--limit N] [--max-requests N] [--max-prompt-bytes N]\n"
"           [--fresh] [--count-failed-as-wrong] [--dry-run] [--no-publish]\n"
"           [--quiet] [--home DIR] [--passphrase-env VAR] [--json]\n\n"
"Runs TASK (an id, id prefix, NAME or NAME@VERSION) against your model here,\n"
"scores every item, and signs and publishes the result: the metric, its\n"
"standard error and Wilson 95% interval, the Merkle root over the per-item\n"
"leaves and the per-item score vector. Items and outputs stay in this node's\n"
"store. Every scored item is cached as it completes: run the same command\n"
"again after Ctrl-C, kill -9 or a failure and it goes on where it stopped,\n"
"without asking the model again for scored items. A run that did not score\n"
"every item is never published; one whose result is the one this node\n"
"already published for the model revision signs nothing new.\n\n"
"Reasoning blocks (<think>...</think> and the like) are set aside: the answer\n"
"after them is scored. An item the server refuses (HTTP 400, 413 or 422 about\n"
"it, e.g. a prompt over its context) scores 0 and is counted; so are answers\n"
"the token limit cut and empty answers. The counts and the servers' reasons\n"
"are shown here and signed into the result.\n\n"
"  --model NAME         the model's name on the leaderboard\n"
"  --revision R         its revision or version (default empty)\n"
"  --access A           open (weights public) or closed (default open)\n"
"  --endpoint URL       an OpenAI-compatible server (vLLM, llama.cpp, Ollama,\n"
"                       TGI, a hosted API): http://host:port, .../v1, or the full\n"
"                       path; repeat for replicas, which take requests in turn\n"
"  --api A              chat (/v1/chat/completions, default) or completions\n"
"  --served-model NAME  the \"model\" field sent to the endpoint (default --model)\n"
"  --api-key-env VAR    send the bearer key held in $VAR (never logged or stored)\n"
"  --api-key-header NAME  send the key as \"NAME: KEY\" (Azure: api-key), not as\n"
"                       \"Authorization: Bearer KEY\"\n"
"  --max-tokens N       the answer's token limit, instead of the task's\n"
"                       (reasoning models need thousands)\n"
"  --extra-body JSON    fields merged into every request, e.g.\n"
"                       '{\"chat_template_kwargs\":{\"enable_thinking\":false}}';\n"
"                       signed into the result with the other settings\n"
"  --exec CMD           a program speaking JSON lines on stdin/stdout (README)\n"
"  --concurrency N      requests in flight (default 8)\n"
"  --timeout SEC        per request (default 120)\n"
"  --patience SEC       a server that answers \"not now\" (429, or 503 while it\n"
"                       loads a model) is waited on this long since it last\n"
"                       answered, without spending retries; then the run\n"
"                       stops (default 600; 0: \"not now\" spends retries)\n"
"  --retries N          further attempts per item after a failure (default 4),\n"
"                       with exponential backoff and jitter, or Retry-After\n"
"  --limit N            only the first N items; such a run is never published\n"
"  --max-requests N     send at most N requests, retries included: at the cap\n"
"                       the run stops, keeping what it scored (run it again to\n"
"                       go on); a node's budget passes its requests left here\n"
"  --max-prompt-bytes N refuse the run, sending nothing, if an item's prompt\n"
"                       (system, examples and item, as rendered) is over N bytes\n"
"  --fresh              ask again for every item (a model changed under the same\n"
"                       revision): the cached answers are forgotten, so a fresh\n"
"                       run that stops goes on with the plain command\n"
"  --count-failed-as-wrong\n"
"                       publish even when some items failed every retry\n"
"                       (a server that always errs on them): they score 0,\n"
"                       and their number and reasons go into the result\n"
"  --dry-run            print the first prompts and send nothing\n"
"  --no-publish         score and cache, but do not sign a result\n"
"  --quiet              no progress line\n"
"  --json               the result as JSON; a run that publishes nothing prints\n"
"                       {\"complete\": false, \"error\", \"requests\" sent, \"limit\"} too\n";

static const opt opts[] = {
	{ "home", OPT_VALUE, 0 }, { "passphrase-env", OPT_VALUE, 0 }, { "json", OPT_FLAG, 0 },
	{ "model", OPT_VALUE, 0 }, { "revision", OPT_VALUE, 0 }, { "access", OPT_VALUE, 0 },
	{ "served-model", OPT_VALUE, 0 }, { "endpoint", OPT_MULTI, 0 }, { "api", OPT_VALUE, 0 },
	{ "api-key-env", OPT_VALUE, 0 }, { "api-key-header", OPT_VALUE, 0 },
	{ "exec", OPT_VALUE, 0 }, { "concurrency", OPT_VALUE, 0 },
	{ "timeout", OPT_VALUE, 0 }, { "retries", OPT_VALUE, 0 }, { "limit", OPT_VALUE, 0 },
	{ "dry-run", OPT_FLAG, 0 }, { "no-publish", OPT_FLAG, 0 }, { "quiet", OPT_FLAG, 0 },
	{ "max-tokens", OPT_VALUE, 0 },
	{ "extra-body", OPT_VALUE, 0 }, { "fresh", OPT_FLAG, 0 },
	{ "count-failed-as-wrong", OPT_FLAG, 0 }, { "patience", OPT_VALUE, 0 },
	{ "max-requests", OPT_VALUE, 0 }, { "max-prompt-bytes", OPT_VALUE, 0 },
};

#define EVAL_REQUESTS_CAP	1000000000ull	/* --max-requests at most */
#define EVAL_PROMPT_CAP		(64u << 20)	/* --max-prompt-bytes at most */

/* The progress line: redrawn in place on a terminal; elsewhere (a log,
 * a pipe) a plain line every PLAIN_MS and at the end. */
#define PLAIN_MS	5000

struct progress_style {
	int		 terminal;
	int		 shown;		/* a plain line was written */
	uint64_t	 last_ms;	/* ... at this point of the run */
};

static struct progress_style terminal = { 1, 0, 0 }, plain = { 0, 0, 0 };

static void
show_progress(void *ctx, const eval_progress *p, int final)
{
	struct progress_style *st = ctx;
	char eta[32];

	if (!st->terminal && !final && st->shown && p->elapsed_ms - st->last_ms < PLAIN_MS)
		return;
	st->shown = 1;
	st->last_ms = p->elapsed_ms;
	if (p->eta_s < 0)
		snprintf(eta, sizeof eta, "-");
	else
		snprintf(eta, sizeof eta, "%.0fs", p->eta_s);
	if (st->terminal)
		fprintf(stderr, "\r  %zu/%zu scored  %.1f items/s  ETA %s  errors %llu%s   %s",
		    p->scored, p->n, p->rate, eta, (unsigned long long)p->errors,
		    p->retrying ? " (retrying)" : "", final ? "\n" : "");
	else
		fprintf(stderr, "evalmesh: eval: %zu/%zu scored, %.1f items/s, ETA %s, %llu errors\n",
		    p->scored, p->n, p->rate, eta, (unsigned long long)p->errors);
	fflush(stderr);
}

/* The model flags eval shares with `node`, each checked by its rule
 * (modelcfg.h); *extra is yours. 0, or 2 after the usage line. */
static int
model_flags(const args_parsed *a, eval_opts *o, json_t **extra)
{
	static const enum modelcfg_key keys[] = { MC_MODEL, MC_REVISION, MC_ACCESS, MC_API,
	    MC_SERVED_MODEL, MC_API_KEY_ENV, MC_API_KEY_HEADER, MC_EXEC, MC_CONCURRENCY,
	    MC_MAX_TOKENS, MC_EXTRA_BODY };
	const char *const *eps, *v;
	size_t n_eps = args_all(a, "endpoint", &eps);
	modelcfg_val val;
	int rc;

	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		if ((v = args_get(a, modelcfg_flag_name(keys[i]))) == NULL)
			continue;
		if ((rc = modelcfg_flag("eval", keys[i], v, &val)) != 0)
			return rc;
		if (keys[i] == MC_CONCURRENCY)
			o->model.concurrency = (unsigned)val.num;
		else if (keys[i] == MC_MAX_TOKENS)
			o->max_tokens = (unsigned)val.num;
		else if (keys[i] == MC_EXTRA_BODY)
			*extra = val.obj;
	}
	for (size_t i = 0; i < n_eps; i++) {
		if ((rc = modelcfg_flag("eval", MC_ENDPOINT, eps[i], &val)) != 0)
			return rc;
		o->model.endpoints[i] = eps[i];
	}
	o->model.n_endpoints = n_eps;
	return 0;
}

/* The flags of the run itself. 0, or 2 after the usage line. */
static int
run_flags(const args_parsed *a, eval_opts *o)
{
	uint64_t tmo, retries, limit, patience, max_req, max_prompt;
	int rc;

	if ((rc = cli_number("eval", a, "max-requests", 1, EVAL_REQUESTS_CAP, 0, &max_req)) != 0 ||
	    (rc = cli_number("eval", a, "max-prompt-bytes", 1, EVAL_PROMPT_CAP, 0,
	    &max_prompt)) != 0 ||
	    (rc = cli_number("eval", a, "timeout", 1, 3600, 120, &tmo)) != 0 ||
	    (rc = cli_number("eval", a, "retries", 0, 20, 4, &retries)) != 0 ||
	    (rc = cli_number("eval", a, "limit", 1, BODY_ITEMS_MAX, 0, &limit)) != 0 ||
	    (rc = cli_number("eval", a, "patience", 0, 86400, EVAL_PATIENCE_S, &patience)) != 0)
		return rc;
	o->model.timeout_ms = (unsigned)tmo * 1000;
	o->retries = (unsigned)retries;
	o->limit = (size_t)limit;
	o->patience_s = (unsigned)patience;
	o->max_requests = max_req;
	o->max_prompt_bytes = (size_t)max_prompt;
	o->fresh = args_get(a, "fresh") != NULL;
	o->count_failed = args_get(a, "count-failed-as-wrong") != NULL;
	o->clock = em_clock_system();
	if (args_get(a, "quiet") == NULL) {
		o->progress = show_progress;
		o->progress_ctx = isatty(2) ? &terminal : &plain;
	}
	return 0;
}

/* Everything from the flags; 0, 1 (the API key variable) or 2 (usage).
 * *extra is yours (json_decref) whatever it returns. */
static int
settings(const args_parsed *a, eval_opts *o, int *access, json_t **extra)
{
	const char *name = args_get(a, "model"), *acc = args_get(a, "access");
	const char *api = args_get(a, "api"), *ex = args_get(a, "exec");
	modelcfg_set set;
	char why[256];
	int rc;

	*extra = NULL;
	if (name == NULL || *name == '\0')
		return cli_usage("eval", "--model NAME is required");
	o->model.concurrency = 8;
	if ((rc = model_flags(a, o, extra)) != 0 || (rc = run_flags(a, o)) != 0)
		return rc;
	set = (modelcfg_set){ .exec = ex, .n_endpoints = o->model.n_endpoints,
	    .need_target = !args_get(a, "dry-run"), .extra_body = *extra != NULL,
	    .api_key_env = args_get(a, "api-key-env"),
	    .api_key_header = args_get(a, "api-key-header") };
	if ((rc = modelcfg_combine(&set, why, sizeof why)) != 0)
		return rc == 2 ? cli_usage("eval", why) : cli_fail("%s", why);
	*access = acc != NULL && strcmp(acc, "closed") == 0 ? ACCESS_CLOSED : ACCESS_OPEN;
	o->model_name = name;
	o->revision = args_get(a, "revision") ? args_get(a, "revision") : "";
	o->model.api = ex != NULL ? MODEL_EXEC : api != NULL && strcmp(api, "completions") == 0 ?
	    MODEL_COMPLETIONS : MODEL_CHAT;
	o->model.exec_cmd = ex;
	o->model.served_model = args_get(a, "served-model") ? args_get(a, "served-model") : name;
	o->model.api_key_header = args_get(a, "api-key-header");
	if (set.api_key_env != NULL)
		o->model.api_key = getenv(set.api_key_env);	/* set: modelcfg_combine */
	o->model.extra_body = *extra;
	return 0;
}

/* The first items' prompts, read from the store's chunks. */
static int
dry_run(store *st, const eval_opts *o)
{
	char tn[CLI_SHOW_CAP], tv[CLI_SHOW_CAP], why[TASK_WHY_MAX];
	task_reader *rd;
	task_item it;
	em_err err;
	int rc = 0;

	printf("dry run: %s@%s, %zu items, metric %s; nothing is sent.\n",
	    cli_show(o->task->spec.name, tn, sizeof tn), cli_show(o->task->spec.version, tv, sizeof tv),
	    o->shots->n, task_metric_name(o->task->spec.metric));
	if (task_reader_open(st, &o->task->spec, &o->task->body, &rd) != EM_OK)
		return cli_fail("out of memory");
	while (rc == 0 && (err = task_reader_next(rd, &it, why, sizeof why)) == EM_OK &&
	    it.item != NULL && it.index < 3) {
		json_t *msgs = task_messages(&o->task->spec, o->shots, it.item, it.index);
		char *text = NULL;

		if (msgs == NULL) {
			rc = cli_fail("out of memory");
			break;
		}
		if (o->model.api == MODEL_COMPLETIONS)
			text = task_flatten(msgs);
		else
			text = json_dumps(msgs, JSON_INDENT(2));
		printf("--- item %zu (%s)\n%s\n", it.index + 1, o->model.api == MODEL_COMPLETIONS ?
		    "completion prompt" : "chat messages", text ? text : "?");
		free(text);
		json_decref(msgs);
	}
	task_reader_free(rd);
	if (rc == 0 && err != EM_OK)
		rc = cli_fail("task %s@%s: %s", o->task->spec.name, o->task->spec.version, why);
	return rc;
}

/* A run that publishes nothing: its one line on stderr and, with --json,
 * an object on stdout saying so, with the requests it sent (r: NULL if
 * it never started) and the limit that stopped it ("max_requests",
 * "max_prompt_bytes" or null) — what a caller that keeps a budget (a
 * node's auto-eval) settles with. Returns rc. */
static int
not_done(const eval_opts *o, const eval_out *r, int json, int rc, const char *limit,
    const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static int said;	/* not_done printed its object */

static int
not_done(const eval_opts *o, const eval_out *r, int json, int rc, const char *limit,
    const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	json_t *j;

	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	cli_fail("%s", line);
	if (!json)
		return rc;
	said = 1;
	j = json_pack("{s:b, s:s, s:I, s:I, s:I, s:o}", "complete", 0, "error", line,
	    "requests", (json_int_t)(r ? r->requests : 0), "scored", (json_int_t)(r ? r->scored : 0),
	    "n", (json_int_t)(r ? r->n : 0), "limit", limit ? json_string(limit) : json_null());
	if (j != NULL && o->task != NULL)
		json_object_set_new(j, "task", cli_json_id(o->task->id));
	cli_json_print(j);
	return rc;
}

/* What failed before a run started sent nothing: a caller keeping a
 * budget learns that too, with --json (the reason is the line on stderr). */
static void
nothing_sent(void)
{
	cli_json_print(json_pack("{s:b, s:s, s:i, s:n}", "complete", 0, "error",
	    "no run was started (see the error line)", "requests", 0, "limit"));
}

static int
report(const eval_opts *o, const eval_out *r, const body_result *res, const uint8_t *rid,
    int already, int json)
{
	double rate = r->wall_s > 0 ? (double)(r->scored - r->cached) / r->wall_s : 0;
	double cpu_ms = r->scored > r->cached ? 1000 * r->cpu_s / (double)(r->scored - r->cached) : 0;
	char hex[ID_HEX_LEN + 1], tn[CLI_SHOW_CAP], tv[CLI_SHOW_CAP], mn[CLI_SHOW_CAP];

	if (json) {
		json_t *j = json_pack("{s:o, s:s, s:s, s:s, s:s, s:o, s:o, s:[o,o], s:I, s:I, s:I, "
		    "s:I, s:f, s:f, s:f, s:f, s:o, s:o, s:I, s:I, s:I, s:I, s:s}",
		    "task", cli_json_id(o->task->id), "task_name", o->task->spec.name,
		    "model", o->model_name, "revision", o->revision,
		    "metric", res->metrics[0].name, "value", cli_json_num(res->metrics[0].value),
		    "stderr", cli_json_num(res->std_err), "ci95", cli_json_num(res->ci_lo),
		    cli_json_num(res->ci_hi),
		    "n", (json_int_t)r->n, "cached", (json_int_t)r->cached,
		    "requests", (json_int_t)r->requests, "failed", (json_int_t)r->failed,
		    "wall_s", r->wall_s, "items_per_s", rate, "cpu_s", r->cpu_s,
		    "cpu_ms_per_item", cpu_ms, "merkle_root", cli_json_id(res->merkle),
		    "record", rid ? cli_json_id(rid) : json_null(),
		    "truncated", (json_int_t)r->truncated, "empty", (json_int_t)r->empty,
		    "refused", (json_int_t)r->refused, "failed_as_wrong", (json_int_t)r->failed_scored,
		    "notes", r->notes);

		if (j != NULL) {
			json_object_set_new(j, "complete", json_true());
			json_object_set_new(j, "published_before", json_boolean(already));
		}
		return cli_json_print(j);
	}
	printf("%s@%s  model %s%s", cli_show(o->task->spec.name, tn, sizeof tn),
	    cli_show(o->task->spec.version, tv, sizeof tv), cli_show(o->model_name, mn, sizeof mn),
	    o->revision[0] ? "@" : "");
	printf("%s\n", cli_show(o->revision, mn, sizeof mn));
	printf("  %-10s %.4f  ± %.4f (SE)  95%% [%.4f, %.4f]\n", res->metrics[0].name,
	    cli_num(res->metrics[0].value), cli_num(res->std_err), cli_num(res->ci_lo),
	    cli_num(res->ci_hi));
	printf("  items      %zu (%zu from the cache, %llu requests, %.1f items/s)\n", r->n,
	    r->cached, (unsigned long long)r->requests, rate);
	if (r->truncated || r->empty || r->refused || r->failed_scored)
		printf("  items cut  %zu truncated, %zu empty, %zu refused by the server, %zu failed "
		    "(scored 0)\n", r->truncated, r->empty, r->refused, r->failed_scored);
	if (r->notes[0])
		printf("  reasons    %s\n", r->notes);
	hex_encode(hex, res->merkle, 32);
	printf("  merkle     %s\n", hex);
	if (rid != NULL) {
		hex_encode(hex, rid, 32);
		printf("  published  result %s%s\n", hex, already ? " (before: this run's result "
		    "is the one already published, so nothing new was signed)" : "");
	} else {
		printf("  not published (%s)\n", o->limit ? "--limit" : "--no-publish");
	}
	return 0;
}

/* The body a result's content is: b with its run times left out. On
 * success *out is yours (free()). */
static em_err
content(const body_any *b, uint8_t **out, size_t *len)
{
	body_any c = *b;

	c.u.result.t_start = c.u.result.t_end = 0;
	return body_encode(&c, out, len);
}

/* Whether this node's standing result for the run's model revision (the
 * one rule, board.h) says all that b says, but for when it ran: a run
 * repeated from the cache. Its id into rid. 1 if so; 0 if not, or if
 * that cannot be read (then a new result is signed, as before). */
/* The run a published result came from, kept so that the node can
 * answer audits of it (task_audit.h); a failure only means it cannot. */
static void
remember(home_ctx *h, const uint8_t rid[static 32], const eval_out *r)
{
	em_err err = task_audit_remember(h->st, rid, r->run_key);

	if (err != EM_OK)
		fprintf(stderr, "evalmesh eval: warning: cannot keep the run key for audits: %s\n",
		    em_strerror(err));
}

static int
published_already(home_ctx *h, const eval_opts *o, const body_any *b, uint8_t rid[static 32])
{
	const board_opts any = { 0 };
	uint8_t *bytes = NULL, *mine = NULL, *theirs = NULL;
	size_t len, n_mine, n_theirs;
	rec_env env;
	body_any old;
	int same = 0;

	if (board_standing(h->st, o->task->id, h->pk, o->model_name, o->revision, &any,
	    rid) != EM_OK || store_get(h->st, rid, &bytes, &len) != EM_OK)
		return 0;
	if (rec_parse(bytes, len, &env, NULL) == EM_OK && rec_body(&env, &old) == EM_OK &&
	    old.kind == REC_RESULT && content(&old, &theirs, &n_theirs) == EM_OK &&
	    content(b, &mine, &n_mine) == EM_OK)
		same = n_mine == n_theirs && memcmp(mine, theirs, n_mine) == 0;
	free(theirs);
	free(mine);
	free(bytes);
	return same;
}

static int
finish(home_ctx *h, const eval_opts *o, const eval_out *r, int access, const args_parsed *a)
{
	char sum[1024];
	uint8_t *scores = NULL, *enc = NULL, rid[32];
	int publish = !args_get(a, "no-publish") && !o->limit, rc;
	int json = args_get(a, "json") != NULL;
	size_t len;
	body_any b;
	em_err err;

	eval_fail_summary(r, sum, sizeof sum);
	if (r->interrupted)
		return not_done(o, r, json, 128 + r->interrupted, NULL,
		    "interrupted: %zu of %zu items scored and "
		    "cached; run the same command again to go on", r->scored, r->n);
	if (r->scored != r->n)
		return not_done(o, r, json, 1, r->capped ? "max_requests" : NULL,
		    "%s%s%s%zu of %zu items scored (kept in the cache; run again to go on); "
		    "%zu failed after retries%s; nothing published%s%s", r->stopped[0] ? "stopped: " : "",
		    r->stopped, r->stopped[0] ? "; " : "", r->scored, r->n, r->failed,
		    r->failed && !r->stopped[0] ? " (--count-failed-as-wrong would score them 0)" : "",
		    sum[0] ? "; " : "", sum);
	/* a run in which no item got an answer with text measured the server's
	 * settings (a reasoning budget too small, a wrong parser, a context too
	 * short), not the model: it is no result to sign */
	if (publish && r->scored == r->empty + r->refused + r->failed_scored)
		return not_done(o, r, json, 1, NULL, "no item got an answer with text (%zu empty, %zu refused by the server, "
		    "%zu failed); nothing published: check the server's settings (max tokens, "
		    "reasoning parser, context)%s%s", r->empty, r->refused, r->failed_scored,
		    r->notes[0] ? "; " : "", r->notes);
	if (o->limit) {
		/* a preview over the first items: the numbers, never a record */
		eval_opts full = *o;
		task_shots part = *o->shots;	/* a shallow copy, only read */

		part.n = r->n;
		full.shots = &part;
		if ((err = eval_result_body(&full, r, access, &b, &scores)) != EM_OK)
			return not_done(o, r, json, 1, NULL, "cannot compute the result: %s",
			    em_strerror(err));
		rc = report(o, r, &b.u.result, NULL, 0, json);
		free(scores);
		return rc;
	}
	if ((err = eval_result_body(o, r, access, &b, &scores)) != EM_OK)
		return not_done(o, r, json, 1, NULL, "cannot compute the result: %s",
		    em_strerror(err));
	if (publish && published_already(h, o, &b, rid)) {
		remember(h, rid, r);
		rc = report(o, r, &b.u.result, rid, 1, json);
		free(scores);
		return rc;
	}
	if (publish) {
		if ((err = body_encode(&b, &enc, &len)) == EM_OK)
			err = store_publish(h->st, h->me, REC_RESULT, enc, len, em_wall_ms(em_clock_system()), rid, NULL);
		free(enc);
		if (err != EM_OK) {
			free(scores);
			return not_done(o, r, json, 1, NULL, "cannot publish the result: %s",
			    home_write_why(h, err, sum, sizeof sum));
		}
		remember(h, rid, r);
	}
	rc = report(o, r, &b.u.result, publish ? rid : NULL, 0, json);
	free(scores);
	return rc;
}

/* One run of a task on a model at a time per home: two would ask the
 * model the same items and publish twice. A byte of <home>/eval.lock,
 * at an offset drawn from the run key, is locked for the run (fcntl
 * locks go with the process, so a killed run leaves none behind). The
 * descriptor, or -1 after the message: exit 1. */
static int
run_lock(const home_ctx *h, const eval_opts *o)
{
	char path[HOME_PATH_MAX];
	uint8_t key[32];
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_len = 1 };
	int fd;

	if (eval_run_key(o, key) != EM_OK)
		return cli_fail("cannot compute the run's key: out of memory"), -1;
	if (home_path(h->dir, "eval.lock", path, sizeof path) != 0)
		return -1;
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0)
		return cli_fail("%s: %s", path, strerror(errno)), -1;
	fl.l_start = (off_t)(((uint64_t)key[0] << 32 | (uint64_t)key[1] << 24 | key[2] << 16 |
	    key[3] << 8 | key[4]) & 0x7fffffffffULL);
	if (fcntl(fd, F_SETLK, &fl) == 0)
		return fd;
	close(fd);
	if (errno == EACCES || errno == EAGAIN)
		return cli_fail("another eval of this task with these model settings is running "
		    "on this home; wait for it, or stop it"), -1;
	return cli_fail("%s: cannot lock: %s", path, strerror(errno)), -1;
}

/* An eval that auto-eval started (EVALMESH_EVAL_PARENT holds the node's
 * pid) ends with the node: a killed node leaves no run behind to race
 * the next node's. */
static void
die_with_parent(void)
{
	const char *p = getenv("EVALMESH_EVAL_PARENT");

	if (p == NULL || *p == '\0')
		return;
	(void)prctl(PR_SET_PDEATHSIG, SIGTERM);
	if ((long)getppid() != strtol(p, NULL, 10))
		raise(SIGTERM);		/* the node went before the signal was set */
}

int
cmd_eval(int argc, char **argv)
{
	char why[TASK_WHY_MAX];
	eval_opts o = { 0 };
	eval_out r;
	task_rec tr;
	task_shots shots;
	uint8_t id[32];
	json_t *extra = NULL;
	args_parsed a;
	home_ctx h;
	int rc, access = ACCESS_OPEN, need_key, opened = 0, have_task = 0, have_items = 0, json;
	int lock = -1;
	em_err err;

	if ((rc = cli_args("eval", &a, opts, sizeof opts / sizeof opts[0], argc, argv, 1)) != 0)
		return rc;
	if (args_help(&a))
		return cli_help(help);
	if (a.n_pos != 1)
		return cli_usage("eval", "give the TASK to run (id, prefix, NAME or NAME@VERSION)");
	if ((rc = cli_task("eval", "TASK", a.pos[0])) != 0)
		return rc;
	json = args_get(&a, "json") != NULL;
	if ((rc = settings(&a, &o, &access, &extra)) != 0)
		goto out;
	need_key = !args_get(&a, "dry-run") && !args_get(&a, "no-publish") && !o.limit;
	if ((rc = home_open(&h, &a, need_key)) != 0)
		goto out;
	opened = 1;
	if ((err = task_find(h.st, h.pk, a.pos[0], id, why, sizeof why)) != EM_OK ||
	    (err = task_rec_load(h.st, h.pk, id, &tr, why, sizeof why)) != EM_OK) {
		rc = not_done(&o, NULL, json, 1, NULL, "%s", why);
		goto out;
	}
	have_task = 1;
	if ((err = task_items_check(h.st, &tr.spec, &tr.body, &shots, why, sizeof why)) != EM_OK) {
		rc = not_done(&o, NULL, json, 1, NULL, "task %s@%s: %s%s", tr.spec.name, tr.spec.version, why,
		    err == EM_ENOTFOUND ? " (keep the node running to fetch them)" : "");
		goto out;
	}
	have_items = 1;
	o.task = &tr;
	o.shots = &shots;
	die_with_parent();
	if (args_get(&a, "dry-run")) {
		rc = dry_run(h.st, &o);
	} else if ((lock = run_lock(&h, &o)) < 0) {
		rc = 1;
	} else if ((err = eval_run(h.st, &o, &r, why, sizeof why)) != EM_OK) {
		rc = not_done(&o, &r, json, 1, err == EM_ETOOBIG ? "max_prompt_bytes" : NULL, "%s",
		    why);
		eval_out_free(&r);
	} else {
		rc = finish(&h, &o, &r, access, &a);
		eval_out_free(&r);
	}
out:
	if (lock >= 0)
		close(lock);
	if (rc == 1 && json && !said)
		nothing_sent();
	if (have_items)
		task_shots_free(&shots);
	if (have_task)
		task_rec_free(&tr);
	if (opened)
		home_close(&h);
	json_decref(extra);
	return rc;
}
