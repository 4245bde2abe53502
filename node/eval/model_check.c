/* `evalmesh model check`'s work: one request through the adapter on a
 * loop of its own, what the response held beside the answer, and the
 * model list over curl's easy interface. */
#include "model_check.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_impl.h"

const char *
model_fail_name(enum model_fail f)
{
	static const char *const names[] = { [MF_NONE] = "none", [MF_TIMEOUT] = "timeout",
	    [MF_CONNECT] = "connect", [MF_RATE] = "rate", [MF_SERVER] = "server",
	    [MF_MALFORMED] = "malformed", [MF_REFUSED] = "refused", [MF_FATAL] = "fatal" };

	return (unsigned)f <= MF_FATAL ? names[f] : "?";
}

void
model_check_free(model_check *c)
{
	free(c->answer);
	for (size_t i = 0; i < c->n_ids; i++)
		free(c->ids[i]);
	memset(c, 0, sizeof *c);
}

/* What the response held beside the answer: finish reason, where the
 * reasoning was, usage, the model that answered. */
static void
describe(model_check *c, const char *body, size_t len)
{
	json_t *o = body ? json_loadb(body, len, 0, NULL) : NULL;
	const json_t *ch = json_array_get(json_object_get(o, "choices"), 0);
	const json_t *msg = json_object_get(ch, "message"), *u = json_object_get(o, "usage"), *v;
	static const char *const counts[] = { "prompt_tokens", "completion_tokens", "total_tokens" };

	for (size_t i = 0; i < 3; i++) {
		v = json_object_get(u, counts[i]);
		c->usage[i] = json_is_integer(v) && json_integer_value(v) >= 0 ?
		    (long)json_integer_value(v) : -1;
	}
	if (json_is_string(v = json_object_get(ch, "finish_reason")))
		snprintf(c->finish_reason, sizeof c->finish_reason, "%s", json_string_value(v));
	if (json_is_string(v = json_object_get(o, "model")))
		snprintf(c->answered_by, sizeof c->answered_by, "%s", json_string_value(v));
	for (size_t i = 0; model_reasoning_fields[i] != NULL && !c->reasoning[0]; i++) {
		v = json_object_get(msg, model_reasoning_fields[i]);
		if ((json_is_string(v) && json_string_length(v) > 0) || json_array_size(v) > 0) {
			snprintf(c->reasoning, sizeof c->reasoning, "%s", model_reasoning_fields[i]);
			c->reasoning_bytes = json_is_string(v) ? json_string_length(v) : 0;
		}
	}
	if (!c->reasoning[0] && json_is_array(v = json_object_get(msg, "content"))) {
		size_t k;
		const json_t *p;

		json_array_foreach(v, k, p)
			if (json_is_string(json_object_get(p, "type")) &&
			    strcmp(json_string_value(json_object_get(p, "type")), "thinking") == 0)
				snprintf(c->reasoning, sizeof c->reasoning, "a \"thinking\" content part");
	}
	if (!c->reasoning[0] && c->answer != NULL && strstr(c->answer, "</think>") != NULL) {
		const char *end = strstr(c->answer, "</think>");

		snprintf(c->reasoning, sizeof c->reasoning, "<think> in content");
		c->reasoning_bytes = (size_t)(end - c->answer);
	}
	json_decref(o);
}

typedef struct asking {
	model		*m;
	model_check	*c;
	uint64_t	 t0;
	int		 done;
} asking;

static void
on_done(void *ctx, const model_reply *r)
{
	asking *a = ctx;
	model_check *c = a->c;

	c->ms = (double)(uv_hrtime() - a->t0) / 1e6;
	c->fail = r->fail;
	c->status = r->status;
	snprintf(c->why, sizeof c->why, "%s", r->why);
	if (r->fail == MF_NONE) {
		c->answer = strdup(r->text);
		c->truncated = r->truncated;
	}
	describe(c, r->body, r->body_len);
	a->done = 1;
	model_close(a->m);
}

