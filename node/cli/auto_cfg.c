/* The node's model settings: HOME/node.json, then the flags. */
#include "auto_cfg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "home.h"
#include "model.h"

_Static_assert(AUTO_ENDPOINTS_MAX == MODEL_ENDPOINTS_MAX, "auto.h's endpoint limit is eval's");
_Static_assert(AUTO_EXTRA_BODY_MAX == MODEL_EXTRA_BODY_MAX, "auto.h's extra_body limit is eval's");

static int
set(char *dst, const char *v, const char *what)
{
	if (strlen(v) >= AUTO_STR_MAX)
		return cli_fail("%s: longer than %d bytes", what, AUTO_STR_MAX - 1);
	strcpy(dst, v);
	return 0;
}

#define AUTO_MAX_TOKENS	(1 << 20)

/* Extra request fields, checked as `eval` checks them, kept as compact
 * JSON to pass on. where names the file or flag. */
static int
set_extra(auto_cfg *c, const json_t *v, const char *where)
{
	char why[MODEL_WHY_MAX], *s;

	if (model_extra_body_check(v, why, sizeof why) != EM_OK)
		return cli_fail("%s: extra_body: %s", where, why);
	if ((s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS)) == NULL)
		return cli_fail("out of memory");
	snprintf(c->extra_body, sizeof c->extra_body, "%s", s);
	free(s);
	return 0;
}

/* The file's keys, each a string unless said. */
static int
from_file(const char *path, auto_cfg *c, char *mode, size_t mcap)
{
	static const char *const keys[] = { "model", "revision", "access", "api", "served_model",
	    "api_key_env", "exec", "auto_eval", "endpoint", "concurrency", "eval_jobs",
	    "max_tokens", "extra_body", "api_key_header" };
	json_error_t je;
	json_t *o, *v;
	const char *k;
	int rc = 0;

	if (access(path, F_OK) != 0)
		return 0;
	if ((o = json_load_file(path, JSON_REJECT_DUPLICATES, &je)) == NULL)
		return cli_fail("%s:%d: not valid JSON: %s", path, je.line, je.text);
	if (!json_is_object(o)) {
		json_decref(o);
		return cli_fail("%s: expected a JSON object", path);
	}
	json_object_foreach(o, k, v) {
		size_t i;

		for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
			if (strcmp(k, keys[i]) == 0)
				break;
		if (i == sizeof keys / sizeof keys[0]) {
			rc = cli_fail("%s: %.64s: unknown key", path, k);
			break;
		}
		if (strcmp(k, "max_tokens") == 0) {
			if (!json_is_integer(v) || json_integer_value(v) < 1 ||
			    json_integer_value(v) > AUTO_MAX_TOKENS) {
				rc = cli_fail("%s: max_tokens: expected a whole number from 1 to %d", path,
				    AUTO_MAX_TOKENS);
				break;
			}
			c->max_tokens = (unsigned)json_integer_value(v);
		} else if (strcmp(k, "extra_body") == 0) {
			if ((rc = set_extra(c, v, path)))
				break;
		} else if (strcmp(k, "concurrency") == 0 || strcmp(k, "eval_jobs") == 0) {
			if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 1024) {
				rc = cli_fail("%s: %s: expected a whole number from 1 to 1024", path, k);
				break;
			}
			*(strcmp(k, "concurrency") == 0 ? &c->concurrency : &c->jobs) =
			    (unsigned)json_integer_value(v);
		} else if (strcmp(k, "endpoint") == 0) {
			json_t *e;
			size_t j;

			if (json_is_string(v))
				v = json_pack("[O]", v);
			else
				json_incref(v);
			if (!json_is_array(v) || json_array_size(v) > MODEL_ENDPOINTS_MAX) {
				json_decref(v);
				rc = cli_fail("%s: endpoint: expected a URL or a list of up to %d", path,
				    MODEL_ENDPOINTS_MAX);
				break;
			}
			c->n_endpoints = 0;
			json_array_foreach(v, j, e) {
				if (!json_is_string(e)) {
					rc = cli_fail("%s: endpoint: expected URLs", path);
					break;
				}
				if ((rc = set(c->endpoints[c->n_endpoints++], json_string_value(e), "endpoint")))
					break;
			}
			json_decref(v);
			if (rc)
				break;
		} else if (!json_is_string(v)) {
			rc = cli_fail("%s: %s: expected a string", path, k);
			break;
		} else {
			char *dst = strcmp(k, "model") == 0 ? c->model :
			    strcmp(k, "revision") == 0 ? c->revision :
			    strcmp(k, "served_model") == 0 ? c->served_model :
			    strcmp(k, "exec") == 0 ? c->exec : NULL;

			if (strcmp(k, "api_key_header") == 0) {
				if (strlen(json_string_value(v)) >= sizeof c->api_key_header) {
					rc = cli_fail("%s: %s: too long", path, k);
					break;
				}
				strcpy(c->api_key_header, json_string_value(v));
				continue;
			}
			const char *s = json_string_value(v);

			if (dst != NULL)
				rc = set(dst, s, k);
			else if (strcmp(k, "auto_eval") == 0)
				snprintf(mode, mcap, "%.15s", s);
			else if (strlen(s) >= (strcmp(k, "api_key_env") == 0 ? sizeof c->api_key_env :
			    sizeof c->api))
				rc = cli_fail("%s: %s: too long", path, k);
			else
				strcpy(strcmp(k, "access") == 0 ? c->access : strcmp(k, "api") == 0 ? c->api :
				    c->api_key_env, s);
			if (rc)
				break;
		}
	}
	json_decref(o);
	return rc;
}

