/* The OpenAI-compatible adapter: libcurl's multi interface on the libuv
 * loop. curl tells us which sockets to watch (on_socket) and when to wake
 * it (on_curl_timer); the loop tells curl what happened (on_poll,
 * on_timeout); finished transfers are collected in check_done. */
#include "model_impl.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "hash.h"
#include "log.h"

#define URL_MAX		1024

typedef struct xfer {
	struct xfer	*next, *prev;	/* in flight */
	CURL		*easy;
	uint32_t	 id;
	unsigned	 endpoint;
	char		*body;		/* the request, kept while curl sends it */
	char		*buf;		/* the response */
	size_t		 len, cap;
	int		 too_big;
	long		 retry_after_ms;
} xfer;

typedef struct sock {
	uv_poll_t	 poll;
	curl_socket_t	 fd;
	struct http	*h;
} sock;

struct http {
	model		*m;
	CURLM		*multi;
	uv_timer_t	 timer;
	struct curl_slist *headers;	/* shared; holds the bearer key */
	char		 url[MODEL_ENDPOINTS_MAX][URL_MAX];
	size_t		 n_url, next_url;
	xfer		*flight;
	int		 closing;
};

static int curl_users;

static void check_done(struct http *h);

static void
sock_closed(uv_handle_t *hd)
{
	free(hd->data);
}

static void
on_poll(uv_poll_t *p, int status, int events)
{
	sock *s = p->data;
	struct http *h = s->h;
	int flags = 0, running;

	if (status < 0)
		flags = CURL_CSELECT_ERR;
	if (events & UV_READABLE)
		flags |= CURL_CSELECT_IN;
	if (events & UV_WRITABLE)
		flags |= CURL_CSELECT_OUT;
	if (h->closing)
		return;
	curl_multi_socket_action(h->multi, s->fd, flags, &running);
	check_done(h);
}

static int
on_socket(CURL *e, curl_socket_t fd, int what, void *userp, void *socketp)
{
	struct http *h = userp;
	sock *s = socketp;
	int ev = 0;

	(void)e;
	if (what == CURL_POLL_REMOVE) {
		if (s != NULL) {
			uv_poll_stop(&s->poll);
			uv_close((uv_handle_t *)&s->poll, sock_closed);
			curl_multi_assign(h->multi, fd, NULL);
		}
		return 0;
	}
	if (s == NULL) {
		if ((s = calloc(1, sizeof *s)) == NULL)
			return -1;
		s->fd = fd;
		s->h = h;
		s->poll.data = s;
		if (uv_poll_init_socket(h->m->loop, &s->poll, fd) != 0) {
			free(s);
			return -1;
		}
		curl_multi_assign(h->multi, fd, s);
	}
	if (what & CURL_POLL_IN)
		ev |= UV_READABLE;
	if (what & CURL_POLL_OUT)
		ev |= UV_WRITABLE;
	return uv_poll_start(&s->poll, ev, on_poll) == 0 ? 0 : -1;
}

static void
on_timeout(uv_timer_t *t)
{
	struct http *h = t->data;
	int running;

	if (h->closing)
		return;
	curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	check_done(h);
}

static int
on_curl_timer(CURLM *multi, long ms, void *userp)
{
	struct http *h = userp;

	(void)multi;
	if (h->closing)
		return 0;
	if (ms < 0)
		uv_timer_stop(&h->timer);
	else
		uv_timer_start(&h->timer, on_timeout, (uint64_t)ms, 0);
	return 0;
}

static size_t
on_write(char *data, size_t size, size_t n, void *userp)
{
	xfer *x = userp;
	size_t len = size * n;

	if (x->len + len > MODEL_REPLY_MAX) {
		x->too_big = 1;
		return 0;	/* curl stops the transfer */
	}
	if (x->len + len + 1 > x->cap) {
		size_t cap = x->cap ? x->cap : 4096;
		char *nb;

		while (cap < x->len + len + 1)
			cap *= 2;
		if ((nb = realloc(x->buf, cap)) == NULL)
			return 0;
		x->buf = nb;
		x->cap = cap;
	}
	memcpy(x->buf + x->len, data, len);
	x->len += len;
	x->buf[x->len] = '\0';
	return len;
}

/* Retry-After: a number of seconds or an HTTP date. */
static size_t
on_header(char *data, size_t size, size_t n, void *userp)
{
	xfer *x = userp;
	size_t len = size * n;
	char val[64];
	long secs;

	if (len > 12 && len < 12 + sizeof val && strncasecmp(data, "Retry-After:", 12) == 0) {
		char *end;
		time_t at;

		memcpy(val, data + 12, len - 12);
		val[len - 12] = '\0';
		secs = strtol(val, &end, 10);
		if (end != val && secs >= 0 && (*end == '\r' || *end == '\n' || *end == ' ' || !*end))
			x->retry_after_ms = secs > 3600 ? 3600000 : secs * 1000;
		else if ((at = curl_getdate(val, NULL)) > 0)
			x->retry_after_ms = at > time(NULL) ? (long)(at - time(NULL)) * 1000 : 0;
	}
	return len;
}

