/* evalmesh model check — does this endpoint answer, and how? */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cli.h"
#include "model.h"
#include "model_check.h"
#include "modelcfg.h"

#define CMD	"model check"

static const char check_usage[] =
"--endpoint URL [--api chat|completions]\n"
"           [--served-model NAME | --model NAME] [--api-key-env VAR]\n"
"           [--api-key-header NAME] [--extra-body JSON] [--max-tokens N]\n"
"           [--timeout SEC] [--json]";

static const char about[] =
"Sends one small request (\"Say OK.\") to an OpenAI-compatible endpoint the\n"
"way `evalmesh eval` would (the same URL rules, headers, retries' error\n"
"classes and quoting) and prints what the server said: the answer, the\n"
"finish reason, whether the model reasoned and in which field, the token\n"
"usage, and the server's model list (GET .../v1/models), with the latency\n"
"of each. Run it before an evaluation. Nothing is stored or published.\n\n"
"  --endpoint URL       http://host:port, .../v1, or the full path; a query\n"
"                       (?api-version=...) is kept as given\n"
"  --api A              chat (default) or completions\n"
"  --served-model NAME  the \"model\" field sent (--model is the same here);\n"
"                       default: the first model the server lists\n"
"  --api-key-env VAR    send the key held in $VAR (never printed)\n"
"  --api-key-header NAME  send it as \"NAME: KEY\" (Azure: api-key), not as\n"
"                       \"Authorization: Bearer KEY\"\n"
"  --extra-body JSON    an object merged into the request body, e.g.\n"
"                       '{\"chat_template_kwargs\":{\"enable_thinking\":false}}'\n"
"  --max-tokens N       the answer's budget (default 32)\n"
"  --timeout SEC        for each request (default 60)\n"
"  --json               one JSON object on stdout\n\n"
"Exit status: 0 the endpoint answered, 1 it did not (one line on stderr\n"
"quoting the server), 2 a usage error.\n";

static const opt opts[] = {
	{ "home", OPT_VALUE, 0 }, { "json", OPT_FLAG, 0 }, { "endpoint", OPT_VALUE, 0 },
	{ "api", OPT_VALUE, 0 }, { "served-model", OPT_VALUE, 0 }, { "model", OPT_VALUE, 0 },
	{ "api-key-env", OPT_VALUE, 0 }, { "api-key-header", OPT_VALUE, 0 },
	{ "extra-body", OPT_VALUE, 0 }, { "max-tokens", OPT_VALUE, 0 }, { "timeout", OPT_VALUE, 0 },
};

/* Everything from the flags into o, the model flags by the rules `eval`
 * uses (modelcfg.h); *extra is yours. 0, 1 or 2 as the command returns. */
static int
settings(const args_parsed *a, model_opts *o, json_t **extra, unsigned *max_tokens)
{
	static const enum modelcfg_key keys[] = { MC_ENDPOINT, MC_API, MC_SERVED_MODEL,
	    MC_API_KEY_ENV, MC_API_KEY_HEADER, MC_EXTRA_BODY };
	const char *api = args_get(a, "api"), *v;
	modelcfg_set set = { 0 };
	modelcfg_val val;
	char why[256];
	uint64_t tmo, mt;
	int rc;

	if (args_get(a, "endpoint") == NULL)
		return cli_usage(CMD, "give --endpoint URL");
	if (args_get(a, "served-model") && args_get(a, "model"))
		return cli_usage(CMD, "give --served-model or --model, not both");
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		if ((v = args_get(a, modelcfg_flag_name(keys[i]))) == NULL)
			continue;
		if ((rc = modelcfg_flag(CMD, keys[i], v, &val)) != 0)
			return rc;
		if (keys[i] == MC_EXTRA_BODY)
			*extra = val.obj;
	}
	/* --model is --served-model here, by the same rule */
	if ((v = args_get(a, "model")) != NULL &&
	    (rc = modelcfg_flag(CMD, MC_SERVED_MODEL, v, &val)) != 0)
		return rc;
	if ((rc = cli_number(CMD, a, "max-tokens", 1, 65536, 32, &mt)) != 0 ||
	    (rc = cli_number(CMD, a, "timeout", 1, 3600, 60, &tmo)) != 0)
		return rc;
	set.n_endpoints = 1;
	set.extra_body = *extra != NULL;
	set.api_key_env = args_get(a, "api-key-env");
	set.api_key_header = args_get(a, "api-key-header");
	if ((rc = modelcfg_combine(&set, why, sizeof why)) != 0)
		return rc == 2 ? cli_usage(CMD, why) : cli_fail("%s: %s", CMD, why);
	o->endpoints[0] = args_get(a, "endpoint");
	o->n_endpoints = 1;
	o->api = api != NULL && strcmp(api, "completions") == 0 ? MODEL_COMPLETIONS : MODEL_CHAT;
	o->served_model = args_get(a, "served-model") ? args_get(a, "served-model") :
	    args_get(a, "model");
	o->api_key_header = set.api_key_header;
	if (set.api_key_env != NULL)
		o->api_key = getenv(set.api_key_env);	/* set: modelcfg_combine */
	*max_tokens = (unsigned)mt;
	o->timeout_ms = (unsigned)tmo * 1000;
	o->concurrency = 1;
	o->extra_body = *extra;
	return 0;
}