static int
mode_of(const char *s, enum auto_mode *m)
{
	if (strcmp(s, "off") == 0)
		*m = AUTO_OFF;
	else if (strcmp(s, "trusted") == 0)
		*m = AUTO_TRUSTED;
	else if (strcmp(s, "all") == 0)
		*m = AUTO_ALL;
	else
		return cli_fail("--auto-eval '%.32s': expected trusted, all or off", s);
	return 0;
}

int
auto_config(const args *a, const char *home_dir, auto_cfg *c)
{
	char path[HOME_PATH_MAX + 16], mode[128] = "";
	const char *const *eps;
	const char *v;
	size_t n_eps = args_all(a, "endpoint", &eps);
	uint64_t num;

	memset(c, 0, sizeof *c);
	c->concurrency = 8;
	c->jobs = 1;
	if (home_path(home_dir, "node.json", path, sizeof path) ||
	    from_file(path, c, mode, sizeof mode))
		return 1;
	if ((v = args_get(a, "model")) && set(c->model, v, "--model"))
		return 1;
	if ((v = args_get(a, "revision")) && set(c->revision, v, "--revision"))
		return 1;
	if ((v = args_get(a, "served-model")) && set(c->served_model, v, "--served-model"))
		return 1;
	if ((v = args_get(a, "exec")) && set(c->exec, v, "--exec"))
		return 1;
	if ((v = args_get(a, "access")))
		snprintf(c->access, sizeof c->access, "%.15s", v);
	if ((v = args_get(a, "api")))
		snprintf(c->api, sizeof c->api, "%.15s", v);
	if ((v = args_get(a, "api-key-env")))
		snprintf(c->api_key_env, sizeof c->api_key_env, "%.127s", v);
	if ((v = args_get(a, "passphrase-env")))
		snprintf(c->passphrase_env, sizeof c->passphrase_env, "%.127s", v);
	if ((v = args_get(a, "auto-eval")))
		snprintf(mode, sizeof mode, "%s", v);
	if ((v = args_get(a, "api-key-header")))
		snprintf(c->api_key_header, sizeof c->api_key_header, "%.127s", v);
	if ((v = args_get(a, "max-tokens"))) {
		if (cli_parse_u64(v, &num) || num < 1 || num > AUTO_MAX_TOKENS)
			return cli_fail("--max-tokens '%.32s': expected 1 to %d", v, AUTO_MAX_TOKENS);
		c->max_tokens = (unsigned)num;
	}
	if ((v = args_get(a, "extra-body"))) {
		json_error_t je;
		json_t *o = json_loads(v, JSON_REJECT_DUPLICATES, &je);
		int rc;

		if (o == NULL)
			return cli_fail("--extra-body: not JSON: %s", je.text);
		rc = set_extra(c, o, "--extra-body");
		json_decref(o);
		if (rc)
			return rc;
	}
	if (n_eps > 0) {
		c->n_endpoints = 0;
		for (size_t i = 0; i < n_eps; i++)
			if (set(c->endpoints[c->n_endpoints++], eps[i], "--endpoint"))
				return 1;
	}
	if ((v = args_get(a, "concurrency"))) {
		if (cli_parse_u64(v, &num) || num < 1 || num > 1024)
			return cli_fail("--concurrency '%.32s': expected 1 to 1024", v);
		c->concurrency = (unsigned)num;
	}
	if ((v = args_get(a, "eval-jobs"))) {
		if (cli_parse_u64(v, &num) || num < 1 || num > 16)
			return cli_fail("--eval-jobs '%.32s': expected 1 to 16", v);
		c->jobs = (unsigned)num;
	}
	/* with a model, evaluating trusted tasks is the default; without, off */
	c->mode = c->model[0] ? AUTO_TRUSTED : AUTO_OFF;
	if (mode[0] && mode_of(mode, &c->mode))
		return 1;
	if (c->mode == AUTO_OFF)
		return 0;
	if (c->model[0] == '\0')
		return cli_fail("--auto-eval %s needs --model NAME (or \"model\" in node.json)", mode);
	if ((c->n_endpoints > 0) == (c->exec[0] != '\0'))
		return cli_fail("--auto-eval needs --endpoint URL or --exec CMD (one of them)");
	if (c->access[0] && strcmp(c->access, "open") && strcmp(c->access, "closed"))
		return cli_fail("--access '%s': expected open or closed", c->access);
	if (c->api[0] && strcmp(c->api, "chat") && strcmp(c->api, "completions"))
		return cli_fail("--api '%s': expected chat or completions", c->api);
	if (c->extra_body[0] && c->exec[0])
		return cli_fail("extra_body is for HTTP endpoints, not --exec");
	if (c->api_key_header[0] && !c->api_key_env[0])
		return cli_fail("--api-key-header needs --api-key-env");
	if (c->api_key_env[0] && getenv(c->api_key_env) == NULL)
		return cli_fail("--api-key-env %s: that variable is not set", c->api_key_env);
	return 0;
}
