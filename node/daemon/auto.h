/* node/daemon/auto.h — a node that evaluates new tasks by itself.
 *
 * Given its model once (flags to `evalmesh node`, or HOME/node.json), a
 * running node evaluates every task it holds — from trusted task authors
 * (itself included) with "trusted", from anyone with "all" — once per task
 * and model revision. Each evaluation is a child process running `evalmesh
 * eval` on this home, so it has the runner's cache, retries and
 * resumability, and publishes only a complete result; the node then
 * gossips that result like any other record. At most `eval_jobs` run at
 * once (default 1). A run that fails is reported in `evalmesh status` and
 * tried again after a backoff of 1 minute doubling to at most an hour,
 * jittered to between half of it and all of it, in whole seconds, on the
 * monotonic clock (timing_auto_retry in timing.h); the log line says the
 * wait used. The API key variable is passed by name and inherited
 * through the environment, never on a command line.
 *
 * HOME/node.json, every key optional, flags win:
 *   {"model": "qwen2.5-7b", "revision": "main", "access": "open",
 *    "endpoint": ["http://127.0.0.1:8000"], "api": "chat",
 *    "served_model": "...", "api_key_env": "VAR", "api_key_header": "NAME",
 *    "exec": "CMD", "concurrency": 8, "max_tokens": 4096,
 *    "extra_body": {"chat_template_kwargs": {"enable_thinking": false}},
 *    "auto_eval": "trusted", "eval_jobs": 1}
 * (max_tokens, extra_body and api_key_header as `eval` takes them). */
#ifndef EM_AUTO_H
#define EM_AUTO_H

#include <stddef.h>
#include <stdint.h>

enum auto_mode { AUTO_OFF, AUTO_TRUSTED, AUTO_ALL };

#define AUTO_STR_MAX		1024
#define AUTO_ENDPOINTS_MAX	16	/* eval's --endpoint limit (MODEL_ENDPOINTS_MAX) */
#define AUTO_EXTRA_BODY_MAX	512	/* eval's --extra-body limit (MODEL_EXTRA_BODY_MAX) */

typedef struct auto_cfg {
	enum auto_mode	mode;
	char		model[AUTO_STR_MAX], revision[AUTO_STR_MAX], access[16];
	char		api[16], served_model[AUTO_STR_MAX], api_key_env[128];
	char		exec[AUTO_STR_MAX], api_key_header[128];
	unsigned	max_tokens;		/* 0: the task's */
	char		extra_body[AUTO_EXTRA_BODY_MAX + 1];	/* compact JSON, or "" */
	char		endpoints[AUTO_ENDPOINTS_MAX][AUTO_STR_MAX];
	size_t		n_endpoints;
	unsigned	concurrency, jobs;
	char		passphrase_env[128];	/* passed on to the children */
} auto_cfg;

#endif
