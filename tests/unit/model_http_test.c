/* The HTTP adapter (node/eval/model_http.c) on a libuv loop, against a small
 * HTTP server on 127.0.0.1 in the same loop that records every request
 * and answers as each test scripts it: connection failures before and
 * after the endpoint has answered, redirects and where the key goes, the
 * URL with a query, the headers and body sent, and what replies carry. */
#define _GNU_SOURCE	/* strcasestr */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <cmocka.h>

#include "model_impl.h"

#define REQS_MAX	8

typedef struct srv srv;
/* The response to request n (0-based), a whole HTTP/1.1 message. */
typedef void (*script)(srv *s, int n, const char *req, char *resp, size_t cap);

struct srv {
	uv_tcp_t	 listener;
	int		 port, listening;
	int		 n_req;
	char		 req[REQS_MAX][4096];	/* head and body as received */
	script		 answer;
	int		 close_after;	/* stop listening after this many (0: never) */
	int		 mode;		/* what a script does, by test */
	uv_tcp_t	*conns[16];
	int		 n_conns;
};

typedef struct conn {
	uv_tcp_t	 t;
	srv		*s;
	char		 buf[16384];
	size_t		 len;
} conn;

typedef struct wr {
	uv_write_t	 w;
	char		*data;
	int		 then_close;
} wr;

static uv_loop_t loop;
static srv S;
static model_reply got;
static char got_why[MODEL_WHY_MAX], got_text[256];
static int n_got;

static void
closed(uv_handle_t *h)
{
	if (h != (uv_handle_t *)&S.listener)
		free(h);
}

static void
stop_listening(void)
{
	if (S.listening) {
		S.listening = 0;
		uv_close((uv_handle_t *)&S.listener, closed);
		for (int i = 0; i < S.n_conns; i++)
			if (!uv_is_closing((uv_handle_t *)S.conns[i]))
				uv_close((uv_handle_t *)S.conns[i], closed);
	}
}

static void
written(uv_write_t *w, int status)
{
	wr *x = (wr *)w;

	(void)status;
	free(x->data);
	if (x->then_close)
		stop_listening();
	free(x);
}

static void
on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *b)
{
	conn *c = h->data;

	(void)hint;
	*b = uv_buf_init(c->buf + c->len, (unsigned)(sizeof c->buf - c->len - 1));
}

/* Answers every whole request in the buffer. */
static void
serve(conn *c)
{
	char *end;

	c->buf[c->len] = '\0';
	while ((end = strstr(c->buf, "\r\n\r\n")) != NULL) {
		const char *cl = strcasestr(c->buf, "content-length:");
		size_t head = (size_t)(end + 4 - c->buf), body = cl && cl < end ? strtoul(cl + 15, NULL, 10) : 0;
		wr *x;
		uv_buf_t b;

		if (c->len < head + body)
			return;
		assert_true(S.n_req < REQS_MAX);
		snprintf(S.req[S.n_req], sizeof S.req[0], "%.*s", (int)(head + body), c->buf);
		x = calloc(1, sizeof *x);
		x->data = malloc(8192);
		S.answer(&S, S.n_req, S.req[S.n_req], x->data, 8192);
		S.n_req++;
		x->then_close = S.close_after && S.n_req >= S.close_after;
		b = uv_buf_init(x->data, (unsigned)strlen(x->data));
		uv_write(&x->w, (uv_stream_t *)&c->t, &b, 1, written);
		memmove(c->buf, c->buf + head + body, c->len - head - body);
		c->len -= head + body;
		c->buf[c->len] = '\0';
	}
}

static void
on_read(uv_stream_t *st, ssize_t n, const uv_buf_t *b)
{
	conn *c = st->data;

	(void)b;
	if (n < 0) {
		if (!uv_is_closing((uv_handle_t *)st))
			uv_close((uv_handle_t *)st, closed);
		return;
	}
	c->len += (size_t)n;
	serve(c);
}

