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
	{ "extra-body", OPT_VALUE, 0 }, { "api-key-header", OPT_VALUE, 0 }

/* Reads HOME/node.json under home_dir (if there is one) and the flags in
 * a into *cfg (zeroed first; every value copied in), each value checked
 * by its rule in modelcfg.h, as `eval` checks its flags, and then the
 * settings together. Returns 0; 2 after a usage line for a bad flag, or
 * for settings that do not go together when no node.json took part; 1
 * after a line naming the file for a bad node.json (or settings that do
 * not go together with it), for an API key variable that is not set, or
 * when out of memory. */
int	auto_config(const args_parsed *a, const char *home_dir, auto_cfg *cfg);

#endif
