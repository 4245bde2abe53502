/* The node's model settings: HOME/node.json, then the flags. Every value
 * is checked by modelcfg's rule for its key, as `eval` checks its flags. */
#include "auto_cfg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "file.h"
#include "home.h"
#include "task.h"
#include "model.h"
#include "modelcfg.h"

#define NODE_JSON_MAX	(64 * 1024)	/* node.json is a few settings */

#define FIELD_FITS(f, max) (sizeof(((auto_cfg *)0)->f) > (max))
_Static_assert(AUTO_ENDPOINTS_MAX == MODEL_ENDPOINTS_MAX, "auto.h's endpoint limit is eval's");
_Static_assert(AUTO_EXTRA_BODY_MAX == MODEL_EXTRA_BODY_MAX, "auto.h's extra_body limit is eval's");
_Static_assert(FIELD_FITS(model, MODELCFG_NAME_MAX) && FIELD_FITS(revision, MODELCFG_NAME_MAX) &&
    FIELD_FITS(served_model, MODELCFG_STR_MAX) && FIELD_FITS(exec, MODELCFG_STR_MAX) &&
    FIELD_FITS(endpoints[0], MODELCFG_STR_MAX) && FIELD_FITS(api_key_env, HOME_VAR_MAX) &&
    FIELD_FITS(passphrase_env, HOME_VAR_MAX) && FIELD_FITS(api_key_header, MODELCFG_HEADER_MAX) &&
    FIELD_FITS(access, MODELCFG_WORD_MAX) && FIELD_FITS(api, MODELCFG_WORD_MAX),
    "every value modelcfg accepts fits auto_cfg whole");
_Static_assert(AUTO_TASK_MAX_TOKENS == TASK_MAX_TOKENS_DEFAULT, "a task's max_tokens, as the node reads it");

/* Where a string setting is kept, or NULL. */
static char *
field(auto_cfg *c, enum modelcfg_key k)
{
	switch (k) {
	case MC_MODEL:		return c->model;
	case MC_REVISION:	return c->revision;
	case MC_ACCESS:		return c->access;
	case MC_API:		return c->api;
	case MC_SERVED_MODEL:	return c->served_model;
	case MC_API_KEY_ENV:	return c->api_key_env;
	case MC_API_KEY_HEADER:	return c->api_key_header;
	case MC_EXEC:		return c->exec;
	default:		return NULL;
	}
}

/* A checked value of k into c (the mode's word into mode). s is the
 * text of a string; v->obj is consumed. 0, or 1 when out of memory. */
static int
put(auto_cfg *c, char *mode, enum modelcfg_key k, const char *s, modelcfg_val *v)
{
	char *dst = field(c, k), *dump;
	int rc = 0;

	if (dst != NULL)
		strcpy(dst, s);		/* fits: the static asserts above */
	else if (k == MC_AUTO_EVAL)
		strcpy(mode, s);
	else if (k == MC_CONCURRENCY)
		c->concurrency = (unsigned)v->num;
	else if (k == MC_EVAL_JOBS)
		c->jobs = (unsigned)v->num;
	else if (k == MC_MAX_TOKENS)
		c->max_tokens = (unsigned)v->num;
	else if (k == MC_BUDGET_REQUESTS)
		c->budget.requests_per_day = v->num;
	else if (k == MC_BUDGET_PROMPT_BYTES)
		c->budget.prompt_bytes = v->num;
	else if (k == MC_BUDGET_MAX_TOKENS)
		c->budget.max_tokens = v->num;
	else if (k == MC_BUDGET_ITEMS)
		c->budget.items = v->num;
	else if (k == MC_BUDGET_TASKS_PER_AUTHOR)
		c->budget.tasks_per_author = v->num;
	else if (k == MC_FETCH_QUOTA_MB)
		c->fetch_quota = v->num << 20;
	else if (k == MC_TASK_RECORDS)
		c->task_records = v->num;
	else if (k == MC_EXTRA_BODY) {
		/* compact, as model_extra_body_check measured it: it fits */
		if ((dump = json_dumps(v->obj, JSON_COMPACT | JSON_SORT_KEYS)) == NULL ||
		    (size_t)snprintf(c->extra_body, sizeof c->extra_body, "%s", dump) >=
		    sizeof c->extra_body)
			rc = cli_fail("out of memory");
		free(dump);
	}
	json_decref(v->obj);
	v->obj = NULL;
	return rc;
}