static void
on_conn(uv_stream_t *l, int status)
{
	conn *c = calloc(1, sizeof *c);

	assert_int_equal(status, 0);
	c->s = &S;
	c->t.data = c;
	uv_tcp_init(&loop, &c->t);
	assert_int_equal(uv_accept(l, (uv_stream_t *)&c->t), 0);
	if (S.n_conns < 16)
		S.conns[S.n_conns++] = &c->t;
	uv_read_start((uv_stream_t *)&c->t, on_alloc, on_read);
}

static void
start_server(script answer, int close_after)
{
	struct sockaddr_in a;
	struct sockaddr_storage got_addr;
	int len = sizeof got_addr;

	memset(&S, 0, sizeof S);
	S.answer = answer;
	S.close_after = close_after;
	uv_tcp_init(&loop, &S.listener);
	uv_ip4_addr("127.0.0.1", 0, &a);
	assert_int_equal(uv_tcp_bind(&S.listener, (const struct sockaddr *)&a, 0), 0);
	assert_int_equal(uv_listen((uv_stream_t *)&S.listener, 16, on_conn), 0);
	uv_tcp_getsockname(&S.listener, (struct sockaddr *)&got_addr, &len);
	S.port = ntohs(((struct sockaddr_in *)&got_addr)->sin_port);
	S.listening = 1;
}

/* A port where nothing listens: bound, then let go. */
static int
closed_port(void)
{
	uv_tcp_t t;
	struct sockaddr_in a;
	struct sockaddr_storage s;
	int len = sizeof s, port;

	uv_tcp_init(&loop, &t);
	uv_ip4_addr("127.0.0.1", 0, &a);
	assert_int_equal(uv_tcp_bind(&t, (const struct sockaddr *)&a, 0), 0);
	uv_tcp_getsockname(&t, (struct sockaddr *)&s, &len);
	port = ntohs(((struct sockaddr_in *)&s)->sin_port);
	uv_close((uv_handle_t *)&t, NULL);
	uv_run(&loop, UV_RUN_NOWAIT);
	return port;
}

static void
on_done(void *ctx, const model_reply *r)
{
	(void)ctx;
	got = *r;
	snprintf(got_why, sizeof got_why, "%s", r->why);
	snprintf(got_text, sizeof got_text, "%s", r->text ? r->text : "(null)");
	got.body = NULL;	/* borrowed: gone after this call */
	n_got++;
}

static model *
open_model(const char *url, const char *key, const char *key_header)
{
	model_opts o = { .api = MODEL_CHAT, .n_endpoints = 1, .served_model = "m",
	    .api_key = key, .api_key_header = key_header, .timeout_ms = 20000, .concurrency = 2 };
	model *m;
	char why[MODEL_WHY_MAX];

	o.endpoints[0] = url;
	assert_int_equal(model_open(&loop, &o, on_done, NULL, &m, why, sizeof why), EM_OK);
	return m;
}

/* One attempt through m, run until its reply. */
static void
ask(model *m)
{
	json_t *msgs = json_loads("[{\"role\":\"user\",\"content\":\"Say OK.\"}]", 0, NULL);
	model_req r = { .id = 7, .messages = msgs, .prompt = "Say OK.", .max_tokens = 4 };
	int before = n_got;

	assert_int_equal(model_submit(m, &r), EM_OK);
	json_decref(msgs);
	while (n_got == before)
		uv_run(&loop, UV_RUN_ONCE);
	assert_int_equal(got.id, 7);
}

static void
done_with(model *m)
{
	model_close(m);
	uv_run(&loop, UV_RUN_NOWAIT);
	model_free(m);
	stop_listening();
	assert_int_equal(uv_run(&loop, UV_RUN_DEFAULT), 0);
}

static char url[256];

static const char *
at(const char *path)
{
	snprintf(url, sizeof url, "http://127.0.0.1:%d%s", S.port, path);
	return url;
}

