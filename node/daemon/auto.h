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
 * What it may spend is the operator's budget (auto_budget, budget.h):
 * the requests a UTC day, kept in the store across restarts, and limits
 * on each task and request; a task over one is not run, and status names
 * the limit.
 *
 * HOME/node.json, every key optional, flags win:
 *   {"model": "qwen2.5-7b", "revision": "main", "access": "open",
 *    "endpoint": ["http://127.0.0.1:8000"], "api": "chat",
 *    "served_model": "...", "api_key_env": "VAR", "api_key_header": "NAME",
 *    "exec": "CMD", "concurrency": 8, "max_tokens": 4096,
 *    "extra_body": {"chat_template_kwargs": {"enable_thinking": false}},
 *    "auto_eval": "trusted", "eval_jobs": 1,
 *    "budget_requests": 5000, "budget_prompt_bytes": 65536,
 *    "budget_max_tokens": 4096, "budget_items": 5000,
 *    "budget_tasks_per_author": 5, "fetch_quota_mb": 64,
 *    "task_records_per_author": 100}
 * (max_tokens, extra_body and api_key_header as `eval` takes them). */
#ifndef EM_AUTO_H
#define EM_AUTO_H

#include <stddef.h>
#include <stdint.h>

enum auto_mode { AUTO_OFF, AUTO_TRUSTED, AUTO_ALL };

/* What evaluating by itself may spend (budget.h has the rules; the
 * README says why these defaults). Each is at least 1: auto_config
 * fills the defaults. A task over items or max_tokens is not taken up
 * (nor, from an author the node does not trust, fetched); one with a
 * prompt over prompt_bytes is refused by its run before anything is
 * sent; requests_per_day is spent by runs until none is left that UTC
 * day; an author (this node excepted) has at most tasks_per_author of
 * its tasks taken up a day. */
typedef struct auto_budget {
	uint64_t	requests_per_day;	/* requests sent, retries included */
	uint64_t	prompt_bytes;		/* one request's prompt */
	uint64_t	max_tokens;		/* one request's max_tokens */
	uint64_t	items;			/* one task's items */
	uint64_t	tasks_per_author;	/* tasks taken up from one author a day */
} auto_budget;

#define AUTO_BUDGET_REQUESTS		5000
#define AUTO_BUDGET_PROMPT_BYTES	65536
#define AUTO_BUDGET_MAX_TOKENS		4096
#define AUTO_BUDGET_ITEMS		5000
#define AUTO_BUDGET_TASKS_PER_AUTHOR	5
#define AUTO_FETCH_QUOTA_MB		64	/* chunk bytes per author, fetched unasked */
#define AUTO_TASK_RECORDS		100	/* task records taken in per author a day */
#define AUTO_TASK_MAX_TOKENS		256	/* a manifest's without one (task.h's
						 * TASK_MAX_TOKENS_DEFAULT) */

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
	auto_budget	budget;
	uint64_t	fetch_quota;	/* bytes of task chunks fetched unasked for
					 * one author (fetch.c), whatever the mode */
	uint64_t	task_records;	/* task records taken in from peers per
					 * author a day (intake.c), whatever the mode */
} auto_cfg;

#endif
