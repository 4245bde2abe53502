/* The OpenAI-compatible adapter: libcurl's multi interface on the libuv
 * loop. curl tells us which sockets to watch (on_socket) and when to wake
 * it (on_curl_timer); the loop tells curl what happened (on_poll,
 * on_timeout); finished transfers are collected in check_done, which
 * follows redirects itself (curl would carry a custom key header to any
 * host) and says what each outcome means (model.h, model_rules.c). */
#include "model_impl.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "log.h"
#include "utf8.h"

typedef struct xfer {
	struct xfer	*next, *prev;	/* in flight */
	CURL		*easy;
	uint32_t	 id;
	unsigned	 endpoint;
	unsigned	 hops;		/* redirects followed */
	char		*url;		/* where this attempt is sent now */
	char		*body;		/* the request, kept while curl sends it */
	char		*buf;		/* the response */
	size_t		 len, cap;
	int		 too_big;
	long		 retry_after_ms;
	char		 err[CURL_ERROR_SIZE];
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
	struct curl_slist *headers;	/* shared; holds the key */
	char		 url[MODEL_ENDPOINTS_MAX][MODEL_URL_MAX];
	int		 answered[MODEL_ENDPOINTS_MAX];	/* it ever sent a status */
	size_t		 n_url, next_url;
	xfer		*flight;
	int		 closing;
	int		 kick;		/* curl asked to be run at once */
};

static int curl_users;

static void check_done(struct http *h);
static void kick(struct http *h);

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
	kick(h);
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
	kick(h);
}

/* Requests added while an answer was read (the caller asks for the next
 * item at once) go out now, not after every other answer that came in this
 * round has been read and scored too: curl asks to be run again "at once"
 * (a timeout of 0) when a request is added, and the loop's timer would run
 * it only after all this round's socket callbacks. Here we are outside
 * every curl call, so running it is allowed. Bounded: what it adds in turn
 * waits for the timer. */
static void
kick(struct http *h)
{
	int running;

	for (int i = 0; i < 2 && h->kick && !h->closing; i++) {
		h->kick = 0;
		curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0, &running);
		check_done(h);
	}
}

static int
on_curl_timer(CURLM *multi, long ms, void *userp)
{
	struct http *h = userp;

	(void)multi;
	if (h->closing)
		return 0;
	h->kick = ms == 0;
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
	free(x->url);
	free(x->body);
	free(x->buf);
	free(x);
}

/* A 3xx: sends the same request on to the Location (1), or says in r
 * why not (0). */
static int
redirect(struct http *h, xfer *x, long code, const char *show, model_reply *r)
{
	char *loc = NULL, *to;
	char where[112];

	r->fail = MF_FATAL;
	curl_easy_getinfo(x->easy, CURLINFO_REDIRECT_URL, &loc);
	if (loc == NULL) {
		model_say(r->why, sizeof r->why, "HTTP %ld from %s without a Location to follow",
		    code, show);
		return 0;
	}
	model_url_show(loc, where, sizeof where);
	if (strncmp(loc, "http://", 7) != 0 && strncmp(loc, "https://", 8) != 0) {
		model_say(r->why, sizeof r->why, "HTTP %ld from %s redirects to %s, which is not "
		    "http(s)", code, show, where);
		return 0;
	}
	if (x->hops >= MODEL_REDIRECTS_MAX) {
		model_say(r->why, sizeof r->why, "HTTP %ld from %s: more than %d redirects (the "
		    "last to %s)", code, show, MODEL_REDIRECTS_MAX, where);
		return 0;
	}
	if (h->m->o.api_key != NULL && !model_key_may_follow(x->url, loc)) {
		model_say(r->why, sizeof r->why, "HTTP %ld from %s redirects to another host (%s): "
		    "not followed, so the API key is not sent there; give that URL as --endpoint "
		    "if you trust it", code, show, where);
		return 0;
	}
	if ((to = strdup(loc)) == NULL) {	/* loc is curl's, gone once the URL changes */
		model_say(r->why, sizeof r->why, "out of memory");
		return 0;
	}
	curl_multi_remove_handle(h->multi, x->easy);
	free(x->url);
	x->url = to;
	x->hops++;
	x->len = 0;
	x->too_big = 0;
	x->retry_after_ms = -1;
	x->err[0] = '\0';
	curl_easy_setopt(x->easy, CURLOPT_URL, x->url);
	if (curl_multi_add_handle(h->multi, x->easy) != CURLM_OK) {
		model_say(r->why, sizeof r->why, "cannot send the request on to %s", where);
		return 0;
	}
	return 1;
}

