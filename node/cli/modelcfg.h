/* node/cli/modelcfg.h — the model settings `eval` and `node` share (and
 * `model check` some of them), each checked by one rule wherever it comes
 * from: a flag, or a key of HOME/node.json.
 *
 * A value is checked where it is read. A flag's value by modelcfg_flag: a
 * bad one is a usage error (exit 2) naming the flag, the value and what
 * was expected ("evalmesh eval: --api 'frob': expected chat or completions
 * (see 'evalmesh eval --help')"). A node.json value by modelcfg_json: it
 * is not the command line's fault (exit 1), and the message names the file
 * and the key ("/h/node.json: api: expected chat or completions"). Then
 * the settings together by modelcfg_combine. Nothing is cut to fit: a
 * value longer than its limit is an error.
 *
 *   key             flag               takes
 *   model           --model            text (cli_text_check), <= BODY_NAME_MAX
 *   revision        --revision         text, <= BODY_NAME_MAX
 *   access          --access           open or closed
 *   api             --api              chat or completions
 *   served_model    --served-model     1 to MODELCFG_STR_MAX bytes
 *   api_key_env     --api-key-env      1 to HOME_VAR_MAX bytes
 *   api_key_header  --api-key-header   1 to MODELCFG_HEADER_MAX bytes (the
 *                                      name itself: modelcfg_combine)
 *   exec            --exec             1 to MODELCFG_STR_MAX bytes
 *   endpoint        --endpoint         an http(s) URL with a host (model_url),
 *                                      <= MODELCFG_STR_MAX bytes
 *   concurrency     --concurrency      1 to 1024
 *   max_tokens      --max-tokens       1 to MODELCFG_MAX_TOKENS
 *   extra_body      --extra-body       a JSON object model_extra_body_check
 *                                      accepts (a flag gives its JSON text)
 *   auto_eval       --auto-eval        trusted, all or off
 *   eval_jobs       --eval-jobs        1 to 16
 * and what auto-eval may spend (auto.h's auto_budget), and fetch unasked:
 *   budget_requests         --budget-requests          1 to 10^9 a day
 *   budget_prompt_bytes     --budget-prompt-bytes      1 to 64 MiB
 *   budget_max_tokens       --budget-max-tokens        1 to MODELCFG_MAX_TOKENS
 *   budget_items            --budget-items             1 to BODY_ITEMS_MAX
 *   budget_tasks_per_author --budget-tasks-per-author  1 to 100000 a day
 *   fetch_quota_mb          --fetch-quota-mb           1 to 2^20 (MiB)
 *   task_records_per_author --task-records-per-author  1 to 10^6 a day */
#ifndef EM_MODELCFG_H
#define EM_MODELCFG_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "body.h"
#include "home.h"

#define MODELCFG_NAME_MAX	BODY_NAME_MAX
#define MODELCFG_STR_MAX	1023
#define MODELCFG_HEADER_MAX	127
#define MODELCFG_WORD_MAX	15	/* the longest word of a list, and more */
#define MODELCFG_MAX_TOKENS	(1u << 20)

enum modelcfg_key {
	MC_MODEL, MC_REVISION, MC_ACCESS, MC_API, MC_SERVED_MODEL, MC_API_KEY_ENV,
	MC_API_KEY_HEADER, MC_EXEC, MC_ENDPOINT, MC_CONCURRENCY, MC_MAX_TOKENS,
	MC_EXTRA_BODY, MC_AUTO_EVAL, MC_EVAL_JOBS, MC_BUDGET_REQUESTS, MC_BUDGET_PROMPT_BYTES,
	MC_BUDGET_MAX_TOKENS, MC_BUDGET_ITEMS, MC_BUDGET_TASKS_PER_AUTHOR, MC_FETCH_QUOTA_MB,
	MC_TASK_RECORDS, MC_N
};

/* What a good value comes to besides its text. */
typedef struct modelcfg_val {
	uint64_t	 num;	/* the numbers */
	json_t		*obj;	/* extra_body: the object, yours (json_decref);
				 * NULL for every other key */
} modelcfg_val;

/* The name of k's flag without "--" ("api-key-env") and its node.json
 * key ("api_key_env"); static strings. */
const char *modelcfg_flag_name(enum modelcfg_key k);
const char *modelcfg_key_name(enum modelcfg_key k);

/* Checks v, the text given to k's flag (a number in decimal, extra_body
 * as JSON text), and fills *out (zeroed on failure). 0, or 2 after the
 * usage line of cmd. */
int modelcfg_flag(const char *cmd, enum modelcfg_key k, const char *v, modelcfg_val *out);

/* Checks v (only read), k's value in the node.json at path (a string; a
 * whole number for the numbers; any JSON for extra_body, which *out then
 * holds a new reference to; for endpoint, one string of the list), and
 * fills *out (zeroed on failure). 0, or 1 after "PATH: KEY: why". */
int modelcfg_json(const char *path, enum modelcfg_key k, const json_t *v, modelcfg_val *out);

/* The settings together, as strings (NULL or "": not given). */
typedef struct modelcfg_set {
	const char	*exec;
	size_t		 n_endpoints;
	int		 need_target;	/* an endpoint or a program is required */
	int		 extra_body;	/* one was given */
	const char	*api_key_env, *api_key_header;
} modelcfg_set;

/* The rules between settings: --endpoint or --exec, not both (and one of
 * them with need_target); --extra-body only with endpoints;
 * --api-key-header only with --api-key-env, and a header name
 * model_key_header_check takes; the variable --api-key-env names is set
 * and not empty. Returns 0; 2 with a one-line reason in why (cap bytes)
 * for settings that do not go together; 1 with why when the environment
 * lacks the key. Prints nothing. */
int modelcfg_combine(const modelcfg_set *s, char *why, size_t cap);

#endif
