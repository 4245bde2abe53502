/* node/eval/model.h — asking a model: OpenAI-compatible HTTP or a local program.
 *
 * Adapters run on a libuv loop and never block it:
 *   MODEL_CHAT         POST {endpoint}/v1/chat/completions (vLLM, llama.cpp's
 *   MODEL_COMPLETIONS  server, Ollama, TGI, SGLang, LM Studio, hosted APIs)
 *                      through libcurl's multi interface driven by the loop's
 *                      sockets and timer: no thread per request. Several
 *                      endpoints (replicas) take requests in turn.
 *   MODEL_EXEC         a program started with /bin/sh -c CMD that reads one
 *                      JSON request per line on stdin and writes one JSON
 *                      response per line on stdout (README: "The exec
 *                      adapter"); answers may come in any order, matched by id.
 *
 * One model_submit is one attempt; the caller owns retries (eval.c). The
 * API key lives only in this process's memory: it is sent in one header
 * (api_key_header) and never logged, stored or put in a message.
 *
 * The URL of an endpoint (contract):
 *   - the path gains the API's: "http://h:8000" and "http://h:8000/" become
 *     http://h:8000/v1/chat/completions; ".../v1" becomes
 *     .../v1/chat/completions; a path that already ends in /chat/completions
 *     (or /completions for MODEL_COMPLETIONS) is used as given;
 *   - a query string is kept after the path, as given ("...?api-version=
 *     2024-02-01" for Azure OpenAI); a #fragment is dropped;
 *   - http:// and https:// only. Messages show the URL without its query
 *     (which may hold a key) and without user:password@.
 *
 * Requests (contract): a JSON object with "model", "messages" (chat) or
 * "prompt" (completions), "max_tokens", "temperature", and "stream": false
 * (some proxies stream server-sent events unless told), then the fields of
 * extra_body. Headers: Content-Type and Accept application/json, and the key.
 *
 * Redirects (contract): 301, 302, 303, 307 and 308 are followed at most
 * MODEL_REDIRECTS_MAX times, with the same POST and body (an API that
 * redirects a POST means "ask there"; a GET would only earn an error), to
 * http:// or https:// URLs only. With an API key, a redirect to another
 * host or port, or from https to http, is not followed (MF_FATAL, naming
 * the new URL): libcurl strips only its own Authorization header on such a
 * hop, so a key in any other header (api-key) would go with it.
 *
 * A reply's failure says whether another attempt may help and is one line
 * that quotes the server's own words (see enum model_fail). */
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
#define MODEL_REDIRECTS_MAX	3	/* hops followed for one attempt */
#define MODEL_EXTRA_BODY_MAX	512	/* bytes of extra_body, compact */

enum model_api { MODEL_CHAT, MODEL_COMPLETIONS, MODEL_EXEC };

/* What went wrong with one attempt, by HTTP status (or, for a 200 whose
 * body is an error object, by the object's numeric code in 400-599):
 *   408, 409, 425     MF_SERVER (retry: the server's state, not the item's)
 *   429, 503          MF_RATE (503 is also llama.cpp's "Loading model");
 *                     but a 429 whose error says insufficient_quota is
 *                     MF_FATAL: no retry will find money on the account
 *   other 5xx         MF_SERVER
 *   400, 413, 422     MF_REFUSED: about this item's content
 *   401, 403          MF_FATAL: the key
 *   404               MF_FATAL: the path or the model name
 *   other 4xx, 3xx    MF_FATAL (405 and 415: the API is not this one)
 * Without a status: a timeout is MF_TIMEOUT; a refused connection or an
 * unknown host is MF_FATAL while the endpoint has never answered this
 * adapter (nobody is there: say so at once), MF_CONNECT once it has (a
 * server restarting); a connection lost mid-answer is MF_CONNECT. */
enum model_fail {
	MF_NONE = 0,
	MF_TIMEOUT,	/* no answer within the timeout (retry) */
	MF_CONNECT,	/* connection refused or lost (retry) */
	MF_RATE,	/* 429 or 503, perhaps with Retry-After (retry) */
	MF_SERVER,	/* another 5xx, 408, 409, 425; an exec error answer (retry) */
	MF_MALFORMED,	/* a 200 whose body is not what the API promises (retry) */
	MF_REFUSED,	/* the server will not answer this item (HTTP 400, 413 or
			 * 422 about its content, e.g. a prompt over the context
			 * length; an exec "refused" answer): do not retry; the
			 * run scores it 0 and counts it */
	MF_FATAL,	/* a bad key, a wrong URL or model, a dead or babbling
			 * program: stop the run. Stays last: callers size arrays
			 * with MF_FATAL + 1 */
};

/* An adapter's settings. model_open copies the struct; what it points to
 * is read there (endpoints, api_key_header, exec_cmd) or again on every
 * attempt (served_model, api_key, extra_body), so those must stay valid
 * until model_free. */