/* No connection: nobody there (the endpoint never answered this adapter)
 * stops the run at once; a server that answered before is restarting. */
static void
no_connection(struct http *h, xfer *x, CURLcode rc, const char *show, model_reply *r)
{
	long os = 0;
	const char *what;
	int resolve = rc != CURLE_COULDNT_CONNECT;

	curl_easy_getinfo(x->easy, CURLINFO_OS_ERRNO, &os);
	what = !resolve && os > 0 ? strerror((int)os) : x->err[0] ? x->err : curl_easy_strerror(rc);
	if (h->answered[x->endpoint]) {
		r->fail = MF_CONNECT;
		model_say(r->why, sizeof r->why, "cannot connect to %s: %s (it answered before: "
		    "restarting?)", show, what);
	} else {
		r->fail = MF_FATAL;
		model_say(r->why, sizeof r->why, resolve ? "cannot resolve the host of %s: %s "
		    "\xE2\x80\x94 check --endpoint" : "cannot connect to %s: %s \xE2\x80\x94 is the "
		    "server running?", show, what);
	}
}

/* A complete response with a status: 3xx, an error status, or an answer.
 * Returns 1 if the attempt went on to a redirect's Location. */
static int
read_response(struct http *h, xfer *x, long code, const char *show, model_reply *r,
    char **text)
{
	const char *body = x->buf ? x->buf : "";
	const char *meaning;
	size_t p;
	long st;
	em_err err;

	r->status = code;
	if (code >= 300 && code <= 399)
		return redirect(h, x, code, show, r);
	if (code < 200 || code > 299) {
		r->fail = model_http_classify(code, body, x->len, x->url, r->why, sizeof r->why);
		if (r->fail == MF_RATE)
			r->retry_after_ms = x->retry_after_ms;
		return 0;
	}
	model_say(r->why, sizeof r->why, "%s: ", show);
	p = strlen(r->why);
	err = model_parse_openai(h->m->o.api, body, x->len, text, &r->truncated, &st,
	    r->why + p, sizeof r->why - p);
	if (err == EM_OK) {
		r->fail = MF_NONE;
		r->text = *text;
		r->why[0] = '\0';
	} else if (err == EM_EFORMAT && st != 0) {
		/* a 200 whose body is an error object: as its code would be */
		r->status = st;
		r->fail = model_status_fail(st, 0, &meaning);
	} else {
		r->fail = MF_MALFORMED;
		if (err == EM_ENOMEM)
			model_say(r->why, sizeof r->why, "out of memory reading an answer");
	}
	return 0;
}

/* Reads what a finished transfer came to, frees it, then tells the
 * caller (who may close the adapter from the callback). */