static void
xfer_free(struct http *h, xfer *x)
{
	if (x->prev)
		x->prev->next = x->next;
	else
		h->flight = x->next;
	if (x->next)
		x->next->prev = x->prev;
	curl_multi_remove_handle(h->multi, x->easy);
	curl_easy_cleanup(x->easy);
	free(x->body);
	free(x->buf);
	free(x);
}

/* Reads what a finished transfer came to, frees it, then tells the
 * caller (who may close the adapter from the callback). */
static void
finish(struct http *h, xfer *x, CURLcode rc)
{
	model *m = h->m;
	const char *url = h->url[x->endpoint];
	model_reply r = { .id = x->id, .retry_after_ms = -1 };
	char *text = NULL, why[MODEL_WHY_MAX];
	long code = 0;

	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &code);
	r.fail = MF_CONNECT;
	if (rc == CURLE_OPERATION_TIMEDOUT) {
		r.fail = MF_TIMEOUT;
		snprintf(r.why, sizeof r.why, "no answer within %u ms from %s", m->o.timeout_ms, url);
	} else if (rc == CURLE_WRITE_ERROR && x->too_big) {
		r.fail = MF_MALFORMED;
		snprintf(r.why, sizeof r.why, "a response larger than %u bytes from %s",
		    MODEL_REPLY_MAX, url);
	} else if (rc != CURLE_OK) {
		snprintf(r.why, sizeof r.why, "%s: %s", url, curl_easy_strerror(rc));
	} else if (code == 429 || code == 503) {
		r.fail = MF_RATE;
		r.retry_after_ms = x->retry_after_ms;
		snprintf(r.why, sizeof r.why, "HTTP %ld from %s", code, url);
	} else if (code >= 500) {
		r.fail = MF_SERVER;
		snprintf(r.why, sizeof r.why, "HTTP %ld from %s", code, url);
	} else if (code == 401 || code == 403) {
		r.fail = MF_FATAL;
		snprintf(r.why, sizeof r.why, "HTTP %ld from %s: the endpoint refused the "
		    "request's credentials (see --api-key-env)", code, url);
	} else if (code == 404) {
		r.fail = MF_FATAL;
		snprintf(r.why, sizeof r.why, "HTTP 404 from %s: no such path (check --endpoint "
		    "and --api)", url);
	} else if (code < 200 || code >= 300) {
		r.fail = MF_FATAL;
		snprintf(r.why, sizeof r.why, "HTTP %ld from %s", code, url);
	} else if (model_parse_openai(m->o.api, x->buf ? x->buf : "", x->len, &text, why,
	    sizeof why) != EM_OK) {
		r.fail = MF_MALFORMED;
		snprintf(r.why, sizeof r.why, "%.140s from %.100s", why, url);
	} else {
		r.fail = MF_NONE;
		r.text = text;
	}
	xfer_free(h, x);
	model_deliver(m, &r);
	free(text);
}

static void
check_done(struct http *h)
{
	CURLMsg *msg;
	int left;

	while (!h->closing && (msg = curl_multi_info_read(h->multi, &left)) != NULL) {
		xfer *x;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
		finish(h, x, msg->data.result);
	}
}