typedef struct model_opts {
	enum model_api	  api;
	const char	 *endpoints[MODEL_ENDPOINTS_MAX];
	size_t		  n_endpoints;
	const char	 *served_model;	/* the "model" field of requests */
	const char	 *api_key;	/* NULL: none. No control characters */
	const char	 *api_key_header;	/* NULL: "Authorization: Bearer KEY";
					 * else "NAME: KEY" (Azure: "api-key") */
	const json_t	 *extra_body;	/* NULL, or an object whose fields are
					 * merged into every HTTP request body
					 * (model_extra_body_check); borrowed
					 * until model_free */
	const char	 *exec_cmd;	/* MODEL_EXEC: run by /bin/sh -c */
	unsigned	  timeout_ms;	/* per attempt, in ms; above 0 */
	unsigned	  concurrency;	/* attempts in flight at most; above 0 */
} model_opts;

/* One attempt's request; read during model_submit only. */
typedef struct model_req {
	uint32_t	 id;		/* the caller's tag, echoed in the reply */
	const json_t	*messages;	/* chat messages (task_messages) */
	const char	*prompt;	/* the same flattened (task_flatten) */
	unsigned	 max_tokens;
	double		 temperature;
} model_req;

/* One attempt's outcome. Everything it points to is borrowed for the
 * duration of the done callback only: copy what is to be kept. */
typedef struct model_reply {
	uint32_t	 id;
	enum model_fail	 fail;
	const char	*text;		/* when fail == MF_NONE: the answer, UTF-8,
					 * no NUL; "" when the model said nothing
					 * (it spent its budget thinking, or the
					 * content was filtered); freed when the
					 * callback returns */
	int		 truncated;	/* when fail == MF_NONE: the model stopped
					 * at its token limit (finish_reason
					 * "length" or an equivalent) */
	long		 status;	/* HTTP status, or the code of a 200's
					 * error object; 0 if none (exec, no
					 * connection) */
	long		 retry_after_ms;	/* from Retry-After; -1 if none */
	const char	*body;		/* HTTP: the response body as received
					 * (body_len bytes, NUL after), or NULL */
	size_t		 body_len;
	char		 why[MODEL_WHY_MAX];	/* one line, when fail != MF_NONE */
} model_reply;

/* Called from the loop once for each attempt submitted, unless the adapter
 * was closed first. It may call model_submit and model_close, never
 * model_free. */
typedef void (*model_done)(void *ctx, const model_reply *r);

typedef struct model model;

/* Starts an adapter on loop (borrowed until model_free); replies go to
 * done(ctx, ...) from the loop. On success *out is yours: model_close,
 * then model_free; on failure NULL, with a one-line reason in why (cap
 * bytes). Errors: EM_EINVAL (a concurrency or timeout of 0; not 1 to
 * MODEL_ENDPOINTS_MAX endpoints; a URL model_url or curl refuses; a key
 * with a control character; a bad api_key_header; an extra_body
 * model_extra_body_check refuses, or one with MODEL_EXEC; an empty
 * exec_cmd), EM_EIO (libcurl will not start, /bin/sh cannot be spawned:
 * the handles made for it are closed by running loop once, without
 * waiting), EM_ENOMEM. An HTTP endpoint is not contacted here. */
em_err	model_open(uv_loop_t *loop, const model_opts *o, model_done done,
    void *ctx, model **out, char *why, size_t cap);

/* Sends one attempt (r is read during the call only); its reply comes to
 * done later, never from within this call. At most o->concurrency may be
 * in flight: EM_ERANGE beyond that. EM_EIO once the adapter is closed,
 * when the exec program has died, or when curl will not take the
 * request; EM_ENOMEM. On an error no reply will come. */
em_err	model_submit(model *m, const model_req *r);

/* Attempts in flight. */
unsigned model_in_flight(const model *m);

/* Abandons what is in flight (no more replies; an exec program's process
 * group is sent SIGTERM) and closes the adapter's handles; run the loop
 * until it has no more handles, then model_free. Both take NULL; closing
 * twice is fine. model_free without model_close first is a bug. */
void	model_close(model *m);
void	model_free(model *m);

/* Checks an extra request body: an object that sets none of "model",
 * "messages", "prompt", "stream", "max_tokens", "max_completion_tokens",
 * "max_new_tokens" (use --max-tokens) or "temperature" (the task fixes
 * both), at most MODEL_EXTRA_BODY_MAX bytes in compact form (it is
 * recorded in signed results). EM_OK; EM_EINVAL with a one-line reason in
 * why (cap bytes); EM_ENOMEM (why not written). */
em_err	model_extra_body_check(const json_t *o, char *why, size_t cap);

/* Checks the name given to --api-key-header: an HTTP header name (RFC 9110
 * token, 1..64 bytes) that is not one evalmesh sets itself (Content-Type,
 * Accept, Host...). EM_OK, or EM_EINVAL with a one-line reason in why
 * (cap bytes) quoting the name. */
