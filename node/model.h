/* node/model.h — asking a model: OpenAI-compatible HTTP or a local program.
 *
 * Adapters run on a libuv loop and never block it:
 *   MODEL_CHAT         POST {endpoint}/v1/chat/completions (vLLM, llama.cpp's
 *   MODEL_COMPLETIONS  server, Ollama, TGI, SGLang, hosted APIs) through
 *                      libcurl's multi interface driven by the loop's
 *                      sockets and timer: no thread per request. Several
 *                      endpoints (replicas) take requests in turn.
 *   MODEL_EXEC         a program started with /bin/sh -c CMD that reads one
 *                      JSON request per line on stdin and writes one JSON
 *                      response per line on stdout (README: "The exec
 *                      adapter"); answers may come in any order, matched by id.
 *
 * One model_submit is one attempt; the caller owns retries (eval.c). The
 * API key lives only in this process's memory: it is sent as a bearer
 * header and never logged, stored or put in a message.
 *
 * A reply's failure says whether another attempt may help (timeouts,
 * refused connections, 429/5xx, malformed JSON) or whether the run should
 * stop (a bad key, a wrong URL, a program that died or wrote garbage). */
#ifndef EM_MODEL_H
#define EM_MODEL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "err.h"

#define MODEL_ENDPOINTS_MAX	16
#define MODEL_REPLY_MAX		(4u << 20)	/* bytes of one response body */
#define MODEL_WHY_MAX		256

enum model_api { MODEL_CHAT, MODEL_COMPLETIONS, MODEL_EXEC };

/* What went wrong with one attempt. */
enum model_fail {
	MF_NONE = 0,
	MF_TIMEOUT,	/* no answer within the timeout (retry) */
	MF_CONNECT,	/* connection refused or lost (retry) */
	MF_RATE,	/* 429 or 503, perhaps with Retry-After (retry) */
	MF_SERVER,	/* another 5xx (retry) */
	MF_MALFORMED,	/* a 200 whose body is not what the API promises (retry) */
	MF_FATAL,	/* 4xx, a dead or babbling program: stop the run */
};

typedef struct model_opts {
	enum model_api	  api;
	const char	 *endpoints[MODEL_ENDPOINTS_MAX];
	size_t		  n_endpoints;
	const char	 *served_model;	/* the "model" field of requests */
	const char	 *api_key;	/* NULL: none */
	const char	 *exec_cmd;
	unsigned	  timeout_ms;	/* per attempt */
	unsigned	  concurrency;	/* attempts in flight at most */
} model_opts;

typedef struct model_req {
	uint32_t	 id;		/* the caller's tag, echoed in the reply */
	const json_t	*messages;	/* chat messages (task_messages) */
	const char	*prompt;	/* the same flattened (task_flatten) */
	unsigned	 max_tokens;
	double		 temperature;
} model_req;

typedef struct model_reply {
	uint32_t	 id;
	enum model_fail	 fail;
	const char	*text;		/* the model's answer when fail == MF_NONE */
	long		 retry_after_ms;	/* from Retry-After; -1 if none */
	char		 why[MODEL_WHY_MAX];	/* one line, when fail != MF_NONE */
} model_reply;

typedef void (*model_done)(void *ctx, const model_reply *r);

typedef struct model model;

/* Starts an adapter on loop; replies go to done(ctx, ...) from the loop.
 * EM_EINVAL with why for a bad URL or command; EM_EIO if the program
 * cannot be started. */
em_err	model_open(uv_loop_t *loop, const model_opts *o, model_done done,
    void *ctx, model **out, char *why, size_t cap);

/* Sends one attempt. At most o->concurrency may be in flight; EM_ERANGE
 * beyond that, EM_EIO if the adapter has failed for good. */
em_err	model_submit(model *m, const model_req *r);

/* Attempts in flight. */
unsigned model_in_flight(const model *m);

/* Abandons what is in flight (no more replies) and closes the adapter's
 * handles; run the loop until it has no more handles, then model_free. */
void	model_close(model *m);
void	model_free(model *m);

/* Reads the answer out of an OpenAI-style response body (chat: choices[0].
 * message.content; completions: choices[0].text). On success *text is
 * yours (free()). EM_EFORMAT with a reason otherwise. Bounded; the body
 * comes from outside. */
em_err	model_parse_openai(enum model_api api, const char *body, size_t len,
    char **text, char *why, size_t cap);

/* Reads one line of the exec protocol: {"id": N, "text": "..."} or
 * {"id": N, "error": "..."}. *text (yours) is NULL for an error answer,
 * whose message goes to why. EM_EFORMAT for anything else. */
em_err	model_parse_exec(const char *line, size_t len, uint32_t *id, char **text,
    char *why, size_t cap);

/* The name an adapter records in results ("openai-chat"). */
const char *model_api_name(enum model_api api);

#endif
