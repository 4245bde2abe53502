/* Model adapters: what they share, and the requests they send. */
#include "model_impl.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *
model_api_name(enum model_api api)
{
	switch (api) {
	case MODEL_CHAT:	return "openai-chat";
	case MODEL_COMPLETIONS:	return "openai-completions";
	case MODEL_EXEC:	return "exec";
	}
	return "?";
}

em_err
model_open(uv_loop_t *loop, const model_opts *o, model_done done, void *ctx,
    model **out, char *why, size_t cap)
{
	model *m;
	em_err err;

	*out = NULL;
	if (o->concurrency == 0 || o->timeout_ms == 0) {
		snprintf(why, cap, "concurrency and timeout must be above zero");
		return EM_EINVAL;
	}
	if (o->extra_body != NULL) {
		if (o->api == MODEL_EXEC) {
			snprintf(why, cap, "an extra request body is for HTTP endpoints, not --exec");
			return EM_EINVAL;
		}
		if ((err = model_extra_body_check(o->extra_body, why, cap)) != EM_OK)
			return err;
	}
	if ((m = calloc(1, sizeof *m)) == NULL)
		return EM_ENOMEM;
	m->loop = loop;
	m->o = *o;
	m->done = done;
	m->ctx = ctx;
	err = o->api == MODEL_EXEC ? model_exec_open(m, why, cap) : model_http_open(m, why, cap);
	if (err != EM_OK) {
		free(m);
		return err;
	}
	*out = m;
	return EM_OK;
}

em_err
model_submit(model *m, const model_req *r)
{
	em_err err;

	if (m->closing)
		return EM_EIO;
	if (m->in_flight >= m->o.concurrency)
		return EM_ERANGE;
	m->in_flight++;
	if ((err = m->ops->submit(m, r)) != EM_OK)
		m->in_flight--;
	return err;
}

unsigned
model_in_flight(const model *m)
{
	return m->in_flight;
}

void
model_close(model *m)
{
	if (m == NULL || m->closing)
		return;
	m->closing = 1;
	m->ops->close(m);
}

void
model_free(model *m)
{
	if (m == NULL)
		return;
	m->ops->free(m);
	free(m);
}

void
model_deliver(model *m, model_reply *r)
{
	if (m->in_flight > 0)
		m->in_flight--;
	if (!m->closing)
		m->done(m->ctx, r);
}

void
model_fail(model *m, uint32_t id, enum model_fail fail, long retry_after_ms,
    const char *fmt, ...)
{
	model_reply r = { .id = id, .fail = fail, .retry_after_ms = retry_after_ms };
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r.why, sizeof r.why, fmt, ap);
	va_end(ap);
	model_deliver(m, &r);
}

char *
model_body(const model *m, const model_req *r)
{
	json_t *o;
	char *s;

	if (m->o.api == MODEL_CHAT)
		o = json_pack("{s:s, s:O, s:I, s:f, s:b}", "model", m->o.served_model,
		    "messages", r->messages, "max_tokens", (json_int_t)r->max_tokens,
		    "temperature", r->temperature, "stream", 0);
	else if (m->o.api == MODEL_COMPLETIONS)
		o = json_pack("{s:s, s:s, s:I, s:f, s:b}", "model", m->o.served_model,
		    "prompt", r->prompt, "max_tokens", (json_int_t)r->max_tokens,
		    "temperature", r->temperature, "stream", 0);
	else
		o = json_pack("{s:I, s:O, s:s, s:I, s:f}", "id", (json_int_t)r->id,
		    "messages", r->messages, "prompt", r->prompt,
		    "max_tokens", (json_int_t)r->max_tokens, "temperature", r->temperature);
	if (o == NULL)
		return NULL;
	/* checked at open not to touch the fields above; ours win regardless */
	if (m->o.api != MODEL_EXEC && m->o.extra_body != NULL &&
	    json_object_update_missing(o, (json_t *)(uintptr_t)m->o.extra_body) != 0) {
		json_decref(o);
		return NULL;
	}
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return s;
}

em_err
model_extra_body_check(const json_t *o, char *why, size_t cap)
{
	static const char *const ours[] = { "model", "messages", "prompt", "stream",
	    "max_tokens", "max_completion_tokens", "max_new_tokens", "temperature" };
	char *dump;
	size_t n;

	if (!json_is_object(o)) {
		snprintf(why, cap, "the extra body must be a JSON object");
		return EM_EINVAL;
	}
	for (size_t i = 0; i < sizeof ours / sizeof ours[0]; i++)
		if (json_object_get(o, ours[i]) != NULL) {
			snprintf(why, cap, "the extra body may not set \"%s\"%s", ours[i],
			    strncmp(ours[i], "max_", 4) == 0 ? " (use --max-tokens)" :
			    strcmp(ours[i], "temperature") == 0 ? " (the task sets it)" :
			    " (evalmesh sets it)");
			return EM_EINVAL;
		}
	if ((dump = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS)) == NULL)
		return EM_ENOMEM;
	n = strlen(dump);
	free(dump);
	if (n > MODEL_EXTRA_BODY_MAX) {
		snprintf(why, cap, "the extra body holds %zu bytes; at most %d (it is recorded "
		    "in signed results)", n, MODEL_EXTRA_BODY_MAX);
		return EM_EINVAL;
	}
	return EM_OK;
}