static void
finish(struct http *h, xfer *x, CURLcode rc)
{
	model *m = h->m;
	model_reply r = { .id = x->id, .retry_after_ms = -1 };
	char *text = NULL, *body, show[112];
	long code = 0;

	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &code);
	if (code > 0)
		h->answered[x->endpoint] = 1;
	model_redact(x->buf, x->len, m->o.api_key);
	model_url_show(x->url, show, sizeof show);
	r.fail = MF_CONNECT;
	if (rc == CURLE_OPERATION_TIMEDOUT) {
		r.fail = MF_TIMEOUT;
		model_say(r.why, sizeof r.why, "no answer within %u ms from %s", m->o.timeout_ms, show);
	} else if (rc == CURLE_WRITE_ERROR && x->too_big) {
		r.fail = MF_MALFORMED;
		model_say(r.why, sizeof r.why, "a response larger than %u bytes from %s",
		    MODEL_REPLY_MAX, show);
	} else if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
	    rc == CURLE_COULDNT_RESOLVE_PROXY) {
		no_connection(h, x, rc, show, &r);
	} else if (rc != CURLE_OK) {
		/* a URL or protocol curl will not take (a redirect's Location,
		 * say) is not worth another attempt */
		if (rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL)
			r.fail = MF_FATAL;
		model_say(r.why, sizeof r.why, "%s: %s", show, x->err[0] ? x->err :
		    curl_easy_strerror(rc));
	} else if (read_response(h, x, code, show, &r, &text)) {
		return;		/* sent on to where it was redirected */
	}
	body = x->buf;
	r.body = body;
	r.body_len = body ? x->len : 0;
	x->buf = NULL;		/* the reply borrows it past the transfer */
	xfer_free(h, x);
	model_deliver(m, &r);
	free(text);
	free(body);
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
	if ((x->url = strdup(h->url[x->endpoint])) == NULL || (x->body = model_body(m, r)) == NULL ||
	    (x->easy = curl_easy_init()) == NULL) {
		free(x->url);
		free(x->body);
		free(x);
		return EM_ENOMEM;
	}
	curl_easy_setopt(x->easy, CURLOPT_URL, x->url);
	curl_easy_setopt(x->easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(x->easy, CURLOPT_FOLLOWLOCATION, 0L);	/* redirect() does */
	curl_easy_setopt(x->easy, CURLOPT_POSTFIELDS, x->body);
	curl_easy_setopt(x->easy, CURLOPT_POSTFIELDSIZE, (long)strlen(x->body));
	curl_easy_setopt(x->easy, CURLOPT_HTTPHEADER, h->headers);
	curl_easy_setopt(x->easy, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(x->easy, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(x->easy, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(x->easy, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(x->easy, CURLOPT_ERRORBUFFER, x->err);
	curl_easy_setopt(x->easy, CURLOPT_TIMEOUT_MS, (long)m->o.timeout_ms);
	curl_easy_setopt(x->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(x->easy, CURLOPT_PRIVATE, x);
	if (curl_multi_add_handle(h->multi, x->easy) != CURLM_OK) {
		curl_easy_cleanup(x->easy);
		free(x->url);
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

static void
http_free(model *m)
{
	struct http *h = m->impl;

	model_headers_free(h->headers);
	free(h);
	if (--curl_users == 0)
		curl_global_cleanup();
}

static const struct model_ops http_ops = { http_submit, http_close, http_free };

em_err
model_url_curl(const char *url, char *why, size_t cap)
{
	CURLU *u = curl_url();
	CURLUcode uc;

	if (u == NULL)
		return EM_ENOMEM;
	uc = curl_url_set(u, CURLUPART_URL, url, 0);
	curl_url_cleanup(u);
	if (uc == CURLUE_OK)
		return EM_OK;
	snprintf(why, cap, "%s", curl_url_strerror(uc));
	return EM_EINVAL;
}

/* A URL curl can use, told at once rather than as a failed request per
 * item ("http://host:80x" has a port curl will not take). */
static em_err
url_parses(const char *url, char *why, size_t cap)
{
	CURLU *u = curl_url();
	CURLUcode uc;
	char show[MODEL_URL_MAX], fit[208];

	if (u == NULL)
		return EM_ENOMEM;
	uc = curl_url_set(u, CURLUPART_URL, url, 0);
	curl_url_cleanup(u);
	if (uc == CURLUE_OK)
		return EM_OK;
	model_url_show(url, show, sizeof show);
	snprintf(why, cap, "--endpoint %s: not a URL curl can use (%s)",
	    utf8_fit(show, 200, fit, sizeof fit), curl_url_strerror(uc));
	return EM_EINVAL;
}

em_err
model_http_open(model *m, char *why, size_t cap)
{
	const char *path = m->o.api == MODEL_CHAT ? "/chat/completions" : "/completions";
	struct http *h;
	em_err err;

	if (m->o.n_endpoints == 0 || m->o.n_endpoints > MODEL_ENDPOINTS_MAX) {
		snprintf(why, cap, "give 1 to %d --endpoint URLs", MODEL_ENDPOINTS_MAX);
		return EM_EINVAL;
	}
	if ((h = calloc(1, sizeof *h)) == NULL)
		return EM_ENOMEM;
	for (size_t i = 0; i < m->o.n_endpoints; i++)
		if ((err = model_url(m->o.endpoints[i], path, h->url[i], MODEL_URL_MAX, why,
		    cap)) != EM_OK || (err = url_parses(h->url[i], why, cap)) != EM_OK) {
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
	if ((err = model_headers(&m->o, &h->headers, why, cap)) != EM_OK ||
	    (h->multi = curl_multi_init()) == NULL) {
		http_free(m);
		return err != EM_OK ? err : EM_ENOMEM;
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