static int
file_endpoints(const char *path, auto_cfg *c, const json_t *v)
{
	modelcfg_val val;
	json_t *e;
	size_t j;

	if (json_is_string(v)) {
		if (modelcfg_json(path, MC_ENDPOINT, v, &val))
			return 1;
		c->n_endpoints = 1;
		strcpy(c->endpoints[0], json_string_value(v));
		return 0;
	}
	if (!json_is_array(v) || json_array_size(v) > AUTO_ENDPOINTS_MAX)
		return cli_fail("%s: endpoint: expected a URL or a list of up to %d", path,
		    AUTO_ENDPOINTS_MAX);
	c->n_endpoints = 0;
	json_array_foreach(v, j, e) {
		if (modelcfg_json(path, MC_ENDPOINT, e, &val))
			return 1;
		strcpy(c->endpoints[c->n_endpoints++], json_string_value(e));
	}
	return 0;
}

/* The file as a JSON object, into *o; ENOTFOUND when there is none (no
 * message). Bounded: a regular file (never a FIFO waited on) of at most
 * NODE_JSON_MAX bytes. EM_OK, or EM_EIO after a line naming the file. */
static em_err
load(const char *path, json_t **o)
{
	char show[CLI_SHOWN_CAP];
	json_error_t je;
	uint8_t *buf;
	size_t len;
	em_err err;

	*o = NULL;
	if ((err = file_read(path, NODE_JSON_MAX, &buf, &len)) == EM_ENOTFOUND)
		return err;
	if (err == EM_ETOOBIG)
		return cli_fail("%s: larger than %d bytes", path, NODE_JSON_MAX), EM_EIO;
	if (err != EM_OK)
		return cli_fail("%s: %s", path, file_strerror(err)), EM_EIO;
	*o = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, &je);
	free(buf);
	if (*o == NULL)
		return cli_fail("%s:%d: not valid JSON: %s", path, je.line,
		    cli_shown(je.text, show, sizeof show)), EM_EIO;
	if (!json_is_object(*o)) {
		json_decref(*o);
		*o = NULL;
		return cli_fail("%s: expected a JSON object", path), EM_EIO;
	}
	return EM_OK;
}

/* Whether setting k means nothing without a model: all but the model,
 * the mode, the fetch quota and the task records cap (which bound what
 * peers' tasks fill the disk with, evaluated or not). */
static int
needs_model(enum modelcfg_key k)
{
	return k != MC_MODEL && k != MC_AUTO_EVAL && k != MC_FETCH_QUOTA_MB &&
	    k != MC_TASK_RECORDS;
}

/* The file's keys, each checked by its rule. *used: there was a file;
 * *other: the first key given besides model and auto_eval, or left. */
static int
from_file(const char *path, auto_cfg *c, char *mode, int *used, const char **other)
{
	char show[CLI_SHOWN_CAP];
	json_t *o, *v;
	const char *k;
	em_err err;
	int rc = 0;

	if ((err = load(path, &o)) != EM_OK)
		return err != EM_ENOTFOUND;
	*used = 1;
	json_object_foreach(o, k, v) {
		modelcfg_val val;
		enum modelcfg_key i;

		for (i = 0; i < MC_N && strcmp(k, modelcfg_key_name(i)) != 0; i++)
			;
		if (i != MC_N && needs_model(i) && *other == NULL)
			*other = modelcfg_key_name(i);
		if (i == MC_N)
			rc = cli_fail("%s: '%s': unknown key", path, cli_shown(k, show, sizeof show));
		else if (i == MC_ENDPOINT)
			rc = file_endpoints(path, c, v);
		else if ((rc = modelcfg_json(path, i, v, &val)) == 0)
			rc = put(c, mode, i, json_string_value(v), &val);
		if (rc)
			break;
	}
	json_decref(o);
	return rc;
}

/* The flags, each checked by its rule; they win over the file. *other:
 * the first flag given besides --model and --auto-eval, or left. */
static int
from_flags(const args_parsed *a, auto_cfg *c, char *mode, const char **other)
{
	const char *const *eps;
	size_t n_eps = args_all(a, "endpoint", &eps);
	const char *v;
	modelcfg_val val;
	int rc;

	for (enum modelcfg_key k = 0; k < MC_N; k++) {
		if (k == MC_ENDPOINT || (v = args_get(a, modelcfg_flag_name(k))) == NULL)
			continue;
		if ((rc = modelcfg_flag("node", k, v, &val)) != 0 ||
		    (rc = put(c, mode, k, v, &val)) != 0)
			return rc;
		if (needs_model(k) && *other == NULL)
			*other = modelcfg_flag_name(k);
	}
	for (size_t i = 0; i < n_eps; i++)
		if ((rc = modelcfg_flag("node", MC_ENDPOINT, eps[i], &val)) != 0)
			return rc;
	if (n_eps > 0) {
		if (*other == NULL)
			*other = modelcfg_flag_name(MC_ENDPOINT);
		c->n_endpoints = n_eps;
		for (size_t i = 0; i < n_eps; i++)
			strcpy(c->endpoints[i], eps[i]);
	}
	if ((v = args_get(a, "passphrase-env")) != NULL)
		strcpy(c->passphrase_env, v);	/* checked by cli_args */
	return 0;
}