static em_err
http_submit(model *m, const model_req *r)
{
	struct http *h = m->impl;
	xfer *x = calloc(1, sizeof *x);

	if (x == NULL)
		return EM_ENOMEM;
	x->id = r->id;
	x->retry_after_ms = -1;
	x->endpoint = (unsigned)(h->next_url++ % h->n_url);
	if ((x->body = model_body(m, r)) == NULL || (x->easy = curl_easy_init()) == NULL) {
		free(x->body);
		free(x);
		return EM_ENOMEM;
	}
	curl_easy_setopt(x->easy, CURLOPT_URL, h->url[x->endpoint]);
	curl_easy_setopt(x->easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(x->easy, CURLOPT_POSTFIELDS, x->body);
	curl_easy_setopt(x->easy, CURLOPT_POSTFIELDSIZE, (long)strlen(x->body));
	curl_easy_setopt(x->easy, CURLOPT_HTTPHEADER, h->headers);
	curl_easy_setopt(x->easy, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(x->easy, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(x->easy, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(x->easy, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(x->easy, CURLOPT_TIMEOUT_MS, (long)m->o.timeout_ms);
	curl_easy_setopt(x->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(x->easy, CURLOPT_PRIVATE, x);
	if (curl_multi_add_handle(h->multi, x->easy) != CURLM_OK) {
		curl_easy_cleanup(x->easy);
		free(x->body);
		free(x);
		return EM_EIO;
	}
	x->next = h->flight;
	if (h->flight)
		h->flight->prev = x;
	h->flight = x;
	return EM_OK;
}

static void
http_close(model *m)
{
	struct http *h = m->impl;

	while (h->flight != NULL)
		xfer_free(h, h->flight);
	h->closing = 1;
	/* closes the cached connections: curl asks us to unwatch their sockets */
	curl_multi_cleanup(h->multi);
	h->multi = NULL;
	uv_timer_stop(&h->timer);
	uv_close((uv_handle_t *)&h->timer, NULL);
}

/* Wipes and frees the header list that carries the key. */
static void
headers_free(struct curl_slist *l)
{
	for (struct curl_slist *p = l; p != NULL; p = p->next)
		hash_wipe(p->data, strlen(p->data));
	curl_slist_free_all(l);
}

static void
http_free(model *m)
{
	struct http *h = m->impl;

	headers_free(h->headers);
	free(h);
	if (--curl_users == 0)
		curl_global_cleanup();
}

/* The full URL for a base endpoint: a base ("http://host:8000",
 * "http://host:8000/v1") gains the API's path; a full path is kept. */
static em_err
endpoint_url(const char *base, enum model_api api, char *out, size_t cap, char *why,
    size_t wcap)
{
	const char *path = api == MODEL_CHAT ? "/chat/completions" : "/completions";
	size_t n = strlen(base);
	int w;

	if (strncmp(base, "http://", 7) != 0 && strncmp(base, "https://", 8) != 0) {
		snprintf(why, wcap, "--endpoint '%.200s': expected an http:// or https:// URL", base);
		return EM_EINVAL;
	}
	while (n > 8 && base[n - 1] == '/')
		n--;
	if (n >= strlen(path) && strncmp(base + n - strlen(path), path, strlen(path)) == 0)
		w = snprintf(out, cap, "%.*s", (int)n, base);
	else if (n >= 3 && strncmp(base + n - 3, "/v1", 3) == 0)
		w = snprintf(out, cap, "%.*s%s", (int)n, base, path);
	else
		w = snprintf(out, cap, "%.*s/v1%s", (int)n, base, path);
	if (w < 0 || (size_t)w >= cap) {
		snprintf(why, wcap, "--endpoint: a URL longer than %zu bytes", cap - 1);
		return EM_EINVAL;
	}
	return EM_OK;
}

static const struct model_ops http_ops = { http_submit, http_close, http_free };

em_err
model_http_open(model *m, char *why, size_t cap)
{
	struct http *h;
	struct curl_slist *l = NULL, *t;
	em_err err;

	if (m->o.n_endpoints == 0 || m->o.n_endpoints > MODEL_ENDPOINTS_MAX) {
		snprintf(why, cap, "give 1 to %d --endpoint URLs", MODEL_ENDPOINTS_MAX);
		return EM_EINVAL;
	}
	if ((h = calloc(1, sizeof *h)) == NULL)
		return EM_ENOMEM;
	for (size_t i = 0; i < m->o.n_endpoints; i++)
		if ((err = endpoint_url(m->o.endpoints[i], m->o.api, h->url[i], URL_MAX, why,
		    cap)) != EM_OK) {
			free(h);
			return err;
		}
	h->n_url = m->o.n_endpoints;
	if (curl_users++ == 0 && curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
		curl_users--;
		free(h);
		snprintf(why, cap, "libcurl did not start");
		return EM_EIO;
	}
	h->m = m;
	m->impl = h;
	m->ops = &http_ops;
	/* "Expect:" stops curl waiting for 100-continue before larger bodies */
	if ((t = curl_slist_append(l, "Content-Type: application/json")) != NULL &&
	    (t = curl_slist_append(l = t, "Expect:")) != NULL)
		l = t;
	if (t != NULL && m->o.api_key != NULL) {
		size_t n = strlen(m->o.api_key) + 32;
		char *hdr = malloc(n);

		t = NULL;
		if (hdr != NULL) {
			snprintf(hdr, n, "Authorization: Bearer %s", m->o.api_key);
			if ((t = curl_slist_append(l, hdr)) != NULL)
				l = t;
			hash_wipe(hdr, n);
			free(hdr);
		}
	}
	h->headers = l;
	if (t == NULL || (h->multi = curl_multi_init()) == NULL) {
		http_free(m);
		return EM_ENOMEM;
	}
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, on_curl_timer);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
	/* keep a connection per request in flight, so none is reopened */
	curl_multi_setopt(h->multi, CURLMOPT_MAXCONNECTS, (long)(m->o.concurrency + h->n_url));
	uv_timer_init(m->loop, &h->timer);
	h->timer.data = h;
	return EM_OK;
}
