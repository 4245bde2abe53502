/* node/eval/model_impl.h — shared by model.c, its adapters and
 * model_check.c only. */
#ifndef EM_MODEL_IMPL_H
#define EM_MODEL_IMPL_H

#include "model.h"

struct model_ops {
	em_err	(*submit)(model *m, const model_req *r);
	void	(*close)(model *m);
	void	(*free)(model *m);
};

struct model {
	uv_loop_t			*loop;
	model_opts			 o;
	model_done			 done;
	void				*ctx;
	unsigned			 in_flight;
	int				 closing;	/* no replies once set */
	const struct model_ops		*ops;
	void				*impl;
};

/* The fields that may hold reasoning beside an answer, NULL-terminated. */
extern const char *const model_reasoning_fields[];

/* Delivers a reply to the caller (unless closing) and counts it out. */
void	model_deliver(model *m, model_reply *r);

/* A reply that failed with fail and a formatted reason. */
void	model_fail(model *m, uint32_t id, enum model_fail fail, long retry_after_ms,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* The JSON body of a request for api (yours: free()), or NULL when out of
 * memory. */
char	*model_body(const model *m, const model_req *r);

/* A formatted line into out; a line that does not fit is cut on a
 * character boundary and ends with "…". */
void	model_say(char *out, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* why = the formatted prefix, then ": " and s[0..len) quoted (model_quote)
 * in what room is left; s NULL: the prefix alone. */
void	model_whyq(char *why, size_t cap, const char *s, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* model_error_quote, and whether the error says the account has no quota
 * left (OpenAI's insufficient_quota). */
void	model_error_read(const char *body, size_t len, char *out, size_t cap, long *code,
    int *no_quota);

/* May a request carrying the key be sent on from URL a to URL b? The
 * same host and port, or http to https on the same host (default ports);
 * never to another host, never down from https. 0 also when either does
 * not parse. */
int	model_key_may_follow(const char *a, const char *b);

/* What an HTTP status means for an attempt (model.h: enum model_fail),
 * with a few words on why (static). no_quota: the body says the account
 * has no quota left. */
enum model_fail model_status_fail(long status, int no_quota, const char **meaning);

/* The same for a response that is not 2xx or 3xx, with the reply's why:
 * "HTTP 404 from URL: what it means: "the server's words"". */
enum model_fail model_http_classify(long status, const char *body, size_t len,
    const char *url, char *why, size_t cap);

/* The request headers for o (JSON, the key in its header); wiped and
 * freed with model_headers_free (NULL is fine). EM_EINVAL with why for a
 * bad header name or key; EM_ENOMEM. */
struct curl_slist;
em_err	model_headers(const model_opts *o, struct curl_slist **out, char *why, size_t cap);
void	model_headers_free(struct curl_slist *l);

em_err	model_http_open(model *m, char *why, size_t cap);
em_err	model_exec_open(model *m, char *why, size_t cap);

#endif