em_err
model_check_ask(const model_opts *o, unsigned max_tokens, model_check *c, char *why, size_t cap)
{
	json_t *msgs = json_pack("[{s:s, s:s}]", "role", "user", "content", "Say OK.");
	model_req r = { .id = 1, .messages = msgs, .prompt = "Q: Say OK.\nA:",
	    .max_tokens = max_tokens, .temperature = 0 };
	model_opts one = *o;
	asking a = { .c = c };
	uv_loop_t loop;
	em_err err;

	one.concurrency = 1;
	if (msgs == NULL)
		return EM_ENOMEM;
	if (uv_loop_init(&loop) != 0) {
		json_decref(msgs);
		snprintf(why, cap, "cannot start an event loop");
		return EM_EIO;
	}
	if ((err = model_open(&loop, &one, on_done, &a, &a.m, why, cap)) == EM_OK) {
		a.t0 = uv_hrtime();
		if ((err = model_submit(a.m, &r)) != EM_OK) {
			snprintf(why, cap, "cannot send the request: %s", em_strerror(err));
			model_close(a.m);
		}
		uv_run(&loop, UV_RUN_DEFAULT);
		model_free(a.m);
		if (err == EM_OK && c->answer == NULL && c->fail == MF_NONE)
			err = EM_ENOMEM;
	}
	uv_loop_close(&loop);
	json_decref(msgs);
	return err;
}

typedef struct buf {
	char	*p;
	size_t	 len;
	int	 too_big;
} buf;

static size_t
on_body(char *data, size_t size, size_t n, void *userp)
{
	buf *b = userp;
	size_t len = size * n;
	char *p;

	if (b->len + len > MODEL_REPLY_MAX || (p = realloc(b->p, b->len + len + 1)) == NULL) {
		b->too_big = 1;
		return 0;
	}
	memcpy(p + b->len, data, len);
	b->p = p;
	b->len += len;
	p[b->len] = '\0';
	return len;
}

/* The ids of an OpenAI model list: {"data": [{"id": ...}, ...]}. */
static void
read_list(model_check *c, const char *body, size_t len, const char *show)
{
	json_t *o = json_loadb(body, len, 0, NULL);
	const json_t *data = json_object_get(o, "data"), *e, *id;
	size_t i;

	if (!json_is_array(data)) {
		model_whyq(c->models_why, sizeof c->models_why, body, len, "%s: not a model list "
		    "({\"data\": [...]})", show);
		json_decref(o);
		return;
	}
	c->models_ok = 1;
	json_array_foreach(data, i, e)
		if (json_is_string(id = json_object_get(e, "id"))) {
			if (c->n_ids < MODEL_CHECK_IDS_MAX &&
			    (c->ids[c->n_ids] = strdup(json_string_value(id))) != NULL)
				c->n_ids++;
			c->total_ids++;
		}
	json_decref(o);
}

em_err
model_check_models(const model_opts *o, model_check *c, char *why, size_t cap)
{
	char url[MODEL_URL_MAX], show[112], err[CURL_ERROR_SIZE] = "";
	struct curl_slist *hdr = NULL;
	buf b = { 0 };
	CURL *e = NULL;
	CURLcode rc;
	long code = 0, os = 0;
	uint64_t t0;
	em_err ret;

	if ((ret = model_url(o->endpoints[0], "/models", url, sizeof url, why, cap)) != EM_OK ||
	    (ret = model_headers(o, &hdr, why, cap)) != EM_OK)
		return ret;
	model_url_show(url, show, sizeof show);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0 || (e = curl_easy_init()) == NULL) {
		ret = EM_ENOMEM;
		goto out;
	}
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, err);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)o->timeout_ms);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	t0 = uv_hrtime();
	rc = curl_easy_perform(e);
	c->models_ms = (double)(uv_hrtime() - t0) / 1e6;
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_getinfo(e, CURLINFO_OS_ERRNO, &os);
	model_redact(b.p, b.len, o->api_key);
	if (rc == CURLE_COULDNT_CONNECT)
		model_say(c->models_why, sizeof c->models_why, "cannot connect to %s: %s \xE2\x80\x94 "
		    "is the server running?", show, os > 0 ? strerror((int)os) : err);
	else if (rc == CURLE_WRITE_ERROR && b.too_big)
		model_say(c->models_why, sizeof c->models_why, "a model list larger than %u bytes "
		    "from %s", MODEL_REPLY_MAX, show);
	else if (rc != CURLE_OK)
		model_say(c->models_why, sizeof c->models_why, "%s: %s", show,
		    err[0] ? err : curl_easy_strerror(rc));
	else if (code < 200 || code > 299)
		model_http_classify(code, b.p ? b.p : "", b.len, url, c->models_why,
		    sizeof c->models_why);
	else
		read_list(c, b.p ? b.p : "", b.len, show);
	ret = EM_OK;
out:
	curl_easy_cleanup(e);
	curl_global_cleanup();
	model_headers_free(hdr);
	free(b.p);
	return ret;
}
