/* node/eval/model_check.h — a lab's first step: does this endpoint answer, and
 * how? One small request through the model adapter itself (the same URL
 * rules, headers, error classes and quoting as an evaluation), and the
 * server's model list. Nothing is printed here: cmd_model.c does. */
#ifndef EM_MODEL_CHECK_H
#define EM_MODEL_CHECK_H

#include <stddef.h>

#include "model.h"

#define MODEL_CHECK_IDS_MAX	32	/* model ids kept from the list */

typedef struct model_check {
	/* the request */
	enum model_fail	 fail;		/* MF_NONE: it answered */
	char		 why[MODEL_WHY_MAX];	/* when fail != MF_NONE */
	long		 status;	/* as in model_reply */
	char		*answer;	/* when fail == MF_NONE, possibly "" */
	int		 truncated;
	char		 finish_reason[32];	/* as the server wrote it, or "" */
	char		 reasoning[40];	/* where reasoning was: a field name,
					 * "<think> in content", or "" */
	size_t		 reasoning_bytes;
	long		 usage[3];	/* prompt, completion, total tokens; -1 if
					 * not given */
	char		 answered_by[128];	/* the response's "model", or "" */
	double		 ms;		/* the request's latency */
	/* GET .../models */
	int		 models_ok;
	char		 models_why[MODEL_WHY_MAX];
	char		*ids[MODEL_CHECK_IDS_MAX];	/* as listed (raw text) */
	size_t		 n_ids, total_ids;
	double		 models_ms;
} model_check;

/* Lists the models of o->endpoints[0] (which must be given; GET
 * .../v1/models beside the API's path, with the same headers, within
 * o->timeout_ms: 0 is no limit): c->models_ok with c->ids (c owns them:
 * model_check_free), or c->models_why (one line, the server's words
 * quoted). Blocks until the server answers. EM_OK when the request ran,
 * whatever came of it; EM_EINVAL with why (cap bytes) for a URL or
 * header the adapter would refuse too; EM_ENOMEM (no memory for the
 * headers, or libcurl would not start; why not written). */
em_err	model_check_models(const model_opts *o, model_check *c, char *why, size_t cap);

/* Sends one request ("Say OK.", max_tokens tokens) through the adapter on
 * a private loop, blocking until it is answered or fails, and fills the
 * rest of c (c->answer is c's: model_check_free). c starts zeroed, or as
 * model_check_models left it. EM_OK when the attempt ran, answered or not
 * (see c->fail). Else a one-line reason in why (cap bytes): model_open's
 * errors (EM_EINVAL, EM_EIO, EM_ENOMEM), EM_EIO when no event loop can be
 * made, model_submit's errors; and EM_ENOMEM (why not written) when the
 * answer cannot be copied. */
em_err	model_check_ask(const model_opts *o, unsigned max_tokens, model_check *c, char *why,
    size_t cap);

/* Frees what c holds and zeroes it; a zeroed c is fine. */
void	model_check_free(model_check *c);

/* A short word for a failure kind ("refused", "fatal", ...; static, "?"
 * outside the enum). */
const char *model_fail_name(enum model_fail f);

#endif
