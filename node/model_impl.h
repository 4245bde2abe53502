/* node/model_impl.h — shared by model.c and its adapters only. */
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

/* Delivers a reply to the caller (unless closing) and counts it out. */
void	model_deliver(model *m, model_reply *r);

/* A reply that failed with fail and a formatted reason. */
void	model_fail(model *m, uint32_t id, enum model_fail fail, long retry_after_ms,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* The JSON body of a request for api (yours: free()), or NULL. */
char	*model_body(const model *m, const model_req *r);

em_err	model_http_open(model *m, char *why, size_t cap);
em_err	model_exec_open(model *m, char *why, size_t cap);

#endif
