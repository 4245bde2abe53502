/* node/cli/auto_cfg.h — the settings `evalmesh node` evaluates new tasks
 * with (daemon/auto.h's auto_cfg): read from HOME/node.json, then the
 * flags, which win. */
#ifndef EM_AUTO_CFG_H
#define EM_AUTO_CFG_H

#include "args.h"
#include "auto.h"

/* The options `node` takes for this (for its option table). */
#define AUTO_OPTS \
	{ "model", OPT_VALUE, 0 }, { "revision", OPT_VALUE, 0 }, { "access", OPT_VALUE, 0 }, \
	{ "endpoint", OPT_MULTI, 0 }, { "exec", OPT_VALUE, 0 }, { "api", OPT_VALUE, 0 }, \
	{ "served-model", OPT_VALUE, 0 }, { "api-key-env", OPT_VALUE, 0 }, \
	{ "concurrency", OPT_VALUE, 0 }, { "auto-eval", OPT_VALUE, 0 }, \
	{ "eval-jobs", OPT_VALUE, 0 }, { "max-tokens", OPT_VALUE, 0 }, \
	{ "extra-body", OPT_VALUE, 0 }, { "api-key-header", OPT_VALUE, 0 }, \
	{ "budget-requests", OPT_VALUE, 0 }, { "budget-prompt-bytes", OPT_VALUE, 0 }, \
	{ "budget-max-tokens", OPT_VALUE, 0 }, { "budget-items", OPT_VALUE, 0 }, \
	{ "budget-tasks-per-author", OPT_VALUE, 0 }, { "fetch-quota-mb", OPT_VALUE, 0 }, \
	{ "task-records-per-author", OPT_VALUE, 0 }

/* Reads HOME/node.json under home_dir (if there is one) and the flags in
 * a into *cfg (zeroed first; every value copied in), each value checked
 * by its rule in modelcfg.h, as `eval` checks its flags, and then the
 * settings together. A setting of the model (any but model and
 * auto_eval) given with no model anywhere is refused, not ignored. The
 * budget and the fetch quota take their defaults (auto.h) where not
 * given, whatever the mode; budget_max_tokens defaults to max_tokens when
 * that is larger, and is a mismatch when given below it. Returns 0; 2
 * after a usage line for a bad flag, for such a flag without a model, or
 * for settings that do not go together when no node.json took part; 1
 * after a line naming the file for a bad node.json (a key of it without a
 * model included, or settings that do not go together with it), for an
 * API key variable that is not set, or when out of memory. */
int	auto_config(const args_parsed *a, const char *home_dir, auto_cfg *cfg);

#endif