static void
respond(char *resp, size_t cap, int status, const char *extra, const char *body)
{
	snprintf(resp, cap, "HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: "
	    "%zu\r\n%s\r\n%s", status, strlen(body), extra, body);
}

static const char ok_body[] = "{\"choices\":[{\"message\":{\"content\":\"OK\"},"
    "\"finish_reason\":\"length\"}]}";

static void
answer_ok(srv *s, int n, const char *req, char *resp, size_t cap)
{
	(void)s, (void)n, (void)req;
	respond(resp, cap, 200, "", ok_body);
}

/* Nobody listening, never answered: the run stops at once, and says so. */
static void
test_refused_at_first(void **state)
{
	char u[64];
	model *m;

	(void)state;
	snprintf(u, sizeof u, "http://127.0.0.1:%d", closed_port());
	m = open_model(u, NULL, NULL);
	ask(m);
	assert_int_equal(got.fail, MF_FATAL);
	assert_int_equal(got.status, 0);
	assert_non_null(strstr(got_why, "cannot connect to http://127.0.0.1:"));
	assert_non_null(strstr(got_why, "Connection refused"));
	assert_non_null(strstr(got_why, "is the server running?"));
	model_close(m);
	uv_run(&loop, UV_RUN_NOWAIT);
	model_free(m);
	assert_int_equal(uv_run(&loop, UV_RUN_DEFAULT), 0);
}

/* Once the endpoint has answered, a refused connection is a restart:
 * transient. */
static void
test_refused_after_answer(void **state)
{
	model *m;

	(void)state;
	start_server(answer_ok, 1);
	m = open_model(at(""), NULL, NULL);
	ask(m);
	assert_int_equal(got.fail, MF_NONE);
	assert_string_equal(got_text, "OK");
	assert_int_equal(got.truncated, 1);
	assert_int_equal(got.status, 200);
	ask(m);
	assert_int_equal(got.fail, MF_CONNECT);
	assert_non_null(strstr(got_why, "answered before"));
	done_with(m);
}

static const char *
header(const char *req, const char *name, char *out, size_t cap)
{
	const char *h = strcasestr(req, name), *e;

	if (h == NULL)
		return NULL;
	h += strlen(name);
	while (*h == ' ')
		h++;
	e = strstr(h, "\r\n");
	snprintf(out, cap, "%.*s", (int)(e - h), h);
	return out;
}

/* The URL with a query as given; the key in its header only; the body. */
static void
test_query_headers_body(void **state)
{
	char v[128];
	model *m;

	(void)state;
	start_server(answer_ok, 0);
	m = open_model(at("/openai/deployments/N/chat/completions?api-version=2024-02-01"),
	    "sk-secret", "api-key");
	ask(m);
	assert_int_equal(got.fail, MF_NONE);
	assert_int_equal(strncmp(S.req[0], "POST /openai/deployments/N/chat/completions?"
	    "api-version=2024-02-01 HTTP/1.1\r\n", 71), 0);
	assert_string_equal(header(S.req[0], "\r\napi-key:", v, sizeof v), "sk-secret");
	assert_null(header(S.req[0], "\r\nauthorization:", v, sizeof v));
	assert_string_equal(header(S.req[0], "\r\naccept:", v, sizeof v), "application/json");
	assert_non_null(strstr(S.req[0], "\"stream\":false"));
	done_with(m);
}

static void
answer_redirect(srv *s, int n, const char *req, char *resp, size_t cap)
{
	char loc[160];

	(void)req;
	if (n == 0) {
		snprintf(loc, sizeof loc, "Location: http://%s:%d/moved/v1/chat/completions\r\n",
		    s->mode == 1 ? "localhost" : "127.0.0.1", s->port);
		respond(resp, cap, s->mode == 2 ? 303 : 307, loc, "");
	} else {
		respond(resp, cap, 200, "", ok_body);
	}
}

