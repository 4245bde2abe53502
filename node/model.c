/* Model adapters: what they share, and reading their answers. */
#include "model_impl.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

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
		o = json_pack("{s:s, s:O, s:I, s:f}", "model", m->o.served_model,
		    "messages", r->messages, "max_tokens", (json_int_t)r->max_tokens,
		    "temperature", r->temperature);
	else if (m->o.api == MODEL_COMPLETIONS)
		o = json_pack("{s:s, s:s, s:I, s:f}", "model", m->o.served_model,
		    "prompt", r->prompt, "max_tokens", (json_int_t)r->max_tokens,
		    "temperature", r->temperature);
	else
		o = json_pack("{s:I, s:O, s:s, s:I, s:f}", "id", (json_int_t)r->id,
		    "messages", r->messages, "prompt", r->prompt,
		    "max_tokens", (json_int_t)r->max_tokens, "temperature", r->temperature);
	if (o == NULL)
		return NULL;
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return s;
}

/* A string value as text we can score: UTF-8, no NUL. */
static em_err
take_text(const json_t *v, char **text, char *why, size_t cap, const char *where)
{
	const char *s = json_string_value(v);

	if (s == NULL) {
		snprintf(why, cap, "%s is missing or not a string", where);
		return EM_EFORMAT;
	}
	if (strlen(s) != json_string_length(v)) {
		snprintf(why, cap, "%s holds a NUL character", where);
		return EM_EFORMAT;
	}
	if ((*text = strdup(s)) == NULL)
		return EM_ENOMEM;
	return EM_OK;
}

em_err
model_parse_openai(enum model_api api, const char *body, size_t len, char **text,
    char *why, size_t cap)
{
	json_error_t je;
	json_t *o, *c;
	em_err err;

	*text = NULL;
	if (len > MODEL_REPLY_MAX) {
		snprintf(why, cap, "response larger than %u bytes", MODEL_REPLY_MAX);
		return EM_EFORMAT;
	}
	if ((o = json_loadb(body, len, 0, &je)) == NULL) {
		snprintf(why, cap, "response is not JSON: %s", je.text);
		return EM_EFORMAT;
	}
	c = json_array_get(json_object_get(o, "choices"), 0);
	if (!json_is_object(c)) {
		snprintf(why, cap, "response has no choices[0]");
		err = EM_EFORMAT;
	} else if (api == MODEL_CHAT) {
		err = take_text(json_object_get(json_object_get(c, "message"), "content"), text,
		    why, cap, "choices[0].message.content");
	} else {
		err = take_text(json_object_get(c, "text"), text, why, cap, "choices[0].text");
	}
	json_decref(o);
	return err;
}

em_err
model_parse_exec(const char *line, size_t len, uint32_t *id, char **text,
    char *why, size_t cap)
{
	json_error_t je;
	json_t *o, *jid, *e;
	em_err err = EM_OK;

	*text = NULL;
	if (len > MODEL_REPLY_MAX || !utf8_valid((const uint8_t *)line, len)) {
		snprintf(why, cap, "a line that is too long or not UTF-8");
		return EM_EFORMAT;
	}
	if ((o = json_loadb(line, len, 0, &je)) == NULL) {
		snprintf(why, cap, "a line that is not JSON (%s)", je.text);
		return EM_EFORMAT;
	}
	jid = json_object_get(o, "id");
	if (!json_is_integer(jid) || json_integer_value(jid) < 0 ||
	    json_integer_value(jid) > UINT32_MAX) {
		snprintf(why, cap, "a line without a whole-number \"id\"");
		err = EM_EFORMAT;
	} else if ((e = json_object_get(o, "error")) != NULL) {
		*id = (uint32_t)json_integer_value(jid);
		snprintf(why, cap, "%.200s", json_is_string(e) ? json_string_value(e) : "error");
	} else {
		*id = (uint32_t)json_integer_value(jid);
		err = take_text(json_object_get(o, "text"), text, why, cap, "\"text\"");
	}
	json_decref(o);
	return err;
}