em_err	model_key_header_check(const char *name, char *why, size_t cap);

/* Reads the answer out of an OpenAI-style response body (len bytes; the
 * body comes from outside and is read within bounds).
 *   Chat: choices[0].message.content as a string; null, or absent beside
 *   a reasoning field ("reasoning_content", "reasoning",
 *   "reasoning_details", "thinking"), is "" (no text); a list of typed
 *   parts gives its "text" and "output_text" parts joined, and "refusal"
 *   parts (a refusal is what the model said); a message.refusal string
 *   stands for null content. Reasoning is never part of the answer.
 *   Completions: choices[0].text (null is "").
 *   *truncated: finish_reason "length", "max_tokens", "model_length" or
 *   "model_context_window_exceeded" (any case).
 * Outcomes:
 *   EM_OK        *text is yours (free()), possibly ""; *status is 0.
 *   EM_EFORMAT   with *status 0: not what the API promises (not JSON, a
 *                body above MODEL_REPLY_MAX, server-sent events, no
 *                choices[0], ...): why says what and quotes the start of
 *                the body.
 *   EM_EFORMAT   with *status in 400-599: the body is an error object
 *                ({"error": {...}}, {"object": "error", ...}, or a choice
 *                with "error") whose numeric code is *status: classify it
 *                as that HTTP status. An error object without such a code
 *                leaves *status 0. Either way why quotes its message.
 *   EM_ENOMEM.
 * *text is NULL after any error; why (cap bytes) is written for EM_EFORMAT. */
em_err	model_parse_openai(enum model_api api, const char *body, size_t len,
    char **text, int *truncated, long *status, char *why, size_t cap);

/* The server's own message in an error body: "error.message", "error" as
 * a string (Ollama), "message" (vLLM's object "error"), "detail" (FastAPI;
 * a list gives its first "msg"), else the start of the body; made safe to
 * print (one line, control characters and invalid UTF-8 replaced) and
 * written as "...quoted..." into out, cut with an ellipsis to fit cap.
 * *code gets the object's numeric code (error.code, code, error.status or
 * status, as a number or a string of digits), or 0. */
void	model_error_quote(const char *body, size_t len, char *out, size_t cap,
    long *code);

/* Overwrites every copy of key in s[0..len) with '*', in place: a server
 * that echoes the key it was sent ("Incorrect API key provided: Bearer
 * sk-...") must not put it into a message, the cache or a signed result.
 * Every response body is passed through it before anything reads it.
 * Nothing for a NULL or empty key. */
void	model_redact(char *s, size_t len, const char *key);

/* Writes s[0..len) into out as a quoted one-line string, made safe to
 * print as above (runs of white space become one space), cut with "…" to
 * fit cap (which includes the NUL); "" when cap is below 9. */
void	model_quote(const char *s, size_t len, char *out, size_t cap);

/* Reads one line of the exec protocol, line[0..len) without its newline,
 * into r (id, fail, truncated, why; nothing else is touched) and *text
 * (yours: free(); NULL unless an answer):
 *   {"id": N, "text": "...", "finish_reason": "length"}: the answer;
 *     fail MF_NONE, truncated when finish_reason says the token limit
 *     stopped it (as in an OpenAI response; the field is optional);
 *   {"id": N, "error": "..."}: fail MF_SERVER (retried), *text NULL;
 *   {"id": N, "refused": "..."}: fail MF_REFUSED, *text NULL: the program
 *     will not answer this item (too long for its context, say).
 * The message of an error or refusal goes to r->why, quoted. EM_EFORMAT,
 * with why in r->why, for anything else (not UTF-8, not JSON, no whole
 * "id" from 0 to 2^32 - 1, a "text" that is not a string or holds NUL);
 * EM_ENOMEM. */
em_err	model_parse_exec(const char *line, size_t len, model_reply *r, char **text);

#define MODEL_URL_MAX	1024	/* bytes of a URL, NUL included */

/* The URL an endpoint stands for (model.h: the URL rules), for the API's
 * path ("/chat/completions", "/completions" or "/models"), into out (cap
 * bytes). EM_EINVAL with a one-line reason in why (wcap bytes) for a URL
 * that is not http(s), has no host, or does not fit cap. Only the text
 * is looked at: curl's parser may still refuse the result. */
em_err	model_url(const char *endpoint, const char *path, char *out, size_t cap, char *why,
    size_t wcap);

/* The URL as messages show it: no user:password@, no query ("?…"), cut to
 * fit cap (which includes the NUL); "" when cap is below 16. */
void	model_url_show(const char *url, char *out, size_t cap);

/* The name an adapter records in results ("openai-chat"; static, "?" for
 * a value outside enum model_api). */
const char *model_api_name(enum model_api api);

#endif