/* A string from outside, safe on a terminal line. */
static const char *
safe(const char *s, char *out, size_t cap)
{
	model_quote(s, strlen(s), out, cap);
	return out;
}

static void
print_models(const model_opts *o, const model_check *c)
{
	char u[MODEL_URL_MAX], show[112], q[160];
	int found = 0;

	if (model_url(o->endpoints[0], "/models", u, sizeof u, q, sizeof q) == EM_OK)
		model_url_show(u, show, sizeof show);
	else
		snprintf(show, sizeof show, "?");
	if (!c->models_ok) {
		printf("models     none listed: %s\n", c->models_why);
		return;
	}
	printf("models    ");
	for (size_t i = 0; i < c->n_ids; i++) {
		printf(" %s", safe(c->ids[i], q, sizeof q));
		found |= o->served_model && strcmp(c->ids[i], o->served_model) == 0;
	}
	if (c->total_ids > c->n_ids)
		printf(" and %zu more", c->total_ids - c->n_ids);
	printf("%s (GET %s, %.0f ms)\n", c->total_ids ? "" : " (an empty list)", show, c->models_ms);
	if (o->served_model && !found && c->total_ids == c->n_ids)
		printf("note       the server lists no model named %s\n",
		    safe(o->served_model, q, sizeof q));
}

static void
print_text(const model_opts *o, const model_check *c)
{
	char u[MODEL_URL_MAX], show[112], q[MODEL_WHY_MAX];

	model_url(o->endpoints[0], o->api == MODEL_CHAT ? "/chat/completions" : "/completions", u,
	    sizeof u, q, sizeof q);
	model_url_show(u, show, sizeof show);
	printf("endpoint   %s (%s)\n", show, o->api == MODEL_CHAT ? "chat" : "completions");
	printf("model      %s", safe(o->served_model, q, sizeof q));
	if (c->answered_by[0] && strcmp(c->answered_by, o->served_model) != 0)
		printf(", answered as %s", safe(c->answered_by, q, sizeof q));
	printf("\n");
	if (c->fail == MF_NONE) {
		printf("answer     %s%s\n", safe(c->answer, q, sizeof q), c->answer[0] ? "" :
		    c->truncated ? " (no text: the model stopped at its token limit; if it was "
		    "reasoning, raise --max-tokens or turn thinking off with --extra-body)" :
		    " (no text)");
		printf("finish     %s%s (%.0f ms)\n", c->finish_reason[0] ? c->finish_reason : "(none)",
		    c->truncated ? ", truncated" : "", c->ms);
		if (c->reasoning[0] && c->reasoning_bytes)
			printf("reasoning  %zu bytes in %s\n", c->reasoning_bytes, c->reasoning);
		else
			printf("reasoning  %s\n", c->reasoning[0] ? c->reasoning : "none seen");
		if (c->usage[0] >= 0 && c->usage[1] >= 0)
			printf("usage      %ld prompt + %ld completion tokens\n", c->usage[0],
			    c->usage[1]);
		else if (c->usage[0] >= 0 || c->usage[1] >= 0)
			printf("usage      %ld %s tokens\n", c->usage[0] >= 0 ? c->usage[0] : c->usage[1],
			    c->usage[0] >= 0 ? "prompt" : "completion");
		else
			printf("usage      not given\n");
	}
	print_models(o, c);
}