static void
test_redirect_same_host(void **state)
{
	model *m;

	(void)state;
	start_server(answer_redirect, 0);
	S.mode = 2;	/* a 303: the POST is kept all the same */
	m = open_model(at(""), "sk-secret", "api-key");
	ask(m);
	assert_int_equal(got.fail, MF_NONE);
	assert_int_equal(S.n_req, 2);
	assert_int_equal(strncmp(S.req[1], "POST /moved/v1/chat/completions ", 32), 0);
	assert_non_null(strstr(S.req[1], "\"messages\""));
	assert_non_null(strcasestr(S.req[1], "\r\napi-key: sk-secret\r\n"));
	done_with(m);
}

/* Another host with a key: not followed, and the key never goes there
 * (curl would carry a custom header along). Without a key: followed. */
static void
test_redirect_other_host(void **state)
{
	char v[64], want[64];
	model *m;

	(void)state;
	start_server(answer_redirect, 0);
	S.mode = 1;	/* Location on "localhost": another host by name */
	m = open_model(at(""), "sk-secret", "api-key");
	ask(m);
	assert_int_equal(got.fail, MF_FATAL);
	assert_non_null(strstr(got_why, "redirects to another host (http://localhost:"));
	assert_non_null(strstr(got_why, "not followed"));
	assert_int_equal(S.n_req, 1);
	done_with(m);

	start_server(answer_redirect, 0);
	S.mode = 1;
	m = open_model(at(""), NULL, NULL);
	ask(m);
	assert_int_equal(got.fail, MF_NONE);
	assert_int_equal(S.n_req, 2);
	snprintf(want, sizeof want, "localhost:%d", S.port);
	assert_non_null(header(S.req[1], "\r\nhost:", v, sizeof v));
	assert_string_equal(v, want);
	done_with(m);
}

static void
answer_loop(srv *s, int n, const char *req, char *resp, size_t cap)
{
	(void)s, (void)n, (void)req;
	respond(resp, cap, 308, "Location: /again\r\n", "");
}

static void
test_redirect_bounded(void **state)
{
	model *m;

	(void)state;
	start_server(answer_loop, 0);
	m = open_model(at(""), NULL, NULL);
	ask(m);
	assert_int_equal(got.fail, MF_FATAL);
	assert_non_null(strstr(got_why, "more than 3 redirects"));
	assert_int_equal(S.n_req, 1 + MODEL_REDIRECTS_MAX);
	done_with(m);
}

static void
test_key_may_follow(void **state)
{
	(void)state;
	assert_true(model_key_may_follow("http://h:8/a", "http://h:8/b?x"));
	assert_true(model_key_may_follow("http://H/a", "http://h:80/b"));
	assert_true(model_key_may_follow("http://h/a", "https://h/b"));
	assert_false(model_key_may_follow("https://h/a", "http://h/b"));
	assert_false(model_key_may_follow("http://h:8/a", "http://h:9/a"));
	assert_false(model_key_may_follow("http://127.0.0.1/a", "http://localhost/a"));
	assert_false(model_key_may_follow("http://h/a", "http://h.evil.example/a"));
	assert_false(model_key_may_follow("http://h/a", "not a url"));
}

static const char *answer_with;
static const char *answer_extra;
static int answer_status;

static void
answer_given(srv *s, int n, const char *req, char *resp, size_t cap)
{
	(void)s, (void)n, (void)req;
	respond(resp, cap, answer_status, answer_extra, answer_with);
}

static void
one(int status, const char *extra, const char *body)
{
	model *m;

	answer_status = status;
	answer_extra = extra;
	answer_with = body;
	start_server(answer_given, 0);
	m = open_model(at("/v1"), NULL, NULL);
	ask(m);
	done_with(m);
}

