/* The model settings' rules, one per key (modelcfg.h). */
#include "modelcfg.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "model.h"

enum kind {
	K_TEXT,		/* a text signed into records (cli_text_check) */
	K_STR,		/* any bytes, 1 to max */
	K_VAR,		/* the name of a variable (cli_var_check) */
	K_WORD,		/* one of words */
	K_URL,		/* an endpoint */
	K_NUM,		/* a whole number, lo to hi */
	K_JSON		/* the extra request body */
};

static const struct rule {
	const char	*flag, *key;
	enum kind	 kind;
	size_t		 max;
	uint64_t	 lo, hi;
	const char	*words[3];
	const char	*expect;	/* for a K_WORD */
} rules[MC_N] = {
	[MC_MODEL] = { "model", "model", K_TEXT, MODELCFG_NAME_MAX, 0, 0, { 0 }, NULL },
	[MC_REVISION] = { "revision", "revision", K_TEXT, MODELCFG_NAME_MAX, 0, 0, { 0 }, NULL },
	[MC_ACCESS] = { "access", "access", K_WORD, 0, 0, 0, { "open", "closed" },
	    "open or closed" },
	[MC_API] = { "api", "api", K_WORD, 0, 0, 0, { "chat", "completions" },
	    "chat or completions" },
	[MC_SERVED_MODEL] = { "served-model", "served_model", K_STR, MODELCFG_STR_MAX, 0, 0,
	    { 0 }, NULL },
	[MC_API_KEY_ENV] = { "api-key-env", "api_key_env", K_VAR, HOME_VAR_MAX, 0, 0, { 0 },
	    NULL },
	[MC_API_KEY_HEADER] = { "api-key-header", "api_key_header", K_STR, MODELCFG_HEADER_MAX,
	    0, 0, { 0 }, NULL },
	[MC_EXEC] = { "exec", "exec", K_STR, MODELCFG_STR_MAX, 0, 0, { 0 }, NULL },
	[MC_ENDPOINT] = { "endpoint", "endpoint", K_URL, MODELCFG_STR_MAX, 0, 0, { 0 }, NULL },
	[MC_CONCURRENCY] = { "concurrency", "concurrency", K_NUM, 0, 1, 1024, { 0 }, NULL },
	[MC_MAX_TOKENS] = { "max-tokens", "max_tokens", K_NUM, 0, 1, MODELCFG_MAX_TOKENS, { 0 },
	    NULL },
	[MC_EXTRA_BODY] = { "extra-body", "extra_body", K_JSON, 0, 0, 0, { 0 }, NULL },
	[MC_AUTO_EVAL] = { "auto-eval", "auto_eval", K_WORD, 0, 0, 0, { "trusted", "all", "off" },
	    "trusted, all or off" },
	[MC_EVAL_JOBS] = { "eval-jobs", "eval_jobs", K_NUM, 0, 1, 16, { 0 }, NULL },
	[MC_BUDGET_REQUESTS] = { "budget-requests", "budget_requests", K_NUM, 0, 1, 1000000000,
	    { 0 }, NULL },
	[MC_BUDGET_PROMPT_BYTES] = { "budget-prompt-bytes", "budget_prompt_bytes", K_NUM, 0, 1,
	    64u << 20, { 0 }, NULL },
	[MC_BUDGET_MAX_TOKENS] = { "budget-max-tokens", "budget_max_tokens", K_NUM, 0, 1,
	    MODELCFG_MAX_TOKENS, { 0 }, NULL },
	[MC_BUDGET_ITEMS] = { "budget-items", "budget_items", K_NUM, 0, 1, BODY_ITEMS_MAX, { 0 },
	    NULL },
	[MC_BUDGET_TASKS_PER_AUTHOR] = { "budget-tasks-per-author", "budget_tasks_per_author",
	    K_NUM, 0, 1, 100000, { 0 }, NULL },
	[MC_FETCH_QUOTA_MB] = { "fetch-quota-mb", "fetch_quota_mb", K_NUM, 0, 1, 1u << 20, { 0 },
	    NULL },
	[MC_TASK_RECORDS] = { "task-records-per-author", "task_records_per_author", K_NUM, 0, 1,
	    1000000, { 0 }, NULL },
};

const char *
modelcfg_flag_name(enum modelcfg_key k)
{
	return rules[k].flag;
}

const char *
modelcfg_key_name(enum modelcfg_key k)
{
	return rules[k].key;
}

static int
why_is(char *why, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int
why_is(char *why, size_t cap, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, cap, fmt, ap);
	va_end(ap);
	return -1;
}