/* Settings that do not go together: the command line's fault (2) when it
 * alone gave them, else the file's part is worth a look (1). */
static int
mismatch(const char *why, int file_used, const char *path)
{
	if (!file_used)
		return cli_usage("node", why);
	return cli_fail("%s (the settings from the flags and %s)", why, path);
}

/* A model setting given without a model: the node would evaluate
 * nothing with it, so it is refused, not ignored. A flag is the command
 * line's fault (2); a key of the file, the file's (1). 0 when none. */
static int
no_model(const char *flag, const char *key, const char *path)
{
	char why[128];

	if (flag != NULL) {
		snprintf(why, sizeof why, "--%s needs --model NAME (or \"model\" in node.json)",
		    flag);
		return cli_usage("node", why);
	}
	if (key != NULL)
		return cli_fail("%s: %s: needs \"model\" (without one the node evaluates "
		    "nothing)", path, key);
	return 0;
}

/* The budget's defaults where nothing was given (auto.h says why these). */
static void
defaults(auto_cfg *c)
{
	auto_budget *b = &c->budget;

	if (b->requests_per_day == 0)
		b->requests_per_day = AUTO_BUDGET_REQUESTS;
	if (b->prompt_bytes == 0)
		b->prompt_bytes = AUTO_BUDGET_PROMPT_BYTES;
	if (b->max_tokens == 0)		/* the operator's own --max-tokens is allowed */
		b->max_tokens = c->max_tokens > AUTO_BUDGET_MAX_TOKENS ? c->max_tokens :
		    AUTO_BUDGET_MAX_TOKENS;
	if (b->items == 0)
		b->items = AUTO_BUDGET_ITEMS;
	if (b->tasks_per_author == 0)
		b->tasks_per_author = AUTO_BUDGET_TASKS_PER_AUTHOR;
	if (c->fetch_quota == 0)
		c->fetch_quota = (uint64_t)AUTO_FETCH_QUOTA_MB << 20;
	if (c->task_records == 0)
		c->task_records = AUTO_TASK_RECORDS;
}

int
auto_config(const args_parsed *a, const char *home_dir, auto_cfg *c)
{
	char path[HOME_PATH_MAX + 16], mode[MODELCFG_WORD_MAX + 1] = "", why[256];
	const char *flag = NULL, *key = NULL;
	modelcfg_set set;
	int rc, used = 0;

	memset(c, 0, sizeof *c);
	c->concurrency = 8;
	c->jobs = 1;
	if (home_path(home_dir, "node.json", path, sizeof path) ||
	    from_file(path, c, mode, &used, &key))
		return 1;
	if ((rc = from_flags(a, c, mode, &flag)) != 0)
		return rc;
	defaults(c);
	/* with a model, evaluating trusted tasks is the default; without, off */
	if (strcmp(mode, "all") == 0)
		c->mode = AUTO_ALL;
	else if (strcmp(mode, "trusted") == 0 || (mode[0] == '\0' && c->model[0] != '\0'))
		c->mode = AUTO_TRUSTED;
	else
		c->mode = AUTO_OFF;
	if (c->model[0] == '\0' && c->mode != AUTO_OFF) {
		snprintf(why, sizeof why, "--auto-eval %s needs --model NAME (or \"model\" in "
		    "node.json)", mode);
		return mismatch(why, used, path);
	}
	if (c->model[0] == '\0')
		return no_model(flag, key, path);
	if (c->mode == AUTO_OFF)
		return 0;
	if (c->max_tokens > c->budget.max_tokens) {
		snprintf(why, sizeof why, "--max-tokens %u is over --budget-max-tokens %llu",
		    c->max_tokens, (unsigned long long)c->budget.max_tokens);
		return mismatch(why, used, path);
	}
	set = (modelcfg_set){ .exec = c->exec, .n_endpoints = c->n_endpoints, .need_target = 1,
	    .extra_body = c->extra_body[0] != '\0', .api_key_env = c->api_key_env,
	    .api_key_header = c->api_key_header };
	if ((rc = modelcfg_combine(&set, why, sizeof why)) == 2)
		return mismatch(why, used, path);
	return rc ? cli_fail("%s", why) : 0;
}