/* What each outcome looks like in a reply, and the server's words. */
static void
test_replies(void **state)
{
	(void)state;
	one(200, "", "{\"object\":\"error\",\"message\":\"The model `m` does not exist.\","
	    "\"type\":\"NotFoundError\",\"param\":null,\"code\":404}");
	assert_int_equal(got.fail, MF_FATAL);
	assert_int_equal(got.status, 404);
	assert_non_null(strstr(got_why, "/v1/chat/completions: the server answered an error "
	    "(code 404): \"The model `m` does not exist.\""));

	one(200, "", "{\"error\":{\"code\":503,\"message\":\"Loading model\"}}");
	assert_int_equal(got.fail, MF_RATE);

	one(200, "", "{\"error\":{\"message\":\"no code\"}}");
	assert_int_equal(got.fail, MF_MALFORMED);
	assert_non_null(strstr(got_why, "\"no code\""));

	one(200, "Content-Type: text/event-stream\r\n", "data: {\"choices\":[]}\n\ndata: [DONE]\n\n");
	assert_int_equal(got.fail, MF_MALFORMED);
	assert_non_null(strstr(got_why, "streamed (server-sent events) although stream was false"));

	one(400, "", "{\"error\":{\"code\":400,\"message\":\"request (3009 tokens) exceeds the "
	    "available context size (256 tokens), try increasing it\"}}");
	assert_int_equal(got.fail, MF_REFUSED);
	assert_int_equal(got.status, 400);
	assert_non_null(strstr(got_why, "HTTP 400 from http://127.0.0.1:"));
	assert_non_null(strstr(got_why, "\"request (3009 tokens) exceeds"));

	one(429, "Retry-After: 2\r\n", "{\"error\":{\"message\":\"slow down\"}}");
	assert_int_equal(got.fail, MF_RATE);
	assert_int_equal(got.retry_after_ms, 2000);

	one(200, "", "{\"choices\":[{\"message\":{\"content\":null,\"reasoning_content\":\"hm\"},"
	    "\"finish_reason\":\"length\"}]}");
	assert_int_equal(got.fail, MF_NONE);
	assert_string_equal(got_text, "");
	assert_int_equal(got.truncated, 1);
}

/* A bad header name or key stops model_open with a reason. */
static void
test_open_refuses(void **state)
{
	model_opts o = { .api = MODEL_CHAT, .n_endpoints = 1, .served_model = "m",
	    .api_key = "k", .api_key_header = "a b", .timeout_ms = 1000, .concurrency = 1 };
	json_t *bad = json_loads("{\"stream\":true}", 0, NULL);
	char why[MODEL_WHY_MAX];
	model *m;

	(void)state;
	o.endpoints[0] = "http://127.0.0.1:1";
	assert_int_equal(model_open(&loop, &o, on_done, NULL, &m, why, sizeof why), EM_EINVAL);
	assert_non_null(strstr(why, "not an HTTP header name"));
	o.api_key_header = NULL;
	o.extra_body = bad;
	assert_int_equal(model_open(&loop, &o, on_done, NULL, &m, why, sizeof why), EM_EINVAL);
	assert_non_null(strstr(why, "\"stream\""));
	json_decref(bad);
}

static int
setup(void **state)
{
	(void)state;
	n_got = 0;
	return uv_loop_init(&loop);
}

static int
teardown(void **state)
{
	(void)state;
	uv_run(&loop, UV_RUN_DEFAULT);
	return uv_loop_close(&loop);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_refused_at_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_after_answer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_query_headers_body, setup, teardown),
		cmocka_unit_test_setup_teardown(test_redirect_same_host, setup, teardown),
		cmocka_unit_test_setup_teardown(test_redirect_other_host, setup, teardown),
		cmocka_unit_test_setup_teardown(test_redirect_bounded, setup, teardown),
		cmocka_unit_test(test_key_may_follow),
		cmocka_unit_test_setup_teardown(test_replies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_refuses, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