static int
print_json(const model_opts *o, const model_check *c)
{
	char u[MODEL_URL_MAX], show[112], q[8];
	json_t *ids = json_array(), *usage = json_null(), *j;

	model_url(o->endpoints[0], o->api == MODEL_CHAT ? "/chat/completions" : "/completions", u,
	    sizeof u, q, sizeof q);
	model_url_show(u, show, sizeof show);
	for (size_t i = 0; ids && i < c->n_ids; i++)
		json_array_append_new(ids, json_string(c->ids[i]));
	if (c->usage[0] >= 0 || c->usage[1] >= 0)
		usage = json_pack("{s:I, s:I, s:I}", "prompt_tokens", (json_int_t)c->usage[0],
		    "completion_tokens", (json_int_t)c->usage[1], "total_tokens",
		    (json_int_t)c->usage[2]);
	j = json_pack("{s:s, s:s, s:s?, s:s?, s:b, s:s, s:s?, s:I, s:s?, s:b, s:s?, s:s?, s:I, s:o, "
	    "s:f, s:{s:b, s:o, s:I, s:s?, s:f}}",
	    "endpoint", show, "api", o->api == MODEL_CHAT ? "chat" : "completions",
	    "model", o->served_model, "answered_by", c->answered_by[0] ? c->answered_by : NULL,
	    "ok", c->fail == MF_NONE, "fail", model_fail_name(c->fail),
	    "error", c->fail == MF_NONE ? NULL : c->why, "status", (json_int_t)c->status,
	    "answer", c->answer, "truncated", c->truncated,
	    "finish_reason", c->finish_reason[0] ? c->finish_reason : NULL,
	    "reasoning", c->reasoning[0] ? c->reasoning : NULL,
	    "reasoning_bytes", (json_int_t)c->reasoning_bytes, "usage", usage,
	    "latency_ms", c->ms,
	    "models", "ok", c->models_ok, "ids", ids ? ids : json_array(),
	    "count", (json_int_t)c->total_ids, "error", c->models_ok ? NULL : c->models_why,
	    "latency_ms", c->models_ms);
	return cli_json_print(j);
}

/* The model to ask when none was named: the first the server lists. */
static int
pick_model(model_opts *o, const model_check *c)
{
	if (o->served_model != NULL)
		return 0;
	if (!c->models_ok)	/* nobody there, most likely: say that first */
		return cli_fail("model check: %s (and without --served-model NAME the model "
		    "to ask is the first it lists)", c->models_why);
	if (c->n_ids == 0)
		return cli_fail("model check: the server lists no model; give --served-model NAME");
	o->served_model = c->ids[0];
	return 0;
}

static int
check(const args_parsed *a)
{
	char why[MODEL_WHY_MAX];
	model_opts o = { 0 };
	model_check c = { 0 };
	json_t *extra = NULL;
	unsigned max_tokens = 32;
	int rc, json;

	json = args_get(a, "json") != NULL;
	if ((rc = settings(a, &o, &extra, &max_tokens)) != 0)
		goto out;
	if (model_check_models(&o, &c, why, sizeof why) != EM_OK ||
	    (rc = pick_model(&o, &c)) != 0 ||
	    model_check_ask(&o, max_tokens, &c, why, sizeof why) != EM_OK) {
		rc = rc ? rc : cli_fail("model check: %s", why);
		goto out;
	}
	rc = json ? print_json(&o, &c) : (print_text(&o, &c), 0);
	if (c.fail != MF_NONE)
		rc = cli_fail("model check: %s", c.why);
out:
	model_check_free(&c);
	json_decref(extra);
	return rc;
}

static const cli_verb verbs[] = {
	{ "check", opts, sizeof opts / sizeof opts[0], 0, NULL, check_usage, about, check },
};

int
cmd_model(int argc, char **argv)
{
	static const cli_verbs c = { "model", verbs, 1, about,
	    "expected 'check' (model check is the one)" };

	return cli_verbs_run(&c, argc, argv);
}