/* The rule for a string value: 0, or -1 with what is wrong in why. */
static int
check_str(const struct rule *r, const char *s, char *why, size_t cap)
{
	char url[MODEL_URL_MAX], ignored[MODEL_WHY_MAX];
	size_t n = strlen(s);

	switch (r->kind) {
	case K_TEXT:
		return cli_text_check(s, r->max, why, cap);
	case K_STR:
		if (n == 0 || n > r->max)
			return why_is(why, cap, "expected 1 to %zu bytes", r->max);
		return 0;
	case K_VAR:
		return cli_var_check(s, why, cap);
	case K_WORD:
		for (size_t i = 0; i < sizeof r->words / sizeof r->words[0] && r->words[i]; i++)
			if (strcmp(s, r->words[i]) == 0)
				return 0;
		return why_is(why, cap, "expected %s", r->expect);
	case K_URL:
		/* the adapter's own rule, with the longest path it adds */
		if (n > r->max || model_url(s, "/chat/completions", url, sizeof url, ignored,
		    sizeof ignored) != EM_OK)
			return why_is(why, cap, "expected an http:// or https:// URL with a host, "
			    "at most %zu bytes", r->max);
		if (model_url_curl(url, ignored, sizeof ignored) != EM_OK)
			return why_is(why, cap, "not a URL curl can use (%s)", ignored);
		return 0;
	default:
		return why_is(why, cap, "expected a string");
	}
}

/* ok: the value was a whole number at all */
static int
check_num(const struct rule *r, int ok, uint64_t v, char *why, size_t cap)
{
	if (!ok || v < r->lo || v > r->hi)
		return why_is(why, cap, "expected a whole number from %llu to %llu",
		    (unsigned long long)r->lo, (unsigned long long)r->hi);
	return 0;
}

static int
check_extra(const json_t *v, char *why, size_t cap)
{
	switch (model_extra_body_check(v, why, cap)) {
	case EM_OK:
		return 0;
	case EM_ENOMEM:
		return why_is(why, cap, "out of memory");
	default:
		return -1;
	}
}

int
modelcfg_flag(const char *cmd, enum modelcfg_key k, const char *v, modelcfg_val *out)
{
	const struct rule *r = &rules[k];
	char flag[32], why[MODEL_WHY_MAX];
	json_error_t je;
	int bad = 0;

	memset(out, 0, sizeof *out);
	snprintf(flag, sizeof flag, "--%s", r->flag);
	if (r->kind == K_NUM) {
		int ok = cli_parse_u64(v, &out->num) == 0;

		bad = check_num(r, ok, out->num, why, sizeof why);
	} else if (r->kind == K_JSON) {
		if ((out->obj = json_loads(v, JSON_REJECT_DUPLICATES, &je)) == NULL) {
			char show[CLI_SHOWN_CAP];

			/* jansson quotes the bad token, control characters too */
			return cli_bad(cmd, flag, v, "not JSON: %s (at character %d)",
			    cli_shown(je.text, show, sizeof show), je.position);
		}
		bad = check_extra(out->obj, why, sizeof why);
	} else {
		bad = check_str(r, v, why, sizeof why);
	}
	if (bad == 0)
		return 0;
	json_decref(out->obj);
	memset(out, 0, sizeof *out);
	return cli_bad(cmd, flag, v, "%s", why);
}

int
modelcfg_json(const char *path, enum modelcfg_key k, const json_t *v, modelcfg_val *out)
{
	const struct rule *r = &rules[k];
	char why[MODEL_WHY_MAX];
	int bad;

	memset(out, 0, sizeof *out);
	if (r->kind == K_NUM) {
		int ok = json_is_integer(v) && json_integer_value(v) >= 0;

		out->num = ok ? (uint64_t)json_integer_value(v) : 0;
		bad = check_num(r, ok, out->num, why, sizeof why);
	} else if (r->kind == K_JSON) {
		bad = check_extra(v, why, sizeof why);
		if (bad == 0)
			out->obj = json_incref((json_t *)(uintptr_t)v);
	} else if (!json_is_string(v)) {
		bad = why_is(why, sizeof why, "expected a string");
	} else {
		bad = check_str(r, json_string_value(v), why, sizeof why);
	}
	if (bad == 0)
		return 0;
	memset(out, 0, sizeof *out);
	return cli_fail("%s: %s: %s", path, r->key, why);
}

int
modelcfg_combine(const modelcfg_set *s, char *why, size_t cap)
{
	int exec = s->exec != NULL && s->exec[0] != '\0';
	int key_env = s->api_key_env != NULL && s->api_key_env[0] != '\0';
	const char *key;

	if (exec && s->n_endpoints > 0)
		return why_is(why, cap, "give --endpoint URL or --exec CMD, not both"), 2;
	if (!exec && s->n_endpoints == 0 && s->need_target)
		return why_is(why, cap, "give --endpoint URL or --exec CMD (one of them)"), 2;
	if (exec && s->extra_body)
		return why_is(why, cap, "--extra-body is for HTTP endpoints, not --exec"), 2;
	if (s->api_key_header != NULL && s->api_key_header[0] != '\0' && !key_env)
		return why_is(why, cap, "--api-key-header needs --api-key-env VAR"), 2;
	if (s->api_key_header != NULL && s->api_key_header[0] != '\0' &&
	    model_key_header_check(s->api_key_header, why, cap) != EM_OK)
		return 2;
	if (key_env && ((key = getenv(s->api_key_env)) == NULL || *key == '\0'))
		return why_is(why, cap, "--api-key-env %s: that variable is %s", s->api_key_env,
		    key ? "empty" : "not set"), 1;
	return 0;
}
